"""RIS (``TY  - JOUR`` ... ``ER  -``), as EndNote, Zotero, Mendeley, Scopus,
PubMed and Web of Science export it.

A line that is not a ``XX  - value`` tag line continues the tag before it
(EndNote wraps ``AB`` and ``TI`` with an indent). Keywords are one per ``KW``
line (a ``;`` inside one separates several). Repeated tags (``AU``,
``KW``, ``UR``) give several values; repeated ``AB`` lines are joined.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Record
from .base import InputSource
from .common import build_record, clean_doi, collapse, first_arxiv_id, iso_date, last_first
from .. import regexes

_TAG = regexes.compile(r"^([A-Z][A-Z0-9])  -(?: (.*)|\s*)$")
_DETECT = regexes.compile(r"^TY  - ?\S*", re.M)
_TITLE_TAGS = ("TI", "T1", "CT", "BT")
_ABSTRACT_TAGS = ("AB", "N2")
_AUTHOR_TAGS = ("AU", "A1")
_URL_TAGS = ("UR", "L1", "L2", "LK")


class RISDialect:
    name = "ris"
    description = "RIS (.ris) export of EndNote, Zotero, Mendeley, Scopus, PubMed, ..."

    def detect(self, src: InputSource) -> float:
        text = src.head_text
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        if first.startswith("TY  -"):
            return 0.95
        if _DETECT.search(text) and re.search(r"^ER  -", text, re.M):
            return 0.9
        return 0.0

    def parse(self, src: InputSource) -> Iterator[Record]:
        fields: dict[str, list[str]] | None = None
        start_line = 0
        last: list[str] | None = None
        for number, line in src.lines():
            m = _TAG.match(line)
            if m:
                tag, value = m.group(1), (m.group(2) or "").strip()
                if tag == "TY":
                    if fields is not None:
                        src.warn(start_line, "RIS record has no 'ER  -' line before the next 'TY  -'")
                        rec = self._record(src, start_line, fields)
                        if rec is not None:
                            yield rec
                    fields, start_line = {"TY": [value]}, number
                    last = fields["TY"]
                    continue
                if fields is None:
                    continue  # outside a record
                if tag == "ER":
                    rec = self._record(src, start_line, fields)
                    if rec is not None:
                        yield rec
                    fields, last = None, None
                    continue
                last = fields.setdefault(tag, [])
                last.append(value)
                continue
            if fields is not None and last is not None and line.strip():
                if last:
                    last[-1] = f"{last[-1]} {line.strip()}" if last[-1] else line.strip()
                else:
                    last.append(line.strip())
        if fields is not None:
            src.warn(start_line, "RIS record has no 'ER  -' line at the end of the input")
            rec = self._record(src, start_line, fields)
            if rec is not None:
                yield rec

    @staticmethod
    def _record(src: InputSource, line: int, fields: dict[str, list[str]]) -> Record | None:
        def first(*tags: str) -> str:
            for tag in tags:
                for value in fields.get(tag, ()):
                    if value.strip():
                        return value
            return ""

        title = first(*_TITLE_TAGS)
        # AB, else N2 (some exports give the same abstract under both).
        abstract = next(
            (" ".join(vs) for vs in (fields.get(t, []) for t in _ABSTRACT_TAGS) if any(v.strip() for v in vs)), ""
        )
        urls = [collapse(u) for tag in _URL_TAGS for v in fields.get(tag, ()) for u in v.split() if u]
        doi = clean_doi(first("DO")) or next((clean_doi(u) for u in urls if "doi.org/" in u and clean_doi(u)), None)
        arxiv = first_arxiv_id(*urls, doi, first("T2", "JO", "JF", "J2"), first("M3"))
        authors = tuple(last_first(collapse(a)) for tag in _AUTHOR_TAGS for a in fields.get(tag, ()) if a.strip())
        keywords: list[str] = []
        for value in fields.get("KW", ()):
            keywords.extend(collapse(k) for k in value.split(";"))
        # "PY  - 2019" with "DA  - 2019/05/03": the fullest date wins.
        dates = [d for d in (iso_date(first(tag)) for tag in ("DA", "PY", "Y1", "Y2")) if d]
        date = max(dates, key=len) if dates else None
        key = first("ID", "AN") or None
        return build_record(
            src,
            line,
            title=title,
            abstract=abstract,
            arxiv_id=arxiv,
            doi=doi,
            key=collapse(key) if key else None,
            urls=urls,
            authors=authors,
            date=date,
            categories=tuple(dict.fromkeys(k for k in keywords if k)),
            what=f"RIS record ({first('TY') or 'no type'})",
        )
