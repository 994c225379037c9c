"""Input dialects and format detection.

Each dialect is one module with one class implementing
:class:`~papertriage.parsers.base.Dialect`; :data:`DIALECTS` is the registry.
Detection asks every dialect how sure it is and takes the surest.
"""

from __future__ import annotations

from collections.abc import Iterator

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import BinaryIO

from ..errors import InputError, UsageError
from ..models import Record
from .base import Dialect, InputSource, WarnFn
from .hfpage import HFPageDialect


_HFPAGE = HFPageDialect()
_DIALECTS: list[Dialect] | None = None


def _load_dialects() -> list[Dialect]:
    """Every dialect, specific formats first, the plain-text page dialect last
    (imported on first use: most runs need only one)."""
    global _DIALECTS
    if _DIALECTS is None:
        from .registry_extra import EXTRA_DIALECTS

        _DIALECTS = [*EXTRA_DIALECTS, _HFPAGE]
    return _DIALECTS


def __getattr__(name: str) -> object:
    if name == "DIALECTS":
        return _load_dialects()
    raise AttributeError(name)


def dialect_names() -> list[str]:
    return [d.name for d in _load_dialects()]


def get_dialect(name: str) -> Dialect:
    if name == _HFPAGE.name:
        return _HFPAGE
    for d in _load_dialects():
        if d.name == name:
            return d
    from rapidfuzz import process

    close = [m[0] for m in process.extract(name, dialect_names(), limit=2, score_cutoff=50)]
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise UsageError(f"unknown input format {name!r}{hint} (see `papertriage formats`)")


def detect(src: InputSource) -> Dialect:
    """The dialect that is surest about ``src``."""
    if _HFPAGE.detect(src) >= 0.9 and src.head_text.lstrip()[:1] not in ("<", "{", "[", "@"):
        return _HFPAGE  # the page's own noise lines: no other format has them
    best: Dialect | None = None
    best_score = 0.0
    for d in _load_dialects():
        score = d.detect(src)
        if score > best_score:
            best, best_score = d, score
    if best is None:
        return _HFPAGE
    return best


def read_source(
    path: str,
    *,
    input_format: str | None = None,
    stdin: BinaryIO | None = None,
    warn: WarnFn | None = None,
    strict: bool = False,
    on_open=None,
) -> Iterator[Record]:
    """Stream the records of one input (``-`` for stdin).

    Raises :class:`InputError` for input that cannot be read at all (missing,
    a directory, binary data). Empty input yields nothing (with a note).
    ``on_open`` is called with the :class:`InputSource` before reading.
    """
    dialect = get_dialect(input_format) if input_format else None
    with InputSource.open(path, stdin=stdin, warn=warn, strict=strict) as src:
        if on_open is not None:
            on_open(src)
        if src.is_empty():
            src._warn(path, None, "empty input: no papers")
            return
        if src.looks_binary():
            raise InputError(path, "binary data, not a text dump of papers", hint="give a text, XML, JSON, BibTeX, RIS or CSV export")
        if dialect is None:
            dialect = detect(src)
        yield from dialect.parse(src)


__all__ = ["DIALECTS", "Dialect", "InputSource", "detect", "dialect_names", "get_dialect", "read_source", "Record"]
