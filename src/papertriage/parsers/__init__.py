"""Input dialects and format detection.

Each dialect is one module with one class implementing
:class:`~papertriage.parsers.base.Dialect`; :data:`DIALECTS` is the registry.
Detection asks every dialect how sure it is and takes the surest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from ..errors import InputError, UsageError
from ..models import Record
from .base import Dialect, InputSource, WarnFn
from .hfpage import HFPageDialect


def _load_dialects() -> list[Dialect]:
    dialects: list[Dialect] = []
    # Specific formats first; the plain-text page dialect is the fallback.
    try:
        from .registry_extra import EXTRA_DIALECTS
    except ImportError:  # pragma: no cover - during development
        EXTRA_DIALECTS = []
    dialects.extend(EXTRA_DIALECTS)
    dialects.append(HFPageDialect())
    return dialects


DIALECTS: list[Dialect] = _load_dialects()


def dialect_names() -> list[str]:
    return [d.name for d in DIALECTS]


def get_dialect(name: str) -> Dialect:
    for d in DIALECTS:
        if d.name == name:
            return d
    from rapidfuzz import process

    close = [m[0] for m in process.extract(name, dialect_names(), limit=2, score_cutoff=50)]
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise UsageError(f"unknown input format {name!r}{hint} (see `papertriage formats`)")


def detect(src: InputSource) -> Dialect:
    """The dialect that is surest about ``src``."""
    best: Dialect | None = None
    best_score = 0.0
    for d in DIALECTS:
        score = d.detect(src)
        if score > best_score:
            best, best_score = d, score
    if best is None:
        return DIALECTS[-1]
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
