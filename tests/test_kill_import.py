"""`papertriage add` killed with SIGKILL at random moments, many times: the
library stays intact and unchanged. The moments are drawn across the length of
one whole import timed on this machine first, so the kills land inside the
import however fast or slow the machine is."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time

from .conftest import EXAMPLE


def snapshot(db):
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        papers = con.execute("SELECT id, status, note, doc_hash FROM papers ORDER BY id").fetchall()
        history = con.execute("SELECT paper, status, note, at FROM history ORDER BY seq").fetchall()
        return papers, history
    finally:
        con.close()


def copy_library(src, dst):
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()


def test_random_kills_during_import_leave_the_library_unchanged(tmp_path):
    db = str(tmp_path / "lib.db")
    cmd = [sys.executable, "-m", "papertriage"]
    subprocess.run([*cmd, "add", "--db", db, str(EXAMPLE)], check=True, capture_output=True, timeout=300)
    pid = subprocess.run([*cmd, "list", "--db", db, "--format", "ids", "--limit", "1"], check=True, capture_output=True, timeout=120).stdout.decode().strip()
    subprocess.run([*cmd, "mark", "--db", db, pid, "include", "--note", "keep me"], check=True, capture_output=True, timeout=120)
    before = snapshot(db)
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")[2:]
    pairs = [(lines[i].removeprefix("Subscribe"), lines[i + 1]) for i in range(0, len(lines) - 1, 2)]
    big = tmp_path / "big.txt"
    big.write_text("".join(f"{t} (copy {k})\n{a}\n" for k in range(12) for t, a in pairs), encoding="utf-8")
    add = [*cmd, "add", "--workers", "1", str(big), "--db"]
    rehearsal = str(tmp_path / "rehearsal.db")
    copy_library(db, rehearsal)
    started = time.monotonic()
    subprocess.run([*add, rehearsal], check=True, capture_output=True, timeout=300)
    whole = time.monotonic() - started
    rng = random.Random(7)
    killed = 0
    for _ in range(8):
        proc = subprocess.Popen([*add, db], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.05, 0.85) * whole)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(timeout=300)
        if proc.returncode == 0:
            break  # the import finished before the kill: nothing more to test
        assert snapshot(db) == before
    assert killed >= 3
