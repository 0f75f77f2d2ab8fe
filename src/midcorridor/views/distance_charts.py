"""Time-distance and cost-distance charts (UNESCAP's Time/Cost-Distance method).

A trip is drawn as a line from its origin: x is the distance travelled (km), y the mean
elapsed time (days) or cost (USD). Moving by rail or sea makes a slanted segment (the
flatter, the faster); standing still at a node (documents, inspection, transshipment, port
handling, the wait for a ferry, storm holds, congestion) makes a vertical step. Long steps
are the bottlenecks. A trip through a saturated queue is labelled as a lower bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..vocabulary import HOURS_PER_DAY, MOVING_STAGES
from . import formatting as fmt
from .charts import FIGSIZE, LOWER_BOUND_LABEL, new_figure, trip_label, write_chart

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..model.costs import CostLeg, TripCost
    from ..model.trip import TripResult
    from ..network.network import Network
    from ..network.routing import Route
    from ..runs.runner import ScenarioRun

__all__ = [
    "cost_distance_chart",
    "cost_distance_figure",
    "cost_distance_points",
    "time_distance_chart",
    "time_distance_figure",
    "time_distance_points",
]

#: Node kinds labelled on the chart (besides each route's two ends).
LABELLED_KINDS = frozenset({"port", "border", "gauge_change"})


_LINESTYLES: tuple[Literal["-", "--", ":", "-."], ...] = ("-", "--", ":", "-.")


#: Two labels closer than this (fractions of the axes) are not both drawn.
_MIN_LABEL_GAP = (0.045, 0.03)


def time_distance_points(trip: TripResult, network: Network) -> pd.DataFrame:
    """The vertices of a trip's time-distance line.

    Parameters
    ----------
    trip
        A sampled trip.
    network
        The network it was routed on (for link lengths and place names).

    Returns
    -------
    pandas.DataFrame
        One row for the departure, then one per component of the trip in the order it
        happens: the node's own processes, then, for a ferry or sea leg, the wait for the
        departure and any storm hold at the port, then the movement along the link.
        Columns: ``km`` (cumulative distance, km), ``days`` (cumulative mean time, days),
        ``place`` (node name: where the container stands, or the node a movement
        reaches), ``stage`` (``"start"`` for the first row) and ``node`` (node id). The
        last row has ``km`` equal to the route's distance and ``days`` equal to the mean
        door-to-door days.
    """
    import pandas as pd

    route = trip.route
    position = {node_id: i for i, node_id in enumerate(route.nodes)}
    means = trip.mean_hours / HOURS_PER_DAY  # over every sample, kept or not
    # Stationary components of node i come before the movement along link i; the stable
    # sort keeps the model's order within each group.
    order = sorted(
        range(len(trip.components)),
        key=lambda j: (
            position[trip.components[j].node],
            trip.components[j].stage in MOVING_STAGES,
        ),
    )
    names = {n: network.nodes_by_id[n].props.name for n in route.nodes}
    rows: list[dict[str, object]] = [
        {"km": 0.0, "days": 0.0, "place": names[route.origin], "stage": "start"}
        | {"node": route.origin}
    ]
    km = 0.0
    days = 0.0
    for j in order:
        comp = trip.components[j]
        days += float(means[j])
        node_id = comp.node
        if comp.stage in MOVING_STAGES:
            if comp.link is not None:
                km += network.links_by_id[comp.link].props.length_km
            node_id = route.nodes[position[comp.node] + 1]
        rows.append(
            {"km": km, "days": days, "place": names[node_id], "stage": comp.stage}
            | {"node": node_id}
        )
    return pd.DataFrame(rows, columns=["km", "days", "place", "stage", "node"])


def time_distance_figure(runs: Sequence[ScenarioRun], network: Network) -> Figure:
    """The time-distance chart as a matplotlib figure (see :func:`time_distance_chart`)."""
    points = [[time_distance_points(trip, network) for trip in run.trips] for run in runs]
    return _distance_figure(
        runs,
        network,
        points,
        y="days",
        ylabel="Elapsed time, mean (days)",
        title="Time-distance",
        subtitle="slanted = moving by rail or sea, vertical = standing at a node (checks, "
        "handling, ferry waits)",
    )


def cost_distance_points(cost: TripCost) -> pd.DataFrame:
    """The vertices of a trip's cost-distance line (UNESCAP's time/cost-distance method).

    Returns
    -------
    pandas.DataFrame
        One row for the departure, then one per cost leg in travel order: a charge at a
        place rises in place, a rail, ferry or sea leg moves on by its km. Columns: ``km``
        (cumulative distance, km), ``usd`` (cumulative mean cost, USD per loaded 40-ft
        container) and ``node`` (where the container is after the leg).
    """
    import pandas as pd

    legs = cost.legs
    nodes = _leg_ends(legs, cost.route)
    rows: list[dict[str, object]] = [{"km": 0.0, "usd": 0.0, "node": nodes[0]}]
    km = usd = 0.0
    for leg, mean, node in zip(legs, cost.leg_usd_mean, nodes[1:], strict=True):
        km += leg.km
        usd += float(mean)
        rows.append({"km": km, "usd": usd, "node": node})
    return pd.DataFrame(rows, columns=["km", "usd", "node"])


def _leg_ends(legs: Sequence[CostLeg], route: Route) -> list[str]:
    """The node the container is at before the first leg and after each leg."""
    after_link = {link: route.nodes[i + 1] for i, link in enumerate(route.links)}
    out = [route.origin]
    for i, leg in enumerate(legs):
        if leg.node is not None:
            out.append(leg.node)
        elif i + 1 < len(legs) and legs[i + 1].link == leg.link:
            out.append(out[-1])  # a rail link split between two countries: halfway
        else:
            out.append(after_link[str(leg.link)])
    return out


def cost_distance_figure(runs: Sequence[ScenarioRun], network: Network) -> Figure:
    """The cost-distance chart as a matplotlib figure (see :func:`cost_distance_chart`)."""
    points = [[cost_distance_points(cost) for cost in run.costs] for run in runs if run.costs]
    return _distance_figure(
        [run for run in runs if run.costs],
        network,
        points,
        y="usd",
        ylabel="Cumulative cost, mean (USD per loaded 40-ft container)",
        title="Cost-distance",
        subtitle="slanted = rail, ferry or sea freight, vertical = charges at a place "
        "(handling, fees)",
    )


def _distance_figure(
    runs: Sequence[ScenarioRun],
    network: Network,
    points: Sequence[Sequence[pd.DataFrame]],
    *,
    y: str,
    ylabel: str,
    title: str,
    subtitle: str,
) -> Figure:
    """Lines of ``y`` against km, one per trip: colour by trip label, style by scenario."""
    from matplotlib.lines import Line2D

    fig = new_figure(*FIGSIZE)
    ax = fig.add_subplot()
    colours = [f"C{i}" for i in range(10)]

    route_colour: dict[str, str] = {}
    legend_label: dict[str, str] = {}
    first_path: dict[tuple[str, ...], str] = {}
    for run in runs:
        for trip in run.trips:
            if trip.label in route_colour:
                continue
            route_colour[trip.label] = colours[len(route_colour) % len(colours)]
            same = first_path.setdefault(trip.route.nodes, trip.label)
            # A trip on the same path as an earlier one is hidden under it: say so.
            legend_label[trip.label] = (
                trip.label if same == trip.label else f"{trip.label} (same path as {same})"
            )

    for k, (run, frames) in enumerate(zip(runs, points, strict=True)):
        style = _LINESTYLES[k % len(_LINESTYLES)]
        for trip, frame in zip(run.trips, frames, strict=True):
            ax.plot(
                frame["km"],
                frame[y],
                color=route_colour[trip.label],
                linestyle=style,
                linewidth=1.8 if k == 0 else 1.4,
                label=trip_label(f"{trip.label} [{run.scenario.name}]", saturated=trip.saturated),
            )
            if trip.saturated and y == "days":  # the end is a lower bound: say it on the line
                end_km, end_days = float(frame["km"].iloc[-1]), float(frame[y].iloc[-1])
                ax.annotate(
                    f"{fmt.days(end_days, lower_bound=True)} d, {LOWER_BOUND_LABEL}",
                    (end_km, end_days),
                    xytext=(-4, 4),
                    textcoords="offset points",
                    ha="right",
                    fontsize=7,
                    color=route_colour[trip.label],
                )

    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.margins(x=0.02, y=0.04)
    fig.canvas.draw()  # fix the limits before placing labels
    _label_stops(ax, points[0] if points else [], network, y)

    ax.set_xlabel("Distance from origin (km)")
    ax.set_ylabel(ylabel)
    names = " vs ".join(run.scenario.name for run in runs) or "no scenario"
    ax.set_title(f"{title}: {names}\n{subtitle}", fontsize=11)
    ax.grid(True, color="#dddddd", linewidth=0.6)

    saturated = {t.label for run in runs for t in run.trips if t.saturated and y == "days"}
    route_handles = [
        Line2D(
            [],
            [],
            color=colour,
            linewidth=2,
            label=trip_label(legend_label[label], saturated=label in saturated),
        )
        for label, colour in route_colour.items()
    ]
    scenario_handles = [
        Line2D(
            [],
            [],
            color="#444444",
            linestyle=_LINESTYLES[k % len(_LINESTYLES)],
            linewidth=1.6,
            label=f"scenario {run.scenario.name}",
        )
        for k, run in enumerate(runs)
    ]
    ax.legend(
        handles=route_handles + scenario_handles,
        loc="upper left",
        fontsize=8,
        framealpha=0.92,
    )
    return fig


def _label_stops(
    ax: Axes, frames: Sequence[pd.DataFrame], network: Network, y: str = "days"
) -> None:
    """Name the major stops (ends, ports, borders, gauge changes) without crowding.

    A label is placed at the top of the stop's vertical step; one closer than
    :data:`_MIN_LABEL_GAP` to a label already drawn is left out.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    placed: list[tuple[float, float]] = []
    seen: set[tuple[str, int]] = set()
    for frame in frames:
        last = frame.groupby("node", sort=False).tail(1)
        ends = {frame["node"].iloc[0], frame["node"].iloc[-1]}
        stops = zip(
            last["node"].astype(str).tolist(),
            last["km"].astype(float).tolist(),
            last[y].astype(float).tolist(),
            strict=True,
        )
        for node_id, km, days in stops:
            node = network.nodes_by_id[node_id].props
            if node.kind not in LABELLED_KINDS and node_id not in ends:
                continue
            fx, fy = (km - x0) / (x1 - x0), (days - y0) / (y1 - y0)
            key = (node_id, round(km))
            if key in seen or any(
                abs(fx - px) < _MIN_LABEL_GAP[0] and abs(fy - py) < _MIN_LABEL_GAP[1]
                for px, py in placed
            ):
                continue
            seen.add(key)
            placed.append((fx, fy))
            ax.plot([km], [days], marker="o", markersize=3, color="#333333", label="_stop")
            ax.annotate(
                fmt.short_place(node.name),
                (km, days),
                xytext=(3, 3),
                textcoords="offset points",
                fontsize=7,
                color="#333333",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.55},
            )


