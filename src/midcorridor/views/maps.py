"""Offline map of scenario results: the network, each scenario's routes and closures,
hours at nodes, place names.

:func:`scenario_map` draws, on the offline basemap of the private module
:mod:`midcorridor.views._offline_folium` (the generic layer that makes folium maps work with no
network access; nothing in it knows about corridors or scenarios):

- the network, rail coloured by gauge (1435 / 1520 mm), ferries and sea legs dashed,
  closed links grey and dotted;
- per scenario, a layer of the links it closes (grey, dotted, wider) and a layer of its
  routes: a line per path, whose tooltip gives each trip following it (every shipment
  class) with its P10 / P50 / P90 door-to-door days, its P50 in the other scenarios, cost
  and CO2; the headline routes (the first route's origin and destination) lie above every
  other line, so they can be hovered all along;
- one circle per node (:mod:`midcorridor.views.map_nodes`), its area proportional to the
  hours a container stands there, its popup and tooltip by shipment class;
- place names, more of them as the reader zooms in.

Figures read as :mod:`midcorridor.views.formatting` writes them everywhere: a figure of a trip
through a saturated queue is a lower bound (``>476``) and its tooltip or popup carries
:data:`~midcorridor.views.formatting.SATURATED_NOTE` once. Markup comes from the templates of
:mod:`midcorridor.views.map_html`, escaped for HTML and for JavaScript template literals.

Elements carry CSS classes so that tests and readers' scripts can find them:
``mc-node mc-node-<ID>`` on node circles; ``mc-route mc-scenario-<i>`` on route lines
(``i`` = position of the scenario, from 0), plus ``mc-headline`` on the headline paths;
``mc-link mc-link-<mode>`` (and ``mc-link-closed``) on network links, plus
``mc-closed-scenario-<i>`` on the links scenario ``i`` closes; ``mc-label`` on place names.
In a route tooltip each trip is ``div.mc-trip`` with ``data-trip="<label>"``. In a node
popup (``div.mc-popup`` with ``data-node="<ID>"``) each shipment class is
``div.mc-class`` with ``data-class``, each stage row ``tr.mc-stage-<stage>``
(``mc-stage-total`` for all stages), its figures ``td.mc-fig.mc-col-<i>``, and a lower
bound is also ``mc-lower-bound``; the node tooltip's totals are ``span.mc-tip-total``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import folium

from ..model.costs import TripCost
from ..model.trip import TripResult
from ..network.network import Network
from ..runs.runner import ScenarioRun
from . import formatting
from ._offline_folium import add_legend, add_stylesheet, add_zoom_classes, new_map
from .map_html import in_pane, render, stylesheet
from .map_nodes import LABEL_ZOOMS, TripIndex, add_labels, add_nodes, node_radius

__all__ = [
    "CLOSED_COLOUR",
    "LINK_COLOURS",
    "SCENARIO_COLOURS",
    "node_radius",
    "route_coords",
    "scenario_map",
]

#: Network link colours: rail by gauge (mm), ferry and sea by mode.
LINK_COLOURS: dict[str, str] = {
    "rail_1435": "#3b75af",
    "rail_1520": "#b07d12",
    "ferry": "#0097a7",
    "sea": "#1a3e7a",
}
CLOSED_COLOUR = "#8a8a8a"
#: Route colours, one per scenario in the order given (repeats after six).
SCENARIO_COLOURS = ("#d62728", "#2ca02c", "#9467bd", "#e377c2", "#8c564b", "#ff7f0e")
#: Width (pixels) of each scenario's route bands: the first widest, each later one
#: narrower and drawn on top, so that a route shared by two scenarios shows both.
_SCENARIO_WEIGHTS = (13.0, 8.0, 4.5, 2.5)
_NETWORK_DASH = {"ferry": "7 5", "sea": "7 5"}
_CLOSED_DASH = "2 6"
#: Leaflet panes, bottom to top: the thin network lines, the route bands, the links the
#: scenarios close, the headline routes (the first route's origin and destination) above
#: every other line so they can be hovered all along, the node circles, the place names.
_NETWORK_PANE = "mc_network"
_ROUTES_PANE = "mc_routes"
_CLOSURES_PANE = "mc_closures"
_HEADLINE_PANE = "mc_headline"
_NODES_PANE = "mc_nodes"
_LABELS_PANE = "mc_labels"
_PANES = (
    (_NETWORK_PANE, 410),
    (_ROUTES_PANE, 420),
    (_CLOSURES_PANE, 425),
    (_HEADLINE_PANE, 430),
    (_NODES_PANE, 450),
)
_PAD_DEG = 1.5


def route_coords(trip: TripResult, network: Network) -> list[tuple[float, float]]:
    """The path of a trip along its links' geometry, in travel order.

    Parameters
    ----------
    trip
        A sampled trip.
    network
        The network the trip was routed on.

    Returns
    -------
    list of (float, float)
        ``(lat, lon)`` pairs in degrees (Leaflet order), from origin to destination.
    """
    route = trip.route
    out: list[tuple[float, float]] = []
    for i, link_id in enumerate(route.links):
        link = network.links_by_id[link_id]
        coords = list(link.coords)
        if link.props.from_ != route.nodes[i]:
            coords.reverse()
        points = [(lat, lon) for lon, lat in coords]
        if out and points and out[-1] == points[0]:
            points = points[1:]
        out.extend(points)
    return out


def headline_trips(run: ScenarioRun) -> list[TripResult]:
    """The trips of the run's first origin-destination pair: the map draws them on top."""
    if not run.trips:
        return []
    first = run.trips[0].route
    ends = (first.origin, first.destination)
    return [t for t in run.trips if (t.route.origin, t.route.destination) == ends]


