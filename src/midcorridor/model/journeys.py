"""Journeys in time: each sampled trip walks its route on a clock.

:func:`midcorridor.model.sampling.sample_hours` draws every delay of a trip independently. Two
kinds of delay depend on *when* a container gets somewhere, and are set here by walking
the trip in travel order with a clock (hours from 00:00 on 1 January):

- the wait for a **timetabled departure** (:class:`~midcorridor.model.timetable.Timetable`):
  the container leaves on the first departure it is ready for by the cut-off, or, when
  departures are full (:class:`~midcorridor.model.timetable.DepartureLoads`), on the first
  with room for its class. A shipment whose connection is ``booked`` (a block train)
  leaves its origin on a plan that reaches its booked departure in the class's
  ``plan_quantile`` of trips (:class:`~midcorridor.inputs.network_files.ShipmentClass`); late, it
  waits for the next one. So an hour of paperwork before a weekly ferry can cost a
  week, and saving it can save the week.
- **waits that change over the year** (queues simulated with a monthly volume): drawn
  from the waits of the month the container reaches the queue.

Every other delay keeps its independent draw, so a route with neither kind of delay
gives exactly the numbers of the plain sampler. The walk is vectorized over samples:
one numpy pass per component, never a Python loop per sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..vocabulary import STAGES, Connection, Shipment
from .timetable import MONTH_START_HOURS, month_of

if TYPE_CHECKING:
    from .delays import Adjustment, Component

__all__ = ["FULL_DEPARTURE", "ConnectionStats", "Journey", "in_time", "stage_matrix", "walk"]

#: Reason given for a container rolled over by a departure with no room for it.
FULL_DEPARTURE = "full departure"


@dataclass(frozen=True)
class Journey:
    """How a trip meets its timetabled departures.

    Attributes
    ----------
    shipment
        What travels (its class boards in its priority at full departures).
    connection
        ``booked`` or ``on_arrival`` (see :class:`~midcorridor.inputs.network_files.ShipmentClass`).
    month
        Departure month from the origin (1-12); None: the month drawn for each sample.
    plan_hours
        For ``booked``: hours the plan allows from the origin to the first timetabled
        departure's cut-off; 12 values (January first) when they depend on the
        departure month (queues that follow a monthly volume).
    plan_stage_hours
        For ``booked``: mean hours of each stage (:data:`STAGES` order) before that
        departure, to say which stage made a late trip late.
    """

    shipment: Shipment = "block_train"
    connection: Connection = "on_arrival"
    month: int | None = None
    plan_hours: float | tuple[float, ...] | None = None
    plan_stage_hours: tuple[float, ...] | None = None


@dataclass
class ConnectionStats:
    """How the containers of a run met one timetabled departure.

    Attributes
    ----------
    link
        The link of the departure.
    samples
        Containers counted.
    missed
        Containers that left later than the first departure they could have made: a
        booked one after its booked departure, any one rolled over by a full departure.
    reasons
        Of the missed ones, how many for each reason: the stage before the departure
        that overran its plan most (booked), or :data:`FULL_DEPARTURE`.
    """

    link: str
    samples: int = 0
    missed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def missed_share(self) -> float:
        """Share of containers that missed the first departure they could have made."""
        return self.missed / self.samples if self.samples else 0.0

    def add(self, other: ConnectionStats) -> None:
        """Count ``other``'s containers too (another chunk of the same run)."""
        self.samples += other.samples
        self.missed += other.missed
        for reason, count in other.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + count

    def to_dict(self) -> dict[str, object]:
        """JSON-ready counts, with the missed share and each reason's share of it."""
        return {
            "link": self.link,
            "missed_share": self.missed_share,
            "reasons": {r: n / self.missed for r, n in self.reasons.items()} if self.missed else {},
        }


def stage_matrix(comps: Sequence[Component]) -> np.ndarray:
    """``(len(comps), len(STAGES))``: 1 where a component belongs to a stage.

    ``hours @ stage_matrix(comps)`` gives hours by stage, in :data:`STAGES` order.
    """
    matrix = np.zeros((len(comps), len(STAGES)))
    matrix[np.arange(len(comps)), [STAGES.index(c.stage) for c in comps]] = 1.0
    return matrix


def in_time(comps: Sequence[Component]) -> bool:
    """Whether any delay of the trip depends on when the container gets there."""
    return any(c.timetable is not None or c.empirical_by_month is not None for c in comps)


