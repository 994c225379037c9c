"""Find every occurrence of every rule phrase in a text, for all facets at once.

Semantics (identical for both engines below):

* Text and phrases are compared after lower-casing, with every character that
  is not a letter or digit treated as a word separator. A phrase matches a
  run of whole words of the text whose words are separated by exactly one
  such character: ``speech recognition`` matches "Speech Recognition",
  "speech-recognition" and "speech\\nrecognition", not "speech, recognition".
  The last word may take a plural ``s`` or ``es``.
* ``case_sensitive`` phrases match the same way but with the exact case.
* A phrase with other punctuation than spaces and hyphens (``C++``,
  ``SQuAD2.0``) and every ``pattern`` is a regular expression
  (case-insensitive, word boundaries on both sides).
* Within one facet, occurrences are resolved leftmost-longest without
  overlap; where an exclusion and a phrase cover the same text, the
  exclusion wins; a phrase overlapped by a chosen exclusion is vetoed.

Engines: one Aho-Corasick automaton over all phrases scans the normalised
text in C: the C core's own automaton (``_fastcore.Automaton``) where the C
core is built, else the ``pyahocorasick`` package's; without either, a
pure-Python token trie gives the same occurrences. All are built from plain
tables (:class:`Tables`), which can be cached on disk.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

from .rules import FACETS, RuleSet
from .runtime import FASTCORE_ENGINE, fastcore
from . import regexes

NON_ALNUM = regexes.compile(r"[\W_]")
WORD_RE = regexes.compile(r"[^\W_]+")
SEP_LITERAL = regexes.compile(r"[\s\-\u2010\u2011]+")
WORD_BEFORE = r"(?<![^\W_])"
WORD_AFTER = r"(?![^\W_])"
MAX_FIELD_CHARS = 200_000
FACET_INDEX = {f: i for i, f in enumerate(FACETS)}

try:  # the fast engine
    import ahocorasick as _ahocorasick  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the platform
    _ahocorasick = None

# The optional C core (built where a C compiler is present) runs the loop of
# ``Tables._scan_automaton`` and the facet loop of ``Tagger.tag`` with the
# same results as the Python code below; PAPERTRIAGE_PURE_PYTHON=1 turns it off.
_fastcore: Any = fastcore()
FASTCORE = _fastcore is not None
"""Whether the C core is in use."""


_ASCII_TABLE = bytes(
    (c + 32) if 65 <= c <= 90 else c if (48 <= c <= 57 or 97 <= c <= 122) else 32 for c in range(256)
)
_ASCII_CASED = bytes(c if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122) else 32 for c in range(256))


def normalise(text: str) -> str:
    """Lower-case, every non-alphanumeric character a space; same length as
    ``text`` (characters whose lower case is longer are kept as they are)."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return NON_ALNUM.sub(" ", low)


def normalise_cased(text: str) -> str:
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_CASED).decode("ascii")
    return NON_ALNUM.sub(" ", text)


def _sre() -> tuple[Any, Any]:
    """The regular-expression parser's constants and parser modules."""
    try:
        import re._constants as c  # type: ignore[import-not-found]
        import re._parser as p  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_constants as c  # type: ignore[no-redef]
        import sre_parse as p  # type: ignore[no-redef]
    return c, p


def triggers(pattern: str) -> list[str]:
    """Lower-case literals one of which every match of ``pattern`` starts with
    (after any look-around), or ``[]`` when there is no such set. A pattern
    with triggers is tried only where one of them occurs."""
    c, p = _sre()

    def letter(op: Any, av: Any) -> str | None:
        if op == c.LITERAL:
            return chr(av).lower()
        if op == c.IN:
            chars = {chr(v).lower() for o, v in av if o == c.LITERAL}
            if len(chars) == 1 and all(o == c.LITERAL for o, _ in av):
                return chars.pop()
        return None

    def starts(items: list[Any], depth: int = 0) -> set[str] | None:
        if depth > 6:
            return None
        prefix = ""
        for i, (op, av) in enumerate(items):
            if op in (c.ASSERT, c.ASSERT_NOT, c.AT) and not prefix:
                continue
            ch = letter(op, av)
            if ch is not None:
                prefix += ch
                continue
            if prefix:
                return {prefix}
            rest = list(items[i + 1 :])
            if op == c.SUBPATTERN:
                return starts(list(av[-1]) + rest, depth + 1)
            if op == c.BRANCH:
                out: set[str] = set()
                for branch in av[1]:
                    sub = starts(list(branch) + rest, depth + 1)
                    if sub is None:
                        return None
                    out |= sub
                return out
            if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] == 0:
                a_ = starts(list(av[2]), depth + 1)
                b_ = starts(rest, depth + 1)
                if a_ is None or b_ is None:
                    return None
                return a_ | b_
            if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
                return starts(list(av[2]), depth + 1)
            return None
        return {prefix} if prefix else None

    try:
        found = starts(list(p.parse(pattern)))
    except Exception:  # pragma: no cover - validated before
        return []
    if not found or any(len(t) < 2 or not t.isascii() for t in found) or len(found) > 64:
        return []
    return sorted(found)


