"""``papertriage tag`` without Typer, for plain invocations.

Building the full command-line interface costs more than tagging a day's
papers, and ``tag`` is what shell loops call over and over. When every
argument is one that ``tag`` accepts, in a form that needs no help text or
error message from the parser, the command runs here with the same body as
the full interface (:func:`papertriage.cli.plain.run_tag`) and the same error
boundary. Anything else (``--help``, a typo, a missing value, another
command) is left to the full interface, which reports it the usual way.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

_FLAGS = {"--no-config": "no_config", "--strict": "strict"}
_VALUED = {
    "--rules": "rules",
    "-r": "rules",
    "--input-format": "input_format",
    "-i": "input_format",
    "--workers": "workers",
    "-w": "workers",
}


def parse_tag(argv: list[str]) -> dict[str, Any] | None:
    """The options of a plain ``tag`` invocation, or ``None`` when the full
    interface should handle it."""
    if not argv or argv[0] != "tag":
        return None
    opts: dict[str, Any] = {"rules": [], "no_config": False, "input_format": None, "strict": False, "workers": None}
    sources: list[str] = []
    args = argv[1:]
    i = 0
    only_sources = False
    while i < len(args):
        a = args[i]
        i += 1
        if only_sources or a == "-" or not a.startswith("-"):
            sources.append(a)
            continue
        if a == "--":
            only_sources = True
            continue
        name, eq, value = a.partition("=") if a.startswith("--") else (a, "", "")
        if name in _FLAGS and not eq:
            opts[_FLAGS[name]] = True
            continue
        if name not in _VALUED:
            return None
        if not eq:
            if i >= len(args):
                return None
            value = args[i]
            i += 1
        key = _VALUED[name]
        if key == "rules":
            opts["rules"].append(value)
        elif key == "workers":
            if not value.isascii() or not value.isdigit():
                return None
            opts["workers"] = int(value)
        else:
            opts[key] = value
    if not sources:
        return None
    opts["sources"] = sources
    return opts


def run_quick(argv: list[str]) -> int | None:
    """Run a plain ``tag``; its exit status, or ``None`` when not handled."""
    opts = parse_tag(argv)
    if opts is None:
        return None
    from ..errors import ExitStatus, PapertriageError
    from .plain import error_status, run_tag

    try:
        run_tag(
            opts["sources"],
            rules=opts["rules"],
            no_config=opts["no_config"],
            input_format=opts["input_format"],
            strict=opts["strict"],
            workers=opts["workers"],
        )
    except (PapertriageError, BrokenPipeError, MemoryError) as exc:
        return error_status(exc)
    except KeyboardInterrupt:
        return int(ExitStatus.INTERRUPTED)
    return int(ExitStatus.OK)
