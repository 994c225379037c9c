"""The optional C core (``papertriage._fastcore``) gives exactly what the
pure-Python code gives: the same occurrences from a scan and the same papers
(labels, multimodal, evidence in order) from ``tag``."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import tempfile

import orjson
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from papertriage import matcher, output
from papertriage.engine import Tagger, get_tagger
from papertriage.matcher import Tables
from papertriage.models import Evidence, Record, Source
from papertriage.output import paper_to_dict
from papertriage.parsers import read_source

from .conftest import EXAMPLE, SHARED_FILES, shared_file

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
    tables._fast_scan = tables._fast_patterns = None
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
    assert repr(output._evidence_dicts_c(pf.evidence)) == repr(output.evidence_dicts(pp.evidence))
    assert orjson.dumps(output.paper_to_json_row(pf)) == orjson.dumps(paper_to_dict(pp))
    return len(pf.evidence)


@needs_fastcore
def test_the_c_core_is_used_when_built():
    fast, pure = pair()
    assert fast.tables._fast_scan is not None or fast.tables.automaton is None
    assert fast.tables._fast_patterns is not None
    assert pure._core is None and pure.tables._fast_scan is None and pure.tables._fast_patterns is None
    # the scans hand TagCore C structs (the tests comparing tag() cover that path)
    assert fast._occ_list is not None and fast.tables.c_scans
    assert pure._occ_list is None and not pure.tables.c_scans


@needs_fastcore
@pytest.mark.parametrize("kind", ["default", "edge"])
def test_occurrences_as_c_structs_are_the_tuples_of_the_lists(kind):
    fast, _ = pair(kind)
    OccList = matcher._fastcore.OccList
    n = 0
    for rec in read_source(str(EXAMPLE)):
        per_field = []
        for text, field in ((rec.title, "title"), (rec.abstract, "abstract")):
            lists = fast.tables.scan(text, field)
            structs = [OccList() for _ in lists]
            fast.tables.scan_into(text, field, structs)
            assert [o.to_list() for o in structs] == lists
            assert [len(o) for o in structs] == [len(x) for x in lists]
            n += sum(map(len, lists))
            per_field.append((lists, structs))
        texts = (rec.title, rec.abstract)
        assert fast._core((per_field[0][1], per_field[1][1]), texts) == fast._core((per_field[0][0], per_field[1][0]), texts)
    assert n > 5000


@needs_fastcore
def test_occurrence_lists_and_c_structs_refuse_what_they_cannot_hold():
    fast, _ = pair()
    OccList = matcher._fastcore.OccList
    with pytest.raises(TypeError, match="OccList"):
        fast._core(([OccList(), {}, OccList()], [OccList(), OccList(), OccList()]), ("a", "b"))
    with pytest.raises(TypeError):
        fast.tables.scan_into("speech recognition", "abstract", [OccList(), (), OccList()])


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


@needs_fastcore
@pytest.mark.parametrize("folder,name", SHARED_FILES)
def test_c_core_equals_python_on_real_abstracts(folder, name):
    path = shared_file(folder, name)
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


def assert_same_pattern_hits(text: str) -> int:
    """C and Python agree on the regular-expression rules' occurrences in
    ``text``, for each field's rules; how many there were."""
    fast, pure = pair()
    n = 0
    for field in (None, "title", "abstract"):
        a: list[list[tuple[int, int, int, int]]] = [[] for _ in range(3)]
        b: list[list[tuple[int, int, int, int]]] = [[] for _ in range(3)]
        fast.tables._fast_patterns(text, fast.tables._c_patterns_for[field], a)
        pure.tables._scan_patterns(text, pure.tables._patterns_for[field], b)
        assert a == b, field
        n += sum(map(len, a))
    return n


def _pattern_words() -> list[str]:
    fast, _ = pair()
    words: set[str] = set()
    for _lazy, _idx, trigs, need, _fields, _gate, _width in fast.tables.patterns:
        words.update(trigs)
        if need.strip():
            words.add(need.strip())
    return sorted(words)


