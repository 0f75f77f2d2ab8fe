"""Tests of midcorridor.queue_engine: a SimPy reference model, agreement, behaviour, bad input.

The reference models below are plain discrete-event versions of the same rules, written
to be checked by eye. They get exactly the same inputs as the fast model (arrivals and
storm spells from ``draw_ferry_inputs``), so both simulate one and the same system: any
difference in departure times is a bug, not noise. Agreement is therefore required per
train to 1e-6 h (float rounding only), which implies the mean and P90 agree as well.

Baseline figures (corridor-facts.md, "Caspian crossing, capacity and weather" and
"Northern route"):
- 2025: four Kazmortransflot + two ASCO feeders carry about 89,000 TEU a year Aktau-Alat
  (SIA.az / Report, 2025); a round trip takes 3-4 days (index1520.com, 2022-04-14): with
  84 h, 6 vessels make 6 * 8760 / 84 = 626 sailings a year, so about 142 TEU a sailing.
- The Middle Corridor carried about 56,500 TEU in 2024 (about 1,086 TEU a week).
- Weather: the example of docs/data-model.md (closure shares peaking at 0.25 in December,
  an estimate; spells PERT 24/48/96 h); 84 TEU: a 42-container block train (AzerNews 2020).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Generator
from typing import Any

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from midcorridor.queue_engine import (
    FerryService,
    QueueResult,
    Server,
    WeatherClosures,
    draw_ferry_inputs,
    ferry_departure_hours,
    poisson_arrivals,
    server_start_hours,
    simulate_ferry,
    simulate_server,
    storm_spells,
)

FLEET_2025_TEU_PER_YEAR = 89_000  # SIA.az / Report 2025
ROUND_TRIP_HOURS = 84.0  # 3.5 days, index1520.com 2022
VESSELS_2025 = 6
CAPACITY_2025 = FLEET_2025_TEU_PER_YEAR / (VESSELS_2025 * 8760 / ROUND_TRIP_HOURS)  # ~142 TEU
TODAY_TEU_PER_WEEK = 56_500 / 52  # Middle Corridor 2024 (corridor-facts.md)
TEU_PER_TRAIN = 84.0  # 42-container block train

ON_FILL = FerryService("on_fill", VESSELS_2025, CAPACITY_2025, ROUND_TRIP_HOURS, 16.0, 72.0)
SCHEDULED = FerryService("scheduled", VESSELS_2025, CAPACITY_2025, ROUND_TRIP_HOURS, 16.0, 72.0)
# A timetable faster than the fleet (12 h < 84 h / 6 vessels): sailings wait for vessels.
TIGHT = FerryService("scheduled", VESSELS_2025, CAPACITY_2025, ROUND_TRIP_HOURS, 12.0, 72.0)
WEATHER = WeatherClosures(
    (0.15, 0.15, 0.1, 0.05, 0.03, 0.02, 0.02, 0.02, 0.05, 0.1, 0.2, 0.25), 24.0, 48.0, 96.0
)
TOL_HOURS = 1e-6


def volume_at(utilisation: float, service: FerryService) -> float:
    """TEU a week that loads ``service`` to ``utilisation`` (weather not counted)."""
    return utilisation * service.capacity_teu_per_hour() * 168


# ------------------------------------------------------------------ SimPy reference models
class SimpyFerry:
    """The ferry rules as a plain discrete-event model (quantities in trains' worth)."""

    def __init__(self, arrivals: Any, closures: Any, service: FerryService, end: float) -> None:
        self.env = env = simpy.Environment()
        self.service, self.cap = service, service.capacity_teu / TEU_PER_TRAIN
        self.arrived, self.boarded, self.done, self.closed = 0, 0.0, 0, False
        self.cargo, self.reopened = env.event(), env.event()  # fire on a train / a spell end
        self.gone = [env.event() for _ in arrivals]  # fires when train i's last TEU sails
        self.departure = np.full(len(arrivals), end)  # censored at the end, as the fast model
        self.in_port = simpy.Store(env)
        for vessel in range(service.vessels):
            self.in_port.put(vessel)
        for i, t in enumerate(arrivals):
            env.process(self.train(i, t))
        env.process(self.weather(closures))
        env.process(self.on_fill() if service.dispatch == "on_fill" else self.scheduled())
        env.run(until=end)

    def train(self, i: int, t: float) -> Generator[Any, Any, None]:
        yield self.env.timeout(t)
        self.arrived += 1
        self.cargo.succeed()
        self.cargo = self.env.event()
        yield self.gone[i]
        self.departure[i] = self.env.now

    def weather(self, closures: Any) -> Generator[Any, Any, None]:
        for start, end in closures:
            yield self.env.timeout(start - self.env.now)
            self.closed = True
            yield self.env.timeout(end - start)
            self.closed = False
            self.reopened.succeed()
            self.reopened = self.env.event()

    def sail(self, vessel: int) -> Generator[Any, Any, None]:
        while self.closed:  # a departure due in a storm leaves when it ends
            yield self.reopened
        waiting = self.arrived - self.boarded
        self.boarded = self.arrived if waiting <= self.cap else self.boarded + self.cap
        while self.done < int(self.boarded + 1e-9):  # trains whose last TEU is aboard
            self.gone[self.done].succeed()
            self.done += 1
        self.env.process(self.round_trip(vessel))

    def round_trip(self, vessel: int) -> Generator[Any, Any, None]:
        yield self.env.timeout(self.service.round_trip_hours)
        yield self.in_port.put(vessel)

    def on_fill(self) -> Generator[Any, Any, None]:
        while True:
            vessel = yield self.in_port.get()  # the vessel back first loads first
            while self.arrived - self.boarded <= 1e-9:  # nothing on the quay: wait
                yield self.cargo
            deadline = self.env.now + self.service.max_hold_hours  # first TEU is aboard
            while self.arrived - self.boarded < self.cap - 1e-9 and self.env.now < deadline:
                yield self.cargo | self.env.timeout(deadline - self.env.now)
            yield from self.sail(vessel)

    def scheduled(self) -> Generator[Any, Any, None]:
        k = 0
        while True:
            yield self.env.timeout(max(0.0, k * self.service.headway_hours - self.env.now))
            vessel = yield self.in_port.get()  # no vessel in port: wait for one
            yield from self.sail(vessel)
            k += 1


def simpy_server_starts(arrivals: Any, server: Server) -> np.ndarray:
    """M/D/c first come first served as a SimPy Resource; returns handling start times."""
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=server.servers)
    starts = np.empty(len(arrivals))

    def train(i: int, t: float) -> Generator[Any, Any, None]:
        yield env.timeout(t)
        with desk.request() as request:
            yield request
            starts[i] = env.now
            yield env.timeout(server.service_hours)

    for i, t in enumerate(arrivals):
        env.process(train(i, t))
    env.run()
    return starts


