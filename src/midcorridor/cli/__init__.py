"""The ``midcorridor`` command: options parsed, the Python API called, its results shown.

Each command (:mod:`.network`, :mod:`.run`, :mod:`.analyse`, :mod:`.grid`) parses its
arguments, calls the API a notebook user calls, and prints a table
(:mod:`midcorridor.views.tables`) or the result's JSON (``to_dict()``). Heavy libraries are
imported inside the commands that need them, so ``midcorridor --help`` starts fast; the
entry point (:func:`main`) takes the stop signals before it imports anything heavy.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from .._errors import STOPPED_LINE, StopRequested, begin_command, note_stop

__all__ = ["BLAS_THREAD_VARIABLES", "STOP_SIGNALS", "main"]

#: The model calls BLAS little, and OpenBLAS's threads spin between calls: a command
#: beside its second process (a report's checks) ran at half speed with them, and alone no
#: faster. Each command keeps to one thread of BLAS unless its environment says otherwise;
#: the processes it starts inherit the setting.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

#: Signals that stop a command the way Ctrl-C does: what finished is kept, nothing is
#: left half-written, and the exit code is 128 + the signal's number.
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


def _stop(signum: int, frame: object) -> None:
    raise note_stop(signum)


def _catch_stop_signals() -> dict[int, Any]:
    """Stop on each of :data:`STOP_SIGNALS` as on Ctrl-C; the handlers it replaced (a
    caller of :func:`main` in its own process, a test, puts them back)."""
    previous = {}
    for name in STOP_SIGNALS:
        if hasattr(signal, name):  # no SIGHUP on Windows
            number = getattr(signal, name)
            previous[number] = signal.signal(number, _stop)
    return previous


def main() -> None:
    """Entry point: user mistakes are printed plainly (exit 2); a bug says so (exit 1);
    Ctrl-C, SIGTERM and SIGHUP stop cleanly (exit 128 + the signal's number), even while
    the command's libraries are still being imported; once it has ended they are
    ignored while the interpreter shuts down (which would otherwise let them kill it)."""
    begin_command()
    previous = _catch_stop_signals()
    for variable in BLAS_THREAD_VARIABLES:  # before numpy is imported
        os.environ.setdefault(variable, "1")
    try:
        from ._command import run_command

        run_command()
    except (StopRequested, KeyboardInterrupt) as exc:  # stopped before the command began
        signum = exc.signum if isinstance(exc, StopRequested) else signal.SIGINT
        sys.stderr.write(STOPPED_LINE + "\n")
        raise SystemExit(128 + signum) from None
    finally:
        for number in previous:  # the command has ended, every file written: let it exit
            signal.signal(number, signal.SIG_IGN)
