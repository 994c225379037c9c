"""What every command shares: the terminal environment, consoles, the error
boundary, options defined once, facet validation and input reading.

This package is the only place that imports Typer.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import typer

from ..errors import PapertriageError
from .filters import build_filters, check_labels  # noqa: F401 - shared by the filtering commands
from .plain import error_status, message, parse_fields, read_records, warn  # noqa: F401 - shared by every command

F = TypeVar("F", bound=Callable[..., Any])


# ---------------------------------------------------------------------------
# environment


@dataclass
class Env:
    """Facts about the terminal, decided in one place (tests replace it)."""

    stdout_isatty: bool
    stderr_isatty: bool
    no_color: bool

    @classmethod
    def detect(cls) -> "Env":
        def tty(stream: Any) -> bool:
            try:
                return bool(stream.isatty())
            except (AttributeError, ValueError, OSError):
                return False

        return cls(tty(sys.stdout), tty(sys.stderr), "NO_COLOR" in os.environ)


_env_override: Env | None = None


def env() -> Env:
    return _env_override if _env_override is not None else Env.detect()


def set_env(value: Env | None) -> None:
    """Replace the detected environment (for tests)."""
    global _env_override
    _env_override = value


def stdout_console():
    from rich.console import Console

    e = env()
    return Console(file=sys.stdout, force_terminal=e.stdout_isatty or None, no_color=e.no_color, highlight=False, soft_wrap=False)


def stderr_console():
    from rich.console import Console

    e = env()
    return Console(file=sys.stderr, force_terminal=e.stderr_isatty or None, no_color=e.no_color, highlight=False)


def resolve_format(fmt: str | None) -> str:
    """The output format: what the user chose, else a table on a terminal and
    JSONL in a pipe."""
    if fmt:
        return fmt
    return "table" if env().stdout_isatty else "jsonl"


def stdout_binary():
    return sys.stdout.buffer


# ---------------------------------------------------------------------------
# error boundary


def handle_errors(func: F) -> F:
    """Turn papertriage errors into one line on stderr and an exit status;
    a closed stdout pipe ends the command quietly."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (PapertriageError, BrokenPipeError, MemoryError) as exc:
            raise typer.Exit(error_status(exc)) from None

    return wrapper  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# options defined once

def _check_format(value: str | None) -> str | None:
    from ..vocabulary import FORMATS

    if value is None:
        return None
    if value not in FORMATS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(FORMATS)}")
    return value


RulesOpt = Annotated[
    list[str] | None,
    typer.Option("--rules", "-r", help="Extra rule file (YAML); repeatable. Added after the defaults and the config folder.", metavar="FILE"),
]
NoConfigOpt = Annotated[
    bool, typer.Option("--no-config", help="Ignore rule files in $XDG_CONFIG_HOME/papertriage/rules/.")
]
InputFormatOpt = Annotated[
    str | None,
    typer.Option("--input-format", "-i", help="Read the input in this format instead of detecting it (see `papertriage formats`).", metavar="NAME"),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat a malformed entry as an error instead of skipping it.")]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format: table|jsonl|json|csv|tsv|md|bibtex|ids (default: table on a terminal, jsonl in a pipe).",
        callback=_check_format,
        metavar="FORMAT",
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Library file (default: $PAPERTRIAGE_DB, else $XDG_DATA_HOME/papertriage/library.db).", metavar="PATH"),
]
ModalityOpt = Annotated[list[str] | None, typer.Option("--modality", "-m", help="Keep papers with this modality (repeatable: any of them).")]
NotModalityOpt = Annotated[list[str] | None, typer.Option("--not-modality", help="Drop papers with this modality (repeatable).")]
TaskOpt = Annotated[list[str] | None, typer.Option("--task", "-t", help="Keep papers with this task (repeatable: any of them).")]
NotTaskOpt = Annotated[list[str] | None, typer.Option("--not-task", help="Drop papers with this task (repeatable).")]
MetricOpt = Annotated[list[str] | None, typer.Option("--metric", help="Keep papers claiming this metric (repeatable: any of them).")]
NotMetricOpt = Annotated[list[str] | None, typer.Option("--not-metric", help="Drop papers claiming this metric (repeatable).")]
ClaimOpt = Annotated[
    list[str] | None,
    typer.Option("--claim", help="Numeric condition on a claimed metric, e.g. 'wer<5' or 'top-1 accuracy>=80' (repeatable: all must hold)."),
]
DatasetOpt = Annotated[list[str] | None, typer.Option("--dataset", help="Keep papers with a claim on this dataset (substring, any case; repeatable).")]
StatusOpt = Annotated[list[str] | None, typer.Option("--status", help="Keep papers with this triage status: unread|include|maybe|exclude (repeatable).")]
MultimodalOpt = Annotated[bool | None, typer.Option("--multimodal/--not-multimodal", help="Keep only (or drop) multimodal papers.")]
HasCodeOpt = Annotated[bool | None, typer.Option("--has-code/--no-code", help="Keep papers with (or without) a code link.")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="Keep papers dated on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).")]
SearchOpt = Annotated[str | None, typer.Option("--search", "-s", help="Full-text search over title and abstract, ranked, typo-tolerant.")]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", min=0, help="At most this many results.")]
FieldsOpt = Annotated[
    str | None,
    typer.Option("--fields", help="Comma-separated fields to show, e.g. id,title,modality,task,metric,best_claim,status."),
]
FromOpt = Annotated[
    list[str] | None,
    typer.Option("--from", help="Read papers from this dump (or - for stdin) instead of the library; repeatable.", metavar="SOURCE"),
]
