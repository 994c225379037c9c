"""Stable, short, typeable paper ids."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from . import regexes

ARXIV_URL_RE = regexes.compile(
    r"arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE
)
ARXIV_TAG_RE = regexes.compile(r"\barXiv\s*:\s*(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE)


def _has_dotted_i(text: str) -> bool:
    """Whether ``text`` holds ``İ`` or ``ı``: ignoring case, these match ``i``
    without lower-casing to it (and ``İ`` lower-cases to two characters)."""
    return not text.isascii() and ("\u0130" in text or "\u0131" in text)


def find_arxiv_id(text: str) -> str | None:
    """The arXiv id the text names explicitly (``arXiv:1601.01530`` or an
    arxiv.org URL), without version suffix; ``None`` if there is none."""
    if "arxiv" not in text.lower() and not _has_dotted_i(text):
        return None  # both patterns need "arxiv", in any case
    m = ARXIV_TAG_RE.search(text) or ARXIV_URL_RE.search(text)
    return m.group(1) if m else None


_ARXIV_ID_RE = regexes.compile(
    r"(?:arxiv\s*:\s*|https?://arxiv\.org/(?:abs|pdf)/)?(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?",
    re.IGNORECASE,
)


def normalise_arxiv_id(value: str) -> str | None:
    """``"arXiv:2301.12345v2"`` -> ``"2301.12345"``; ``None`` when not an arXiv id."""
    m = _ARXIV_ID_RE.fullmatch(value.strip())
    return m.group(1) if m else None


_NON_ALNUM = regexes.compile(r"[^0-9a-z]+")


# ASCII bytes: letters lower-cased, digits kept, everything else a space.
_ASCII_FOLD = bytes(
    c | 0x20 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256)
)


def normalise_title(title: str) -> str:
    """Lower-case, accents stripped, punctuation and spacing collapsed."""
    if title.isascii():
        # NFKD and accent removal change nothing in ASCII text.
        return b" ".join(title.encode("ascii").translate(_ASCII_FOLD).split()).decode("ascii")
    text = unicodedata.normalize("NFKD", title)
    if not text.isascii():
        combining = unicodedata.combining
        text = "".join([c for c in text if not combining(c)])
    text = text.casefold()
    return _NON_ALNUM.sub(" ", text).strip()


def title_hash(norm: str) -> int:
    """A signed 64-bit hash of a normalised title (:func:`normalise_title`): the
    library finds papers with the same title by it, through an index far
    smaller than one of the titles themselves."""
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def title_id(title: str) -> str:
    """``t`` + 10 hex digits of the SHA-1 of the normalised title."""
    if title.isascii():
        data = b" ".join(title.encode("ascii").translate(_ASCII_FOLD).split())
    else:
        data = normalise_title(title).encode("utf-8")
    return "t" + hashlib.sha1(data).hexdigest()[:10]


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


URL_RE = regexes.compile(r"https?://[^\s<>\"'\)\]\}]+|(?<![\w/@.])(?:www\.|github\.com/)[^\s<>\"'\)\]\}]+", re.IGNORECASE)


_URL_KEYS = ("http", "www.", "github.com/")


def _url_matches(text: str) -> list[re.Match[str]]:
    """``URL_RE.finditer(text)`` as a list, with the regex tried only where a
    match can start: where the lower-cased text reads ``http``, ``www.`` or
    ``github.com/``. Ignoring case, the pattern's letters match only their
    ASCII cases, ``ſ`` (for ``s``, not at a start) and ``ı``/``İ`` (for the
    ``i`` of ``github``): text with those is searched in full."""
    if _has_dotted_i(text):
        return list(URL_RE.finditer(text))
    low = text.lower()
    starts: list[int] = []
    for key in _URL_KEYS:
        i = low.find(key)
        while i >= 0:
            starts.append(i)
            i = low.find(key, i + 1)
    if len(starts) > 1:
        starts.sort()
    found: list[re.Match[str]] = []
    match = URL_RE.match
    pos = 0
    for i in starts:
        if i >= pos:
            m = match(text, i)
            if m is not None:
                found.append(m)
                pos = m.end()
    return found


def find_urls(text: str) -> tuple[str, ...]:
    """URLs in the text, trailing punctuation removed, in order, without repeats."""
    if "http" not in text and "www." not in text and ("/" not in text or "github.com/" not in text):
        return ()
    seen: dict[str, None] = {}
    for m in _url_matches(text):
        url = m.group(0).rstrip(".,;:!?")
        if not url.lower().startswith("http"):
            url = "https://" + url
        seen.setdefault(url, None)
    return tuple(seen)
