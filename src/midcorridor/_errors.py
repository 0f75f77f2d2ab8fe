"""Exception types for user mistakes: the CLI prints them without a traceback."""

from __future__ import annotations

from collections.abc import Iterable


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


class NetworkError(MidcorridorError):
    """The network files are missing, corrupt or inconsistent."""


class PlaceNotFoundError(MidcorridorError):
    """A place name matches no node of the network."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unknown place {query!r}.{hint}")


class RouteError(MidcorridorError):
    """No route satisfies the request."""


class ScenarioError(MidcorridorError):
    """A scenario file is missing, malformed or inconsistent with the network."""
