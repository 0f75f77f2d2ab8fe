"""Runs made once (:class:`midcorridor.RunMemo`): the same settings under another name are
not drawn again, other settings are, and packages share their reference runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import midcorridor as mc
from midcorridor.analysis.savings import package_savings

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
ROUTE = mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="middle", label="mc")


def _small(scenario: mc.Scenario) -> mc.Scenario:
    return scenario.derive(routes=(ROUTE,), samples=200)


def test_a_renamed_scenario_reuses_the_run(network: mc.Network, baseline: mc.Scenario) -> None:
    made = mc.run_scenario(_small(baseline), network)
    memo = mc.RunMemo(network, known=[made])
    again = memo.run(_small(baseline).derive(name="same settings, another name"))
    assert again is made
    assert memo.drawn == 0


def test_other_settings_are_drawn_and_match_a_direct_run(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    memo = mc.RunMemo(network, known=[mc.run_scenario(_small(baseline), network)])
    later = _small(baseline).derive(departure_month=1)
    run = memo.run(later)
    assert memo.drawn == 1
    assert memo.run(later) is run
    assert memo.drawn == 1
    direct = mc.run_scenario(later, network)
    np.testing.assert_array_equal(run.trips[0].total_days, direct.trips[0].total_days)


def test_packages_share_the_reference_and_each_instrument_alone(
    network: mc.Network,
) -> None:
    packages = [
        _small(mc.load_scenario(SCENARIOS / f"{name}.yaml"))
        for name in ("kz_e_transit", "digital_customs")
    ]
    memo = mc.RunMemo(network)
    shared = [package_savings(p, network, memo=memo) for p in packages]
    # One run per distinct set of instruments: none, the whole of each package, each alone.
    sets = {()} | {p.instruments for p in packages}
    sets |= {(key,) for p in packages for key in p.instruments}
    assert memo.drawn == len(sets)
    # Sharing changes no figure.
    alone = package_savings(packages[1], network)
    assert shared[1].by_trip == alone.by_trip
    assert [i.by_trip for i in shared[1].instruments] == [i.by_trip for i in alone.instruments]
