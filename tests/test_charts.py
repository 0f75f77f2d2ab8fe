"""Time-distance, cost-distance, sweep and tornado charts and the points they are drawn from."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

import midcorridor as mc
from midcorridor.views.charts import (
    DPI,
    LOWER_BOUND_LABEL,
    group_words,
    sweep_chart,
    sweep_figure,
    tornado_figure,
    write_chart,
)
from midcorridor.views.distance_charts import (
    cost_distance_chart,
    cost_distance_figure,
    panel_grid,
    time_distance_chart,
    time_distance_figure,
)
from midcorridor.views.distance_points import time_distance_points

Runs = list[mc.ScenarioRun]
#: Stages in which a container stands still, written out as the spec.
STANDING = {
    "documents",
    "inspection",
    "transshipment",
    "port",
    "ferry_wait",
    "weather",
    "congestion",
}
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def time_fig(runs: Runs, network: mc.Network) -> Figure:
    return time_distance_figure(runs, network)


@pytest.fixture(scope="module")
def cost_fig(runs: Runs, network: mc.Network) -> Figure:
    return cost_distance_figure(runs, network)


@pytest.fixture(scope="module")
def sweep(network: mc.Network) -> mc.Sweep:
    """The Middle Corridor at 1,000 TEU a week (open) and at 2,000 and 3,000 (saturated)."""
    base = mc.load_scenario(SCENARIOS / "baseline.yaml")
    return mc.sweep_volume(base, network, [1000, 2000, 3000], samples=200)


def drawn_lines(fig: Figure) -> dict[str, Line2D]:
    """The trip lines of a distance chart by label (``"<trip> [<scenario>]"``)."""
    return {
        str(line.get_label()): line
        for ax in fig.axes
        for line in ax.get_lines()
        if not str(line.get_label()).startswith("_")
    }


def trip_of(label: str, runs: Runs) -> mc.TripResult:
    """The trip a line's label names (its lower-bound note left off)."""
    name, scenario = re.fullmatch(r"(.*) \[(.*)\](?: \(.*\))?", label).groups()  # type: ignore[union-attr]
    run = next(r for r in runs if r.scenario.name == scenario)
    return run.trip(name)


def the_legend(fig: Figure) -> Legend:
    (legend,) = fig.legends
    return legend


# --- files -------------------------------------------------------------------------------


def test_png_size_is_the_figure_size(runs: Runs, network: mc.Network, tmp_path: Path) -> None:
    import matplotlib.image

    (tmp_path / "sub").mkdir()
    out = time_distance_chart(runs, network, tmp_path / "sub" / "chart.png")
    assert out == tmp_path / "sub" / "chart.png"
    assert out.stat().st_size > 10_000
    image = matplotlib.image.imread(out)
    width, height = time_distance_figure(runs, network).get_size_inches()
    assert image.shape[:2] == (round(height * DPI), round(width * DPI))
    assert image.shape[1] == 1440


@pytest.mark.parametrize("draw", [time_distance_chart, cost_distance_chart])
@pytest.mark.parametrize("suffix", [".png", ".SVG"])
def test_distance_chart_files(
    runs: Runs, network: mc.Network, tmp_path: Path, draw: Any, suffix: str
) -> None:
    out = draw(runs, network, tmp_path / f"chart{suffix}")
    data = out.read_bytes()
    if suffix == ".png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert b"<svg" in data
        assert "Duisburg" in data.decode("utf-8")


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_the_same_chart_gives_the_same_bytes(
    runs: Runs, network: mc.Network, tmp_path: Path, suffix: str
) -> None:
    """Two separate drawings write byte-identical files: no date, version or random id."""
    first = time_distance_chart(runs, network, tmp_path / f"a{suffix}").read_bytes()
    second = time_distance_chart(runs, network, tmp_path / f"b{suffix}").read_bytes()
    assert first == second
    assert b"Matplotlib version" not in first
    if suffix == ".svg":
        assert b"<dc:date>" not in first
        assert re.search(rb'id="m[0-9a-f]{10}"', first)  # hashed ids, with a fixed salt


