"""The API reference (docs/api.md) is what docs/build_api.py writes from the docstrings,
and names every public name."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

import midcorridor as mc

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def build_api() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_api", DOCS / "build_api.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_api_page_is_up_to_date(build_api: ModuleType) -> None:
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    assert page == build_api.render(), "docs/api.md is out of date: run `make docs`"


def test_the_api_page_has_a_section_for_every_public_name() -> None:
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    missing = [name for name in mc.__all__ if f"### `mc.{name}`\n" not in page]
    assert not missing
    # Each function and class shows its signature.
    assert "run_scenario(\n    scenario: Scenario,\n    network: Network,\n" in page


def test_a_numpy_docstring_becomes_markdown(build_api: ModuleType) -> None:
    doc = (
        "Time a trip.\n\n"
        "Parameters\n----------\n"
        "scenario\n    A loaded scenario\n    (:func:`midcorridor.load_scenario`).\n"
        "samples : int\n    How many.\n\n"
        "Returns the trip; a :class:`~midcorridor.RouteError` if there is none.\n\n"
        "Notes\n-----\nIn ``hours``."
    )
    assert build_api.docstring_markdown(doc) == (
        "Time a trip.\n\n"
        "**Parameters**\n\n"
        "- `scenario`: A loaded scenario (`midcorridor.load_scenario`).\n"
        "- `samples` (int): How many.\n\n"
        "Returns the trip; a `RouteError` if there is none.\n\n"
        "**Notes**\n\n"
        "In `hours`.\n"
    )
