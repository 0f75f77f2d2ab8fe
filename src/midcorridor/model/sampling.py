"""Monte Carlo sampling of a trip's delays: hours of every delay in every sample.

:func:`draw_hours` draws all delays of a trip for many samples at once as a
``(samples, components)`` matrix of hours, and walks the trip on a clock where a delay
depends on when the container gets there (:mod:`midcorridor.model.journeys`).
:func:`sample_trip` calls it on chunks of at most :data:`CHUNK` samples and keeps, in a
:class:`~midcorridor.model.trip.TripResult`, the door-to-door days of every sample and the
component hours of at most :data:`KEEP_SAMPLES` samples, so that its memory does not grow
with the run but for 8 bytes a sample. :func:`plan_journey` plans a booked trip.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from ..inputs.network_files import ShipmentClass
from ..network.routing import Route
from ..vocabulary import HOURS_PER_DAY, Shipment
from .delays import Adjustment, Component, adjust_in_place, sample_pert
from .journeys import ConnectionStats, Journey, in_time, stage_matrix, walk
from .trip import TripResult

logger = logging.getLogger(__name__)

__all__ = [
    "CHUNK",
    "KEEP_SAMPLES",
    "PLAN_SAMPLES",
    "draw_hours",
    "plan_journey",
    "route_seed",
    "sample_hours",
    "sample_trip",
]


def route_seed(seed: int, route: Route) -> np.random.SeedSequence:
    """Seed for one route: the same route gets the same draws in every scenario.

    Using common random numbers makes scenario differences free of sampling noise.
    """
    digest = hashlib.sha256("|".join(route.nodes).encode()).digest()
    return np.random.SeedSequence([seed, int.from_bytes(digest[:8], "little")])


CHUNK = 50_000
"""Samples :func:`sample_trip` draws at once: its working memory, whatever the run's size.

A chunk's hours and the temporaries of :func:`sample_hours` take 16-20 bytes a sample and
component (about 48 MB for 50,000 samples of the longest baseline route, 59 components).
Runs of at most ``CHUNK`` samples draw exactly the numbers drawn before chunking existed.
"""

KEEP_SAMPLES = 100_000
"""Samples whose hours of every component a :class:`TripResult` keeps (the first drawn).

