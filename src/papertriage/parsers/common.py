"""Small helpers shared by the dialects: text clean-up, dates, ids, names.

Every helper is cheap and total: it takes whatever a source gives (possibly
``None`` or a wrong type) and returns a value or ``None``, never raising.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..ids import ARXIV_TAG_RE, ARXIV_URL_RE, find_urls, make_id, normalise_arxiv_id
from ..models import Record, Source, constructor
from .base import InputSource
from .. import regexes

new_record = constructor(Record)
"""``Record(id, title, abstract, source, urls, authors, date, categories, doi, arxiv_id, extra)``,
every field given (see :func:`~papertriage.models.constructor`): what the parsers build a record with."""
new_source = constructor(Source)


# ASCII bytes: whitespace (as ``str.split`` sees it) becomes a space.
_ASCII_SPACE = bytes(32 if c < 128 and chr(c).isspace() else c for c in range(256))
_SPACES = regexes.compile(rb"  +")


def collapse(text: str | None) -> str:
    """Whitespace runs (including line breaks of wrapped text) become one space."""
    if not text:
        return ""
    if len(text) > 100 and text.isascii():
        # " ".join(text.split()) without a string per word
        data = text.encode("ascii").translate(_ASCII_SPACE).strip(b" ")
        if b"  " in data:
            data = _SPACES.sub(b" ", data)
        return data.decode("ascii")
    return " ".join(text.split())


# -- arXiv ids and DOIs ---------------------------------------------------

_ARXIV_DOI = regexes.compile(r"10\.48550/arxiv\.(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE)
_ARXIV_ABS = regexes.compile(r"\babs/(\d{4}\.\d{4,5})(?:v\d+)?\b")  # DBLP: "CoRR abs/1512.03385"
_ARXIV_OAI = regexes.compile(r"oai:arxiv\.org:(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE)


def plausible_arxiv_id(ident: str) -> bool:
    """New-style ids have a real month and 4 digits before 2015, 5 from 2015."""
    if "/" in ident:
        return True
    yymm, _, number = ident.partition(".")
    if not 1 <= int(yymm[2:]) <= 12 or yymm < "0704":
        return False
    return len(number) == (5 if yymm >= "1501" else 4)


def arxiv_id_of(value: object) -> str | None:
    """The arXiv id a field names: a bare id, ``arXiv:ID``, an arxiv.org URL,
    an arXiv DOI (``10.48550/arXiv.ID``), an OAI identifier
    (``oai:arXiv.org:ID``) or ``CoRR abs/ID``; without version."""
    if not isinstance(value, str) or not value:
        return None
    found = normalise_arxiv_id(value)
    if not found:
        m = (
            ARXIV_TAG_RE.search(value)
            or ARXIV_URL_RE.search(value)
            or _ARXIV_DOI.search(value)
            or _ARXIV_OAI.search(value)
        )
        if m is None and "corr" in value.casefold():
            m = _ARXIV_ABS.search(value)
        found = m.group(1) if m else None
    return found if found and plausible_arxiv_id(found) else None


def first_arxiv_id(*values: object) -> str | None:
    for value in values:
        found = arxiv_id_of(value)
        if found:
            return found
    return None


_DOI = regexes.compile(r"10\.\d{4,9}/\S+")


def clean_doi(value: object) -> str | None:
    """A DOI from ``10.1000/x``, ``doi:10.1000/x`` or a doi.org URL; ``None`` when
    the value holds no DOI (e.g. a bare prefix such as ``10.1007``)."""
    if not isinstance(value, str):
        return None
    m = _DOI.search(value)
    if not m:
        return None
    doi = m.group(0).rstrip(".,;]}")
    while doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1]
    return doi


# -- dates ------------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_ISO = regexes.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:$|[T\s/])")
# "Thu, 18 Dec 2025 05:03:49 GMT", "2 Apr 2007", "18 December 2025"
_DAY_MONTH_YEAR = regexes.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
# "Dec 18, 2025", "December 2025"
_MONTH_DAY_YEAR = regexes.compile(r"\b([A-Za-z]{3,9})\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})\b")
_YEAR = regexes.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def _ymd(year: int, month: int | None, day: int | None) -> str:
    if month and day and 1 <= month <= 12 and 1 <= day <= 31:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return f"{year:04d}"


def iso_date(value: object) -> str | None:
    """``YYYY-MM-DD`` when the value gives a day, else ``YYYY``; the text as
    given (trimmed) when no date can be read from it; ``None`` when empty."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        year = int(value)
        return f"{year:04d}" if 1000 <= year <= 2999 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    m = _ISO.match(text)
    if m:
        return _ymd(int(m.group(1)), int(m.group(2)) if m.group(2) else None, int(m.group(3)) if m.group(3) else None)
    m = _DAY_MONTH_YEAR.search(text)
    if m and m.group(2).casefold() in MONTHS:
        return _ymd(int(m.group(3)), MONTHS[m.group(2).casefold()], int(m.group(1)))
    m = _MONTH_DAY_YEAR.search(text)
    if m and m.group(1).casefold() in MONTHS:
        return _ymd(int(m.group(3)), MONTHS[m.group(1).casefold()], int(m.group(2)) if m.group(2) else None)
    m = _YEAR.search(text)
    if m:
        return m.group(1)
    return text


