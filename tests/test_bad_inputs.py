"""A corpus of bad inputs: each gives its one-line message and exit code,
never a traceback, and keeps what could be read."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papertriage.cli import app

BAD = Path(__file__).parent / "data" / "bad"
runner = CliRunner()

CASES = [
    # file, exit code, papers written, the stderr line (after the path)
    ("empty.txt", 0, 0, "papertriage: warning: {p}: empty input: no papers"),
    ("random.bin", 3, 0, "papertriage: error: {p}: binary data, not a text dump of papers (give a text, XML, JSON, BibTeX, RIS or CSV export)"),
    ("nul.txt", 3, 0, "papertriage: error: {p}: binary data, not a text dump of papers (give a text, XML, JSON, BibTeX, RIS or CSV export)"),
    ("invalid-utf8.txt", 0, 3, "papertriage: warning: {p}:4: invalid UTF-8 at byte 29 of the line; decoded with replacement characters"),
    ("truncated.xml", 3, 1, "papertriage: error: {p}:12: the XML ends before its elements are closed (no element found): truncated file? (entries before this line were read)"),
    ("bomb.xml", 3, 0, "papertriage: error: {p}:3: the XML declares the entity 'lol'; entity declarations are refused (papertriage does not expand XML entities; remove the <!DOCTYPE ...> declarations)"),
    ("xxe.xml", 3, 0, "papertriage: error: {p}:2: the XML declares the entity 'xxe'; entity declarations are refused (papertriage does not expand XML entities; remove the <!DOCTYPE ...> declarations)"),
    ("unbalanced.bib", 0, 2, "papertriage: warning: {p}:7: skipped: @article entry never closes its braces (next entry starts at line 12)"),
    ("missing-header.csv", 3, 0, "papertriage: error: {p}:1: no title column in the header row ('name', 'summary', 'year') (name the title column 'title' and the abstract column 'abstract', or use --input-format)"),
    ("broken.jsonl", 0, 2, "papertriage: warning: {p}:2: skipped: invalid JSON: unexpected end of data (column 32)"),
]


@pytest.mark.parametrize("name,code,papers,line", CASES, ids=[c[0] for c in CASES])
def test_bad_input(name, code, papers, line):
    path = str(BAD / name)
    result = runner.invoke(app, ["tag", path])
    assert result.exit_code == code, result.stderr
    assert "Traceback" not in result.stderr
    assert line.format(p=path) == result.stderr.splitlines()[0]
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(out) == papers


def test_xml_external_entity_is_not_read():
    result = runner.invoke(app, ["tag", str(BAD / "xxe.xml")])
    assert "root:" not in result.stdout + result.stderr


def test_bad_entries_are_errors_under_strict():
    path = str(BAD / "broken.jsonl")
    result = runner.invoke(app, ["tag", "--strict", path])
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0].startswith(f"papertriage: error: {path}:2: invalid JSON")


def test_a_20_mb_line_is_skipped_quickly(tmp_path):
    path = tmp_path / "long.txt"
    with open(path, "w") as fh:
        fh.write("A Real Title\nA real abstract about speech recognition, long enough to be one.\n")
        fh.write("word " * 4_000_000 + "\n")
        fh.write("Last Title\nAnother abstract about images and their classification by networks.\n")
    start = time.monotonic()
    result = runner.invoke(app, ["tag", str(path)])
    assert time.monotonic() - start < 20
    assert result.exit_code == 0
    titles = [json.loads(x)["title"] for x in result.stdout.splitlines()]
    assert titles == ["A Real Title", "Last Title"]
    assert f"{path}:3: skipped: line of 19.1 MiB is too long to be part of a paper record (limit 1 MiB)" in result.stderr


def test_missing_file_and_directory(tmp_path):
    r = runner.invoke(app, ["tag", str(tmp_path / "nope.bib")])
    assert (r.exit_code, r.stderr) == (3, f"papertriage: error: {tmp_path / 'nope.bib'}: no such file (check the path)\n")
    r = runner.invoke(app, ["tag", str(tmp_path)])
    assert (r.exit_code, r.stderr) == (3, f"papertriage: error: {tmp_path}: is a directory (give a file, or use a shell glob such as dir/*)\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("Title\nAbstract.\n")
    path.chmod(0)
    r = runner.invoke(app, ["tag", str(path)])
    assert (r.exit_code, r.stderr) == (3, f"papertriage: error: {path}: permission denied (check the file's permissions)\n")
