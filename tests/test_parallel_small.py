"""A small input is tagged in two halves, the second by a forked copy of the
process: the output is the same bytes as on one process, whatever happens to
the copy."""

from __future__ import annotations

import os

import pytest

from papertriage import parallel
from papertriage.cli.plain import read_records
from papertriage.engine import get_tagger

from .conftest import EXAMPLE

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


@pytest.fixture(scope="module")
def records():
    return list(read_records([str(EXAMPLE)], input_format=None, strict=False))


@pytest.fixture(scope="module")
def tagger():
    return get_tagger([], use_config=False)


@pytest.fixture(scope="module")
def one_process(records, tagger):
    return parallel._tag_jsonl([parallel._pack(r) for r in records], tagger)


def test_split_output_is_the_one_process_output(records, tagger, one_process, monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    forks = []
    real_fork = parallel._fork_jsonl
    monkeypatch.setattr(parallel, "_fork_jsonl", lambda b, t: forks.append(len(b)) or real_fork(b, t))
    chunks = list(parallel.tag_small(iter(records), tagger))
    assert forks == [len(records) // 2]  # the copy tagged the second half
    assert len(chunks) == 2
    assert b"".join(chunks) == one_process
    assert one_process.count(b"\n") == 333


def test_no_fork_gives_the_same_output(records, tagger, one_process, monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)

    def no_fork():
        raise OSError("fork not allowed")

    monkeypatch.setattr(parallel.os, "fork", no_fork)
    assert b"".join(parallel.tag_small(iter(records), tagger)) == one_process


def test_a_failing_copy_is_replaced_by_this_process(records, tagger, one_process, monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    parent = os.getpid()
    real = parallel._tag_jsonl

    def fails_in_the_copy(batch, t=None):
        if os.getpid() != parent:
            raise RuntimeError("the copy fails")
        return real(batch, t)

    monkeypatch.setattr(parallel, "_tag_jsonl", fails_in_the_copy)
    assert b"".join(parallel.tag_small(iter(records), tagger)) == one_process


def test_records_read_before_an_error_are_still_tagged(records, tagger, one_process, monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)

    def broken():
        yield from records[:150]
        raise ValueError("bad line")

    got = []
    with pytest.raises(ValueError, match="bad line"):
        for chunk in parallel.tag_small(broken(), tagger):
            got.append(chunk)
    assert b"".join(got) == b"".join(one_process.splitlines(keepends=True)[:150])


def test_few_records_are_tagged_here(records, tagger, monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    monkeypatch.setattr(parallel, "_fork_jsonl", lambda b, t: pytest.fail("forked for a few records"))
    out = b"".join(parallel.tag_small(iter(records[: parallel.SPLIT_MIN_RECORDS - 1]), tagger))
    assert out.count(b"\n") == parallel.SPLIT_MIN_RECORDS - 1


# -- read_ahead: add's reading thread ------------------------------------------


def test_read_ahead_keeps_order_and_raises_after_the_chunks_before_the_error():
    from papertriage.parallel import read_ahead

    def chunks():
        yield from ([i] for i in range(50))
        raise ValueError("line 51: broken")

    got = []
    with pytest.raises(ValueError, match="line 51: broken"):
        for chunk in read_ahead(chunks(), depth=2):
            got.extend(chunk)
    assert got == list(range(50))


def test_read_ahead_stopped_early_closes_its_source_in_the_thread():
    import threading

    from papertriage.parallel import read_ahead

    closed = threading.Event()

    def chunks():
        try:
            for i in range(10_000):
                yield [i]
        finally:
            closed.set()  # where a worker pool would be shut down

    reader = read_ahead(chunks(), depth=2)
    assert next(reader) == [0]
    reader.close()
    assert closed.is_set()
    assert not any(t.name == "papertriage-read-ahead" for t in threading.enumerate())


def _niceness(batch: list[tuple], tagger: object = None) -> list[int]:
    return [os.nice(0)] * len(batch)


@pytest.mark.skipif(not hasattr(os, "nice"), reason="needs os.nice")
def test_the_workers_of_an_import_yield_to_the_writer(records, monkeypatch):
    """An import's workers run at a lower priority than the process that
    writes SQLite; tag's workers at the same one."""
    monkeypatch.setattr(parallel, "_WORK", {"library": _niceness, "papers": _niceness})
    many = records * 4  # more than PARALLEL_MIN_RECORDS: worker processes start
    assert len(many) > parallel.PARALLEL_MIN_RECORDS
    own = os.nice(0)
    seen = {}
    for form in ("library", "papers"):
        batches = parallel.tag_in_batches(iter(many), workers=2, rules=[], use_config=False, form=form, batch_size=100)
        seen[form] = {n for batch in batches for n in batch}
    assert seen == {"library": {min(19, own + parallel.LIBRARY_WORKER_NICENESS)}, "papers": {own}}


def test_records_read_before_a_reading_error_are_tagged_then_the_error_raised(records):
    """With worker processes, a reading error mid-stream still delivers every
    record read before it, in order, and then raises that error."""
    many = records * 4  # more than PARALLEL_MIN_RECORDS: worker processes start

    def broken():
        yield from many
        raise ValueError("line 1333: broken entry")

    got = []
    with pytest.raises(ValueError, match="broken entry"):
        for batch in parallel.tag_in_batches(broken(), workers=2, rules=[], use_config=False, batch_size=100):
            got.extend(p.record.id for p in batch)
    assert got == [r.id for r in many]



def _pid(batch: list[tuple], tagger: object = None) -> list[int]:
    return [os.getpid()] * len(batch)


def test_the_pool_runs_every_task_and_ends_when_closed():
    """The pool's manager thread wakes only when a worker exits or the pool
    closes: every task still completes on the workers, and closing the pool
    ends it."""
    import multiprocessing as mp
    import threading

    ctx = mp.get_context("fork")
    shared = (ctx.Condition(), ctx.RawValue("q", 0), ctx.RawValue("b", 0))
    pool = parallel._pool(ctx, 2, ([], False, shared, 0))
    jobs = [pool.apply_async(_pid, ([(1,)] * 3,)) for _ in range(20)]
    pids = [pid for job in jobs for pid in job.get(timeout=60)]
    assert len(pids) == 60 and set(pids) <= {p.pid for p in pool._pool} and os.getpid() not in pids
    pool.close()
    closing = threading.Thread(target=pool.join, daemon=True)
    closing.start()
    closing.join(60)
    if closing.is_alive():
        for p in pool._pool:
            p.kill()
    assert not closing.is_alive(), "the pool did not end once closed"
