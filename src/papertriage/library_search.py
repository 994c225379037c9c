"""Finding papers: :class:`~papertriage.query.Filters` as SQL, and full-text
search from what the user typed to an FTS5 query.

Filters become a :class:`Selection`: a ``FROM ... WHERE ...`` over the papers
that match, keyed by the paper's rowid, that means exactly what
:func:`papertriage.query.matches` means. It is driven by the most selective
index at hand: the full-text index for a search, else the tags index for a
facet filter (whose entries carry the paper id, so ``--format ids`` never
reads the papers table), else the papers table.

The user's text is split into words the way the index splits documents
(Unicode letters and digits, lower-cased, accents removed). Each word is
looked up in the library's vocabulary; a word the library does not know, or
knows only rarely while a close spelling is common, is widened with its
nearest spellings (``rapidfuzz`` edit distance over words of similar length
that share the first letter) and with its singular or plural. Every word
becomes a double-quoted FTS5 string, so quotes, ``*``, ``NEAR``,
parentheses, ``-`` and ``:`` in the user's text are never FTS5 syntax; the
whole expression is passed to SQLite as a bound parameter. Papers with every
word are searched first; when none has them all, papers with any of them.
Results are ranked by :data:`RANK`.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import UsageError
from .query import ClaimCondition, Filters
from .runtime import fastcore
from . import regexes

WORD_RE = regexes.compile(r"[^\W_]+")
MIN_CORRECTABLE = 4
"""Words shorter than this are never corrected (too many near neighbours)."""
MAX_CORRECTIONS = 2
COMMON_FACTOR = 20
"""A known word is still widened with a spelling that is this many times more frequent."""


def fold(text: str) -> str:
    """Lower-case and strip accents, as the index's tokenizer does."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The index words of ``text``, in order."""
    return WORD_RE.findall(fold(text))


_HAS_DIGIT = regexes.compile(r"\d").search


def vocabulary_words(texts: Iterable[str]) -> set[str]:
    """Words of ``texts`` worth keeping for typo correction (those without digits)."""
    fast = fastcore()
    if fast is None:
        return _vocabulary_words(texts)
    found: set[str] = set()
    rest = fast.ascii_words(list(texts), found)  # the C core reads the ASCII texts
    if rest:
        found |= _vocabulary_words(rest)
    return found


def _vocabulary_words(texts: Iterable[str]) -> set[str]:
    """:func:`vocabulary_words` in Python (the C core's twin for ASCII texts)."""
    chunks: set[str] = set()
    for text in texts:
        chunks.update(text.split())
    found: set[str] = set()
    findall = WORD_RE.findall
    for chunk in chunks:
        found.update(findall(fold(chunk)))
    return {w for w in found if not _HAS_DIGIT(w)}


def quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


@dataclass
class SearchPlan:
    """What a search will ask FTS5: one group of alternative spellings per word."""

    groups: list[list[str]]

    def all_words(self) -> str:
        """Every group must match (AND)."""
        return " AND ".join(self._group(g) for g in self.groups)

    def any_word(self) -> str:
        """Some group matches (OR); bm25 ranks papers with more words higher."""
        return " OR ".join(self._group(g) for g in self.groups)

    @staticmethod
    def _group(alternatives: list[str]) -> str:
        if len(alternatives) == 1:
            return quote(alternatives[0])
        return "(" + " OR ".join(quote(a) for a in alternatives) + ")"

    @property
    def alternatives(self) -> dict[str, list[str]]:
        """Each word the user typed that was widened, with the spellings added."""
        return {g[0]: g[1:] for g in self.groups if len(g) > 1}


def _doc_counts(conn: sqlite3.Connection, terms: Iterable[str]) -> dict[str, int]:
    terms = list(dict.fromkeys(terms))
    if not terms:
        return {}
    marks = ",".join("?" * len(terms))
    rows = conn.execute(f"SELECT term, doc FROM docs_vocab WHERE term IN ({marks})", terms)
    return {t: n for t, n in rows}


def max_edits(word: str) -> int:
    """Typos tolerated in a word: one up to seven letters, two beyond."""
    return 1 if len(word) < 8 else 2