def simpy_ferry_result(
    volume: float, service: FerryService, weather: WeatherClosures | None, seed: int, **kw: Any
) -> QueueResult:
    """The reference counterpart of ``simulate_ferry`` on the same drawn inputs."""
    inputs = draw_ferry_inputs(volume, weather, teu_per_train=TEU_PER_TRAIN, seed=seed, **kw)
    arr, end = inputs.arrival_hours, inputs.end_hours
    total = SimpyFerry(arr, inputs.closures, service, end).departure - arr
    calm = SimpyFerry(arr, [], service, end).departure - arr if weather else total
    weather_part = np.clip(total - calm, 0.0, None)
    return QueueResult(
        total - weather_part, weather_part, arr, 0.0, False, horizon_hours=inputs.horizon_hours
    )


# ------------------------------------------------------------------ agreement
@pytest.mark.parametrize(
    "service", [ON_FILL, SCHEDULED, TIGHT], ids=["on_fill", "scheduled", "fleet_bound"]
)
@pytest.mark.parametrize("utilisation", [0.3, 0.6, 0.93])
@pytest.mark.parametrize("weather", [None, WEATHER], ids=["calm", "storms"])
def test_ferry_matches_simpy(
    service: FerryService, utilisation: float, weather: WeatherClosures | None
) -> None:
    volume = volume_at(utilisation, service)
    fast = simulate_ferry(volume, service, weather, seed=7)
    ref = simpy_ferry_result(volume, service, weather, seed=7)
    assert fast.n_trains > 50
    np.testing.assert_allclose(fast.wait_hours, ref.wait_hours, rtol=0, atol=TOL_HOURS)
    np.testing.assert_allclose(fast.weather_hours, ref.weather_hours, rtol=0, atol=TOL_HOURS)
    assert fast.mean_wait_hours == pytest.approx(ref.mean_wait_hours, abs=TOL_HOURS)
    assert fast.p90_wait_hours == pytest.approx(ref.p90_wait_hours, abs=TOL_HOURS)
    assert fast.p90_total_hours == pytest.approx(ref.p90_total_hours, abs=TOL_HOURS)
    if weather is not None:
        assert fast.mean_weather_hours > 0


