"""Numeric claims in abstracts: "accuracy of 77.33% on ImageNet" -> a :class:`Claim`.

One regex pass finds every number in the abstract; each number is then judged
from a small window of text around it:

* the characters glued to it say what it is: ``77.33%``, ``17.5x``, ``600fps``
  may be results; ``2.7B``, ``GPT-4``, ``2020``, ``[12]`` are not;
* numbers joined by "and", "to", "/" or "-" form a group that shares its
  metric ("86%, 77% and 72% Dice scores", "a 6% to 20% drop in perplexity");
* the metric is the one named next to the group ("77.33% top-1 accuracy",
  "accuracy of 77.33%"), else a list of metrics matched in order ("EM and F1
  ... 87.1 and 90.3, respectively"), else the metric of the previous claims;
  a percentage or ratio that names none is a ``score`` when the sentence reports
  a result, and a bare number that names none is no claim;
* the kind is ``relative`` for improvements, drops and ratios ("by 4 points",
  "+2.1", "a 17% reduction", "5.3x faster"), else ``absolute``;
* the dataset is the benchmark named with it ("on ImageNet", "(CIFAR-10)").

Numbers that are not results are reported with the reason by
:func:`analyse_numbers` (for ``explain``). Spans always index the original
text; case-insensitive matching runs on a lower-cased copy of the same length.
The vocabulary (metric aliases, cue words) lives in ``data/metrics.yaml``.
"""

from __future__ import annotations

import os
import re
from collections import deque
from dataclasses import dataclass
from functools import lru_cache

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any, Callable, Final


from .models import Claim, SkippedNumber, constructor
from . import regexes
from .runtime import fastcore

_FAST: Final[Any] = fastcore()
"""The C core, for two of the regular expressions below (``_NUMBER`` and
``_WORD``, each with its twin there); ``None`` without it."""

_new_claim: Final[Any] = constructor(Claim)
"""``Claim(metric, value, unit, kind, dataset, text, start, end)``, built fast."""

__all__ = ["extract_claims", "analyse_numbers", "canonical_metric", "known_metrics"]


# --------------------------------------------------------------------------
# Vocabulary, compiled once on first use
# --------------------------------------------------------------------------

_SEPARATORS: Final = regexes.compile(r"[\s_\-]+")


_KEYS: Final[dict[str, str]] = {}
""":func:`_norm_key` of the names met so far (a text names few different ones)."""


def _norm_key(name: str) -> str:
    """Lookup key of a metric name: lower case without spaces, hyphens, underscores."""
    key = _KEYS.get(name)
    if key is None:
        key = _SEPARATORS.sub("", name.lower())
        if len(_KEYS) < 100_000:
            _KEYS[name] = key
    return key


_TRIES: Final[dict[str, str]] = {}
"""Sources :func:`_trie_regex` built, by its arguments."""
_METRICS_ENTRY: Final[dict[str, Any]] = {}
"""The cache key and data of metrics.yaml, whether they or ``_TRIES`` are not
stored yet (``dirty``), and how many sources this process built (``built``)."""


def _trie_regex(words: list[str], after_first: str = "") -> str:
    """A regex matching any of ``words`` (lower case), preferring the longest.

    Common prefixes are factored so that one large alternation stays fast; a
    space or hyphen inside a word matches a space, a hyphen or nothing.
    ``after_first`` is inserted after the first character of every word.
    Built once per installation: the sources are kept with the vocabulary in
    the on-disk cache (see :func:`_load_metrics_yaml`).
    """
    memo = after_first + "\x00" + "\x01".join(words)
    known = _TRIES.get(memo)
    if known is not None:
        return known
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault("\0" if ch in " -" else ch, {})
        node[""] = {}

    def emit(node: dict[str, Any], insert: str = "") -> str:
        alts = [(r"[\s\-]?" if ch == "\0" else re.escape(ch)) + insert + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    source = emit(trie, after_first)
    _TRIES[memo] = source
    _METRICS_ENTRY["dirty"] = True
    _METRICS_ENTRY["built"] = _METRICS_ENTRY.get("built", 0) + 1
    return source


def _word_start_regex(words: list[str], not_before: str) -> str:
    """``(?<!not_before)(?:<trie of words>)``, with the look-behind moved after
    the first character of every word (``x(?<!not_before.)...``) when the
    words start with few different characters: the same matches, but a
    search can then skip every position whose character starts no word
    instead of trying the pattern there. (Where the words start with many
    characters, checking the look-behind first is the faster.)"""
    firsts = {w[:1] for w in words}
    if not words or len(firsts) > 8 or any(not f or f in " -\n" for f in firsts):
        return "(?<!" + not_before + ")(?:" + _trie_regex(words) + ")"
    return "(?:" + _trie_regex(words, "(?<!" + not_before + ".)") + ")"


def _needles(words: Any) -> tuple[str, ...]:
    """Strings one of which every match of :func:`_trie_regex` for ``words`` contains: the
    longest part of each word between spaces and hyphens (but not one that contains another)."""
    pieces = {max(w.replace("-", " ").split(" "), key=len) for w in words}
    return tuple(sorted(p for p in pieces if not any(q != p and q in p for q in pieces)))


def _spans(pattern: re.Pattern[str], words: list[str], ordered: bool, not_before: str | None, suffix: str) -> Any:
    r"""``pattern``'s ``finditer(text, pos, endpos)`` as a list of spans.

    ``pattern`` is ``words`` (as :func:`_word_start_regex` or, ``ordered``, as
    literal alternatives tried in order) not after ``[\w<not_before>]`` (anywhere when it is ``None``), then
    ``suffix`` (see ``WordMatcher`` in the C core, which finds the same spans
    by the same backtracking order without the regex engine trying the whole
    pattern at every position); without the C core, the regex's own.
    """
    if _FAST is not None:
        return _FAST.WordMatcher(words, ordered, not_before, suffix).finditer
    finditer = pattern.finditer
    return lambda text, a, b: [m.span() for m in finditer(text, a, b)]


def _cue_search(words: Any) -> Any:
    """``search(text, pos, endpos)`` for whole cue words or phrases, in lower case
    (run on lower-cased text): a span or match where one is found, else ``None``."""
    cues = sorted({w.lower() for w in words})
    if _FAST is not None:
        return _FAST.WordMatcher(cues, False, "-", "word").search
    return regexes.compile(_word_start_regex(cues, r"[\w\-]") + r"(?![\w\-])").search


@dataclass(frozen=True, slots=True)
class _Vocab:
    """``data/metrics.yaml``, compiled; see the comments there for each list."""

    canonical: tuple[str, ...]
    by_key: dict[str, str]
    """Normalised alias -> canonical metric name."""
    weak_keys: frozenset[str]
    metric_re: re.Pattern[str]
    """Case-insensitive aliases, to run on lower-cased text."""
    exact_re: re.Pattern[str] | None
    """Case-sensitive aliases (WER, EM, mAP), to run on the original text."""
    generic_re: re.Pattern[str]
    metric_spans: Callable[[str, int, int], list[tuple[int, int]]]
    """``metric_re``'s finditer spans (see :func:`_spans`); ``exact_spans`` and
    ``generic_spans`` likewise."""
    exact_spans: Callable[[str, int, int], list[tuple[int, int]]] | None
    generic_spans: Callable[[str, int, int], list[tuple[int, int]]]
    generic_heads: frozenset[str]
    generic_skip: frozenset[str]
    cost_metrics: frozenset[str]
    needs_unit: frozenset[str]
    unit_metrics: dict[str, str]
    db_metrics: frozenset[str]
    relative_after: frozenset[str]
    relative_before: frozenset[str]
    absolute_before: frozenset[str]
    comparatives: frozenset[str]
    speed_words: frozenset[str]
    result_search: Callable[[str, int, int], object]
    """A cue word in text[pos:endpos] (see :func:`_cue_search`), or ``None``;
    ``reference_search`` and ``training_search`` likewise."""
    reference_search: Callable[[str, int, int], object]
    reference_needles: tuple[str, ...]
    """One of these is in every match of ``reference_search`` ("agreement")."""
    setting_verbs: frozenset[str]
    share_result: frozenset[str]
    count_nouns: frozenset[str]
    data_nouns: frozenset[str]
    size_nouns: frozenset[str]
    measure_units: frozenset[str]
    time_units: frozenset[str]
    time_cues: frozenset[str]
    time_metrics: frozenset[str]
    training_search: Callable[[str, int, int], object]
    after_bare: frozenset[str]
    name_before: frozenset[str]
    hedges: frozenset[str]
    fillers: frozenset[str]
    breaks: frozenset[str]
    not_datasets: frozenset[str]
    not_dataset_next: frozenset[str]
    dataset_noun_spans: Callable[[str, int, int], list[tuple[int, int]]]
    dataset_noun_needles: tuple[str, ...]
    """One of these is in every match of ``dataset_noun_spans`` ("data", "benchmark")."""
    dataset_suffix_re: re.Pattern[str]


def _load_metrics_yaml() -> dict:
    """metrics.yaml as data, through the on-disk cache (YAML parsing is slow)."""
    from . import cache

    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "metrics.yaml"), "rb") as fh:
        data = fh.read()
    key = cache.key_for([("metrics.yaml", data)])
    hit = cache.load("metrics", key)
    if hit is not None and isinstance(hit.get("raw"), dict):
        tries = hit.get("tries")
        if isinstance(tries, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in tries.items()):
            _TRIES.update(tries)
        _METRICS_ENTRY.update(key=key, raw=hit["raw"], dirty=False)
        return hit["raw"]  # type: ignore[no-any-return]
    import yaml  # type: ignore[import-untyped]

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load(data.decode("utf-8"), Loader=loader)  # noqa: S506 - safe loader
    _METRICS_ENTRY.update(key=key, raw=raw, dirty=True)  # stored with the pattern sources by _store_tries
    return raw  # type: ignore[no-any-return]


