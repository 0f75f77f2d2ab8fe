"""Capacity and congestion: ferry crossings and single points (borders, gauge changes).

A pure module: it takes plain numbers and the validated network models of
:mod:`midcorridor.inputs.network_files` (``Service``, ``Weather``, ``Capacity``) and returns
per-train waiting times. It knows nothing about files, graphs or the CLI.

Two systems are modelled.

Ferry crossing (:func:`simulate_ferry`)
    Block trains arrive at a port as a Poisson process and unload their TEU onto the quay
    in first-come first-served order. A fleet of ``service.vessels`` identical vessels
    carries the TEU across; a vessel that departs is back in port
    ``service.round_trip_hours`` later. Two dispatch rules:

    ``on_fill``
        The vessels in port load one at a time (the one back first loads first). The
        loading vessel departs as soon as it has ``capacity_teu`` aboard, or when the first
        TEU aboard has waited :func:`max_hold_hours`, whichever comes first. It never
        sails empty.
    ``scheduled``
        Sailing ``k`` is due at ``k * headway_hours``. It leaves at the due time if a
        vessel is in port, otherwise when the next vessel is back (and never before the
        previous sailing). It takes whatever is waiting, up to ``capacity_teu``, and sails
        even when empty (it is a timetable).

    Storm spells close the port (:func:`storm_spells`): a departure that falls due while
    the port is closed leaves at the end of the spell, taking what is waiting then. Only
    departures from this port stop: vessels already at sea keep their round trip, so
    closures cost less capacity than their share of time (vessels that return during a
    spell all sail when it ends). Loading and discharge times are not part of this model
    (they are ``port`` processes of the port node).

Single server point (:func:`simulate_server`)
    Trains arrive as a Poisson process and are handled first-come first-served by
    ``capacity.servers`` identical parallel servers with a *deterministic* handling time
    (an M/D/c queue, :func:`handling_hours`). A yard or border post handles a train in a
    fairly fixed time, and the spread of that time is already sampled by the
    ``documents``/``inspection`` stages; here only the queueing it causes is modelled.
    M/D/1 has a closed-form mean wait (Pollaczek-Khinchine: half that of M/M/1) to check
    against, and M/D/c vectorizes exactly (see :func:`server_start_hours`).

Both return a :class:`QueueResult` of per-train waits. The Monte Carlo time model
resamples the waits of its steady-state trains (:attr:`QueueResult.steady_mask`) through
:meth:`midcorridor.model.queues.SimulatedQueue.waits`.

The network models are validated by :mod:`midcorridor.inputs.network_files`; the scalar
run arguments (volume, horizon, TEU per train, seed) are validated here with pydantic too, so a bad
value raises :class:`pydantic.ValidationError` (a :class:`ValueError`) naming it.

The random inputs (train arrivals, storm spells) are drawn by :func:`draw_ferry_inputs`
and :func:`poisson_arrivals`; the deterministic cores :func:`ferry_departure_hours` and
:func:`server_start_hours` turn them into departure times. A reference discrete-event
(SimPy) model in the tests (``tests/reference_models.py``) is fed the same inputs and
must give the same departures.

Speed: arrivals, spells and the server queue are vectorized with numpy; the ferry core
loops once per *sailing* (hundreds a year) with ``bisect``/``heapq`` on plain lists, never
once per train or TEU.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Annotated, Self

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..inputs.network_files import Capacity, Service, Weather
from ..vocabulary import DAYS_IN_MONTH, DAYS_PER_WEEK, HOURS_PER_DAY, HOURS_PER_WEEK
from .delays import sample_estimate

__all__ = [
    "DEFAULT_MAX_HOLD_HOURS",
    "FerryInputs",
    "QueueResult",
    "draw_ferry_inputs",
    "ferry_capacity_teu_per_hour",
    "ferry_departure_hours",
    "handling_hours",
    "max_hold_hours",
    "poisson_arrivals",
    "server_start_hours",
    "simulate_ferry",
    "simulate_server",
    "storm_spells",
]

FloatArray = npt.NDArray[np.float64]

WARMUP_SHARE = 0.1
"""Share of the horizon treated as warm-up: trains arriving earlier are not in statistics."""

DRAIN_FACTOR = 2.0
"""The simulation runs to ``DRAIN_FACTOR * horizon`` so trains arriving late can leave."""

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

_TOL = 1e-9
"""Tolerance, in trains, for deciding that a train's last TEU is aboard."""


