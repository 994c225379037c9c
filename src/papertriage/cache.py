"""On-disk cache of compiled rules, so that start-up skips YAML parsing,
validation and table building.

The key is a digest of papertriage's version and the bytes of every rule file
in effect; entries are written atomically (temporary file + rename) and are
ignored and rebuilt when stale, unreadable or from another Python.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import sys

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

from . import __version__

FORMAT = 1


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "papertriage")


_CODE_DIGEST: list[bytes] = []


def _code_digest() -> bytes:
    """The compiled form depends on the code that builds it, not only on the
    version number: hash the modules that define it (once per process)."""
    if _CODE_DIGEST:
        return _CODE_DIGEST[0]
    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("rules.py", "matcher.py", "engine.py", "claims.py"):
        try:
            with open(os.path.join(here, name), "rb") as fh:
                h.update(fh.read())
        except OSError:
            h.update(name.encode())
    _CODE_DIGEST.append(h.digest())
    return _CODE_DIGEST[0]


def key_for(parts: list[tuple[str, bytes]], extra: str = "") -> str:
    h = hashlib.sha256()
    h.update(f"{FORMAT}|{__version__}|{sys.version_info[:2]}|{extra}".encode())
    h.update(_code_digest())
    for name, data in parts:
        h.update(name.encode("utf-8", "replace") + b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()[:32]


def load(kind: str, key: str) -> Any | None:
    if os.environ.get("PAPERTRIAGE_NO_CACHE"):
        return None
    path = os.path.join(cache_dir(), f"{kind}-{key}.bin")
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
        value = marshal.loads(blob)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(value, dict) or value.get("key") != key:
        return None
    return value


def store(kind: str, key: str, value: dict[str, Any]) -> None:
    if os.environ.get("PAPERTRIAGE_NO_CACHE"):
        return
    import tempfile
    from pathlib import Path

    folder = Path(cache_dir())
    value = dict(value, key=key)
    try:
        blob = marshal.dumps(value)
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{kind}-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, folder / f"{kind}-{key}.bin")
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        _prune(folder, kind, keep=f"{kind}-{key}.bin")
    except (OSError, ValueError):
        pass  # a cache that cannot be written is only slower


def _prune(folder: Path, kind: str, keep: str, max_entries: int = 8) -> None:
    try:
        files = sorted(folder.glob(f"{kind}-*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for p in files[max_entries:]:
        if p.name != keep:
            try:
                p.unlink()
            except OSError:
                pass


def dumps_object(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def loads_object(blob: bytes) -> Any:
    return pickle.loads(blob)  # noqa: S301 - our own cache file, keyed by content digest
