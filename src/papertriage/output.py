"""Writers: every output format is a writer over the same iterator of rows.

Papers travel as dicts in the JSONL shape of the SPEC (:func:`paper_to_dict`).
Writers take a binary or text stream and never buffer the whole output.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Iterator

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import IO, Any

import orjson

from .models import Evidence, Paper
from .runtime import fastcore
from . import regexes
from .vocabulary import FORMATS  # noqa: F401 - the formats written here

DEFAULT_TABLE_FIELDS = ("id", "title", "modality", "task", "best_claim")


def evidence_dicts(evidence: list[Evidence]) -> list[dict[str, Any]]:
    """The JSON objects of a paper's evidence, keys in :class:`Evidence` order."""
    return [
        {"facet": f, "label": lb, "rule": ru, "field": fd, "start": st, "end": en, "text": tx}
        for f, lb, ru, fd, st, en, tx in evidence
    ]


def _evidence_dicts_c(evidence: list[Evidence]) -> list[dict[str, Any]]:
    return _rows_as_dicts(Evidence._fields, evidence)  # type: ignore[no-any-return]


_core = fastcore()
_rows_as_dicts = getattr(_core, "rows_as_dicts", None)
_evidence_json = getattr(_core, "evidence_json", None)
_evidence_dicts = evidence_dicts if _rows_as_dicts is None else _evidence_dicts_c


def paper_to_dict(paper: Paper) -> dict[str, Any]:
    """The JSONL record of a tagged paper (key order is part of the contract)."""
    return _record_dict(paper, _evidence_dicts(paper.evidence))


def paper_to_json_row(paper: Paper) -> dict[str, Any]:
    """:func:`paper_to_dict` for ``orjson.dumps`` only: with the C core, the
    evidence is already JSON (an ``orjson.Fragment``, the same bytes)."""
    if _evidence_json is not None:
        ev = _evidence_json(Evidence._fields, paper.evidence)
        if ev is not None:
            return _record_dict(paper, orjson.Fragment(ev))
    return _record_dict(paper, _evidence_dicts(paper.evidence))


def _record_dict(paper: Paper, evidence: Any) -> dict[str, Any]:
    rec = paper.record
    out: dict[str, Any] = {
        "id": rec.id,
        "title": rec.title,
        "abstract": rec.abstract,
        "modality": paper.modality,
        "multimodal": paper.multimodal,
        "task": paper.task,
        "metric": paper.metric,
        "claims": [c.as_dict() for c in paper.claims],
        "urls": list(rec.urls),
        "source": rec.extra.get("source") if isinstance(rec.extra.get("source"), dict) else {"path": rec.source.path, "line": rec.source.line},
        "evidence": evidence,
    }
    if not rec.has_abstract:
        out["no_abstract"] = True
    if rec.authors:
        out["authors"] = list(rec.authors)
    if rec.date:
        out["date"] = rec.date
    if rec.categories:
        out["categories"] = list(rec.categories)
    if rec.doi:
        out["doi"] = rec.doi
    if rec.arxiv_id and rec.arxiv_id != rec.id:
        out["arxiv_id"] = rec.arxiv_id
    if paper.rules_digest:
        out["rules_digest"] = paper.rules_digest
    for key, value in rec.extra.items():
        out.setdefault(key, value)
    return out


def best_claim(paper: dict[str, Any]) -> str:
    """A short text for the paper's first absolute claim (else first claim)."""
    claims = paper.get("claims") or []
    if not claims:
        return ""
    chosen = next((c for c in claims if c.get("kind") == "absolute"), claims[0])
    return format_claim(chosen)


def format_value(value: Any, unit: str | None) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    unit = unit or ""
    if unit in ("%", "x"):
        return f"{value}{unit}"
    return f"{value} {unit}".strip()


def format_claim(c: dict[str, Any]) -> str:
    sign = "Δ" if c.get("kind") == "relative" else ""
    text = f"{c.get('metric')} {sign}{format_value(c.get('value'), c.get('unit'))}"
    if c.get("dataset"):
        text += f" ({c['dataset']})"
    return text


def cell(row: dict[str, Any], key: str) -> str:
    if key == "best_claim":
        return best_claim(row)
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return format_value(value, None)
    if isinstance(value, dict):
        return orjson.dumps(value).decode()
    return str(value)


# ---------------------------------------------------------------------------
# writers


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    """One JSON object per line. Lines are written 16 at a time: one write
    call per batch, and a batch (about 70 KB of tagged papers) small enough
    to stay in the processor's cache while it is joined and written."""
    n = 0
    dumps = orjson.dumps
    newline = orjson.OPT_APPEND_NEWLINE
    buf: list[bytes] = []
    try:
        for row in rows:
            buf.append(dumps(row, option=newline))
            n += 1
            if len(buf) >= 16:
                out.write(b"".join(buf))
                buf.clear()
    finally:  # rows produced before an error are still written
        if buf:
            out.write(b"".join(buf))
    return n


def write_json(rows: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    n = 0
    out.write(b"[")
    for row in rows:
        out.write((b",\n" if n else b"\n") + orjson.dumps(row))
        n += 1
    out.write(b"\n]\n" if n else b"]\n")
    return n


def _text_out(out: IO[bytes]) -> io.TextIOWrapper:
    return io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)


