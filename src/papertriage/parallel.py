"""Tagging on several processes, output order kept.

Both ``tag`` and ``add`` use :func:`tag_in_batches`: records are grouped in
batches, each batch is tagged by a worker process holding its own tagger,
and results come back in input order (for ``tag``, each worker writes its
batches' JSONL to the output itself, in turn). When reading the input fails,
the records read before the failure are still tagged and yielded, then the
error is raised.
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
SPLIT_MIN_RECORDS = 100
"""A small input with at least this many records is tagged in two halves, the
second by a forked copy of the process (see :func:`tag_small`)."""

HALT_WAIT = 10.0
"""Seconds :func:`_halt` waits for the queued batches to be skipped."""
LIBRARY_WORKER_NICENESS = 10
"""How much lower the workers of an import run than the process that writes
SQLite, which bounds an import: with two cores, the workers then take the
processor time it leaves (100,000 papers into a library of 1,000,000: 15.0 to
15.2 s at the same priority, 12.9 to 13.7 s)."""

_WORKER_TAGGER: Any = None
_SHARED: Any = None
"""What a worker shares with the parent and the other workers: a condition,
the number of the next batch to write (when the workers write the output
themselves, see :func:`_tag_jsonl_to`) and a stop flag (see :func:`_halt`)."""


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


def _init_worker(rules: list[str], use_config: bool, shared: Any = None, niceness: int = 0) -> None:
    global _WORKER_TAGGER, _SHARED
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .engine import get_tagger
    from .runtime import keep_loaded, tune_process

    tune_process()
    if niceness and hasattr(os, "nice"):  # not on Windows
        os.nice(niceness)
    _WORKER_TAGGER = get_tagger(rules, use_config=use_config)
    _SHARED = shared
    keep_loaded()


def _pack(rec: Any) -> tuple:
    """A record as a plain tuple: pickled many times faster than the dataclass."""
    return (
        rec.id, rec.title, rec.abstract, rec.source.path, rec.source.line, rec.urls, rec.authors,
        rec.date, rec.categories, rec.doi, rec.arxiv_id, rec.extra,
    )


def _unpack(batch: list[tuple]) -> Iterator[Any]:
    from .models import Record, Source, constructor

    new_record, new_source = constructor(Record), constructor(Source)
    for rid, title, abstract, path, line, urls, authors, date, categories, doi, arxiv_id, extra in batch:
        yield new_record(rid, title, abstract, new_source(path, line), urls, authors, date, categories, doi, arxiv_id, extra)


def _tag_papers(batch: list[tuple], tagger: Any = None) -> list[Any]:
    tag = (tagger or _WORKER_TAGGER).tag
    return [tag(r) for r in _unpack(batch)]


def _tag_jsonl(batch: list[tuple], tagger: Any = None) -> bytes:
    import orjson

    from .output import paper_to_json_row

    tag = (tagger or _WORKER_TAGGER).tag
    dumps = orjson.dumps
    newline = orjson.OPT_APPEND_NEWLINE
    return b"".join([dumps(paper_to_json_row(tag(r)), option=newline) for r in _unpack(batch)])


def _wait_turn(seq: int) -> bool:
    """Wait until batch ``seq`` may be written: ``True``, or ``False`` when an
    earlier batch failed or the parent stopped (nothing may follow). A
    worker whose parent has gone stops waiting."""
    cond, nxt, stop = _SHARED
    parent = os.getppid()
    with cond:
        while nxt.value != seq and nxt.value >= 0 and not stop.value:
            if not cond.wait(0.5) and os.getppid() != parent:
                raise SystemExit(1)
        return nxt.value == seq and not stop.value


def _pass_turn(seq: int, ok: bool) -> None:
    cond, nxt, _ = _SHARED
    with cond:
        nxt.value = seq + 1 if ok else -1
        cond.notify_all()


def _tag_jsonl_to(batch: list[tuple], seq: int, fd: int) -> int:
    """Tag batch number ``seq`` and write its JSONL to ``fd`` (the output,
    inherited) after batch ``seq - 1``: the output does not pass through the
    parent. Returns the bytes written. When tagging or writing fails, no
    later batch is written (the parent raises the error)."""
    try:
        data = _tag_jsonl(batch)
    except BaseException:
        if _wait_turn(seq):
            _pass_turn(seq, False)
        raise
    if not _wait_turn(seq):
        return 0
    ok = False
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        ok = True
    finally:
        _pass_turn(seq, ok)
    return len(data)


def _run(work: Any, batch: list[tuple], *args: Any) -> Any:
    """A task in a worker: nothing once the parent has stopped (see :func:`_halt`)."""
    if _SHARED[2].value:
        return None
    return work(batch, *args)


def _halt(shared: Any, pending: list[Any]) -> None:
    """Stop early (an error, an interrupt, the reader gone): the workers skip
    the batches still queued, and those are waited for, so that no batch is
    being sent to a worker when the pool is terminated (the standard
    library's ``Pool.terminate`` can then wait forever)."""
    import time

    cond, _, stop = shared
    with cond:
        stop.value = 1
        cond.notify_all()
    deadline = time.monotonic() + HALT_WAIT
    for job in pending:  # a worker that died never finishes its job: not waited for past the deadline
        job.wait(max(0.0, deadline - time.monotonic()))


def _pool(ctx: Any, workers: int, initargs: tuple) -> Any:
    """A pool of ``workers`` processes whose manager thread sleeps until a
    worker exits or the pool closes.

    The standard library's :class:`multiprocessing.pool.Pool` also wakes that
    thread whenever a result is waiting in the results pipe, and until the
    pool's result thread has read it the manager thread spins, taking the
    interpreter lock each time: with results of about a megabyte (``add``),
    0.35 s of processor time per 100,000 papers, in the process that writes
    SQLite. Without results in its wake-ups (as the standard library's thread
    pool already has it), it still replaces a worker that exits and ends when
    the pool is closed or its last task is done."""
    from multiprocessing.pool import Pool

    class QuietPool(Pool):
        def _get_sentinels(self) -> list[Any]:
            notifier = getattr(self, "_change_notifier", None)
            if notifier is None:  # a Python whose pool is built otherwise
                return super()._get_sentinels()
            return [notifier._reader]

    return QuietPool(workers, initializer=_init_worker, initargs=initargs, context=ctx)


def _tag_items(batch: list[tuple], tagger: Any = None) -> list[Any]:
    from .library import prepare
    from .library_search import vocabulary_words

    tag = (tagger or _WORKER_TAGGER).tag
    items = [prepare(tag(r), pack=True) for r in _unpack(batch)]
    words = vocabulary_words(t for it in items for t in (it.title, it.abstract))
    for it in items:
        it.words = words
    return items


def _without_texts(batch: list[tuple], work: Any) -> list[Any]:
    """``work`` (:func:`_tag_items`) in a worker process: its items go back
    without their title and abstract, which the parent still holds (see
    :class:`_TextsRestored`)."""
    items = work(batch)
    for it in items:
        if hasattr(it, "abstract"):
            it.title = it.abstract = ""
    return items


class _TextsRestored:
    """A worker's job of :func:`_without_texts`, whose result gets the
    titles and abstracts back from the records the parent sent: pickled
    once, to the worker, instead of both ways (1.3 KB a paper that the
    parent no longer decodes)."""

    __slots__ = ("job", "batch")

    def __init__(self, job: Any, batch: list[tuple]) -> None:
        self.job = job
        self.batch = batch

    def ready(self) -> bool:
        return self.job.ready()

    def wait(self, timeout: float | None = None) -> None:
        self.job.wait(timeout)

    def get(self) -> Any:
        items = self.job.get()
        if items is not None:
            for it, rec in zip(items, self.batch):
                if hasattr(it, "abstract"):
                    it.title, it.abstract = rec[1], rec[2]
        return items


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
    batch_size: int = 1000,
    out_fd: int | None = None,
) -> Iterator[Any]:
    """Per batch of records, in input order: a list of papers
    (``form="papers"``), their JSONL bytes (``"jsonl"``) or papers prepared
    for :meth:`papertriage.library.Library.add` (``"library"``: the
    serialising, hashing and compressing happen in the workers too, which
    run at a lower priority, see :data:`LIBRARY_WORKER_NICENESS`).

    With ``out_fd`` (``"jsonl"`` only, where worker processes are forked):
    when workers are started, each writes the JSONL of its batches to that
    file descriptor itself, in input order, and ``b""`` is yielded per batch;
    otherwise the bytes are yielded as without it. The caller flushes what
    it wrote to that descriptor before."""
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
        if head and form == "jsonl":
            from .engine import get_tagger

            yield from _split_jsonl(head, get_tagger(rules, use_config=use_config))
        elif head:
            yield _tag_here(work, head, rules, use_config)
        return
    forked = sys.platform.startswith("linux")
    ctx = mp.get_context("fork") if forked else mp.get_context()
    shared = (ctx.Condition(), ctx.RawValue("q", 0), ctx.RawValue("b", 0))
    direct = out_fd is not None and form == "jsonl" and forked
    seq = 0

    def submit(batch: list[Any]) -> Any:
        nonlocal seq
        if form == "library":
            return _TextsRestored(pool.apply_async(_run, (_without_texts, batch, work)), batch)
        if not direct:
            return pool.apply_async(_run, (work, batch))
        seq += 1
        return pool.apply_async(_run, (_tag_jsonl_to, batch, seq - 1, out_fd))

    def result(job: Any) -> Any:
        value = job.get()
        return b"" if direct else value

    niceness = LIBRARY_WORKER_NICENESS if form == "library" else 0
    with _pool(ctx, workers, (rules, use_config, shared, niceness)) as pool:
        pending: list[Any] = []
        try:
            batch: list[Any] = []
            # Small batches first, so that every worker is busy early even on a
            # small input; then batches grow to ``batch_size``.
            size = min(batch_size, 32)
            start = 0
            while start < len(head):
                pending.append(submit(head[start : start + size]))
                start += size
                size = min(batch_size, size * 2)
            failed: Exception | None = None
            try:
                for rec in records:
                    batch.append(_pack(rec))
                    if len(batch) >= size:
                        pending.append(submit(batch))
                        batch = []
                        size = min(batch_size, size * 2)
                        while pending and (pending[0].ready() or len(pending) > 2 * workers):
                            yield result(pending.pop(0))
            except Exception as exc:  # what was read before the error is still tagged and delivered
                failed = exc
            if batch:
                pending.append(submit(batch))
            while pending:
                yield result(pending.pop(0))
            if failed is not None:
                raise failed
        except BaseException:
            _halt(shared, pending)
            raise


