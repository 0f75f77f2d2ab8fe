"""The scenario runner: pick each trip's route, apply changes and closures, sample times.

The queues it may need are simulated by :mod:`midcorridor.model.queue_engine` through the
adapter :mod:`midcorridor.model.queues`; the Monte Carlo sampling is
:func:`midcorridor.model.sampling.sample_trip`.

Data flows one way: a :class:`~midcorridor.inputs.scenario.Scenario` and a
:class:`~midcorridor.network.network.Network` go in, a :class:`ScenarioRun` of
:class:`~midcorridor.model.trip.TripResult` comes out; tables, JSON and maps are made from it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from .._errors import MidcorridorError, RouteError, ScenarioError, did_you_mean
from ..inputs.scenario import RouteSpec, Scenario
from ..model.components import components, expected_hours, with_probability_factors
from ..model.costs import TripCost, cost_seed, price_trip
from ..model.delays import Adjustment, Component
from ..model.journeys import Journey
from ..model.sampling import plan_journey, sample_trip
from ..model.trip import TripResult
from ..network.network import Network
from ..network.routing import Route, shortest_routes
from ..results import (
    Comparison,
    ComparisonEntry,
    ComparisonRow,
    PointLoad,
    Sweep,
    SweepRoute,
    SweepStep,
)
from ..vocabulary import CORRIDORS, CUSTOMS_STEPS, STAGES, Corridor, CorridorChoice, Shipment
from .frames import run_frame
from .resolve import Conditions, adjustments_for, check_composed, engine_error, resolve
from .route_errors import no_route_error

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PlannedTrip",
    "ScenarioRun",
    "check_scenario",
    "compare_runs",
    "constrained_points",
    "plan_trips",
    "route_choices",
    "run_scenario",
    "sweep_volume",
    "time_trip",
]

#: Shortest routes (km) of each wanted corridor among which the fastest is chosen.
ROUTE_CHOICES = 8


@dataclass(frozen=True)
class ScenarioRun:
    """Results of one scenario: one :class:`TripResult` per route of the scenario."""

    scenario: Scenario
    trips: tuple[TripResult, ...]
    samples: int
    seed: int
    month: int | None
    costs: tuple[TripCost, ...] = ()

    def to_dict(self, network: Network) -> dict[str, Any]:
        """JSON-ready results (``midcorridor run --json``)."""
        costs = self.costs or (None,) * len(self.trips)
        return {
            "scenario": self.scenario.name,
            "description": self.scenario.description,
            "seed": self.seed,
            "samples": self.samples,
            "departure_month": self.month,
            "routes": [
                _trip_dict(trip, network, cost)
                for trip, cost in zip(self.trips, costs, strict=True)
            ],
        }

    def cost(self, label: str) -> TripCost | None:
        """Cost and CO2 of the trip with this label (None without cost figures)."""
        for trip, cost in zip(self.trips, self.costs, strict=False):
            if trip.label == label:
                return cost
        return None

    @property
    def saturated(self) -> bool:
        """Whether any trip passes a saturated queue (its days are lower bounds)."""
        return any(trip.saturated for trip in self.trips)

    def frame(self) -> pd.DataFrame:
        """One row per route (:func:`midcorridor.runs.frames.run_frame`)."""
        return run_frame(self)

    def __repr__(self) -> str:
        shown = ", ".join(t.label for t in self.trips[:3])
        more = ", ..." if len(self.trips) > 3 else ""
        name, count = self.scenario.name, len(self.trips)
        return f"ScenarioRun({name!r}, {count} trips: {shown}{more}; {self.samples:,} samples)"

    def _repr_html_(self) -> str:
        return f"<b>{escape(self.scenario.name)}</b>" + self.frame().to_html(index=False)

    def trip(self, label: str) -> TripResult:
        """The trip with this label.

        Raises
        ------
        RouteError
            When the run has no trip of that label (naming the closest ones).
        """
        for trip in self.trips:
            if trip.label == label:
                return trip
        labels = [t.label for t in self.trips]
        hint = did_you_mean(label, labels, cutoff=0.3)
        raise RouteError(f"No route labelled {label!r} in scenario {self.scenario.name}{hint}.")


def _trip_dict(trip: TripResult, network: Network, cost: TripCost | None) -> dict[str, Any]:
    return {
        "label": trip.label,
        "shipment": trip.shipment,
        **trip.route.to_dict(network),
        "days": trip.days(),
        **(cost.to_dict() if cost is not None else {}),
        "stages_days": trip.stages_days(),
        "connections": [c.to_dict() for c in trip.connections],
        "warnings": trip.warnings,
        "saturated": trip.saturated,
    }


def _label(network: Network, spec: RouteSpec, route: Route) -> str:
    if spec.label:
        return spec.label
    names = (
        network.nodes_by_id[n].props.name.split(" / ")[0] for n in (route.origin, route.destination)
    )
    return f"{' - '.join(names)} ({route.corridor})"


@dataclass(frozen=True)
class PlannedTrip:
    """A trip ready to sample: its route, components and the scenario's adjustments."""

    label: str
    route: Route
    components: tuple[Component, ...]
    adjustments: tuple[Adjustment, ...]
    shipment: Shipment = "block_train"

    def journey(self, network: Network, *, month: int | None, seed: int) -> Journey:
        """How the trip meets its timetabled departures, planned as a run plans it
        (:func:`~midcorridor.model.sampling.plan_journey`)."""
        return plan_journey(
            self.components,
            shipment=self.shipment,
            shipment_class=network.shipments.get(self.shipment),
            month=month,
            adjustments=self.adjustments,
            seed=seed,
        )


