"""The command's log: the library's ``logging`` records shown on stderr, as asked.

The library only logs (each module's ``logging.getLogger(__name__)``, a ``NullHandler`` on
the package's logger); the command line decides what is shown: warnings by default, the
model's steps with ``-v``, details with ``-vv``, errors only with ``--quiet``.
"""

from __future__ import annotations

import logging

from ._app import err

__all__ = ["log_to_stderr"]

_PACKAGE = "midcorridor"


def _level(verbose: int, quiet: bool) -> int:
    if quiet:
        return logging.ERROR
    return {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)


def log_to_stderr(verbose: int = 0, *, quiet: bool = False) -> None:
    """Show the package's log records at the level ``verbose`` (a count of ``-v``) and
    ``quiet`` ask for, through one rich handler on stderr (replaced, never stacked, when a
    process runs several commands)."""
    from rich.logging import RichHandler

    logger = logging.getLogger(_PACKAGE)
    for handler in [h for h in logger.handlers if isinstance(h, RichHandler)]:
        logger.removeHandler(handler)
    handler = RichHandler(console=err, show_path=False, show_time=verbose > 1, markup=False)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(_level(verbose, quiet))
