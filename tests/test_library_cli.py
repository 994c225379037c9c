"""The library commands end to end, in-process: add, show, mark, stats, dedupe, retag."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from papertriage.cli import app
from papertriage.library import Library
from papertriage.library_schema import SCHEMA_VERSION

from .conftest import EXAMPLE

runner = CliRunner()

NEAR_DUPLICATES = (
    "Deep residual learning for image recognition\n"
    "We present residual nets for image classification, reaching 96% accuracy on ImageNet.\n"
    "Deep residual learning for image recognitions\n"
    "The same paper again, from another source, about image classification.\n"
)


def run(*args: str, input: bytes | str | None = None):
    return runner.invoke(app, list(args), input=input)


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "library.db")


@pytest.fixture
def added(db):
    result = run("add", "--db", db, str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    return db


def some_speech_id(db: str) -> str:
    with Library(db) as lib:
        from papertriage.query import Filters

        return next(lib.query_ids(Filters(modality=["speech"])))


def test_add_reports_counts_and_is_idempotent(db):
    result = run("add", "--db", db, str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"papertriage: Added 333 papers (333 new, 0 updated, 0 unchanged, 0 near-duplicates) to {db}\n"
    again = run("add", "--db", db, str(EXAMPLE))
    assert again.exit_code == 0
    assert again.stderr == f"papertriage: Added 333 papers (0 new, 0 updated, 333 unchanged, 0 near-duplicates) to {db}\n"
    with Library(db) as lib:
        assert lib.count() == 333


def test_add_reads_stdin_and_uses_papertriage_db(monkeypatch, tmp_path):
    path = tmp_path / "env.db"
    monkeypatch.setenv("PAPERTRIAGE_DB", str(path))
    result = run("add", "-", input=EXAMPLE.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert "333 new" in result.stderr and str(path) in result.stderr


def test_add_lists_near_duplicates(added, tmp_path):
    dump = tmp_path / "dups.txt"
    dump.write_text(NEAR_DUPLICATES, encoding="utf-8")
    result = run("add", "--db", added, str(dump))
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"papertriage: Added 2 papers (1 new, 0 updated, 0 unchanged, 1 near-duplicate) to {added}"
    assert lines[1].startswith("papertriage:   t") and " is a near-duplicate of t" in lines[1]
    assert lines[1].endswith(": similar title (98)")

    listed = run("dedupe", "--db", added, "--format", "jsonl")
    assert listed.exit_code == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["group"] for r in rows] == [1, 1]
    assert rows[0]["duplicate_of"] is None and rows[1]["duplicate_of"] == rows[0]["id"]

    ids = run("dedupe", "--db", added, "--format", "ids")
    assert ids.stdout == rows[1]["id"] + "\n"

    run("mark", "--db", added, rows[1]["id"], "include", "--note", "the better copy")
    merged = run("dedupe", "--db", added, "--merge")
    assert merged.exit_code == 0, merged.stderr
    assert merged.stderr == "papertriage: Merged 1 group (1 paper folded into the first of their group)\n"
    shown = json.loads(run("show", "--db", added, rows[0]["id"], "--format", "json").stdout)
    assert (shown["status"], shown["note"]) == ("include", "the better copy")
    assert run("dedupe", "--db", added).stderr == "papertriage: no near-duplicates\n"


def test_add_with_unreadable_input_changes_nothing(added, tmp_path):
    result = run("add", "--db", added, str(EXAMPLE), str(tmp_path / "missing.txt"))
    assert result.exit_code == 3
    assert "missing.txt: no such file" in result.stderr
    with Library(added) as lib:
        assert lib.count() == 333


def test_show_json_and_table(added):
    pid = some_speech_id(added)
    result = run("show", "--db", added, pid[:6] if len(pid) > 6 else pid, "--format", "json")
    assert result.exit_code == 0, result.stderr
    paper = json.loads(result.stdout)
    assert paper["id"] == pid
    assert "speech" in paper["modality"]
    assert paper["status"] == "unread" and paper["history"] == []
    table = run("show", "--db", added, pid, "--format", "table")
    assert table.exit_code == 0
    assert paper["title"][:30] in table.stdout.replace("\n", " ")
    assert "status: unread" in table.stdout


def test_show_unknown_id_and_missing_library(added, tmp_path):
    result = run("show", "--db", added, "nosuchid")
    assert result.exit_code == 6
    assert result.stderr == f"papertriage: error: no paper with id or prefix 'nosuchid' in {added}\n"
    missing = run("show", "--db", str(tmp_path / "none.db"), "x")
    assert missing.exit_code == 5
    assert "no library at" in missing.stderr


def test_mark_then_list_by_status(added):
    pid = some_speech_id(added)
    result = run("mark", "--db", added, pid, "include", "--note", "baseline")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"papertriage: Marked {pid} include (note: baseline)\n"
    listed = run("list", "--db", added, "--status", "include", "--format", "ids")
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout == pid + "\n"
    shown = json.loads(run("show", "--db", added, pid, "--format", "json").stdout)
    assert [(h["status"], h["note"]) for h in shown["history"]] == [("include", "baseline")]
    # decisions survive a re-import
    run("add", "--db", added, str(EXAMPLE))
    assert run("list", "--db", added, "--status", "include", "--format", "ids").stdout == pid + "\n"


def test_mark_reads_ids_or_jsonl_from_stdin(added):
    ids = run("list", "--db", added, "--modality", "speech", "--format", "ids").stdout
    result = run("mark", "--db", added, "-", "maybe", input=ids)
    assert result.exit_code == 0, result.stderr
    n = len(ids.split())
    assert result.stderr == f"papertriage: Marked {n} papers maybe\n"
    records = run("list", "--db", added, "--status", "maybe", "--format", "jsonl").stdout
    assert len(records.splitlines()) == n
    again = run("mark", "--db", added, "-", "exclude", input=records)
    assert again.exit_code == 0, again.stderr
    assert run("list", "--db", added, "--status", "exclude", "--format", "ids").stdout == ids


def test_mark_usage_errors(added):
    pid = some_speech_id(added)
    bad = run("mark", "--db", added, pid, "inclde")
    assert bad.exit_code == 2
    assert "unknown status 'inclde'; did you mean 'include'?" in bad.stderr
    swapped = run("mark", "--db", added, "include", pid)
    assert swapped.exit_code == 2
    assert "the status comes last" in swapped.stderr
    alone = run("mark", "--db", added, "include")
    assert alone.exit_code == 2
    unknown = run("mark", "--db", added, "nosuchid", "include")
    assert unknown.exit_code == 6


def test_stats_jsonl_and_table(added):
    result = run("stats", "--db", added, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"facet": "total", "label": "papers", "count": 333} in rows
    assert {r["facet"] for r in rows} == {"total", "modality", "task", "metric", "status"}
    assert {"facet": "status", "label": "unread", "count": 333} in rows
    speech = run("stats", "--db", added, "--modality", "speech", "--format", "json")
    data = json.loads(speech.stdout)
    assert data["modality"]["speech"] == data["total"]["papers"] < 333
    table = run("stats", "--db", added, "--format", "table")
    assert table.exit_code == 0
    assert "333 papers" in table.stdout and "modality" in table.stdout and "█" in table.stdout
    unknown = run("stats", "--db", added, "--modality", "speach")
    assert unknown.exit_code == 2 and "did you mean 'speech'" in unknown.stderr


def test_retag(added):
    result = run("retag", "--db", added)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("papertriage: Re-tagged 333 papers with rules ")
    assert result.stderr.endswith(": 0 changed\n")
    stale = run("retag", "--db", added, "--stale-only")
    assert stale.stderr == "papertriage: every paper is already tagged with the current rules\n"


def test_a_library_from_a_newer_version_is_a_library_error(added):
    conn = sqlite3.connect(added)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    for args in (("add", str(EXAMPLE)), ("show", "x"), ("stats",), ("list",)):
        result = run(args[0], "--db", added, *args[1:])
        assert result.exit_code == 5, (args, result.stderr)
        assert "written by a newer papertriage" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["add", "show", "mark", "stats", "dedupe", "retag"])
def test_every_library_command_has_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "--db" in result.stdout


def test_add_shows_progress_on_a_terminal(db):
    from papertriage.cli import common

    common.set_env(common.Env(stdout_isatty=False, stderr_isatty=True, no_color=True))
    result = run("add", "--db", db, "-", input=EXAMPLE.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert "Added 333 papers (333 new" in result.stderr
    assert result.stdout == ""


def test_a_record_without_abstract_keeps_the_stored_abstract(added, tmp_path):
    """An arXiv digest lists a paper announced earlier as "replaced", without its
    abstract: importing it must not empty the stored paper."""
    pid = some_speech_id(added)
    before = json.loads(run("show", "--db", added, pid, "--format", "json").stdout)
    assert before["abstract"] and "speech" in before["modality"]
    bare = tmp_path / "bare.jsonl"
    bare.write_text(
        json.dumps({"id": pid, "title": before["title"]}) + "\n"
        + json.dumps({"id": "new-paper", "title": "A paper known by its title only"}) + "\n",
        encoding="utf-8",
    )
    result = run("add", "--db", added, str(bare))
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[-2] == f"papertriage: Added 2 papers (1 new, 0 updated, 0 unchanged, 0 near-duplicates, 1 kept) to {added}"
    assert lines[-1] == "papertriage:   1 known paper kept as stored: the input has no abstract for them, the library has one"
    after = json.loads(run("show", "--db", added, pid, "--format", "json").stdout)
    assert after == before
