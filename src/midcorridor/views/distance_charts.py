"""Time-distance and cost-distance charts (UNESCAP's Time/Cost-Distance method).

One panel per origin-destination pair. In each, a trip is drawn as a line from its origin:
x is the distance travelled (km), y the elapsed days (P50, with the P10-P90 band) or the
cumulative cost (mean USD, with the door-to-door P10-P90 at the end). Moving by rail or sea
makes a slanted segment (the flatter, the faster); standing still at a node (documents,
inspection, transshipment, port handling, the wait for a ferry, storm holds, congestion)
makes a vertical step. Long steps are the bottlenecks.

Colour tells the corridor: each corridor has its own family of shades and each trip its
own shade, so no colour repeats within a chart. Line style tells the scenario. A trip
whose line is the same as another's (the same path, shipment and figures) is drawn once,
and so is a trip a later scenario leaves as the first had it; the legend says so. A trip
through a saturated queue is labelled as a lower bound.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from . import formatting as fmt
from .charts import LOWER_BOUND_LABEL, new_figure, trip_label, write_chart
from .distance_points import cost_distance_points, time_distance_points

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..model.trip import TripResult
    from ..network.network import Network
    from ..runs.runner import ScenarioRun
    from ..vocabulary import Corridor

__all__ = [
    "CORRIDOR_COLOURMAPS",
    "cost_distance_chart",
    "cost_distance_figure",
    "distance_figure_size",
    "panel_grid",
    "time_distance_chart",
    "time_distance_figure",
]

#: Node kinds labelled on the chart (besides each route's two ends).
LABELLED_KINDS = frozenset({"port", "border", "gauge_change"})

#: The family of shades of each corridor (a matplotlib colormap).
CORRIDOR_COLOURMAPS: dict[Corridor, str] = {
    "middle": "OrRd",
    "northern": "Blues",
    "sea": "Greens",
    "other": "Purples",
}

#: The stretch of a corridor's colormap its shades are taken from, darkest first (the
#: light end fades into the white background).
_SHADE_RANGE = (0.92, 0.5)

_LINESTYLES: tuple[Literal["-", "--", ":", "-."], ...] = ("-", "--", ":", "-.")

#: Panels share their y axis unless the highest panel's top is more than this many times
#: the lowest's (a saturated trip's hundreds of days would flatten every other panel).
SHARE_Y_UP_TO = 2.5

#: Figure width, height of a row of panels and of the title, and of a legend row (inches).
_WIDTH = 12.0
_ROW_HEIGHT = 3.1
_TITLE_HEIGHT = 1.3
_LEGEND_ROW_HEIGHT = 0.2
_LEGEND_COLUMNS = 3
#: Characters of a legend line: three columns of them fit the figure's width.
_LEGEND_WRAP = 58

#: Two labels closer than this (fractions of the axes) are not both drawn.
_MIN_LABEL_GAP = (0.07, 0.045)

#: A stop this far across its panel (a fraction) is labelled on its left.
_LABEL_LEFT_FROM = 0.85

#: Opacity of a P10-P90 band.
_BAND_ALPHA = 0.13

#: Room above a panel's highest figure, a fraction of it.
_Y_MARGIN = 0.06


@dataclass(frozen=True, eq=False)
class _Line:
    """One trip of one run as drawn: its points and, on the cost chart, the door-to-door
    P10, P50 and P90 at the destination."""

    run: int
    trip: TripResult
    frame: pd.DataFrame
    end: tuple[float, float, float] | None = None

    def same_as(self, other: _Line, columns: Sequence[str]) -> bool:
        """Whether the two lines would be drawn the same."""
        return (
            self.trip.route.nodes == other.trip.route.nodes
            and self.trip.saturated == other.trip.saturated
            and self.end == other.end
            and all(
                np.array_equal(self.frame[c].to_numpy(), other.frame[c].to_numpy())
                for c in ("km", *columns)
            )
        )


@dataclass(frozen=True)
class _Measure:
    """What a chart's y axis shows: the column of the line and of its band, the words,
    and whether a saturated trip's figures are lower bounds (days are; costs are not)."""

    line: str
    band: tuple[str, str] | None
    ylabel: str
    title: str
    subtitle: str
    key: str
    what: str
    lower_bounds: bool


