"""Journeys in time: timetabled departures on a clock, booked trains, monthly queues."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import midcorridor as mc
from components import make_component
from midcorridor.model.delays import Adjustment, Component, Dist
from midcorridor.model.journeys import FULL_DEPARTURE, Journey, in_time
from midcorridor.model.sampling import draw_hours, plan_journey, sample_hours
from midcorridor.model.timetable import Timetable
from midcorridor.runs.runner import PlannedTrip, plan_trips
from midcorridor.vocabulary import DAYS_IN_MONTH, STAGES

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
MIDDLE = "Almaty-Constanta, Middle Corridor"
RUSSIA = "Almaty-Constanta, via Russia"
SAMPLES = 1_000


_comp = make_component


def _plan_stage_hours(**hours: float) -> tuple[float, ...]:
    return tuple(hours.get(stage, 0.0) for stage in STAGES)


def _scenario(tmp_path: Path, body: str) -> mc.Scenario:
    """A scenario extending the baseline (absolute path, built here), written to tmp_path."""
    path = tmp_path / "scenario.yaml"
    path.write_text(f"extends: {json.dumps(str(BASELINE))}\n{body}", encoding="utf-8")
    return mc.load_scenario(path)


def _planned(trips: list[PlannedTrip], label: str) -> PlannedTrip:
    return next(t for t in trips if t.label == label)


@pytest.fixture(scope="module")
def baseline_trips(network: mc.Network, baseline: mc.Scenario) -> list[PlannedTrip]:
    return plan_trips(baseline, network)


# --- no timetable: the plain sampler, bit for bit ---------------------------------------

BOOKED = Journey(
    shipment="container",
    connection="booked",
    month=3,
    plan_hours=100.0,
    plan_stage_hours=_plan_stage_hours(documents=50.0),
)


def test_a_route_without_timetable_draws_the_plain_numbers(
    baseline_trips: list[PlannedTrip],
) -> None:
    trip = _planned(baseline_trips, RUSSIA)
    assert not in_time(trip.components)
    for journey in (BOOKED, Journey(), Journey(month=11)):
        plain_rng, walked_rng = np.random.default_rng(3), np.random.default_rng(3)
        plain = sample_hours(trip.components, 5_000, plain_rng, trip.adjustments)
        walked, stats = draw_hours(trip.components, 5_000, walked_rng, trip.adjustments, journey)
        np.testing.assert_array_equal(walked, plain)
        assert stats == []
        # Nothing more was drawn either: the generators are in the same state.
        assert walked_rng.random() == plain_rng.random()


def test_hand_built_components_without_timetable_draw_the_plain_numbers() -> None:
    storms = tuple(0.05 * m for m in range(12))
    comps = [
        _comp("documents", Dist(2, 30, alpha=2, beta=5)),
        _comp("ferry_wait", Dist(0, 168), link="L"),  # a uniform wait: no timetable
        _comp(
            "weather",
            Dist(10, 40, alpha=3, beta=3),
            probability=0.3,
            link="L",
            probability_by_month=storms,
        ),
        _comp("congestion", Dist(0, 0), empirical=np.array([1.0, 5.0, 50.0])),
    ]
    assert not in_time(comps)
    plain = sample_hours(comps, 3_000, np.random.default_rng(8))
    walked = sample_hours(comps, 3_000, np.random.default_rng(8), journey=BOOKED)
    np.testing.assert_array_equal(walked, plain)


def test_a_stripped_timetable_gives_the_uniform_wait(
    network: mc.Network, baseline_trips: list[PlannedTrip]
) -> None:
    trip = _planned(baseline_trips, MIDDLE)
    timed = trip.components
    ferry = [j for j, c in enumerate(timed) if c.timetable is not None]
    assert len(ferry) == 1
    j = ferry[0]
    assert timed[j].link == "POTI-CONSTANTA"
    assert timed[j].timetable == Timetable(168.0)
    assert in_time(timed)
    stripped = [replace(c, timetable=None) for c in timed]
    assert not in_time(stripped)

    n = 20_000
    journey = plan_journey(timed, shipment_class=network.shipments["block_train"], seed=1)
    assert journey.connection == "booked"
    assert journey.plan_hours is not None
    plain = sample_hours(stripped, n, np.random.default_rng(4), trip.adjustments)
    np.testing.assert_array_equal(
        sample_hours(stripped, n, np.random.default_rng(4), trip.adjustments, journey), plain
    )
    # The uniform-wait model: up to the headway, uniform.
    wait = plain[:, j]
    assert wait.min() >= 0
    assert wait.max() <= 168
    assert wait.mean() == pytest.approx(84, abs=2)
    np.testing.assert_allclose(np.percentile(wait, [25, 75]), [42, 126], atol=3)
    # With the timetable, the walk replaces that column only: every other delay keeps
    # its draw to the last digit.
    walked = sample_hours(timed, n, np.random.default_rng(4), trip.adjustments, journey)
    others = np.arange(len(timed)) != j
    np.testing.assert_array_equal(walked[:, others], plain[:, others])
    assert not np.array_equal(walked[:, j], wait)


# --- a booked connection ----------------------------------------------------------------

HEADWAY = 168.0
CUTOFF = 6.0
PLAN = 36.0


def _booked_trip() -> list[Component]:
    """Documents (uniform 0-48 h), a 100 h hold in 10 % of trips, then a weekly ferry."""
    return [
        _comp("documents", Dist(0, 48)),
        _comp("congestion", Dist(100, 100), probability=0.1),
        _comp(
            "ferry_wait",
            Dist(0, HEADWAY),
            link="FERRY",
            timetable=Timetable(HEADWAY, first_departure_hours=30, cutoff_hours=CUTOFF),
        ),
        _comp("sea", Dist(60, 80, alpha=2, beta=3), link="FERRY"),
    ]


BOOKED_PLAN = Journey(
    shipment="block_train",
    connection="booked",
    plan_hours=PLAN,
    plan_stage_hours=_plan_stage_hours(documents=24.0, congestion=10.0),
)


def test_a_booked_train_misses_its_sailing_when_upstream_overruns_the_plan() -> None:
    n = 40_000
    hours, stats = draw_hours(_booked_trip(), n, np.random.default_rng(21), journey=BOOKED_PLAN)
    assert len(stats) == 1
    conn = stats[0]
    assert conn.link == "FERRY"
    assert conn.samples == n
    upstream = hours[:, :2].sum(axis=1)
    late = upstream > PLAN
    # Late: documents over 36 h (a quarter) or the hold (a tenth): 0.1 + 0.9 x 0.25.
    assert conn.missed == int(late.sum())
    assert conn.missed_share == pytest.approx(0.325, abs=0.01)
    # On plan, the train reaches the ferry's cut-off at the plan's hour and leaves on its
    # booked sailing; late, it leaves a headway later (the hold is shorter than a week).
    to_departure = hours[:, :3].sum(axis=1)
    np.testing.assert_allclose(to_departure[~late], PLAN + CUTOFF)
    np.testing.assert_allclose(to_departure[late], PLAN + CUTOFF + HEADWAY)
    # So a late train waits a headway less its overrun, an on-plan one its lead on the plan
    # plus the cut-off: every late wait is longer than every on-plan one.
    np.testing.assert_allclose(hours[late, 2], HEADWAY + CUTOFF - (upstream[late] - PLAN))
    np.testing.assert_allclose(hours[~late, 2], CUTOFF + (PLAN - upstream[~late]))
    assert hours[late, 2].min() > hours[~late, 2].max()
    # The reason is the upstream stage that overran its plan: the hold where it
    # happened (100 h against a plan of 10), else the documents.
    held = hours[:, 1] > 0
    assert conn.reasons == {
        "documents": int((late & ~held).sum()),
        "congestion": int((late & held).sum()),
    }
    assert (late & held).sum() == held.sum()  # the hold alone overruns the plan
    assert conn.to_dict()["reasons"] == pytest.approx(
        {"documents": (late & ~held).sum() / late.sum(), "congestion": held.sum() / late.sum()}
    )


def test_plan_journey_plans_the_booked_share(network: mc.Network) -> None:
    trip = _booked_trip()
    journey = plan_journey(
        trip, shipment="block_train", shipment_class=network.shipments["block_train"], seed=3
    )
    assert journey.connection == "booked"
    assert journey.plan_hours is not None
    assert journey.plan_stage_hours is not None
    # The plan is the 0.8 quantile of documents + hold: 0.9 x (plan / 48) = 0.8.
    assert journey.plan_hours == pytest.approx(48 * 0.8 / 0.9, abs=1.0)
    means = dict(zip(STAGES, journey.plan_stage_hours, strict=True))
    assert means["documents"] == pytest.approx(24, abs=1)
    assert means["congestion"] == pytest.approx(10, abs=1.5)
    _, stats = draw_hours(trip, 20_000, np.random.default_rng(5), journey=journey)
    assert stats[0].missed_share == pytest.approx(0.2, abs=0.015)
    # On arrival (no booking) there is nothing to miss without full departures.
    container = plan_journey(trip, shipment="container", shipment_class=None)
    assert container.plan_hours is None
    _, stats = draw_hours(trip, 20_000, np.random.default_rng(5), journey=container)
    assert stats[0].missed == 0


def test_digitized_documents_save_the_sailings_they_no_longer_miss() -> None:
    trip = _booked_trip()
    n = 40_000
    halved = [Adjustment(scale=0.5), Adjustment(), Adjustment(), Adjustment()]
    before, [conn_before] = draw_hours(trip, n, np.random.default_rng(9), journey=BOOKED_PLAN)
    after, [conn_after] = draw_hours(trip, n, np.random.default_rng(9), halved, journey=BOOKED_PLAN)
    # Same draws (common random numbers), documents halved, the same plan.
    np.testing.assert_allclose(after[:, 0], before[:, 0] / 2)
    np.testing.assert_array_equal(after[:, 1], before[:, 1])
    np.testing.assert_array_equal(after[:, 3], before[:, 3])
    # Documents now at most 24 h: only the hold makes a train late.
    assert conn_after.missed_share < conn_before.missed_share
    assert conn_after.missed == int((before[:, 1] > 0).sum())
    assert conn_after.reasons == {"congestion": conn_after.missed}
    removed = (before[:, 0] - after[:, 0]).mean()
    saved = (before.sum(axis=1) - after.sum(axis=1)).mean()
    assert removed == pytest.approx(12, abs=0.5)
    # Each sailing no longer missed saves a week; the on-plan trains only wait longer
    # at the quay: about 0.225 x 168 = 38 h saved for 12 h of paperwork removed.
    expected = HEADWAY * (conn_before.missed - conn_after.missed) / n
    assert saved == pytest.approx(expected, rel=1e-6)
    assert saved > 2 * removed
    assert saved == pytest.approx(0.225 * HEADWAY, rel=0.05)


# --- full departures, end to end ----------------------------------------------------------


BLOCK_AND_CONTAINER = """
routes:
  - {origin: Almaty, destination: Constanta, corridor: middle, label: block}
  - {origin: Almaty, destination: Constanta, corridor: middle, shipment: container,
     label: container}