def test_ferry_matches_simpy_when_saturated() -> None:
    """Censoring at the end of the run is the same in both models."""
    volume = volume_at(1.3, ON_FILL)
    inputs = draw_ferry_inputs(volume, WEATHER, seed=3, horizon_days=120)
    kw = {"teu_per_train": TEU_PER_TRAIN, "end_hours": inputs.end_hours}
    fast = ferry_departure_hours(inputs.arrival_hours, ON_FILL, inputs.closures, **kw)
    ref = SimpyFerry(inputs.arrival_hours, inputs.closures, ON_FILL, inputs.end_hours)
    np.testing.assert_allclose(fast, ref.departure, rtol=0, atol=TOL_HOURS)


@pytest.mark.parametrize("servers", [1, 3])
@pytest.mark.parametrize("utilisation", [0.3, 0.7, 0.95])
def test_server_matches_simpy(servers: int, utilisation: float) -> None:
    server = Server(capacity_per_day=12.0, servers=servers)
    rng = np.random.default_rng(11)
    arrivals = poisson_arrivals(utilisation * 12.0 / 24, 365 * 24, rng)
    fast = server_start_hours(arrivals, server)
    np.testing.assert_allclose(fast, simpy_server_starts(arrivals, server), atol=TOL_HOURS)
    assert np.all(fast >= arrivals)


@pytest.mark.parametrize("utilisation", [0.5, 0.8])
def test_server_mean_wait_matches_pollaczek_khinchine(utilisation: float) -> None:
    """M/D/1: Wq = rho * s / (2 (1 - rho)). 200 years of arrivals (~0.7 M trains);
    over seeds the sampling error of the mean is about 0.7 % at rho 0.5 and 1.5 % at 0.8,
    so 5 % is more than three standard errors yet still catches a wrong service model
    (M/M/1 would be 100 % off)."""
    server = Server(capacity_per_day=10.0)
    result = simulate_server(utilisation * 10.0, server, horizon_days=200 * 365, seed=5)
    s = server.service_hours
    analytic = utilisation * s / (2 * (1 - utilisation))
    assert result.mean_wait_hours == pytest.approx(analytic, rel=0.05)


def test_storm_spells_meet_monthly_shares() -> None:
    """Over 300 years each month's closed share is within 0.025 of its target: the
    year-to-year sd of a month's share is <= 0.10, so <= 0.006 over 300 years, and spells
    running on into the next month shift shares by <= 0.005 (measured over 2,000 years)."""
    years = 300
    spells = storm_spells(
        WEATHER, start_month=1, span_hours=years * 8760.0, rng=np.random.default_rng(2)
    )
    assert np.all(spells[1:, 0] > spells[:-1, 1])  # sorted and disjoint
    hours = np.arange(0.0, years * 8760.0) + 0.5
    index = np.searchsorted(spells[:, 0], hours, side="right") - 1
    closed = (index >= 0) & (hours < spells[np.maximum(index, 0), 1])
    by_year = closed.reshape(years, 8760)
    month_ends = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]) * 24
    for month, target in enumerate(WEATHER.closure_share_by_month):
        share = by_year[:, month_ends[month] : month_ends[month + 1]].mean()
        assert share == pytest.approx(target, abs=0.025), month


def test_full_month_closure_blocks_departures() -> None:
    shares = (0.0,) * 11 + (1.0,)
    weather = WeatherClosures(shares, 24, 48, 96)
    spells = storm_spells(weather, start_month=12, span_hours=40 * 24, rng=np.random.default_rng(0))
    np.testing.assert_allclose(spells, [[0.0, 31 * 24.0]])
    result = simulate_ferry(
        volume_at(0.5, ON_FILL), ON_FILL, weather, start_month=12, horizon_days=40
    )
    departures = result.arrival_hours + result.total_hours
    assert departures.min() >= 31 * 24


