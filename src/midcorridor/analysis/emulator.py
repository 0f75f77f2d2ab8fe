"""The emulator of the fit (:mod:`.fit`): the observed cases run once, their hours kept
split by the source keys the fit learns factors for, so that a draw of the factors gives
each observation's days as one matrix product.

Each parameter is the factor on the hours of every delay whose figure rests on one source
key. The model is run once, with every factor 1, on each observation's era and months;
the hours of each sample are kept split by the key they rest on (exact for every delay
that does not depend on the clock, an approximation for waits on timetables and queues,
checked against a full run at the posterior median: ``Provenance.emulator_check``). A
trip's pace (``shipments.yaml``: one lognormal factor on its rail running hours) is
emulated alike: the model runs without it, and the emulator multiplies each sample's
running hours by ``exp(s z - s^2/2)``, ``z`` drawn once per sample and seeded, ``s`` the
pace's log-sd times its factor. A chance (a shipment's delay with a
``probability_source``: its probability times the factor, at most 1) is emulated by
thinning: the model runs with the delay happening to every trip, and the emulator keeps
its hours where a seeded uniform falls below the probability.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .._errors import NetworkError
from ..inputs.observations import Observation
from ..inputs.scenario import Scenario
from ..model.trip import TripResult
from ..network.network import Network
from ..vocabulary import HOURS_PER_DAY
from .scores import (
    ALPHA,
    era_of,
    observed_days,
    point_days,
    run_observations,
    timed_components,
    why_not_comparable,
    with_factors,
)

__all__ = [
    "Case",
    "CaseStack",
    "EmulatedChances",
    "EmulatedPace",
    "chance_probabilities",
    "emulate",
]

#: Quantiles the distance reads (P10, P50, P90).
_QUANTILES = (10.0, 50.0, 90.0)


@dataclass(frozen=True)
class Case:
    """An observed case as the emulator sees it.

    Attributes
    ----------
    observation
        The observation.
    low, high
        Its published range with rounding, days (``min``: ``high`` infinite; ``max``:
        ``low`` 0).
    by_key
        Hours of each sample resting on each parameter's key, shape ``(samples, keys)``,
        without the trip's pace.
    rest
        The other hours of each sample, shape ``(samples,)``.
    pace
        The trip's pace, if it has one: its running hours and standard normals.
    chances
        Its delays whose probability the fit learns, if any.
    """

    observation: Observation
    low: float
    high: float
    by_key: np.ndarray
    rest: np.ndarray
    pace: EmulatedPace | None = None
    chances: EmulatedChances | None = None

    def days(self, factors: np.ndarray) -> np.ndarray:
        """Days of each sample with the keys' hours (and the pace's log-sd, the chances'
        probabilities) multiplied by ``factors``."""
        hours = self.by_key @ factors + self.rest
        if self.pace is not None:
            hours += self.pace.extra_hours(factors)
        if self.chances is not None:
            hours += self.chances.kept_hours(factors)
        return hours / HOURS_PER_DAY

    def shares(self) -> np.ndarray:
        """Each key's share of the mean hours (all factors 1); for the pace's key, the
        share of the running hours it acts on; for a chance's, of its expected hours."""
        held = (
            self.chances.hours.mean(axis=0) * self.chances.probability
            if self.chances is not None
            else np.zeros(0)
        )
        total = float(self.by_key.sum(axis=1).mean() + self.rest.mean() + held.sum())
        if total <= 0:
            return np.zeros(self.by_key.shape[1])
        out = self.by_key.mean(axis=0) / total
        if self.pace is not None and self.pace.index is not None:
            out[self.pace.index] = self.pace.running_hours(np.ones(len(out))).mean() / total
        if self.chances is not None:
            out[self.chances.index] += held / total
        return out


@dataclass(frozen=True)
class EmulatedPace:
    """A trip's pace as the emulator sees it: rail running hours of each sample by key
    (``(samples, keys)``) and not resting on a key (``(samples,)``), one standard normal
    a sample, the pace's log-sd, and the column of the factors that scales it (None:
    the fit does not learn it, the log-sd stays). Stacked for many cases, each array
    has a leading axis of cases and the log-sd is one per case, shape ``(cases, 1)``."""

    running_by_key: np.ndarray
    running_rest: np.ndarray
    z: np.ndarray
    log_sd: float | np.ndarray
    index: int | None

    def running_hours(self, factors: np.ndarray) -> np.ndarray:
        """Running hours of each sample, the keys' factors applied."""
        return self.running_by_key @ factors + self.running_rest

    def extra_hours(self, factors: np.ndarray) -> np.ndarray:
        """Hours the pace adds to each sample (negative for a fast trip)."""
        s = self.log_sd * (factors[self.index] if self.index is not None else 1.0)
        return np.expm1(self.z * s - s * s / 2) * self.running_hours(factors)

    def picked(self, rows: np.ndarray) -> EmulatedPace:
        """The pace of the samples ``rows``."""
        return EmulatedPace(
            self.running_by_key[rows],
            self.running_rest[rows],
            self.z[rows],
            self.log_sd,
            self.index,
        )


