"""The rule engine: evidence spans, exclusions, thresholds, user rules."""

from __future__ import annotations

import textwrap

import pytest

from papertriage.engine import Tagger
from papertriage.errors import RulesError
from papertriage.models import Record, Source
from papertriage.parsers import read_source
from papertriage.rules import load_rules

from .conftest import EXAMPLE


def rec(title: str, abstract: str) -> Record:
    return Record("x", title, abstract, Source("-", 1))


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_rules(use_config=False))


def write(tmp_path, text: str, name: str = "r.yaml") -> str:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return str(p)


def test_every_evidence_span_is_exact_on_the_bundled_dump(tagger):
    n = 0
    for r in read_source(str(EXAMPLE)):
        paper = tagger.tag(r)
        for e in paper.evidence:
            field = r.title if e.field == "title" else r.abstract
            assert field[e.start : e.end] == e.text
            n += 1
        for c in paper.claims:
            assert r.abstract[c.start : c.end] == c.text
    assert n > 500


def test_default_rules_cover_the_whole_vocabulary(tagger):
    from papertriage.vocabulary import MODALITIES, TASKS

    assert set(MODALITIES) <= set(tagger.labels("modality"))
    assert set(TASKS) <= set(tagger.labels("task"))
    for facet, labels in (("modality", MODALITIES), ("task", TASKS)):
        with_rules = {lab for r in tagger.ruleset.rules if r.facet == facet for lab in r.labels}
        assert set(labels) <= with_rules, set(labels) - with_rules


@pytest.mark.parametrize(
    "abstract",
    [
        "We detect hate speech in social media posts and hate speech against minorities.",
        "A part-of-speech tagger; part-of-speech tags improve parsing of part of speech.",
    ],
)
def test_hate_speech_and_part_of_speech_are_not_speech(tagger, abstract):
    paper = tagger.tag(rec("A study", abstract))
    assert "speech" not in paper.modality


def test_speech_recognition_paper_is_speech(tagger):
    paper = tagger.tag(rec("Robust speech recognition with self-supervised features",
                           "We improve automatic speech recognition (ASR) on noisy spoken utterances."))
    assert "speech" in paper.modality
    assert "speech-recognition" in paper.task
    rules = {e.rule for e in paper.evidence if e.label == "speech"}
    assert all(r.startswith("modality.speech") for r in rules)


def test_user_rules_add_a_label_usable_everywhere(tmp_path):
    path = write(tmp_path, """
        labels:
          modality:
            eeg: {threshold: 1, description: brain recordings}
        rules:
          - id: user.eeg
            facet: modality
            label: eeg
            case_sensitive: [EEG]
            phrases: [electroencephalography]
    """)
    t = Tagger(load_rules([path], use_config=False))
    assert "eeg" in t.labels("modality")
    paper = t.tag(rec("Decoding EEG", "We decode signals."))
    assert "eeg" in paper.modality
    ev = [e for e in paper.evidence if e.label == "eeg"]
    assert ev[0].rule == "user.eeg" and ev[0].field == "title" and ev[0].text == "EEG"


def test_user_rule_disables_and_extends_by_id(tmp_path):
    base = load_rules(use_config=False)
    some = next(r for r in base.rules if r.facet == "modality" and "speech" in r.labels)
    path = write(tmp_path, f"""
        rules:
          - id: {some.id}
            disabled: true
    """)
    rs = load_rules([path], use_config=False)
    assert some.id not in {r.id for r in rs.rules}
    path2 = write(tmp_path, f"""
        rules:
          - id: {some.id}
            extend: true
            phrases: [zorblax]
    """, "e.yaml")
    rs2 = load_rules([path2], use_config=False)
    assert "zorblax" in next(r for r in rs2.rules if r.id == some.id).phrases


def test_every_problem_is_reported_at_once_with_file_line_and_id(tmp_path):
    path = write(tmp_path, """
        rules:
          - id: a
            facet: modality
            label: eeg
            phrases: [x]
            colour: red
          - id: a
            facet: modality
            label: eeg
            phrases: [y]
          - id: b
            facet: modalty
            label: eeg
            phrases: [z]
          - id: c
            facet: task
            label: thing
            patterns: ['(unclosed']
          - id: d
            facet: task
            label: thing
            patterns: ['(a+)+$']
    """)
    with pytest.raises(RulesError) as info:
        load_rules([path], use_config=False)
    problems = info.value.problems
    assert f"{path}:2: rule 'a': unknown key 'colour'" in problems[0]
    joined = "\n".join(problems)
    assert f"{path}:7: rule 'a': duplicate id (first defined at {path}:2)" in joined
    assert f"{path}:11: rule 'b': unknown facet 'modalty'; did you mean 'modality'?" in joined
    assert f"{path}:15: rule 'c': pattern '(unclosed': regex does not compile" in joined
    assert f"{path}:19: rule 'd': pattern '(a+)+$': nested unbounded repeats" in joined
    assert len(problems) == 5


