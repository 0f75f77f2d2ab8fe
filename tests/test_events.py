"""Disruption events in time: the fluid backlog by hand, the cargo that switches, the
recorded Poland-Belarus closure against what was reported, and bad event files."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
import yaml

import midcorridor as mc
from cli_runner import invoke
from midcorridor.analysis.events import (
    EventImpact,
    _base_share,
    _Leg,
    _switch_probability,
    event_impact,
)
from midcorridor.inputs.bounds import Range
from midcorridor.model.events import fluid_backlog
from midcorridor.model.queues import TEU_PER_TRAIN
from midcorridor.model.trip import TripResult
from midcorridor.runs.choice import value_of_day_usd

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
POLAND = SCENARIOS / "poland_belarus_2025.yaml"
SAMPLES = 300


@pytest.fixture(scope="module")
def poland() -> mc.Scenario:
    return mc.load_scenario(POLAND)


@pytest.fixture(scope="module")
def impact(poland: mc.Scenario, network: mc.Network) -> EventImpact:
    return event_impact(poland, network, samples=SAMPLES)


def _variant(poland: mc.Scenario, **updates: object) -> mc.Scenario:
    return poland.derive(events=(poland.events[0].model_copy(update=updates),))


def test_a_closure_backlog_and_its_drain_by_hand() -> None:
    # 10 TEU an hour reach a place handling 20 an hour, closed from hour 10 to hour 20.
    arrivals = np.full(100, 10.0)
    capacity = np.full(100, 20.0)
    capacity[10:20] = 0.0
    backlog = fluid_backlog(arrivals, capacity)
    assert backlog.queue_teu[20] == pytest.approx(100.0)  # 10 h x 10 TEU
    assert backlog.drained_hour(20) == pytest.approx(30.0)  # 100 TEU at 20 - 10 an hour
    assert backlog.waits_hours[10] == pytest.approx(10.0)  # arrives as it closes: waits it out
    assert backlog.waits_hours[19] == pytest.approx(1.0 + 90.0 / 20.0)
    assert backlog.waits_hours[40] == pytest.approx(0.0, abs=1e-6)  # its own TEU only


def test_the_backlog_drains_at_the_sourced_capacity(
    impact: EventImpact, network: mc.Network
) -> None:
    capacity = network.nodes_by_id["BREST_MALASZEWICZE"].props.capacity
    assert capacity is not None
    teu_per_day = impact.capacity_teu_per_day
    assert teu_per_day == pytest.approx(capacity.trains_per_day * TEU_PER_TRAIN)
    assert teu_per_day is not None
    held_teu = impact.trains_stranded_at_end * TEU_PER_TRAIN
    # After the reopening the backlog drains at the capacity less the flow still arriving:
    # all of it if nobody switched any more, none of it if everybody did. A few percent
    # still switch, so the drain is close to the first.
    assert impact.days_to_recover is not None
    nobody = held_teu / (teu_per_day - impact.flow_teu_per_day)
    everybody = held_teu / teu_per_day
    assert everybody < impact.days_to_recover <= nobody
    assert impact.days_to_recover == pytest.approx(nobody, rel=0.12)
    # Closed 13 days: at most the flow of 13 days is held, less what switched.
    assert impact.trains_stranded_at_end <= impact.flow_teu_per_day * 13 / TEU_PER_TRAIN + 1e-6
    assert impact.trains_stranded_at_end > 0.9 * impact.flow_teu_per_day * 13 / TEU_PER_TRAIN


def test_departures_before_during_and_after_get_their_own_days(impact: EventImpact) -> None:
    start = impact.event.start
    weeks = [w for w in impact.weeks if w.trip == "Almaty-Constanta, via Russia"]
    before = [w for w in weeks if w.departs < start]
    during = [w for w in weeks if start <= w.departs < start.replace(day=25)]
    after = [w for w in weeks if w.departs.month == 11 or w.departs.day > 28]
    assert before
    assert during
    assert after
    # Two weeks before: arrives before the closure. One week before: arrives during it.
    assert before[0].wait_days == pytest.approx(0.0, abs=1e-6)
    assert before[-1].wait_days > 5
    assert all(w.wait_days > 0 for w in during)
    assert after[-1].wait_days == pytest.approx(0.0, abs=1e-6)
    assert after[-1].stay_p50_days < during[0].stay_p50_days
    # Nobody left before the announcement switches.
    assert all(w.share_switched == 0.0 for w in before)


def _leg(trip: TripResult, alternative: TripResult) -> _Leg:
    return _Leg(trip, 0.0, 0.0, alternative, 0.0, None, np.zeros(1))


def test_the_base_share_is_the_observed_share_of_the_two_corridors(
    poland: mc.Scenario, network: mc.Network
) -> None:
    """Northern cargo weighing the Middle Corridor: without the event the Middle Corridor's
    share of the two is what network/choice.yaml observed (all markets together), whatever
    the two routes' days and USD; two routes of one corridor, their generalized costs."""
    book = yaml.safe_load((ROOT / "network" / "choice.yaml").read_text(encoding="utf-8"))
    middle = book["observed_shares"]["middle"]["value"]
    northern = book["observed_shares"]["northern"]["value"]
    run = mc.run_scenario(
        poland.derive(
            routes=(
                mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="northern"),
                mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="middle"),
            ),
            events=(),
        ),
        network,
        samples=100,
    )
    by_rail, by_caspian = run.trips
    assert _base_share(_leg(by_rail, by_caspian), by_caspian, network) == pytest.approx(
        middle / (middle + northern)  # 0.003658 / 0.030331 = 0.1206
    )
    assert _base_share(_leg(by_caspian, by_rail), by_rail, network) == pytest.approx(
        northern / (middle + northern)
    )
    # The same route as its own alternative: equal costs, an even split.
    assert _base_share(_leg(by_rail, by_rail), by_rail, network) == pytest.approx(0.5)


