"""The base of every file model: strict (unknown keys refused) and frozen."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["Strict", "as_tuple"]


class Strict(BaseModel):
    """A file model: an unknown key is an error (with a close match), values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def as_tuple(value: Any) -> Any:
    """Let a selector or list field be written as one value or a list."""
    if value is None or isinstance(value, list | tuple):
        return value
    return (value,)