# -- people -----------------------------------------------------------------


def split_top_level(text: str, separators: re.Pattern[str]) -> list[str]:
    """Split on ``separators`` outside parentheses and braces."""
    parts: list[str] = []
    depth = 0
    start = 0
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth = max(0, depth - 1)
        elif depth == 0:
            m = separators.match(text, pos)
            if m and m.end() > pos:
                parts.append(text[start:pos])
                start = pos = m.end()
                continue
        pos += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_AUTHOR_SEP = regexes.compile(r",\s*(?:and\s+)?|\s+and\s+|;\s*")


def split_author_list(text: str | None) -> tuple[str, ...]:
    """``"A. Smith, B. Jones and C. Doe"`` -> three names (affiliations in
    parentheses stay with their author)."""
    if not text:
        return ()
    return tuple(collapse(p) for p in split_top_level(text, _AUTHOR_SEP))


def last_first(name: str) -> str:
    """``"Smith, Jane"`` -> ``"Jane Smith"``; ``"Smith, Jr., Jane"`` ->
    ``"Jane Smith Jr."``; other forms unchanged."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and parts[0] and parts[1]:
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and parts[0] and parts[2]:
        return " ".join(p for p in (parts[2], parts[0], parts[1]) if p)
    return collapse(name)


# -- categories ----------------------------------------------------------------

ARXIV_CATEGORY = regexes.compile(r"^[a-z\-]+(?:\.[A-Za-z\-]+)?$")
# arXiv archives that are categories without a subject class.
ARXIV_ARCHIVES = frozenset(
    "astro-ph cond-mat gr-qc hep-ex hep-lat hep-ph hep-th math-ph nlin nucl-ex nucl-th physics quant-ph "
    "q-alg alg-geom dg-ga funct-an chao-dyn solv-int patt-sol adap-org cmp-lg comp-gas mtrl-th supr-con "
    "acc-phys ao-sci atom-ph bayes-an chem-ph plasm-ph".split()
)


def is_arxiv_category(word: str) -> bool:
    return word in ARXIV_ARCHIVES or ("." in word and bool(ARXIV_CATEGORY.match(word)))


_LISTING_CODE = regexes.compile(r"\(([a-z\-]+(?:\.[A-Za-z\-]+)?)\)\s*$")


def split_categories(value: object) -> tuple[str, ...]:
    """Categories or keywords as given, split into items.

    A list is taken as is; a string is split on ``;`` (or new lines), else on
    spaces when every word is an arXiv category (``cs.AI cs.LG``), else on
    commas. arXiv listing form (``Sound (cs.SD); Audio ... (eess.AS)``) gives
    the codes.
    """
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        items = [collapse(str(v)) for v in value if v is not None and not isinstance(v, (dict, list))]
        return tuple(dict.fromkeys(i for i in items if i))
    if not isinstance(value, str):
        return ()
    text = value.strip()
    if not text:
        return ()
    if ")" in text:  # each part of arXiv listing form ends with "(code)"
        listing = [_LISTING_CODE.search(part) for part in text.split(";")]
        if all(m and is_arxiv_category(m.group(1)) for m in listing):
            return tuple(dict.fromkeys(m.group(1) for m in listing))  # type: ignore[union-attr]
    if "\n" in text:
        parts = text.split("\n")
    elif ";" in text:
        parts = text.split(";")
    else:
        words = text.split()
        if len(words) > 1 and all(is_arxiv_category(w) for w in words):
            parts = words
        elif "," in text:
            parts = text.split(",")
        else:
            parts = [text]
    items = [collapse(p) for p in parts]
    items = [i for i in items if i]
    return tuple(dict.fromkeys(items))


# -- urls and records -----------------------------------------------------------


def merge_urls(abstract: str, given: Iterable[object] = ()) -> tuple[str, ...]:
    """URLs in the abstract, then the source's own URL fields, without repeats."""
    seen: dict[str, None] = dict.fromkeys(find_urls(abstract)) if abstract else {}
    for url in given:
        if isinstance(url, str):
            url = url.strip()
            if url.lower().startswith(("http://", "https://", "ftp://")) and " " not in url:
                seen.setdefault(url, None)
    return tuple(seen)


def build_record(
    src: InputSource,
    line: int,
    *,
    title: str,
    abstract: str = "",
    arxiv_id: str | None = None,
    doi: str | None = None,
    key: str | None = None,
    urls: Iterable[object] = (),
    authors: Iterable[str] = (),
    date: str | None = None,
    categories: Iterable[str] = (),
    what: str = "entry",
) -> Record | None:
    """A :class:`Record` from cleaned-up fields, or ``None`` (after
    ``src.skip``) when there is no title. Counts a missing abstract."""
    title = collapse(title)
    if not title:
        src.skip(line, f"{what} has no title")
        return None
    abstract = collapse(abstract)
    if not abstract:
        src.note_no_abstract()
    # Record(id, title, abstract, source, urls, authors, date, categories, doi, arxiv_id, extra)
    return new_record(
        make_id(title, arxiv_id=arxiv_id, doi=doi, key=key), title, abstract, new_source(src.path, line),
        merge_urls(abstract, urls), tuple([a for a in authors if a]), date, tuple(categories), doi, arxiv_id, {},
    )
