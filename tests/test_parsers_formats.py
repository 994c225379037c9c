"""The input dialects on small fixtures, one per quirk (tests/data/formats/)."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from papertriage.errors import InputError
from papertriage.models import Record
from papertriage.parsers import InputSource, detect, read_source
from papertriage.parsers.common import iso_date, split_categories
from papertriage.parsers.csvfile import restore_arxiv_id
from papertriage.parsers.latex import decode
from papertriage.parsers.registry_extra import EXTRA_DIALECTS

DATA = Path(__file__).resolve().parent / "data" / "formats"


def read(name: str | Path, **kwargs) -> tuple[list[Record], list[tuple[int | None, str]]]:
    warnings: list[tuple[int | None, str]] = []
    path = str(DATA / name) if isinstance(name, str) else str(name)
    records = list(read_source(path, warn=lambda _p, line, msg: warnings.append((line, msg)), **kwargs))
    return records, warnings


def read_bytes(data: bytes, **kwargs) -> tuple[list[Record], list[tuple[int | None, str]]]:
    warnings: list[tuple[int | None, str]] = []
    records = list(
        read_source("-", stdin=io.BytesIO(data), warn=lambda _p, line, msg: warnings.append((line, msg)), **kwargs)
    )
    return records, warnings


def detected(data: bytes) -> str:
    with InputSource("-", io.BytesIO(data)) as src:
        return detect(src).name


def by_id(records: list[Record]) -> dict[str, Record]:
    return {r.id: r for r in records}


EXPECTED_DIALECT = {
    "digest.txt": "arxiv-digest",
    "atom_2018.xml": "atom",
    "atom_2026.xml": "atom",
    "atom_first_entry_namespaced.xml": "atom",
    "atom_api_error.xml": "atom",
    "rss_arxiv.xml": "atom",
    "oai_arxiv.xml": "oai-pmh",
    "oai_dc.xml": "oai-pmh",
    "oai_error.xml": "oai-pmh",
    "kaggle.jsonl": "jsonl",
    "s2orc.jsonl": "jsonl",
    "papertriage_output.jsonl": "jsonl",
    "broken.jsonl": "jsonl",
    "array.json": "jsonl",
    "s2_graph_api.json": "jsonl",
    "hf_daily_papers.json": "jsonl",
    "endnote.bib": "bibtex",
    "zotero.bib": "bibtex",
    "endnote.ris": "ris",
    "zotero.ris": "ris",
    "zotero.csv": "csv",
    "arxiv_listing.csv": "csv",
    "keras.csv": "csv",
    "generic_semicolon.csv": "csv",
    "generic.tsv": "csv",
    "no_title_column.tsv": "csv",
}


def test_every_fixture_has_an_expected_dialect():
    assert sorted(p.name for p in DATA.iterdir()) == sorted(EXPECTED_DIALECT)


@pytest.mark.parametrize("name", sorted(EXPECTED_DIALECT))
def test_detection_is_by_content(name):
    # Standard input has no file name: detection must come from the content.
    assert detected((DATA / name).read_bytes()) == EXPECTED_DIALECT[name]


def test_dialect_names_are_short_and_unique():
    names = [d.name for d in EXTRA_DIALECTS]
    assert names == ["arxiv-digest", "oai-pmh", "atom", "jsonl", "bibtex", "ris", "csv"]
    assert all(d.description for d in EXTRA_DIALECTS)


# -- arXiv e-mail digest -------------------------------------------------------


def test_digest_entries():
    records, warnings = read("digest.txt")
    assert [r.id for r in records] == ["2601.00001", "2601.00002", "2502.13163"]
    first = records[0]
    assert first.title == "Wav2Small: Distilling Speech Emotion Recognition Models into Tiny Students for Edge Devices"
    assert first.abstract.startswith(
        "We distil a large speech emotion model into a 72k-parameter student that reaches 93.2% accuracy"
    )
    assert "[Hou, arXiv:2601.00638], the student" in first.abstract  # an "arXiv:" line inside an abstract
    assert first.authors == ("Ada Lovelace", "Alan Turing (1)", "Grace Hopper ((1) University of Manchester)")
    assert first.categories == ("cs.SD", "eess.AS", "cs.LG")
    assert first.date == "2025-12-18"
    assert first.doi == "10.1000/example.123"
    assert first.arxiv_id == "2601.00001"
    assert first.urls == ("https://github.com/example/wav2small", "https://arxiv.org/abs/2601.00001")
    assert first.source.line == 14
    replaced = records[2]
    assert replaced.abstract == "" and not replaced.has_abstract
    assert replaced.arxiv_id == "2502.13163"  # version suffix dropped
    assert replaced.date is None
    assert warnings == [(43, "skipped: digest entry arXiv:2601.00003 has no Title: line")]


def test_digest_counts_entries_without_abstract():
    sources: list[InputSource] = []
    list(read_source(str(DATA / "digest.txt"), warn=lambda *a: None, on_open=sources.append))
    assert sources[0].no_abstract == 1
    assert sources[0].skipped == 1


def test_digest_with_crlf_line_endings_reads_the_same():
    data = (DATA / "digest.txt").read_bytes()
    plain, _ = read_bytes(data)
    crlf, _ = read_bytes(data.replace(b"\n", b"\r\n"))
    assert [(r.id, r.title, r.abstract, r.source.line) for r in crlf] == [
        (r.id, r.title, r.abstract, r.source.line) for r in plain
    ]


def test_strict_mode_turns_a_skipped_entry_into_an_error():
    with pytest.raises(InputError) as info:
        read("digest.txt", strict=True)
    assert info.value.line == 43
    assert "no Title" in str(info.value)


# -- Atom / RSS --------------------------------------------------------------------


def test_atom_old_layout():
    records, warnings = read("atom_2018.xml")
    assert warnings == []
    first, old = records
    assert first.id == "1801.05533"
    assert first.title == "End-to-End Speech Recognition with Tiny Transformers"
    assert (
        first.abstract
        == "We train a speech recognizer that reaches 4.1% WER on LibriSpeech test-clean & <5% on test-other."
    )
    assert first.authors == ("Xiaomin Chen", "János Kollár")  # affiliation not part of the name
    assert first.categories == ("eess.AS", "cs.CL", "68T10")  # primary first, then as given
    assert first.doi == "10.1000/speech.42"
    assert first.date == "2018-01-17"
    assert "http://arxiv.org/abs/1801.05533v2" in first.urls
    assert first.source.line == 8
    assert old.id == "math/0507289" and old.arxiv_id == "math/0507289"


def test_atom_new_layout_and_entries_without_summary_or_title():
    records, warnings = read("atom_2026.xml")
    assert [r.id for r in records] == ["2604.21920", "2604.21892"]
    assert records[0].abstract == "Massive stars with strong winds. Inclination i=85.77°."
    assert records[0].categories == ("astro-ph.SR",)
    assert records[0].authors == ("D. Pauli",)
    assert records[1].abstract == "" and records[1].categories == ("astro-ph.GA",)
    assert warnings == [(31, "skipped: feed entry has no title")]


def test_atom_namespace_declared_on_first_entry_only():
    records, _ = read("atom_first_entry_namespaced.xml")
    assert [r.id for r in records] == ["1910.06169", "1910.04640"]
    assert records[0].title == "The PGM-index: a multicriteria, compressed and learned approach to data indexing"
    assert records[0].categories == ("cs.DS", "E.1; E.4; I.2.6")
    assert records[1].doi == "10.1093/bioinformatics/btz200"
    assert records[1].source.line == 13


def test_atom_api_error_entry_is_reported():
    records, warnings = read("atom_api_error.xml")
    assert records == []
    assert warnings == [(4, "skipped: the arXiv API returned an error: incorrect id format for 1234.12345")]


def test_rss_items_from_arxiv():
    (record,), _ = read("rss_arxiv.xml")
    assert record.id == "2401.01234"
    assert record.abstract == "We compress speech to 1 kbps with a MUSHRA score of 85."
    assert record.authors == ("Jane Roe", "John Doe")
    assert record.categories == ("cs.SD", "eess.AS")
    assert record.date == "2024-01-08"


def test_xml_entity_expansion_is_refused():
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol2;</title></entry></feed>
"""
    with pytest.raises(InputError) as info:
        read_bytes(bomb)
    assert info.value.line == 3
    assert "entity declarations are refused" in str(info.value)


