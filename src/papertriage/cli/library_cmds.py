"""Commands that change or summarise the library: add, show, mark, stats, dedupe, retag."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from ..errors import UsageError
from ..parallel import input_bytes, read_ahead, resolve_workers, tag_in_batches
from .common import (
    build_filters,
    ClaimOpt,
    DatasetOpt,
    DbOpt,
    FormatOpt,
    HasCodeOpt,
    InputFormatOpt,
    MetricOpt,
    ModalityOpt,
    MultimodalOpt,
    NoConfigOpt,
    NotMetricOpt,
    NotModalityOpt,
    NotTaskOpt,
    RulesOpt,
    SearchOpt,
    SinceOpt,
    StatusOpt,
    StrictOpt,
    TaskOpt,
    env,
    handle_errors,
    message,
    read_records,
    resolve_format,
    stderr_console,
    stdout_binary,
    stdout_console,
)

PROGRESS_MIN_BYTES = 1024 * 1024
"""Inputs at least this large get a progress bar (on a terminal)."""
MAX_LINKS_SHOWN = 20


def _tagger(rules: list[str] | None, no_config: bool):
    from ..engine import get_tagger

    return get_tagger(list(rules or []), use_config=not no_config)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _open(db: str | None, *, must_exist: bool = True):
    from ..library import Library

    return Library.open(db, must_exist=must_exist)


@contextmanager
def _progress(label: str, unit: str, *, show: bool, total: int | None = None) -> Iterator[Any]:
    """A Rich progress display on stderr; yields ``advance(n)`` (a no-op when hidden)."""
    if not show:
        yield lambda n: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns: list[Any] = [SpinnerColumn(), TextColumn(label)]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    else:
        columns += [TextColumn("{task.completed:,} " + unit)]
    columns.append(TimeElapsedColumn())
    with Progress(*columns, console=stderr_console(), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


# ---------------------------------------------------------------------------
# add


def _tagged(records: Iterable[Any], tagger: Any, workers: int, rules: list[str], use_config: bool) -> Iterator[Any]:
    """Tagged papers in input order, read, parsed and tagged (or exchanged
    with the workers) by a thread while the caller stores earlier ones."""
    if workers <= 1:
        tag = tagger.tag
        batches: Iterable[list[Any]] = _batched(tag(r) for r in records)
    else:
        batches = tag_in_batches(records, workers=workers, rules=rules, use_config=use_config, batch_size=500, form="library")
    for items in read_ahead(batches):
        yield from items


def _batched(items: Iterable[Any], size: int = 100) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _counted(items: Iterable[Any], advance: Any) -> Iterator[Any]:
    n = 0
    for item in items:
        yield item
        n += 1
        if n == 50:
            advance(n)
            n = 0
    if n:
        advance(n)


def add_cmd(
    sources: Annotated[list[str], typer.Argument(help="Dumps to import (any supported format, or papertriage's own JSONL); - is stdin.", metavar="SOURCE...")],
    db: DbOpt = None,
    rules: RulesOpt = None,
    no_config: NoConfigOpt = False,
    input_format: InputFormatOpt = None,
    strict: StrictOpt = False,
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", min=0, help="Worker processes for tagging (default: all cores for large inputs, 1 otherwise; 0 = all cores)."),
    ] = None,
) -> None:
    """Import papers into the library, tagging them as they are read.

    Idempotent: a known paper is updated and keeps its decision, note and
    history. Near-duplicates of known papers are stored, linked and listed
    (see `papertriage dedupe`). The import is one transaction: interrupted,
    it leaves the library as it was.
    """
    tagger = _tagger(rules, no_config)
    lib = _open(db, must_exist=False)
    size = input_bytes(sources)
    n_workers = resolve_workers(workers, sources)
    show = env().stderr_isatty and (size is None or size >= PROGRESS_MIN_BYTES)
    try:
        records = read_records(sources, input_format=input_format, strict=strict)
        with _progress("Adding", "papers", show=show) as advance:
            papers = _tagged(records, tagger, n_workers, list(rules or []), not no_config)
            result = lib.add(_counted(papers, advance))
        parts = [
            f"{result.new} new",
            f"{result.updated} updated",
            f"{result.unchanged} unchanged",
            _plural(result.duplicates, "near-duplicate"),
        ]
        if result.merged:
            parts.append(f"{result.merged} merged earlier")
        if result.kept:
            parts.append(f"{result.kept} kept")
        message(f"Added {_plural(result.total, 'paper')} ({', '.join(parts)}) to {lib.path}")
        if result.kept:
            message(f"  {_plural(result.kept, 'known paper')} kept as stored: the input has no abstract for them, the library has one")
        for link in result.links[:MAX_LINKS_SHOWN]:
            message(f"  {link.id} is a near-duplicate of {link.duplicate_of}: {link.reason}")
        if len(result.links) > MAX_LINKS_SHOWN:
            message(f"  ... and {len(result.links) - MAX_LINKS_SHOWN} more; see `papertriage dedupe`")
        stale = lib.stale_count(tagger.digest)
        if stale:
            message(f"{_plural(stale, 'paper')} in the library were tagged by other rules; run `papertriage retag` to update them")
    finally:
        lib.close()


# ---------------------------------------------------------------------------
# show


SHOW_FORMATS = ("table", "json", "jsonl")


def show_cmd(
    paper_id: Annotated[str, typer.Argument(help="Paper id (a unique prefix is enough).", metavar="ID")],
    db: DbOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """One paper in full: text, tags, claims, links, decision and its history."""
    fmt = resolve_format(fmt)
    if fmt not in SHOW_FORMATS:
        raise UsageError(f"show writes {', '.join(SHOW_FORMATS)}, not {fmt!r}")
    lib = _open(db)
    try:
        paper = lib.get(paper_id)
    finally:
        lib.close()
    if fmt in ("json", "jsonl"):
        import orjson

        opts = orjson.OPT_INDENT_2 if fmt == "json" else 0
        out = stdout_binary()
        out.write(orjson.dumps(paper, option=opts) + b"\n")
        out.flush()
        return
    _render_paper(paper)


def _render_paper(p: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ..output import format_claim

    console = stdout_console()
    console.print(f"[bold]{escape(p['title'])}[/bold]")
    meta = [f"[cyan]{escape(p['id'])}[/cyan]", f"status: [bold]{p['status']}[/bold]"]
    if p.get("date"):
        meta.append(f"date: {escape(str(p['date']))}")
    meta.append(f"added: {p['added']}")
    console.print("  ".join(meta))
    if p.get("authors"):
        console.print("authors: " + escape(", ".join(p["authors"])))
    if p.get("note"):
        console.print(f"note: {escape(p['note'])}")
    if p.get("duplicate_of"):
        console.print(f"near-duplicate of [cyan]{escape(p['duplicate_of'])}[/cyan] ({escape(p.get('duplicate_reason') or '')})")
    console.print()
    facets = Table.grid(padding=(0, 2))
    facets.add_column(style="bold")
    facets.add_column()
    facets.add_row("modality", escape(", ".join(p.get("modality") or []) or "-") + ("  (multimodal)" if p.get("multimodal") else ""))
    facets.add_row("task", escape(", ".join(p.get("task") or []) or "-"))
    facets.add_row("metric", escape(", ".join(p.get("metric") or []) or "-"))
    console.print(facets)
    console.print()
    console.print(escape(p.get("abstract") or "(no abstract)"))
    claims = p.get("claims") or []
    if claims:
        console.print()
        table = Table(title="claims", header_style="bold", title_justify="left")
        for col in ("claim", "kind", "text"):
            table.add_column(col, overflow="fold")
        for c in claims:
            table.add_row(escape(format_claim(c)), c.get("kind") or "", escape(c.get("text") or ""))
        console.print(table)
    if p.get("urls"):
        console.print()
        for url in p["urls"]:
            console.print(escape(url), soft_wrap=True)
    src = p.get("source") or {}
    console.print(f"\nsource: {escape(str(src.get('path', '')))}:{src.get('line', 0)}" + (f"  rules: {p['rules_digest']}" if p.get("rules_digest") else ""))
    if p.get("history"):
        console.print()
        table = Table(title="history", header_style="bold", title_justify="left")
        for col in ("at", "status", "note"):
            table.add_column(col)
        for h in p["history"]:
            table.add_row(h["at"], h["status"], escape(h.get("note") or ""))
        console.print(table)


# ---------------------------------------------------------------------------
# mark


def _stdin_ids() -> Iterator[str]:
    """Ids from stdin: one per line or separated by spaces; JSONL lines give their ``id``."""
    import orjson

    for raw in sys.stdin:
        line = raw.strip()
        if not line:
            continue
        if line.startswith("{"):
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise UsageError(f"stdin: not a JSON object: {line[:60]!r}") from None
            if isinstance(obj, dict) and isinstance(obj.get("id"), str):
                yield obj["id"]
                continue
            raise UsageError(f"stdin: JSON line without an id: {line[:60]!r}")
        yield from line.split()


def mark_cmd(
    args: Annotated[list[str], typer.Argument(help="Paper ids (unique prefixes; - reads ids or JSONL from stdin), then the status: include|maybe|exclude|unread.", metavar="ID... STATUS")],
    note: Annotated[str | None, typer.Option("--note", help="A note to keep with the decision.")] = None,
    db: DbOpt = None,
) -> None:
    """Record a triage decision for papers; every change is kept in their history."""
    from ..vocabulary import STATUSES

    if len(args) < 2:
        raise UsageError("mark needs paper ids and a status: papertriage mark ID... include|maybe|exclude|unread")
    *ids, status = args
    if status not in STATUSES and ids and ids[0] in STATUSES:
        raise UsageError(f"the status comes last: papertriage mark {' '.join(ids[1:] + [status])} {ids[0]}")
    if status not in STATUSES:
        from rapidfuzz import process

        best = process.extractOne(status, STATUSES, score_cutoff=60)
        hint = f"; did you mean {best[0]!r}?" if best else ""
        raise UsageError(f"unknown status {status!r}{hint} (choose from {', '.join(STATUSES)})")
    wanted: list[str] = []
    for i in ids:
        if i == "-":
            wanted.extend(_stdin_ids())
        else:
            wanted.append(i)
    if not wanted:
        message("no ids given; nothing marked")
        return
    lib = _open(db)
    try:
        done = lib.mark(wanted, status, note=note)
    finally:
        lib.close()
    what = done[0] if len(done) == 1 else _plural(len(done), "paper")
    message(f"Marked {what} {status}" + (f" (note: {note})" if note else ""))


# ---------------------------------------------------------------------------
# stats


def stats_cmd(
    modality: ModalityOpt = None,
    not_modality: NotModalityOpt = None,
    task: TaskOpt = None,
    not_task: NotTaskOpt = None,
    metric: MetricOpt = None,
    not_metric: NotMetricOpt = None,
    claim: ClaimOpt = None,
    dataset: DatasetOpt = None,
    status: StatusOpt = None,
    multimodal: MultimodalOpt = None,
    has_code: HasCodeOpt = None,
    since: SinceOpt = None,
    search: SearchOpt = None,
    fmt: FormatOpt = None,
    db: DbOpt = None,
    rules: RulesOpt = None,
    no_config: NoConfigOpt = False,
) -> None:
    """Counts per modality, task, metric and status (bar charts on a terminal)."""

    fmt = resolve_format(fmt)
    tagger = _tagger(rules, no_config)
    lib = _open(db)
    try:
        f = build_filters(
            tagger, modality=modality, not_modality=not_modality, task=task, not_task=not_task,
            metric=metric, not_metric=not_metric, claim=claim, dataset=dataset, status=status,
            multimodal=multimodal, has_code=has_code, since=since, search=search, extra_labels=lib.labels(),
        )
        stats = lib.stats(f)
    finally:
        lib.close()
    if fmt == "table":
        _render_stats(stats)
        return
    if fmt == "json":
        import orjson

        out = stdout_binary()
        out.write(orjson.dumps(stats, option=orjson.OPT_INDENT_2) + b"\n")
        out.flush()
        return
    if fmt in ("bibtex", "ids"):
        raise UsageError(f"stats cannot be written as {fmt}; use table, jsonl, json, csv, tsv or md")
    from ..output import write_rows

    rows = ({"facet": facet, "label": label, "count": n} for facet, counts in stats.items() for label, n in counts.items())
    out = stdout_binary()
    write_rows(rows, fmt, out=out, fields=["facet", "label", "count"])
    out.flush()


def _render_stats(stats: dict[str, dict[str, int]]) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = stdout_console()
    total = stats["total"]
    papers = total["papers"]
    console.print(
        f"[bold]{papers:,} papers[/bold]  ·  {total['multimodal']:,} multimodal  ·  {total['has_code']:,} with code"
    )
    width = max(10, min(40, console.width - 40))
    for facet in ("modality", "task", "metric", "status"):
        counts = stats.get(facet) or {}
        if not counts:
            continue
        top = max(counts.values()) or 1
        table = Table(title=facet, title_justify="left", title_style="bold", show_header=False, box=None, padding=(0, 1))
        table.add_column("label", no_wrap=True)
        table.add_column("count", justify="right")
        table.add_column("bar", no_wrap=True)
        for label, n in counts.items():
            cells = n * width / top
            bar = "█" * int(cells) + ("▌" if cells - int(cells) >= 0.5 else "")
            share = f" {100 * n / papers:.0f}%" if papers else ""
            table.add_row(escape(label), f"{n:,}", f"[green]{bar}[/green][dim]{share}[/dim]")
        console.print()
        console.print(table)


# ---------------------------------------------------------------------------
# dedupe


DEDUPE_FIELDS = ["group", "id", "duplicate_of", "reason", "status", "title"]


def dedupe_cmd(
    merge: Annotated[bool, typer.Option("--merge", help="Fold each group into its first paper (decisions, notes and history are kept).")] = False,
    db: DbOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Near-duplicate groups: the same arXiv id or DOI under another id, or
    titles that are equal or nearly equal after normalisation. With
    --format ids, the ids of the papers that repeat another."""
    fmt = resolve_format(fmt)
    lib = _open(db)
    try:
        groups = lib.dedupe_groups()
        if merge:
            removed = 0
            for g in groups:
                lib.merge([e["id"] for e in g], keep=g[0]["id"])
                removed += len(g) - 1
            message(f"Merged {_plural(len(groups), 'group')} ({_plural(removed, 'paper')} folded into the first of their group)")
            return
    finally:
        lib.close()
    if not groups:
        message("no near-duplicates")
        return
    rows = [{"group": n, **{k: e.get(k) for k in DEDUPE_FIELDS[1:]}} for n, g in enumerate(groups, 1) for e in g]
    if fmt == "table":
        from rich.markup import escape
        from rich.table import Table

        console = stdout_console()
        table = Table(header_style="bold")
        for col in DEDUPE_FIELDS:
            table.add_column(col, overflow="fold", max_width=60 if col == "title" else None, no_wrap=col == "id")
        for r in rows:
            table.add_row(*[escape(str(r[c])) if r[c] is not None else "" for c in DEDUPE_FIELDS])
        console.print(table)
        message(f"{_plural(len(groups), 'group')}; `papertriage dedupe --merge` folds each into its first paper")
        return
    if fmt == "bibtex":
        raise UsageError("dedupe cannot be written as bibtex")
    from ..output import write_rows

    if fmt == "ids":  # the papers that repeat another: ready for `mark - exclude`
        rows = [r for r in rows if r["duplicate_of"]]
    out = stdout_binary()
    write_rows(iter(rows), fmt, out=out, fields=DEDUPE_FIELDS)
    out.flush()


