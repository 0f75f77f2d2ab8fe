"""SimPy reference models of :mod:`midcorridor.model.queue_engine`, and the baseline figures.

Shared by ``tests/test_queue_engine.py`` and ``benchmarks/bench_queue_engine.py`` (SimPy is
a dev dependency, never a runtime import of the package).

The reference models are plain discrete-event versions of the engine's rules, written to
be checked by eye. They get exactly the same inputs as the fast model (arrivals and storm
spells from ``draw_ferry_inputs``), so both simulate one and the same system: any
difference in departure times is a bug, not noise.

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

from collections.abc import Generator, Sequence
from typing import Any

import numpy as np
import simpy

from midcorridor.inputs.bounds import Range
from midcorridor.inputs.network_files import Capacity, Service, Weather
from midcorridor.model.queue_engine import QueueResult
from midcorridor.model.queue_inputs import draw_ferry_inputs, max_hold_hours
from midcorridor.vocabulary import DAYS_IN_MONTH, HOURS_PER_DAY, Dispatch

HOURS_PER_YEAR = sum(DAYS_IN_MONTH) * HOURS_PER_DAY  # 8,760 h: the engine's 365-day year
FLEET_2025_TEU_PER_YEAR = 89_000  # SIA.az / Report 2025
ROUND_TRIP_HOURS = 84.0  # 3.5 days, index1520.com 2022
VESSELS_2025 = 6
CAPACITY_2025 = FLEET_2025_TEU_PER_YEAR / (VESSELS_2025 * HOURS_PER_YEAR / ROUND_TRIP_HOURS)
TODAY_TEU_PER_WEEK = 56_500 / 52  # Middle Corridor 2024 (corridor-facts.md)
TEU_PER_TRAIN = 84.0  # 42-container block train


def fleet_2025(dispatch: Dispatch, headway_hours: float = 16.0) -> Service:
    """The 2025 Aktau-Alat feeder fleet (142 TEU a sailing, 84 h round trip, 72 h hold)."""
    return Service(
        dispatch=dispatch,
        headway_hours=headway_hours,
        capacity_teu=CAPACITY_2025,
        vessels=VESSELS_2025,
        round_trip_hours=ROUND_TRIP_HOURS,
        max_hold_hours=72.0,
    )


ON_FILL = fleet_2025("on_fill")
SCHEDULED = fleet_2025("scheduled")
WEATHER = Weather(
    closure_share_by_month=(0.15, 0.15, 0.1, 0.05, 0.03, 0.02, 0.02, 0.02, 0.05, 0.1, 0.2, 0.25),
    hold_hours=Range(low=24.0, mode=48.0, high=96.0),
)


class SimpyFerry:
    """The ferry rules as a plain discrete-event model (quantities in trains' worth).

    Parameters
    ----------
    arrivals
        Train arrival times, ascending, hours.
    closures
        ``(k, 2)`` sorted, disjoint closed intervals ``[start, end)``, hours.
    service
        The ferry service.
    end
        The run stops here, hours; trains not gone by then get this departure time.

    Attributes
    ----------
    departure
        Per train, the hour its last TEU sails, hours.
    """

    def __init__(self, arrivals: Any, closures: Any, service: Service, end: float) -> None:
        self.env = env = simpy.Environment()
        self.service, self.cap = service, service.capacity_teu / TEU_PER_TRAIN
        self.hold = max_hold_hours(service)
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
            deadline = self.env.now + self.hold  # first TEU is aboard
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


def simpy_server_starts(arrivals: Sequence[float] | np.ndarray, capacity: Capacity) -> np.ndarray:
    """M/D/c first come first served as a SimPy Resource; returns handling start times.

    Each of the ``capacity.servers`` servers handles a train in
    ``24 * servers / trains_per_day`` hours (worked out here, not taken from the engine).
    """
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=capacity.servers)
    handling = HOURS_PER_DAY * capacity.servers / capacity.trains_per_day
    starts = np.empty(len(arrivals))

    def train(i: int, t: float) -> Generator[Any, Any, None]:
        yield env.timeout(t)
        with desk.request() as request:
            yield request
            starts[i] = env.now
            yield env.timeout(handling)

    for i, t in enumerate(arrivals):
        env.process(train(i, t))
    env.run()
    return starts


def simpy_ferry_result(
    volume: float, service: Service, weather: Weather | None, seed: int, **kw: Any
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
