"""Score the rules on labelled JSONL files: per-label P/R/F1 and micro F1.

    python bench/score_tags.py GOLD.jsonl [GOLD2.jsonl ...] [--facet modality] [--errors]
    python bench/score_tags.py --rules extra.yaml GOLD.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from papertriage.engine import Tagger  # noqa: E402
from papertriage.evaluation import evaluate  # noqa: E402
from papertriage.rules import load_rules  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold", nargs="+")
    ap.add_argument("--rules", action="append", default=[])
    ap.add_argument("--facet", choices=["modality", "task"], default=None)
    ap.add_argument("--errors", action="store_true", help="print the papers with wrong tags")
    args = ap.parse_args()
    tagger = Tagger(load_rules(args.rules, use_config=False), claims=False)

    def gold():
        for path in args.gold:
            with open(path, encoding="utf-8") as fh:
                for i, line in enumerate(fh, 1):
                    if line.strip():
                        yield i, json.loads(line)

    report = evaluate(tagger, gold())
    print(f"papers: {report.papers}")
    print(f"{'facet':9} {'label':26} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    for row in report.rows():
        if args.facet and row["facet"] != args.facet:
            continue
        print(f"{row['facet']:9} {row['label']:26} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} {row['tp']:4} {row['fp']:4} {row['fn']:4}")
    if args.errors:
        for e in report.errors:
            if args.facet and e["facet"] != args.facet:
                continue
            print(f"{e['line']:4} {e['facet']:8} missing={e['missing']} extra={e['extra']} :: {e['title'][:90]}")


if __name__ == "__main__":
    main()
