"""The arXiv subscription e-mail digest (``cs daily Subj-class mailing``).

Each entry is::

    \\\\
    arXiv:2601.11559 (*cross-listing*)
    Date: Thu, 18 Dec 2025 05:03:49 GMT   (704kb)       <- or "replaced with revised version ..."

    Title: MIMIC-RD: Can LLMs differentially diagnose rare diseases in real-world
      clinical settings?                                   <- continuation lines are indented
    Authors: ...
    Categories: cs.AI cs.CL cs.LG
    Comments: 5 pages
    \\\\
      Despite rare diseases affecting 1 in 10 Americans, ... (wrapped abstract)
    \\\\ ( https://arxiv.org/abs/2601.11559 ,  704kb)
    ------------------------------------------------------------------------------

"Replaced with revised version" entries carry no abstract: the second ``\\\\``
block is missing and the entry ends with the ``\\\\ ( url , size)`` line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..ids import find_urls, normalise_arxiv_id
from ..models import Record
from .base import InputSource
from .common import build_record, clean_doi, collapse, iso_date, split_author_list
from .. import regexes

_ENTRY_ID = regexes.compile(r"^(?:arXiv:|Paper:\s*)(\S+)")
_FIELD = regexes.compile(r"^([A-Z][A-Za-z\-]*):\s?(.*)$")
_DASHES = regexes.compile(r"^-{20,}\s*$")
_DETECT_ENTRY = regexes.compile(r"^\\\\\r?\n(?:arXiv:|Paper:\s*)\S+", re.M)
_DETECT_TITLE = regexes.compile(r"^Title: ", re.M)

# States of the line scanner.
_OUTSIDE, _OPENED, _HEADER, _ABSTRACT = range(4)


class _Entry:
    __slots__ = ("line", "ident", "fields", "field", "abstract", "urls", "replaced")

    def __init__(self, line: int, ident: str) -> None:
        self.line = line
        self.ident = ident
        self.fields: dict[str, list[str]] = {}
        self.field: str | None = None
        self.abstract: list[str] = []
        self.urls: tuple[str, ...] = ()
        self.replaced = False


class ArxivDigestDialect:
    name = "arxiv-digest"
    description = "arXiv subscription e-mail digest (\\\\ arXiv:ID / Title: / Authors: / Categories: / abstract)"

    def detect(self, src: InputSource) -> float:
        text = src.head_text
        if _DETECT_ENTRY.search(text) and _DETECT_TITLE.search(text):
            return 0.95
        return 0.0

    def parse(self, src: InputSource) -> Iterator[Record]:
        state = _OUTSIDE
        entry: _Entry | None = None
        opened_at = 0
        for number, line in src.lines():
            if state == _HEADER:
                assert entry is not None
                stripped = line.strip()
                if stripped == "\\\\":
                    state = _ABSTRACT
                elif stripped.startswith("\\\\ ("):
                    entry.urls = find_urls(stripped)
                    rec = self._emit(src, entry)
                    if rec is not None:
                        yield rec
                    entry, state = None, _OUTSIDE
                elif _DASHES.match(line):
                    rec = self._emit(src, entry)
                    if rec is not None:
                        yield rec
                    entry, state = None, _OUTSIDE
                elif not stripped:
                    entry.field = None
                elif line[:1] in (" ", "\t") and entry.field is not None:
                    entry.fields[entry.field].append(stripped)
                elif line.startswith("replaced with revised version"):
                    entry.replaced = True
                    entry.field = None
                else:
                    m = _FIELD.match(line)
                    if m:
                        entry.field = m.group(1).casefold()
                        entry.fields.setdefault(entry.field, []).append(m.group(2).strip())
                    elif entry.field is not None:
                        entry.fields[entry.field].append(stripped)
                continue
            if state == _ABSTRACT:
                assert entry is not None
                stripped = line.strip()
                if stripped.startswith("\\\\ (") or stripped == "\\\\" or _DASHES.match(line):
                    if stripped.startswith("\\\\ ("):
                        entry.urls = find_urls(stripped)
                    rec = self._emit(src, entry)
                    if rec is not None:
                        yield rec
                    entry = None
                    if stripped == "\\\\":
                        state, opened_at = _OPENED, number
                    else:
                        state = _OUTSIDE
                else:
                    entry.abstract.append(line)
                continue
            # Between entries: an entry opens with "\\" followed by "arXiv:ID".
            if line.strip() == "\\\\":
                state, opened_at = _OPENED, number
                continue
            if state == _OPENED:
                m = _ENTRY_ID.match(line)
                if m:
                    entry = _Entry(number, m.group(1))
                    state = _HEADER
                    continue
                src.warn(opened_at, "'\\\\' not followed by an arXiv:ID line; ignored")
            state = _OUTSIDE
        if entry is not None:
            rec = self._emit(src, entry)
            if rec is not None:
                yield rec

    @staticmethod
    def _emit(src: InputSource, entry: _Entry) -> Record | None:
        fields = entry.fields

        def get(name: str) -> str:
            return " ".join(fields.get(name, ()))

        title = get("title")
        if not collapse(title):
            src.skip(entry.line, f"digest entry arXiv:{entry.ident} has no Title: line")
            return None
        abstract = "\n".join(entry.abstract)
        doi_field = get("doi")
        return build_record(
            src,
            entry.line,
            title=title,
            abstract=abstract,
            arxiv_id=normalise_arxiv_id(entry.ident),
            doi=clean_doi(doi_field.split()[0]) if doi_field.split() else None,
            urls=entry.urls,
            authors=split_author_list(get("authors")),
            date=None if entry.replaced else iso_date(get("date").split("(")[0]),
            categories=tuple(dict.fromkeys(get("categories").split())),
            what="digest entry",
        )
