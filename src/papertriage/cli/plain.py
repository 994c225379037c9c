"""Command bodies that need no Typer: reading records (with warnings and a
summary on stderr) and ``tag`` itself, which :mod:`papertriage.cli.quick`
runs without building the full command-line interface."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

from ..errors import ExitStatus, PapertriageError


def error_status(exc: BaseException) -> int:
    """The error boundary of every command: one line on stderr for a
    papertriage error (its exit status) or exhausted memory; a closed stdout
    pipe ends quietly with status 0."""
    if isinstance(exc, BrokenPipeError):
        _silence_stdout()
        return int(ExitStatus.OK)
    if isinstance(exc, PapertriageError):
        print(f"papertriage: error: {exc.message}", file=sys.stderr, flush=True)
        return int(exc.exit_status)
    if isinstance(exc, MemoryError):
        print("papertriage: error: out of memory", file=sys.stderr, flush=True)
        return int(ExitStatus.ERROR)
    raise exc


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so exit flushes quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def message(text: str) -> None:
    """An informational line on stderr."""
    print(f"papertriage: {text}", file=sys.stderr, flush=True)


def warn(path: str, line: int | None, text: str) -> None:
    where = path if line is None else f"{path}:{line}"
    print(f"papertriage: warning: {where}: {text}", file=sys.stderr, flush=True)


def read_records(
    sources: list[str],
    *,
    input_format: str | None,
    strict: bool,
    summary: bool = True,
) -> Iterator[Any]:
    """Records of every source in order, with warnings and a summary on stderr."""
    from ..parsers import read_source

    for path in sources:
        state: dict[str, Any] = {}

        def on_open(src: Any) -> None:
            state["src"] = src

        n = 0
        for rec in read_source(path, input_format=input_format, warn=warn, strict=strict, on_open=on_open):
            n += 1
            yield rec
        src = state.get("src")
        if summary and src is not None and (src.skipped or src.no_abstract):
            parts = [f"{n} papers from {path}"]
            if src.no_abstract:
                parts.append(f"{src.no_abstract} without abstract")
            if src.skipped:
                parts.append(f"{src.skipped} malformed entries skipped")
            message("; ".join(parts))


def run_tag(
    sources: list[str],
    *,
    rules: list[str] | None,
    no_config: bool,
    input_format: str | None,
    strict: bool,
    workers: int | None,
) -> None:
    """Parse, tag and extract claims; JSONL on stdout, in input order."""
    from ..engine import get_tagger
    from ..parallel import PARALLEL_MIN_BYTES, input_bytes, resolve_workers, tag_in_batches, tag_small

    size = input_bytes(sources)
    if size is None or size >= PARALLEL_MIN_BYTES:
        from ..runtime import tune_process

        tune_process()  # a large output: see tune_process
    tagger = get_tagger(list(rules or []), use_config=not no_config)
    from ..runtime import keep_loaded

    keep_loaded()
    records = read_records(sources, input_format=input_format, strict=strict)
    out = sys.stdout.buffer
    n_workers = resolve_workers(workers, sources)
    try:
        if workers is None and size is not None and size < PARALLEL_MIN_BYTES:
            for chunk in tag_small(records, tagger):  # the default for a small input
                out.write(chunk)
        elif n_workers <= 1:
            from ..output import paper_to_json_row, write_jsonl

            tag = tagger.tag
            write_jsonl((paper_to_json_row(tag(rec)) for rec in records), out)
        else:
            fd = _output_fd(out)  # the workers write the output themselves
            for chunk in tag_in_batches(
                records, workers=n_workers, rules=list(rules or []), use_config=not no_config, form="jsonl", out_fd=fd
            ):
                out.write(chunk)
    finally:  # papers read before an error are still written, in order
        out.flush()


def _output_fd(out: Any) -> int | None:
    """The file descriptor under ``out`` (flushed), or ``None`` when it has
    none (output captured in memory)."""
    try:
        fd = out.fileno()
        out.flush()
    except (AttributeError, OSError, ValueError):
        return None
    return fd if isinstance(fd, int) and fd >= 0 else None


FILTER_OPTIONS = (
    "modality", "not_modality", "task", "not_task", "metric", "not_metric", "claim", "dataset",
    "status", "multimodal", "has_code", "since", "search",
)
"""The options every filtering command shares (keywords of :func:`~papertriage.cli.filters.build_filters`)."""


def parse_fields(fields: str | None) -> list[str] | None:
    """``--fields a,b`` as a list (``None`` when not given or empty)."""
    if not fields:
        return None
    out = [f.strip() for f in fields.split(",") if f.strip()]
    return out or None


def run_list(
    filters: dict[str, Any],
    *,
    db: str | None,
    rules: list[str] | None,
    no_config: bool,
    sort: str | None,
    limit: int | None,
    fields: str | None,
    fmt: str,
    emit: Any,
) -> None:
    """``list`` from the library: papers matching ``filters`` (the
    :data:`FILTER_OPTIONS`) in ``fmt``; ``emit(rows, fmt, field_list)`` writes
    rows in any format but ``ids``, which is written here a list at a time."""
    from ..engine import get_rule_labels
    from ..library import Library
    from .filters import build_filters

    rule_labels = get_rule_labels(list(rules or []), use_config=not no_config)
    field_list = parse_fields(fields)
    lib = Library.open(db, must_exist=True)
    f = build_filters(rule_labels, **filters, extra_labels=lib.labels())
    stale = lib.stale_count(rule_labels.digest)
    if stale:
        message(f"{stale} papers were tagged by other rules than the current ones; run `papertriage retag` to update them")
    if fmt == "ids":
        out = sys.stdout.buffer
        for chunk in lib.query_id_chunks(f, sort=sort, limit=limit):  # one write per list
            out.write(("\n".join(chunk) + "\n").encode("utf-8"))
        out.flush()
        return
    emit(lib.query(f, sort=sort, limit=limit), fmt, field_list)


def write_listing(
    rows: Any, fmt: str, field_list: list[str] | None, *, default_fields: tuple[str, ...] | None = None, console: Any = None
) -> None:
    """Write the rows of a listing to stdout: only ``field_list`` in JSON
    formats, those fields (else ``default_fields``) as columns in the others;
    a table needs ``console``."""
    from ..output import DEFAULT_TABLE_FIELDS, select_fields, write_rows

    fields_for_text = field_list or list(default_fields or DEFAULT_TABLE_FIELDS)
    if fmt in ("jsonl", "json") and field_list:
        rows = select_fields(rows, field_list)
    out = sys.stdout.buffer
    write_rows(rows, fmt, out=out, fields=fields_for_text, console=console)
    if fmt != "table":
        out.flush()
