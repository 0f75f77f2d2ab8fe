"""Capacity and congestion: ferry crossings and single points (borders, gauge changes).

A pure module: it takes plain numbers and dataclasses and returns per-train waiting times.
It knows nothing about files, graphs or the CLI.

Two systems are modelled.

Ferry crossing (:func:`simulate_ferry`)
    Block trains arrive at a port as a Poisson process and unload their TEU onto the quay
    in first-come first-served order. A fleet of identical vessels carries the TEU across;
    a vessel that departs is back in port ``round_trip_hours`` later. Two dispatch rules:

    ``on_fill``
        The vessels in port load one at a time (the one back first loads first). The
        loading vessel departs as soon as it has ``capacity_teu`` aboard, or when the first
        TEU aboard has waited ``max_hold_hours``, whichever comes first. It never sails
        empty.
    ``scheduled``
        Sailing ``k`` is due at ``k * headway_hours``. It leaves at the due time if a
        vessel is in port, otherwise when the next vessel is back (and never before the
        previous sailing). It takes whatever is waiting, up to ``capacity_teu``, and sails
        even when empty (it is a timetable).

    Storm spells close the port (:class:`WeatherClosures`): a departure that falls due
    while the port is closed leaves at the end of the spell, taking what is waiting then.
    Only departures from this port stop: vessels already at sea keep their round trip, so
    closures cost less capacity than their share of time (vessels that return during a
    spell all sail when it ends). Loading and discharge times are not part of this model
    (they are ``port`` processes of the port node).

Single server point (:func:`simulate_server`)
    Trains arrive as a Poisson process and are handled first-come first-served by
    ``servers`` identical parallel servers with a *deterministic* handling time (an
    M/D/c queue). A yard or border post handles a train in a fairly fixed time, and the
    spread of that time is already sampled by the ``documents``/``inspection`` stages;
    here only the queueing it causes is modelled. M/D/1 has a closed-form mean wait
    (Pollaczek-Khinchine: half that of M/M/1) to check against, and M/D/c vectorizes
    exactly (see :func:`server_start_hours`).

Both return a :class:`QueueResult` of per-train waits that the Monte Carlo time model
resamples with :meth:`QueueResult.sample`.

The random inputs (train arrivals, storm spells) are drawn by :func:`draw_ferry_inputs`
and :func:`poisson_arrivals`; the deterministic cores :func:`ferry_departure_hours` and
:func:`server_start_hours` turn them into departure times. A reference discrete-event
(SimPy) model in the tests is fed the same inputs and must give the same departures.

Speed: arrivals, spells and the server queue are vectorized with numpy; the ferry core
loops once per *sailing* (hundreds a year) with ``bisect``/``heapq`` on plain lists, never
once per train or TEU.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "FerryInputs",
    "FerryService",
    "QueueResult",
    "Server",
    "WeatherClosures",
    "draw_ferry_inputs",
    "ferry_departure_hours",
    "poisson_arrivals",
    "server_start_hours",
    "simulate_ferry",
    "simulate_server",
    "storm_spells",
]

FloatArray = npt.NDArray[np.float64]

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
"""Days of each month, January first (a 365-day year; leap days are ignored)."""

WARMUP_SHARE = 0.1
"""Share of the horizon treated as warm-up: trains arriving earlier are not in statistics."""

DRAIN_FACTOR = 2.0
"""The simulation runs to ``DRAIN_FACTOR * horizon`` so trains arriving late can leave."""

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

Dispatch = Literal["on_fill", "scheduled"]


# --------------------------------------------------------------------------------------
# validation helpers: collect every problem, raise one ValueError naming each field
# --------------------------------------------------------------------------------------


def _is_real(value: object) -> bool:
    """True for int/float (and numpy equivalents), False for bool and anything else."""
    if isinstance(value, bool | np.bool_):
        return False
    return isinstance(value, int | float | np.integer | np.floating)


def _check_real(
    problems: list[str],
    name: str,
    value: object,
    *,
    low: float | None = None,
    low_inclusive: bool = True,
    high: float | None = None,
) -> None:
    """Append a message to ``problems`` unless ``value`` is a finite number in range."""
    if not _is_real(value):
        problems.append(f"{name} must be a number (got {value!r})")
        return
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        problems.append(f"{name} must be finite (got {value!r})")
        return
    if low is not None:
        if low_inclusive and number < low:
            problems.append(f"{name} must be >= {low:g} (got {value!r})")
        elif not low_inclusive and number <= low:
            problems.append(f"{name} must be > {low:g} (got {value!r})")
    if high is not None and number > high:
        problems.append(f"{name} must be <= {high:g} (got {value!r})")


def _check_int(problems: list[str], name: str, value: object, *, low: int) -> None:
    """Append a message to ``problems`` unless ``value`` is an integer >= ``low``."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        problems.append(f"{name} must be an integer (got {value!r})")
    elif int(value) < low:
        problems.append(f"{name} must be >= {low} (got {value!r})")