"""


def test_full_departures_roll_containers_not_block_trains(
    tmp_path: Path, network: mc.Network
) -> None:
    scenario = _scenario(
        tmp_path,
        "name: poti_full\n"
        + BLOCK_AND_CONTAINER
        + """
services:
  - link: POTI-CONSTANTA
    demand_teu_per_week: {block_train: 100, container: 150}
    note: 200 TEU a sailing; 100 for block trains, 150 for containers
    source: test
""",
    )
    run = mc.run_scenario(scenario, network, samples=SAMPLES)
    block, container = run.trip("block"), run.trip("container")
    [block_conn] = block.connections
    [container_conn] = container.connections
    assert block_conn.link == container_conn.link == "POTI-CONSTANTA"
    # Containers get 100 TEU a week for 150: nearly every one is rolled over.
    assert container_conn.samples == SAMPLES
    assert container_conn.missed_share > 0.9
    assert container_conn.reasons == {FULL_DEPARTURE: container_conn.missed}
    # Block trains board first: misses, if any, are their own upstream delays.
    assert FULL_DEPARTURE not in block_conn.reasons
    assert block_conn.missed_share == pytest.approx(0.2, abs=0.04)
    assert sum(block_conn.reasons.values()) == block_conn.missed
    assert container.stages_days()["ferry_wait"] > block.stages_days()["ferry_wait"] + 30
    assert any("POTI-CONSTANTA" in w for w in container.warnings)

    # Without the demand, departures have room for every container.
    routes_only = _scenario(tmp_path, "name: poti_room\n" + BLOCK_AND_CONTAINER)
    plain = mc.run_scenario(routes_only, network, samples=SAMPLES).trip("container")
    assert plain.connections[0].missed == 0
    assert plain.days()["mean"] < container.days()["mean"] - 30


def test_a_class_without_demand_boards_where_there_is_room(
    tmp_path: Path, network: mc.Network
) -> None:
    """Demand given for one class only: the other classes' demand is zero, not an error."""
    scenario = _scenario(
        tmp_path,
        "name: containers_only\n"
        + BLOCK_AND_CONTAINER
        + """
  - {origin: Almaty, destination: Constanta, corridor: middle, shipment: wagonload,
     label: wagons}
services:
  - {link: POTI-CONSTANTA, demand_teu_per_week: {container: 150}, note: n, source: test}
""",
    )
    run = mc.run_scenario(scenario, network, samples=SAMPLES)
    # Block trains and wagons board before single containers: 150 TEU a week fit in 200.
    for label in ("block", "wagons", "container"):
        assert FULL_DEPARTURE not in run.trip(label).connections[0].reasons


