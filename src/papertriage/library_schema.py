"""The library's SQLite schema and the migrations that build it.

The schema version is ``PRAGMA user_version``: version *n* means the first
*n* steps of :data:`MIGRATIONS` have been applied. A new release that changes
the schema appends a step; it never edits a released one. Opening a library
applies the missing steps in one transaction; a library written by a newer
release (a higher version than :data:`SCHEMA_VERSION`) is refused.

Tables (``papers.rowid`` is the internal key that joins them):

``papers``
    One slim row per paper: the id, the triage decision, and the columns that
    filters, sorting and duplicate detection read.
``docs``
    The heavy part: title, abstract (the content of the full-text index) and
    ``doc``, the rest of the paper's JSONL record as compressed JSON (see
    :mod:`papertriage.packing`: Zstandard with a dictionary, or zlib).
``tags``
    One row per (facet, label, paper) for modality, task and metric, with
    the paper's id, so that a facet filter is answered from this table alone.
``claims``
    One row per claimed number.
``history``
    Every triage decision, oldest first.
``aliases``
    Ids of papers merged into another one (``dedupe --merge``).
``docs_fts`` / ``docs_vocab``
    FTS5 index over title and abstract (external content: ``docs``; the
    library writes both in the same statements batch, which is several
    times faster than triggers) and its vocabulary; ``terms`` lists the
    indexed words for typo correction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

APPLICATION_ID = 0x50545247
"""``PRAGMA application_id`` of a papertriage library ("PTRG")."""


def _run(conn: sqlite3.Connection, script: str) -> None:
    """Execute each statement of ``script`` inside the caller's transaction
    (``executescript`` would commit it)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        conn.execute(pending)


def _core(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE papers (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL DEFAULT 'unread',
            note TEXT,
            added TEXT NOT NULL,
            updated TEXT NOT NULL,
            date TEXT,
            multimodal INTEGER NOT NULL DEFAULT 0,
            has_code INTEGER NOT NULL DEFAULT 0,
            arxiv_id TEXT,
            doi TEXT,
            norm_title TEXT NOT NULL,
            key_head TEXT NOT NULL,
            key_tail TEXT NOT NULL,
            rules_digest TEXT NOT NULL DEFAULT '',
            doc_hash INTEGER NOT NULL,
            duplicate_of TEXT,
            dup_reason TEXT
        );
        CREATE INDEX papers_status ON papers(status) WHERE status != 'unread';
        CREATE INDEX papers_arxiv ON papers(arxiv_id) WHERE arxiv_id IS NOT NULL;
        CREATE INDEX papers_doi ON papers(doi) WHERE doi IS NOT NULL;
        CREATE INDEX papers_norm_title ON papers(norm_title);
        CREATE INDEX papers_key_head ON papers(key_head);
        CREATE INDEX papers_key_tail ON papers(key_tail);
        CREATE INDEX papers_duplicate_of ON papers(duplicate_of) WHERE duplicate_of IS NOT NULL;
        CREATE INDEX papers_rules_digest ON papers(rules_digest);
        CREATE INDEX papers_multimodal ON papers(multimodal) WHERE multimodal = 1;
        CREATE INDEX papers_has_code ON papers(has_code) WHERE has_code = 1;

        CREATE TABLE docs (
            rowid INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            abstract TEXT NOT NULL,
            doc BLOB NOT NULL
        );

        CREATE TABLE tags (
            facet TEXT NOT NULL,
            label TEXT NOT NULL,
            paper INTEGER NOT NULL,
            id TEXT NOT NULL,
            PRIMARY KEY (facet, label, paper)
        ) WITHOUT ROWID;
        CREATE INDEX tags_paper ON tags(paper);

        CREATE TABLE claims (
            paper INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            metric TEXT NOT NULL,
            value REAL NOT NULL,
            unit TEXT,
            kind TEXT,
            dataset TEXT,
            dataset_fold TEXT,
            text TEXT,
            start INTEGER,
            "end" INTEGER
        );
        CREATE INDEX claims_paper ON claims(paper, seq);
        CREATE INDEX claims_metric ON claims(metric, value);

        CREATE TABLE history (
            seq INTEGER PRIMARY KEY,
            paper TEXT NOT NULL,
            status TEXT NOT NULL,
            note TEXT,
            at TEXT NOT NULL
        );
        CREATE INDEX history_paper ON history(paper, seq);

        CREATE TABLE aliases (
            alias TEXT PRIMARY KEY,
            id TEXT NOT NULL
        ) WITHOUT ROWID;
        """
    )


def _search(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE VIRTUAL TABLE docs_fts USING fts5(
            title, abstract,
            content='docs', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE VIRTUAL TABLE docs_vocab USING fts5vocab(docs_fts, 'row');

        CREATE TABLE terms (
            term TEXT PRIMARY KEY,
            head TEXT NOT NULL,
            len INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX terms_head ON terms(head, len);

        INSERT INTO docs_fts(docs_fts) VALUES ('rebuild');
        """
    )
    # Libraries that had papers before search existed: collect their words.
    conn.execute(
        "INSERT OR IGNORE INTO terms(term, head, len) "
        "SELECT term, substr(term, 1, 1), length(term) FROM docs_vocab "
        "WHERE term NOT GLOB '*[0-9]*'"
    )


def _title_hash(conn: sqlite3.Connection) -> None:
    """Papers with the same title are found by ``title_hash`` (a 64-bit hash of
    ``norm_title``, see :func:`papertriage.ids.title_hash`) instead of an index
    on the titles: its index has 8-byte keys, so that an import into a large
    library reads and writes far fewer index pages."""
    from .ids import title_hash

    conn.execute("ALTER TABLE papers ADD COLUMN title_hash INTEGER")
    last = 0
    while True:
        rows = conn.execute(
            "SELECT rowid, norm_title FROM papers WHERE rowid > ? ORDER BY rowid LIMIT 10000", (last,)
        ).fetchall()
        if not rows:
            break
        conn.executemany("UPDATE papers SET title_hash = ? WHERE rowid = ?", [(title_hash(n), r) for r, n in rows])
        last = rows[-1][0]
    conn.execute("CREATE INDEX papers_title_hash ON papers(title_hash)")
    conn.execute("DROP INDEX papers_norm_title")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _core,  # 1: papers, documents, tags, claims, decisions
    _search,  # 2: full-text search with typo correction
    _title_hash,  # 3: same titles found by a hash of the title
]
"""Step *i* takes a library from version *i* to *i + 1*. Append only."""

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, current: int, target: int = SCHEMA_VERSION) -> None:
    """Apply steps ``current`` .. ``target - 1`` (the caller holds a write transaction)."""
    for step in MIGRATIONS[current:target]:
        step(conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {int(target)}")
