"""Charts of results: volume sweep, bottleneck tornado, spread, a grid's frontier, and
the writing every chart shares.

A trip through a saturated queue is labelled as a lower bound on every chart.

Each ``*_figure`` function returns a matplotlib figure to adjust in a notebook; each
``*_chart`` function draws one and writes it (:func:`write_chart`), whole or not at all,
byte-identical for the same figure. matplotlib is imported inside the functions, and
figures are drawn on the Agg canvas without pyplot, which leaves matplotlib's global
backend alone. The time- and cost-distance charts are :mod:`.distance_charts`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._files import atomic_write, check_output_file
from ..vocabulary import STAGE_WORDS
from . import formatting as fmt
from .safe_text import for_chart

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..analysis.frontier import Frontier
    from ..results import Ranking, Spread, Sweep

__all__ = [
    "CHART_SUFFIXES",
    "LOWER_BOUND_LABEL",
    "distinct_colours",
    "frontier_chart",
    "frontier_figure",
    "group_words",
    "new_figure",
    "sensitivity_chart",
    "sensitivity_figure",
    "sweep_chart",
    "sweep_figure",
    "tornado_chart",
    "tornado_figure",
    "trip_label",
    "write_chart",
]

#: File types the charts are written as.
CHART_SUFFIXES = (".png", ".svg")


#: PNG resolution, dots per inch.
DPI = 120


#: Added to the label of a trip whose days are lower bounds (a saturated queue).
LOWER_BOUND_LABEL = "lower bound: saturated queue"


#: Metadata written per file type: none that changes between runs or versions (the PNG's
#: matplotlib version, the SVG's date), so that the same figure gives the same bytes.
_METADATA: dict[str, dict[str, str | None]] = {"png": {"Software": None}, "svg": {"Date": None}}


#: Salt of the ids matplotlib hashes in an SVG (random per run unless set).
_SVG_HASH_SALT = "midcorridor"


#: Room above the highest unsaturated figure of a sweep, a fraction of it.
_SWEEP_Y_MARGIN = 0.15


#: Markers of a sweep's trips, one each, and the size of the first (points).
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p")


_MARKER_SIZE = 9.0


#: Colour of the marks of figures above a chart's axis.
_OFF_SCALE_COLOUR = "#b71c1c"


#: Colours of matplotlib's default cycle (``C0``-``C9``).
_CYCLE_COLOURS = 10


#: Width of the bar charts (inches) and height per bar.
_BAR_CHART_WIDTH = 10.0


_BAR_HEIGHT = 0.42


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
    _safe_texts(fig)
    # Constrained layout settles over passes (an outside legend moves the panels once,
    # new tick labels may move them again): lay out twice, then keep that layout, so
    # that every write gives the same bytes.
    fig.draw_without_rendering()
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    with (
        warnings.catch_warnings(),
        matplotlib.rc_context({"svg.hashsalt": _SVG_HASH_SALT}),
        atomic_write(out, binary=True) as handle,
    ):
        # a name in a script the font lacks is drawn as boxes, not warned about
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        fig.savefig(handle, format=file_format, dpi=DPI, metadata=_METADATA[file_format])
    return out


def _safe_texts(fig: Figure) -> None:
    """Every text of the figure (titles, legends, labels) as :func:`~.safe_text.for_chart`
    makes it: text from input files cannot draw control characters or crowd out the plot."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        original = text.get_text()
        safe = for_chart(original)
        if safe != original:
            text.set_text(safe)