def _bounds(
    runs: Sequence[ScenarioRun], network: Network
) -> tuple[float, float, float, float] | None:
    """(min_lon, min_lat, max_lon, max_lat) of every route, padded; None if no route."""
    lons: list[float] = []
    lats: list[float] = []
    for run in runs:
        for trip in run.trips:
            for link_id in trip.route.links:
                for lon, lat in network.links_by_id[link_id].coords:
                    lons.append(lon)
                    lats.append(lat)
    if not lons:
        return None
    return (
        max(-180.0, min(lons) - _PAD_DEG),
        max(-90.0, min(lats) - _PAD_DEG),
        min(180.0, max(lons) + _PAD_DEG),
        min(90.0, max(lats) + _PAD_DEG),
    )


def _link_line(
    network: Network,
    link_id: str,
    *,
    closed_in: str | None = None,
    weight: float = 2.5,
    extra_classes: str = "",
) -> folium.PolyLine:
    """A network link: coloured by gauge or mode, grey and dotted if closed (in the network
    file, or in the scenarios named by ``closed_in``), with its tooltip."""
    p = network.links_by_id[link_id].props
    key = f"rail_{p.gauge_mm}" if p.mode == "rail" else p.mode
    what = f"rail, {p.gauge_mm} mm gauge" if p.mode == "rail" else p.mode
    if p.sea:
        what += f" ({p.sea.replace('_', ' ')})"
    closed = p.status == "closed" or closed_in is not None
    text = render(
        "link_tooltip.html",
        id=p.id,
        what=what,
        length_km=formatting.km(p.length_km),
        closed=p.status == "closed",
        closed_since=p.closed_since,
        closed_reason=p.closed_reason or "",
        closed_in=closed_in,
    )
    classes = f"mc-link mc-link-{p.mode}{extra_classes}"
    dash: str | None
    if closed:
        colour, dash, opacity = CLOSED_COLOUR, _CLOSED_DASH, 0.9
        classes += " mc-link-closed"
    else:
        colour, dash, opacity = LINK_COLOURS[key], _NETWORK_DASH.get(p.mode), 0.95
    line = folium.PolyLine(
        [(lat, lon) for lon, lat in network.links_by_id[link_id].coords],
        color=colour,
        weight=weight,
        opacity=opacity,
        dash_array=dash,
        class_name=classes,
        tooltip=folium.Tooltip(text, sticky=True),
    )
    return in_pane(line, _NETWORK_PANE)


def _add_network(m: folium.Map, network: Network) -> None:
    layer = folium.FeatureGroup(name="Network: rail by gauge, ferries, sea").add_to(m)
    for link_id in network.links_by_id:
        _link_line(network, link_id).add_to(layer)