def test_xml_external_entities_are_refused():
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE feed [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&xxe;</title><summary>x</summary></entry></feed>
"""
    with pytest.raises(InputError) as info:
        read_bytes(xxe)
    assert "xxe" in str(info.value)
    assert "root:" not in str(info.value)


def test_truncated_xml_yields_complete_entries_then_names_the_line():
    data = (DATA / "atom_2018.xml").read_bytes()
    cut = data[: data.index(b"<title>An Old-Style")]
    got: list[Record] = []
    with pytest.raises(InputError) as info:
        for rec in read_source("-", stdin=io.BytesIO(cut), warn=lambda *a: None):
            got.append(rec)
    assert [r.id for r in got] == ["1801.05533"]
    assert info.value.line == cut.count(b"\n") + 1
    assert "truncated" in str(info.value)


def test_malformed_xml_names_the_line():
    with pytest.raises(InputError) as info:
        read_bytes(b'<?xml version="1.0"?>\n<feed>\n<entry><title>x</titel></entry>\n</feed>\n')
    assert info.value.line == 3
    assert "malformed XML" in str(info.value)


def test_unknown_xml_encoding_is_a_clear_error():
    with pytest.raises(InputError) as info:
        read_bytes(b'<?xml version="1.0" encoding="UTF-42"?>\n<feed><entry><title>x</title></entry></feed>\n')
    assert "encoding" in str(info.value)


def test_other_xml_is_a_clear_error():
    with pytest.raises(InputError) as info:
        read_bytes(b'<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>\n')
    assert "PubmedArticleSet" in str(info.value)


# -- OAI-PMH -----------------------------------------------------------------------


def test_oai_pmh_arxiv_format():
    records, warnings = read("oai_arxiv.xml")
    first, old = records
    assert first.id == "1602.04382"
    assert first.title == "A Calculus for a Coinductive Analysis of Proof Search"
    assert (
        first.abstract == "In reductive proof search, proofs are naturally generalized by solutions, "
        'comprising all "co-contraction" structures.'
    )
    assert first.authors == ("José Espírito Santo", "Ralph Matthes Jr")
    assert first.categories == ("cs.LO", "math.LO")
    assert first.date == "2016-02-13"
    assert first.doi == "10.1000/coind.1"
    assert first.source.line == 6
    assert old.id == "cs/0112017" and old.abstract == ""
    assert warnings == [(20, "skipped: deleted record oai:arXiv.org:1602.04393")]


def test_oai_pmh_dublin_core():
    (record,), _ = read("oai_dc.xml")
    assert record.id == "2401.01234"
    assert record.authors == ("Jane Roe", "John Doe")
    assert record.abstract == "We compress speech to 1 kbps."
    assert record.categories == (
        "Computer Science - Sound",
        "Electrical Engineering and Systems Science - Audio and Speech Processing",
    )
    assert record.doi == "10.1000/codec.7"
    assert record.date == "2024-01-02"


def test_oai_pmh_error_is_a_warning():
    records, warnings = read("oai_error.xml")
    assert records == []
    assert warnings == [(5, "OAI-PMH error noRecordsMatch: No records match the request")]


# -- JSON ----------------------------------------------------------------------------


def test_kaggle_snapshot_lines():
    (first, old), _ = read("kaggle.jsonl")
    assert first.id == "0704.0001"
    assert first.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert (
        first.abstract == "A fully differential calculation in perturbative quantum chromodynamics is presented "
        "for the production of massive photon pairs."
    )
    assert first.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")  # from authors_parsed
    assert first.date == "2007-04-02"  # first version
    assert first.doi == "10.1103/PhysRevD.76.013009"
    assert first.categories == ("hep-ph",)
    assert first.extra == {}
    assert old.id == "math/0309136" and old.categories == ("math.GT", "cs.CG")
    assert old.authors == ("A. Author", "B. Author")


def test_s2orc_lines():
    sources: list[InputSource] = []
    records = list(read_source(str(DATA / "s2orc.jsonl"), warn=lambda *a: None, on_open=sources.append))
    no_abstract, graves = records
    assert no_abstract.id == "77490025" and no_abstract.abstract == ""
    assert no_abstract.authors == ("Pen'kov Ma", "John Q R Public Jr")
    assert no_abstract.date == "1975"
    assert no_abstract.categories == ("Medicine",)
    assert no_abstract.urls == ("https://api.semanticscholar.org/CorpusID:77490025",)
    assert graves.id == "1303.5778" and graves.doi == "10.1109/ICASSP.2013.6638947"
    assert sources[0].no_abstract == 1


def test_own_output_reads_back_with_nothing_lost():
    import orjson

    lines = [ln for ln in (DATA / "papertriage_output.jsonl").read_bytes().splitlines() if ln.strip()]
    written = [orjson.loads(ln) for ln in lines]
    records, warnings = read("papertriage_output.jsonl")
    assert warnings == []
    assert len(records) == 2
    for obj, rec in zip(written, records, strict=True):
        assert rec.id == obj["id"]
        assert rec.title == obj["title"]  # exactly as written: evidence spans index into it
        assert rec.abstract == obj["abstract"]
        assert list(rec.urls) == obj["urls"]
        rebuilt = {
            "id": rec.id,
            "title": rec.title,
            "abstract": rec.abstract,
            "urls": list(rec.urls),
            **rec.extra,
        }
        for key in ("authors", "date", "categories", "doi", "arxiv_id"):
            if key in obj:
                value = getattr(rec, key)
                rebuilt[key] = list(value) if isinstance(value, tuple) else value
        assert rebuilt == obj
    lora = records[0]
    assert lora.arxiv_id == "2106.09685"
    assert lora.extra["status"] == "include"
    assert lora.extra["source"] == {"path": "dump.txt", "line": 17}
    assert lora.source.line == 1
    assert records[1].source.line == 3


def test_own_output_without_arxiv_id_key_keeps_the_arxiv_id():
    line = b'{"id": "2301.12345", "title": "T", "abstract": "A", "modality": [], "task": [], "claims": []}\n'
    (record,), _ = read_bytes(line)
    assert record.arxiv_id == "2301.12345"
    assert record.extra == {"modality": [], "task": [], "claims": []}


def test_json_array_and_errors_inside_it():
    records, warnings = read("array.json")
    first, second = records
    assert first.id == "2301.00001" and first.abstract == "Summaries count as abstracts."
    assert first.date == "2023-01-01" and first.authors == ("One", "Two")
    assert first.source.line == 2
    assert second.id == "doi:10.1000/abc.9" and second.doi == "10.1000/ABC.9"
    assert second.abstract == 'Has an [odd] {brace} "quote" inside.'
    assert second.categories == ("graphs", "proteins")
    assert warnings == [(18, "skipped: expected a JSON object for a paper, found a string")]


def test_json_wrapper_object_of_a_search_api():
    (record,), _ = read("s2_graph_api.json")
    assert record.id == "1706.03762"
    assert record.doi == "10.48550/arXiv.1706.03762"
    assert record.date == "2017-06-12"
    assert record.authors == ("Ashish Vaswani",)
    assert record.categories == ("Computer Science",)


def test_hugging_face_daily_papers_items():
    (record,), _ = read("hf_daily_papers.json")
    assert record.id == "2401.04081"
    assert record.abstract == "State Space Models (SSMs) have become serious contenders."
    assert record.authors == ("Maciej Pioro",)
    assert record.date == "2024-01-08"


def test_broken_json_lines_are_skipped_with_their_line():
    records, warnings = read("broken.jsonl")
    assert [r.title for r in records] == ["Good one", "Last good one"]
    assert [line for line, _ in warnings] == [2, 3, 4, 6]
    assert warnings[0][1].startswith("skipped: invalid JSON")
    assert warnings[2][1] == "skipped: record has no title"


def test_pretty_printed_objects_one_after_another():
    data = b'{\n  "title": "One",\n  "abstract": "a"\n}\n{\n  "title": "Two",\n  "abstract": "b"\n}\n'
    records, _ = read_bytes(data)
    assert [(r.title, r.source.line) for r in records] == [("One", 1), ("Two", 5)]


def test_truncated_json_array_yields_complete_elements_then_fails():
    data = b'[\n  {"title": "One", "abstract": "a"},\n  {"title": "Two",\n   "abstract": "b'
    got: list[Record] = []
    with pytest.raises(InputError) as info:
        for rec in read_source("-", stdin=io.BytesIO(data), warn=lambda *a: None):
            got.append(rec)
    assert [r.title for r in got] == ["One"]
    assert info.value.line == 3


# -- BibTeX ------------------------------------------------------------------------------


def test_bibtex_zotero_quirks():
    records, warnings = read("zotero.bib")
    assert [r.id for r in records] == [
        "doi:10.1007/978-3-030-58452-8_24",
        "2302.05543",
        "1905.00001",
        "no_abstract_2018",
    ]
    nerf = records[0]
    assert nerf.title == "NeRF: Representing Scenes as Neural Radiance Fields for View Synthesis"
    assert nerf.abstract == (
        "We present a method that achieves state-of-the-art results for synthesizing novel views (x,y,z) of "
        "örebro scenes – with \\emph{distribution} and top-1 error of 37.5% & cost $5."
    )
    assert nerf.authors == ("Ben Mildenhall", "Pratul Srinivasan", "Gül Çelik")  # "and others" dropped
    assert nerf.doi == "10.1007/978-3-030-58452-8_24"  # the later, complete doi field
    assert nerf.categories == (
        "Computer Science - Computer Vision and Pattern Recognition",
        "Computer Science - Graphics",
        "Viewed",
    )
    assert nerf.date == "2020"
    assert nerf.source.line == 7
    controlnet = records[1]
    assert controlnet.arxiv_id == "2302.05543"
    assert controlnet.urls == ("http://arxiv.org/abs/2302.05543",)
    paren = records[2]
    assert paren.title == "Quoted Values and (Parentheses)"
    assert paren.authors == ("Bernhard Schölkopf", "José Méndez")
    assert paren.arxiv_id == "1905.00001"
    assert records[3].abstract == ""
    assert warnings == [
        (31, "skipped: @misc{no_title_2020} has no title"),
        (36, "skipped: @article entry never closes its braces (next entry starts at line 41)"),
    ]


def test_bibtex_endnote_with_bom_and_multiline_keywords():
    records, warnings = read("endnote.bib")
    assert warnings == []
    mixhop, ppi = records
    assert mixhop.id == "RN57" and mixhop.source.line == 1
    assert mixhop.authors == ("Sami Abu-El-Haija", "Bryan Perozzi", "Greg Ver Steeg")
    assert ppi.id == "doi:10.1371/journal.pcbi.1008844"
    assert ppi.categories == (
        "Algorithms",
        "Databases, Protein/statistics & numerical data",
        "*Protein Interaction Maps",
    )
    assert ppi.abstract == ""


def test_bibtex_string_macros_and_concatenation():
    data = (
        b'@string{venue = "Neural Information Processing"}\n'
        b'@inproceedings{k1,\n  title = "A " # venue # " Paper",\n'
        b"  abstract = {An abstract.},\n  month = may, year = 2017\n}\n"
    )
    (record,), _ = read_bytes(data)
    assert record.title == "A Neural Information Processing Paper"
    assert record.id == "k1"
    assert record.date == "2017"


def test_latex_decoding():
    assert decode(r"Schr{\"o}dinger \'etude \c{c}a G{\"{o}}del") == "Schrödinger étude ça Gödel"
    assert (
        decode(r"\'{\i}ndice \v{S}koda Stra\ss e {\o}ystein \AA{}ngstr\"om") == "índice Škoda Straße øystein Ångström"
    )
    assert decode(r"Tom \& Jerry -- 1--2 --- x ``q'' a~b") == "Tom & Jerry – 1–2 — x “q” a b"
    assert decode(r"{\textbackslash}emph\{x\} {\textless}b{\textgreater}") == r"\emph{x} <b>"
    assert decode(r"\emph{kept} $\alpha$ \cite{key} 50\% \$5") == r"kept $\alpha$ \cite{key} 50% $5"
    assert decode("http://x.org/~user/a--b") == "http://x.org/~user/a--b"


# -- RIS ---------------------------------------------------------------------------------


def test_ris_endnote_wrapped_lines():
    records, warnings = read("endnote.ris")
    mixhop, ppi = records
    assert mixhop.title == "MixHop: Higher-Order Graph Convolutional Architectures via Sparsified Neighborhood Mixing"
    assert mixhop.abstract.endswith("provably cannot learn a general class of neighborhood mixing relationships.")
    assert mixhop.authors == ("Sami Abu-El-Haija", "Bryan Perozzi")
    assert mixhop.date == "2019"
    assert ppi.id == "doi:10.1371/journal.pcbi.1008844"
    assert ppi.date == "2021-08-09"
    assert ppi.categories == ("Algorithms Computational Biology Data Mining/statistics & numerical data",)
    assert ppi.urls == (
        "https://www.ncbi.nlm.nih.gov/pubmed/34370723",
        "http://dx.doi.org/10.1371/journal.pcbi.1008844",
    )
    assert ppi.source.line == 15
    assert warnings == [(29, "skipped: RIS record (JOUR) has no title")]


def test_ris_abstract_under_ab_and_n2_is_not_doubled():
    data = (
        b"TY  - JOUR\nTI  - T\nAB  - Same text.\nN2  - Same text.\nER  - \n"
        b"TY  - JOUR\nTI  - U\nN2  - Only N2.\nER  - \n"
    )
    records, _ = read_bytes(data)
    assert [r.abstract for r in records] == ["Same text.", "Only N2."]


def test_ris_zotero_style():
    records, warnings = read("zotero.ris")
    cureus, resnet, cut = records
    assert cureus.abstract.startswith("… Second, while SE blocks")
    assert cureus.date == "2025"
    assert cureus.categories == ("deep learning", "lung cancer", "CT")
    assert resnet.arxiv_id == "1512.03385" and resnet.date == "2015-12-10"
    assert cut.title == "A record cut off before its ER line"
    assert warnings == [(20, "RIS record has no 'ER  -' line at the end of the input")]


# -- CSV -----------------------------------------------------------------------------------


def test_csv_zotero_export():
    records, warnings = read("zotero.csv")
    stylegan, pretraining, book = records
    assert stylegan.id == "doi:10.1007/978-3-030-58542-6_11"
    assert stylegan.abstract == "StyleGAN2 is a state-of-the-art network. Editing existing images requires embedding."
    assert stylegan.authors == ("Yuri Viazovetskyi", "Vladimir Ivashkin")
    assert stylegan.categories == ("Unreviewed", "Computer vision", "Distillation")
    assert stylegan.source.line == 2
    assert pretraining.arxiv_id == "2003.07441"
    assert pretraining.authors == ("Gustav Grund Pihlgren",)
    assert pretraining.urls == ("https://github.com/guspih/Perceptual-Autoencoders", "http://arxiv.org/abs/2003.07441")
    assert pretraining.date == "2020-07-15"
    assert pretraining.source.line == 4  # the row above spans two lines
    assert book.id == "NOABSTR1" and book.abstract == ""
    assert warnings == [(6, "skipped: row has no title")]


def test_csv_arxiv_listing_scrape():
    records, _ = read("arxiv_listing.csv")
    first, coerced = records
    assert first.id == "2309.10986"
    assert first.title == "Research on the Impact of Executive Shareholding on New Investment in Enterprises"
    assert first.authors == ("Shanyi Zhou", "Ning Yan")
    assert first.categories == ("math.NA", "econ.GN")
    assert first.date == "2023-09-21"
    assert coerced.id == "2309.11400"
    assert coerced.urls == ("https://arxiv.org/abs/2309.11400",)
    assert coerced.categories == ("eess.AS", "cs.SD")


def test_csv_keras_schema():
    records, _ = read("keras.csv")
    assert [r.categories for r in records] == [("cs.CV", "cs.LG", "eess.IV"), ("cs.CV", "cs.LG", "stat.ML")]
    assert records[0].abstract.startswith(
        "We propose a novel approach for image segmentation that combines Neural Ordinary"
    )
    assert records[1].source.line == 4


def test_csv_generic_headers_any_case_and_delimiter():
    records, _ = read("generic_semicolon.csv")
    assert [(r.title, r.abstract, r.date) for r in records] == [
        ("Speech Enhancement with Diffusion", "We reach a PESQ of 3.4.", "2022"),
        ("Quoted; Title", "Abstract; with a semicolon", "2021"),
    ]
    assert records[0].categories == ("speech", "diffusion")
    (tsv,), _ = read("generic.tsv")
    assert tsv.title == "A Tab Separated Paper" and tsv.doi == "10.1000/tsv.1"


def test_csv_saved_by_excel_as_windows_1252():
    data = "Title,Abstract\nCaf\u00e9 na\u00efve \u2013 r\u00e9sum\u00e9,Abstract with \u201cquotes\u201d.\n".encode(
        "cp1252"
    )
    records, warnings = read_bytes(data)
    assert records[0].title == "Caf\u00e9 na\u00efve \u2013 r\u00e9sum\u00e9"
    assert records[0].abstract == "Abstract with \u201cquotes\u201d."
    assert warnings == [(None, "not UTF-8; read as Windows-1252 (as Excel saves CSV)")]


def test_table_without_a_title_column_is_a_clear_error():
    with pytest.raises(InputError) as info:
        read("no_title_column.tsv")
    assert info.value.line == 1
    assert "no title column" in str(info.value)


def test_restore_arxiv_id():
    assert restore_arxiv_id("2309.114") == "2309.11400"
    assert restore_arxiv_id("2309.11") == "2309.11000"
    assert restore_arxiv_id("704.001") == "0704.0010"
    assert restore_arxiv_id("1234.5") is None  # month 34
    assert restore_arxiv_id("2309.123456") is None
    assert restore_arxiv_id("hello") is None


# -- shared helpers ------------------------------------------------------------------------


def test_iso_date():
    assert iso_date("Thu, 18 Dec 2025 05:03:49 GMT   ") == "2025-12-18"
    assert iso_date("2018-01-17T03:05:51Z") == "2018-01-17"
    assert iso_date("2025/7//") == "2025"
    assert iso_date("2020/11/05/") == "2020-11-05"
    assert iso_date("December 2019") == "2019"
    assert iso_date("Dec 18, 2025") == "2025-12-18"
    assert iso_date(1975) == "1975"
    assert iso_date("") is None and iso_date(None) is None
    assert iso_date("Spring term") == "Spring term"


def test_split_categories():
    assert split_categories("cs.AI cs.LG") == ("cs.AI", "cs.LG")
    assert split_categories("Sound (cs.SD); Audio and Speech Processing (eess.AS)") == ("cs.SD", "eess.AS")
    assert split_categories("deep learning, speech") == ("deep learning", "speech")
    assert split_categories("Computer vision; Distillation") == ("Computer vision", "Distillation")
    assert split_categories(["cs.CV", "cs.CV", None]) == ("cs.CV",)
    assert split_categories("Distributed, Parallel, and Cluster Computing (cs.DC)") == ("cs.DC",)
    assert split_categories("hep-th gr-qc") == ("hep-th", "gr-qc")
    assert split_categories("deep learning") == ("deep learning",)
    assert split_categories("Proteins (chemistry); Humans") == ("Proteins (chemistry)", "Humans")


# -- robustness --------------------------------------------------------------------------------


def _mutations(data: bytes, rng: random.Random) -> list[bytes]:
    out = [data[: len(data) * k // 7] for k in range(1, 7)]
    lines = data.splitlines(keepends=True)
    for _ in range(4):
        shuffled = lines[:]
        rng.shuffle(shuffled)
        out.append(b"".join(shuffled))
    for _ in range(6):
        blob = bytearray(data)
        for _ in range(max(1, len(blob) // 200)):
            pos = rng.randrange(len(blob))
            blob[pos] = rng.choice(b'{}[]<>"\\@,;\n\t &=#%$-')
        out.append(bytes(blob))
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED_DIALECT))
def test_dialects_raise_nothing_but_input_error(name):
    rng = random.Random(name)
    data = (DATA / name).read_bytes()
    for sample in [data, *_mutations(data, rng)]:
        for dialect in EXTRA_DIALECTS:
            for strict in (False, True):
                try:
                    for rec in read_source(
                        "-", input_format=dialect.name, stdin=io.BytesIO(sample), warn=lambda *a: None, strict=strict
                    ):
                        assert rec.title.strip()
                        assert isinstance(rec.abstract, str)
                except InputError:
                    pass


# -- streaming ---------------------------------------------------------------------------------


class _CountingStream(io.RawIOBase):
    """A stream of ``head + body * n + tail`` that counts the bytes read."""

    def __init__(self, head: bytes, body: bytes, n: int, tail: bytes) -> None:
        self.parts = [head] + [body] * n + [tail]
        self.total = sum(len(p) for p in self.parts)
        self.read_bytes = 0
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        while len(self._buf) < len(b) and self.parts:
            self._buf += self.parts.pop(0)
        chunk, self._buf = self._buf[: len(b)], self._buf[len(b) :]
        b[: len(chunk)] = chunk
        self.read_bytes += len(chunk)
        return len(chunk)


@pytest.mark.parametrize(
    "head, body, tail",
    [
        (
            b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n',
            b"<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>T</title><summary>"
            + b"s " * 500
            + b"</summary></entry>\n",
            b"</feed>\n",
        ),
        (b"", b'{"title": "T", "abstract": "' + b"s " * 500 + b'"}\n', b""),
        (b"", b"@article{k,\n  title = {T},\n  abstract = {" + b"s " * 500 + b"},\n}\n", b""),
        (b"", b"TY  - JOUR\nTI  - T\nAB  - " + b"s " * 500 + b"\nER  - \n", b""),
    ],
    ids=["atom", "jsonl", "bibtex", "ris"],
)
def test_records_stream_before_the_input_is_read_to_the_end(head, body, tail):
    stream = _CountingStream(head, body, 5000, tail)
    records = read_source("-", stdin=io.BufferedReader(stream), warn=lambda *a: None)
    first = next(records)
    assert first.title == "T"
    assert stream.read_bytes < stream.total / 10
    assert sum(1 for _ in records) == 4999
