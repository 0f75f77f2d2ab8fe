"""A scenario resolved on the network, once per run: the conditions every trip is planned in.

:func:`resolve` turns a scenario's place names into node ids and its closures, service,
capacity and cost changes into what the model takes (:class:`Conditions`), refusing, with
the scenario file and field named, anything the network does not have. Changes to delays
and to cost legs select what they act on with the one rule of
:func:`midcorridor.model.selection.selects`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from .._errors import MidcorridorError, ScenarioError, did_you_mean
from ..inputs._read import validation_problems
from ..inputs.bounds import ADD_HOURS_BOUNDS, PACE_BOUNDS, SCALE_BOUNDS, SET_HOURS_BOUNDS
from ..inputs.changes import Change, Closures, CostChange
from ..inputs.customs_files import Instrument
from ..inputs.network_files import Capacity, Service
from ..inputs.scenario import Scenario
from ..model.costs import LegChange
from ..model.customs import CustomsState
from ..model.delays import Adjustment, Component, Volume
from ..model.sea_level import Crossing
from ..model.selection import Selection, selection_of, selects
from ..network.network import INSTRUMENTS_FILE, Network
from ..network.routing import Route
from ..vocabulary import SHIPMENTS, Shipment
from .sea_level import sea_level

__all__ = [
    "Conditions",
    "DelayChange",
    "adjustment_of",
    "adjustments_for",
    "check_composed",
    "closed",
    "delay_change",
    "engine_error",
    "resolve",
    "scenario_error",
]


def scenario_error(scenario: Scenario | None, fld: str, message: str) -> ScenarioError:
    """A problem of the scenario's field ``fld``, naming its file (if there is one)."""
    return (
        scenario.error(fld, message)
        if scenario is not None
        else ScenarioError(f"field {fld}: {message}")
    )


def node_id(network: Network, scenario: Scenario | None, query: str, fld: str) -> str:
    """The node a scenario names at field ``fld``."""
    try:
        return network.find_node(query)
    except MidcorridorError as exc:
        raise scenario_error(scenario, fld, exc.message) from None


@dataclass(frozen=True)
class DelayChange:
    """A scenario's change to delays, resolved: what it selects and what it does.

    Attributes
    ----------
    index
        Its place in the scenario's ``changes``.
    selection
        Selector -> values (node names resolved to ids; None: any).
    adjustment
        Its action.
    field_name
        The scenario field it comes from, when not ``changes.<index>`` (an instrument's
        effect: ``instruments.<j>``).
    """

    index: int
    selection: Selection
    adjustment: Adjustment
    field_name: str = ""

    @property
    def where(self) -> str:
        """The scenario field it comes from."""
        return self.field_name or f"changes.{self.index}"

    def applies(self, comp: Component, corridor: str, shipment: str) -> bool:
        """Whether it selects ``comp`` on a trip of ``corridor`` carrying ``shipment``."""
        return selects(self.selection, comp.selectable(corridor, shipment))


def adjustment_of(change: Change) -> Adjustment:
    """A change's action (``scale``, ``set`` or ``add``) as an :class:`Adjustment`."""
    if change.set is not None:
        return Adjustment(set=change.set)
    if change.scale is not None:
        return Adjustment(scale=change.scale)
    return Adjustment(add=change.add or 0.0)


@dataclass(frozen=True)
class Conditions:
    """A scenario resolved on a network (:func:`resolve`).

    Attributes
    ----------
    scenario, network
        What was resolved, on what.
    blocked_nodes, blocked_links
        Closed node and link ids.
    services, capacities
        Link id -> service and node id -> capacity, after the scenario's changes.
    demands
        Link id -> shipment class -> TEU a week in each month at its departures.
    changes
        The changes to delays.
    cost_changes
        The changes to cost legs.
    service_changes, capacity_changes
        Link or node id -> indices of the service or capacity changes applied there, in
        order (to name the field behind a refused queue simulation).
    customs
        The customs offices and instruments in the scenario's era, or None.
    crossings
        Caspian link id -> its load factor at the scenario's level (``caspian``), which
        ``services`` already hold in their ``capacity_teu``; empty without a level. A
        crossing whose factor is 0 is in ``blocked_links``.
    """

    scenario: Scenario
    network: Network
    blocked_nodes: frozenset[str]
    blocked_links: frozenset[str]
    services: Mapping[str, Service]
    capacities: Mapping[str, Capacity]
    demands: Mapping[str, Mapping[str, tuple[float, ...]]]
    changes: tuple[DelayChange, ...]
    cost_changes: tuple[LegChange, ...]
    service_changes: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    capacity_changes: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    customs: CustomsState | None = None
    crossings: Mapping[str, Crossing] = field(default_factory=dict)

    def node(self, query: str, fld: str) -> str:
        """The node the scenario names at field ``fld``."""
        return node_id(self.network, self.scenario, query, fld)

    def error(self, fld: str, message: str) -> ScenarioError:
        """A problem of the scenario's field ``fld``."""
        return scenario_error(self.scenario, fld, message)


