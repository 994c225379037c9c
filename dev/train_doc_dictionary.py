"""Train the Zstandard dictionary the library compresses stored documents with.

    python dev/train_doc_dictionary.py [--size BYTES] DUMP [DUMP ...]

Tags every paper of the dumps with the default rules, builds its stored
document as ``add`` does (:func:`papertriage.library.prepare`, with the
source path replaced by ``papers.txt`` so that no path of this machine is
learned), trains a dictionary of ``--size`` bytes on every second document,
measures it on the others, and writes it to
``src/papertriage/data/docs-<id>.zdict``. To use it, add it to
``papertriage.packing.DICTIONARIES`` and make it ``DICTIONARY``; released
dictionaries are never removed (libraries hold documents compressed with
them). Documents of papers used to build the benchmark inputs (the bundled
example dump) should not be trained on: the benchmark would measure a
dictionary that has seen its text.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import zstandard

from papertriage.engine import get_tagger
from papertriage.library import prepare
from papertriage.models import Source
from papertriage.parsers import read_source

OUT = Path(__file__).resolve().parent.parent / "src" / "papertriage" / "data"


def documents(paths: list[str]) -> list[bytes]:
    tagger = get_tagger([], use_config=False)
    docs = []
    for path in paths:
        for rec in read_source(path):
            rec = rec.replace(source=Source("papers.txt", rec.source.line))
            docs.append(prepare(tagger.tag(rec)).doc)
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dumps", nargs="+")
    ap.add_argument("--size", type=int, default=65536)
    args = ap.parse_args()
    docs = documents(args.dumps)
    train, test = docs[::2], docs[1::2]
    dictionary = zstandard.train_dictionary(args.size, train)
    path = OUT / f"docs-{dictionary.dict_id()}.zdict"
    path.write_bytes(dictionary.as_bytes())
    print(f"{len(docs)} documents ({len(train)} trained on), mean {statistics.mean(map(len, docs)):.0f} bytes")
    for name, compress in (
        ("zlib level 1", lambda d: __import__("zlib").compress(d, 1)),
        ("zstd level 1", zstandard.ZstdCompressor(level=1).compress),
        ("zstd level 1 + dictionary", zstandard.ZstdCompressor(level=1, dict_data=dictionary, write_checksum=False).compress),
    ):
        t = time.perf_counter()
        sizes = [len(compress(d)) for d in test]
        per = (time.perf_counter() - t) / len(test) * 1e6
        print(f"  {name:<28} {statistics.mean(sizes):7.1f} bytes  {per:5.2f} us (held-out half)")
    print(f"wrote {path} (id {dictionary.dict_id()})")


if __name__ == "__main__":
    main()
