"""Time claim extraction per abstract.

    PYTHONPATH=src python bench/bench_claims.py [DUMP]

DUMP defaults to the bundled Hugging Face Papers page copy (alternating title /
abstract lines after two lines of page noise). Prints the CPU time per abstract
(best of 15 runs) of ``extract_claims`` and ``analyse_numbers``, and of the bare
scan for numbers that both start with, as a floor to compare with.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from papertriage import claims

DEFAULT_DUMP = Path(__file__).resolve().parent.parent / "examples" / "hf-papers-input-representations.txt"


def _best(fn: Callable[[], object], runs: int = 15) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def main(argv: list[str]) -> None:
    path = Path(argv[0]) if argv else DEFAULT_DUMP
    abstracts = path.read_text(encoding="utf-8").split("\n")[2:][1::2]
    claims.extract_claims(abstracts[0])  # load and compile the vocabulary
    timings = {
        "extract_claims": lambda: [claims.extract_claims(a) for a in abstracts],
        "analyse_numbers": lambda: [claims.analyse_numbers(a) for a in abstracts],
        "number scan only": lambda: [list(claims._NUMBER.finditer(a)) for a in abstracts],
    }
    for name, fn in timings.items():
        print(f"{name}: {_best(fn) / len(abstracts) * 1e6:.1f} us per abstract")
    found = sum(len(claims.extract_claims(a)) for a in abstracts)
    print(f"{len(abstracts)} abstracts, {found} claims")


if __name__ == "__main__":
    main(sys.argv[1:])
