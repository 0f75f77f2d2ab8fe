"""The command's options and its errors: a user mistake, a bug, a stop, a closed pipe."""

from __future__ import annotations

import errno
import os
import signal
import sys
from typing import Annotated, NoReturn

import typer

from .._errors import STOPPED_LINE, MidcorridorError, StopRequested
from ..views.safe_text import markup
from . import analyse, criticality, events, fit, grid, network, run  # noqa: F401  (each registers its commands)
from ._app import (
    BUG_EXIT,
    CLOSED_PIPE_EXIT,
    USER_ERROR_EXIT,
    TableFormat,
    app,
    bug_text,
    err,
    examples,
    out,
    state,
    table_width,
)
from ._logging import log_to_stderr

__all__ = ["run_command"]


def _version(value: bool) -> None:
    if value:
        from .._version import __version__

        out.print(f"midcorridor {__version__}")
        raise typer.Exit()


@app.callback(
    epilog=examples(
        "run scenarios/baseline.yaml",
        "--format csv run scenarios/baseline.yaml > baseline.csv",
        "-v --wide compare scenarios/baseline.yaml scenarios/digital_customs.yaml",
    )
)
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", help="On an internal error, show the traceback.")
    ] = False,
    table_format: Annotated[
        TableFormat,
        typer.Option(
            "--format",
            help="How tables are printed: table (for a terminal), markdown, csv, or json "
            "(the tables as records; a command's --json gives its whole result).",
        ),
    ] = "table",
    wide: Annotated[
        bool,
        typer.Option(
            "--wide", help="Show every column of the tables (by default they fit 100 columns)."
        ),
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            show_default=False,
            help="Log what the model does on stderr: -v its steps, -vv details.",
        ),
    ] = 0,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Print only results and errors: no status lines, no progress."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Transit times on the Middle Corridor and the northern route: networks, scenarios, maps."""
    if verbose and quiet:
        raise MidcorridorError("Give --verbose or --quiet, not both.")
    state.debug = debug
    state.table_format = table_format
    state.wide = wide
    width = table_width(sys.stdout, wide=wide)
    if width is not None:  # a file or a pipe (a terminal keeps its own width)
        out.width = width
    state.quiet = quiet
    log_to_stderr(verbose, quiet=quiet)


#: Errors of writing the standard output that are the system's, not a bug.
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT}


def _closed_pipe() -> NoReturn:
    """Stop quietly, as Unix tools do when their reader goes away."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(CLOSED_PIPE_EXIT)


def run_command() -> None:
    """Run the command line's command: user mistakes are printed plainly (exit 2); a bug
    says so (exit 1); a stop (Ctrl-C, a signal :func:`midcorridor.cli.main` catches)
    exits 128 + the signal's number."""
    try:
        app()  # exits: typer shows a mistyped option itself, and quits quietly on a closed pipe
    except MidcorridorError as exc:
        err.print(f"[red]error:[/red] {markup(str(exc))}", soft_wrap=True)
        raise SystemExit(USER_ERROR_EXIT) from None
    except (StopRequested, KeyboardInterrupt) as exc:
        signum = exc.signum if isinstance(exc, StopRequested) else signal.SIGINT
        err.print(STOPPED_LINE)
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
