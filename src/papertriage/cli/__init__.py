"""The ``papertriage`` command: a thin Typer client of the package.

The application itself is built in :mod:`papertriage.cli.application`, on first use:
a plain ``papertriage tag`` (the command shell loops run thousands of times)
is served by :mod:`papertriage.cli.quick` without loading Typer at all.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("app", "EXIT_CODES_HELP", "COMMAND_MODULES"):
        from . import application

        return getattr(application, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console-script entry point."""
    import gc

    # Start-up allocates what lives as long as the process (modules, rules):
    # the cyclic collector is off until it is over (see runtime.keep_loaded).
    gc.disable()
    from .quick import run_quick

    status = run_quick(sys.argv[1:])
    if status is not None:
        sys.exit(status)
    from ..runtime import tune_process

    gc.enable()
    tune_process()
    from .application import app

    app(prog_name="papertriage")