def _neighbours(conn: sqlite3.Connection, word: str) -> list[str]:
    """Known words at the smallest edit distance from ``word`` (at most
    :func:`max_edits`; a swap of two neighbouring letters is one edit)."""
    n = len(word)
    edits = max_edits(word)
    candidates = [
        t
        for (t,) in conn.execute(
            "SELECT term FROM terms WHERE head = ? AND len BETWEEN ? AND ?",
            (word[0], n - edits, n + edits),
        )
        if t != word
    ]
    if not candidates:
        return []
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=edits, limit=20)
    if not found:
        return []
    best = found[0][1]
    return [m[0] for m in found if m[1] == best]


def _number_forms(word: str) -> list[str]:
    """The plural of a singular word, or the singular of a plural."""
    if len(word) < MIN_CORRECTABLE or any(c.isdigit() for c in word):
        return []
    if word.endswith("s"):
        return [word[:-1]] if not word.endswith("ss") else []
    return [word + "s"]


def plan(conn: sqlite3.Connection, text: str) -> SearchPlan:
    """The words of ``text``, each with its corrections and its other grammatical number."""
    groups: list[list[str]] = []
    seen: set[str] = set()
    for word in words(text):
        if word in seen:
            continue
        seen.add(word)
        group = [word]
        if len(word) >= MIN_CORRECTABLE and not any(c.isdigit() for c in word):
            near = _neighbours(conn, word)
            forms = _number_forms(word)
            counts = _doc_counts(conn, [word, *near, *forms])
            own = counts.get(word, 0)
            near.sort(key=lambda t: -counts.get(t, 0))
            for alt in near[:MAX_CORRECTIONS]:
                n = counts.get(alt, 0)
                if n and (own == 0 or n >= COMMON_FACTOR * own):
                    group.append(alt)
            extra = [f for w in group[1:] for f in _number_forms(w) if f not in group]
            if extra:
                counts.update(_doc_counts(conn, extra))
            for f in forms + extra:
                if counts.get(f, 0) and f not in group:
                    group.append(f)
        groups.append(group)
    return SearchPlan(groups)


def search_expression(conn: sqlite3.Connection, text: str) -> str | None:
    """The FTS5 expression for ``text``: all its words if some paper has them
    all, else any of them; ``None`` when the text has no words."""
    p = plan(conn, text)
    if not p.groups:
        return None
    expr = p.all_words()
    if len(p.groups) > 1:
        if conn.execute("SELECT 1 FROM docs_fts WHERE docs_fts MATCH ? LIMIT 1", (expr,)).fetchone() is None:
            expr = p.any_word()
    return expr


def title_only(expr: str) -> str:
    """``expr`` restricted to titles."""
    return "{title} : (" + expr + ")"


# ---------------------------------------------------------------------------
# filters as SQL

PAPER_SORTS = ("added", "id", "title", "date", "status", "rank")
"""Sort keys for papers; prefix ``-`` for descending (``-date``)."""
CLAIM_SORTS = ("value", "metric", "dataset", "id", "title", "added", "date", "status")
"""Sort keys for claim rows; prefix ``-`` for descending (``-value``)."""
RANK = "bm25(docs_fts, 4.0, 1.0)"
"""Relevance (lower is better): BM25 with a title match worth four abstract matches."""
_SQL_OPS = {"<=": "<=", ">=": ">=", "<": "<", ">": ">", "=": "=", "==": "=", "!=": "!="}
_STATUS_ORDER = "CASE p.status WHEN 'include' THEN 0 WHEN 'maybe' THEN 1 WHEN 'unread' THEN 2 ELSE 3 END"
FACET_FIELDS = ("modality", "task", "metric")


def parse_sort(sort: str | None, allowed: tuple[str, ...]) -> tuple[str | None, bool]:
    """``"-date"`` -> ``("date", True)``; unknown keys are usage errors."""
    if not sort:
        return None, False
    desc = sort.startswith("-")
    key = sort[1:] if desc else sort
    if key not in allowed:
        from rapidfuzz import process

        best = process.extractOne(key, list(allowed), score_cutoff=60)
        hint = f"; did you mean {best[0]!r}?" if best else ""
        raise UsageError(f"unknown sort {sort!r}{hint} (choose from {', '.join(allowed)}; prefix - to reverse)")
    return key, desc


