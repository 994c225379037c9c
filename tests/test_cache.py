"""Compiled rules are cached on disk: a warm start skips YAML; a stale,
truncated or garbage cache entry is ignored and rebuilt, never an error."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

from .conftest import EXAMPLE

PROBE = (
    "import sys\n"
    "from papertriage.engine import get_tagger\n"
    "from papertriage.parsers import read_source\n"
    "t = get_tagger([], use_config=False)\n"
    "papers = [t.tag(r) for r in read_source(sys.argv[1])]\n"
    "print('yaml' in sys.modules, len(papers), sum(len(p.modality) + len(p.task) for p in papers))\n"
)


def probe(cache_home: Path) -> list[str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    env.pop("PAPERTRIAGE_NO_CACHE", None)
    out = subprocess.run([sys.executable, "-c", PROBE, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def entries(cache_home: Path) -> list[Path]:
    return sorted((cache_home / "papertriage").glob("rules-*.bin"))


def test_a_warm_start_reads_no_yaml_and_tags_the_same(tmp_path):
    cold = probe(tmp_path)
    assert cold[0] == "True"  # the first run parsed the rule files
    assert len(entries(tmp_path)) == 1
    warm = probe(tmp_path)
    assert warm[0] == "False"  # the second did not need YAML at all
    assert warm[1:] == cold[1:] and warm[1] == "333"


def test_garbage_or_truncated_entries_are_rebuilt(tmp_path):
    want = probe(tmp_path)[1:]
    (path,) = entries(tmp_path)
    good = path.read_bytes()
    for broken in (b"not a cache entry", good[: len(good) // 2], b""):
        path.write_bytes(broken)
        assert probe(tmp_path)[1:] == want
        assert marshal.loads(path.read_bytes())["key"] == marshal.loads(good)["key"]  # rewritten whole
    assert not [p for p in (tmp_path / "papertriage").iterdir() if p.name.startswith(".")]  # no temporary files left


def test_an_entry_for_other_rules_is_not_used(tmp_path):
    probe(tmp_path)
    (path,) = entries(tmp_path)
    # An entry whose stored key does not match its name (stale or copied) is ignored.
    other = path.with_name("rules-" + "0" * 32 + ".bin")
    path.rename(other)
    data = marshal.loads(other.read_bytes())
    data["key"] = "0" * 32
    other.write_bytes(marshal.dumps(data))
    assert probe(tmp_path)[0] == "True"
    assert len(entries(tmp_path)) == 2