# ---------------------------------------------------------------------------
# retag


def retag_cmd(
    db: DbOpt = None,
    rules: RulesOpt = None,
    no_config: NoConfigOpt = False,
    stale_only: Annotated[bool, typer.Option("--stale-only", help="Only papers tagged by other rules than the current ones.")] = False,
) -> None:
    """Apply the current rules to every paper in the library again (decisions are kept)."""
    tagger = _tagger(rules, no_config)
    lib = _open(db)
    try:
        total = lib.stale_count(tagger.digest) if stale_only else lib.count()
        if total == 0:
            message("every paper is already tagged with the current rules" if stale_only else "the library is empty")
            return
        show = env().stderr_isatty and total >= 2000
        with _progress("Re-tagging", "papers", show=show, total=total) as advance:
            changed = lib.retag(tagger, progress=advance, only_stale=stale_only)
        message(f"Re-tagged {_plural(total, 'paper')} with rules {tagger.digest}: {changed} changed")
    finally:
        lib.close()


def register(app: typer.Typer) -> None:
    app.command("add")(handle_errors(add_cmd))
    app.command("show")(handle_errors(show_cmd))
    app.command("mark")(handle_errors(mark_cmd))
    app.command("stats")(handle_errors(stats_cmd))
    app.command("dedupe")(handle_errors(dedupe_cmd))
    app.command("retag")(handle_errors(retag_cmd))