PATTERN_WORDS = _pattern_words() if matcher.FASTCORE else ["learn"]
PATTERN_PHRASES = [
    "our source code is available",
    "Open-source code and models",
    "release the source code for reproducibility",
    "learns to embed",
    "learning representations",
    "learn to represent words",
    "trained on code",
    "pre-trained on code",
    "writing code",
    "wav2vec 2.0",
    "wav2vec\u20102.0",
    "Human3.6M",
    "CNN/DailyMail",
    "recall@10",
    "nDCG@10",
    "sounds",
    "theoretically sound",
    "why?",
    "what is it?",
]
pattern_piece = st.builds(
    _word,
    st.one_of(st.sampled_from(PATTERN_WORDS), st.sampled_from(PATTERN_PHRASES), st.sampled_from(FILLER)),
    st.sampled_from(["same", "same", "same", "upper", "title"]),
    st.sampled_from(["", "", "", "s", "ing"]),
)
pattern_text = st.lists(st.tuples(pattern_piece, st.sampled_from(SEPARATORS)), max_size=40).map(
    lambda xs: "".join(a + b for a, b in xs)
)


@needs_fastcore
def test_c_pattern_scan_equals_python_on_the_bundled_dump():
    hits = 0
    for rec in read_source(str(EXAMPLE)):
        hits += assert_same_pattern_hits(rec.title) + assert_same_pattern_hits(rec.abstract)
    assert hits > 100


@needs_fastcore
@given(text=st.one_of(pattern_text, pattern_text, st.text(max_size=200)))
def test_c_pattern_scan_equals_python_on_texts_dense_with_pattern_literals(text):
    assert_same_pattern_hits(text)


_MANY_START_SOURCES = [
    r"(?:(?:our|the|all|open|with)\s+)?source\s+code",  # unbounded: tried up to the last "source"
    r"(?:pre|train|writ|the)\w{0,8} code",  # bounded: windows before each " code"
    r"(?:a|an|the) (?:cat|dog)s?",  # no required literal
]


def _many_start_table() -> list[tuple]:
    table = []
    for k, source in enumerate(_MANY_START_SOURCES):
        lazy = matcher.LazyPattern(source)
        rx = lazy.compile()
        need = matcher.required_literal(rx.pattern)
        trigs = tuple(matcher.triggers(rx.pattern))
        assert len(trigs) > 1
        table.append((lazy, 0, 1, k, trigs, need, matcher.rarest(need), matcher.max_width(rx.pattern)))
    return table


_many_piece = st.sampled_from(
    ["our", "Our", "the", "THE", "all", "open", "with", "source", "Source", "code", "codes", "pretrain", "training",
     "writes", "a", "an", "cat", "dogs", "sources", "x", "é", "théorie", "1", "source code", "our  source\ncode",
     "the cat", "train code", "thecode"]
)
_many_text = st.lists(st.tuples(_many_piece, st.sampled_from([" ", "  ", "-", ", ", "\n", "", "_"])), max_size=30).map(
    lambda xs: "".join(a + b for a, b in xs)
)


@needs_fastcore
@given(text=_many_text)
@example(text="we share source code here")
@example(text="Our source code, the dogs and all  source code")
@example(text="a cat pretrained code the code")
def test_patterns_with_several_start_literals_find_what_finditer_finds(text):
    """A pattern with several start literals is tried in one pass over an
    ASCII text: the same matches as trying every position."""
    table = _many_start_table()
    out: list[list[tuple[int, int, int, int]]] = [[]]
    matcher._fastcore.scan_patterns(text, table, out)
    want = sorted(
        (m.start(), -m.end(), 1, k)
        for k, (lazy, *_rest) in enumerate(table)
        for m in lazy.rx.finditer(text)
        if m.end() > m.start()
    )
    assert sorted(out[0]) == want


@needs_fastcore
def test_c_pattern_scan_refuses_malformed_tables():
    fast, _ = pair()
    scan_patterns = matcher._fastcore.scan_patterns
    with pytest.raises(TypeError, match="a pattern must be"):
        scan_patterns("learn to embed", [("x",)], [[], [], []])
    lazy = matcher.LazyPattern("learn")
    with pytest.raises(IndexError, match="facet is not in out"):
        scan_patterns("learn to embed", [(lazy, 5, 1, 0, ("learn",), "learn", "l", 0)], [[], [], []])
    out: list[list[tuple[int, int, int, int]]] = [[], [], []]
    scan_patterns("we learn to embed", [(lazy, 1, 1, 7, ("learn",), "learn", "l", 0)], out)
    assert out == [[], [(3, -8, 1, 7)], []]


