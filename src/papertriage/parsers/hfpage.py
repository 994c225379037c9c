"""Plain text copied from a Hugging Face Papers page: title line, abstract line.

Real copies carry page noise before the first paper ("Get trending papers in
your email inbox!"), the word ``Subscribe`` glued to the first title, blank
lines between records, CRLF endings and abstracts wrapped over several lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..ids import find_arxiv_id, find_urls, make_id
from ..models import Record
from .base import InputSource
from .common import new_record, new_source
from .. import regexes

NOISE_LINES = {
    "get trending papers in your email inbox once a day!",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "trending papers",
}
_NOISE_MAX = max(map(len, NOISE_LINES))
"""Lines longer than this are not noise lines: case folding never shortens text."""
_SUBSCRIBE = regexes.compile(r"^Subscribe(?=\S)")
_SENTENCE_END = regexes.compile(r"[.!?]['\")\]]*$|[.!?]\s*\(?https?://\S+\)?$")
TITLE_MAX = 300


def _ends_sentence(line: str) -> bool:
    """Whether ``_SENTENCE_END`` matches ``line``: it ends with ``.``, ``!`` or
    ``?`` (then closing quotes or brackets), or with a URL after one. Only the
    end of the line is looked at."""
    if line.endswith("\n"):
        return _SENTENCE_END.search(line) is not None
    if line.rstrip("'\")]").endswith((".", "!", "?")):
        return True
    if "://" not in line or line[-1].isspace():
        return False
    # A URL ending the line is in its last word; the mark before it ends the
    # word before, or is in the last word.
    words = line.rsplit(None, 2)
    tail = words[-1] if len(words) == 1 else words[-2][-1] + " " + words[-1]
    return _SENTENCE_END.search(tail) is not None


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
        record = self._record
        noise_max = _NOISE_MAX
        title: str | None = None
        title_line = 0
        abstract: list[str] = []
        blank = False  # a blank line since the last content line
        # Unwrapped layout: a short line after a title is a short abstract, or
        # the next title when the previous one had no abstract; the next line
        # (its abstract, or not) decides.
        undecided: tuple[int, str] | None = None
        for number, raw in src.lines():
            line = raw.strip()
            if not line:
                blank = True
                continue
            if len(line) <= noise_max and line.casefold() in NOISE_LINES:
                continue
            blank_before, blank = blank, False
            if undecided is not None:
                if len(line) > TITLE_MAX and not blank_before:
                    yield record(src, title, title_line, abstract)  # type: ignore[arg-type]
                    (title_line, title), abstract = undecided, []
                else:
                    abstract.append(undecided[1])
                undecided = None
            if title is None:
                title, title_line = _SUBSCRIBE.sub("", line), number
                continue
            if not abstract:
                if unwrapped:
                    if len(line) <= TITLE_MAX and not _ends_sentence(line):
                        undecided = number, line
                        continue
                elif blank_before and self._looks_like_title(line):
                    # wrapped layout with blank lines: a title alone in its block
                    yield record(src, title, title_line, abstract)
                    title, title_line, abstract = line, number, []
                    continue
                abstract.append(line)
                continue
            if unwrapped:
                new = blank_before or len(line) <= TITLE_MAX
            else:
                new = self._startsnew_record(abstract[-1], line, blank_before)
            if new:
                yield record(src, title, title_line, abstract)
                title, title_line, abstract = line, number, []
            else:
                abstract.append(line)
        if undecided is not None:
            abstract.append(undecided[1])
        if title is not None:
            yield record(src, title, title_line, abstract)

    @staticmethod
    def _record(src: InputSource, title: str, title_line: int, abstract: list[str]) -> Record:
        # Content lines are stripped and not empty.
        text = abstract[0] if len(abstract) == 1 else " ".join(abstract)
        if not text:
            src.warn(title_line, f"title without an abstract: {title[:60]!r}; kept as title-only")
            src.note_no_abstract()
        arxiv = find_arxiv_id(title)
        # Record(id, title, abstract, source, urls, authors, date, categories, doi, arxiv_id, extra)
        return new_record(
            make_id(title, arxiv_id=arxiv), title, text, new_source(src.path, title_line), find_urls(text),
            (), None, (), None, arxiv, {},
        )

    @staticmethod
    def _looks_like_title(line: str) -> bool:
        return len(line) <= 200 and not line.endswith(".")

    @staticmethod
    def _startsnew_record(previous: str, line: str, blank_before: bool) -> bool:
        """Whether ``line`` (after an abstract line ``previous``) is a new title."""
        if blank_before:
            return True
        if len(line) > TITLE_MAX:
            return False  # titles are short; this is more abstract
        if not _ends_sentence(previous):
            return False  # the abstract was wrapped mid-sentence
        if line[:1].islower():
            return False
        if line.endswith(".") and len(line) > 120:
            return False  # reads like a sentence, not a title
        return True
