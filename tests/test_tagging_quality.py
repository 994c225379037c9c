"""The default rules keep their measured quality on the labelled papers in
``dev/`` (micro-F1 per facet, as ``papertriage rules test`` reports it).

Each floor sits a little below what the rules score today, so that an edit of
the rules that loses several right tags on any of these sets fails here
instead of passing unnoticed. Raise a floor when the rules improve."""

from __future__ import annotations

import json

import pytest

from papertriage.engine import get_tagger
from papertriage.evaluation import TextResolver, evaluate

from .conftest import ROOT, SHARED

FLOORS = {  # file: (modality, task, multimodal)
    "gold-hf-part1.jsonl": (0.88, 0.75, 0.83),
    "gold-hf-part2.jsonl": (0.92, 0.78, 0.90),
    "gold-hf-second-annotator-120.jsonl": (0.89, 0.77, 0.83),
    "gold-arxiv-2026-digest-110.jsonl": (0.85, 0.67, 0.50),
    "gold-arxiv-listing-mixed-110.jsonl": (0.82, 0.66, 0.80),
    "gold-arxiv-2026-and-cv-110.jsonl": (0.75, 0.73, 0.66),
    "gold-arxiv-cs-1990-2016-110.jsonl": (0.71, 0.62, 0.30),
    "gold-arxiv-ml-110.jsonl": (0.77, 0.70, 0.75),
    "gold-arxiv-cs-2015-16-110.jsonl": (0.71, 0.64, 0.60),
}
"""The ``gold-arxiv-*`` sets name papers of the public dumps in ``../shared/external``
(``source`` and ``id``) instead of holding their texts."""


@pytest.fixture(scope="module")
def tagger():
    return get_tagger([], use_config=False)


@pytest.fixture(scope="module")
def with_text():
    return TextResolver()  # one for all sets: each dump is read once


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_rules_keep_their_quality_on_labelled_papers(name, tagger, with_text):
    path = ROOT / "dev" / name
    lines = path.read_text(encoding="utf-8").splitlines()
    if "source" in json.loads(lines[0]) and not SHARED.is_dir():
        pytest.skip("../shared is not present")
    gold = ((i, with_text(json.loads(line), str(path), i)) for i, line in enumerate(lines, 1))
    report = evaluate(tagger, gold, str(path))
    assert report.papers == len(lines)
    scores = tuple(round(report.micro[f].f1, 3) for f in ("modality", "task", "multimodal"))
    floors = FLOORS[name]
    assert all(s >= f for s, f in zip(scores, floors)), f"{name}: F1 {scores} below {floors}"
