"""Volume-dependent waits: the queue simulation applied to the network.

When a scenario gives a corridor volume, two kinds of point on a route are simulated for
two years of train arrivals, and the time model resamples the simulated per-train hours:

- each Caspian crossing (:func:`midcorridor.queue_engine.simulate_ferry`) with the link's
  fleet, dispatch rule and storm closures -> stages ``ferry_wait`` and ``weather``;
- each node with a ``capacity`` in trains a day (:func:`midcorridor.queue_engine.simulate_server`,
  M/D/c) -> stage ``congestion``, replacing the node's recorded congestion processes.

Simplification: the corridor's whole volume passes every such point on its routes; flows
of other corridors through a shared point are not added. Black Sea services carry an
undocumented share of the corridor's volume and keep their timetable waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .queue_engine import (
    DAYS_IN_MONTH,
    FerryService,
    QueueResult,
    Server,
    WeatherClosures,
    simulate_ferry,
    simulate_server,
)
from .schema import Capacity, Service, Weather

__all__ = ["TEU_PER_TRAIN", "SimulatedQueue", "ferry_queue", "node_queue"]

#: TEU per block train: 42 forty-foot containers (AzerNews 2020, Alat: a 42-container train).
TEU_PER_TRAIN = 84.0
#: Simulated horizon, days: two years, so every month is seen after the warm-up.
HORIZON_DAYS = 730.0
#: Hold of an on_fill vessel when the network gives none, hours (assumption: one week,
#: the "up to a week" wait with low load reported by travellers, corridor-facts).
DEFAULT_MAX_HOLD_HOURS = 168.0

_MONTH_STARTS = np.cumsum((0, *DAYS_IN_MONTH)) * 24.0


@dataclass(frozen=True)
class SimulatedQueue:
    """Simulated waits at one point, per arrival month or over the year."""

    result: QueueResult

    def waits(self, month: int | None) -> tuple[np.ndarray, np.ndarray]:
        """``(wait, weather)`` hours of trains arriving in ``month`` (None: any month)."""
        r = self.result
        steady = r.arrival_hours >= 0.1 * r.horizon_hours
        if month is not None:
            in_year = r.arrival_hours % (_MONTH_STARTS[-1])
            months = np.searchsorted(_MONTH_STARTS, in_year, side="right")
            steady &= months == month
        if not steady.any():  # too few trains to fill a month: use the whole year
            steady = r.arrival_hours >= 0.1 * r.horizon_hours
        return np.asarray(r.wait_hours[steady]), np.asarray(r.weather_hours[steady])

    @property
    def utilisation(self) -> float:
        """Offered load over capacity (weather ignored)."""
        return self.result.utilisation

    @property
    def saturated(self) -> bool:
        """Whether the queue grows without bound at this volume."""
        return self.result.saturated


@lru_cache(maxsize=256)
def ferry_queue(
    service: Service, weather: Weather | None, volume_teu_per_week: float, seed: int = 0
) -> SimulatedQueue:
    """Simulate a ferry link's queue at a volume (cached: same inputs, same result).

    Parameters
    ----------
    service, weather
        The link's service and storm closures (after a scenario's service changes).
    volume_teu_per_week
        Offered volume, TEU per week.
    seed
        Seed of the simulated arrivals and storms.
    """
    closures = None
    if weather is not None:
        closures = WeatherClosures(
            closure_share_by_month=weather.closure_share_by_month,
            hold_hours_low=weather.hold_hours.low,
            hold_hours_mode=weather.hold_hours.mode,
            hold_hours_high=weather.hold_hours.high,
        )
    ferry = FerryService(
        dispatch=service.dispatch,
        vessels=service.vessels,
        capacity_teu=service.capacity_teu,
        round_trip_hours=service.round_trip_hours,
        headway_hours=service.headway_hours,
        max_hold_hours=service.max_hold_hours or DEFAULT_MAX_HOLD_HOURS,
    )
    result = simulate_ferry(
        volume_teu_per_week,
        ferry,
        closures,
        horizon_days=HORIZON_DAYS,
        teu_per_train=TEU_PER_TRAIN,
        seed=seed,
    )
    return SimulatedQueue(result)


@lru_cache(maxsize=256)
def node_queue(capacity: Capacity, volume_teu_per_week: float, seed: int = 0) -> SimulatedQueue:
    """Simulate the queue for a node's handling capacity at a volume (TEU/week), cached."""
    trains_per_day = volume_teu_per_week / TEU_PER_TRAIN / 7.0
    server = Server(capacity_per_day=capacity.trains_per_day, servers=capacity.servers)
    result = simulate_server(trains_per_day, server, horizon_days=HORIZON_DAYS, seed=seed)
    return SimulatedQueue(result)
