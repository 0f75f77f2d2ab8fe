"""The queue simulation inside the time model, and the volume sweep."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

import midcorridor as mc
from midcorridor.model.components import components
from midcorridor.model.queues import HORIZON_DAYS, ferry_queue
from midcorridor.runs.runner import sweep_volume

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def caspian(network: mc.Network, volume: float, month: int | None = None) -> list:
    route = mc.candidate_routes(network, "Almaty", "Baku", corridor="middle", k=1)[0]
    comps = components(network, route, month=month, volume_teu_per_week=volume)
    return [c for c in comps if c.stage in ("ferry_wait", "weather")]


def arrival_months(arrival_hours: np.ndarray) -> np.ndarray:
    """Calendar month of each arrival, the simulation starting on 1 January of a common
    year (2025 and 2026 are not leap years): worked out with datetime, not the model."""
    start = datetime(2025, 1, 1)
    return np.array([(start + timedelta(hours=float(h))).month for h in arrival_hours])


def test_volume_switches_ferry_waits_to_the_simulated_queue(network: mc.Network) -> None:
    timetable_wait, _ = caspian(network, 0)
    assert timetable_wait.empirical is None  # no volume: uniform wait for a departure
    wait, weather = caspian(network, 1087)
    assert wait.empirical is not None
    assert weather.empirical is not None
    assert wait.empirical_group == weather.empirical_group
    link = network.links_by_id[wait.link].props
    result = ferry_queue(link.service, link.weather, 1087.0).result
    # The resampled waits are those of the trains arriving after the first 10 % of the two
    # simulated years, train by train (the mask is worked out here, not taken from the model).
    steady = result.arrival_hours >= 0.1 * timedelta(days=HORIZON_DAYS) / timedelta(hours=1)
    assert 0 < steady.sum() < steady.size
    np.testing.assert_array_equal(wait.empirical, result.wait_hours[steady])
    np.testing.assert_array_equal(weather.empirical, result.weather_hours[steady])
    # In a given month, only that month's steady-state trains (from either year).
    months = arrival_months(result.arrival_hours)
    for month in (1, 7, 12):
        wait_m, weather_m = caspian(network, 1087, month=month)
        chosen = steady & (months == month)
        assert chosen.sum() > 20
        np.testing.assert_array_equal(wait_m.empirical, result.wait_hours[chosen])
        np.testing.assert_array_equal(weather_m.empirical, result.weather_hours[chosen])


def test_waits_follow_volume_and_month(network: mc.Network) -> None:
    low, high = caspian(network, 1000)[0], caspian(network, 1500)[0]
    assert high.mean_hours > low.mean_hours
    winter, summer = caspian(network, 1087, month=12)[1], caspian(network, 1087, month=7)[1]
    assert winter.mean_hours > summer.mean_hours


def test_paired_resampling_keeps_a_trains_wait_with_its_storm(network: mc.Network) -> None:
    route = mc.candidate_routes(network, "Almaty", "Baku", corridor="middle", k=1)[0]
    comps = components(network, route, volume_teu_per_week=1087)
    result = mc.sample_trip(route, comps, samples=3000, seed=1)
    j_wait = next(i for i, c in enumerate(comps) if c.stage == "ferry_wait")
    j_storm = j_wait + 1
    waits, storms = comps[j_wait].empirical, comps[j_storm].empirical
    assert waits is not None
    assert storms is not None
    pairs = set(zip(waits, storms, strict=True))
    drawn = zip(result.hours[:, j_wait], result.hours[:, j_storm], strict=True)
    assert all(pair in pairs for pair in drawn)


def test_sweep_finds_the_saturation_point(network: mc.Network) -> None:
    base = mc.load_scenario(SCENARIOS / "baseline.yaml")
    sweep = sweep_volume(base, network, [1000, 2000, 3000], samples=300)
    loads = [s.constrained["AKTAU_PORT-ALAT_PORT"].utilisation for s in sweep.steps]
    assert loads == sorted(loads)
    saturated = [s.constrained["AKTAU_PORT-ALAT_PORT"].saturated for s in sweep.steps]
    assert saturated == [False, True, True]
    assert sweep.first_saturated_volume == 2000
    # The saturated steps' trips on the corridor are flagged as lower bounds.
    middle = [r for r in sweep.steps[-1].routes if r.corridor == "middle"]
    assert middle
    assert all(r.saturated for r in middle)
    assert not any(r.saturated for r in sweep.steps[0].routes)
    days = [
        next(t for t in s.routes if t.label == "Almaty-Constanta, Middle Corridor").p50
        for s in sweep.steps
    ]
    assert days[1] > days[0] + 10
    assert np.isfinite(days).all()


def test_more_capacity_moves_the_saturation_point(network: mc.Network) -> None:
    def saturated_at(name: str, volume: float) -> bool:
        scenario = mc.load_scenario(SCENARIOS / f"{name}.yaml")
        (step,) = sweep_volume(scenario, network, [volume], samples=200).steps
        return step.saturated

    assert saturated_at("baseline", 2000)
    assert not saturated_at("more_capacity", 2000)
    assert saturated_at("more_capacity", 3000)
