"""Tests of midcorridor.model.queue_engine: agreement with SimPy, behaviour, bad input.

The SimPy reference models and the baseline figures live in ``reference_models.py``
(shared with the benchmark). The reference gets exactly the same inputs as the fast model,
so agreement is required per train to 1e-6 h (float rounding only), which implies the mean
and P90 agree as well. Speed is measured by ``benchmarks/bench_queue_engine.py``, not here.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from midcorridor.inputs.bounds import Range
from midcorridor.inputs.network_files import Capacity, Service, Weather
from midcorridor.model.queue_engine import (
    WARMUP_SHARE,
    ferry_departure_hours,
    server_start_hours,
    simulate_ferry,
    simulate_server,
)
from midcorridor.model.queue_inputs import (
    DEFAULT_MAX_HOLD_HOURS,
    MAX_HORIZON_DAYS,
    MAX_SAILINGS,
    draw_ferry_inputs,
    ferry_capacity_teu_per_hour,
    handling_hours,
    max_hold_hours,
    poisson_arrivals,
    storm_spells,
)
from midcorridor.vocabulary import DAYS_IN_MONTH, HOURS_PER_DAY, HOURS_PER_WEEK
from reference_models import (
    HOURS_PER_YEAR,
    ON_FILL,
    SCHEDULED,
    TEU_PER_TRAIN,
    TODAY_TEU_PER_WEEK,
    WEATHER,
    SimpyFerry,
    fleet_2025,
    simpy_ferry_result,
    simpy_server_starts,
)

# A timetable faster than the fleet (12 h < 84 h / 6 vessels): sailings wait for vessels.
TIGHT = fleet_2025("scheduled", headway_hours=12.0)
TOL_HOURS = 1e-6


def volume_at(utilisation: float, service: Service) -> float:
    """TEU a week that loads ``service`` to ``utilisation`` (weather not counted)."""
    return utilisation * ferry_capacity_teu_per_hour(service) * HOURS_PER_WEEK


def storms(
    shares: tuple[float, ...], low: float = 24, mode: float = 48, high: float = 96
) -> Weather:
    """Storm closures with the given monthly shares and PERT spell hours."""
    return Weather(closure_share_by_month=shares, hold_hours=Range(low=low, mode=mode, high=high))


def point(trains_per_day: float, servers: int = 1) -> Capacity:
    """A handling point of ``trains_per_day`` trains a day on ``servers`` servers."""
    return Capacity(trains_per_day=trains_per_day, servers=servers, source="test")


# ------------------------------------------------------------------ agreement
@pytest.mark.parametrize(
    "service", [ON_FILL, SCHEDULED, TIGHT], ids=["on_fill", "scheduled", "fleet_bound"]
)
@pytest.mark.parametrize("utilisation", [0.3, 0.6, 0.93])
@pytest.mark.parametrize("weather", [None, WEATHER], ids=["calm", "storms"])
def test_ferry_matches_simpy(service: Service, utilisation: float, weather: Weather | None) -> None:
    volume = volume_at(utilisation, service)
    fast = simulate_ferry(volume, service, weather, seed=7)
    ref = simpy_ferry_result(volume, service, weather, seed=7)
    assert fast.n_trains > 50
    np.testing.assert_allclose(fast.wait_hours, ref.wait_hours, rtol=0, atol=TOL_HOURS)
    np.testing.assert_allclose(fast.weather_hours, ref.weather_hours, rtol=0, atol=TOL_HOURS)
    assert fast.stat("wait") == pytest.approx(ref.stat("wait"), abs=TOL_HOURS)
    assert fast.stat("wait", 0.9) == pytest.approx(ref.stat("wait", 0.9), abs=TOL_HOURS)
    assert fast.stat("total", 0.9) == pytest.approx(ref.stat("total", 0.9), abs=TOL_HOURS)
    if weather is not None:
        assert fast.stat("weather") > 0


def test_ferry_matches_simpy_when_saturated() -> None:
    """Censoring at the end of the run is the same in both models."""
    volume = volume_at(1.3, ON_FILL)
    inputs = draw_ferry_inputs(volume, WEATHER, seed=3, horizon_days=120)
    kw = {"teu_per_train": TEU_PER_TRAIN, "end_hours": inputs.end_hours}
    fast = ferry_departure_hours(inputs.arrival_hours, ON_FILL, inputs.closures, **kw)
    ref = SimpyFerry(inputs.arrival_hours, inputs.closures, ON_FILL, inputs.end_hours)
    np.testing.assert_allclose(fast, ref.departure, rtol=0, atol=TOL_HOURS)


def test_default_hold_matches_simpy() -> None:
    """A service without ``max_hold_hours`` holds a week, in both models."""
    service = ON_FILL.model_copy(update={"max_hold_hours": None})
    assert max_hold_hours(service) == DEFAULT_MAX_HOLD_HOURS == HOURS_PER_WEEK
    assert max_hold_hours(ON_FILL) == 72.0
    volume = volume_at(0.1, service)  # light: vessels wait to fill, the hold decides
    fast = simulate_ferry(volume, service, None, seed=4)
    ref = simpy_ferry_result(volume, service, None, seed=4)
    np.testing.assert_allclose(fast.wait_hours, ref.wait_hours, rtol=0, atol=TOL_HOURS)
    assert fast.wait_hours.max() > 72.0  # longer than ON_FILL's hold


@pytest.mark.parametrize("servers", [1, 3])
@pytest.mark.parametrize("utilisation", [0.3, 0.7, 0.95])
def test_server_matches_simpy(servers: int, utilisation: float) -> None:
    capacity = point(12.0, servers)
    rng = np.random.default_rng(11)
    arrivals = poisson_arrivals(utilisation * 12.0 / HOURS_PER_DAY, HOURS_PER_YEAR, rng)
    fast = server_start_hours(arrivals, capacity)
    np.testing.assert_allclose(fast, simpy_server_starts(arrivals, capacity), atol=TOL_HOURS)
    assert np.all(fast >= arrivals)


@pytest.mark.parametrize("utilisation", [0.5, 0.8])
def test_server_mean_wait_matches_pollaczek_khinchine(utilisation: float) -> None:
    """M/D/1: Wq = rho * s / (2 (1 - rho)). 200 years of arrivals (~0.7 M trains);
    over seeds the sampling error of the mean is about 0.7 % at rho 0.5 and 1.5 % at 0.8,
    so 5 % is more than three standard errors yet still catches a wrong service model
    (M/M/1 would be 100 % off)."""
    capacity = point(10.0)
    result = simulate_server(utilisation * 10.0, capacity, horizon_days=200 * 365, seed=5)
    s = HOURS_PER_DAY / 10.0  # ten trains a day on one server
    assert handling_hours(capacity) == pytest.approx(s)
    analytic = utilisation * s / (2 * (1 - utilisation))
    assert result.stat("wait") == pytest.approx(analytic, rel=0.05)


def test_storm_spells_meet_monthly_shares() -> None:
    """Over 300 years each month's closed share is within 0.025 of its target: the
    year-to-year sd of a month's share is <= 0.10, so <= 0.006 over 300 years, and spells
    running on into the next month shift shares by <= 0.005 (measured over 2,000 years)."""
    years = 300
    spells = storm_spells(
        WEATHER, start_month=1, span_hours=years * HOURS_PER_YEAR, rng=np.random.default_rng(2)
    )
    assert np.all(spells[1:, 0] > spells[:-1, 1])  # sorted and disjoint
    hours = np.arange(0.0, years * HOURS_PER_YEAR) + 0.5
    index = np.searchsorted(spells[:, 0], hours, side="right") - 1
    closed = (index >= 0) & (hours < spells[np.maximum(index, 0), 1])
    by_year = closed.reshape(years, int(HOURS_PER_YEAR))
    month_ends = (np.cumsum([0, *DAYS_IN_MONTH]) * HOURS_PER_DAY).astype(int)
    for month, target in enumerate(WEATHER.closure_share_by_month):
        share = by_year[:, month_ends[month] : month_ends[month + 1]].mean()
        assert share == pytest.approx(target, abs=0.025), month


def test_storm_spell_lengths_are_pert() -> None:
    """Spells are PERT(24, 48, 96) h: mean (24 + 4 * 48 + 96) / 6 = 52 h, within the range."""
    spells = storm_spells(
        WEATHER, start_month=1, span_hours=200 * HOURS_PER_YEAR, rng=np.random.default_rng(8)
    )
    lengths = np.diff(spells, axis=1).ravel()
    single = lengths[lengths <= 96.0]  # merged back-to-back spells are longer
    assert single.size > 0.95 * lengths.size
    assert single.min() >= 24.0
    assert single.mean() == pytest.approx(WEATHER.hold_hours.mean, rel=0.03)
    assert WEATHER.hold_hours.mean == pytest.approx(52.0)


def test_full_month_closure_blocks_departures() -> None:
    weather = storms((0.0,) * 11 + (1.0,))
    spells = storm_spells(
        weather, start_month=12, span_hours=40 * HOURS_PER_DAY, rng=np.random.default_rng(0)
    )
    december = DAYS_IN_MONTH[11] * HOURS_PER_DAY
    np.testing.assert_allclose(spells, [[0.0, december]])
    result = simulate_ferry(
        volume_at(0.5, ON_FILL), ON_FILL, weather, start_month=12, horizon_days=40
    )
    departures = result.arrival_hours + result.total_hours
    assert departures.min() >= december


def test_zero_length_spells_close_nothing_or_are_refused() -> None:
    """The schema allows ``hold_hours`` 0/0/0; with no partly closed month that is no storm,
    otherwise it is an error naming the field (zero-hour spells cannot close a share)."""
    calm = storms((0.0,) * 12, 0, 0, 0)
    assert storm_spells(calm, start_month=1, span_hours=1e4, rng=np.random.default_rng()).size == 0
    with pytest.raises(ValueError, match=re.escape("weather.hold_hours")):
        simulate_ferry(100, ON_FILL, storms((0.1,) * 12, 0, 0, 0))


# ------------------------------------------------------------------ behaviour
def test_waits_grow_with_volume() -> None:
    """Monotone in expectation (averaged over seeds) for scheduled and servers; on_fill is
    U-shaped: at low volume vessels wait to fill, so it is monotone only from mid load."""
    seeds = range(4)

    def mean_wait(run: Any, loads: list[float]) -> list[float]:
        return [float(np.mean([run(u, s).stat("total") for s in seeds])) for u in loads]

    scheduled = mean_wait(
        lambda u, s: simulate_ferry(volume_at(u, SCHEDULED), SCHEDULED, WEATHER, seed=s),
        [0.2, 0.5, 0.8, 0.95],
    )
    on_fill = mean_wait(
        lambda u, s: simulate_ferry(volume_at(u, ON_FILL), ON_FILL, None, seed=s), [0.7, 0.85, 0.95]
    )
    server = mean_wait(
        lambda u, s: simulate_server(u * 10, point(10.0, 2), seed=s), [0.2, 0.5, 0.8, 0.95]
    )
    for waits in (scheduled, on_fill, server):
        assert np.all(np.diff(waits) > 0), waits
    low, mid = mean_wait(
        lambda u, s: simulate_ferry(volume_at(u, ON_FILL), ON_FILL, None, seed=s), [0.05, 0.6]
    )
    assert low > mid  # waiting to fill at low volume


@pytest.mark.parametrize("factor", [3.0, 1000.0])
def test_over_capacity_is_saturated(factor: float) -> None:
    result = simulate_ferry(factor * TODAY_TEU_PER_WEEK, ON_FILL, WEATHER, seed=1)
    assert result.saturated
    assert result.utilisation >= 1
    server = simulate_server(30.0, point(20.0), seed=1)
    assert server.saturated
    assert server.utilisation == pytest.approx(1.5)


def test_storms_can_saturate_below_nominal_capacity() -> None:
    stormy = storms((0.5,) * 12)
    result = simulate_ferry(volume_at(0.9, ON_FILL), ON_FILL, stormy, seed=0)
    assert result.utilisation < 1
    assert result.saturated


def test_light_load_is_not_saturated() -> None:
    for seed in range(5):
        assert not simulate_ferry(TODAY_TEU_PER_WEEK, ON_FILL, WEATHER, seed=seed).saturated
        assert not simulate_server(5.0, point(10.0), seed=seed).saturated


def test_today_is_stable_and_three_times_today_saturates() -> None:
    """Today's volume loads the 2025 fleet to about 0.64 of nominal; 3x is over capacity."""
    nominal = ferry_capacity_teu_per_hour(ON_FILL) * HOURS_PER_WEEK
    today = simulate_ferry(TODAY_TEU_PER_WEEK, ON_FILL, WEATHER, seed=0)
    assert today.utilisation == pytest.approx(TODAY_TEU_PER_WEEK / nominal)
    assert today.utilisation == pytest.approx(0.64, abs=0.01)
    assert not today.saturated
    tripled = simulate_ferry(3 * TODAY_TEU_PER_WEEK, ON_FILL, WEATHER, seed=0)
    assert tripled.saturated
    assert tripled.stat("total") > 10 * today.stat("total")


