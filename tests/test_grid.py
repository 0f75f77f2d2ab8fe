"""Grids: files, points and seeds, runs in-process and on Dask, resume, interrupts, answers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import midcorridor as mc
from midcorridor.analysis.frontier import frontier, uncertainty
from midcorridor.runs import grid as grid_module
from midcorridor.runs.grid import load_grid, run_grid
from midcorridor.runs.grid_store import CHOICE_COLUMNS, RESULT_COLUMNS, read_results

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"

SMALL = f"""
name: small
base: {BASELINE}
routes:
  - {{origin: Almaty, destination: Constanta, corridor: middle, label: "A-C middle"}}
samples: 200
seed: 7
frontier: {{route: "A-C middle", target_ratio: 0.95}}
axes:
  - name: paperwork
    change: {{stage: [documents, inspection], corridor: middle, scale: 1.0, note: n, source: s}}
    field: scale
    values: [1.0, 0.47]
  - name: volume
    volume: middle
    values: [1481, 2962]
"""


def write(tmp_path: Path, text: str, name: str = "g.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(path: Path) -> pd.DataFrame:
    frame, _ = read_results(path)
    return frame.sort_values(["scenario", "route"]).reset_index(drop=True)


def test_points_are_the_full_factorial_in_a_fixed_order_with_spawned_seeds(
    tmp_path: Path,
) -> None:
    grid = load_grid(write(tmp_path, SMALL))
    assert [tuple(p.values()) for p in grid.points] == [
        (1.0, 1481.0),
        (1.0, 2962.0),
        (0.47, 1481.0),
        (0.47, 2962.0),
    ]
    seeds = [grid.seed(i) for i in range(len(grid.points))]
    assert len(set(seeds)) == 4
    again = load_grid(write(tmp_path, SMALL, "again.yaml"))
    assert seeds == [again.seed(i) for i in range(4)]
    spawned = np.random.SeedSequence(7).spawn(4)  # the grid's seed's children, in order
    assert seeds == [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in spawned]
    scenario = grid.scenario(3)
    assert scenario.volume["middle"] == 2962
    assert scenario.changes[-1].scale == 0.47
    assert scenario.seed == seeds[3]
    assert scenario.samples == 200


def test_a_latin_hypercube_covers_each_range_once_per_stratum(tmp_path: Path) -> None:
    text = SMALL.replace("samples: 200", "samples: 200\ndesign: {latin_hypercube: 21}")
    text = text.replace("values: [1.0, 0.47]", "range: {low: 0.4, high: 1.0}")
    grid = load_grid(write(tmp_path, text))
    scales = sorted(float(p["paperwork"]) for p in grid.points)
    strata = [int((s - 0.4) / (0.6 / 21)) for s in scales]
    assert strata == list(range(21))


@pytest.fixture(scope="module")
def small_in_process(tmp_path_factory: pytest.TempPathFactory, network: mc.Network) -> Path:
    folder = tmp_path_factory.mktemp("grid")
    grid = load_grid(write(folder, SMALL))
    out = folder / "in_process.parquet"
    result = run_grid(grid, network, out)
    assert (result.ran, result.skipped, result.interrupted) == (4, 0, False)
    return out


def spoiled_after_loading(tmp_path: Path) -> mc.Network:
    """A copy of the network, loaded, then its nodes file made unreadable as a network."""
    folder = tmp_path / "network"
    shutil.copytree(ROOT / "network", folder)
    loaded = mc.load(folder)
    (folder / "nodes.geojson").write_text("not a network", encoding="utf-8")
    return loaded


@pytest.mark.parametrize("workers", [None, pytest.param(2, marks=pytest.mark.slow)])
def test_a_grid_runs_on_the_network_it_is_given_in_process_and_on_two_workers(
    tmp_path: Path, workers: int | None, small_in_process: Path
) -> None:
    """The same rows either way, from the network the driver loaded: its files are not
    read again, here or on a worker."""
    grid = load_grid(write(tmp_path, SMALL))
    out = tmp_path / "run.parquet"
    result = run_grid(grid, spoiled_after_loading(tmp_path), out, workers=workers)
    assert (result.ran, result.not_run) == (4, ())
    pd.testing.assert_frame_equal(rows(out), rows(small_in_process))


def test_the_rows_hold_the_axes_days_cost_and_saturation(small_in_process: Path) -> None:
    frame, meta = read_results(small_in_process)
    assert len(frame) == 4
    for column in (*RESULT_COLUMNS, "axis.paperwork", "axis.volume"):
        assert column in frame.columns
    assert meta["name"] == "small"
    assert [a["name"] for a in meta["axes"]] == ["paperwork", "volume"]
    assert (frame["days_p10"] <= frame["days_p50"]).all()
    assert (frame["cost_usd_mean"] > 0).all()
    # Twice today's volume saturates the Caspian crossing; today's does not.
    by_volume = frame.groupby("axis.volume")["saturated"].all()
    assert not by_volume[1481.0]
    assert by_volume[2962.0]


def test_a_resumed_run_skips_what_finished_and_ends_as_a_whole_run(
    tmp_path: Path, network: mc.Network, small_in_process: Path
) -> None:
    grid = load_grid(write(tmp_path, SMALL))
    out = tmp_path / "r.parquet"
    first = run_grid(grid, network, out, limit=2)
    assert (first.scenarios, first.ran) == (2, 2)
    assert sorted(set(rows(out)["scenario"])) == [0, 1]
    second = run_grid(grid, network, out, resume=True)
    assert (second.ran, second.skipped) == (2, 2)
    pd.testing.assert_frame_equal(rows(out), rows(small_in_process))
    third = run_grid(grid, network, out, resume=True)
    assert (third.ran, third.skipped) == (0, 4)
    pd.testing.assert_frame_equal(rows(out), rows(small_in_process))


def test_an_interrupted_run_keeps_what_finished(
    tmp_path: Path, network: mc.Network, monkeypatch: Any, small_in_process: Path
) -> None:
    grid = load_grid(write(tmp_path, SMALL))
    out = tmp_path / "i.parquet"
    real = grid_module.evaluate
    calls = []

    def stop_at_third(task: grid_module.GridTask) -> list[dict[str, Any]]:
        calls.append(task.index)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(task)

    monkeypatch.setattr(grid_module, "evaluate", stop_at_third)
    result = run_grid(grid, network, out)
    assert result.interrupted
    assert result.ran == 2
    assert sorted(set(rows(out)["scenario"])) == [0, 1]
    monkeypatch.setattr(grid_module, "evaluate", real)
    resumed = run_grid(grid, network, out, resume=True)
    assert (resumed.ran, resumed.skipped, resumed.interrupted) == (2, 2, False)
    pd.testing.assert_frame_equal(rows(out), rows(small_in_process))


def test_results_of_another_grid_are_not_resumed(
    tmp_path: Path, network: mc.Network, small_in_process: Path
) -> None:
    other = load_grid(write(tmp_path, SMALL.replace("seed: 7", "seed: 8")))
    with pytest.raises(mc.MidcorridorError, match="made with a different grid file:"):
        run_grid(other, network, small_in_process, resume=True)


# --- bad grid files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("field: scale\n    values: [1.0, 0.47]", "feild: scale\n    values: [1.0, 0.47]"),
            r"axes\.0\.feild \(axis paperwork\): unknown key \(did you mean field\?\)",
        ),
        (
            ("    volume: middle\n", "    volume: middle\n    departure_month: true\n"),
            r"axes\.1 \(axis volume\): give exactly one knob",
        ),
        (("values: [1.0, 0.47]", "values: [1.0, -2]"), r"axes \(paperwork\): value -2"),
        (
            ("values: [1481, 2962]", "values: [1481, 2962]\n    range: {low: 1, high: 2}"),
            "exactly one of values or range",
        ),
        ((f"base: {BASELINE}", "base: nowhere.yaml"), r"field base: scenario 'nowhere\.yaml'"),
        (('route: "A-C middle"', 'route: "A-C"'), r"frontier\.route: 'A-C' is not a route"),
        (("name: paperwork", "name: Paper Work"), r"axes\.0\.name"),
        (("field: scale", "field: vessels"), r"for a change axis one of scale, set, add"),
    ],
)
def test_bad_grid_files_name_the_file_the_field_and_the_problem(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    old, new = edit
    assert old in SMALL
    path = write(tmp_path, SMALL.replace(old, new))
    with pytest.raises(mc.ScenarioError) as info:
        load_grid(path)
    text = "\n".join([info.value.message, *info.value.problems])
    assert str(path) in text
    assert re.search(expected, text), text


def test_a_missing_grid_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(mc.ScenarioError, match=r"g\.yaml: grid file not found"):
        load_grid(tmp_path / "g.yaml")


# --- answers -----------------------------------------------------------------------------


def _synthetic() -> tuple[pd.DataFrame, dict[str, Any]]:
    """Two measures (a, b) and two volumes; days by hand."""
    days = {  # (a, b, volume): (days, saturated)
        (0, 0, 1): (40.0, False),
        (0, 0, 2): (90.0, True),
        (1, 0, 1): (30.0, False),
        (1, 0, 2): (35.0, False),
        (0, 1, 1): (25.0, False),
        (0, 1, 2): (80.0, True),
        (1, 1, 1): (18.0, False),
        (1, 1, 2): (24.0, False),
    }
    frame = pd.DataFrame(
        [
            {
                "scenario": i,
                "route": "r",
                "axis.a": a,
                "axis.b": b,
                "axis.v": v,
                "days_p50": d,
                "saturated": s,
            }
            for i, ((a, b, v), (d, s)) in enumerate(days.items())
        ]
    )
    meta = {
        "name": "synthetic",
        "design": "full",
        "routes": ["r"],
        "axes": [
            {"name": "a", "knob": "change", "today": 0},
            {"name": "b", "knob": "service", "today": 0},
            {"name": "v", "knob": "volume", "today": 1},
        ],
        "frontier": {"route": "r", "target_ratio": 0.65, "note": "test"},
    }
    return frame, meta


def test_the_frontier_lists_the_cheapest_sets_and_where_each_breaks() -> None:
    frame, meta = _synthetic()
    result = frontier(frame, meta)
    assert result.today_days == 40.0
    assert result.target_days == pytest.approx(26.0)
    (cheapest,) = result.cheapest
    assert cheapest.moved == ("b",)
    assert cheapest.days_p50 == 25.0
    assert cheapest.saturates_at == 2  # b alone breaks at the higher volume
    assert cheapest.misses_at == 2
    both = next(s for s in result.sets if s.effort == 2)
    assert both.meets
    assert both.saturates_at is None
    assert [s.days_p50 for s in result.pareto] == [40.0, 25.0, 18.0]
    assert result.best is both
    looser = frontier(frame, meta, target_days=35)
    assert {s.moved for s in looser.cheapest} == {("a",), ("b",)}
    with pytest.raises(mc.MidcorridorError, match="not in the results"):
        frontier(frame, meta, route="nope")


def test_uncertainty_finds_the_assumption_that_drives_the_spread() -> None:
    rng = np.random.default_rng(0)
    n = 128
    x = rng.uniform(0.5, 1.5, size=(n, 2))
    frame = pd.DataFrame(
        {
            "scenario": range(n),
            "route": "r",
            "axis.big": x[:, 0],
            "axis.none": x[:, 1],
            "days_p50": 20 + 10 * x[:, 0] + rng.normal(0, 0.1, n),
        }
    )
    meta = {
        "name": "u",
        "design": "latin_hypercube 128",
        "axes": [
            {"name": "big", "knob": "change", "range": [0.5, 1.5]},
            {"name": "none", "knob": "change", "range": [0.5, 1.5]},
        ],
    }
    result = uncertainty(frame, meta)
    assert result.indices["r"]["big"] > 0.8
    assert result.indices["r"]["none"] < 0.1
    spread = result.spread["r"]
    assert spread["p10"] < spread["p50"] < spread["p90"]


def test_the_small_grid_answers_its_question(small_in_process: Path) -> None:
    frame, meta = read_results(small_in_process)
    result = frontier(frame, meta)
    assert result.route == "A-C middle"
    assert [s.moved for s in result.sets] == [(), ("paperwork",)]
    digital = result.sets[1]
    assert digital.days_p50 < result.today_days
    assert digital.saturates_at == 2962.0


def test_answers_from_results_without_a_finished_scenario_say_so() -> None:
    frame = pd.DataFrame({"scenario": pd.Series([], dtype="int64")})
    with pytest.raises(mc.MidcorridorError, match="no finished scenario"):
        frontier(frame, {"name": "g", "design": "full"})


def test_a_grid_with_the_choice_adds_the_corridor_shares(
    tmp_path: Path, network: mc.Network
) -> None:
    text = SMALL.replace("samples: 200", "samples: 200\nchoice: true")
    text = text.replace("values: [1481, 2962]", "values: [1481]")
    text = text.replace("values: [1.0, 0.47]", "values: [1.0]")
    grid = load_grid(write(tmp_path, text))
    out = tmp_path / "c.parquet"
    run_grid(grid, network, out)
    frame, meta = read_results(out)
    assert meta["choice"] is True
    for column in CHOICE_COLUMNS:
        assert column in frame.columns
    shares = frame[["share_middle", "share_northern", "share_sea"]].sum(axis=1)
    assert shares.to_numpy() == pytest.approx(1.0)
    # Today's point is the calibration's own baseline: the observed 2024 Middle Corridor TEU.
    assert frame["teu_middle"].iloc[0] == pytest.approx(56_500, rel=0.01)