_TIME = _Measure(
    line="p50_days",
    band=("p10_days", "p90_days"),
    ylabel="Elapsed time since departure, P50 (days)",
    title="Time-distance",
    subtitle="slanted = moving by rail or sea, vertical = standing at a node (checks, "
    "handling, ferry waits)",
    key="P10-P90 band (shaded)",
    what="days",
    lower_bounds=True,
)

_COST = _Measure(
    line="mean_usd",
    band=None,
    ylabel="Freight cost, cumulative mean (USD per loaded 40-ft container)",
    title="Cost-distance",
    subtitle="slanted = rail, ferry or sea freight, vertical = charges at a place (handling, fees)",
    key="door to door: P50 (dot), P10-P90 (bar)",
    what="cost",
    lower_bounds=False,
)


def time_distance_figure(runs: Sequence[ScenarioRun], network: Network) -> Figure:
    """The time-distance chart as a matplotlib figure (see :func:`time_distance_chart`)."""
    lines = [
        _Line(k, trip, time_distance_points(trip, network))
        for k, run in enumerate(runs)
        for trip in run.trips
    ]
    return _distance_figure(runs, network, lines, _TIME)


def cost_distance_figure(runs: Sequence[ScenarioRun], network: Network) -> Figure:
    """The cost-distance chart as a matplotlib figure (see :func:`cost_distance_chart`)."""
    lines = [
        _Line(
            k,
            trip,
            cost_distance_points(cost),
            end=(cost.usd_draws.p10, cost.usd_draws.p50, cost.usd_draws.p90),
        )
        for k, run in enumerate(runs)
        if run.costs
        for trip, cost in zip(run.trips, run.costs, strict=True)
    ]
    return _distance_figure(runs, network, lines, _COST)


def distance_figure_size(panels: int, legend_lines: int) -> tuple[float, float]:
    """Width and height (inches) of a distance chart of ``panels`` panels whose legend
    entries take ``legend_lines`` lines of text."""
    rows, _ = panel_grid(panels)
    legend_rows = math.ceil(legend_lines / _LEGEND_COLUMNS) + 1
    return _WIDTH, _TITLE_HEIGHT + _ROW_HEIGHT * rows + _LEGEND_ROW_HEIGHT * legend_rows


def panel_grid(panels: int) -> tuple[int, int]:
    """Rows and columns of a grid of ``panels`` panels: one to twelve fit four columns."""
    columns = 1 if panels <= 1 else 2 if panels <= 4 else 3 if panels <= 9 else 4
    return max(math.ceil(panels / columns), 1), columns


