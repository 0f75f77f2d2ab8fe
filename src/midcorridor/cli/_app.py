"""The command-line application, its consoles and exit codes, shared by every command."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Literal

import typer
from rich.console import Console

from ..views.safe_text import markup

__all__ = [
    "BUG_EXIT",
    "CALIBRATION_MISSED_EXIT",
    "CLOSED_PIPE_EXIT",
    "INTERRUPTED_EXIT",
    "NOT_RUN_EXIT",
    "USER_ERROR_EXIT",
    "TableFormat",
    "app",
    "bug_text",
    "err",
    "network_app",
    "out",
    "state",
]

app = typer.Typer(
    name="midcorridor",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
network_app = typer.Typer(help="Inspect the network data.", no_args_is_help=True)
app.add_typer(network_app, name="network")

# Wide tables when output goes to a file or pipe (rich would assume 80 columns).
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

#: Exit codes: 2 a user mistake (a file, a place, an option), 1 a bug, 3 a missed
#: calibration target, 4 a grid with scenarios not run (their worker lost), 130 an
#: interrupt (128 + the signal: 143 SIGTERM, 129 SIGHUP), 141 a closed pipe on the
#: standard output.
USER_ERROR_EXIT, BUG_EXIT, CALIBRATION_MISSED_EXIT, INTERRUPTED_EXIT = 2, 1, 3, 130
NOT_RUN_EXIT, CLOSED_PIPE_EXIT = 4, 141


#: How tables are printed (``--format``): for a terminal, Markdown, CSV or JSON records.
TableFormat = Literal["table", "markdown", "csv", "json"]


@dataclass
class State:
    """Options of the command as a whole."""

    debug: bool = False
    table_format: TableFormat = "table"


state = State()


def bug_text(exc: BaseException) -> str:
    """What is said of an internal error: a bug of midcorridor, to be reported."""
    return (
        f"{markup(type(exc).__name__)}: {markup(str(exc)[:300])}. This is a bug in midcorridor, "
        "not in your input: please report it on the project's issue tracker with the "
        "command you ran and `midcorridor --version` (rerun with --debug for the traceback)."
    )
