"""A plain ``papertriage tag`` or ``papertriage list`` runs without loading
Typer, with the same output, messages and exit statuses as the full interface."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from papertriage.cli import app
from papertriage.cli.quick import parse_list, parse_tag

from .conftest import EXAMPLE

runner = CliRunner()


def quick(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """``papertriage ARGS`` in a fresh interpreter; stderr ends with the
    word 'typer' when Typer was imported."""
    code = (
        "import sys, atexit\n"
        "atexit.register(lambda: print('typer' if 'typer' in sys.modules else 'no-typer', file=sys.stderr))\n"
        "sys.argv = ['papertriage'] + sys.argv[1:]\n"
        "from papertriage.cli import main\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-c", code, *args], input=stdin, capture_output=True, timeout=120)


def test_parse_tag_takes_every_plain_form():
    opts = parse_tag(["tag", "-w", "1", "--rules=a.yaml", "-r", "b.yaml", "--no-config", "--strict", "-i", "hf-page", "x.txt", "-"])
    assert opts == {
        "rules": ["a.yaml", "b.yaml"], "no_config": True, "input_format": "hf-page", "strict": True,
        "workers": 1, "sources": ["x.txt", "-"],
    }
    assert parse_tag(["tag", "--", "--strict"])["sources"] == ["--strict"]


@pytest.mark.parametrize(
    "argv",
    [["list", "x"], ["tag"], ["tag", "--help"], ["tag", "-h"], ["tag", "--workers", "x", "a"], ["tag", "--workers"],
     ["tag", "--colour", "a"], ["tag", "--strict=yes", "a"], ["tag", "-w2", "a"], []],
)
def test_anything_unusual_is_left_to_the_full_interface(argv):
    assert parse_tag(argv) is None


def test_quick_tag_gives_the_same_bytes_as_the_full_interface_without_typer():
    proc = quick("tag", "--workers", "1", str(EXAMPLE))
    assert proc.returncode == 0
    assert proc.stderr.decode().strip().endswith("no-typer")
    full = runner.invoke(app, ["tag", "--workers", "1", str(EXAMPLE)])
    assert full.exit_code == 0
    assert proc.stdout == full.stdout_bytes
    assert proc.stdout.count(b"\n") == 333


def test_quick_tag_reports_a_missing_file_like_the_full_interface(tmp_path):
    missing = str(tmp_path / "nope.txt")
    proc = quick("tag", missing)
    assert proc.returncode == 3
    lines = proc.stderr.decode().splitlines()
    assert lines[0] == f"papertriage: error: {missing}: no such file (check the path)"
    full = runner.invoke(app, ["tag", missing])
    assert full.exit_code == 3 and full.stderr.splitlines()[0] == lines[0]


def test_quick_tag_reads_stdin():
    proc = quick("tag", "-", stdin=EXAMPLE.read_bytes())
    assert proc.returncode == 0 and proc.stdout.count(b"\n") == 333


def test_help_and_bad_options_still_come_from_typer():
    proc = quick("tag", "--workers", "many", str(EXAMPLE))
    assert proc.returncode == 2
    assert "Invalid value for '--workers'" in proc.stderr.decode()
    assert proc.stderr.decode().strip().endswith("typer")


def test_a_small_stream_is_tagged_without_starting_workers():
    """The size of a pipe is unknown: a stream is read ahead, and a small one
    is tagged in the same process (same output as one worker)."""
    code = (
        "import sys, atexit\n"
        "atexit.register(lambda: print('pool' if 'multiprocessing.pool' in sys.modules else 'no-pool', file=sys.stderr))\n"
        "sys.argv = ['papertriage', 'tag', '-']\n"
        "from papertriage.cli import main\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], input=EXAMPLE.read_bytes(), capture_output=True, timeout=120)
    assert proc.returncode == 0
    assert proc.stderr.decode().strip().endswith("no-pool")
    one = quick("tag", "--workers", "1", "-", stdin=EXAMPLE.read_bytes())
    assert proc.stdout == one.stdout and proc.stdout.count(b"\n") == 333


def test_default_tag_of_a_small_file_gives_the_bytes_of_one_process():
    """The default splits a small input between this process and a forked
    copy; the output is the same as with ``--workers 1``."""
    split = quick("tag", str(EXAMPLE))
    one = quick("tag", "--workers", "1", str(EXAMPLE))
    assert split.returncode == one.returncode == 0
    assert split.stdout == one.stdout and split.stdout.count(b"\n") == 333
    assert split.stderr == one.stderr


# ---------------------------------------------------------------------------
# list


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("lib") / "library.db")
    added = runner.invoke(app, ["add", "--db", db, str(EXAMPLE)])
    assert added.exit_code == 0, added.stderr
    some = runner.invoke(app, ["list", "--db", db, "--modality", "speech", "--format", "ids", "--limit", "1"])
    marked = runner.invoke(app, ["mark", "--db", db, some.stdout.strip(), "include", "--note", "read first"])
    assert marked.exit_code == 0, marked.stderr
    return db


def test_parse_list_takes_every_plain_form():
    opts = parse_list(
        ["list", "-m", "speech", "--modality=audio", "--not-task", "generation", "--metric", "wer", "--claim", "wer<5",
         "--status", "include", "--multimodal", "--no-code", "-s", "asr", "--sort", "-date", "-n", "5", "--limit=7",
         "-f", "ids", "--fields", "id,title", "--db", "x.db", "-r", "a.yaml", "--no-config", "--since", "2020"]
    )
    assert opts == {
        "modality": ["speech", "audio"], "not_modality": None, "task": None, "not_task": ["generation"],
        "metric": ["wer"], "not_metric": None, "claim": ["wer<5"], "dataset": None, "status": ["include"],
        "rules": ["a.yaml"], "since": "2020", "search": "asr", "sort": "-date", "limit": 7, "fields": "id,title",
        "fmt": "ids", "db": "x.db", "multimodal": True, "has_code": False, "no_config": True,
    }


@pytest.mark.parametrize(
    "argv",
    [["list", "x"], ["list", "--help"], ["list", "-h"], ["list", "--limit", "-1"], ["list", "--limit", "x"],
     ["list", "--format", "xml"], ["list", "--from", "a.txt"], ["list", "--strict"], ["list", "-n5"],
     ["list", "--modality"], ["list", "--multimodal=yes"], ["list", "--", "x"], ["tag", "x"], []],
)
def test_anything_unusual_in_list_is_left_to_the_full_interface(argv):
    assert parse_list(argv) is None


@pytest.mark.parametrize(
    "args",
    [
        ["--modality", "speech", "--format", "ids"],
        ["--modality", "speech", "-t", "speech-recognition", "--format", "jsonl"],
        ["--search", "speech recognition", "--limit", "5", "--format", "ids"],
        ["--status", "include", "--fields", "id,status,note", "--format", "jsonl"],
        ["--not-modality", "image", "--sort", "-title", "-n", "3", "--format", "tsv"],
        ["--metric", "wer", "--format", "csv"],
        ["--has-code", "--limit", "4"],
    ],
)
def test_quick_list_gives_the_same_bytes_as_the_full_interface_without_typer(library, args):
    proc = quick("list", "--db", library, *args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.decode().strip() == "no-typer"
    full = runner.invoke(app, ["list", "--db", library, *args])
    assert full.exit_code == 0
    assert proc.stdout == full.stdout_bytes
    assert proc.stdout


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["--modality", "speeh"], 2, "papertriage: error: unknown modality 'speeh'; did you mean 'speech'?"),
        (["--sort", "rank"], 2, "papertriage: error: --sort rank needs --search"),
        (["--since", "20x"], 2, "papertriage: error: invalid --since '20x': expected YYYY, YYYY-MM or YYYY-MM-DD"),
    ],
)
def test_quick_list_reports_errors_like_the_full_interface(library, args, status, message):
    proc = quick("list", "--db", library, "--format", "ids", *args)
    assert proc.returncode == status
    lines = proc.stderr.decode().splitlines()
    assert lines[0].startswith(message) and lines[-1] == "no-typer"
    full = runner.invoke(app, ["list", "--db", library, "--format", "ids", *args])
    assert full.exit_code == status and full.stderr.splitlines()[0] == lines[0]


def test_quick_list_of_a_missing_library(tmp_path):
    proc = quick("list", "--db", str(tmp_path / "none.db"), "--format", "ids")
    full = runner.invoke(app, ["list", "--db", str(tmp_path / "none.db"), "--format", "ids"])
    assert proc.returncode == full.exit_code == 5
    assert proc.stderr.decode().splitlines()[0] == full.stderr.splitlines()[0]
    assert not (tmp_path / "none.db").exists()