def _shades(labels: dict[str, Corridor]) -> dict[str, str]:
    """A colour (``#rrggbb``) per trip label: a shade of its corridor's family, none
    repeated."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    out: dict[str, str] = {}
    for corridor, name in CORRIDOR_COLOURMAPS.items():
        members = [label for label, c in labels.items() if c == corridor]
        out |= {
            label: to_hex(colormaps[name](x))
            for label, x in zip(members, _spread_shades(len(members)), strict=True)
        }
    return out


def _spread_shades(n: int) -> list[float]:
    """``n`` points of :data:`_SHADE_RANGE`, evenly spaced but handed out far apart first.

    Trips listed one after the other (often in the same panel) get shades far apart: the
    first the darkest, the second the lightest, the third the middle, and so on.
    """
    dark, light = _SHADE_RANGE
    if n == 1:
        return [(dark + light) / 2]
    steps = np.linspace(dark, light, n)
    picked: list[int] = []
    parts = 1
    while len(picked) < n:  # the ends, then the halves, the quarters ...
        for i in range(parts + 1):
            index = round(i * (n - 1) / parts)
            if index not in picked:
                picked.append(index)
        parts *= 2
    return [float(steps[i]) for i in picked]


def _distance_figure(
    runs: Sequence[ScenarioRun],
    network: Network,
    lines: Sequence[_Line],
    measure: _Measure,
) -> Figure:
    """Small multiples: a panel per origin-destination, a line per trip and scenario."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    columns = (measure.line, *(measure.band or ()))
    duplicate_of = _duplicates(lines, columns)
    lines = [line for line in lines if line.trip.label not in duplicate_of]
    order = list(dict.fromkeys(line.run for line in lines))
    first = {line.trip.label: line for line in lines if line.run == order[0]} if lines else {}
    # A later scenario's line equal to the first scenario's is drawn once, as the first's.
    as_first = [
        line
        for line in lines
        if line.run != order[0]
        and line.trip.label in first
        and line.same_as(first[line.trip.label], columns)
    ]
    drawn = [line for line in lines if line not in as_first]
    colour = _shades({line.trip.label: line.trip.route.corridor for line in drawn})
    saturated = {line.trip.label for line in lines if line.trip.saturated}

    panels = list(dict.fromkeys((ln.trip.route.origin, ln.trip.route.destination) for ln in drawn))
    series_handles: list[Artist] = [
        Line2D(
            [],
            [],
            color=colour[label],
            linewidth=2.2,
            label=trip_label(
                _legend_label(label, duplicate_of, measure.what), saturated=label in saturated
            ),
        )
        for label in sorted(colour, key=lambda lb: _corridor_order(lb, drawn))
    ]
    scenario_handles: list[Artist] = [
        Line2D(
            [],
            [],
            color="#444444",
            linestyle=_LINESTYLES[k % len(_LINESTYLES)],
            linewidth=1.6,
            label=_scenario_label(runs, k, order[0], sum(1 for ln in as_first if ln.run == k)),
        )
        for k in order
    ]
    key: Artist = (
        Patch(color="#444444", alpha=0.3, linewidth=0, label=measure.key)
        if measure.band
        else Line2D([], [], color="#444444", marker="o", markersize=4, label=measure.key)
    )
    handles = [*series_handles, *scenario_handles, key]
    for handle in handles:
        handle.set_label(textwrap.fill(str(handle.get_label()), _LEGEND_WRAP))
    lines_of_text = sum(str(h.get_label()).count("\n") + 1 for h in handles)

    fig = new_figure(*distance_figure_size(len(panels), lines_of_text))
    rows, cols = panel_grid(len(panels))
    tops = [_top([ln for ln in drawn if _od(ln) == od], measure) for od in panels] or [1.0]
    share = max(tops) <= SHARE_Y_UP_TO * min(tops)
    if share:
        tops = [max(tops)] * len(tops)
    tops = [top * (1 + _Y_MARGIN) for top in tops]
    grid = fig.subplots(rows, cols, sharey=share, squeeze=False)
    axes = list(grid.flat)
    for ax in axes[len(panels) :]:
        ax.remove()
    for ax, od, top in zip(axes, panels, tops, strict=False):
        for line in (ln for ln in drawn if _od(ln) == od):
            scenario = runs[line.run].scenario.name
            _draw_line(ax, line, scenario, colour[line.trip.label], measure, top)
        ax.set_xlim(left=0)
        ax.margins(x=0.03)
        ax.set_ylim(0, top)
        ax.grid(True, color="#dddddd", linewidth=0.6)
        ax.set_title(" \u2192 ".join(_place(network, n) for n in od), fontsize=10)
        ax.set_xlabel("km from origin", fontsize=8)
        ax.tick_params(labelsize=8)
    for ax, od in zip(axes, panels, strict=False):
        reference = [ln for ln in drawn if _od(ln) == od and ln.run == order[0]]
        _label_stops(ax, [ln.frame for ln in reference], network, measure.line)

    names = " vs ".join(runs[k].scenario.name for k in order) or "no scenario"
    fig.suptitle(f"{measure.title}: {names}\n{measure.subtitle}", fontsize=11)
    fig.supylabel(measure.ylabel, fontsize=10)
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=_LEGEND_COLUMNS,
        fontsize=8,
        frameon=False,
    )
    return fig


