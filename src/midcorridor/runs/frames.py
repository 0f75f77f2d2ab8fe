"""Results as tidy tables and layers: what a spreadsheet or a GIS opens.

:func:`run_frame` gives one row per route of a run (days P10 / mean / P50 / P90, USD and
t CO2e per loaded 40-ft container, class, corridor, scenario; a comparison's rows are
:meth:`midcorridor.results.Comparison.frame`);
:func:`route_gdf` a route's links as a GeoDataFrame (osmnx's ``route_to_gdf``);
:func:`routes_gdf`, :func:`node_hours_gdf` and :func:`network_gdf` the layers an export
writes (routes with their results, hours by stage at each node, the scenario's network
with its closures).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..model.trip import TripResult
from ..network.network import Network
from ..vocabulary import MOVING_STAGES

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from ..inputs.scenario import Scenario
    from ..model.costs import TripCost


class ScenarioRun(Protocol):
    """What a table of a run reads (:class:`midcorridor.runs.runner.ScenarioRun`)."""

    @property
    def scenario(self) -> Scenario: ...

    @property
    def trips(self) -> tuple[TripResult, ...]: ...

    def cost(self, label: str) -> TripCost | None: ...


__all__ = [
    "closed_links",
    "network_gdf",
    "node_hours_gdf",
    "route_gdf",
    "routes_gdf",
    "run_frame",
]

#: Columns of :func:`run_frame`, in order.
RUN_COLUMNS = (
    "scenario",
    "route",
    "corridor",
    "shipment",
    "origin",
    "destination",
    "km",
    "days_p10",
    "days_mean",
    "days_p50",
    "days_p90",
    "usd_p50",
    "t_co2e_p50",
    "saturated",
)


def _row(run: ScenarioRun, trip: TripResult) -> dict[str, Any]:
    days = trip.days()
    cost = run.cost(trip.label)
    return {
        "scenario": run.scenario.name,
        "route": trip.label,
        "corridor": trip.route.corridor,
        "shipment": trip.shipment,
        "origin": trip.route.origin,
        "destination": trip.route.destination,
        "km": trip.route.distance_km,
        "days_p10": days["p10"],
        "days_mean": days["mean"],
        "days_p50": days["p50"],
        "days_p90": days["p90"],
        "usd_p50": cost.cost_usd()["p50"] if cost is not None else float("nan"),
        "t_co2e_p50": cost.co2e_kg()["p50"] / 1000 if cost is not None else float("nan"),
        "saturated": trip.saturated,
    }


def run_frame(run: ScenarioRun) -> pd.DataFrame:
    """One row per route of ``run`` (:data:`RUN_COLUMNS`): days, USD and t CO2e per loaded
    40-ft container (NaN without cost figures), saturated if the days are lower bounds."""
    import pandas as pd

    return pd.DataFrame([_row(run, t) for t in run.trips], columns=list(RUN_COLUMNS))


def runs_frame(runs: Sequence[ScenarioRun]) -> pd.DataFrame:
    """The rows of several runs, one after another."""
    import pandas as pd

    return pd.concat([run_frame(r) for r in runs], ignore_index=True)


def route_gdf(trip: TripResult, network: Network) -> gpd.GeoDataFrame:
    """The links of a trip in travel order, with their geometry (EPSG:4326), mode, km and
    the mean hours moving on them."""
    import geopandas as gpd
    import shapely

    moving: dict[str, float] = {}
    for comp, mean in zip(trip.components, trip.mean_hours, strict=True):
        if comp.link is not None and comp.stage in MOVING_STAGES:
            moving[comp.link] = moving.get(comp.link, 0.0) + float(mean)
    rows, lines = [], []
    for i, link_id in enumerate(trip.route.links):
        link = network.links_by_id[link_id]
        coords = list(link.coords)
        if link.props.from_ != trip.route.nodes[i]:
            coords.reverse()
        rows.append(
            {
                "route": trip.label,
                "leg": i,
                "link": link_id,
                "from_node": trip.route.nodes[i],
                "to_node": trip.route.nodes[i + 1],
                "mode": link.props.mode,
                "km": link.props.length_km,
                "moving_hours": moving.get(link_id, 0.0),
            }
        )
        lines.append(shapely.LineString(coords))
    return gpd.GeoDataFrame(rows, geometry=lines, crs="EPSG:4326")


def routes_gdf(runs: Sequence[ScenarioRun], network: Network) -> gpd.GeoDataFrame:
    """One row per route and run: :func:`run_frame`'s columns and the route's line."""
    import geopandas as gpd
    import shapely

    frame = runs_frame(runs)
    geometry = [
        shapely.line_merge(shapely.MultiLineString(list(route_gdf(t, network).geometry)))
        for run in runs
        for t in run.trips
    ]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def node_hours_gdf(runs: Sequence[ScenarioRun], network: Network) -> gpd.GeoDataFrame:
    """One point per node, route and run: the mean hours standing there, by stage."""
    import geopandas as gpd
    import shapely

    rows, points = [], []
    for run in runs:
        for trip in run.trips:
            for node_id, by_stage in trip.node_hours().items():
                node = network.nodes_by_id[node_id]
                rows.append(
                    {
                        "scenario": run.scenario.name,
                        "route": trip.label,
                        "node": node_id,
                        "name": node.props.name,
                        "total_hours": sum(by_stage.values()),
                        **{f"{stage}_hours": h for stage, h in by_stage.items()},
                    }
                )
                points.append(shapely.Point(node.lon, node.lat))
    frame = gpd.GeoDataFrame(rows, geometry=points, crs="EPSG:4326")
    hours = [c for c in frame.columns if c.endswith("_hours")]
    frame[hours] = frame[hours].fillna(0.0)
    return frame


def network_gdf(network: Network, runs: Sequence[ScenarioRun] = ()) -> gpd.GeoDataFrame:
    """The network's links, with a column ``closed_<scenario>`` for each run: whether its
    scenario closes the link (itself, or a node or country at one of its ends)."""
    frame = network.links.reset_index(drop=True)[["id", "mode", "length_km", "geometry"]].copy()
    for run in runs:
        column = "closed_" + re.sub(r"\W+", "_", run.scenario.name)
        frame[column] = frame["id"].isin(closed_links(run, network))
    return frame


def closed_links(run: ScenarioRun, network: Network) -> set[str]:
    """Ids of the links the run's scenario closes: itself, a node or country at one of its
    ends, a passage, a line not sailed in its era."""
    from .resolve import closed

    nodes, links = closed(run.scenario, network, run.scenario.closures)
    return set(links) | {
        lk.id for lk in network.links_by_id.values() if {lk.props.from_, lk.props.to} & nodes
    }