def required_literal(pattern: str) -> str:
    """The longest literal (lower-case, 3+ characters) that every match of
    ``pattern`` contains, or ``""``; texts without it skip the pattern."""
    c, p = _sre()
    try:
        items = list(p.parse(pattern))
    except Exception:  # pragma: no cover
        return ""
    while len(items) == 1 and items[0][0] == c.SUBPATTERN:
        items = list(items[0][1][-1])
    best, run = "", ""
    for op, av in items:
        ch = None
        if op == c.LITERAL:
            ch = chr(av).lower()
        elif op == c.IN and av and all(o == c.LITERAL for o, _ in av) and len({chr(v).lower() for _, v in av}) == 1:
            ch = chr(av[0][1]).lower()
        if ch is not None:
            run += ch
            if len(run) > len(best):
                best = run
        else:
            run = ""
    if not best.isascii() or not (len(best) >= 3 or not best.isalnum()):
        return ""
    return best


def max_width(pattern: str) -> int:
    """The longest text a match of ``pattern`` can span, or 0 when unbounded."""
    _, p = _sre()
    try:
        width = p.parse(pattern).getwidth()[1]
    except Exception:  # pragma: no cover - validated before
        return 0
    return width if width < 10_000 else 0


_LETTERS_BY_FREQUENCY = "etaoinsrhldcumfpgwybvkxjqz"


def rarest(literal: str) -> str:
    """The character of ``literal`` least likely in English text (punctuation
    and digits before letters, spaces last): checked first, it rules a
    literal out fast."""
    if not literal:
        return ""
    return max(literal, key=lambda c: -1 if c.isspace() else _LETTERS_BY_FREQUENCY.find(c) if c in _LETTERS_BY_FREQUENCY else 100)


def phrase_words(phrase: str) -> str:
    """A phrase's normalised form: its words joined by single spaces."""
    return " ".join(WORD_RE.findall(phrase))


def is_plain(phrase: str) -> bool:
    """True when a phrase is words separated by spaces and hyphens only."""
    return not re.sub(r"[^\W_]+|[\s\-\u2010\u2011]+", "", phrase.strip())


def literal_pattern(phrase: str) -> str:
    """A regex for a phrase with punctuation (``C++``): exact characters,
    flexible spaces and hyphens."""
    return SEP_LITERAL.sub(lambda m: r"[\s\-\u2010\u2011]+", re.escape(phrase.strip()).replace("\\ ", " "))


class LazyPattern:
    """A rule's regular expression (word boundaries on both sides,
    case-insensitive), compiled the first time a text needs it: most rules'
    literals occur in few texts, and a short run should not pay for them."""

    __slots__ = ("source", "rx")

    def __init__(self, source: str) -> None:
        self.source = source
        self.rx: re.Pattern[str] | None = None

    def compile(self) -> re.Pattern[str]:
        self.rx = regexes.compile(WORD_BEFORE + "(?:" + self.source + ")" + WORD_AFTER, re.IGNORECASE)
        return self.rx


