"""The scenario runner: pick each trip's route, apply changes and closures, sample times.

The queues it may need are simulated by :mod:`midcorridor.model.queue_engine` through the
adapter :mod:`midcorridor.model.queues`; the Monte Carlo sampling is
:func:`midcorridor.model.sampling.sample_trip`.

Data flows one way: a :class:`~midcorridor.inputs.scenario.Scenario` and a
:class:`~midcorridor.network.network.Network` go in, a :class:`ScenarioRun` of
:class:`~midcorridor.model.trip.TripResult` comes out; tables, JSON and maps are made from it.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .._errors import MidcorridorError, ScenarioError
from ..inputs.scenario import Change, Closures, RouteSpec, Scenario
from ..inputs.schema import (
    ADD_HOURS_BOUNDS,
    SCALE_BOUNDS,
    SET_HOURS_BOUNDS,
    VOLUME_BOUNDS,
    Capacity,
    Service,
)
from ..model.components import components, expected_hours
from ..model.costs import LegChange, TripCost, cost_seed, price_trip
from ..model.delays import Adjustment, Component, Volume
from ..model.sampling import plan_journey, sample_trip
from ..model.trip import TripResult
from ..network.network import Network
from ..network.routing import Route, iter_routes
from ..results import (
    Comparison,
    ComparisonEntry,
    ComparisonRow,
    PointLoad,
    Sweep,
    SweepRoute,
    SweepStep,
)
from ..vocabulary import CORRIDORS, SHIPMENTS, STAGES, Corridor, CorridorChoice, Shipment

__all__ = [
    "PlannedTrip",
    "ScenarioRun",
    "check_scenario",
    "compare_runs",
    "constrained_points",
    "plan_trips",
    "run_scenario",
    "sweep_volume",
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

    def trip(self, label: str) -> TripResult:
        """The trip with this label."""
        for trip in self.trips:
            if trip.label == label:
                return trip
        raise KeyError(label)


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


def _did_you_mean(value: str, choices: Collection[str]) -> str:
    """`` Did you mean: a, b?`` with the closest of ``choices``, or nothing."""
    close = difflib.get_close_matches(value, list(choices), n=3)
    return f" Did you mean: {', '.join(close)}?" if close else ""


class _Resolver:
    """Turns a scenario's place names into node ids, errors naming file and field."""

    def __init__(self, network: Network, scenario: Scenario) -> None:
        self.network = network
        self.scenario = scenario
        #: Indices of the service changes applied to each link, in order.
        self.service_changes: dict[str, list[int]] = {}
        #: Indices of the capacity changes applied to each node, in order.
        self.capacity_changes: dict[str, list[int]] = {}
        #: Link id -> shipment class -> TEU a week in each month at its departures.
        self.demands: dict[str, dict[str, tuple[float, ...]]] = {}

    def error(self, fld: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.scenario.path}: field {fld}: {message}")

    def node(self, query: str, fld: str) -> str:
        try:
            return self.network.find_node(query)
        except MidcorridorError as exc:
            raise self.error(fld, exc.message) from None

    def closures(self, closures: Closures) -> tuple[set[str], set[str]]:
        """Blocked node ids and link ids."""
        net = self.network
        blocked_nodes: set[str] = set()
        for i, code in enumerate(closures.countries):
            nodes = {n.id for n in net.nodes_by_id.values() if code in n.props.countries}
            if not nodes:
                close = difflib.get_close_matches(code, sorted(net.countries), n=3)
                hint = f" (countries in the network include {', '.join(close)})" if close else ""
                raise self.error(f"closures.countries.{i}", f"no node in country {code!r}{hint}")
            blocked_nodes |= nodes
        for i, name in enumerate(closures.nodes):
            blocked_nodes.add(self.node(name, f"closures.nodes.{i}"))
        for i, link_id in enumerate(closures.links):
            if link_id not in net.links_by_id:
                hint = _did_you_mean(link_id, net.links_by_id)
                raise self.error(f"closures.links.{i}", f"unknown link {link_id!r}.{hint}")
        by_passage = {
            lk.id for lk in net.links_by_id.values() if lk.props.passage in closures.passages
        }
        return blocked_nodes, set(closures.links) | by_passage

    def services(self) -> dict[str, Service]:
        """Link id -> service after the scenario's service changes (in order)."""
        net = self.network
        out: dict[str, Service] = {}
        for i, change in enumerate(self.scenario.services):
            for j, link_id in enumerate(change.link or ()):
                link = net.links_by_id.get(link_id)
                if link is None or link.props.service is None:
                    ferries = [lk for lk, v in net.links_by_id.items() if v.props.service]
                    hint = _did_you_mean(link_id, ferries)
                    raise self.error(
                        f"services.{i}.link.{j}", f"no ferry or sea link {link_id!r}.{hint}"
                    )
            for link in net.links_by_id.values():
                service = out.get(link.id, link.props.service)
                if service is None:
                    continue
                by_link = change.link is None or link.id in change.link
                by_sea = change.sea is None or link.props.sea in change.sea
                if by_link and by_sea:
                    out[link.id] = service.model_copy(update=change.updates())
                    self.service_changes.setdefault(link.id, []).append(i)
                    if change.demand_teu_per_week is not None:
                        self.demands[link.id] = self._demand(change.demand_teu_per_week)
        for link_id in self.demands:
            if out[link_id].dispatch != "scheduled":
                i = self.service_changes[link_id][-1]
                raise self.error(
                    f"services.{i}.demand_teu_per_week",
                    f"link {link_id} is not a scheduled service (dispatch "
                    f"{out[link_id].dispatch}): demand fills timetabled departures only",
                )
        return out

    def _demand(
        self, demand: Mapping[Shipment, float | tuple[float, ...]]
    ) -> dict[str, tuple[float, ...]]:
        """Demand of every class (0 where not given), 12 months each, by boarding priority."""
        shipments = self.network.shipments
        order = sorted(SHIPMENTS, key=lambda name: shipments[name].priority)
        return {name: Volume.of(demand.get(name, 0.0)).by_month() for name in order}

    def capacities(self) -> dict[str, Capacity]:
        """Node id -> handling capacity after the scenario's capacity changes (in order)."""
        out: dict[str, Capacity] = {}
        for i, change in enumerate(self.scenario.capacities):
            for j, name in enumerate(change.node):
                node_id = self.node(name, f"capacities.{i}.node.{j}")
                current = out.get(node_id, self.network.nodes_by_id[node_id].props.capacity)
                if current is None:
                    if change.trains_per_day is None:
                        raise self.error(
                            f"capacities.{i}.trains_per_day",
                            f"{self.network.describe(node_id)} has no capacity in the network: "
                            "give trains_per_day",
                        )
                    current = Capacity(trains_per_day=change.trains_per_day, source=change.source)
                out[node_id] = current.model_copy(
                    update={**change.updates(), "source": current.source}
                )
                self.capacity_changes.setdefault(node_id, []).append(i)
        return out

    def cost_changes(self) -> list[LegChange]:
        """The scenario's cost changes, with places resolved and links checked."""
        out = []
        for i, change in enumerate(self.scenario.costs):
            for j, link_id in enumerate(change.link or ()):
                if link_id not in self.network.links_by_id:
                    hint = _did_you_mean(link_id, self.network.links_by_id)
                    raise self.error(f"costs.{i}.link.{j}", f"unknown link {link_id!r}.{hint}")
            nodes = [self.node(n, f"costs.{i}.node.{j}") for j, n in enumerate(change.node or ())]
            out.append(
                LegChange(
                    links=None if change.link is None else frozenset(change.link),
                    nodes=None if change.node is None else frozenset(nodes),
                    countries=None if change.country is None else frozenset(change.country),
                    kinds=None if change.kind is None else frozenset(change.kind),
                    seas=None if change.sea is None else frozenset(change.sea),
                    scale=change.scale if change.scale is not None else 1.0,
                    add=change.add_usd or 0.0,
                )
            )
        return out

    def check_figure_sources(self) -> None:
        """Refuse a change selecting a source key that ``sources.yaml`` does not have."""
        sources = self.network.sources
        for i, change in enumerate(self.scenario.changes):
            for j, key in enumerate(change.figure_source or ()):
                if key not in sources:
                    raise self.error(
                        f"changes.{i}.figure_source.{j}",
                        f"unknown source key {key!r}.{_did_you_mean(key, sources)}",
                    )

    def change_nodes(self) -> list[set[str]]:
        """Node ids selected by each change's ``node`` field."""
        return [
            {self.node(n, f"changes.{i}.node") for n in change.node or ()}
            for i, change in enumerate(self.scenario.changes)
        ]


