"""A grid's measure sets valued in expected annual loss avoided (the grid's annual_loss):
more capacity where a recurring event strikes avoids loss, a measure elsewhere none."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import midcorridor as mc
from cli_runner import invoke
from midcorridor.analysis.avoided_loss import value_avoided_loss
from midcorridor.analysis.frontier import Frontier, MeasureSet, frontier
from midcorridor.runs.grid import load_grid, run_grid
from midcorridor.runs.grid_store import read_results
from midcorridor.views.grid_tables import frontier_tables

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

STORMS = f"""
name: storms
extends: {SCENARIOS / "baseline.yaml"}
routes:
  - {{origin: Almaty, destination: Constanta, corridor: middle, label: "A-C middle"}}
events:
  - name: storm
    link: AKTAU_PORT-ALAT_PORT
    start: 2025-10-10
    days: 8
    per_year: 4
    days_range: {{low: 3, mode: 6, high: 10}}
"""

GRID = """
name: loss
base: {base}
routes:
  - {{origin: Almaty, destination: Constanta, corridor: middle, label: "A-C middle"}}
samples: 200
seed: 3
frontier: {{route: "A-C middle", target_ratio: 0.95}}
annual_loss: {{events: [storms.yaml], years: 300, samples: 100}}
axes:
  - name: feeders
    service: {{link: AKTAU_PORT-ALAT_PORT, vessels: 6, note: n, source: s}}
    field: vessels
    values: [6, 9]
  - name: china_paperwork
    change: {{stage: documents, country: CN, scale: 1.0, note: n, source: s}}
    field: scale
    values: [1.0, 0.5]
