"""Four `papertriage add` processes at once: every paper lands."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from .conftest import EXAMPLE


def test_four_concurrent_adds_lose_nothing(tmp_path):
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")[2:]
    pairs = [(lines[i].removeprefix("Subscribe"), lines[i + 1]) for i in range(0, len(lines) - 1, 2)]
    dumps = []
    for k in range(4):
        path = tmp_path / f"dump{k}.txt"
        path.write_text("".join(f"{t} [batch {k}]\n{a}\n" for t, a in pairs), encoding="utf-8")
        dumps.append(path)
    db = tmp_path / "lib.db"
    procs = [
        subprocess.Popen([sys.executable, "-m", "papertriage", "add", "--db", str(db), str(p)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for p in dumps
    ]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode()
        assert b"Traceback" not in err
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        titles = [r[0] for r in con.execute("SELECT title FROM docs")]
    finally:
        con.close()
    assert len(titles) == 4 * 333
    for k in range(4):
        assert sum(t.endswith(f"[batch {k}]") for t in titles) == 333


def test_small_inputs_tagged_in_process_use_their_own_rules(tmp_path):
    """Inputs too small for workers are tagged in the calling process, each
    with the rules it was given (not those of an earlier call)."""
    from papertriage.models import Record, Source
    from papertriage.parallel import tag_in_batches

    rules = tmp_path / "zebra.yaml"
    rules.write_text(
        "rules:\n  - id: task.classification.zebra\n    facet: task\n    label: classification\n"
        "    phrases: [zebra stripes]\n    weight: 5\n",
        encoding="utf-8",
    )
    recs = [Record("z", "Counting zebra stripes", "We count zebra stripes in photographs.", Source("-", 1))]
    plain = [p for batch in tag_in_batches(recs, workers=2, rules=[], use_config=False) for p in batch]
    zebra = [p for batch in tag_in_batches(recs, workers=2, rules=[str(rules)], use_config=False) for p in batch]
    assert "classification" not in plain[0].task
    assert "classification" in zebra[0].task


def test_a_new_library_appears_complete_or_not_at_all(tmp_path, monkeypatch):
    """A new library is set up under another name and linked into place: the
    path never holds a library being set up, and no temporary file is left."""
    from papertriage import library

    db = tmp_path / "lib.db"
    seen = []
    real = library.migrate

    def watching(conn, current, *args):
        seen.append(db.exists())
        return real(conn, current, *args)

    monkeypatch.setattr(library, "migrate", watching)
    with library.Library.open(db) as lib:
        assert lib.schema_version == library.SCHEMA_VERSION
    assert seen == [False]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib.db"]


def test_processes_creating_one_library_at_once_all_open_it(tmp_path):
    """Several processes opening the same new library at once: one creates
    it, every one opens it (none is locked out while another sets it up)."""
    code = "import sys\nfrom papertriage.library import Library\nLibrary.open(sys.argv[1]).close()"
    for round_ in range(3):
        db = tmp_path / f"lib{round_}.db"
        procs = [
            subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(6)
        ]
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err.decode()
        con = sqlite3.connect(db)
        try:
            assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            con.close()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".new")]
