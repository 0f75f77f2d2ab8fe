"""A Markdown report of scenario runs, with its charts, ready to paste into a brief.

:func:`write_report` writes ``report.md`` and the charts it links to into one folder:
headline days per corridor, where the days go, what the later scenarios changed, the
bottlenecks (tables and tornado charts), what makes the spread, the time-distance chart,
the calibration table (if given) and every source used.

matplotlib is imported inside the functions and figures are drawn on the Agg canvas
without pyplot, as in :mod:`midcorridor.charts`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import __version__
from .analysis import rank_bottlenecks, sensitivity
from .charts import DPI, _check_suffix, _short, save_figure, time_distance_chart
from .network import Network
from .runner import ScenarioRun, compare_runs
from .schema import STAGES
from .timing import TripResult

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from .calibration import CalibrationRow

__all__ = [
    "REPORT_SECTIONS",
    "bottleneck_trips",
    "sensitivity_chart",
    "slug",
    "tornado_chart",
    "write_report",
]

#: Headings of the report's sections, in order ("Calibration" only with calibration rows).
REPORT_SECTIONS = (
    "Headline: days per corridor",
    "Where the days go",
    "What the later scenarios changed",
    "Bottlenecks",
    "What makes the spread",
    "Time-distance chart",
    "Calibration",
    "Sources",
)
#: Rows of each bottleneck table and tornado chart.
TOP_BOTTLENECKS = 10
#: Rows of the sensitivity table and chart.
TOP_SENSITIVITY = 8
_CHART_WIDTH = 10.0
_ROW_HEIGHT = 0.42


# --- charts ------------------------------------------------------------------------------


def _figure(rows: int) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(_CHART_WIDTH, 1.8 + _ROW_HEIGHT * max(rows, 1)), dpi=DPI)
    fig.set_layout_engine("constrained")
    FigureCanvasAgg(fig)
    return fig


def _tornado_figure(frame: pd.DataFrame, title: str) -> Figure:
    """One horizontal bar per row (P50 days saved if removed), biggest on top."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig = _figure(len(frame))
    ax = fig.add_subplot()
    y = np.arange(len(frame))
    ax.barh(y, frame["p50_saved_removed"], color="C3", alpha=0.75, height=0.65)
    ax.plot(frame["p50_saved_half"], y, linestyle="none", marker="|", markersize=16, color="k")
    ax.plot(frame["p90_saved_removed"], y, linestyle="none", marker="D", markersize=5, color="C0")
    ax.set_yticks(y, [str(g) for g in frame["group"]], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.set_xlabel("Days saved on the door-to-door time")
    ax.set_title(title, fontsize=11)
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


def tornado_chart(frame: pd.DataFrame, path: str | Path, *, title: str) -> Path:
    """Write a tornado chart of a bottleneck ranking.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`midcorridor.analysis.rank_bottlenecks` (the rows to draw, e.g.
        its first ten). Each row becomes one bar of the P50 days saved if the group is
        removed, with markers for the P50 days saved if halved and the P90 days saved if
        removed; the first row is drawn on top.
    path : str or Path
        Output file, ``.png`` (1200 pixels wide at 120 dpi) or ``.svg``; missing parent
        folders are created.
    title : str
        Chart title.

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
    return save_figure(_tornado_figure(frame, title), path)


def _sensitivity_figure(frame: pd.DataFrame, title: str) -> Figure:
    """One horizontal bar per row (share of the variance, %), biggest on top."""
    fig = _figure(len(frame))
    ax = fig.add_subplot()
    y = np.arange(len(frame))
    share = frame["variance_share"].to_numpy(dtype=float) * 100
    ax.barh(y, share, color="C0", alpha=0.8, height=0.65)
    for yi, value, rho in zip(y, share, frame["spearman"].to_numpy(dtype=float), strict=True):
        text = f"{value:.1f}%" + ("" if np.isnan(rho) else f"  (rho {rho:+.2f})")
        ax.annotate(
            text, (max(value, 0.0), yi), xytext=(3, 0), textcoords="offset points", va="center"
        )
    ax.set_yticks(y, [str(g) for g in frame["group"]], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("Share of the variance of door-to-door days (%)")
    ax.set_title(title, fontsize=11)
    ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.margins(x=0.15)
    return fig


def sensitivity_chart(frame: pd.DataFrame, path: str | Path, *, title: str | None = None) -> Path:
    """Write a bar chart of a sensitivity frame: each delay's share of the variance.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`midcorridor.analysis.sensitivity` (the rows to draw, e.g. its
        first eight). One bar per row, labelled with the Spearman correlation.
    path : str or Path
        Output file, ``.png`` or ``.svg``; missing parent folders are created.
    title : str, optional
        Chart title; default names the trip (``frame.attrs["label"]``).

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
    label = frame.attrs.get("label", "")
    fig = _sensitivity_figure(frame, title or f"{label}: what drives the spread of days")
    return save_figure(fig, path)