def _store_tries() -> None:
    """Store metrics.yaml's data with the regular-expression sources built for
    it, when either is new (once, after the vocabulary is built)."""
    if _METRICS_ENTRY.get("dirty") and "key" in _METRICS_ENTRY:
        from . import cache

        cache.store("metrics", _METRICS_ENTRY["key"], {"raw": _METRICS_ENTRY["raw"], "tries": dict(_TRIES)})
        _METRICS_ENTRY["dirty"] = False


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    raw = _load_metrics_yaml()

    def words(key: str) -> frozenset[str]:
        bad = [w for w in raw[key] if not isinstance(w, str)]
        if bad:  # YAML reads a bare on/no/yes as a boolean: quote it
            raise ValueError(f"metrics.yaml: {key}: not a string: {bad!r}")
        return frozenset(w.lower() for w in raw[key])

    by_key: dict[str, str] = {}
    insensitive: set[str] = set()
    exact: set[str] = set()
    for name, spec in raw["metrics"].items():
        spec = spec or {}
        by_key.setdefault(_norm_key(name), name)
        for alias in map(str, spec.get("aliases", ())):
            by_key.setdefault(_norm_key(alias), name)
            insensitive.add(alias.lower())
        for alias in map(str, spec.get("exact", ())):
            by_key.setdefault(_norm_key(alias), name)
            exact.add(alias)
    weak = words("weak_metrics")
    for w in weak:
        by_key.setdefault(_norm_key(w), "score")
    boundary = r"(?:e?s)?(?![\w@]|-[A-Za-z])"  # a plural, then no "-based" or "-efficient"
    metric_words = sorted(insensitive | weak)
    metric_re = regexes.compile(_word_start_regex(metric_words, r"[\w\-@]") + boundary)
    exact_re = None
    exact_spans = None
    if exact:
        longest_first = sorted(exact, key=lambda a: (-len(a), a))  # the same source in every run
        # (?<![\w\-@]) checked after the first letter, so that the scan is for the first letters
        guarded = [re.escape(a[0]) + r"(?<![\w\-@].)" + re.escape(a[1:]) for a in longest_first]
        exact_re = regexes.compile(r"(?:" + "|".join(guarded) + ")" + boundary)
        exact_spans = _spans(exact_re, longest_first, True, "-@", "metric")
    generic_words = sorted(words("generic_metric_heads"))
    dataset_nouns = sorted(words("dataset_nouns"))
    dataset_noun_re = regexes.compile(r"(?:" + _trie_regex(dataset_nouns) + r")(?![\w\-])")
    generic_re = regexes.compile(_word_start_regex(generic_words, r"[\w\-]") + r"s?(?![\w\-])")
    vocab = _Vocab(
        canonical=tuple(raw["metrics"]),
        by_key=by_key,
        weak_keys=frozenset(_norm_key(w) for w in weak),
        metric_re=metric_re,
        exact_re=exact_re,
        generic_re=generic_re,
        metric_spans=_spans(metric_re, metric_words, False, "-@", "metric"),
        exact_spans=exact_spans,
        generic_spans=_spans(generic_re, generic_words, False, "-", "plural"),
        generic_heads=words("generic_metric_heads"),
        generic_skip=words("generic_metric_skip"),
        cost_metrics=words("cost_metrics"),
        needs_unit=words("needs_unit"),
        unit_metrics={str(k): str(v) for k, v in raw["unit_metrics"].items()},
        db_metrics=words("db_metrics"),
        relative_after=words("relative_after"),
        relative_before=words("relative_before"),
        absolute_before=words("absolute_before"),
        comparatives=words("comparatives"),
        speed_words=words("speed_words"),
        result_search=_cue_search(words("result_cues")),
        reference_search=_cue_search(words("reference_cues")),
        reference_needles=_needles(words("reference_cues")),
        setting_verbs=words("setting_verbs"),
        share_result=words("share_result_before"),
        count_nouns=words("count_nouns"),
        data_nouns=words("data_nouns"),
        size_nouns=words("size_nouns"),
        measure_units=words("measure_units"),
        time_units=words("time_units"),
        time_cues=words("time_cues"),
        time_metrics=words("time_metrics"),
        training_search=_cue_search(words("training_cues")),
        after_bare=words("after_bare"),
        name_before=words("name_before"),
        hedges=words("hedges"),
        fillers=words("gap_fillers") | words("hedges"),
        breaks=words("phrase_breaks"),
        not_datasets=words("not_datasets"),
        not_dataset_next=words("not_dataset_next"),
        dataset_noun_needles=_needles(words("dataset_nouns")),
        dataset_noun_spans=_spans(dataset_noun_re, dataset_nouns, False, None, "word"),
        dataset_suffix_re=regexes.compile(r"\s+(?:" + _trie_regex(sorted(words("dataset_suffixes"))) + r")$", re.I),
    )
    _store_tries()
    return vocab


def known_metrics() -> list[str]:
    """Every canonical metric name, in vocabulary order."""
    return list(_vocab().canonical)


def canonical_metric(name: str) -> str | None:
    """The canonical name of a metric as a user types it, or ``None``.

    ``"Top-1 Acc"`` -> ``"top-1 accuracy"``; ``"word error rate"`` and ``"WER"``
    -> ``"wer"``. Case, spaces, hyphens, underscores and a plural do not matter.
    """
    by_key = _vocab().by_key
    key = _norm_key(name)
    if not key:
        return None
    found = by_key.get(key)
    if found is None and key.endswith("s"):
        found = by_key.get(key[:-1]) or (by_key.get(key[:-2]) if key.endswith("es") else None)
    if found is None and not key.endswith("s"):
        found = by_key.get(key + "s")  # "parameter": the text only knows the plural
    return found


def _lookup_metric(phrase: str, vocab: _Vocab) -> str | None:
    """The canonical metric a phrase of the text names (not a weak one like "performance")."""
    exact = vocab.exact_re is not None and vocab.exact_re.fullmatch(phrase) is not None
    if not exact and vocab.metric_re.fullmatch(phrase.lower()) is None:
        return None
    key = _norm_key(phrase)
    name = vocab.by_key.get(key) or vocab.by_key.get(key[:-1]) or vocab.by_key.get(key[:-2])
    return None if name is None or key in vocab.weak_keys else name


# --------------------------------------------------------------------------
# Reading one number and what is glued to it
# --------------------------------------------------------------------------

_NUMBER: Final = regexes.compile(r"[0-9](?:[0-9]|[,.](?=[0-9]))*")
# _NUMBER on ASCII text whose digits were all turned into "0": the regex then scans
# for one literal character, which is much faster than scanning for a class.
_NUMBER_ZEROED: Final = regexes.compile(rb"0(?:0|[,.](?=0))*")
_TO_ZERO: Final = bytes.maketrans(b"123456789", b"000000000")
_MATH: Final = regexes.compile(r"\$\$?[^$]{1,200}\$\$?")
_MATH_UNIT: Final = regexes.compile(r"\s*(?:\\?%|\\times)")
_URL_MARK: Final = regexes.compile(r"https?://|www\.|\.(?:com|org|io|net|ai|edu)/")
_URL_HOSTS: Final = (".com", ".org", ".net", ".edu")
_URL_SHORT_HOSTS: Final = (".io", ".ai")
_SPACE: Final = regexes.compile(r"\s")
_LETTERS: Final = regexes.compile(r"[^\W\d_]+")
_NEXT_WORD: Final = regexes.compile(r"[\s\-]{0,2}([A-Za-z][\w\-]*)")
_UNIT: Final = regexes.compile(
    r"(?P<pct>(?i:\s?\\?%(?:\s+(?:absolute\s+|relative\s+)?(?P<pts>points?|pts|pp)(?!\w))?"
    r"|\s(?:percent|per\s?cent|percentage)(?!\w)(?:\s+(?P<pts2>points?))?))"
    r"|(?P<x>(?i:\s?\\?(?:x|times|fold|-fold|-times)(?![A-Za-z])|\s?×))"
    r"|(?P<fps>(?i:\s?(?:fps|frames per second)(?!\w)))"
    r"|(?P<db>\s?dB(?!\w))"
    r"|(?P<points>(?i:\s?(?:-|\s)?(?:absolute\s+|relative\s+)?"
    r"(?:percentage\s+points?|percent\s+points?|points?|pp)(?!\w)))"
    r"|(?P<scale>\s?(?:[KMBT]|k|bn|million|billion|thousand|trillion|[KMGT]B)(?![A-Za-z]))"
)
_UNIT_START: Final = frozenset(" \\%xX×tTfFdpP-KMBGkbm")
_OUT_OF_AFTER: Final = regexes.compile(r"\s+(?:out\s+)?of\s+(?:the\s+)?[0-9]", re.I)
_OUT_OF_BEFORE: Final = regexes.compile(r"[0-9]\s+(?:out\s+)?of\s+$", re.I)
_CITATION: Final = regexes.compile(r"\[[\d\s,;\-–]*$")
_CITATION_END: Final = regexes.compile(r"[\d\s,;\-–]*\]")
_CITED: Final = regexes.compile(r"\[\d+(?:\s*[,;\-–]\s*\d+)*\]")
_FACTOR_OF: Final = regexes.compile(r"\bfactor\s+of\s+$", re.I)
_PERCENT_AFTER: Final = regexes.compile(r"\s?\\?%")
_FRACTION: Final = regexes.compile(r"[0-9]+/[0-9]+")
_BITS_PER_CHAR: Final = regexes.compile(r"\s*bits?\s*(?:/|per\s)\s*char", re.I)
_HEDGE_GLUE: Final = ("approx", "sim", "about", "around", "nearly", "over")
_HEDGE_ENDS: Final = frozenset(h[-1] for h in _HEDGE_GLUE)
# After a space, a unit of _UNIT starts with one of these characters or with another space.
_UNIT_AFTER_SPACE: Final = frozenset("\\%pPxXtTfF-×daArRKMBGkbm")
# What _OUT_OF_AFTER's "out" or "of" starts with after the spaces ("" for a long run of spaces).
_OUT_OF_START: Final = ("", "o", "O")


@dataclass(slots=True)
class _Num:
    start: int
    end: int
    value: float
    uend: int
    """End of the number and its unit."""
    unit: str | None = None
    sign: str = ""
    measure: str | None = None
    """``"time"`` or ``"measure"`` for physical quantities (``4 ms``, ``11 km``)."""
    decimal: bool = False
    times_word: bool = False
    """The ratio is spelled "times" ("10 times" may also count repetitions)."""
    rating: bool = False
    """A mark out of a scale ("3.74 out of 5")."""


def _prev_word(text: str, pos: int, gap: str = " ~\t\n\u00a0") -> tuple[str, int]:
    """The word ending just before ``pos`` (skipping the characters in ``gap``) and its start."""
    i = pos
    while i > 0 and text[i - 1] in gap:
        i -= 1
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in "-_'"):
        j -= 1
    while j < i and not text[j].isalpha():
        j += 1
    return text[j:i], j


def _number_spans(text: str) -> list[tuple[int, int]]:
    """Start and end of every number (every match of ``_NUMBER``), in text order."""
    if _FAST is not None:
        return _FAST.number_spans(text)  # type: ignore[no-any-return]
    return _number_spans_re(text)


def _number_spans_re(text: str) -> list[tuple[int, int]]:
    """:func:`_number_spans` by the regular expression (the C core's twin)."""
    if text.isascii():
        zeroed = text.encode("ascii").translate(_TO_ZERO)
        return [m.span() for m in _NUMBER_ZEROED.finditer(zeroed)]
    return [m.span() for m in _NUMBER.finditer(text)]


