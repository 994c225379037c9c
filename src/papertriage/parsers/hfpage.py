"""Plain text copied from a Hugging Face Papers page: title line, abstract line.

Real copies carry page noise before the first paper ("Get trending papers in
your email inbox!"), the word ``Subscribe`` glued to the first title, blank
lines between records, CRLF endings and abstracts wrapped over several lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..ids import find_arxiv_id, find_urls, make_id
from ..models import Record, Source
from .base import InputSource

NOISE_LINES = {
    "get trending papers in your email inbox once a day!",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "trending papers",
}
_SUBSCRIBE = re.compile(r"^Subscribe(?=\S)")
_SENTENCE_END = re.compile(r"[.!?]['\")\]]*$|[.!?]\s*\(?https?://\S+\)?$")
TITLE_MAX = 300


def _is_noise(line: str) -> bool:
    return line.strip().casefold() in NOISE_LINES


class HFPageDialect:
    name = "hf-page"
    description = "Hugging Face Papers page copied as text: a title line, then its abstract"

    def detect(self, src: InputSource) -> float:
        text = src.head_text
        if "Get trending papers in your email inbox" in text or re.search(r"^Subscribe\S", text, re.M):
            return 0.9
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(lines) < 2:
            return 0.1 if lines else 0.0
        # Alternating short/long lines is the shape of this format.
        short = sum(1 for ln in lines[:40] if len(ln) <= TITLE_MAX)
        long_ = sum(1 for ln in lines[:40] if len(ln) > TITLE_MAX)
        if short and long_:
            return 0.3
        return 0.1  # plain text: the fallback dialect

    def parse(self, src: InputSource) -> Iterator[Record]:
        title: str | None = None
        title_line = 0
        abstract: list[str] = []
        blank_before = False
        first_title = True

        def emit() -> Record:
            nonlocal title, abstract
            assert title is not None
            text = " ".join(part.strip() for part in abstract).strip()
            if not text:
                src.warn(title_line, f"title without an abstract: {title[:60]!r}; kept as title-only")
                src.note_no_abstract()
            arxiv = find_arxiv_id(title)
            rec = Record(
                id=make_id(title, arxiv_id=arxiv),
                title=title,
                abstract=text,
                source=Source(src.path, title_line),
                urls=find_urls(text),
                arxiv_id=arxiv,
            )
            title, abstract = None, []
            return rec

        for number, raw in src.lines():
            line = raw.strip()
            if not line:
                blank_before = True
                continue
            if title is None:
                if _is_noise(line):
                    continue
                if first_title:
                    line = _SUBSCRIBE.sub("", line)
                    first_title = False
                title, title_line, blank_before = line, number, False
                continue
            if not abstract:
                if blank_before and len(line) <= TITLE_MAX and not _SENTENCE_END.search(line) and len(title) > TITLE_MAX:
                    pass  # unusual; treat as abstract anyway
                abstract.append(line)
                blank_before = False
                continue
            if self._starts_new_record(abstract[-1], line, blank_before):
                yield emit()
                title, title_line = line, number
            else:
                abstract.append(line)
            blank_before = False
        if title is not None:
            yield emit()

    @staticmethod
    def _starts_new_record(previous: str, line: str, blank_before: bool) -> bool:
        """Whether ``line`` (after an abstract line ``previous``) is a new title."""
        if blank_before:
            return True
        if len(line) > TITLE_MAX:
            return False  # titles are short; this is more abstract
        if not _SENTENCE_END.search(previous):
            return False  # the abstract was wrapped mid-sentence
        if line[:1].islower():
            return False
        if line.endswith(".") and len(line) > 120:
            return False  # reads like a sentence, not a title
        return True
