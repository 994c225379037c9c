"""Filters shared by ``list``, ``claims``, ``stats`` and export.

A :class:`Filters` value is built once by the CLI; :func:`matches` applies
it to a paper dict (the JSONL shape) for ``--from`` sources, and the library
translates the same value into SQL, so both agree.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import UsageError
from . import regexes

OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "!=": operator.ne,
    "==": operator.eq,
    "=": operator.eq,
    "<": operator.lt,
    ">": operator.gt,
}
_COND_RE = regexes.compile(r"^\s*(?P<metric>[^<>=!]+?)\s*(?P<op><=|>=|!=|==|=|<|>)\s*(?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?P<unit>%|x|fps|points|db)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ClaimCondition:
    """``wer<5``: some claim of the paper with this metric satisfies the comparison."""

    metric: str
    op: str
    value: float
    text: str

    def test(self, claim: dict[str, Any]) -> bool:
        if claim.get("metric") != self.metric:
            return False
        value = claim.get("value")
        if not isinstance(value, (int, float)):
            return False
        return OPS[self.op](float(value), self.value)


def parse_claim_condition(text: str, canonical: Callable[[str], str | None] | None = None) -> ClaimCondition:
    """Parse ``'top-1 accuracy>=80'``; the metric is mapped to its canonical name."""
    m = _COND_RE.match(text)
    if not m:
        raise UsageError(
            f"invalid --claim {text!r}: expected METRIC OP NUMBER, e.g. 'wer<5' or 'top-1 accuracy>=80'"
        )
    metric = m.group("metric").strip().lower()
    if canonical is not None:
        canon = canonical(metric)
        if canon is None:
            raise UsageError(f"invalid --claim {text!r}: unknown metric {metric!r}")
        metric = canon
    return ClaimCondition(metric, m.group("op"), float(m.group("value")), text)


@dataclass
class Filters:
    """What the user asked for. Empty lists mean "no condition"."""

    modality: list[str] = field(default_factory=list)
    not_modality: list[str] = field(default_factory=list)
    task: list[str] = field(default_factory=list)
    not_task: list[str] = field(default_factory=list)
    metric: list[str] = field(default_factory=list)
    not_metric: list[str] = field(default_factory=list)
    claim: list[ClaimCondition] = field(default_factory=list)
    dataset: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    multimodal: bool | None = None
    has_code: bool | None = None
    since: str | None = None
    search: str | None = None

    def is_empty(self) -> bool:
        return not (
            self.modality or self.not_modality or self.task or self.not_task or self.metric
            or self.not_metric or self.claim or self.dataset or self.status
            or self.multimodal is not None or self.has_code is not None or self.since or self.search
        )


def _any(values: Iterable[str], wanted: list[str]) -> bool:
    vs = set(values)
    return any(w in vs for w in wanted)


def has_code(paper: dict[str, Any]) -> bool:
    for url in paper.get("urls") or []:
        u = url.lower()
        if any(host in u for host in ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")):
            return True
    return False


def dataset_matches(claim_dataset: str | None, wanted: str) -> bool:
    if not claim_dataset:
        return False
    return wanted.casefold() in claim_dataset.casefold()


def matches(paper: dict[str, Any], f: Filters) -> bool:
    """Whether a paper dict satisfies every condition (search excepted)."""
    if f.modality and not _any(paper.get("modality", []), f.modality):
        return False
    if f.not_modality and _any(paper.get("modality", []), f.not_modality):
        return False
    if f.task and not _any(paper.get("task", []), f.task):
        return False
    if f.not_task and _any(paper.get("task", []), f.not_task):
        return False
    if f.metric and not _any(paper.get("metric", []), f.metric):
        return False
    if f.not_metric and _any(paper.get("metric", []), f.not_metric):
        return False
    if f.multimodal is not None and bool(paper.get("multimodal")) != f.multimodal:
        return False
    claims = paper.get("claims") or []
    for cond in f.claim:
        if not any(cond.test(c) for c in claims):
            return False
    if f.dataset and not any(dataset_matches(c.get("dataset"), d) for c in claims for d in f.dataset):
        return False
    if f.status and (paper.get("status") or "unread") not in f.status:
        return False
    if f.has_code is not None and has_code(paper) != f.has_code:
        return False
    if f.since:
        date = paper.get("date") or ""
        if not date or date[: len(f.since)] < f.since:
            return False
    return True


def claim_rows(paper: dict[str, Any], f: Filters) -> list[dict[str, Any]]:
    """The claims of a paper that the filters select (for ``claims``)."""
    rows = []
    for c in paper.get("claims") or []:
        if f.metric and c.get("metric") not in f.metric:
            continue
        if f.dataset and not any(dataset_matches(c.get("dataset"), d) for d in f.dataset):
            continue
        if f.claim and not any(cond.test(c) for cond in f.claim if cond.metric == c.get("metric")):
            if any(cond.metric == c.get("metric") for cond in f.claim) or not f.metric:
                continue
        row = {"id": paper["id"], "title": paper.get("title", "")}
        row.update({k: c.get(k) for k in ("metric", "value", "unit", "kind", "dataset", "text")})
        rows.append(row)
    return rows
