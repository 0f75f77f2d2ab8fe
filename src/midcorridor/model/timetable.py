"""Timetabled departures: which sailing a container ready at a port leaves on.

A pure module (numpy only), vectorized over containers. Times are hours from 00:00 on
1 January of the year the trips depart in (the model's clock).

A :class:`Timetable` is a departure every ``headway_hours`` from ``first_departure_hours``,
with a cut-off: a container makes departure ``k`` if it is ready (documents done, at the
quay) at least ``cutoff_hours`` before it. :meth:`Timetable.next_departure` gives the
first departure each container makes, if every departure had room.

When departures have a capacity and the demand for them is known by shipment class,
:func:`departure_loads` runs a *fluid priority queue* over the departures: at each one,
the classes board in priority order (first-come first-served within a class) up to the
capacity, and what does not fit rolls over to the next departure. It loops once per
departure (about 50 a year for a weekly service), never per container.
:meth:`DepartureLoads.departure_index` then places each container in its class's queue
(a uniform position among the TEU of its class that became ready in the same interval)
and finds the departure whose cumulative room for its class first covers the TEU ahead
of it: ``searchsorted`` over a prefix sum, vectorized over containers.

A surge in demand builds a backlog that the following departures drain, so the wait
depends on when a container arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..vocabulary import DAYS_IN_MONTH, HOURS_PER_DAY, HOURS_PER_WEEK

__all__ = [
    "HOURS_PER_YEAR",
    "MONTH_START_HOURS",
    "DepartureLoads",
    "Timetable",
    "cumulative_teu",
    "departure_loads",
    "month_of",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Start of each calendar month in a 365-day year, hours from 1 January; the last entry
#: is the length of the year.
MONTH_START_HOURS: FloatArray = np.cumsum((0, *DAYS_IN_MONTH)) * HOURS_PER_DAY
HOURS_PER_YEAR = float(MONTH_START_HOURS[-1])

#: Years of departures run before the trips' year, so that a backlog built in one year
#: is carried into the next (the fluid queue starts empty).
WARMUP_YEARS = 1


def month_of(hours: npt.ArrayLike) -> IntArray:
    """Calendar month (0 = January) of clock times, hours (any year)."""
    in_year = np.mod(np.asarray(hours, dtype=np.float64), HOURS_PER_YEAR)
    return np.searchsorted(MONTH_START_HOURS, in_year, side="right").astype(np.int64) - 1


@dataclass(frozen=True)
class Timetable:
    """A departure every ``headway_hours`` (hours) from ``first_departure_hours``.

    Attributes
    ----------
    headway_hours
        Hours between departures, > 0.
    first_departure_hours
        Clock time of one departure (the phase of the timetable), hours.
    cutoff_hours
        A container must be ready this many hours before a departure to make it, >= 0.
    """

    headway_hours: float
    first_departure_hours: float = 0.0
    cutoff_hours: float = 0.0

    def __post_init__(self) -> None:
        if not self.headway_hours > 0:
            raise ValueError(f"headway_hours must be above 0, got {self.headway_hours}")
        if not self.cutoff_hours >= 0:
            raise ValueError(f"cutoff_hours must be 0 or more, got {self.cutoff_hours}")

    def index(self, ready_hours: npt.ArrayLike) -> IntArray:
        """Number (from the first departure) of the first departure each container makes."""
        ready = np.asarray(ready_hours, dtype=np.float64)
        offset = (ready + self.cutoff_hours - self.first_departure_hours) / self.headway_hours
        return np.ceil(offset).astype(np.int64)

    def departure_hours(self, index: npt.ArrayLike) -> FloatArray:
        """Clock time of departures by number, hours."""
        return self.first_departure_hours + np.asarray(index, dtype=np.float64) * self.headway_hours

    def next_departure(self, ready_hours: npt.ArrayLike) -> FloatArray:
        """Clock time of the first departure each container makes, hours."""
        return self.departure_hours(self.index(ready_hours))


def cumulative_teu(
    hours: npt.ArrayLike, teu_per_week_by_month: Sequence[float], *, start_hours: float
) -> FloatArray:
    """TEU arrived from ``start_hours`` to each of ``hours`` at a monthly rate.

    Parameters
    ----------
    hours
        Clock times, hours (>= ``start_hours``).
    teu_per_week_by_month
        Rate in each calendar month (January first), TEU a week; the same every year.
    start_hours
        Clock time from which TEU are counted.
    """
    rates = np.asarray(teu_per_week_by_month, dtype=np.float64) / HOURS_PER_WEEK
    if rates.shape != (12,):
        raise ValueError(f"teu_per_week_by_month needs 12 values, got {rates.shape[0]}")
    per_month = rates * np.diff(MONTH_START_HOURS)
    first_year = np.floor(start_hours / HOURS_PER_YEAR)
    times = np.asarray(hours, dtype=np.float64)
    last_year = np.floor(times.max() / HOURS_PER_YEAR) if times.size else first_year
    years = np.arange(first_year, last_year + 1)
    knots = (years[:, None] * HOURS_PER_YEAR + MONTH_START_HOURS[None, :-1]).ravel()
    knots = np.append(knots, (last_year + 1) * HOURS_PER_YEAR)
    counts = np.concatenate(([0.0], np.cumsum(np.tile(per_month, years.size))))
    return np.interp(times, knots, counts) - np.interp(start_hours, knots, counts)


@dataclass(frozen=True)
class DepartureLoads:
    """Loads of a run of departures, by shipment class in priority order.

    Attributes
    ----------
    timetable
        The departures; departure ``j`` of the arrays is number ``first_index + j``.
    first_index
        Number of the first departure in the arrays.
    classes
        Shipment classes, highest priority first.
    arrivals_teu
        ``(classes, departures)``: TEU of each class becoming ready for each departure
        (ready after the previous departure's cut-off, by this one's).
    backlog_teu
        ``(classes, departures)``: TEU of each class left behind by earlier departures,
        waiting for this one.
    room_teu
        ``(classes, departures)``: capacity of each departure left for each class after
        the classes above it have boarded, TEU.
    """

    timetable: Timetable
    first_index: int
    classes: tuple[str, ...]
    arrivals_teu: FloatArray
    backlog_teu: FloatArray
    room_teu: FloatArray

    @property
    def departures(self) -> int:
        """Number of departures run."""
        return int(self.room_teu.shape[1])

    def departure_index(
        self, shipment: str, ready_hours: npt.ArrayLike, position: npt.ArrayLike
    ) -> tuple[IntArray, IntArray]:
        """Departure each container of ``shipment`` leaves on, and how many it missed.

        Parameters
        ----------
        shipment
            The containers' class (one of :attr:`classes`).
        ready_hours
            Clock times the containers are ready, hours.
        position
            Place of each container among the TEU of its class that became ready for the
            same departure, in ``[0, 1)`` (uniform: arrival order is random).

        Returns
        -------
        tuple of numpy.ndarray
            The departure number each container leaves on, and the number of departures
            it was rolled over (full departures after the first it could make). A
            container for which no departure in the run has room gets one past the last
            (its wait is then a lower bound).

        Raises
        ------
        ValueError
            If ``shipment`` is not a class of the run, or a container is ready outside it.
        """
        if shipment not in self.classes:
            raise ValueError(f"shipment {shipment!r} is not one of {', '.join(self.classes)}")
        c = self.classes.index(shipment)
        first = self.timetable.index(ready_hours) - self.first_index
        if first.size and (first.min() < 0 or first.max() >= self.departures):
            raise ValueError("a container is ready outside the departures run")
        ahead = self.backlog_teu[c, first] + np.asarray(position) * self.arrivals_teu[c, first]
        room_before = np.concatenate(([0.0], np.cumsum(self.room_teu[c])))
        # Smallest j with room of departures first..j > TEU ahead (first-come first-served).
        leaves = np.searchsorted(room_before[1:], room_before[first] + ahead, side="right")
        leaves = np.maximum(leaves, first)
        return leaves + self.first_index, leaves - first


def departure_loads(
    timetable: Timetable,
    capacity_teu: float,
    demand_teu_per_week: dict[str, Sequence[float]],
    *,
    until_hours: float,
) -> DepartureLoads:
    """Run the fluid priority queue over departures up to ``until_hours``.

    Departures start :data:`WARMUP_YEARS` before the clock's year 0, with no backlog.

    Parameters
    ----------
    timetable
        The departures.
    capacity_teu
        TEU each departure carries, > 0.
    demand_teu_per_week
        Shipment class -> TEU a week becoming ready in each calendar month (12 values),
        highest priority first.
    until_hours
        Clock time the run must cover, hours (the latest time a container is ready).

    Returns
    -------
    DepartureLoads
        Arrivals, backlog and room per class and departure.
    """
    if not capacity_teu > 0:
        raise ValueError(f"capacity_teu must be above 0, got {capacity_teu}")
    start = -WARMUP_YEARS * HOURS_PER_YEAR
    first = int(timetable.index(start))
    last = int(timetable.index(until_hours)) + 1
    numbers = np.arange(first, last + 1)
    cut = timetable.departure_hours(numbers) - timetable.cutoff_hours
    classes = tuple(demand_teu_per_week)
    arrivals = np.empty((len(classes), numbers.size))
    for c, name in enumerate(classes):
        total = cumulative_teu(np.maximum(cut, start), demand_teu_per_week[name], start_hours=start)
        arrivals[c] = np.diff(total, prepend=0.0)
    backlog = np.zeros_like(arrivals)
    room = np.zeros_like(arrivals)
    waiting_after = np.zeros(len(classes))
    for k in range(numbers.size):  # one step per departure
        free = capacity_teu
        for c in range(len(classes)):
            backlog[c, k] = waiting_after[c]
            room[c, k] = free
            waiting = waiting_after[c] + arrivals[c, k]
            boarded = min(waiting, free)
            free -= boarded
            waiting_after[c] = waiting - boarded
    return DepartureLoads(
        timetable=timetable,
        first_index=first,
        classes=classes,
        arrivals_teu=arrivals,
        backlog_teu=backlog,
        room_teu=room,
    )