def _url_marks(text: str) -> list[tuple[int, int]]:
    """Start and end of every place ``_URL_MARK`` matches ("https://", "www.", ".com/"),
    found from the "/" and "www." of the text rather than by a scan of every character."""
    marks: list[tuple[int, int]] = []
    i = text.find("/")
    while i >= 0:
        if text.startswith("//", i) and text.endswith(":", 0, i):
            if text.endswith("https", 0, i - 1):
                marks.append((i - 6, i + 2))
            elif text.endswith("http", 0, i - 1):
                marks.append((i - 5, i + 2))
        elif text.endswith(_URL_HOSTS, 0, i):
            marks.append((i - 4, i + 1))
        elif text.endswith(_URL_SHORT_HOSTS, 0, i):
            marks.append((i - 3, i + 1))
        i = text.find("/", i + 1)
    i = text.find("www.")
    while i >= 0:
        marks.append((i, i + 4))
        i = text.find("www.", i + 4)
    marks.sort()
    return marks


def _url_spans(text: str) -> list[tuple[int, int, str]]:
    """Spans of URLs ("https://...", "www...", "github.com/..."): from the first mark of
    a run of non-space characters to its end."""
    spans: list[tuple[int, int, str]] = []
    for mark_start, mark_end in _url_marks(text):
        if spans and mark_start < spans[-1][1]:
            continue
        start = mark_start
        while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "([":
            start -= 1
        end = _SPACE.search(text, mark_end)
        spans.append((start, end.start() if end else len(text), "url"))
    return spans


_EXPONENT_BEFORE: Final = regexes.compile(r"\^[({]?-?$")
_MANTISSA: Final = regexes.compile(r"\s*[x\u00d7*]\s*10\s*\^")


def _read(text: str, s: int, e: int, spans: list[tuple[int, int, str]], vocab: _Vocab, caret: bool) -> _Num | str:
    """Read the number text[s:e] and what is glued to it: a :class:`_Num`, or the reason
    why it cannot be a claim. ``caret``: whether the text has a "^" (for exponents).

    The regular expressions that look around the number only run when the characters
    next to it allow a match (a space before "factor of", "^" for an exponent).
    """
    raw = text[s:e]
    decimal = "." in raw
    try:
        value = float(raw.replace(",", "") if "," in raw else raw)
    except ValueError:
        return "version"  # 1.2.3
    in_math = False
    for a, b, reason in spans:
        if a <= s < b:
            if reason == "math" and _MATH_UNIT.match(text, e):
                in_math = True  # "$66.7\%$", "$27\times$"
                continue
            return reason  # a URL, or TeX math
    before = text[s - 1] if s else " "
    after = text[e] if e < len(text) else " "
    if after == "^" or (caret and (_EXPONENT_BEFORE.search(text, max(0, s - 4), s) or _MANTISSA.match(text, e))):
        return "math"  # scientific notation: 4.38 x 10^(-22), 10^{5}

    # Glued on the left: names (GPT-4, SQuAD2.0, wav2vec), TeX, references.
    sign = ""
    if before.isalpha():
        # "approx72%" is 72% (the word can only end so if the letter before the number does)
        if before.lower()[-1:] not in _HEDGE_ENDS or not _prev_word(text, s)[0].lower().endswith(_HEDGE_GLUE):
            return "name" if after.isalpha() else "version"
    elif before in "-‐":
        b2 = text[s - 2] if s >= 2 else " "
        if (b2.isalpha() or b2 in ")]_'") and not (b2.islower() and _PERCENT_AFTER.match(text, e)):
            return "name"  # "GPT-4", "CIFAR-10", but "datasets-97.55% accuracy" lost a dash
        if b2 in " (":
            sign = "-"
    elif before in "@#^_{\\'’/" and not (before == "/" and s >= 2 and (text[s - 2].isdigit() or text[s - 2] in "%x")):
        return "name" if before != "/" else "version"
    elif before == "." and s >= 2 and text[s - 2].isalnum():
        return "version"
    elif "[" in text[max(0, s - 24) : s] and _CITATION.search(text, max(0, s - 24), s) and _CITATION_END.match(text, e):
        return "citation"
    elif before == "$" and not in_math:
        return "count"  # money
    elif before == "+":
        sign = "+"
    elif raw == "1" and (text[s - 3 : s] in (" F ", "(F ", "\nF ") or (s == 2 and text[:2] == "F ")):
        return "name"  # "F 1" is how PDF extraction writes F1
    # A variable set to a value ("k=1", "p < 0.01") is a setting; "± 0.004" an error bar.
    i = s
    while i > 0 and text[i - 1] in " ~":
        i -= 1
    glue = text[i - 1] if i > 0 else ""
    if glue == "±" or (glue == "-" and text.endswith("+/-", 0, i)):
        return "uncertainty"
    if glue and glue in "=<>≤≥":
        var = _prev_word(text, i - 1)[0]
        if var.lower() in ("sigma", "std", "sd", "σ"):
            return "uncertainty"  # "\sigma = 9.52%"
        if len(var) == 1 or "_" in var:
            return "setting"
    if not decimal and (after == "/" or before == "/") and _is_fraction(text, s, e):
        return "math"  # "4/3", "1/5 of the original size"

    # Glued on the right: the unit.
    if after == "D" and not text[e + 1 : e + 2].isalpha():
        return "name"  # 2D, 3D
    n = _Num(s, e, value, e, sign=sign, decimal=decimal)
    unit = None
    if after in _UNIT_START:
        second = text[e + 1 : e + 2]
        if after != " " or second in _UNIT_AFTER_SPACE or second.isspace():
            unit = _UNIT.match(text, e)
    if unit is not None:
        kind = unit.lastgroup if unit.lastgroup not in ("pts", "pts2") else "pct"
        if kind == "pct":
            hyphened = _LETTERS.match(text, unit.end() + 1) if text[unit.end() : unit.end() + 1] == "-" else None
            if hyphened is not None and hyphened.group().lower() not in vocab.after_bare:
                return "setting"  # "95%-likely throughput", "50%-sparse" (but "2.2%-and")
            n.unit = "points" if unit.group("pts") or unit.group("pts2") else "%"
        elif kind == "x":
            if text[unit.end() : unit.end() + 2].strip()[:1].isdigit():
                return "setting"  # 16x16 patches, 8times289M
            n.unit, n.times_word = "x", "times" in unit.group().lower()
        elif kind == "scale":
            return _size_reason(text, unit.end(), vocab)
        else:
            n.unit = {"fps": "fps", "db": "dB", "points": "points"}[str(kind)]
        n.uend = unit.end()
        return n
    if after.isalpha() and not (after in "bB" and _BITS_PER_CHAR.match(text, e)):
        glued = _LETTERS.match(text, e).group()  # type: ignore[union-attr]  # a letter is there
        low = glued.lower()
        if low == "s" and not decimal and value >= 10 and value % 10 == 0:
            return "year" if 1000 < value < 2100 else "count"  # "the 1950s", "late 30s", "1000s"
        if low in vocab.measure_units:
            n.measure, n.uend = ("time" if low in vocab.time_units else "measure"), e + len(glued)
            return n
        elif low in ("st", "nd", "rd", "th"):
            return "count"
        elif canonical_metric(glued) is None:
            return "name"  # 3D, 6DoF, 1080p
    elif after == "-" and (hm := _LETTERS.match(text, e + 1)) is not None:
        word = hm.group().lower()
        if word not in vocab.relative_after:  # "13-layer", "5-shot" (but "10-fold" is a unit)
            return "count" if word in vocab.count_nouns or word in vocab.data_nouns else "setting"
    elif after == ")" and not decimal and value < 30 and _is_list_marker(text, s):
        return "list-marker"

    # "of" before the number: only then can "a factor of 20" or "7 out of 26" match.
    of_before = before.isspace() and "of" in text[max(0, s - 16) : s].lower()
    if of_before and _FACTOR_OF.search(text, max(0, s - 16), s):
        n.unit = "x"  # "by a factor of 20"
        return n
    nxt = _NEXT_WORD.match(text, e)
    if (
        nxt is not None
        and text[e : nxt.start(1)].strip() == ""
        and nxt.group(1).lower() in vocab.measure_units
        and not _BITS_PER_CHAR.match(text, e)
    ):
        word = nxt.group(1).lower()
        n.measure, n.uend = ("time" if word in vocab.time_units else "measure"), nxt.end(1)
    elif not decimal and len(raw) == 4 and 1900 <= value <= 2099:
        return "year"
    elif after.isspace() and text[e : e + 12].lstrip()[:1] in _OUT_OF_START and _OUT_OF_AFTER.match(text, e) is not None:
        if not decimal:
            return "count"  # "7 out of 26 games", "in 18 of 22 experiments"
        n.rating = True  # "3.74 out of 5"
    elif not decimal and of_before and _OUT_OF_BEFORE.search(text, max(0, s - 16), s) is not None:
        return "count"  # the 26 of "7 out of 26", the 5 of "3.74 out of 5"
    return n


def _is_fraction(text: str, s: int, e: int) -> bool:
    """Whether the integer at text[s:e] is half of a fraction such as "4/3"."""
    while s > 0 and (text[s - 1].isdigit() or text[s - 1] == "/"):
        s -= 1
    while e < len(text) and (text[e].isdigit() or text[e] == "/"):
        e += 1
    if text[e : e + 1] == "%" or (text[e : e + 1] == "." and text[e + 1 : e + 2].isdigit()):
        return False
    return _FRACTION.fullmatch(text, s, e) is not None


def _is_list_marker(text: str, s: int) -> bool:
    """ "(2)" or "2)" opening an item of an enumeration."""
    if s == 0 or text[s - 1] == "(":
        return True
    i = s
    while i > 0 and text[i - 1].isspace():
        i -= 1
    return i < s and (i == 0 or text[i - 1] in ".:;," or text.endswith((" and", " or"), 0, i))


def _size_reason(text: str, pos: int, vocab: _Vocab) -> str:
    nxt = _NEXT_WORD.match(text, pos)
    word = nxt.group(1).lower() if nxt else ""
    return "dataset-size" if word in vocab.data_nouns or word == "of" else "size"


# --------------------------------------------------------------------------
# Sentences, groups and metric mentions
# --------------------------------------------------------------------------