def _flag(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PAPERTRIAGE_PURE_PYTHON"}
    if env_value is not None:
        env["PAPERTRIAGE_PURE_PYTHON"] = env_value
    code = (
        "from papertriage import matcher; from papertriage.engine import get_tagger; "
        "t = get_tagger(use_config=False, claims=False); "
        "from papertriage import output; "
        "print(matcher.FASTCORE, t._core is not None, t.tables._fast_scan is not None, t.tables._fast_patterns is not None, "
        "output._evidence_dicts is not output.evidence_dicts)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_pure_python_variable_switches_the_c_core_off():
    assert _flag("1") == "False False False False False"
    try:
        import papertriage._fastcore  # noqa: F401
    except ImportError:
        built = False
    else:
        built = True
    with_core = _flag(None)
    if built:
        assert with_core.startswith("True True") and with_core.endswith("True True")
    else:
        assert with_core == "False False False False False"


@needs_fastcore
def test_rows_as_dicts_keeps_key_order_and_refuses_rows_of_another_length():
    rows_as_dicts = matcher._fastcore.rows_as_dicts
    got = rows_as_dicts(("b", "a"), [(1, "x"), Evidence("m", "l", "r", "abstract", 0, 2, "ab")[:2]])
    assert [list(d.items()) for d in got] == [[("b", 1), ("a", "x")], [("b", "m"), ("a", "l")]]
    assert rows_as_dicts(("a",), []) == []
    with pytest.raises(ValueError, match="row 1 is not a tuple of 2 items"):
        rows_as_dicts(("a", "b"), [(1, 2), (1, 2, 3)])
    with pytest.raises(TypeError):
        rows_as_dicts(["a"], [])


# (mostly ASCII, with the escaped bytes anywhere in the eight-byte blocks the C core reads at once)
json_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | st.text(
    alphabet=st.sampled_from(list('abcdefgh "\\\x00\x1f\x20\n\x7f\x80é')), max_size=40
) | st.sampled_from(
    ["", '"', "\\", "\x00\x1f\x7f", "\b\t\n\f\r", "\u2028\u2029", "\U0001f600", "é", "a\"b\\c"]
)


@needs_fastcore
@given(
    rows=st.lists(
        st.tuples(json_text, json_text, json_text, json_text, st.integers(0, 2**40), st.integers(-5, 2**40), json_text),
        max_size=5,
    )
)
def test_evidence_json_is_what_orjson_writes(rows):
    evidence = [Evidence(*row) for row in rows]
    got = matcher._fastcore.evidence_json(Evidence._fields, evidence)
    assert got == orjson.dumps(output.evidence_dicts(evidence))


@needs_fastcore
@given(
    shared=st.lists(json_text, min_size=1, max_size=4),
    picks=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), json_text), max_size=12),
)
def test_evidence_json_of_strings_shared_between_items(shared, picks):
    """Facets, labels, rule ids and field names repeat as the same objects
    (written once, then copied): still what orjson writes, also where one of
    them cannot be written."""
    pool = [str(s) + "" for s in shared]  # distinct objects, some with equal text
    evidence = [
        Evidence(pool[a % len(pool)], pool[b % len(pool)], pool[c % len(pool)], pool[d % len(pool)], i, i + 1, text)
        for i, (a, b, c, d, text) in enumerate(picks)
    ]
    got = matcher._fastcore.evidence_json(Evidence._fields, evidence)
    assert got == orjson.dumps(output.evidence_dicts(evidence))
    bad = evidence + [Evidence(pool[0], "\ud800", pool[0], pool[0], 0, 1, "x")] + evidence
    assert matcher._fastcore.evidence_json(Evidence._fields, bad) is None


@needs_fastcore
def test_evidence_json_leaves_what_it_cannot_write_to_orjson():
    evidence_json = matcher._fastcore.evidence_json
    assert evidence_json(Evidence._fields, [Evidence("m", "l", "r", "abstract", 0, 1, "\ud800")]) is None
    assert evidence_json(Evidence._fields, [Evidence("m", "l", "r", "abstract", 0, 2**70, "x")]) is None
    assert evidence_json(Evidence._fields, [Evidence("m", "l", "r", "abstract", 0.5, 1, "x")]) is None
    assert evidence_json(Evidence._fields, [("m", "l")]) is None
    assert evidence_json(Evidence._fields, []) == b"[]"
    with pytest.raises(TypeError):
        evidence_json(("a",), [])
    # a record evidence cannot be written for falls back to the objects, which orjson refuses as before
    from papertriage.models import Paper

    ok = Evidence("modality", "speech", "r", "title", 0, 6, "speech")
    paper = Paper(Record("x", "speech", "", Source("-", 1)), ["speech"], False, [], [], [], [ok], None)
    assert orjson.dumps(output.paper_to_json_row(paper)) == orjson.dumps(paper_to_dict(paper))
    bad = Paper(Record("x", "speech", "", Source("-", 1)), ["speech"], False, [], [], [], [ok._replace(text="\ud800")], None)
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps(paper_to_dict(bad))
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps(output.paper_to_json_row(bad))


