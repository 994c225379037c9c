"""Process-level set-up done once at start-up."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from types import ModuleType


FASTCORE_ENGINE = "aho-corasick-c"
"""The matching engine's name when the C core is in use (part of the rules' cache key)."""


def fastcore() -> ModuleType | None:
    """The optional C core (``papertriage._fastcore``, built where a C compiler
    is present), or ``None`` where it is not built or
    ``PAPERTRIAGE_PURE_PYTHON=1`` turns it off. Every part of it has a
    pure-Python twin with the same results."""
    if os.environ.get("PAPERTRIAGE_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from . import _fastcore  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - built without a C compiler
        return None
    return _fastcore


def tune_process() -> None:
    """Keep glibc from returning and re-faulting large buffers on every batch
    (a measurable cost when streaming millions of records)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        libc.mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024)
        libc.mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024)
    except (OSError, AttributeError):  # not glibc
        pass


def keep_loaded() -> None:
    """Start-up is over: leave everything allocated so far (modules, the loaded
    rules) out of the cyclic garbage collector's later passes, and turn the
    collector on. What was loaded lives as long as the process; passes over it
    would cost time every few thousand papers (and, after a ``fork``, copy the
    pages the collector touches)."""
    import gc

    gc.freeze()
    gc.enable()
