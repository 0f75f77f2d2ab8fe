"""A run's door-to-door days at other volumes, without running it: the corridor choice's
forecast (:func:`midcorridor.runs.choice.solve_choice`).

What moves when cargo moves onto or off a corridor is its simulated queues' waits, and
those jump from one volume to the next (a train that makes or misses a sailing after a
storm shifts every train behind it): the corridor choice's gap jitters by tens of TEU a
week between volumes a TEU apart. The forecast sees the same jumps without a run. The
run's trips are planned again on the same routes at the new volume (cheap: no sampling;
the queues are simulated there, and cached for the run that may follow), and each
sample's hours of every simulated queue are moved to the same rank among the waits
simulated at the new volume; the rest of each sample is kept, but for a booked trip's
wait for its booked departure. A block train leaves its origin on a plan that makes its
booked sailing in the plan's quantile of trips (:func:`~midcorridor.model.sampling.plan_journey`):
on time, it reaches the sailing that plan's hours after it left, whatever its own
delays; late, a sailing or more later. The plan is made from the delays before the
sailing, so a queue upstream that lengthens or shortens moves the plan (its upper
quantile, where a queue near saturation moves most), and the plan moves every on-time
train's door-to-door time, not each train's own wait: the forecast plans the journey again
at the new volume and walks each sample to its booked sailing on the new plan with its
moved delays, as a run's walk does (:func:`~midcorridor.model.journeys.walk`). What it
leaves out: the other timetabled departures a sample would now make or miss, a plan that
depends on the departure month (a sample's month is not kept), and a route the new volume
would make faster than the one taken.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..model.delays import Adjustment, Component
from ..model.journeys import Journey
from ..model.trip import TripResult
from ..network.network import Network
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
    network
        The network the run was made on (its shipment classes plan booked journeys).
    """

    def __init__(
        self,
        run: ScenarioRun,
        plan: Callable[[np.ndarray, Sequence[Route]], Sequence[PlannedTrip]],
        at: np.ndarray,
        network: Network,
    ) -> None:
        if not all(trip.all_kept for trip in run.trips):
            raise ValueError("a forecast needs every sample's hours (at most KEEP_SAMPLES)")
        self.trips = run.trips
        self.routes = [trip.route for trip in run.trips]
        self._plan = plan
        self._before = list(plan(at, self.routes))
        self._journey = lambda trip: trip.journey(network, month=run.month, seed=run.seed)
        self._journeys = [self._journey(trip) for trip in self._before]

    def days(self, at: np.ndarray) -> dict[str, dict[str, float]]:
        """Label -> mean, P10, P50 and P90 door-to-door days forecast at ``at``."""
        out = {}
        for trip, before, journey, after in zip(
            self.trips, self._before, self._journeys, self._plan(at, self.routes), strict=True
        ):
            days = (
                trip.total_days + self._change_hours(trip, before, journey, after) / HOURS_PER_DAY
            )
            p10, p50, p90 = np.percentile(days, [10, 50, 90])
            out[trip.label] = {
                "mean": float(days.mean()),
                "p10": float(p10),
                "p50": float(p50),
                "p90": float(p90),
            }
        return out

    def _change_hours(
        self, trip: TripResult, before: PlannedTrip, journey: Journey, after: PlannedTrip
    ) -> np.ndarray:
        """Per sample, the hours its queues' waits, and its wait for a booked sailing,
        change by from ``before`` (planned as ``journey``) to ``after``; none for a trip
        whose delays differ (a queue appears or goes)."""
        change = np.zeros(trip.samples)
        stages = [c.stage for c in before.components]
        if stages != [c.stage for c in after.components]:
            return change
        booked = _booked_index(before, journey)
        upstream = np.zeros(trip.samples)
        for j, (old_comp, new_comp) in enumerate(
            zip(before.components, after.components, strict=True)
        ):
            old = _queue_waits(old_comp, before.adjustments[j])
            new = _queue_waits(new_comp, after.adjustments[j])
            if old is None or new is None or old.size == 0 or new.size == 0:
                continue
            sampled = trip.hours[:, j]
            moved = _at_rank(sampled, old, new) - _at_rank(sampled, old, old)
            change += moved
            if booked is not None and j < booked:
                upstream += moved
        if booked is not None:
            after_journey = self._journey(after)
            if _booked_index(after, after_journey) == booked:
                change += _rebooked_hours(
                    trip.hours[:, :booked].sum(axis=1),
                    upstream,
                    _plan(before, booked, journey),
                    _plan(after, booked, after_journey),
                )
        return change


def _booked_index(trip: PlannedTrip, journey: Journey) -> int | None:
    """The component of a booked trip's booked sailing (its first timetabled departure),
    if the trip has one plan (not one a month) and the scenario leaves that wait as walked."""
    first = next((j for j, c in enumerate(trip.components) if c.timetable is not None), None)
    if journey.connection != "booked" or first is None:
        return None
    if not isinstance(journey.plan_hours, float) or trip.adjustments[first] != Adjustment():
        return None
    return first


def _plan(trip: PlannedTrip, booked: int, journey: Journey) -> tuple[float, float]:
    """Hours a booked trip's plan allows to its booked sailing's cut-off, and the
    sailings' headway, hours."""
    table = trip.components[booked].timetable
    assert table is not None
    assert isinstance(journey.plan_hours, float)
    return journey.plan_hours, table.headway_hours


def _rebooked_hours(
    upstream: np.ndarray,
    change: np.ndarray,
    before: tuple[float, float],
    after: tuple[float, float],
) -> np.ndarray:
    """Per sample, the hours a booked trip's wait for its booked sailing changes by when
    its delays before the sailing (``upstream`` hours) change by ``change`` and its plan
    and headway go from ``before`` to ``after``.

    As the walk has it, a train leaves its origin the plan's hours (and the cut-off)
    before its booked sailing; a train ``late`` hours past the plan leaves
    ``ceil(late / headway)`` sailings later. From its origin to its sailing it takes the
    plan plus those headways: the wait is that less its own delays. A train held back by
    a full sailing keeps the hours it lost there.
    """
    (plan_before, headway_before), (plan_after, headway_after) = before, after
    missed_before = np.ceil(np.maximum(upstream - plan_before, 0.0) / headway_before)
    missed_after = np.ceil(np.maximum(upstream + change - plan_after, 0.0) / headway_after)
    sailing = (
        plan_after - plan_before + missed_after * headway_after - missed_before * headway_before
    )
    return sailing - change