# -- the C core's own Aho-Corasick automaton ---------------------------------

needs_pyahocorasick = pytest.mark.skipif(matcher._ahocorasick is None, reason="pyahocorasick is not installed")


def _engines() -> tuple[Tables, Tables | None, Tables]:
    """The default rules' tables with the C automaton, with pyahocorasick's
    (None when it is not installed) and with the token trie."""
    fast, _ = pair()
    data = fast.tables.data
    c = fast.tables
    assert c.automaton_kind == "c" and type(c._automaton) is matcher._fastcore.Automaton
    py = Tables(data, engine="pyahocorasick") if matcher._ahocorasick is not None else None
    return c, py, Tables(data, engine="python")


_ENGINES: list[tuple[Tables, Tables | None, Tables]] = []


def engines() -> tuple[Tables, Tables | None, Tables]:
    if not _ENGINES:
        _ENGINES.append(_engines())
    return _ENGINES[0]


def assert_same_occurrences(text: str) -> int:
    """The C automaton gives pyahocorasick's occurrences in pyahocorasick's
    order, and the token trie's as a multiset; the number of occurrences."""
    c, py, trie = engines()
    text = text[: matcher.MAX_FIELD_CHARS]
    got: list[list[tuple[int, int, int, int]]] = [[] for _ in range(3)]
    c._scan_automaton(text, got)
    if py is not None:
        want: list[list[tuple[int, int, int, int]]] = [[] for _ in range(3)]
        py._scan_automaton_python(text, want)
        assert got == want
        hay = " " + matcher.normalise(text) + " "
        assert c._automaton.iter(hay) == list(py._automaton.iter(hay))
    ref: list[list[tuple[int, int, int, int]]] = [[] for _ in range(3)]
    if trie._trie:
        trie._scan_trie(text, ref)
    assert [sorted(x) for x in got] == [sorted(x) for x in ref]
    return sum(map(len, got))


@needs_fastcore
def test_c_automaton_is_the_default_with_the_c_core():
    c, _, _ = engines()
    assert Tables.engine_name() == "aho-corasick-c"
    assert c.engine == "aho-corasick" and c.automaton_kind == "c"
    stats = c._automaton.stats()
    assert stats["words"] == len(c._values) == len(c._automaton)
    assert stats["bytes"] < 4_000_000


@needs_fastcore
def test_c_automaton_equals_pyahocorasick_and_the_trie_on_the_bundled_dump():
    n = hits = 0
    for rec in read_source(str(EXAMPLE)):
        for text in (rec.title, rec.abstract):
            hits += assert_same_occurrences(text)
            n += 1
    assert n == 666 and hits > 5000


@needs_fastcore
@pytest.mark.parametrize("folder,name", SHARED_FILES)
def test_c_automaton_equals_pyahocorasick_and_the_trie_on_real_abstracts(folder, name):
    path = shared_file(folder, name)
    n = 0
    for rec in read_source(str(path), warn=lambda *a: None):
        assert_same_occurrences(rec.title)
        assert_same_occurrences(rec.abstract)
        n += 1
        if n >= 2000:
            break
    assert n > 0


@needs_fastcore
@given(text=texty)
def test_c_automaton_equals_pyahocorasick_and_the_trie_on_texts_dense_with_rule_phrases(text):
    assert_same_occurrences(text)


@needs_fastcore
@pytest.mark.parametrize(
    "text",
    ["", " ", "speech", "speech recognition", "Speech Recognitions.", "x speech recognition", "İstanbul speech recognition é"],
)
def test_c_automaton_edges_of_the_text(text):
    assert_same_occurrences(text)
    assert_same_occurrences(PHRASES[0] + " " + text + " " + PHRASES[-1])


