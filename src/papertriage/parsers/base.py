"""The parser interface: an :class:`InputSource` and the :class:`Dialect` protocol.

A dialect is a small class with a ``name``, ``detect(src) -> float`` (0: not
this format, 1: certainly this format) and ``parse(src) -> Iterator[Record]``.
Parsers stream: they read lines or XML events as they go and never load a
whole file into memory.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import sys
from collections.abc import Callable, Generator, Iterator

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import BinaryIO, Protocol
else:
    Protocol = object

from ..errors import InputError
from ..models import Record

HEAD_BYTES = 64 * 1024
MAX_LINE_BYTES = 1 << 20
"""Lines longer than this are skipped (with a warning): no title or abstract is that long."""
READ_BYTES = 1 << 16
"""How much :meth:`InputSource.lines` reads at a time."""

WarnFn = Callable[[str, "int | None", str], None]


def _default_warn(path: str, line: int | None, message: str) -> None:
    where = path if line is None else f"{path}:{line}"
    print(f"papertriage: warning: {where}: {message}", file=sys.stderr)


class _Chained(io.RawIOBase):
    """A readable stream: ``head`` bytes followed by the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO | None) -> None:
        self._head = memoryview(head)
        self._pos = 0
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        n = len(b)
        if self._pos < len(self._head):
            chunk = self._head[self._pos : self._pos + n]
            b[: len(chunk)] = chunk
            self._pos += len(chunk)
            return len(chunk)
        if self._stream is None:
            return 0
        data = self._stream.read(n)
        if not data:
            return 0
        b[: len(data)] = data
        return len(data)


