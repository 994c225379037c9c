"""papertriage's own JSONL is read back with nothing lost."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from papertriage.cli import app

from .conftest import EXAMPLE

runner = CliRunner()


def run(*args, input=None):
    r = runner.invoke(app, list(args), input=input)
    assert r.exit_code == 0, r.stderr
    return r


def without_added(rows):
    return [{k: v for k, v in row.items() if k != "added"} for row in rows]


def test_export_add_export_is_a_fixed_point(tmp_path):
    db1, db2, db3 = (str(tmp_path / f"lib{i}.db") for i in (1, 2, 3))
    run("add", "--db", db1, str(EXAMPLE))
    ids = run("list", "--db", db1, "--modality", "speech", "--format", "ids").stdout.split()
    run("mark", "--db", db1, ids[0], "include", "--note", "baseline, with a comma")
    run("mark", "--db", db1, ids[1], "exclude")
    first = run("list", "--db", db1, "--format", "jsonl").stdout
    export = tmp_path / "export.jsonl"
    export.write_text(first)
    run("add", "--db", db2, str(export))
    second = run("list", "--db", db2, "--format", "jsonl").stdout
    rows1 = [json.loads(x) for x in first.splitlines()]
    rows2 = [json.loads(x) for x in second.splitlines()]
    assert len(rows1) == 333
    assert without_added(rows1) == without_added(rows2)
    by_id = {r["id"]: r for r in rows2}
    assert by_id[ids[0]]["status"] == "include" and by_id[ids[0]]["note"] == "baseline, with a comma"
    assert by_id[ids[1]]["status"] == "exclude"
    assert [h["status"] for h in by_id[ids[0]]["history"]] == ["include"]
    assert "history" not in by_id[ids[2]]
    # and from stdin, a third time
    run("add", "--db", db3, "-", input=second.encode())
    third = run("list", "--db", db3, "--format", "jsonl").stdout
    assert without_added([json.loads(x) for x in third.splitlines()]) == without_added(rows1)


def test_tag_output_read_back_by_tag_is_unchanged(tmp_path):
    first = run("tag", str(EXAMPLE)).stdout
    path = tmp_path / "tagged.jsonl"
    path.write_text(first)
    second = run("tag", str(path)).stdout
    assert [json.loads(x) for x in first.splitlines()] == [json.loads(x) for x in second.splitlines()]


def test_bibtex_export_carries_tags_and_decision(tmp_path):
    db = str(tmp_path / "lib.db")
    run("add", "--db", db, str(EXAMPLE))
    pid = run("list", "--db", db, "--modality", "speech", "--format", "ids").stdout.split()[0]
    run("mark", "--db", db, pid, "include")
    bib = run("list", "--db", db, "--status", "include", "--format", "bibtex").stdout
    assert bib.startswith(f"@article{{{pid},") or bib.startswith(f"@misc{{{pid},")
    assert "modality:speech" in bib
    assert "status:include" in bib
    assert "note = {papertriage status: include}" in bib