def _add_closures(m: folium.Map, runs: Sequence[ScenarioRun], network: Network) -> None:
    """A layer of the links the scenarios close beyond the network file's (the link, a
    node or country at an end, a passage, a line not sailed in the era), each link once,
    its tooltip naming the scenarios that close it."""
    from ..runs.frames import closed_links

    closing: dict[str, list[int]] = {}
    for k, run in enumerate(runs):
        for link_id in closed_links(run, network):
            if network.links_by_id[link_id].props.status != "closed":
                closing.setdefault(link_id, []).append(k)
    if not closing:
        return
    layer = folium.FeatureGroup(name="Closed by the scenarios").add_to(m)
    for link_id in sorted(closing):
        scenarios = closing[link_id]
        names = ", ".join(runs[k].scenario.name for k in scenarios)
        classes = "".join(f" mc-closed-scenario-{k}" for k in scenarios)
        line = _link_line(network, link_id, closed_in=names, weight=4.0, extra_classes=classes)
        in_pane(line, _CLOSURES_PANE).add_to(layer)


def _trip_figures(
    trip: TripResult, cost: TripCost | None, others: list[tuple[str, TripResult]]
) -> dict[str, Any]:
    """What a route tooltip says of one trip: days, P50 in the other scenarios, money."""
    money = None
    if cost is not None:
        usd, co2, time = cost.cost_usd(), cost.co2e_kg(), cost.cost_of_time_usd()
        money = {
            "usd": {k: formatting.usd(v) for k, v in usd.items()},
            "co2": {k: formatting.tonnes(v) for k, v in co2.items()},
            "time_usd": formatting.usd(time["mean"]),
        }
    bound = trip.saturated
    return {
        "label": trip.label or f"{trip.route.origin} - {trip.route.destination}",
        "shipment": trip.shipment.replace("_", " "),
        "days": {key: formatting.days(v, lower_bound=bound) for key, v in trip.days().items()},
        "others": [
            (name, formatting.days(other.days()["p50"], lower_bound=other.saturated))
            for name, other in others
        ],
        "money": money,
    }


def _route_tooltip(
    trips: Sequence[tuple[TripResult, TripCost | None]],
    scenario: str,
    runs: Sequence[ScenarioRun],
) -> str:
    """Tooltip of a path in one scenario: each trip following it, its door-to-door days
    (lower bounds if it saturates a queue), its P50 in the other scenarios, cost and CO2."""
    route = trips[0][0].route
    figures = []
    for trip, cost in trips:
        others = [
            (run.scenario.name, other)
            for run in runs
            if run.scenario.name != scenario
            for other in run.trips
            if other.label == trip.label
        ]
        figures.append(_trip_figures(trip, cost, others))
    bound = any(trip.saturated for trip, _ in trips)
    return render(
        "route_tooltip.html",
        scenario=scenario,
        corridor=route.corridor,
        distance_km=formatting.km(route.distance_km),
        trips=figures,
        note=formatting.SATURATED_NOTE if bound else None,
    )


def _paths(run: ScenarioRun) -> dict[tuple[str, ...], list[tuple[TripResult, TripCost | None]]]:
    """The run's trips grouped by the links they follow, in the order of first appearance."""
    costs = run.costs or (None,) * len(run.trips)
    out: dict[tuple[str, ...], list[tuple[TripResult, TripCost | None]]] = {}
    for trip, cost in zip(run.trips, costs, strict=True):
        out.setdefault(trip.route.links, []).append((trip, cost))
    return out


