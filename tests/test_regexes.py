"""Regular expressions compiled once per installation: a pattern built from
the cache is the pattern ``re.compile`` gives; a warm run compiles none; a
broken cache only costs time."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from papertriage import regexes

from .conftest import EXAMPLE

pytestmark = pytest.mark.skipif(not regexes._enabled(), reason="the regular-expression cache needs CPython")

PROBE = (
    "import sys\n"
    "from papertriage import regexes\n"
    "from papertriage.engine import get_tagger\n"
    "from papertriage.output import paper_to_dict\n"
    "from papertriage.parsers import read_source\n"
    "import orjson\n"
    "t = get_tagger([], use_config=False)\n"
    "out = b''.join(orjson.dumps(paper_to_dict(t.tag(r))) for r in read_source(sys.argv[1]))\n"
    "import hashlib\n"
    "from papertriage import claims\n"
    "print(regexes.compiled, hashlib.sha256(out).hexdigest(), claims._METRICS_ENTRY.get('built', 0))\n"
)


def probe(cache_home: Path, **extra: str) -> tuple[int, str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    env.pop("PAPERTRIAGE_NO_CACHE", None)
    env.update(extra)
    out = subprocess.run([sys.executable, "-c", PROBE, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    compiled, digest, tries = out.stdout.split()
    BUILT.append(int(tries))
    return int(compiled), digest


BUILT: list[int] = []
"""Per probe, how many vocabulary patterns it built (not from the cache)."""


def stored(cache_home: Path) -> Path:
    (path,) = (cache_home / "papertriage").glob("regex-*.bin")
    return path


def test_a_warm_run_compiles_no_pattern_and_tags_the_same(tmp_path):
    cold_compiled, cold = probe(tmp_path)
    assert cold_compiled > 40  # claims, parsers, rules: compiled and stored at exit
    warm_compiled, warm = probe(tmp_path)
    assert warm_compiled == 0
    assert warm == cold
    assert BUILT[-2] > 3 and BUILT[-1] == 0  # the vocabulary's pattern sources were cached too


def test_no_cache_variable_keeps_patterns_off_the_disk(tmp_path):
    _, want = probe(tmp_path / "a")
    compiled, got = probe(tmp_path / "b", PAPERTRIAGE_NO_CACHE="1")
    assert got == want and compiled > 40
    assert not list((tmp_path / "b").glob("papertriage/regex-*.bin"))


def test_every_stored_pattern_equals_what_re_compile_gives(tmp_path):
    probe(tmp_path)
    table = marshal.loads(stored(tmp_path).read_bytes())["patterns"]
    assert len(table) > 40
    import _sre

    for (source, flags), entry in table.items():
        # equal patterns have the same source, flags and matching code
        assert _sre.compile(source, *entry) == re.compile(source, flags), source


def test_a_broken_cache_file_or_entry_only_costs_time(tmp_path):
    _, want = probe(tmp_path)
    path = stored(tmp_path)
    good = path.read_bytes()
    for broken in (b"garbage", good[: len(good) // 3], b""):
        path.write_bytes(broken)
        compiled, got = probe(tmp_path)
        assert got == want and compiled > 40
        assert probe(tmp_path) == (0, want)  # rewritten whole
    # entries whose code the matching engine refuses, or of the wrong shape
    value = marshal.loads(good)
    for bad in ((0, [1, 2, 3], 0, {}, ()), ("not", "an", "entry")):
        value["patterns"] = {key: bad for key in value["patterns"]}
        path.write_bytes(marshal.dumps(value))
        compiled, got = probe(tmp_path)
        assert got == want and compiled > 40


def test_compile_gives_what_re_compile_gives_in_process():
    for source, flags in [
        (r"(?P<metric>[a-z]+)\s*=\s*(?P<value>\d+(?:\.\d+)?)", 0),
        (r"wav2vec[\s\-]+2\.0", re.IGNORECASE),
        (rb"0(?:0|[,.](?=0))*", 0),
        (r"(?<![\w\-])(?:top-1|top-5)(?![\w\-])", int(re.I | re.M)),
    ]:
        got = regexes.compile(source, flags)
        assert got == re.compile(source, flags)
        assert got.groupindex == re.compile(source, flags).groupindex
        key = (source, int(flags))
        assert regexes._sre.compile(source, *regexes._used[key]) == got


@pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="the split of a small input needs fork and two cores")
def test_a_run_of_the_command_leaves_every_pattern_a_later_run_needs(tmp_path):
    # `tag` of the bundled dump tags its second half in a forked copy: the
    # patterns either half compiled are stored
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    env.pop("PAPERTRIAGE_NO_CACHE", None)
    out = subprocess.run([sys.executable, "-m", "papertriage", "tag", str(EXAMPLE)], env=env, capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr
    compiled, _ = probe(tmp_path)
    assert compiled == 0
