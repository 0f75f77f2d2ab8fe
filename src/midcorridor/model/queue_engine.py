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
from typing import Literal

import numpy as np
import numpy.typing as npt

from ..inputs.network_files import Capacity, Service, Weather
from ..vocabulary import DAYS_IN_MONTH, HOURS_PER_DAY, HOURS_PER_WEEK
from .queue_inputs import (
    MAX_SAILINGS,
    FerryArgs,
    FloatArray,
    Season,
    ServerArgs,
    draw_validated,
    ferry_capacity_teu_per_hour,
    handling_hours,
    make_rngs,
    max_hold_hours,
    poisson_arrivals,
    readonly,
)

__all__ = [
    "QueueResult",
    "ferry_departure_hours",
    "server_start_hours",
    "simulate_ferry",
    "simulate_server",
]

WARMUP_SHARE = 0.1
"""Share of the horizon treated as warm-up: trains arriving earlier are not in statistics."""


_TOL = 1e-9
"""Tolerance, in trains, for deciding that a train's last TEU is aboard."""


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
            object.__setattr__(self, name, readonly(getattr(self, name)))
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

    def stat(self, of: Literal["wait", "weather", "total"], q: float | None = None) -> float:
        """Mean (or the ``q`` quantile) of the steady-state trains' hours, NaN without trains.

        ``of``: ``wait`` (:attr:`wait_hours`), ``weather`` or ``total`` (their sum).
        """
        values = {"wait": self.wait_hours, "weather": self.weather_hours}.get(of)
        kept = (values if values is not None else self.total_hours)[self._steady]
        if kept.size == 0:
            return math.nan
        if q is None:
            return float(kept.mean())
        return float(np.quantile(kept, q))


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
    args = FerryArgs(
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
    inputs = draw_validated(args)
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
    args = ServerArgs(
        trains_per_day=trains_per_day,
        season=season,
        capacity=capacity,
        horizon_days=horizon_days,
        seed=seed,
    )
    capacity = args.capacity
    horizon = args.horizon_days * HOURS_PER_DAY
    (rng,) = make_rngs(args.seed, 1)
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
