"""The command line end to end: in-process with CliRunner, and once through
the installed command in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from papertriage.cli import app

from .conftest import EXAMPLE

runner = CliRunner()
RECORD_KEYS = {"id", "title", "abstract", "modality", "multimodal", "task", "metric", "claims", "urls", "source", "evidence"}


def run(*args: str, input: bytes | str | None = None):
    return runner.invoke(app, list(args), input=input)


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_tag_bundled_dump_gives_333_records_in_the_documented_shape():
    result = run("tag", str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    papers = jsonl(result.stdout)
    assert len(papers) == 333
    first = papers[0]
    assert RECORD_KEYS <= set(first)
    assert first["title"].startswith("DeFINE")
    assert first["source"] == {"path": str(EXAMPLE), "line": 3}
    for p in papers:
        for e in p["evidence"]:
            field = p["title"] if e["field"] == "title" else p["abstract"]
            assert field[e["start"] : e["end"]] == e["text"]
            assert e["rule"] and e["facet"] in ("modality", "task", "multimodal")
        assert isinstance(p["multimodal"], bool)


def test_tag_reads_stdin():
    data = EXAMPLE.read_bytes()
    result = run("tag", "-", input=data)
    assert result.exit_code == 0
    papers = jsonl(result.stdout)
    assert len(papers) == 333
    assert papers[0]["source"] == {"path": "-", "line": 3}


def test_list_from_filters_by_modality_only_speech_papers():
    result = run("list", "--from", str(EXAMPLE), "--modality", "speech", "--format", "jsonl")
    assert result.exit_code == 0
    papers = jsonl(result.stdout)
    assert papers and all("speech" in p["modality"] for p in papers)
    every = jsonl(run("tag", str(EXAMPLE)).stdout)
    assert [p["id"] for p in papers] == [p["id"] for p in every if "speech" in p["modality"]]


def test_facets_or_within_and_across():
    every = jsonl(run("tag", str(EXAMPLE)).stdout)
    r = run("list", "--from", str(EXAMPLE), "-m", "speech", "-m", "audio", "-t", "classification", "-f", "ids")
    expected = [p["id"] for p in every if {"speech", "audio"} & set(p["modality"]) and "classification" in p["task"]]
    assert r.stdout.split() == expected
    r = run("list", "--from", str(EXAMPLE), "--not-modality", "text", "-f", "ids")
    assert r.stdout.split() == [p["id"] for p in every if "text" not in p["modality"]]


def test_limit_and_csv():
    r = run("list", "--from", str(EXAMPLE), "--limit", "2", "--format", "csv")
    lines = r.stdout.splitlines()
    assert lines[0] == "id,title,modality,task,best_claim"
    assert len(lines) == 3


def test_unknown_facet_value_is_a_usage_error_with_suggestion():
    r = run("list", "--from", str(EXAMPLE), "--modality", "speach")
    assert r.exit_code == 2
    assert r.stderr.startswith("papertriage: error: unknown modality 'speach'; did you mean 'speech'")
    assert len(r.stderr.splitlines()) == 1
    assert r.stdout == ""


def test_missing_file_directory_and_binary_input(tmp_path):
    r = run("tag", str(tmp_path / "nope.txt"))
    assert r.exit_code == 3
    assert r.stderr == f"papertriage: error: {tmp_path / 'nope.txt'}: no such file (check the path)\n"
    r = run("tag", str(tmp_path))
    assert r.exit_code == 3
    assert "is a directory" in r.stderr
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 40)
    r = run("tag", str(blob))
    assert r.exit_code == 3
    assert r.stderr == f"papertriage: error: {blob}: binary data, not a text dump of papers (give a text, XML, JSON, BibTeX, RIS or CSV export)\n"


def test_empty_input_exits_zero_with_a_note(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    r = run("tag", str(empty))
    assert r.exit_code == 0
    assert r.stdout == ""
    assert r.stderr == f"papertriage: warning: {empty}: empty input: no papers\n"


def test_explain_from_source_shows_rules_and_carets():
    every = jsonl(run("tag", str(EXAMPLE)).stdout)
    speech = next(p for p in every if "speech" in p["modality"])
    r = run("explain", speech["id"][:7], "--from", str(EXAMPLE))
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert out.startswith(f"{speech['id']}  {speech['title']}")
    assert "modality speech: score" in out
    assert "modality.speech" in out
    assert "^" in out  # caret lines under evidence
    r = run("explain", "zzzzzz", "--from", str(EXAMPLE))
    assert r.exit_code == 6
    assert r.stderr == f"papertriage: error: no paper with id 'zzzzzz' in {EXAMPLE}\n"


def test_rules_check_reports_every_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: x\n    facet: modalty\n    label: eeg\n    phrases: [a]\n  - id: y\n    facet: task\n    label: foo\n    patterns: ['(a+)+']\n")
    r = run("rules", "check", str(bad))
    assert r.exit_code == 4
    lines = r.stderr.splitlines()
    assert lines[0] == f"papertriage: error: {bad}:2: rule 'x': unknown facet 'modalty'; did you mean 'modality'? (facets: modality, task, multimodal)"
    assert lines[1].startswith(f"papertriage: error: {bad}:6: rule 'y': pattern '(a+)+': nested unbounded repeats")
    assert lines[-1] == "papertriage: 2 problem(s) found"
    good = tmp_path / "good.yaml"
    good.write_text("rules:\n  - id: mine.eeg\n    facet: modality\n    label: eeg\n    case_sensitive: [EEG]\n")
    r = run("rules", "check", str(good))
    assert r.exit_code == 0
    assert r.stdout.startswith(f"{good}: ok (1 rules;")


def test_rules_test_scores_against_gold(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps({"title": "Speech recognition for all", "abstract": "We transcribe spoken utterances with ASR.", "modality": ["speech"], "task": ["speech-recognition"]}) + "\n"
    )
    r = run("rules", "test", "--gold", str(gold), "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    rows = jsonl(r.stdout)
    micro = next(x for x in rows if x["facet"] == "modality" and x["label"] == "(micro)")
    assert micro["tp"] == 1 and micro["support"] == 1


def test_rules_test_reads_the_text_of_labelled_papers_from_their_dump(tmp_path):
    dump = tmp_path / "dumps" / "d.txt"
    dump.parent.mkdir()
    dump.write_text(
        "Speech recognition for all\nWe transcribe spoken utterances with ASR systems for every language.\n"
        "Counting trees in forests\nWe count the trees of a forest with a new combinatorial bound.\n"
    )
    ids = [p["id"] for p in jsonl(run("tag", str(dump)).stdout)]
    gold = tmp_path / "labels" / "gold.jsonl"
    gold.parent.mkdir()
    gold.write_text(
        json.dumps({"source": "../dumps/d.txt", "id": ids[0], "modality": ["speech"], "task": ["speech-recognition"]}) + "\n"
        + json.dumps({"source": "../dumps/d.txt", "id": ids[1], "modality": [], "task": []}) + "\n"
    )
    r = run("rules", "test", "--gold", str(gold), "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    micro = {x["facet"]: x for x in jsonl(r.stdout) if x["label"] == "(micro)"}
    assert (micro["modality"]["tp"], micro["modality"]["fp"], micro["modality"]["fn"]) == (1, 0, 0)
    assert (micro["task"]["tp"], micro["task"]["fp"], micro["task"]["fn"]) == (1, 0, 0)

    gold.write_text(json.dumps({"source": "../dumps/d.txt", "id": "t000", "modality": []}) + "\n")
    r = run("rules", "test", "--gold", str(gold))
    assert r.exit_code == 3
    assert r.stderr.strip() == (
        f"papertriage: error: {gold}:1: no paper 't000' in ../dumps/d.txt "
        "(id is the paper's id as `papertriage tag` prints it for that dump)"
    )
    gold.write_text(json.dumps({"source": "../gone.txt", "id": ids[0], "modality": []}) + "\n")
    r = run("rules", "test", "--gold", str(gold))
    assert r.exit_code == 3
    assert r.stderr.strip() == (
        f"papertriage: error: {gold}:1: the labelled paper's source {tmp_path / 'gone.txt'} does not exist "
        "(labels that name papers of a dump need that dump at that path)"
    )


def test_user_label_works_in_filters(tmp_path):
    rules = tmp_path / "eeg.yaml"
    rules.write_text("labels:\n  modality:\n    eeg: {threshold: 1}\nrules:\n  - id: mine.eeg\n    facet: modality\n    label: eeg\n    case_sensitive: [EEG]\n")
    dump = tmp_path / "d.txt"
    dump.write_text("Decoding EEG signals\nWe decode EEG signals recorded from the scalp of many people.\nOther paper\nNothing to see here, just words and more words.\n")
    r = run("list", "--from", str(dump), "--rules", str(rules), "--modality", "eeg", "-f", "jsonl")
    assert r.exit_code == 0, r.stderr
    assert [p["title"] for p in jsonl(r.stdout)] == ["Decoding EEG signals"]


# ---------------------------------------------------------------------------
# the installed command


def installed() -> str:
    exe = shutil.which("papertriage", path=os.path.dirname(sys.executable)) or shutil.which("papertriage")
    if exe is None:
        pytest.skip("papertriage is not installed")
    return exe


def test_installed_command_closed_pipe_ends_quietly():
    exe = installed()
    proc = subprocess.run(f"'{exe}' tag '{EXAMPLE}' | head -1", shell=True, capture_output=True, timeout=60)
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 1
    assert proc.stderr == b""
    proc = subprocess.run(f"'{exe}' list --from '{EXAMPLE}' --format jsonl | head -1", shell=True, capture_output=True, timeout=60)
    assert proc.stderr == b""


def test_installed_command_python_m_and_stdin():
    proc = subprocess.run([sys.executable, "-m", "papertriage", "tag", "-"], input=EXAMPLE.read_bytes(), capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 333


def test_ctrl_c_exits_130_without_traceback():
    exe = installed()
    # SIGINT at its default in the child even when the tests run in the
    # background of a shell (which starts them with SIGINT ignored)
    proc = subprocess.Popen(
        [exe, "tag", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert b"Traceback" not in err
