"""Offline map of scenario results: the network, each scenario's routes, hours at nodes.

:func:`scenario_map` draws, on the offline basemap of the private module
:mod:`midcorridor.views._offline_folium` (the generic layer that makes folium maps work with no
network access; nothing in it knows about corridors or scenarios):

- the network, rail coloured by gauge (1435 / 1520 mm), ferries and sea legs dashed,
  closed links grey and dotted;
- one layer per scenario (switchable in the layer control) with the path of each of its
  trips, the tooltip giving the P10 / P50 / P90 door-to-door days;
- one circle per node, its area proportional to the hours a container stands there,
  with a popup of P50 / P90 hours per stage in each scenario and the sources.

Figures read as :mod:`midcorridor.views.formatting` writes them everywhere: a figure of a trip
through a saturated queue is a lower bound (``>476``) and its tooltip or popup carries
:data:`~midcorridor.views.formatting.SATURATED_NOTE` once.

Tooltips and popups are rendered from the jinja2 templates in ``midcorridor/templates/``
with autoescaping, so every text taken from the network or a scenario is HTML-escaped;
folium places that HTML inside JavaScript template literals, so :func:`_render` also
replaces backticks, ``$`` and backslashes by character references. The styles of the
tooltips and popups are one stylesheet (``templates/map.css``) in the page head.

Elements carry CSS classes so that tests and readers' scripts can find them:
``mc-node mc-node-<ID>`` on node circles, ``mc-route mc-scenario-<i>`` on route lines
(``i`` = position of the scenario, from 0), ``mc-link mc-link-<mode>`` (and
``mc-link-closed``) on network links. In a node popup (``div.mc-popup`` with
``data-node="<ID>"``) each stage row is ``tr.mc-stage-<stage>`` (``mc-stage-total`` for
all stages), its figures ``td.mc-fig.mc-col-<i>``, and a lower bound is also
``mc-lower-bound``.
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

import folium
import jinja2
import numpy as np

from ..model.costs import TripCost
from ..model.trip import TripResult
from ..network.network import Network
from ..runs.runner import ScenarioRun
from ..vocabulary import MOVING_STAGES, STANDING_STAGES
from . import formatting
from ._offline_folium import add_legend, add_stylesheet, new_map

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
#: Circle radii, pixels.
MIN_RADIUS = 3.0
MAX_RADIUS = 18.0
#: Leaflet panes: routes are wide translucent bands in the overlay pane (z 400); the
#: thin network lines are drawn over them so that gauge and ferry legs stay readable,
#: and the node circles above everything.
_NETWORK_PANE = "mc_network"
_NODES_PANE = "mc_nodes"
_PAD_DEG = 1.5
#: Package folder of the tooltip and popup templates and of the map's stylesheet.
_TEMPLATES = "templates"
_STYLESHEET = "map.css"
#: Characters that could end or interpolate in a JavaScript template literal, and the
#: HTML character references that show them instead.
_JS_LITERAL_REFS = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})

_P = TypeVar("_P", folium.PolyLine, folium.CircleMarker)


@functools.cache
def _environment() -> jinja2.Environment:
    """The jinja2 environment of ``midcorridor/templates/``, autoescaping every template."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("midcorridor.views", _TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _stylesheet() -> str:
    """The CSS of the tooltips and popups (``templates/map.css``)."""
    return (resources.files("midcorridor.views") / _TEMPLATES / _STYLESHEET).read_text("utf-8")


def _render(template: str, **context: Any) -> str:
    """HTML of a template, safe inside the JavaScript template literal folium puts it in.

    Autoescaping HTML-escapes every value (``& < > " '``); then backticks, ``$`` and
    backslashes, anywhere in the output, become character references so that the text
    can neither end the literal nor interpolate in it (the browser shows them unchanged).

    Parameters
    ----------
    template
        File name in ``midcorridor/templates/``.
    **context
        Template variables.

    Returns
    -------
    str
        The markup.
    """
    markup = _environment().get_template(template).render(**context)
    return markup.translate(_JS_LITERAL_REFS)