def _od(line: _Line) -> tuple[str, str]:
    return line.trip.route.origin, line.trip.route.destination


def _place(network: Network, node_id: str) -> str:
    return fmt.short_place(network.nodes_by_id[node_id].props.name)


def _corridor_order(label: str, lines: Sequence[_Line]) -> int:
    """Legend order: corridor by corridor, in the order of :data:`CORRIDOR_COLOURMAPS`."""
    corridor = next(ln.trip.route.corridor for ln in lines if ln.trip.label == label)
    return list(CORRIDOR_COLOURMAPS).index(corridor)


def _duplicates(lines: Sequence[_Line], columns: Sequence[str]) -> dict[str, str]:
    """Trip labels drawn as an earlier label in every run: ``{label: earlier label}``."""
    by_label: dict[str, dict[int, _Line]] = {}
    for line in lines:
        by_label.setdefault(line.trip.label, {})[line.run] = line
    out: dict[str, str] = {}
    for label, mine in by_label.items():
        for other, theirs in by_label.items():
            if other == label:
                break
            if (
                other not in out
                and mine.keys() == theirs.keys()
                and all(mine[k].same_as(theirs[k], columns) for k in mine)
            ):
                out[label] = other
                break
    return out


def _legend_label(label: str, duplicate_of: dict[str, str], what: str) -> str:
    """A trip's legend entry, naming the trips drawn as it (without their shared start)."""
    same = [
        _after_shared_start(other, label) for other, drawn in duplicate_of.items() if drawn == label
    ]
    return f"{label} (same path and {what} as {', '.join(same)})" if same else label


def _after_shared_start(label: str, other: str) -> str:
    """``label`` without the comma-separated words it starts with as ``other`` does."""
    mine, theirs = label.split(", "), other.split(", ")
    shared = 0
    while shared < min(len(mine) - 1, len(theirs)) and mine[shared] == theirs[shared]:
        shared += 1
    return ", ".join(mine[shared:])


def _scenario_label(runs: Sequence[ScenarioRun], k: int, first: int, as_first: int) -> str:
    """A scenario's legend entry; says how many of its trips are drawn as the first's."""
    text = f"scenario {runs[k].scenario.name}"
    if as_first:
        trips = "trip" if as_first == 1 else "trips"
        text += f" ({as_first} {trips} as in {runs[first].scenario.name}, not drawn again)"
    return text


def _top(lines: Sequence[_Line], measure: _Measure) -> float:
    """The highest figure a panel's lines reach (band and end bars included).

    Lower bounds are left out unless every line is one: a saturated queue's hundreds of
    days would flatten the lines that are transit times.
    """
    if measure.lower_bounds:
        lines = [line for line in lines if not line.trip.saturated] or lines
    return max(
        (
            max(
                float(line.frame.drop(columns=["km"]).select_dtypes("number").to_numpy().max()),
                line.end[2] if line.end else 0.0,
            )
            for line in lines
        ),
        default=1.0,
    )


def _draw_line(
    ax: Axes, line: _Line, scenario: str, colour: str, measure: _Measure, top: float
) -> None:
    """One trip of one run: its band, its line, its end bar and its lower-bound note (at
    the end of the line, or at the top edge above it when the end is higher than
    ``top``)."""
    frame, trip = line.frame, line.trip
    style = _LINESTYLES[line.run % len(_LINESTYLES)]
    if measure.band:
        low, high = measure.band
        ax.fill_between(
            frame["km"], frame[low], frame[high], color=colour, alpha=_BAND_ALPHA, linewidth=0
        )
    ax.plot(
        frame["km"],
        frame[measure.line],
        color=colour,
        linestyle=style,
        linewidth=1.8 if line.run == 0 else 1.5,
        label=trip_label(f"{trip.label} [{scenario}]", saturated=trip.saturated),
    )
    end_km = float(frame["km"].iloc[-1])
    if line.end:
        p10, p50, p90 = line.end
        ax.errorbar(
            [end_km],
            [p50],
            yerr=[[p50 - p10], [p90 - p50]],
            color=colour,
            marker="o",
            markersize=4,
            capsize=3,
            linewidth=1.2,
            label="_end",
        )
    if trip.saturated and measure.lower_bounds:  # the end is a lower bound: say it
        end = float(frame[measure.line].iloc[-1])
        above = end > top
        # notes of earlier lines above the axis stand higher up: one under the other
        earlier = sum(1 for ln in ax.get_lines() if ln.get_label() == "_above")
        if above:
            ax.plot([end_km], [top], marker="^", color=colour, clip_on=False, label="_above")
        note = ax.annotate(
            f"{fmt.days(end, lower_bound=True)} d, {LOWER_BOUND_LABEL}",
            (end_km, min(end, top)),
            xytext=(-6, -6 - 10 * earlier if above else 4),
            textcoords="offset points",
            ha="right",
            va="top" if above else "baseline",
            fontsize=7,
            color=colour,
        )
        note.set_in_layout(False)


