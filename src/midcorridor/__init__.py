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
    from .analysis import rank_bottlenecks, sensitivity
    from .calibration import Calibration, calibrate
    from .charts import (
        cost_distance_chart,
        sensitivity_chart,
        sweep_chart,
        time_distance_chart,
        tornado_chart,
    )
    from .choice import ChoiceResult
    from .choice import solve as solve_choice
    from .costs import TripCost, cost_legs
    from .maps import scenario_map
    from .network import Network, load
    from .report import write_report
    from .results import Comparison, NetworkSummary, Ranking, Spread, Sweep
    from .routing import Route, candidate_routes, network_summary
    from .runner import ScenarioRun, compare_runs, run_scenario, sweep_volume
    from .scenario import RouteSpec, Scenario, load_scenario
    from .timing import TripResult, components, sample_trip
    from .vocabulary import CORRIDORS, STAGES

    __version__: str

#: Public name -> module that defines it.
_API = {
    "MidcorridorError": "_errors",
    "NetworkError": "_errors",
    "PlaceNotFoundError": "_errors",
    "RouteError": "_errors",
    "ScenarioError": "_errors",
    "rank_bottlenecks": "analysis",
    "sensitivity": "analysis",
    "Calibration": "calibration",
    "calibrate": "calibration",
    "ChoiceResult": "choice",
    "solve_choice": "choice",
    "cost_legs": "costs",
    "TripCost": "costs",
    "cost_distance_chart": "charts",
    "sensitivity_chart": "charts",
    "sweep_chart": "charts",
    "time_distance_chart": "charts",
    "tornado_chart": "charts",
    "scenario_map": "maps",
    "Network": "network",
    "load": "network",
    "write_report": "report",
    "Comparison": "results",
    "NetworkSummary": "results",
    "Ranking": "results",
    "Spread": "results",
    "Sweep": "results",
    "Route": "routing",
    "candidate_routes": "routing",
    "network_summary": "routing",
    "ScenarioRun": "runner",
    "compare_runs": "runner",
    "run_scenario": "runner",
    "sweep_volume": "runner",
    "RouteSpec": "scenario",
    "Scenario": "scenario",
    "load_scenario": "scenario",
    "CORRIDORS": "vocabulary",
    "STAGES": "vocabulary",
    "TripResult": "timing",
    "components": "timing",
    "sample_trip": "timing",
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
