"""The library: an embedded SQLite store of tagged papers and triage decisions.

One file, no set-up: :func:`default_path` unless ``--db`` or
``PAPERTRIAGE_DB`` says otherwise. The library runs in WAL mode (readers
never wait for a writer) and every change is one transaction: an import that
is killed at any moment leaves the library exactly as it was, and two
imports started together both land, one after the other.

Papers come in as :class:`~papertriage.models.Paper` objects and go out as
dicts in the JSONL shape of :func:`~papertriage.output.paper_to_dict`, plus
``status``, ``note`` and ``added``. Filters are the same
:class:`~papertriage.query.Filters` value that :func:`papertriage.query.matches`
applies in memory, translated to SQL with the same meaning.

Near-duplicates (same arXiv id or DOI under another id, equal normalised
titles, or titles whose ``fuzz.ratio`` or ``fuzz.token_sort_ratio`` is at
least :data:`TITLE_SIMILARITY`) are stored and linked to the paper they
repeat, never dropped; ``dedupe`` shows the groups and ``merge`` folds one.

Every problem SQLite reports (locked, read-only, disk full, not a library)
is raised as :class:`~papertriage.errors.LibraryError` with a one-line message.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar


from . import library_search
from .errors import LibraryError, NotFoundError, UsageError
from .ids import normalise_arxiv_id, normalise_title, title_hash
from .library_schema import APPLICATION_ID, SCHEMA_VERSION, migrate
from .library_search import (
    CLAIM_SORTS,
    PAPER_SORTS,
    RANK,
    claim_conditions,
    claim_order,
    parse_sort,
    search_expression,
    select,
    title_only,
)
from .models import Paper, Record, Source
from .packing import pack as _pack  # prepare()'s flag is named pack
from .packing import unpack
from .query import Filters, has_code
from .vocabulary import STATUSES

__all__ = [
    "AddResult",
    "DuplicateLink",
    "Library",
    "SEARCH_LIMIT",
    "PAPER_SORTS",
    "CLAIM_SORTS",
    "TITLE_SIMILARITY",
    "default_path",
]

TITLE_SIMILARITY = 95.0
"""Titles whose normalised forms score at least this (``fuzz.ratio`` or
``fuzz.token_sort_ratio``, 0-100) are near-duplicates."""
MIN_TITLE_CHARS = 16
"""Normalised titles shorter than this ("Introduction") never link papers."""
KEY_CHARS = 12
"""Papers are compared only with papers whose title (normalised, without
spaces) starts or ends with the same this-many characters."""
BLOCK_LIMIT = 200
"""A new paper is compared with at most this many papers (the latest) per
title key, so that a common title ending ("... for speech recognition")
does not make imports slow; equal titles are always found."""
SEARCH_LIMIT = 100
"""Results of a search ranked by relevance when no limit is given."""
BATCH = 2000
IMPORT_LOCK_WAIT = 600.0
"""Seconds an import waits for another import to finish before giving up."""
FTS_HASH_BYTES = 16 * 1024 * 1024
"""How much of the full-text index an import holds in memory before writing
it out as a segment (SQLite's default: 1 MiB). Fewer, larger segments mean
less merging: 40,000 papers were written in 4.3 s instead of 5.1 s (no gain
beyond 16 MiB). Stored in the library, as SQLite keeps it."""
FTS_AUTOMERGE = 16
"""How many segments of one size the full-text index gathers before merging
them into one (SQLite's default: 4). Fewer merges make an import faster (100,000
papers: 12.5 s to 11.3 s); a search reads a few more segments. Stored in the
library."""
CACHE_KIB = 65536
"""SQLite's page cache of a connection, in KiB (SQLite's default: 2 MiB)."""
IMPORT_CACHE_KIB = 131072
"""The page cache during an import. The indexes an import adds to at random
places (ids, title keys) outgrow 64 MiB near 1,000,000 papers: writing
100,000 tagged papers into a library of 900,000 took 7.0 s instead of 7.7 s
(256 MiB: 7.3 s), and the whole ``add`` 9.8 s instead of 10.2 s (medians of
six in turns). Only the pages an import reads or writes take memory, and
the cache is set back when it ends."""
IMPORT_SWITCH_INTERVAL = 0.0005
"""Seconds another thread may keep the interpreter lock, during an import,
after the writing thread asks for it back (Python's default: 0.005). The
writer lets go of the lock during every SQLite statement, and the thread
that reads the input takes it: at the default, the writer waited up to 5 ms
after each statement (100,000 papers into a library of 1,000,000: 13.4 to
14.8 s, 12.3 to 13.1 s at 0.5 ms)."""
PAGE_SIZE = 16384
"""Page size of a new library (SQLite's default: 4096). A paper's stored
document is about 2 KB: larger pages hold several, so the file is smaller and
an import writes less (20,000 papers: 85 MB and 2.9 s with 4 KB pages, 72 MB and
2.5 s). A library keeps the page size it was created with."""

DECISION_KEYS = ("status", "note", "history", "added")
"""Keys of a JSONL record that carry library state rather than paper data."""
_PAPER_KEYS = frozenset(
    {
        "id", "title", "abstract", "modality", "multimodal", "task", "metric", "claims", "urls",
        "source", "evidence", "no_abstract", "authors", "date", "categories", "doi", "arxiv_id",
        "rules_digest",
    }
)

T = TypeVar("T")


def default_path() -> Path:
    """``$PAPERTRIAGE_DB``, else ``$XDG_DATA_HOME/papertriage/library.db``
    (``~/.local/share/papertriage/library.db`` when XDG_DATA_HOME is unset)."""
    env = os.environ.get("PAPERTRIAGE_DB")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or ""
    root = Path(base).expanduser() if base.strip() else Path.home() / ".local" / "share"
    return root / "papertriage" / "library.db"


def utc_now() -> str:
    """The current time as an ISO 8601 UTC timestamp (``2024-05-01T12:00:00Z``)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class DuplicateLink:
    """A paper stored as a near-duplicate of another."""

    id: str
    duplicate_of: str
    reason: str
    """``same arXiv id 2301.12345``, ``same DOI ...``, ``same title`` or ``similar title (97)``."""


@dataclass
class AddResult:
    """What an import did. Every paper read is counted exactly once."""

    new: int = 0
    updated: int = 0
    """Known papers whose text, tags, claims or source changed."""
    unchanged: int = 0
    duplicates: int = 0
    """New papers stored and linked to a known paper (see ``links``)."""
    merged: int = 0
    """Papers skipped because they were merged into another one (``dedupe --merge``)."""
    kept: int = 0
    """Known papers left as stored because the input had no abstract for them
    and the library has one (an arXiv digest's "replaced" entries, exports
    of titles only): an abstract is never replaced by nothing."""
    links: list[DuplicateLink] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.duplicates + self.merged + self.kept


# ---------------------------------------------------------------------------
# errors


def _describe(exc: BaseException, path: Path, timeout: float) -> str:
    text = str(exc)
    low = text.lower()
    if "locked" in low or "busy" in low:
        return (
            f"library {path} is locked by another papertriage process (waited {round(timeout, 1):g} s); "
            "try again when it has finished"
        )
    if "readonly" in low or "read-only" in low or "read only" in low:
        return f"library {path} is read-only: check the permissions of the file and of its directory"
    if "disk is full" in low or "disk full" in low or "no space" in low:
        return f"disk full while writing library {path}; nothing was changed"
    if "not a database" in low or "malformed" in low or "encrypted" in low:
        return f"{path} is not a papertriage library or is damaged ({text})"
    if "unable to open" in low or "cannot open" in low:
        return f"cannot open library {path}: check that its directory exists and is writable"
    if "disk i/o" in low:
        return f"input/output error on library {path}; nothing was changed"
    return f"library {path}: {text}"


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Turn SQLite errors raised by ``method`` into :class:`LibraryError`."""

    @functools.wraps(method)
    def wrapper(self: "Library", *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise LibraryError(_describe(exc, self.path, self.timeout)) from None

    return wrapper


def _guarded_iter(method: Callable[..., Iterator[T]]) -> Callable[..., Iterator[T]]:
    """Like :func:`_guarded` for generators (errors surface while iterating)."""

    @functools.wraps(method)
    def wrapper(self: "Library", *args: Any, **kwargs: Any) -> Iterator[T]:
        try:
            yield from method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise LibraryError(_describe(exc, self.path, self.timeout)) from None

    return wrapper


def _did_you_mean(value: str, choices: Iterable[str]) -> str:
    from rapidfuzz import process

    best = process.extractOne(value, list(choices), score_cutoff=60)
    return f"; did you mean {best[0]!r}?" if best else ""


# ---------------------------------------------------------------------------
# preparing papers for storage


def _hash(*parts: bytes | str) -> int:
    h = hashlib.blake2b(digest_size=8)
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return int.from_bytes(h.digest(), "big", signed=True)


def _looks_arxiv(value: str) -> bool:
    return normalise_arxiv_id(value) == value


@dataclass
class _Item:
    """One paper, ready to be written."""

    id: str
    title: str
    abstract: str
    doc: bytes
    """JSON of the record without id, title and abstract (stored compressed, see :func:`papertriage.packing.pack`)."""
    doc_hash: int
    norm: str
    title_hash: int
    """:func:`~papertriage.ids.title_hash` of ``norm``."""
    head: str
    tail: str
    arxiv_id: str | None
    doi: str | None
    date: str | None
    multimodal: int
    has_code: int
    digest: str
    tags: list[tuple[str, str]]
    claims: list[tuple[Any, ...]]
    decisions: dict[str, Any]
    packed: bytes | None = None
    """``doc`` compressed, when a worker process has already done it."""
    words: set[str] | None = None
    """The vocabulary words (:func:`library_search.vocabulary_words`) of every
    paper of the batch a worker process prepared this one in, when it did: one
    set shared by the batch's items (pickled once), so that the writing
    process does not read the texts again."""

    def stored_doc(self) -> bytes:
        """``doc`` as stored (compressed)."""
        return self.packed if self.packed is not None else _pack(self.doc)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled (from a worker process to the writer) as the constructor's
        arguments, and without ``doc`` once it is packed (the writer stores
        ``packed``): a quarter of the time of a dataclass's default pickling,
        and 2.2 KB a paper instead of 5.4 KB (0.8 KB when the worker leaves out
        the title and abstract too, see :func:`papertriage.parallel._without_texts`)."""
        return (
            _Item,
            (
                self.id, self.title, self.abstract, b"" if self.packed is not None else self.doc, self.doc_hash,
                self.norm, self.title_hash, self.head, self.tail, self.arxiv_id, self.doi, self.date, self.multimodal,
                self.has_code, self.digest, self.tags, self.claims, self.decisions, self.packed, self.words,
            ),
        )


_SWITCH_LOCK = threading.Lock()
_imports_running = 0
"""Imports running in threads of this process."""
_switch_before = 0.005
"""The switch interval from before the first of them."""


@contextmanager
def _short_switch_interval() -> Iterator[None]:
    """:data:`IMPORT_SWITCH_INTERVAL` while an import runs; the interval from
    before the first of concurrent imports once the last ends."""
    global _imports_running, _switch_before
    with _SWITCH_LOCK:
        if _imports_running == 0:
            _switch_before = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_before, IMPORT_SWITCH_INTERVAL))
        _imports_running += 1
    try:
        yield
    finally:
        with _SWITCH_LOCK:
            _imports_running -= 1
            if _imports_running == 0:
                sys.setswitchinterval(_switch_before)


