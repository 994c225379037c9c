"""``papertriage tag`` and ``papertriage list`` without Typer, for plain invocations.

Building the full command-line interface costs more than tagging a day's
papers or listing ids from the library, and these are the commands shell
loops call over and over. When every argument is one the command accepts, in
a form that needs no help text or error message from the parser, it runs here
with the same body as the full interface (:func:`papertriage.cli.plain.run_tag`,
:func:`papertriage.cli.plain.run_list`) and the same error boundary. Anything
else (``--help``, a typo, a missing value, ``list --from`` or a table on a
terminal, another command) is left to the full interface, which reports it
the usual way.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

_TAG_FLAGS = {"--no-config": ("no_config", True), "--strict": ("strict", True)}
_TAG_VALUED = {
    "--rules": "rules",
    "-r": "rules",
    "--input-format": "input_format",
    "-i": "input_format",
    "--workers": "workers",
    "-w": "workers",
}


def _count(value: str) -> int | None:
    """A value that must be a plain non-negative integer (``--workers``, ``--limit``)."""
    return int(value) if value.isascii() and value.isdigit() else None


def _read_options(
    args: list[str],
    flags: dict[str, tuple[str, Any]],
    valued: dict[str, str],
    repeated: frozenset[str],
    convert: dict[str, Any],
    positional: bool,
) -> tuple[dict[str, Any], list[str]] | None:
    """The options and arguments of ``args`` in the plain forms the full
    interface accepts (``--name value``, ``--name=value``, ``-n value``, a
    flag, ``--`` before arguments), or ``None`` for anything else: an unknown
    option, a missing value, a value ``convert[key]`` refuses (``None``), an
    argument where the command takes none. A ``repeated`` option's values are
    collected in a list; otherwise the last value counts."""
    opts: dict[str, Any] = {}
    sources: list[str] = []
    i = 0
    only_sources = False
    while i < len(args):
        a = args[i]
        i += 1
        if only_sources or a == "-" or not a.startswith("-") or a == "--":
            if not positional:
                return None  # the full interface says what is wrong
            if a == "--" and not only_sources:
                only_sources = True
            else:
                sources.append(a)
            continue
        name, eq, value = a.partition("=") if a.startswith("--") else (a, "", "")
        if name in flags and not eq:
            key, flag = flags[name]
            opts[key] = flag
            continue
        key = valued.get(name)
        if key is None:
            return None
        if not eq:
            if i >= len(args):
                return None
            value = args[i]
            i += 1
        check = convert.get(key)
        if check is not None:
            value = check(value)
            if value is None:
                return None
        if key in repeated:
            opts.setdefault(key, []).append(value)
        else:
            opts[key] = value
    return opts, sources


def parse_tag(argv: list[str]) -> dict[str, Any] | None:
    """The options of a plain ``tag`` invocation, or ``None`` when the full
    interface should handle it."""
    if not argv or argv[0] != "tag":
        return None
    read = _read_options(argv[1:], _TAG_FLAGS, _TAG_VALUED, frozenset({"rules"}), {"workers": _count}, True)
    if read is None or not read[1]:
        return None
    opts: dict[str, Any] = {"rules": [], "no_config": False, "input_format": None, "strict": False, "workers": None}
    opts.update(read[0])
    opts["sources"] = read[1]
    return opts


_LIST_MANY = {
    "--modality": "modality",
    "-m": "modality",
    "--not-modality": "not_modality",
    "--task": "task",
    "-t": "task",
    "--not-task": "not_task",
    "--metric": "metric",
    "--not-metric": "not_metric",
    "--claim": "claim",
    "--dataset": "dataset",
    "--status": "status",
    "--rules": "rules",
    "-r": "rules",
}
"""``list`` options that may be repeated (their values are collected)."""
_LIST_ONE = {
    "--since": "since",
    "--search": "search",
    "-s": "search",
    "--sort": "sort",
    "--limit": "limit",
    "-n": "limit",
    "--fields": "fields",
    "--format": "fmt",
    "-f": "fmt",
    "--db": "db",
}
"""``list`` options with one value (the last one given counts)."""
_LIST_FLAGS = {
    "--multimodal": ("multimodal", True),
    "--not-multimodal": ("multimodal", False),
    "--has-code": ("has_code", True),
    "--no-code": ("has_code", False),
    "--no-config": ("no_config", True),
}


def parse_list(argv: list[str]) -> dict[str, Any] | None:
    """The options of a plain ``list`` from the library, or ``None`` when the
    full interface should handle it."""
    from ..vocabulary import FORMATS

    if not argv or argv[0] != "list":
        return None
    convert = {"limit": _count, "fmt": lambda value: value if value in FORMATS else None}
    read = _read_options(argv[1:], _LIST_FLAGS, {**_LIST_MANY, **_LIST_ONE}, frozenset(_LIST_MANY.values()), convert, False)
    if read is None:
        return None
    opts: dict[str, Any] = dict.fromkeys(_LIST_MANY.values())  # as the full interface passes them
    opts.update(dict.fromkeys(_LIST_ONE.values()))
    opts.update({"multimodal": None, "has_code": None, "no_config": False})
    opts.update(read[0])
    return opts


def run_quick(argv: list[str]) -> int | None:
    """Run a plain ``tag`` or ``list``; its exit status, or ``None`` when not handled."""
    opts = parse_tag(argv)
    if opts is not None:
        from .plain import run_tag

        return _guarded(
            run_tag,
            opts["sources"],
            rules=opts["rules"],
            no_config=opts["no_config"],
            input_format=opts["input_format"],
            strict=opts["strict"],
            workers=opts["workers"],
        )
    opts = parse_list(argv)
    if opts is None:
        return None
    fmt = opts.pop("fmt")
    if fmt is None:
        import sys

        try:
            fmt = "table" if sys.stdout.isatty() else "jsonl"
        except (AttributeError, ValueError, OSError):
            fmt = "jsonl"
    if fmt == "table":
        return None  # a table on the terminal: Rich, through the full interface
    import gc

    gc.enable()  # start-up is over (see cli.main)
    from .plain import FILTER_OPTIONS, run_list, write_listing

    return _guarded(
        run_list,
        {key: opts[key] for key in FILTER_OPTIONS},
        db=opts["db"],
        rules=opts["rules"],
        no_config=opts["no_config"],
        sort=opts["sort"],
        limit=opts["limit"],
        fields=opts["fields"],
        fmt=fmt,
        emit=write_listing,
    )


def _guarded(command: Any, *args: Any, **kwargs: Any) -> int:
    """Run a command body within the full interface's error boundary; its exit status."""
    from ..errors import ExitStatus, PapertriageError
    from .plain import error_status

    try:
        command(*args, **kwargs)
    except (PapertriageError, BrokenPipeError, MemoryError) as exc:
        return error_status(exc)
    except KeyboardInterrupt:
        return int(ExitStatus.INTERRUPTED)
    return int(ExitStatus.OK)