def can_split() -> bool:
    """Whether :func:`tag_small` can use a second process here."""
    return hasattr(os, "fork") and cores() > 1


def tag_small(records: Iterable[Any], tagger: Any) -> Iterator[bytes]:
    """JSONL of a small input (a day's papers), in input order.

    Starting worker processes would cost more than the tagging, but a copy
    of this process made by ``fork`` already holds the loaded rules: the
    records are read, the copy tags the second half while this process tags
    the first, and its output follows ours. Where ``fork`` fails or the copy
    does not deliver, the second half is tagged here (same output). When
    reading fails, the records read before the failure are still tagged and
    yielded, then the error is raised.
    """
    batch: list[tuple] = []
    try:
        for rec in records:
            batch.append(_pack(rec))
    except Exception:
        if batch:
            yield _tag_jsonl(batch, tagger)
        raise
    yield from _split_jsonl(batch, tagger)


def _split_jsonl(batch: list[tuple], tagger: Any) -> Iterator[bytes]:
    """JSONL of packed records: in two halves when there are enough of them
    and this machine can fork (see :func:`tag_small`)."""
    if not batch:
        return
    if len(batch) < SPLIT_MIN_RECORDS or not can_split():
        yield _tag_jsonl(batch, tagger)
        return
    half = (len(batch) + 1) // 2
    second = batch[half:]
    child = _fork_jsonl(second, tagger)
    if child is None:
        yield _tag_jsonl(batch, tagger)
        return
    pid, fd = child
    try:
        yield _tag_jsonl(batch[:half], tagger)
        parts = []
        while True:
            data = os.read(fd, 1 << 20)
            if not data:
                break
            parts.append(data)
        os.close(fd)
        fd = -1
        _, status = os.waitpid(pid, 0)
        pid = 0
        if os.waitstatus_to_exitcode(status) == 0 and parts:
            yield b"".join(parts)
        else:  # the copy failed: tag its half here
            yield _tag_jsonl(second, tagger)
    finally:  # interrupted or the reader stopped early: no copy left behind
        if fd >= 0:
            os.close(fd)
        if pid:
            import signal

            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except OSError:
                pass


