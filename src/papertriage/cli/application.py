"""The Typer application: every command, its options and its help.

Command modules each define ``register(app)``; they are listed in
:data:`COMMAND_MODULES`. Heavy imports happen inside commands.
"""

from __future__ import annotations

import importlib

import typer

from .. import __version__

EXIT_CODES_HELP = (
    "Exit codes: 0 ok; 1 internal error; 2 usage error (bad option, unknown facet value); "
    "3 unreadable input (missing file, directory, binary data, malformed entry with --strict); "
    "4 invalid rules; 5 library unusable (locked, read-only, disk full, newer schema); "
    "6 no paper with that id; 130 interrupted (Ctrl-C)."
)

app = typer.Typer(
    name="papertriage",
    help="Triage papers from the shell: tag dumps by modality, task and claimed metrics; filter, mark and export them.",
    epilog=EXIT_CODES_HELP,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

COMMAND_MODULES = ("tagging", "library_cmds")


def _version(value: bool) -> None:
    if value:
        print(f"papertriage {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Triage papers from the shell."""


for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"{__package__}.{_name}")
    except ModuleNotFoundError as _exc:  # a command module not present in this build
        if _exc.name != f"{__package__}.{_name}":
            raise
        continue
    _module.register(app)