def test_booked_trains_roll_when_their_own_demand_overfills_the_sailings(
    tmp_path: Path, network: mc.Network
) -> None:
    scenario = _scenario(
        tmp_path,
        "name: block_full\n"
        + BLOCK_AND_CONTAINER
        + """
services:
  - {link: POTI-CONSTANTA, demand_teu_per_week: {block_train: 400}, note: n, source: test}
""",
    )
    run = mc.run_scenario(scenario, network, samples=SAMPLES)
    [conn] = run.trip("block").connections
    assert conn.reasons.get(FULL_DEPARTURE, 0) > 0.5 * SAMPLES
    assert conn.missed_share > 0.9
    roomy = mc.run_scenario(
        _scenario(tmp_path, "name: r\n" + BLOCK_AND_CONTAINER), network, samples=SAMPLES
    )
    assert run.trip("block").days()["mean"] > roomy.trip("block").days()["mean"] + 30


SURGE = [1087.0] * 9 + [3261.0, 3261.0] + [1087.0]  # three times the 2024 volume in Oct-Nov


def _surge(tmp_path: Path) -> mc.Scenario:
    """Almaty-Constanta on the Middle Corridor with a Middle Corridor surge in Oct-Nov."""
    return _scenario(
        tmp_path,
        f"""
name: autumn_surge
volume: {{middle: {json.dumps(SURGE)}, northern: 7923}}
routes:
  - {{origin: Almaty, destination: Constanta, corridor: middle, label: middle}}
""",
    )


