"""Exit codes and the exceptions that map to them.

Library code raises these; only the CLI turns them into one line on stderr
and an exit status.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Every exit code papertriage uses (documented in README and ``--help``)."""

    OK = 0
    ERROR = 1
    """Unexpected internal error."""
    USAGE = 2
    """Bad command line: unknown option, unknown facet value, bad condition."""
    INPUT = 3
    """Input that cannot be read: missing file, directory, binary data,
    malformed entry under ``--strict``."""
    RULES = 4
    """Invalid rule file."""
    LIBRARY = 5
    """Library cannot be used: locked, read-only, disk full, newer schema."""
    NOT_FOUND = 6
    """An id or prefix that matches no paper (or more than one)."""
    INTERRUPTED = 130
    """Ctrl-C."""


class PapertriageError(Exception):
    """Base class: a problem the user can act on; rendered as one line."""

    exit_status: ExitStatus = ExitStatus.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class UsageError(PapertriageError):
    exit_status = ExitStatus.USAGE


class InputError(PapertriageError):
    """Input that cannot be read.

    ``path`` and ``line`` locate the problem; ``hint`` says what to do.
    """

    exit_status = ExitStatus.INPUT

    def __init__(self, path: str, message: str, line: int | None = None, hint: str | None = None) -> None:
        where = path if line is None else f"{path}:{line}"
        text = f"{where}: {message}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)
        self.path = path
        self.line = line
        self.hint = hint


class RulesError(PapertriageError):
    """One or more problems in rule files; ``problems`` holds every one."""

    exit_status = ExitStatus.RULES

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else "invalid rules"
        more = f" (and {len(self.problems) - 1} more problem(s))" if len(self.problems) > 1 else ""
        super().__init__(first + more)


class LibraryError(PapertriageError):
    exit_status = ExitStatus.LIBRARY


class NotFoundError(PapertriageError):
    exit_status = ExitStatus.NOT_FOUND