def closed(scenario: Scenario, network: Network, closures: Closures) -> tuple[set[str], set[str]]:
    """Node ids and link ids that ``closures`` (of ``scenario``) take out of ``network``."""
    blocked_nodes: set[str] = set()
    for i, code in enumerate(closures.countries):
        nodes = {n.id for n in network.nodes_by_id.values() if code in n.props.countries}
        if not nodes:
            hint = did_you_mean(code, sorted(network.countries))
            raise scenario_error(
                scenario, f"closures.countries.{i}", f"no node in country {code!r}{hint}"
            )
        blocked_nodes |= nodes
    for i, name in enumerate(closures.nodes):
        blocked_nodes.add(node_id(network, scenario, name, f"closures.nodes.{i}"))
    for i, link_id in enumerate(closures.links):
        if link_id not in network.links_by_id:
            hint = did_you_mean(link_id, network.links_by_id)
            raise scenario_error(scenario, f"closures.links.{i}", f"unknown link {link_id!r}{hint}")
    by_passage = {
        lk.id for lk in network.links_by_id.values() if lk.props.passage in closures.passages
    }
    by_era = {  # lines the trade did not sail in the scenario's era (network: unsailed)
        lk.id
        for lk in network.links_by_id.values()
        if lk.props.unsailed is not None and lk.props.unsailed.covers(scenario.era)
    }
    return blocked_nodes, set(closures.links) | by_passage | by_era


def _services(
    scenario: Scenario, network: Network
) -> tuple[dict[str, Service], dict[str, dict[str, tuple[float, ...]]], dict[str, list[int]]]:
    """Link id -> service after the service changes (in order); the demands they give
    (link id -> class -> TEU a week by month); the changes applied to each link."""
    out: dict[str, Service] = {}
    applied: dict[str, list[int]] = {}
    demands: dict[str, dict[str, tuple[float, ...]]] = {}
    ferries = [lk for lk, v in network.links_by_id.items() if v.props.service]
    for i, change in enumerate(scenario.services):
        for j, link_id in enumerate(change.link or ()):
            if link_id not in ferries:
                hint = did_you_mean(link_id, ferries)
                raise scenario_error(
                    scenario, f"services.{i}.link.{j}", f"no ferry or sea link {link_id!r}{hint}"
                )
        for link in network.links_by_id.values():
            service = out.get(link.id, link.props.service)
            if service is None:
                continue
            selection = selection_of({"link": change.link, "sea": change.sea})
            if selects(selection, {"link": link.id, "sea": link.props.sea}):
                out[link.id] = service.model_copy(update=change.updates())
                applied.setdefault(link.id, []).append(i)
                if change.demand_teu_per_week is not None:
                    demands[link.id] = _demand(network, change.demand_teu_per_week)
    for link_id in demands:
        if out[link_id].dispatch != "scheduled":
            raise scenario_error(
                scenario,
                f"services.{applied[link_id][-1]}.demand_teu_per_week",
                f"link {link_id} is not a scheduled service (dispatch "
                f"{out[link_id].dispatch}): demand fills timetabled departures only",
            )
    return out, demands, applied


def _demand(
    network: Network, demand: Mapping[Shipment, float | tuple[float, ...]]
) -> dict[str, tuple[float, ...]]:
    """Demand of every class (0 where not given), 12 months each, by boarding priority."""
    order = sorted(SHIPMENTS, key=lambda name: network.shipments[name].priority)
    return {name: Volume.of(demand.get(name, 0.0)).by_month() for name in order}


def _capacities(
    scenario: Scenario, network: Network
) -> tuple[dict[str, Capacity], dict[str, list[int]]]:
    """Node id -> handling capacity after the capacity changes (in order), and the changes
    applied to each node."""
    out: dict[str, Capacity] = {}
    applied: dict[str, list[int]] = {}
    for i, change in enumerate(scenario.capacities):
        for j, name in enumerate(change.node):
            node = node_id(network, scenario, name, f"capacities.{i}.node.{j}")
            current = out.get(node, network.nodes_by_id[node].props.capacity)
            settings = change.updates()
            if current is None:
                if "trains_per_day" not in settings:
                    raise scenario_error(
                        scenario,
                        f"capacities.{i}.trains_per_day",
                        f"{network.describe(node)} has no capacity in the network: "
                        "give trains_per_day",
                    )
                current = Capacity(trains_per_day=settings["trains_per_day"], source=change.source)
            out[node] = current.model_copy(update={**settings, "source": current.source})
            applied.setdefault(node, []).append(i)
    return out, applied


