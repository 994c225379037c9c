"""CSV and TSV tables with a header row: Zotero and Scopus exports, arXiv
listing scrapes, the Keras arXiv data set (``titles,summaries,terms``), and
any table with a title column.

Columns are found by header name, case- and punctuation-insensitively
(``Title``, ``titles``, ``Abstract Note``, ``summaries``, ``paper_id`` ...).
Cells holding a Python or JSON list (``['cs.CV', 'cs.LG']``) are read as
lists. arXiv ids that a spreadsheet turned into numbers (``2309.114`` for
``2309.11400``) are restored.
"""

from __future__ import annotations

import ast
import csv
import io
import re
from collections.abc import Iterator

from ..errors import InputError
from ..models import Record
from .base import HEAD_BYTES, InputSource
from .. import regexes
from .common import (
    arxiv_id_of,
    build_record,
    clean_doi,
    collapse,
    first_arxiv_id,
    iso_date,
    last_first,
    split_author_list,
    split_categories,
)


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


_ROLES: dict[str, tuple[str, ...]] = {
    "title": ("title", "titles", "papertitle", "articletitle", "documenttitle", "ti"),
    "abstract": ("abstract", "abstracts", "summary", "summaries", "abstractnote", "ab", "paperabstract"),
    "id": ("paperid", "arxivid", "arxiv", "id", "key", "docid", "entryid", "eid", "ut"),
    "authors": ("authors", "author", "creators", "authorfullnames", "au", "af"),
    "date": (
        "date",
        "publicationdate",
        "published",
        "publishedat",
        "datepublished",
        "pubdate",
        "created",
        "year",
        "publicationyear",
        "py",
    ),
    "categories": (
        "categories",
        "category",
        "terms",
        "subjects",
        "subject",
        "keywords",
        "authorkeywords",
        "indexkeywords",
        "de",
        "tags",
        "manualtags",
        "automatictags",
        "fieldsofstudy",
    ),
    "doi": ("doi", "di"),
    "urls": ("url", "urls", "link", "links", "pdfurl", "absurl", "pdflink", "pdf"),
    "arxiv_hint": ("extra", "publicationtitle", "journal", "sourcetitle"),
}
_ALIASES = {alias: role for role, aliases in _ROLES.items() for alias in aliases}
_MULTI_ROLES = frozenset({"categories", "urls", "arxiv_hint"})
_DELIMITERS = (",", "\t", ";", "|")
_COERCED_ID = regexes.compile(r"^(\d{3,4})\.(\d{1,5})$")
_SHIFTED_SUBJECTS = regexes.compile(r"^\s*Subjects:\s*(.*\([a-z\-]+(?:\.[A-Za-z\-]+)?\)\s*)$", re.DOTALL)
_LISTING_FIELD = regexes.compile(r"^\s*(?:Journal-ref|Comments|Subjects|MSC-class|ACM-class|DOI):")


def _header_roles(names: list[str]) -> dict[str, list[int]]:
    """Column indexes per role, in ``_ROLES`` alias order (``paper_id`` before
    ``id``, ``Date`` before ``Publication Year``); for multi-valued roles
    every matching column counts, in table order."""
    by_name: dict[str, int] = {}
    for index, name in enumerate(names):
        by_name.setdefault(_norm(name), index)
    roles: dict[str, list[int]] = {}
    for role, aliases in _ROLES.items():
        found = [by_name[a] for a in aliases if a in by_name]
        if found:
            roles[role] = sorted(found) if role in _MULTI_ROLES else found
    return roles