class Tables:
    """Plain, cacheable matching tables for a :class:`RuleSet`.

    * ``entries[k] = (facet index, rule index within the facet, is_exclusion, key)``
    * ``words``: normalised lower-case phrase -> entry indices
    * ``cased``: normalised lower-case phrase -> [(exact normalised form, entry index)]
    * ``patterns``: (regex source, entry index, start literals, a literal
      every match contains, fields where the rule counts)
    """

    @staticmethod
    def engine_name() -> str:
        """The engine new tables use by default (part of the rules cache key,
        so that cached automata of different kinds never mix)."""
        if _fastcore is not None:
            return FASTCORE_ENGINE
        return "aho-corasick" if _ahocorasick is not None else "python"

    @property
    def automaton(self) -> tuple[Any, list[Any]] | None:
        """The Aho-Corasick automaton and its value table (for the cache)."""
        return None if self._automaton is None else (self._automaton, self._values)

    def __init__(self, data: dict[str, Any], *, engine: str | None = None, automaton: Any = None) -> None:
        """``engine``: ``"aho-corasick"`` (the C core's automaton where it is
        built, else pyahocorasick's), ``"pyahocorasick"`` (pyahocorasick's
        even with the C core), ``"python"`` (the token trie); by default the
        first available. ``automaton``: a cached ``(automaton, values)``."""
        self.data = data
        self.entries: list[tuple[int, int, bool, str]] = [tuple(e) for e in data["entries"]]  # type: ignore[misc]
        self.words: dict[str, list[int]] = data["words"]
        self.cased: dict[str, list[list[Any]]] = data["cased"]
        self.patterns: list[tuple[LazyPattern, int, list[str], str, tuple[str, ...], str, int]] = [
            (LazyPattern(source), idx, trig, need, tuple(fields), rarest(need), width)
            for source, idx, trig, need, fields, width in data["patterns"]
        ]
        self._patterns_for: dict[str | None, list[Any]] = {None: self.patterns}
        for fname in ("title", "abstract"):
            self._patterns_for[fname] = [p for p in self.patterns if fname in p[4]]
        # the same, as the C core's scan_patterns takes them
        self._fast_patterns = _fastcore.scan_patterns if _fastcore is not None else None
        self._c_patterns_for: dict[str | None, list[Any]] = {
            fname: [(lazy, *self._slot(idx)[:2], idx, tuple(trig), need, gate, width) for lazy, idx, trig, need, _f, gate, width in pats]
            for fname, pats in self._patterns_for.items()
        }
        if engine is None:
            engine = "aho-corasick" if _fastcore is not None or _ahocorasick is not None else "python"
        # which automaton: the C core's ("c") or pyahocorasick's
        self.automaton_kind: str | None = None
        if engine == "pyahocorasick" or (engine == "aho-corasick" and _fastcore is None):
            if _ahocorasick is None:
                raise RuntimeError("the aho-corasick engine needs the C core or the pyahocorasick package")
            engine, self.automaton_kind = "aho-corasick", "pyahocorasick"
        elif engine == "aho-corasick":
            self.automaton_kind = "c"
        self.engine = engine
        self._fast_scan = _fastcore.scan_automaton if _fastcore is not None else None
        self._automaton = None
        self._values: list[Any] = []
        self._trie: dict[str, Any] | None = None
        if engine == "aho-corasick":
            self._automaton, self._values = automaton if automaton is not None else self._build_automaton()
            if _fastcore is not None and isinstance(self._automaton, _fastcore.Automaton):
                self.automaton_kind = "c"
            elif self._automaton is not None and automaton is not None:
                self.automaton_kind = "pyahocorasick"
        else:
            self._trie = self._build_trie()

    # -- building ----------------------------------------------------------
    @classmethod
    def build(cls, ruleset: RuleSet, *, engine: str | None = None) -> "Tables":
        return cls(cls.build_data(ruleset), engine=engine)

    @staticmethod
    def build_data(ruleset: RuleSet) -> dict[str, Any]:
        entries: list[tuple[int, int, bool, str]] = []
        entry_index: dict[tuple[int, int, bool, str], int] = {}
        words: dict[str, list[int]] = {}
        cased: dict[str, list[list[Any]]] = {}
        patterns: list[tuple[str, int, list[str], str, list[str], int]] = []

        def entry(facet_i: int, rule_i: int, excl: bool, key: str) -> int:
            k = (facet_i, rule_i, excl, key)
            idx = entry_index.get(k)
            if idx is None:
                idx = entry_index[k] = len(entries)
                entries.append(k)
            return idx

        for facet in FACETS:
            fi = FACET_INDEX[facet]
            rules = [r for r in ruleset.rules if r.facet == facet]

            def add_pattern(source: str, idx: int, fields: list[str]) -> None:
                patterns.append((source, idx, triggers(source), required_literal(source), list(fields), max_width(source)))

            for ri, rule in enumerate(rules):
                for excl, phrases in ((False, rule.phrases), (True, rule.exclude)):
                    for p in phrases:
                        key = phrase_words(p).lower()
                        if not key:
                            continue
                        idx = entry(fi, ri, excl, key)
                        if is_plain(p):
                            lst = words.setdefault(key, [])
                            if idx not in lst:
                                lst.append(idx)
                        else:
                            add_pattern(literal_pattern(p), idx, rule.fields)
                for p in rule.case_sensitive:
                    exact = phrase_words(p)
                    if not exact:
                        continue
                    idx = entry(fi, ri, False, exact)
                    if is_plain(p):
                        lst2 = cased.setdefault(exact.lower(), [])
                        if [exact, idx] not in lst2:
                            lst2.append([exact, idx])
                    else:
                        add_pattern("(?-i:" + literal_pattern(p) + ")", idx, rule.fields)
                for excl, pats in ((True, rule.exclude_patterns), (False, rule.patterns)):
                    for p in pats:
                        add_pattern(p, entry(fi, ri, excl, "re:" + p), rule.fields)
        # Singular and plural forms listed as two phrases count as one phrase.
        keys = {e[3] for e in entries}

        def singular(k: str) -> str:
            if k.endswith("es") and k[:-2] in keys:
                return k[:-2]
            if k.endswith("s") and k[:-1] in keys:
                return k[:-1]
            return k

        entries = [(f, r, x, singular(k)) for f, r, x, k in entries]
        return {"entries": entries, "words": words, "cased": cased, "patterns": patterns}

    def _all_forms(self) -> dict[str, tuple[list[int], list[list[Any]]]]:
        """Every normalised phrase with its entries (case-insensitive, cased)."""
        forms: dict[str, tuple[list[int], list[list[Any]]]] = {}
        for key, idxs in self.words.items():
            forms.setdefault(key, ([], []))[0].extend(idxs)
        for key, pairs in self.cased.items():
            forms.setdefault(key, ([], []))[1].extend(pairs)
        return forms

    def _build_automaton(self) -> tuple[Any, list[Any]]:
        """The automaton (integer values: pickled and loaded several times
        faster) and, per integer, ``(key length, ((facet, rank, entry), ...),
        ((exact cased form, facet, rank, entry), ...))``. The words are
        numbered in sorted order, from which the C core's automaton is built
        in one pass (it is pickled as its words and rebuilt on loading)."""
        values: dict[str, list[Any]] = {}
        for key, (idxs, pairs) in self._all_forms().items():
            for suffix in ("", "s", "es"):
                word = " " + key + suffix + " "
                v = values.get(word)
                if v is None:
                    v = values[word] = [len(word), [], []]
                v[1].extend(i for i in idxs if i not in v[1])
                v[2].extend([exact + suffix, i] for exact, i in pairs)
        # Equal parts are shared objects, which the cache stores once.
        shared: dict[Any, Any] = {}
        slot = self._slot
        table: list[Any] = []
        words = sorted(values)
        for word in words:
            v = values[word]
            items = tuple(shared.setdefault(i, slot(i)) for i in v[1])
            items = shared.setdefault(items, items)
            cased = tuple((exact, *slot(i)) for exact, i in v[2])
            cased = shared.setdefault(cased, cased)
            table.append((v[0], items, cased))
        if not values:
            return None, []
        if self.automaton_kind == "c":
            return _fastcore.Automaton(words), table
        automaton = _ahocorasick.Automaton(_ahocorasick.STORE_INTS)
        for i, word in enumerate(words):
            automaton.add_word(word, i)
        automaton.make_automaton()
        return automaton, table

    def _build_trie(self) -> dict[str, Any]:
        trie: dict[str, Any] = {}
        slot = self._slot
        for key, (idxs, pairs) in self._all_forms().items():
            node = trie
            for w in key.split(" "):
                node = node.setdefault(w, {})
            end = node.setdefault("", [[], []])
            end[0].extend(slot(i) for i in idxs if slot(i) not in end[0])
            end[1].extend((exact, *slot(i)) for exact, i in pairs)
        return trie

    def _slot(self, idx: int) -> tuple[int, int, int]:
        """Where an occurrence of entry ``idx`` goes: ``(facet index, rank,
        idx)``, rank 0 for an exclusion and 1 for a phrase."""
        fi, _, excl, _ = self.entries[idx]
        return fi, 0 if excl else 1, idx

    # -- matching ----------------------------------------------------------
    def scan(self, text: str, field: str | None = None) -> list[list[tuple[int, int, int, int]]]:
        """Occurrences per facet, unresolved: ``(start, -end, rank, entry
        index)`` where ``rank`` is 0 for an exclusion and 1 for a phrase (the
        order in which :func:`resolve` considers them). With ``field``,
        patterns of rules that do not count there are skipped."""
        out: list[list[tuple[int, int, int, int]]] = [[] for _ in FACETS]
        self.scan_into(text, field, out)
        return out

    def scan_into(self, text: str, field: str | None, out: list[Any]) -> None:
        """:meth:`scan` into ``out``: a list per facet, or, where
        :attr:`c_scans`, the C core's ``OccList`` per facet (the occurrences
        as C structs, which its ``TagCore`` reads)."""
        if not text:
            return
        if len(text) > MAX_FIELD_CHARS:
            text = text[:MAX_FIELD_CHARS]
        if self._automaton is not None:
            self._scan_automaton(text, out)
        elif self._trie:
            self._scan_trie(text, out)
        fast = self._fast_patterns
        if fast is not None:
            fast(text, self._c_patterns_for.get(field, self._c_patterns_for[None]), out)
            return
        patterns = self._patterns_for.get(field, self.patterns)
        if patterns:
            self._scan_patterns(text, patterns, out)

    @property
    def c_scans(self) -> bool:
        """Whether every scan of :meth:`scan_into` runs in the C core (the
        automaton and the patterns), so that ``out`` may hold ``OccList``s."""
        return (
            self._fast_patterns is not None
            and self._fast_scan is not None
            and _fastcore is not None
            and isinstance(self._automaton, _fastcore.Automaton)
        )

    def _scan_patterns(self, text: str, patterns: list[Any], out: list[list[tuple[int, int, int, int]]]) -> None:
        low = text.lower()
        aligned = len(low) == len(text)
        absent: set[str] = set()
        for lazy, idx, trigs, need, _fields, gate, width in patterns:
            if need:
                # A rare character of the literal first: one fast scan
                # rules out most patterns.
                if gate in absent:
                    continue
                if gate not in low:
                    absent.add(gate)
                    continue
                if need not in low:
                    continue
            rx = lazy.rx or lazy.compile()
            fi, rank, _ = self._slot(idx)
            dest = out[fi]
            if not trigs or not aligned:
                for m in rx.finditer(text):
                    if m.end() > m.start():
                        dest.append((m.start(), -m.end(), rank, idx))
                continue
            # Try the pattern only where one of its literal starts occurs, at
            # a word start (every pattern starts at a word boundary) and, when
            # its matches are at most ``width`` long, close enough before an
            # occurrence of its literal to contain it.
            windows = None
            if need and width:
                windows = []
                q = low.find(need)
                while q >= 0:
                    windows.append((max(0, q + len(need) - width), q))
                    q = low.find(need, q + 1)
            found: list[tuple[int, int]] = []
            tried: set[int] = set()
            for t in trigs:
                for lo, hi in windows if windows is not None else ((0, len(low)),):
                    pos = low.find(t, lo, hi + len(t))
                    while pos >= 0:
                        if pos not in tried and (not pos or not text[pos - 1].isalnum()):
                            tried.add(pos)
                            m = rx.match(text, pos)
                            if m is not None and m.end() > m.start():
                                found.append((m.start(), m.end()))
                        pos = low.find(t, pos + 1, hi + len(t))
            if found:
                found.sort()
                last = -1
                for start, end in found:  # non-overlapping, as finditer would give
                    if start >= last:
                        dest.append((start, -end, rank, idx))
                        last = end

    def _scan_automaton(self, text: str, out: list[list[tuple[int, int, int, int]]]) -> None:
        fast = self._fast_scan
        if fast is not None:
            fast(self._automaton, self._values, out, text, normalise, normalise_cased)
            return
        self._scan_automaton_python(text, out)

    def _scan_automaton_python(self, text: str, out: list[list[tuple[int, int, int, int]]]) -> None:
        # either automaton: iter() gives (end, value) for every word ending
        # at every position, longest first
        adds = [o.append for o in out]
        values = self._values
        for end, v in self._automaton.iter(" " + normalise(text) + " "):
            length, items, pairs = values[v]
            start = end - length + 1
            neg = 1 - end
            if len(items) == 1:
                fi, rank, idx = items[0]
                adds[fi]((start, neg, rank, idx))
            else:
                for fi, rank, idx in items:
                    adds[fi]((start, neg, rank, idx))
            if pairs:
                actual = normalise_cased(text[start:-neg])
                for exact, fi, rank, idx in pairs:
                    if actual == exact:
                        adds[fi]((start, neg, rank, idx))

    def _scan_trie(self, text: str, out: list[list[tuple[int, int, int, int]]]) -> None:
        toks = [(m.start(), m.end(), m.group()) for m in WORD_RE.finditer(normalise(text))]
        trie = self._trie
        assert trie is not None
        n = len(toks)

        def emit(end_node: list[Any], i: int, j: int, suffix: str) -> None:
            start, stop = toks[i][0], toks[j][1]
            for fi, rank, idx in end_node[0]:
                out[fi].append((start, -stop, rank, idx))
            if end_node[1]:
                actual = normalise_cased(text[start:stop])
                for exact, fi, rank, idx in end_node[1]:
                    if actual == exact + suffix:
                        out[fi].append((start, -stop, rank, idx))

        for i in range(n):
            node: dict[str, Any] | None = trie
            j = i
            while node is not None and j < n:
                if j > i and toks[j][0] - toks[j - 1][1] != 1:
                    break
                w = toks[j][2]
                for suffix in ("s", "es"):
                    if len(w) > len(suffix) and w.endswith(suffix):
                        pn = node.get(w[: -len(suffix)])
                        if pn is not None and "" in pn:
                            emit(pn[""], i, j, suffix)
                node = node.get(w)
                if node is None:
                    break
                if "" in node:
                    emit(node[""], i, j, "")
                j += 1