def _raise(problems: list[str]) -> None:
    if problems:
        raise ValueError("; ".join(problems))


# --------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FerryService:
    """A ferry (or feeder) service across one sea link.

    Parameters
    ----------
    dispatch : {"on_fill", "scheduled"}
        Dispatch rule (see the module docstring).
    vessels : int
        Number of vessels in the rotation, >= 1.
    capacity_teu : float
        Capacity of one sailing, TEU, > 0.
    round_trip_hours : float
        Time from a departure until the same vessel is back in port ready to load, hours,
        > 0.
    headway_hours : float
        ``scheduled``: time between timetabled sailings, hours, > 0. Unused by
        ``on_fill`` (kept so one record describes both).
    max_hold_hours : float
        ``on_fill``: longest time the first TEU aboard waits before the vessel sails part
        full, hours, >= 0. Unused by ``scheduled``.
    """

    dispatch: Dispatch
    vessels: int
    capacity_teu: float
    round_trip_hours: float
    headway_hours: float
    max_hold_hours: float

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not isinstance(self.dispatch, str) or self.dispatch not in ("on_fill", "scheduled"):
            problems.append(
                f"FerryService.dispatch must be 'on_fill' or 'scheduled' (got {self.dispatch!r})"
            )
        _check_int(problems, "FerryService.vessels", self.vessels, low=1)
        _check_real(
            problems, "FerryService.capacity_teu", self.capacity_teu, low=0, low_inclusive=False
        )
        _check_real(
            problems,
            "FerryService.round_trip_hours",
            self.round_trip_hours,
            low=0,
            low_inclusive=False,
        )
        _check_real(
            problems, "FerryService.headway_hours", self.headway_hours, low=0, low_inclusive=False
        )
        _check_real(problems, "FerryService.max_hold_hours", self.max_hold_hours, low=0)
        _raise(problems)
        object.__setattr__(self, "vessels", int(self.vessels))
        for name in ("capacity_teu", "round_trip_hours", "headway_hours", "max_hold_hours"):
            object.__setattr__(self, name, float(getattr(self, name)))

    def capacity_teu_per_hour(self) -> float:
        """Most TEU the service can move, TEU per hour, ignoring weather.

        ``on_fill``: ``vessels * capacity_teu / round_trip_hours``; ``scheduled``: the
        smaller of that and the timetable's ``capacity_teu / headway_hours``.
        """
        fleet = self.vessels * self.capacity_teu / self.round_trip_hours
        if self.dispatch == "scheduled":
            return min(fleet, self.capacity_teu / self.headway_hours)
        return fleet


