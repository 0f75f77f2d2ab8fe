"""Charts of results: time-distance, volume sweep, bottleneck tornado, spread.

Time-distance charts follow UNESCAP's Time/Cost-Distance method. A trip is drawn as a
line from its origin: x is the distance travelled (km), y the mean elapsed time (days).
Moving by rail or sea makes a slanted segment (the flatter, the faster); standing still at
a node (documents, inspection, transshipment, port handling, the wait for a ferry, storm
holds, congestion) makes a vertical step. Long steps are the bottlenecks.

A trip through a saturated queue is labelled as a lower bound on every chart.

Each ``*_figure`` function returns a matplotlib figure to adjust in a notebook; each
``*_chart`` function draws one and writes it (:func:`write_chart`). matplotlib is imported
inside the functions, and figures are drawn on the Agg canvas without pyplot, which leaves
matplotlib's global backend alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from .._files import atomic_write, check_output_file
from ..model.trip import TripResult
from ..network.network import Network
from ..results import Ranking, Spread, Sweep
from ..runs.runner import ScenarioRun
from ..vocabulary import HOURS_PER_DAY, MOVING_STAGES
from . import formatting as fmt

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..analysis.frontier import Frontier
    from ..model.costs import CostLeg, TripCost
    from ..network.routing import Route

__all__ = [
    "CHART_SUFFIXES",
    "LOWER_BOUND_LABEL",
    "cost_distance_chart",
    "cost_distance_figure",
    "cost_distance_points",
    "frontier_chart",
    "frontier_figure",
    "sensitivity_chart",
    "sensitivity_figure",
    "sweep_chart",
    "sweep_figure",
    "time_distance_chart",
    "time_distance_figure",
    "time_distance_points",
    "tornado_chart",
    "tornado_figure",
    "write_chart",
]

#: File types the charts are written as.
CHART_SUFFIXES = (".png", ".svg")
#: Figure size (inches) and PNG resolution: 1440 x 840 pixels.
FIGSIZE = (12.0, 7.0)
DPI = 120
#: Added to the label of a trip whose days are lower bounds (a saturated queue).
LOWER_BOUND_LABEL = "lower bound: saturated queue"
#: Metadata written per file type: none that changes between runs or versions (the PNG's
#: matplotlib version, the SVG's date), so that the same figure gives the same bytes.
_METADATA: dict[str, dict[str, str | None]] = {"png": {"Software": None}, "svg": {"Date": None}}
#: Salt of the ids matplotlib hashes in an SVG (random per run unless set).
_SVG_HASH_SALT = "midcorridor"
#: Width of the bar charts (inches) and height per bar.
_BAR_CHART_WIDTH = 10.0
_BAR_HEIGHT = 0.42
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


def write_chart(draw: Callable[[], Figure], path: str | Path) -> Path:
    """Draw a figure and write it to ``path`` (``.png`` or ``.svg``), whole or not at all.

    The path is checked before anything is drawn. The file is written through a
    temporary file moved onto ``path`` once complete (:func:`midcorridor._files.atomic_write`),
    so an interrupt leaves any earlier file at ``path`` as it was. The same figure gives
    the same bytes on every write: the PNG carries no software version, the SVG no date,
    and the SVG's element ids are hashed with a fixed salt.

    Parameters
    ----------
    draw
        Returns the figure to write; called once the path is checked.
    path
        Output file, ``.png`` or ``.svg``; missing parent folders are created.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    MidcorridorError
        If the file name does not end in ``.png`` or ``.svg``, or the file cannot be
        written there (see :func:`midcorridor._files.check_output_file`).
    """
    import matplotlib

    out = Path(path)
    check_output_file(out, CHART_SUFFIXES, what="Chart file")
    file_format = out.suffix.lower()[1:]
    fig = draw()
    with (
        matplotlib.rc_context({"svg.hashsalt": _SVG_HASH_SALT}),
        atomic_write(out, binary=True) as handle,
    ):
        fig.savefig(handle, format=file_format, dpi=DPI, metadata=_METADATA[file_format])
    return out


def _new_figure(width: float, height: float) -> Figure:
    """A figure (inches) on the Agg canvas with constrained layout, without pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _trip_label(label: str, *, saturated: bool) -> str:
    return f"{label} ({LOWER_BOUND_LABEL})" if saturated else label


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

    legs = cost.sample.legs
    nodes = _leg_ends(legs, cost.route)
    rows: list[dict[str, object]] = [{"km": 0.0, "usd": 0.0, "node": nodes[0]}]
    km = usd = 0.0
    for leg, mean, node in zip(legs, cost.sample.leg_usd_mean, nodes[1:], strict=True):
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

    fig = _new_figure(*FIGSIZE)
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
                label=_trip_label(f"{trip.label} [{run.scenario.name}]", saturated=trip.saturated),
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
            label=_trip_label(legend_label[label], saturated=label in saturated),
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

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    MidcorridorError
        If the file name does not end in ``.png`` or ``.svg`` (checked before drawing).

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