def _label_stops(ax: Axes, frames: Sequence[pd.DataFrame], network: Network, y: str) -> None:
    """Name the major stops (ends, ports, borders, gauge changes) without crowding.

    A label is placed at the top of the stop's vertical step; one closer than
    :data:`_MIN_LABEL_GAP` to a label already drawn is left out, the route's ends first.
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
        # The ends first: a stop near the destination gives way to it.
        for node_id, km, value in sorted(stops, key=lambda stop: stop[0] not in ends):
            node = network.nodes_by_id[node_id].props
            if node.kind not in LABELLED_KINDS and node_id not in ends:
                continue
            fx, fy = (km - x0) / (x1 - x0), (value - y0) / (y1 - y0)
            key = (node_id, round(km))
            if key in seen or any(
                abs(fx - px) < _MIN_LABEL_GAP[0] and abs(fy - py) < _MIN_LABEL_GAP[1]
                for px, py in placed
            ):
                continue
            seen.add(key)
            placed.append((fx, fy))
            ax.plot([km], [value], marker="o", markersize=2.5, color="#333333", label="_stop")
            right = fx > _LABEL_LEFT_FROM  # near the right edge: the label goes to the left
            note = ax.annotate(
                fmt.short_place(node.name),
                (km, value),
                xytext=(-3 if right else 3, 3),
                textcoords="offset points",
                ha="right" if right else "left",
                fontsize=6.5,
                color="#333333",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.55},
            )
            note.set_in_layout(False)  # the panels' layout does not wait on their labels


def time_distance_chart(runs: Sequence[ScenarioRun], network: Network, path: str | Path) -> Path:
    """Write a time-distance chart of every trip of every run.

    Parameters
    ----------
    runs
        Results of :func:`midcorridor.run_scenario`. One panel per origin-destination
        pair; in it, one line per trip and run: the P50 of the days elapsed at each stop,
        with the P10-P90 band. Colour by trip (a shade of its corridor's colours, the
        same trip in two scenarios sharing it), line style by scenario.
    network
        The network the runs were made on.
    path
        Output file, ``.png`` (1440 pixels wide at 120 dpi, taller with more panels:
        :func:`distance_figure_size`) or ``.svg``; missing parent folders are created.

    Returns the file written; a :class:`~midcorridor.MidcorridorError` for a path it
    cannot write, before drawing (:func:`~midcorridor.views.charts.write_chart`).

    Notes
    -----
    The last point of a line is the trip's door-to-door P50, as in the tables. A trip
    through a saturated queue is labelled as a lower bound in the legend and at the end
    of its line.
    """
    return write_chart(lambda: time_distance_figure(runs, network), path)


def cost_distance_chart(runs: Sequence[ScenarioRun], network: Network, path: str | Path) -> Path:
    """Write a cost-distance chart (cumulative mean USD against km) of every trip.

    As :func:`time_distance_chart`, with cost in place of time: freight rises along the
    line, charges at a place (port handling, fees) are vertical steps. Legs are priced by
    their means, so the line is the cumulative mean; a bar at the destination shows the
    door-to-door P10-P90 with the P50 as a dot.
    """
    return write_chart(lambda: cost_distance_figure(runs, network), path)
