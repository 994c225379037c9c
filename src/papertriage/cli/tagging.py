"""Commands that read dumps and rules: tag, list, claims, explain, rules, formats."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Annotated, Any

import typer

from ..errors import NotFoundError, UsageError
from .common import (
    build_filters,
    ClaimOpt,
    DatasetOpt,
    DbOpt,
    FieldsOpt,
    FormatOpt,
    FromOpt,
    HasCodeOpt,
    InputFormatOpt,
    LimitOpt,
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
    handle_errors,
    message,
    parse_fields,
    read_records,
    resolve_format,
    stdout_binary,
    stdout_console,
)

SortOpt = Annotated[
    str | None,
    typer.Option("--sort", help="Sort by id, title, date, added, status or rank (search); prefix with - to reverse. Claims: value or -value.", metavar="KEY"),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", "-w", min=0, help="Worker processes for tagging (default: all cores for large inputs, 1 otherwise; 0 = all cores)."),
]


def _tagger(rules: list[str] | None, no_config: bool):
    from ..engine import get_tagger

    return get_tagger(list(rules or []), use_config=not no_config)


# ---------------------------------------------------------------------------
# tag


def tag_cmd(
    sources: Annotated[list[str], typer.Argument(help="Dumps to read (any supported format); - is stdin.", metavar="SOURCE...")],
    rules: RulesOpt = None,
    no_config: NoConfigOpt = False,
    input_format: InputFormatOpt = None,
    strict: StrictOpt = False,
    workers: WorkersOpt = None,
) -> None:
    """Parse, tag and extract claims; write one JSON object per paper (JSONL) to stdout."""
    from .plain import run_tag

    run_tag(sources, rules=rules, no_config=no_config, input_format=input_format, strict=strict, workers=workers)


# ---------------------------------------------------------------------------
# shared: filters and papers from --from or the library


def _from_sources(sources: list[str], tagger: Any, input_format: str | None, strict: bool) -> Iterator[dict[str, Any]]:
    from ..output import paper_to_dict

    for rec in read_records(sources, input_format=input_format, strict=strict):
        yield paper_to_dict(tagger.tag(rec))


def _search_rank(rows: Iterable[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """Rank papers of a dump against a query (typo-tolerant token match)."""
    import re

    from rapidfuzz import fuzz

    terms = [t for t in re.findall(r"\w+", query.lower()) if len(t) > 1]
    scored = []
    for row in rows:
        words = set(re.findall(r"\w+", (row.get("title", "") + " " + row.get("abstract", "")).lower()))
        title_words = set(re.findall(r"\w+", row.get("title", "").lower()))
        score = 0.0
        for t in terms:
            if t in words:
                score += 2.0 if t in title_words else 1.0
                continue
            best = max((fuzz.ratio(t, w) for w in words if abs(len(w) - len(t)) <= 2), default=0)
            if best >= 80:
                score += 0.8 * best / 100
        if score > 0:
            scored.append((score, row))
    scored.sort(key=lambda s: -s[0])
    return [r for _, r in scored]


def _sort_rows(rows: Iterable[dict[str, Any]], sort: str | None) -> Iterable[dict[str, Any]]:
    if not sort:
        return rows
    reverse = sort.startswith("-")
    key = sort.lstrip("-")
    allowed = ("id", "title", "date", "added", "status", "rank")
    if key not in allowed:
        raise UsageError(f"invalid --sort {sort!r}: use one of {', '.join(allowed)} (prefix - to reverse)")
    if key == "rank":
        return list(rows)[::-1] if reverse else rows
    return sorted(rows, key=lambda r: str(r.get(key) or ""), reverse=reverse)


def _open_library(db: str | None, *, must_exist: bool = True):
    from ..library import Library

    return Library.open(db, must_exist=must_exist)


def list_cmd(
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
    sort: SortOpt = None,
    limit: LimitOpt = None,
    fields: FieldsOpt = None,
    fmt: FormatOpt = None,
    from_: FromOpt = None,
    db: DbOpt = None,
    rules: RulesOpt = None,
    no_config: NoConfigOpt = False,
    input_format: InputFormatOpt = None,
    strict: StrictOpt = False,
) -> None:
    """List papers that match the filters: from the library, or from dumps with --from."""
    from ..query import matches
    from .plain import run_list

    fmt = resolve_format(fmt)
    if not from_:
        filters = dict(
            modality=modality, not_modality=not_modality, task=task, not_task=not_task,
            metric=metric, not_metric=not_metric, claim=claim, dataset=dataset, status=status,
            multimodal=multimodal, has_code=has_code, since=since, search=search,
        )
        run_list(filters, db=db, rules=rules, no_config=no_config, sort=sort, limit=limit, fields=fields, fmt=fmt, emit=_emit)
        return
    tagger = _tagger(rules, no_config)
    field_list = parse_fields(fields)
    f = build_filters(
        tagger, modality=modality, not_modality=not_modality, task=task, not_task=not_task,
        metric=metric, not_metric=not_metric, claim=claim, dataset=dataset, status=status,
        multimodal=multimodal, has_code=has_code, since=since, search=search,
    )
    rows: Iterable[dict[str, Any]] = (r for r in _from_sources(from_, tagger, input_format, strict) if matches(r, f))
    if search:
        rows = _search_rank(rows, search)
    rows = _sort_rows(rows, sort)
    if limit is not None:
        rows = _take(rows, limit)
    _emit(rows, fmt, field_list)


def _take(rows: Iterable[dict[str, Any]], n: int) -> Iterator[dict[str, Any]]:
    if n <= 0:
        return
    for i, r in enumerate(rows, 1):
        yield r
        if i >= n:
            return


def _emit(rows: Iterable[dict[str, Any]], fmt: str, field_list: list[str] | None, *, default_fields: tuple[str, ...] | None = None) -> None:
    from .plain import write_listing

    write_listing(rows, fmt, field_list, default_fields=default_fields, console=stdout_console() if fmt == "table" else None)


# ---------------------------------------------------------------------------
# claims


CLAIM_FIELDS = ("id", "title", "metric", "value", "unit", "kind", "dataset")


def claims_cmd(
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
    sort: SortOpt = None,
    limit: LimitOpt = None,
    fields: FieldsOpt = None,
    fmt: FormatOpt = None,
    from_: FromOpt = None,
    db: DbOpt = None,
    rules: RulesOpt = None,
    no_config: NoConfigOpt = False,
    input_format: InputFormatOpt = None,
    strict: StrictOpt = False,
) -> None:
    """The claimed numbers as a table: paper, metric, value, unit, kind, dataset (a leaderboard from abstracts)."""
    from ..query import claim_rows, matches

    tagger = _tagger(rules, no_config)
    fmt = resolve_format(fmt)
    if fmt == "bibtex":
        raise UsageError("claims cannot be written as bibtex; use list --format bibtex")
    field_list = parse_fields(fields)
    lib = None
    extra: dict[str, list[str]] = {}
    if not from_:
        lib = _open_library(db)
        extra = lib.labels()
    f = build_filters(
        tagger, modality=modality, not_modality=not_modality, task=task, not_task=not_task,
        metric=metric, not_metric=not_metric, claim=claim, dataset=dataset, status=status,
        multimodal=multimodal, has_code=has_code, since=since, search=search, extra_labels=extra,
    )
    if sort and sort.lstrip("-") not in ("value", "id", "metric", "dataset", "title"):
        raise UsageError(f"invalid --sort {sort!r} for claims: use value, metric, dataset, id or title (prefix - to reverse)")
    if lib is not None:
        rows: Iterable[dict[str, Any]] = lib.claims(f, sort=sort, limit=limit)
    else:
        papers = (r for r in _from_sources(from_, tagger, input_format, strict) if matches(r, f))
        if search:
            papers = _search_rank(papers, search)
        rows = (row for p in papers for row in claim_rows(p, f))
        if sort:
            key = sort.lstrip("-")
            rows = sorted(
                rows,
                key=lambda r: (r.get(key) is None, r.get(key) if key == "value" else str(r.get(key) or "")),
                reverse=sort.startswith("-"),
            )
        if limit is not None:
            rows = _take(rows, limit)
    _emit(rows, fmt, field_list, default_fields=CLAIM_FIELDS)


# ---------------------------------------------------------------------------
# explain


def explain_cmd(
    paper_id: Annotated[str, typer.Argument(help="Paper id (a unique prefix is enough).", metavar="ID")],
    from_: FromOpt = None,
    db: DbOpt = None,
    rules: RulesOpt = None,
    no_config: NoConfigOpt = False,
    input_format: InputFormatOpt = None,
    strict: StrictOpt = False,
) -> None:
    """Every tag and claim with the rule that produced it, the matched text highlighted,
    and why near-miss labels were not given."""
    from ..explain import explain_record, render_plain, render_rich
    from .common import env

    tagger = _tagger(rules, no_config)
    record = None
    stored = None
    if from_:
        matches_ = []
        for rec in read_records(from_, input_format=input_format, strict=strict, summary=False):
            if rec.id == paper_id:
                matches_ = [rec]
                break
            if rec.id.startswith(paper_id):
                matches_.append(rec)
        if not matches_:
            raise NotFoundError(f"no paper with id {paper_id!r} in {', '.join(from_)}")
        if len(matches_) > 1:
            ids = ", ".join(r.id for r in matches_[:5])
            raise NotFoundError(f"id prefix {paper_id!r} is ambiguous: {ids}")
        record = matches_[0]
    else:
        lib = _open_library(db)
        stored = lib.get(lib.resolve(paper_id))
        record = _record_from_dict(stored)
    ex = explain_record(tagger, record, stored)
    if env().stdout_isatty:
        render_rich(ex, stdout_console())
    else:
        out = stdout_binary()
        out.write(render_plain(ex).encode("utf-8"))
        out.flush()


def _record_from_dict(d: dict[str, Any]):
    from ..models import Record, Source

    src = d.get("source") or {}
    return Record(
        id=d["id"],
        title=d.get("title", ""),
        abstract=d.get("abstract", ""),
        source=Source(str(src.get("path", "")), int(src.get("line") or 0)),
        urls=tuple(d.get("urls") or ()),
    )


# ---------------------------------------------------------------------------
# rules


rules_app = typer.Typer(help="Inspect, check and measure rules.", rich_markup_mode=None, no_args_is_help=True)


@rules_app.command("list")
@handle_errors
def rules_list_cmd(
    rules: RulesOpt = None,
    no_config: NoConfigOpt = False,
    facet: Annotated[str | None, typer.Option("--facet", help="Only rules of this facet (modality, task, multimodal).")] = None,
    fmt: FormatOpt = None,
) -> None:
    """The rules in effect (defaults, config folder, --rules), with where each comes from."""
    tagger = _tagger(rules, no_config)
    fmt = resolve_format(fmt)
    rows = []
    for r in tagger.ruleset.rules:
        if facet and r.facet != facet:
            continue
        d = r.as_dict()
        d["labels"] = r.labels
        d["origin"] = r.origin
        d["size"] = len(r.phrases) + len(r.patterns) + len(r.case_sensitive)
        rows.append(d)
    if fmt == "table":
        message(f"{len(rows)} rules; rules digest {tagger.digest}")
    _emit(rows, fmt, None, default_fields=("id", "facet", "label", "size", "weight", "origin"))


@rules_app.command("check")
@handle_errors
def rules_check_cmd(
    files: Annotated[list[str], typer.Argument(help="Rule files (YAML) to validate.", metavar="FILE...")],
) -> None:
    """Validate rule files on top of the defaults: every problem, with file, line and rule id."""
    from ..errors import RulesError
    from ..rules import load_rules

    try:
        ruleset = load_rules(files, use_config=False)
    except RulesError as exc:
        for p in exc.problems:
            print(f"papertriage: error: {p}", file=sys.stderr)
        print(f"papertriage: {len(exc.problems)} problem(s) found", file=sys.stderr)
        raise typer.Exit(int(exc.exit_status)) from None
    user = [r for r in ruleset.rules if r.origin.split(":")[0] in files]
    print(f"{', '.join(files)}: ok ({len(user)} rules; {len(ruleset.rules)} rules in effect; digest {ruleset.digest})")


@rules_app.command("test")
@handle_errors
def rules_test_cmd(
    gold: Annotated[list[str], typer.Option("--gold", help="Labelled JSONL: title, abstract, modality, task; or source (a dump, relative to the file) and id instead of title and abstract (repeatable).", metavar="FILE")],
    rules: RulesOpt = None,
    no_config: NoConfigOpt = False,
    errors: Annotated[bool, typer.Option("--errors", help="Also list the papers whose tags differ from the labels.")] = False,
    fmt: FormatOpt = None,
) -> None:
    """Precision, recall and F1 per label and overall against labelled papers."""
    import orjson

    from ..errors import InputError
    from ..evaluation import TextResolver, evaluate

    tagger = _tagger(rules, no_config)

    def read() -> Iterator[tuple[int, dict[str, Any]]]:
        for path in gold:
            try:
                fh = open(path, "rb")  # noqa: SIM115
            except FileNotFoundError:
                raise InputError(path, "no such file") from None
            except IsADirectoryError:
                raise InputError(path, "is a directory") from None
            except OSError as exc:
                raise InputError(path, f"cannot open: {exc.strerror}") from None
            with fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        obj = orjson.loads(line)
                    except orjson.JSONDecodeError as exc:
                        raise InputError(path, f"invalid JSON: {exc}", line=n, hint="one JSON object per line") from None
                    if not isinstance(obj, dict) or not isinstance(obj.get("title", ""), str):
                        raise InputError(path, "expected an object with title, abstract, modality, task", line=n)
                    yield n, with_text(obj, path, n)

    with_text = TextResolver()
    report = evaluate(tagger, read())
    fmt = resolve_format(fmt)
    rows = report.rows()
    if fmt == "table":
        from rich.table import Table

        table = Table(title=f"{report.papers} papers", header_style="bold")
        for col in ("facet", "label", "precision", "recall", "f1", "tp", "fp", "fn", "support"):
            table.add_column(col, justify="right" if col not in ("facet", "label") else "left")
        for r in rows:
            style = "bold" if r["label"] == "(micro)" else None
            table.add_row(*[f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c]) for c in ("facet", "label", "precision", "recall", "f1", "tp", "fp", "fn", "support")], style=style)
        stdout_console().print(table)
    else:
        _emit(iter(rows), fmt, None, default_fields=("facet", "label", "precision", "recall", "f1", "tp", "fp", "fn", "support"))
    if errors:
        for e in report.errors:
            print(f"{e['line']}: {e['facet']} missing={','.join(e['missing']) or '-'} extra={','.join(e['extra']) or '-'}  {e['title'][:80]}", file=sys.stderr)


# ---------------------------------------------------------------------------
# formats


def formats_cmd() -> None:
    """The input formats papertriage reads (detected from content; force one with --input-format)."""
    from ..parsers import DIALECTS

    width = max(len(d.name) for d in DIALECTS)
    for d in DIALECTS:
        print(f"{d.name:<{width}}  {d.description}")


def register(app: typer.Typer) -> None:
    app.command("tag")(handle_errors(tag_cmd))
    app.command("list")(handle_errors(list_cmd))
    app.command("claims")(handle_errors(claims_cmd))
    app.command("explain")(handle_errors(explain_cmd))
    app.command("formats")(handle_errors(formats_cmd))
    app.add_typer(rules_app, name="rules")