def new_figure(width: float, height: float) -> Figure:
    """A figure (inches) on the Agg canvas with constrained layout, without pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def trip_label(label: str, *, saturated: bool) -> str:
    return f"{label} ({LOWER_BOUND_LABEL})" if saturated else label


def frontier_chart(result: Frontier, path: str | Path) -> Path:
    """Write a grid's frontier: P50 days of every measure set against the number of
    measures it moves, the Pareto frontier and the target."""
    return write_chart(lambda: frontier_figure(result), path)


def frontier_figure(result: Frontier) -> Figure:
    """The frontier chart as a matplotlib figure (see :func:`frontier_chart`)."""
    fig = new_figure(_BAR_CHART_WIDTH, 6.0)
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

    The y axis covers the days of the unsaturated points (and a margin): volumes at which
    a point on the corridor saturates are shaded, a trip's points whose days are lower
    bounds are drawn hollow, and those above the axis are marked at its top edge with the
    lowest P50 there (">143 d"), not drawn hundreds of days up. Each trip has its own
    colour and marker, and lines drawn first are wider, so that trips with the same days
    stay visible under one another.
    """
    from matplotlib.lines import Line2D

    fig = new_figure(10.0, 6.0)
    ax = fig.add_subplot()
    volumes = [s.volume_teu_per_week for s in sweep.steps]
    labels = list(
        dict.fromkeys(
            r.label for s in sweep.steps for r in s.routes if r.corridor == sweep.corridor
        )
    )
    trips = {
        label: [next(r for r in s.routes if r.label == label) for s in sweep.steps]
        for label in labels
    }
    every = [t for series in trips.values() for t in series]
    useful = [d for t in every if not t.saturated for d in (t.p50, t.p90)]
    top = max(useful or [d for t in every for d in (t.p50, t.p90)] or [1.0])
    top *= 1 + _SWEEP_Y_MARGIN
    first = sweep.first_saturated_volume
    if first is not None:
        ax.axvspan(
            first,
            max(volumes),
            color="red",
            alpha=0.08,
            label="saturated queue: days are lower bounds",
        )
    for i, (label, colour) in enumerate(zip(labels, distinct_colours(len(labels)), strict=True)):
        series = trips[label]
        marker = _MARKERS[i % len(_MARKERS)]
        size = max(_MARKER_SIZE - 1.2 * i, 3.0)
        width = max(2.6 - 0.35 * i, 1.0)
        ax.plot(
            volumes,
            [t.p50 for t in series],
            color=colour,
            linewidth=width,
            marker=marker,
            markersize=size,
            markevery=[not t.saturated for t in series],
            label=f"{label} P50",
            zorder=3 + 0.1 * i,
        )
        ax.plot(volumes, [t.p90 for t in series], color=colour, linestyle=":", linewidth=1)
        bounds = [(v, t.p50) for v, t in zip(volumes, series, strict=True) if t.saturated]
        if bounds:
            xs, ys = zip(*bounds, strict=True)
            ax.scatter(
                xs,
                ys,
                marker=marker,
                facecolors="none",
                edgecolors=colour,
                s=size**2,
                zorder=3 + 0.1 * i,
                label="_lower bound",
            )
    off_scale = [
        (v, min(t.p50 for t in step.routes if t.label in trips and t.p50 > top))
        for v, step in zip(volumes, sweep.steps, strict=True)
        if any(t.p50 > top for t in step.routes if t.label in trips)
    ]
    for volume, lowest in off_scale:
        ax.plot([volume], [top], marker="^", color=_OFF_SCALE_COLOUR, clip_on=False, zorder=5)
        ax.annotate(
            f"{fmt.days(lowest, lower_bound=True)} d",
            (volume, top),
            xytext=(0, -7),
            textcoords="offset points",
            rotation=90,
            ha="center",
            va="top",
            fontsize=7,
            color=_OFF_SCALE_COLOUR,
        )
    ax.set_ylim(0, top)
    ax.set_xlabel("volume, TEU per week")
    ax.set_ylabel("days (solid P50, dotted P90; hollow points are lower bounds)")
    # room above the axis for the marks of what is off its scale
    ax.set_title(title or f"{sweep.scenario}: days against {sweep.corridor} volume", pad=12)
    ax.grid(alpha=0.3)
    handles, _ = ax.get_legend_handles_labels()
    if off_scale:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="^",
                color=_OFF_SCALE_COLOUR,
                label="P50 above the axis (saturated): lowest such P50, a lower bound",
            )
        )
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return fig


def distinct_colours(n: int) -> list[str]:
    """``n`` colours (``#rrggbb``), no two the same: matplotlib's ten-colour cycle while
    it lasts, then as many hues as needed."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    if n <= _CYCLE_COLOURS:
        return [to_hex(f"C{i}") for i in range(n)]
    return [to_hex(colormaps["hsv"](i / n)) for i in range(n)]


def _bar_figure(rows: int) -> Figure:
    return new_figure(_BAR_CHART_WIDTH, 1.8 + _BAR_HEIGHT * max(rows, 1))


def _bars(
    frame: pd.DataFrame, values: npt.ArrayLike, *, color: str, alpha: float
) -> tuple[Figure, Axes, np.ndarray]:
    """A bar chart of one row per bar (first on top): the figure, its axes, bar positions."""
    fig = _bar_figure(len(frame))
    ax = fig.add_subplot()
    y = np.arange(len(frame))
    ax.barh(y, values, color=color, alpha=alpha, height=0.65)
    return fig, ax, y


def _label_bars(
    ax: Axes, frame: pd.DataFrame, y: np.ndarray, xlabel: str, title: str, *, saturated: bool
) -> None:
    """Each bar named by its row's ``group`` in words, the axis and the title (a lower
    bound said)."""
    names = [
        group_words(str(g), str(s)) for g, s in zip(frame["group"], frame["stage"], strict=True)
    ]
    ax.set_yticks(y, names, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(trip_label(title, saturated=saturated), fontsize=11)
    ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def group_words(group: str, stage: str) -> str:
    """A group of delays named in words: its stage id, where the name starts with it, as
    :data:`~midcorridor.vocabulary.STAGE_WORDS` says it.

    ``"ferry_wait at Aktau port"`` -> ``"Waits for a vessel or ferry at Aktau port"``;
    ``"waits in KZ"`` (no single stage) -> ``"Waits in KZ"``.
    """
    words = STAGE_WORDS.get(stage)
    if words is not None and (group == stage or group.startswith(f"{stage} ")):
        group = words + group[len(stage) :]
    return group[:1].upper() + group[1:]


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
    fig, ax, y = _bars(frame, frame["p50_saved_removed"], color="C3", alpha=0.75)
    ax.plot(frame["p50_saved_half"], y, linestyle="none", marker="|", markersize=16, color="k")
    ax.plot(frame["p90_saved_removed"], y, linestyle="none", marker="D", markersize=5, color="C0")
    ax.set_xlim(left=0)
    text = title or f"{ranking.label}: days saved per wait"
    _label_bars(
        ax, frame, y, "Days saved on the door-to-door time", text, saturated=ranking.saturated
    )
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
    share = frame["variance_share"].to_numpy(dtype=float) * 100
    fig, ax, y = _bars(frame, share, color="C0", alpha=0.8)
    for yi, value, rho in zip(y, share, frame["spearman"].to_numpy(dtype=float), strict=True):
        text = f"{value:.1f}%" + ("" if np.isnan(rho) else f"  (rho {fmt.correlation(rho)})")
        ax.annotate(
            text, (max(value, 0.0), yi), xytext=(3, 0), textcoords="offset points", va="center"
        )
    xlabel = "Share of the variance of door-to-door days (%)"
    text = title or f"{spread.label}: what drives the spread of days"
    _label_bars(ax, frame, y, xlabel, text, saturated=spread.saturated)
    ax.margins(x=0.15)
    return fig
