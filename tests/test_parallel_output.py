"""``tag`` with worker processes that write the output themselves: the same
bytes as one process, in input order, whatever stdout is; what was tagged
before a failure is written, nothing after it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from papertriage import parallel
from papertriage.cli import app

from .conftest import EXAMPLE

PAPERS = 2600


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    """The bundled dump repeated to ``PAPERS`` papers with distinct titles."""
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")[2:]
    pairs = [(lines[i].removeprefix("Subscribe"), lines[i + 1]) for i in range(0, len(lines) - 1, 2)]
    path = tmp_path_factory.mktemp("dump") / "dump.txt"
    path.write_text(
        "".join(f"{pairs[k % len(pairs)][0]} [{k}]\n{pairs[k % len(pairs)][1]}\n" for k in range(PAPERS)),
        encoding="utf-8",
    )
    return path


def command() -> list[str]:
    exe = shutil.which("papertriage", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "papertriage"]


@pytest.fixture(scope="module")
def one_process(dump):
    proc = subprocess.run([*command(), "tag", "--workers", "1", str(dump)], capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    assert len(proc.stdout.splitlines()) == PAPERS
    return proc.stdout


def test_workers_into_a_file_give_the_bytes_of_one_process(dump, one_process, tmp_path):
    out = tmp_path / "out.jsonl"
    with open(out, "wb") as fh:
        proc = subprocess.run([*command(), "tag", "--workers", "2", str(dump)], stdout=fh, stderr=subprocess.PIPE, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    assert out.read_bytes() == one_process


def test_workers_into_a_pipe_give_the_bytes_of_one_process(dump, one_process):
    proc = subprocess.run([*command(), "tag", "--workers", "2", str(dump)], capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == one_process


def test_workers_after_earlier_output_in_the_same_file(dump, one_process, tmp_path):
    """Output appended to a file that already holds data lands after it."""
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"header\n")
    with open(out, "ab") as fh:
        proc = subprocess.run([*command(), "tag", "--workers", "2", str(dump)], stdout=fh, stderr=subprocess.PIPE, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.read_bytes() == b"header\n" + one_process


def test_output_captured_in_memory_still_goes_through_the_parent(dump, one_process):
    result = CliRunner().invoke(app, ["tag", "--workers", "2", str(dump)])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == one_process


def test_closed_pipe_with_workers_ends_quietly(dump):
    """Repeated: stopping while a large batch is being sent to a worker once
    left the process waiting forever."""
    cmd = " ".join(f"'{c}'" for c in command())
    for _ in range(6):
        proc = subprocess.run(f"{cmd} tag --workers 2 '{dump}' | head -1", shell=True, capture_output=True, timeout=120)
        assert proc.returncode == 0
        assert len(proc.stdout.splitlines()) == 1
        assert proc.stderr == b""


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads the processes from /proc")
def test_ctrl_c_with_workers_exits_130_and_leaves_no_process(dump):
    """Workers started (more than 1,000 papers read from a stream that stays
    open), then Ctrl-C."""
    head = b"".join(dump.read_bytes().splitlines(keepends=True)[:3000])
    proc = subprocess.Popen(
        [*command(), "tag", "--workers", "2", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    proc.stdin.write(head)
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    while not _children(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert workers, "no worker process started"
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=30)[1]
    assert proc.returncode == 130
    assert b"Traceback" not in err
    for pid in workers:
        assert not os.path.exists(f"/proc/{pid}") or "Z" in _state(pid)


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def _records(path, stop_after: int | None = None):
    from papertriage.parsers import read_source

    for n, rec in enumerate(read_source(str(path), input_format=None, warn=lambda *a: None, strict=False), 1):
        yield rec
        if stop_after is not None and n == stop_after:
            raise ValueError("read failed")


def _direct(records, fd: int) -> list:
    return list(parallel.tag_in_batches(records, workers=2, rules=[], use_config=False, form="jsonl", out_fd=fd, batch_size=200))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers write the output where they are forked")
def test_a_read_error_still_writes_what_was_read_in_order(dump, one_process, tmp_path):
    out = tmp_path / "out.jsonl"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        with pytest.raises(ValueError, match="read failed"):
            _direct(_records(dump, stop_after=1500), fd)
    finally:
        os.close(fd)
    expected = b"".join(one_process.splitlines(keepends=True)[:1500])
    assert out.read_bytes() == expected


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers write the output where they are forked")
def test_a_failing_batch_stops_the_output_after_the_batches_before_it(dump, one_process, tmp_path, monkeypatch):
    real = parallel._tag_jsonl
    bad_title = "[1700]"

    def fails_on_one_paper(batch, tagger=None):
        if any(item[1].endswith(bad_title) for item in batch):
            raise RuntimeError("tagging failed")
        return real(batch, tagger)

    monkeypatch.setattr(parallel, "_tag_jsonl", fails_on_one_paper)  # the workers are forked after this
    out = tmp_path / "out.jsonl"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        with pytest.raises(RuntimeError, match="tagging failed"):
            _direct(_records(dump), fd)
    finally:
        os.close(fd)
    written = out.read_bytes().splitlines(keepends=True)
    # Everything before the failing batch (of at most 200 papers) is written,
    # in order; nothing from it or after it.
    assert 1700 - 200 <= len(written) <= 1700
    assert written == one_process.splitlines(keepends=True)[: len(written)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers write the output where they are forked")
def test_direct_output_yields_empty_chunks(dump, one_process, tmp_path):
    out = tmp_path / "out.jsonl"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        chunks = _direct(_records(dump), fd)
    finally:
        os.close(fd)
    assert chunks and all(c == b"" for c in chunks)
    assert out.read_bytes() == one_process


def _library_rows(path) -> dict[str, list]:
    """What a library holds, without the import's timestamps."""
    import sqlite3

    from papertriage.packing import unpack

    conn = sqlite3.connect(path)
    rows = {
        "papers": conn.execute(
            "SELECT rowid, id, status, date, multimodal, has_code, arxiv_id, doi, norm_title, key_head, key_tail, "
            "rules_digest, doc_hash, duplicate_of, dup_reason FROM papers ORDER BY rowid"
        ).fetchall(),
        "docs": [(r, t, a, unpack(d)) for r, t, a, d in conn.execute("SELECT rowid, title, abstract, doc FROM docs ORDER BY rowid")],
        "tags": conn.execute("SELECT * FROM tags ORDER BY paper, facet, label").fetchall(),
        "claims": conn.execute("SELECT * FROM claims ORDER BY paper, seq").fetchall(),
        "terms": conn.execute("SELECT * FROM terms ORDER BY term").fetchall(),
        "search": conn.execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH 'speech' ORDER BY rowid").fetchall(),
    }
    conn.close()
    return rows


def test_add_with_workers_stores_what_one_process_stores(dump, tmp_path):
    """The workers prepare the papers and their vocabulary; the library is the same."""
    stored = {}
    for workers in ("1", "2"):
        db = tmp_path / f"w{workers}.db"
        proc = subprocess.run([*command(), "add", "--workers", workers, "--db", str(db), str(dump)], capture_output=True, timeout=300)
        assert proc.returncode == 0, proc.stderr.decode()
        stored[workers] = _library_rows(db)
    assert len(stored["1"]["papers"]) == PAPERS
    assert len(stored["1"]["terms"]) > 3000 and len(stored["1"]["search"]) > 100
    for table in stored["1"]:
        assert stored["2"][table] == stored["1"][table], table
