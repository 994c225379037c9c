"""The library under stress: killed imports, concurrent imports, locks,
read-only files, full disks, schema versions."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from papertriage import library as library_mod
from papertriage.errors import LibraryError
from papertriage.library import Library
from papertriage.library_schema import MIGRATIONS, SCHEMA_VERSION, migrate
from papertriage.query import Filters

from .conftest import ROOT
from .test_library import bundled_papers, make_paper

CHILD_PRELUDE = """
import sys, time
from pathlib import Path
from papertriage.engine import get_tagger
from papertriage.library import Library
from papertriage.parsers import read_source

def copies(prefix, n):
    tagger = get_tagger(use_config=False)
    base = [tagger.tag(r) for r in read_source(sys.argv[2])]
    for i in range(n):
        p = base[i % len(base)]
        rec = p.record.replace(id=f"{prefix}{i:06d}", title=f"{prefix}{i} {p.record.title} {i}{prefix}")
        yield p.replace(record=rec)
"""


def run_child(script: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    code = textwrap.dedent(CHILD_PRELUDE) + textwrap.dedent(script)
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def snapshot(path: Path) -> tuple[int, list[tuple], list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO docs_fts(docs_fts) VALUES ('integrity-check')")
        papers = conn.execute("SELECT id, status, note, doc_hash FROM papers ORDER BY id").fetchall()
        history = conn.execute("SELECT paper, status, note, at FROM history ORDER BY seq").fetchall()
        return len(papers), papers, history
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# transactions


def test_a_killed_import_leaves_the_library_unchanged(tmp_path):
    path = tmp_path / "lib.db"
    with Library(path) as lib:
        lib.add(bundled_papers())
        lib.mark([lib.resolve(next(lib.query_ids()))], "include", note="before the crash")
    before = snapshot(path)
    marker = tmp_path / "mid-transaction"
    child = run_child(
        """
        from papertriage import library
        library.IMPORT_CACHE_KIB = 800  # 50 pages: uncommitted pages are spilled into the WAL
        lib = Library(sys.argv[1])
        def papers():
            for i, p in enumerate(copies("k", 100_000)):
                yield p
                if i == 5000:
                    Path(sys.argv[3]).write_text("now")
        lib.add(papers())
        """,
        str(path),
        str(ROOT / "examples" / "hf-papers-input-representations.txt"),
        str(marker),
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        wal = Path(str(path) + "-wal")
        assert wal.exists() and wal.stat().st_size > 0
        child.send_signal(signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    assert snapshot(path) == before
    with Library(path) as lib:
        assert lib.count() == 333
        assert list(lib.query_ids(Filters(status=["include"])))
        assert lib.add(bundled_papers()).unchanged == 333


def test_two_concurrent_imports_both_land(tmp_path):
    path = tmp_path / "lib.db"
    Library(path).close()
    go = tmp_path / "go"
    script = """
        while not Path(sys.argv[3]).exists():
            time.sleep(0.01)
        with Library(sys.argv[1]) as lib:
            r = lib.add(copies(sys.argv[4], 3000))
        print(r.new, r.duplicates)
        """
    example = str(ROOT / "examples" / "hf-papers-input-representations.txt")
    children = [run_child(script, str(path), example, str(go), prefix) for prefix in ("a", "b")]
    time.sleep(0.5)
    go.write_text("go")
    outputs = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err.decode()
        outputs.append(out.decode().split())
    assert outputs == [["3000", "0"], ["3000", "0"]]
    with Library(path) as lib:
        assert lib.count() == 6000
        ids = list(lib.query_ids())
        assert sum(i.startswith("a") for i in ids) == sum(i.startswith("b") for i in ids) == 3000
    assert snapshot(path)[0] == 6000


def test_an_error_inside_an_import_rolls_it_back(tmp_path):
    with Library(tmp_path / "lib.db") as lib:
        lib.add([make_paper("p0", "Existing paper about graphs")])

        def papers():
            for i in range(5000):
                yield make_paper(f"p{i + 1}", f"Paper number {i} about speech and sound")
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            lib.add(papers())
        assert list(lib.query_ids()) == ["p0"]
        assert lib.add([make_paper("p1", "Paper number 0 about speech and sound")]).new == 1


def test_a_full_disk_is_a_library_error_and_changes_nothing(tmp_path):
    with Library(tmp_path / "lib.db") as lib:
        lib.add([make_paper("p0", "Existing paper about graphs")])
        pages = lib.conn.execute("PRAGMA page_count").fetchone()[0]
        lib.conn.execute(f"PRAGMA max_page_count = {pages + 20}")
        with pytest.raises(LibraryError, match="disk full while writing library .*nothing was changed"):
            lib.add(make_paper(f"p{i + 1}", f"Paper {i}", f"Abstract {i} " + "words " * 300) for i in range(3000))
        assert list(lib.query_ids()) == ["p0"]


# ---------------------------------------------------------------------------
# locks and permissions


def test_a_locked_library_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "lib.db"
    with Library(path) as lib:
        lib.add([make_paper("p0", "Existing paper about graphs")])
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        monkeypatch.setattr(library_mod, "IMPORT_LOCK_WAIT", 0.2)
        with Library(path, timeout=0.2) as lib:
            assert list(lib.query_ids()) == ["p0"]  # readers never wait
            with pytest.raises(LibraryError, match=r"is locked by another papertriage process \(waited 0.2 s\)"):
                lib.mark(["p0"], "include")
            with pytest.raises(LibraryError, match="is locked"):
                lib.add([make_paper("p1", "Another paper about speech")])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Library(path) as lib:
        lib.mark(["p0"], "include")


def test_a_read_only_library_can_be_read_but_not_written(tmp_path):
    path = tmp_path / "lib.db"
    with Library(path) as lib:
        lib.add([make_paper("p0", "Existing paper about graphs")])
    with Library(path, readonly=True) as lib:
        assert lib.readonly
        assert list(lib.query_ids(Filters(search="graphs"))) == ["p0"]
        with pytest.raises(LibraryError, match="is read-only"):
            lib.add([make_paper("p1", "Another paper")])
        with pytest.raises(LibraryError, match="is read-only"):
            lib.mark(["p0"], "include")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_a_file_without_write_permission_opens_read_only(tmp_path):
    path = tmp_path / "lib.db"
    with Library(path) as lib:
        lib.add([make_paper("p0", "Existing paper about graphs")])
    path.chmod(0o444)
    try:
        with Library(path) as lib:
            assert lib.readonly
            with pytest.raises(LibraryError, match="read-only"):
                lib.mark(["p0"], "include")
    finally:
        path.chmod(0o644)


# ---------------------------------------------------------------------------
# schema versions


def test_a_library_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "lib.db"
    Library(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(LibraryError, match=f"newer papertriage \\(schema version {SCHEMA_VERSION + 1}; this version reads up to {SCHEMA_VERSION}\\)"):
        Library(path)


def test_an_older_library_is_migrated(tmp_path):
    path = tmp_path / "lib.db"
    with Library(path) as lib:
        lib.add([make_paper("p0", "Robust speech recognition in noise"), make_paper("p1", "Graph networks")])
        lib.mark(["p0"], "include", note="keep")
    # Turn it into a version-1 library: the search index and the title hash did not exist then.
    conn = sqlite3.connect(path, isolation_level=None)
    _without_title_hash(conn)
    conn.execute("DROP TABLE docs_vocab")
    conn.execute("DROP TABLE docs_fts")
    conn.execute("DROP TABLE terms")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Library(path) as lib:
        assert lib.schema_version == SCHEMA_VERSION
        assert list(lib.query_ids(Filters(search="speach recogntion"))) == ["p0"]
        assert lib.get("p0")["status"] == "include"
    assert snapshot(path)[0] == 2


def _without_title_hash(conn: sqlite3.Connection) -> None:
    """Take a library back to before migration step 3."""
    conn.execute("DROP INDEX papers_title_hash")
    conn.execute("ALTER TABLE papers DROP COLUMN title_hash")
    conn.execute("CREATE INDEX papers_norm_title ON papers(norm_title)")


def test_a_version_2_library_gets_title_hashes_and_still_finds_equal_titles(tmp_path):
    from papertriage.ids import normalise_title, title_hash

    path = tmp_path / "lib.db"
    titles = [f"{hashlib.sha1(str(i).encode()).hexdigest()} speech recognition" for i in range(12_000)]
    with Library(path) as lib:
        lib.add([make_paper(f"p{i}", t) for i, t in enumerate(titles)])
    conn = sqlite3.connect(path, isolation_level=None)
    _without_title_hash(conn)
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    with Library(path) as lib:
        assert lib.schema_version == SCHEMA_VERSION == 3
        indexes = {r[0] for r in lib.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "papers_title_hash" in indexes and "papers_norm_title" not in indexes
        rows = lib.conn.execute("SELECT norm_title, title_hash FROM papers ORDER BY rowid").fetchall()
        assert len(rows) == 12_000  # more than one chunk of the migration
        assert rows == [(normalise_title(t), title_hash(normalise_title(t))) for t in titles]
        assert not lib.conn.execute("SELECT count(*) FROM papers WHERE duplicate_of IS NOT NULL").fetchone()[0]
        result = lib.add([make_paper("again", titles[11_999].upper().replace(" ", " -- "))])
    assert [(link.id, link.duplicate_of, link.reason) for link in result.links] == [("again", "p11999", "same title")]


def test_every_migration_step_runs_from_an_empty_file(tmp_path):
    for target in range(1, len(MIGRATIONS) + 1):
        conn = sqlite3.connect(tmp_path / f"v{target}.db", isolation_level=None)
        conn.execute("BEGIN")
        migrate(conn, 0, target)
        conn.execute("COMMIT")
        conn.close()
        with Library(tmp_path / f"v{target}.db") as lib:
            assert lib.schema_version == SCHEMA_VERSION
            lib.add([make_paper("p0", "Speech recognition")])
            assert list(lib.query_ids(Filters(search="speech"))) == ["p0"]
