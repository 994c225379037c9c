"""Benchmark papertriage against the floor, in one run, on this machine.

    python bench/bench.py                 # 100k papers, 3 runs each
    python bench/bench.py --papers 1000000 --runs 3 --library
    python bench/bench.py --library --grow 900000   # also add 100k to a library of 900k
    python bench/bench.py --quick         # 20k papers, 1 run (a smoke test)

Builds synthetic dumps from the bundled example (titles made unique), then
times whole processes and prints, side by side: the floor (read title/abstract
pairs, write JSONL with orjson), ``papertriage tag`` on one process and with
the default workers, ``add`` into a fresh library (in turns with ``tag`` on
one process on the same input, and the ratio of their speeds), a facet
filter and a full-text search on that library, and start-up (``tag`` on the
bundled dump vs ``python -c "import typer"``). Medians of several runs; the floor and the two
``tag`` runs take turns (as do the two start-up commands), and each ratio is
the median of the ratios within a turn (this machine's speed drifts by a
third from minute to minute); peak memory (max RSS) of each process from the
operating system (``wait4``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "hf-papers-input-representations.txt"
OUT = ROOT / "bench" / "out"

FLOOR = r"""
import sys, orjson
out = sys.stdout.buffer
src = open(sys.argv[1], 'rb')
buf = []
title = None
for line in src:
    line = line.rstrip(b'\n').decode('utf-8')
    if title is None:
        title = line
        continue
    buf.append(orjson.dumps({"title": title, "abstract": line}))
    title = None
    if len(buf) >= 512:
        out.write(b'\n'.join(buf) + b'\n'); buf.clear()
if buf:
    out.write(b'\n'.join(buf) + b'\n')
"""


def exe() -> str:
    found = shutil.which("papertriage", path=os.path.dirname(sys.executable)) or shutil.which("papertriage")
    if not found:
        sys.exit("bench: papertriage is not installed in this Python's environment")
    return found


def build_input(n: int, *, distinct: bool = False, start: int = 0) -> Path:
    """A dump of ``n`` papers in the bundled format (cached in bench/out).

    Titles are made unique with a suffix; with ``distinct``, they are also
    changed at both ends, so that the library's near-duplicate detection does
    not link every copy of the same paper (a real dump has few duplicates).
    Papers are numbered from ``start``: dumps with different ranges share no
    paper."""
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"synthetic-distinct-{n}" if distinct else f"synthetic-{n}"
    path = OUT / (f"{name}-from-{start}.txt" if start else f"{name}.txt")
    if path.exists():
        return path
    import hashlib

    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")[2:]
    pairs = [(lines[i].removeprefix("Subscribe"), lines[i + 1]) for i in range(0, len(lines) - 1, 2)]
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for k in range(start, start + n):
            title, abstract = pairs[k % len(pairs)]
            if distinct:
                h = hashlib.blake2b(str(k).encode(), digest_size=8).hexdigest()
                title = f"K{h[:6]} {title} Z{h[6:12]}"
            fh.write(f"{title} (copy {k})\n{abstract}\n")
    tmp.replace(path)
    return path


def run(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one process."""
    with tempfile.TemporaryFile() as errors:  # a pipe could fill up and stall the command
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        errors.seek(0)
        err = errors.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed: {err.strip()[:500]}")
    return wall, usage.ru_maxrss


def row(name: str, wall: float, papers: int | None, ratio: float | None, rss_kib: int) -> None:
    """One line of the table: wall time, papers/s, ratio to the floor, peak RSS."""
    rate = f"{papers / wall:>10,.0f}/s" if papers else " " * 12
    vs = f"{ratio:6.2f}x floor" if ratio is not None else " " * 13
    print(f"{name:<44} {wall:8.3f} s {rate} {vs} {rss_kib / 1024:8.1f} MiB", flush=True)


def measure(name: str, cmd: list[str], runs: int) -> None:
    """The line of one command run ``runs`` times (a query: no papers/s)."""
    results = [run(cmd) for _ in range(runs)]
    row(name, statistics.median(r[0] for r in results), None, None, max(r[1] for r in results))


