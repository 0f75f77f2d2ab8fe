"""Offline map of scenario results: the network, each scenario's routes, hours at nodes.

:func:`scenario_map` draws, on the offline basemap of :mod:`midcorridor._offline_folium`:

- the network, rail coloured by gauge (1435 / 1520 mm), ferries and sea legs dashed,
  closed links grey and dotted;
- one layer per scenario (switchable in the layer control) with the path of each of its
  trips, the tooltip giving the P10 / P50 / P90 door-to-door days;
- one circle per node, its area proportional to the hours a container stands there,
  with a popup of P50 / P90 hours per stage in each scenario and the sources.

Every text taken from the network or a scenario is HTML-escaped. Elements carry CSS
classes so that tests and readers' scripts can find them: ``mc-node mc-node-<ID>`` on node
circles, ``mc-route mc-scenario-<i>`` on route lines (``i`` = position of the scenario,
from 0), ``mc-link mc-link-<mode>`` (and ``mc-link-closed``) on network links.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import folium
import numpy as np

from ._offline_folium import OfflineMap, add_legend, new_map
from .network import Network
from .runner import ScenarioRun
from .timing import TripResult
from .vocabulary import MOVING_STAGES, STANDING_STAGES

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

_P = TypeVar("_P", folium.PolyLine, folium.CircleMarker)


def _esc(text: object) -> str:
    """HTML-escape text that folium places inside a JavaScript template literal.

    Besides ``& < > " '``, backticks, ``$`` and backslashes are replaced by character
    references so that the text can neither end the literal nor interpolate in it.
    """
    return (
        html.escape(str(text), quote=True)
        .replace("`", "&#96;")
        .replace("$", "&#36;")
        .replace("\\", "&#92;")
    )


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
    trip : TripResult
        A sampled trip.
    network : Network
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
    hours : float
        Hours at the node.
    max_hours : float
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
class _TripIndex:
    """Per trip: the components standing at each node (column indices of ``hours``)."""

    trip: TripResult
    at_node: dict[str, list[int]]
    node_total_hours: dict[str, float]

    @classmethod
    def of(cls, trip: TripResult) -> _TripIndex:
        at_node: dict[str, list[int]] = {}
        for j, comp in enumerate(trip.components):
            if comp.stage not in MOVING_STAGES and comp.node is not None:
                at_node.setdefault(comp.node, []).append(j)
        totals = {node: float(sum(stages.values())) for node, stages in trip.node_hours().items()}
        return cls(trip=trip, at_node=at_node, node_total_hours=totals)

    def passes(self, node_id: str) -> bool:
        return node_id in self.trip.route.nodes

    def stage_percentiles(self, node_id: str) -> dict[str, tuple[float, float]]:
        """Stage -> (P50, P90) hours at the node, plus ``"total"`` for all stages."""
        cols = self.at_node.get(node_id, [])
        if not cols:
            return {}
        hours = self.trip.hours
        stages: dict[str, list[int]] = {}
        for j in cols:
            stages.setdefault(self.trip.components[j].stage, []).append(j)
        out: dict[str, tuple[float, float]] = {}
        for stage, idx in stages.items():
            p50, p90 = np.percentile(hours[:, idx].sum(axis=1), [50, 90])
            out[stage] = (float(p50), float(p90))
        p50, p90 = np.percentile(hours[:, cols].sum(axis=1), [50, 90])
        out["total"] = (float(p50), float(p90))
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


def _fmt_hours(value: float) -> str:
    return f"{value:.0f} h" if value >= 100 else f"{value:.1f} h"


def _add_network(m: folium.Map, network: Network) -> None:
    layer = folium.FeatureGroup(name="Network: rail by gauge, ferries, sea").add_to(m)
    for link in network.links_by_id.values():
        p = link.props
        key = f"rail_{p.gauge_mm}" if p.mode == "rail" else p.mode
        what = f"rail, {p.gauge_mm} mm gauge" if p.mode == "rail" else p.mode
        if p.sea:
            what += f" ({p.sea.replace('_', ' ')})"
        text = f"<b>{_esc(p.id)}</b><br>{_esc(what)}, {p.length_km:,.0f} km"
        classes = f"mc-link mc-link-{p.mode}"
        dash: str | None
        if p.status == "closed":
            colour, dash, opacity = CLOSED_COLOUR, _CLOSED_DASH, 0.9
            text += f"<br>closed since {_esc(p.closed_since)}: {_esc(p.closed_reason or '')}"
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


def _route_tooltip(trip: TripResult, scenario: str) -> str:
    days = trip.days()
    route = trip.route
    return (
        f"<b>{_esc(trip.label or route.origin + ' - ' + route.destination)}</b><br>"
        f"scenario {_esc(scenario)}, {_esc(route.corridor)} corridor, "
        f"{route.distance_km:,.0f} km<br>"
        f"days: P10 {days['p10']:.1f} / P50 {days['p50']:.1f} / P90 {days['p90']:.1f}"
        f" (mean {days['mean']:.1f})"
    )


def _add_routes(
    m: folium.Map, runs: Sequence[ScenarioRun], network: Network
) -> list[tuple[str, str, str]]:
    legend: list[tuple[str, str, str]] = []
    for k, run in enumerate(runs):
        colour = SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)]
        weight = _SCENARIO_WEIGHTS[min(k, len(_SCENARIO_WEIGHTS) - 1)]
        name = run.scenario.name
        layer = folium.FeatureGroup(name=f"Routes: {_esc(name)}").add_to(m)
        for trip in run.trips:
            folium.PolyLine(
                route_coords(trip, network),
                color=colour,
                weight=weight,
                opacity=0.45 if k == 0 else 0.75,
                class_name=f"mc-route mc-scenario-{k}",
                tooltip=folium.Tooltip(_route_tooltip(trip, name), sticky=True),
            ).add_to(layer)
        band = "widest band" if k == 0 else "narrower band on top"
        legend.append((f"Routes: {name} ({band})", colour, "solid"))
    return legend


def _node_popup(
    node_id: str,
    network: Network,
    runs: Sequence[ScenarioRun],
    indexes: Sequence[Sequence[_TripIndex]],
) -> str:
    """Popup HTML of a node: identity, P50/P90 hours per stage per scenario, sources.

    For each scenario the figures are those of the first trip (in the scenario's order)
    passing the node; the trip is named under the table.
    """
    node = network.nodes_by_id[node_id].props
    parts = [
        f"<div class='mc-popup' style='font-size: 12px; line-height: 1.35;'>"
        f"<b style='font-size: 13px;'>{_esc(node.name)}</b><br>"
        f"{_esc(node.kind.replace('_', ' '))} &middot; {_esc(', '.join(node.countries))}"
        f" &middot; <span style='color: #666;'>{_esc(node_id)}</span>"
    ]
    shown: list[tuple[str, _TripIndex | None]] = []
    for run, index in zip(runs, indexes, strict=True):
        first = next((ix for ix in index if ix.passes(node_id)), None)
        shown.append((run.scenario.name, first))
    figures = [ix.stage_percentiles(node_id) if ix else {} for _, ix in shown]
    stages = [s for s in _STAGE_ORDER if any(s in f for f in figures)]
    source_keys = [proc.source for proc in node.processes]
    if stages:
        head = "".join(
            f"<th colspan='2' style='padding: 0 6px;'>{_esc(name)}</th>" for name, _ in shown
        )
        sub = "<th style='padding: 0 4px;'>P50</th><th style='padding: 0 4px;'>P90</th>" * len(
            shown
        )
        rows = []
        for stage in stages:
            cells = []
            for fig in figures:
                if stage in fig:
                    p50, p90 = fig[stage]
                    cells.append(
                        f"<td style='text-align: right; padding: 0 4px;'>{_fmt_hours(p50)}</td>"
                        f"<td style='text-align: right; padding: 0 4px;'>{_fmt_hours(p90)}</td>"
                    )
                else:
                    cells.append("<td colspan='2' style='text-align: center;'>&ndash;</td>")
            label = "all stages" if stage == "total" else stage.replace("_", " ")
            style = (
                " style='border-top: 1px solid #bbb; font-weight: bold;'"
                if stage == "total"
                else ""
            )
            rows.append(f"<tr{style}><td>{_esc(label)}</td>{''.join(cells)}</tr>")
        parts.append(
            "<table class='mc-hours' style='border-collapse: collapse; margin: 6px 0;'>"
            f"<tr><th></th>{head}</tr><tr><th style='text-align: left;'>stage</th>{sub}</tr>"
            + "".join(rows)
            + "</table>"
        )
        trips = "; ".join(
            f"{_esc(name)}: {_esc(ix.trip.label)}" for name, ix in shown if ix is not None
        )
        parts.append(
            "<div style='color: #555;'>Hours standing here (sampled P50 / P90) of the first "
            f"trip passing the node in each scenario &mdash; {trips}.</div>"
        )
        for _, ix in shown:
            if ix is not None:
                source_keys += ix.source_keys(node_id)
    else:
        parts.append(
            "<div style='margin: 6px 0; color: #555;'>No trip of these scenarios stops here.</div>"
        )
    keys = [k for k in dict.fromkeys(source_keys) if k in network.sources]
    if keys:
        items = "".join(f"<li>{_esc(network.cite(key))}</li>" for key in keys)
        parts.append(
            "<div style='margin-top: 4px; font-size: 11px; color: #333;'><b>Sources</b>"
            f"<ul style='margin: 2px 0; padding-left: 16px;'>{items}</ul></div>"
        )
    parts.append("</div>")
    return "".join(parts)


#: Stages shown in node popups: every stage spent at a node (not moving), then the total.
_STAGE_ORDER = (*STANDING_STAGES, "total")


def _add_nodes(
    m: folium.Map, network: Network, runs: Sequence[ScenarioRun], indexes: list[list[_TripIndex]]
) -> None:
    hours_at: dict[str, float] = {}
    for index in indexes:
        summed: dict[str, float] = {}
        for ix in index:
            for node_id, hours in ix.node_total_hours.items():
                summed[node_id] = summed.get(node_id, 0.0) + hours
        for node_id, hours in summed.items():
            hours_at[node_id] = max(hours_at.get(node_id, 0.0), hours)
    max_hours = max(hours_at.values(), default=0.0)

    layer = folium.FeatureGroup(name="Nodes: circle area = hours standing there").add_to(m)
    for node in network.nodes_by_id.values():
        hours = hours_at.get(node.id, 0.0)
        stops = hours > 0
        tip = f"<b>{_esc(node.props.name)}</b>"
        if stops:
            tip += f"<br>{hours:,.0f} h standing here (all trips, busiest scenario)"
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
) -> OfflineMap:
    """An offline map comparing the routes and times of one or more scenario runs.

    Parameters
    ----------
    runs : sequence of ScenarioRun
        Results of :func:`midcorridor.run_scenario`, drawn in this order; may be empty
        (the network only).
    network : Network
        The network the runs were made on.
    title : str, optional
        Title shown on the map; defaults to the scenario names joined by " vs ".

    Returns
    -------
    OfflineMap
        The map, fitted to the routes; ``save(path)`` writes one self-contained HTML
        file that needs no network access.

    Notes
    -----
    Node circle area is proportional to the mean hours a container stands at the node
    (documents, inspection, transshipment, port, ferry wait, weather, congestion),
    summed over the trips of a scenario, the largest over the scenarios. A node's popup
    gives, per scenario, the sampled P50 and P90 hours per stage of the *first* trip of
    that scenario passing the node, and names that trip.
    """
    names = [run.scenario.name for run in runs]
    if title is None:
        title = " vs ".join(names) if names else "Middle Corridor network"
    m = new_map(title, bounds=_bounds(runs, network))
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
