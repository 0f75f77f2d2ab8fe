"""Work handed to a second process while this one goes on: results awaited later.

The second process is started fresh (``spawn``: nothing of this process's threads or open
files is copied) and is deaf to the terminal's Ctrl-C and hang-up: on a stop this process
alone decides, ends it, and no traceback of it is printed. It runs the work it is given in
turn. With one usable core the work runs when its result is asked for, in this process:
the same answers, only not sooner.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from multiprocessing.pool import AsyncResult, Pool
from types import TracebackType
from typing import Any, Generic, TypeVar

__all__ = [
    "TERMINAL_SIGNALS",
    "Pending",
    "SecondProcess",
    "terminal_signals_ignored",
    "usable_cores",
]

#: Signals of the terminal that worker processes ignore (the process that started them
#: handles them).
TERMINAL_SIGNALS = ("SIGINT", "SIGHUP")

T = TypeVar("T")


def usable_cores() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def ignore_terminal_signals() -> None:
    """Ignore the terminal's Ctrl-C and hang-up in this process (a worker's start)."""
    for name in TERMINAL_SIGNALS:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)


@contextlib.contextmanager
def terminal_signals_ignored() -> Iterator[None]:
    """The terminal's signals ignored in the block (in the main thread, where handlers
    live), so a process started in it ignores them before it runs a line of Python: a
    Ctrl-C while it starts prints no traceback of it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = [n for n in TERMINAL_SIGNALS if hasattr(signal, n)]
    previous = {n: signal.signal(getattr(signal, n), signal.SIG_IGN) for n in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


class Pending(Generic[T]):
    """The value of one piece of work given to a :class:`SecondProcess`."""

    def __init__(self, work: Callable[..., T], args: tuple[Any, ...], sent: AsyncResult[T] | None):
        self._work, self._args, self._sent = work, args, sent
        self._done = False
        self._value: T

    def result(self) -> T:
        """The work's value (its error raised here), once it is done; done once."""
        if not self._done:
            sent = self._sent
            self._value = self._work(*self._args) if sent is None else sent.get()
            self._done = True
        return self._value


class SecondProcess:
    """A second process that runs the work :meth:`submit` gives it, in turn.

    Use it as a context manager: leaving the block (done, an error, a stop) ends the
    process, finished or not. Work and its arguments must be picklable (a module-level
    function and plain values).
    """

    def __init__(self) -> None:
        self._pool: Pool | None = None
        if usable_cores() >= 2:
            with terminal_signals_ignored():  # from the start: ignored stays ignored
                context = multiprocessing.get_context("spawn")
                self._pool = context.Pool(1, initializer=ignore_terminal_signals)

    def submit(self, work: Callable[..., T], *args: Any) -> Pending[T]:
        """Start ``work(*args)`` after the work already given."""
        sent = None if self._pool is None else self._pool.apply_async(work, args)
        return Pending(work, args, sent)

    def close(self) -> None:
        """End the second process, finished or not."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> SecondProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
