"""The ``midcorridor`` command: options parsed, the Python API called, its results shown.

Each command (:mod:`.network`, :mod:`.run`, :mod:`.analyse`, :mod:`.grid`) parses its
arguments, calls the API a notebook user calls, and prints a table
(:mod:`midcorridor.views.tables`) or the result's JSON (``to_dict()``). Heavy libraries are
imported inside the commands that need them, so ``midcorridor --help`` starts fast.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
from typing import Annotated, Any, NoReturn

import typer

from .._errors import MidcorridorError, StopRequested
from ..views.safe_text import markup
from . import analyse, grid, network, run  # noqa: F401  (each registers its commands)
from ._app import (
    BUG_EXIT,
    CLOSED_PIPE_EXIT,
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


#: Signals that stop a command the way Ctrl-C does: what finished is kept, nothing is
#: left half-written, and the exit code is 128 + the signal's number.
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")
#: Errors of writing the standard output that are the system's, not a bug.
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT}


def _stop(signum: int, frame: object) -> None:
    raise StopRequested(signum)


def _catch_stop_signals() -> dict[int, Any]:
    """Stop on each of :data:`STOP_SIGNALS` as on Ctrl-C; the handlers it replaced."""
    previous = {}
    for name in STOP_SIGNALS:
        if hasattr(signal, name):  # no SIGHUP on Windows
            number = getattr(signal, name)
            previous[number] = signal.signal(number, _stop)
    return previous


def _closed_pipe() -> NoReturn:
    """Stop quietly, as Unix tools do when their reader goes away."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(CLOSED_PIPE_EXIT)


def main() -> None:
    """Entry point: user mistakes are printed plainly (exit 2); a bug says so (exit 1);
    Ctrl-C, SIGTERM and SIGHUP stop cleanly (exit 128 + the signal's number)."""
    previous = _catch_stop_signals()
    try:
        app()  # exits: typer shows a mistyped option itself, and quits quietly on a closed pipe
    except MidcorridorError as exc:
        err.print(f"[red]error:[/red] {markup(str(exc))}", soft_wrap=True)
        raise SystemExit(USER_ERROR_EXIT) from None
    except (StopRequested, KeyboardInterrupt) as exc:
        signum = exc.signum if isinstance(exc, StopRequested) else signal.SIGINT
        err.print("interrupted: no file was left half-written.")
        raise SystemExit(128 + signum) from None
    except BrokenPipeError:  # the reader of our output went away (``| head``)
        _closed_pipe()
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS or state.debug:
            raise
        err.print(f"[red]error:[/red] could not write the output: {markup(exc.strerror)}.")
        raise SystemExit(USER_ERROR_EXIT) from None
    except Exception as exc:
        if state.debug:
            raise
        err.print(f"[red]internal error:[/red] {bug_text(exc)}", soft_wrap=True)
        raise SystemExit(BUG_EXIT) from None
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