def test_chart_path_is_checked_before_drawing(tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    (tmp_path / "a_folder.png").mkdir()

    def draw() -> Any:
        pytest.fail("drawn before the path was checked")

    with pytest.raises(mc.MidcorridorError, match="which is a file"):
        write_chart(draw, tmp_path / "a_file" / "chart.png")
    with pytest.raises(mc.MidcorridorError, match="is a folder, not a regular file"):
        write_chart(draw, tmp_path / "a_folder.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "a_folder.png"]


@pytest.mark.parametrize("name", ["chart.jpg", "chart", "chart.png.txt"])
def test_bad_suffix_raises(runs: Runs, network: mc.Network, tmp_path: Path, name: str) -> None:
    with pytest.raises(mc.MidcorridorError, match=r"\.png or \.svg"):
        time_distance_chart(runs, network, tmp_path / name)
    assert not (tmp_path / name).exists()


# --- the points --------------------------------------------------------------------------


def check_points(trip: mc.TripResult, network: mc.Network) -> None:
    pts = time_distance_points(trip, network)
    assert len(pts) == len(trip.components) + 1
    assert pts.iloc[0][["km", "p10_days", "p50_days", "p90_days"]].tolist() == [0.0] * 4
    for column in ("km", "p10_days", "p50_days", "p90_days", "mean_days"):
        assert np.all(np.diff(pts[column]) >= 0), column
    assert np.all(pts["p10_days"] <= pts["p50_days"])
    assert np.all(pts["p50_days"] <= pts["p90_days"])
    assert pts["km"].iloc[-1] == pytest.approx(trip.route.distance_km, abs=1e-6)
    # The last point is the door-to-door figure every table shows.
    days = trip.days()
    assert pts[["p10_days", "p50_days", "p90_days"]].iloc[-1].tolist() == [
        days["p10"],
        days["p50"],
        days["p90"],
    ]
    assert pts["mean_days"].iloc[-1] == pytest.approx(days["mean"], abs=1e-9)
    # Standing still is a vertical step: no distance covered.
    standing = pts["stage"].isin(STANDING).to_numpy()
    assert np.all(np.diff(pts["km"].to_numpy())[standing[1:]] == 0)


def test_points_properties(runs: Runs, network: mc.Network) -> None:
    for run in runs:
        for trip in run.trips:
            check_points(trip, network)


def test_points_of_a_trip_whose_samples_are_not_all_kept(runs: Runs, network: mc.Network) -> None:
    """The stops read the kept samples, the end every sample, and the line never goes back."""
    whole = runs[0].trip("Almaty-Constanta, Middle Corridor, container")
    part = mc.TripResult(
        route=whole.route,
        components=whole.components,
        hours=whole.hours[:50],
        label=whole.label,
        sample_days=whole.total_days,
        hours_sum=whole.hours.sum(axis=0),
        shipment=whole.shipment,
    )
    assert not part.all_kept
    check_points(part, network)


def test_the_stops_are_quantiles_of_the_elapsed_days(runs: Runs, network: mc.Network) -> None:
    """Before the Caspian crossing, the P50 is the median of the samples' days so far."""
    trip = runs[0].trip("Almaty-Constanta, Middle Corridor")
    pts = time_distance_points(trip, network)
    crossing = pts.index[(pts["stage"] == "sea") & (pts["node"] == "ALAT_PORT")][0]
    aktau = trip.route.nodes.index("AKTAU_PORT")
    so_far = [
        j
        for j, c in enumerate(trip.components)
        if trip.route.nodes.index(c.node) < aktau
        or (c.node == "AKTAU_PORT" and c.stage not in ("rail", "sea"))
    ]
    elapsed = trip.hours[:, so_far].sum(axis=1) / 24.0
    before = pts.loc[crossing - 1]
    assert before["p50_days"] == pytest.approx(float(np.median(elapsed)), rel=1e-9)
    assert before["p90_days"] == pytest.approx(float(np.percentile(elapsed, 90)), rel=1e-9)


def test_ferry_wait_comes_before_the_crossing(runs: Runs, network: mc.Network) -> None:
    trip = runs[0].trip("Almaty-Constanta, Middle Corridor")
    pts = time_distance_points(trip, network)
    wait = pts.index[(pts["stage"] == "ferry_wait") & (pts["node"] == "AKTAU_PORT")][0]
    crossing = pts.index[(pts["stage"] == "sea") & (pts["node"] == "ALAT_PORT")][0]
    assert wait < crossing
    assert pts.loc[wait, "km"] == pts.loc[crossing - 1, "km"] < pts.loc[crossing, "km"]
    assert pts.loc[wait, "place"] == "Aktau port"


# --- the distance charts -----------------------------------------------------------------


@pytest.mark.parametrize("draw", ["time_fig", "cost_fig"])
def test_one_panel_per_origin_destination(
    runs: Runs, draw: str, request: pytest.FixtureRequest
) -> None:
    fig: Figure = request.getfixturevalue(draw)
    pairs = {(t.route.origin, t.route.destination) for run in runs for t in run.trips}
    assert len(fig.axes) == len(pairs) == 4
    for ax in fig.axes:
        trips = [
            trip_of(str(line.get_label()), runs)
            for line in ax.get_lines()
            if not str(line.get_label()).startswith("_")
        ]
        assert len({(t.route.origin, t.route.destination) for t in trips}) == 1


def test_a_chart_of_fewer_pairs_has_fewer_panels(runs: Runs, network: mc.Network) -> None:
    fewer = [dataclasses.replace(run, trips=run.trips[:5], costs=run.costs[:5]) for run in runs]
    fig = time_distance_figure(fewer, network)
    assert len(fig.axes) == 1  # the first five trips run Almaty-Constanta


@pytest.mark.parametrize("panels", range(1, 13))
def test_the_panel_grid_fits(panels: int) -> None:
    rows, columns = panel_grid(panels)
    assert rows * columns >= panels
    assert rows * columns - panels < columns  # no empty row
    assert columns <= 4
    assert rows <= columns + 1


@pytest.mark.parametrize("draw", ["time_fig", "cost_fig"])
def test_the_legend_is_outside_every_panel(draw: str, request: pytest.FixtureRequest) -> None:
    fig: Figure = request.getfixturevalue(draw)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    legend = the_legend(fig).get_window_extent(renderer)
    for ax in fig.axes:
        assert not legend.overlaps(ax.get_window_extent(renderer)), ax.get_title()
    # ... and inside the figure.
    assert fig.bbox.contains(legend.x0, legend.y0)
    assert fig.bbox.contains(legend.x1, legend.y1)


@pytest.mark.parametrize("draw", ["time_fig", "cost_fig"])
def test_colours_tell_corridors_apart_and_never_repeat(
    runs: Runs, draw: str, request: pytest.FixtureRequest
) -> None:
    fig: Figure = request.getfixturevalue(draw)
    corridor_of: dict[str, set[str]] = {}
    trips_of: dict[str, set[str]] = {}
    for label, line in drawn_lines(fig).items():
        trip = trip_of(label, runs)
        colour = str(line.get_color())
        corridor_of.setdefault(colour, set()).add(trip.route.corridor)
        trips_of.setdefault(colour, set()).add(trip.label)
    assert all(len(c) == 1 for c in corridor_of.values())
    assert all(len(t) == 1 for t in trips_of.values())  # a trip's colour is its own
    assert {"middle", "northern", "sea"} <= {c for cs in corridor_of.values() for c in cs}


def test_scenarios_differ_by_line_style(runs: Runs, time_fig: Figure) -> None:
    styles = {
        label.rpartition("[")[2].rstrip("]"): line.get_linestyle()
        for label, line in drawn_lines(time_fig).items()
    }
    assert set(styles) == {run.scenario.name for run in runs}
    assert len(set(styles.values())) == len(runs)


def test_the_last_point_is_the_tables_p50(runs: Runs, time_fig: Figure) -> None:
    lines = drawn_lines(time_fig)
    assert len(lines) >= len(runs[0].trips)
    for label, line in lines.items():
        trip = trip_of(label, runs)
        assert np.asarray(line.get_ydata())[-1] == trip.days()["p50"]
    assert "P50" in time_fig.get_supylabel()


def test_a_trip_on_the_same_line_as_another_is_drawn_once(runs: Runs, time_fig: Figure) -> None:
    """'fastest open' is 'via Russia': one line, and the legend says so."""
    labels = set(drawn_lines(time_fig))
    assert "Almaty-Constanta, via Russia [baseline]" in labels
    assert not any("fastest open" in label for label in labels)
    legend = [t.get_text().replace("\n", " ") for t in the_legend(time_fig).get_texts()]
    assert "Almaty-Constanta, via Russia (same path and days as fastest open)" in legend
    # The container on that path takes other days: a line of its own.
    assert "Almaty-Constanta, via Russia, container [baseline]" in labels


def test_the_cost_chart_says_what_its_figures_are(runs: Runs, cost_fig: Figure) -> None:
    """Legs are priced by their means: the line is a mean, the end bar the P10-P90."""
    label = cost_fig.get_supylabel()
    assert "mean" in label
    assert "USD" in label
    legend = " ".join(t.get_text() for t in the_legend(cost_fig).get_texts())
    assert "P10-P90" in legend
    # Digitized customs leaves freight cost as it was: its lines are not drawn again.
    digital = [label for label in drawn_lines(cost_fig) if label.endswith("[digital_customs]")]
    assert len(digital) < len(runs[1].trips)
    assert "not drawn again" in legend.replace("\n", " ")


def test_a_saturated_trip_reads_as_a_lower_bound(
    saturated_runs: Runs, network: mc.Network, tmp_path: Path
) -> None:
    fig = time_distance_figure(saturated_runs, network)
    labels = set(drawn_lines(fig))
    middle = "Almaty-Constanta, Middle Corridor"
    assert f"{middle} [volume_x3] ({LOWER_BOUND_LABEL})" in labels
    assert f"{middle} [baseline]" in labels
    legend = [t.get_text().replace("\n", " ") for t in the_legend(fig).get_texts()]
    assert any(middle in t and LOWER_BOUND_LABEL in t for t in legend)
    ends = [t.get_text() for ax in fig.axes for t in ax.texts if LOWER_BOUND_LABEL in t.get_text()]
    assert ends
    assert all(t.startswith(">") for t in ends)
    # The lower bounds' hundreds of days do not flatten the transit times: the axis shows
    # the unsaturated trips, and a lower bound above it is marked at its top edge.
    (panel,) = [ax for ax in fig.axes if ax.get_title().startswith("Almaty")]
    top = panel.get_ylim()[1]
    saturated = saturated_runs[1].trip(middle)
    assert saturated.days()["p50"] > top > saturated_runs[0].trip(middle).days()["p90"]
    marks = [ln for ln in panel.get_lines() if ln.get_marker() == "^" and not ln.get_clip_on()]
    assert [float(np.asarray(m.get_ydata())[0]) for m in marks] == [top] * len(marks)
    assert len(marks) == sum(t.saturated for t in saturated_runs[1].trips if "Almaty" in t.label)
    svg = time_distance_chart(saturated_runs, network, tmp_path / "x3.svg")
    assert LOWER_BOUND_LABEL in svg.read_text(encoding="utf-8")


# --- the sweep ---------------------------------------------------------------------------


def test_sweep_axis_shows_the_useful_range_and_marks_saturation(
    sweep: mc.Sweep, tmp_path: Path
) -> None:
    fig = sweep_figure(sweep)
    (ax,) = fig.axes
    routes = [r for s in sweep.steps for r in s.routes if r.corridor == sweep.corridor]
    open_days = [d for r in routes if not r.saturated for d in (r.p50, r.p90)]
    saturated = [r.p50 for r in routes if r.saturated]
    top = ax.get_ylim()[1]
    assert max(open_days) < top < max(saturated)
    # The saturated volumes are shaded, from the first saturated one.
    (span,) = [p for p in ax.patches if str(p.get_label()).startswith("saturated")]
    assert isinstance(span, Rectangle)
    assert span.get_x() == 2000
    # Every volume with a P50 above the axis is marked at its top edge, with a lower bound.
    marks = [ln for ln in ax.get_lines() if ln.get_marker() == "^" and not ln.get_clip_on()]
    above = sorted({s.volume_teu_per_week for s in sweep.steps for r in s.routes if r.p50 > top})
    assert above == [2000, 3000]
    assert sorted(float(np.asarray(m.get_xdata())[0]) for m in marks) == above
    assert all(float(np.asarray(m.get_ydata())[0]) == top for m in marks)
    notes = [t.get_text() for t in ax.texts]
    assert len(notes) == len(above)
    assert all(n.startswith(">") and n.endswith(" d") for n in notes)
    out = sweep_chart(sweep, tmp_path / "sweep.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_no_sweep_series_hides_another(sweep: mc.Sweep) -> None:
    (ax,) = sweep_figure(sweep).axes
    p50 = [ln for ln in ax.get_lines() if str(ln.get_label()).endswith(" P50")]
    middle = {r.label for r in sweep.steps[0].routes if r.corridor == "middle"}
    assert len(p50) == len(middle) >= 4
    assert len({ln.get_color() for ln in p50}) == len(p50)
    assert len({ln.get_marker() for ln in p50}) == len(p50)
    # Drawn first, drawn widest: a later line on the same days leaves the earlier showing.
    widths = [ln.get_linewidth() for ln in p50]
    assert widths == sorted(widths, reverse=True)


def test_the_sweep_legend_is_outside_the_axes(sweep: mc.Sweep) -> None:
    fig = sweep_figure(sweep)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    (ax,) = fig.axes
    assert not the_legend(fig).get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))


# --- the tornado -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "stage", "words"),
    [
        ("ferry_wait at Aktau port", "ferry_wait", "Waits for a vessel or ferry at Aktau port"),
        ("documents", "documents", "Customs documents"),
        ("waits in KZ", "documents, port", "Waits in KZ"),
        ("rail Almaty -> Shu", "rail", "Rail Almaty -> Shu"),
        ("portside", "port", "Portside"),
    ],
)
def test_group_words(group: str, stage: str, words: str) -> None:
    assert group_words(group, stage) == words


def test_the_tornado_names_stages_in_words(runs: Runs, network: mc.Network) -> None:
    ranking = mc.rank_bottlenecks(
        runs[0].trip("Almaty-Constanta, Middle Corridor"), network=network
    )
    (ax,) = tornado_figure(ranking.head(8)).axes
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert any(name.startswith("Waits for a vessel or ferry at ") for name in names)
    assert not any("_" in name for name in names)
