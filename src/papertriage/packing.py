"""How the library compresses a paper's stored document (``docs.doc``).

A stored document is the paper's JSONL record without id, title and
abstract: mostly evidence, whose keys, rule names and labels repeat from
paper to paper. Where the ``zstandard`` package is installed it is written
as a Zstandard frame compressed with a dictionary trained on such documents
(:data:`DICTIONARY`, shipped in ``papertriage/data``, trained by
``dev/train_doc_dictionary.py``): on 20,000 synthetic papers about 440 bytes
a paper in 5 to 7 µs, against 650 bytes in 9.5 µs for the zlib format at
level 1 (ISA-L's, which earlier versions wrote), and read back in 2.4 to 4 µs
instead of 7.6 to 8.7 µs. Elsewhere it is written in the zlib format, level 1.

:func:`unpack` reads both, whichever install wrote them, so one library can
be written by both kinds of install. A Zstandard document read where
``zstandard`` is missing raises :class:`~papertriage.errors.LibraryError`
with what to install. A dictionary is never changed once released: a new one
gets a new file, and every released one stays in :data:`DICTIONARIES`.
"""

from __future__ import annotations

import functools
import threading
import zlib
from pathlib import Path

from .errors import LibraryError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
"""The first bytes of a Zstandard frame (a zlib stream starts otherwise)."""
DICTIONARIES = {1942490822: "docs-1942490822.zdict"}
"""Dictionary id (as Zstandard records it in each frame) -> file in ``papertriage/data``."""
DICTIONARY = 1942490822
"""The dictionary new documents are compressed with."""
LEVEL = 1
"""Zstandard's level: level 3 makes documents 4% smaller and 15% slower to write."""
ZLIB_LEVEL = 1

_DATA = Path(__file__).parent / "data"
_local = threading.local()
"""Each thread's compressor and readers: a Zstandard context serves one thread at a time."""
_dict_data: dict[int, Any] = {}


def _zstandard() -> Any:
    """The ``zstandard`` module, or ``None`` where it is not installed."""
    try:
        import zstandard
    except ImportError:
        return None
    return zstandard


def _dictionary(zstd: Any, dict_id: int) -> Any:
    data = _dict_data.get(dict_id)
    if data is None:
        name = DICTIONARIES.get(dict_id)
        if name is None:
            raise LibraryError(
                f"a stored document was compressed with dictionary {dict_id}, which this version of papertriage "
                "does not have: open the library with the version that wrote it or a newer one"
            )
        data = _dict_data[dict_id] = zstd.ZstdCompressionDict((_DATA / name).read_bytes())
    return data


def pack(doc: bytes) -> bytes:
    """``doc`` compressed for storage (see the module's description)."""
    compress = getattr(_local, "pack", None)
    if compress is None:
        compress = _local.pack = _packer()
    return compress(doc)


def _packer() -> Callable[[bytes], bytes]:
    zstd = _zstandard()
    if zstd is None:
        return functools.partial(zlib.compress, level=ZLIB_LEVEL)
    compressor = zstd.ZstdCompressor(
        level=LEVEL, dict_data=_dictionary(zstd, DICTIONARY), write_checksum=False, write_content_size=True
    )
    return compressor.compress


def unpack(blob: bytes) -> bytes:
    """A stored document's bytes, from either format."""
    if blob[:4] != ZSTD_MAGIC:
        return zlib.decompress(blob)
    readers = getattr(_local, "readers", None)
    if readers is None:
        readers = _local.readers = {}
    reader = readers.get(DICTIONARY) or _reader(readers, DICTIONARY)
    try:
        return reader.decompress(blob)
    except Exception:  # a frame of another dictionary (or a damaged one): read its id
        dict_id = _zstandard().get_frame_parameters(blob).dict_id
        if dict_id == DICTIONARY:
            raise
        return (readers.get(dict_id) or _reader(readers, dict_id)).decompress(blob)


def _reader(readers: dict[int, Any], dict_id: int) -> Any:
    zstd = _zstandard()
    if zstd is None:
        raise LibraryError(
            "this library holds documents compressed with Zstandard, which this installation cannot read: "
            "install the zstandard package (pip install zstandard)"
        )
    reader = readers[dict_id] = zstd.ZstdDecompressor(dict_data=_dictionary(zstd, dict_id))
    return reader
