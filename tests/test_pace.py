"""A trip's pace: one lognormal factor, mean 1, on every rail running hour of a trip
(``shipments.yaml``), scaled by a change of its source key and learned by the fit."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import midcorridor as mc
from midcorridor.analysis.emulator import Case, CaseStack, EmulatedPace
from midcorridor.network.read import load
from midcorridor.runs.runner import run_scenario
from network_copies import edited_copy

PACE = "asm_trip_pace"
ROUTE = mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="northern")


def _running(network: mc.Network, scenario: mc.Scenario, samples: int = 4000) -> np.ndarray:
    """Hours of each rail running time of the trip, shape (samples, running times), on
    the network as assumed (no calibrated factor)."""
    trip = run_scenario(
        scenario.derive(routes=[ROUTE]), network.uncalibrated(), samples=samples
    ).trips[0]
    cols = [j for j, c in enumerate(trip.components) if c.pace_log_sd > 0]
    assert len(cols) > 5
    assert all(trip.components[j].pace_source == PACE for j in cols)
    return trip.hours[:, cols]


def _paced(scenario: mc.Scenario, scale: float) -> mc.Scenario:
    change = mc.Change(figure_source=(PACE,), scale=scale, note="pace", source=PACE)
    return scenario.derive(changes=(*scenario.changes, change))


def test_a_trip_shares_one_factor_on_its_running_hours(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    log_sd = network.shipments["block_train"].pace.log_sd  # type: ignore[union-attr]
    paced, still = _running(network, baseline), _running(network, _paced(baseline, 0.0))
    # the pace is drawn after every other figure: the same links' speeds, times one factor
    ratio = paced / still
    np.testing.assert_allclose(ratio, ratio[:, :1] * np.ones_like(ratio), rtol=1e-12)
    factor = ratio[:, 0]
    assert np.std(np.log(factor)) == pytest.approx(log_sd, rel=0.05)
    assert factor.mean() == pytest.approx(1.0, abs=0.01)
    # and the trip's running time spreads wider than its links' own draws let it
    total, base = paced.sum(axis=1), still.sum(axis=1)
    assert np.percentile(total, 90) - np.percentile(total, 10) > 2 * (
        np.percentile(base, 90) - np.percentile(base, 10)
    )


def test_a_change_of_the_pace_scales_its_spread_not_the_hours(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    log_sd = network.shipments["block_train"].pace.log_sd  # type: ignore[union-attr]
    still = _running(network, _paced(baseline, 0.0))
    doubled = _running(network, _paced(baseline, 2.0))
    factor = (doubled / still)[:, 0]
    assert np.std(np.log(factor)) == pytest.approx(2 * log_sd, rel=0.05)
    assert factor.mean() == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"figure_source": (PACE, "asm_speed_kz_mc"), "scale": 0.5}, "in a change of its own"),
        ({"figure_source": (PACE,), "set": 5.0}, "only by a scale of its spread"),
        ({"figure_source": (PACE,), "scale": 10.0}, "log-sd of the pace"),
    ],
)
def test_a_pace_change_it_cannot_take_is_refused(
    network: mc.Network, baseline: mc.Scenario, change: dict[str, Any], said: str
) -> None:
    scenario = baseline.derive(
        routes=[ROUTE], changes=(mc.Change(**change, note="pace", source=PACE),)
    )
    with pytest.raises(mc.ScenarioError) as info:
        run_scenario(scenario, network, samples=200)
    assert "changes.0" in str(info.value)
    assert said in str(info.value)


def test_a_pace_on_an_unknown_source_is_refused_with_a_close_match(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["container"]["pace"] = {"log_sd": 0.15, "source": "asm_trip_paces"}

    with pytest.raises(mc.NetworkError) as info:
        load(edited_copy(tmp_path, "shipments.yaml", edit))
    said = str(info.value)
    for part in ("shipments.yaml", "container", "pace.source", PACE):
        assert part in said


def test_the_emulator_s_pace_is_the_model_s() -> None:
    rng = np.random.default_rng(3)
    running = rng.uniform(100, 200, (400, 2))  # hours on key 0 and on no key
    z = rng.standard_normal(400)
    pace = EmulatedPace(np.c_[running[:, :1], np.zeros(400)], running[:, 1], z, 0.2, 1)
    obs: Any = SimpleNamespace(statistic="range")
    case = Case(obs, 9.0, 11.0, np.c_[running[:, :1], np.zeros(400)], running[:, 1], pace)
    for factors in ([1.0, 1.0], [0.8, 2.0], [1.3, 0.0]):
        f = np.array(factors)
        spread = np.exp(z * 0.2 * f[1] - (0.2 * f[1]) ** 2 / 2)
        expected = (running[:, 0] * f[0] + running[:, 1]) * spread / 24
        np.testing.assert_allclose(case.days(f), expected)
        # the stacked cases time the same days
        stack = CaseStack.of([case], 400, 0, largest_miss=10.0)
        picked = case.days(f)[np.random.default_rng(0).choice(400, size=400, replace=False)]
        np.testing.assert_allclose(
            stack.quantiles(f)[:, 0], np.percentile(picked, [10, 50, 90]), rtol=1e-12
        )
