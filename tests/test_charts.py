"""Time-distance charts and the points they are drawn from."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.patches import Rectangle

import midcorridor as mc
from midcorridor.views.charts import (
    DPI,
    FIGSIZE,
    LOWER_BOUND_LABEL,
    sweep_chart,
    sweep_figure,
    write_chart,
)
from midcorridor.views.distance_charts import (
    time_distance_chart,
    time_distance_figure,
    time_distance_points,
)

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


def test_png_has_fixed_pixel_size(runs: Runs, network: mc.Network, tmp_path: Path) -> None:
    import matplotlib.image

    (tmp_path / "sub").mkdir()
    out = time_distance_chart(runs, network, tmp_path / "sub" / "chart.png")
    assert out == tmp_path / "sub" / "chart.png"
    assert out.stat().st_size > 10_000
    image = matplotlib.image.imread(out)
    assert image.shape[:2] == (round(FIGSIZE[1] * DPI), round(FIGSIZE[0] * DPI))


def test_svg(runs: Runs, network: mc.Network, tmp_path: Path) -> None:
    out = time_distance_chart(runs, network, str(tmp_path / "chart.SVG"))
    text = out.read_text(encoding="utf-8")
    assert "<svg" in text
    assert "Duisburg" in text


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


def test_one_line_per_route_and_scenario(runs: Runs, network: mc.Network) -> None:
    fig = time_distance_figure(runs, network)
    (ax,) = fig.axes
    labels = [line.get_label() for line in ax.get_lines()]
    labelled = [label for label in labels if not str(label).startswith("_")]
    expected = [f"{trip.label} [{run.scenario.name}]" for run in runs for trip in run.trips]
    assert labelled == expected
    styles = {line.get_linestyle() for line in ax.get_lines() if line.get_label() in expected}
    assert len(styles) == len(runs)
    texts = {t.get_text() for t in ax.texts}
    # Ports and gauge changes are named (a label crowding another is left out: which gauge
    # change shows depends on the axes' range).
    assert {"Aktau port", "Poti port", "Brest"} <= texts


def test_points_properties(runs: Runs, network: mc.Network) -> None:
    for run in runs:
        for trip in run.trips:
            pts = time_distance_points(trip, network)
            assert list(pts.columns[:4]) == ["km", "days", "place", "stage"]
            assert len(pts) == len(trip.components) + 1
            assert (pts["km"].iloc[0], pts["days"].iloc[0]) == (0.0, 0.0)
            assert np.all(np.diff(pts["days"]) >= 0)
            assert np.all(np.diff(pts["km"]) >= 0)
            assert pts["km"].iloc[-1] == pytest.approx(trip.route.distance_km, abs=1e-6)
            assert pts["days"].iloc[-1] == pytest.approx(trip.days()["mean"], abs=1e-6)
            # Standing still is a vertical step: no distance covered.
            standing = pts["stage"].isin(STANDING).to_numpy()
            assert np.all(np.diff(pts["km"].to_numpy())[standing[1:]] == 0)


def test_ferry_wait_comes_before_the_crossing(runs: Runs, network: mc.Network) -> None:
    trip = runs[0].trip("Almaty-Constanta, Middle Corridor")
    pts = time_distance_points(trip, network)
    wait = pts.index[(pts["stage"] == "ferry_wait") & (pts["node"] == "AKTAU_PORT")][0]
    crossing = pts.index[(pts["stage"] == "sea") & (pts["node"] == "ALAT_PORT")][0]
    assert wait < crossing
    assert pts.loc[wait, "km"] == pts.loc[crossing - 1, "km"] < pts.loc[crossing, "km"]
    assert pts.loc[wait, "place"] == "Aktau port"


def test_a_saturated_trip_reads_as_a_lower_bound(
    saturated_runs: Runs, network: mc.Network, tmp_path: Path
) -> None:
    fig = time_distance_figure(saturated_runs, network)
    (ax,) = fig.axes
    labels = [str(line.get_label()) for line in ax.get_lines()]
    middle = "Almaty-Constanta, Middle Corridor"
    assert f"{middle} [volume_x3] ({LOWER_BOUND_LABEL})" in labels
    assert f"{middle} [baseline]" in labels
    legend_box = ax.get_legend()
    assert legend_box is not None
    legend = [t.get_text() for t in legend_box.get_texts()]
    assert any(middle in t and LOWER_BOUND_LABEL in t for t in legend)
    ends = [t.get_text() for t in ax.texts if LOWER_BOUND_LABEL in t.get_text()]
    assert ends
    assert all(t.startswith(">") for t in ends)
    svg = time_distance_chart(saturated_runs, network, tmp_path / "x3.svg")
    assert LOWER_BOUND_LABEL in svg.read_text(encoding="utf-8")


def test_sweep_chart_marks_saturation(network: mc.Network, tmp_path: Path) -> None:
    base = mc.load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml")
    sweep = mc.sweep_volume(base, network, [1000, 2000, 3000], samples=200)
    (ax,) = sweep_figure(sweep).axes
    middle = [r.label for r in sweep.steps[0].routes if r.corridor == "middle"]
    p50_lines = [line for line in ax.get_lines() if str(line.get_label()).endswith(" P50")]
    assert len(p50_lines) == len(middle)
    # The saturated volumes are shaded from the first saturated one, and their points are
    # drawn hollow: the days there are lower bounds.
    (span,) = ax.patches
    assert str(span.get_label()).startswith("saturated")
    assert isinstance(span, Rectangle)
    assert span.get_x() == 2000
    hollow = ax.collections
    assert len(hollow) == len(middle)
    assert all(np.asarray(c.get_offsets()).shape == (2, 2) for c in hollow)
    assert all(set(np.asarray(c.get_offsets())[:, 0]) == {2000, 3000} for c in hollow)
    out = sweep_chart(sweep, tmp_path / "sweep.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