def route_choices(
    network: Network,
    origin: str,
    destination: str,
    corridor: CorridorChoice,
    blocked_nodes: set[str],
    blocked_links: set[str],
    via: Collection[str] = (),
) -> Iterator[Route]:
    """The :data:`ROUTE_CHOICES` shortest routes of each wanted corridor (through ``via``)."""
    wanted = CORRIDORS if corridor == "any" else (corridor,)
    for name in wanted:
        yield from shortest_routes(
            network,
            origin,
            destination,
            corridor=name,
            count=ROUTE_CHOICES,
            blocked_nodes=blocked_nodes,
            blocked_links=blocked_links,
            via=via,
        )


def plan_trips(
    scenario: Scenario,
    network: Network,
    *,
    month: int | None = None,
    conditions: Conditions | None = None,
    routes: Sequence[Route] | None = None,
) -> list[PlannedTrip]:
    """Resolve places and closures and choose each trip's route, without sampling.

    For each route the fastest (by expected hours, after the scenario's changes) of the
    :data:`ROUTE_CHOICES` shortest paths of the wanted corridor is taken, unless ``routes``
    gives it.

    Parameters
    ----------
    scenario, network
        What to plan, on which network.
    month
        Departure month (1-12); default the scenario's.
    conditions
        The scenario already resolved on the network (:func:`~.resolve.resolve`);
        default: resolve it here.
    routes
        Each trip's route, one per route of the scenario (of an earlier plan): none is
        chosen, only timed.

    Raises
    ------
    ScenarioError
        For unknown places or links, routes that no path (or the closures) allow,
        changes that compose beyond the bounds of one change, and volumes whose queues
        the queue engine cannot simulate (too many trains or sailings).
    """
    month = month if month is not None else scenario.departure_month
    if month is not None and not 1 <= month <= 12:
        raise ScenarioError(f"departure month must be 1-12, got {month}.")
    if conditions is None:
        conditions = resolve(scenario, network)
    planned: list[PlannedTrip] = []
    for i, spec in enumerate(scenario.routes):
        origin = conditions.node(spec.origin, f"routes.{i}.origin")
        destination = conditions.node(spec.destination, f"routes.{i}.destination")
        if origin == destination:
            raise conditions.error(f"routes.{i}", "origin and destination are the same place.")
        for end, fld in ((origin, "origin"), (destination, "destination")):
            if end in conditions.blocked_nodes:
                raise conditions.error(
                    f"routes.{i}.{fld}", f"{network.describe(end)} is itself closed (closures)."
                )
        best: tuple[float, PlannedTrip] | None = None
        via = [conditions.node(v, f"routes.{i}.via.{j}") for j, v in enumerate(spec.via)]
        choices = (
            route_choices(
                network,
                origin,
                destination,
                spec.corridor,
                set(conditions.blocked_nodes),
                set(conditions.blocked_links),
                via,
            )
            if routes is None
            else (routes[i],)
        )
        for route in choices:
            volume = scenario.volume.get(route.corridor)
            label = _label(network, spec, route)
            try:
                comps = components(
                    network,
                    route,
                    month=month,
                    volume_teu_per_week=volume,
                    services=conditions.services,
                    capacities=conditions.capacities,
                    shipment=spec.shipment,
                    demands=conditions.demands,
                    era=scenario.era,
                    customs=conditions.customs,
                )
            except MidcorridorError:
                raise
            except ValueError as exc:  # the queue engine refuses the run
                if not volume:
                    raise  # no queue was simulated: not the engine, a bug
                raise engine_error(conditions, route, label, volume, exc) from None
            adjustments = adjustments_for(comps, route.corridor, conditions.changes, spec.shipment)
            check_composed(conditions, comps, adjustments, route.corridor, spec.shipment)
            comps, adjustments = with_probability_factors(comps, adjustments)
            hours = expected_hours(comps, adjustments)
            if best is None or hours < best[0]:
                trip = PlannedTrip(label, route, tuple(comps), tuple(adjustments), spec.shipment)
                best = (hours, trip)
        if best is None:
            raise no_route_error(conditions, spec, i, origin, destination)
        twin = next((j for j, p in enumerate(planned) if p.label == best[1].label), None)
        if twin is not None:
            raise conditions.error(
                f"routes.{twin}, routes.{i}",
                f"both routes would be labelled {best[1].label!r}: give one a label of its "
                "own (results are paired by it)",
            )
        planned.append(best[1])
    return planned


