"""The command-line application, its consoles and exit codes, shared by every command."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

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
    "examples",
    "network_app",
    "out",
    "state",
    "status",
    "table_width",
    "written",
]


def _as_flags(params: list[Any]) -> list[Any]:
    """Flags read as flags in the help: typer would show ``<bool>`` after them, as if they
    took a value."""
    for param in params:
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.metavar = ""
    return params


class _Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _as_flags(super().get_params(ctx))


class _Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _as_flags(super().get_params(ctx))


class _Typer(typer.Typer):
    """Help as Markdown (docstrings reflow to the terminal's width; examples are code
    blocks); flags without a ``<bool>``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cls=_Group, rich_markup_mode="markdown", **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


def examples(*invocations: str) -> str:
    """A command's help epilog: real invocations, each a line starting ``midcorridor``."""
    lines = "\n".join(f"midcorridor {line}" for line in invocations)
    return f"**Examples**\n\n```\n{lines}\n```"


app = _Typer(
    name="midcorridor",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
network_app = _Typer(help="Inspect the network data.", no_args_is_help=True)
app.add_typer(network_app, name="network")

#: Columns a table may take when the output is not a terminal and ``COLUMNS`` is unset
#: (rich would assume 80): the width tables are laid out for; with ``--wide``, as many as
#: the table needs.
PIPE_WIDTH, WIDE_PIPE_WIDTH = 100, 1000


def table_width(stream: Any, *, wide: bool = False) -> int | None:
    """Columns of output to ``stream``: the terminal's (None), else ``COLUMNS``, else
    :data:`PIPE_WIDTH` (:data:`WIDE_PIPE_WIDTH` with ``--wide``)."""
    if stream.isatty():
        return None
    columns = os.environ.get("COLUMNS", "")
    if wide:
        return WIDE_PIPE_WIDTH
    return int(columns) if columns.isdigit() else PIPE_WIDTH


out = Console(width=table_width(sys.stdout))
err = Console(stderr=True, width=table_width(sys.stderr))

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
    wide: bool = False
    quiet: bool = False


state = State()


def bug_text(exc: BaseException) -> str:
    """What is said of an internal error: a bug of midcorridor, to be reported."""
    return (
        f"{markup(type(exc).__name__)}: {markup(str(exc)[:300])}. This is a bug in midcorridor, "
        "not in your input: please report it on the project's issue tracker with the "
        "command you ran and `midcorridor --version` (rerun with --debug for the traceback)."
    )


def status(text: str) -> None:
    """A status line on stderr; none with ``--quiet``."""
    if not state.quiet:
        err.print(text)


def written(what: str, path: object) -> None:
    """The status line of a file written: ``map written to maps/map.html``."""
    status(f"{what} written to {markup(str(path))}")
