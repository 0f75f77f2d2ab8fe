"""Time-distance charts and the points they are drawn from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import midcorridor as mc
from midcorridor.charts import (
    DPI,
    FIGSIZE,
    _time_distance_figure,
    time_distance_chart,
    time_distance_points,
)

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SCENARIO_NAMES = ("baseline", "digital_customs")
STANDING = {"documents", "inspection", "transshipment", "port", "ferry_wait", "weather"}


@pytest.fixture(scope="module")
def runs(network: Any) -> list[Any]:
    return [
        mc.run_scenario(mc.load_scenario(SCENARIOS / f"{name}.yaml"), network, samples=300)
        for name in SCENARIO_NAMES
    ]


def test_png_has_fixed_pixel_size(runs: list[Any], network: Any, tmp_path: Path) -> None:
    import matplotlib.image

    out = time_distance_chart(runs, network, tmp_path / "sub" / "chart.png")
    assert out == tmp_path / "sub" / "chart.png"
    assert out.stat().st_size > 10_000
    image = matplotlib.image.imread(out)
    assert image.shape[:2] == (round(FIGSIZE[1] * DPI), round(FIGSIZE[0] * DPI))


def test_svg(runs: list[Any], network: Any, tmp_path: Path) -> None:
    out = time_distance_chart(runs, network, str(tmp_path / "chart.SVG"))
    text = out.read_text(encoding="utf-8")
    assert "<svg" in text
    assert "Duisburg" in text


@pytest.mark.parametrize("name", ["chart.jpg", "chart", "chart.png.txt"])
def test_bad_suffix_raises(runs: list[Any], network: Any, tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        time_distance_chart(runs, network, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_one_line_per_route_and_scenario(runs: list[Any], network: Any) -> None:
    fig = _time_distance_figure(runs, network)
    (ax,) = fig.axes
    labels = [line.get_label() for line in ax.get_lines()]
    labelled = [label for label in labels if not str(label).startswith("_")]
    expected = [f"{trip.label} [{run.scenario.name}]" for run in runs for trip in run.trips]
    assert labelled == expected
    styles = {line.get_linestyle() for line in ax.get_lines() if line.get_label() in expected}
    assert len(styles) == len(runs)
    texts = {t.get_text() for t in ax.texts}
    assert {"Aktau port", "Poti port", "Dostyk"} <= texts


def test_points_properties(runs: list[Any], network: Any) -> None:
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


def test_ferry_wait_comes_before_the_crossing(runs: list[Any], network: Any) -> None:
    trip = runs[0].trip("Almaty-Constanta, Middle Corridor")
    pts = time_distance_points(trip, network)
    wait = pts.index[(pts["stage"] == "ferry_wait") & (pts["node"] == "AKTAU_PORT")][0]
    crossing = pts.index[(pts["stage"] == "sea") & (pts["node"] == "ALAT_PORT")][0]
    assert wait < crossing
    assert pts.loc[wait, "km"] == pts.loc[crossing - 1, "km"] < pts.loc[crossing, "km"]
    assert pts.loc[wait, "place"] == "Aktau port"
