"""Regular expressions, compiled once per installation.

``re.compile`` parses and compiles a pattern in Python code: a few tenths of
a millisecond for a short pattern, several milliseconds for a long
alternation such as the metric names of the claims. A short run compiles
about sixty of them, a fifth of its start-up. :func:`compile` keeps what
Python's compiler produced (the code of its matching engine) in the on-disk
cache (:mod:`papertriage.cache`) and builds later processes' pattern objects
from it directly. A pattern from the cache is equal to what ``re.compile``
gives (same source, flags and code): an entry is stored only after that is
checked. The cache is keyed by the Python version, the engine's magic
number and papertriage's version and code; where it cannot be used (another
Python implementation, ``PAPERTRIAGE_NO_CACHE``, a file that is unreadable or
from another Python), patterns are compiled as usual.
"""

from __future__ import annotations

import os
import re
import sys

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

try:  # CPython's matching engine
    import _sre
except ImportError:  # pragma: no cover - another implementation
    _sre = None  # type: ignore[assignment]

FORMAT = 1
MAX_ENTRIES = 4000
"""A stored table larger than this keeps only the patterns of the run that writes it."""

_KIND = "regex"
_stored: dict[Any, Any] | None = None
"""(source, flags) -> arguments of ``_sre.compile`` after the source, as loaded."""
_used: dict[Any, Any] = {}
"""Entries this process used or added."""
_added = False
compiled = 0
"""Patterns this process compiled because the cache did not hold them."""


def _key() -> str:
    """This Python's engine and this version of papertriage (so that patterns
    of earlier versions do not pile up)."""
    from . import cache

    return cache.key_for([], extra=f"regex|{FORMAT}|{getattr(_sre, 'MAGIC', 0)}|{getattr(_sre, 'CODESIZE', 0)}")


def _enabled() -> bool:
    """CPython's engine, and the cache not turned off (``PAPERTRIAGE_NO_CACHE``)."""
    return _sre is not None and sys.implementation.name == "cpython" and not os.environ.get("PAPERTRIAGE_NO_CACHE")


def _table() -> dict[Any, Any]:
    global _stored
    if _stored is None:
        _stored = {}
        if _enabled():
            from . import cache

            hit = cache.load(_KIND, _key())
            if hit is not None and isinstance(hit.get("patterns"), dict):
                _stored = hit["patterns"]
    return _stored


def compile(source: str | bytes, flags: int = 0) -> re.Pattern[Any]:  # noqa: A001 - mirrors re.compile
    """``re.compile(source, flags)``, from the cache where it holds the pattern."""
    flags = int(flags)
    key = (source, flags)
    entry = _table().get(key)
    if entry is not None:
        try:
            rx = _sre.compile(source, *entry)
        except Exception:  # noqa: BLE001 - a malformed entry: compile as usual
            pass
        else:
            _used[key] = entry
            return rx  # type: ignore[no-any-return]
    global compiled
    compiled += 1
    rx = re.compile(source, flags)
    if _enabled():
        _remember(key, source, flags, rx)
    return rx


def _remember(key: Any, source: str | bytes, flags: int, rx: re.Pattern[Any]) -> None:
    global _added
    try:
        entry = _arguments(source, flags)
        if _sre.compile(source, *entry) != rx:  # not what re.compile gives: do not keep
            return
    except Exception:  # noqa: BLE001 - this Python's compiler differs: only slower
        return
    _used[key] = entry
    if not _added:
        _added = True
        import atexit

        atexit.register(save)


def _arguments(source: str | bytes, flags: int) -> tuple[Any, ...]:
    """What ``re.compile`` passes to ``_sre.compile`` after the source."""
    try:
        import re._compiler as compiler  # type: ignore[import-not-found]
        import re._parser as parser  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_compile as compiler  # type: ignore[no-redef]
        import sre_parse as parser  # type: ignore[no-redef]
    parsed = parser.parse(source, flags)
    code = compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    code = [int(op) for op in code]  # some are named int constants, which marshal does not store
    return (int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup))


def save() -> None:
    """Store the patterns compiled in this process with those stored now (run
    at exit when a pattern was not in the cache; what another process stored
    meanwhile is kept)."""
    if not _enabled() or not _added:
        return
    from . import cache

    hit = cache.load(_KIND, _key())
    table = dict(hit["patterns"]) if hit is not None and isinstance(hit.get("patterns"), dict) else {}
    table.update(_used)
    if len(table) > MAX_ENTRIES:
        table = dict(_used)
    cache.store(_KIND, _key(), {"patterns": table})
