"""arXiv API responses (Atom XML) and other Atom or RSS feeds.

Both arXiv API layouts read the same: the 2018 one (inline ``xmlns:arxiv`` on
each element, ``scheme`` on every category) and the 2026 one (namespaces on the
root, ``<category>`` before ``<published>``). Entries copied out of a feed into
another root element, with the Atom namespace declared on the first entry
only, read too. RSS ``<item>`` elements (arXiv's RSS feeds) are read as entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import InputError
from ..models import Record
from .base import InputSource
from .common import arxiv_id_of, build_record, clean_doi, collapse, first_arxiv_id, iso_date, split_author_list
from .xmlstream import Handler, looks_html, root_name, stream_xml
from .. import regexes

_ENTRY = frozenset({"entry", "item"})
_TEXT = frozenset(
    {
        "id",
        "title",
        "summary",
        "content",
        "description",
        "published",
        "updated",
        "pubDate",
        "date",
        "doi",
        "link",
        "guid",
        "creator",
        "identifier",
    }
)
_FEED_ROOTS = frozenset({"feed", "rss", "RDF", "channel"})
# arXiv RSS: "arXiv:2401.00001v1 Announce Type: new \nAbstract: ..."
_RSS_PREFIX = regexes.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*(?:Abstract:\s*)?", re.IGNORECASE)
# Old arXiv RSS titles: "Title. (arXiv:1801.00001v1 [cs.LG])"
_RSS_TITLE_SUFFIX = regexes.compile(r"\s*\(arXiv:(\S+?)(?:v\d+)?\s+\[[^\]]*\](?:\s+UPDATED)?\)\s*$")
_TAGS = regexes.compile(r"<[^>]+>")


class _AtomHandler(Handler):
    def __init__(self, src: InputSource) -> None:
        super().__init__(src)
        self.root: str | None = None
        self.entries = 0
        self.depth = 0
        self.entry_depth = 0
        self.entry_line = 0
        self.in_entry = False
        self.fields: dict[str, list[str]] = {}
        self.categories: list[str] = []
        self.links: list[str] = []
        self.authors: list[str] = []
        self.field: str | None = None
        self.field_depth = 0
        self.buf: list[str] = []
        self.author_depth = 0
        self.author_name: str | None = None
        self.author_buf: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        local = self.local(name)
        if self.root is None:
            self.root = local
        if not self.in_entry:
            if local in _ENTRY:
                self.in_entry = True
                self.entry_depth = self.depth
                self.entry_line = self.line
                self.fields = {}
                self.categories = []
                self.links = []
                self.authors = []
            return
        if self.field is not None:
            return  # markup inside a text field (xhtml content): its text is kept
        if self.depth == self.entry_depth + 1:
            if local == "category":
                term = attrs.get("term")
                if term is None:
                    self.field, self.field_depth, self.buf = "category", self.depth, []
                elif term.strip():
                    self.categories.append(term.strip())
            elif local == "primary_category":
                term = (attrs.get("term") or "").strip()
                if term:
                    self.categories.insert(0, term)
            elif local == "link" and "href" in attrs:
                rel = attrs.get("rel", "alternate")
                if rel in ("alternate", "related"):
                    self.links.append(attrs["href"])
            elif local == "author":
                self.author_depth = self.depth
                self.author_name = None
                self.author_buf = []
            elif local in _TEXT:
                self.field, self.field_depth, self.buf = local, self.depth, []
        elif self.author_buf is not None and local == "name" and self.depth == self.author_depth + 1:
            self.field, self.field_depth, self.buf = "name", self.depth, []

    def data(self, text: str) -> None:
        if self.field is not None:
            self.buf.append(text)
        elif self.author_buf is not None:
            self.author_buf.append(text)

    def end(self, name: str) -> None:
        depth = self.depth
        self.depth -= 1
        if not self.in_entry:
            return
        if self.field is not None:
            if depth != self.field_depth:
                return
            text = "".join(self.buf)
            if self.field == "name":
                self.author_name = text
            elif self.field == "category":
                if text.strip():
                    self.categories.append(text.strip())
            else:
                self.fields.setdefault(self.field, []).append(text)
            self.field = None
            return
        if self.author_buf is not None and depth == self.author_depth:
            name_text = self.author_name if self.author_name is not None else "".join(self.author_buf)
            self.authors.append(collapse(name_text))
            self.author_buf = None
            return
        if depth == self.entry_depth:
            self.in_entry = False
            self.entries += 1
            rec = self._record()
            if rec is not None:
                self.records.append(rec)

    def _first(self, *names: str) -> str:
        for name in names:
            for value in self.fields.get(name, ()):
                if value.strip():
                    return value
        return ""

    def _record(self) -> Record | None:
        src = self.src
        ident = self._first("id", "guid", "identifier")
        title = self._first("title")
        abstract = self._first("summary", "description", "content")
        if "arxiv.org/api/errors" in ident:
            src.skip(self.entry_line, f"the arXiv API returned an error: {collapse(abstract) or collapse(title)}")
            return None
        abstract = _TAGS.sub(" ", abstract) if "<" in abstract else abstract
        title_arxiv = None
        m = _RSS_TITLE_SUFFIX.search(title)
        if m:
            title_arxiv = arxiv_id_of(m.group(1))
            title = title[: m.start()]
        if abstract.lstrip().startswith("arXiv:"):
            abstract = _RSS_PREFIX.sub("", abstract, count=1)
        links = [*(v.strip() for v in self.fields.get("link", ())), *self.links]
        arxiv = first_arxiv_id(ident, title_arxiv, *links)
        doi = clean_doi(self._first("doi")) or next(
            (
                clean_doi(v)
                for v in (*self.fields.get("identifier", ()), *links)
                if "doi" in v.casefold() and clean_doi(v)
            ),
            None,
        )
        authors = [a for a in self.authors if a]
        for creator in self.fields.get("creator", ()):
            authors.extend(split_author_list(collapse(_TAGS.sub(" ", creator))))
        return build_record(
            src,
            self.entry_line,
            title=title,
            abstract=abstract,
            arxiv_id=arxiv,
            doi=doi,
            urls=links,
            authors=authors,
            date=iso_date(self._first("published", "pubDate", "date", "updated")),
            categories=tuple(dict.fromkeys(self.categories)),
            what="feed entry",
        )

    def finish(self) -> None:
        if self.entries == 0:
            if self.root in _FEED_ROOTS:
                self.src.warn(None, "the feed has no entries: no papers")
            else:
                raise InputError(
                    self.src.path,
                    f"XML with root element <{self.root}> holds no Atom <entry> or RSS <item> elements",
                    hint="papertriage reads arXiv API (Atom), RSS and OAI-PMH XML; --input-format chooses a reader",
                )


class AtomDialect:
    name = "atom"
    description = "arXiv API response or other Atom/RSS feed (XML <entry>/<item> elements)"

    def detect(self, src: InputSource) -> float:
        text = src.head_text
        if looks_html(text):
            return 0.0
        root = root_name(text)
        if root is None:
            return 0.0
        head = text[:8192]
        if root in ("feed", "rss", "RDF") or "http://www.w3.org/2005/Atom" in head:
            return 0.95
        if "<entry" in head and ("<summary" in text or "arxiv.org/abs" in text):
            return 0.9
        return 0.4  # some other XML: read as a feed, with a clear error if it is none

    def parse(self, src: InputSource) -> Iterator[Record]:
        return stream_xml(src, _AtomHandler(src))
