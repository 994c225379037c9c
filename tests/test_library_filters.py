"""The library's SQL filters mean exactly what :func:`query.matches` and
:func:`query.claim_rows` mean in memory."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papertriage.library import Library
from papertriage.output import paper_to_dict
from papertriage.query import ClaimCondition, Filters, claim_rows, matches

from .test_library import bundled_papers, claim, make_paper

MODALITIES = ["speech", "text", "image", "audio", "video", "graph"]
TASKS = ["classification", "speech-recognition", "generation", "retrieval", "translation"]
METRICS = ["wer", "accuracy", "bleu", "f1"]
DATASETS = ["LibriSpeech test-clean", "ImageNet", "WMT'14 En–De", "SQuAD 2.0", "Ünïcode Set", ""]
STATUSES = ["unread", "include", "maybe", "exclude"]
URLS = ["https://github.com/a/b", "https://GITLAB.com/x", "https://example.org/paper", "https://huggingface.co/m"]
DATES = [None, "", "2019", "2020-05", "2021-01-15", "2023-12-31"]


def synthetic_papers(n: int, seed: int = 7) -> list[Any]:
    rnd = random.Random(seed)
    papers = []
    for i in range(n):
        claims = tuple(
            claim(
                rnd.choice(METRICS),
                rnd.choice([1.5, 5.0, 10.0, 42.0, 90.0, 95.5]),
                dataset=rnd.choice(DATASETS + [None]) or None,
                kind=rnd.choice(["absolute", "relative"]),
            )
            for _ in range(rnd.randint(0, 3))
        )
        papers.append(
            make_paper(
                f"p{i:03d}",
                f"Paper {i} on {' and '.join(rnd.sample(MODALITIES, 2))} for {rnd.choice(TASKS)} number {i * 7919}",
                modality=tuple(rnd.sample(MODALITIES, rnd.randint(0, 3))),
                task=tuple(rnd.sample(TASKS, rnd.randint(0, 2))),
                claims=claims,
                urls=tuple(rnd.sample(URLS, rnd.randint(0, 2))),
                date=rnd.choice(DATES),
                multimodal=rnd.random() < 0.3,
            )
        )
    return papers


@pytest.fixture(scope="module")
def populated(tmp_path_factory):
    """A library and the same papers as dicts (with their statuses)."""
    path = tmp_path_factory.mktemp("filters") / "lib.db"
    papers = synthetic_papers(120) + bundled_papers()
    rnd = random.Random(3)
    statuses = {p.id: rnd.choice(STATUSES) for p in papers}
    with Library(path) as lib:
        lib.add(papers)
        for status in STATUSES[1:]:
            ids = [i for i, s in statuses.items() if s == status]
            lib.mark(ids, status)
    dicts = []
    for p in papers:
        d = paper_to_dict(p)
        d["status"] = statuses[p.id]
        dicts.append(d)
    with Library(path) as lib:
        yield lib, dicts


def check(lib: Library, dicts: list[dict[str, Any]], f: Filters) -> None:
    expected = [d["id"] for d in dicts if matches(d, f)]
    assert list(lib.query_ids(f)) == expected, f
    assert lib.count(f) == len(expected)
    expected_rows = [row for d in dicts if matches(d, f) for row in claim_rows(d, f)]
    assert list(lib.claims(f)) == expected_rows, f


FIXED = [
    Filters(),
    Filters(modality=["speech"]),
    Filters(modality=["speech", "image"]),
    Filters(modality=["speech"], task=["speech-recognition"]),
    Filters(not_modality=["text"]),
    Filters(modality=["text"], not_modality=["image", "video"]),
    Filters(metric=["wer"]),
    Filters(not_metric=["accuracy"]),
    Filters(metric=["wer", "accuracy"], not_task=["generation"]),
    Filters(claim=[ClaimCondition("wer", "<", 10.0, "wer<10")]),
    Filters(claim=[ClaimCondition("accuracy", ">=", 90.0, "accuracy>=90"), ClaimCondition("wer", "<=", 5.0, "wer<=5")]),
    Filters(claim=[ClaimCondition("wer", "!=", 5.0, "wer!=5")], metric=["wer", "bleu"]),
    Filters(claim=[ClaimCondition("bleu", "==", 42.0, "bleu==42")], metric=["accuracy"]),
    Filters(claim=[ClaimCondition("f1", "=", 1.5, "f1=1.5")]),
    Filters(dataset=["librispeech"]),
    Filters(dataset=["IMAGENET", "squad"]),
    Filters(dataset=["ünï"]),
    Filters(dataset=[""]),
    Filters(dataset=["en–de"], metric=["wer"]),
    Filters(status=["include"]),
    Filters(status=["unread", "maybe"]),
    Filters(has_code=True),
    Filters(has_code=False),
    Filters(multimodal=True),
    Filters(multimodal=False, modality=["speech"]),
    Filters(since="2020"),
    Filters(since="2021-01"),
    Filters(since="2021-01-15"),
    Filters(since="2024"),
]


@pytest.mark.parametrize("f", FIXED, ids=range(len(FIXED)))
def test_fixed_filters_agree(populated, f):
    check(*populated, f)


conditions = st.builds(
    lambda m, op, v: ClaimCondition(m, op, v, f"{m}{op}{v}"),
    st.sampled_from(METRICS + ["top-1 accuracy"]),
    st.sampled_from(["<", "<=", ">", ">=", "=", "==", "!="]),
    st.sampled_from([0.0, 1.5, 5.0, 10.0, 42.0, 90.0, 95.5, 100.0]),
)
filters = st.builds(
    Filters,
    modality=st.lists(st.sampled_from(MODALITIES + ["3d"]), max_size=2),
    not_modality=st.lists(st.sampled_from(MODALITIES), max_size=2),
    task=st.lists(st.sampled_from(TASKS), max_size=2),
    not_task=st.lists(st.sampled_from(TASKS), max_size=1),
    metric=st.lists(st.sampled_from(METRICS), max_size=2),
    not_metric=st.lists(st.sampled_from(METRICS), max_size=1),
    claim=st.lists(conditions, max_size=2),
    dataset=st.lists(st.sampled_from(["libri", "net", "SQuAD", "ü", "zzz", "2.0"]), max_size=2),
    status=st.lists(st.sampled_from(STATUSES), max_size=2),
    multimodal=st.sampled_from([None, True, False]),
    has_code=st.sampled_from([None, True, False]),
    since=st.sampled_from([None, "2019", "2020-06", "2021-01-15", "2023"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(f=filters)
def test_random_filters_agree(populated, f):
    check(*populated, f)


def test_search_is_a_further_condition(populated):
    lib, dicts = populated
    f = Filters(modality=["speech"], search="speech recognition")
    ids = list(lib.query_ids(f))
    allowed = {d["id"] for d in dicts if matches(d, f)}
    assert ids and set(ids) <= allowed
    for row in lib.claims(f):
        assert row["id"] in allowed