# ------------------------------------------------------------------ behaviour
def test_waits_grow_with_volume() -> None:
    """Monotone in expectation (averaged over seeds) for scheduled and servers; on_fill is
    U-shaped: at low volume vessels wait to fill, so it is monotone only from mid load."""
    seeds = range(4)

    def mean_wait(run: Any, loads: list[float]) -> list[float]:
        return [float(np.mean([run(u, s).mean_total_hours for s in seeds])) for u in loads]

    scheduled = mean_wait(
        lambda u, s: simulate_ferry(volume_at(u, SCHEDULED), SCHEDULED, WEATHER, seed=s),
        [0.2, 0.5, 0.8, 0.95],
    )
    on_fill = mean_wait(
        lambda u, s: simulate_ferry(volume_at(u, ON_FILL), ON_FILL, None, seed=s), [0.7, 0.85, 0.95]
    )
    server = mean_wait(
        lambda u, s: simulate_server(u * 10, Server(10.0, 2), seed=s), [0.2, 0.5, 0.8, 0.95]
    )
    for waits in (scheduled, on_fill, server):
        assert np.all(np.diff(waits) > 0), waits
    low, mid = mean_wait(
        lambda u, s: simulate_ferry(volume_at(u, ON_FILL), ON_FILL, None, seed=s), [0.05, 0.6]
    )
    assert low > mid  # waiting to fill at low volume


@pytest.mark.parametrize("factor", [3.0, 1000.0])
def test_over_capacity_is_saturated_and_fast(factor: float) -> None:
    start = time.perf_counter()
    result = simulate_ferry(factor * TODAY_TEU_PER_WEEK, ON_FILL, WEATHER, seed=1)
    assert time.perf_counter() - start < 2.0
    assert result.saturated
    assert result.utilisation >= 1
    server = simulate_server(30.0, Server(20.0), seed=1)
    assert server.saturated
    assert server.utilisation == pytest.approx(1.5)


def test_storms_can_saturate_below_nominal_capacity() -> None:
    stormy = WeatherClosures((0.5,) * 12, 24, 48, 96)
    result = simulate_ferry(volume_at(0.9, ON_FILL), ON_FILL, stormy, seed=0)
    assert result.utilisation < 1
    assert result.saturated


def test_light_load_is_not_saturated() -> None:
    for seed in range(5):
        assert not simulate_ferry(TODAY_TEU_PER_WEEK, ON_FILL, WEATHER, seed=seed).saturated
        assert not simulate_server(5.0, Server(10.0), seed=seed).saturated


def test_today_and_three_times_run_in_milliseconds() -> None:
    for volume in (TODAY_TEU_PER_WEEK, 3 * TODAY_TEU_PER_WEEK):
        simulate_ferry(volume, ON_FILL, WEATHER, seed=0)
        best = min(
            _timed(lambda v=volume: simulate_ferry(v, ON_FILL, WEATHER, seed=0)) for _ in range(5)
        )
        assert best < 0.05  # typically 3-6 ms; generous for a loaded CI machine


def _timed(run: Any) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def test_same_seed_same_result() -> None:
    volume = volume_at(0.8, ON_FILL)
    a, b = (simulate_ferry(volume, ON_FILL, WEATHER, seed=42) for _ in range(2))
    c = simulate_ferry(volume, ON_FILL, WEATHER, seed=43)
    for name in ("wait_hours", "weather_hours", "arrival_hours"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.arrival_hours, c.arrival_hours)
    np.testing.assert_array_equal(
        simulate_server(8, Server(10), seed=4).wait_hours,
        simulate_server(8, Server(10), seed=4).wait_hours,
    )