def in_turns(cmds: list[tuple[str, list[str], int | None]], runs: int, *, ratios: bool = True) -> list[float]:
    """Run the commands in turn, ``runs`` rounds of all of them, so that a
    machine whose speed drifts (a shared host) slows them alike, and print
    their lines (``(name, command, papers)``). With ``ratios``, the first is
    the floor and each other's ratio is the median of the ratios within a
    round. Returns, per command, the median of its ratios to the first (1.0
    for the first itself), and last the first's median wall time."""
    results: list[list[tuple[float, int]]] = [[] for _ in cmds]
    for _ in range(runs):
        for k, (_name, cmd, _papers) in enumerate(cmds):
            results[k].append(run(cmd))
    firsts = [r[0] for r in results[0]]
    out = []
    for k, (name, _cmd, papers) in enumerate(cmds):
        walls = [r[0] for r in results[k]]
        ratio = statistics.median(w / f for w, f in zip(walls, firsts))
        out.append(ratio)
        row(name, statistics.median(walls), papers, ratio if ratios and k else None, max(r[1] for r in results[k]))
    return out + [statistics.median(firsts)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--papers", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--library", action="store_true", help="also time add, list and search on a library of --library-papers")
    ap.add_argument("--library-papers", type=int, default=None, help="papers in the library (default: --papers)")
    ap.add_argument(
        "--grow", type=int, default=0, metavar="N",
        help="with --library, also time add of the library's papers into a library already holding N others",
    )
    ap.add_argument("--quick", action="store_true", help="20k papers, one run")
    args = ap.parse_args()
    if args.quick:
        args.papers, args.runs = 20_000, 1
    cmd = exe()
    print(f"papertriage bench: {args.papers:,} papers, median of {args.runs} runs, {os.cpu_count()} cores")
    print(f"{'what':<44} {'wall':>10} {'papers/s':>12} {'vs floor':>13} {'peak RSS':>12}")
    data = build_input(args.papers)
    floor_script = OUT / "floor.py"
    floor_script.write_text(FLOOR)
    floor = in_turns(
        [
            ("floor: read pairs, write JSONL (orjson)", [sys.executable, str(floor_script), str(data)], args.papers),
            ("tag, 1 process", [cmd, "tag", "--workers", "1", str(data)], args.papers),
            ("tag, default workers", [cmd, "tag", str(data)], args.papers),
        ],
        args.runs,
    )[-1]
    print()
    start_ratio = in_turns(
        [
            ("start-up: python -c 'import typer'", [sys.executable, "-c", "import typer"], None),
            ("start-up: tag bundled dump (333 papers)", [cmd, "tag", str(EXAMPLE)], 333),
        ],
        max(9, args.runs),
        ratios=False,
    )[1]
    print(f"{'start-up ratio (tag / import typer)':<44} {start_ratio:8.2f}x")
    if args.library:
        print()
        n_lib = args.library_papers or args.papers
        lib_data = build_input(n_lib, distinct=True)
        with tempfile.TemporaryDirectory(prefix="pt-bench-") as tmp:
            db = os.path.join(tmp, "lib.db")
            wall, rss, speed, tag = add_in_turns(cmd, lib_data, db, args.runs)
            row(f"add {n_lib:,} papers into a fresh library", wall, n_lib, wall / floor * args.papers / n_lib, rss)
            print_speed(speed, tag)
            queries(cmd, db, "list --modality speech --format ids", args.runs)
            if args.grow:
                grow(cmd, tmp, lib_data, n_lib, args.grow, args.runs)


def add_in_turns(cmd: str, data: Path, db: str, runs: int, base: str | None = None) -> tuple[float, int, float, float]:
    """``add`` of ``data`` into ``db`` (new, or a copy of ``base``), in turns
    with ``tag`` on one process on the same input: the median wall time and
    the peak RSS of ``add``, the median ratio of their speeds and ``tag``'s
    median wall time."""
    tags: list[float] = []
    adds: list[tuple[float, int]] = []
    for _ in range(runs):
        tags.append(run([cmd, "tag", "--workers", "1", str(data)])[0])
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        if base is not None:
            shutil.copyfile(base, db)
        # The copy (gigabytes at 1,000,000 papers) is written to disk now,
        # not by the kernel while ``add`` is timed.
        os.sync()
        adds.append(run([cmd, "add", "--db", db, str(data)]))
    speed = statistics.median(t / a[0] for t, a in zip(tags, adds))
    return statistics.median(a[0] for a in adds), max(a[1] for a in adds), speed, statistics.median(tags)


def print_speed(speed: float, tag: float) -> None:
    print(f"{'add speed / tag speed (1 process, in turns)':<44} {speed:8.2f}x   (tag {tag:.3f} s)")


def queries(cmd: str, db: str, facet_name: str, runs: int) -> None:
    """The lines of a facet filter and two searches on the library ``db``."""
    measure(facet_name, [cmd, "list", "--db", db, "--modality", "speech", "--format", "ids"], runs)
    measure("list --search 'speech recognition' -n 20", [cmd, "list", "--db", db, "--search", "speech recognition", "--limit", "20", "--format", "ids"], runs)
    measure("list --search 'self-supervised speach' -n 20", [cmd, "list", "--db", db, "--search", "self-supervised speach", "--limit", "20", "--format", "ids"], runs)


def grow(cmd: str, tmp: str, data: Path, n: int, existing: int, runs: int) -> None:
    """``add`` of ``data`` (``n`` papers) into a library already holding
    ``existing`` other papers (built once, copied for each run), in turns with
    ``tag`` on one process on the same input, and the queries on the grown library."""
    base = os.path.join(tmp, "base.db")
    others = build_input(existing, distinct=True, start=n)
    wall, rss = run([cmd, "add", "--db", base, str(others)])
    row(f"build a library of {existing:,} papers", wall, existing, None, rss)
    db = os.path.join(tmp, "grown.db")
    wall, rss, speed, tag = add_in_turns(cmd, data, db, runs, base)
    row(f"add {n:,} papers to those {existing:,}", wall, n, None, rss)
    print_speed(speed, tag)
    queries(cmd, db, f"list --modality speech ({existing + n:,} papers)", runs)


if __name__ == "__main__":
    main()