# --------------------------------------------------------------------------------------
# what the engine reads from the network models
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# run arguments, validated with pydantic (the network models validate themselves)
# --------------------------------------------------------------------------------------

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


class _DrawArgs(_Args):
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


class _FerryArgs(_DrawArgs):
    """Arguments of :func:`simulate_ferry` (see there)."""

    model_config = ConfigDict(title="simulate_ferry arguments")

    service: Service


class _ServerArgs(_Args):
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


# --------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------


def _readonly(values: npt.ArrayLike) -> FloatArray:
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class QueueResult:
    """Per-train waits from one simulated horizon.

    Attributes
    ----------
    wait_hours
        Per train: time from arrival until its last TEU departs (ferry) or its handling
        starts (server), less ``weather_hours``, hours. Stage ``ferry_wait`` (or
        ``congestion``).
    weather_hours
        Per train: the part of the wait caused by storm closures, hours, >= 0. It is the
        train's extra wait against the same arrivals with no closures (so knock-on delays
        count too). Stage ``weather``. Zeros for servers.
    arrival_hours
        Per train: arrival time from the start of the horizon, hours, ascending.
    utilisation
        Offered load over capacity (ignoring weather), dimensionless.
    saturated
        ``utilisation >= 1`` or the backlog kept growing over the horizon. The waits of a
        saturated run depend on the horizon (and trains still queued when the simulation
        stops at twice the horizon are given that stop time: a lower bound).
    horizon_hours
        Length of the arrival window, hours; trains arriving in its first
        :data:`WARMUP_SHARE` are warm-up and left out of the statistics
        (:attr:`steady_mask`).
    """

    wait_hours: FloatArray
    weather_hours: FloatArray
    arrival_hours: FloatArray
    utilisation: float
    saturated: bool
    horizon_hours: float
    _steady: npt.NDArray[np.bool_] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("wait_hours", "weather_hours", "arrival_hours"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))
        if not self.wait_hours.shape == self.weather_hours.shape == self.arrival_hours.shape:
            raise ValueError("QueueResult arrays must have the same length")
        steady = self.arrival_hours >= WARMUP_SHARE * self.horizon_hours
        steady.flags.writeable = False
        object.__setattr__(self, "_steady", steady)

    @property
    def steady_mask(self) -> npt.NDArray[np.bool_]:
        """Per train: True if it arrived after the warm-up (read-only).

        The warm-up is the first :data:`WARMUP_SHARE` of ``horizon_hours``; every
        statistic here, and the time model's resampling, uses only these trains.
        """
        return self._steady

    @property
    def n_trains(self) -> int:
        """Trains that arrived in the horizon, warm-up included."""
        return int(self.arrival_hours.size)

    @property
    def total_hours(self) -> FloatArray:
        """Per train ``wait_hours + weather_hours``, hours."""
        return self.wait_hours + self.weather_hours

    def _stat(self, values: FloatArray, q: float | None) -> float:
        kept = values[self._steady]
        if kept.size == 0:
            return math.nan
        if q is None:
            return float(kept.mean())
        return float(np.quantile(kept, q))

    @property
    def mean_wait_hours(self) -> float:
        """Mean of ``wait_hours`` after warm-up, hours (NaN without trains)."""
        return self._stat(self.wait_hours, None)

    @property
    def p50_wait_hours(self) -> float:
        """Median of ``wait_hours`` after warm-up, hours (NaN without trains)."""
        return self._stat(self.wait_hours, 0.5)

    @property
    def p90_wait_hours(self) -> float:
        """90th percentile of ``wait_hours`` after warm-up, hours (NaN without trains)."""
        return self._stat(self.wait_hours, 0.9)

    @property
    def mean_weather_hours(self) -> float:
        """Mean of ``weather_hours`` after warm-up, hours (NaN without trains)."""
        return self._stat(self.weather_hours, None)

    @property
    def mean_total_hours(self) -> float:
        """Mean of ``wait_hours + weather_hours`` after warm-up, hours."""
        return self._stat(self.total_hours, None)

    @property
    def p90_total_hours(self) -> float:
        """90th percentile of ``wait_hours + weather_hours`` after warm-up, hours."""
        return self._stat(self.total_hours, 0.9)


