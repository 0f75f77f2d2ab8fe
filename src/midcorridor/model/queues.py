"""Volume-dependent waits: the queue simulation applied to the network.

When a scenario gives a corridor volume, two kinds of point on a route are simulated for
two years of train arrivals, and the time model resamples the simulated per-train hours:

- each Caspian crossing (:func:`midcorridor.model.queue_engine.simulate_ferry`) with the link's
  fleet, dispatch rule and storm closures -> stages ``ferry_wait`` and ``weather`` (an
  ``on_fill`` service without ``max_hold_hours`` holds at most
  :data:`midcorridor.model.queue_inputs.DEFAULT_MAX_HOLD_HOURS`, a week);
- each node with a ``capacity`` in trains a day
  (:func:`midcorridor.model.queue_engine.simulate_server`, M/D/c) -> stage ``congestion``,
  replacing the node's recorded congestion processes.

Simplification: the corridor's whole volume passes every such point on its routes; flows
of other corridors through a shared point are not added. Black Sea services carry an
undocumented share of the corridor's volume and keep their timetable waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..inputs.network_files import Capacity, Service, Weather
from ..vocabulary import DAYS_IN_MONTH, DAYS_PER_WEEK, HOURS_PER_DAY
from .queue_engine import QueueResult, simulate_ferry, simulate_server
from .queue_inputs import Season

__all__ = ["TEU_PER_TRAIN", "SimulatedQueue", "ferry_queue", "node_queue"]

#: TEU per block train: 42 forty-foot containers (AzerNews 2020, Alat: a 42-container train).
TEU_PER_TRAIN = 84.0
#: Simulated horizon, days: two years, so every month is seen after the warm-up.
HORIZON_DAYS = 730.0

#: Start of each calendar month in a 365-day year, hours from 1 January; the last entry is
#: the length of the year.
_MONTH_STARTS = np.cumsum((0, *DAYS_IN_MONTH)) * HOURS_PER_DAY


@dataclass(frozen=True)
class SimulatedQueue:
    """Simulated waits at one point, per arrival month or over the year."""

    result: QueueResult

    def waits(self, month: int | None) -> tuple[np.ndarray, np.ndarray]:
        """``(wait, weather)`` hours of the steady-state trains arriving in ``month``.

        Parameters
        ----------
        month
            Calendar month of arrival, 1-12 (the simulation starts on 1 January); None
            for any month. When no steady-state train arrived in ``month`` (too few trains
            to fill it), the trains of the whole year are used.

        Returns
        -------
        tuple of numpy.ndarray
            Per train, the ``ferry_wait`` (or ``congestion``) and ``weather`` hours.
        """
        r = self.result
        chosen = r.steady_mask
        if month is not None:
            in_year = r.arrival_hours % _MONTH_STARTS[-1]
            months = np.searchsorted(_MONTH_STARTS, in_year, side="right")
            in_month = chosen & (months == month)
            if in_month.any():
                chosen = in_month
        return np.asarray(r.wait_hours[chosen]), np.asarray(r.weather_hours[chosen])

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
    service: Service,
    weather: Weather | None,
    volume_teu_per_week: float,
    seed: int = 0,
    *,
    season: Season | None = None,
) -> SimulatedQueue:
    """Simulate a ferry link's queue at a volume (cached: same inputs, same result).

    Parameters
    ----------
    service, weather
        The link's service and storm closures (after a scenario's service changes).
    volume_teu_per_week
        Offered volume, TEU per week (mean over the year).
    seed
        Seed of the simulated arrivals and storms.
    season
        Volume of each month relative to the mean (12 values), or None.
    """
    result = simulate_ferry(
        volume_teu_per_week,
        service,
        weather,
        season=season,
        horizon_days=HORIZON_DAYS,
        teu_per_train=TEU_PER_TRAIN,
        seed=seed,
    )
    return SimulatedQueue(result)


@lru_cache(maxsize=256)
def node_queue(
    capacity: Capacity,
    volume_teu_per_week: float,
    seed: int = 0,
    *,
    season: Season | None = None,
) -> SimulatedQueue:
    """Simulate the queue for a node's handling ``capacity`` at a volume (cached), the
    volume coming as trains of :data:`TEU_PER_TRAIN` TEU; the other arguments as for
    :func:`ferry_queue`."""
    trains_per_day = volume_teu_per_week / TEU_PER_TRAIN / DAYS_PER_WEEK
    result = simulate_server(
        trains_per_day, capacity, season=season, horizon_days=HORIZON_DAYS, seed=seed
    )
    return SimulatedQueue(result)