def frontier_chart(result: Frontier, path: str | Path) -> Path:
    """Write a grid's frontier: P50 days of every measure set against the number of
    measures it moves, the Pareto frontier and the target."""
    return write_chart(lambda: frontier_figure(result), path)


def frontier_figure(result: Frontier) -> Figure:
    """The frontier chart as a matplotlib figure (see :func:`frontier_chart`)."""
    fig = _new_figure(_BAR_CHART_WIDTH, 6.0)
    ax = fig.add_subplot()
    ok = [s for s in result.sets if not s.saturated]
    full = [s for s in result.sets if s.saturated]
    ax.scatter(
        [s.effort for s in ok],
        [s.days_p50 for s in ok],
        color="#9e9e9e",
        s=18,
        label="a measure set",
        zorder=2,
    )
    if full:
        ax.scatter(
            [s.effort for s in full],
            [s.days_p50 for s in full],
            color="#9e9e9e",
            marker="^",
            s=22,
            label=f"a measure set, {LOWER_BOUND_LABEL}",
            zorder=2,
        )
    pareto = result.pareto
    ax.plot(
        [s.effort for s in pareto],
        [s.days_p50 for s in pareto],
        color="C0",
        marker="o",
        linewidth=1.8,
        label="Pareto frontier: fastest for its effort",
        zorder=3,
    )
    previous: tuple[str, ...] = ()
    for s in pareto:
        added = [m for m in s.moved if m not in previous] or list(s.moved)
        if s.moved:
            ax.annotate(
                "+ " + ", ".join(added),
                (s.effort, s.days_p50),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=7,
                color="C0",
            )
        previous = s.moved
    ax.axhline(
        result.target_days,
        color="C3",
        linestyle="--",
        linewidth=1.2,
        label=f"target {result.target_days:.1f} days",
    )
    ax.set_xlabel("measures moved from today's value")
    ax.set_ylabel("P50 days at today's volume")
    ax.set_xticks(sorted({s.effort for s in result.sets}))
    ax.set_ylim(bottom=0)
    ax.set_title(f"Grid {result.grid}: {result.route}", fontsize=11)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.92)
    return fig


def sweep_chart(sweep: Sweep, path: str | Path, *, title: str | None = None) -> Path:
    """Write P50 and P90 days of each trip of the sweep's corridor against volume.

    Parameters
    ----------
    sweep
        Output of :func:`midcorridor.sweep_volume`.
    path
        Output file, ``.png`` or ``.svg``; missing parent folders are created.
    title
        Chart title; default names the scenario and corridor.

    Returns
    -------
    Path
        The file written.
    """
    return write_chart(lambda: sweep_figure(sweep, title=title), path)


def sweep_figure(sweep: Sweep, *, title: str | None = None) -> Figure:
    """Days against volume as a matplotlib figure (see :func:`sweep_chart`).

    Volumes at which a point on the corridor saturates are shaded, and the points of a
    trip whose days are lower bounds are drawn hollow.
    """
    fig = _new_figure(10.0, 6.0)
    ax = fig.add_subplot()
    volumes = [s.volume_teu_per_week for s in sweep.steps]
    labels = list(
        dict.fromkeys(
            r.label for s in sweep.steps for r in s.routes if r.corridor == sweep.corridor
        )
    )
    for i, label in enumerate(labels):
        trips = [next(r for r in s.routes if r.label == label) for s in sweep.steps]
        colour = f"C{i % 10}"
        ax.plot(volumes, [t.p50 for t in trips], color=colour, label=f"{label} P50")
        ax.plot(volumes, [t.p90 for t in trips], color=colour, linestyle=":", linewidth=1)
        bounds = [(v, t.p50) for v, t in zip(volumes, trips, strict=True) if t.saturated]
        if bounds:
            xs, ys = zip(*bounds, strict=True)
            ax.scatter(xs, ys, facecolors="none", edgecolors=colour, s=24)
    first = sweep.first_saturated_volume
    if first is not None:
        ax.axvspan(
            first,
            max(volumes),
            color="red",
            alpha=0.08,
            label="saturated queue: days are lower bounds",
        )
    ax.set_xlabel("volume, TEU per week")
    ax.set_ylabel("days (solid P50, dotted P90; hollow points are lower bounds)")
    ax.set_title(title or f"{sweep.scenario}: days against {sweep.corridor} volume")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    return fig