def write_delimited(rows: Iterable[dict[str, Any]], out: IO[bytes], fields: list[str], delimiter: str) -> int:
    text = _text_out(out)
    try:
        if delimiter == "\t":
            n = 0
            text.write("\t".join(fields) + "\n")
            for row in rows:
                text.write("\t".join(_tsv_cell(cell(row, f)) for f in fields) + "\n")
                n += 1
            return n
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(fields)
        n = 0
        for row in rows:
            writer.writerow([cell(row, f) for f in fields])
            n += 1
        return n
    finally:
        text.flush()
        text.detach()


def _tsv_cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def write_md(rows: Iterable[dict[str, Any]], out: IO[bytes], fields: list[str]) -> int:
    text = _text_out(out)
    try:
        text.write("| " + " | ".join(fields) + " |\n")
        text.write("|" + "|".join("---" for _ in fields) + "|\n")
        n = 0
        for row in rows:
            cells = [cell(row, f).replace("|", "\\|").replace("\n", " ") for f in fields]
            text.write("| " + " | ".join(cells) + " |\n")
            n += 1
        return n
    finally:
        text.flush()
        text.detach()


def write_ids(rows: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    n = 0
    for row in rows:
        out.write(row["id"].encode("utf-8") + b"\n")
        n += 1
    return n


_BIB_ESCAPES = str.maketrans({"{": "\\{", "}": "\\}", "&": "\\&", "%": "\\%", "#": "\\#", "_": "\\_", "$": "\\$"})


def _bib_value(value: str) -> str:
    return "{" + value.translate(_BIB_ESCAPES) + "}"


def bibtex_entry(row: dict[str, Any]) -> str:
    key = "".join(ch if ch.isalnum() or ch in ".:-_" else "_" for ch in row["id"])
    fields: list[tuple[str, str]] = [("title", row.get("title", ""))]
    if row.get("authors"):
        fields.append(("author", " and ".join(row["authors"])))
    if row.get("date"):
        fields.append(("year", str(row["date"])[:4]))
    if row.get("abstract"):
        fields.append(("abstract", row["abstract"]))
    if row.get("doi"):
        fields.append(("doi", row["doi"]))
    arxiv = row.get("arxiv_id") or (row["id"] if _looks_arxiv(row["id"]) else None)
    if arxiv:
        fields.append(("eprint", arxiv))
        fields.append(("archiveprefix", "arXiv"))
    urls = row.get("urls") or []
    if urls:
        fields.append(("url", urls[0]))
    keywords = [f"modality:{m}" for m in row.get("modality", [])]
    keywords += [f"task:{t}" for t in row.get("task", [])]
    keywords += [f"metric:{m}" for m in row.get("metric", [])]
    if row.get("multimodal"):
        keywords.append("multimodal")
    if row.get("status"):
        keywords.append(f"status:{row['status']}")
    if keywords:
        fields.append(("keywords", ", ".join(keywords)))
    note_parts = []
    if row.get("status"):
        note_parts.append(f"papertriage status: {row['status']}")
    if row.get("note"):
        note_parts.append(str(row["note"]))
    if note_parts:
        fields.append(("note", "; ".join(note_parts)))
    body = ",\n".join(f"  {k} = {_bib_value(v)}" for k, v in fields)
    entry_type = "article" if not arxiv else "misc"
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


_ARXIV_ID = regexes.compile(r"\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}")


def _looks_arxiv(value: str) -> bool:
    return bool(_ARXIV_ID.fullmatch(value))


def write_bibtex(rows: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    n = 0
    for row in rows:
        out.write(((("\n" if n else "") + bibtex_entry(row))).encode("utf-8"))
        n += 1
    return n


def write_table(
    rows: Iterable[dict[str, Any]],
    fields: list[str],
    *,
    console: Any,
    title: str | None = None,
) -> int:
    """A Rich table (terminal output). Rows are collected: tables are for people."""
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    widths = {"id": None, "title": 60, "abstract": 80}
    for f in fields:
        if f in ("value",):
            table.add_column(f, justify="right", no_wrap=True)
        elif f == "id":
            table.add_column(f, no_wrap=True, style="cyan")
        else:
            table.add_column(f, overflow="fold", max_width=widths.get(f, 40))
    n = 0
    for row in rows:
        table.add_row(*[cell(row, f) for f in fields])
        n += 1
    console.print(table)
    return n


def write_rows(
    rows: Iterable[dict[str, Any]],
    fmt: str,
    *,
    out: IO[bytes] | None = None,
    fields: list[str] | None = None,
    console: Any = None,
    title: str | None = None,
) -> int:
    """Write rows in ``fmt``; returns how many were written."""
    out = out if out is not None else sys.stdout.buffer
    fields = list(fields or DEFAULT_TABLE_FIELDS)
    if fmt == "jsonl":
        return write_jsonl(rows, out)
    if fmt == "json":
        return write_json(rows, out)
    if fmt == "csv":
        return write_delimited(rows, out, fields, ",")
    if fmt == "tsv":
        return write_delimited(rows, out, fields, "\t")
    if fmt == "md":
        return write_md(rows, out, fields)
    if fmt == "ids":
        return write_ids(rows, out)
    if fmt == "bibtex":
        return write_bibtex(rows, out)
    if fmt == "table":
        return write_table(rows, fields, console=console, title=title)
    raise ValueError(fmt)


def select_fields(rows: Iterable[dict[str, Any]], fields: list[str] | None) -> Iterator[dict[str, Any]]:
    """Keep only ``fields`` (for JSON-ish formats with ``--fields``)."""
    if not fields:
        yield from rows
        return
    for row in rows:
        yield {f: (best_claim(row) if f == "best_claim" else row.get(f)) for f in fields}
