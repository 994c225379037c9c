"""Stable, short, typeable paper ids."""

from __future__ import annotations

import hashlib
import re
import unicodedata

ARXIV_URL_RE = re.compile(
    r"arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE
)
ARXIV_TAG_RE = re.compile(r"\barXiv\s*:\s*(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE)


def find_arxiv_id(text: str) -> str | None:
    """The arXiv id the text names explicitly (``arXiv:1601.01530`` or an
    arxiv.org URL), without version suffix; ``None`` if there is none."""
    m = ARXIV_TAG_RE.search(text) or ARXIV_URL_RE.search(text)
    return m.group(1) if m else None


def normalise_arxiv_id(value: str) -> str | None:
    """``"arXiv:2301.12345v2"`` -> ``"2301.12345"``; ``None`` when not an arXiv id."""
    value = value.strip()
    m = re.fullmatch(
        r"(?:arxiv\s*:\s*|https?://arxiv\.org/(?:abs|pdf)/)?(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?",
        value,
        re.IGNORECASE,
    )
    return m.group(1) if m else None


_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_title(title: str) -> str:
    """Lower-case, accents stripped, punctuation and spacing collapsed."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold()
    return _NON_ALNUM.sub(" ", text).strip()


def title_id(title: str) -> str:
    """``t`` + 10 hex digits of the SHA-1 of the normalised title."""
    digest = hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()
    return "t" + digest[:10]


def doi_id(doi: str) -> str:
    """Ids from DOIs stay readable: ``doi:10.1000/xyz``."""
    return "doi:" + doi.strip().lower()


def make_id(title: str, *, arxiv_id: str | None = None, doi: str | None = None, key: str | None = None) -> str:
    """The id papertriage uses for a paper: arXiv id, else DOI, else the source's
    key, else a hash of the title."""
    if arxiv_id:
        return arxiv_id
    if doi:
        return doi_id(doi)
    if key:
        return key
    return title_id(title)


URL_RE = re.compile(r"https?://[^\s<>\"'\)\]\}]+|(?<![\w/@.])(?:www\.|github\.com/)[^\s<>\"'\)\]\}]+", re.IGNORECASE)


def find_urls(text: str) -> tuple[str, ...]:
    """URLs in the text, trailing punctuation removed, in order, without repeats."""
    if "http" not in text and "www." not in text and "github.com/" not in text:
        return ()
    seen: dict[str, None] = {}
    for m in URL_RE.finditer(text):
        url = m.group(0).rstrip(".,;:!?")
        if not url.lower().startswith("http"):
            url = "https://" + url
        seen.setdefault(url, None)
    return tuple(seen)
