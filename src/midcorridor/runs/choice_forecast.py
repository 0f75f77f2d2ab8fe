"""A run's door-to-door days at other volumes, without running it: the corridor choice's
forecast (:func:`midcorridor.runs.choice.solve_choice`).

What moves when cargo moves onto or off a corridor is its simulated queues' waits, and
those jump from one volume to the next (a train that makes or misses a sailing after a
storm shifts every train behind it): the corridor choice's gap jitters by tens of TEU a
week between volumes a TEU apart. The forecast sees the same jumps without a run. The
run's trips are planned again on the same routes at the new volume (cheap: no sampling;
the queues are simulated there, and cached for the run that may follow), and each
sample's hours of every simulated queue are moved to the same rank among the waits
simulated at the new volume; the rest of each sample is kept. What it leaves out: the
timetabled departures a sample would now make or miss, and a route the new volume would
make faster than the one taken.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..model.delays import Adjustment, Component
from ..model.trip import TripResult
from ..network.routing import Route
from ..vocabulary import HOURS_PER_DAY
from .runner import PlannedTrip, ScenarioRun

__all__ = ["DaysForecast"]


def _at_rank(values: np.ndarray, old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Each of ``values`` (drawn from ``old``) moved to its rank among ``new`` (ties at
    their middle rank; ``old`` for ``new`` gives each value back)."""
    old, new = np.sort(old), np.sort(new)
    rank = (np.searchsorted(old, values, "left") + np.searchsorted(old, values, "right")) / 2
    return np.interp(rank / old.size * new.size - 0.5, np.arange(new.size), new)


def _queue_waits(comp: Component, adjustment: Adjustment) -> np.ndarray | None:
    """The simulated waits a queue's samples are drawn from, after the scenario's change."""
    return None if comp.empirical is None else adjustment.apply(comp.empirical)


class DaysForecast:
    """Door-to-door days of a run's trips forecast at other volumes.

    Parameters
    ----------
    run
        The run, with every sample's hours kept (:attr:`TripResult.all_kept`).
    plan
        Plans the run's trips on the given routes at a point (the caller's coordinates,
        e.g. TEU a week moved onto each corridor), without sampling.
    at
        The point the run was made at.
    """

    def __init__(
        self,
        run: ScenarioRun,
        plan: Callable[[np.ndarray, Sequence[Route]], Sequence[PlannedTrip]],
        at: np.ndarray,
    ) -> None:
        if not all(trip.all_kept for trip in run.trips):
            raise ValueError("a forecast needs every sample's hours (at most KEEP_SAMPLES)")
        self.trips = run.trips
        self.routes = [trip.route for trip in run.trips]
        self._plan = plan
        self._before = list(plan(at, self.routes))

    def days(self, at: np.ndarray) -> dict[str, dict[str, float]]:
        """Label -> mean, P10, P50 and P90 door-to-door days forecast at ``at``."""
        out = {}
        for trip, before, after in zip(
            self.trips, self._before, self._plan(at, self.routes), strict=True
        ):
            days = trip.total_days + self._change_hours(trip, before, after) / HOURS_PER_DAY
            p10, p50, p90 = np.percentile(days, [10, 50, 90])
            out[trip.label] = {
                "mean": float(days.mean()),
                "p10": float(p10),
                "p50": float(p50),
                "p90": float(p90),
            }
        return out

    @staticmethod
    def _change_hours(trip: TripResult, before: PlannedTrip, after: PlannedTrip) -> np.ndarray:
        """Per sample, the hours its queues' waits change by from ``before`` to ``after``;
        none for a trip whose delays differ (a queue appears or goes)."""
        change = np.zeros(trip.samples)
        stages = [c.stage for c in before.components]
        if stages != [c.stage for c in after.components]:
            return change
        for j, (old_comp, new_comp) in enumerate(
            zip(before.components, after.components, strict=True)
        ):
            old = _queue_waits(old_comp, before.adjustments[j])
            new = _queue_waits(new_comp, after.adjustments[j])
            if old is None or new is None or old.size == 0 or new.size == 0:
                continue
            sampled = trip.hours[:, j]
            change += _at_rank(sampled, old, new) - _at_rank(sampled, old, old)
        return change
