"""The library: import, query, search, triage, duplicates, re-tagging."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from papertriage.engine import get_tagger
from papertriage.errors import LibraryError, NotFoundError, UsageError
from papertriage.library import Library, default_path
from papertriage.models import Claim, Paper, Record, Source
from papertriage.output import paper_to_dict
from papertriage.parsers import read_source
from papertriage.query import Filters, parse_claim_condition

from .conftest import EXAMPLE

# ---------------------------------------------------------------------------
# helpers (also used by the other test_library_* modules)


def claim(metric: str, value: float, *, unit: str | None = "%", kind: str = "absolute", dataset: str | None = None) -> Claim:
    text = f"{metric} of {value}{unit or ''}"
    return Claim(metric, float(value), unit, kind, dataset, text, 0, len(text))


def make_paper(
    pid: str,
    title: str,
    abstract: str = "",
    *,
    modality: tuple[str, ...] = (),
    task: tuple[str, ...] = (),
    claims: tuple[Claim, ...] = (),
    urls: tuple[str, ...] = (),
    date: str | None = None,
    multimodal: bool = False,
    arxiv_id: str | None = None,
    doi: str | None = None,
    extra: dict[str, Any] | None = None,
    digest: str = "test-rules",
) -> Paper:
    rec = Record(
        id=pid,
        title=title,
        abstract=abstract or f"An abstract about {title.lower()}.",
        source=Source("test.txt", 1),
        urls=urls,
        date=date,
        arxiv_id=arxiv_id,
        doi=doi,
        extra=dict(extra or {}),
    )
    metrics: list[str] = []
    for c in claims:
        if c.metric not in metrics:
            metrics.append(c.metric)
    return Paper(rec, list(modality), multimodal, list(task), metrics, list(claims), [], digest)


def bundled_papers() -> list[Paper]:
    tagger = get_tagger(use_config=False)
    return [tagger.tag(r) for r in read_source(str(EXAMPLE))]


@pytest.fixture(scope="module")
def bundled() -> list[Paper]:
    return bundled_papers()


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "library.db") as library:
        yield library


# ---------------------------------------------------------------------------
# opening


def test_default_path_follows_xdg_and_env(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "xdg" / "papertriage" / "library.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert str(default_path()).endswith(".local/share/papertriage/library.db")
    monkeypatch.setenv("PAPERTRIAGE_DB", str(tmp_path / "other.db"))
    assert default_path() == tmp_path / "other.db"


def test_a_new_library_is_created_with_its_directories(tmp_path):
    path = tmp_path / "a" / "b" / "lib.db"
    with Library(path) as library:
        assert library.count() == 0
        assert library.path == path
    assert path.exists()


def test_missing_library_is_an_error_when_not_creating(tmp_path):
    with pytest.raises(LibraryError, match="no library at"):
        Library(tmp_path / "missing.db", create=False)


def test_a_file_that_is_not_a_library_is_refused(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LibraryError, match="not a papertriage library"):
        Library(junk)
    import sqlite3

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    with pytest.raises(LibraryError, match="not a papertriage library"):
        Library(other)


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(LibraryError, match="is a directory"):
        Library(tmp_path)


# ---------------------------------------------------------------------------
# import


def test_reimport_is_idempotent(lib, bundled):
    n = len({p.id for p in bundled})
    first = lib.add(bundled)
    assert first.new + first.duplicates == n
    assert lib.count() == n == 333
    again = lib.add(bundled)
    assert (again.new, again.updated, again.duplicates, again.unchanged) == (0, 0, 0, len(bundled))
    assert lib.count() == n


def test_the_same_paper_twice_in_one_import_is_one_paper(lib):
    p = make_paper("p1", "A study of speech recognition in noisy rooms")
    changed = make_paper("p1", "A study of speech recognition in noisy rooms", "A new abstract.")
    result = lib.add([p, p, changed])
    assert (result.new, result.unchanged, result.updated) == (1, 1, 1)
    assert lib.count() == 1
    assert lib.get("p1")["abstract"] == "A new abstract."


def test_reimport_updates_text_and_tags_and_keeps_decisions(lib):
    lib.add([make_paper("p1", "Speech recognition with transformers", modality=("speech",))])
    lib.mark(["p1"], "include", note="baseline")
    lib.mark(["p1"], "maybe")
    newer = make_paper(
        "p1", "Speech recognition with transformers", "Now about images, not speech.", modality=("image",)
    )
    result = lib.add([newer])
    assert result.updated == 1
    got = lib.get("p1")
    assert got["abstract"] == "Now about images, not speech."
    assert got["modality"] == ["image"]
    assert got["status"] == "maybe"
    assert got["note"] == "baseline"
    assert [h["status"] for h in got["history"]] == ["include", "maybe"]
    assert list(lib.query_ids(Filters(modality=["speech"]))) == []
    assert list(lib.query_ids(Filters(modality=["image"]))) == ["p1"]
    assert [p["id"] for p in lib.query(Filters(search="images"))] == ["p1"]
    assert list(lib.query(Filters(search="transformers")))[0]["id"] == "p1"


def test_decision_survives_reimport_of_the_bundled_dump(lib, bundled):
    lib.add(bundled)
    pid = bundled[7].id
    lib.mark([pid], "exclude", note="off topic")
    lib.add(bundled_papers())
    got = lib.get(pid)
    assert (got["status"], got["note"]) == ("exclude", "off topic")
    assert list(lib.query_ids(Filters(status=["exclude"]))) == [pid]


def test_progress_is_reported_per_batch(lib, bundled):
    seen: list[int] = []
    lib.add(bundled, progress=seen.append)
    assert sum(seen) == len(bundled)


def test_query_yields_the_jsonl_shape_plus_library_fields(lib, bundled):
    lib.add(bundled)
    rows = {d["id"]: d for d in lib.query()}
    for p in bundled[:50]:
        expected = paper_to_dict(p)
        got = rows[p.id]
        assert list(got)[: len(expected)] == list(expected)
        assert {k: got[k] for k in expected} == expected
        assert list(got)[len(expected) :] == ["status", "note", "added"]
        assert got["status"] == "unread" and got["note"] is None
        assert got["added"].endswith("Z")


def test_query_keeps_import_order_by_default(lib, bundled):
    lib.add(bundled)
    assert list(lib.query_ids()) == list(dict.fromkeys(p.id for p in bundled))


def test_extra_fields_are_kept(lib):
    p = make_paper("p1", "A paper with extras", extra={"journal": "JMLR", "status": "include"})
    lib.add([p.replace(record=p.record.replace(authors=("A. Author",), categories=("cs.SD",)))])
    got = lib.get("p1")
    assert got["journal"] == "JMLR"
    assert got["authors"] == ["A. Author"]
    assert got["categories"] == ["cs.SD"]
    assert got["status"] == "include"


def test_exported_decisions_are_restored_on_import(tmp_path, lib):
    lib.add([make_paper("p1", "First paper on speech"), make_paper("p2", "Second paper on images")])
    lib.mark(["p1"], "include", note="keep")
    lib.mark(["p1"], "maybe")
    exported = [lib.get(i) for i in ("p1", "p2")]

    def record(d: dict[str, Any]) -> Record:
        extra = {k: d[k] for k in ("status", "note", "history", "added")}
        return Record(d["id"], d["title"], d["abstract"], Source("export.jsonl", 1), extra=extra)

    with Library(tmp_path / "copy.db") as copy:
        copy.add(make_paper(d["id"], d["title"], d["abstract"]) for d in exported)  # plain first
        copy.add(
            make_paper(d["id"], d["title"], d["abstract"]).replace(record=record(d)) for d in exported
        )
        got = copy.get("p1")
        assert (got["status"], got["note"]) == ("maybe", "keep")
        assert got["history"] == exported[0]["history"]
        assert copy.get("p2")["status"] == "unread"
        # a decision taken in the library is not overwritten by an older export
        copy.mark(["p1"], "exclude")
        copy.add([make_paper("p1", exported[0]["title"], exported[0]["abstract"]).replace(record=record(exported[0]))])
        assert copy.get("p1")["status"] == "exclude"

    with Library(tmp_path / "fresh.db") as fresh:
        fresh.add(
            make_paper(d["id"], d["title"], d["abstract"]).replace(record=record(d)) for d in exported
        )
        got = fresh.get("p1")
        assert (got["status"], got["note"], got["added"]) == ("maybe", "keep", exported[0]["added"])
        assert got["history"] == exported[0]["history"]


# ---------------------------------------------------------------------------
# resolving ids, marking


def test_prefix_resolution(lib):
    lib.add(
        [
            make_paper("2301.12345", "Paper one about speech"),
            make_paper("2301.12399", "Paper two about images"),
            make_paper("t0abc12345", "Paper three about graphs"),
        ]
    )
    assert lib.resolve("2301.12345") == "2301.12345"
    assert lib.resolve("arXiv:2301.12345v2") == "2301.12345"
    assert lib.resolve("https://arxiv.org/abs/2301.12345") == "2301.12345"
    assert lib.resolve("t0a") == "t0abc12345"
    assert lib.resolve("T0ABC") == "t0abc12345"
    with pytest.raises(NotFoundError, match=r"ambiguous id prefix '2301\.123': matches 2301\.12345, 2301\.12399"):
        lib.resolve("2301.123")
    with pytest.raises(NotFoundError, match="no paper with id or prefix 'zzz'"):
        lib.resolve("zzz")
    with pytest.raises(NotFoundError):
        lib.resolve("")
    assert lib.get("t0a")["id"] == "t0abc12345"


def test_mark_records_history_with_utc_timestamps(lib):
    lib.add([make_paper("p1", "Speech recognition at scale"), make_paper("p2", "Image segmentation at scale")])
    assert lib.mark(["p1", "p2"], "include", note="core") == ["p1", "p2"]
    lib.mark(["p1"], "include")  # no change, no note: no history row
    lib.mark(["p1"], "exclude")
    got = lib.get("p1")
    assert got["status"] == "exclude"
    assert got["note"] == "core"
    assert [(h["status"], h["note"]) for h in got["history"]] == [("include", "core"), ("exclude", None)]
    assert all(h["at"].endswith("Z") and "T" in h["at"] for h in got["history"])
    assert [p["id"] for p in lib.query(Filters(status=["include"]))] == ["p2"]
    assert sorted(lib.query_ids(Filters(status=["unread", "exclude"]))) == ["p1"]


def test_mark_rejects_unknown_status_and_ids(lib):
    lib.add([make_paper("p1", "Speech recognition at scale")])
    with pytest.raises(UsageError, match="unknown status 'inclde'; did you mean 'include'"):
        lib.mark(["p1"], "inclde")
    with pytest.raises(NotFoundError):
        lib.mark(["nope"], "include")
    assert lib.get("p1")["history"] == []


# ---------------------------------------------------------------------------
# search


def test_misspelled_search_finds_speech_recognition_papers(lib, bundled):
    lib.add(bundled)
    top = list(lib.query(Filters(search="speach recogntion"), limit=5))
    assert len(top) == 5
    assert any("speech recognition" in (p["title"] + " " + p["abstract"]).lower() for p in top)
    assert "speech recognition" in (top[0]["title"] + top[0]["abstract"]).lower()
    plan = lib.search_plan("speach recogntion")
    assert plan.alternatives == {"speach": ["speech"], "recogntion": ["recognition"]}


def test_misspelled_search_ranks_the_title_match_first(lib):
    lib.add(
        [
            make_paper("a", "Graph neural networks for molecules", "We study molecules and graphs."),
            make_paper("b", "Robust speech recognition in noise", "Speech recognition systems fail in noise."),
            make_paper("c", "Image classification", "We mention speech once."),
        ]
    )
    assert list(lib.query_ids(Filters(search="speach recogntion")))[0] == "b"
    assert list(lib.query_ids(Filters(search="moleculs")))[0] == "a"


def test_search_falls_back_to_any_word(lib):
    lib.add([make_paper("a", "Speech recognition in noise"), make_paper("b", "Image classification")])
    assert list(lib.query_ids(Filters(search="speech zebra"))) == ["a"]


NASTY = [
    '"', "'", '"unbalanced', "*", "speech*", "NEAR(speech recognition)", "NEAR", "(", ")", "())((", "-", "-speech",
    "speech -noise", ":", "title:speech", "abstract : x", "AND", "OR", "NOT", "speech AND", "OR speech", "^speech",
    "{title}", "[x]", "\\", "%", "_", "a'b\"c", "\x00", "😀 speech", "ℌ", "ﬁne-tuning", "e\u0301", "🙂" * 200,
    "x" * 5000, " ", "", "self-supervised", "c++", "wav2vec 2.0", "speech:recognition", '""', "'; DROP TABLE papers; --",
]


@pytest.mark.parametrize("text", NASTY)
def test_fts_syntax_never_raises(lib, bundled, text):
    if lib.count() == 0:
        lib.add(bundled[:60])
    ids = list(lib.query_ids(Filters(search=text)))
    assert len(ids) <= 100
    list(lib.query(Filters(search=text), limit=3))
    list(lib.claims(Filters(search=text)))
    lib.stats(Filters(search=text))
    assert lib.count() == 60


def test_search_text_never_reaches_sql(lib):
    lib.add([make_paper("a", "Speech recognition")])
    list(lib.query(Filters(search="'; DROP TABLE papers; --")))
    assert lib.count() == 1


def test_search_combines_with_filters_and_sort(lib):
    lib.add(
        [
            make_paper("a", "Speech recognition for children", modality=("speech",), date="2021-01-01"),
            make_paper("b", "Speech recognition survey", modality=("speech", "text"), date="2023-05-01"),
            make_paper("c", "Recognition of images", modality=("image",), date="2022-01-01"),
        ]
    )
    assert sorted(lib.query_ids(Filters(search="recognition", modality=["speech"]))) == ["a", "b"]
    assert list(lib.query_ids(Filters(search="recognition"), sort="-date")) == ["b", "c", "a"]
    assert list(lib.query_ids(Filters(search="recognition", not_modality=["text"]), sort="id")) == ["a", "c"]


# ---------------------------------------------------------------------------
# sorting, claims, stats


def test_sorts(lib):
    lib.add(
        [
            make_paper("b", "beta paper", date="2022-03-01"),
            make_paper("a", "Alpha paper", date="2021"),
            make_paper("c", "gamma paper"),
        ]
    )
    lib.mark(["c"], "include")
    assert list(lib.query_ids()) == ["b", "a", "c"]
    assert list(lib.query_ids(sort="id")) == ["a", "b", "c"]
    assert list(lib.query_ids(sort="-id")) == ["c", "b", "a"]
    assert list(lib.query_ids(sort="title")) == ["a", "b", "c"]
    assert list(lib.query_ids(sort="date")) == ["a", "b", "c"]
    assert list(lib.query_ids(sort="-date")) == ["b", "a", "c"]
    assert list(lib.query_ids(sort="status")) == ["c", "b", "a"]
    assert list(lib.query_ids(sort="-added")) == ["c", "a", "b"]
    assert list(lib.query_ids(sort="id", limit=2)) == ["a", "b"]
    with pytest.raises(UsageError, match="unknown sort 'titel'; did you mean 'title'"):
        list(lib.query_ids(sort="titel"))
    with pytest.raises(UsageError, match="needs --search"):
        list(lib.query_ids(sort="rank"))


def test_claims_rows_and_sort_by_value(lib):
    lib.add(
        [
            make_paper("a", "Speech one", claims=(claim("wer", 5.1, dataset="LibriSpeech test-clean"), claim("accuracy", 90))),
            make_paper("b", "Speech two", claims=(claim("wer", 3.2, dataset="LibriSpeech test-other"),)),
            make_paper("c", "Images", claims=(claim("accuracy", 80, dataset="ImageNet"),)),
        ]
    )
    rows = list(lib.claims(Filters(metric=["wer"]), sort="value"))
    assert [(r["id"], r["value"]) for r in rows] == [("b", 3.2), ("a", 5.1)]
    assert set(rows[0]) == {"id", "title", "metric", "value", "unit", "kind", "dataset", "text"}
    assert [r["id"] for r in lib.claims(Filters(metric=["wer"]), sort="-value")] == ["a", "b"]
    assert [r["id"] for r in lib.claims(Filters(dataset=["imagenet"]))] == ["c"]
    assert [(r["id"], r["metric"]) for r in lib.claims()] == [("a", "wer"), ("a", "accuracy"), ("b", "wer"), ("c", "accuracy")]
    cond = Filters(claim=[parse_claim_condition("wer<4")])
    assert [(r["id"], r["metric"]) for r in lib.claims(cond)] == [("b", "wer")]


def test_stats(lib):
    lib.add(
        [
            make_paper("a", "One", modality=("speech",), task=("speech-recognition",), claims=(claim("wer", 5),)),
            make_paper("b", "Two", modality=("speech", "text"), multimodal=True, urls=("https://github.com/x/y",)),
            make_paper("c", "Three", modality=("image",)),
        ]
    )
    lib.mark(["a"], "include")
    s = lib.stats()
    assert s["total"] == {"papers": 3, "multimodal": 1, "has_code": 1}
    assert s["modality"] == {"speech": 2, "image": 1, "text": 1}
    assert s["task"] == {"speech-recognition": 1}
    assert s["metric"] == {"wer": 1}
    assert s["status"] == {"include": 1, "maybe": 0, "exclude": 0, "unread": 2}
    s = lib.stats(Filters(modality=["speech"]))
    assert s["total"]["papers"] == 2
    assert s["modality"] == {"speech": 2, "text": 1}
    assert lib.count(Filters(modality=["speech"])) == 2


# ---------------------------------------------------------------------------
# duplicates


def test_near_duplicates_are_stored_linked_and_reported(lib):
    lib.add(
        [
            make_paper("2301.00001", "Robust Speech Recognition via Large-Scale Weak Supervision", arxiv_id="2301.00001"),
            make_paper("doi:10.1/abc", "Masked autoencoders are scalable vision learners", doi="10.1/abc"),
        ]
    )
    result = lib.add(
        [
            make_paper("tsame000001", "Robust speech recognition via large scale weak supervision!"),
            make_paper("tfuzzy00001", "Masked autoencoder are scalable vision learners"),
            make_paper("doi:10.9/zzz", "Another paper entirely", arxiv_id="2301.00001", doi="10.9/zzz"),
            make_paper("tnew0000001", "Something completely different and new"),
        ]
    )
    assert (result.new, result.duplicates) == (1, 3)
    links = {(link.id, link.duplicate_of): link.reason for link in result.links}
    assert links == {
        ("tsame000001", "2301.00001"): "same title",
        ("tfuzzy00001", "doi:10.1/abc"): links[("tfuzzy00001", "doi:10.1/abc")],
        ("doi:10.9/zzz", "2301.00001"): "same arXiv id 2301.00001",
    }
    assert links[("tfuzzy00001", "doi:10.1/abc")].startswith("similar title (")
    assert lib.count() == 6
    groups = lib.dedupe_groups()
    assert [[e["id"] for e in g] for g in groups] == [
        ["2301.00001", "tsame000001", "doi:10.9/zzz"],
        ["doi:10.1/abc", "tfuzzy00001"],
    ]
    assert groups[0][1]["reason"] == "same title"
    assert lib.get("tsame000001")["duplicate_of"] == "2301.00001"


def test_duplicates_within_one_import_are_linked(lib):
    result = lib.add(
        [make_paper("x1", "Deep residual learning for image recognition"), make_paper("x2", "Deep Residual Learning for Image Recognition.")]
    )
    assert (result.new, result.duplicates) == (1, 1)
    assert result.links[0].duplicate_of == "x1"


def test_short_titles_do_not_link(lib):
    result = lib.add([make_paper("x1", "Introduction"), make_paper("x2", "Introduction")])
    assert result.duplicates == 0


def test_merge_keeps_decisions_and_removes_duplicates(lib):
    lib.add([make_paper("a1", "Deep residual learning for image recognition", modality=("image",))])
    lib.add([make_paper("a2", "Deep residual learning for image recognition")])
    lib.mark(["a2"], "include", note="the arXiv version")
    kept = lib.merge(["a1", "a2"], keep="a1")
    assert kept == "a1"
    assert lib.count() == 1
    got = lib.get("a1")
    assert (got["status"], got["note"]) == ("include", "the arXiv version")
    assert [h["status"] for h in got["history"]] == ["include"]
    assert lib.dedupe_groups() == []
    assert lib.resolve("a2") == "a1"
    assert list(lib.query_ids(Filters(search="residual"))) == ["a1"]
    result = lib.add([make_paper("a2", "Deep residual learning for image recognition")])
    assert result.merged == 1 and lib.count() == 1


# ---------------------------------------------------------------------------
# re-tagging


class _SpeechTagger:
    """Tags every paper as speech; its rules digest is 'v2'."""

    digest = "v2"

    def tag(self, record: Record) -> Paper:
        return Paper(record, ["speech"], False, ["speech-recognition"], ["wer"], [claim("wer", 1.0)], [], "v2")


def test_retag_updates_tags_and_keeps_decisions(lib):
    lib.add([make_paper("a", "First", modality=("image",)), make_paper("b", "Second", modality=("speech",), task=("speech-recognition",), claims=(claim("wer", 1.0),))])
    lib.mark(["a"], "maybe", note="check")
    assert lib.stale_count("v2") == 2
    changed = lib.retag(_SpeechTagger())
    assert changed == 1  # a's tags changed; b got only the new digest
    assert lib.stale_count("v2") == 0
    got = lib.get("a")
    assert got["modality"] == ["speech"] and got["rules_digest"] == "v2"
    assert (got["status"], got["note"]) == ("maybe", "check")
    assert sorted(lib.query_ids(Filters(modality=["speech"]))) == ["a", "b"]
    assert list(lib.query_ids(Filters(modality=["image"]))) == []
    assert lib.retag(_SpeechTagger(), only_stale=True) == 0


def test_retag_with_real_rules_is_a_no_op_when_rules_did_not_change(lib, bundled):
    lib.add(bundled[:80])
    before = list(lib.query())
    assert lib.retag(get_tagger(use_config=False)) == 0
    after = list(lib.query())
    strip = lambda rows: [{k: v for k, v in r.items() if k != "added"} for r in rows]  # noqa: E731
    assert strip(after) == strip(before)


def test_duplicates_are_found_among_many_papers_with_the_same_title_ending(lib):
    import hashlib

    from papertriage import library as library_mod

    def title(i: int) -> str:
        h = hashlib.sha1(str(i).encode()).hexdigest()
        return f"{h[:10]} and {h[10:20]} methods for speech recognition"

    n = library_mod.BLOCK_LIMIT + 50
    first = lib.add(make_paper(f"s{i}", title(i)) for i in range(n))
    assert first.duplicates == 0
    result = lib.add(
        [
            make_paper("copy", title(0)),
            make_paper("typo", title(1).replace(" methods ", " methds ")),
        ]
    )
    assert {(link.id, link.duplicate_of, link.reason.split(" (")[0]) for link in result.links} == {
        ("copy", "s0", "same title"),
        ("typo", "s1", "similar title"),
    }


def test_a_new_paper_is_compared_with_the_latest_papers_of_a_common_title_key(lib, monkeypatch):
    """Beyond BLOCK_LIMIT papers per title key, the latest ones are the
    candidates, also when papers of the same key arrive in the same import."""
    from papertriage import library as library_mod

    monkeypatch.setattr(library_mod, "BLOCK_LIMIT", 3)
    tails = ["kitchen noise", "bird songs", "call centres", "court hearings", "radio news"]
    lib.add(make_paper(f"s{i}", f"Speech recognition for {tail} in the wild") for i, tail in enumerate(tails))
    result = lib.add(
        [
            make_paper("other", "Speech recognition of whale calls at sea"),
            make_paper("typo", "Speech recognition for radio newss in the wild"),
        ]
    )
    assert [(link.id, link.duplicate_of, link.reason.split(" (")[0]) for link in result.links] == [
        ("typo", "s4", "similar title")
    ]


def test_an_import_holds_more_of_the_full_text_index_in_memory(lib):
    """Fewer, larger index segments, merged less often: the settings are stored with the index,
    and search finds what was imported across several batches."""
    from papertriage import library

    papers = [make_paper(f"p{i}", f"Paper {i} on speech recognition", f"We study keyword {i} spotting.") for i in range(5000)]
    lib.add(papers)
    config = dict(lib.conn.execute("SELECT k, v FROM docs_fts_config"))
    assert config["hashsize"] == library.FTS_HASH_BYTES == 16 * 1024 * 1024
    assert config["automerge"] == library.FTS_AUTOMERGE == 16
    rows = lib.conn.execute("SELECT count(*) FROM docs_fts WHERE docs_fts MATCH 'speech'").fetchone()[0]
    assert rows == 5000
    assert lib.conn.execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH '\"keyword 4999\"'").fetchall()


def test_a_new_library_has_large_pages_and_an_old_one_keeps_its_own(tmp_path):
    from papertriage import library

    with Library.open(tmp_path / "new.db") as lib:
        assert lib.conn.execute("PRAGMA page_size").fetchone()[0] == library.PAGE_SIZE == 16384
        assert lib.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        lib.add([make_paper("p1", "Speech recognition in the wild")])
    old = tmp_path / "old.db"
    with Library.open(old) as lib:
        pass
    conn = sqlite3.connect(old)  # a library written with 4 KB pages
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("VACUUM")
    conn.close()
    with Library.open(old) as lib:
        lib.add([make_paper("p1", "Speech recognition in the wild")])
        assert lib.conn.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert [r["id"] for r in lib.query()] == ["p1"]


def test_an_import_shortens_the_switch_interval_and_restores_it(lib):
    """The writer gets the interpreter lock back sooner after each SQLite statement."""
    import sys

    from papertriage import library

    seen = []

    def papers(fail: bool):
        seen.append(sys.getswitchinterval())
        yield make_paper("p1", "Speech recognition in the wild")
        if fail:
            raise OSError("the input went away")

    before = sys.getswitchinterval()
    lib.add(papers(False))
    with pytest.raises(OSError):
        lib.add(papers(True))
    assert seen == [library.IMPORT_SWITCH_INTERVAL] * 2 and library.IMPORT_SWITCH_INTERVAL < before
    assert sys.getswitchinterval() == before
    assert [r["id"] for r in lib.query()] == ["p1"]


def test_imports_in_threads_restore_the_switch_interval_of_before_the_first(tmp_path):
    import sys
    import threading

    from papertriage import library

    started = threading.Barrier(2)
    seen = []

    def papers(k: int):
        started.wait(timeout=30)  # both imports are running
        seen.append(sys.getswitchinterval())
        yield make_paper(f"p{k}", f"Speech recognition in the wild, part {k}")
        started.wait(timeout=30)  # neither has ended

    def run(k: int) -> None:
        with Library(tmp_path / f"lib{k}.db") as lib:
            lib.add(papers(k))

    before = sys.getswitchinterval()
    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert seen == [library.IMPORT_SWITCH_INTERVAL] * 2
    assert sys.getswitchinterval() == before


def test_an_import_enlarges_the_page_cache_and_restores_it(lib, monkeypatch):
    """The indexes an import writes at random places get a larger cache, for the import only."""
    from papertriage import library

    monkeypatch.setattr(library, "BATCH", 1)
    seen = []

    def papers(fail: bool):
        yield make_paper("p1", "Speech recognition in the wild")
        seen.append(lib.conn.execute("PRAGMA cache_size").fetchone()[0])  # the first batch is written
        yield make_paper("p2", "Image segmentation in the wild")
        if fail:
            raise OSError("the input went away")

    assert lib.conn.execute("PRAGMA cache_size").fetchone()[0] == -library.CACHE_KIB
    lib.add(papers(False))
    assert lib.conn.execute("PRAGMA cache_size").fetchone()[0] == -library.CACHE_KIB
    with pytest.raises(OSError):
        lib.add(papers(True))
    assert seen == [-library.IMPORT_CACHE_KIB] * 2 and library.IMPORT_CACHE_KIB > library.CACHE_KIB
    assert lib.conn.execute("PRAGMA cache_size").fetchone()[0] == -library.CACHE_KIB
    assert [r["id"] for r in lib.query()] == ["p1", "p2"]


ABSTRACT = "We train an acoustic model for speech recognition and reach a WER of 5.1% on LibriSpeech."


def bare_paper(pid: str, title: str) -> Paper:
    """A paper read without an abstract (``make_paper`` always writes one)."""
    return Paper(Record(id=pid, title=title, abstract="", source=Source("bare.txt", 1)), [], False, [], [], [], [], "test-rules")


@pytest.mark.parametrize("batch", [2000, 1])
def test_an_abstract_is_never_replaced_by_none(lib, monkeypatch, batch):
    """Within one import (one batch or several) and across imports, a record
    without an abstract leaves a stored paper that has one as it is."""
    from papertriage import library

    monkeypatch.setattr(library, "BATCH", batch)
    full = make_paper("p1", "Speech recognition in the wild", ABSTRACT, modality=("speech",))
    bare = bare_paper("p1", "Speech recognition in the wild (v2)")
    result = lib.add([full, bare])
    assert (result.new, result.updated, result.unchanged, result.kept, result.total) == (1, 0, 0, 1, 2)
    assert (lib.get("p1")["abstract"], lib.get("p1")["modality"]) == (ABSTRACT, ["speech"])
    result = lib.add([bare])
    assert (result.new, result.updated, result.unchanged, result.kept) == (0, 0, 0, 1)
    assert lib.get("p1")["title"] == "Speech recognition in the wild"


@pytest.mark.parametrize("batch", [2000, 1])
def test_a_record_without_an_abstract_still_brings_its_decisions(lib, monkeypatch, batch):
    """The paper is kept as stored, but the later record's triage decision
    (papertriage's own JSONL) is applied, in one batch as across batches."""
    from papertriage import library

    monkeypatch.setattr(library, "BATCH", batch)
    full = make_paper("p1", "Speech recognition in the wild", ABSTRACT, modality=("speech",))
    bare = bare_paper("p1", "Speech recognition in the wild")
    bare = bare.replace(record=bare.record.replace(extra={"status": "include", "note": "core"}))
    result = lib.add([full, bare])
    assert (result.new, result.kept) == (1, 1)
    got = lib.get("p1")
    assert (got["abstract"], got["status"], got["note"]) == (ABSTRACT, "include", "core")


def test_an_abstract_fills_in_a_paper_stored_without_one(lib):
    bare = bare_paper("p1", "Speech recognition in the wild")
    full = make_paper("p1", "Speech recognition in the wild", ABSTRACT, modality=("speech",))
    result = lib.add([bare, full])  # the later record wins
    assert (result.new, result.updated, result.kept) == (1, 1, 0)
    assert lib.get("p1")["abstract"] == ABSTRACT
    lib.add([bare_paper("p2", "Image segmentation in the wild")])
    result = lib.add([bare_paper("p2", "Image segmentation in the wild")])
    assert (result.unchanged, result.kept) == (1, 0)  # stored without one too: nothing to keep
    result = lib.add([make_paper("p2", "Image segmentation in the wild", ABSTRACT)])
    assert (result.updated, result.kept) == (1, 0)
    assert lib.get("p2")["abstract"] == ABSTRACT
