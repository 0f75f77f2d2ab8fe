"""The scenario map's nodes: a circle per node, its tooltip and popup, and place labels.

A node's circle has an area proportional to the mean hours a container stands there. Its
popup has a section per shipment class passing the node: P50 / P90 hours per stage in each
scenario, of the first trip of that class (in the scenario's order) passing it, and the
sources. Its tooltip gives the same trips' P50 hours in all stages, word for word the
popup's totals, so hover and popup agree.

Place labels sit in their own layer and show by zoom: the trips' ends from zoom
:data:`LABEL_ZOOMS` ``[0]``, the other places trips pass from the next, every place from the
last; they take no pointer events, so they never hide a tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import folium
import numpy as np

from ..model.trip import TripResult
from ..network.network import Network
from ..runs.runner import ScenarioRun
from ..vocabulary import MOVING_STAGES, STANDING_STAGES
from . import formatting
from ._offline_folium import Label
from .map_html import css_token, in_pane, render

__all__ = ["LABEL_ZOOMS", "MAX_RADIUS", "MIN_RADIUS", "add_labels", "add_nodes", "node_radius"]

#: Circle radii, pixels.
MIN_RADIUS = 3.0
MAX_RADIUS = 18.0
#: Zoom from which each tier of place labels shows: the trips' ends, the other places
#: the trips pass, every place.
LABEL_ZOOMS = (0, 6, 8)
#: Stages shown in node popups: every stage spent at a node (not moving), then the total.
_STAGE_ORDER = (*STANDING_STAGES, "total")


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
class TripIndex:
    """Per trip: the components standing at each node (column indices of ``hours``)."""

    trip: TripResult
    at_node: dict[str, list[int]]
    node_total_hours: dict[str, float]
    #: Nodes where a component of the trip comes from a saturated queue.
    saturated_nodes: frozenset[str]

    @classmethod
    def of(cls, trip: TripResult) -> TripIndex:
        at_node: dict[str, list[int]] = {}
        for j, comp in enumerate(trip.components):
            if comp.stage not in MOVING_STAGES:
                at_node.setdefault(comp.node, []).append(j)
        totals = {node: float(sum(stages.values())) for node, stages in trip.node_hours().items()}
        saturated = frozenset(
            node for node, cols in at_node.items() if any(trip.components[j].warning for j in cols)
        )
        return cls(trip=trip, at_node=at_node, node_total_hours=totals, saturated_nodes=saturated)

    def stands(self, node_id: str) -> bool:
        """Whether the trip stands at the node (a delay there, not only passing)."""
        return bool(self.at_node.get(node_id))

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


@dataclass(frozen=True)
class _Row:
    """A popup row: a stage (or ``total``), its label and one cell per scenario."""

    stage: str
    label: str
    cells: list[_Cell | None]


@dataclass(frozen=True)
class _ClassSection:
    """A shipment class at a node: per scenario, the first trip of the class passing it."""

    shipment: str
    name: str
    rows: list[_Row]
    #: (scenario, trip label) of each scenario with a trip of the class passing the node.
    trips: list[tuple[str, str]]
    #: The all-stages P50 per scenario, as the popup's total row shows it (None: no trip).
    totals: list[str | None]


def _class_sections(
    node_id: str, runs: Sequence[ScenarioRun], indexes: Sequence[Sequence[TripIndex]]
) -> list[tuple[_ClassSection, list[TripIndex | None]]]:
    """One section per shipment class of a trip standing at the node, in the order the
    classes first appear."""
    classes = dict.fromkeys(
        ix.trip.shipment for index in indexes for ix in index if ix.stands(node_id)
    )
    out = []
    for shipment in classes:
        firsts = [
            next(
                (ix for ix in index if ix.trip.shipment == shipment and ix.at_node.get(node_id)),
                None,
            )
            for index in indexes
        ]
        figures = [ix.stage_cells(node_id) if ix else {} for ix in firsts]
        rows = [
            _Row(
                stage=stage,
                label="all stages" if stage == "total" else stage.replace("_", " "),
                cells=[fig.get(stage) for fig in figures],
            )
            for stage in _STAGE_ORDER
            if any(stage in fig for fig in figures)
        ]
        section = _ClassSection(
            shipment=shipment,
            name=shipment.replace("_", " "),
            rows=rows,
            trips=[
                (run.scenario.name, ix.trip.label)
                for run, ix in zip(runs, firsts, strict=True)
                if ix is not None
            ],
            totals=[fig["total"].p50 if "total" in fig else None for fig in figures],
        )
        out.append((section, firsts))
    return out


def _node_texts(
    node_id: str,
    network: Network,
    runs: Sequence[ScenarioRun],
    indexes: Sequence[Sequence[TripIndex]],
) -> tuple[str, str]:
    """Tooltip and popup HTML of a node.

    Both give, per shipment class, the hours of the first trip of that class passing the
    node in each scenario; a figure with a component from a saturated queue is a lower
    bound, and the note then shows once.
    """
    node = network.nodes_by_id[node_id].props
    found = _class_sections(node_id, runs, indexes)
    sections = [section for section, _ in found]
    source_keys = [proc.source for proc in node.processes]
    for _, firsts in found:
        for ix in firsts:
            if ix is not None:
                source_keys += ix.source_keys(node_id)
    keys = [k for k in dict.fromkeys(source_keys) if k in network.sources]
    bound = any(
        cell is not None and cell.lower_bound
        for section in sections
        for row in section.rows
        for cell in row.cells
    )
    note = formatting.SATURATED_NOTE if bound else None
    scenarios = [run.scenario.name for run in runs]
    tooltip = render(
        "node_tooltip.html", name=node.name, scenarios=scenarios, sections=sections, note=note
    )
    popup = render(
        "node_popup.html",
        node={
            "id": node_id,
            "name": node.name,
            "kind": node.kind.replace("_", " "),
            "countries": ", ".join(node.countries),
        },
        scenarios=scenarios,
        sections=sections,
        note=note,
        sources=[network.cite(key) for key in keys],
    )
    return tooltip, popup


def _hours_at_nodes(indexes: Sequence[Sequence[TripIndex]]) -> dict[str, float]:
    """Node -> mean hours standing there summed over a scenario's trips, the busiest
    scenario's."""
    out: dict[str, float] = {}
    for index in indexes:
        summed: dict[str, float] = {}
        for ix in index:
            for node_id, hours in ix.node_total_hours.items():
                summed[node_id] = summed.get(node_id, 0.0) + hours
        for node_id, hours in summed.items():
            out[node_id] = max(out.get(node_id, 0.0), hours)
    return out