def brute_force(words: list[str], hay: str) -> list[tuple[int, int]]:
    """Every word ending at every position, longest first (a repeated word:
    the last one's index)."""
    index = {w: i for i, w in enumerate(words)}
    out = []
    for end in range(len(hay)):
        found = [w for w in index if hay.endswith(w, 0, end + 1)]
        out.extend((end, index[w]) for w in sorted(found, key=len, reverse=True))
    return out


SMALL_WORDS = [" a b ", " b ", " a b c ", " b c ", " c", "b c b", " a", "é b", " 𝒳 ", "a", " a b c d e "]
SMALL_ALPHABET = [" ", " ", "a", "b", "c", "d", "e", "é", "𝒳", "x"]


@needs_fastcore
@pytest.mark.parametrize("dense_min", [1, 2, 4, 1000])
@given(hay=st.lists(st.sampled_from(SMALL_ALPHABET), max_size=40).map("".join))
def test_small_automaton_equals_brute_force(dense_min, hay):
    automaton = matcher._fastcore.Automaton(SMALL_WORDS, dense_min=dense_min)
    assert automaton.iter(hay) == brute_force(SMALL_WORDS, hay)


@needs_fastcore
@pytest.mark.parametrize("dense_min", [1, 3, 1000])
@given(
    words=st.lists(st.lists(st.sampled_from(SMALL_ALPHABET), min_size=1, max_size=6).map("".join), min_size=1, max_size=40),
    hays=st.lists(st.lists(st.sampled_from(SMALL_ALPHABET), max_size=30).map("".join), max_size=5),
)
def test_random_automata_equal_brute_force(dense_min, words, hays):
    """Any words (unsorted, repeated, sharing prefixes and suffixes, any code
    points); pickled and rebuilt they give the same."""
    import pickle

    automaton = matcher._fastcore.Automaton(words, dense_min=dense_min)
    again = pickle.loads(pickle.dumps(automaton))
    assert len(again) == len(automaton) == len(words)
    for hay in hays + ["".join(words), " ".join(words)]:
        want = brute_force(words, hay)
        assert automaton.iter(hay) == want
        assert again.iter(hay) == want
        if matcher._ahocorasick is not None and len(set(words)) == len(words):
            py = matcher._ahocorasick.Automaton(matcher._ahocorasick.STORE_INTS)
            for i, w in enumerate(words):
                py.add_word(w, i)
            py.make_automaton()
            assert list(py.iter(hay)) == want


def scan_words(automaton, words: list[str], text: str) -> list[tuple[int, int, int, int]]:
    """What scan_automaton reports for ``text`` when word i is entry i."""
    values = [(len(w), ((0, 1, i),), ()) for i, w in enumerate(words)]
    out: list[list[tuple[int, int, int, int]]] = [[]]
    matcher._fastcore.scan_automaton(automaton, values, out, text, matcher.normalise, matcher.normalise_cased)
    return out[0]


TOKEN_WORDS = ["a", "b", "ab", "ba", "a1", "10", "abc", "b"]
TOKEN_TEXT = ["a", "b", "ab", "ba", "A1", "10", "abc", "B", "x", "é", " ", " ", "  ", "-", ".", "\n", "", "ß"]


@needs_fastcore
def test_the_rule_automaton_reads_ascii_text_by_tokens():
    c, _, _ = engines()
    stats = c._automaton.stats()
    assert stats["tokens"] > 1000 and stats["token_nodes"] > stats["tokens"]
    # words of another form: no token index, the automaton is walked
    fc = matcher._fastcore
    assert fc.Automaton([" a b ", " c "]).stats()["tokens"] == 3
    for words in ([" a b ", "b c"], [" a  b "], [" A "], [" a-b "], [" é "], [" a ", ""][:1] + [" "]):
        assert fc.Automaton(words).stats()["tokens"] == 0
    assert fc.Automaton([" a b "], tokens=False).stats()["tokens"] == 0


@needs_fastcore
@given(
    words=st.lists(st.lists(st.sampled_from(TOKEN_WORDS), min_size=1, max_size=4).map(lambda ts: " " + " ".join(ts) + " "), min_size=1, max_size=30),
    texts=st.lists(st.lists(st.sampled_from(TOKEN_TEXT), max_size=40).map("".join), min_size=1, max_size=5),
)
def test_token_scan_equals_the_automaton_walk(words, texts):
    """Words of tokens (repeated, sharing prefixes, one inside another): the
    scan by tokens reports what the walk of the automaton does, in its
    order; pickled, the automaton keeps its token index."""
    import pickle

    fc = matcher._fastcore
    by_tokens = fc.Automaton(words)
    walked = fc.Automaton(words, tokens=False)
    assert by_tokens.stats()["tokens"] > 0 and walked.stats()["tokens"] == 0
    assert pickle.loads(pickle.dumps(walked)).stats()["tokens"] == 0
    again = pickle.loads(pickle.dumps(by_tokens))
    for text in texts + [" ".join(words), "-".join(words), "".join(words)]:
        want = scan_words(walked, words, text)
        assert scan_words(by_tokens, words, text) == want
        assert scan_words(again, words, text) == want


