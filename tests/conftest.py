from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "hf-papers-input-representations.txt"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    """No test reads the user's config folder or library."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("PAPERTRIAGE_DB", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    from papertriage.cli import common

    common.set_env(common.Env(stdout_isatty=False, stderr_isatty=False, no_color=True))
    yield
    common.set_env(None)


def shared_path(*parts: str) -> Path:
    return SHARED.joinpath(*parts)


needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not present")


SHARED_FILES = [  # external dumps of every format, for engines that must agree
    ("keras_arxiv_subset_tiagoft", "arxiv_data.csv"),
    ("zotero_bib_controlnet", "My_Library.bib"),
    ("scirex", "scirex_title_abstract_relations.jsonl"),
    ("arxiv_email_digest_2026", "arxiv_cs_AI_LG_SE_digest_2026-01-20.txt"),
    ("arxiv_oai_pmh_cs_2016", "arxiv_cs_2015_2016.jsonl"),
    ("arxiv_oai_pmh_cs_2016", "arxiv_cs_rare_modality_categories_1990_2016.jsonl"),
    ("ris_exports", "lung_cancer_detection.export.ris"),
    ("arxiv_atom_api", "readarxiv_astro-ph_api_response_2026-04.xml"),
    ("researchfinder_arxiv_daily", "arxiv_data.csv"),
    ("kaggle_arxiv_snapshot_head200", "arxiv-metadata-oai-snapshot.head200.jsonl"),
    ("nlp_tdms", "tdms_title_abstract.jsonl"),
    ("s2orc_metadata_sample", "metadata_sample.jsonl"),
]


def shared_file(folder, name):
    """The path of an external dump under ../shared; skips when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    path = shared_path("external", folder, name)
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    return path