def test_same_seed_same_result() -> None:
    volume = volume_at(0.8, ON_FILL)
    a, b = (simulate_ferry(volume, ON_FILL, WEATHER, seed=42) for _ in range(2))
    c = simulate_ferry(volume, ON_FILL, WEATHER, seed=43)
    for name in ("wait_hours", "weather_hours", "arrival_hours"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.arrival_hours, c.arrival_hours)
    np.testing.assert_array_equal(
        simulate_server(8, point(10), seed=4).wait_hours,
        simulate_server(8, point(10), seed=4).wait_hours,
    )


def test_result_statistics_use_the_steady_state() -> None:
    result = simulate_ferry(volume_at(0.8, ON_FILL), ON_FILL, WEATHER, seed=9)
    assert np.all(result.wait_hours >= 0)
    assert np.all(result.weather_hours >= 0)
    assert 0 <= result.stat("wait", 0.5) <= result.stat("wait", 0.9)
    steady = result.steady_mask
    np.testing.assert_array_equal(
        steady, result.arrival_hours >= WARMUP_SHARE * result.horizon_hours
    )
    assert 0 < steady.sum() < result.n_trains
    assert not steady.flags.writeable
    assert result.stat("wait") == pytest.approx(result.wait_hours[steady].mean())
    assert result.stat("weather") == pytest.approx(result.weather_hours[steady].mean())
    calm = simulate_ferry(volume_at(0.8, ON_FILL), ON_FILL, None, seed=9)
    assert not calm.weather_hours.any()
    assert result.stat("total") > calm.stat("total")
    empty = simulate_ferry(0.0, ON_FILL, None)
    assert empty.n_trains == 0
    assert math.isnan(empty.stat("wait"))


