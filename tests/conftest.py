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