def time_distance_chart(runs: Sequence[ScenarioRun], network: Network, path: str | Path) -> Path:
    """Write a time-distance chart of every trip of every run.

    Parameters
    ----------
    runs
        Results of :func:`midcorridor.run_scenario`. Each trip gets one line: colour by
        trip label (the same route in two scenarios shares a colour), line style by
        scenario.
    network
        The network the runs were made on.
    path
        Output file, ``.png`` (1440 x 840 pixels: 12 x 7 in at 120 dpi) or ``.svg``;
        missing parent folders are created.

    Returns the file written; a :class:`~midcorridor.MidcorridorError` for a path it
    cannot write, before drawing (:func:`~midcorridor.views.charts.write_chart`).

    Notes
    -----
    A trip through a saturated queue is labelled as a lower bound in the legend and at
    the end of its line.
    """
    return write_chart(lambda: time_distance_figure(runs, network), path)


def cost_distance_chart(runs: Sequence[ScenarioRun], network: Network, path: str | Path) -> Path:
    """Write a cost-distance chart (cumulative mean USD against km) of every trip.

    As :func:`time_distance_chart`, with cost in place of time: freight rises along the
    line, charges at a place (port handling, fees) are vertical steps.
    """
    return write_chart(lambda: cost_distance_figure(runs, network), path)
