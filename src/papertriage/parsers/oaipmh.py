"""OAI-PMH ``ListRecords``/``GetRecord`` responses: arXiv's own metadata
formats (``metadataPrefix=arXiv`` and ``arXivRaw``) and Dublin Core (``oai_dc``).

Deleted records (``<header status="deleted">``) carry no metadata and are
skipped with a warning; an OAI-PMH ``<error>`` is reported as a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Record
from .base import InputSource
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
from .xmlstream import Handler, looks_html, root_name, stream_xml
from .. import regexes

_NAME_PARTS = frozenset({"keyname", "forenames", "suffix"})
_DETECT = regexes.compile(r"<OAI-PMH[\s>]|openarchives\.org/OAI/2\.0/")


class _OAIHandler(Handler):
    def __init__(self, src: InputSource) -> None:
        super().__init__(src)
        self.in_record = False
        self.record_line = 0
        self.deleted = False
        self.fields: dict[str, list[str]] = {}
        self.authors: list[str] = []
        self.name_parts: dict[str, str] = {}
        self.stack: list[list[str]] = []
        self.error_code: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = self.local(name)
        if not self.in_record:
            if local == "record":
                self.in_record = True
                self.record_line = self.line
                self.deleted = False
                self.fields = {}
                self.authors = []
                self.stack = []
            elif local == "error":
                self.error_code = attrs.get("code", "error")
                self.stack = [[]]
            return
        if local == "header" and attrs.get("status") == "deleted":
            self.deleted = True
        if local == "author":
            self.name_parts = {}
        self.stack.append([])

    def data(self, text: str) -> None:
        if self.stack:
            self.stack[-1].append(text)

    def end(self, name: str) -> None:
        local = self.local(name)
        if not self.in_record:
            if local == "error" and self.error_code is not None:
                message = collapse("".join(self.stack[-1])) if self.stack else ""
                self.src.warn(self.line, f"OAI-PMH error {self.error_code}: {message}")
                self.error_code = None
                self.stack = []
            return
        if local == "record" and not self.stack:
            self.in_record = False
            rec = self._record()
            if rec is not None:
                self.records.append(rec)
            return
        text = "".join(self.stack.pop()) if self.stack else ""
        if local in _NAME_PARTS:
            self.name_parts[local] = collapse(text)
        elif local == "author" and self.name_parts:
            parts = self.name_parts
            self.authors.append(
                " ".join(p for p in (parts.get("forenames"), parts.get("keyname"), parts.get("suffix")) if p)
            )
            self.name_parts = {}
        elif text.strip():
            self.fields.setdefault(local, []).append(text)

    def _record(self) -> Record | None:
        f = self.fields
        identifier = collapse((f.get("identifier") or [""])[0])
        if self.deleted:
            self.src.skip(self.record_line, f"deleted record {identifier or '(no identifier)'}")
            return None
        title = (f.get("title") or [""])[0]
        descriptions = [d for d in f.get("description", ()) if not d.lstrip().startswith("Comment:")]
        abstract = (f.get("abstract") or descriptions or [""])[0]
        identifiers = f.get("identifier", [])
        arxiv = first_arxiv_id(*f.get("id", ()), *identifiers)
        doi_text = (f.get("doi") or [""])[0]
        doi = clean_doi(doi_text.split()[0]) if doi_text.split() else None
        if doi is None:
            doi = next((clean_doi(i) for i in identifiers if "doi" in i.casefold() and clean_doi(i)), None)
        authors = list(self.authors)
        if not authors and f.get("authors"):
            authors = list(split_author_list(f["authors"][0]))
        if not authors:
            authors = [last_first(collapse(c)) for c in f.get("creator", ())]
        categories = tuple(dict.fromkeys(" ".join(f.get("categories", ())).split()))
        if not categories:
            categories = split_categories([collapse(s) for s in f.get("subject", ())])
        dates = f.get("created") or f.get("date") or f.get("datestamp") or [""]
        urls = [i.strip() for i in identifiers if i.strip().startswith(("http://", "https://"))]
        key = identifier if not arxiv_id_of(identifier) else None
        return build_record(
            self.src,
            self.record_line,
            title=title,
            abstract=abstract,
            arxiv_id=arxiv,
            doi=doi,
            key=key or None,
            urls=urls,
            authors=authors,
            date=iso_date(dates[0]),
            categories=categories,
            what=f"record {identifier}" if identifier else "record",
        )


class OAIPMHDialect:
    name = "oai-pmh"
    description = "OAI-PMH XML response (metadataPrefix=arXiv, arXivRaw or oai_dc)"

    def detect(self, src: InputSource) -> float:
        text = src.head_text
        if looks_html(text) or root_name(text) is None:
            return 0.0
        return 0.95 if _DETECT.search(text[:16384]) else 0.0

    def parse(self, src: InputSource) -> Iterator[Record]:
        return stream_xml(src, _OAIHandler(src))
