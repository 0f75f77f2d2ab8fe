"""Criticality runs: the nodes and links a scenario's trips may use, each taken out in turn.

What :func:`midcorridor.analysis.criticality.rank_criticality` ranks, computed here as a
grid of tasks for :func:`~.grid_exec.run_points` (in-process or on Dask workers): the
*elements* (:func:`find_elements`: every node and link of the candidate routes of the
scenario's trips, :func:`~.runner.route_choices`, the trips' own ends and ``via`` places
left out), and for each one the scenario with that element closed (a ``closures`` entry)
or its capacity degraded (:func:`element_scenario`), whose trips are re-run one by one
(:func:`evaluate_element`): a trip with no open route says so instead of stopping the
others. Every element's runs use the scenario's seed (common random numbers), so a trip
the element does not touch comes out exactly as in the intact run, and results do not
depend on what ran them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .._errors import RouteError, ScenarioError
from ..inputs.changes import CapacityChange, Closures, ServiceChange
from ..inputs.scenario import Scenario
from ..model.delays import Volume
from ..network.network import Network
from ..vocabulary import CHOICE_CORRIDORS, CORRIDORS, ChoiceCorridor, Corridor
from .choice import (
    WEEKS_PER_YEAR,
    ChoiceBaseline,
    fit_choice_baseline,
    solve_choice,
    with_choice_volumes,
)
from .network_cache import cached_network
from .resolve import Conditions, resolve
from .runner import route_choices, run_scenario

__all__ = [
    "Element",
    "ElementKind",
    "ElementTask",
    "degradable",
    "element_scenario",
    "evaluate_element",
    "evaluate_elements",
    "find_elements",
]

ElementKind = Literal["node", "link"]
#: The source a degraded element's change names (a scenario change needs one).
_SOURCE = "midcorridor criticality --degrade"


@dataclass(frozen=True)
class Element:
    """A node or link some trip of the scenario may use.

    Attributes
    ----------
    id
        Node or link id.
    kind
        ``node`` or ``link``.
    name
        The node's name, or a link's ends and mode ("Aktau - Baku, ferry").
    corridors
        Corridors of the candidate routes through it, in the order of
        :data:`~midcorridor.vocabulary.CORRIDORS`.
    """

    id: str
    kind: ElementKind
    name: str
    corridors: tuple[Corridor, ...]


def _name(network: Network, kind: ElementKind, element_id: str) -> str:
    if kind == "node":
        return network.nodes_by_id[element_id].props.name
    props = network.links_by_id[element_id].props
    ends = (network.nodes_by_id[n].props.name.split(" / ")[0] for n in (props.from_, props.to))
    return f"{' - '.join(ends)}, {props.mode}"


def find_elements(scenario: Scenario, network: Network) -> list[Element]:
    """Every node and link of the candidate routes of the scenario's trips.

    The candidates of a trip are the :data:`~.runner.ROUTE_CHOICES` shortest open routes
    of each corridor it may take (all three for ``corridor: any``), as the runner chooses
    among them. The trips' origins, destinations and ``via`` places are left out: no
    route avoids them. Nodes come first, then links, each by id.

    Raises
    ------
    ScenarioError
        For places or closures the network does not know.
    """
    conditions = resolve(scenario, network)
    fixed: set[str] = set()
    corridors: dict[tuple[ElementKind, str], set[Corridor]] = {}
    for i, spec in enumerate(scenario.routes):
        origin = conditions.node(spec.origin, f"routes.{i}.origin")
        destination = conditions.node(spec.destination, f"routes.{i}.destination")
        via = [conditions.node(v, f"routes.{i}.via.{j}") for j, v in enumerate(spec.via)]
        fixed |= {origin, destination, *via}
        routes = route_choices(
            network,
            origin,
            destination,
            spec.corridor,
            set(conditions.blocked_nodes),
            set(conditions.blocked_links),
            via,
        )
        for route in routes:
            for node in route.nodes:
                corridors.setdefault(("node", node), set()).add(route.corridor)
            for link in route.links:
                corridors.setdefault(("link", link), set()).add(route.corridor)
    return [
        Element(
            id=element_id,
            kind=kind,
            name=_name(network, kind, element_id),
            corridors=tuple(c for c in CORRIDORS if c in found),
        )
        for (kind, element_id), found in sorted(corridors.items())
        if not (kind == "node" and element_id in fixed)
    ]


def _capacity(element: Element, conditions: Conditions) -> float | None:
    """A node's trains a day or a link's TEU a sailing under the scenario (None if the
    element has neither)."""
    network = conditions.network
    if element.kind == "node":
        node = network.nodes_by_id[element.id].props.capacity
        capacity = conditions.capacities.get(element.id, node)
        return None if capacity is None else capacity.trains_per_day
    link = network.links_by_id[element.id].props.service
    service = conditions.services.get(element.id, link)
    return None if service is None else service.capacity_teu


def degradable(element: Element, conditions: Conditions) -> bool:
    """Whether the element has a capacity (a node's trains a day) or a service (a ferry or
    sea line's TEU a sailing) that ``--degrade`` can lower."""
    return _capacity(element, conditions) is not None


def element_scenario(
    scenario: Scenario, element: Element, conditions: Conditions, degrade: float | None = None
) -> Scenario:
    """``scenario`` with ``element`` closed, or with its capacity at ``degrade`` (a
    fraction) of what ``conditions`` (the scenario resolved) give it.

    Raises
    ------
    ScenarioError
        When the degraded capacity is outside the bounds of the figure.
    ValueError
        When asked to degrade an element without a capacity (:func:`degradable`).
    """
    where = f"{scenario.path}: {element.kind} {element.id}"
    name = f"{scenario.name} without {element.id}"
    if degrade is None:
        kind = "nodes" if element.kind == "node" else "links"
        closed = scenario.closures.merged(Closures(**{kind: (element.id,)}))
        return scenario.derive(where=where, name=name, closures=closed)
    capacity = _capacity(element, conditions)
    if capacity is None:
        raise ValueError(f"{element.kind} {element.id} has no capacity to degrade")
    provenance = {"note": f"capacity at {degrade:g} of the scenario's", "source": _SOURCE}
    if element.kind == "node":
        change = CapacityChange.model_validate(
            {"node": [element.id], "trains_per_day": capacity * degrade, **provenance}
        )
        return scenario.derive(where=where, name=name, capacities=(*scenario.capacities, change))
    service = ServiceChange.model_validate(
        {"link": [element.id], "capacity_teu": capacity * degrade, **provenance}
    )
    return scenario.derive(where=where, name=name, services=(*scenario.services, service))


@dataclass(frozen=True)
class ElementTask:
    """One element's scenario, ready to run anywhere (picklable for Dask workers).

    ``index`` -1 and ``element`` None is the intact scenario. ``choice_baseline``: the
    scenario the corridor choice is fitted on, when it is re-solved.
    """

    index: int
    element: Element | None
    scenario: Scenario
    network_path: str
    choice_baseline: Scenario | None = None


#: The corridor choice fitted once per process: (network, baseline, samples, seed) -> fit.
_FITTED: dict[tuple[str, str, int, int], ChoiceBaseline] = {}


def _fitted(network_path: str, baseline: Scenario, samples: int, seed: int) -> ChoiceBaseline:
    key = (network_path, baseline.model_dump_json(), samples, seed)
    if key not in _FITTED:
        _FITTED[key] = fit_choice_baseline(
            baseline, cached_network(network_path), samples=samples, seed=seed
        )
    return _FITTED[key]


def _teu_per_year(scenario: Scenario) -> dict[ChoiceCorridor, float]:
    """TEU a year on each corridor from the scenario's volume (0 where it gives none)."""
    out = {}
    for corridor in CHOICE_CORRIDORS:
        volume = scenario.volume.get(corridor)
        out[corridor] = 0.0 if volume is None else Volume.of(volume).mean * WEEKS_PER_YEAR
    return out


def evaluate_element(task: ElementTask) -> list[dict[str, Any]]:
    """Re-run the trips of one element's scenario: one row per trip of the scenario.

    Each row has the element's ``index``, the trip's position ``trip`` and ``label``, ``routed``
    (False when no route is open to it), its
    ``corridor``, ``days_p50``, ``usd_mean`` (NaN without cost figures or a route),
    ``saturated``, and the TEU a year on each corridor, ``teu_<corridor>``: the corridor
    choice's when it is re-solved (``teu_source`` "choice"), else the scenario's volume;
    ``choice_note`` says why the choice could not be solved (the volumes then kept).
    """
    network = cached_network(task.network_path)
    scenario = task.scenario
    teu, source, choice_note = _teu_per_year(scenario), "scenario volume", ""
    if task.choice_baseline is not None:
        fitted = _fitted(task.network_path, task.choice_baseline, scenario.samples, scenario.seed)
        try:
            result = solve_choice(
                scenario,
                network,
                baseline=task.choice_baseline,
                samples=scenario.samples,
                seed=scenario.seed,
                fitted=fitted,
            )
        except ScenarioError as exc:  # a market left with no corridor: volumes kept, said
            choice_note = f"corridor choice not solved: {exc}"
        else:
            scenario = with_choice_volumes(scenario, result)
            teu, source = result.teu_per_year(), "choice"
    rows = []
    for position, spec in enumerate(scenario.routes):
        row: dict[str, Any] = {
            "element": task.index,
            "trip": position,
            "label": "",
            "routed": True,
            "corridor": "",
            "days_p50": math.nan,
            "usd_mean": math.nan,
            "saturated": False,
        }
        try:
            run = run_scenario(scenario.derive(routes=(spec,)), network)
        except (RouteError, ScenarioError):
            row["routed"] = False
        else:
            trip = run.trips[0]
            row.update(
                label=trip.label,
                corridor=trip.route.corridor,
                days_p50=float(trip.days()["p50"]),
                saturated=trip.saturated,
            )
            if run.costs:
                row["usd_mean"] = float(run.costs[0].cost_usd()["mean"])
        rows.append(
            {
                **row,
                **{f"teu_{c}": teu[c] for c in CHOICE_CORRIDORS},
                "teu_source": source,
                "choice_note": choice_note,
            }
        )
    return rows


def evaluate_elements(tasks: Sequence[ElementTask]) -> list[list[dict[str, Any]]]:
    """:func:`evaluate_element` of each task of a batch (one Dask task)."""
    return [evaluate_element(task) for task in tasks]