def resolve(occurrences: list[tuple[int, int, int, int]]):
    """Leftmost-longest selection of one facet's occurrences (as
    :meth:`Tables.scan` gives them); returns (kept positives, vetoed
    positives, chosen exclusions), each a list of ``(start, end, entry index)``."""
    if not occurrences:
        return [], [], []
    kept: list[tuple[int, int, int]] = []
    vetoed: list[tuple[int, int, int]] = []
    exclusions: list[tuple[int, int, int]] = []
    if len(occurrences) == 1:
        start, neg_end, rank, idx = occurrences[0]
        (kept if rank else exclusions).append((start, -neg_end, idx))
        return kept, vetoed, exclusions
    # By start, longest first, exclusions first, then entry.
    span_end = -1
    span_start = -1
    span_rank = 1
    for start, neg_end, rank, idx in sorted(set(occurrences)):
        end = -neg_end
        o = (start, end, idx)
        if start >= span_end:
            span_start, span_end, span_rank = start, end, rank
            (kept if rank else exclusions).append(o)
        elif start == span_start and end == span_end and rank == span_rank:
            (kept if rank else exclusions).append(o)  # the same text for another rule
        elif not span_rank and rank:
            vetoed.append(o)
    return kept, vetoed, exclusions


def resolve_kept(occurrences: list[tuple[int, int, int, int]]) -> tuple[list[tuple[int, int, int, int]], bool]:
    """The positives :func:`resolve` keeps (in its order and in the shape of
    :meth:`Tables.scan`), and whether any positive was vetoed."""
    if len(occurrences) == 1:
        return (occurrences, False) if occurrences[0][2] else ([], False)
    kept = []
    vetoed = False
    span_end = -1
    span_start = span_neg = 0
    span_rank = 1
    occurrences.sort()  # a repeated occurrence is kept twice: the same span counts once per label
    for o in occurrences:
        start, neg_end, rank, _ = o
        if start >= span_end:
            span_start, span_neg, span_rank = start, neg_end, rank
            span_end = -neg_end
            if rank:
                kept.append(o)
        elif rank:
            if start == span_start and neg_end == span_neg and span_rank:
                kept.append(o)
            elif not span_rank:
                vetoed = True
    return kept, vetoed
