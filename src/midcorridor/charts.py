"""Time-distance charts of scenario results (UNESCAP Time/Cost-Distance method).

A trip is drawn as a line from its origin: x is the distance travelled (km), y the mean
elapsed time (days). Moving by rail or sea makes a slanted segment (the flatter, the
faster); standing still at a node (documents, inspection, transshipment, port handling,
the wait for a ferry, storm holds, congestion) makes a vertical step. Long steps are the
bottlenecks.

matplotlib is imported inside the functions, so that importing this module (and starting
the command line) stays fast; figures are drawn on the Agg canvas without pyplot, which
leaves matplotlib's global backend alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .network import Network
from .runner import ScenarioRun
from .schema import HOURS_PER_DAY, MOVING_STAGES
from .timing import TripResult

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CHART_SUFFIXES",
    "save_figure",
    "sweep_chart",
    "time_distance_chart",
    "time_distance_points",
]

#: File types :func:`time_distance_chart` writes.
CHART_SUFFIXES = (".png", ".svg")
#: Figure size (inches) and PNG resolution: 1440 x 840 pixels.
FIGSIZE = (12.0, 7.0)
DPI = 120
#: Node kinds labelled on the chart (besides each route's two ends).
LABELLED_KINDS = frozenset({"port", "border", "gauge_change"})
_LINESTYLES: tuple[Literal["-", "--", ":", "-."], ...] = ("-", "--", ":", "-.")
#: Two labels closer than this (fractions of the axes) are not both drawn.
_MIN_LABEL_GAP = (0.045, 0.03)
_SHORT_NAME = 18


def _short(name: str) -> str:
    """A short place name: "Dostyk / Alashankou" -> "Dostyk", "Baku ... Port (Alat)" -> "Alat"."""
    first = name.split(" / ")[0]
    base, _, rest = first.partition(" (")
    base = base.strip()
    if len(base) > _SHORT_NAME and rest:
        base = rest.rstrip(")").strip()
    return base if len(base) <= _SHORT_NAME else base[: _SHORT_NAME - 1] + "\u2026"


def time_distance_points(trip: TripResult, network: Network) -> pd.DataFrame:
    """The vertices of a trip's time-distance line.

    Parameters
    ----------
    trip : TripResult
        A sampled trip.
    network : Network
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
    means = trip.hours.mean(axis=0) / HOURS_PER_DAY
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
            assert comp.link is not None
            km += network.links_by_id[comp.link].props.length_km
            node_id = route.nodes[position[comp.node] + 1]
        rows.append(
            {"km": km, "days": days, "place": names[node_id], "stage": comp.stage}
            | {"node": node_id}
        )
    return pd.DataFrame(rows, columns=["km", "days", "place", "stage", "node"])


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in CHART_SUFFIXES:
        raise ValueError(f"chart file must end in {' or '.join(CHART_SUFFIXES)}, got {path.name!r}")
    return suffix


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (``.png`` or ``.svg``), creating missing folders.

    Raises
    ------
    ValueError
        If the file name does not end in ``.png`` or ``.svg``.
    """
    out = Path(path)
    suffix = _check_suffix(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=suffix[1:], dpi=DPI)
    return out


def _time_distance_figure(runs: Sequence[ScenarioRun], network: Network) -> Figure:
    """Draw the chart; one labelled line per trip and scenario (label "route [scenario]")."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
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

    points = [[time_distance_points(trip, network) for trip in run.trips] for run in runs]
    for k, (run, frames) in enumerate(zip(runs, points, strict=True)):
        style = _LINESTYLES[k % len(_LINESTYLES)]
        for trip, frame in zip(run.trips, frames, strict=True):
            ax.plot(
                frame["km"],
                frame["days"],
                color=route_colour[trip.label],
                linestyle=style,
                linewidth=1.8 if k == 0 else 1.4,
                label=f"{trip.label} [{run.scenario.name}]",
            )

    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.margins(x=0.02, y=0.04)
    fig.canvas.draw()  # fix the limits before placing labels
    _label_stops(ax, points[0] if points else [], network)

    ax.set_xlabel("Distance from origin (km)")
    ax.set_ylabel("Elapsed time, mean (days)")
    names = " vs ".join(run.scenario.name for run in runs) or "no scenario"
    ax.set_title(
        f"Time-distance: {names}\n"
        "slanted = moving by rail or sea, vertical = standing at a node (checks, handling, "
        "ferry waits)",
        fontsize=11,
    )
    ax.grid(True, color="#dddddd", linewidth=0.6)

    route_handles = [
        Line2D([], [], color=colour, linewidth=2, label=legend_label[label])
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


def _label_stops(ax: Axes, frames: Sequence[pd.DataFrame], network: Network) -> None:
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
            last["days"].astype(float).tolist(),
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
                _short(node.name),
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
    runs : sequence of ScenarioRun
        Results of :func:`midcorridor.run_scenario`. Each trip gets one line: colour by
        trip label (the same route in two scenarios shares a colour), line style by
        scenario.
    network : Network
        The network the runs were made on.
    path : str or Path
        Output file, ``.png`` (1440 x 840 pixels: 12 x 7 in at 120 dpi) or ``.svg``;
        missing parent folders are created.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        If the file name does not end in ``.png`` or ``.svg``.
    """
    _check_suffix(Path(path))
    return save_figure(_time_distance_figure(runs, network), path)


def sweep_chart(
    rows: Sequence[dict[str, Any]],
    path: str | Path,
    *,
    corridor: str | None = None,
    title: str = "Days against volume",
) -> Path:
    """P50 and P90 days of each route against volume (TEU/week), saturation shaded.

    ``rows`` come from :func:`midcorridor.runner.sweep_volume`; with ``corridor``
    only that corridor's routes are drawn. Writes ``.png`` or ``.svg`` by suffix;
    raises ValueError otherwise.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    _check_suffix(Path(path))
    volumes = [r["volume_teu_per_week"] for r in rows]
    fig = Figure(figsize=(10, 6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    labels = list(
        dict.fromkeys(
            t["label"]
            for r in rows
            for t in r["routes"]
            if corridor is None or t["corridor"] == corridor
        )
    )
    for i, label in enumerate(labels):
        trips = [next(t for t in r["routes"] if t["label"] == label) for r in rows]
        colour = f"C{i % 10}"
        ax.plot(volumes, [t["p50"] for t in trips], color=colour, label=f"{label} P50")
        ax.plot(volumes, [t["p90"] for t in trips], color=colour, linestyle=":", linewidth=1)
    saturated = [
        v
        for r, v in zip(rows, volumes, strict=True)
        if any(c["saturated"] for c in r["constrained"].values())
    ]
    if saturated:
        ax.axvspan(min(saturated), max(volumes), color="red", alpha=0.08, label="saturated")
    ax.set_xlabel("volume, TEU per week")
    ax.set_ylabel("days (solid P50, dotted P90)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    return save_figure(fig, path)
