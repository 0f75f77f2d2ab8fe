"""The package's version, read from its installed metadata."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("midcorridor")
except PackageNotFoundError:  # a source tree that is not installed
    __version__ = "0+unknown"
