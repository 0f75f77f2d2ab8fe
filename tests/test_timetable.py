"""Timetabled departures: departure tables, the fluid priority queue, monthly rates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from midcorridor.model.timetable import (
    HOURS_PER_YEAR,
    MONTH_START_HOURS,
    DepartureLoads,
    Timetable,
    cumulative_teu,
    departure_loads,
    month_of,
)

WEEK = 168.0
#: A weekly timetable with a departure exactly at the start of the fluid queue's warm-up
#: (-8,760 h = -52 weeks - 24 h): no part-week of arrivals before the first departure,
#: so every departure of the hand computations below gets a whole week of cargo.
ALIGNED = Timetable(WEEK, first_departure_hours=WEEK - 24)


def _flat(teu_per_week: float) -> list[float]:
    return [teu_per_week] * 12


# --- departure table -----------------------------------------------------------------


def test_known_table_gives_known_departures() -> None:
    table = Timetable(WEEK, first_departure_hours=100, cutoff_hours=24)
    # Departures at 100, 268, 436...; cut-offs 24 h before: 76, 244, 412...
    ready = np.array([0.0, 50.0, 76.0, 76.001, 200.0, 244.0, 244.001, 412.0, 412.5])
    expected = np.array([100.0, 100.0, 100.0, 268.0, 268.0, 268.0, 436.0, 436.0, 604.0])
    np.testing.assert_array_equal(table.next_departure(ready), expected)
    np.testing.assert_array_equal(table.index(ready), [0, 0, 0, 1, 1, 1, 2, 2, 3])
    # Waits: at most a headway plus the cut-off, never negative.
    waits = table.next_departure(ready) - ready
    np.testing.assert_allclose(waits, [100, 50, 24, 191.999, 68, 24, 191.999, 24, 191.5])


def test_index_arithmetic_at_exact_boundaries() -> None:
    table = Timetable(WEEK, first_departure_hours=100, cutoff_hours=24)
    for k in (-3, -1, 0, 1, 7, 52):
        cut_off = 100 + k * WEEK - 24
        assert table.departure_hours(k) == pytest.approx(100 + k * WEEK)
        assert int(table.index(cut_off)) == k  # ready exactly at the cut-off: makes it
        assert int(table.index(cut_off + 1e-6)) == k + 1  # just after: the next one
        assert int(table.index(cut_off - WEEK + 1e-6)) == k  # just after the previous cut-off
    # Before the timetable's phase: negative numbers, the same arithmetic.
    np.testing.assert_array_equal(table.next_departure([-92.0, -91.0]), [-68.0, 100.0])
    # Scalars work as 0-d arrays.
    assert float(Timetable(24).next_departure(0.0)) == 0.0
    assert float(Timetable(24).next_departure(0.5)) == 24.0


def test_zero_cutoff_and_phase_default() -> None:
    table = Timetable(34)
    np.testing.assert_array_equal(
        table.index([-34.0, -0.5, 0.0, 0.5, 34.0, 34.5]), [-1, 0, 0, 1, 1, 2]
    )


# --- fluid priority queue, by hand -----------------------------------------------------


@pytest.fixture
def crowded() -> DepartureLoads:
    """100 TEU a weekly departure; block trains and containers each 60 TEU a week."""
    return departure_loads(
        ALIGNED,
        100,
        {"block_train": _flat(60), "container": _flat(60)},
        until_hours=2 * WEEK,
    )


def test_fluid_queue_by_hand(crowded: DepartureLoads) -> None:
    loads = crowded
    assert loads.classes == ("block_train", "container")
    assert ALIGNED.departure_hours(loads.first_index) == pytest.approx(-HOURS_PER_YEAR)
    # Departure 0 of the run is at the start of the warm-up: nothing has arrived yet.
    # Then each departure: 60 TEU of each class; block trains board 60 of the 100 TEU,
    # containers get the other 40 and leave 20 behind every week.
    np.testing.assert_allclose(loads.arrivals_teu[:, :5], [[0, 60, 60, 60, 60]] * 2, atol=1e-9)
    np.testing.assert_allclose(loads.room_teu[0, :5], [100] * 5)
    np.testing.assert_allclose(loads.room_teu[1, :5], [100, 40, 40, 40, 40], atol=1e-9)
    np.testing.assert_allclose(loads.backlog_teu[0, :5], [0] * 5, atol=1e-9)
    np.testing.assert_allclose(loads.backlog_teu[1, :5], [0, 0, 20, 40, 60], atol=1e-9)
    # The backlog keeps growing by 20 TEU a week over the whole run: block trains never
    # leave anything behind.
    np.testing.assert_allclose(np.diff(loads.backlog_teu[1, 1:]), 20, atol=1e-6)
    np.testing.assert_allclose(loads.backlog_teu[0], 0, atol=1e-9)
    last = loads.departures - 1
    assert loads.backlog_teu[1, last] == pytest.approx(20 * (last - 1))


def test_position_in_the_queue_by_hand(crowded: DepartureLoads) -> None:
    loads = crowded
    for j in (1, 2, 3, 4, 10):
        # Ready between the cut-offs of departures j - 1 and j (of the run).
        number = loads.first_index + j
        ready = np.full(2, ALIGNED.departure_hours(number) - 1.0)
        position = np.array([0.0, 0.999])
        leaves, rolled = loads.departure_index("container", ready, position)
        # TEU ahead: backlog 20 (j - 1) plus the share of this week's 60 ahead of it;
        # each departure has 40 TEU of room for containers: rolled floor(ahead / 40) times.
        ahead = 20 * (j - 1) + 60 * position
        np.testing.assert_array_equal(rolled, np.floor(ahead / 40).astype(np.int64))
        np.testing.assert_array_equal(leaves, number + rolled)
        assert rolled[1] > rolled[0]  # the last in the week's queue waits longer
        # Block trains board first: they always make the first departure they can.
        leaves_b, rolled_b = loads.departure_index("block_train", ready, position)
        np.testing.assert_array_equal(rolled_b, [0, 0])
        np.testing.assert_array_equal(leaves_b, [number, number])
    # The queue grows: the first container of a later week rolls more often.
    early = loads.departure_index(
        "container", [ALIGNED.departure_hours(loads.first_index + 2)], [0]
    )
    late = loads.departure_index(
        "container", [ALIGNED.departure_hours(loads.first_index + 40)], [0]
    )
    assert late[1][0] > early[1][0]


def test_rollovers_count_departures_after_the_first_one_could_make(
    crowded: DepartureLoads,
) -> None:
    rng = np.random.default_rng(11)
    ready = rng.uniform(-HOURS_PER_YEAR + 1, WEEK, size=5_000)
    position = rng.random(5_000)
    for shipment in crowded.classes:
        leaves, rolled = crowded.departure_index(shipment, ready, position)
        np.testing.assert_array_equal(rolled, leaves - ALIGNED.index(ready))
        assert (rolled >= 0).all()
        # The departure left on is never before the ready time's cut-off.
        assert (ALIGNED.departure_hours(leaves) - ALIGNED.cutoff_hours >= ready).all()
    _, rolled_c = crowded.departure_index("container", ready, position)
    assert (rolled_c > 0).mean() > 0.9  # the backlog grows all year


def test_swapping_priority_swaps_who_rolls() -> None:
    loads = departure_loads(
        ALIGNED,
        100,
        {"container": _flat(60), "block_train": _flat(60)},
        until_hours=2 * WEEK,
    )
    assert loads.classes == ("container", "block_train")
    np.testing.assert_allclose(loads.room_teu[0, 1:5], 100)
    np.testing.assert_allclose(loads.room_teu[1, 1:5], 40, atol=1e-9)
    np.testing.assert_allclose(loads.backlog_teu[0], 0, atol=1e-9)
    np.testing.assert_allclose(loads.backlog_teu[1, :5], [0, 0, 20, 40, 60], atol=1e-9)
    ready = np.full(3, ALIGNED.departure_hours(loads.first_index + 5) - 10)
    position = np.array([0.0, 0.5, 0.999])
    np.testing.assert_array_equal(loads.departure_index("container", ready, position)[1], 0)
    np.testing.assert_array_equal(
        loads.departure_index("block_train", ready, position)[1], [2, 2, 3]
    )


def test_under_capacity_nothing_rolls() -> None:
    demand: dict[str, Sequence[float]] = {
        "block_train": [40, 45, 50, 55, 60, 55, 50, 45, 40, 35, 30, 35],
        "wagonload": _flat(20),
        "container": [20, 20, 25, 25, 30, 30, 30, 25, 25, 20, 20, 20],
    }
    loads = departure_loads(ALIGNED, 120, demand, until_hours=2 * HOURS_PER_YEAR)
    np.testing.assert_allclose(loads.backlog_teu, 0, atol=1e-9)
    rng = np.random.default_rng(5)
    ready = rng.uniform(-HOURS_PER_YEAR, 2 * HOURS_PER_YEAR, size=20_000)
    for shipment in demand:
        leaves, rolled = loads.departure_index(shipment, ready, rng.random(ready.size))
        np.testing.assert_array_equal(rolled, 0)
        np.testing.assert_array_equal(leaves, ALIGNED.index(ready))


def test_a_surge_builds_a_backlog_that_drains() -> None:
    # 60 TEU a week but 150 in March and April against 100 TEU a weekly departure:
    # about 50 TEU a week pile up in the surge and drain at 40 a week after it.
    container = [60.0, 60, 150, 150, 60, 60, 60, 60, 60, 60, 60, 60]
    loads = departure_loads(ALIGNED, 100, {"container": container}, until_hours=HOURS_PER_YEAR)
    numbers = loads.first_index + np.arange(loads.departures)
    times = ALIGNED.departure_hours(numbers)
    backlog = loads.backlog_teu[0]
    this_year = times >= 0
    months = month_of(times)
    before = this_year & (months <= 1)  # January-February
    assert backlog[before].max() == pytest.approx(0, abs=1e-9)
    peak = int(np.argmax(np.where(this_year, backlog, 0)))
    assert months[peak] in (3, 4)  # highest at the end of the surge (April) or just after
    # About 50 TEU a week over the 61 days of the surge, less what the weeks around it
    # leave free: a few hundred TEU.
    assert 300 < backlog[peak] < 61 / 7 * 50
    assert backlog[peak + 4] < backlog[peak]  # draining
    # Drained some weeks later: zero again from August, and for the rest of the year.
    after = this_year & (months >= 7)
    assert backlog[after].max() == pytest.approx(0, abs=1e-9)

    def rolled(month: int) -> float:
        """Mean roll-overs of containers ready in ``month`` (1-12) of year 0."""
        rng = np.random.default_rng(month)
        start = MONTH_START_HOURS[month - 1]
        ready = rng.uniform(start, MONTH_START_HOURS[month], size=4_000)
        return float(loads.departure_index("container", ready, rng.random(ready.size))[1].mean())

    assert rolled(2) == 0  # February: before the surge
    assert rolled(4) > 1  # April: in it
    assert rolled(5) > 1  # May: just after it, the backlog still drains
    assert rolled(5) > rolled(2)
    assert rolled(9) == 0  # September: drained


# --- monthly rates ---------------------------------------------------------------------


def test_cumulative_teu_integrates_monthly_rates_exactly() -> None:
    # January has 31 days: 7 TEU a week is 31 TEU.
    january = float(MONTH_START_HOURS[1])
    assert january == 31 * 24
    assert cumulative_teu([january], _flat(7), start_hours=0)[0] == pytest.approx(31)
    # Rates by month (January 1 TEU/week ... December 12): February 28 days at 2/7 a day.
    rates = [float(m) for m in range(1, 13)]
    feb = cumulative_teu([MONTH_START_HOURS[2]], rates, start_hours=MONTH_START_HOURS[1])[0]
    assert feb == pytest.approx(28 * 2 / 7)
    # Halfway through a month: linear within it.
    mid_march = MONTH_START_HOURS[2] + 15.5 * 24
    assert cumulative_teu([mid_march], rates, start_hours=MONTH_START_HOURS[2])[0] == (
        pytest.approx(15.5 * 3 / 7)
    )
    # A whole year is the day-weighted sum of the months; the same in any year.
    days = np.diff(MONTH_START_HOURS) / 24
    year = float(np.sum(days * np.array(rates) / 7))
    assert cumulative_teu([HOURS_PER_YEAR], rates, start_hours=0)[0] == pytest.approx(year)
    assert cumulative_teu([0.0], rates, start_hours=-HOURS_PER_YEAR)[0] == pytest.approx(year)


def test_cumulative_teu_across_a_year_boundary() -> None:
    rates = [float(m) for m in range(1, 13)]
    december = MONTH_START_HOURS[11]
    # 1 December to 1 February of the next year: 31 days at 12, then 31 days at 1.
    next_feb = HOURS_PER_YEAR + MONTH_START_HOURS[1]
    got = cumulative_teu([HOURS_PER_YEAR, next_feb], rates, start_hours=december)
    np.testing.assert_allclose(got, [31 * 12 / 7, 31 * 12 / 7 + 31 * 1 / 7])
    # And from the year before the clock's year 0 (the fluid queue's warm-up).
    got = cumulative_teu([-24.0, 24.0], rates, start_hours=-HOURS_PER_YEAR + december)
    np.testing.assert_allclose(got, [30 * 12 / 7, 31 * 12 / 7 + 1 / 7])


def test_month_of() -> None:
    hours = [0, 743.99, 744, MONTH_START_HOURS[11], HOURS_PER_YEAR - 0.01, HOURS_PER_YEAR, -1]
    np.testing.assert_array_equal(month_of(hours), [0, 0, 1, 11, 11, 0, 11])


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"headway_hours": 0}, "headway_hours"),
        ({"headway_hours": -168}, "headway_hours"),
        ({"headway_hours": float("nan")}, "headway_hours"),
        ({"headway_hours": 168, "cutoff_hours": -1}, "cutoff_hours"),
        ({"headway_hours": 168, "cutoff_hours": float("nan")}, "cutoff_hours"),
    ],
)
def test_bad_timetable_is_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Timetable(**kwargs)


@pytest.mark.parametrize("capacity", [0.0, -100.0, float("nan")])
def test_bad_capacity_is_refused(capacity: float) -> None:
    with pytest.raises(ValueError, match="capacity_teu"):
        departure_loads(ALIGNED, capacity, {"container": _flat(60)}, until_hours=WEEK)


def test_bad_monthly_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="12 values"):
        departure_loads(ALIGNED, 100, {"container": [60.0] * 11}, until_hours=WEEK)


def test_unknown_shipment_class_is_named(crowded: DepartureLoads) -> None:
    with pytest.raises(ValueError, match=r"'wagonload'.*block_train, container"):
        crowded.departure_index("wagonload", [0.0], [0.5])


def test_ready_outside_the_run_is_refused(crowded: DepartureLoads) -> None:
    with pytest.raises(ValueError, match="outside the departures run"):
        crowded.departure_index("container", [10 * HOURS_PER_YEAR], [0.5])
    with pytest.raises(ValueError, match="outside the departures run"):
        crowded.departure_index("container", [-2 * HOURS_PER_YEAR], [0.5])