class InputSource:
    """One input (a file or standard input) that parsers read from.

    The first 64 KiB are read at once (for detection); :meth:`binary` and
    :meth:`lines` then stream the whole input from its beginning, once.
    """

    def __init__(
        self,
        path: str,
        stream: BinaryIO | None,
        *,
        warn: WarnFn | None = None,
        strict: bool = False,
    ) -> None:
        self.path = path
        self._stream = stream
        self._warn = warn or _default_warn
        self.strict = strict
        self.warnings = 0
        self.skipped = 0
        self.no_abstract = 0
        try:
            self.head = stream.read(HEAD_BYTES) if stream is not None else b""
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:  # pragma: no cover - text-mode stream
            raise InputError(path, f"cannot read: {exc}") from None
        self._consumed = False

    # -- opening ---------------------------------------------------------
    @classmethod
    def open(cls, path: str, *, stdin: BinaryIO | None = None, warn: WarnFn | None = None, strict: bool = False) -> "InputSource":
        """Open ``path`` (``-`` is standard input) or raise :class:`InputError`."""
        if path == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            return cls("-", stream, warn=warn, strict=strict)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise InputError(path, "no such file", hint="check the path") from None
        except PermissionError:
            raise InputError(path, "permission denied", hint="check the file's permissions") from None
        except OSError as exc:
            raise InputError(path, f"cannot open: {exc.strerror or exc}") from None
        if stat.S_ISDIR(st.st_mode):
            raise InputError(path, "is a directory", hint="give a file, or use a shell glob such as dir/*")
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed by close()
        except PermissionError:
            raise InputError(path, "permission denied", hint="check the file's permissions") from None
        except OSError as exc:
            raise InputError(path, f"cannot open: {exc.strerror or exc}") from None
        return cls(path, stream, warn=warn, strict=strict)

    def close(self) -> None:
        if self._stream is not None and self._stream is not sys.stdin.buffer:
            try:
                self._stream.close()
            except OSError:  # pragma: no cover
                pass

    def __enter__(self) -> "InputSource":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- detection helpers -------------------------------------------------
    @property
    def head_text(self) -> str:
        """The first 64 KiB decoded (replacement for bad bytes, BOM removed)."""
        text = self.head.decode("utf-8", errors="replace")
        return text.lstrip("\ufeff")

    @property
    def extension(self) -> str:
        return os.path.splitext(self.path)[1].lower().lstrip(".") if self.path != "-" else ""

    def is_empty(self) -> bool:
        return not self.head.strip(b" \t\r\n\x0c\x0b\xef\xbb\xbf")

    def looks_binary(self) -> bool:
        """True for data that is not text: NUL bytes or many control bytes at the start."""
        sample = self.head[:8192]
        if not sample:
            return False
        if b"\x00" in sample:
            # UTF-16 text would have NULs too; it is not supported either.
            return True
        control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
        if control > len(sample) * 0.05:
            return True
        # Random bytes decode as UTF-8 with many errors.
        decoded = sample.decode("utf-8", errors="replace")
        bad = decoded.count("\ufffd")
        return bad > max(8, len(decoded) * 0.10)

    # -- reading -------------------------------------------------------------
    def binary(self) -> BinaryIO:
        """The whole input as a binary stream, from its first byte (once)."""
        if self._consumed:
            raise RuntimeError("input already consumed")
        self._consumed = True
        return io.BufferedReader(_Chained(self.head, self._stream), buffer_size=1 << 16)  # type: ignore[return-value]

    def lines(self) -> Iterator[tuple[int, str]]:
        """Decoded lines with their 1-based numbers: BOM removed, ``\\r\\n`` and
        ``\\r`` endings removed, invalid UTF-8 replaced (with a warning)."""
        stream = self.binary()
        read = stream.read1
        number = 0
        pending = b""  # the start of a line whose end is not read yet
        overlong = -1  # bytes of the overlong line being skipped, or -1
        while True:
            chunk = read(READ_BYTES)
            if overlong >= 0:
                # Skip the rest of an overlong line without holding it in memory.
                nl = chunk.find(b"\n")
                if chunk and nl < 0:
                    overlong += len(chunk)
                    continue
                self._skip_overlong(number, overlong + nl + 1 if chunk else overlong)
                overlong = -1
                chunk = chunk[nl + 1 :]
                if not chunk:
                    if nl < 0:
                        break
                    continue
            elif not chunk:
                break
            data = pending + chunk if pending else chunk
            end = data.rfind(b"\n") + 1
            if end:
                pending = data[end:]
                block = data[:end] if pending else data
                parts = self._split_lines(block, number)
                if parts is None:
                    number = yield from self._decode_each(block, number)
                else:
                    yield from zip(range(number + 1, number + 1 + len(parts)), parts)
                    number += len(parts)
            else:
                pending = data
            if len(pending) > MAX_LINE_BYTES:
                number += 1
                overlong, pending = len(pending), b""
        if pending:
            parts = self._split_lines(pending, number)
            if parts is None:
                yield from self._decode_each(pending, number)
            else:
                yield from zip(range(number + 1, number + 1 + len(parts)), parts)

    def _skip_overlong(self, number: int, size: int) -> None:
        self.skip(
            number,
            f"line of {size / (1 << 20):.1f} MiB is too long to be part of a paper record (limit {MAX_LINE_BYTES >> 20} MiB)",
        )

    @staticmethod
    def _split_lines(block: bytes, number: int) -> list[str] | None:
        """The decoded lines of ``block`` (whole lines, the last one without its
        ``\\n`` at the end of the input; ``number`` lines come before it);
        ``None`` when :meth:`_decode_each` must read them one by one: invalid
        UTF-8, old Mac line endings or a line that may be too long."""
        if len(block) > MAX_LINE_BYTES + 1:
            return None
        try:
            if number == 0 and block.startswith(codecs.BOM_UTF8):
                text = block[3:].decode("utf-8")
            else:
                text = block.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if "\r" in text:
            text = text.replace("\r\n", "\n")
            if "\r" in text:
                return None
        parts = text.split("\n")
        if text.endswith("\n"):
            parts.pop()
        return parts

    def _decode_each(self, block: bytes, number: int) -> Generator[tuple[int, str], None, int]:
        """The lines of ``block`` numbered from ``number + 1``, one at a time
        (overlong lines skipped, invalid UTF-8 replaced with a warning, old Mac
        line endings split); returns the number of the last."""
        start = 0
        size = len(block)
        while start < size:
            stop = block.find(b"\n", start) + 1 or size
            raw = block[start:stop]
            start = stop
            number += 1
            if len(raw) - raw.endswith(b"\n") > MAX_LINE_BYTES:
                self._skip_overlong(number, len(raw))
                continue
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                text = raw.decode("utf-8", errors="replace")
                self.warn(number, f"invalid UTF-8 at byte {exc.start} of the line; decoded with replacement characters")
            if text.endswith("\n"):
                text = text[:-1]
            if text.endswith("\r"):
                text = text[:-1]
            if "\r" in text:
                # Old Mac line endings inside one physical line.
                for part in text.split("\r"):
                    yield number, part
                continue
            yield number, text
        return number

    # -- diagnostics ---------------------------------------------------------
    def warn(self, line: int | None, message: str) -> None:
        self.warnings += 1
        self._warn(self.path, line, message)

    def skip(self, line: int | None, message: str) -> None:
        """A malformed entry is skipped: a warning, or an error under ``--strict``."""
        self.skipped += 1
        if self.strict:
            raise InputError(self.path, message, line=line, hint="fix the entry, or drop --strict to skip it")
        self._warn(self.path, line, f"skipped: {message}")
        self.warnings += 1

    def note_no_abstract(self) -> None:
        self.no_abstract += 1


class Dialect(Protocol):
    """An input format."""

    name: str
    """Short name used by ``--input-format``."""
    description: str

    def detect(self, src: InputSource) -> float:
        """How sure we are that ``src`` is in this format (0..1), from its content."""
        ...

    def parse(self, src: InputSource) -> Iterator[Record]:
        """Stream the records of ``src``."""
        ...
