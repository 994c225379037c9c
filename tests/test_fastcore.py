"""The optional C core (``papertriage._fastcore``) gives exactly what the
pure-Python code gives: the same occurrences from a scan and the same papers
(labels, multimodal, evidence in order) from ``tag``."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import tempfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papertriage import matcher
from papertriage.engine import Tagger, get_tagger
from papertriage.matcher import Tables
from papertriage.models import Evidence, Record, Source
from papertriage.output import paper_to_dict
from papertriage.parsers import read_source

from .conftest import EXAMPLE, SHARED, shared_path

needs_fastcore = pytest.mark.skipif(not matcher.FASTCORE, reason="the C core is not built (or PAPERTRIAGE_PURE_PYTHON is set)")

# Rules that reach the corners the default rules do not: several labels per
# rule, title-only phrases, exclusions inside phrases, ``unless``, limits on
# modality, repeats that do not count and a threshold of 0 (a label seen only
# in a vetoed match is given, with no evidence).
EDGE_RULES = """\
settings:
  threshold: 0
  repeat_cap: 0
  repeat_weight: 0.7
labels:
  modality:
    zeta: {threshold: 1.5, unless: [eta, text], unless_ratio: 0.8}
    eta: {threshold: 0.5}
facets:
  modality: {max_labels: 2, min_share: 0.4}
rules:
  - id: my.zeta
    facet: modality
    label: [zeta, eta]
    phrases: [alpha beta, beta, beta gamma, alpha]
    exclude: [beta gamma delta, gamma]
  - id: my.eta
    facet: modality
    label: eta
    phrases: [alpha beta, delta]
    case_sensitive: [ABC, Beta]
    fields: [title]
    weight: 0.3
  - id: my.multi
    facet: multimodal
    label: multimodal
    phrases: [alpha, image and text]
"""


def pure_twin(fast: Tagger) -> Tagger:
    """The same rules and automaton, with the C core switched off."""
    tables = Tables(fast.tables.data, automaton=fast.tables.automaton)
    tables._fast_scan = None
    pure = Tagger(fast.ruleset, claims=fast._claims is not None, tables=tables, digest=fast.digest)
    pure._core = None
    return pure


_PAIRS: dict[str, tuple[Tagger, Tagger]] = {}


def pair(kind: str = "default") -> tuple[Tagger, Tagger]:
    if kind not in _PAIRS:
        if kind == "edge":
            fd, path = tempfile.mkstemp(suffix=".yaml", prefix="papertriage-edge-")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(EDGE_RULES)
                fast = get_tagger([path], use_config=False, claims=False)
            finally:
                os.unlink(path)
        else:
            fast = get_tagger(use_config=False, claims=False)
        assert fast._core is not None
        _PAIRS[kind] = (fast, pure_twin(fast))
    return _PAIRS[kind]


def assert_same(fast: Tagger, pure: Tagger, record: Record) -> int:
    """C and Python agree on one record's scans and paper; the evidence count."""
    for text, field in ((record.title, "title"), (record.abstract, "abstract")):
        assert fast.tables.scan(text, field) == pure.tables.scan(text, field)
        if fast.tables.automaton is not None:
            a: list[list[tuple[int, int, int, int]]] = [[] for _ in range(3)]
            b: list[list[tuple[int, int, int, int]]] = [[] for _ in range(3)]
            fast.tables._scan_automaton(text[: matcher.MAX_FIELD_CHARS], a)
            pure.tables._scan_automaton_python(text[: matcher.MAX_FIELD_CHARS], b)
            assert a == b
    pf, pp = fast.tag(record), pure.tag(record)
    assert (pf.modality, pf.multimodal, pf.task) == (pp.modality, pp.multimodal, pp.task)
    assert pf.evidence == pp.evidence
    assert all(type(e) is Evidence for e in pf.evidence)
    assert pf == pp
    assert repr(paper_to_dict(pf)) == repr(paper_to_dict(pp))
    return len(pf.evidence)


@needs_fastcore
def test_the_c_core_is_used_when_built():
    fast, pure = pair()
    assert fast.tables._fast_scan is not None or fast.tables.automaton is None
    assert pure._core is None and pure.tables._fast_scan is None


@needs_fastcore
def test_c_core_equals_python_on_the_bundled_dump():
    fast, pure = pair()
    n = evidence = 0
    for rec in read_source(str(EXAMPLE)):
        evidence += assert_same(fast, pure, rec)
        n += 1
    assert n == 333 and evidence > 1000


@needs_fastcore
def test_c_core_equals_python_with_edge_rules_on_the_bundled_dump():
    fast, pure = pair("edge")
    for rec in read_source(str(EXAMPLE)):
        assert_same(fast, pure, rec)