def test_the_share_switched_grows_from_none_with_the_wait_by_hand(network: mc.Network) -> None:
    """Pivot-point logit: logit p(w) = logit p0 + value of a day x w / scale; the route's
    cargo that switches is (p(w) - p0) / (1 - p0)."""
    p0 = 0.1206
    waits = np.array([0.0, 5.0, 13.0, 60.0])
    switched = _switch_probability(waits, p0, network)
    assert switched[0] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.diff(switched) > 0)
    scale = network.require_choice().cost_scale_usd.value
    odds = p0 / (1 - p0) * np.exp(value_of_day_usd(network) * 13.0 / scale)
    assert switched[2] == pytest.approx((odds / (1 + odds) - p0) / (1 - p0))


def test_a_known_closure_reroutes_more_than_an_unknown_one_of_the_same_length(
    poland: mc.Scenario, network: mc.Network, impact: EventImpact
) -> None:
    known = event_impact(_variant(poland, known=True), network, samples=SAMPLES)
    assert known.share_switched > impact.share_switched
    assert known.trains_stranded_at_end < impact.trains_stranded_at_end


def test_a_closure_longer_than_the_horizon_sends_uncommitted_cargo_elsewhere(
    poland: mc.Scenario, network: mc.Network
) -> None:
    endless = event_impact(_variant(poland, days=1500, known=True), network, samples=SAMPLES)
    later = [
        w
        for w in endless.weeks
        if w.trip == "Almaty-Constanta, via Russia" and w.departs > endless.event.start
    ]
    assert later
    assert min(w.share_switched for w in later) > 0.95
    assert endless.teu_days_lost["middle"] > 0  # the switched cargo takes longer
    assert endless.days_to_recover is None or endless.days_to_recover > 0


def test_the_recorded_closure_against_what_was_reported(impact: EventImpact) -> None:
    """Over 130 trains held at Brest; the backlog cleared within one to four weeks.

    The model holds the 13 days' flow through Małaszewicze, 71% of the northern volume
    (network/nodes.geojson, ERAI 2024): about 124 trains, 5% below the reported lower
    bound (the ERFA's "nearly 90%" via Poland would give about 157). A gap, reported by
    ``midcorridor events`` and in the README, not tuned away."""
    reported = {r.measure: r for r in impact.event.reported}
    assert reported["days_to_recover"].holds(impact.days_to_recover)
    trains = reported["trains_stranded_at_end"]
    assert trains.low is not None
    assert 0.85 * trains.low <= impact.trains_stranded_at_end <= 1.25 * trains.low


def _write(tmp_path: Path, event: dict[str, object]) -> Path:
    path = tmp_path / "event.yaml"
    data = {"name": "e", "extends": str(POLAND), "events": [event]}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


