"""The queue engine's inputs: its checked arguments, what it reads from the network's
models, and the random draws of a run (train arrivals, storm spells).

:func:`poisson_arrivals` and :func:`draw_ferry_inputs` draw a run's random inputs from a
seed; :mod:`midcorridor.model.queue_engine` turns them into departures and waits. The
scalar run arguments (volume, horizon, TEU per train, seed) are validated here with
pydantic, so a bad value raises :class:`pydantic.ValidationError` (a :class:`ValueError`)
naming it.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from typing import Annotated, Self

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..inputs.network_files import Capacity, Service, Weather
from ..vocabulary import DAYS_IN_MONTH, DAYS_PER_WEEK, HOURS_PER_DAY, HOURS_PER_WEEK
from .delays import sample_estimate

__all__ = [
    "DEFAULT_MAX_HOLD_HOURS",
    "DRAIN_FACTOR",
    "MAX_HORIZON_DAYS",
    "MAX_SAILINGS",
    "MAX_SPELLS",
    "MAX_TRAINS",
    "DrawArgs",
    "FerryArgs",
    "FerryInputs",
    "FloatArray",
    "Season",
    "ServerArgs",
    "draw_ferry_inputs",
    "draw_validated",
    "ferry_capacity_teu_per_hour",
    "handling_hours",
    "make_rngs",
    "max_hold_hours",
    "poisson_arrivals",
    "readonly",
    "storm_spells",
]

FloatArray = npt.NDArray[np.float64]

DRAIN_FACTOR = 2.0
"""The simulation runs to ``DRAIN_FACTOR * horizon`` so trains arriving late can leave."""


def readonly(values: npt.ArrayLike) -> FloatArray:
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


DEFAULT_MAX_HOLD_HOURS = HOURS_PER_WEEK
"""Hold of an ``on_fill`` vessel when the service gives no ``max_hold_hours``, hours.

