"""The shared filter options turned into :class:`~papertriage.query.Filters`:
facet values checked against the known labels, with the closest ones named
when a value is unknown. Needs no Typer (the quick path of ``list`` uses it)."""

from __future__ import annotations

from collections.abc import Iterable

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

from ..errors import UsageError


def check_labels(facet: str, values: Iterable[str], known: Iterable[str]) -> list[str]:
    """``values`` normalised; an unknown value is a usage error naming the
    closest known values."""
    known_list = list(dict.fromkeys(known))
    known_set = set(known_list)
    out = []
    for raw in values:
        value = raw.strip().lower()
        if value not in known_set:
            from rapidfuzz import fuzz, process

            close = [m[0] for m in process.extract(value, known_list, scorer=fuzz.ratio, limit=3, score_cutoff=65)]
            if not close:
                close = [m[0] for m in process.extract(value, known_list, scorer=fuzz.WRatio, limit=2, score_cutoff=85)]
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise UsageError(f"unknown {facet} {raw!r}{hint} (known: {', '.join(known_list)})")
        out.append(value)
    return out


def build_filters(
    tagger: Any,
    *,
    modality: list[str] | None,
    not_modality: list[str] | None,
    task: list[str] | None,
    not_task: list[str] | None,
    metric: list[str] | None,
    not_metric: list[str] | None,
    claim: list[str] | None,
    dataset: list[str] | None,
    status: list[str] | None,
    multimodal: bool | None,
    has_code: bool | None,
    since: str | None,
    search: str | None,
    extra_labels: dict[str, list[str]] | None = None,
) -> Any:
    """The :class:`~papertriage.query.Filters` of the shared filter options;
    unknown facet values are usage errors naming the closest known ones."""
    from ..query import Filters, parse_claim_condition
    from ..vocabulary import STATUSES

    extra_labels = extra_labels or {}
    mods = tagger.labels("modality") + extra_labels.get("modality", [])
    tasks = tagger.labels("task") + extra_labels.get("task", [])
    canonical = None
    if metric or not_metric or claim:  # the claims' vocabulary loads only when asked for
        try:
            from ..claims import canonical_metric

            canonical = canonical_metric
        except ImportError:  # pragma: no cover
            pass

    def metric_list(values: list[str] | None) -> list[str]:
        if not values:
            return []
        metrics = tagger.labels("metric") + extra_labels.get("metric", [])
        out = []
        for v in values:
            canon = canonical(v) if canonical else None
            out.extend(check_labels("metric", [canon or v], metrics))
        return out

    if since is not None:
        import re

        if not re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?", since):
            raise UsageError(f"invalid --since {since!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
    return Filters(
        modality=check_labels("modality", modality or [], mods),
        not_modality=check_labels("modality", not_modality or [], mods),
        task=check_labels("task", task or [], tasks),
        not_task=check_labels("task", not_task or [], tasks),
        metric=metric_list(metric),
        not_metric=metric_list(not_metric),
        claim=[parse_claim_condition(c, canonical) for c in claim or []],
        dataset=list(dataset or []),
        status=check_labels("status", status or [], STATUSES),
        multimodal=multimodal,
        has_code=has_code,
        since=since,
        search=search,
    )