BASE_EVENT = {"name": "x", "node": "BREST_MALASZEWICZE", "start": "2025-09-12", "days": 5}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"days": -3}, "days", "greater than 0"),
        ({"days": 100_000}, "days", "less than or equal to 1500"),
        ({"capacity": 1.5}, "capacity", "less than 1"),
        ({"link": "A-B"}, "events.0", "exactly one of node, link"),
        (
            {"recovery": [{"days": 5, "capacity": 0.8}, {"days": 9, "capacity": 0.4}]},
            "events.0",
            "must not fall",
        ),
        (
            {"recovery": [{"days": 5, "capacity": 0.5}, {"days": 3, "capacity": 0.8}]},
            "events.0",
            "must increase",
        ),
    ],
)
def test_a_bad_event_names_file_entry_and_field(
    tmp_path: Path, change: dict[str, object], field: str, words: str
) -> None:
    path = _write(tmp_path, {**BASE_EVENT, **change})
    with pytest.raises(mc.ScenarioError) as caught:
        mc.load_scenario(path)
    text = str(caught.value)  # the message and every problem
    assert "event.yaml" in text
    assert field in text
    assert words in text


def test_an_event_on_an_unknown_place_names_it_with_a_close_match(
    tmp_path: Path, network: mc.Network
) -> None:
    path = _write(tmp_path, {**BASE_EVENT, "node": "Malaszewice"})
    scenario = mc.load_scenario(path)
    with pytest.raises(mc.ScenarioError, match=r"events\.1\.node") as caught:
        event_impact(scenario, network, 1, samples=SAMPLES)
    assert "did you mean" in str(caught.value)
    assert "BREST_MALASZEWICZE" in str(caught.value)


@pytest.mark.slow
def test_events_command_prints_the_check_and_refuses_an_unknown_event(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = invoke(["events", str(POLAND), "--samples", "300"], capsys, monkeypatch)
    assert code == 0, err
    assert "trains held when it ends" in out
    assert "at least 130" in out
    code, out, err = invoke(
        ["events", str(POLAND), "--event", "Poland closes"], capsys, monkeypatch
    )
    assert code == 2
    assert "no event 'Poland closes'" in err
    assert "Traceback" not in err


# --- expected annual loss --------------------------------------------------------------


def test_annual_loss_is_frequency_times_the_loss_of_an_event(
    poland: mc.Scenario, network: mc.Network
) -> None:
    """A fixed length: the mean loss a year is per_year times one event's loss (Poisson)."""
    fixed = Range(low=13, mode=13, high=13)
    scenario = _variant(poland, per_year=0.5, days_range=fixed)
    loss = mc.annual_loss(scenario, network, years=20_000, samples=SAMPLES, seed=1)
    one = event_impact(scenario, network, samples=SAMPLES).teu_days_lost
    for corridor, lost in one.items():
        assert loss.teu_days[corridor]["mean"] == pytest.approx(0.5 * lost, rel=0.05)
    # Most years have no event; about one in a hundred has three or more.
    assert loss.teu_days["northern"]["p50"] == 0.0
    assert loss.teu_days["northern"]["p99"] >= 2 * one["northern"]
    assert loss.usd["northern"]["mean"] > 0


def test_annual_loss_needs_a_recurring_event(poland: mc.Scenario, network: mc.Network) -> None:
    once = _variant(poland, per_year=None, days_range=None)
    with pytest.raises(mc.ScenarioError, match="no event recurs"):
        mc.annual_loss(once, network, years=100)


def test_a_recurring_event_needs_its_range(tmp_path: Path) -> None:
    path = _write(tmp_path, {**BASE_EVENT, "per_year": 0.2})
    with pytest.raises(mc.ScenarioError, match="needs both per_year and days_range"):
        mc.load_scenario(path)


def test_a_queue_that_never_drains_reads_as_such_not_as_a_number(impact: EventImpact) -> None:
    """Weeks whose cargo reaches a queue that never drains (its waits infinite) are shown
    as such, with a note, never as "inf"; the other weeks keep their days."""
    from midcorridor.views.event_tables import NEVER_DRAINS, event_weeks_table

    last = len(impact.weeks) - 1
    endless = dataclasses.replace(
        impact.weeks[last],
        wait_days=math.inf,
        stay_p10_days=math.inf,
        stay_p50_days=math.inf,
        stay_p90_days=math.inf,
    )
    table = event_weeks_table(dataclasses.replace(impact, weeks=(*impact.weeks[:last], endless)))
    assert table.rows[last][3:5] == (NEVER_DRAINS, NEVER_DRAINS)
    assert all(NEVER_DRAINS not in row for row in table.rows[:last])
    assert any("Never drains:" in note for note in table.notes)
    assert not any("Never drains:" in note for note in event_weeks_table(impact).notes)
