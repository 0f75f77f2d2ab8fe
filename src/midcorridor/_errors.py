"""Exception types for user mistakes: the CLI prints them without a traceback."""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterable, Iterator
from typing import Any


class MidcorridorError(ValueError):
    """A problem caused by the user's input (a file, a place name, a route).

    A :class:`ValueError`, as in osmnx, so that ``except ValueError`` still catches it.

    Parameters
    ----------
    message
        One-line summary.
    problems
        Every individual problem found, each a complete sentence naming where it is.
    """

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.message = message
        self.problems = list(problems)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message, *(f"  - {p}" for p in self.problems)]
        return "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by its attributes, not its ``__init__``'s arguments (a subclass's
        differ): an error raised in a second process reaches this one whole."""
        return (_unpickled, (type(self), self.__dict__))


def _unpickled(kind: type[MidcorridorError], state: dict[str, Any]) -> MidcorridorError:
    error = kind.__new__(kind)
    error.__dict__.update(state)
    ValueError.__init__(error, str(error))
    return error


class NetworkError(MidcorridorError):
    """The network files are missing, corrupt or inconsistent."""


class PlaceNotFoundError(MidcorridorError):
    """A place name matches no node of the network."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        super().__init__(f"Unknown place {echo(query)}{suggestion(suggestions)}.")


class RouteError(MidcorridorError):
    """No route satisfies the request."""


class ScenarioError(MidcorridorError):
    """A scenario file is missing, malformed or inconsistent with the network."""


#: Longest echo of a value a user typed, characters.
MAX_ECHO_CHARS = 80


def echo(value: str) -> str:
    """``value`` as a message quotes it: its ``repr``, cut to :data:`MAX_ECHO_CHARS`."""
    if len(value) <= MAX_ECHO_CHARS:
        return repr(value)
    return f"{value[:MAX_ECHO_CHARS]!r}... ({len(value):,} characters)"


def suggestion(matches: Iterable[str]) -> str:
    """`` (did you mean a, b or c?)`` for close matches, or nothing: the one wording of a
    did-you-mean hint."""
    found = list(matches)
    if not found:
        return ""
    listed = found[0] if len(found) == 1 else f"{', '.join(found[:-1])} or {found[-1]}"
    return f" (did you mean {listed}?)"


def did_you_mean(value: str, choices: Iterable[str], *, n: int = 3, cutoff: float = 0.6) -> str:
    """The did-you-mean hint for ``value`` among ``choices`` (:func:`suggestion`)."""
    return suggestion(difflib.get_close_matches(value, list(choices), n=n, cutoff=cutoff))


@contextlib.contextmanager
def needs_extra(extra: str, purpose: str) -> Iterator[None]:
    """Imports inside the block come from an optional extra of the package: if one is
    missing, say which extra installs it, as a user error (not a traceback)."""
    try:
        yield
    except ModuleNotFoundError as exc:
        raise MidcorridorError(
            f"{purpose} needs {exc.name}, which is not installed: install the '{extra}' "
            f"extra (pip install 'midcorridor[{extra}]')."
        ) from None


#: What a command stopped by Ctrl-C or a signal says, once.
STOPPED_LINE = "interrupted: no file was left half-written."


class StopRequested(BaseException):
    """A request to stop (Ctrl-C, ``kill``, a closed terminal): raised where the program
    is, like :class:`KeyboardInterrupt`, so that what is half-written is undone and what
    finished is kept (:func:`midcorridor.cli.main` turns the signals into it).

    Attributes
    ----------
    signum
        The signal that asked (``signal.SIGINT``, ``SIGTERM``, ``SIGHUP``).
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by signal {signum}")


#: Every stop asked for in this process, by signal number, in order (:func:`note_stop`).
_STOPS: list[int] = []
#: How many stops had been asked for when the running command began (:func:`begin_command`).
_COMMAND_START: list[int] = [0]


def note_stop(signum: int) -> StopRequested:
    """Record a request to stop and return the exception that carries it.

    A signal handler raises the result where the program is; a library that catches
    :class:`BaseException` there would swallow it, so long loops also look at the record
    (:func:`stop_if_asked_since`) between pieces of work.
    """
    _STOPS.append(signum)
    return StopRequested(signum)


def stops_asked() -> int:
    """How many stops were asked for in this process so far."""
    return len(_STOPS)


def begin_command() -> None:
    """Mark the start of a command-line command: :func:`stop_if_asked_in_command` looks at
    the stops asked from here on."""
    _COMMAND_START[0] = len(_STOPS)


def stop_if_asked_in_command() -> None:
    """Raise :class:`StopRequested` if a stop was asked for since the command began (one a
    library swallowed while the command started still stops it).

    Raises
    ------
    StopRequested
        Carrying the last signal asked.
    """
    stop_if_asked_since(_COMMAND_START[0])


def stop_if_asked_since(count: int) -> None:
    """Raise :class:`StopRequested` if a stop was asked for since :func:`stops_asked`
    returned ``count``.

    Raises
    ------
    StopRequested
        Carrying the last signal asked.
    """
    if len(_STOPS) > count:
        raise StopRequested(_STOPS[-1])
