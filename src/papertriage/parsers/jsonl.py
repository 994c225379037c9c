"""JSON lines (one paper per line), and JSON files holding papers.

Known shapes: papertriage's own output (read back with every extra key kept in
``Record.extra``), the arXiv/Kaggle metadata snapshot, Semantic Scholar
(S2ORC metadata and Graph API papers), Hugging Face daily-papers items, and
any object with a ``title`` and an ``abstract``/``summary``.

Besides JSON lines: a JSON array of papers (elements are read one at a time,
so a pretty-printed array streams), pretty-printed objects one after another
(``jq`` output), and an object that wraps a list of papers
(``{"data": [...]}``, as search APIs return).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson

from ..errors import InputError
from ..ids import make_id, normalise_arxiv_id
from ..models import Record
from .base import InputSource
from .. import regexes
from .common import (
    build_record,
    clean_doi,
    collapse,
    first_arxiv_id,
    iso_date,
    merge_urls,
    new_record,
    new_source,
    split_author_list,
    split_categories,
)

# Keys of papertriage's own output: a record with two of them is read back
# as written, every key kept.
OWN_KEYS = frozenset(
    {"modality", "multimodal", "task", "claims", "evidence", "status", "notes", "history", "rules_digest"}
)
_RECORD_KEYS = frozenset({"id", "title", "abstract", "urls", "authors", "date", "categories", "doi", "arxiv_id"})
_WRAPPERS = ("data", "papers", "results", "items", "records", "entries", "hits", "rows")
_STRUCT = regexes.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_KEY_NAMES = ("paper_id", "paperId", "doc_id", "corpusid", "corpusId", "key")
_URL_KEYS = ("url", "urls", "s2_url", "pdf_url", "pdfUrl", "link")
_CATEGORY_KEYS = ("keywords", "mag_field_of_study", "fieldsOfStudy", "subjects", "terms")
_DATE_KEYS = ("date", "published", "publicationDate", "publishedAt", "published_date", "created", "year")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _authors(obj: dict[str, Any]) -> tuple[str, ...]:
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for item in parsed:
            if isinstance(item, list) and item:
                last = _text(item[0])
                first = _text(item[1]) if len(item) > 1 else ""
                suffix = _text(item[2]) if len(item) > 2 else ""
                names.append(" ".join(p for p in (first, last, suffix) if p))
        if names:
            return tuple(names)
    value = obj.get("authors")
    if value is None:
        value = obj.get("author")
    if isinstance(value, str):
        return split_author_list(value)
    if not isinstance(value, list):
        return ()
    names = []
    for item in value:
        if isinstance(item, str):
            names.append(collapse(item))
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, str):
                names.append(collapse(name))
                continue
            middle = item.get("middle")
            middle_text = (
                " ".join(m for m in middle if isinstance(m, str)) if isinstance(middle, list) else _text(middle)
            )
            parts = (_text(item.get("first")), middle_text, _text(item.get("last")), _text(item.get("suffix")))
            names.append(collapse(" ".join(p for p in parts if p)))
    return tuple(n for n in names if n)


def _date(obj: dict[str, Any]) -> str | None:
    for key in _DATE_KEYS:
        if key in obj:
            value = obj[key]
            if value:
                return iso_date(value)
    versions = obj.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        return iso_date(versions[0].get("created"))
    return iso_date(obj.get("update_date"))


def _own_record(src: InputSource, line: int, obj: dict[str, Any]) -> Record | None:
    """papertriage's own JSONL: fields exactly as written (evidence and claim
    spans index into them), every other key kept in ``extra``."""
    title = _text(obj.get("title"))
    if not title.strip():
        src.skip(line, "record has no title")
        return None
    abstract = _text(obj.get("abstract"))
    if not abstract.strip():
        src.note_no_abstract()
    doi = obj.get("doi")
    doi = doi if isinstance(doi, str) and doi else None
    arxiv = obj.get("arxiv_id")
    arxiv = arxiv if isinstance(arxiv, str) and arxiv else None
    ident = obj.get("id")
    if isinstance(ident, int) and not isinstance(ident, bool):
        ident = str(ident)
    if not isinstance(ident, str) or not ident.strip():
        ident = make_id(title, arxiv_id=arxiv, doi=doi)
    elif arxiv is None and normalise_arxiv_id(ident) == ident:
        arxiv = ident  # the writer leaves out an arxiv_id equal to the id
    urls = obj.get("urls")
    authors = obj.get("authors")
    categories = obj.get("categories")
    date = obj.get("date")
    # Record(id, title, abstract, source, urls, authors, date, categories, doi, arxiv_id, extra)
    return new_record(
        ident,
        title,
        abstract,
        new_source(src.path, line),
        tuple(u for u in urls if isinstance(u, str)) if isinstance(urls, list) else merge_urls(abstract),
        tuple(a for a in authors if isinstance(a, str)) if isinstance(authors, list) else (),
        date if isinstance(date, str) else iso_date(date),
        tuple(c for c in categories if isinstance(c, str)) if isinstance(categories, list) else (),
        doi,
        arxiv,
        {k: v for k, v in obj.items() if k not in _RECORD_KEYS},
    )


def _scalar(value: Any) -> str | None:
    """A string or integer field as a trimmed string (``None`` if empty or another type)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _foreign_fields(obj: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(arXiv id, DOI, source key) of a foreign record."""
    ident = _scalar(obj.get("id"))
    candidates: list[Any] = [obj.get("arxiv_id"), ident]
    if "arxivId" in obj:
        candidates.append(obj["arxivId"])
    if "paper_id" in obj:
        candidates.append(_scalar(obj["paper_id"]))
    if "url" in obj:
        candidates.append(obj["url"])
    ext = obj.get("externalIds")
    if isinstance(ext, dict):
        candidates.append(ext.get("ArXiv"))
    arxiv = first_arxiv_id(*candidates)
    doi = clean_doi(obj.get("doi"))
    if doi is None and isinstance(ext, dict):
        doi = clean_doi(ext.get("DOI"))
    key = None
    for name in _KEY_NAMES:
        if name in obj:
            key = _scalar(obj[name])
            if key:
                break
    return arxiv, doi, key or ident


def to_record(src: InputSource, line: int, obj: Any) -> Record | None:
    """One JSON value -> a record (``None`` after a warning when it is not one)."""
    if not isinstance(obj, dict):
        src.skip(line, f"expected a JSON object for a paper, found {type(obj).__name__}")
        return None
    if not OWN_KEYS.isdisjoint(obj) and len(OWN_KEYS.intersection(obj)) >= 2:
        return _own_record(src, line, obj)
    paper = obj.get("paper")
    if isinstance(paper, dict) and "title" in paper:  # Hugging Face daily papers
        obj = {**obj, **paper}
    title = _text(obj.get("title"))
    abstract = obj.get("abstract")
    if not isinstance(abstract, str):
        abstract = obj.get("summary")
        if not isinstance(abstract, str):
            abstract = obj.get("abstract_tokenized") or obj.get("paperAbstract") or ""
            if not isinstance(abstract, str):
                abstract = ""
    if not title or title.isspace():
        src.skip(line, "record has no title")
        return None
    arxiv, doi, key = _foreign_fields(obj)
    urls: list[Any] = []
    for name in _URL_KEYS:
        if name in obj:
            value = obj[name]
            if isinstance(value, str):
                urls.append(value)
            elif isinstance(value, list):
                urls.extend(value)
    categories = obj.get("categories")
    if categories is None:
        for name in _CATEGORY_KEYS:
            if obj.get(name):
                categories = obj[name]
                break
    rec = build_record(
        src,
        line,
        title=title,
        abstract=abstract,
        arxiv_id=arxiv,
        doi=doi,
        key=key,
        urls=urls,
        authors=_authors(obj),
        date=_date(obj),
        categories=split_categories(categories),
        what="record",
    )
    return rec


def _unwrap(src: InputSource, line: int, obj: Any) -> Iterator[Record]:
    """A top-level value: a paper, or an object or array wrapping papers."""
    if isinstance(obj, list):
        for item in obj:
            rec = to_record(src, line, item)
            if rec is not None:
                yield rec
        return
    if isinstance(obj, dict) and "title" not in obj and not isinstance(obj.get("paper"), dict):
        for name in _WRAPPERS:
            items = obj.get(name)
            if isinstance(items, list):
                yield from _unwrap(src, line, items)
                return
    rec = to_record(src, line, obj)
    if rec is not None:
        yield rec


def _bad_json(exc: orjson.JSONDecodeError, line: int) -> tuple[int, str]:
    """The file line and message of a JSON syntax error in a value starting at ``line``."""
    where = line + max(exc.lineno, 1) - 1
    return where, f"invalid JSON: {exc.msg} (column {exc.colno})"


class JSONLinesDialect:
    name = "jsonl"
    description = "JSON lines (arXiv/Kaggle, Semantic Scholar, papertriage output) or a JSON array of papers"

    def detect(self, src: InputSource) -> float:
        text = src.head_text.lstrip()
        if text.startswith("{"):
            return 0.9
        if text.startswith("["):
            rest = text[1:].lstrip()
            if rest.startswith(("{", "]")) or not rest:
                return 0.9
        return 0.0

    def parse(self, src: InputSource) -> Iterator[Record]:
        loads = orjson.loads
        lines = src.lines()
        jsonl_mode = False
        for number, line in lines:
            if not line or line.isspace():
                continue
            stripped = line.strip()
            if stripped[0] == "{":
                try:
                    obj = loads(stripped)
                except orjson.JSONDecodeError as exc:
                    if jsonl_mode or _balanced(stripped):
                        src.skip(*_bad_json(exc, number))
                        continue
                    # An object spread over several lines: a JSON document.
                    yield from self._document(src, number, line, lines)
                    return
                jsonl_mode = True
                if type(obj) is dict and "title" in obj:  # a paper, as most lines are
                    rec = to_record(src, number, obj)
                    if rec is not None:
                        yield rec
                else:
                    yield from _unwrap(src, number, obj)
                continue
            if jsonl_mode:
                src.skip(number, "not a JSON object")
                continue
            yield from self._document(src, number, line, lines)
            return

    def _document(
        self, src: InputSource, first_number: int, first_line: str, lines: Iterator[tuple[int, str]]
    ) -> Iterator[Record]:
        """Pretty-printed JSON: each top-level value, or each element of a
        top-level array, is parsed as soon as it closes."""
        depth = 0  # brackets open (outside strings)
        in_array = False  # inside the top-level array
        parts: list[str] = []  # text of the value being read
        start_line = first_number

        def flush() -> Iterator[Record]:
            text = "".join(parts)
            parts.clear()
            try:
                obj = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                src.skip(*_bad_json(exc, start_line))
                return
            if in_array:
                rec = to_record(src, start_line, obj)
                if rec is not None:
                    yield rec
            else:
                yield from _unwrap(src, start_line, obj)

        def chain() -> Iterator[tuple[int, str]]:
            yield first_number, first_line
            yield from lines

        for number, line in chain():
            base = 1 if in_array else 0
            pos = 0  # where the unread part of a value on this line starts
            for m in _STRUCT.finditer(line):
                token = m.group()
                if token[0] == '"':
                    if depth == base and in_array:
                        src.skip(number, "expected a JSON object for a paper, found a string")
                    continue
                if token in "[{":
                    if depth == base:
                        if token == "[" and not in_array:
                            in_array, depth, base = True, 1, 1
                            continue
                        start_line, pos = number, m.start()
                    depth += 1
                    continue
                depth -= 1
                if depth == base:
                    parts.append(line[pos : m.end()])
                    yield from flush()
                elif in_array and depth == 0:
                    in_array, base = False, 0
                elif depth < 0:
                    raise InputError(
                        src.path, f"unbalanced '{token}' in JSON", line=number, hint="the file is not valid JSON"
                    )
            if depth > base:
                parts.append(line[pos:])
                parts.append("\n")
        if depth > 0:
            raise InputError(
                src.path,
                "the JSON ends inside a value: truncated file?",
                line=start_line,
                hint="papers before this line were read",
            )


def _balanced(text: str) -> bool:
    """Whether the brackets outside strings in ``text`` balance (a complete value)."""
    depth = 0
    for m in _STRUCT.finditer(text):
        token = m.group()
        if token[0] == '"':
            continue
        depth += 1 if token in "[{" else -1
    return depth == 0