def _sql_op(cond: ClaimCondition) -> str:
    try:
        return _SQL_OPS[cond.op]
    except KeyError:
        raise UsageError(f"invalid comparison {cond.op!r} in --claim {cond.text!r}") from None


def _marks(values: list[Any]) -> str:
    return ",".join("?" * len(values))


@dataclass
class Selection:
    """The papers a :class:`Filters` value selects, as SQL over one driving table.

    ``key`` is the expression of the paper's rowid; ``papers p`` is joined
    when a condition, a sort or the caller needs its columns.
    """

    source: str
    key: str
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    needs_papers: bool = False
    grouped: bool = False
    """The driving rows may repeat a paper (several labels of one facet)."""

    def from_clause(self, papers: bool = False) -> str:
        if self.source == "papers p" or not (papers or self.needs_papers):
            return self.source
        # CROSS JOIN keeps the driving table outside (SQLite never reorders it).
        return f"{self.source} CROSS JOIN papers p ON p.rowid = {self.key}"

    def id_expr(self, papers: bool = False) -> str:
        if self.source == "tags t" and not (papers or self.needs_papers):
            return "t.id"
        return "p.id"

    def where_clause(self) -> str:
        return (" WHERE " + " AND ".join(self.where)) if self.where else ""

    def group_clause(self) -> str:
        return f" GROUP BY {self.key}" if self.grouped else ""

    def keys_sql(self) -> str:
        """``SELECT <rowid> FROM ...``: every matching paper (for ``IN (...)``)."""
        return f"SELECT {self.key} FROM {self.from_clause()}{self.where_clause()}"

    def order_clause(self, key: str | None, desc: bool) -> tuple[str, bool]:
        """``ORDER BY`` text, and whether it reads ``papers p``."""
        d = " DESC" if desc else ""
        k = self.key
        if key in (None, "added"):
            return f"{k}{d}", False
        if key == "rank":
            return f"{RANK}{d}", False
        if key == "id":
            return f"{self.id_expr()}{d}", False
        if key == "title":
            return f"p.norm_title{d}, p.id", True
        if key == "date":
            return f"(p.date IS NULL OR p.date = ''), p.date{d}, {k}", True
        if key == "status":
            return f"{_STATUS_ORDER}{d}, {k}", True
        raise UsageError(f"unknown sort {key!r}")  # pragma: no cover - parse_sort checks


