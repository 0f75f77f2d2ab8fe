"""midcorridor: transit times on the Middle Corridor and the northern route.

The public API, imported lazily so that ``midcorridor --help`` starts fast::

    import midcorridor as mc
    net = mc.load()                                   # network/ of this checkout
    base = mc.load_scenario("scenarios/baseline.yaml")
    run = mc.run_scenario(base, net)
    run.trips[0].stages_frame()                       # days per stage
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = {
    "load": "network",
    "Network": "network",
    "candidate_routes": "routing",
    "Route": "routing",
    "components": "timing",
    "simulate": "timing",
    "TripResult": "timing",
    "load_scenario": "scenario",
    "Scenario": "scenario",
    "run_scenario": "runner",
    "compare_runs": "runner",
    "ScenarioRun": "runner",
    "calibrate": "calibration",
    "STAGES": "schema",
    "MidcorridorError": "_errors",
    "NetworkError": "_errors",
    "PlaceNotFoundError": "_errors",
    "RouteError": "_errors",
    "ScenarioError": "_errors",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'midcorridor' has no attribute {name!r}")
