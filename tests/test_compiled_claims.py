"""The claims module compiled by mypyc (when the build made one) gives exactly
what its Python source gives: the same claims and the same skipped numbers,
with the same reasons, on real abstracts and on generated text.

When a compiled module is installed, Python imports it instead of
``claims.py``; here the source is loaded as a module of its own and both are
run on the same texts. A compiled module older than an edited ``claims.py``
(in a development tree) fails these tests: rebuild it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertriage import claims
from papertriage.parsers import read_source

from .conftest import EXAMPLE, SHARED_FILES, shared_file

SOURCE = Path(claims.__file__).with_name("claims.py")
COMPILED = not claims.__file__.endswith(".py")

needs_compiled = pytest.mark.skipif(not COMPILED, reason="claims is not compiled in this installation")


def _load_source():
    spec = importlib.util.spec_from_file_location("papertriage._claims_source", SOURCE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


source = _load_source() if COMPILED else claims


def test_source_module_is_the_python_file():
    assert Path(source.__file__) == SOURCE
    assert source.extract_claims("It reaches 91.2% accuracy on ImageNet.")[0].as_dict() == {
        "metric": "accuracy",
        "value": 91.2,
        "unit": "%",
        "kind": "absolute",
        "dataset": "ImageNet",
        "text": "91.2% accuracy",
        "start": 11,
        "end": 25,
    }


def assert_same(text: str) -> int:
    got = claims.analyse_numbers(text)
    want = source.analyse_numbers(text)
    assert got == want, text
    return len(got[0])


@needs_compiled
def test_compiled_equals_source_on_the_bundled_dump():
    found = 0
    n = 0
    for rec in read_source(str(EXAMPLE), warn=lambda *a: None):
        found += assert_same(rec.abstract)
        n += 1
    assert n == 333 and found > 150


@needs_compiled
@pytest.mark.parametrize("folder,name", SHARED_FILES)
def test_compiled_equals_source_on_real_abstracts(folder, name):
    path = shared_file(folder, name)
    n = 0
    for rec in read_source(str(path), warn=lambda *a: None):
        assert_same(rec.abstract)
        n += 1
    assert n > 0


@needs_compiled
def test_compiled_equals_source_on_metric_names():
    for name in ["Top-1 Acc", "word error rate", "WER", "f1", "BLEU scores", "", "-", "perplexities", "nonsense"]:
        assert claims.canonical_metric(name) == source.canonical_metric(name)
    assert claims.known_metrics() == source.known_metrics()


NUMBERS = ["91.2", "3", "0.5", "1,000", "2020", "17.5", "-4", "+2.1", "10"]
GLUE = ["%", " %", "x", " times", " points", "pp", " dB", "fps", "B", "M", "-layer", "s", "", "", "", " of 5", "/3", ")", "]"]
WORDS = [
    "accuracy", "of", "on", "ImageNet", "WER", "by", "to", "reduces", "improves", "BLEU", "F1", "and", "respectively",
    "up", "at", "least", "(", "[", ",", ".", "GPT-", "the", "score", "faster", "than", "$", "^", "http://x.org/", "±",
    "k=", "CIFAR-", "top-1", "error", "rate", "drop", "in", "perplexity", "dataset", "e.g.", "vs.", "İ", "\u00a0",
]
token = st.one_of(st.sampled_from(WORDS), st.builds(lambda n, g: n + g, st.sampled_from(NUMBERS), st.sampled_from(GLUE)))
texty = st.lists(st.tuples(token, st.sampled_from([" ", " ", "", "-", ". ", ", ", "\n"])), max_size=40).map(
    lambda parts: "".join(a + b for a, b in parts)
)


@needs_compiled
@settings(max_examples=300, deadline=None)
@given(text=texty)
def test_compiled_equals_source_on_generated_text(text):
    assert_same(text)