# ------------------------------------------------------------------ bad input
GOOD_SERVICE = ON_FILL.model_dump()
GOOD_WEATHER = WEATHER.model_dump()


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Service(**{**GOOD_SERVICE, "vessels": 0}), "vessels"),
        (lambda: Service(**{**GOOD_SERVICE, "capacity_teu": 0}), "capacity_teu"),
        (lambda: Service(**{**GOOD_SERVICE, "round_trip_hours": -1}), "round_trip_hours"),
        (lambda: Service(**{**GOOD_SERVICE, "headway_hours": math.nan}), "headway_hours"),
        (lambda: Service(**{**GOOD_SERVICE, "dispatch": "sometimes"}), "dispatch"),
        (lambda: Service(**{**GOOD_SERVICE, "max_hold_hours": 0}), "max_hold_hours"),
        (lambda: Service(**{**GOOD_SERVICE, "vessels": 6.5}), "vessels"),
        (
            lambda: Weather(**{**GOOD_WEATHER, "closure_share_by_month": (0.1,) * 11}),
            "closure_share_by_month",
        ),
        (
            lambda: Weather(**{**GOOD_WEATHER, "closure_share_by_month": (0.1,) * 11 + (1.5,)}),
            "closure_share_by_month",
        ),
        (lambda: storms((0.1,) * 12, 48, 24, 96), "low <= mode <= high"),
        (lambda: Capacity(trains_per_day=0, source="test"), "trains_per_day"),
        (lambda: Capacity(trains_per_day=10, servers=0, source="test"), "servers"),
        (lambda: Capacity(trains_per_day=10), "source"),  # type: ignore[call-arg]
        (lambda: simulate_ferry(-1.0, ON_FILL, None), "volume_teu_per_week"),
        (lambda: simulate_ferry(math.nan, ON_FILL, None), "volume_teu_per_week"),
        (lambda: simulate_ferry(math.inf, ON_FILL, None), "volume_teu_per_week"),
        (lambda: simulate_ferry(1e12, ON_FILL, None), "volume_teu_per_week"),  # > MAX_TRAINS
        (lambda: simulate_ferry(100, ON_FILL, None, start_month=13), "start_month"),
        (lambda: simulate_ferry(100, ON_FILL, None, horizon_days=0), "horizon_days"),
        (
            lambda: simulate_ferry(100, ON_FILL, None, horizon_days=MAX_HORIZON_DAYS + 1),
            "horizon_days",
        ),
        (lambda: simulate_ferry(100, ON_FILL, None, teu_per_train=-84), "teu_per_train"),
        (lambda: simulate_ferry(100, ON_FILL, None, seed=-1), "seed"),
        (lambda: simulate_ferry(100, "ferry", None), "service"),  # type: ignore[arg-type]
        (lambda: simulate_ferry(100, ON_FILL, "storms"), "weather"),  # type: ignore[arg-type]
        (lambda: draw_ferry_inputs(-5, None), "volume_teu_per_week"),
        (lambda: draw_ferry_inputs(5, None, start_month=0), "start_month"),
        (lambda: simulate_server(-2, point(10)), "trains_per_day"),
        (lambda: simulate_server(1e9, point(10)), "trains_per_day"),  # > MAX_TRAINS
        (lambda: simulate_server(1, point(5e-324, 100)), "capacity.trains_per_day"),
        (lambda: simulate_server(1, point(10), horizon_days=-1), "horizon_days"),
        (lambda: simulate_server(1, "Dostyk"), "capacity"),  # type: ignore[arg-type]
    ],
)
def test_bad_input_is_a_validation_error_naming_the_field(build: Any, field: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(field)) as caught:
        build()
    assert isinstance(caught.value, ValueError)