def add_nodes(
    m: folium.Map,
    network: Network,
    runs: Sequence[ScenarioRun],
    indexes: Sequence[Sequence[TripIndex]],
    pane: str,
) -> None:
    """A circle per node in ``pane``: area by hours standing there, tooltip and popup by
    shipment class."""
    hours_at = _hours_at_nodes(indexes)
    max_hours = max(hours_at.values(), default=0.0)

    layer = folium.FeatureGroup(name="Nodes: circle area = hours standing there").add_to(m)
    for node in network.nodes_by_id.values():
        hours = hours_at.get(node.id, 0.0)
        stops = hours > 0
        tooltip, popup = _node_texts(node.id, network, runs, indexes)
        circle = folium.CircleMarker(
            (node.lat, node.lon),
            radius=node_radius(hours, max_hours),
            color="#222222" if stops else "#777777",
            weight=1.2,
            fill=True,
            fill_color="#ffb000" if stops else "#ffffff",
            fill_opacity=0.8 if stops else 0.9,
            class_name=f"mc-node mc-node-{css_token(node.id)}",
            tooltip=folium.Tooltip(tooltip, sticky=False),
            popup=folium.Popup(popup, max_width=460, max_height=380),
        )
        in_pane(circle, pane).add_to(layer)


def _label_tiers(network: Network, runs: Sequence[ScenarioRun]) -> dict[str, int]:
    """Node -> label tier: 0 a trip's end, 1 a place a trip passes, 2 any other place."""
    tiers = dict.fromkeys(network.nodes_by_id, 2)
    for run in runs:
        for trip in run.trips:
            for node_id in trip.route.nodes:
                tiers[node_id] = min(tiers[node_id], 1)
            for node_id in (trip.route.origin, trip.route.destination):
                tiers[node_id] = 0
    return tiers


def add_labels(m: folium.Map, network: Network, runs: Sequence[ScenarioRun], pane: str) -> None:
    """Place names in a layer of their own, each shown from the zoom of its tier
    (:data:`LABEL_ZOOMS`, by the ``zoom-ge-N`` classes of the map container)."""
    layer = folium.FeatureGroup(name="Place names").add_to(m)
    for node_id, tier in _label_tiers(network, runs).items():
        node = network.nodes_by_id[node_id]
        Label(
            (node.lat, node.lon),
            formatting.short_place(node.props.name),
            css_class=f"mc-label mc-label-from-{LABEL_ZOOMS[tier]}",
            pane=pane,
        ).add_to(layer)
