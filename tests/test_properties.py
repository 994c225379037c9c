"""Property-based tests: arbitrary text and bytes never break papertriage."""

from __future__ import annotations

import io

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papertriage.engine import get_tagger
from papertriage.errors import InputError
from papertriage.matcher import Tables
from papertriage.models import Record, Source
from papertriage.output import paper_to_dict
from papertriage.parsers import DIALECTS, read_source

TAGGER = get_tagger(use_config=False)
PY_TABLES = Tables(TAGGER.tables.data, engine="python")

words = st.sampled_from(
    ["speech", "recognition", "image", "segmentation", "hate", "part-of-speech", "ASR", "EEG", "the", "of", "point",
     "cloud", "accuracy", "of", "95.4%", "WER", "1.8", "BLEU", "+2.1", "x", "17.5x", "faster", "on", "ImageNet",
     "language", "model", "models", "graphs", "C++", "SQuAD2.0", "İstanbul", "ﬁne", "\u00e9t\u00e9", "-", ",", ".", "\n"]
)
texty = st.one_of(st.text(max_size=400), st.lists(words, max_size=80).map(" ".join))
settings.register_profile("pt", deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("pt")


@given(title=texty, abstract=texty)
def test_tagging_any_text_keeps_spans_exact(title, abstract):
    paper = TAGGER.tag(Record("x", title, abstract, Source("-", 1)))
    for e in paper.evidence:
        field = title if e.field == "title" else abstract
        assert field[e.start : e.end] == e.text
        assert e.text
    for c in paper.claims:
        assert abstract[c.start : c.end] == c.text
    d = paper_to_dict(paper)
    line = orjson.dumps(d)
    assert orjson.loads(line)["id"] == "x"
    assert set(paper.modality) <= set(TAGGER.labels("modality"))


@given(text=texty)
def test_both_engines_find_the_same_occurrences(text):
    a = [sorted(x) for x in TAGGER.tables.scan(text)]
    b = [sorted(x) for x in PY_TABLES.scan(text)]
    assert a == b


@given(data=st.binary(max_size=3000))
def test_any_bytes_either_parse_or_raise_input_error(data):
    try:
        for rec in read_source("-", stdin=io.BytesIO(data), warn=lambda *a: None):
            assert isinstance(rec.title, str) and rec.title
            assert isinstance(rec.abstract, str)
    except InputError:
        pass


@given(data=st.binary(max_size=2000), which=st.sampled_from([d.name for d in DIALECTS]))
def test_every_dialect_survives_any_bytes(data, which):
    try:
        for rec in read_source("-", stdin=io.BytesIO(data), input_format=which, warn=lambda *a: None):
            assert isinstance(rec.title, str)
    except InputError:
        pass


@given(text=st.text(max_size=2000), which=st.sampled_from([d.name for d in DIALECTS]))
def test_every_dialect_survives_any_text(text, which):
    try:
        for rec in read_source("-", stdin=io.BytesIO(text.encode("utf-8", "surrogatepass")), input_format=which, warn=lambda *a: None):
            assert isinstance(rec.title, str)
    except InputError:
        pass


# Words of real rule phrases and exclusions, so that texts are dense with
# overlapping matches, repeats and vetoes.
_RULE_WORDS = sorted({w for key in TAGGER.tables.words for w in key.split()})
rule_texts = st.lists(st.one_of(st.sampled_from(_RULE_WORDS), words), min_size=1, max_size=60).map(" ".join)


@given(title=rule_texts, abstract=rule_texts)
def test_fast_tag_equals_tag_through_scores(title, abstract):
    rec = Record("x", title, abstract, Source("-", 1))
    assert TAGGER.tag(rec) == TAGGER.tag_reference(rec)


_PATTERN_WORDS = ["source", "code", "open-source", "our", "the", "with", "release", "resource", "learn", "learning",
                  "to", "representations", "embeddings", "sound", "sounds", "theoretically", "C++", "SQuAD2.0",
                  "recall@10", "wav2vec", "2.0", "generate", "executable", "python", "is", "?", "(", ")", "-", "\n"]
pattern_texts = st.lists(st.sampled_from(_PATTERN_WORDS), max_size=60).map(" ".join)


@given(text=st.one_of(pattern_texts, texty))
def test_pattern_shortcuts_find_what_finditer_finds(text):
    """Patterns are tried only at some positions (literal starts, word starts,
    near their required literal): the occurrences are those of a plain scan."""
    tables = TAGGER.tables
    for field in ("title", "abstract"):
        got: list[list[tuple[int, int, int, int]]] = [[], [], []]
        tables._scan_patterns(text, tables._patterns_for[field], got)
        want: list[list[tuple[int, int, int, int]]] = [[], [], []]
        for lazy, idx, *_ in tables._patterns_for[field]:
            fi, _, excl, _ = tables.entries[idx]
            want[fi].extend((m.start(), -m.end(), 0 if excl else 1, idx) for m in (lazy.rx or lazy.compile()).finditer(text) if m.end() > m.start())
        assert [sorted(x) for x in got] == [sorted(x) for x in want]