def change_adjustment(change: Change) -> Adjustment:
    """A scenario change's action (``scale``, ``set`` or ``add``) as an :class:`Adjustment`."""
    if change.set is not None:
        return Adjustment(set=change.set)
    if change.scale is not None:
        return Adjustment(scale=change.scale)
    return Adjustment(add=change.add or 0.0)


def change_matches(
    change: Change,
    comp: Component,
    corridor: str,
    node_ids: Collection[str] = (),
    shipment: str = "block_train",
) -> bool:
    """Whether ``change`` applies to ``comp`` on a route of ``corridor``.

    Selectors left out match everything; a list matches any of its values. ``node_ids``
    are the change's ``node`` selectors resolved to node ids; ``shipment`` is what travels
    on the trip.
    """
    checks = (
        (change.stage, lambda v: comp.stage in v),
        (change.country, lambda v: bool(set(v) & set(comp.countries))),
        (change.node, lambda v: comp.node in node_ids),
        (change.node_kind, lambda v: comp.node_kind in v),
        (change.link, lambda v: comp.link in v),
        (change.link_mode, lambda v: comp.link_mode in v),
        (change.corridor, lambda v: corridor in v),
        (change.shipment, lambda v: shipment in v),
        (change.figure_source, lambda v: comp.source in v),
    )
    return all(test(selected) for selected, test in checks if selected is not None)