_ABBREV: Final = ("e.g", "i.e", "et al", "vs", "cf", "Fig", "fig", "Eq", "eq", "No", "approx", "resp", "etc")
_GROUP_GAP: Final = regexes.compile(  # ("{\deg}": a degree sign as arXiv writes it, "2.49{\deg}, 3.22{\deg}")
    r"(?:\{\\deg\}|°)?\$?\s*(?:,\s*(?:and|or)?|and|or|to|-{1,2}|–|—|/|vs\.?|versus|down\s+to)?\s*\$?"
    r"(?:~|\\sim|sim|approx\.?|\\approx|about|around|nearly|almost|over|up\s+to|<|>|\+|≈)?\s*",
    re.I,
)
# The following run on the lower-cased text.
_WORD: Final = regexes.compile(r"[a-z][\w\-']*|[~<>=+≈≤≥±(]")
# The stops below start with one character class, so that the scan for them is fast:
# [,;:()] | \s(?:and|or|but|nor)\s | \s-{1,2}\s | \s—
_RIGHT_STOP: Final = regexes.compile(r"[,;:()\s](?:(?<=[,;:()])|(?:and|or|but|nor)\s|-{1,2}\s|—)")
# [;:] | ,(?!\s*(?:respectively|e\.g|i\.e)) | \s(?:and|or|but)\s | \s-{1,2}\s | \s—
_LEFT_STOP: Final = regexes.compile(
    r"[;:,\s](?:(?<=[;:])|(?<=,)(?!\s*(?:respectively|e\.g|i\.e))|(?<=\s)(?:(?:and|or|but)\s|-{1,2}\s|—))"
)


def _right_stop(low: str, a: int, b: int) -> int:
    """Where ``_RIGHT_STOP`` is first found in low[a:b], or -1."""
    if _FAST is not None:
        return _FAST.right_stop(low, a, b)  # type: ignore[no-any-return]
    stop = _RIGHT_STOP.search(low, a, b)
    return stop.start() if stop else -1


def _last_left_stop(low: str, a: int, b: int) -> int:
    """The end of the last ``_LEFT_STOP`` found in low[a:b] (left to right), or -1."""
    if _FAST is not None:
        return _FAST.last_left_stop(low, a, b)  # type: ignore[no-any-return]
    last = deque(_LEFT_STOP.finditer(low, a, b), maxlen=1)
    return last[0].end() if last else -1


# A short name in parentheses after a number ("49% (CLIP) to 54% (BLIP-2) accuracy").
_LABEL: Final = regexes.compile(r"\s?\([A-Za-z][^()\n]{0,30}\)")
# Words after a percentage that make it the level of an interval ("95% CI").
_INTERVAL_WORDS: Final = frozenset(("ci", "cis", "confidence", "credible", "prediction-interval"))
# Words between a bare number and its metric ("67.4 average MRR").
_METRIC_MODIFIERS: Final = frozenset(("average", "mean", "median", "overall", "final", "test", "top"))
# The gap between two parallel claims: "by 5.0 points on Bird and | 6.9 points on MMQA".
_AND_ANOTHER: Final = regexes.compile(
    r"\s*(?:on|in|for|at|over|across)\s+(?:the\s+)?[A-Z0-9][\w.+\-]*(?:\s+[A-Z0-9][\w.+\-]*){0,2}"
    r"\s*(?:,\s*and|,|and)\s+(?:by\s+)?(?:(?:up\s+to|about|around|nearly|over|only)\s+)?"
)
# An acronym, and where a text defines one ("attack success rate (ASR)").
_ACRONYM: Final = regexes.compile(r"[A-Z][A-Za-z]{1,6}(?![\w\-])")
_ACRONYM_DEFINED: Final = regexes.compile(r"\s?\(([A-Z][A-Za-z]{1,6})\)")
# Words after a percentage that do not name what it measures ("27.6% baseline").
_NOT_OWN_NOUNS: Final = frozenset(("baseline", "baselines", "of", "the", "overall", "average", "respectively"))
_IN_TERMS_OF: Final = regexes.compile(r"\bin terms of (?:the |their |its )?")
_LIST_JOIN: Final = regexes.compile(r"\s*(?:,\s*(?:and\s+)?|and|/|&|or)\s*")
_OF: Final = regexes.compile(r"\s+of\s")
_TOP_K: Final = regexes.compile(r"top[\s\-]?\d+\s*")
# "a 37% reduction in false positives", "reduces the transportation distance by 2.1%": the
# change is of the thing named, which becomes the claim's metric when no known one is named.
_CHANGE_NOUNS: Final = frozenset((
    "improvement", "improvements", "gain", "gains", "increase", "increases", "reduction", "reductions",
    "decrease", "decreases", "drop", "drops", "boost", "boosts", "decline", "rise", "savings", "degradation",
))
_CHANGE_VERBS: Final = frozenset((
    "reduce", "reduces", "reduced", "reducing", "increase", "increases", "increased", "increasing", "decrease",
    "decreases", "decreased", "decreasing", "lower", "lowers", "lowered", "lowering", "cut", "cuts", "cutting",
    "raise", "raises", "raised", "raising", "shrink", "shrinks", "shrinking",
))  # not "improve": what is improved is mostly a task or a model ("improves tracking by 18.9%")
# Words that open the phrase but are not part of the name ("the number of multi-shard queries").
_PHRASE_LEAD: Final = frozenset((
    "the", "a", "an", "our", "its", "their", "overall", "average", "total", "mean", "number", "amount", "of",
))
# Words that end the phrase.
_PHRASE_STOP: Final = frozenset((
    "by", "from", "to", "over", "compared", "than", "while", "with", "at", "on", "for", "of", "and", "or", "in",
    "across", "relative", "versus", "vs", "when", "without", "via", "through", "against", "up", "as", "(",
    "respectively", "whereas", "which", "that", "under", "per", "after", "before", "within", "among",
))
# Words that make the phrase a subject rather than a measure ("improves the baseline by 2%").
_NOT_MEASURES: Final = frozenset((
    "baseline", "baselines", "model", "models", "method", "methods", "approach", "approaches", "state-of-the-art",
    "sota", "it", "this", "them", "these", "those", "upon", "system", "systems", "existing", "prior", "previous",
    "work", "framework", "frameworks", "competitors", "alternatives", "counterpart", "counterparts", "we", "they",
    "one", "both", "all", "each", "average", "accuracy", "art", "best", "original", "vanilla", "standard",
    "need", "needs", "reliance", "dependence", "dependency",
))


def _is_boundary(text: str, i: int) -> bool:
    """Whether the ". " at ``i`` ends a sentence (not "e.g. ", "et al. ", "U.S. ")."""
    if text.endswith(_ABBREV, max(0, i - 6), i):
        return False
    return not (i >= 2 and text[i - 1].isupper() and text[i - 2] == ".")


def _ends_sentence(text: str, i: int) -> bool:
    """Whether the ".", "!" or "?" at ``i`` ends a sentence: a space or a line break
    follows, and it does not end an abbreviation."""
    return i + 1 < len(text) and text[i + 1] in " \n" and _is_boundary(text, i)


@dataclass(slots=True)
class _Group:
    nums: list[_Num]
    sent: tuple[int, int]
    """Start and end of the sentence."""


@dataclass(slots=True)
class _Hit:
    """A metric named in the text."""

    start: int
    end: int
    name: str
    weak: bool
    """Only says "how well" ("performance", "score"): a ``score`` unless a real metric is found."""
    gap: int = 0
    """Words between the metric and its number (set by the window searches)."""


# --------------------------------------------------------------------------
# One abstract
# --------------------------------------------------------------------------