def _css_token(text: str) -> str:
    """A CSS class token from an id: letters, digits, ``_`` and ``-`` kept."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def _in_pane(path: _P, pane: str) -> _P:
    """Put a folium vector layer into a Leaflet pane (its ``pane`` keyword is dropped)."""
    path.options["pane"] = pane
    return path


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


def node_radius(hours: float, max_hours: float) -> float:
    """Circle radius for a node, its area proportional to hours standing there.

    Parameters
    ----------
    hours
        Hours at the node.
    max_hours
        Hours at the busiest node; it gets :data:`MAX_RADIUS`.

    Returns
    -------
    float
        Radius in pixels, at least :data:`MIN_RADIUS`.
    """
    if hours <= 0 or max_hours <= 0:
        return MIN_RADIUS
    return max(MIN_RADIUS, MAX_RADIUS * math.sqrt(hours / max_hours))


@dataclass(frozen=True)
class _Cell:
    """Sampled P50 and P90 hours of a stage at a node, as shown; a lower bound if a queue
    saturates."""

    p50: str
    p90: str
    lower_bound: bool


@dataclass(frozen=True)
class _TripIndex:
    """Per trip: the components standing at each node (column indices of ``hours``)."""

    trip: TripResult
    at_node: dict[str, list[int]]
    node_total_hours: dict[str, float]
    #: Nodes where a component of the trip comes from a saturated queue.
    saturated_nodes: frozenset[str]

    @classmethod
    def of(cls, trip: TripResult) -> _TripIndex:
        at_node: dict[str, list[int]] = {}
        for j, comp in enumerate(trip.components):
            if comp.stage not in MOVING_STAGES:
                at_node.setdefault(comp.node, []).append(j)
        totals = {node: float(sum(stages.values())) for node, stages in trip.node_hours().items()}
        saturated = frozenset(
            node for node, cols in at_node.items() if any(trip.components[j].warning for j in cols)
        )
        return cls(trip=trip, at_node=at_node, node_total_hours=totals, saturated_nodes=saturated)

    def passes(self, node_id: str) -> bool:
        return node_id in self.trip.route.nodes

    def stage_cells(self, node_id: str) -> dict[str, _Cell]:
        """Stage -> hours at the node, plus ``"total"`` for all stages.

        A figure is a lower bound when one of its components has a warning (it comes
        from a saturated queue); so is the total then.
        """
        cols = self.at_node.get(node_id, [])
        if not cols:
            return {}
        hours = self.trip.hours
        comps = self.trip.components
        stages: dict[str, list[int]] = {}
        for j in cols:
            stages.setdefault(comps[j].stage, []).append(j)
        out: dict[str, _Cell] = {}
        for stage, idx in [*stages.items(), ("total", cols)]:
            p50, p90 = np.percentile(hours[:, idx].sum(axis=1), [50, 90])
            bound = any(comps[j].warning for j in idx)
            out[stage] = _Cell(
                formatting.hours(p50, lower_bound=bound),
                formatting.hours(p90, lower_bound=bound),
                bound,
            )
        return out

    def source_keys(self, node_id: str) -> list[str]:
        return [self.trip.components[j].source for j in self.at_node.get(node_id, [])]


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


def _add_network(m: folium.Map, network: Network) -> None:
    layer = folium.FeatureGroup(name="Network: rail by gauge, ferries, sea").add_to(m)
    for link in network.links_by_id.values():
        p = link.props
        key = f"rail_{p.gauge_mm}" if p.mode == "rail" else p.mode
        what = f"rail, {p.gauge_mm} mm gauge" if p.mode == "rail" else p.mode
        if p.sea:
            what += f" ({p.sea.replace('_', ' ')})"
        closed = p.status == "closed"
        text = _render(
            "link_tooltip.html",
            id=p.id,
            what=what,
            length_km=formatting.km(p.length_km),
            closed=closed,
            closed_since=p.closed_since,
            closed_reason=p.closed_reason or "",
        )
        classes = f"mc-link mc-link-{p.mode}"
        dash: str | None
        if closed:
            colour, dash, opacity = CLOSED_COLOUR, _CLOSED_DASH, 0.9
            classes += " mc-link-closed"
        else:
            colour, dash, opacity = LINK_COLOURS[key], _NETWORK_DASH.get(p.mode), 0.95
        line = folium.PolyLine(
            [(lat, lon) for lon, lat in link.coords],
            color=colour,
            weight=2.5,
            opacity=opacity,
            dash_array=dash,
            class_name=classes,
            tooltip=folium.Tooltip(text, sticky=True),
        )
        _in_pane(line, _NETWORK_PANE).add_to(layer)


def _route_tooltip(trip: TripResult, scenario: str, cost: TripCost | None = None) -> str:
    """Tooltip of a trip's route: door-to-door days, lower bounds if it saturates a queue,
    and its cost and CO2 per loaded 40-ft container."""
    route = trip.route
    bound = trip.saturated
    money = None
    if cost is not None:
        usd, co2, time = cost.cost_usd(), cost.co2e_kg(), cost.cost_of_time_usd()
        money = {
            "usd": {k: formatting.usd(v) for k, v in usd.items()},
            "co2": {k: formatting.tonnes(v) for k, v in co2.items()},
            "time_usd": formatting.usd(time["mean"]),
        }
    return _render(
        "route_tooltip.html",
        label=trip.label or f"{route.origin} - {route.destination}",
        scenario=scenario,
        corridor=route.corridor,
        shipment=trip.shipment.replace("_", " "),
        distance_km=formatting.km(route.distance_km),
        days={key: formatting.days(v, lower_bound=bound) for key, v in trip.days().items()},
        money=money,
        note=formatting.SATURATED_NOTE if bound else None,
    )


def _add_routes(
    m: folium.Map, runs: Sequence[ScenarioRun], network: Network
) -> list[tuple[str, str, str]]:
    legend: list[tuple[str, str, str]] = []
    for k, run in enumerate(runs):
        colour = SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)]
        weight = _SCENARIO_WEIGHTS[min(k, len(_SCENARIO_WEIGHTS) - 1)]
        name = run.scenario.name
        # Leaflet's layer control shows the name as HTML: escape it as text.
        layer = folium.FeatureGroup(name=f"Routes: {html.escape(name)}").add_to(m)
        costs = run.costs or (None,) * len(run.trips)
        for trip, cost in zip(run.trips, costs, strict=True):
            folium.PolyLine(
                route_coords(trip, network),
                color=colour,
                weight=weight,
                opacity=0.45 if k == 0 else 0.75,
                class_name=f"mc-route mc-scenario-{k}",
                tooltip=folium.Tooltip(_route_tooltip(trip, name, cost), sticky=True),
            ).add_to(layer)
        band = "widest band" if k == 0 else "narrower band on top"
        legend.append((f"Routes: {name} ({band})", colour, "solid"))
    return legend


@dataclass(frozen=True)
class _Row:
    """A popup row: a stage (or ``total``), its label and one cell per scenario."""

    stage: str
    label: str
    cells: list[_Cell | None]


#: Stages shown in node popups: every stage spent at a node (not moving), then the total.
_STAGE_ORDER = (*STANDING_STAGES, "total")


def _node_popup(
    node_id: str,
    network: Network,
    runs: Sequence[ScenarioRun],
    indexes: Sequence[Sequence[_TripIndex]],
) -> str:
    """Popup HTML of a node: identity, P50/P90 hours per stage per scenario, sources.

    For each scenario the figures are those of the first trip (in the scenario's order)
    passing the node; the trip is named under the table. A figure with a component from
    a saturated queue is a lower bound, and the popup then carries the note once.
    """
    node = network.nodes_by_id[node_id].props
    shown: list[tuple[str, _TripIndex | None]] = []
    for run, index in zip(runs, indexes, strict=True):
        first = next((ix for ix in index if ix.passes(node_id)), None)
        shown.append((run.scenario.name, first))
    figures = [ix.stage_cells(node_id) if ix else {} for _, ix in shown]
    rows = [
        _Row(
            stage=stage,
            label="all stages" if stage == "total" else stage.replace("_", " "),
            cells=[fig.get(stage) for fig in figures],
        )
        for stage in _STAGE_ORDER
        if any(stage in fig for fig in figures)
    ]
    source_keys = [proc.source for proc in node.processes]
    if rows:
        for _, ix in shown:
            if ix is not None:
                source_keys += ix.source_keys(node_id)
    keys = [k for k in dict.fromkeys(source_keys) if k in network.sources]
    bound = any(cell is not None and cell.lower_bound for row in rows for cell in row.cells)
    return _render(
        "node_popup.html",
        node={
            "id": node_id,
            "name": node.name,
            "kind": node.kind.replace("_", " "),
            "countries": ", ".join(node.countries),
        },
        scenarios=[name for name, _ in shown],
        rows=rows,
        trips=[(name, ix.trip.label) for name, ix in shown if ix is not None],
        note=formatting.SATURATED_NOTE if bound else None,
        sources=[network.cite(key) for key in keys],
    )


def _hours_at_nodes(indexes: Sequence[Sequence[_TripIndex]]) -> dict[str, tuple[float, bool]]:
    """Node -> (mean hours standing there summed over a scenario's trips, lower bound).

    The busiest scenario counts; its hours are a lower bound if one of its trips meets a
    saturated queue at the node.
    """
    out: dict[str, tuple[float, bool]] = {}
    for index in indexes:
        summed: dict[str, float] = {}
        saturated: set[str] = set()
        for ix in index:
            for node_id, hours in ix.node_total_hours.items():
                summed[node_id] = summed.get(node_id, 0.0) + hours
            saturated |= ix.saturated_nodes
        for node_id, hours in summed.items():
            if node_id not in out or hours > out[node_id][0]:
                out[node_id] = (hours, node_id in saturated)
    return out


def _add_nodes(
    m: folium.Map, network: Network, runs: Sequence[ScenarioRun], indexes: list[list[_TripIndex]]
) -> None:
    hours_at = _hours_at_nodes(indexes)
    max_hours = max((hours for hours, _ in hours_at.values()), default=0.0)

    layer = folium.FeatureGroup(name="Nodes: circle area = hours standing there").add_to(m)
    for node in network.nodes_by_id.values():
        hours, bound = hours_at.get(node.id, (0.0, False))
        stops = hours > 0
        tip = _render(
            "node_tooltip.html",
            name=node.props.name,
            hours=formatting.hours(hours, lower_bound=bound) if stops else None,
            note=formatting.SATURATED_NOTE if stops and bound else None,
        )
        circle = folium.CircleMarker(
            (node.lat, node.lon),
            radius=node_radius(hours, max_hours),
            color="#222222" if stops else "#777777",
            weight=1.2,
            fill=True,
            fill_color="#ffb000" if stops else "#ffffff",
            fill_opacity=0.8 if stops else 0.9,
            class_name=f"mc-node mc-node-{_css_token(node.id)}",
            tooltip=folium.Tooltip(tip, sticky=False),
            popup=folium.Popup(
                _node_popup(node.id, network, runs, indexes), max_width=460, max_height=380
            ),
        )
        _in_pane(circle, _NODES_PANE).add_to(layer)


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
    A route's tooltip gives its door-to-door days (P10 / P50 / P90 and mean). Node
    circle area is proportional to the mean hours a container stands at the node
    (documents, inspection, transshipment, port, ferry wait, weather, congestion),
    summed over the trips of a scenario, the largest over the scenarios. A node's popup
    gives, per scenario, the sampled P50 and P90 hours per stage of the *first* trip of
    that scenario passing the node, and names that trip.

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
    add_stylesheet(m, _stylesheet(), key="midcorridor_map_css")
    folium.map.CustomPane(_NETWORK_PANE, z_index=420).add_to(m)
    folium.map.CustomPane(_NODES_PANE, z_index=450).add_to(m)

    _add_network(m, network)
    legend = [
        ("Rail, 1435 mm gauge", LINK_COLOURS["rail_1435"], "solid"),
        ("Rail, 1520 mm gauge", LINK_COLOURS["rail_1520"], "solid"),
        ("Ferry", LINK_COLOURS["ferry"], "dashed"),
        ("Sea (container ship)", LINK_COLOURS["sea"], "dashed"),
        ("Closed link (dotted)", CLOSED_COLOUR, "dashed"),
    ]
    legend += _add_routes(m, runs, network)
    indexes = [[_TripIndex.of(trip) for trip in run.trips] for run in runs]
    _add_nodes(m, network, runs, indexes)
    add_legend(m, legend)
    return m