def select(conn: sqlite3.Connection, f: Filters, *, fts: str | None = None) -> Selection:
    """The :class:`Selection` for ``f`` (``fts``: the full-text expression of its search)."""
    tag_conds: list[tuple[str, list[str], bool]] = []
    for facet in FACET_FIELDS:
        wanted = getattr(f, facet)
        unwanted = getattr(f, "not_" + facet)
        if wanted:
            tag_conds.append((facet, list(dict.fromkeys(wanted)), False))
        if unwanted:
            tag_conds.append((facet, list(dict.fromkeys(unwanted)), True))
    positive = [c for c in tag_conds if not c[2]]

    if fts is not None:
        sel = Selection("docs_fts", "docs_fts.rowid", ["docs_fts MATCH ?"], [fts])
    elif positive:
        driver = positive[0]
        if len(positive) > 1:
            driver = min(positive, key=lambda c: _tag_count(conn, c[0], c[1]))
        tag_conds.remove(driver)
        facet, labels, _ = driver
        sel = Selection(
            "tags t",
            "t.paper",
            [f"t.facet = ? AND t.label IN ({_marks(labels)})"],
            [facet, *labels],
            grouped=len(labels) > 1,
        )
    else:
        sel = Selection("papers p", "p.rowid", needs_papers=True)
    # The unary + keeps SQLite from answering the full-text query once per
    # paper of a subquery instead of once.
    k = "+docs_fts.rowid" if fts is not None else sel.key
    for facet, labels, negate in tag_conds:
        if sel.source == "papers p":
            # Scanning every paper: one set of tagged papers, built once.
            sel.where.append(
                f"{k} {'NOT IN' if negate else 'IN'} (SELECT paper FROM tags WHERE facet = ? AND label IN ({_marks(labels)}))"
            )
        else:
            # Few driving rows: one index lookup each.
            sel.where.append(
                f"{'NOT ' if negate else ''}EXISTS (SELECT 1 FROM tags x WHERE x.facet = ? "
                f"AND x.label IN ({_marks(labels)}) AND x.paper = {k})"
            )
        sel.params += [facet, *labels]
    for cond in f.claim:
        sel.where.append(f"{k} IN (SELECT paper FROM claims WHERE metric = ? AND value {_sql_op(cond)} ?)")
        sel.params += [cond.metric, float(cond.value)]
    if f.dataset:
        ors = " OR ".join("instr(dataset_fold, ?) > 0" for _ in f.dataset)
        sel.where.append(f"{k} IN (SELECT paper FROM claims WHERE dataset_fold != '' AND ({ors}))")
        sel.params += [d.casefold() for d in f.dataset]
    if f.multimodal is not None:
        sel.where.append("p.multimodal = 1" if f.multimodal else "p.multimodal = 0")
        sel.needs_papers = True
    if f.status:
        statuses = list(dict.fromkeys(f.status))
        sel.where.append(f"p.status IN ({_marks(statuses)})")
        sel.params += statuses
        if "unread" not in statuses:
            sel.where.append("p.status != 'unread'")  # lets SQLite use the index of decided papers
        sel.needs_papers = True
    if f.has_code is not None:
        sel.where.append("p.has_code = 1" if f.has_code else "p.has_code = 0")
        sel.needs_papers = True
    if f.since:
        sel.where.append("p.date IS NOT NULL AND p.date != '' AND substr(p.date, 1, ?) >= ?")
        sel.params += [len(f.since), f.since]
        sel.needs_papers = True
    return sel


def _tag_count(conn: sqlite3.Connection, facet: str, labels: list[str]) -> int:
    row = conn.execute(f"SELECT count(*) FROM tags WHERE facet = ? AND label IN ({_marks(labels)})", [facet, *labels]).fetchone()
    return int(row[0])


def claim_conditions(f: Filters) -> tuple[list[str], list[Any]]:
    """Conditions on ``claims c`` that select the rows :func:`query.claim_rows` selects."""
    conds: list[str] = []
    params: list[Any] = []
    if f.metric:
        metrics = list(dict.fromkeys(f.metric))
        conds.append(f"c.metric IN ({_marks(metrics)})")
        params += metrics
    if f.dataset:
        ors = " OR ".join("instr(c.dataset_fold, ?) > 0" for _ in f.dataset)
        conds.append(f"(c.dataset_fold != '' AND ({ors}))")
        params += [d.casefold() for d in f.dataset]
    if f.claim:
        alts = []
        for cond in f.claim:
            alts.append(f"(c.metric = ? AND c.value {_sql_op(cond)} ?)")
            params += [cond.metric, float(cond.value)]
        if f.metric:
            with_cond = list(dict.fromkeys(cond.metric for cond in f.claim))
            alts.append(f"c.metric NOT IN ({_marks(with_cond)})")
            params += with_cond
        conds.append("(" + " OR ".join(alts) + ")")
    return conds, params


def claim_order(key: str | None, desc: bool) -> str:
    d = " DESC" if desc else ""
    if key is None or key == "added":
        return f"c.paper{d}, c.seq"
    if key == "value":
        return f"c.value{d}, c.paper, c.seq"
    if key == "metric":
        return f"c.metric{d}, c.value, c.paper, c.seq"
    if key == "dataset":
        return f"(c.dataset IS NULL OR c.dataset = ''), c.dataset_fold{d}, c.paper, c.seq"
    if key == "id":
        return f"p.id{d}, c.seq"
    if key == "title":
        return f"p.norm_title{d}, p.id, c.seq"
    if key == "date":
        return f"(p.date IS NULL OR p.date = ''), p.date{d}, c.paper, c.seq"
    if key == "status":
        return f"{_STATUS_ORDER}{d}, c.paper, c.seq"
    raise UsageError(f"unknown sort {key!r}")  # pragma: no cover - parse_sort checks