def test_yaml_syntax_error_names_line_and_column(tmp_path):
    path = write(tmp_path, "rules:\n  - id: a\n    phrases: [x\n")
    with pytest.raises(RulesError) as info:
        load_rules([path], use_config=False)
    assert info.value.problems[0].startswith(f"{path}:4:1: YAML syntax error")


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 30):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    path = write(tmp_path, "\n".join(lines) + "\nrules: []\n")
    with pytest.raises(RulesError) as info:
        load_rules([path], use_config=False)
    assert "too many YAML aliases" in info.value.problems[0]


def test_label_that_looks_like_a_builtin_is_refused(tmp_path):
    path = write(tmp_path, """
        rules:
          - id: mine
            facet: modality
            label: speach
            phrases: [voice]
    """)
    with pytest.raises(RulesError) as info:
        load_rules([path], use_config=False)
    assert "label 'speach' looks like the built-in modality label 'speech'" in info.value.problems[0]


def test_title_weighs_more_than_abstract(tmp_path):
    path = write(tmp_path, """
        labels:
          task:
            widgetry: {threshold: 2}
        rules:
          - id: w
            facet: task
            label: widgetry
            phrases: [widget]
    """)
    t = Tagger(load_rules([path], use_config=False, use_defaults=True), claims=False)
    assert "widgetry" in t.tag(rec("A widget", "Nothing here.")).task
    assert "widgetry" not in t.tag(rec("Nothing", "One widget here.")).task
    assert "widgetry" in t.tag(rec("Nothing", "One widget here, and a widget there, and widgets.")).task


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)+$", "(a*)*b", r"(\w+\s?)+$", "(.*a){20}", "a.*b.*c", "[^x]+y"])
def test_catastrophic_regexes_are_refused_fast(tmp_path, pattern):
    import time

    path = write(tmp_path, f"rules:\n  - id: evil\n    facet: task\n    label: classification\n    patterns: ['{pattern}']\n")
    start = time.monotonic()
    with pytest.raises(RulesError) as info:
        load_rules([path], use_config=False)
    assert time.monotonic() - start < 1
    assert f"rule 'evil': pattern {pattern!r}:" in info.value.problems[0]


def test_allowed_patterns_stay_fast_on_long_text(tmp_path):
    import time

    path = write(tmp_path, "rules:\n  - id: ok\n    facet: task\n    label: classification\n    patterns: ['\\w+\\s+\\w+ classifiers?', 'poses?\\s(?:a|an|the)']\n")
    t = Tagger(load_rules([path], use_config=False), claims=False)
    text = ("a" * 5000 + " ") * 40
    start = time.monotonic()
    t.tag(rec("x", text))
    assert time.monotonic() - start < 1


def test_unknown_keys_and_label_collisions_all_reported(tmp_path):
    path = write(tmp_path, """
        labels:
          modality:
            Speech: {}
        rules:
          - id: x
            facet: task
            label: classification
            phrase: [a]
            phrases: [b]
          - id: y
            facet: task
            label: classificaton
            phrases: [c]
    """)
    with pytest.raises(RulesError) as info:
        load_rules([path], use_config=False)
    text = "\n".join(info.value.problems)
    assert "label 'Speech' must be lower-case letters, digits and hyphens" in text
    assert "unknown key 'phrase'; did you mean 'phrases'?" in text
    assert "label 'classificaton' looks like the built-in task label 'classification'" in text


def test_two_user_files_defining_one_rule_conflict(tmp_path):
    a = write(tmp_path, "rules:\n  - id: mine\n    facet: task\n    label: classification\n    phrases: [a]\n", "a.yaml")
    b = write(tmp_path, "rules:\n  - id: mine\n    facet: task\n    label: retrieval\n    phrases: [b]\n", "b.yaml")
    with pytest.raises(RulesError) as info:
        load_rules([a, b], use_config=False)
    assert info.value.problems == [
        f"{b}:2: rule 'mine': also defined at {a}:2; two rule files define the same rule (use extend: true to add to it, or rename one)"
    ]


def test_config_folder_rules_apply(tmp_path, monkeypatch):
    folder = tmp_path / "cfg" / "papertriage" / "rules"
    folder.mkdir(parents=True)
    (folder / "eeg.yaml").write_text("labels:\n  modality:\n    eeg: {threshold: 1}\nrules:\n  - id: cfg.eeg\n    facet: modality\n    label: eeg\n    case_sensitive: [EEG]\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    rs = load_rules()
    assert "cfg.eeg" in {r.id for r in rs.rules}
    assert "eeg" in rs.labels("modality")


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_rules_leaves_the_garbage_collector_as_it_was(tmp_path, enabled):
    import gc

    from papertriage import engine

    rules = tmp_path / "mine.yaml"
    rules.write_text("rules:\n  - {id: my.gc, facet: task, label: gc-test, phrases: [garbage collector]}\n", encoding="utf-8")
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        tagger = engine.get_tagger([str(rules)], use_config=False)
        assert gc.isenabled() is enabled
        with pytest.raises(RulesError):
            bad = tmp_path / "bad.yaml"
            bad.write_text("rules: [{id: x}]\n", encoding="utf-8")
            engine.get_tagger([str(bad)], use_config=False)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    rec = Record("x", "A garbage collector", "", Source("-", 1))
    assert tagger.tag(rec).task == ["gc-test"]