# --------------------------------------------------------------------------------------
# random inputs
# --------------------------------------------------------------------------------------


def _make_rngs(seed: int | np.random.Generator, n: int) -> list[np.random.Generator]:
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


def _draw(args: _DrawArgs) -> FerryInputs:
    """:func:`draw_ferry_inputs` on validated arguments."""
    horizon = args.horizon_days * HOURS_PER_DAY
    end = DRAIN_FACTOR * horizon
    rng_arrivals, rng_weather = _make_rngs(args.seed, 2)
    rate = args.volume_teu_per_week / args.teu_per_train / HOURS_PER_WEEK
    arrivals = poisson_arrivals(rate, horizon, rng_arrivals, args.season)
    closures = storm_spells(
        args.weather, start_month=args.start_month, span_hours=end, rng=rng_weather
    )
    return FerryInputs(
        arrival_hours=_readonly(arrivals),
        closures=_readonly(closures.reshape(-1, 2)),
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
    args = _DrawArgs(
        volume_teu_per_week=volume_teu_per_week,
        weather=weather,
        start_month=start_month,
        horizon_days=horizon_days,
        teu_per_train=teu_per_train,
        seed=seed,
    )
    return _draw(args)


# --------------------------------------------------------------------------------------
# deterministic cores
# --------------------------------------------------------------------------------------


def ferry_departure_hours(
    arrival_hours: npt.ArrayLike,
    service: Service,
    closures: npt.ArrayLike | None = None,
    *,
    teu_per_train: float,
    end_hours: float,
) -> FloatArray:
    """Departure time of each train's last TEU, given arrivals and closures.

    One loop step per sailing; each step finds the trains that matter with ``bisect``.
    Quantities are counted in trains (``capacity_teu / teu_per_train`` trains a sailing),
    and a sailing that can take everything waiting takes exactly that, so integer train
    counts stay exact.

    Parameters
    ----------
    arrival_hours
        Train arrival times, ascending, hours.
    service
        The ferry service (``on_fill`` holds at most :func:`max_hold_hours`).
    closures
        ``(k, 2)`` sorted, disjoint closed intervals ``[start, end)``, hours; None for
        none.
    teu_per_train
        TEU per train, > 0.
    end_hours
        The simulation stops here: no sailing leaves at or after it, hours.

    Returns
    -------
    numpy.ndarray
        Per train, the hour its last TEU sails; ``end_hours`` for trains still (partly)
        on the quay at the end (a lower bound, only when saturated).

    Raises
    ------
    ValueError
        If a sailing carries under a millionth of a train, or the run would need more
        than :data:`MAX_SAILINGS` sailings (units are likely wrong).
    """
    arrivals = np.asarray(arrival_hours, dtype=np.float64)
    n = arrivals.size
    if n == 0:
        return np.empty(0)
    # Sailing capacity in trains; more than all the trains is the same as all of them.
    cap = min(service.capacity_teu / teu_per_train, n + 1.0)
    if not cap > 1e-6:
        raise ValueError(
            f"service.capacity_teu: {service.capacity_teu:g} TEU a sailing is under a "
            f"millionth of a {teu_per_train:g} TEU train (check the units)"
        )
    rt, hold, headway = service.round_trip_hours, max_hold_hours(service), service.headway_hours
    on_fill = service.dispatch == "on_fill"
    fleet_bound = service.vessels * (end_hours / rt + 1)
    if on_fill:
        bound = min(n * (math.ceil(1 / cap) + 1), fleet_bound)
    else:
        bound = min(end_hours / headway + 1, fleet_bound)
    if bound > MAX_SAILINGS:
        raise ValueError(
            f"service: up to {bound:,.0f} sailings needed, more than {MAX_SAILINGS:,} "
            "(check round_trip_hours, headway_hours and capacity_teu units)"
        )
    spells = np.empty((0, 2)) if closures is None else np.asarray(closures, dtype=np.float64)
    spell_start: list[float] = spells[:, 0].tolist()
    spell_end: list[float] = spells[:, 1].tolist()
    stormy = bool(spell_start)
    arr: list[float] = arrivals.tolist()
    ready = [0.0] * service.vessels  # heap of times vessels are back in port
    pop, push, ceil = heapq.heappop, heapq.heappush, math.ceil
    boarded = 0.0  # trains' worth of TEU that have sailed (cumulative)
    previous = 0.0  # last departure: sailings leave in order
    times: list[float] = []
    loads: list[float] = []  # cumulative boarded after each sailing
    k = 0
    # Plain comparisons instead of min()/max() calls: this loop is the hot path.
    while boarded < n - _TOL:
        start = pop(ready)
        if start < previous:
            start = previous
        if on_fill:
            due = arr[int(boarded + _TOL)]  # the next TEU in line boards ...
            if due < start:
                due = start  # ... when it arrives or the vessel is ready
            due += hold  # it waits at most the hold limit aboard
            fill_index = ceil(boarded + cap - _TOL) - 1  # train that fills the vessel
            if fill_index < n:
                fill = arr[fill_index]
                if fill < start:
                    fill = start
                if fill < due:
                    due = fill
        else:
            due = k * headway
            k += 1
            if due < start:
                due = start
        if stormy:  # postpone a departure due in a storm spell to its end
            i = bisect_right(spell_start, due) - 1
            if i >= 0 and due < spell_end[i]:
                due = spell_end[i]
        if due >= end_hours:
            break
        arrived = bisect_right(arr, due)
        if arrived - boarded > cap:
            boarded += cap
        else:
            boarded = float(arrived)  # everything waiting fits: exact count
        times.append(due)
        loads.append(boarded)
        push(ready, due + rt)
        previous = due
    sailing = np.searchsorted(np.array(loads), np.arange(1, n + 1) - _TOL, side="left")
    return np.append(np.array(times), end_hours)[sailing]


def server_start_hours(arrival_hours: npt.ArrayLike, capacity: Capacity) -> FloatArray:
    """Start of handling of each train at an M/D/c point, first come first served.

    With equal handling times ``s`` (:func:`handling_hours`) trains leave in arrival order,
    so train ``n`` gets the server freed by train ``n - c``:
    ``start[n] = max(a[n], start[n - c] + s)``. Each of the ``c`` interleaved chains is a
    single-server Lindley recursion with the closed form
    ``start[m] = m s + max_{k <= m}(a[k] - k s)`` (the same as
    ``W_m = C_m - min_{k <= m} C_k``), computed with ``np.maximum.accumulate``.

    Parameters
    ----------
    arrival_hours
        Arrival times, ascending, hours.
    capacity
        The handling point: ``servers`` parallel servers, ``trains_per_day`` together.

    Returns
    -------
    numpy.ndarray
        Start of handling per train, hours (the wait is ``start - arrival``).
    """
    arrivals = np.asarray(arrival_hours, dtype=np.float64)
    n, c, s = arrivals.size, capacity.servers, handling_hours(capacity)
    if n == 0:
        return np.empty(0)
    rows = -(-n // c)
    padded = np.full(rows * c, -np.inf)
    padded[:n] = arrivals
    chain = padded.reshape(rows, c)  # column j: trains j, j + c, j + 2c, ...
    position = np.arange(rows, dtype=np.float64)[:, None] * s
    start = np.maximum.accumulate(chain - position, axis=0) + position
    return start.reshape(-1)[:n]


def _backlog_growing(
    arrival_hours: FloatArray,
    done_hours: FloatArray,
    horizon_hours: float,
    scale: float,
    *,
    seasonal: bool = False,
) -> bool:
    """True if the mean backlog over the last tenth of the horizon is markedly above the first.

    "Markedly": more than twice the first tenth's plus ``scale`` trains (a fleet load or a
    day of capacity), so the noise of a stable queue does not trip it. With a ``seasonal``
    rate the last tenth is set against the same weeks a year earlier (a surge month
    against a quiet one is not growth), when the horizon holds them.
    """
    if arrival_hours.size == 0:
        return False
    tenth = horizon_hours / 10
    start = 0.0
    year = HOURS_PER_DAY * sum(DAYS_IN_MONTH)
    if seasonal and horizon_hours - year >= tenth:
        start = horizon_hours - tenth - year
    grid = np.linspace(start, start + tenth, 100)
    done = np.sort(done_hours)

    def backlog(times: FloatArray) -> float:
        queued = np.searchsorted(arrival_hours, times, side="right") - np.searchsorted(
            done, times, side="right"
        )
        return float(queued.mean())

    first = backlog(grid)
    last = backlog(grid - start + horizon_hours - tenth)
    return last > 2 * first + scale


# --------------------------------------------------------------------------------------
# public simulations
# --------------------------------------------------------------------------------------


def simulate_ferry(
    volume_teu_per_week: float,
    service: Service,
    weather: Weather | None,
    *,
    season: Season | None = None,
    start_month: int = 1,
    horizon_days: float = 365,
    teu_per_train: float = 84,
    seed: int | np.random.Generator = 0,
) -> QueueResult:
    """Simulate a ferry crossing for one horizon of Poisson train arrivals.

    Trains of ``teu_per_train`` TEU arrive at ``volume_teu_per_week / teu_per_train`` a
    week; their TEU board in arrival order. With weather, the same arrivals are also run
    without closures, and each train's extra wait is reported as ``weather_hours``.

    Parameters
    ----------
    volume_teu_per_week
        Offered volume, TEU per week, >= 0 (the mean over a year with a ``season``). A
        volume above capacity is allowed: the result is ``saturated``.
    season
        Volume of each calendar month relative to ``volume_teu_per_week`` (12 values,
        see :func:`poisson_arrivals`); the horizon then starts on 1 January.
    service
        The ferry service (dispatch rule, fleet, capacity per sailing, hold limit).
    weather
        Storm closures; None for none.
    start_month
        Calendar month (1-12) at the start of the horizon.
    horizon_days
        Arrival window, days, > 0 and at most :data:`MAX_HORIZON_DAYS`. The first
        :data:`WARMUP_SHARE` is warm-up.
    teu_per_train
        TEU per block train, > 0 (84: a 42-container train of 40 ft boxes).
    seed
        Seed, an integer >= 0, or a generator. Same seed, same result.

    Returns
    -------
    QueueResult
        Per-train ``wait_hours`` (stage ``ferry_wait``) and ``weather_hours`` (stage
        ``weather``), hours.

    Raises
    ------
    pydantic.ValidationError
        A :class:`ValueError` naming each bad argument.
    ValueError
        When the run would be unboundedly large (see :func:`ferry_departure_hours` and
        :func:`storm_spells`).
    """
    args = _FerryArgs(
        volume_teu_per_week=volume_teu_per_week,
        season=season,
        service=service,
        weather=weather,
        start_month=start_month,
        horizon_days=horizon_days,
        teu_per_train=teu_per_train,
        seed=seed,
    )
    service, teu = args.service, args.teu_per_train
    inputs = _draw(args)
    arrivals = inputs.arrival_hours
    departed = ferry_departure_hours(
        arrivals, service, inputs.closures, teu_per_train=teu, end_hours=inputs.end_hours
    )
    total = departed - arrivals
    if inputs.closures.shape[0]:
        calm = (
            ferry_departure_hours(
                arrivals, service, None, teu_per_train=teu, end_hours=inputs.end_hours
            )
            - arrivals
        )
        weather_part = np.clip(total - calm, 0.0, None)
    else:
        weather_part = np.zeros_like(total)
    offered = args.volume_teu_per_week / HOURS_PER_WEEK
    capacity = ferry_capacity_teu_per_hour(service)  # may underflow to 0 for absurd inputs
    utilisation = offered / capacity if capacity > 0 else (math.inf if offered > 0 else 0.0)
    fleet_load = service.vessels * service.capacity_teu / teu
    saturated = utilisation >= 1 or _backlog_growing(
        arrivals, departed, inputs.horizon_hours, fleet_load, seasonal=season is not None
    )
    return QueueResult(
        wait_hours=total - weather_part,
        weather_hours=weather_part,
        arrival_hours=arrivals,
        utilisation=utilisation,
        saturated=bool(saturated),
        horizon_hours=inputs.horizon_hours,
    )


def simulate_server(
    trains_per_day: float,
    capacity: Capacity,
    *,
    season: Season | None = None,
    horizon_days: float = 365,
    seed: int | np.random.Generator = 0,
) -> QueueResult:
    """Simulate queueing at a border, gauge-change or terminal point (M/D/c, FIFO).

    Parameters
    ----------
    trains_per_day
        Offered trains per day, >= 0 (Poisson arrivals; the mean over a year with a
        ``season``). Above capacity is allowed.
    season
        Trains of each calendar month relative to ``trains_per_day`` (12 values, see
        :func:`poisson_arrivals`); the horizon starts on 1 January.
    capacity
        The handling point: ``capacity.servers`` servers handling
        ``capacity.trains_per_day`` trains a day together (:func:`handling_hours`).
    horizon_days
        Arrival window, days, > 0 and at most :data:`MAX_HORIZON_DAYS`. The first
        :data:`WARMUP_SHARE` is warm-up.
    seed
        Seed, an integer >= 0, or a generator. Same seed, same result.

    Returns
    -------
    QueueResult
        Per-train queueing ``wait_hours`` before handling starts (handling time itself
        excluded), hours; ``weather_hours`` are zeros.

    Raises
    ------
    pydantic.ValidationError
        A :class:`ValueError` naming each bad argument (also when more than
        :data:`MAX_TRAINS` trains are expected).
    """
    args = _ServerArgs(
        trains_per_day=trains_per_day,
        season=season,
        capacity=capacity,
        horizon_days=horizon_days,
        seed=seed,
    )
    capacity = args.capacity
    horizon = args.horizon_days * HOURS_PER_DAY
    (rng,) = _make_rngs(args.seed, 1)
    arrivals = poisson_arrivals(args.trains_per_day / HOURS_PER_DAY, horizon, rng, args.season)
    start = server_start_hours(arrivals, capacity)
    utilisation = args.trains_per_day / capacity.trains_per_day
    saturated = utilisation >= 1 or _backlog_growing(
        arrivals, start, horizon, capacity.trains_per_day, seasonal=season is not None
    )
    return QueueResult(
        wait_hours=start - arrivals,
        weather_hours=np.zeros_like(arrivals),
        arrival_hours=arrivals,
        utilisation=utilisation,
        saturated=bool(saturated),
        horizon_hours=horizon,
    )
