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
