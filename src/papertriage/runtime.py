"""Process-level set-up done once at start-up."""

from __future__ import annotations

import sys


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