# --- Markdown ----------------------------------------------------------------------------


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> str:
    """A Markdown table; ``align`` has one letter per column, ``l`` or ``r`` (default ``l``)."""
    align = align.ljust(len(header), "l")
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = [
        "| " + " | ".join(_cell(h) for h in header) + " |",
        "| " + " | ".join(rule) + " |",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _d(value: float) -> str:
    return f"{value:.1f}"


def slug(text: str) -> str:
    """File-name form of a label: "Xi'an-Duisburg, via Russia" -> "xian-duisburg-via-russia"."""
    text = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", ""))
    return text.strip("-") or "trip"


def _od(trip: TripResult) -> tuple[str, str]:
    return trip.route.origin, trip.route.destination


def _od_name(trip: TripResult, network: Network) -> str:
    """ "Almaty-Constanta" from the label "Almaty-Constanta, Middle Corridor", else names."""
    if ", " in trip.label:
        return trip.label.split(", ")[0]
    return "-".join(_short(network.nodes_by_id[n].props.name) for n in _od(trip))


def _unique_paths(trips: Iterable[TripResult]) -> list[TripResult]:
    """Trips with distinct paths, the first label of each path kept."""
    seen: dict[tuple[str, ...], TripResult] = {}
    for trip in trips:
        seen.setdefault(trip.route.nodes, trip)
    return list(seen.values())


def bottleneck_trips(run: ScenarioRun) -> list[TripResult]:
    """The trips whose bottlenecks the report ranks.

    Every Middle Corridor trip of ``run``, then, for each of their origin-destination
    pairs, the northern trip with the lowest P50 (if the run has one); a path appearing
    under two labels is ranked once. Without Middle Corridor trips: the fastest northern
    trip.
    """
    middle = _unique_paths(t for t in run.trips if t.route.corridor == "middle")
    northern = [t for t in run.trips if t.route.corridor == "northern"]
    chosen: list[TripResult] = []
    pairs: list[tuple[str, str] | None] = list(dict.fromkeys(_od(t) for t in middle))
    if not pairs:
        pairs = [None]
    for pair in pairs:
        same = [t for t in northern if pair is None or _od(t) == pair]
        if same:
            chosen.append(min(same, key=lambda t: t.days()["p50"]))
    return _unique_paths([*middle, *chosen])


def _headline(runs: Sequence[ScenarioRun], network: Network) -> list[str]:
    out = [f"## {REPORT_SECTIONS[0]}", ""]
    first = runs[0]
    for trip_pair in _pairs(first):
        mid, north = trip_pair
        m50, n50 = mid.days()["p50"], north.days()["p50"]
        verb = "more" if m50 >= n50 else "fewer"
        out.append(
            f"- {_od_name(mid, network)}: the Middle Corridor takes {m50:.1f} days (P50), "
            f"{abs(m50 - n50):.1f} {verb} than via Russia ({n50:.1f} days), "
            f"over {mid.route.distance_km:,.0f} km against {north.route.distance_km:,.0f} km."
        )
    if out[-1] != "":
        out.append("")
    for run in runs:
        month = f"month {run.month}" if run.month else "any month"
        out += [
            f"### Scenario {run.scenario.name}",
            "",
            f"{run.scenario.description.strip()}".strip() or "No description.",
            f"{run.samples:,} samples, seed {run.seed}, departure {month}.",
            "",
            _table(
                ("route", "corridor", "km", "P10 days", "P50 days", "P90 days", "mean days"),
                (
                    (
                        t.label,
                        t.route.corridor,
                        f"{t.route.distance_km:,.0f}",
                        *(_d(t.days()[k]) for k in ("p10", "p50", "p90", "mean")),
                    )
                    for t in run.trips
                ),
                align="llrrrrr",
            ),
            "",
        ]
    return out


def _pairs(run: ScenarioRun) -> list[tuple[TripResult, TripResult]]:
    """(Middle Corridor, fastest northern) trips of the same origin and destination."""
    trips = bottleneck_trips(run)
    middle = [t for t in trips if t.route.corridor == "middle"]
    northern = {_od(t): t for t in trips if t.route.corridor == "northern"}
    firsts = {_od(t): t for t in reversed(middle)}
    return [
        (firsts[od], northern[od]) for od in dict.fromkeys(_od(t) for t in middle) if od in northern
    ]


def _where(run: ScenarioRun) -> list[str]:
    stages = [s for s in STAGES if any(t.stages_days()[s] > 0.005 for t in run.trips)]
    rows = []
    for trip in run.trips:
        days = trip.stages_days()
        rows.append((trip.label, *(_d(days[s]) for s in stages), _d(trip.days()["mean"])))
    return [
        f"## {REPORT_SECTIONS[1]}",
        "",
        f"Mean days per stage in scenario {run.scenario.name}. Rail and sea are moving; "
        "every other stage is standing still.",
        "",
        _table(
            ("route", *(f"{s} (days)" for s in stages), "total (days)"),
            rows,
            "l" + "r" * (len(stages) + 1),
        ),
        "",
    ]


def _changes(runs: Sequence[ScenarioRun]) -> list[str]:
    out = [f"## {REPORT_SECTIONS[2]}", ""]
    if len(runs) < 2:
        return [*out, "One scenario only: nothing to compare.", ""]
    rows = compare_runs(runs)
    first, last = runs[0].scenario.name, runs[-1].scenario.name
    out += [
        f"P50 days in each scenario. The change is {last} against {first}.",
        "",
    ]
    table_rows = []
    for row in rows:
        moved = sorted(row["stage_deltas_days"].items(), key=lambda kv: kv[1])
        text = ", ".join(f"{s} {v:+.1f}" for s, v in moved if abs(v) >= 0.05) or "none"
        cells = [_d(d["p50"]) if d else "-" for d in row["days"]]
        table_rows.append((row["label"], *cells, f"{row['delta_p50_days']:+.1f}", text))
    header = (
        "route",
        *(f"{r.scenario.name} P50 (days)" for r in runs),
        "change (days)",
        "stages that moved (mean days)",
    )
    out += [_table(header, table_rows, "l" + "r" * (len(runs) + 1) + "l"), ""]
    for run in runs[1:]:
        notes = [c.note for c in run.scenario.changes] + [s.note for s in run.scenario.services]
        if notes:
            out.append(f"What {run.scenario.name} assumes:")
            out += [f"- {' '.join(n.split())}" for n in dict.fromkeys(notes)]
            out.append("")
    return out


def _bottlenecks(run: ScenarioRun, network: Network, folder: Path) -> list[str]:
    out = [
        f"## {REPORT_SECTIONS[3]}",
        "",
        f"Waits ranked by the days they cost, scenario {run.scenario.name}. Each row is one "
        "stage at one place. The columns give the P50 and P90 days saved if that wait took "
        "half the time, or none. They come from the same samples: nothing is re-run. "
        "Rail and sea time is left out.",
        "",
    ]
    for trip in bottleneck_trips(run):
        frame = rank_bottlenecks(trip, network=network).head(TOP_BOTTLENECKS)
        d = trip.days()
        name = f"bottlenecks_{slug(trip.label)}.png"
        tornado_chart(frame, folder / name, title=f"{trip.label}: days saved per wait")
        rows = [
            (
                i,
                r["group"],
                _d(r["mean_days"]),
                _d(r["p50_saved_half"]),
                _d(r["p90_saved_half"]),
                _d(r["p50_saved_removed"]),
                _d(r["p90_saved_removed"]),
                r["sources"],
            )
            for i, r in enumerate(frame.to_dict("records"), 1)
        ]
        top = frame.iloc[0] if len(frame) else None
        lead = (
            f"The biggest wait is {top['group']}: removing it saves "
            f"{top['p50_saved_removed']:.1f} days at P50."
            if top is not None
            else "No waits on this route."
        )
        out += [
            f"### {trip.label}",
            "",
            f"P50 {d['p50']:.1f} days, P90 {d['p90']:.1f} days. {lead}",
            "",
            _table(
                (
                    "#",
                    "wait",
                    "mean (days)",
                    "P50 saved, halved (days)",
                    "P90 saved, halved (days)",
                    "P50 saved, removed (days)",
                    "P90 saved, removed (days)",
                    "sources",
                ),
                rows,
                "rlrrrrrl",
            ),
            "",
            f"![Bottlenecks, {trip.label}]({name})",
            "",
        ]
    return out


def _spread(run: ScenarioRun, network: Network, folder: Path) -> list[str]:
    out = [f"## {REPORT_SECTIONS[4]}", ""]
    trips = [t for t in bottleneck_trips(run) if t.route.corridor == "middle"] or list(run.trips)
    trip = trips[0]
    frame = sensitivity(trip, network=network).head(TOP_SENSITIVITY)
    name = f"spread_{slug(trip.label)}.png"
    sensitivity_chart(frame, folder / name)
    sd = float(trip.total_days.std())
    out += [
        f"{trip.label}: door-to-door days vary with a standard deviation of {sd:.1f} days. "
        "The share is each delay's part of that variance (the shares of all delays add up "
        "to 100%). Rho is the Spearman rank correlation with the door-to-door days.",
        "",
        _table(
            ("delay", "mean (days)", "SD (days)", "rho", "share of variance"),
            (
                (
                    r["group"],
                    _d(r["mean_days"]),
                    _d(r["sd_days"]),
                    "-" if np.isnan(r["spearman"]) else f"{r['spearman']:+.2f}",
                    f"{r['variance_share']:.0%}",
                )
                for r in frame.to_dict("records")
            ),
            "lrrrr",
        ),
        "",
        f"![What drives the spread, {trip.label}]({name})",
        "",
    ]
    return out


def _time_distance(runs: Sequence[ScenarioRun], network: Network, folder: Path) -> list[str]:
    name = "time_distance.png"
    time_distance_chart(runs, network, folder / name)
    return [
        f"## {REPORT_SECTIONS[5]}",
        "",
        "Distance on the x axis (km), mean elapsed days on the y axis. Slanted segments are "
        "moving; vertical steps are waits. Long steps are the bottlenecks.",
        "",
        f"![Time-distance chart]({name})",
        "",
    ]


def _calibration(rows: Sequence[CalibrationRow]) -> list[str]:
    met = sum(r.met for r in rows if r.target.required)
    required = sum(r.target.required for r in rows)
    table_rows = []
    for row in rows:
        t = row.target
        unit = "" if t.unit == "ratio" else " d"
        value = f"{row.value:.2f}" if t.unit == "ratio" else f"{row.value:.1f} d"
        table_rows.append(
            (
                t.name,
                t.published,
                f"{t.low:g}-{t.high:g}{unit}",
                value,
                "yes" if row.met else "no",
                "required" if t.required else "context",
                t.source,
            )
        )
    return [
        f"## {REPORT_SECTIONS[6]}",
        "",
        f"The baseline against published transit times: {met} of {required} required "
        "targets met. Context targets are shown but not required.",
        "",
        _table(
            ("target", "published", "band", "model P50", "met", "kind", "source"),
            table_rows,
            "llrrlll",
        ),
        "",
    ]


def _sources(runs: Sequence[ScenarioRun], network: Network) -> list[str]:
    keys = sorted({c.source for run in runs for t in run.trips for c in t.components})
    out = [
        f"## {REPORT_SECTIONS[7]}",
        "",
        "Every figure the sampled delays use, by source key:",
        "",
    ]
    out += [
        f"- `{key}`: {network.cite(key) if key in network.sources else 'not in sources.yaml'}"
        for key in keys
    ]
    scenario_sources: dict[str, None] = {}
    for run in runs:
        sc = run.scenario
        texts = [c.source for c in sc.changes] + [s.source for s in sc.services]
        for text in texts:
            scenario_sources.setdefault(f"{sc.name}: {' '.join(text.split())}")
        if sc.closures.source:
            scenario_sources.setdefault(f"{sc.name}: {' '.join(sc.closures.source.split())}")
    if scenario_sources:
        out += ["", "Scenario changes:", ""]
        out += [f"- {text}" for text in sorted(scenario_sources)]
    out.append("")
    return out


def write_report(
    runs: Sequence[ScenarioRun],
    network: Network,
    folder: str | Path,
    *,
    calibration_rows: Sequence[CalibrationRow] | None = None,
) -> Path:
    """Write ``report.md`` and its charts (PNG) into ``folder``.

    Parameters
    ----------
    runs : sequence of ScenarioRun
        Results of :func:`midcorridor.run_scenario`; the first is the reference (where
        the days go, bottlenecks, spread), later ones are compared with it.
    network : Network
        The network the runs were made on (place names and citations).
    folder : str or Path
        Output folder, created if missing. Files written: ``report.md``,
        ``time_distance.png``, ``bottlenecks_<route>.png`` for each ranked route and
        ``spread_<route>.png``.
    calibration_rows : sequence of CalibrationRow, optional
        Output of :func:`midcorridor.calibration.calibrate`; adds a calibration section.

    Returns
    -------
    Path
        The report file.

    Raises
    ------
    ValueError
        If ``runs`` is empty.
    """
    if not runs:
        raise ValueError("write_report needs at least one scenario run.")
    out_dir = Path(folder)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = " vs ".join(run.scenario.name for run in runs)
    lines = [
        f"# Transit times: {names}",
        "",
        f"Made by midcorridor {__version__}. Days are door to door, waits included. "
        "P50 is the median container; P90 is slower than nine in ten.",
        "",
    ]
    lines += _headline(runs, network)
    lines += _where(runs[0])
    lines += _changes(runs)
    lines += _bottlenecks(runs[0], network, out_dir)
    lines += _spread(runs[0], network, out_dir)
    lines += _time_distance(runs, network, out_dir)
    if calibration_rows:
        lines += _calibration(calibration_rows)
    lines += _sources(runs, network)
    path = out_dir / "report.md"
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path