def check_scenario(scenario: Scenario, network: Network) -> None:
    """Raise :class:`ScenarioError` if the scenario cannot run on ``network``.

    Plans every trip as :func:`run_scenario` does (places, closures, routes, changes, and
    the queue simulations a volume calls for), so a scenario that passes runs.
    """
    plan_trips(scenario, network)


def run_scenario(
    scenario: Scenario,
    network: Network,
    *,
    samples: int | None = None,
    seed: int | None = None,
    month: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScenarioRun:
    """Time every route of a scenario.

    Parameters
    ----------
    scenario
        A loaded scenario (:func:`midcorridor.load_scenario`).
    network
        The network (:func:`midcorridor.load`).
    samples, seed, month
        Override the scenario's Monte Carlo samples, seed and departure month (1-12).
    progress
        Called as ``progress(done, total)`` with the samples drawn so far over all trips,
        after each chunk (progress bars).

    Returns
    -------
    ScenarioRun
        One sampled :class:`~midcorridor.model.trip.TripResult` per route of the scenario.

    Raises
    ------
    ScenarioError
        For unknown places or links, and routes that no path (or the closures) allow.
    """
    samples = samples if samples is not None else scenario.samples
    seed = seed if seed is not None else scenario.seed
    month = month if month is not None else scenario.departure_month
    if samples < 1:
        raise ScenarioError(f"samples must be at least 1, got {samples}.")
    conditions = resolve(scenario, network)
    planned = plan_trips(scenario, network, month=month, conditions=conditions)
    logger.info("running scenario %s with %d samples, seed %d", scenario.name, samples, seed)
    total = samples * len(planned)
    trips, costs = [], []
    for i, trip in enumerate(planned):
        done_before = i * samples
        on_chunk = (
            None if progress is None else (lambda n, base=done_before: progress(base + n, total))
        )
        journey = trip.journey(network, month=month, seed=seed)
        trips.append(
            sample_trip(
                trip.route,
                trip.components,
                samples=samples,
                seed=seed,
                adjustments=trip.adjustments,
                label=trip.label,
                progress=on_chunk,
                journey=journey,
            )
        )
        if network.costs is not None:
            costs.append(
                price_trip(
                    network,
                    trip.route,
                    trips[-1].total_days,
                    cost_seed(seed, trip.route),
                    conditions.cost_changes,
                )
            )
    return ScenarioRun(
        scenario=scenario,
        trips=tuple(trips),
        samples=samples,
        seed=seed,
        month=month,
        costs=tuple(costs),
    )


def time_trip(
    network: Network,
    origin: str,
    destination: str,
    *,
    conditions: Scenario,
    corridor: CorridorChoice = "any",
    shipment: Shipment = "block_train",
    via: Sequence[str] = (),
    samples: int | None = None,
    seed: int | None = None,
    month: int | None = None,
) -> ScenarioRun:
    """Time one trip between two places under a scenario's conditions.

    Parameters
    ----------
    network
        The network.
    origin, destination
        Places (id, name or alias).
    conditions
        The scenario whose volume, changes, closures and era the trip runs in (its own
        routes are left out).
    corridor, shipment, via
        Which corridor, what travels, and places the route must pass.
    samples, seed, month
        Override the scenario's Monte Carlo samples, seed and departure month (1-12).

    Returns
    -------
    ScenarioRun
        A run of this one trip (``run.trips[0]``, ``run.costs[0]``).

    Raises
    ------
    PlaceNotFoundError
        For a place the network does not know.
    RouteError
        When origin and destination are the same place.
    ScenarioError
        When no route allows the trip (naming the closure that cut it).
    """
    ends = [network.find_node(place) for place in (origin, destination)]
    if ends[0] == ends[1]:
        raise RouteError(
            f"{origin!r} and {destination!r} are the same place ({network.describe(ends[0])}): "
            "name two different places."
        )
    passes = tuple(network.find_node(place) for place in via)
    spec = RouteSpec(
        origin=ends[0], destination=ends[1], corridor=corridor, shipment=shipment, via=passes
    )
    return run_scenario(
        conditions.derive(routes=(spec,)), network, samples=samples, seed=seed, month=month
    )


def compare_runs(runs: Sequence[ScenarioRun]) -> Comparison:
    """Per trip label of the first run: days in each run and the change against the first.

    Parameters
    ----------
    runs
        Scenario runs; the first is the reference.

    Returns
    -------
    Comparison
        One row per trip of the first run, with an entry per run (None where a run has
        no trip of that label). A saturated trip's entry is flagged: its days are lower
        bounds, and a change against a saturated reference is unknown.

    Raises
    ------
    ScenarioError
        If ``runs`` is empty.
    """
    if not runs:
        raise ScenarioError("Nothing to compare: give at least one scenario.")
    rows = []
    for trip in runs[0].trips:
        base_days, base_stages, base_steps = trip.days(), trip.stages_days(), trip.steps_days()
        entries: list[ComparisonEntry | None] = []
        for run in runs:
            other = next((t for t in run.trips if t.label == trip.label), None)
            if other is None:
                entries.append(None)
                continue
            days, stages, steps = other.days(), other.stages_days(), other.steps_days()
            entries.append(
                ComparisonEntry(
                    scenario=run.scenario.name,
                    days=days,
                    delta_p50_days=days["p50"] - base_days["p50"],
                    delta_mean_days=days["mean"] - base_days["mean"],
                    stage_deltas_days={s: stages[s] - base_stages[s] for s in STAGES},
                    step_deltas_days={s: steps[s] - base_steps[s] for s in CUSTOMS_STEPS},
                    warnings=tuple(other.warnings),
                    lower_bound_stages=other.lower_bound_stages | trip.lower_bound_stages,
                    reference_saturated=trip.saturated,
                )
            )
        rows.append(ComparisonRow(label=trip.label, entries=tuple(entries)))
    return Comparison(scenarios=tuple(r.scenario.name for r in runs), rows=tuple(rows))


def constrained_points(run: ScenarioRun, corridor: Corridor) -> dict[str, PointLoad]:
    """Load of each simulated queue (Caspian crossing or node) on ``corridor``'s trips."""
    points: dict[str, PointLoad] = {}
    for trip in run.trips:
        if trip.route.corridor != corridor:
            continue
        for comp in trip.components:
            if comp.utilisation is not None:
                point = comp.link if comp.stage == "ferry_wait" else comp.node
                points[str(point)] = PointLoad(comp.utilisation, saturated=bool(comp.warning))
    return points


def sweep_volume(
    scenario: Scenario,
    network: Network,
    volumes: Sequence[float],
    *,
    corridor: Corridor = "middle",
    samples: int | None = None,
    on_step: Callable[[float], None] | None = None,
) -> Sweep:
    """Run a scenario at each ``corridor`` volume (TEU a week): days and loads.

    Parameters
    ----------
    scenario, network
        What to run, on which network.
    volumes
        Volumes on ``corridor``, TEU a week.
    corridor
        The corridor whose volume varies.
    samples
        Monte Carlo samples per run (default: the scenario's).
    on_step
        Called with each volume once it is done (progress bars).

    Returns
    -------
    Sweep
        Per volume, every trip's P50 and P90 days and the load of every Caspian
        crossing (link id) or capacity-limited node (node id) on the corridor's routes.

    Raises
    ------
    ScenarioError
        If a volume is outside the bounds of a scenario's volume
        (:data:`~midcorridor.inputs.bounds.VOLUME_BOUNDS`), before anything is run, or a run
        fails as :func:`run_scenario` does.
    """
    varied = [
        scenario.derive(
            where=f"sweep of {scenario.path}, {corridor} volume {volume:g} TEU a week",
            volume={**scenario.volume, corridor: volume},
        )
        for volume in volumes
    ]
    steps = []
    for volume, variant in zip(volumes, varied, strict=True):
        run = run_scenario(variant, network, samples=samples)
        routes = []
        for trip in run.trips:
            days = trip.days()
            routes.append(
                SweepRoute(
                    label=trip.label,
                    corridor=trip.route.corridor,
                    p50=days["p50"],
                    p90=days["p90"],
                    warnings=tuple(trip.warnings),
                )
            )
        steps.append(SweepStep(volume, tuple(routes), constrained_points(run, corridor)))
        if on_step is not None:
            on_step(volume)
    return Sweep(scenario=scenario.name, corridor=corridor, steps=tuple(steps))
