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


def _item(pack: bool) -> library._Item:
    from papertriage.engine import get_tagger
    from papertriage.models import Record, Source

    rec = Record(id="2401.00001", title="Speech recognition with transformers", abstract="We reduce WER by 12% on LibriSpeech.", source=Source("-", 1))
    return library.prepare(get_tagger([], use_config=False).tag(rec), pack=pack)


def test_a_packed_item_travels_without_its_raw_document():
    import dataclasses
    import pickle

    item = _item(pack=True)
    back = pickle.loads(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
    assert back.doc == b"" and back.stored_doc() == item.packed
    assert zlib.decompress(back.stored_doc()) == item.doc
    same = {f.name for f in dataclasses.fields(library._Item)} - {"doc"}
    assert {k: getattr(back, k) for k in same} == {k: getattr(item, k) for k in same}
    assert back.tags == [("modality", "speech"), ("task", "speech-recognition"), ("metric", "wer")]


def test_an_unpacked_item_keeps_its_document():
    import pickle

    item = _item(pack=False)
    back = pickle.loads(pickle.dumps(item))
    assert back == item and back.doc and back.packed is None