def test_result_statistics_and_sample() -> None:
    result = simulate_ferry(volume_at(0.8, ON_FILL), ON_FILL, WEATHER, seed=9)
    assert np.all(result.wait_hours >= 0)
    assert np.all(result.weather_hours >= 0)
    assert 0 <= result.p50_wait_hours <= result.p90_wait_hours
    draws = result.sample(np.random.default_rng(0), 1000)
    assert draws.shape == (1000, 2)
    steady = result.arrival_hours >= 0.1 * result.horizon_hours
    pairs = set(zip(result.wait_hours[steady], result.weather_hours[steady], strict=True))
    assert all((w, x) in pairs for w, x in draws)
    np.testing.assert_array_equal(draws, result.sample(np.random.default_rng(0), 1000))
    calm = simulate_ferry(volume_at(0.8, ON_FILL), ON_FILL, None, seed=9)
    assert not calm.weather_hours.any()
    assert result.mean_total_hours > calm.mean_total_hours
    with pytest.raises(ValueError, match="volume"):
        simulate_ferry(0.0, ON_FILL, None).sample(np.random.default_rng(0), 3)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: FerryService("on_fill", 0, 142, 84, 16, 72), "vessels"),
        (lambda: FerryService("on_fill", 6, 0, 84, 16, 72), "capacity_teu"),
        (lambda: FerryService("on_fill", 6, 142, -1, 16, 72), "round_trip_hours"),
        (lambda: FerryService("on_fill", 6, 142, 84, math.nan, 72), "headway_hours"),
        (
            lambda: FerryService("sometimes", 6, 142, 84, 16, 72),  # type: ignore[arg-type]
            "dispatch",
        ),
        (
            lambda: FerryService("on_fill", 6.0, 142, 84, 16, 72),  # type: ignore[arg-type]
            "vessels",
        ),
        (
            lambda: FerryService("on_fill", 6, "142", 84, 16, 72),  # type: ignore[arg-type]
            "capacity_teu",
        ),
        (lambda: WeatherClosures((0.1,) * 11, 24, 48, 96), "closure_share_by_month"),
        (lambda: WeatherClosures((0.1,) * 11 + (1.5,), 24, 48, 96), "closure_share_by_month[11]"),
        (lambda: WeatherClosures((0.1,) * 12, 48, 24, 96), "hold_hours_low/mode/high"),
        (lambda: Server(0), "capacity_per_day"),
        (lambda: Server(10, 0), "servers"),
        (lambda: simulate_ferry(-1.0, ON_FILL, None), "volume_teu_per_week"),
        (lambda: simulate_ferry(math.nan, ON_FILL, None), "volume_teu_per_week"),
        (lambda: simulate_ferry(100, ON_FILL, None, start_month=13), "start_month"),
        (lambda: simulate_ferry(100, ON_FILL, None, horizon_days=0), "horizon_days"),
        (lambda: simulate_ferry(100, ON_FILL, None, teu_per_train=-84), "teu_per_train"),
        (lambda: simulate_ferry(100, "ferry", None), "service"),  # type: ignore[arg-type]
        (lambda: simulate_server(-2, Server(10)), "volume_trains_per_day"),
    ],
)
def test_bad_input_names_the_field(build: Any, field: str) -> None:
    with pytest.raises(ValueError, match=re.escape(field)):
        build()


ANYTHING = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
    st.text(max_size=5),
    st.lists(st.floats(0, 1), max_size=13),
)
FERRY_FIELDS = (
    "dispatch",
    "vessels",
    "capacity_teu",
    "round_trip_hours",
    "headway_hours",
    "max_hold_hours",
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    which=st.sampled_from(["ferry", "weather", "server", "simulate"]),
    values=st.lists(ANYTHING, min_size=6, max_size=6),
)
def test_random_input_is_accepted_or_value_error(which: str, values: list[Any]) -> None:
    """Random garbage never raises anything but ValueError, and the message names a field."""
    names = {
        "ferry": FERRY_FIELDS,
        "weather": ("closure_share_by_month", "hold_hours"),
        "server": ("capacity_per_day", "servers"),
        "simulate": ("volume_teu_per_week", "start_month", "horizon_days", "teu_per_train", "seed"),
    }[which]
    try:
        if which == "ferry":
            FerryService(*values)
        elif which == "weather":
            WeatherClosures(*values[:4])
        elif which == "server":
            Server(*values[:2])
        else:
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
    except ValueError as error:
        message = str(error)
    else:
        return
    assert any(name in message for name in names), message


POSITIVE = st.floats(min_value=1e-300, max_value=1e300)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    service=st.builds(
        FerryService,
        st.sampled_from(["on_fill", "scheduled"]),
        st.integers(1, 50),
        POSITIVE,
        POSITIVE,
        POSITIVE,
        st.floats(0, 1e300),
    ),
    volume=st.floats(0, 1e300),
    days=POSITIVE,
    teu=POSITIVE,
    stormy=st.booleans(),
    capacity=POSITIVE,
    servers=st.integers(1, 100),
)
def test_extreme_valid_numbers_finish_or_value_error(
    service: FerryService,
    volume: float,
    days: float,
    teu: float,
    stormy: bool,
    capacity: float,
    servers: int,
) -> None:
    """Well-typed but absurd magnitudes either simulate (quickly) or raise ValueError:
    work is bounded (trains, sailings, spells, horizon), never a hang or a MemoryError."""
    start = time.perf_counter()
    weather = WEATHER if stormy else None
    for run in (
        lambda: simulate_ferry(volume, service, weather, horizon_days=days, teu_per_train=teu),
        lambda: simulate_server(volume, Server(capacity, servers), horizon_days=days),
    ):
        try:
            result = run()
        except ValueError:
            continue
        assert result.wait_hours.shape == result.arrival_hours.shape
        assert not np.isnan(result.wait_hours).any()
    assert time.perf_counter() - start < 3.0
