"""The pure-Python matcher gives the same tags as the Aho-Corasick one."""

from __future__ import annotations

import json

import pytest

from papertriage.engine import Tagger, get_tagger
from papertriage.matcher import Tables, _ahocorasick
from papertriage.output import paper_to_dict
from papertriage.parsers import read_source

from .conftest import EXAMPLE, needs_shared, shared_path


def both() -> tuple[Tagger, Tagger]:
    fast = get_tagger(use_config=False)
    slow = Tagger(fast.ruleset, tables=Tables(fast.tables.data, engine="python"))
    return fast, slow


@pytest.mark.skipif(_ahocorasick is None, reason="pyahocorasick is not installed")
def test_engines_agree_tag_for_tag_on_the_bundled_dump():
    fast, slow = both()
    assert fast.tables.engine == "aho-corasick" and slow.tables.engine == "python"
    n = 0
    for rec in read_source(str(EXAMPLE)):
        assert paper_to_dict(fast.tag(rec)) == paper_to_dict(slow.tag(rec))
        n += 1
    assert n == 333


@needs_shared
@pytest.mark.skipif(_ahocorasick is None, reason="pyahocorasick is not installed")
def test_engines_agree_on_real_abstracts_from_other_fields():
    fast, slow = both()
    path = shared_path("external", "arxiv_oai_pmh_cs_2016", "arxiv_cs_rare_modality_categories_1990_2016.jsonl")
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= 1500:
                break
            obj = json.loads(line)
            for text in (obj["title"], obj["abstract"]):
                assert [sorted(x) for x in fast.tables.scan(text)] == [sorted(x) for x in slow.tables.scan(text)]


def test_fast_tag_equals_tag_through_scores_on_the_bundled_dump():
    """``tag`` (the fast path) and ``tag_reference`` (through the per-label
    scores that ``explain`` shows) give the same paper, evidence order included."""
    tagger = get_tagger(use_config=False)
    n = 0
    for rec in read_source(str(EXAMPLE)):
        assert tagger.tag(rec) == tagger.tag_reference(rec)
        n += 1
    assert n == 333


@needs_shared
def test_fast_tag_equals_tag_through_scores_on_real_abstracts():
    tagger = get_tagger(use_config=False)
    path = shared_path("external", "arxiv_oai_pmh_cs_2016", "arxiv_cs_2015_2016.jsonl")
    n = 0
    for i, rec in enumerate(read_source(str(path))):
        if i >= 1500:
            break
        assert tagger.tag(rec) == tagger.tag_reference(rec)
        n += 1
    assert n == 1500