def _split_decisions(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d.pop(k) for k in DECISION_KEYS if k in d}


def prepare(paper: Paper, *, pack: bool = False) -> _Item:
    """A tagged paper in the form :meth:`Library.add` writes (worker
    processes prepare papers, with ``pack`` compressing the document too,
    so that the writing process only writes)."""
    import orjson

    from .output import paper_to_json_row

    rec = paper.record
    d = paper_to_json_row(paper)  # the evidence already JSON: the bytes of paper_to_dict's
    decisions = _split_decisions(d)
    code = has_code(d)
    del d["id"], d["title"], d["abstract"]
    doc = orjson.dumps(d)
    norm = normalise_title(rec.title)
    compact = norm.replace(" ", "")
    tags = [("modality", m) for m in dict.fromkeys(paper.modality)]
    tags += [("task", t) for t in dict.fromkeys(paper.task)]
    tags += [("metric", m) for m in dict.fromkeys(paper.metric)]
    claims = [
        (
            seq,
            c.metric,
            float(c.value),
            c.unit,
            c.kind,
            c.dataset,
            c.dataset.casefold() if c.dataset else None,
            c.text,
            c.start,
            c.end,
        )
        for seq, c in enumerate(paper.claims)
    ]
    arxiv = rec.arxiv_id or (rec.id if _looks_arxiv(rec.id) else None)
    return _Item(
        id=rec.id,
        title=rec.title,
        abstract=rec.abstract,
        doc=doc,
        doc_hash=_hash(rec.title, rec.abstract, doc),
        norm=norm,
        title_hash=title_hash(norm),
        head=compact[:KEY_CHARS],
        tail=compact[-KEY_CHARS:],
        arxiv_id=arxiv,
        doi=rec.doi.strip().lower() if rec.doi else None,
        date=rec.date,
        multimodal=int(bool(paper.multimodal)),
        has_code=int(code),
        digest=paper.rules_digest or "",
        tags=tags,
        claims=claims,
        decisions=decisions,
        packed=_pack(doc) if pack else None,
    )


def _load(doc: bytes) -> dict[str, Any]:
    """A stored ``doc`` (the JSONL record without id, title and abstract)."""
    import orjson

    return orjson.loads(unpack(doc))


def _record_from(row_id: str, arxiv_id: str | None, title: str, abstract: str, d: dict[str, Any]) -> Record:
    """Rebuild the record a stored paper was tagged from (for ``retag``)."""
    src = d.get("source") or {}
    arxiv = d.get("arxiv_id") or (arxiv_id if arxiv_id == row_id else None)
    return Record(
        id=row_id,
        title=title,
        abstract=abstract,
        source=Source(str(src.get("path", "")), int(src.get("line") or 0)),
        urls=tuple(d.get("urls") or ()),
        authors=tuple(d.get("authors") or ()),
        date=d.get("date"),
        categories=tuple(d.get("categories") or ()),
        doi=d.get("doi"),
        arxiv_id=arxiv,
        extra={k: v for k, v in d.items() if k not in _PAPER_KEYS},
    )


def _restored_history(decisions: dict[str, Any], now: str) -> tuple[str, str | None, list[tuple[str, str | None, str]]]:
    """Status, latest note and history rows carried by an exported record."""
    rows: list[tuple[str, str | None, str]] = []
    for h in decisions.get("history") or []:
        if isinstance(h, dict) and h.get("status") in STATUSES:
            note = h.get("note")
            rows.append((h["status"], note if isinstance(note, str) else None, str(h.get("at") or now)))
    status = decisions.get("status")
    note = decisions.get("note")
    note = note if isinstance(note, str) and note else None
    if status not in STATUSES:
        status = rows[-1][0] if rows else "unread"
    if not rows and (status != "unread" or note):
        rows.append((status, note, now))
    if note is None:
        note = next((n for _, n, _ in reversed(rows) if n), None)
    return status, note, rows