def _sniff_delimiter(line: str) -> str:
    counts = {d: _count_outside_quotes(line, d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count = 0
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


# A list of plain quoted strings (no escapes, no line breaks), which
# ``ast.literal_eval`` reads as those strings.
_PLAIN_ITEM = r"""(?:'[^'\\\n\r\x00]*'|"[^"\\\n\r\x00]*")"""
_PLAIN_LIST = regexes.compile(rf"\[ *(?:{_PLAIN_ITEM} *(?:, *{_PLAIN_ITEM} *)*(?:, *)?)?\]")
_PLAIN_ITEMS = regexes.compile(r"'([^']*)'|\"([^\"]*)\"")


def _list_cell(value: str) -> list[str] | None:
    """``['a', 'b']`` (Python or JSON) -> ``["a", "b"]``; ``None`` otherwise."""
    text = value.strip()
    if len(text) < 2 or text[0] != "[" or text[-1] != "]":
        return None
    if text.isascii() and _PLAIN_LIST.fullmatch(text):
        return [single or double for single, double in _PLAIN_ITEMS.findall(text)]
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return None
    if not isinstance(parsed, (list, tuple)):
        return None
    return [str(v) for v in parsed if v is not None]


def restore_arxiv_id(value: str) -> str | None:
    """An arXiv id a spreadsheet stored as a number: ``2309.114`` -> ``2309.11400``,
    ``704.001`` -> ``0704.0010``; ``None`` when the value is not one."""
    m = _COERCED_ID.match(value.strip())
    if not m:
        return None
    yymm = m.group(1).zfill(4)
    month = int(yymm[2:])
    if not 1 <= month <= 12 or yymm < "0704":
        return None
    width = 5 if yymm >= "1501" else 4
    number = m.group(2)
    if len(number) > width:
        return None
    return f"{yymm}.{number.ljust(width, '0')}"


def _authors(value: str, last_first_names: bool) -> tuple[str, ...]:
    """Names from a list cell, ``Last, First; Last, First`` (Zotero, Scopus)
    or ``First Last, First Last``; a lone ``Last, First`` is one name."""
    items = _list_cell(value)
    if items is not None:
        return tuple(collapse(i) for i in items if i.strip())
    if ";" in value or last_first_names:
        return tuple(last_first(collapse(p)) for p in value.split(";") if p.strip())
    left, comma, right = value.partition(",")
    if comma and "," not in right and " " not in left.strip() and right.strip():
        return (last_first(collapse(value)),)
    return split_author_list(value)


class CSVDialect:
    name = "csv"
    description = (
        "CSV/TSV table with a header row naming a title column (Zotero, Scopus, arXiv listings, Keras arXiv set)"
    )

    def detect(self, src: InputSource) -> float:
        text = src.head_text
        lines = text.splitlines()
        if not lines:
            return 0.0
        header = lines[0]
        delimiter = _sniff_delimiter(header)
        try:
            names = next(csv.reader([header], delimiter=delimiter))
        except (csv.Error, StopIteration):
            return 0.0
        roles = _header_roles(names)
        if "title" in roles and (len(names) > 1 or _norm(header) in ("title", "titles")):
            return 0.9 if "abstract" in roles else 0.85
        # A table without a title column: claimed (to report that clearly)
        # when every line has the same number of delimiters.
        if len(src.head) >= HEAD_BYTES:
            lines = lines[:-1]  # cut short by the head's size
        sample = [ln for ln in lines[:20] if ln.strip()]
        if len(sample) >= 3 or (sample and src.extension in ("csv", "tsv")):
            counts = {_count_outside_quotes(ln, delimiter) for ln in sample}
            if len(counts) == 1 and counts.pop() >= 1:
                return 0.35
        return 0.0

    def parse(self, src: InputSource) -> Iterator[Record]:
        csv.field_size_limit(max(csv.field_size_limit(), 1 << 26))
        header_line = src.head_text.splitlines()[0] if src.head_text else ""
        delimiter = _sniff_delimiter(header_line)
        encoding = "utf-8-sig"
        try:
            src.head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(src.head) - 4:  # not just a character cut at the head's end
                encoding = "cp1252"
                src.warn(None, "not UTF-8; read as Windows-1252 (as Excel saves CSV)")
        text = io.TextIOWrapper(src.binary(), encoding=encoding, errors="replace", newline="")  # type: ignore[arg-type]
        reader = csv.reader(text, delimiter=delimiter)
        try:
            names = next(reader, None)
        except csv.Error as exc:
            raise InputError(src.path, f"malformed CSV header: {exc}", line=1) from None
        if names is None:
            return
        roles = _header_roles(names)
        if "title" not in roles:
            shown = ", ".join(repr(n if len(n) <= 30 else n[:29] + "…") for n in names[:8]) + (
                ", ..." if len(names) > 8 else ""
            )
            raise InputError(
                src.path,
                f"no title column in the header row ({shown})",
                line=1,
                hint="name the title column 'title' and the abstract column 'abstract', or use --input-format",
            )
        width = len(names)
        zotero = {"key", "itemtype"} <= {_norm(n) for n in names}  # "Last, First; Last, First"
        # Numbers in an arXiv id column are ids a spreadsheet stored as numbers.
        restore_ids = bool(roles.get("id")) and _norm(names[roles["id"][0]]) in ("paperid", "arxivid", "arxiv", "id")
        previous = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise InputError(
                    src.path, f"malformed CSV: {exc}", line=reader.line_num, hint="rows before this line were read"
                ) from None
            line, previous = previous + 1, reader.line_num
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) < width:
                row = row + [""] * (width - len(row))
            rec = self._record(src, line, row, roles, zotero, restore_ids)
            if rec is not None:
                yield rec

    @staticmethod
    def _record(
        src: InputSource, line: int, row: list[str], roles: dict[str, list[int]], zotero: bool, restore_ids: bool
    ) -> Record | None:
        def cell(role: str) -> str:
            """The first non-empty column of the role."""
            for index in roles.get(role, ()):
                if row[index].strip():
                    return row[index]
            return ""

        def cells(role: str) -> list[str]:
            return [row[i] for i in roles.get(role, ()) if row[i].strip()]

        title = cell("title")
        urls: list[str] = []
        for value in cells("urls"):
            urls.extend(_list_cell(value) or value.split())
        ident = cell("id").strip()
        arxiv = arxiv_id_of(ident)
        if arxiv is None and ident and restore_ids:
            restored = restore_arxiv_id(ident)
            if restored is not None:
                arxiv = restored
                urls = [
                    u.replace(f"/{ident}", f"/{restored}") if u.rstrip("/").endswith(f"/{ident}") else u for u in urls
                ]
        if arxiv is None:
            arxiv = first_arxiv_id(*urls, *cells("arxiv_hint"))
        doi = clean_doi(cell("doi"))
        if arxiv is None and doi:
            arxiv = arxiv_id_of(doi)
        abstract = cell("abstract")
        category_cells = cells("categories")
        m = _SHIFTED_SUBJECTS.match(abstract)
        if m:
            # A listing scrape that lost the abstract of a cross-list or
            # replacement: "Journal-ref: ..." sits in the subjects column and
            # "Subjects: ..." in the abstract column.
            abstract = ""
            category_cells = [m.group(1)] + [c for c in category_cells if not _LISTING_FIELD.match(c)]
        categories: list[str] = []
        for value in category_cells:
            items = _list_cell(value)
            categories.extend(split_categories(items if items is not None else value))
        return build_record(
            src,
            line,
            title=title,
            abstract=abstract,
            arxiv_id=arxiv,
            doi=doi,
            key=ident or None,
            urls=urls,
            authors=_authors(cell("authors"), zotero),
            date=iso_date(cell("date")),
            categories=tuple(dict.fromkeys(categories)),
            what="row",
        )
