# The public API of midcorridor, listed once: type checkers read it, and ``__init__.py``
# loads each name from it lazily (lazy_loader.attach_stub, scientific-python SPEC 1).
# Every type a public function takes or returns is listed here too.

from ._errors import (
    MidcorridorError,
    NetworkError,
    PlaceNotFoundError,
    RouteError,
    ScenarioError,
)
from ._version import __version__
from .analysis.annual_loss import AnnualLoss, annual_loss
from .analysis.bottlenecks import rank_bottlenecks, sensitivity
from .analysis.calibration import Calibration, calibrate
from .analysis.criticality import Criticality, ElementCriticality, rank_criticality
from .analysis.customs import BorderCheck, CustomsReport, border_checks, customs_report
from .analysis.events import EventImpact, EventWeek, event_impact
from .analysis.headline import Headline, headline
from .analysis.model_checks import ModelChecks, check_model
from .analysis.savings import PackageSavings, package_savings
from .analysis.scores import ObservationScore, Scores, promise_by_month, score_observations
from .inputs.caspian_files import CaspianBook, CaspianLevel
from .inputs.changes import CapacityChange, Change, Closures, CostChange, ServiceChange
from .inputs.cost_files import ChoiceBook, CostBook
from .inputs.events import Event, RecoveryStep, Reported
from .inputs.network_files import Capacity, Service, ShipmentClass, SourceEntry
from .inputs.observations import Observation, ObservationBook
from .inputs.scenario import RouteSpec, Scenario, load_scenario
from .inputs.targets import CostTarget, TargetBook, TimeTarget
from .model.components import components
from .model.costs import CostLeg, TripCost, cost_legs
from .model.customs import CustomsState
from .model.delays import Adjustment, Component
from .model.journeys import Journey
from .model.sampling import plan_journey, sample_trip
from .model.sea_level import load_factor
from .model.trip import TripResult
from .network.network import Network
from .network.read import load
from .network.routing import Route, candidate_routes, network_summary
from .results import Comparison, NetworkSummary, Ranking, Spread, Sweep
from .runs.choice import ChoiceBaseline, ChoiceResult, fit_choice_baseline, solve_choice
from .runs.criticality import Element
from .runs.memo import RunMemo
from .runs.runner import ScenarioRun, compare_runs, run_scenario, sweep_volume
from .views.charts import sensitivity_chart, sweep_chart, tornado_chart
from .views.criticality_map import criticality_map
from .views.distance_charts import cost_distance_chart, time_distance_chart
from .views.maps import scenario_map
from .views.report import write_report
from .vocabulary import CORRIDORS, STAGES

__all__ = [
    "CORRIDORS",
    "STAGES",
    "Adjustment",
    "AnnualLoss",
    "BorderCheck",
    "Calibration",
    "Capacity",
    "CapacityChange",
    "CaspianBook",
    "CaspianLevel",
    "Change",
    "ChoiceBaseline",
    "ChoiceBook",
    "ChoiceResult",
    "Closures",
    "Comparison",
    "Component",
    "CostBook",
    "CostChange",
    "CostLeg",
    "CostTarget",
    "Criticality",
    "CustomsReport",
    "CustomsState",
    "Element",
    "ElementCriticality",
    "Event",
    "EventImpact",
    "EventWeek",
    "Headline",
    "Journey",
    "MidcorridorError",
    "ModelChecks",
    "Network",
    "NetworkError",
    "NetworkSummary",
    "Observation",
    "ObservationBook",
    "ObservationScore",
    "PackageSavings",
    "PlaceNotFoundError",
    "Ranking",
    "RecoveryStep",
    "Reported",
    "Route",
    "RouteError",
    "RouteSpec",
    "RunMemo",
    "Scenario",
    "ScenarioError",
    "ScenarioRun",
    "Scores",
    "Service",
    "ServiceChange",
    "ShipmentClass",
    "SourceEntry",
    "Spread",
    "Sweep",
    "TargetBook",
    "TimeTarget",
    "TripCost",
    "TripResult",
    "__version__",
    "annual_loss",
    "border_checks",
    "calibrate",
    "candidate_routes",
    "check_model",
    "compare_runs",
    "components",
    "cost_distance_chart",
    "cost_legs",
    "criticality_map",
    "customs_report",
    "event_impact",
    "fit_choice_baseline",
    "headline",
    "load",
    "load_factor",
    "load_scenario",
    "network_summary",
    "package_savings",
    "plan_journey",
    "promise_by_month",
    "rank_bottlenecks",
    "rank_criticality",
    "run_scenario",
    "sample_trip",
    "scenario_map",
    "score_observations",
    "sensitivity",
    "sensitivity_chart",
    "solve_choice",
    "sweep_chart",
    "sweep_volume",
    "time_distance_chart",
    "tornado_chart",
    "write_report",
]