@needs_fastcore
@pytest.mark.parametrize("kids", [1, 8, 9, 40])
def test_token_scan_of_a_node_with_many_children(kids):
    """A word whose next token can be any of many (searched by halves)."""
    fc = matcher._fastcore
    words = [f" a t{k} " for k in range(kids)] + [f" a t{k} z " for k in range(0, kids, 3)] + [" t0 ", " z "]
    text = " ".join(f"a t{k} z" for k in reversed(range(kids + 2))) + " a t1"
    want = scan_words(fc.Automaton(words, tokens=False), words, text)
    assert scan_words(fc.Automaton(words), words, text) == want
    assert len(want) >= 2 * kids


@needs_fastcore
def test_c_automaton_from_joined_words_and_bad_words():
    fc = matcher._fastcore
    words = [" a b ", " b "]
    assert fc.Automaton("\n".join(words)).iter(" a b ") == fc.Automaton(words).iter(" a b ") == [(4, 0), (4, 1)]
    assert len(fc.Automaton("")) == 0 and fc.Automaton("").iter("abc") == []
    assert fc.Automaton([]).iter("abc") == []
    for bad in (["a", ""], ["a\nb"], "a\n\nb", "a\n"):
        with pytest.raises(ValueError):
            fc.Automaton(bad)
    with pytest.raises(TypeError):
        fc.Automaton([b"a"])
    with pytest.raises(ValueError):
        fc.Automaton(["a"], dense_min=0)


@needs_fastcore
def test_c_automaton_without_pyahocorasick(monkeypatch):
    """The C automaton needs no pyahocorasick."""
    fast, _ = pair()
    monkeypatch.setattr(matcher, "_ahocorasick", None)
    tables = Tables(fast.tables.data)
    assert tables.engine == "aho-corasick" and tables.automaton_kind == "c"
    for rec in list(read_source(str(EXAMPLE)))[:50]:
        assert tables.scan(rec.abstract, "abstract") == fast.tables.scan(rec.abstract, "abstract")
    with pytest.raises(RuntimeError):
        Tables(fast.tables.data, engine="pyahocorasick")