def test_runs_too_large_for_the_engine_are_value_errors() -> None:
    """Valid configurations whose run would be unbounded in work raise a plain ValueError."""
    tiny = Service(**{**GOOD_SERVICE, "capacity_teu": 1e-9})
    with pytest.raises(ValueError, match=re.escape("service.capacity_teu")):
        simulate_ferry(1000, tiny, None)
    busy = Service(
        **{**GOOD_SERVICE, "dispatch": "scheduled", "headway_hours": 1e-4, "round_trip_hours": 1e-4}
    )
    with pytest.raises(ValueError, match=f"more than {MAX_SAILINGS:,}"):
        simulate_ferry(1000, busy, None)
    with pytest.raises(ValueError, match="rate_per_hour"):
        poisson_arrivals(1e9, 1e9, np.random.default_rng())


ANYTHING = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
    st.text(max_size=5),
    st.lists(st.floats(0, 1), max_size=13),
)
SERVICE_FIELDS = (
    "dispatch",
    "vessels",
    "capacity_teu",
    "round_trip_hours",
    "headway_hours",
    "max_hold_hours",
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    which=st.sampled_from(["service", "weather", "capacity", "ferry", "server"]),
    values=st.lists(ANYTHING, min_size=6, max_size=6),
)
def test_random_input_is_accepted_or_value_error(which: str, values: list[Any]) -> None:
    """Random garbage never raises anything but ValueError, and the message names a field."""
    names = {
        "service": SERVICE_FIELDS,
        "weather": ("closure_share_by_month", "hold_hours"),
        "capacity": ("trains_per_day", "servers"),
        "ferry": ("volume_teu_per_week", "start_month", "horizon_days", "teu_per_train", "seed"),
        "server": ("trains_per_day", "horizon_days", "seed"),
    }[which]
    try:
        if which == "service":
            Service(**dict(zip(SERVICE_FIELDS, values, strict=True)))
        elif which == "weather":
            hold = dict(zip(("low", "mode", "high"), values[1:4], strict=True))
            Weather(closure_share_by_month=values[0], hold_hours=hold)
        elif which == "capacity":
            Capacity(trains_per_day=values[0], servers=values[1], source="test")
        elif which == "ferry":
            volume, month, days, teu, seed = values[:5]
            simulate_ferry(
                volume,
                ON_FILL,
                None,
                start_month=month,
                horizon_days=days,
                teu_per_train=teu,
                seed=seed,
            )
        else:
            trains, days, seed = values[:3]
            simulate_server(trains, point(10.0), horizon_days=days, seed=seed)
    except ValueError as error:
        message = str(error)
    else:
        return
    assert any(name in message for name in names), message