class _Abstract:
    """The analysis of one abstract: its numbers, in text order, and what earlier
    claims say about later ones."""

    def __init__(self, text: str, want_skipped: bool) -> None:
        self.text = text
        low = text.lower()
        if len(low) != len(text):  # "İ".lower() is two characters: keep offsets aligned
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        self.low = low
        self.vocab = _vocab()
        self.want_skipped = want_skipped
        self.claims: list[Claim] = []
        self.skipped: list[SkippedNumber] = []
        self.last_sent: tuple[int, int] = (-1, -1)
        self.sentence_metrics: tuple[str, ...] = ()
        """Distinct metrics claimed so far in the sentence of the last claim."""
        self.quality: tuple[str, ...] = ()
        """Distinct named quality metrics (not costs) claimed so far."""
        self.marks: str | None = None
        """The sentence-ending characters the text contains (set by :meth:`sentence`)."""
        self.sent: tuple[int, int] = (0, 0)
        """The sentence found last by :meth:`sentence`."""
        self.acronyms: dict[str, str] | None = None
        """Acronyms the text defines for known metrics (see :meth:`acronym_metric`)."""
        self.noun_datasets: dict[tuple[int, int], str | None] = {}
        """Dataset named with a dataset noun, per sentence (see :meth:`group_dataset`)."""
        self.member_last: bool = False
        """Whether the last claim's dataset was named for its number alone, in a list."""
        self.open_kind: str = ""
        """The kind of the last claim not in parentheses ("31% in MRR (0.474), 43% ...")."""
        self.open_sent: tuple[int, int] = (-1, -1)
        """The sentence of that claim."""

    # -- bookkeeping ------------------------------------------------------

    def skip(self, n: _Num, reason: str) -> None:
        if self.want_skipped:
            self.skipped.append(SkippedNumber(self.text[n.start : n.end], n.start, n.end, reason))

    @property
    def last(self) -> Claim | None:
        return self.claims[-1] if self.claims else None

    def record(self, claim: Claim, sent: tuple[int, int]) -> None:
        if sent != self.last_sent:
            self.sentence_metrics = ()
        if claim.metric not in self.sentence_metrics:
            self.sentence_metrics += (claim.metric,)
        self.claims.append(claim)
        self.last_sent = sent
        if claim.metric != "score" and claim.metric not in self.vocab.cost_metrics and claim.metric not in self.quality:
            self.quality += (claim.metric,)

    def sentence_metric(self, sent: tuple[int, int]) -> str | None:
        """The metric of the earlier claims in this sentence, if they agree."""
        return self.sentence_metrics[0] if self.last_sent == sent and len(self.sentence_metrics) == 1 else None

    def document_metric(self) -> str | None:
        """The one quality metric the abstract has claimed so far, if there is one."""
        return self.quality[0] if len(self.quality) == 1 else None

    # -- text helpers -----------------------------------------------------

    def words(self, a: int, b: int) -> list[str]:
        if _FAST is not None:
            return _FAST.word_tokens(self.low, a, b)  # type: ignore[no-any-return]
        return _WORD.findall(self.low, a, b)

    def next_word(self, pos: int) -> str:
        m = _NEXT_WORD.match(self.low, pos)
        return m.group(1) if m else ""

    def content(self, words: list[str]) -> list[str]:
        """The words of a gap that could break a metric's link to its number."""
        comparatives, fillers = self.vocab.comparatives, self.vocab.fillers
        out: list[str] = []
        for w in words:
            if w == "than" and out and out[-1] in comparatives:
                out.pop()  # "larger than"
            elif w not in fillers:
                out.append(w)
        return out

    def unhedged(self, words: list[str]) -> list[str]:
        """Words before a number without the hedges ("by up to", "at least", "more than");
        a bare "to" is kept ("reduces WER to 5%" is a level)."""
        hedges = self.vocab.hedges
        out: list[str] = []
        prev = ""
        for w in words:
            if w not in hedges or (w == "to" and prev not in ("up", "close", "equal", "down")):
                out.append(w)
            prev = w
        if out and out[-1] == "at" and words and words[-1] in ("least", "most"):
            out.pop()
        return out

    def only_change_words(self, a: int, b: int) -> bool:
        """Whether text[a:b] only says how much or how a value changed ("with increases of",
        "reaching up to"): no word of its own that could be a metric or a subject."""
        vocab = self.vocab
        said = False
        for w in self.words(a, b):
            if w in vocab.relative_before or w in vocab.relative_after or w in vocab.absolute_before:
                said = True
            elif w not in vocab.fillers and w != "with":
                return False
        return said

    def after_change_clause(self, g: _Group) -> bool:
        """Whether the clause before the group's (after "," or ":") ends with a change
        ("achieve substantial gains, up to 34.50% in accuracy")."""
        start = g.nums[0].start
        cs = self.clause_start(max(g.sent[0], start - 50), start)
        if cs <= g.sent[0] or self.text[cs - 1] not in ",:" or any(map(str.isdigit, self.text[cs:start])):
            return False  # (the clause's first number only: not "31% in MRR (0.474")
        prior = self.words(max(g.sent[0], cs - 40), cs - 1)
        # after a colon, the change may come a few words earlier ("improvements over X: 31% in MRR")
        vocab = self.vocab
        last = prior[-4:] if self.text[cs - 1] == ":" else prior[-1:]
        return any(w in vocab.relative_before or w in vocab.relative_after for w in last)

    def clause_start(self, a: int, b: int) -> int:
        i = max(self.text.rfind(",", a, b), self.text.rfind(";", a, b), self.text.rfind(":", a, b))
        return a if i < 0 else i + 1

    def clause_end(self, a: int, b: int) -> int:
        b = min(b, a + 60)
        stop = _right_stop(self.low, a, b)
        return b if stop < 0 else stop

    def sentence(self, pos: int) -> tuple[int, int]:
        """Start and end of the sentence around ``pos``: just past the sentence ends before
        and after it (see :func:`_ends_sentence`), else the start and end of the text."""
        start, end = self.sent
        if start <= pos < end:
            return self.sent
        text = self.text
        if self.marks is None:
            self.marks = "".join([c for c in ".?!" if c in text])
        marks = self.marks
        if len(marks) == 1:
            i = text.rfind(marks, 0, pos)
            while i >= 0 and not _ends_sentence(text, i):
                i = text.rfind(marks, 0, i)
            start = i + 1
            i = text.find(marks, pos)
            while i >= 0 and not _ends_sentence(text, i):
                i = text.find(marks, i + 1)
            end = i + 1 if i >= 0 else len(text)
        else:
            i = pos
            while True:
                i = max([text.rfind(c, 0, i) for c in marks], default=-1)
                if i < 0 or _ends_sentence(text, i):
                    break
            start = i + 1
            i = pos - 1
            while True:
                i = min([j for j in [text.find(c, i + 1) for c in marks] if j >= 0], default=-1)
                if i < 0 or _ends_sentence(text, i):
                    break
            end = i + 1 if i >= 0 else len(text)
        self.sent = (start, end)
        return self.sent

    def has_result_cue(self, a: int, b: int) -> bool:
        return self.vocab.result_search(self.low, a, b) is not None

    # -- metric mentions --------------------------------------------------

    def metric_hits(self, a: int, b: int) -> list[_Hit]:
        """Metric mentions in text[a:b], in text order.

        A "<modifier> score/rate/ratio" phrase the vocabulary lacks names its own
        metric ("driving score", "approximation ratio").
        """
        if a >= b:
            return []
        vocab, text, low = self.vocab, self.text, self.low
        found = [(s, e, low) for s, e in vocab.metric_spans(low, a, b)]
        if vocab.exact_spans is not None:
            exact = vocab.exact_spans(text, a, b)
            if exact:
                found = sorted(found + [(s, e, text) for s, e in exact], key=lambda m: (m[0], -m[1]))
        hits: list[_Hit] = []
        for s, e, source in found:
            if hits and s < hits[-1].end:
                continue
            key = _norm_key(source[s:e])
            name = vocab.by_key.get(key) or vocab.by_key.get(key[:-1]) or vocab.by_key.get(key[:-2])
            if name is None:
                continue
            weak = key in vocab.weak_keys or key[:-1] in vocab.weak_keys
            if weak and hits and not hits[-1].weak and not text[hits[-1].end : s].strip().strip("-"):
                hits[-1].end = e  # "BLUE scores"
                continue
            hits.append(_Hit(s, e, name, weak))
        added = False
        for gs, ge in vocab.generic_spans(low, a, b):
            modifier, start = _prev_word(text, gs, " -\t\n\u00a0")
            if start < a or not modifier[:1].islower():
                continue
            modifier = modifier.lower()
            if modifier in vocab.generic_skip or canonical_metric(modifier) is not None:
                continue
            overlapping = [h for h in hits if h.start < ge and start < h.end]
            if any(not h.weak for h in overlapping):
                continue
            for h in overlapping:
                hits.remove(h)
            head = low[gs:ge]
            head = head[:-1] if head.endswith("s") and head[:-1] in vocab.generic_heads else head
            hits.append(_Hit(start, ge, f"{modifier} {head}", False))
            added = True
        if added:
            hits.sort(key=lambda h: h.start)
        return hits

    def right_metric(self, a: int, b: int, max_words: int) -> _Hit | None:
        """The metric named right after a number ("77.33% top-1 accuracy", "drop in perplexity")."""
        stop = _right_stop(self.low, a, b)
        weak = None
        for h in self.metric_hits(a, b if stop < 0 else stop):
            gap = [w for w in self.content(self.words(a, h.start)) if w not in self.vocab.relative_after]
            if len(gap) > max_words or any(w in self.vocab.breaks for w in gap):
                break
            h.gap = len(gap)
            if not h.weak:
                return h
            weak = weak or h
        return weak

    def left_metric(self, a: int, b: int, max_words: int) -> _Hit | None:
        """The metric named just before a number ("accuracy of 77.33%", "WER by 4%")."""
        last_stop = _last_left_stop(self.low, a, b)
        if last_stop >= 0:
            floor = a
            a = last_stop
            if self.text[last_stop - 1] == "," and self.only_change_words(last_stop, b):
                # "gains were observed in MRR, with increases of 25%": the clause after the
                # comma only says how much, so the metric before it is the number's.
                before = _last_left_stop(self.low, floor, last_stop - 1)
                if not self.metric_hits(a, b):
                    a = max(floor, before)
        hits = self.metric_hits(a, b)
        if not hits:
            return None
        h = hits[-1]
        gap = [w for w in self.content(self.words(h.end, b)) if w != "("]
        if self.text.count("(", h.end, b) > self.text.count(")", h.end, b):
            max_words = min(max_words, 1)  # "parameters (successful detection almost 100%)"
        if len(gap) > max_words or any(w in self.vocab.breaks for w in gap):
            return None
        h.gap = len(gap)
        return h

    def metric_list(self, a: int, b: int, count: int) -> list[_Hit] | None:
        """The last run of ``count`` different metrics joined by "and", "," or "/"."""
        hits = [h for h in self.metric_hits(a, b) if not h.weak]
        for i in range(len(hits) - count, -1, -1):
            run = hits[i : i + count]
            if len({h.name for h in run}) == count and all(
                _LIST_JOIN.fullmatch(self.low, x.end, y.start) for x, y in zip(run, run[1:])
            ):
                # "top-1 and top-5 error rates": the last item's noun belongs to all of them.
                head = _TOP_K.match(self.low, run[-1].start)
                if head is not None:
                    noun = self.low[head.end() : run[-1].end]
                    for h in run[:-1]:
                        if _TOP_K.fullmatch(self.low, h.start, h.end):
                            h.name = canonical_metric(self.low[h.start : h.end] + " " + noun) or h.name
                return run
        return None

    def metric_over_datasets(self, g: _Group) -> list[_Hit] | None:
        """ "perplexities on Penn Treebank and WikiText-2 to 47.69 and 40.68 respectively": one
        metric, then as many datasets as numbers, then the numbers."""
        first = g.nums[0]
        named = [h for h in self.metric_hits(g.sent[0], first.start) if not h.weak]
        if not named:
            return None
        h = named[-1]
        m = _DATASET_LIST.match(self.text, h.end + 1, first.start)
        if m is None or len([x for x in _LIST_SPLIT.split(m.group(1)) if x]) != len(g.nums):
            return None
        if len(self.content(self.words(m.end(), first.start))) > 1:
            return None
        return [h] * len(g.nums)

    def metric_in_terms_of(self, g: _Group) -> str | None:
        """ "... 3x smaller than X, in terms of the network parameters"."""
        m = _IN_TERMS_OF.search(self.low, g.nums[-1].uend, g.sent[1])
        if m is None:
            return None
        for h in self.metric_hits(m.end(), min(g.sent[1], m.end() + 40))[:1]:
            if h.start == m.end():
                return h.name if not h.weak else "score"
        return None

    # -- the analysis -----------------------------------------------------

    def run(self, numbers: list[tuple[int, int]]) -> tuple[list[Claim], list[SkippedNumber]]:
        """The claims and skipped numbers of the text; ``numbers``: its
        :func:`_number_spans`."""
        text, vocab = self.text, self.vocab
        spans = _url_spans(text) if "/" in text or "www." in text else []
        if "$" in text:
            spans += [(*m.span(), "math") for m in _MATH.finditer(text)]
        nums: list[_Num] = []
        caret = "^" in text
        for s, e in numbers:
            n = _read(text, s, e, spans, vocab, caret)
            if isinstance(n, str):
                if self.want_skipped:
                    self.skipped.append(SkippedNumber(text[s:e], s, e, n))
            else:
                nums.append(n)
        if nums:
            groups = self.groups(nums)
            for gi, g in enumerate(groups):
                left_bound = max(g.sent[0], groups[gi - 1].nums[-1].uend if gi else 0, g.nums[0].start - 100)
                next_start = min(g.sent[1], groups[gi + 1].nums[0].start if gi + 1 < len(groups) else len(text))
                self.group(g, left_bound, min(next_start, g.nums[-1].uend + 60), next_start)
        if self.want_skipped:
            self.skipped.sort(key=lambda x: x.start)
        return self.claims, self.skipped

    def groups(self, nums: list[_Num]) -> list[_Group]:
        """Numbers joined by "and", "to", "/", "-" in one sentence; a trailing unit is shared."""
        groups: list[_Group] = []
        for n in nums:
            if groups:
                g = groups[-1]
                last = g.nums[-1]
                if (
                    n.start < g.sent[1]
                    and (last.unit is None or n.unit is None or last.unit == n.unit)
                    and last.measure is None
                    and (_GROUP_GAP.fullmatch(self.text, last.uend, n.start) or self.label_gap(last.uend, n.start))
                ):
                    g.nums.append(n)
                    continue
            groups.append(_Group([n], self.sentence(n.start)))
        for g in groups:
            unit, measure = g.nums[-1].unit, g.nums[-1].measure
            for n in g.nums:
                if n.unit is None and n.measure is None:
                    n.unit, n.measure = unit, measure
        return groups

    def label(self, pos: int) -> int:
        """The end of a short name in parentheses at ``pos`` that is not a metric
        ("54% (BLIP-2) accuracy"), or ``pos``."""
        if self.text[pos : pos + 1] != "(" and self.text[pos : pos + 2] != " (":
            return pos
        m = _LABEL.match(self.text, pos)
        if m is None or self.metric_hits(m.start(), m.end()):
            return pos
        return m.end()

    def label_gap(self, a: int, b: int) -> bool:
        """Numbers joined after a label: "0.929 (WT), 0.856 (TC)", "49% (CLIP) to 54%"."""
        end = self.label(a)
        return end > a and _GROUP_GAP.fullmatch(self.text, end, b) is not None

    def group(self, g: _Group, left_bound: int, right_bound: int, next_start: int) -> None:
        """Decide the claims of one group of numbers; the text it may take its words from is
        left_bound..right_bound (next_start: where the next number of its sentence starts)."""
        text, vocab = self.text, self.vocab
        first, final = g.nums[0], g.nums[-1]
        paren = text.rfind("(", left_bound, first.start)
        if paren >= 0 and text.find(")", paren, first.start) < 0:
            close = text.find(")", final.uend, right_bound)
            if close >= 0:
                right_bound = close  # "training costs (by ~50%) and memory": stop at ")"
        bare = final.unit is None and final.measure is None
        right = self.right_metric(self.label(final.uend), right_bound, 1 if final.unit is None else 2)
        left = self.left_metric(left_bound, first.start, 2 if final.unit is None else 8)
        listed: list[_Hit] | None = None
        respectively = len(g.nums) > 1 and "respectively" in self.low[final.uend : min(g.sent[1], final.uend + 60)]
        if (respectively or "/" in text[first.end : final.start]) and (right is None or right.weak):
            listed = self.metric_list(g.sent[0], first.start, len(g.nums))
            if listed is None and respectively and left is None:
                listed = self.metric_over_datasets(g)
        if final.measure is not None:
            right, left = _measure_hit(right, final, vocab), _measure_hit(left, final, vocab)
            if listed is not None and any(_measure_hit(h, final, vocab) is None for h in listed):
                listed = None
        nxt = _NEXT_WORD.match(self.low, final.uend) if bare else None  # only read for bare numbers
        prev_start = self.clause_start(max(g.sent[0], first.start - 50), first.start)
        close = text.find(")", max(prev_start, left_bound), first.start)
        aside = close >= 0 and text.rfind("(", g.sent[0], left_bound) > text.rfind(")", g.sent[0], left_bound)
        if aside:
            prev_start = close + 1  # "0.674 AUROC (34.0% improvement) and 0.583": the aside was the last number's
        prev_words = self.words(prev_start, first.start)
        core = self.unhedged(prev_words)
        compared = None
        if self.last is not None and self.last_sent == g.sent:
            gap = self.words(self.last.end, first.start)
            if len(gap) <= 3 and any(w in ("against", "vs", "versus", "compared") for w in gap):
                compared = self.last.metric
            elif self.last.unit == final.unit and _AND_ANOTHER.fullmatch(text, self.last.end, first.start):
                compared = self.last.metric  # "by 5.0 points on Bird and 6.9 points on MMQA"
        group_dataset: str | None = None
        group_dataset_read = False
        for k, n in enumerate(g.nums):
            hit = listed[k] if listed else _best(right, left)
            reason = self.not_a_result(n, g, k, hit, right, core, nxt)
            if reason is not None:
                self.skip(n, reason)
                continue
            metric = self.metric_for(n, g, hit, right_bound, prev_words, compared)
            if metric is None:
                self.skip(n, "no-metric")
                continue
            same_sentence = self.last is not None and self.last_sent == g.sent
            inherit_kind = same_sentence and self.last is not None and not aside
            kind = self.kind(n, g, hit, core)
            opens = text.endswith("(", 0, n.start) or text.endswith("( ", 0, n.start)
            in_paren = opens or text.rfind("(", g.sent[0], n.start) > text.rfind(")", g.sent[0], n.start)
            if kind is None:
                if not inherit_kind or self.last is None or opens:  # "31% in MRR (0.474)": the level
                    kind = "absolute"
                elif in_paren or self.open_sent != g.sent:
                    kind = self.last.kind  # "(180ms vs 200ms)"
                else:  # the kind of the last claim of the sentence that is not an aside in parentheses
                    kind = self.open_kind
            unit = n.unit
            if unit is None and kind == "relative" and bare:
                unit = "dB" if metric in vocab.db_metrics else "points"
            dataset = self.member_dataset(g, k, right_bound, respectively)
            own_dataset = dataset is not None and len(g.nums) > 1 and text[n.uend : n.uend + 2].lstrip()[:1] == "("
            if dataset is None:
                if not group_dataset_read:
                    group_dataset, group_dataset_read = self.group_dataset(g, hit, next_start), True
                dataset = group_dataset
            if dataset is None and same_sentence and self.last is not None and not self.member_last:
                dataset = self.last.dataset  # (not one named for one number of a list: "0.821 (ET)")
            self.member_last = own_dataset
            start, end = n.start, n.uend
            if hit is not None and not hit.weak:  # the span takes in an adjacent metric name
                if k == len(g.nums) - 1 and n.uend <= hit.start <= n.uend + 24:
                    end = hit.end
                elif k == 0 and hit.end <= n.start and n.start - hit.end <= 24 and hit.end >= left_bound:
                    start = hit.start
            self.record(_new_claim(metric, n.value, unit, kind, dataset, text[start:end], start, end), g.sent)
            if not in_paren:
                self.open_kind, self.open_sent = kind, g.sent

    def not_a_result(
        self, n: _Num, g: _Group, k: int, hit: _Hit | None, right: _Hit | None,
        core: list[str], nxt: re.Match[str] | None,
    ) -> str | None:
        """Why a well-formed number is still not a result, or ``None``; ``core`` is the
        group's words before it without the hedges (see :meth:`unhedged`)."""
        vocab = self.vocab
        prev = core[-1] if core else ""
        named = hit is not None and not hit.weak
        right_named = right is not None and not right.weak and hit is right
        final = g.nums[-1]
        if n.unit is None and n.measure is None:
            if prev in vocab.name_before:
                return "version"
            if prev in vocab.setting_verbs:
                return "setting"  # "fixed to 100", "set to 0.1"
            if nxt is not None and not self.text[final.uend : nxt.start(1)].strip():
                word = nxt.group(1)
                # "25.9 BLEU", "67.4 average MRR"
                named_next = right_named and right is not None and (
                    right.start == nxt.start(1) or (right.gap == 0 and word.lower() in _METRIC_MODIFIERS)
                )
                if not named_next and word not in vocab.after_bare:
                    if word in vocab.size_nouns:
                        return "size"
                    if word in vocab.data_nouns:
                        return "dataset-size"
                    return "count"  # "7 languages", "102 relations"
            if k == 0 and self.after_name(g.nums[0].start):
                return "version"
        if n.measure is not None and prev == "at":
            return "setting"  # "at 48 kHz"
        if n.unit == "%":
            if prev in vocab.setting_verbs or (prev == "at" and (not named or right_named)):
                return "setting"  # "masking 90%", "at a 1% bit error rate"
            if _OF.match(self.low, final.uend) and not any(w in vocab.share_result for w in core[-3:]):
                return "setting"  # "masking 90% of pixels", "20% of the dataset"
            if self.next_word(n.uend) in _INTERVAL_WORDS:
                return "setting"  # "95% CI", "a 95% confidence interval": a level chosen, not reached
        if n.unit == "x":
            if any(w in vocab.setting_verbs for w in core[-3:]):
                return "setting"  # "downsample by 2x"
            after = self.words(final.uend, final.uend + 40)[:2]
            ratio_words = any(
                w in vocab.relative_after or w in vocab.speed_words or _lookup_metric(w, vocab) for w in after
            )
            if not named and prev != "by" and not ratio_words:
                if final.times_word:
                    return "count"  # "we repeat all experiments 10 times"
                if after and after[0] not in ("while", "and", "than", "in", "on", "at", "with", "for", "respectively"):
                    return "setting"  # "multiplex up to 20x inputs"
        if "[" in self.text[final.uend : g.sent[1]] and _CITED.search(
            self.text, final.uend, self.clause_end(final.uend, g.sent[1])
        ):
            return "citation"  # "reports show a 220% increase in AI/ML vulnerabilities [5]": another paper's number
        a = max(g.sent[0], n.start - 60)
        window = self.low[a : n.start]
        if any(map(window.__contains__, vocab.reference_needles)) and vocab.reference_search(self.low, a, n.start) is not None:
            return "reference"  # "the inter-annotator agreement is 84%"
        return None

    def after_name(self, pos: int) -> bool:
        """A bare number right after a capitalised word is part of a name ("WMT 15", "Llama 2")."""
        text = self.text
        word, start = _prev_word(text, pos)
        if not word[:1].isupper() or text[start + len(word) : pos] not in (" ", "~", "\u00a0"):
            return False
        if start >= 2 and text[start - 2 : start] in (". ", "? ", "! "):
            return False
        return start > 0 and canonical_metric(word) is None

    def metric_for(
        self, n: _Num, g: _Group, hit: _Hit | None, right_bound: int, prev_words: list[str], compared: str | None
    ) -> str | None:
        """The claim's metric, or ``None`` when the number is not a result; ``compared`` is the
        metric of the claim the group is compared with ("an accuracy of 91.99% against 91.84%")."""
        vocab = self.vocab
        last = self.last
        if n.unit == "fps" or (n.unit == "dB" and (hit is None or hit.weak or hit.name not in vocab.db_metrics)):
            return vocab.unit_metrics[n.unit]
        if hit is not None and not hit.weak:
            if n.unit is None and n.measure is None and hit.name in vocab.needs_unit:
                return None  # "a trade-off parameter of 0.5" is no parameter count
            return hit.name
        if hit is None and compared is not None:
            return compared
        inherited = self.sentence_metric(g.sent)
        if n.rating:
            return "score" if self.has_result_cue(g.sent[0], right_bound) or hit is not None else None
        if n.unit is None and n.measure is None:
            # A bare number needs a named metric, or one named just before ("25.9 BLEU ... degrade to 1.9").
            if hit is None and inherited and last is not None and last.unit is None and prev_words[-1:] in (
                ["to"], ["vs"], ["versus"], ["against"], ["and"], ["("]
            ):
                return inherited
            return None
        if n.measure is not None:
            return self.time_metric(n, g) if n.measure == "time" else None
        if n.unit == "x":
            return self.ratio_metric(g) or self.change_noun(g, prev_words) or inherited or "score"
        if hit is None or hit.weak:
            noun = self.change_noun(g, prev_words)
            if noun is not None:
                return noun
        own = hit is None and self.own_noun(g)
        if own:
            defined = self.acronym_metric(g.nums[-1].uend)
            if defined is not None:
                return defined  # "100% ASR" after "attack success rate (ASR)"
        if hit is None and inherited:
            noun = self.comparative_noun(g)  # "42% fewer tables" after "improves F1 by 22.7 points"
            if noun is not None:
                return noun
            if not own:
                return inherited
        if hit is None and not self.has_result_cue(g.sent[0], right_bound):
            return None
        named = self.metric_in_terms_of(g)
        if named is None and hit is None:
            named = self.comparative_noun(g)  # "37% shorter wirelength"
        # "61.9% coverage" names its own measure: not the metric of other claims
        return named or (None if own else self.document_metric()) or "score"

    def change_noun(self, g: _Group, prev_words: list[str]) -> str | None:
        """What a change is of, named around the number when it is no known metric: "a 37%
        reduction in false positives", "an improvement of 15-25% in the cut value", "reduces
        the transportation distance by 2.1%", "reduces the Number of Function Evaluations
        (NFE) by 65%" (the acronym)."""
        final = g.nums[-1]
        end = self.clause_end(final.uend, g.sent[1])
        after = self.words(final.uend, end)
        phrase: list[str] = []
        a = final.uend
        if after:
            i = 2 if after[0] == "of" and len(after) > 1 and after[1] in _CHANGE_NOUNS else 1
            if after[0] in _CHANGE_NOUNS or i == 2:
                if after[i : i + 1] == ["in"]:
                    phrase = after[i + 1 :]
            elif after[0] == "in" and len(prev_words) > 1 and prev_words[-1] == "of" and prev_words[-2] in _CHANGE_NOUNS:
                phrase = after[1:]  # "an improvement of 15-25% in the cut value"
        if not phrase and prev_words and "by" in prev_words[-3:]:
            a = self.clause_start(max(g.sent[0], g.nums[0].start - 100), g.nums[0].start)
            prev_words = self.words(a, g.nums[0].start)  # (a longer reach than the group's words)
            by = len(prev_words) - 1 - prev_words[::-1].index("by")
            verb = -1
            for j in range(by - 1, max(-1, by - 11), -1):
                if prev_words[j] in _CHANGE_VERBS:
                    verb = j
                    break
            if verb < 0:
                return None
            phrase = prev_words[verb + 1 : by]
            if "by" in phrase or "and" in phrase:
                return None  # "reducing parameters by 1/150 and accelerating inference by 6000x"
            if len(phrase) >= 2 and phrase[-2] == "(":
                phrase = phrase[-1:]  # "(NFE)": the name the paper uses
        i = 0
        while i < len(phrase) and phrase[i] in _PHRASE_LEAD:
            i += 1
        j = i
        while j < len(phrase) and phrase[j] not in _PHRASE_STOP:
            j += 1
        phrase = phrase[i:j]
        if not phrase or len(phrase) > 4 or any(w in _NOT_MEASURES or w in self.vocab.comparatives for w in phrase):
            return None
        low, text = self.low, self.text
        pos = a
        for w in phrase:
            pos = low.find(w, pos, g.sent[1])
            if pos < 0:
                return None
            orig = text[pos : pos + len(w)]
            if orig[:1].isupper() and (orig[1:2].islower() or "-" in orig or any(map(str.isdigit, orig))):
                return None  # a name ("reduces Llama's ...", "AWD-LSTM"), not a measure
            pos += len(w)
        if len(phrase) == 1 and text[pos - len(phrase[0]) : pos].isupper():
            # a lone acronym ("reduces TTFT by 2.66x"): a known metric when the text spells it
            # out ("attack success rate ... increasing ASR by 64%")
            return self.acronym_metric(pos - len(phrase[0]) - 1) or self.spelled_metric(phrase[0]) or phrase[0]
        name = " ".join(phrase)
        found = _lookup_metric(name, self.vocab)
        if found is None and any(canonical_metric(w) == "score" for w in phrase):
            return None  # "performance"
        return found or name

    def spelled_metric(self, acronym: str) -> str | None:
        """The known metric whose words the letters of a (lower-case) acronym start, where the
        text names it ("attack success rate" for "asr")."""
        if not 2 <= len(acronym) <= 6 or not acronym.isalpha():
            return None
        m = re.compile(r"\b" + r"[a-z]*[\s\-]+".join(acronym) + r"[a-z]*").search(self.low)
        return _lookup_metric(m.group(), self.vocab) if m is not None else None

    def own_noun(self, g: _Group) -> bool:
        """Whether a percentage is followed by a noun of its own that is no known metric
        ("61.9% coverage", "89.4% response mode consistency"): it measures something else
        than the claims before it."""
        final = g.nums[-1]
        if final.unit != "%":
            return False
        vocab = self.vocab
        if self.text[final.uend : final.uend + 1] != " " or not self.text[final.uend + 1 : final.uend + 2].isalpha():
            return False
        after = self.words(final.uend, min(g.sent[1], final.uend + 40))[:1]
        if not after or after[0] in _NOT_OWN_NOUNS:
            return False
        w = after[0]
        if (
            w in vocab.after_bare or w in vocab.fillers or w in vocab.relative_after or w in vocab.comparatives
            or w in vocab.breaks or w in vocab.speed_words or w in vocab.relative_before
        ):
            return False
        return canonical_metric(w) is None

    def acronym_metric(self, pos: int) -> str | None:
        """The metric an acronym at ``pos`` + 1 stands for where the text defines it after the
        metric's name ("attack success rate (ASR)"), else ``None``."""
        m = _ACRONYM.match(self.text, pos + 1)
        if m is None:
            return None
        if self.acronyms is None:
            self.acronyms = {}
            for d in _ACRONYM_DEFINED.finditer(self.text):
                hits = [h for h in self.metric_hits(max(0, d.start() - 40), d.start()) if not h.weak]
                if hits and not self.text[hits[-1].end : d.start()].strip():
                    self.acronyms.setdefault(d.group(1), hits[-1].name)
        return self.acronyms.get(m.group())

    def ratio_metric(self, g: _Group) -> str | None:
        """Metric of an "N x" ratio without a named metric: "5.3x faster", "14x smaller embeddings"."""
        end = g.nums[-1].uend
        start = g.nums[0].start
        before = self.words(self.clause_start(max(g.sent[0], start - 40), start), start)[-5:]
        if "by" in before and any(w.startswith("accelerat") for w in before):
            return "speedup"  # "accelerating inference by up to 6000x"
        after = self.words(end, min(g.sent[1], end + 50))
        if not after:
            return None
        if after[0] in self.vocab.speed_words or (len(after) > 1 and after[1] in self.vocab.speed_words):
            return "speedup"
        if after[0] in self.vocab.comparatives:
            named = self.comparative_noun(g) or self.metric_in_terms_of(g)
            if named is not None:
                return named
            return "parameters" if after[0] in ("smaller", "fewer", "lighter") else None
        return None

    def comparative_noun(self, g: _Group) -> str | None:
        """The noun after "N x smaller" / "N% fewer": the thing that changed."""
        end = g.nums[-1].uend
        after = self.words(end, self.clause_end(end, g.sent[1]))
        if not after or after[0] not in self.vocab.comparatives:
            return None
        phrase = []
        for w in after[1:3]:
            if w in self.vocab.breaks or w in self.vocab.fillers or w in self.vocab.after_bare or w == "per":
                break
            phrase.append(w)
        if not phrase:
            return None
        at = self.low.find(phrase[0], end)
        if at >= 0 and self.text[at].isupper() and _lookup_metric(phrase[0], self.vocab) is None:
            # "74% smaller BERT": a model's name, made smaller or lighter
            return "parameters" if after[0] in ("smaller", "lighter") else None
        name = " ".join(phrase)
        return _lookup_metric(name, self.vocab) or _lookup_metric(phrase[-1], self.vocab) or name

    def time_metric(self, n: _Num, g: _Group) -> str | None:
        """A duration is a result when it says how long something takes ("20 seconds to
        produce a mesh", "25s per frame")."""
        after = self.words(n.uend, n.uend + 30)[:2]
        before = self.unhedged(self.words(max(g.sent[0], g.nums[0].start - 30), g.nums[0].start))[-2:]
        if (after and after[0] in ("per", "to")) or any(w in self.vocab.time_cues for w in before):
            return "training time" if self.vocab.training_search(self.low, g.sent[0], n.start) is not None else "latency"
        return None

    def kind(self, n: _Num, g: _Group, hit: _Hit | None, core: list[str]) -> str | None:
        """``relative`` or ``absolute`` when the words say so, else ``None`` (``core``: the
        unhedged words before the group)."""
        vocab = self.vocab
        if "(" in core:
            core = core[len(core) - core[::-1].index("(") :]
        if core and core[-1] == "from":
            # "from 66.5% to 13.0%" is a level; "suffers from a 15.4% higher FRR" a change
            return "relative" if self.next_word(g.nums[-1].uend) in vocab.relative_after else "absolute"
        if not core and self.after_change_clause(g):
            return "relative"  # "substantial gains, up to 34.50% in accuracy"
        if n.unit in ("x", "points") or n.sign == "+" or g.nums[0].sign == "+":
            return "relative"
        if core and core[-1] in ("by", "+"):
            return "relative"
        end = g.nums[-1].uend
        for w in self.words(end, self.clause_end(end, g.sent[1]))[:4]:
            if w in vocab.relative_after or w == "than":  # "29% network parameters than the best"
                return "relative"
            if w in vocab.breaks or w in ("from", "to", "on", "in", "for", "at", "with", "and"):
                break
        if hit is not None and not hit.weak and hit.end <= g.nums[0].start:
            # "accuracy of 92.5%" is a level, "accuracy improvement of 2%" a change.
            between = self.unhedged(self.words(hit.end, g.nums[0].start))  # "F1 exceeding 98%" is a level
            return "relative" if any(w in vocab.relative_before for w in between) else "absolute"
        if core[-1:] == ["of"]:
            # "a gain of 2%", "a reduction in image size of 58%" are changes; "the results
            # of 58.7%", "the State of the Art of 91.6%" are levels.
            if len(core) > 1 and core[-2] in vocab.relative_before:
                return "relative"
            if "in" in core[-5:-1]:
                i = len(core) - 2 - core[-5:-1][::-1].index("in")
                if i > 0 and core[i - 1] in vocab.relative_before:
                    return "relative"
            return "absolute"
        for w in reversed(core[-6:]):
            if w in vocab.relative_before:
                return "relative"
            if w in vocab.absolute_before:
                return "absolute"
        return None

    # -- datasets ---------------------------------------------------------

    def member_dataset(self, g: _Group, k: int, right_bound: int, respectively: bool) -> str | None:
        """A dataset named for the k-th number alone: lists matched in order ("70.0% and
        81.7% ... on SSv2 and Kinetics-400"), "72% (CIFAR-10)", "5.9% Epic-Kitchens-100 ..."."""
        text = self.text
        n = g.nums[k]
        if len(g.nums) > 1:
            m = _DATASET_LIST.search(text, g.nums[-1].uend, min(g.sent[1], right_bound + 40))
            names = [x for x in _LIST_SPLIT.split(m.group(1)) if x] if m else None
            if (respectively or len(g.nums) > 2) and not (names and len(names) == len(g.nums)):
                # "Evaluated on A, B, C and D, ... errors of 2.49, 3.22, 10.16 and 1.44": as many names
                for m in _DATASET_LIST.finditer(text, g.sent[0], g.nums[0].start):
                    names = [x for x in _LIST_SPLIT.split(m.group(1)) if x]
            if names and len(names) == len(g.nums):
                return self.clean(names[k])
        after = text[n.uend : n.uend + 2]
        m = None
        if after[:1] == "(" or after[:1].isspace():
            m = _DATASET_PAREN.match(text, n.uend)
        if m is None and after[:1] == " " and after[1:].isascii() and after[1:].isalnum():
            m = _DATASET_DIRECT.match(text, n.uend)
        if m and self.valid(m.group(1), m.end(1)):
            return self.clean(m.group(1))
        return None

    def group_dataset(self, g: _Group, hit: _Hit | None, next_start: int) -> str | None:
        """The benchmark named in the group's sentence: right after it, before the next number
        ("... on ImageNet"), before its metric ("ImageNet top-1 accuracy"), as "the X dataset",
        or as "On X, ..." before it."""
        text = self.text
        final = g.nums[-1]
        s_start, s_end = g.sent
        near = min(next_start, final.uend + 100)
        # keyed by the pattern's position: hashing a compiled pattern hashes its code
        searched: dict[tuple[int, int], re.Match[str] | None] = {}
        for limit in (near, s_end) if near < s_end else (near,):  # before the next number, else later
            end = min(s_end, limit + 80)
            for ri, rx in enumerate((_DATASET_AFTER, _DATASET_IN)):
                key = (ri, end)
                if key not in searched:
                    if rx is _DATASET_IN and not any(map(text[final.uend : end].__contains__, _DATASET_IN_NOUNS)):
                        searched[key] = None
                    else:
                        searched[key] = rx.search(text, final.uend, end)
                m = searched[key]
                if m is not None and m.start() < limit and self.valid(m.group(1), m.end(1)):
                    return self.clean(m.group(1))
        if hit is not None and not hit.weak and hit.end <= g.nums[0].start:
            found = _name_before(text, hit.start, max(s_start, hit.start - 40))
            if found and self.valid(found, hit.start, strict=False):
                return self.clean(found)
        if g.sent not in self.noun_datasets:
            self.noun_datasets[g.sent] = self.noun_dataset(s_start, s_end)
        if self.noun_datasets[g.sent] is not None:
            return self.noun_datasets[g.sent]
        best = None
        for m in _DATASET_ON.finditer(text, s_start, g.nums[0].start):
            if self.valid(m.group(1), m.end(1)):
                best = m.group(1)
        return self.clean(best) if best is not None else None

    def noun_dataset(self, s_start: int, s_end: int) -> str | None:
        """The first name before a dataset noun in the sentence ("the Speech Commands v2
        dataset")."""
        text = self.text
        if not any(map(text[s_start:s_end].__contains__, self.vocab.dataset_noun_needles)):
            return None
        for start, _ in self.vocab.dataset_noun_spans(text, s_start, s_end):
            found = _name_before(text, start, max(s_start, start - 60))
            if found and self.valid(found, start, strict=False):
                return self.clean(found)
        return None

    def valid(self, name: str, end: int, strict: bool = True) -> bool:
        """Whether a capitalised phrase can be a dataset name (not "The", not a metric,
        not a data type as in "on RGB images")."""
        vocab = self.vocab
        if name.split()[0].lower() in vocab.not_datasets or canonical_metric(name) is not None:
            return False
        if self.acronyms and name in self.acronyms:
            return False  # "100% ASR on GPT-4o": the metric's acronym
        if not strict or self.text[end : end + 1] != " ":
            return True
        word = self.next_word(end)
        return not (word in vocab.data_nouns or word in vocab.size_nouns or word in vocab.not_dataset_next)

    def clean(self, name: str) -> str:
        name = name.strip().rstrip(".,;:'")
        if name.endswith(("'s", "’s")):
            name = name[:-2]
        m = self.vocab.dataset_suffix_re.search(name)
        return name[: m.start()] if m else name