def walk(
    hours: np.ndarray,
    comps: Sequence[Component],
    adjustments: Sequence[Adjustment] | None,
    months: np.ndarray | None,
    rng: np.random.Generator,
    journey: Journey,
) -> list[ConnectionStats]:
    """Set, in place, the hours of the delays that depend on the clock.

    Parameters
    ----------
    hours
        ``(samples, len(comps))`` hours drawn independently and adjusted; the columns
        of timetabled and month-dependent delays are replaced.
    comps, adjustments
        The trip's delays and the scenario's changes to them.
    months
        Departure month of each sample (0-11), if drawn already (for storm holds);
        None draws them here (or uses :attr:`Journey.month`).
    rng
        Random generator, advanced by the departure times and queue positions drawn.
    journey
        The trip's shipment and connection.

    Returns
    -------
    list of ConnectionStats
        One per timetabled departure of the trip, in travel order.
    """
    n = hours.shape[0]
    if journey.month is not None:
        months = np.full(n, journey.month - 1)
    elif months is None:
        months = np.asarray(rng.integers(0, 12, size=n))
    month_hours = np.diff(MONTH_START_HOURS)
    start = MONTH_START_HOURS[months] + rng.random(n) * month_hours[months]
    timetabled = [j for j, c in enumerate(comps) if c.timetable is not None]
    booked_at, departure = -1, start
    first_table = comps[timetabled[0]].timetable if timetabled else None
    if journey.connection == "booked" and journey.plan_hours is not None and first_table:
        # The train leaves its origin so that, on plan, it is ready at the cut-off.
        booked_at = timetabled[0]
        plan = np.asarray(journey.plan_hours, dtype=np.float64)
        if plan.ndim:
            plan = plan[months]
        departure = first_table.next_departure(start + plan)
        start = departure - first_table.cutoff_hours - plan
    clock = start.copy()
    stats = []
    group_rows: dict[str, np.ndarray] = {}
    for j, comp in enumerate(comps):
        adjustment = adjustments[j] if adjustments is not None else None
        if comp.timetable is not None:
            table = comp.timetable
            link = comp.link or comp.node
            first = table.next_departure(clock)
            count = ConnectionStats(link, samples=n)
            if j == booked_at:
                late = first > departure
                leaves = np.where(late, first, departure)
                rolled = np.zeros(n, dtype=bool)
                if comp.loads is not None:  # reserved slots fill up too
                    number, rolls = comp.loads.departure_index(
                        journey.shipment, leaves - table.cutoff_hours, rng.random(n)
                    )
                    leaves = table.departure_hours(number)
                    rolled = (rolls > 0) & ~late
                count.missed = int((late | rolled).sum())
                count.reasons = _late_stages(hours[late, :j], comps[:j], journey)
                if rolled.any():
                    count.reasons[FULL_DEPARTURE] = int(rolled.sum())
            elif comp.loads is not None:
                number, rolled = comp.loads.departure_index(journey.shipment, clock, rng.random(n))
                leaves = table.departure_hours(number)
                count.missed = int((rolled > 0).sum())
                if count.missed:
                    count.reasons = {FULL_DEPARTURE: count.missed}
            else:
                leaves = first
            wait = leaves - clock
            hours[:, j] = adjustment.apply(wait) if adjustment is not None else wait
            stats.append(count)
        elif comp.empirical_by_month is not None:
            key = comp.empirical_group or str(j)
            if key not in group_rows:
                group_rows[key] = np.asarray(rng.random(n))
            rows = group_rows[key]
            arrival_month = month_of(clock)
            for m in np.unique(arrival_month):
                waits = comp.empirical_by_month[m]
                here = arrival_month == m
                picked = waits[(rows[here] * waits.size).astype(np.int64)]
                hours[here, j] = adjustment.apply(picked) if adjustment is not None else picked
        clock += hours[:, j]
    return stats


def _late_stages(
    upstream: np.ndarray, comps: Sequence[Component], journey: Journey
) -> dict[str, int]:
    """For each late sample, the stage before the departure that overran its plan most."""
    if upstream.shape[0] == 0 or journey.plan_stage_hours is None:
        return {}
    excess = upstream @ stage_matrix(comps) - np.asarray(journey.plan_stage_hours)
    worst = np.argmax(excess, axis=1)
    stages, counts = np.unique(worst, return_counts=True)
    return {STAGES[s]: int(c) for s, c in zip(stages, counts, strict=True)}