def _selection(
    scenario: Scenario | None, network: Network, change: Change | CostChange, fld: str
) -> Selection:
    """What a change selects, its node names resolved to ids."""
    selectors = {name: getattr(change, name) for name in type(change).SELECTORS}
    if selectors.get("node") is not None:
        selectors["node"] = [
            node_id(network, scenario, n, f"{fld}.node.{j}")
            for j, n in enumerate(selectors["node"])
        ]
    return selection_of(selectors)


def _changes(scenario: Scenario, network: Network) -> tuple[DelayChange, ...]:
    """The changes to delays, resolved; a ``figure_source`` must be a key of sources.yaml."""
    for i, change in enumerate(scenario.changes):
        for j, key in enumerate(change.figure_source or ()):
            if key not in network.sources:
                raise scenario_error(
                    scenario,
                    f"changes.{i}.figure_source.{j}",
                    f"unknown source key {key!r}{did_you_mean(key, network.sources)}",
                )
    return (
        _calibrated_changes(network)
        + _instrument_changes(scenario, network)
        + tuple(
            delay_change(change, network, index=i, scenario=scenario)
            for i, change in enumerate(scenario.changes)
        )
    )


#: Index of the instruments' changes (they are no scenario's ``changes.<i>``).
INSTRUMENT_INDEX = -2


def _instruments(scenario: Scenario, network: Network) -> list[Instrument]:
    """The instruments the scenario switches on; an unknown key is refused."""
    if not scenario.instruments:
        return []
    book = network.instruments.instruments if network.instruments is not None else {}
    out = []
    for j, key in enumerate(scenario.instruments):
        if key not in book:
            where = "" if book else f" (the network has no {INSTRUMENTS_FILE})"
            raise scenario_error(
                scenario,
                f"instruments.{j}",
                f"unknown instrument {key!r}{did_you_mean(key, book)}{where}",
            )
        out.append(book[key])
    return out


def _instrument_changes(scenario: Scenario, network: Network) -> tuple[DelayChange, ...]:
    """The instruments' effects on the hours of customs steps, as changes to delays."""
    out = []
    for j, inst in enumerate(_instruments(scenario, network)):
        for effect in inst.effects:
            selection = selection_of(
                {
                    "step": effect.steps,
                    "customs_country": inst.countries,
                    "node": inst.nodes,
                    "shipment": inst.shipments,
                }
            )
            action = (
                Adjustment(scale=effect.scale)
                if effect.scale is not None
                else Adjustment(set=effect.set)
            )
            out.append(DelayChange(INSTRUMENT_INDEX, selection, action, f"instruments.{j}"))
    return tuple(out)


#: Index of the calibration's changes (they are no scenario's ``changes.<i>``).
CALIBRATED_INDEX = -1


def _calibrated_changes(network: Network) -> tuple[DelayChange, ...]:
    """The calibration's factors (``network/calibrated.yaml``: each parameter's posterior
    median), applied before a scenario's own changes."""
    if network.calibrated is None:
        return ()
    graded = network.calibrated.graded()
    return tuple(
        delay_change(
            Change(
                figure_source=(key,),
                scale=factor,
                note=(
                    "calibrated against the observed transit times"
                    if key in graded
                    else "the fit's posterior median (an assumption: the data do not narrow it)"
                ),
                source=key,
            ),
            network,
            index=CALIBRATED_INDEX,
        )
        for key, factor in network.calibrated.factors().items()
    )


def delay_change(
    change: Change, network: Network, *, index: int = 0, scenario: Scenario | None = None
) -> DelayChange:
    """One change to delays (``changes.<index>`` of ``scenario``) resolved on ``network``.

    Raises
    ------
    ScenarioError
        When it names a place the network does not have.
    """
    selection = _selection(scenario, network, change, f"changes.{index}")
    # keys whose change scales a factor other than hours: a pace's log-sd, a probability
    factor_of = {
        **dict.fromkeys(network.pace_sources(), "pace"),
        **dict.fromkeys(network.probability_sources(), "probability"),
    }
    named = set(change.figure_source or ())
    special = named & factor_of.keys()
    if not special:
        return DelayChange(index, selection, adjustment_of(change))
    kinds = {factor_of[k] for k in special}
    if change.scale is None or named != special or len(kinds) > 1:
        what = " or ".join(
            {"pace": "the pace of a trip", "probability": "the probability of a delay"}[k]
            for k in sorted(kinds)
        )
        raise scenario_error(
            scenario,
            f"changes.{index}",
            f"{', '.join(sorted(special))}: {what} (shipments.yaml) is changed only by a "
            "scale of its spread or share, in a change of its own (no other "
            "figure_source, no set or add)",
        )
    return DelayChange(index, selection, Adjustment(**{kinds.pop(): change.scale}))