def _add_routes(
    m: folium.Map, runs: Sequence[ScenarioRun], network: Network
) -> list[tuple[str, str, str]]:
    """One line per scenario and path (the trips following it in its tooltip); the
    headline paths in the top pane."""
    legend: list[tuple[str, str, str]] = []
    for k, run in enumerate(runs):
        colour = SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)]
        weight = _SCENARIO_WEIGHTS[min(k, len(_SCENARIO_WEIGHTS) - 1)]
        name = run.scenario.name
        # Leaflet's layer control shows the name as HTML: escape it as text.
        layer = folium.FeatureGroup(name=f"Routes: {html.escape(name)}").add_to(m)
        headline = {t.route.links for t in headline_trips(run)}
        for links, trips in _paths(run).items():
            top = links in headline
            line = folium.PolyLine(
                route_coords(trips[0][0], network),
                color=colour,
                weight=weight,
                opacity=0.45 if k == 0 else 0.75,
                class_name=f"mc-route mc-scenario-{k}" + (" mc-headline" if top else ""),
                tooltip=folium.Tooltip(_route_tooltip(trips, name, runs), sticky=True),
            )
            in_pane(line, _HEADLINE_PANE if top else _ROUTES_PANE).add_to(layer)
        band = "widest band" if k == 0 else "narrower band on top"
        legend.append((f"Routes: {name} ({band})", colour, "solid"))
    return legend


def scenario_map(
    runs: Sequence[ScenarioRun], network: Network, *, title: str | None = None
) -> folium.Map:
    """An offline map comparing the routes and times of one or more scenario runs.

    Parameters
    ----------
    runs
        Results of :func:`midcorridor.run_scenario`, drawn in this order; may be empty
        (the network only).
    network
        The network the runs were made on.
    title
        Title shown on the map; defaults to the scenario names joined by " vs ".

    Returns
    -------
    folium.Map
        The map, fitted to the routes; ``save(path)`` writes one self-contained HTML
        file, atomically, that needs no network access.

    Notes
    -----
    A route's tooltip gives, for each trip following the path, its door-to-door days
    (P10 / P50 / P90 and mean) and its P50 in the other scenarios. Node circle area is
    proportional to the mean hours a container stands at the node (documents,
    inspection, transshipment, port, ferry wait, weather, congestion), summed over the
    trips of a scenario, the largest over the scenarios. A node's popup gives, per
    shipment class and scenario, the sampled P50 and P90 hours per stage of the *first*
    trip of that class passing the node, and names that trip; its tooltip the same
    trips' P50 in all stages.

    Days and hours of a trip through a saturated queue (``TripResult.saturated``) are
    lower bounds over the simulated horizon, not transit times: they read ``>476`` (days)
    or ``>11,000 h``, with :data:`midcorridor.views.formatting.SATURATED_NOTE` beside them. In a
    popup, a stage is a lower bound where one of its components at the node comes from a
    saturated queue, and so is that scenario's total.
    """
    names = [run.scenario.name for run in runs]
    if title is None:
        title = " vs ".join(names) if names else "Middle Corridor network"
    m = new_map(title, bounds=_bounds(runs, network))
    add_stylesheet(m, stylesheet(), key="midcorridor_map_css")
    add_stylesheet(m, _label_rules(), key="midcorridor_label_css")
    add_zoom_classes(m)
    for pane, z_index in _PANES:
        folium.map.CustomPane(pane, z_index=z_index).add_to(m)
    folium.map.CustomPane(_LABELS_PANE, z_index=460, pointer_events=False).add_to(m)

    _add_network(m, network)
    legend = [
        ("Rail, 1435 mm gauge", LINK_COLOURS["rail_1435"], "solid"),
        ("Rail, 1520 mm gauge", LINK_COLOURS["rail_1520"], "solid"),
        ("Ferry", LINK_COLOURS["ferry"], "dashed"),
        ("Sea (container ship)", LINK_COLOURS["sea"], "dashed"),
        ("Closed link (dotted; wider: closed by a scenario)", CLOSED_COLOUR, "dashed"),
    ]
    _add_closures(m, runs, network)
    legend += _add_routes(m, runs, network)
    indexes = [[TripIndex.of(trip) for trip in run.trips] for run in runs]
    add_nodes(m, network, runs, indexes, _NODES_PANE)
    add_labels(m, network, runs, _LABELS_PANE)
    add_legend(m, legend)
    return m


def _label_rules() -> str:
    """CSS showing each tier of place names from its zoom (:data:`LABEL_ZOOMS`)."""
    return "\n".join(
        f".zoom-ge-{zoom} .mc-label-from-{zoom} {{ display: block; }}" for zoom in LABEL_ZOOMS
    )