@dataclass(frozen=True)
class WeatherClosures:
    """Storm spells that close a port (no departures).

    Spells start as a Poisson process that runs only while the port is open, with rate
    ``share / ((1 - share) * mean_spell)`` per hour in a month with closure share
    ``share``; spell lengths are PERT(low, mode, high) hours, mean
    ``(low + 4 mode + high) / 6``. Open and closed times then alternate so that the
    long-run share of closed time in month ``m`` is ``closure_share_by_month[m - 1]``.
    A month with share 1 is closed throughout.

    Parameters
    ----------
    closure_share_by_month : tuple of 12 floats
        Share of time the port is closed, January to December, each in [0, 1].
    hold_hours_low, hold_hours_mode, hold_hours_high : float
        Three-point estimate of the length of one spell, hours:
        ``0 <= low <= mode <= high`` and ``high > 0``.
    """

    closure_share_by_month: tuple[float, ...]
    hold_hours_low: float
    hold_hours_mode: float
    hold_hours_high: float

    def __post_init__(self) -> None:
        problems: list[str] = []
        name = "WeatherClosures.closure_share_by_month"
        shares: tuple[object, ...] | None = None
        raw: object = self.closure_share_by_month
        if isinstance(raw, str | bytes) or not hasattr(raw, "__iter__"):
            problems.append(f"{name} must be a sequence of 12 numbers (got {raw!r})")
        else:
            try:
                shares = tuple(raw)
            except TypeError:
                problems.append(f"{name} must be a sequence of 12 numbers (got {raw!r})")
        if shares is not None:
            if len(shares) != 12:
                problems.append(
                    f"{name} must have 12 values, January to December (got {len(shares)})"
                )
            for month, share in enumerate(shares, start=1):
                _check_real(problems, f"{name}[{month - 1}] (month {month})", share, low=0, high=1)
        hold = {
            "WeatherClosures.hold_hours_low": self.hold_hours_low,
            "WeatherClosures.hold_hours_mode": self.hold_hours_mode,
            "WeatherClosures.hold_hours_high": self.hold_hours_high,
        }
        n_before = len(problems)
        for hold_name, value in hold.items():
            _check_real(problems, hold_name, value, low=0)
        if len(problems) == n_before:
            low, mode, high = (float(v) for v in hold.values())
            if not low <= mode <= high:
                problems.append(
                    "WeatherClosures.hold_hours_low/mode/high must satisfy low <= mode <= high "
                    f"(got {low:g}, {mode:g}, {high:g})"
                )
            elif high <= 0:
                problems.append(f"WeatherClosures.hold_hours_high must be > 0 (got {high:g})")
        _raise(problems)
        assert shares is not None  # for mypy: validated above
        object.__setattr__(self, "closure_share_by_month", tuple(float(s) for s in shares))  # type: ignore[arg-type]
        for hold_name in ("hold_hours_low", "hold_hours_mode", "hold_hours_high"):
            object.__setattr__(self, hold_name, float(getattr(self, hold_name)))

    @property
    def mean_spell_hours(self) -> float:
        """Mean length of a storm spell (PERT mean), hours."""
        return (self.hold_hours_low + 4 * self.hold_hours_mode + self.hold_hours_high) / 6

    def sample_spell_hours(self, rng: np.random.Generator, n: int) -> FloatArray:
        """Draw ``n`` spell lengths from PERT(low, mode, high), hours."""
        low, mode, high = self.hold_hours_low, self.hold_hours_mode, self.hold_hours_high
        if high == low:
            return np.full(n, low)
        a = 1 + 4 * (mode - low) / (high - low)
        b = 1 + 4 * (high - mode) / (high - low)
        return low + (high - low) * rng.beta(a, b, size=n)


@dataclass(frozen=True)
class Server:
    """A border post, gauge-change yard or terminal handling whole trains.

    Parameters
    ----------
    capacity_per_day : float
        Trains the point handles per day with every server busy, > 0. Each of the
        ``servers`` takes a deterministic ``24 * servers / capacity_per_day`` hours per
        train.
    servers : int
        Parallel servers (tracks, crane sets, inspection teams), >= 1.
    """

    capacity_per_day: float
    servers: int = 1

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check_real(
            problems, "Server.capacity_per_day", self.capacity_per_day, low=0, low_inclusive=False
        )
        _check_int(problems, "Server.servers", self.servers, low=1)
        if not problems and not math.isfinite(HOURS_PER_DAY * self.servers / self.capacity_per_day):
            problems.append(
                f"Server.capacity_per_day is too small (got {self.capacity_per_day!r}): "
                "the handling time per train is not a finite number of hours"
            )
        _raise(problems)
        object.__setattr__(self, "capacity_per_day", float(self.capacity_per_day))
        object.__setattr__(self, "servers", int(self.servers))

    @property
    def service_hours(self) -> float:
        """Deterministic handling time of one train on one server, hours."""
        return HOURS_PER_DAY * self.servers / self.capacity_per_day


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
    wait_hours : numpy.ndarray
        Per train: time from arrival until its last TEU departs (ferry) or its handling
        starts (server), less ``weather_hours``, hours. Stage ``ferry_wait`` (or
        ``congestion``).
    weather_hours : numpy.ndarray
        Per train: the part of the wait caused by storm closures, hours, >= 0. It is the
        train's extra wait against the same arrivals with no closures (so knock-on delays
        count too). Stage ``weather``. Zeros for servers.
    arrival_hours : numpy.ndarray
        Per train: arrival time from the start of the horizon, hours, ascending.
    utilisation : float
        Offered load over capacity (ignoring weather), dimensionless.
    saturated : bool
        ``utilisation >= 1`` or the backlog kept growing over the horizon. The waits of a
        saturated run depend on the horizon (and trains still queued when the simulation
        stops at twice the horizon are given that stop time: a lower bound).
    horizon_hours : float
        Length of the arrival window, hours; trains arriving in its first 10 % are warm-up
        and left out of the statistics and of :meth:`sample`.
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

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """Resample trains after warm-up, keeping each train's wait/weather split.

        Parameters
        ----------
        rng : numpy.random.Generator
            Random generator.
        n : int
            Number of draws, >= 0.

        Returns
        -------
        numpy.ndarray
            Shape ``(n, 2)``: columns ``[wait_hours, weather_hours]``, hours.

        Raises
        ------
        ValueError
            If ``n`` is not a non-negative integer, or no train arrived after warm-up.
        """
        problems: list[str] = []
        _check_int(problems, "n", n, low=0)
        if not isinstance(rng, np.random.Generator):
            problems.append(f"rng must be a numpy.random.Generator (got {rng!r})")
        _raise(problems)
        pairs = np.column_stack([self.wait_hours[self._steady], self.weather_hours[self._steady]])
        if pairs.shape[0] == 0:
            raise ValueError(
                "volume: no train arrived after the warm-up, nothing to sample "
                "(raise the volume or the horizon)"
            )
        return pairs[rng.integers(0, pairs.shape[0], size=int(n))]