# ---------------------------------------------------------------------------
# the library


class Library:
    """A papertriage library file.

    ``path`` defaults to :func:`default_path`. A missing file is created
    (with its directories) unless ``create`` is false. A file that cannot be
    written is opened read-only; writing to it raises :class:`LibraryError`.
    ``timeout`` is how long (seconds) a statement waits for a lock.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        create: bool = True,
        readonly: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.path = Path(path).expanduser() if path else default_path()
        self.timeout = float(timeout)
        self._conn: sqlite3.Connection | None = None
        if self.path.is_dir():
            raise LibraryError(f"{self.path} is a directory, not a library file")
        if not self.path.exists():
            if not create or readonly:
                raise LibraryError(f"no library at {self.path} (create one with: papertriage add SOURCE)")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LibraryError(f"cannot create library directory {self.path.parent}: {exc.strerror or exc}") from None
            self._create()
        elif not readonly and not os.access(self.path, os.W_OK):
            readonly = True
        self.readonly = readonly
        try:
            self._open()
        except sqlite3.Error as exc:
            self.close()
            raise LibraryError(_describe(exc, self.path, self.timeout)) from None
        except BaseException:
            self.close()
            raise

    def _create(self) -> None:
        """Build a new library under a temporary name beside its path, then
        link it into place in one step: a process opening the path meanwhile
        finds no file or a complete library, never one being set up (two
        processes setting up one file at once could lock each other out),
        and of processes creating the same library at once, the first link
        wins and the others open it."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.new")
        try:
            conn = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("BEGIN IMMEDIATE")
                migrate(conn, 0)
                conn.execute("COMMIT")
            finally:
                conn.close()
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                pass  # created meanwhile by another process: that one is opened
            except OSError:  # a file system without hard links
                if not self.path.exists():
                    os.rename(tmp, self.path)
        except (OSError, sqlite3.Error) as exc:
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise LibraryError(
                f"cannot create library {self.path}: {detail} (check that {self.path.parent} is writable)"
            ) from None
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    os.unlink(f"{tmp}{suffix}")
                except OSError:
                    pass

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, must_exist: bool = False, readonly: bool = False) -> "Library":
        """The library at ``path`` (default: :func:`default_path`); with
        ``must_exist``, a missing file is an error instead of a new library."""
        return cls(path, create=not must_exist, readonly=readonly)

    # -- connection ------------------------------------------------------
    def _open(self) -> None:
        uri = "file:" + urllib.parse.quote(str(self.path.absolute()))
        if self.readonly:
            uri += "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=self.timeout, check_same_thread=False)
        self._conn = conn
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        # One statement, so one snapshot: another process may be creating the
        # library meanwhile (its tables and version land in one commit).
        version, app, tables = conn.execute(
            "SELECT (SELECT user_version FROM pragma_user_version), "
            "(SELECT application_id FROM pragma_application_id), (SELECT count(*) FROM sqlite_master)"
        ).fetchone()
        if app not in (0, APPLICATION_ID):
            raise LibraryError(f"{self.path} is an SQLite database of another application, not a papertriage library")
        if version > SCHEMA_VERSION:
            raise LibraryError(
                f"library {self.path} was written by a newer papertriage (schema version {version}; "
                f"this version reads up to {SCHEMA_VERSION}): upgrade papertriage to use it"
            )
        if version == 0 and tables:
            raise LibraryError(f"{self.path} is an SQLite database but not a papertriage library")
        if not self.readonly:
            if version == 0:  # an empty file (new libraries come from _create): only then can the page size be set
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA journal_size_limit = 67108864")
        conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
        conn.execute("PRAGMA temp_store = MEMORY")
        if version < SCHEMA_VERSION:
            if self.readonly:
                raise LibraryError(
                    f"library {self.path} needs upgrading to schema version {SCHEMA_VERSION} but is read-only"
                )
            with self._transaction():
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current < SCHEMA_VERSION:
                    migrate(conn, current)

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LibraryError(f"library {self.path} is closed")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:  # pragma: no cover - closing never matters
                pass
            self._conn = None

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Library({str(self.path)!r})"

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _check_writable(self) -> None:
        if self.readonly:
            raise LibraryError(f"library {self.path} is read-only: check the permissions of the file and of its directory")

    def _begin(self, wait: float) -> None:
        """``BEGIN IMMEDIATE``: take the write lock, waiting up to ``wait``
        seconds (at least ``timeout``) for another writer to finish."""
        conn = self.conn
        start = time.monotonic()
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                waited = time.monotonic() - start
                if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
                    raise
                if waited >= wait:
                    raise LibraryError(_describe(exc, self.path, max(waited, self.timeout))) from None

    @contextmanager
    def _transaction(self, wait: float = 0.0) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``); rolled back on any exception."""
        conn = self.conn
        self._begin(wait)
        try:
            yield conn
        except BaseException:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise

    # -- import ----------------------------------------------------------
    @_guarded
    def add(self, papers: Iterable[Paper | _Item], *, progress: Callable[[int], None] | None = None) -> AddResult:
        """Store ``papers`` in one transaction.

        A paper whose id is known is updated (text, tags, claims, evidence,
        digest) and keeps its decision, note and history, unless the record
        has no abstract and the stored paper has one: then it is left as
        stored (``kept``). One whose id is new is stored and, when it repeats
        a known paper, linked to it. Records
        read back from papertriage's own JSONL bring their ``status``,
        ``note`` and ``history`` (applied to new papers and to papers not yet
        triaged). ``progress(n)`` is called after each batch of ``n`` papers.
        """
        self._check_writable()
        result = AddResult()
        now = utc_now()
        state: dict[str, Any] = {"began": False}
        batch: list[_Item] = []
        import gc

        collecting = gc.isenabled()
        # An import makes no reference cycles, but many objects that live for
        # a batch: the cyclic collector would walk them again and again.
        gc.disable()
        try:
            with _short_switch_interval():
                return self._add(papers, progress, result, now, state, batch)
        finally:
            if collecting:
                gc.enable()
            if state["began"] and self._conn is not None:
                try:
                    self._conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
                except sqlite3.Error:  # pragma: no cover - a closed connection
                    pass

    def _add(
        self,
        papers: Iterable[Paper | _Item],
        progress: Callable[[int], None] | None,
        result: AddResult,
        now: str,
        state: dict[str, Any],
        batch: list[_Item],
    ) -> AddResult:
        try:
            for paper in papers:
                batch.append(paper if isinstance(paper, _Item) else prepare(paper))
                if len(batch) >= BATCH:
                    self._add_batch(batch, result, now, state)
                    if progress is not None:
                        progress(len(batch))
                    batch = []
            if batch or not state["began"]:
                self._add_batch(batch, result, now, state)
                if progress is not None and batch:
                    progress(len(batch))
        except BaseException:
            if state["began"]:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise
        if state["began"]:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                raise
        return result

    def _begin_import(self, state: dict[str, Any]) -> None:
        conn = self.conn
        self._begin(IMPORT_LOCK_WAIT)
        state["began"] = True
        conn.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
        state["next_rowid"] = (conn.execute("SELECT max(rowid) FROM papers").fetchone()[0] or 0) + 1
        # Only a merge makes aliases, and none can run during this transaction.
        state["aliases"] = conn.execute("SELECT 1 FROM aliases LIMIT 1").fetchone() is not None
        try:  # the full-text index's in-memory part and merging: see FTS_HASH_BYTES, FTS_AUTOMERGE
            conn.execute("INSERT INTO docs_fts(docs_fts, rank) VALUES ('hashsize', ?)", (FTS_HASH_BYTES,))
            conn.execute("INSERT INTO docs_fts(docs_fts, rank) VALUES ('automerge', ?)", (FTS_AUTOMERGE,))
        except sqlite3.OperationalError:  # an SQLite without the setting: its default
            pass

    def _add_batch(self, items: list[_Item], result: AddResult, now: str, state: dict[str, Any]) -> None:
        if not state["began"]:
            self._begin_import(state)
        if not items:
            return
        conn = self.conn
        # The last occurrence of an id within the batch wins.
        unique: dict[str, _Item] = {}
        repeats: list[tuple[_Item, _Item]] = []
        for it in items:
            prev = unique.get(it.id)
            if prev is not None:
                if not it.abstract.strip() and prev.abstract.strip():
                    result.kept += 1  # the earlier record, with its abstract, is stored
                    if it.decisions:  # with the later one's decisions, as across batches
                        prev.decisions = it.decisions
                    continue
                repeats.append((prev, it))
            unique[it.id] = it
        ids = list(unique)
        existing: dict[str, tuple[int, int, str]] = {}
        aliases: dict[str, str] = {}
        for chunk in _chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            for rowid, pid, h, status in conn.execute(
                f"SELECT rowid, id, doc_hash, status FROM papers WHERE id IN ({marks})", chunk
            ):
                existing[pid] = (rowid, h, status)
            if state["aliases"]:
                for alias, target in conn.execute(f"SELECT alias, id FROM aliases WHERE alias IN ({marks})", chunk):
                    aliases[alias] = target

        kept: set[str] = set()  # known papers with an abstract, read without one
        bare = [pid for pid, it in unique.items() if pid in existing and not it.abstract.strip()]
        for chunk in _chunks(bare, 900):
            kept.update(
                r[0]
                for r in conn.execute(
                    f"SELECT p.id FROM papers p JOIN docs d ON d.rowid = p.rowid "
                    f"WHERE p.id IN ({','.join('?' * len(chunk))}) AND d.abstract != ''",
                    chunk,
                )
            )

        fresh = [it for it in unique.values() if it.id not in existing and it.id not in aliases]
        links = self._find_duplicates(fresh)

        new_rows: list[_Item] = []
        changed: list[tuple[int, _Item]] = []
        restore: list[tuple[_Item, bool]] = []
        for it in unique.values():
            if it.id in aliases:
                result.merged += 1
                continue
            known = existing.get(it.id)
            if known is None:
                new_rows.append(it)
                link = links.get(it.id)
                if link is not None:
                    result.duplicates += 1
                    result.links.append(link)
                else:
                    result.new += 1
                if it.decisions:
                    restore.append((it, True))
            else:
                rowid, h, status = known
                if it.id in kept:
                    result.kept += 1
                elif h == it.doc_hash:
                    result.unchanged += 1
                else:
                    result.updated += 1
                    changed.append((rowid, it))
                if it.decisions and status == "unread":
                    restore.append((it, False))
        for prev, it in repeats:
            if prev.doc_hash == it.doc_hash:
                result.unchanged += 1
            else:
                result.updated += 1

        rowids: dict[str, int] = {}
        next_rowid = state["next_rowid"]
        for it in new_rows:
            rowids[it.id] = next_rowid
            next_rowid += 1
        state["next_rowid"] = next_rowid

        if new_rows:
            paper_rows = []
            for it in new_rows:
                link = links.get(it.id)
                paper_rows.append(
                    (
                        rowids[it.id], it.id, now, now, it.date, it.multimodal, it.has_code, it.arxiv_id, it.doi,
                        it.norm, it.title_hash, it.head, it.tail, it.digest, it.doc_hash,
                        link.duplicate_of if link else None, link.reason if link else None,
                    )
                )
            conn.executemany(
                "INSERT INTO papers(rowid, id, added, updated, date, multimodal, has_code, arxiv_id, doi, "
                "norm_title, title_hash, key_head, key_tail, rules_digest, doc_hash, duplicate_of, dup_reason) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                paper_rows,
            )
            conn.executemany(
                "INSERT INTO docs(rowid, title, abstract, doc) VALUES (?,?,?,?)",
                [(rowids[it.id], it.title, it.abstract, it.stored_doc()) for it in new_rows],
            )
            conn.executemany(
                "INSERT INTO docs_fts(rowid, title, abstract) VALUES (?,?,?)",
                [(rowids[it.id], it.title, it.abstract) for it in new_rows],
            )
        text_changed: list[_Item] = []
        if changed:
            old_text: dict[int, tuple[str, str]] = {}
            for chunk in _chunks([r for r, _ in changed], 900):
                marks = ",".join("?" * len(chunk))
                for rowid, title, abstract in conn.execute(
                    f"SELECT rowid, title, abstract FROM docs WHERE rowid IN ({marks})", chunk
                ):
                    old_text[rowid] = (title, abstract)
            conn.executemany(
                "UPDATE papers SET updated=?, date=?, multimodal=?, has_code=?, arxiv_id=?, doi=?, norm_title=?, "
                "title_hash=?, key_head=?, key_tail=?, rules_digest=?, doc_hash=? WHERE rowid=?",
                [
                    (now, it.date, it.multimodal, it.has_code, it.arxiv_id, it.doi, it.norm, it.title_hash, it.head,
                     it.tail, it.digest, it.doc_hash, rowid)
                    for rowid, it in changed
                ],
            )
            same = [(it.stored_doc(), rowid) for rowid, it in changed if old_text.get(rowid) == (it.title, it.abstract)]
            moved = [
                (it.title, it.abstract, it.stored_doc(), rowid)
                for rowid, it in changed
                if old_text.get(rowid) != (it.title, it.abstract)
            ]
            if same:
                conn.executemany("UPDATE docs SET doc=? WHERE rowid=?", same)
            if moved:
                conn.executemany(
                    "INSERT INTO docs_fts(docs_fts, rowid, title, abstract) VALUES ('delete', ?, ?, ?)",
                    [(rowid, *old_text[rowid]) for *_, rowid in moved if rowid in old_text],
                )
                conn.executemany("UPDATE docs SET title=?, abstract=?, doc=? WHERE rowid=?", moved)
                conn.executemany(
                    "INSERT INTO docs_fts(rowid, title, abstract) VALUES (?,?,?)",
                    [(rowid, title, abstract) for title, abstract, _, rowid in moved],
                )
            text_changed = [it for rowid, it in changed if old_text.get(rowid) != (it.title, it.abstract)]
            gone = [(rowid,) for rowid, _ in changed]
            conn.executemany("DELETE FROM tags WHERE paper=?", gone)
            conn.executemany("DELETE FROM claims WHERE paper=?", gone)
            for rowid, it in changed:
                rowids[it.id] = rowid
        written = new_rows + [it for _, it in changed]
        if written:
            conn.executemany(
                "INSERT INTO tags(facet, label, paper, id) VALUES (?,?,?,?)",
                [(facet, label, rowids[it.id], it.id) for it in written for facet, label in it.tags],
            )
            claim_rows = [(rowids[it.id], *c) for it in written for c in it.claims]
            if claim_rows:
                conn.executemany(
                    'INSERT INTO claims(paper, seq, metric, value, unit, kind, dataset, dataset_fold, text, start, "end") '
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    claim_rows,
                )
        known_terms: set[str] = state.setdefault("terms", set())
        stored = new_rows + text_changed
        vocab = library_search.vocabulary_words(t for it in stored if it.words is None for t in (it.title, it.abstract))
        for words in {id(it.words): it.words for it in stored if it.words is not None}.values():
            vocab |= words  # a worker's batch: words of some papers not stored here too, all indexed
        vocab -= known_terms
        known_terms |= vocab
        if vocab:
            conn.executemany(
                "INSERT OR IGNORE INTO terms(term, head, len) VALUES (?,?,?)",
                [(w, w[0], len(w)) for w in vocab],
            )
        for it, is_new in restore:
            self._restore_decisions(it, is_new, now)

    def _restore_decisions(self, it: _Item, is_new: bool, now: str) -> None:
        conn = self.conn
        if not is_new:
            has_history = conn.execute("SELECT 1 FROM history WHERE paper=? LIMIT 1", (it.id,)).fetchone()
            note = conn.execute("SELECT note FROM papers WHERE id=?", (it.id,)).fetchone()
            if has_history or (note and note[0]):
                return
        status, note, rows = _restored_history(it.decisions, now)
        if rows:
            conn.executemany(
                "INSERT INTO history(paper, status, note, at) VALUES (?,?,?,?)", [(it.id, *r) for r in rows]
            )
        added = it.decisions.get("added")
        if is_new and isinstance(added, str) and added:
            conn.execute("UPDATE papers SET status=?, note=?, added=? WHERE id=?", (status, note, added, it.id))
        else:
            conn.execute("UPDATE papers SET status=?, note=? WHERE id=?", (status, note, it.id))

    def _find_duplicates(self, fresh: list[_Item]) -> dict[str, DuplicateLink]:
        """Links from new papers to the known (or earlier new) papers they repeat."""
        if not fresh:
            return {}
        conn = self.conn
        by_arxiv: dict[str, tuple[str, str]] = {}
        by_doi: dict[str, tuple[str, str]] = {}
        by_title: dict[str, tuple[str, str]] = {}
        by_key: dict[str, list[tuple[str, str, str, int]]] = {}

        def remember(
            pid: str, root: str | None, norm: str, head: str, tail: str, arxiv: str | None, doi: str | None, order: int
        ) -> None:
            target = root or pid
            if arxiv:
                by_arxiv.setdefault(arxiv, (pid, target))
            if doi:
                by_doi.setdefault(doi, (pid, target))
            if len(norm) >= MIN_TITLE_CHARS:
                by_title.setdefault(norm, (pid, target))
                by_key.setdefault("h" + head, []).append((pid, target, norm, order))
                if tail != head:
                    by_key.setdefault("t" + tail, []).append((pid, target, norm, order))

        titled = [it for it in fresh if len(it.norm) >= MIN_TITLE_CHARS]
        arxivs = sorted({it.arxiv_id for it in fresh if it.arxiv_id})
        dois = sorted({it.doi for it in fresh if it.doi})
        hashes = sorted({it.title_hash for it in titled})
        cols = "id, duplicate_of, norm_title, key_head, key_tail, arxiv_id, doi, rowid"
        queries: list[tuple[str, list[Any]]] = []
        for chunk in _chunks(arxivs, 400):
            marks = ",".join("?" * len(chunk))
            queries.append((f"SELECT {cols} FROM papers WHERE arxiv_id IN ({marks}) OR id IN ({marks})", chunk + chunk))
        for chunk in _chunks(dois, 900):
            queries.append((f"SELECT {cols} FROM papers WHERE doi IN ({','.join('?' * len(chunk))})", chunk))
        for chunk in _chunks(hashes, 900):  # the first paper of each title (a shared hash: of each)
            marks = ",".join("?" * len(chunk))
            queries.append(
                (
                    f"SELECT {cols} FROM papers WHERE rowid IN "
                    f"(SELECT min(rowid) FROM papers WHERE title_hash IN ({marks}) GROUP BY norm_title)",
                    chunk,
                )
            )
        for column, keys in (("key_head", {it.head for it in titled}), ("key_tail", {it.tail for it in titled})):
            for chunk in _chunks(sorted(keys), 900):
                marks = ",".join("?" * len(chunk))
                # The keys known papers have, with how many: most keys of new
                # papers have none, and are not looked up again.
                big: set[str] = set()
                small: list[str] = []
                for key, n in conn.execute(
                    f"SELECT {column}, count(*) FROM papers WHERE {column} IN ({marks}) GROUP BY {column}", chunk
                ):
                    if n > BLOCK_LIMIT:
                        big.add(key)
                    else:
                        small.append(key)
                if small:
                    queries.append((f"SELECT {cols} FROM papers WHERE {column} IN ({','.join('?' * len(small))})", small))
                for k in sorted(big):
                    queries.append((f"SELECT {cols} FROM papers WHERE {column} = ? ORDER BY rowid DESC LIMIT ?", [k, BLOCK_LIMIT]))
        seen: set[str] = set()
        for sql, params in queries:
            for pid, root, norm, head, tail, arxiv, doi, rowid in conn.execute(sql, params):
                if pid in seen:
                    continue
                seen.add(pid)
                if arxiv is None and _looks_arxiv(pid):
                    arxiv = pid
                remember(pid, root, norm, head, tail, arxiv, doi, rowid)
        for known in by_key.values():  # oldest first: the latest are compared (see BLOCK_LIMIT)
            known.sort(key=_fourth)

        links: dict[str, DuplicateLink] = {}
        for it in fresh:  # stored after every known paper, in this order
            link = self._match(it, by_arxiv, by_doi, by_title, by_key)
            if link is not None:
                links[it.id] = link
            remember(it.id, link.duplicate_of if link else None, it.norm, it.head, it.tail, it.arxiv_id, it.doi, -1)
        return links

    @staticmethod
    def _match(
        it: _Item,
        by_arxiv: dict[str, tuple[str, str]],
        by_doi: dict[str, tuple[str, str]],
        by_title: dict[str, tuple[str, str]],
        by_key: dict[str, list[tuple[str, str, str, int]]],
    ) -> DuplicateLink | None:
        if it.arxiv_id:
            hit = by_arxiv.get(it.arxiv_id)
            if hit and hit[0] != it.id:
                return DuplicateLink(it.id, hit[1], f"same arXiv id {it.arxiv_id}")
        if it.doi:
            hit = by_doi.get(it.doi)
            if hit and hit[0] != it.id:
                return DuplicateLink(it.id, hit[1], f"same DOI {it.doi}")
        if len(it.norm) < MIN_TITLE_CHARS:
            return None
        hit = by_title.get(it.norm)
        if hit and it.id not in hit:
            return DuplicateLink(it.id, hit[1], "same title")
        candidates = [
            c
            for key in ("h" + it.head, "t" + it.tail)
            for c in by_key.get(key, ())[-BLOCK_LIMIT:]
            if it.id not in (c[0], c[1])
        ]
        if not candidates:
            return None
        from rapidfuzz import fuzz, process

        titles = [c[2] for c in candidates]
        best: tuple[float, str] | None = None
        for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
            # Only a better score than the first scorer's can change the
            # result: a higher cutoff lets the second one give up sooner.
            cutoff = TITLE_SIMILARITY if best is None else best[0]
            m = process.extractOne(it.norm, titles, scorer=scorer, score_cutoff=cutoff)
            if m is not None and (best is None or m[1] > best[0]):
                best = (m[1], candidates[m[2]][1])
        if best is not None:
            return DuplicateLink(it.id, best[1], f"similar title ({int(best[0])})")
        return None

    # -- queries ---------------------------------------------------------
    def search_plan(self, text: str) -> library_search.SearchPlan:
        """How ``text`` will be searched (its words and the spellings added), for messages."""
        return library_search.plan(self.conn, text)

    def _ordered(self, f: Filters, sort: str | None, limit: int | None) -> Iterable[tuple[int, str]]:
        """(rowid, id) of the matching papers, in order: a cursor, or the
        ranked search's generator."""
        key, desc = parse_sort(sort, PAPER_SORTS)
        if limit is not None and limit <= 0:
            return ()
        conn = self.conn
        fts = None
        if f.search and f.search.strip():
            fts = search_expression(conn, f.search)
            if fts is None:
                return ()
            if key in (None, "rank") and not desc:
                return self._ranked(f, fts, SEARCH_LIMIT if limit is None else limit)
        elif key == "rank":
            raise UsageError("--sort rank needs --search")
        sel = select(conn, f, fts=fts)
        order, needs_papers = sel.order_clause(key, desc)
        join = needs_papers or sel.source != "tags t"  # only tag rows carry the id
        sql = (
            f"SELECT {sel.key}, {sel.id_expr(join)} FROM {sel.from_clause(join)}"
            f"{sel.where_clause()}{sel.group_clause()} ORDER BY {order}"
        )
        params = list(sel.params)
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return conn.execute(sql, params)

    def _ranked(self, f: Filters, fts: str, n: int) -> Iterator[tuple[int, str]]:
        """The ``n`` most relevant papers: those with every word in the title
        first, each group ranked by bm25 (title weighted higher)."""
        conn = self.conn
        seen: set[int] = set()
        for expr in (title_only(fts), fts):
            sel = select(conn, f, fts=expr)
            inner = (
                f"SELECT {sel.key} AS k, {RANK} AS r FROM {sel.from_clause()}{sel.where_clause()} "
                "ORDER BY r LIMIT ?"
            )
            sql = f"SELECT h.k, p.id FROM ({inner}) h JOIN papers p ON p.rowid = h.k ORDER BY h.r"
            for rowid, pid in conn.execute(sql, [*sel.params, n]):
                if rowid in seen:
                    continue
                seen.add(rowid)
                yield rowid, pid
                if len(seen) >= n:
                    return

    @_guarded_iter
    def query(self, filters: Filters | None = None, *, sort: str | None = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
        """Papers matching ``filters`` as JSONL dicts plus ``status``, ``note``, ``added``
        and, for papers with decisions, ``history``.

        Order: import order, or relevance for a search (the top
        :data:`SEARCH_LIMIT` unless ``limit`` says otherwise); ``sort`` is one
        of :data:`PAPER_SORTS`, ``-`` prefix for descending.
        """
        conn = self.conn
        pairs = iter(self._ordered(filters or Filters(), sort, limit))
        while True:
            chunk = [k for k, _ in _take(pairs, 256)]
            if not chunk:
                return
            rows = {
                r[0]: r
                for r in conn.execute(
                    "SELECT p.rowid, p.id, d.title, d.abstract, d.doc, p.status, p.note, p.added "
                    f"FROM papers p JOIN docs d ON d.rowid = p.rowid WHERE p.rowid IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
            }
            decided = [r[1] for r in rows.values() if r[5] != "unread" or r[6]]
            history: dict[str, list[dict[str, Any]]] = {}
            if decided:
                for pid, s_, n_, at in conn.execute(
                    f"SELECT paper, status, note, at FROM history WHERE paper IN ({','.join('?' * len(decided))}) ORDER BY seq",
                    decided,
                ):
                    history.setdefault(pid, []).append({"status": s_, "note": n_, "at": at})
            for k in chunk:
                _, pid, title, abstract, doc, status, note, added = rows[k]
                out = {"id": pid, "title": title, "abstract": abstract}
                out.update(_load(doc))
                out["status"] = status
                out["note"] = note
                out["added"] = added
                if pid in history:
                    out["history"] = history[pid]
                yield out

    @_guarded_iter
    def query_ids(self, filters: Filters | None = None, *, sort: str | None = None, limit: int | None = None) -> Iterator[str]:
        """The ids :meth:`query` would yield, in the same order; a facet filter
        is answered from the tags index alone."""
        for chunk in self.query_id_chunks(filters, sort=sort, limit=limit):
            yield from chunk

    @_guarded_iter
    def query_id_chunks(
        self, filters: Filters | None = None, *, sort: str | None = None, limit: int | None = None, size: int = 4096
    ) -> Iterator[list[str]]:
        """:meth:`query_ids` in lists of up to ``size`` ids (fetched a list at a time)."""
        pairs = self._ordered(filters or Filters(), sort, limit)
        fetch = getattr(pairs, "fetchmany", None)
        if fetch is None:
            pairs = iter(pairs)
            fetch = lambda n: _take(pairs, n)  # noqa: E731
        while rows := fetch(size):
            yield [pid for _, pid in rows]

    @_guarded_iter
    def claims(self, filters: Filters | None = None, *, sort: str | None = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
        """Claim rows ``{id, title, metric, value, unit, kind, dataset, text}``
        of the papers matching ``filters``, selected as :func:`query.claim_rows`
        selects them. ``sort`` is one of :data:`CLAIM_SORTS` (``-value`` for
        highest first); by default papers in import order, claims in text order."""
        f = filters or Filters()
        key, desc = parse_sort(sort, CLAIM_SORTS)
        if limit is not None and limit <= 0:
            return
        conn = self.conn
        fts = None
        if f.search and f.search.strip():
            fts = search_expression(conn, f.search)
            if fts is None:
                return
        sel = select(conn, f, fts=fts)
        where, params = claim_conditions(f)
        if sel.where:
            where.insert(0, f"c.paper IN ({sel.keys_sql()})")
            params = sel.params + params
        sql = (
            "SELECT p.id, d.title, c.metric, c.value, c.unit, c.kind, c.dataset, c.text "
            "FROM claims c JOIN papers p ON p.rowid = c.paper JOIN docs d ON d.rowid = c.paper"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY " + claim_order(key, desc)
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        names = ("id", "title", "metric", "value", "unit", "kind", "dataset", "text")
        for row in conn.execute(sql, params):
            yield dict(zip(names, row))

    def _selection(self, f: Filters):
        """The selection for ``f`` (search unranked), or ``None`` when nothing can match."""
        fts = None
        if f.search and f.search.strip():
            fts = search_expression(self.conn, f.search)
            if fts is None:
                return None
        return select(self.conn, f, fts=fts)

    @_guarded
    def count(self, filters: Filters | None = None) -> int:
        """How many papers the library holds (that match ``filters``; a search counts every match)."""
        f = filters or Filters()
        if f.is_empty():
            return int(self.conn.execute("SELECT count(*) FROM papers").fetchone()[0])
        sel = self._selection(f)
        if sel is None:
            return 0
        if sel.grouped:
            sql = f"SELECT count(*) FROM ({sel.keys_sql()}{sel.group_clause()})"
        else:
            sql = f"SELECT count(*) FROM {sel.from_clause()}{sel.where_clause()}"
        return int(self.conn.execute(sql, sel.params).fetchone()[0])

    @_guarded
    def stats(self, filters: Filters | None = None) -> dict[str, dict[str, int]]:
        """Counts per label for ``modality``, ``task``, ``metric`` and
        ``status`` (most frequent first; every status is listed) and
        ``total``: ``{"papers", "multimodal", "has_code"}``."""
        f = filters or Filters()
        conn = self.conn
        out: dict[str, dict[str, int]] = {
            "total": {"papers": 0, "multimodal": 0, "has_code": 0},
            "modality": {},
            "task": {},
            "metric": {},
            "status": {s: 0 for s in ("include", "maybe", "exclude", "unread")},
        }
        total = out["total"]
        if f.is_empty():
            for facet, labels in self.labels().items():
                for label in labels:
                    n = conn.execute("SELECT count(*) FROM tags WHERE facet = ? AND label = ?", (facet, label)).fetchone()[0]
                    out.setdefault(facet, {})[label] = n
            total["papers"] = int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
            total["multimodal"] = int(conn.execute("SELECT count(*) FROM papers WHERE multimodal = 1").fetchone()[0])
            total["has_code"] = int(conn.execute("SELECT count(*) FROM papers WHERE has_code = 1").fetchone()[0])
            decided = 0
            for status, n in conn.execute("SELECT status, count(*) FROM papers WHERE status != 'unread' GROUP BY status"):
                out["status"][status] = n
                decided += n
            out["status"]["unread"] = total["papers"] - decided
        else:
            sel = self._selection(f)
            if sel is None:
                return out
            sub = f"SELECT DISTINCT {sel.key} AS k FROM {sel.from_clause()}{sel.where_clause()}"
            for facet, label, n in conn.execute(
                f"SELECT x.facet, x.label, count(*) FROM ({sub}) s CROSS JOIN tags x INDEXED BY tags_paper "
                "ON x.paper = s.k GROUP BY x.facet, x.label",
                sel.params,
            ):
                out.setdefault(facet, {})[label] = n
            for status, n, mm, code in conn.execute(
                f"SELECT q.status, count(*), sum(q.multimodal), sum(q.has_code) FROM ({sub}) s "
                "CROSS JOIN papers q ON q.rowid = s.k GROUP BY q.status",
                sel.params,
            ):
                out["status"][status] = out["status"].get(status, 0) + n
                total["papers"] += n
                total["multimodal"] += mm or 0
                total["has_code"] += code or 0
        for facet in ("modality", "task", "metric"):
            out[facet] = dict(sorted(out[facet].items(), key=lambda kv: (-kv[1], kv[0])))
        return out

    # -- single papers ---------------------------------------------------
    @_guarded
    def resolve(self, id_or_prefix: str) -> str:
        """The id of the paper that ``id_or_prefix`` names: an id, an id merged
        into another paper, an arXiv id in any spelling, or a unique prefix."""
        text = (id_or_prefix or "").strip()
        if not text:
            raise NotFoundError("empty paper id")
        conn = self.conn
        tries = [text]
        arxiv = normalise_arxiv_id(text)
        if arxiv and arxiv not in tries:
            tries.append(arxiv)
        if text.lower() not in tries:
            tries.append(text.lower())
        for t in tries:
            if conn.execute("SELECT 1 FROM papers WHERE id = ?", (t,)).fetchone():
                return t
            row = conn.execute("SELECT id FROM aliases WHERE alias = ?", (t,)).fetchone()
            if row:
                return row[0]
        for t in dict.fromkeys([text, text.lower()]):
            upper = t[:-1] + chr(ord(t[-1]) + 1)
            found = [
                r[0]
                for r in conn.execute("SELECT id FROM papers WHERE id >= ? AND id < ? ORDER BY id LIMIT 6", (t, upper))
            ]
            if len(found) == 1:
                return found[0]
            if found:
                shown = ", ".join(found[:5])
                more = " ..." if len(found) > 5 else ""
                raise NotFoundError(f"ambiguous id prefix {text!r}: matches {shown}{more}; type more characters")
        raise NotFoundError(f"no paper with id or prefix {text!r} in {self.path}")

    @_guarded
    def get(self, id_or_prefix: str) -> dict[str, Any]:
        """One paper in full: the JSONL dict plus ``status``, ``note``,
        ``added``, ``history`` (``[{status, note, at}]``, oldest first) and,
        for a near-duplicate, ``duplicate_of`` and ``duplicate_reason``."""
        pid = self.resolve(id_or_prefix)
        row = self.conn.execute(
            "SELECT d.title, d.abstract, d.doc, p.status, p.note, p.added, p.duplicate_of, p.dup_reason "
            "FROM papers p JOIN docs d ON d.rowid = p.rowid WHERE p.id = ?",
            (pid,),
        ).fetchone()
        title, abstract, doc, status, note, added, dup, reason = row
        out: dict[str, Any] = {"id": pid, "title": title, "abstract": abstract}
        out.update(_load(doc))
        out["status"] = status
        out["note"] = note
        out["added"] = added
        out["history"] = self._history(pid)
        if dup:
            out["duplicate_of"] = dup
            out["duplicate_reason"] = reason
        return out

    def _history(self, pid: str) -> list[dict[str, Any]]:
        return [
            {"status": s, "note": n, "at": at}
            for s, n, at in self.conn.execute("SELECT status, note, at FROM history WHERE paper = ? ORDER BY seq", (pid,))
        ]

    # -- triage ----------------------------------------------------------
    @_guarded
    def mark(self, ids: Iterable[str], status: str, note: str | None = None) -> list[str]:
        """Set the status of each paper (ids or unique prefixes); returns the
        resolved ids. A history row (UTC timestamp) is written for every paper
        whose status changes or that gets a note; ``note`` becomes the paper's
        latest note (without one, the previous note stays)."""
        if status not in STATUSES:
            raise UsageError(f"unknown status {status!r}{_did_you_mean(status, STATUSES)} (choose from {', '.join(STATUSES)})")
        self._check_writable()
        resolved = self._resolve_many(ids)
        note = note if note else None
        now = utc_now()
        with self._transaction():
            conn = self.conn
            current: dict[str, str] = {}
            for chunk in _chunks(resolved, 900):
                marks = ",".join("?" * len(chunk))
                current.update(conn.execute(f"SELECT id, status FROM papers WHERE id IN ({marks})", chunk).fetchall())
            missing = [pid for pid in resolved if pid not in current]
            if missing:
                raise NotFoundError(f"no paper with id {missing[0]!r} in {self.path}")
            todo = [pid for pid in resolved if note is not None or current[pid] != status]
            conn.executemany(
                "INSERT INTO history(paper, status, note, at) VALUES (?,?,?,?)", [(pid, status, note, now) for pid in todo]
            )
            if note is None:
                conn.executemany("UPDATE papers SET status = ? WHERE id = ?", [(status, pid) for pid in todo])
            else:
                conn.executemany("UPDATE papers SET status = ?, note = ? WHERE id = ?", [(status, note, pid) for pid in todo])
        return resolved

    def _resolve_many(self, ids: Iterable[str]) -> list[str]:
        """:meth:`resolve` for many ids (exact ids looked up in bulk), without repeats."""
        wanted = list(dict.fromkeys(ids))
        known: set[str] = set()
        for chunk in _chunks(wanted, 900):
            marks = ",".join("?" * len(chunk))
            known.update(r[0] for r in self.conn.execute(f"SELECT id FROM papers WHERE id IN ({marks})", chunk))
        return list(dict.fromkeys(i if i in known else self.resolve(i) for i in wanted))

    @_guarded
    def dedupe_groups(self) -> list[list[dict[str, Any]]]:
        """Groups of near-duplicates: the first paper of a group is the one
        the others were linked to. Each entry: ``id``, ``title``, ``status``,
        ``note``, ``added``, ``source``, ``duplicate_of`` and ``reason``."""
        conn = self.conn
        sql = (
            "SELECT p.id, d.title, p.status, p.note, p.added, d.doc, p.duplicate_of, p.dup_reason, p.rowid "
            "FROM papers p JOIN docs d ON d.rowid = p.rowid "
        )
        members: dict[str, list[dict[str, Any]]] = {}
        linked = sorted(conn.execute(sql + "WHERE p.duplicate_of IS NOT NULL"), key=lambda r: r[8])
        for row in linked:
            members.setdefault(row[6], []).append(_group_entry(row))
        if not members:
            return []
        roots: dict[str, tuple[int, dict[str, Any]]] = {}
        for chunk in _chunks(list(members), 900):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(sql + f"WHERE p.id IN ({marks})", chunk):
                roots[row[0]] = (row[8], _group_entry(row))
        groups = []
        for root, dups in members.items():
            head = roots.get(root)
            order = head[0] if head else 0
            groups.append((order, ([head[1]] if head else []) + dups))
        groups.sort(key=lambda g: g[0])
        return [g for _, g in groups]

    @_guarded
    def merge(self, group_ids: Iterable[str], keep: str | None = None) -> str:
        """Fold papers into one: ``keep`` (default: the first) stays, the others
        are removed and become aliases of it; their history moves to it, and its
        status and note become those of the latest decision in the group.
        Returns the id kept."""
        self._check_writable()
        ids = self._resolve_many(group_ids)
        kept = self.resolve(keep) if keep else (ids[0] if ids else None)
        if kept is None:
            raise UsageError("nothing to merge")
        others = [i for i in ids if i != kept]
        if not others:
            return kept
        with self._transaction():
            conn = self.conn
            marks = ",".join("?" * len(others))
            rowids = [r[0] for r in conn.execute(f"SELECT rowid FROM papers WHERE id IN ({marks})", others)]
            conn.execute(f"UPDATE history SET paper = ? WHERE paper IN ({marks})", [kept, *others])
            conn.execute(f"UPDATE aliases SET id = ? WHERE id IN ({marks})", [kept, *others])
            conn.executemany("INSERT OR REPLACE INTO aliases(alias, id) VALUES (?, ?)", [(o, kept) for o in others])
            conn.execute(f"UPDATE papers SET duplicate_of = ? WHERE duplicate_of IN ({marks})", [kept, *others])
            conn.execute(
                "UPDATE papers SET duplicate_of = NULL, dup_reason = NULL WHERE id = ? AND duplicate_of = ?", (kept, kept)
            )
            rmarks = ",".join("?" * len(rowids))
            conn.execute(
                "INSERT INTO docs_fts(docs_fts, rowid, title, abstract) "
                f"SELECT 'delete', rowid, title, abstract FROM docs WHERE rowid IN ({rmarks})",
                rowids,
            )
            for table, col in (("tags", "paper"), ("claims", "paper"), ("docs", "rowid"), ("papers", "rowid")):
                conn.execute(f"DELETE FROM {table} WHERE {col} IN ({rmarks})", rowids)
            last = conn.execute(
                "SELECT status FROM history WHERE paper = ? ORDER BY at DESC, seq DESC LIMIT 1", (kept,)
            ).fetchone()
            note = conn.execute(
                "SELECT note FROM history WHERE paper = ? AND note IS NOT NULL AND note != '' "
                "ORDER BY at DESC, seq DESC LIMIT 1",
                (kept,),
            ).fetchone()
            if last is not None:
                conn.execute(
                    "UPDATE papers SET status = ?, note = coalesce(?, note) WHERE id = ?",
                    (last[0], note[0] if note else None, kept),
                )
        return kept

    # -- rules -----------------------------------------------------------
    @_guarded
    def stale_count(self, current_digest: str) -> int:
        """Papers tagged with rules other than ``current_digest``."""
        row = self.conn.execute(
            "SELECT (SELECT count(*) FROM papers WHERE rules_digest < ?1) + "
            "(SELECT count(*) FROM papers WHERE rules_digest > ?1)",
            (current_digest,),
        ).fetchone()
        return int(row[0])

    @_guarded
    def labels(self) -> dict[str, list[str]]:
        """The labels papers in the library carry, per facet (``modality``,
        ``task``, ``metric``), sorted; read from the index, one seek per label."""
        out: dict[str, list[str]] = {"modality": [], "task": [], "metric": []}
        conn = self.conn
        row = conn.execute("SELECT facet, label FROM tags ORDER BY facet, label LIMIT 1").fetchone()
        while row is not None:
            facet, label = row
            out.setdefault(facet, []).append(label)
            row = conn.execute(
                "SELECT facet, label FROM tags WHERE facet = ? AND label > ? ORDER BY facet, label LIMIT 1", row
            ).fetchone() or conn.execute(
                "SELECT facet, label FROM tags WHERE facet > ? ORDER BY facet, label LIMIT 1", (facet,)
            ).fetchone()
        return out

    @_guarded
    def retag(self, tagger: Any, progress: Callable[[int], None] | None = None, *, only_stale: bool = False) -> int:
        """Tag every stored paper again with ``tagger`` (from its stored title,
        abstract and source data), in one transaction; decisions are kept.
        With ``only_stale``, only papers tagged by other rules. Returns how
        many papers' tags, claims or evidence changed."""
        import orjson

        self._check_writable()
        digest = getattr(tagger, "digest", "")
        changed = 0
        now = utc_now()
        with self._transaction():
            conn = self.conn
            last = 0
            where = "p.rowid > ?" + (" AND p.rules_digest != ?" if only_stale else "")
            while True:
                params: list[Any] = [last] + ([digest] if only_stale else [])
                rows = conn.execute(
                    "SELECT p.rowid, p.id, p.arxiv_id, d.title, d.abstract, d.doc FROM papers p "
                    f"JOIN docs d ON d.rowid = p.rowid WHERE {where} ORDER BY p.rowid LIMIT {BATCH}",
                    params,
                ).fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                updates = []
                for rowid, pid, arxiv, title, abstract, doc in rows:
                    old = _load(doc)
                    paper = tagger.tag(_record_from(pid, arxiv, title, abstract, old))
                    it = prepare(paper)
                    new = orjson.loads(it.doc)
                    if new == old:
                        continue
                    if any(old.get(k) != new.get(k) for k in ("modality", "multimodal", "task", "metric", "claims", "evidence")):
                        changed += 1
                    updates.append((rowid, it))
                if updates:
                    conn.executemany(
                        "UPDATE papers SET multimodal=?, has_code=?, rules_digest=?, doc_hash=?, updated=? WHERE rowid=?",
                        [(it.multimodal, it.has_code, it.digest, it.doc_hash, now, rowid) for rowid, it in updates],
                    )
                    conn.executemany("UPDATE docs SET doc=? WHERE rowid=?", [(_pack(it.doc), rowid) for rowid, it in updates])
                    gone = [(rowid,) for rowid, _ in updates]
                    conn.executemany("DELETE FROM tags WHERE paper=?", gone)
                    conn.executemany("DELETE FROM claims WHERE paper=?", gone)
                    conn.executemany(
                        "INSERT INTO tags(facet, label, paper, id) VALUES (?,?,?,?)",
                        [(facet, label, rowid, it.id) for rowid, it in updates for facet, label in it.tags],
                    )
                    conn.executemany(
                        'INSERT INTO claims(paper, seq, metric, value, unit, kind, dataset, dataset_fold, text, start, "end") '
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        [(rowid, *c) for rowid, it in updates for c in it.claims],
                    )
                if progress is not None:
                    progress(len(rows))
        return changed


def _group_entry(row: tuple[Any, ...]) -> dict[str, Any]:
    pid, title, status, note, added, doc, dup, reason, _ = row
    return {
        "id": pid,
        "title": title,
        "status": status,
        "note": note,
        "added": added,
        "source": _load(doc).get("source"),
        "duplicate_of": dup,
        "reason": reason,
    }


def _chunks(items: list[T], n: int) -> Iterator[list[T]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


_fourth = itemgetter(3)


def _take(items: Iterator[T], n: int) -> list[T]:
    out = []
    for item in items:
        out.append(item)
        if len(out) >= n:
            break
    return out
