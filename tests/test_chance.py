"""A shipment's delay whose probability rests on its own source key
(``shipments.yaml``: ``probability_source``): a change of that key scales the share of
trips it happens to, and the fit learns it by thinning."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import midcorridor as mc
from midcorridor.analysis.emulator import Case, CaseStack, EmulatedChances, chance_probabilities
from midcorridor.network.read import load
from midcorridor.runs.runner import run_scenario
from network_copies import edited_copy

SHARE = "asm_container_backlog_share"
ROUTE = mc.RouteSpec(
    origin="Almaty", destination="Constanta", corridor="middle", shipment="container"
)


def _held(network: mc.Network, scenario: mc.Scenario, samples: int = 4000) -> np.ndarray:
    """Hours of the backlog delays of each sample of the trip, on the network as assumed."""
    trip = run_scenario(
        scenario.derive(routes=[ROUTE]), network.uncalibrated(), samples=samples
    ).trips[0]
    cols = [j for j, c in enumerate(trip.components) if c.probability_source == SHARE]
    assert cols
    return trip.hours[:, cols].sum(axis=1)


def _shared(scenario: mc.Scenario, scale: float) -> mc.Scenario:
    change = mc.Change(figure_source=(SHARE,), scale=scale, note="share", source=SHARE)
    return scenario.derive(changes=(*scenario.changes, change))


def _probability(network: mc.Network) -> float:
    return chance_probabilities(network, [SHARE])[SHARE]


@pytest.mark.parametrize("scale", [1.0, 0.5, 2.0, 10.0])
def test_a_change_of_the_share_scales_how_many_trips_are_held(
    network: mc.Network, baseline: mc.Scenario, scale: float
) -> None:
    held = _held(network, _shared(baseline, scale))
    expected = min(1.0, _probability(network) * scale)
    # a binomial share of 4,000 trips: within four standard errors
    tolerance = 4 * np.sqrt(expected * (1 - expected) / held.size) + 1e-9
    assert np.mean(held > 0) == pytest.approx(expected, abs=tolerance)
    # the hours of a held container are the network's (21-34 days), whatever the share
    assert held[held > 0].min() >= 504 - 1e-9
    assert held[held > 0].max() <= 3 * 816  # at most one hold at each Caspian port


def test_the_share_does_not_depend_on_the_month(network: mc.Network, baseline: mc.Scenario) -> None:
    p = _probability(network)
    for month in (1, 7):
        trip = run_scenario(
            baseline.derive(routes=[ROUTE]), network.uncalibrated(), samples=2000, month=month
        ).trips[0]
        cols = [j for j, c in enumerate(trip.components) if c.probability_source == SHARE]
        held = trip.hours[:, cols].sum(axis=1)
        assert np.mean(held > 0) == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / 2000))


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"figure_source": (SHARE, "asm_port_documents"), "scale": 0.5}, "in a change of its own"),
        ({"figure_source": (SHARE,), "add": 5.0}, "only by a scale"),
        ({"figure_source": (SHARE, "asm_trip_pace"), "scale": 0.5}, "the probability of a delay"),
    ],
)
def test_a_share_change_it_cannot_take_is_refused(
    network: mc.Network, baseline: mc.Scenario, change: dict[str, Any], said: str
) -> None:
    scenario = baseline.derive(
        routes=[ROUTE], changes=(mc.Change(**change, note="share", source=SHARE),)
    )
    with pytest.raises(mc.ScenarioError) as info:
        run_scenario(scenario, network, samples=200)
    assert "changes.0" in str(info.value)
    assert said in str(info.value)


def _backlog(data: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in data["container"]["processes"] if "probability_source" in p)


def test_a_share_on_an_unknown_source_is_refused_with_a_close_match(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        _backlog(data)["probability_source"] = "asm_container_backlog_shares"

    with pytest.raises(mc.NetworkError) as info:
        load(edited_copy(tmp_path, "shipments.yaml", edit))
    said = str(info.value)
    for part in ("shipments.yaml", "container", "probability_source", SHARE):
        assert part in said


def test_a_share_limited_to_some_months_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        _backlog(data)["months"] = [11, 12]

    with pytest.raises(mc.NetworkError) as info:
        load(edited_copy(tmp_path, "shipments.yaml", edit))
    said = str(info.value)
    for part in ("shipments.yaml", "container", "probability_source", "every month"):
        assert part in said


def test_the_fit_refuses_two_probabilities_on_one_share(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        second = dict(_backlog(data), probability=0.2, nodes=["ALAT_PORT"])
        data["container"]["processes"].append(second)

    network = load(edited_copy(tmp_path, "shipments.yaml", edit))
    with pytest.raises(mc.NetworkError, match=r"0\.2, 0\.4.*give them one"):
        chance_probabilities(network, [SHARE])


def test_the_emulator_s_chance_is_the_model_s() -> None:
    rng = np.random.default_rng(5)
    samples = 500
    held = rng.uniform(500, 800, (samples, 1))  # hours if held, every trip
    uniform = rng.random((samples, 1))
    rest = rng.uniform(300, 400, samples)
    chances = EmulatedChances(held, uniform, np.array([0.4]), np.array([1]))
    obs: Any = SimpleNamespace(statistic="range")
    case = Case(obs, 20.0, 40.0, np.zeros((samples, 2)), rest, None, chances)
    for factor in (1.0, 0.5, 2.5, 4.0):
        f = np.array([1.0, factor])
        kept = uniform[:, 0] < min(1.0, 0.4 * factor)
        np.testing.assert_allclose(case.days(f), (rest + held[:, 0] * kept) / 24)
        stack = CaseStack.of([case], samples, 0, largest_miss=10.0)
        picked = case.days(f)[np.random.default_rng(0).choice(samples, samples, replace=False)]
        np.testing.assert_allclose(
            stack.quantiles(f)[:, 0], np.percentile(picked, [10, 50, 90]), rtol=1e-12
        )
    # what the case says the share constrains: its expected held hours over the total
    total = rest.mean() + 0.4 * held.mean()
    assert case.shares()[1] == pytest.approx(0.4 * held.mean() / total)


def test_held_days_rest_on_the_share_while_it_is_an_assumption(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    from midcorridor.analysis.evidence import trip_evidence

    scenario = baseline.derive(routes=[ROUTE])
    plain = network.uncalibrated()
    trip = run_scenario(scenario, plain, samples=2000).trips[0]
    found = trip_evidence(trip, plain, scenario.era)
    share = next(a for a in found.assumptions if a.source == SHARE)
    cols = [j for j, c in enumerate(trip.components) if c.probability_source == SHARE]
    assert share.days_mean == pytest.approx(trip.mean_hours[cols].sum() / 24)
    # the hours of a held container are derived (the trials); the share is not
    assert share.days_mean > 5
    assert plain.basis("mlit_trials_winter_2025") == "derived"
    # calibrated, the share is weaker than the trials: the held days count as calibrated
    if network.basis(SHARE) == "calibrated":
        trip = run_scenario(scenario, network, samples=2000).trips[0]
        found = trip_evidence(trip, network, scenario.era)
        cols = [j for j, c in enumerate(trip.components) if c.probability_source == SHARE]
        assert found.days_by_basis["calibrated"] == pytest.approx(trip.mean_hours[cols].sum() / 24)


def test_explain_cites_what_the_share_rests_on(network: mc.Network, baseline: mc.Scenario) -> None:
    from midcorridor.views.run_tables import explain_table

    trip = run_scenario(baseline.derive(routes=[ROUTE]), network, samples=500).trips[0]
    table, citations = explain_table(trip, network, era=baseline.era)
    number = next(i + 1 for i, line in enumerate(citations) if f"] {SHARE}:" in line)
    held = [row for row in table.rows if f"[{number}] {network.basis(SHARE)}" in row[5]]
    assert held  # the backlog's row cites the share's key and its grade
    assert all(row[5].startswith("p=") for row in held)


def test_a_share_on_a_key_another_figure_rests_on_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        _backlog(data)["probability_source"] = "asm_wagon_supply"  # a wagonload's hours

    with pytest.raises(mc.NetworkError) as info:
        load(edited_copy(tmp_path, "shipments.yaml", edit))
    said = str(info.value)
    for part in ("shipments.yaml", "container", "probability_source", "asm_wagon_supply"):
        assert part in said
    assert "a probability rests on a key of its own" in said