def test_a_booked_plan_follows_the_month_of_a_monthly_volume(
    tmp_path: Path, network: mc.Network
) -> None:
    """Year-round results equal the average of the months (the plan is made per month)."""
    scenario = _surge(tmp_path)
    year = mc.run_scenario(scenario, network, samples=6_000).trip("middle").days()["mean"]
    months = [
        mc.run_scenario(scenario, network, samples=1_000, month=m).trip("middle").days()["mean"]
        for m in range(1, 13)
    ]
    assert year == pytest.approx(float(np.average(months, weights=DAYS_IN_MONTH)), rel=0.1)


# --- month dependence, end to end -------------------------------------------------------


def test_a_volume_surge_lengthens_trips_in_and_after_it(
    tmp_path: Path, network: mc.Network
) -> None:
    scenario = _surge(tmp_path)

    def mean_days(month: int) -> float:
        run = mc.run_scenario(scenario, network, samples=SAMPLES, month=month)
        return run.trip("middle").days()["mean"]

    june, october, november, december = (mean_days(m) for m in (6, 10, 11, 12))
    assert october > june + 5
    assert november > june + 5
    assert december > june + 5  # the backlog of the surge is still draining

    # The same through the walk: a trip planned for a month drawn per sample reads the
    # Caspian waits of the month it reaches the port.
    [trip] = plan_trips(scenario, network)
    caspian = [j for j, c in enumerate(trip.components) if c.empirical_by_month is not None]
    assert caspian
    assert in_time(trip.components)

    def walked_wait(month: int) -> float:
        hours = sample_hours(
            trip.components, 4_000, np.random.default_rng(2), trip.adjustments, Journey(month=month)
        )
        return float(hours[:, caspian].sum(axis=1).mean())

    assert walked_wait(11) > walked_wait(6) + 24
    assert walked_wait(12) > walked_wait(6) + 24