def adjustments_for(
    comps: Sequence[Component],
    corridor: str,
    changes: Sequence[Change],
    change_nodes: Sequence[set[str]],
    shipment: str = "block_train",
) -> list[Adjustment]:
    """The combined effect of ``changes`` (in order) on each component of a trip."""
    out = []
    for comp in comps:
        adj = Adjustment()
        for change, nodes in zip(changes, change_nodes, strict=True):
            if change_matches(change, comp, corridor, nodes, shipment):
                adj = adj.then(change_adjustment(change))
        out.append(adj)
    return out


def _label(network: Network, spec: RouteSpec, route: Route) -> str:
    if spec.label:
        return spec.label
    names = (
        network.nodes_by_id[n].props.name.split(" / ")[0] for n in (route.origin, route.destination)
    )
    return f"{' - '.join(names)} ({route.corridor})"


def _no_route_error(
    resolver: _Resolver, spec: RouteSpec, i: int, origin: str, destination: str
) -> ScenarioError:
    """Explain why no route exists, naming the closure that cut it if one did."""
    net, scenario = resolver.network, resolver.scenario
    wanted = "" if spec.corridor == "any" else f" on the {spec.corridor} corridor"
    via = [resolver.node(v, f"routes.{i}.via.{j}") for j, v in enumerate(spec.via)]

    def exists(closures: Closures) -> bool:
        nodes, links = resolver.closures(closures)
        routes = iter_routes(
            net,
            origin,
            destination,
            corridor=spec.corridor,
            blocked_nodes=nodes,
            blocked_links=links,
        )
        return any(all(v in r.nodes for v in via) for r in routes)

    if spec.via:
        wanted += " via " + ", ".join(spec.via)
    where = f"No route from {net.describe(origin)} to {net.describe(destination)}{wanted}"
    if not exists(Closures()):
        return resolver.error(f"routes.{i}", f"{where} even with every link open.")
    cutting = []
    for kind, value in scenario.closures.items():
        single = Closures(**{f"{kind}s" if kind != "country" else "countries": (value,)})
        if not exists(single):
            cutting.append(f"{kind} {value}")
    culprit = ", ".join(cutting) if cutting else "the closures together"
    return resolver.error(f"routes.{i}", f"{where}: closed by {culprit} (closures).")


