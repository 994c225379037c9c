"""Tagging on several processes, output order kept.

Both ``tag`` and ``add`` use :func:`tag_in_batches`: records are grouped in
batches, each batch is tagged by a worker process holding its own tagger,
and results come back in input order. When reading the input fails, the
records read before the failure are still tagged and yielded, then the error
is raised.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

PARALLEL_MIN_BYTES = 8 * 1024 * 1024
"""Inputs smaller than this are tagged on one process (start-up would dominate)."""
PARALLEL_MIN_RECORDS = 1000
"""A stream (whose size is unknown) with fewer records is tagged on one process."""

_WORKER_TAGGER: Any = None


def cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def input_bytes(sources: list[str]) -> int | None:
    """Total size of the inputs; ``None`` when one is a stream."""
    total = 0
    for s in sources:
        if s == "-":
            return None
        try:
            total += os.path.getsize(s)
        except OSError:
            pass
    return total


def default_workers(size: int | None) -> int:
    """All cores for large inputs and streams (their size is unknown), else one."""
    n = cores()
    if n <= 1:
        return 1
    return n if size is None or size >= PARALLEL_MIN_BYTES else 1


def resolve_workers(requested: int | None, sources: list[str]) -> int:
    """``--workers``: ``None`` means the default, ``0`` means all cores."""
    if requested is None:
        return default_workers(input_bytes(sources))
    return requested or cores()


def _init_worker(rules: list[str], use_config: bool) -> None:
    global _WORKER_TAGGER
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .engine import get_tagger
    from .runtime import tune_process

    tune_process()
    _WORKER_TAGGER = get_tagger(rules, use_config=use_config)


def _pack(rec: Any) -> tuple:
    """A record as a plain tuple: pickled many times faster than the dataclass."""
    return (
        rec.id, rec.title, rec.abstract, rec.source.path, rec.source.line, rec.urls, rec.authors,
        rec.date, rec.categories, rec.doi, rec.arxiv_id, rec.extra,
    )


def _unpack(batch: list[tuple]) -> Iterator[Any]:
    from .models import Record, Source

    for rid, title, abstract, path, line, urls, authors, date, categories, doi, arxiv_id, extra in batch:
        yield Record(rid, title, abstract, Source(path, line), urls, authors, date, categories, doi, arxiv_id, extra)


def _tag_papers(batch: list[tuple], tagger: Any = None) -> list[Any]:
    tag = (tagger or _WORKER_TAGGER).tag
    return [tag(r) for r in _unpack(batch)]


def _tag_jsonl(batch: list[tuple], tagger: Any = None) -> bytes:
    import orjson

    from .output import paper_to_dict

    tag = (tagger or _WORKER_TAGGER).tag
    dumps = orjson.dumps
    return b"\n".join([dumps(paper_to_dict(tag(r))) for r in _unpack(batch)]) + b"\n"


def _tag_items(batch: list[tuple], tagger: Any = None) -> list[Any]:
    from .library import prepare

    tag = (tagger or _WORKER_TAGGER).tag
    return [prepare(tag(r)) for r in _unpack(batch)]


_WORK = {"papers": _tag_papers, "jsonl": _tag_jsonl, "library": _tag_items}


def _tag_here(work: Any, batch: list[tuple], rules: list[str], use_config: bool) -> Any:
    """``work`` on ``batch`` in this process (for inputs too small for workers)."""
    from .engine import get_tagger

    return work(batch, get_tagger(rules, use_config=use_config))


def tag_in_batches(
    records: Iterable[Any],
    *,
    workers: int,
    rules: list[str],
    use_config: bool,
    form: str = "papers",
    batch_size: int = 2000,
) -> Iterator[Any]:
    """Per batch of records, in input order: a list of papers
    (``form="papers"``), their JSONL bytes (``"jsonl"``) or papers prepared
    for :meth:`papertriage.library.Library.add` (``"library"``: the
    serialising and hashing happen in the workers too)."""
    import multiprocessing as mp

    work = _WORK[form]
    # A stream of unknown size may be small: read ahead, and tag a small
    # input here rather than start worker processes for it.
    records = iter(records)
    head: list[Any] = []
    try:
        for rec in records:
            head.append(_pack(rec))
            if len(head) >= PARALLEL_MIN_RECORDS:
                break
    except Exception:
        if head:
            yield _tag_here(work, head, rules, use_config)
        raise
    if len(head) < PARALLEL_MIN_RECORDS:
        if head:
            yield _tag_here(work, head, rules, use_config)
        return
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else mp.get_context()
    with ctx.Pool(workers, initializer=_init_worker, initargs=(rules, use_config)) as pool:
        pending: list[Any] = []
        batch: list[Any] = []
        # Small batches first, so that every worker is busy early even on a
        # small input; then batches grow to ``batch_size``.
        size = min(batch_size, 32)
        start = 0
        while start < len(head):
            pending.append(pool.apply_async(work, (head[start : start + size],)))
            start += size
            size = min(batch_size, size * 2)
        try:
            for rec in records:
                batch.append(_pack(rec))
                if len(batch) >= size:
                    pending.append(pool.apply_async(work, (batch,)))
                    batch = []
                    size = min(batch_size, size * 2)
                    while pending and (pending[0].ready() or len(pending) > 2 * workers):
                        yield pending.pop(0).get()
        except Exception:
            # What was read before the error is still tagged and delivered.
            if batch:
                pending.append(pool.apply_async(work, (batch,)))
            for job in pending:
                yield job.get()
            raise
        if batch:
            pending.append(pool.apply_async(work, (batch,)))
        for job in pending:
            yield job.get()
