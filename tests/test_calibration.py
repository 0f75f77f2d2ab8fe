"""The baseline against published transit times.

The published figures are written out here, from the sources, as the spec: the test does
not read them back from ``network/targets.yaml``.
"""

from __future__ import annotations

import pytest

import midcorridor as mc
from midcorridor.analysis.calibration import Calibration, calibrate, era_scenarios
from midcorridor.inputs.scenario import default_scenario

#: Tolerance around a published range (docs/calibration.md): published figures are best
#: block-train claims, the model's P50 is the median container with its waits.
BELOW, ABOVE = 0.9, 1.3

#: Published transit times, days (low, high), by target name.
PUBLISHED_DAYS = {
    # Kazakhstan Ministry of Transport via KazTAG, 2024-10-04.
    "Altynkol-Baku (Alat), block train 2024": (9, 9),
    "Altynkol-Poti, block train 2024": (12, 12),
    "Altynkol-Constanta, block train 2024": (20, 22),
    # Kazakh government meeting, newscentralasia.net, 2023-03-04.
    "Kazakh transit section, China border to Caspian port, 2023": (6, 6),
    # Official TITR guidance via navisgroup.com.ua, 2025-08-27.
    "Xi'an-Constanta, Middle Corridor, 2025": (31, 34),
    "Xi'an-Duisburg, Middle Corridor, 2025": (32, 37),
    # interreg-central.eu (Xi'an-Slawkow 12 days); Forbes, W. Shepard 2017.
    "Xi'an-Duisburg through Russia": (12, 20),
}


#: Required targets the model misses, and why: each is asserted to be missed (a strict
#: expected failure), so it is listed here, in `midcorridor calibrate` and in
#: docs/calibration.md until the evidence settles it. Figures are never tuned to a target.
KNOWN_MISSES = {
    "Xi'an-Constanta, Middle Corridor, 2025": (
        "below the band (24.9 d P50 against 27.9-44.2) since Dostyk's flatcar wait, published "
        "for cargo bound for China, no longer applies westbound (data review 3, 3a), and "
        "faster still at the fit's posterior medians"
    ),
    "Kazakh transit section, China border to Caspian port, 2023": (
        "below the band (4.5 d P50 against 5.4-7.8): the fit's median on the Kazakh Middle "
        "Corridor speed (x0.79) follows the faster official and first-train times of "
        "2024-2025, and 2023 runs on the same era-2025 network"
    ),
}


@pytest.fixture(scope="module")
def calibration(network: mc.Network, baseline: mc.Scenario) -> Calibration:
    return calibrate(network, baseline, samples=4000)


def test_every_published_figure_is_a_required_target(network: mc.Network) -> None:
    times = network.require_targets().times
    assert {t.name for t in times if t.required} == set(PUBLISHED_DAYS)


@pytest.mark.parametrize(
    ("name", "published"),
    [
        pytest.param(
            name,
            days,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[name])]
            if name in KNOWN_MISSES
            else [],
        )
        for name, days in PUBLISHED_DAYS.items()
    ],
    ids=list(PUBLISHED_DAYS),
)
def test_model_lies_within_the_tolerance_of_the_published_figure(
    calibration: Calibration, name: str, published: tuple[float, float]
) -> None:
    row = next(r for r in calibration if r.target.name == name)
    low, high = published
    assert BELOW * low <= row.value <= ABOVE * high, (name, row.value)
    assert row.met
    assert not row.saturated


def test_all_required_targets_but_the_known_misses_are_counted_as_met(
    calibration: Calibration,
) -> None:
    assert calibration.required == len(PUBLISHED_DAYS)
    assert calibration.required_met == calibration.required - len(KNOWN_MISSES)
    assert {r.target.name for r in calibration.missed} == set(KNOWN_MISSES)