def _engine_message(error: ValueError) -> str:
    """The queue engine's complaint in one line (a pydantic error without its furniture)."""
    if not isinstance(error, ValidationError):
        return str(error)
    parts = []
    for err in error.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def _engine_error(
    resolver: _Resolver,
    route: Route,
    label: str,
    teu_per_week: float | tuple[float, ...],
    error: ValueError,
) -> ScenarioError:
    """The queue engine refused a run for this trip: name the scenario field behind it.

    That is the last service change applied to a crossing of the route when the engine
    names the service, the last capacity change applied to a node of the route when it
    names the capacity, and otherwise (or when no change applied there) the corridor's
    volume, which is what makes the queues simulated at all.
    """
    message = _engine_message(error)
    volume = Volume.of(teu_per_week).mean
    fld = f"volume.{route.corridor}"
    if message.startswith("service"):
        applied = [i for link in route.links for i in resolver.service_changes.get(link, [])]
        if applied:
            fld = f"services.{max(applied)}"
    elif message.startswith("capacity"):
        applied = [i for node in route.nodes for i in resolver.capacity_changes.get(node, [])]
        if applied:
            fld = f"capacities.{max(applied)}"
    return resolver.error(
        fld,
        f"the queues of trip {label!r} ({route.corridor} corridor, {volume:,g} TEU a week) "
        f"cannot be simulated: {message}",
    )


def _check_composed(
    resolver: _Resolver,
    comps: Sequence[Component],
    adjustments: Sequence[Adjustment],
    corridor: str,
    change_nodes: Sequence[set[str]],
    shipment: str,
) -> None:
    """Refuse changes that, composed on one delay, leave the bounds of a single change.

    Raises
    ------
    ScenarioError
        Naming the changes, the delay and the bound.
    """
    changes = resolver.scenario.changes
    for comp, adj in zip(comps, adjustments, strict=True):
        if adj.set is not None:
            checks = [("set", adj.set, SET_HOURS_BOUNDS)]
        else:
            checks = [("scale", adj.scale, SCALE_BOUNDS), ("add", adj.add, ADD_HOURS_BOUNDS)]
        for action, value, bounds in checks:
            if bounds.contains(value):
                continue
            applied = [
                i
                for i, (change, nodes) in enumerate(zip(changes, change_nodes, strict=True))
                if change_matches(change, comp, corridor, nodes, shipment)
            ]
            place = f"link {comp.link}" if comp.link is not None else f"node {comp.node}"
            what = f"the {comp.stage} hours at {place}"
            effect = {
                "set": f"set {what} to {value:,g} hours",
                "scale": f"scale {what} by {value:,g}",
                "add": f"add {value:,g} hours to {what}",
            }[action]
            raise resolver.error(
                ", ".join(f"changes.{i}" for i in applied),
                f"together these changes {effect}; changes composed on one delay must stay "
                f"within the bounds of one change: {action} {bounds.text()}",
            )


@dataclass(frozen=True)
class PlannedTrip:
    """A trip ready to sample: its route, components and the scenario's adjustments."""

    label: str
    route: Route
    components: tuple[Component, ...]
    adjustments: tuple[Adjustment, ...]
    shipment: Shipment = "block_train"


def _choices(
    network: Network,
    origin: str,
    destination: str,
    corridor: CorridorChoice,
    blocked_nodes: set[str],
    blocked_links: set[str],
    via: Collection[str] = (),
) -> Iterator[Route]:
    """The :data:`ROUTE_CHOICES` shortest routes of each wanted corridor (through every
    node of ``via``)."""
    wanted = CORRIDORS if corridor == "any" else (corridor,)
    for name in wanted:
        routes = iter_routes(
            network,
            origin,
            destination,
            corridor=name,
            blocked_nodes=blocked_nodes,
            blocked_links=blocked_links,
        )
        passing = (r for r in routes if all(v in r.nodes for v in via))
        yield from itertools.islice(passing, ROUTE_CHOICES)


