"""The ``midcorridor`` command: options parsed, the Python API called, its results shown.

Each command (:mod:`.network`, :mod:`.run`, :mod:`.analyse`, :mod:`.grid`) parses its
arguments, calls the API a notebook user calls, and prints a table
(:mod:`midcorridor.views.tables`) or the result's JSON (``to_dict()``). Heavy libraries are
imported inside the commands that need them, so ``midcorridor --help`` starts fast.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from .._errors import MidcorridorError
from . import analyse, grid, network, run  # noqa: F401  (each registers its commands)
from ._app import (
    BUG_EXIT,
    INTERRUPTED_EXIT,
    USER_ERROR_EXIT,
    app,
    bug_text,
    err,
    out,
    state,
)

__all__ = ["app", "main"]


def _version(value: bool) -> None:
    if value:
        from .._version import __version__

        out.print(f"midcorridor {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", help="On an internal error, show the traceback.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Transit times on the Middle Corridor and the northern route: networks, scenarios, maps."""
    state.debug = debug


def main() -> None:
    """Entry point: user mistakes are printed plainly (exit 2); a bug says so (exit 1)."""
    try:
        app()
    except MidcorridorError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        raise SystemExit(USER_ERROR_EXIT) from None
    except KeyboardInterrupt:
        err.print("interrupted: no file was left half-written.")
        raise SystemExit(INTERRUPTED_EXIT) from None
    except Exception as exc:
        if state.debug:
            raise
        err.print(f"[red]internal error:[/red] {bug_text(exc)}", soft_wrap=True)
        raise SystemExit(BUG_EXIT) from None
