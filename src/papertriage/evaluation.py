"""Measure tags against labelled papers: precision, recall and F1 per label.

A labelled line carries the paper's ``title`` and ``abstract``, or names a
paper of a dump instead: ``source`` (the dump's path, relative to the
labelled file) and ``id`` (the paper's id in it, as ``papertriage tag``
prints it), so that labels can be kept and shared without the texts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import Tagger
from .errors import InputError
from .ids import make_id
from .models import Record, Source


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass
class Report:
    papers: int = 0
    per_label: dict[tuple[str, str], Counts] = field(default_factory=dict)
    micro: dict[str, Counts] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for (facet, label), c in sorted(self.per_label.items()):
            out.append(_row(facet, label, c))
        for facet, c in self.micro.items():
            out.append(_row(facet, "(micro)", c))
        return out


def _row(facet: str, label: str, c: Counts) -> dict[str, Any]:
    return {
        "facet": facet,
        "label": label,
        "precision": round(c.precision, 4),
        "recall": round(c.recall, 4),
        "f1": round(c.f1, 4),
        "tp": c.tp,
        "fp": c.fp,
        "fn": c.fn,
        "support": c.support,
    }


def evaluate(tagger: Tagger, gold: Iterable[tuple[int, dict[str, Any]]], path: str = "-") -> Report:
    """Score ``tagger`` against ``(line, object)`` pairs of a labelled JSONL."""
    report = Report()
    for facet in ("modality", "task", "multimodal"):
        report.micro[facet] = Counts()
    for line, obj in gold:
        title = str(obj.get("title") or "")
        abstract = str(obj.get("abstract") or "")
        rec = Record(
            id=str(obj.get("id") or make_id(title)),
            title=title,
            abstract=abstract,
            source=Source(path, line),
        )
        paper = tagger.tag(rec)
        report.papers += 1
        predicted = {"modality": set(paper.modality), "task": set(paper.task)}
        for facet in ("modality", "task"):
            truth = set(obj.get(facet) or [])
            if facet == "task":
                truth.discard("other")
            pred = predicted[facet]
            for label in truth | pred:
                c = report.per_label.setdefault((facet, label), Counts())
                m = report.micro[facet]
                if label in truth and label in pred:
                    c.tp += 1
                    m.tp += 1
                elif label in pred:
                    c.fp += 1
                    m.fp += 1
                else:
                    c.fn += 1
                    m.fn += 1
            if truth != pred:
                report.errors.append(
                    {"line": line, "id": rec.id, "title": title, "facet": facet,
                     "missing": sorted(truth - pred), "extra": sorted(pred - truth)}
                )
        if "multimodal" in obj:
            truth_mm = bool(obj.get("multimodal"))
            m = report.micro["multimodal"]
            if truth_mm and paper.multimodal:
                m.tp += 1
            elif paper.multimodal:
                m.fp += 1
            elif truth_mm:
                m.fn += 1
    return report


class TextResolver:
    """Fills in the title and abstract of labelled lines that name a paper of
    a dump (``source`` and ``id``); each dump is read once."""

    def __init__(self) -> None:
        self._dumps: dict[Path, dict[str, tuple[str, str]]] = {}

    def __call__(self, obj: dict[str, Any], gold_path: str, line: int) -> dict[str, Any]:
        source = obj.get("source")
        if "abstract" in obj or not isinstance(source, str) or not source:
            return obj
        dump = (Path(gold_path).parent / source).resolve()
        papers = self._dumps.get(dump)
        if papers is None:
            papers = self._read(dump, gold_path, line)
            self._dumps[dump] = papers
        found = papers.get(str(obj.get("id") or ""))
        if found is None:
            raise InputError(
                gold_path, f"no paper {obj.get('id')!r} in {source}", line=line,
                hint="id is the paper's id as `papertriage tag` prints it for that dump",
            )
        return {**obj, "title": found[0], "abstract": found[1]}

    @staticmethod
    def _read(dump: Path, gold_path: str, line: int) -> dict[str, tuple[str, str]]:
        from .parsers import read_source

        if not dump.is_file():
            raise InputError(
                gold_path, f"the labelled paper's source {dump} does not exist", line=line,
                hint="labels that name papers of a dump need that dump at that path",
            )
        return {rec.id: (rec.title, rec.abstract) for rec in read_source(str(dump), warn=_quiet)}


def _quiet(path: str, line: int | None, message: str) -> None:
    """Skipped entries of a dump are not the labelled file's problem."""
