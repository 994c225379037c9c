"""Library performance: import speed against tagging speed, and query times
on a large library.

    PYTHONPATH=src python bench/bench_library.py [--papers 1000000] [--add 100000] [--dir DIR]

Synthetic papers are copies of the bundled dump's papers with new ids and
titles changed at both ends (so that they are not near-duplicates of each
other). The script

1. tags ``--add`` synthetic records and times it;
2. adds those tagged papers to a new library and times it (the target: at
   least half the tagging speed);
3. grows the library to ``--papers`` papers with copies of tagged papers;
4. times queries as the CLI runs them: open the library, run, consume
   (median of several runs; the first run is reported too).

The library is kept in ``--dir`` and reused by later runs with the same size.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from papertriage.engine import get_tagger  # noqa: E402
from papertriage.library import Library  # noqa: E402
from papertriage.models import Paper, Record  # noqa: E402
from papertriage.parsers import read_source  # noqa: E402
from papertriage.query import Filters, parse_claim_condition  # noqa: E402

EXAMPLE = ROOT / "examples" / "hf-papers-input-representations.txt"


def variant(rec: Record, i: int) -> Record:
    h = hashlib.blake2b(str(i).encode(), digest_size=8).hexdigest()
    title = f"k{h[:6]}{i % 10} {rec.title} z{h[6:12]}{i % 7}"
    return rec.replace(id=f"s{i:07d}", title=title, arxiv_id=None, doi=None)


def synthetic_records(base: list[Record], start: int, n: int) -> Iterator[Record]:
    for i in range(start, start + n):
        yield variant(base[i % len(base)], i)


def synthetic_papers(base: list[Paper], start: int, n: int) -> Iterator[Paper]:
    for i in range(start, start + n):
        p = base[i % len(base)]
        yield p.replace(record=variant(p.record, i))


def timed(label: str, fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    result = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    shown = result if isinstance(result, (int, str)) else type(result).__name__
    print(f"  {label:<58} median {med * 1000:8.1f} ms   first {times[0] * 1000:8.1f} ms   -> {shown}")
    return med


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=1_000_000)
    ap.add_argument("--add", type=int, default=100_000)
    ap.add_argument("--dir", default=os.environ.get("TMPDIR", "/tmp") + "/papertriage-bench")
    args = ap.parse_args()
    work = Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)

    tagger = get_tagger(use_config=False)
    base_records = list(read_source(str(EXAMPLE)))
    print(f"{len(base_records)} papers in {EXAMPLE.name}; rules digest {tagger.digest}")

    big = work / f"library-{args.papers}.db"
    if not big.exists():
        # 1. tagging speed
        t0 = time.perf_counter()
        tagged = [tagger.tag(r) for r in synthetic_records(base_records, 0, args.add)]
        tag_s = time.perf_counter() - t0
        print(f"tag {args.add:,} papers: {tag_s:.2f} s ({args.add / tag_s:,.0f} papers/s)")

        # 2. import speed
        fresh = work / "add.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(fresh) + suffix).unlink(missing_ok=True)
        lib = Library(fresh)
        t0 = time.perf_counter()
        res = lib.add(tagged)
        add_s = time.perf_counter() - t0
        lib.close()
        print(
            f"add {args.add:,} papers: {add_s:.2f} s ({args.add / add_s:,.0f} papers/s; "
            f"{res.new} new, {res.duplicates} duplicates) = {tag_s / add_s:.2f} x tagging speed"
        )
        t0 = time.perf_counter()
        lib = Library(fresh)
        res = lib.add(tagged)
        print(f"re-add the same {args.add:,} papers: {time.perf_counter() - t0:.2f} s ({res.unchanged} unchanged)")
        lib.close()

        # 3. a large library
        os.replace(fresh, big)
        base_papers = [tagger.tag(r) for r in base_records]
        lib = Library(big)
        t0 = time.perf_counter()
        chunk = 100_000
        start = args.add
        while start < args.papers:
            n = min(chunk, args.papers - start)
            t1 = time.perf_counter()
            lib.add(synthetic_papers(base_papers, start, n))
            start += n
            rate = n / (time.perf_counter() - t1)
            print(f"  ... {start:,} papers ({time.perf_counter() - t0:.0f} s; this import {rate:,.0f} papers/s)", flush=True)
        lib.close()
    size = sum(Path(str(big) + s).stat().st_size for s in ("", "-wal") if Path(str(big) + s).exists())
    print(f"library: {big} ({size / 1e9:.2f} GB)")

    # 4. queries, each as one CLI run: open, query, consume
    def run(fn: Callable[[Library], object]) -> Callable[[], object]:
        def go() -> object:
            with Library(big) as lib:
                return fn(lib)

        return go

    with Library(big) as lib:
        total = lib.count()
        some_id = next(lib.query_ids(limit=1))
    print(f"queries on {total:,} papers:")
    speech = Filters(modality=["speech"])
    timed("open + count()", run(lambda lib: lib.count()))
    timed("list --modality speech --format ids", run(lambda lib: sum(1 for _ in lib.query_ids(speech))))
    timed(
        "list --modality speech --task speech-recognition --format ids",
        run(lambda lib: sum(1 for _ in lib.query_ids(Filters(modality=["speech"], task=["speech-recognition"])))),
    )
    timed(
        "list --modality speech --not-modality text --format ids",
        run(lambda lib: sum(1 for _ in lib.query_ids(Filters(modality=["speech"], not_modality=["text"])))),
    )
    timed("list --modality speech --limit 50 (full records)", run(lambda lib: sum(1 for _ in lib.query(speech, limit=50))))
    timed(
        "list --modality speech --format jsonl (every record)",
        run(lambda lib: sum(1 for _ in lib.query(speech))),
        runs=1,
    )
    timed("list --status include --format ids", run(lambda lib: sum(1 for _ in lib.query_ids(Filters(status=["include"])))))
    for text in ("speech recognition", "speach recogntion", "self-supervised speach", "transformer"):
        timed(
            f"list --search {text!r} (top 100, full records)",
            run(lambda lib, text=text: sum(1 for _ in lib.query(Filters(search=text)))),
        )
    timed(
        "list --search 'speech recognition' --modality speech --format ids",
        run(lambda lib: sum(1 for _ in lib.query_ids(Filters(search="speech recognition", modality=["speech"])))),
    )
    wer = Filters(metric=["wer"])
    timed("claims --metric wer --sort value --limit 20", run(lambda lib: sum(1 for _ in lib.claims(wer, sort="value", limit=20))))
    cond = Filters(claim=[parse_claim_condition("accuracy>=90")])
    timed("list --claim 'accuracy>=90' --format ids", run(lambda lib: sum(1 for _ in lib.query_ids(cond))), runs=3)
    timed("show ID", run(lambda lib: lib.get(some_id)["id"]))
    timed("stats", run(lambda lib: lib.stats()["total"]["papers"]), runs=3)
    timed("stats --modality speech", run(lambda lib: lib.stats(speech)["total"]["papers"]), runs=3)
    timed("labels (facet values known to the library)", run(lambda lib: sum(map(len, lib.labels().values()))))


if __name__ == "__main__":
    main()