def test_the_brief_headline_is_a_single_container_target_reported_with_its_gap(
    calibration: Calibration,
) -> None:
    context = {r.target.name: r for r in calibration if not r.target.required}
    middle = context["Kazakhstan-Romania, Middle Corridor, single container (brief)"]
    north = context["Kazakhstan-Romania through Russia, single container (brief)"]
    ratio = context[
        "Through Russia / Middle Corridor, Kazakhstan-Romania, single container (brief)"
    ]
    block = next(
        r for r in calibration.rows if r.target.name == "Altynkol-Constanta, block train 2024"
    )
    assert middle.target.shipment == north.target.shipment == "container"
    # Year-round, a single container takes about 50 days: the share of them held weeks
    # in the Caspian port backlog is calibrated against the observed container times.
    # Yomiuri's figure is one of them, so this is in sample; calibrate's scores hold it
    # out (the fold without its source puts its P50 inside 45-55 days too).
    assert block.value < 45 <= middle.value <= 55
    assert middle.met
    # Through Russia is faster for a single container too: a third of the time, below
    # the brief's "half", and calibrate reports the gap.
    assert north.value < middle.value
    assert not ratio.met
    assert 0.25 <= ratio.value < 0.4


def test_a_single_container_takes_about_50_days_in_winter_and_in_summer(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    """The brief's "about 50 days" (Yomiuri 2024-08-09) holds in every month.

    It comes from the 2024-25 Aktau waits of single consignments (MLIT trials) and the
    calibrated share of single containers held in that backlog, the same in every month,
    with the rest of the network unchanged. The brief's band is 45-55 days; the test
    asserts 45-60 days in December and in June (the band's lower end, and a bound five
    days above its upper end, for 2,000 samples and the winter's storms), and more than
    twice the route through Russia.
    """
    spec = mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="middle")
    routes = (
        spec.model_copy(update={"shipment": "container", "label": "container"}),
        spec.model_copy(update={"corridor": "northern", "shipment": "container", "label": "north"}),
    )
    run = mc.run_scenario(
        baseline.model_copy(update={"routes": routes}), network, samples=2000, month=12
    )
    middle, north = (run.trip(label).days()["p50"] for label in ("container", "north"))
    assert 45 <= middle <= 60
    assert middle > 2.5 * north
    summer = mc.run_scenario(
        baseline.model_copy(update={"routes": routes[:1]}), network, samples=2000, month=6
    )
    assert 45 <= summer.trips[0].days()["p50"] <= 60


def test_the_2022_targets_run_on_the_2022_conditions(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    eras = era_scenarios(default_scenario().parent)
    assert set(eras) == {"2022"}
    result = calibrate(network, baseline, samples=1000, eras=eras)
    rows = {r.target.name: r for r in result if r.target.era == "2022"}
    # The 2022 border reloading queue (a sourced 6 days) is what the 2022 section adds.
    section = "Kazakh transit section, China border to Caspian port, {}"
    by_name = {r.target.name: r for r in result}
    added = by_name[section.format(2022)].value - by_name[section.format(2023)].value
    assert 5.0 < added < 7.0
    # China to the Black Sea in 2022 (38-53 days) is missed and the gap is stated.
    poti = rows["Altynkol-Poti (China border to the Black Sea), 2022"]
    assert not poti.met
    assert poti.gap < 0
    assert poti.to_dict()["evidence_gap"]
    assert [r.target.era for r in result] == sorted(
        (r.target.era for r in result), key=lambda era: era != "2025"
    )


def test_a_target_timed_door_to_door_gets_the_door_legs(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    door = next(t for t in network.require_targets().times if t.door_to_door)
    terminal = door.model_copy(update={"door_to_door": False, "name": "terminal"})
    rows = {r.target.name: r.value for r in calibrate(network, baseline, [door, terminal])}
    legs = network.require_observations().door_legs
    assert legs is not None
    added_hours = (rows[door.name] - rows["terminal"]) * 24
    assert legs.hours.low < added_hours < legs.hours.high


def test_a_saturated_baseline_meets_nothing_on_the_saturated_routes(
    network: mc.Network,
) -> None:
    """A lower bound is never a calibrated value, even where it falls inside the band."""
    overloaded = mc.load_scenario(default_scenario("volume_x3"))
    result = calibrate(network, overloaded, samples=300)
    saturated = [r for r in result if r.saturated]
    assert saturated
    assert not any(r.met for r in saturated)
    assert result.missed
    data = result.to_dict()
    assert any(row["saturated"] and not row["met"] for row in data)