# --------------------------------------------------------------------------------------
# random inputs
# --------------------------------------------------------------------------------------


def _make_rngs(seed: int | np.random.Generator, n: int) -> list[np.random.Generator]:
    """Independent child generators, so arrivals do not depend on the weather draws."""
    if isinstance(seed, np.random.Generator):
        return seed.spawn(n)
    return [np.random.default_rng([int(seed), stream]) for stream in range(n)]


def _check_seed(problems: list[str], seed: object) -> None:
    if not isinstance(seed, np.random.Generator):
        _check_int(problems, "seed", seed, low=0)


def poisson_arrivals(
    rate_per_hour: float, horizon_hours: float, rng: np.random.Generator
) -> FloatArray:
    """Arrival times of a Poisson process on ``[0, horizon_hours)``.

    The times are unit-rate exponential gaps divided by the rate, so with the same ``rng``
    state a higher rate gives the same arrivals compressed in time (common random numbers:
    comparisons across volumes are less noisy).

    Parameters
    ----------
    rate_per_hour : float
        Arrivals per hour, >= 0.
    horizon_hours : float
        Length of the window, hours, > 0.
    rng : numpy.random.Generator
        Random generator.

    Returns
    -------
    numpy.ndarray
        Ascending arrival times, hours.
    """
    expected = rate_per_hour * horizon_hours
    if expected <= 0:
        return np.empty(0)
    if expected > MAX_TRAINS:
        raise ValueError(
            f"volume: {expected:,.0f} trains expected in the horizon, more than the "
            f"{MAX_TRAINS:,} this model handles (check the volume units)"
        )
    n = int(expected + 6 * math.sqrt(expected) + 20)
    cumulative = np.cumsum(rng.standard_exponential(n))
    while cumulative[-1] < expected:  # rare: extend the same stream
        more = np.cumsum(rng.standard_exponential(n)) + cumulative[-1]
        cumulative = np.concatenate([cumulative, more])
    count = int(np.searchsorted(cumulative, expected, side="left"))
    return cumulative[:count] / rate_per_hour