def _cost_changes(scenario: Scenario, network: Network) -> tuple[LegChange, ...]:
    """The changes to cost legs, with places resolved and links checked."""
    out = []
    for i, change in enumerate(scenario.costs):
        for j, link_id in enumerate(change.link or ()):
            if link_id not in network.links_by_id:
                hint = did_you_mean(link_id, network.links_by_id)
                raise scenario_error(
                    scenario, f"costs.{i}.link.{j}", f"unknown link {link_id!r}{hint}"
                )
        selection = _selection(scenario, network, change, f"costs.{i}")
        scale = change.scale if change.scale is not None else 1.0
        out.append(LegChange(selection, scale=scale, add=change.add_usd or 0.0))
    return tuple(out)


def resolve(scenario: Scenario, network: Network) -> Conditions:
    """The scenario's closures and changes resolved on ``network``.

    Raises
    ------
    ScenarioError
        Naming the scenario file and field of an unknown place, country, link or source
        key, or of a service or capacity change the network cannot take.
    """
    blocked_nodes, blocked_links = closed(scenario, network, scenario.closures)
    changes = _changes(scenario, network)
    services, demands, service_changes = _services(scenario, network)
    crossings, shallow = sea_level(scenario, network, services)
    capacities, capacity_changes = _capacities(scenario, network)
    customs = None
    if network.customs is not None:
        customs = CustomsState.of(network.customs, scenario.era, _instruments(scenario, network))
    return Conditions(
        scenario=scenario,
        network=network,
        blocked_nodes=frozenset(blocked_nodes),
        blocked_links=frozenset(blocked_links | shallow),
        services=services,
        capacities=capacities,
        demands=demands,
        changes=changes,
        cost_changes=_cost_changes(scenario, network),
        service_changes={k: tuple(v) for k, v in service_changes.items()},
        capacity_changes={k: tuple(v) for k, v in capacity_changes.items()},
        customs=customs,
        crossings=crossings,
    )


def adjustments_for(
    comps: Sequence[Component],
    corridor: str,
    changes: Sequence[DelayChange],
    shipment: str = "block_train",
) -> list[Adjustment]:
    """The combined effect of ``changes`` (in order) on each delay of a trip."""
    out = []
    for comp in comps:
        adj = Adjustment()
        for change in changes:
            if change.applies(comp, corridor, shipment):
                adj = adj.then(change.adjustment)
        out.append(adj)
    return out


def check_composed(
    conditions: Conditions,
    comps: Sequence[Component],
    adjustments: Sequence[Adjustment],
    corridor: str,
    shipment: str,
) -> None:
    """Refuse changes that, composed on one delay, leave the bounds of a single change.

    Raises
    ------
    ScenarioError
        Naming the changes, the delay and the bound.
    """
    for comp, adj in zip(comps, adjustments, strict=True):
        if adj.set is not None:
            checks = [("set", adj.set, SET_HOURS_BOUNDS)]
        else:
            checks = [("scale", adj.scale, SCALE_BOUNDS), ("add", adj.add, ADD_HOURS_BOUNDS)]
        if comp.pace_log_sd > 0:
            checks.append(("pace", comp.pace_log_sd * adj.pace, PACE_BOUNDS))
        for action, value, bounds in checks:
            if bounds.contains(value):
                continue
            applied = [
                c.where
                for c in conditions.changes
                if c.index != CALIBRATED_INDEX and c.applies(comp, corridor, shipment)
            ]
            place = f"link {comp.link}" if comp.link is not None else f"node {comp.node}"
            what = f"the {comp.stage} hours at {place}"
            effect = {
                "set": f"set {what} to {value:,g} hours",
                "scale": f"scale {what} by {value:,g}",
                "add": f"add {value:,g} hours to {what}",
                "pace": f"make the log-sd of the pace of {what} {value:,g}",
            }[action]
            raise conditions.error(
                ", ".join(dict.fromkeys(applied)),
                f"together these changes {effect}; changes composed on one delay must stay "
                f"within the bounds of one change: {action} {bounds.text()}",
            )


def engine_error(
    conditions: Conditions,
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
    if isinstance(error, ValidationError):
        message = "; ".join(f"{f}: {p}" if f else p for f, p in validation_problems(error))
    else:
        message = str(error)
    volume = Volume.of(teu_per_week).mean
    fld = f"volume.{route.corridor}"
    if message.startswith("service"):
        applied = [i for link in route.links for i in conditions.service_changes.get(link, ())]
        if applied:
            fld = f"services.{max(applied)}"
    elif message.startswith("capacity"):
        applied = [i for node in route.nodes for i in conditions.capacity_changes.get(node, ())]
        if applied:
            fld = f"capacities.{max(applied)}"
    return conditions.error(
        fld,
        f"the queues of trip {label!r} ({route.corridor} corridor, {volume:,g} TEU a week) "
        f"cannot be simulated: {message}",
    )
