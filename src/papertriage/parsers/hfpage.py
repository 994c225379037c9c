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
        # One line per abstract (a page copy) or abstracts wrapped over lines?
        unwrapped = any(len(ln) > TITLE_MAX for ln in src.head_text.splitlines()[:200])
        title: str | None = None
        title_line = 0
        abstract: list[str] = []
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

        lines = self._content_lines(src)
        pending: tuple[int, str, bool] | None = None
        while True:
            if pending is not None:
                item, pending = pending, None
            else:
                item = next(lines, None)
            if item is None:
                break
            number, line, blank_before = item
            if title is None:
                if first_title:
                    line = _SUBSCRIBE.sub("", line)
                    first_title = False
                title, title_line = line, number
                continue
            if not abstract:
                if unwrapped and len(line) <= TITLE_MAX and not _SENTENCE_END.search(line):
                    # A short line after a title: a short abstract, or the next
                    # title when the previous one had no abstract?
                    nxt = next(lines, None)
                    pending = nxt
                    if nxt is not None and len(nxt[1]) > TITLE_MAX and not nxt[2]:
                        yield emit()
                        title, title_line = line, number
                        continue
                if blank_before and not unwrapped and len(abstract) == 0 and self._looks_like_title(line):
                    # wrapped layout with blank lines: a title alone in its block
                    yield emit()
                    title, title_line = line, number
                    continue
                abstract.append(line)
                continue
            if unwrapped:
                new = blank_before or len(line) <= TITLE_MAX
            else:
                new = self._starts_new_record(abstract[-1], line, blank_before)
            if new:
                yield emit()
                title, title_line = line, number
            else:
                abstract.append(line)
        if title is not None:
            yield emit()

    @staticmethod
    def _content_lines(src: InputSource) -> Iterator[tuple[int, str, bool]]:
        """(line number, text, blank line before) of non-blank, non-noise lines."""
        blank = False
        for number, raw in src.lines():
            line = raw.strip()
            if not line:
                blank = True
                continue
            if _is_noise(line):
                continue
            yield number, line, blank
            blank = False

    @staticmethod
    def _looks_like_title(line: str) -> bool:
        return len(line) <= 200 and not line.endswith(".")

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