def _best(right: _Hit | None, left: _Hit | None) -> _Hit | None:
    """The named metric closer to the number (the right one on a tie), else a weak one."""
    if right is not None and not right.weak and (left is None or left.weak or right.gap <= left.gap):
        return right
    if left is not None and not left.weak:
        return left
    return right or left


def _measure_hit(hit: _Hit | None, n: _Num, vocab: _Vocab) -> _Hit | None:
    """A duration only takes a time metric ("4 ms algorithmic delay", not "accuracy ... in 5 hours")."""
    if hit is None or hit.weak or (n.measure == "time" and hit.name not in vocab.time_metrics):
        return None
    return hit


# --------------------------------------------------------------------------
# Dataset names
# --------------------------------------------------------------------------

_NAME: Final = (  # "ImageNet-1K", "SQuAD2.0", "the Penn Treebank", "Speech Commands v2", "WMT 15", "text8"
    r"(?:[A-Z](?:[\w+/&'\-]|\.(?=\w))*|[a-z]{1,4}[A-Z](?:[\w+\-]|\.(?=\w))*|[0-9]+[A-Z](?:[\w+\-]|\.(?=\w))*"
    r"|[a-z]+[0-9][\w\-]*)"
    r"(?:[ \-](?:[A-Z0-9](?:[\w+/&'\-]|\.(?=\w))*|v[0-9](?:\w|\.(?=\w))*)){0,4}"
)
_FIRST_TOKEN: Final = regexes.compile(r"(?:[A-Z][\w.+/&'\-]*|[a-z]{1,4}[A-Z][\w.+\-]*|[0-9]+[A-Z][\w.+\-]*)")
_NEXT_TOKEN: Final = regexes.compile(r"(?:[A-Z0-9][\w.+/&'\-]*|v[0-9][\w.]*)")
_QUALIFIERS: Final = (
    r"(?:(?:challenging|popular|standard|large-scale|public|well-known|widely-used|recent|benchmark|"
    r"most recent|synthetic|real-world|in-the-wild|full)\s+)*"
)
# [\s,][\s,]* rather than [\s,]+: a pattern that starts with a character class scans faster.
_DATASET_AFTER: Final = regexes.compile(r"[\s,][\s,]*(?:on|over|across|at|from)\s+(?:the\s+|both\s+)?" + _QUALIFIERS + "(" + _NAME + ")")
_DATASET_IN: Final = regexes.compile(
    r"[\s,][\s,]*in\s+(?:the\s+)?(" + _NAME + r")(?=\s+(?:dataset|benchmark|environment|corpus|test|challenge|suite))"
)
_DATASET_IN_NOUNS: Final = ("dataset", "benchmark", "environment", "corpus", "test", "challenge", "suite")
_DATASET_PAREN: Final = regexes.compile(r"\s*\((" + _NAME + r")\)")
_DATASET_DIRECT: Final = regexes.compile(r" (" + _NAME + r")(?= [a-z])")
# "On the Penn Treebank, ...": each alternative starts with a letter, so that the scan is fast.
_DATASET_ON: Final = regexes.compile(
    r"(?:O(?<![\w\-].)(?:n|ver)|o(?<![\w\-].)(?:n|ver)|A(?<![\w\-].)cross|a(?<![\w\-].)cross"
    r"|F(?<![\w\-].)rom|f(?<![\w\-].)rom)\s+(?:the\s+|both\s+)?"
    + _QUALIFIERS + "(" + _NAME + ")"
)
_DATASET_LIST: Final = regexes.compile(
    r"(?:on|over|across|for|of)\s+(?:the\s+|both\s+)?(" + _NAME + r"(?:\s*(?:,\s*and|,|and|/)\s*" + _NAME + r")+)"
)
_LIST_SPLIT: Final = regexes.compile(r"\s*(?:,\s*and|,|\band\b|/)\s*")