def _fork_jsonl(batch: list[tuple], tagger: Any) -> tuple[int, int] | None:
    """A forked copy of this process writing the JSONL of ``batch`` to a
    pipe: ``(pid, read end)``, or ``None`` when it cannot be started."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    try:
        r, w = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid == 0:  # the copy: never returns, never runs the parent's exit handlers
        status = 1
        try:
            from . import regexes

            compiled = regexes.compiled
            os.close(r)
            data = memoryview(_tag_jsonl(batch, tagger))
            while data:
                data = data[os.write(w, data):]
            status = 0
            os.close(w)  # the parent has all of the output
            if regexes.compiled > compiled:  # patterns only this half needed: keep them too
                regexes.save()
        except BaseException:  # noqa: BLE001 - the parent tags this half instead
            pass
        finally:
            os._exit(status)
    os.close(w)
    return pid, r


_END = object()


def read_ahead(chunks: Iterable[Any], depth: int = 4) -> Iterator[Any]:
    """``chunks`` in order, produced by a thread of this process while the
    caller works on the earlier ones (at most ``depth`` waiting).

    For ``add``: the thread reads, parses and exchanges batches with the
    workers while the caller writes SQLite, which releases the interpreter
    lock while it works. An exception raised by ``chunks`` is raised here
    after every chunk before it; when the caller stops early (an error, an
    interrupt), the thread is told to stop and ``chunks`` is closed in it
    (worker processes end), before this generator returns.
    """
    import queue
    import threading

    ready: queue.Queue[tuple[Any, BaseException | None]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[Any, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        it = iter(chunks)
        try:
            for chunk in it:
                if not put((chunk, None)):
                    break
        except BaseException as exc:  # noqa: BLE001 - delivered to the caller, in order
            put((_END, exc))
            return
        finally:
            close = getattr(it, "close", None)
            if close is not None and stop.is_set():
                close()
        put((_END, None))

    thread = threading.Thread(target=produce, name="papertriage-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            chunk, exc = ready.get()
            if chunk is _END:
                if exc is not None:
                    raise exc
                return
            yield chunk
    finally:
        stop.set()
        thread.join()
