"""Where a disruption event meets a trip (:mod:`midcorridor.analysis.events`): the place it
names, whether a trip passes it and when, a sea passage's detour, and the ordinary storm
holds a trip meets there."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._errors import did_you_mean
from ..inputs.events import Event
from ..inputs.scenario import Scenario
from ..model.trip import TripResult
from ..network.network import Network
from ..network.routing import Route
from ..network.sea_routes import detour_line
from ..vocabulary import HOURS_PER_DAY

__all__ = [
    "at_place",
    "detour_hours",
    "event_place",
    "hours_to_place",
    "route_passes",
    "storm_days",
    "touches",
]

#: Whether a node (and the link leaving it, if any) is the event's place.
AtPlace = Callable[[str, str | None], bool]


def at_place(network: Network, event: Event, place: str) -> AtPlace:
    """Whether a node (and the link leaving it, if any) is the event's place."""
    kind = event.place[0]

    def at(node: str, link: str | None) -> bool:
        if kind == "node":
            return node == place
        if kind == "country":
            return place in network.nodes_by_id[node].props.countries
        if link is None:
            return False
        return link == place if kind == "link" else network.links_by_id[link].props.passage == place

    return at


def route_passes(route: Route, event: Event, network: Network, place: str) -> bool:
    """Whether ``route`` passes the event's place."""
    at = at_place(network, event, place)
    return any(at(node, None) for node in route.nodes) or any(
        at(node, link) for node, link in zip(route.nodes, route.links, strict=False)
    )


def touches(trip: TripResult, event: Event, network: Network, place: str) -> bool:
    """Whether the trip's route passes the event's place."""
    return route_passes(trip.route, event, network, place)


def hours_to_place(trip: TripResult, event: Event, network: Network, place: str) -> float:
    """Mean hours from departure until the trip reaches the place."""
    at = at_place(network, event, place)
    for i, comp in enumerate(trip.components):
        if at(comp.node, comp.link):
            return float(trip.mean_hours[:i].sum())
    return 0.0


def event_place(scenario: Scenario, network: Network, event: Event, fld: str) -> str:
    """The id of the place ``event`` (the scenario's field ``fld``) names."""
    from ..runs.resolve import node_id, scenario_error

    kind, value = event.place
    if kind == "node":
        return node_id(network, scenario, value, f"{fld}.node")
    if kind == "link" and value not in network.links_by_id:
        hint = did_you_mean(value, network.links_by_id)
        raise scenario_error(scenario, f"{fld}.link", f"unknown link {value!r}{hint}")
    if kind == "country" and value not in network.countries:
        hint = did_you_mean(value, sorted(network.countries))
        raise scenario_error(scenario, f"{fld}.country", f"no node in country {value!r}{hint}")
    return value


def detour_hours(
    scenario: Scenario, network: Network, trip: TripResult, passage: str, fld: str
) -> float:
    """Hours a ship of the trip sails more when ``passage`` is closed: the PERT mean
    ``sailing_hours`` of the network's line between the same ports the other way round
    (:func:`~midcorridor.network.sea_routes.detour_line`) less its own line's."""
    from ..runs.resolve import scenario_error

    line = next(
        network.links_by_id[k]
        for k in trip.route.links
        if network.links_by_id[k].props.passage == passage
    )
    detour = detour_line(network, line.id)
    if detour is None:
        p = line.props
        raise scenario_error(
            scenario, f"{fld}.passage", f"no line from {p.from_} to {p.to} avoids {passage}"
        )
    own, other = line.props.sailing_hours, detour.props.sailing_hours
    if own is None or other is None:
        raise AssertionError("validated: a sea link has sailing_hours")
    return other.mean - own.mean


def storm_days(trip: TripResult, at: AtPlace) -> np.ndarray:
    """Days of ordinary storm holds (stage ``weather``) each kept sample meets at the place."""
    cols = [i for i, c in enumerate(trip.components) if c.stage == "weather" and at(c.node, c.link)]
    return trip.hours[:, cols].sum(axis=1) / HOURS_PER_DAY