def _bar_figure(rows: int) -> Figure:
    return _new_figure(_BAR_CHART_WIDTH, 1.8 + _BAR_HEIGHT * max(rows, 1))


def tornado_chart(ranking: Ranking, path: str | Path, *, title: str | None = None) -> Path:
    """Write a tornado chart of a bottleneck ranking: days saved per group of waits.

    Parameters
    ----------
    ranking
        Output of :func:`midcorridor.rank_bottlenecks` (the rows to draw, e.g.
        ``ranking.head(10)``). Each row is a bar of the P50 days saved if the group is
        removed, with markers for the P50 days saved if halved and the P90 days saved if
        removed; the first row on top.
    path
        Output file, ``.png`` (1200 pixels wide) or ``.svg``; missing folders are created.
    title
        Chart title; default names the trip. A saturated trip's title says its days are
        lower bounds.

    Returns
    -------
    Path
        The file written.
    """
    return write_chart(lambda: tornado_figure(ranking, title=title), path)


def tornado_figure(ranking: Ranking, *, title: str | None = None) -> Figure:
    """The tornado chart as a matplotlib figure (see :func:`tornado_chart`)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    frame = ranking.frame
    fig = _bar_figure(len(frame))
    ax = fig.add_subplot()
    y = np.arange(len(frame))
    ax.barh(y, frame["p50_saved_removed"], color="C3", alpha=0.75, height=0.65)
    ax.plot(frame["p50_saved_half"], y, linestyle="none", marker="|", markersize=16, color="k")
    ax.plot(frame["p90_saved_removed"], y, linestyle="none", marker="D", markersize=5, color="C0")
    ax.set_yticks(y, [str(g) for g in frame["group"]], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.set_xlabel("Days saved on the door-to-door time")
    text = title or f"{ranking.label}: days saved per wait"
    ax.set_title(_trip_label(text, saturated=ranking.saturated), fontsize=11)
    ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(
        handles=[
            Patch(color="C3", alpha=0.75, label="P50 saved if removed"),
            Line2D(
                [],
                [],
                linestyle="none",
                marker="|",
                markersize=12,
                color="k",
                label="P50 saved if halved",
            ),
            Line2D(
                [],
                [],
                linestyle="none",
                marker="D",
                markersize=5,
                color="C0",
                label="P90 saved if removed",
            ),
        ],
        loc="lower right",
        fontsize=8,
        framealpha=0.92,
    )
    return fig


def sensitivity_chart(spread: Spread, path: str | Path, *, title: str | None = None) -> Path:
    """Write a bar chart of what drives the spread: each delay's share of the variance.

    Parameters
    ----------
    spread
        Output of :func:`midcorridor.sensitivity` (the rows to draw, e.g.
        ``spread.head(8)``). One bar per row, labelled with the Spearman correlation.
    path
        Output file, ``.png`` or ``.svg``; missing parent folders are created.
    title
        Chart title; default names the trip.

    Returns
    -------
    Path
        The file written.
    """
    return write_chart(lambda: sensitivity_figure(spread, title=title), path)


def sensitivity_figure(spread: Spread, *, title: str | None = None) -> Figure:
    """The spread chart as a matplotlib figure (see :func:`sensitivity_chart`)."""
    frame = spread.frame
    fig = _bar_figure(len(frame))
    ax = fig.add_subplot()
    y = np.arange(len(frame))
    share = frame["variance_share"].to_numpy(dtype=float) * 100
    ax.barh(y, share, color="C0", alpha=0.8, height=0.65)
    for yi, value, rho in zip(y, share, frame["spearman"].to_numpy(dtype=float), strict=True):
        text = f"{value:.1f}%" + ("" if np.isnan(rho) else f"  (rho {fmt.correlation(rho)})")
        ax.annotate(
            text, (max(value, 0.0), yi), xytext=(3, 0), textcoords="offset points", va="center"
        )
    ax.set_yticks(y, [str(g) for g in frame["group"]], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("Share of the variance of door-to-door days (%)")
    text = title or f"{spread.label}: what drives the spread of days"
    ax.set_title(_trip_label(text, saturated=spread.saturated), fontsize=11)
    ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.margins(x=0.15)
    return fig