@dataclass(frozen=True)
class EmulatedChances:
    """Delays whose probability the fit learns, as the emulator sees them: their hours in
    each sample with the delay happening to every trip (``(samples, n)``, one column a
    key), one uniform a sample and key, the network's probability of each key and the
    columns of the factors that scale them (``index``). Stacked for many cases, ``hours``
    and ``uniform`` have a leading axis of cases."""

    hours: np.ndarray
    uniform: np.ndarray
    probability: np.ndarray
    index: np.ndarray

    def kept_hours(self, factors: np.ndarray) -> np.ndarray:
        """Hours of each sample of the delays that happen to it, at the probabilities
        ``factors`` give."""
        chance = np.minimum(self.probability * factors[self.index], 1.0)
        return np.sum(self.hours * (self.uniform < chance), axis=-1)

    def picked(self, rows: np.ndarray) -> EmulatedChances:
        """The chances of the samples ``rows``."""
        return EmulatedChances(self.hours[rows], self.uniform[rows], self.probability, self.index)


def chance_probabilities(network: Network, keys: Sequence[str]) -> dict[str, float]:
    """The probability of each of ``keys`` that is a share (``probability_source``), one
    figure a key.

    Raises
    ------
    NetworkError
        When the processes resting on one key give different probabilities (the fit
        learns one factor on one figure).
    """
    found: dict[str, set[float]] = {}
    for shipment in network.shipments.values():
        for proc in shipment.processes:
            key = proc.probability_source
            if key is not None and key in keys:
                found.setdefault(key, set()).add(proc.probability)
    for key, values in found.items():
        if len(values) > 1 or 0 in values:
            raise NetworkError(
                f"shipments.yaml: the processes whose probability_source is {key!r} give "
                f"probabilities {sorted(values)}: the calibration learns one factor on one "
                "probability above 0; give them one"
            )
    return {k: v.pop() for k, v in found.items()}


def emulate(
    network: Network,
    scenarios: Mapping[str, Scenario],
    observations: Sequence[Observation],
    keys: Sequence[str],
    samples_per_month: int,
    *,
    seed: int = 0,
) -> list[Case]:
    """Run the observed cases once (every factor 1, no pace, every share's delay happening
    to every trip) and keep their hours split by key, their rail running hours for the
    pace and their shares' hours for thinning (normals and uniforms drawn from ``seed``).

    ``network`` must be uncalibrated (the fit learns the factors from scratch).
    """
    column = {k: j for j, k in enumerate(keys)}
    paces = network.pace_sources()
    pace_index = next((column[k] for k in paces if k in column), None)
    base_probability = chance_probabilities(network, keys)
    share_column = {k: i for i, k in enumerate(base_probability)}
    certain = {k: 1 / p for k, p in base_probability.items()}  # thinned in the emulator
    emulated = {
        era: with_factors(s, dict.fromkeys(paces, 0.0) | certain, "emulated: no pace, all held")
        for era, s in scenarios.items()
    }
    groups: dict[tuple[str, tuple[int, ...] | None], list[Observation]] = {}
    for obs in observations:
        era = era_of(obs)
        if era is not None and why_not_comparable(obs, scenarios) is None:
            groups.setdefault((era, obs.months), []).append(obs)

    def read(obs: Observation, trip: TripResult) -> tuple[np.ndarray, ...]:
        mask = timed_components(obs, trip, network)
        hours = trip.hours if mask is None else trip.hours[:, mask]
        comps = (
            trip.components
            if mask is None
            else [c for c, m in zip(trip.components, mask, strict=True) if m]
        )
        by_key = np.zeros((hours.shape[0], len(keys)))
        running = np.zeros((hours.shape[0], len(keys) + 1))  # the last: on no key
        held = np.zeros((hours.shape[0], len(share_column)))
        log_sd = 0.0
        for j, comp in enumerate(comps):
            if comp.probability_source in share_column:
                held[:, share_column[comp.probability_source]] += hours[:, j]
                continue
            key = column.get(comp.source)
            if key is not None:
                by_key[:, key] += hours[:, j]
            if comp.pace_log_sd > 0:
                running[:, len(keys) if key is None else key] += hours[:, j]
                log_sd = comp.pace_log_sd
        total = observed_days(obs, trip, network) * HOURS_PER_DAY
        rest = total - by_key.sum(axis=1) - held.sum(axis=1)
        return by_key, rest, running, held, np.array([log_sd])

    rng = np.random.default_rng(seed)
    cases = []
    for (era, months), group in groups.items():
        runs = run_observations(
            network, emulated[era], group, months or (None,), samples_per_month, read
        )
        for obs in group:
            parts, _ = runs[obs.id]
            low, high = obs.scored_range_days
            by_key, rest, running, held = (np.concatenate([p[i] for p in parts]) for i in range(4))
            log_sd = max(float(p[4][0]) for p in parts)
            pace = None
            if log_sd > 0:
                z = rng.standard_normal(len(rest))
                pace = EmulatedPace(running[:, :-1], running[:, -1], z, log_sd, pace_index)
            chances = None
            if held.any():
                chances = EmulatedChances(
                    held,
                    rng.random(held.shape),
                    np.array(list(base_probability.values())),
                    np.array([column[k] for k in base_probability]),
                )
            cases.append(Case(obs, low, high, by_key, rest, pace, chances))
    order = {o.id: i for i, o in enumerate(observations)}
    cases.sort(key=lambda c: order[c.observation.id])
    return cases