Door-to-door days are kept for every sample (8 bytes each); component hours, 8 bytes a
sample and component, only for the first ``KEEP_SAMPLES`` samples of a larger run.
"""


def sample_hours(
    comps: Sequence[Component],
    samples: int,
    rng: np.random.Generator,
    adjustments: Sequence[Adjustment] | None = None,
    journey: Journey | None = None,
) -> np.ndarray:
    """Hours of every component in every sample, drawn in one go.

    See :func:`draw_hours`, which also counts missed timetabled departures.
    """
    return draw_hours(comps, samples, rng, adjustments, journey)[0]


def draw_hours(
    comps: Sequence[Component],
    samples: int,
    rng: np.random.Generator,
    adjustments: Sequence[Adjustment] | None = None,
    journey: Journey | None = None,
) -> tuple[np.ndarray, list[ConnectionStats]]:
    """Hours of every component in every sample, drawn in one go, and connections made.

    Parameters
    ----------
    comps
        The components (:func:`components`).
    samples
        Number of samples (rows).
    rng
        Random generator; it is advanced by the draws.
    adjustments
        A scenario's changes, one per component.
    journey
        How the trip meets timetabled departures (default: on arrival, block train,
        month drawn): used when a delay depends on the clock (:func:`~.journeys.in_time`).

    Returns
    -------
    numpy.ndarray
        Hours, shape ``(samples, len(comps))``. Memory: the result and about as much
        again in temporaries (:data:`CHUNK` bounds what :func:`sample_trip` asks for).
    list of ConnectionStats
        One per timetabled departure on the trip.

    Notes
    -----
    The draws come in a fixed order: beta draws for every sample of the PERT columns,
    uniforms for the uniform columns, row indices of each empirical group, departure
    months (if a probability depends on the month), uniforms deciding which
    samples the probabilistic components happen in, and (if the trip has a pace) one
    standard normal per sample for the pace of its rail running times, applied after
    the scenario's changes. The same ``rng`` state gives the
    same numbers to the last digit. Then, only if a delay depends on the clock, the
    walk of :func:`midcorridor.model.journeys.walk` draws departure times and sets those
    delays: a trip without such delays gets the numbers it got before journeys existed.
    """
    m = len(comps)
    low = np.array([c.dist.low for c in comps])
    high = np.array([c.dist.high for c in comps])
    width = high - low
    alpha = np.array([c.dist.alpha for c in comps])
    beta = np.array([c.dist.beta for c in comps])
    inverse = np.array([np.nan if c.dist.inverse is None else c.dist.inverse for c in comps])
    probability = np.array([c.probability for c in comps])

    # Draw only what varies: beta draws for PERT columns, plain uniforms for uniform
    # waits (beta(1, 1)), nothing for constants. Same seed, same numbers. Arithmetic is
    # in place (the same operations in the same order, so the same numbers as building
    # new arrays) to keep the temporaries to one column block at a time.
    hours = np.empty((samples, m))
    pert_cols = np.flatnonzero((width > 0) & ((alpha != 1) | (beta != 1)))
    uniform_cols = np.flatnonzero((width > 0) & (alpha == 1) & (beta == 1))
    constant_cols = np.flatnonzero(width <= 0)
    hours[:, pert_cols] = sample_pert(
        low[pert_cols],
        high[pert_cols],
        alpha[pert_cols],
        beta[pert_cols],
        rng,
        (samples, pert_cols.size),
    )
    uniform = rng.random((samples, uniform_cols.size))
    uniform *= width[uniform_cols]
    uniform += low[uniform_cols]
    hours[:, uniform_cols] = uniform
    hours[:, constant_cols] = low[constant_cols]
    inverse_cols = np.flatnonzero(~np.isnan(inverse))
    if inverse_cols.size:
        hours[:, inverse_cols] = inverse[inverse_cols] / hours[:, inverse_cols]
    rows: dict[str | None, np.ndarray] = {}
    for j, comp in enumerate(comps):
        if comp.empirical is not None:
            key = comp.empirical_group
            idx = rows.get(key) if key is not None else None
            if idx is None:
                idx = rng.integers(0, comp.empirical.size, size=samples)
                rows[key] = idx
            hours[:, j] = comp.empirical[idx]
    by_month = [j for j, c in enumerate(comps) if c.probability_by_month is not None]
    chance = np.flatnonzero(probability < 1)
    months = None
    if chance.size:
        p = np.broadcast_to(probability[chance], (samples, chance.size))
        if by_month:
            months = rng.integers(0, 12, size=samples)
            p = p.copy()
            for j in by_month:
                shares = np.asarray(comps[j].probability_by_month)
                p[:, np.searchsorted(chance, j)] = shares[months]
        hours[:, chance] *= rng.random((samples, chance.size)) < p
    if adjustments is not None:
        scale = np.array([a.scale for a in adjustments])
        add = np.array([a.add for a in adjustments])
        override = np.array([np.nan if a.set is None else a.set for a in adjustments])
        adjust_in_place(hours, scale, add, override)
    _pace_in_place(hours, comps, adjustments, rng)
    stats: list[ConnectionStats] = []
    if in_time(comps):
        stats = walk(hours, comps, adjustments, months, rng, journey or Journey())
    return hours, stats


def _pace_in_place(
    hours: np.ndarray,
    comps: Sequence[Component],
    adjustments: Sequence[Adjustment] | None,
    rng: np.random.Generator,
) -> None:
    """Every paced column (a rail running time) times its trip's factor,
    ``exp(s * z - s**2 / 2)``: one standard normal ``z`` per sample, ``s`` the column's
    ``pace_log_sd`` times its adjustment's ``pace`` (mean 1: the mean hours are kept).
    Nothing is drawn for a trip without a pace."""
    paces = np.array([c.pace_log_sd for c in comps])
    if adjustments is not None:
        paces = paces * np.array([a.pace for a in adjustments])
    cols = np.flatnonzero(paces > 0)
    if not cols.size:
        return
    z = rng.standard_normal((hours.shape[0], 1))
    s = paces[cols]
    hours[:, cols] *= np.exp(z * s - s * s / 2)


#: Samples drawn to plan a booked trip (:func:`plan_journey`).
PLAN_SAMPLES = 4_096


def plan_journey(
    comps: Sequence[Component],
    *,
    shipment: Shipment = "block_train",
    shipment_class: ShipmentClass | None = None,
    month: int | None = None,
    adjustments: Sequence[Adjustment] | None = None,
    seed: int = 0,
) -> Journey:
    """How a trip meets its timetabled departures; for a booked one, its plan.

    A booked trip's plan allows, from the origin to its first timetabled departure's
    cut-off, the ``plan_quantile`` of the hours the delays before it take (drawn
    :data:`PLAN_SAMPLES` times with their own seed, after the scenario's changes: a
    planner plans with today's paperwork, and with a faster one once it is faster).

    Parameters
    ----------
    comps, adjustments
        The trip's delays and the scenario's changes to them.
    shipment, shipment_class
        What travels and its class (None: on arrival).
    month
        Departure month (1-12), or None for a month drawn per sample.
    seed
        Seed of the planning draws.
    """
    connection = shipment_class.connection if shipment_class is not None else "on_arrival"
    base = Journey(shipment=shipment, connection=connection, month=month)
    first = next((j for j, c in enumerate(comps) if c.timetable is not None), None)
    if connection != "booked" or first is None or shipment_class is None:
        return base
    upstream = comps[:first]
    adjusted = adjustments[:first] if adjustments is not None else None
    quantile = shipment_class.plan_quantile or 0.5

    def pilot(journey: Journey) -> np.ndarray:
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x504C414E]))
        return sample_hours(upstream, PLAN_SAMPLES, rng, adjusted, journey)

    hours = pilot(base)
    plan: float | tuple[float, ...] = float(np.quantile(hours.sum(axis=1), quantile))
    if month is None and in_time(upstream):
        # Queues that follow a monthly volume: a train leaving in a busy month is planned
        # with that month's waits.
        plan = tuple(
            float(np.quantile(pilot(replace(base, month=m)).sum(axis=1), quantile))
            for m in range(1, 13)
        )
    return replace(
        base,
        plan_hours=plan,
        plan_stage_hours=tuple(float(v) for v in (hours @ stage_matrix(upstream)).mean(axis=0)),
    )


def sample_trip(
    route: Route,
    comps: Sequence[Component],
    *,
    samples: int = 10_000,
    seed: int = 0,
    adjustments: Sequence[Adjustment] | None = None,
    label: str = "",
    progress: Callable[[int], None] | None = None,
    journey: Journey | None = None,
) -> TripResult:
    """Sample door-to-door times of a trip, in chunks of at most :data:`CHUNK` samples.

    Parameters
    ----------
    route
        The path.
    comps
        Its components (:func:`components`).
    samples
        Number of Monte Carlo samples.
    seed
        Random seed; the same seed and route give the same numbers to the last digit.
    adjustments
        A scenario's changes, one per component.
    label
        Name of the trip.
    progress
        Called after each chunk with the number of samples drawn so far (the last call
        gets ``samples``).
    journey
        How the trip meets timetabled departures (:func:`plan_journey`); default on
        arrival, as a block train, in a month drawn per sample.

    Returns
    -------
    TripResult
        Door-to-door days of every sample; component hours of the first
        :data:`KEEP_SAMPLES` samples (of every sample in a run no larger).

    Notes
    -----
    Memory: about ``8 * samples`` bytes for the door-to-door days (only beyond
    :data:`KEEP_SAMPLES`), ``8 * min(samples, KEEP_SAMPLES) * len(comps)`` bytes for the
    kept hours, and one chunk's working memory (:data:`CHUNK`).

    Chunk ``k`` is ``sample_hours(comps, n_k, rng, adjustments)`` with one generator
    seeded by :func:`route_seed` for the whole run, ``n_k`` being ``CHUNK`` except for
    the last chunk. A run of at most ``CHUNK`` samples is therefore one call, the same
    numbers as drawing the run in one go; a larger run draws other (equally random,
    still seeded and deterministic) numbers than one call would, as each chunk draws its
    beta, uniform and other variates in turn. Changing ``CHUNK`` changes them too.
    """
    logger.debug("sampling %s: %d samples, %d delays", label or "a trip", samples, len(comps))
    rng = np.random.default_rng(route_seed(seed, route))
    chunk, keep = CHUNK, KEEP_SAMPLES
    if chunk < 1 or keep < 1:
        raise ValueError(f"CHUNK and KEEP_SAMPLES must be positive, got {chunk} and {keep}")
    comps = tuple(comps)
    journey = journey or Journey()
    connections: list[ConnectionStats] = []

    def count(stats: list[ConnectionStats]) -> None:
        if not connections:
            connections.extend(stats)
            return
        for total, part in zip(connections, stats, strict=True):
            total.add(part)

    kept_rows = min(samples, keep)
    kept: np.ndarray | None = None
    # Beyond the kept samples, door-to-door days and component sums of every sample.
    beyond = samples > keep
    days = np.empty(samples) if beyond else None
    hours_sum = np.zeros(len(comps)) if beyond else None
    done = 0
    while done < samples:
        n = min(chunk, samples - done)
        part, stats = draw_hours(comps, n, rng, adjustments, journey)
        count(stats)
        if done == 0 and n == kept_rows:  # the first chunk is every kept sample
            kept = part
        elif done < kept_rows:
            if kept is None:
                kept = np.empty((kept_rows, len(comps)))
            take = min(n, kept_rows - done)
            kept[done : done + take] = part[:take]
        if days is not None and hours_sum is not None:
            days[done : done + n] = part.sum(axis=1) / HOURS_PER_DAY
            hours_sum += part.sum(axis=0)
        del part
        done += n
        if progress is not None:
            progress(done)
    if kept is None:  # no sample asked for
        kept = np.empty((0, len(comps)))
    return TripResult(
        route=route,
        components=comps,
        hours=kept,
        label=label,
        sample_days=days,
        hours_sum=hours_sum,
        shipment=journey.shipment,
        connections=connections,
    )