Assumption: one week, the "up to a week" wait with low load reported by travellers
(corridor-facts).
"""


MAX_HORIZON_DAYS = 365_000
"""Upper bound on ``horizon_days`` (1,000 years; use more seeds rather than longer runs)."""


MAX_TRAINS = 5_000_000
"""Upper bound on trains in one run (about 420 million TEU at 84 TEU a train)."""


MAX_SAILINGS = 2_000_000
"""Upper bound on sailings in one run (a year with 6 vessels on a 84 h round trip: ~1,250)."""


MAX_SPELLS = 1_000_000
"""Upper bound on the expected number of storm spells in one run."""


def max_hold_hours(service: Service) -> float:
    """Longest wait of the first TEU aboard an ``on_fill`` vessel, hours.

    ``service.max_hold_hours``, or :data:`DEFAULT_MAX_HOLD_HOURS` when the network gives
    none. The one place that default is applied.
    """
    if service.max_hold_hours is None:
        return DEFAULT_MAX_HOLD_HOURS
    return service.max_hold_hours


def ferry_capacity_teu_per_hour(service: Service) -> float:
    """Most TEU the service can move, TEU per hour, ignoring weather.

    ``on_fill``: ``vessels * capacity_teu / round_trip_hours``; ``scheduled``: the
    smaller of that and the timetable's ``capacity_teu / headway_hours``.
    """
    fleet = service.vessels * service.capacity_teu / service.round_trip_hours
    if service.dispatch == "scheduled":
        return min(fleet, service.capacity_teu / service.headway_hours)
    return fleet


def handling_hours(capacity: Capacity) -> float:
    """Deterministic handling time of one train on one server, hours.

    Each of the ``capacity.servers`` servers takes ``24 * servers / trains_per_day`` hours,
    so the point handles ``trains_per_day`` trains a day with every server busy.
    """
    return HOURS_PER_DAY * capacity.servers / capacity.trains_per_day


_NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]


_Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


_HorizonDays = Annotated[float, Field(gt=0, le=MAX_HORIZON_DAYS, allow_inf_nan=False)]


_Month = Annotated[int, Field(ge=1, le=12)]


_Seed = Annotated[int, Field(ge=0)] | np.random.Generator


_SeasonArg = Annotated[
    tuple[Annotated[float, Field(ge=0, le=12, allow_inf_nan=False)], ...],
    Field(min_length=12, max_length=12),
]


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class DrawArgs(_Args):
    """Arguments of :func:`draw_ferry_inputs` (see there)."""

    model_config = ConfigDict(title="draw_ferry_inputs arguments")

    volume_teu_per_week: _NonNegative
    season: _SeasonArg | None = None
    weather: Weather | None
    start_month: _Month
    horizon_days: _HorizonDays
    teu_per_train: _Positive
    seed: _Seed

    @model_validator(mode="after")
    def _bounded_trains(self) -> Self:
        if self.season is not None and self.start_month != 1:
            raise ValueError("season: a seasonal volume starts on 1 January (start_month 1)")
        weeks = self.horizon_days / DAYS_PER_WEEK
        trains = self.volume_teu_per_week / self.teu_per_train * weeks
        if trains > MAX_TRAINS:
            raise ValueError(
                f"volume_teu_per_week: {trains:,.0f} trains of {self.teu_per_train:g} TEU "
                f"expected in {self.horizon_days:g} days, more than the {MAX_TRAINS:,} this "
                "model handles (check the volume and teu_per_train units)"
            )
        return self


class FerryArgs(DrawArgs):
    """Arguments of :func:`simulate_ferry` (see there)."""

    model_config = ConfigDict(title="simulate_ferry arguments")

    service: Service


class ServerArgs(_Args):
    """Arguments of :func:`simulate_server` (see there)."""

    model_config = ConfigDict(title="simulate_server arguments")

    trains_per_day: _NonNegative
    season: _SeasonArg | None = None
    capacity: Capacity
    horizon_days: _HorizonDays
    seed: _Seed

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        if not math.isfinite(handling_hours(self.capacity)):
            raise ValueError(
                f"capacity.trains_per_day: {self.capacity.trains_per_day!r} trains a day "
                "gives no finite handling time per train, hours"
            )
        trains = self.trains_per_day * self.horizon_days
        if trains > MAX_TRAINS:
            raise ValueError(
                f"trains_per_day: {trains:,.0f} trains expected in {self.horizon_days:g} "
                f"days, more than the {MAX_TRAINS:,} this model handles (check the units)"
            )
        return self


def make_rngs(seed: int | np.random.Generator, n: int) -> list[np.random.Generator]:
    """Independent child generators, so arrivals do not depend on the weather draws."""
    if isinstance(seed, np.random.Generator):
        return seed.spawn(n)
    return [np.random.default_rng([int(seed), stream]) for stream in range(n)]


def poisson_arrivals(
    rate_per_hour: float,
    horizon_hours: float,
    rng: np.random.Generator,
    season: Season | None = None,
) -> FloatArray:
    """Arrival times of a Poisson process on ``[0, horizon_hours)``.

    The times are unit-rate exponential gaps divided by the rate, so with the same ``rng``
    state a higher rate gives the same arrivals compressed in time (common random numbers:
    comparisons across volumes are less noisy). With a ``season`` the rate varies by
    calendar month (time 0 is 1 January): the same unit-rate arrivals are mapped through
    the inverse of the cumulative rate, so a month's arrivals stay in that month.

    Parameters
    ----------
    rate_per_hour
        Mean arrivals per hour over a year, >= 0.
    horizon_hours
        Length of the window, hours, > 0.
    rng
        Random generator.
    season
        Rate of each calendar month relative to ``rate_per_hour`` (12 values, January
        first, mean 1 over the year's days); None for a constant rate.

    Returns
    -------
    numpy.ndarray
        Ascending arrival times, hours.

    Raises
    ------
    ValueError
        If more than :data:`MAX_TRAINS` arrivals are expected (a guard on memory; the
        public simulations reject such volumes before they get here).
    """
    knots, counts = _cumulative_rate(rate_per_hour, horizon_hours, season)
    expected = float(counts[-1])
    if expected <= 0:
        return np.empty(0)
    if expected > MAX_TRAINS:
        raise ValueError(
            f"rate_per_hour: {expected:,.0f} arrivals expected in the horizon, more than "
            f"the {MAX_TRAINS:,} this model handles (check the units)"
        )
    n = int(expected + 6 * math.sqrt(expected) + 20)
    cumulative = np.cumsum(rng.standard_exponential(n))
    while cumulative[-1] < expected:  # rare: extend the same stream
        more = np.cumsum(rng.standard_exponential(n)) + cumulative[-1]
        cumulative = np.concatenate([cumulative, more])
    count = int(np.searchsorted(cumulative, expected, side="left"))
    if season is None:
        return cumulative[:count] / rate_per_hour
    return np.interp(cumulative[:count], counts, knots)


Season = tuple[float, ...]
"""Relative rate of each calendar month (12 values, January first)."""


def _cumulative_rate(
    rate_per_hour: float, horizon_hours: float, season: Season | None
) -> tuple[FloatArray, FloatArray]:
    """Knots (hours) and expected arrivals by each knot, piecewise linear in between."""
    if season is None:
        return np.array([0.0, horizon_hours]), np.array([0.0, rate_per_hour * horizon_hours])
    month_hours = np.array(DAYS_IN_MONTH, dtype=np.float64) * HOURS_PER_DAY
    years = math.ceil(horizon_hours / month_hours.sum())
    edges = np.concatenate(([0.0], np.cumsum(np.tile(month_hours, years))))
    rates = rate_per_hour * np.tile(np.asarray(season, dtype=np.float64), years)
    counts = np.concatenate(([0.0], np.cumsum(rates * np.diff(edges))))
    inside = edges < horizon_hours
    knots = np.append(edges[inside], horizon_hours)
    return knots, np.interp(knots, edges, counts)


def _month_segments(
    start_month: int, span_hours: float
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Boundaries (hours) and month indices (0-11) of calendar months covering the span."""
    hours = np.array(DAYS_IN_MONTH, dtype=np.float64) * HOURS_PER_DAY
    n_months = int(span_hours / (min(DAYS_IN_MONTH) * HOURS_PER_DAY)) + 2
    months = (start_month - 1 + np.arange(n_months)) % 12
    bounds = np.concatenate([[0.0], np.cumsum(hours[months])])
    keep = int(np.searchsorted(bounds, span_hours, side="left"))  # bounds[keep] >= span
    return bounds[: keep + 1], months[:keep]


def storm_spells(
    weather: Weather | None,
    *,
    start_month: int,
    span_hours: float,
    rng: np.random.Generator,
) -> FloatArray:
    """Draw storm closures of a port over ``[0, span_hours)``.

    Time 0 is the start of ``start_month``. Spells start as a Poisson process that runs
    only while the port is open, with rate ``share / ((1 - share) * mean_spell)`` per hour
    in a month with closure share ``share`` (``weather.closure_share_by_month``); spell
    lengths are PERT ``weather.hold_hours`` (:func:`~midcorridor.model.delays.sample_estimate`, mean
    :func:`~midcorridor.vocabulary.pert_mean` via ``Range.mean``). Open and closed times then
    alternate so that the long-run share of closed time in each month is its share. The
    open gaps are drawn by inverting the cumulative hazard across month boundaries; a
    month with share 1 is closed throughout. One loop step per spell (tens a year).

    Parameters
    ----------
    weather
        Closure statistics; None gives no closures.
    start_month
        Calendar month (1-12) at time 0.
    span_hours
        Time span to cover, hours.
    rng
        Random generator.

    Returns
    -------
    numpy.ndarray
        Shape ``(k, 2)``: sorted, disjoint ``[start, end)`` closed intervals, hours
        (the last may end after ``span_hours``).

    Raises
    ------
    ValueError
        If the spells are too short for their shares: zero hours while a month is partly
        closed, or so short that more than :data:`MAX_SPELLS` are expected.
    """
    if weather is None or span_hours <= 0:
        return np.empty((0, 2))
    bounds, months = _month_segments(start_month, span_hours)
    share = np.array(weather.closure_share_by_month, dtype=np.float64)[months]
    mean_spell = weather.hold_hours.mean
    lengths = np.diff(bounds)
    full = share >= 1.0
    partial = (share > 0) & ~full
    if partial.any() and not mean_spell > 0:
        raise ValueError(
            "weather.hold_hours: storm spells of 0 hours cannot close a share of a month "
            "(give hold hours above 0, or closure shares of 0)"
        )
    rate = np.zeros_like(share)
    rate[partial] = share[partial] / ((1.0 - share[partial]) * mean_spell)
    # Full months count here too: this sizes the draw batches, so it fixes the random stream.
    expected_spells = float(np.sum(share * lengths) / mean_spell) if partial.any() else 0.0
    if expected_spells > MAX_SPELLS:
        raise ValueError(
            f"weather.hold_hours: spells averaging {mean_spell:g} h give "
            f"{expected_spells:,.0f} spells in the run, more than {MAX_SPELLS:,} "
            "(check that hold hours are hours)"
        )
    hazard = np.concatenate([[0.0], np.cumsum(rate * lengths)])
    bounds_l, hazard_l, rate_l = bounds.tolist(), hazard.tolist(), rate.tolist()
    total_hazard = hazard_l[-1]
    spells: list[tuple[float, float]] = []
    batch = int(expected_spells * 1.2) + 16
    gaps: list[float] = []
    holds: list[float] = []
    t = 0.0
    while t < span_hours:
        if not gaps:  # draw in batches; refill (rarely) from the same stream
            gaps = rng.standard_exponential(batch).tolist()[::-1]
            holds = sample_estimate(weather.hold_hours, rng, batch).tolist()[::-1]
        m = min(bisect_right(bounds_l, t) - 1, len(rate_l) - 1)
        target = hazard_l[m] + rate_l[m] * (t - bounds_l[m]) + gaps.pop()
        if target >= total_hazard:
            break
        m = bisect_right(hazard_l, target) - 1  # hazard[m] <= target < hazard[m + 1]
        start = bounds_l[m] + (target - hazard_l[m]) / rate_l[m]
        t = start + holds.pop()
        spells.append((start, t))
    full_months = [(bounds_l[i], bounds_l[i + 1]) for i in np.flatnonzero(full).tolist()]
    return _merge_intervals(spells + full_months)


def _merge_intervals(intervals: list[tuple[float, float]]) -> FloatArray:
    """Union of ``[start, end)`` intervals as a sorted, disjoint ``(k, 2)`` array."""
    merged: list[list[float]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return np.array(merged, dtype=np.float64).reshape(-1, 2)


@dataclass(frozen=True, eq=False)
class FerryInputs:
    """The random inputs of one ferry run, shared by the fast model and the reference.

    Attributes
    ----------
    arrival_hours
        Train arrival times on ``[0, horizon_hours)``, ascending, hours.
    closures
        ``(k, 2)`` sorted disjoint closed intervals ``[start, end)``, hours.
    horizon_hours
        Arrival window, hours.
    end_hours
        When the simulation stops (``DRAIN_FACTOR * horizon_hours``), hours.
    """

    arrival_hours: FloatArray
    closures: FloatArray
    horizon_hours: float
    end_hours: float


def draw_validated(args: DrawArgs) -> FerryInputs:
    """:func:`draw_ferry_inputs` on validated arguments."""
    horizon = args.horizon_days * HOURS_PER_DAY
    end = DRAIN_FACTOR * horizon
    rng_arrivals, rng_weather = make_rngs(args.seed, 2)
    rate = args.volume_teu_per_week / args.teu_per_train / HOURS_PER_WEEK
    arrivals = poisson_arrivals(rate, horizon, rng_arrivals, args.season)
    closures = storm_spells(
        args.weather, start_month=args.start_month, span_hours=end, rng=rng_weather
    )
    return FerryInputs(
        arrival_hours=readonly(arrivals),
        closures=readonly(closures.reshape(-1, 2)),
        horizon_hours=horizon,
        end_hours=end,
    )


def draw_ferry_inputs(
    volume_teu_per_week: float,
    weather: Weather | None,
    *,
    start_month: int = 1,
    horizon_days: float = 365,
    teu_per_train: float = 84,
    seed: int | np.random.Generator = 0,
) -> FerryInputs:
    """Draw train arrivals and storm spells for one ferry run.

    Arrivals and spells come from independent child streams of ``seed``, so the
    arrivals do not change when the weather does.

    Parameters
    ----------
    volume_teu_per_week
        Offered volume, TEU per week, >= 0.
    weather
        Storm statistics; None for no closures.
    start_month
        Calendar month (1-12) at time 0.
    horizon_days
        Arrival window, days, > 0 and at most :data:`MAX_HORIZON_DAYS`.
    teu_per_train
        TEU per block train, > 0.
    seed
        Seed, an integer >= 0 (same seed, same inputs), or a generator to draw child
        streams from.

    Returns
    -------
    FerryInputs
        Arrival times and closed intervals (covering the drain period too).

    Raises
    ------
    pydantic.ValidationError
        A :class:`ValueError` naming each bad argument (also when more than
        :data:`MAX_TRAINS` trains are expected).
    """
    args = DrawArgs(
        volume_teu_per_week=volume_teu_per_week,
        weather=weather,
        start_month=start_month,
        horizon_days=horizon_days,
        teu_per_train=teu_per_train,
        seed=seed,
    )
    return draw_validated(args)