@dataclass(frozen=True)
class CaseStack:
    """Cases stacked for a fast distance: the same number of samples each (a seeded
    subset), shape ``(cases, samples, keys)``, their ranges and published figures on the
    ``log(1 + days)`` scale, which of them publish a mean (scored by the mean, not the
    P50), the largest miss a case counts for (``log_cap``, the log of ``largest_miss``),
    and their paces stacked (zero for a case without one)."""

    by_key: np.ndarray
    rest: np.ndarray
    log_low: np.ndarray
    log_high: np.ndarray
    log_point: np.ndarray
    is_mean: np.ndarray
    log_cap: float
    pace: EmulatedPace
    chances: EmulatedChances | None

    @classmethod
    def of(cls, cases: Sequence[Case], samples: int, seed: int, largest_miss: float) -> CaseStack:
        rng = np.random.default_rng(seed)
        picks = [
            rng.choice(len(c.rest), size=samples, replace=len(c.rest) < samples) for c in cases
        ]
        none = np.zeros((samples, cases[0].by_key.shape[1] if cases else 0))
        paces = [
            c.pace.picked(p)
            if c.pace is not None
            else EmulatedPace(none, none[:, 0], none[:, 0], 0.0, None)
            for c, p in zip(cases, picks, strict=True)
        ]
        some = next((c.chances for c in cases if c.chances is not None), None)
        chances = None
        if some is not None:
            nothing = np.zeros((samples, len(some.index)))
            picked = [
                c.chances.picked(p) if c.chances is not None else None
                for c, p in zip(cases, picks, strict=True)
            ]
            chances = EmulatedChances(
                np.stack([nothing if s is None else s.hours for s in picked]),
                np.stack([nothing if s is None else s.uniform for s in picked]),
                some.probability,
                some.index,
            )
        return cls(
            by_key=np.stack([c.by_key[p] for c, p in zip(cases, picks, strict=True)]),
            rest=np.stack([c.rest[p] for c, p in zip(cases, picks, strict=True)]),
            log_low=np.log1p([c.low for c in cases]),
            log_high=np.log1p([c.high for c in cases]),
            log_point=np.log1p([point_days(c.low, c.high) for c in cases]),
            is_mean=np.array([c.observation.statistic == "mean" for c in cases]),
            log_cap=math.log(largest_miss),
            pace=EmulatedPace(
                np.stack([p.running_by_key for p in paces]),
                np.stack([p.running_rest for p in paces]),
                np.stack([p.z for p in paces]),
                np.array([[p.log_sd] for p in paces]),
                next((c.pace.index for c in cases if c.pace is not None), None),
            ),
            chances=chances,
        )

    def quantiles(self, factors: np.ndarray) -> np.ndarray:
        """P10, P50 (the mean, for a published mean) and P90 days of each case, shape
        ``(3, cases)``."""
        hours = self.by_key @ factors + self.rest + self.pace.extra_hours(factors)
        if self.chances is not None:
            hours += self.chances.kept_hours(factors)
        days = hours / HOURS_PER_DAY
        out = np.percentile(days, _QUANTILES, axis=1)
        out[1, self.is_mean] = days[self.is_mean].mean(axis=1)
        return out

    def distance(self, factors: np.ndarray) -> float:
        """Mean over the cases of how far the P50 (the mean, for a published mean) lies
        outside the published range, plus the interval score of the P10-P90 at the
        published figure over 10 (a tenth of its width plus how far it misses the
        figure), all on the ``log(1 + days)`` scale, each miss at most ``log_cap``."""
        p10, p50, p90 = np.log1p(self.quantiles(factors))
        p50_miss = np.maximum(0, self.log_low - p50) + np.maximum(0, p50 - self.log_high)
        point_miss = np.maximum(0, p10 - self.log_point) + np.maximum(0, self.log_point - p90)
        width = (ALPHA / 2) * (p90 - p10)
        capped = np.minimum(p50_miss, self.log_cap) + width + np.minimum(point_miss, self.log_cap)
        return float(np.mean(capped))
