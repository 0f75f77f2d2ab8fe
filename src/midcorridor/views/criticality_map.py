"""Offline map of a criticality ranking: the elements of the routes coloured by how much
taking each out costs (:func:`midcorridor.analysis.criticality.rank_criticality`).

On the offline basemap (:func:`~._offline_folium.new_map`): the whole network in thin
grey; the ranked links, coloured and widened by criticality class; the ranked nodes as
circles of the same colours. A class is ``no-route`` (some trip has no open route without
the element), then ``high``, ``medium`` or ``low`` by tertile of the ranking's measure
among the elements that cost something, and ``none`` where it costs nothing. Tooltips
come from ``templates/criticality_tooltip.html`` (autoescaped, :func:`~.map_html.render`).

CSS classes for tests and readers' scripts: ``mc-crit mc-crit-link`` or
``mc-crit mc-crit-node``, ``mc-crit-<class>``, ``mc-crit-el-<ID>``; the network's lines
``mc-link``; a tooltip is ``div.mc-crit-tip`` with ``data-element="<ID>"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import folium

from ..network.network import Network
from . import formatting as fmt
from ._offline_folium import add_legend, add_stylesheet, new_map
from .map_html import css_token, in_pane, render, stylesheet

if TYPE_CHECKING:
    from ..analysis.criticality import Criticality, ElementCriticality

__all__ = ["CRITICALITY_CLASSES", "criticality_classes", "criticality_map"]

#: Criticality classes, most critical first: (name, colour, line width px, circle radius px).
CRITICALITY_CLASSES: tuple[tuple[str, str, float, float], ...] = (
    ("no-route", "#67000d", 7.0, 8.0),
    ("high", "#d7301f", 5.5, 7.0),
    ("medium", "#fc8d59", 4.0, 5.5),
    ("low", "#fdcc8a", 3.0, 4.5),
    ("none", "#9e9e9e", 2.0, 3.0),
)
_STYLE = {name: (colour, width, radius) for name, colour, width, radius in CRITICALITY_CLASSES}
_NETWORK_PANE, _LINKS_PANE, _NODES_PANE = "mc_network", "mc_crit_links", "mc_crit_nodes"
_PAD_DEG = 1.5
#: What the legend calls each measure a ranking may be ordered by.
_MEASURES = {
    "teu-days": "TEU-days lost a year",
    "days": "extra days of a trip",
    "usd": "extra USD of a trip",
}


def _tertiles(values: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[len(ordered) // 3], ordered[2 * len(ordered) // 3]


def criticality_classes(result: Criticality) -> dict[str, str]:
    """Element id -> criticality class (:data:`CRITICALITY_CLASSES`)."""
    costly = [
        v
        for e in result.elements
        if not e.no_alternative and math.isfinite(v := e.measure(result.rank_by)) and v > 0
    ]
    low, high = _tertiles(costly) if costly else (math.inf, math.inf)
    out = {}
    for e in result.elements:
        value = e.measure(result.rank_by)
        if e.no_alternative:
            out[e.element.id] = "no-route"
        elif not math.isfinite(value) or value <= 0:
            out[e.element.id] = "none"
        else:
            out[e.element.id] = "high" if value >= high else "medium" if value >= low else "low"
    return out


def _tooltip(rank: int, e: ElementCriticality) -> str:
    bound = e.saturated
    return render(
        "criticality_tooltip.html",
        rank=rank,
        id=e.element.id,
        name=e.element.name,
        kind=e.element.kind,
        corridors=", ".join(e.element.corridors),
        trips_cut=e.trips_cut,
        extra_days_max=fmt.delta_days(e.extra_days_max, lower_bound=bound),
        extra_days_mean=fmt.delta_days(e.extra_days_mean, lower_bound=bound),
        extra_usd_max=fmt.usd(e.extra_usd_max) if math.isfinite(e.extra_usd_max) else "n/a",
        teu_days=fmt.usd(e.teu_days_per_year),
        switched=e.switched_corridor,
        note=fmt.SATURATED_NOTE if bound else None,
    )


def _bounds(result: Criticality, network: Network) -> tuple[float, float, float, float] | None:
    points = [
        point
        for e in result.elements
        if e.element.kind == "link"
        for point in network.links_by_id[e.element.id].coords
    ]
    points += [
        (network.nodes_by_id[e.element.id].lon, network.nodes_by_id[e.element.id].lat)
        for e in result.elements
        if e.element.kind == "node"
    ]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return (
        max(-180.0, min(lons) - _PAD_DEG),
        max(-90.0, min(lats) - _PAD_DEG),
        min(180.0, max(lons) + _PAD_DEG),
        min(90.0, max(lats) + _PAD_DEG),
    )


def criticality_map(
    result: Criticality, network: Network, *, title: str | None = None
) -> folium.Map:
    """An offline map of every ranked element, coloured by criticality class.

    Parameters
    ----------
    result
        A ranking (:func:`midcorridor.analysis.criticality.rank_criticality`).
    network
        The network it was made on.
    title
        Title shown on the map (default: "Criticality of <scenario>").

    Returns
    -------
    folium.Map
        The map; ``save(path)`` writes one self-contained HTML file that needs no
        network access.
    """
    m = new_map(title or f"Criticality of {result.scenario}", bounds=_bounds(result, network))
    add_stylesheet(m, stylesheet(), key="midcorridor_map_css")
    for pane, z_index in ((_NETWORK_PANE, 410), (_LINKS_PANE, 420), (_NODES_PANE, 450)):
        folium.map.CustomPane(pane, z_index=z_index).add_to(m)
    base = folium.FeatureGroup(name="Network").add_to(m)
    for link in network.links_by_id.values():
        line = folium.PolyLine(
            [(lat, lon) for lon, lat in link.coords],
            color="#b8b8b8",
            weight=1.5,
            opacity=0.8,
            class_name="mc-link",
        )
        in_pane(line, _NETWORK_PANE).add_to(base)
    classes = criticality_classes(result)
    ranks = {e.element.id: i + 1 for i, e in enumerate(result.elements)}
    links = folium.FeatureGroup(name="Links by criticality").add_to(m)
    nodes = folium.FeatureGroup(name="Nodes by criticality").add_to(m)
    for e in reversed(result.elements):  # the most critical drawn last, on top
        element = e.element
        colour, width, radius = _STYLE[classes[element.id]]
        css = f"mc-crit mc-crit-{element.kind} mc-crit-{classes[element.id]}"
        css += f" mc-crit-el-{css_token(element.id)}"
        tooltip = folium.Tooltip(_tooltip(ranks[element.id], e), sticky=True)
        if element.kind == "link":
            coords = network.links_by_id[element.id].coords
            line = folium.PolyLine(
                [(lat, lon) for lon, lat in coords],
                color=colour,
                weight=width,
                opacity=0.9,
                class_name=css,
                tooltip=tooltip,
            )
            in_pane(line, _LINKS_PANE).add_to(links)
        else:
            node = network.nodes_by_id[element.id]
            circle = folium.CircleMarker(
                (node.lat, node.lon),
                radius=radius,
                color="#222222",
                weight=1.0,
                fill=True,
                fill_color=colour,
                fill_opacity=0.9,
                class_name=css,
                tooltip=tooltip,
            )
            in_pane(circle, _NODES_PANE).add_to(nodes)
    name = _MEASURES[result.rank_by]
    none = f"No {name}"
    if result.rank_by == "teu-days" and not result.choice:
        none += " (none counted by sea without --choice)"
    labels = {
        "no-route": "No open route for some trip",
        "high": f"High {name} (top third)",
        "medium": f"Medium {name}",
        "low": f"Low {name}",
        "none": none,
    }
    add_legend(m, [(labels[name], colour, "solid") for name, colour, _, _ in CRITICALITY_CLASSES])
    return m
