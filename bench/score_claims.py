"""Score claim extraction against labelled JSONL files.

    PYTHONPATH=src python bench/score_claims.py [GOLD.jsonl ...] [-v]

Without arguments it scores ../shared/dev/labels-cs2016.jsonl, the
dev/gold-hf-part*.jsonl labels of the bundled dump and the claims of twice 90
papers from the public dumps (dev/gold-claims-external*.jsonl), where present.

Each gold line has an ``abstract`` and a ``claims`` list (LABELS.md, section 3).
A predicted claim matches a gold claim of the same abstract when the values are
equal within 1e-6 (value F1); metric F1 also needs the same canonical metric.
Matching is one-to-one. For the value matches it also reports how often kind,
unit and dataset agree. ``-v`` prints the misses and false alarms.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from papertriage.claims import canonical_metric, extract_claims
from papertriage.evaluation import TextResolver

ROOT = Path(__file__).resolve().parents[1]
with_text = TextResolver()
"""Fills in the text of labelled lines that name a paper of a dump (source, id); each dump is read once."""
DEFAULT_GOLD = [
    ROOT.parent / "shared" / "dev" / "labels-cs2016.jsonl",
    ROOT / "dev" / "gold-hf-part1.jsonl",
    ROOT / "dev" / "gold-hf-part2.jsonl",
    ROOT / "dev" / "gold-claims-external-90.jsonl",
    ROOT / "dev" / "gold-claims-external-2-90.jsonl",
]


def _metric(name: str | None) -> str:
    if not name:
        return ""
    return canonical_metric(name) or name.strip().lower()


def _match(pred: list[dict], gold: list[dict], with_metric: bool) -> list[tuple[dict, dict]]:
    """One-to-one pairs (predicted, gold) with equal values (and metrics)."""
    used = [False] * len(gold)
    pairs = []
    for p in pred:
        for i, g in enumerate(gold):
            if used[i] or abs(float(g["value"]) - p["value"]) > 1e-6:
                continue
            if with_metric and _metric(g.get("metric")) != _metric(p["metric"]):
                continue
            used[i] = True
            pairs.append((p, g))
            break
    return pairs


def _f1(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(path: Path, verbose: bool = False) -> dict[str, float]:
    n_pred = n_gold = tp_v = tp_m = papers = same_kind = same_unit = same_dataset = 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        rec = with_text(json.loads(line), str(path), n)
        papers += 1
        gold = rec.get("claims") or []
        pred = [c.as_dict() for c in extract_claims(rec.get("abstract") or "")]
        n_pred += len(pred)
        n_gold += len(gold)
        pairs = _match(pred, gold, False)
        v, m = len(pairs), len(_match(pred, gold, True))
        tp_v += v
        tp_m += m
        same_kind += sum(p["kind"] == g.get("kind") for p, g in pairs)
        same_unit += sum(p["unit"] == g.get("unit") for p, g in pairs)
        same_dataset += sum((p["dataset"] or "").lower() == (g.get("dataset") or "").lower() for p, g in pairs)
        if verbose and (v != len(pred) or v != len(gold) or m != v):
            print(f"== {rec.get('id') or rec.get('title', '')[:60]}")
            for g in gold:
                print(f"   gold {g['metric']!s:>18} {g['value']:>9} {g.get('unit')!s:6} {g.get('kind')!s:9} {g.get('dataset')}")
            for p in pred:
                print(f"   pred {p['metric']!s:>18} {p['value']:>9} {p['unit']!s:6} {p['kind']:9} {p['dataset']}  | {p['text']}")
    vp, vr, vf = _f1(tp_v, n_pred, n_gold)
    mp, mr, mf = _f1(tp_m, n_pred, n_gold)
    agree = lambda k: k / tp_v if tp_v else 1.0  # noqa: E731
    return {"papers": papers, "gold": n_gold, "pred": n_pred, "value_p": vp, "value_r": vr, "value_f1": vf,
            "metric_p": mp, "metric_r": mr, "metric_f1": mf,
            "kind": agree(same_kind), "unit": agree(same_unit), "dataset": agree(same_dataset)}


def main(argv: list[str]) -> None:
    verbose = "-v" in argv
    paths = [Path(a) for a in argv if a != "-v"] or [p for p in DEFAULT_GOLD if p.exists()]
    for path in paths:
        s = score(path, verbose)
        print(
            f"{path.name}: {s['papers']} papers, {s['gold']} gold / {s['pred']} predicted claims; "
            f"value P {s['value_p']:.3f} R {s['value_r']:.3f} F1 {s['value_f1']:.3f}; "
            f"metric P {s['metric_p']:.3f} R {s['metric_r']:.3f} F1 {s['metric_f1']:.3f}; "
            f"of the value matches, same kind {s['kind']:.2f}, unit {s['unit']:.2f}, dataset {s['dataset']:.2f}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