def plan_trips(
    scenario: Scenario, network: Network, *, month: int | None = None
) -> list[PlannedTrip]:
    """Resolve places and closures and choose each trip's route, without sampling.

    For each route the fastest (by expected hours, after the scenario's changes) of the
    :data:`ROUTE_CHOICES` shortest paths of the wanted corridor is taken.

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
    resolver = _Resolver(network, scenario)
    blocked_nodes, blocked_links = resolver.closures(scenario.closures)
    resolver.check_figure_sources()
    change_nodes = resolver.change_nodes()
    services = resolver.services()
    capacities = resolver.capacities()
    planned = []
    for i, spec in enumerate(scenario.routes):
        origin = resolver.node(spec.origin, f"routes.{i}.origin")
        destination = resolver.node(spec.destination, f"routes.{i}.destination")
        if origin == destination:
            raise resolver.error(f"routes.{i}", "origin and destination are the same place.")
        for end, fld in ((origin, "origin"), (destination, "destination")):
            if end in blocked_nodes:
                raise resolver.error(
                    f"routes.{i}.{fld}", f"{network.describe(end)} is itself closed (closures)."
                )
        best: tuple[float, PlannedTrip] | None = None
        via = [resolver.node(v, f"routes.{i}.via.{j}") for j, v in enumerate(spec.via)]
        choices = _choices(
            network, origin, destination, spec.corridor, blocked_nodes, blocked_links, via
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
                    services=services,
                    capacities=capacities,
                    shipment=network.shipments.get(spec.shipment),
                    demands=resolver.demands,
                    era=scenario.era,
                )
            except MidcorridorError:
                raise
            except ValueError as exc:  # the queue engine refuses the run
                if not volume:
                    raise  # no queue was simulated: not the engine, a bug
                raise _engine_error(resolver, route, label, volume, exc) from None
            adjustments = adjustments_for(
                comps, route.corridor, scenario.changes, change_nodes, spec.shipment
            )
            _check_composed(
                resolver, comps, adjustments, route.corridor, change_nodes, spec.shipment
            )
            hours = expected_hours(comps, adjustments)
            if best is None or hours < best[0]:
                trip = PlannedTrip(label, route, tuple(comps), tuple(adjustments), spec.shipment)
                best = (hours, trip)
        if best is None:
            raise _no_route_error(resolver, spec, i, origin, destination)
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
    planned = plan_trips(scenario, network, month=month)
    cost_changes = _Resolver(network, scenario).cost_changes()
    total = samples * len(planned)
    trips, costs = [], []
    for i, trip in enumerate(planned):
        done_before = i * samples
        on_chunk = (
            None if progress is None else (lambda n, base=done_before: progress(base + n, total))
        )
        journey = plan_journey(
            trip.components,
            shipment=trip.shipment,
            shipment_class=network.shipments.get(trip.shipment),
            month=month,
            adjustments=trip.adjustments,
            seed=seed,
        )
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
                    cost_changes,
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
        base_days, base_stages = trip.days(), trip.stages_days()
        entries: list[ComparisonEntry | None] = []
        for run in runs:
            other = next((t for t in run.trips if t.label == trip.label), None)
            if other is None:
                entries.append(None)
                continue
            days, stages = other.days(), other.stages_days()
            entries.append(
                ComparisonEntry(
                    scenario=run.scenario.name,
                    days=days,
                    delta_p50_days=days["p50"] - base_days["p50"],
                    delta_mean_days=days["mean"] - base_days["mean"],
                    stage_deltas_days={s: stages[s] - base_stages[s] for s in STAGES},
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
        (:data:`~midcorridor.inputs.schema.VOLUME_BOUNDS`), before anything is run, or a run
        fails as :func:`run_scenario` does.
    """
    for volume in volumes:
        if not VOLUME_BOUNDS.contains(volume):
            raise ScenarioError(
                f"Sweep volume {volume:g} on the {corridor} corridor: must be "
                f"{VOLUME_BOUNDS.text()}."
            )
    steps = []
    for volume in volumes:
        varied = scenario.model_copy(update={"volume": {**scenario.volume, corridor: volume}})
        run = run_scenario(varied, network, samples=samples)
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