# --- shipment classes -----------------------------------------------------------------------


def test_each_shipment_class_adds_its_own_delays(tmp_path: Path, network: mc.Network) -> None:
    scenario = _scenario(
        tmp_path,
        """
name: classes
routes:
  - {origin: Almaty, destination: Constanta, corridor: middle, label: block}
  - {origin: Almaty, destination: Constanta, corridor: middle, shipment: container,
     label: container}
  - {origin: Almaty, destination: Constanta, corridor: middle, shipment: wagonload,
     label: wagons}
""",
    )
    run = mc.run_scenario(scenario, network, samples=SAMPLES)
    block, container, wagons = (run.trip(x) for x in ("block", "container", "wagons"))
    assert [t.shipment for t in (block, container, wagons)] == [
        "block_train",
        "container",
        "wagonload",
    ]
    assert block.stages_days()["consolidation"] == 0
    assert not any(c.stage == "consolidation" for c in block.components)
    assert container.stages_days()["consolidation"] > 0.5
    assert container.route.links == block.route.links
    assert container.stages_days()["ferry_wait"] > block.stages_days()["ferry_wait"] + 1
    caspian = [lk for lk in wagons.route.links if network.links_by_id[lk].props.sea == "caspian"]
    assert caspian
    assert wagons.stages_days()["consolidation"] > 0.5
    # Only the booked block train plans its sailing; the others take the next one.
    assert block.connections[0].missed > 0
    assert container.connections[0].missed == wagons.connections[0].missed == 0


def test_twelve_zero_months_are_no_volume(tmp_path: Path, network: mc.Network) -> None:
    routes = "routes: [{origin: Almaty, destination: Constanta, corridor: middle, label: m}]\n"
    zero = _scenario(tmp_path, "name: zero\nvolume: {middle: 0}\n" + routes)
    months = _scenario(tmp_path, f"name: months\nvolume: {{middle: {[0] * 12}}}\n" + routes)
    days = [mc.run_scenario(s, network, samples=500).trip("m").total_days for s in (zero, months)]
    np.testing.assert_array_equal(days[0], days[1])
