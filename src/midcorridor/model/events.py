"""A place's backlog through a disruption: a fluid queue, hour by hour.

Cargo reaches the place at a rate (TEU an hour) and is handled first come, first served at
the place's capacity times the share an event leaves (:meth:`~midcorridor.inputs.events.Event.
capacity_share`). What cannot be handled waits: ``backlog[i + 1] = max(0, backlog[i] +
(arrivals[i] - capacity[i]) * step)``. A TEU arriving in hour ``i`` waits until the capacity
from then on has handled the backlog ahead of it (:func:`waits_hours`). A fluid model, not
trains one by one: it is exact for the backlog's size and the time it takes to drain, which
is what a closure's scale is reported in (trains stranded, days of backlog), and can be
checked by hand.

A place with capacity to spare (none given) keeps no backlog once it reopens: what arrived
while it was closed leaves when it reopens (:func:`ample_waits_hours`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["STEP_HOURS", "Backlog", "ample_waits_hours", "fluid_backlog", "waits_hours"]

#: Time step, hours.
STEP_HOURS = 1.0
#: The arriving TEU's own handling, so that one arriving at a closed place waits for it.
_OWN_TEU = 1e-6

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Backlog:
    """A place's backlog on an hourly grid (hour 0 = the grid's start).

    ``queue_teu[i]`` is the backlog at the start of hour ``i``; ``waits_hours[i]`` the wait
    of a TEU arriving then (inf: not handled within the grid).
    """

    arrivals_teu_per_hour: FloatArray
    capacity_teu_per_hour: FloatArray
    queue_teu: FloatArray
    waits_hours: FloatArray

    def drained_hour(self, after_hour: float) -> float | None:
        """First hour from ``after_hour`` on with no backlog (None: not within the grid)."""
        start = int(np.ceil(after_hour / STEP_HOURS))
        empty = np.flatnonzero(self.queue_teu[start:] <= 1e-9)
        return None if empty.size == 0 else (start + int(empty[0])) * STEP_HOURS


def fluid_backlog(arrivals_teu_per_hour: FloatArray, capacity_teu_per_hour: FloatArray) -> Backlog:
    """The backlog and waits of a first-come first-served place, hour by hour.

    Parameters
    ----------
    arrivals_teu_per_hour, capacity_teu_per_hour
        TEU an hour reaching the place and that it can handle, one value per hour.
    """
    arrivals = np.asarray(arrivals_teu_per_hour, dtype=np.float64)
    capacity = np.asarray(capacity_teu_per_hour, dtype=np.float64)
    queue = np.zeros(arrivals.size + 1)
    for i in range(arrivals.size):
        queue[i + 1] = max(0.0, queue[i] + (arrivals[i] - capacity[i]) * STEP_HOURS)
    return Backlog(arrivals, capacity, queue[:-1], waits_hours(queue[:-1], capacity))


def waits_hours(queue_teu: FloatArray, capacity_teu_per_hour: FloatArray) -> FloatArray:
    """Wait of a TEU arriving in each hour: the time the capacity from then on takes to
    handle the backlog ahead of it and the TEU itself (linear within an hour; inf past the
    grid's end). A TEU arriving while the place is closed waits for it to reopen."""
    served = np.concatenate([[0.0], np.cumsum(capacity_teu_per_hour * STEP_HOURS)])
    target = served[:-1] + queue_teu + _OWN_TEU
    # The first grid point by which the cumulative service reaches the target (at least the
    # next one, since the target is above the service so far), then interpolate within.
    j = np.searchsorted(served, target, side="left")
    waits = np.full(queue_teu.size, np.inf)
    idx = np.flatnonzero(j < served.size)
    jj = j[idx]
    gained = served[jj] - served[jj - 1]
    within = (target[idx] - served[jj - 1]) / gained
    waits[idx] = (jj - 1 + within) * STEP_HOURS - idx * STEP_HOURS
    return np.maximum(waits, 0.0)


def ample_waits_hours(
    hours: FloatArray, closed: Callable[[FloatArray], npt.NDArray[np.bool_]], end_hour: float
) -> FloatArray:
    """Waits at a place with capacity to spare: what arrives while it is ``closed`` leaves
    at ``end_hour``, nothing waits otherwise."""
    return np.where(closed(hours), np.maximum(end_hour - hours, 0.0), 0.0)
