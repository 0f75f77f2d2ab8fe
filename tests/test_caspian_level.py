"""The Caspian's level as ferry capacity: load factor, the measured 2025 cut, falling and
dredged seas, and the settings refused with file, entry and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import midcorridor as mc
from midcorridor.inputs.scenario import RouteSpec
from midcorridor.model.sea_level import depth_at, load_factor
from midcorridor.network.read import check
from midcorridor.runs.grid import load_grid
from midcorridor.runs.resolve import resolve

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
KURYK = "KURYK_PORT-ALAT_PORT"
TURKMENBASHI = "TURKMENBASHI_PORT-ALAT_PORT"
AKTAU = "AKTAU_PORT-ALAT_PORT"
#: How far the model's 2025 load factors may be from the measured cuts (ASCO, March 2025:
#: wagons -10% Baku-Kuryk, -19% Baku-Turkmenbashi): a hundredth of a load.
MEASURED_TOLERANCE = 0.01
CONTAINER = RouteSpec(
    origin="Almaty", destination="Constanta", corridor="middle", shipment="container"
)


def _scenario(tmp_path: Path, text: str, name: str = "sea.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\n{text}", encoding="utf-8")
    return path


def _p50_days(scenario: mc.Scenario, network: mc.Network) -> float:
    one = scenario.derive(routes=(CONTAINER,))
    run = mc.run_scenario(one, network, samples=300, seed=7)
    return run.trips[0].days()["p50"]


def test_the_load_factor_is_the_water_over_the_keel_clearance_by_the_draft() -> None:
    # 7.0 m of water, 3.0 m clearance, 4.5 m draft: 4.0 / 4.5 of a load
    assert load_factor(7.0, 4.5, 3.0) == pytest.approx(4.0 / 4.5)
    assert load_factor(9.0, 4.5, 3.0) == 1.0  # deep water: a full load, never more
    assert load_factor(2.5, 4.5, 3.0) == 0.0  # no water over the clearance: no load


def test_a_port_depth_follows_the_sea_and_dredging_only_deepens(network: mc.Network) -> None:
    assert network.caspian is not None
    kuryk = network.caspian.ports["KURYK_PORT"]  # 8.0 m at -29.20 m BS
    assert depth_at(kuryk, -30.0) == pytest.approx(8.0 - 0.8)
    assert depth_at(kuryk, -30.0, dredged_m=8.5) == 8.5
    assert depth_at(kuryk, -30.0, dredged_m=6.0) == pytest.approx(7.2)


def test_the_2025_level_gives_the_measured_ferry_cuts(network: mc.Network) -> None:
    scenario = mc.load_scenario(SCENARIOS / "baseline.yaml").derive(caspian={"year": 2025})
    conditions = resolve(scenario, network)
    measured = {KURYK: 0.90, TURKMENBASHI: 0.81}
    for link, factor in measured.items():
        assert conditions.crossings[link].load_factor == pytest.approx(
            factor, abs=MEASURED_TOLERANCE
        )
        designed = network.links_by_id[link].props.service
        assert designed is not None
        assert conditions.services[link].capacity_teu == pytest.approx(
            designed.capacity_teu * conditions.crossings[link].load_factor
        )
    assert conditions.crossings[AKTAU].load_factor == 1.0  # Aktau's 7.7 m loads feeders fully


def test_a_falling_sea_cuts_the_ferries_and_slows_the_corridor_until_dredged(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    fallen = mc.load_scenario(SCENARIOS / "caspian_2050.yaml")
    dredged = mc.load_scenario(SCENARIOS / "caspian_2050_dredged.yaml")
    low = resolve(fallen, network)
    for link, crossing in low.crossings.items():
        designed = network.links_by_id[link].props.service
        assert designed is not None
        assert 0 < crossing.load_factor < 1
        assert low.services[link].capacity_teu < designed.capacity_teu
    today, slow, restored = (_p50_days(s, network) for s in (baseline, fallen, dredged))
    assert slow > today + 1
    assert resolve(dredged, network).crossings[AKTAU].load_factor == 1.0
    assert restored == pytest.approx(today)  # same draws, the same full ferries


def test_the_pessimistic_2050_sea_leaves_no_crossing_without_dredging(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    worst = baseline.derive(caspian={"year": 2050, "path": "pessimistic"})
    conditions = resolve(worst, network)
    shallow = {k for k, c in conditions.crossings.items() if c.load_factor == 0}
    assert shallow == {AKTAU, KURYK, TURKMENBASHI}
    assert shallow <= conditions.blocked_links
    with pytest.raises(mc.ScenarioError, match=r"field caspian: .*too shallow"):
        mc.run_scenario(worst.derive(routes=(CONTAINER,)), network, samples=100)
    deep = {"AKTAU_PORT": 8.5, "KURYK_PORT": 8.5, "TURKMENBASHI_PORT": 8.5, "ALAT_PORT": 9.0}
    dredged = resolve(worst.derive(dredge=deep), network)
    assert all(c.load_factor == 1.0 for c in dredged.crossings.values())


def test_new_shallow_draft_vessels_load_more_in_the_same_water(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    fallen = baseline.derive(caspian={"year": 2030, "path": "pessimistic"})
    new = fallen.derive(
        services=({"link": KURYK, "draft_m": 3.5, "note": "new vessels", "source": "test"},)
    )
    before = resolve(fallen, network).crossings[KURYK]
    after = resolve(new, network).crossings[KURYK]
    assert after.draft_m == 3.5
    assert after.load_factor > before.load_factor


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ("caspian: {level_m: -35.0}", "caspian.level_m"),
        ("caspian: {level_m: -26.0}", "caspian.level_m"),
        ("caspian: {year: 2040, path: optimistic}", "caspian.year"),
        ("caspian: {year: 2030}", "caspian.path"),
        (
            "caspian: {year: 2030, path: pessimistic}\ndredge: {AKTUA_PORT: 9.0}",
            "dredge.AKTUA_PORT",
        ),
        ("dredge: {AKTAU_PORT: 9.0}", "dredge"),
    ],
)
def test_a_caspian_setting_the_data_cannot_take_names_file_and_field(
    tmp_path: Path, network: mc.Network, setting: str, field: str
) -> None:
    path = _scenario(tmp_path, setting)
    with pytest.raises(mc.ScenarioError) as caught:
        resolve(mc.load_scenario(path), network)
    assert f"{path}: field {field}:" in str(caught.value)


def test_a_negative_dredged_depth_is_refused_before_anything_runs(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "caspian: {year: 2030, path: optimistic}\ndredge: {AKTAU_PORT: -2}")
    with pytest.raises(mc.ScenarioError) as caught:
        mc.load_scenario(path)
    text = str(caught.value)
    assert str(path) in text
    assert "dredge.AKTAU_PORT" in text


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("  ALAT_PORT:\n    depth_m: 9.0", "  ALAT_PORTX:\n    depth_m: 9.0", "ports.ALAT_PORTX"),
        ("depth_m: 7.7", "depth_m: -7.7", "ports.AKTAU_PORT.depth_m"),
        ("    pessimistic: -34.0", "    pessimistic: -31.0", "forecasts.2050"),
    ],
)
def test_a_bad_caspian_file_names_file_entry_and_field(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    folder = tmp_path / "network"
    shutil.copytree(ROOT / "network", folder)
    path = folder / "caspian.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = check(folder)
    assert any(p.startswith("caspian.yaml") and field in p for p in problems), problems


def test_a_scenario_without_caspian_settings_keeps_the_network_ferries(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    conditions = resolve(baseline, network)
    assert not conditions.crossings
    assert not set(conditions.services) & {AKTAU, KURYK, TURKMENBASHI}


def test_a_sea_that_leaves_every_used_crossing_full_changes_no_figure(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    full = baseline.derive(
        caspian={"year": 2025}, dredge={"KURYK_PORT": 8.5, "TURKMENBASHI_PORT": 8.5}
    )
    assert all(c.load_factor == 1.0 for c in resolve(full, network).crossings.values())
    assert _p50_days(full, network) == _p50_days(baseline, network)


def test_a_grid_dredge_axis_dredges_its_port() -> None:
    grid = load_grid(ROOT / "grids" / "caspian_2030.yaml")
    depths = {grid.scenario(i, 0).dredge.get("AKTAU_PORT") for i in range(len(grid.points))}
    assert depths == {6.9, 7.7}


def test_the_caspian_grids_calibrate_the_choice_on_todays_sea(tmp_path: Path) -> None:
    grid = load_grid(ROOT / "grids" / "caspian_2050.yaml")
    assert grid.base.caspian is not None
    assert grid.choice_base is not None
    assert grid.choice_base.caspian is None
    assert grid.choice_base.routes == grid.base.routes
    text = (ROOT / "grids" / "caspian_2050.yaml").read_text(encoding="utf-8")
    moved = tmp_path / "grid.yaml"
    moved.write_text(
        text.replace("../scenarios/caspian_2050.yaml", str(SCENARIOS / "caspian_2050.yaml")),
        encoding="utf-8",
    )
    with pytest.raises(mc.ScenarioError, match=r"field choice_baseline: scenario .* not found"):
        load_grid(moved)
