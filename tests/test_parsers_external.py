"""The input dialects on the real dumps in ../shared/external (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from papertriage.errors import InputError
from papertriage.models import Record
from papertriage.parsers import InputSource, detect, read_source
from papertriage.parsers.common import collapse

REPO = Path(__file__).resolve().parents[1]
EXTERNAL = Path(__file__).resolve().parents[2] / "shared" / "external"
EXAMPLE = REPO / "examples" / "hf-papers-input-representations.txt"

pytestmark = pytest.mark.skipif(not EXTERNAL.is_dir(), reason="../shared/external is not present")

# file -> (dialect, papers, papers with an abstract); None: rejected with an InputError.
EXPECTED: dict[str, tuple[str, int | None, int | None]] = {
    "arxiv_email_digest_2026/arxiv_cs_AI_LG_SE_digest_2026-01-20.txt": ("arxiv-digest", 1141, 707),
    "arxiv_email_digest_2026/fixture_2026-01-23.txt": ("arxiv-digest", 5, 5),
    "arxiv_email_digest_2026/fixture_2026-01-26.txt": ("arxiv-digest", 10, 10),
    "arxiv_email_digest_2026/derived_labels.jsonl": ("jsonl", 1141, 0),
    "arxiv_atom_api/di-proposal_einstein_api_response_2018.xml": ("atom", 10, 10),
    "arxiv_atom_api/readarxiv_astro-ph_api_response_2026-04.xml": ("atom", 63, 63),
    "arxiv_atom_api/stringologytimes_arxiv_entries_2020.xml": ("atom", 548, 548),
    "arxiv_oai_pmh_cs_2016/raw_xml/93.xml": ("oai-pmh", 1000, 1000),
    "arxiv_oai_pmh_cs_2016/arxiv_cs_2015_2016.jsonl": ("jsonl", 6000, 6000),
    "arxiv_oai_pmh_cs_2016/arxiv_cs_rare_modality_categories_1990_2016.jsonl": ("jsonl", 3268, 3268),
    "kaggle_arxiv_snapshot_head200/arxiv-metadata-oai-snapshot.head200.jsonl": ("jsonl", 200, 200),
    "s2orc_metadata_sample/metadata_sample.jsonl": ("jsonl", 1000, 488),
    "scirex/scirex_title_abstract_relations.jsonl": ("jsonl", 306, 306),
    "nlp_tdms/tdms_title_abstract.jsonl": ("jsonl", 268, 268),  # 2 of 270 lines have an empty title
    "zotero_bib_controlnet/My_Library.bib": ("bibtex", 232, 216),
    "zotero_bib_controlnet/My_Library.csv": ("csv", 217, 201),
    "bibtex_misc/iav_ppi_graph_embedding_review.refs.bib": ("bibtex", 76, 52),
    "ris_exports/iav_ppi_graph_embedding_review.references.ris": ("ris", 76, 52),
    "ris_exports/lung_cancer_detection.export.ris": ("ris", 25, 25),
    "keras_arxiv_subset_tiagoft/arxiv_data.csv": ("csv", 1000, 1000),
    "researchfinder_arxiv_daily/arxiv_data.csv": ("csv", 1102, 1037),  # 65 scraped rows lost their abstract
    # Annotation tables, not paper dumps: read as tables and refused clearly.
    "nlp_tdms/annotations/datasetAnnotation.tsv": ("csv", None, None),
    "nlp_tdms/annotations/resultsAnnotation.tsv": ("csv", None, None),
    "nlp_tdms/annotations/taskAnnotation.tsv": ("csv", None, None),
    "nlp_tdms/kb/datasetKB.tsv": ("csv", None, None),
    "nlp_tdms/kb/evaMatrixKB.tsv": ("csv", None, None),
    "nlp_tdms/kb/taskKB.tsv": ("csv", None, None),
    "nlp_tdms/paper_links.tsv": ("csv", None, None),
}


def _read(path: Path) -> tuple[list[Record], list[tuple[int | None, str]], InputSource]:
    warnings: list[tuple[int | None, str]] = []
    sources: list[InputSource] = []
    records = list(
        read_source(str(path), warn=lambda _p, line, msg: warnings.append((line, msg)), on_open=sources.append)
    )
    return records, warnings, sources[0]


def _detected(path: Path) -> str:
    with InputSource.open(str(path)) as src:
        return detect(src).name


def test_every_data_file_is_listed():
    present = {str(p.relative_to(EXTERNAL)) for p in EXTERNAL.rglob("*") if p.is_file() and p.name != "SOURCES.md"}
    assert present <= set(EXPECTED), sorted(present - set(EXPECTED))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_detection_and_counts(name):
    path = EXTERNAL / name
    if not path.exists():
        pytest.skip(f"{name} not present")
    dialect, papers, with_abstract = EXPECTED[name]
    assert _detected(path) == dialect
    # Standard input (no file name) is detected the same.
    with InputSource("-", path.open("rb")) as src:
        assert detect(src).name == dialect
    if papers is None:
        with pytest.raises(InputError) as info:
            _read(path)
        assert info.value.line == 1 and "no title column" in str(info.value)
        return
    records, warnings, src = _read(path)
    assert len(records) == papers
    assert sum(r.has_abstract for r in records) == with_abstract
    assert src.no_abstract == papers - with_abstract
    assert all(r.title and r.title == collapse(r.title) for r in records)
    assert all(r.source.path == str(path) and r.source.line >= 1 for r in records)
    lines = [r.source.line for r in records]
    assert lines == sorted(lines)


def test_hf_page_example_is_still_the_fallback():
    assert _detected(EXAMPLE) == "hf-page"
    records, _, _ = _read(EXAMPLE)
    assert len(records) == 333


def test_digest_matches_its_derived_labels():
    folder = EXTERNAL / "arxiv_email_digest_2026"
    records, warnings, src = _read(folder / "arxiv_cs_AI_LG_SE_digest_2026-01-20.txt")
    assert warnings == []
    gold = [orjson.loads(line) for line in (folder / "derived_labels.jsonl").read_bytes().splitlines()]
    assert [(r.arxiv_id, r.title, list(r.categories), r.has_abstract) for r in records] == [
        (g["arxiv_id"], g["title"], g["categories"], g["has_abstract"]) for g in gold
    ]
    assert src.no_abstract == 434  # the "replaced with revised version" entries
    first = records[0]
    assert first.id == "2601.11559"
    assert first.authors[0] == "Zilal Eiz AlDin" and first.authors[-1] == "Jimeng Sun"
    assert first.date == "2025-12-18"
    assert first.abstract.startswith("Despite rare diseases affecting 1 in 10 Americans, their differential diagnosis")
    assert first.source.line == 16


def test_oai_pmh_matches_the_derived_jsonl():
    folder = EXTERNAL / "arxiv_oai_pmh_cs_2016"
    records, _, _ = _read(folder / "raw_xml" / "93.xml")
    derived = {}
    for line in (folder / "arxiv_cs_2015_2016.jsonl").read_bytes().splitlines():
        obj = orjson.loads(line)
        derived[obj["id"]] = obj
    matched = 0
    for rec in records:
        obj = derived.get(rec.id)
        if obj is None:
            continue
        matched += 1
        assert rec.title == collapse(obj["title"])
        assert rec.abstract == collapse(obj["abstract"])
        assert list(rec.categories) == obj["categories"]
        assert rec.date == obj["created"]
    assert matched > 900
    first = records[0]
    assert (first.id, first.authors) == ("1602.04382", ("José Espírito Santo", "Ralph Matthes", "Luís Pinto"))


def test_atom_files():
    records, _, _ = _read(EXTERNAL / "arxiv_atom_api" / "stringologytimes_arxiv_entries_2020.xml")
    first, last = records[0], records[-1]
    assert first.id == "1910.06169"
    assert first.title == "The PGM-index: a multicriteria, compressed and learned approach to data indexing"
    assert first.categories == ("cs.DS", "cs.DB", "cs.IR", "cs.LG", "E.1; E.4; I.2.6")
    assert last.id == "2006.02219" and last.title == "LCP-Aware Parallel String Sorting"
    assert last.authors == ("Jonas Ellert", "Johannes Fischer", "Nodari Sitchinava")
    assert last.source.line == 19407
    records, _, _ = _read(EXTERNAL / "arxiv_atom_api" / "di-proposal_einstein_api_response_2018.xml")
    assert records[0].id == "1801.05533" and records[0].categories == ("math.DG", "53D10, 53D15")
    assert records[-1].id == "math/0507289"
    records, _, _ = _read(EXTERNAL / "arxiv_atom_api" / "readarxiv_astro-ph_api_response_2026-04.xml")
    assert records[0].id == "2604.21920" and records[0].authors == ("D. Pauli", "T. N. Parsons", "R. K. Prinja")
    assert sum(1 for r in records if r.doi) == 9


def test_bibtex_files():
    records, warnings, _ = _read(EXTERNAL / "zotero_bib_controlnet" / "My_Library.bib")
    assert warnings == []
    nerf = records[0]
    assert nerf.title == "NeRF: Representing Scenes as Neural Radiance Fields for View Synthesis"
    assert nerf.doi == "10.1007/978-3-030-58452-8_24"  # the entry repeats doi; the full one is kept
    assert nerf.authors[0] == "Ben Mildenhall"
    inpainting = next(r for r in records if "audio inpainting" in r.abstract)
    assert "inpainting, \\ie synthesizing" in inpainting.abstract
    assert sum(1 for r in records if "Computer Science - Sound" in r.categories) == 13
    assert sum(1 for r in records if r.arxiv_id) == 74
    records, warnings, _ = _read(EXTERNAL / "bibtex_misc" / "iav_ppi_graph_embedding_review.refs.bib")
    assert warnings == []
    assert records[0].id == "RN57" and records[0].source.line == 1
    assert [r.arxiv_id for r in records if r.arxiv_id] == ["1611.07308", "2109.08031"]


def test_ris_files():
    records, warnings, _ = _read(EXTERNAL / "ris_exports" / "iav_ppi_graph_embedding_review.references.ris")
    assert warnings == []
    assert (
        records[0].title == "MixHop: Higher-Order Graph Convolutional Architectures via Sparsified Neighborhood Mixing"
    )
    assert records[1].id == "doi:10.1371/journal.pcbi.1008844"
    records, _, _ = _read(EXTERNAL / "ris_exports" / "lung_cancer_detection.export.ris")
    assert records[1].title == "Diagnosis of Lung Cancer Based on CT Scans Using CNN"
    assert "accuracy ups to 93.548%" in records[1].abstract
    assert records[0].abstract.startswith("…")


def test_csv_files():
    records, _, _ = _read(EXTERNAL / "researchfinder_arxiv_daily" / "arxiv_data.csv")
    ids = [r.id for r in records]
    assert len(set(ids)) == 879
    assert all(len(i) == 10 for i in ids if i >= "15")  # ids stored as numbers are restored
    assert "2309.11400" in ids and "1104.5573" in ids
    assert sum(1 for r in records if "cs.SD" in r.categories) == 42  # 40 + 2 in rows whose columns shifted
    assert all(":" not in c and " " not in c for r in records for c in r.categories)
    shifted = next(r for r in records if r.id == "2309.10898")
    assert shifted.abstract == "" and shifted.categories == ("cs.CL",)
    records, _, _ = _read(EXTERNAL / "keras_arxiv_subset_tiagoft" / "arxiv_data.csv")
    assert len({r.title for r in records}) == 993
    assert records[0].title == "Neural ODEs for Image Segmentation with Level Sets"
    assert records[0].categories == ("cs.CV", "cs.LG", "eess.IV")
    records, _, _ = _read(EXTERNAL / "zotero_bib_controlnet" / "My_Library.csv")
    assert records[0].title == "StyleGAN2 Distillation for Feed-Forward Image Manipulation"
    assert records[0].authors == ("Yuri Viazovetskyi", "Vladimir Ivashkin", "Evgeny Kashin")


def test_jsonl_files():
    records, _, _ = _read(EXTERNAL / "kaggle_arxiv_snapshot_head200" / "arxiv-metadata-oai-snapshot.head200.jsonl")
    assert records[0].id == "0704.0001" and records[0].authors[0] == "C. Balázs"
    records, _, _ = _read(EXTERNAL / "s2orc_metadata_sample" / "metadata_sample.jsonl")
    assert sum(1 for r in records if r.arxiv_id) == 36
    assert records[0].id == "77490025" and records[0].categories == ("Medicine",)
    records, warnings, _ = _read(EXTERNAL / "nlp_tdms" / "tdms_title_abstract.jsonl")
    assert [line for line, _ in warnings] == [146, 234]
    assert records[0].id == "1705.05952"