def _month_segments(
    start_month: int, span_hours: float
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Boundaries (hours) and month indices (0-11) of calendar months covering the span."""
    hours = np.array(DAYS_IN_MONTH, dtype=np.float64) * HOURS_PER_DAY
    n_months = int(span_hours / (28 * HOURS_PER_DAY)) + 2
    months = (start_month - 1 + np.arange(n_months)) % 12
    bounds = np.concatenate([[0.0], np.cumsum(hours[months])])
    keep = int(np.searchsorted(bounds, span_hours, side="left"))  # bounds[keep] >= span
    return bounds[: keep + 1], months[:keep]


def storm_spells(
    weather: WeatherClosures | None,
    *,
    start_month: int,
    span_hours: float,
    rng: np.random.Generator,
) -> FloatArray:
    """Draw storm closures over ``[0, span_hours)``.

    Time 0 is the start of ``start_month``. Open gaps are exponential with the
    month-varying rate of :class:`WeatherClosures` (the cumulative hazard is inverted
    across month boundaries), closed spells are PERT; months with share 1 are closed
    throughout. One loop step per spell (tens a year).

    Parameters
    ----------
    weather : WeatherClosures or None
        Closure statistics; None gives no closures.
    start_month : int
        Calendar month (1-12) at time 0.
    span_hours : float
        Time span to cover, hours.
    rng : numpy.random.Generator
        Random generator.

    Returns
    -------
    numpy.ndarray
        Shape ``(k, 2)``: sorted, disjoint ``[start, end)`` closed intervals, hours
        (the last may end after ``span_hours``).
    """
    if weather is None or span_hours <= 0:
        return np.empty((0, 2))
    bounds, months = _month_segments(start_month, span_hours)
    share = np.array(weather.closure_share_by_month)[months]
    mean_spell = weather.mean_spell_hours
    lengths = np.diff(bounds)
    full = share >= 1.0
    open_share = np.where(full, 1.0, 1.0 - share)
    rate = np.where(full, 0.0, share / (open_share * mean_spell))
    expected_spells = float(np.sum(share * lengths) / mean_spell)
    if expected_spells > MAX_SPELLS:
        raise ValueError(
            f"WeatherClosures.hold_hours_*: spells averaging {mean_spell:g} h give "
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
            holds = weather.sample_spell_hours(rng, batch).tolist()[::-1]
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
    arrival_hours : numpy.ndarray
        Train arrival times on ``[0, horizon_hours)``, ascending, hours.
    closures : numpy.ndarray
        ``(k, 2)`` sorted disjoint closed intervals ``[start, end)``, hours.
    horizon_hours : float
        Arrival window, hours.
    end_hours : float
        When the simulation stops (``DRAIN_FACTOR * horizon_hours``), hours.
    """

    arrival_hours: FloatArray
    closures: FloatArray
    horizon_hours: float
    end_hours: float


def _check_ferry_args(
    volume_teu_per_week: object,
    start_month: object,
    horizon_days: object,
    teu_per_train: object,
    seed: object,
) -> None:
    problems: list[str] = []
    _check_real(problems, "volume_teu_per_week", volume_teu_per_week, low=0)
    _check_int(problems, "start_month", start_month, low=1)
    if (
        isinstance(start_month, int | np.integer)
        and not isinstance(start_month, bool)
        and int(start_month) > 12
    ):
        problems.append(f"start_month must be <= 12 (got {start_month!r})")
    _check_real(
        problems, "horizon_days", horizon_days, low=0, low_inclusive=False, high=MAX_HORIZON_DAYS
    )
    _check_real(problems, "teu_per_train", teu_per_train, low=0, low_inclusive=False)
    _check_seed(problems, seed)
    _raise(problems)


def draw_ferry_inputs(
    volume_teu_per_week: float,
    weather: WeatherClosures | None,
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
    volume_teu_per_week : float
        Offered volume, TEU per week, >= 0.
    weather : WeatherClosures or None
        Storm statistics; None for no closures.
    start_month : int
        Calendar month (1-12) at time 0.
    horizon_days : float
        Arrival window, days, > 0.
    teu_per_train : float
        TEU per block train, > 0.
    seed : int or numpy.random.Generator
        Seed (same seed, same inputs) or a generator to draw child streams from.

    Returns
    -------
    FerryInputs
        Arrival times and closed intervals (covering the drain period too).
    """
    _check_ferry_args(volume_teu_per_week, start_month, horizon_days, teu_per_train, seed)
    if weather is not None and not isinstance(weather, WeatherClosures):
        raise ValueError(f"weather must be a WeatherClosures or None (got {weather!r})")
    horizon = float(horizon_days) * HOURS_PER_DAY
    end = DRAIN_FACTOR * horizon
    rng_arrivals, rng_weather = _make_rngs(seed, 2)
    rate = float(volume_teu_per_week) / float(teu_per_train) / HOURS_PER_WEEK
    arrivals = poisson_arrivals(rate, horizon, rng_arrivals)
    closures = storm_spells(weather, start_month=int(start_month), span_hours=end, rng=rng_weather)
    return FerryInputs(
        arrival_hours=_readonly(arrivals),
        closures=_readonly(closures.reshape(-1, 2)),
        horizon_hours=horizon,
        end_hours=end,
    )


# --------------------------------------------------------------------------------------
# deterministic cores
# --------------------------------------------------------------------------------------


def ferry_departure_hours(
    arrival_hours: npt.ArrayLike,
    service: FerryService,
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
    arrival_hours : array_like
        Train arrival times, ascending, hours.
    service : FerryService
        The ferry service.
    closures : array_like or None
        ``(k, 2)`` sorted, disjoint closed intervals ``[start, end)``, hours.
    teu_per_train : float
        TEU per train, > 0.
    end_hours : float
        The simulation stops here: no sailing leaves at or after it, hours.

    Returns
    -------
    numpy.ndarray
        Per train, the hour its last TEU sails; ``end_hours`` for trains still (partly)
        on the quay at the end (a lower bound, only when saturated).
    """
    arrivals = np.asarray(arrival_hours, dtype=np.float64)
    n = arrivals.size
    if n == 0:
        return np.empty(0)
    # Sailing capacity in trains; more than all the trains is the same as all of them.
    cap = min(service.capacity_teu / teu_per_train, n + 1.0)
    if not cap > 1e-6:
        raise ValueError(
            f"FerryService.capacity_teu: {service.capacity_teu:g} TEU a sailing is under a "
            f"millionth of a {teu_per_train:g} TEU train (check the units)"
        )
    if service.dispatch == "on_fill":
        bound = min(
            n * (math.ceil(1 / cap) + 1),
            service.vessels * (end_hours / service.round_trip_hours + 1),
        )
    else:
        bound = min(
            end_hours / service.headway_hours + 1,
            service.vessels * (end_hours / service.round_trip_hours + 1),
        )
    if bound > MAX_SAILINGS:
        raise ValueError(
            f"FerryService: up to {bound:,.0f} sailings needed, more than {MAX_SAILINGS:,} "
            "(check round_trip_hours, headway_hours and capacity_teu units)"
        )
    spells = np.empty((0, 2)) if closures is None else np.asarray(closures, dtype=np.float64)
    spell_start: list[float] = spells[:, 0].tolist()
    spell_end: list[float] = spells[:, 1].tolist()
    stormy = bool(spell_start)
    arr: list[float] = arrivals.tolist()
    ready = [0.0] * service.vessels  # heap of times vessels are back in port
    rt, hold, headway = service.round_trip_hours, service.max_hold_hours, service.headway_hours
    on_fill = service.dispatch == "on_fill"
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
            due += hold  # it waits at most max_hold_hours aboard
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


def server_start_hours(arrival_hours: npt.ArrayLike, server: Server) -> FloatArray:
    """Start of handling of each train at an M/D/c point, first come first served.

    With equal handling times ``s`` trains leave in arrival order, so train ``n`` gets the
    server freed by train ``n - c``: ``start[n] = max(a[n], start[n - c] + s)``. Each of the
    ``c`` interleaved chains is a single-server Lindley recursion with the closed form
    ``start[m] = m s + max_{k <= m}(a[k] - k s)`` (the same as
    ``W_m = C_m - min_{k <= m} C_k``), computed with ``np.maximum.accumulate``.

    Parameters
    ----------
    arrival_hours : array_like
        Arrival times, ascending, hours.
    server : Server
        The handling point.

    Returns
    -------
    numpy.ndarray
        Start of handling per train, hours (the wait is ``start - arrival``).
    """
    arrivals = np.asarray(arrival_hours, dtype=np.float64)
    n, c, s = arrivals.size, server.servers, server.service_hours
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
    arrival_hours: FloatArray, done_hours: FloatArray, horizon_hours: float, scale: float
) -> bool:
    """True if the mean backlog over the last tenth of the horizon is markedly above the first.

    "Markedly": more than twice the first tenth's plus ``scale`` trains (a fleet load or a
    day of capacity), so the noise of a stable queue does not trip it.
    """
    if arrival_hours.size == 0:
        return False
    tenth = horizon_hours / 10
    grid = np.linspace(0.0, tenth, 100)
    done = np.sort(done_hours)

    def backlog(times: FloatArray) -> float:
        queued = np.searchsorted(arrival_hours, times, side="right") - np.searchsorted(
            done, times, side="right"
        )
        return float(queued.mean())

    first = backlog(grid)
    last = backlog(grid + horizon_hours - tenth)
    return last > 2 * first + scale


# --------------------------------------------------------------------------------------
# public simulations
# --------------------------------------------------------------------------------------


def simulate_ferry(
    volume_teu_per_week: float,
    service: FerryService,
    weather: WeatherClosures | None,
    *,
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
    volume_teu_per_week : float
        Offered volume, TEU per week, >= 0. A volume above capacity is allowed: the
        result is ``saturated``.
    service : FerryService
        The ferry service.
    weather : WeatherClosures or None
        Storm closures; None for none.
    start_month : int
        Calendar month (1-12) at the start of the horizon.
    horizon_days : float
        Arrival window, days, > 0. The first 10 % is warm-up.
    teu_per_train : float
        TEU per block train, > 0 (84: a 42-container train of 40 ft boxes).
    seed : int or numpy.random.Generator
        Same seed, same result.

    Returns
    -------
    QueueResult
        Per-train ``wait_hours`` (stage ``ferry_wait``) and ``weather_hours`` (stage
        ``weather``), hours.

    Raises
    ------
    ValueError
        For invalid arguments, naming each bad one.
    """
    problems: list[str] = []
    if not isinstance(service, FerryService):
        problems.append(f"service must be a FerryService (got {service!r})")
    if weather is not None and not isinstance(weather, WeatherClosures):
        problems.append(f"weather must be a WeatherClosures or None (got {weather!r})")
    _raise(problems)
    inputs = draw_ferry_inputs(
        volume_teu_per_week,
        weather,
        start_month=start_month,
        horizon_days=horizon_days,
        teu_per_train=teu_per_train,
        seed=seed,
    )
    arrivals = inputs.arrival_hours
    kwargs = {"teu_per_train": float(teu_per_train), "end_hours": inputs.end_hours}
    departed = ferry_departure_hours(arrivals, service, inputs.closures, **kwargs)
    total = departed - arrivals
    if inputs.closures.shape[0]:
        calm = ferry_departure_hours(arrivals, service, None, **kwargs) - arrivals
        weather_part = np.clip(total - calm, 0.0, None)
    else:
        weather_part = np.zeros_like(total)
    offered = float(volume_teu_per_week) / HOURS_PER_WEEK
    capacity = service.capacity_teu_per_hour()  # may underflow to 0 for absurd inputs
    utilisation = offered / capacity if capacity > 0 else (math.inf if offered > 0 else 0.0)
    fleet_load = service.vessels * service.capacity_teu / float(teu_per_train)
    saturated = utilisation >= 1 or _backlog_growing(
        arrivals, departed, inputs.horizon_hours, fleet_load
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
    volume_trains_per_day: float,
    server: Server,
    *,
    horizon_days: float = 365,
    seed: int | np.random.Generator = 0,
) -> QueueResult:
    """Simulate queueing at a border, gauge-change or terminal point (M/D/c, FIFO).

    Parameters
    ----------
    volume_trains_per_day : float
        Offered trains per day, >= 0 (Poisson arrivals). Above capacity is allowed.
    server : Server
        The handling point.
    horizon_days : float
        Arrival window, days, > 0. The first 10 % is warm-up.
    seed : int or numpy.random.Generator
        Same seed, same result.

    Returns
    -------
    QueueResult
        Per-train queueing ``wait_hours`` before handling starts (handling time itself
        excluded), hours; ``weather_hours`` are zeros.

    Raises
    ------
    ValueError
        For invalid arguments, naming each bad one.
    """
    problems: list[str] = []
    _check_real(problems, "volume_trains_per_day", volume_trains_per_day, low=0)
    if not isinstance(server, Server):
        problems.append(f"server must be a Server (got {server!r})")
    _check_real(
        problems, "horizon_days", horizon_days, low=0, low_inclusive=False, high=MAX_HORIZON_DAYS
    )
    _check_seed(problems, seed)
    _raise(problems)
    horizon = float(horizon_days) * HOURS_PER_DAY
    (rng,) = _make_rngs(seed, 1)
    arrivals = poisson_arrivals(float(volume_trains_per_day) / HOURS_PER_DAY, horizon, rng)
    start = server_start_hours(arrivals, server)
    utilisation = float(volume_trains_per_day) / server.capacity_per_day
    saturated = utilisation >= 1 or _backlog_growing(
        arrivals, start, horizon, server.capacity_per_day
    )
    return QueueResult(
        wait_hours=start - arrivals,
        weather_hours=np.zeros_like(arrivals),
        arrival_hours=arrivals,
        utilisation=utilisation,
        saturated=bool(saturated),
        horizon_hours=horizon,
    )
