"""midcorridor: transit times on the Middle Corridor and the northern route.

The public API, in pipeline order (files -> network -> routes -> scenario runs -> results
-> tables, maps, charts, reports)::

    import midcorridor as mc
    net = mc.load()                                   # network/ of this checkout
    base = mc.load_scenario("scenarios/baseline.yaml")
    run = mc.run_scenario(base, net)
    run.trips[0].stages_frame()                       # days per stage
    mc.scenario_map([run], net).save("maps/baseline.html")
    run.cost(run.trips[0].label).to_dict()            # USD, CO2e, cost of time
    mc.solve_choice(base, net, baseline=base).shares()  # corridor shares of the cargo

Names are imported on first use, so that ``midcorridor --help`` starts fast; type
checkers and ``dir(mc)`` see them all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._errors import (
        MidcorridorError,
        NetworkError,
        PlaceNotFoundError,
        RouteError,
        ScenarioError,
    )
    from .analysis.bottlenecks import rank_bottlenecks, sensitivity
    from .analysis.calibration import Calibration, calibrate
    from .inputs.scenario import RouteSpec, Scenario, load_scenario
    from .model.components import components
    from .model.costs import TripCost, cost_legs
    from .model.sampling import sample_trip
    from .model.trip import TripResult
    from .network.network import Network, load
    from .network.routing import Route, candidate_routes, network_summary
    from .results import Comparison, NetworkSummary, Ranking, Spread, Sweep
    from .runs.choice import ChoiceResult
    from .runs.choice import solve as solve_choice
    from .runs.runner import ScenarioRun, compare_runs, run_scenario, sweep_volume
    from .views.charts import (
        cost_distance_chart,
        sensitivity_chart,
        sweep_chart,
        time_distance_chart,
        tornado_chart,
    )
    from .views.maps import scenario_map
    from .views.report import write_report
    from .vocabulary import CORRIDORS, STAGES

    __version__: str

#: Public name -> module that defines it.
_API = {
    "MidcorridorError": "_errors",
    "NetworkError": "_errors",
    "PlaceNotFoundError": "_errors",
    "RouteError": "_errors",
    "ScenarioError": "_errors",
    "rank_bottlenecks": "analysis.bottlenecks",
    "sensitivity": "analysis.bottlenecks",
    "Calibration": "analysis.calibration",
    "calibrate": "analysis.calibration",
    "ChoiceResult": "runs.choice",
    "solve_choice": "runs.choice",
    "cost_legs": "model.costs",
    "TripCost": "model.costs",
    "cost_distance_chart": "views.charts",
    "sensitivity_chart": "views.charts",
    "sweep_chart": "views.charts",
    "time_distance_chart": "views.charts",
    "tornado_chart": "views.charts",
    "scenario_map": "views.maps",
    "Network": "network.network",
    "load": "network.network",
    "write_report": "views.report",
    "Comparison": "results",
    "NetworkSummary": "results",
    "Ranking": "results",
    "Spread": "results",
    "Sweep": "results",
    "Route": "network.routing",
    "candidate_routes": "network.routing",
    "network_summary": "network.routing",
    "ScenarioRun": "runs.runner",
    "compare_runs": "runs.runner",
    "run_scenario": "runs.runner",
    "sweep_volume": "runs.runner",
    "RouteSpec": "inputs.scenario",
    "Scenario": "inputs.scenario",
    "load_scenario": "inputs.scenario",
    "CORRIDORS": "vocabulary",
    "STAGES": "vocabulary",
    "TripResult": "model.trip",
    "components": "model.components",
    "sample_trip": "model.sampling",
}

#: Public names that differ from the name in their module.
_ALIASES = {"solve_choice": "solve"}

__all__ = sorted(_API)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("midcorridor")
    except PackageNotFoundError:  # a source tree that is not installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":  # read on first use: importlib.metadata is slow to import
        globals()[name] = value = _version()
        return value
    if name in _API:
        module = importlib.import_module(f".{_API[name]}", __name__)
        value = getattr(module, _ALIASES.get(name, name))
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'midcorridor' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "__version__"})
