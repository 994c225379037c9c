"""BibTeX, as Zotero, EndNote, JabRef, Google Scholar and DBLP export it.

Entries are read one at a time: an entry starts at a line beginning with
``@type{`` (or ``@type(``) and ends where its braces balance. Values may be
braced (nested braces), quoted, numbers or ``@string`` macros joined with
``#``; ``@comment`` and ``@preamble`` are ignored. LaTeX escapes in titles,
abstracts, authors and keywords are decoded to Unicode. An entry whose braces
never balance is skipped when the next entry starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Record
from .base import InputSource
from .common import (
    build_record,
    clean_doi,
    collapse,
    first_arxiv_id,
    iso_date,
    last_first,
    split_categories,
    split_top_level,
)
from .latex import decode
from .. import regexes

_START = regexes.compile(r"^\s*@\s*([A-Za-z][\w\-]*)\s*([{(])")
_DETECT = regexes.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]\s*[^\s,=]*\s*,", re.M)
_BRACES = regexes.compile(r"\\[{}]|[{}()]")
# What braced and quoted values are scanned for: a backslash escapes the next character.
_BRACED_TOKEN = regexes.compile(r"\\.|[{}]", re.DOTALL)
_QUOTED_TOKEN = regexes.compile(r'\\.|[{}"]', re.DOTALL)
_NAME = regexes.compile(r"\s*([^\s=,{}()\"#]+)\s*")
_NUMBER = regexes.compile(r"\d+")
_AND = regexes.compile(r"\s+and\s+", re.IGNORECASE)
_URL_SPLIT = regexes.compile(r"[\s,;]+")
_MONTHS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}


class _Malformed(Exception):
    pass


class _EntryParser:
    """Parses the text of one ``@type{key, field = value, ...}`` entry."""

    def __init__(self, text: str, macros: dict[str, str]) -> None:
        self.text = text
        self.pos = 0
        self.macros = macros

    def _skip_space(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and (text[pos].isspace() or text[pos] == ","):
            pos += 1
        self.pos = pos

    def braced(self) -> str:
        """The text of ``{...}`` at pos (without the outer braces)."""
        text = self.text
        depth = 0
        start = self.pos + 1
        for m in _BRACED_TOKEN.finditer(text, self.pos):
            token = m.group()
            if token == "{":
                depth += 1
            elif token == "}":
                depth -= 1
                if depth == 0:
                    self.pos = m.end()
                    return text[start : m.start()]
        raise _Malformed("a '{' is never closed")

    def quoted(self) -> str:
        text = self.text
        depth = 0
        start = self.pos + 1
        for m in _QUOTED_TOKEN.finditer(text, start):
            token = m.group()
            if token == "{":
                depth += 1
            elif token == "}":
                depth -= 1
            elif token == '"' and depth <= 0:
                self.pos = m.end()
                return text[start : m.start()]
        raise _Malformed("a '\"' is never closed")

    def value(self) -> str:
        parts: list[str] = []
        while True:
            while self.pos < len(self.text) and self.text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(self.text):
                raise _Malformed("the entry ends inside a field value")
            ch = self.text[self.pos]
            if ch == "{":
                parts.append(self.braced())
            elif ch == '"':
                parts.append(self.quoted())
            else:
                m = _NAME.match(self.text, self.pos)
                if not m:
                    raise _Malformed(f"unexpected {ch!r} where a field value should be")
                self.pos = m.end()
                word = m.group(1)
                if _NUMBER.fullmatch(word):
                    parts.append(word)
                else:
                    low = word.lower()
                    parts.append(self.macros.get(low, _MONTHS.get(low, word)))
            while self.pos < len(self.text) and self.text[self.pos].isspace():
                self.pos += 1
            if self.pos < len(self.text) and self.text[self.pos] == "#":
                self.pos += 1
                continue
            return "".join(parts)

    def fields(self, closing: str) -> dict[str, str]:
        """``name = value`` pairs up to the closing delimiter; the last of repeated names wins."""
        out: dict[str, str] = {}
        text = self.text
        while True:
            self._skip_space()
            if self.pos >= len(text):
                raise _Malformed("the entry is not closed")
            if text[self.pos] == closing:
                return out
            m = _NAME.match(text, self.pos)
            if not m:
                raise _Malformed(f"unexpected {text[self.pos]!r} where a field name should be")
            name = m.group(1).lower()
            self.pos = m.end()
            if self.pos >= len(text) or text[self.pos] != "=":
                raise _Malformed(f"field {name!r} has no '='")
            self.pos += 1
            out[name] = self.value()


def _authors(raw: str) -> tuple[str, ...]:
    names = []
    for part in split_top_level(raw, _AND):
        name = collapse(decode(part))
        if not name or name.lower() == "others":
            continue
        names.append(last_first(name))
    return tuple(names)


def _unescape_url(value: str) -> str:
    return value.replace("\\_", "_").replace("\\%", "%").replace("\\&", "&").replace("\\#", "#").replace("\\~", "~")


class BibTeXDialect:
    name = "bibtex"
    description = "BibTeX (.bib) export of Zotero, EndNote, JabRef, Google Scholar, DBLP, ..."

    def detect(self, src: InputSource) -> float:
        text = src.head_text
        if _DETECT.search(text):
            return 0.9
        if re.search(r"^\s*@\s*(?:string|comment|preamble)\s*[{(]", text, re.M | re.I):
            return 0.8
        return 0.0

    def parse(self, src: InputSource) -> Iterator[Record]:
        macros: dict[str, str] = {}
        buf: list[str] = []
        start_line = 0
        kind = ""
        closing = "}"
        depth = 0  # braces (or parentheses for @type( entries) still open
        for number, line in src.lines():
            if not buf:
                m = _START.match(line)
                if not m:
                    continue  # text between entries is a comment in BibTeX
                kind, closing = m.group(1).lower(), "}" if m.group(2) == "{" else ")"
                start_line, depth = number, 0
                line = line[line.index("@") :]
            elif _START.match(line) and depth > 0:
                # A new entry starts while the last one is still open.
                src.skip(start_line, f"@{kind} entry never closes its braces (next entry starts at line {number})")
                buf = []
                m = _START.match(line)
                assert m is not None
                kind, closing = m.group(1).lower(), "}" if m.group(2) == "{" else ")"
                start_line, depth = number, 0
                line = line[line.index("@") :]
            buf.append(line)
            depth = self._depth(line, depth, closing)
            if depth <= 0:
                text = "\n".join(buf)
                buf = []
                rec = self._entry(src, start_line, kind, closing, text, macros)
                if rec is not None:
                    yield rec
        if buf:
            src.skip(start_line, f"@{kind} entry is not closed at the end of the input (truncated file?)")

    @staticmethod
    def _depth(line: str, depth: int, closing: str) -> int:
        for m in _BRACES.finditer(line):
            token = m.group()
            if token[0] == "\\":
                continue
            if closing == "}":
                if token == "{":
                    depth += 1
                elif token == "}":
                    depth -= 1
            else:
                if token in "({":
                    depth += 1
                elif token in ")}":
                    depth -= 1
        return depth

    def _entry(
        self, src: InputSource, line: int, kind: str, closing: str, text: str, macros: dict[str, str]
    ) -> Record | None:
        if kind in ("comment", "preamble"):
            return None
        parser = _EntryParser(text, macros)
        open_at = text.index("{" if closing == "}" else "(")
        parser.pos = open_at + 1
        try:
            if kind == "string":
                for name, value in parser.fields(closing).items():
                    macros[name] = value
                return None
            comma = text.find(",", parser.pos)
            close = text.find(closing, parser.pos)
            if comma < 0 or (0 <= close < comma):
                src.skip(line, f"@{kind} entry has no fields")
                return None
            key = text[parser.pos : comma].strip()
            parser.pos = comma + 1
            fields = parser.fields(closing)
        except _Malformed as exc:
            src.skip(line, f"@{kind} entry: {exc}")
            return None
        what = f"@{kind}{{{key}}}" if key else f"@{kind} entry"
        get = fields.get
        eprint = get("eprint", "")
        prefix = (get("archiveprefix") or get("eprinttype") or "").lower()
        note = get("note", "")
        url_field = _unescape_url(get("url", ""))
        urls = [u for u in _URL_SPLIT.split(url_field) if u]
        doi = clean_doi(_unescape_url(get("doi", "")))
        arxiv = first_arxiv_id(
            eprint if (not prefix or prefix == "arxiv") else None,
            *urls,
            doi,
            get("journal"),
            get("journaltitle"),
            get("howpublished"),
            note if note.lstrip().lower().startswith("arxiv") else None,
        )
        date = iso_date(get("date")) if get("date") else iso_date(get("year"))
        return build_record(
            src,
            line,
            title=decode(get("title", "")),
            abstract=decode(get("abstract", "")),
            arxiv_id=arxiv,
            doi=doi,
            key=key or None,
            urls=urls,
            authors=_authors(get("author", "")),
            date=date,
            categories=split_categories(decode(get("keywords", ""))),
            what=what,
        )
