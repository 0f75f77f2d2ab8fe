"""The one way an input file is read: size-capped UTF-8 text, plain YAML (:mod:`._yaml`),
and validation errors worded the same for every file.

Scenario, grid, target and network files all go through :func:`read_text` (and
:func:`read_mapping` for YAML), and their pydantic errors through
:func:`validation_problems`: one wording of "file not found", of an unknown key with its
close match, of a value out of bounds with the value echoed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .._errors import did_you_mean
from ._yaml import YamlInputError, load_plain_yaml, short_repr

__all__ = [
    "UnreadableError",
    "describe_validation",
    "read_mapping",
    "read_text",
    "valid_keys_of",
    "validation_problems",
]

#: Where a validation error is: pydantic's ``loc`` (field names and list indices).
Location = tuple[Any, ...]


class UnreadableError(Exception):
    """A file that cannot be read as an input: ``problem`` says why, as a phrase ("is a
    folder, not a scenario file"); ``str()`` is ``"PATH: problem."``."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}.")


def read_text(path: Path, *, what: str, max_bytes: int) -> str:
    """The UTF-8 text of the input file ``path`` (a ``what``: "scenario file", ...).

    Raises
    ------
    UnreadableError
        If it is missing, a folder, larger than ``max_bytes``, unreadable or not UTF-8.
    """
    try:
        if path.is_dir():
            raise UnreadableError(path, f"is a folder, not a {what}")
        if not path.is_file():
            raise UnreadableError(path, f"{what} not found")
        if path.stat().st_size > max_bytes:
            raise UnreadableError(path, f"is larger than {max_bytes:,} bytes")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableError(path, f"is not UTF-8 text ({exc.reason})") from None
    except OSError as exc:  # no permission, a name too long, ...
        raise UnreadableError(path, f"cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:  # a NUL character in the name
        raise UnreadableError(path, f"cannot be read ({exc})") from None


def read_mapping(
    path: Path, *, what: str, max_bytes: int, holds: str
) -> tuple[dict[Any, Any], str]:
    """The YAML mapping in the input file ``path``, read as plain YAML, and its text.

    Parameters
    ----------
    path, what, max_bytes
        As for :func:`read_text`.
    holds
        What the mapping holds, for the message when it is not one ("fields (name, ...)").

    Raises
    ------
    UnreadableError
        If the file cannot be read, is not plain YAML within the bounds of
        :mod:`midcorridor.inputs._yaml`, or is not a mapping.
    """
    text = read_text(path, what=what, max_bytes=max_bytes)
    try:
        data = load_plain_yaml(text)
    except YamlInputError as exc:
        raise UnreadableError(path, f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise UnreadableError(path, f"a {what} must be a mapping of {holds}")
    return data, text


def valid_keys_of(
    model: type[BaseModel], nested: Mapping[str, type[BaseModel]] | None = None
) -> Callable[[Location], list[str]]:
    """For did-you-mean hints: the field names valid beside the last part of a ``loc``, in
    ``model`` (at the top) or in the model of one of its ``nested`` fields (keyed by their
    dotted path without list indices, e.g. ``axes.cost_usd``)."""
    nested = nested or {}

    def keys(loc: Location) -> list[str]:
        parents = [str(p) for p in loc[:-1] if not isinstance(p, int)]
        if not parents:
            return list(model.model_fields)
        inner = nested.get(".".join(parents))
        return list(inner.model_fields) if inner is not None else []

    return keys


def validation_problems(
    error: ValidationError, valid_keys: Callable[[Location], Iterable[str]] | None = None
) -> list[tuple[str, str]]:
    """``(field, problem)`` for each error: an unknown key with its close match among
    ``valid_keys(loc)``, our own checks' messages as they are, pydantic's with the value
    that was given."""
    out = []
    for err in error.errors():
        loc = tuple(err["loc"])
        message = str(err["msg"])
        if err["type"] == "extra_forbidden":
            choices = valid_keys(loc) if valid_keys is not None else ()
            message = "unknown key" + did_you_mean(str(loc[-1]), choices, n=1)
        elif err["type"] == "value_error":  # ours: the message says what it got
            message = message.removeprefix("Value error, ")
        elif "input" in err and err["type"] != "missing":
            message += f" (got {short_repr(err['input'])})"
        out.append((".".join(str(p) for p in loc), message))
    return out


def describe_validation(
    where: object,
    error: ValidationError,
    valid_keys: Callable[[Location], Iterable[str]] | None = None,
) -> list[str]:
    """One line per validation error: ``WHERE: field a.b.0: problem``."""
    return [
        f"{where}: field {field or '(top level)'}: {problem}"
        for field, problem in validation_problems(error, valid_keys)
    ]
