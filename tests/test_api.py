"""The top-level API, and scenario configuration read without the model's libraries."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import midcorridor as mc

#: Libraries of the model (graph, sampling, geodesy): configuration must not need them.
MODEL_LIBRARIES = ("numpy", "networkx", "pyproj")
#: Where ``midcorridor`` is imported from in this process.
PACKAGE_PARENT = str(Path(mc.__file__).resolve().parents[1])


def modules_after_import(module: str) -> set[str]:
    """Top-level module names loaded by a fresh interpreter after ``import module``."""
    code = f"import sys, {module}\nprint(' '.join(sorted(sys.modules)))"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (PACKAGE_PARENT, os.environ.get("PYTHONPATH")) if p
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return set(result.stdout.split())


@pytest.mark.parametrize(
    "module", ["midcorridor", "midcorridor.inputs.scenario", "midcorridor.inputs.schema"]
)
def test_scenario_config_does_not_import_the_model(module: str) -> None:
    loaded = modules_after_import(module)
    assert module in loaded
    assert "pydantic" in loaded or module == "midcorridor"
    assert not loaded & set(MODEL_LIBRARIES), sorted(loaded & set(MODEL_LIBRARIES))


def test_the_check_sees_the_model_libraries_when_they_are_imported() -> None:
    loaded = modules_after_import("midcorridor.runs.runner")
    assert set(MODEL_LIBRARIES) <= loaded


def test_subprocess_imports_this_checkouts_package() -> None:
    code = "import midcorridor; print(midcorridor.__file__)"
    env = {**os.environ, "PYTHONPATH": PACKAGE_PARENT}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()
    assert Path(out).resolve() == Path(mc.__file__).resolve()


def test_every_public_name_resolves() -> None:
    assert mc.__all__
    assert len(set(mc.__all__)) == len(mc.__all__)
    for name in mc.__all__:
        assert getattr(mc, name) is not None, name


def test_dir_lists_every_public_name() -> None:
    assert set(mc.__all__) <= set(dir(mc))


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("load", "network.network"),
        ("Network", "network.network"),
        ("load_scenario", "inputs.scenario"),
        ("Scenario", "inputs.scenario"),
        ("run_scenario", "runs.runner"),
        ("compare_runs", "runs.runner"),
        ("ScenarioRun", "runs.runner"),
        ("candidate_routes", "network.routing"),
        ("sample_trip", "model.sampling"),
        ("scenario_map", "views.maps"),
        ("time_distance_chart", "views.charts"),
        ("write_report", "views.report"),
        ("rank_bottlenecks", "analysis.bottlenecks"),
        ("sensitivity", "analysis.bottlenecks"),
        ("sweep_volume", "runs.runner"),
        ("STAGES", "vocabulary"),
        ("ScenarioError", "_errors"),
        ("NetworkError", "_errors"),
    ],
)
def test_public_names_are_the_modules_objects(name: str, module: str) -> None:
    assert name in mc.__all__
    assert getattr(mc, name) is getattr(importlib.import_module(f"midcorridor.{module}"), name)


def test_errors_share_one_base_class() -> None:
    for name in ("NetworkError", "PlaceNotFoundError", "RouteError", "ScenarioError"):
        assert issubclass(getattr(mc, name), mc.MidcorridorError)
    # As in osmnx, a user error is a ValueError: ``except ValueError`` still catches it.
    assert issubclass(mc.MidcorridorError, ValueError)


def test_a_wrong_call_raises_the_right_error_class(network: mc.Network) -> None:
    with pytest.raises(mc.ScenarioError, match="Nothing to compare"):
        mc.compare_runs([])
    with pytest.raises(mc.PlaceNotFoundError, match="Did you mean"):
        mc.candidate_routes(network, "Almaty", "Konstanta")
    with pytest.raises(mc.RouteError, match="Unknown corridor"):
        mc.candidate_routes(network, "Almaty", "Constanta", corridor="southern")  # type: ignore[arg-type]


def test_the_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    assert mc.__version__ == version("midcorridor")


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = mc.no_such_name