@needs_fastcore
def test_the_rules_cache_holds_the_words_of_the_c_automaton(tmp_path):
    """A warm start rebuilds the C automaton from its words (no
    pyahocorasick automaton in the cache) and tags the same."""
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    env.pop("PAPERTRIAGE_NO_CACHE", None)
    env.pop("PAPERTRIAGE_PURE_PYTHON", None)
    code = (
        "import sys, marshal, glob, os\n"
        "from papertriage.engine import get_tagger\n"
        "from papertriage.parsers import read_source\n"
        "t = get_tagger([], use_config=False, claims=False)\n"
        "(path,) = glob.glob(os.path.join(sys.argv[2], 'papertriage', 'rules-*.bin'))\n"
        "blob = marshal.loads(open(path, 'rb').read())['automaton']\n"
        "papers = [t.tag(r) for r in read_source(sys.argv[1])]\n"
        "import hashlib\n"
        "print(type(t.tables._automaton).__module__, len(blob) < 400_000, hashlib.sha256(repr(papers).encode()).hexdigest())\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code, str(EXAMPLE), str(tmp_path)], env=env, capture_output=True, text=True, check=True).stdout.split()
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert runs[0][:2] == ["papertriage._fastcore", "True"]


@needs_fastcore
def test_c_automaton_scan_errors():
    fast, _ = pair()
    tables = fast.tables
    with pytest.raises(TypeError):
        matcher._fastcore.scan_automaton(tables._automaton, tables._values, ([], [], []), "speech", matcher.normalise, matcher.normalise_cased)
    with pytest.raises(TypeError):
        matcher._fastcore.scan_automaton(tables._automaton, tables._values, [[]], "speech", matcher.normalise, matcher.normalise_cased)
    with pytest.raises(ValueError):
        matcher._fastcore.scan_automaton(tables._automaton, [(1, 2)], [[], [], []], "speech", matcher.normalise, matcher.normalise_cased)
    # the right table is read again
    assert assert_same_occurrences("speech recognition, speech-recognition") > 0


# -- the claims module's helpers ------------------------------------------

NUMBERY = st.text(alphabet=st.sampled_from(list("0123456789,.. -a%xİ١²½\n")), max_size=60)
WORDY = st.text(alphabet=st.sampled_from(list("abz AZ09_-'~<>=+≈≤≥±()é١²ß.,\u0130\u00b5")), max_size=60)


@needs_fastcore
@given(text=st.one_of(NUMBERY, st.text(max_size=80)))
def test_number_spans_are_the_number_regex(text):
    from papertriage import claims

    assert matcher._fastcore.number_spans(text) == claims._number_spans_re(text)
    assert claims._number_spans_re(text) == [m.span() for m in claims._NUMBER.finditer(text)]


@needs_fastcore
@given(text=st.one_of(WORDY, st.text(max_size=80)), a=st.integers(-3, 70), b=st.integers(-3, 70))
def test_word_tokens_are_the_word_regex(text, a, b):
    from papertriage import claims

    assert matcher._fastcore.word_tokens(text, a, b) == claims._WORD.findall(text, a, b)


@needs_fastcore
def test_claims_helpers_on_the_bundled_dump():
    from papertriage import claims

    n = 0
    for rec in read_source(str(EXAMPLE)):
        low = rec.abstract.lower()
        assert matcher._fastcore.number_spans(rec.abstract) == claims._number_spans_re(rec.abstract)
        assert matcher._fastcore.word_tokens(low, 0, len(low)) == claims._WORD.findall(low)
        assert matcher._fastcore.word_tokens(low, 100, 300) == claims._WORD.findall(low, 100, 300)
        n += len(claims._number_spans_re(rec.abstract))
    assert n > 500
    with pytest.raises(TypeError):
        matcher._fastcore.number_spans(b"12")
    with pytest.raises(TypeError):
        matcher._fastcore.word_tokens("ab", 0)


@needs_fastcore
@given(texts=st.lists(st.one_of(WORDY, st.text(alphabet=st.characters(max_codepoint=127), max_size=80), st.text(max_size=40)), max_size=6))
def test_vocabulary_words_in_c_are_the_python_ones(texts):
    from papertriage import library_search

    assert library_search.vocabulary_words(texts) == library_search._vocabulary_words(texts)
    found: set[str] = set()
    rest = matcher._fastcore.ascii_words(list(texts), found)
    assert rest == [t for t in texts if not t.isascii()]


@needs_fastcore
def test_vocabulary_words_of_the_bundled_dump():
    from papertriage import library_search

    texts = [t for rec in read_source(str(EXAMPLE)) for t in (rec.title, rec.abstract)]
    words = library_search.vocabulary_words(texts)
    assert words == library_search._vocabulary_words(texts) and len(words) > 3000
    with pytest.raises(TypeError):
        matcher._fastcore.ascii_words(["a"], [])
    with pytest.raises(TypeError):
        matcher._fastcore.ascii_words([b"a"], set())


# -- the word lists and clause stops of the claims ----------------------------

MATCHER_WORDS = st.lists(st.text(alphabet=st.sampled_from(list("abes -é")), min_size=1, max_size=6).filter(lambda w: w.strip(" -")),
                         min_size=1, max_size=8)
MATCHER_TEXT = st.text(alphabet=st.sampled_from(list("abes -@_\t\u00a0Aé1")), max_size=40)
SUFFIXES = {"metric": r"(?:e?s)?(?![\w@]|-[A-Za-z])", "plural": r"s?(?![\w\-])", "word": r"(?![\w\-])"}


@needs_fastcore
@given(words=MATCHER_WORDS, texts=st.lists(MATCHER_TEXT, min_size=1, max_size=5), suffix=st.sampled_from(sorted(SUFFIXES)),
       not_before=st.sampled_from(["-@", "-", None]), a=st.integers(-2, 45), b=st.integers(-2, 45))
def test_word_matcher_finds_what_the_regex_of_its_words_finds(words, texts, suffix, not_before, a, b):
    """The trie regex (separators, longer words first, backtracking into the suffix) and
    the ordered alternation, against the C matcher of the same words."""
    import re

    from papertriage import claims

    tries, entry = dict(claims._TRIES), dict(claims._METRICS_ENTRY)
    try:
        words = sorted(set(words))
        if not_before is None:
            trie = "(?:" + claims._trie_regex(words) + ")"
        else:
            trie = claims._word_start_regex(words, "[\\w" + re.escape(not_before) + "]")
        guard = "" if not_before is None else "(?<![\\w" + re.escape(not_before) + "].)"
        ordered = sorted(words, key=lambda w: (-len(w), w))
        alternation = "(?:" + "|".join(re.escape(w[0]) + guard + re.escape(w[1:]) for w in ordered) + ")"
    finally:
        claims._TRIES.clear()
        claims._TRIES.update(tries)
        claims._METRICS_ENTRY.clear()
        claims._METRICS_ENTRY.update(entry)
    by_trie = matcher._fastcore.WordMatcher(words, False, not_before, suffix)
    by_order = matcher._fastcore.WordMatcher(ordered, True, not_before, suffix)
    for source, m in ((trie, by_trie), (alternation, by_order)):
        rx = re.compile(source + SUFFIXES[suffix])
        for text in texts:
            assert m.finditer(text, a, b) == [x.span() for x in rx.finditer(text, a, b)], (source, text)
            first = rx.search(text, a, b)
            assert m.search(text, a, b) == (first.span() if first else None)


@needs_fastcore
def test_the_claims_word_lists_on_the_bundled_dump():
    import pickle
    import re

    from papertriage import claims

    vocab = claims._vocab()
    pairs = [(vocab.metric_re, vocab.metric_spans, True), (vocab.exact_re, vocab.exact_spans, False),
             (vocab.generic_re, vocab.generic_spans, True)]
    found = 0
    for rec in read_source(str(EXAMPLE)):
        for rx, spans, lower in pairs:
            text = rec.abstract.lower() if lower else rec.abstract
            for a, b in ((0, len(text)), (50, 170), (len(text) - 90, len(text) - 3)):
                want = [m.span() for m in rx.finditer(text, a, b)]
                assert spans(text, a, b) == want
                found += len(want)
    assert found > 500
    m = matcher._fastcore.WordMatcher(["top 1 accuracy", "f1"], False, "-@", "metric")
    text = "Top-1: top1-accuracy, top 1 accuracys and f1s@5, f1-score, f1 (x)"
    assert m.finditer(text, 0, 99) == [(7, 20), (22, 37), (59, 61)]
    assert m.finditer(text, 0, 36) == [(7, 20), (22, 36)]  # the text ends before the plural
    assert m.finditer(text, 8, 35) == []  # inside a word; ends inside a word
    assert pickle.loads(pickle.dumps(m)).finditer("a top 1 accuracy", 0, 99) == [(2, 16)]
    with pytest.raises(ValueError, match="unknown suffix"):
        matcher._fastcore.WordMatcher(["a"], suffix="plurals")
    with pytest.raises(TypeError):
        matcher._fastcore.WordMatcher(["a", 1])
    with pytest.raises(ValueError, match="empty string"):
        matcher._fastcore.WordMatcher(["a", "- "])
    with pytest.raises(ValueError, match="empty string"):
        matcher._fastcore.WordMatcher([""], True)
    with pytest.raises(TypeError):
        m.finditer(b"top 1 accuracy", 0, 9)
    assert re  # the regexes above are the re module's


STOPS = st.lists(st.sampled_from([" and ", " or ", " but ", " nor ", "and", " -- ", " - ", "--", "-", " \u2014", ", respectively",
                                  ",  e.g", ",i.e", ", e.", ",", ";", ":", "(", ")", " ", "\t", "\u00a0", "x", "nor\t", "\u2003"]),
                 max_size=12).map("".join)


@needs_fastcore
@given(text=st.one_of(STOPS, st.text(max_size=30)), a=st.integers(-2, 40), b=st.integers(-2, 40))
def test_clause_stops_in_c_are_the_stop_regexes(text, a, b):
    from collections import deque

    from papertriage import claims

    first = claims._RIGHT_STOP.search(text, a, b)
    assert matcher._fastcore.right_stop(text, a, b) == (first.start() if first else -1)
    last = deque(claims._LEFT_STOP.finditer(text, a, b), maxlen=1)
    assert matcher._fastcore.last_left_stop(text, a, b) == (last[0].end() if last else -1)