"""


def _write(folder: Path, grid: str = GRID) -> Path:
    (folder / "storms.yaml").write_text(STORMS, encoding="utf-8")
    path = folder / "g.yaml"
    path.write_text(grid.format(base=SCENARIOS / "baseline.yaml"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, network: mc.Network) -> Path:
    folder = tmp_path_factory.mktemp("loss")
    out = folder / "r.parquet"
    run_grid(load_grid(_write(folder)), network, out)
    return out


@pytest.fixture(scope="module")
def valued(results: Path, network: mc.Network) -> Frontier:
    frame, meta = read_results(results)
    return value_avoided_loss(
        frontier(frame, meta), load_grid(meta["file"]), network, every_set=True
    )


def _set(found: Frontier, *moved: str) -> MeasureSet:
    return next(s for s in found.sets if set(s.moved) == set(moved))


@pytest.mark.slow
def test_more_feeders_avoid_storm_loss_and_a_measure_elsewhere_none(valued: Frontier) -> None:
    assert valued.annual_loss_usd is not None
    assert valued.annual_loss_usd["mean"] > 0
    assert valued.loss_events == ("storm",)
    feeders = _set(valued, "feeders").avoided_loss_usd
    elsewhere = _set(valued, "china_paperwork").avoided_loss_usd
    both = _set(valued, "feeders", "china_paperwork").avoided_loss_usd
    assert feeders is not None
    assert elsewhere is not None
    assert both is not None
    # The backlog drains faster with 9 feeders: less lost in every year with a storm.
    assert 0 < feeders["mean"] < valued.annual_loss_usd["mean"]
    assert feeders["p10"] >= 0
    # Common random numbers: the same years drawn, so a measure no storm route passes
    # avoids exactly nothing, and adds nothing to the feeders'.
    assert elsewhere == dict.fromkeys(elsewhere, 0.0)
    assert both == feeders
    assert _set(valued).avoided_loss_usd == dict.fromkeys(feeders, 0.0)


@pytest.mark.slow
def test_the_frontier_shows_the_avoided_loss_beside_the_effort(valued: Frontier) -> None:
    tables = frontier_tables(valued, every_set=True)
    every = tables[-1]
    headers = [c.header for c in every.columns]
    column = headers.index("avoided loss M USD/yr")
    feeders = _set(valued, "feeders").avoided_loss_usd
    assert feeders is not None
    shown = {row[1]: row[column] for row in every.rows}
    assert shown["feeders 9"] == f"{feeders['mean'] / 1e6:,.1f}"
    assert shown["china_paperwork 0.5"] == "0.0"
    summary = {row[0]: row[1] for row in tables[0].rows}
    assert "storm" in summary["expected annual loss, no measure"]
    data = valued.to_dict()
    assert data["annual_loss_usd_per_year"]["mean"] > 0
    assert data["best"]["avoided_loss_usd_per_year"] is not None


@pytest.mark.slow
def test_frontier_command_values_the_shown_sets(
    results: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, stdout, err = invoke(["frontier", str(results), "--json"], capsys, monkeypatch)
    assert code == 0, err
    answer = json.loads(stdout)
    assert answer["loss_events"] == ["storm"]
    valued = [s for s in answer["sets"] if s["avoided_loss_usd_per_year"] is not None]
    shown = {tuple(s["measures"]) for s in [*answer["pareto"], answer["best"]]}
    assert {tuple(s["measures"]) for s in valued} == shown
    code, stdout, _ = invoke(["frontier", str(results), "--no-loss"], capsys, monkeypatch)
    assert code == 0
    assert "avoided" not in stdout


@pytest.mark.slow
def test_a_set_whose_trips_leave_the_storm_link_is_not_valued(
    tmp_path: Path, network: mc.Network
) -> None:
    """A set that makes the trip cross the Caspian elsewhere (here by slowing the Aktau
    crossing twentyfold) leaves the link the storms are written for: left unvalued, while
    the other sets are valued."""
    grid = GRID.replace(
        "service: {{link: AKTAU_PORT-ALAT_PORT, vessels: 6, note: n, source: s}}\n"
        "    field: vessels\n    values: [6, 9]",
        "change: {{stage: sea, link: AKTAU_PORT-ALAT_PORT, scale: 1, note: n, source: s}}\n"
        "    field: scale\n    values: [1, 20]",
    ).replace("name: feeders", "name: slow_aktau")
    assert "slow_aktau" in grid
    out = tmp_path / "r.parquet"
    run_grid(load_grid(_write(tmp_path, grid)), network, out)
    frame, meta = read_results(out)
    valued = value_avoided_loss(
        frontier(frame, meta), load_grid(meta["file"]), network, every_set=True
    )
    assert valued.annual_loss_usd is not None
    assert _set(valued, "slow_aktau").avoided_loss_usd is None
    assert _set(valued, "slow_aktau", "china_paperwork").avoided_loss_usd is None
    elsewhere = _set(valued, "china_paperwork").avoided_loss_usd
    assert elsewhere == dict.fromkeys(elsewhere or {"mean": 1.0}, 0.0)


def test_a_point_is_found_by_its_axes_values(tmp_path: Path) -> None:
    grid = load_grid(_write(tmp_path))
    for i, point in enumerate(grid.points):
        assert grid.points.index_of(point) == i
    assert grid.points.index_of({"feeders": 9}) == grid.points.index_of(
        {"feeders": 9, "china_paperwork": 1.0}
    )
    with pytest.raises(ValueError, match="not a value of axis feeders"):
        grid.points.index_of({"feeders": 7})


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("events: [storms.yaml]", "events: [nowhere.yaml]"),
            r"field annual_loss\.events\.0: scenario 'nowhere\.yaml' not found",
        ),
        (
            ("events: [storms.yaml]", f"events: [{SCENARIOS / 'baseline.yaml'}]"),
            r"field annual_loss\.events\.0: .* has no recurring event",
        ),
        (("years: 300", "yeras: 300"), r"annual_loss\.yeras: unknown key \(did you mean years\?\)"),
        (("years: 300", "years: 5"), r"annual_loss\.years"),
        (("events: [storms.yaml]", "events: []"), r"annual_loss\.events"),
    ],
)
def test_a_bad_annual_loss_names_the_file_the_field_and_the_problem(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    old, new = edit
    assert old in GRID
    path = _write(tmp_path, GRID.replace(old, new))
    with pytest.raises(mc.ScenarioError) as info:
        load_grid(path)
    text = "\n".join([info.value.message, *info.value.problems])
    assert str(path) in text
    assert re.search(expected, text), text