def _name_before(text: str, pos: int, floor: int) -> str | None:
    """The capitalised name ending just before ``pos`` ("the Speech Commands v2 |dataset")."""
    start = None
    i = pos
    for _ in range(5):
        while i > floor and text[i - 1] == " ":
            i -= 1
        j = i
        while j > floor and not text[j - 1].isspace() and text[j - 1] not in "(,;:":
            j -= 1
        token = text[j:i]
        if not token or _NEXT_TOKEN.fullmatch(token) is None:
            break
        if _FIRST_TOKEN.fullmatch(token):
            start = j
        i = j
    return None if start is None else text[start:pos].strip()


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def extract_claims(abstract: str) -> list[Claim]:
    """The numeric results the abstract claims, in text order.

    Invariant: ``claim.text == abstract[claim.start:claim.end]`` and the text
    contains the number.
    """
    numbers = _number_spans(abstract) if abstract else []
    if not numbers:
        return []
    return _Abstract(abstract, want_skipped=False).run(numbers)[0]


def analyse_numbers(abstract: str) -> tuple[list[Claim], list[SkippedNumber]]:
    """The claims, and every other number with the reason it is not one:
    ``size``, ``count``, ``year``, ``version``, ``name``, ``setting``,
    ``dataset-size``, ``citation``, ``url``, ``math``, ``uncertainty``,
    ``list-marker``, ``reference`` (a number about the data or the annotators,
    not the method) or ``no-metric``."""
    numbers = _number_spans(abstract) if abstract else []
    if not numbers:
        return [], []
    return _Abstract(abstract, want_skipped=True).run(numbers)