POSITIVE = st.floats(min_value=1e-300, max_value=1e300)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    service=st.builds(
        Service,
        dispatch=st.sampled_from(["on_fill", "scheduled"]),
        vessels=st.integers(1, 50),
        capacity_teu=POSITIVE,
        round_trip_hours=POSITIVE,
        headway_hours=POSITIVE,
        max_hold_hours=st.none() | POSITIVE,
    ),
    volume=st.floats(0, 1e300),
    days=POSITIVE,
    teu=POSITIVE,
    stormy=st.booleans(),
    capacity=st.builds(
        Capacity, trains_per_day=POSITIVE, servers=st.integers(1, 100), source=st.just("test")
    ),
)
def test_extreme_valid_numbers_finish_or_value_error(
    service: Service,
    volume: float,
    days: float,
    teu: float,
    stormy: bool,
    capacity: Capacity,
) -> None:
    """Well-typed but absurd magnitudes either simulate or raise ValueError: work is
    bounded (trains, sailings, spells, horizon), never a hang or a MemoryError."""
    weather = WEATHER if stormy else None
    for run in (
        lambda: simulate_ferry(volume, service, weather, horizon_days=days, teu_per_train=teu),
        lambda: simulate_server(volume, capacity, horizon_days=days),
    ):
        try:
            result = run()
        except ValueError:
            continue
        assert result.wait_hours.shape == result.arrival_hours.shape
        assert not np.isnan(result.wait_hours).any()
