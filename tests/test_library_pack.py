"""Stored documents: Zstandard with papertriage's dictionary where zstandard
is installed, else zlib; both are read back by every install."""

from __future__ import annotations

import threading
import zlib

import pytest

from papertriage import library, packing
from papertriage.errors import LibraryError

DOC = b'{"modality":["speech"],"evidence":[{"facet":"modality","label":"speech","rule":"modality.speech.asr"}]}' * 20

try:
    import zstandard
except ImportError:  # an install without it (see the dependency's markers)
    zstandard = None
needs_zstandard = pytest.mark.skipif(zstandard is None, reason="zstandard is not installed")


@pytest.fixture
def no_zstandard(monkeypatch):
    """An install without the zstandard package."""
    monkeypatch.setattr(packing, "_zstandard", lambda: None)
    monkeypatch.setattr(packing, "_local", threading.local())


@needs_zstandard
def test_documents_are_zstandard_frames_with_the_dictionary():
    packed = library._pack(DOC)
    assert packed[:4] == packing.ZSTD_MAGIC
    assert zstandard.get_frame_parameters(packed).dict_id == packing.DICTIONARY
    assert packing.unpack(packed) == DOC
    assert len(packed) < len(DOC) / 10
    assert library._load(library._pack(b'{"a": [1, 2]}')) == {"a": [1, 2]}


@needs_zstandard
def test_the_dictionary_is_shipped_and_makes_documents_smaller():
    doc = (
        b'{"modality":["speech"],"multimodal":false,"task":["speech-recognition"],"metric":["wer"],'
        b'"claims":[{"metric":"wer","value":12.0,"unit":"%","kind":"relative","dataset":"LibriSpeech",'
        b'"text":"12%","start":22,"end":25}],"urls":[],"source":{"path":"digest.txt","line":3},'
        b'"evidence":[{"facet":"modality","label":"speech","rule":"modality.speech.tasks","field":"title",'
        b'"start":0,"end":18,"text":"Speech recognition"}],"rules_digest":"0123456789abcdef"}'
    )
    for name in packing.DICTIONARIES.values():
        assert (packing._DATA / name).is_file()
    plain = zstandard.ZstdCompressor(level=packing.LEVEL).compress(doc)
    assert len(packing.pack(doc)) < 0.7 * len(plain)


def test_documents_written_by_zlib_are_read_back():
    """Libraries written before Zstandard, or by an install without it."""
    assert packing.unpack(zlib.compress(DOC, 1)) == DOC
    assert packing.unpack(zlib.compress(DOC, 9)) == DOC


def test_without_zstandard_zlib_writes_the_documents(no_zstandard):
    packed = library._pack(DOC)
    assert packed == zlib.compress(DOC, 1)
    assert packing.unpack(packed) == DOC


@needs_zstandard
def test_without_zstandard_a_zstandard_document_is_a_clear_error(no_zstandard):
    packed = zstandard.ZstdCompressor(dict_data=zstandard.ZstdCompressionDict(
        (packing._DATA / packing.DICTIONARIES[packing.DICTIONARY]).read_bytes())).compress(DOC)
    with pytest.raises(LibraryError, match=r"compressed with Zstandard.*install the zstandard package"):
        packing.unpack(packed)


@needs_zstandard
def test_a_frame_of_an_unknown_dictionary_is_a_clear_error():
    other = zstandard.train_dictionary(4096, [DOC[: 100 + i] + bytes([i]) * 50 for i in range(200)])
    packed = zstandard.ZstdCompressor(dict_data=other).compress(DOC)
    with pytest.raises(LibraryError, match=rf"dictionary {other.dict_id()}, which this version of papertriage does not have"):
        packing.unpack(packed)


def test_threads_pack_and_unpack_at_the_same_time():
    docs = [DOC + str(i).encode() * (i % 50) for i in range(400)]
    results: dict[int, list[bool]] = {}

    def work(n: int) -> None:
        results[n] = [packing.unpack(packing.pack(d)) == d for d in docs]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(all(r) for r in results.values())


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
    assert packing.unpack(back.stored_doc()) == item.doc
    same = {f.name for f in dataclasses.fields(library._Item)} - {"doc"}
    assert {k: getattr(back, k) for k in same} == {k: getattr(item, k) for k in same}
    assert back.tags == [("modality", "speech"), ("task", "speech-recognition"), ("metric", "wer")]


def test_an_unpacked_item_keeps_its_document():
    import pickle

    item = _item(pack=False)
    back = pickle.loads(pickle.dumps(item))
    assert back == item and back.doc and back.packed is None


@needs_zstandard
def test_a_library_read_without_zstandard_ends_with_one_line_naming_the_package(tmp_path):
    """The installed command, where the zstandard package cannot be imported,
    on a library whose documents it wrote: exit 5 and one line, no traceback;
    titles and ids, which are not compressed, are still listed."""
    import os
    import subprocess
    import sys

    from .conftest import EXAMPLE

    db = str(tmp_path / "library.db")
    env = {k: v for k, v in os.environ.items() if k != "PAPERTRIAGE_DB"}
    cmd = [sys.executable, "-m", "papertriage"]
    done = subprocess.run([*cmd, "add", "--db", db, str(EXAMPLE)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    blocked = tmp_path / "blocked"
    (blocked / "zstandard").mkdir(parents=True)
    (blocked / "zstandard" / "__init__.py").write_text('raise ImportError("zstandard is not installed here")\n')
    env["PYTHONPATH"] = os.pathsep.join([str(blocked), *filter(None, [env.get("PYTHONPATH")])])
    full = subprocess.run([*cmd, "list", "--db", db, "--format", "jsonl"], capture_output=True, text=True, env=env)
    assert full.returncode == 5
    assert full.stdout == ""
    assert full.stderr.strip().splitlines() == [
        "papertriage: error: this library holds documents compressed with Zstandard, which this installation cannot read: "
        "install the zstandard package (pip install zstandard)"
    ]
    ids = subprocess.run([*cmd, "list", "--db", db, "--format", "ids"], capture_output=True, text=True, env=env)
    assert ids.returncode == 0 and len(ids.stdout.split()) == 333