@needs_fastcore
def test_facet_loop_alone_equals_python_and_leaves_the_occurrences_alone():
    fast, pure = pair()
    for rec in read_source(str(EXAMPLE)):
        texts = (rec.title, rec.abstract)
        per_field = (fast.tables.scan(rec.title, "title"), fast.tables.scan(rec.abstract, "abstract"))
        before = copy.deepcopy(per_field)
        got = fast._core(per_field, texts)
        assert per_field == before
        assert got == pure._facets(per_field, texts)


SHARED_FILES = [
    ("keras_arxiv_subset_tiagoft", "arxiv_data.csv"),
    ("zotero_bib_controlnet", "My_Library.bib"),
    ("scirex", "scirex_title_abstract_relations.jsonl"),
    ("arxiv_email_digest_2026", "arxiv_cs_AI_LG_SE_digest_2026-01-20.txt"),
    ("arxiv_oai_pmh_cs_2016", "arxiv_cs_2015_2016.jsonl"),
    ("arxiv_oai_pmh_cs_2016", "arxiv_cs_rare_modality_categories_1990_2016.jsonl"),
    ("ris_exports", "lung_cancer_detection.export.ris"),
    ("arxiv_atom_api", "readarxiv_astro-ph_api_response_2026-04.xml"),
    ("researchfinder_arxiv_daily", "arxiv_data.csv"),
    ("kaggle_arxiv_snapshot_head200", "arxiv-metadata-oai-snapshot.head200.jsonl"),
    ("nlp_tdms", "tdms_title_abstract.jsonl"),
    ("s2orc_metadata_sample", "metadata_sample.jsonl"),
]


@needs_fastcore
@pytest.mark.parametrize("folder,name", SHARED_FILES)
def test_c_core_equals_python_on_real_abstracts(folder, name):
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    path = shared_path("external", folder, name)
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    fast, pure = pair()
    n = 0
    for rec in read_source(str(path), warn=lambda *a: None):
        assert_same(fast, pure, rec)
        n += 1
        if n >= 2000:
            break
    assert n > 0


def _phrases() -> list[str]:
    fast, _ = pair()
    out: set[str] = set()
    for rule in fast.ruleset.rules:
        out.update(rule.phrases[:6])
        out.update(rule.exclude[:4])
        out.update(rule.case_sensitive[:4])
    return sorted(out)


PHRASES = _phrases() if matcher.FASTCORE else ["speech"]
EDGE_WORDS = ["alpha", "beta", "gamma", "delta", "ABC", "Beta", "BETA", "image and text", "alpha beta gamma delta"]
FILLER = ["the", "of", "a", "İstanbul", "ﬁne", "\u00e9t\u00e9", "ß", "C++", "SQuAD2.0", "95.4%", "x"]
SEPARATORS = [" ", " ", " ", "-", "\n", ", ", ". ", "  ", "/", ""]


def _word(phrase: str, case: str, plural: str) -> str:
    w = {"upper": phrase.upper(), "title": phrase.title(), "same": phrase}[case]
    return w + plural


piece = st.builds(
    _word,
    st.one_of(st.sampled_from(PHRASES), st.sampled_from(EDGE_WORDS), st.sampled_from(FILLER)),
    st.sampled_from(["same", "same", "same", "upper", "title"]),
    st.sampled_from(["", "", "", "s", "es"]),
)
dense = st.lists(st.tuples(piece, st.sampled_from(SEPARATORS)), max_size=60).map(lambda xs: "".join(a + b for a, b in xs))
texty = st.one_of(dense, dense, st.text(max_size=300))


@needs_fastcore
@given(title=texty, abstract=texty)
def test_c_core_equals_python_on_texts_dense_with_rule_phrases(title, abstract):
    fast, pure = pair()
    assert_same(fast, pure, Record("x", title, abstract, Source("-", 1)))


@needs_fastcore
@given(title=texty, abstract=texty)
def test_c_core_equals_python_with_edge_rules(title, abstract):
    fast, pure = pair("edge")
    assert_same(fast, pure, Record("x", title, abstract, Source("-", 1)))


def _flag(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PAPERTRIAGE_PURE_PYTHON"}
    if env_value is not None:
        env["PAPERTRIAGE_PURE_PYTHON"] = env_value
    code = (
        "from papertriage import matcher; from papertriage.engine import get_tagger; "
        "t = get_tagger(use_config=False, claims=False); "
        "print(matcher.FASTCORE, t._core is not None, t.tables._fast_scan is not None)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_pure_python_variable_switches_the_c_core_off():
    assert _flag("1") == "False False False"
    try:
        import papertriage._fastcore  # noqa: F401
    except ImportError:
        built = False
    else:
        built = True
    with_core = _flag(None)
    if built:
        assert with_core.startswith("True True")
    else:
        assert with_core == "False False False"
