"""Stored documents are zlib-format data, whichever compressor wrote them."""

from __future__ import annotations

import builtins
import zlib

from papertriage import library

DOC = b'{"modality":["speech"],"evidence":[{"facet":"modality","label":"speech","rule":"modality.speech.asr"}]}' * 20


def test_packed_documents_are_read_back_by_zlib():
    packed = library._pack(DOC)
    assert zlib.decompress(packed) == DOC
    assert len(packed) < len(DOC) / 4
    assert library._load(library._pack(b'{"a": [1, 2]}')) == {"a": [1, 2]}


def test_without_isal_zlib_writes_the_documents(monkeypatch):
    real_import = builtins.__import__

    def no_isal(name, *args, **kwargs):
        if name.startswith("isal"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(library, "_COMPRESS", None)
    monkeypatch.setattr(builtins, "__import__", no_isal)
    packed = library._pack(DOC)
    assert packed == zlib.compress(DOC, 1)
    assert zlib.decompress(packed) == DOC
