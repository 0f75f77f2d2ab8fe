"""Learn the assumed figures from the observed transit times: a Bayesian, likelihood-free
fit (ABC-SMC, ``pyabc``) of the factors on the hours of the assumptions ``evidence`` ranks
highest (``network/fit.yaml``), against the ``observed`` cases of
``network/observations.yaml``.

Each parameter is the factor on the hours of every delay whose figure rests on one source
key. The model is run once, with every factor 1, on each observation's era and months;
the hours of each sample are kept split by the key they rest on, so a draw of the factors
gives each observation's days as one matrix product (the emulator: exact for every delay
that does not depend on the clock, an approximation for waits on timetables and queues,
checked against a full run at the posterior median, ``Provenance.emulator_check``). A
trip's pace (``shipments.yaml``: one lognormal factor on its rail running hours) is
emulated alike: the model runs without it, and the emulator multiplies each sample's
running hours by ``exp(s z - s^2/2)``, ``z`` drawn once per sample and seeded, ``s`` the
pace's log-sd times its factor. The distance of a draw is the mean, over the observed
cases the model can time (:func:`~midcorridor.analysis.scores.why_not_comparable`; an
entry the network's figures were set from is one of them, though ``calibrate`` does not
score it), of how far (log scale) its P50 (its mean, for a published mean) lies outside
the published range, plus the interval score of its P10-P90 at the published figure
(Gneiting and Raftery 2007) over 10: a tenth of the interval's width plus how far it
misses the figure. Each miss is capped (``largest_miss`` of ``fit.yaml``) so that a case
no factor can mend does not pull the factors towards the ends of their priors; the width
keeps a spread from growing only to be sure of covering.

Besides the fit on every observed case, one fit leaves out each source's observations
(the folds): ``calibrate`` scores an observation with the fit of the fold that did not
see it. Every fit is seeded and runs in one process, so the folds give the same result
in-process, on a process pool or on Dask.
"""

from __future__ import annotations

import logging
import math
import random
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._files import atomic_write
from .._version import __version__
from ..inputs.fit_files import (
    CalibratedBook,
    CalibratedParameter,
    FitSettings,
    Fold,
    Provenance,
)
from ..inputs.observations import Observation
from ..inputs.scenario import Scenario
from ..model.trip import TripResult
from ..network.network import Network, sha256_text
from ..vocabulary import HOURS_PER_DAY
from .scores import (
    ALPHA,
    era_of,
    observed_days,
    point_days,
    run_observations,
    score_observations,
    timed_components,
    why_not_comparable,
    with_factors,
)

__all__ = [
    "Case",
    "CaseStack",
    "FitResult",
    "emulate",
    "emulator_check",
    "fit_factors",
    "fit_network",
    "with_factors",
    "write_calibrated",
]

#: A key's share of an observation's mean hours above which the observation constrains it.
CONSTRAINS_SHARE = 0.02
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
    """

    observation: Observation
    low: float
    high: float
    by_key: np.ndarray
    rest: np.ndarray
    pace: EmulatedPace | None = None

    def days(self, factors: np.ndarray) -> np.ndarray:
        """Days of each sample with the keys' hours (and the pace's log-sd) multiplied by
        ``factors``."""
        hours = self.by_key @ factors + self.rest
        if self.pace is not None:
            hours += self.pace.extra_hours(factors)
        return hours / HOURS_PER_DAY

    def shares(self) -> np.ndarray:
        """Each key's share of the mean hours (all factors 1); for the pace's key, the
        share of the running hours it acts on."""
        total = float(self.by_key.sum(axis=1).mean() + self.rest.mean())
        if total <= 0:
            return np.zeros(self.by_key.shape[1])
        out = self.by_key.mean(axis=0) / total
        if self.pace is not None and self.pace.index is not None:
            out[self.pace.index] = self.pace.running_hours(np.ones(len(out))).mean() / total
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


def emulate(
    network: Network,
    scenarios: Mapping[str, Scenario],
    observations: Sequence[Observation],
    keys: Sequence[str],
    samples_per_month: int,
    *,
    seed: int = 0,
) -> list[Case]:
    """Run the observed cases once (every factor 1, no pace) and keep their hours split
    by key, and their rail running hours for the pace (its normals drawn from ``seed``).

    ``network`` must be uncalibrated (the fit learns the factors from scratch).
    """
    column = {k: j for j, k in enumerate(keys)}
    paces = network.pace_sources()
    pace_index = next((column[k] for k in paces if k in column), None)
    unpaced = {
        era: with_factors(s, dict.fromkeys(paces, 0.0), "emulated: no pace")
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
        log_sd = 0.0
        for j, comp in enumerate(comps):
            key = column.get(comp.source)
            if key is not None:
                by_key[:, key] += hours[:, j]
            if comp.pace_log_sd > 0:
                running[:, len(keys) if key is None else key] += hours[:, j]
                log_sd = comp.pace_log_sd
        total = observed_days(obs, trip, network) * HOURS_PER_DAY
        return by_key, total - by_key.sum(axis=1), running, np.array([log_sd])

    rng = np.random.default_rng(seed)
    cases = []
    for (era, months), group in groups.items():
        runs = run_observations(
            network, unpaced[era], group, months or (None,), samples_per_month, read
        )
        for obs in group:
            parts, _ = runs[obs.id]
            low, high = obs.scored_range_days
            by_key, rest, running = (np.concatenate([p[i] for p in parts]) for i in range(3))
            log_sd = max(float(p[3][0]) for p in parts)
            pace = None
            if log_sd > 0:
                z = rng.standard_normal(len(rest))
                pace = EmulatedPace(running[:, :-1], running[:, -1], z, log_sd, pace_index)
            cases.append(Case(obs, low, high, by_key, rest, pace))
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
        )

    def quantiles(self, factors: np.ndarray) -> np.ndarray:
        """P10, P50 (the mean, for a published mean) and P90 days of each case, shape
        ``(3, cases)``."""
        days = (self.by_key @ factors + self.rest + self.pace.extra_hours(factors)) / HOURS_PER_DAY
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


@dataclass(frozen=True)
class FitResult:
    """Posterior draws of the factors (log scale) and their weights."""

    keys: tuple[str, ...]
    log_factors: np.ndarray
    weights: np.ndarray
    evaluations: int

    def quantile(self, q: float) -> np.ndarray:
        """Weighted quantile ``q`` (0-1) of each factor."""
        out = []
        for j in range(len(self.keys)):
            order = np.argsort(self.log_factors[:, j])
            cum = np.cumsum(self.weights[order])
            cum /= cum[-1]
            out.append(math.exp(self.log_factors[order, j][np.searchsorted(cum, q)]))
        return np.asarray(out)

    @property
    def effective_sample_size(self) -> float:
        """Kish's effective sample size of the weighted particles."""
        weights = self.weights / self.weights.sum()
        return float(1 / np.sum(weights**2))

    def medians(self) -> dict[str, float]:
        """Posterior median of each factor."""
        return dict(zip(self.keys, (float(x) for x in self.quantile(0.5)), strict=True))


def fit_factors(cases: Sequence[Case], settings: FitSettings, *, seed: int) -> FitResult:
    """ABC-SMC (pyabc) of the factors against ``cases``, in this process, seeded."""
    import pyabc

    stack = CaseStack.of(cases, settings.samples_per_month, seed, settings.largest_miss)

    for name in ("ABC", "pyabc"):
        logging.getLogger(name).setLevel(logging.WARNING)
    params = settings.parameters
    names = [f"f{j}" for j in range(len(params))]
    prior = pyabc.Distribution(
        **{
            n: pyabc.RV("uniform", math.log(p.low), p.log_width)
            for n, p in zip(names, params, strict=True)
        }
    )

    def model(par: Mapping[str, float]) -> dict[str, Any]:
        return {"log_factors": np.array([par[n] for n in names])}

    def abc_distance(x: Mapping[str, Any], _x0: Mapping[str, Any]) -> float:
        return stack.distance(np.exp(x["log_factors"]))

    np.random.seed(seed)
    random.seed(seed)
    abc = pyabc.ABCSMC(
        model,
        prior,
        abc_distance,
        population_size=settings.population,
        sampler=pyabc.sampler.SingleCoreSampler(),
        transitions=pyabc.MultivariateNormalTransition(scaling=settings.transition_scaling),
    )
    with tempfile.TemporaryDirectory(prefix="midcorridor-fit-") as folder:
        abc.new(f"sqlite:///{Path(folder) / 'fit.db'}", {"log_factors": np.zeros(len(names))})
        history = abc.run(max_nr_populations=settings.generations, minimum_epsilon=0.0)
        frame, weights = history.get_distribution()
        evaluations = int(history.total_nr_simulations)
    log_factors = frame[names].to_numpy(dtype=float)
    return FitResult(tuple(p.key for p in params), log_factors, np.asarray(weights), evaluations)


def _fold_sources(cases: Sequence[Case]) -> list[tuple[str, list[str]]]:
    """Observation ids by source (its link), sorted by link."""
    out: dict[str, list[str]] = {}
    for case in cases:
        out.setdefault(case.observation.source.url, []).append(case.observation.id)
    return sorted(out.items())


def _fold_job(job: tuple[Sequence[Case], FitSettings, Sequence[str], int]) -> dict[str, float]:
    """Posterior medians of a fit on the cases without the held-out ones."""
    cases, settings, held_out, seed = job
    out = set(held_out)
    kept = [c for c in cases if c.observation.id not in out]
    return fit_factors(kept, settings, seed=seed).medians()


def _parameters(
    cases: Sequence[Case], settings: FitSettings, full: FitResult
) -> tuple[CalibratedParameter, ...]:
    """Each parameter's prior and posterior, and whether the data informs it."""
    p5, median, p95 = full.quantile(0.05), full.quantile(0.5), full.quantile(0.95)
    trusted = full.effective_sample_size >= settings.min_effective_sample_size
    shares = np.array([c.shares() for c in cases]).reshape(len(cases), len(settings.parameters))
    out = []
    for j, p in enumerate(settings.parameters):
        narrowing = (math.log(p95[j]) - math.log(p5[j])) / (0.9 * p.log_width)
        constrained = tuple(
            c.observation.id
            for c, share in zip(cases, shares[:, j], strict=True)
            if share >= CONSTRAINS_SHARE
        )
        out.append(
            CalibratedParameter(
                key=p.key,
                prior_low=p.low,
                prior_high=p.high,
                median=round(float(median[j]), 4),
                p5=round(float(p5[j]), 4),
                p95=round(float(p95[j]), 4),
                narrowing=round(narrowing, 3),
                calibrated=bool(trusted and narrowing <= settings.narrowing and constrained),
                observations=constrained,
            )
        )
    return tuple(out)


def emulator_check(
    network: Network,
    scenarios: Mapping[str, Scenario],
    cases: Sequence[Case],
    factors: Mapping[str, float],
    samples_per_month: int,
) -> str:
    """How far the emulator's P50 lies from a full run's at ``factors``, in words."""
    conditions = {e: with_factors(s, factors, "emulator check") for e, s in scenarios.items()}
    scores = score_observations(
        network,
        conditions,
        [c.observation for c in cases],
        samples_per_month=samples_per_month,
        unscored=why_not_comparable,
    )
    full_p50 = {r.observation.id: r.p50 for r in scores}
    values = np.array([factors[k] for k in factors])
    gaps = [
        abs(float(np.percentile(c.days(values), 50)) - full_p50[c.observation.id]) for c in cases
    ]
    return (
        f"P50 of the emulator against a full run at the posterior medians, over "
        f"{len(gaps)} observed cases: mean gap {np.mean(gaps):.2f} d, largest "
        f"{max(gaps):.2f} d"
    )


def fit_network(
    network: Network,
    scenarios: Mapping[str, Scenario],
    *,
    folds: bool = True,
    map_: Callable[..., Iterable[Any]] = map,
) -> CalibratedBook:
    """Fit the factors of ``fit.yaml`` to every observed case of ``network``, then (with
    ``folds``) once without each source's cases, and gather the result with its
    provenance (``midcorridor fit``).

    Parameters
    ----------
    network
        The network (its calibration, if any, is set aside: the fit starts from the
        assumed figures).
    scenarios
        Scenario of each era (``{"2025": baseline, "2022": conditions_2022}``).
    folds
        Whether to fit without each source in turn (what ``calibrate`` scores with).
    map_
        How the folds run: the built-in ``map`` (in-process), a process pool's map, or a
        Dask client's (:func:`dask_map`). Each fold is seeded: every map gives the same
        result.
    """
    import pyabc

    settings = network.require_fit_settings()
    base = network.uncalibrated()
    observed = [o for o in network.require_observations().observations if o.kind == "observed"]
    keys = [p.key for p in settings.parameters]
    cases = emulate(base, scenarios, observed, keys, settings.samples_per_month, seed=settings.seed)
    full = fit_factors(cases, settings, seed=settings.seed)
    check = emulator_check(base, scenarios, cases, full.medians(), settings.samples_per_month)
    fold_list: list[Fold] = []
    if folds:
        by_source = _fold_sources(cases)
        jobs = [
            (list(cases), settings, ids, settings.seed + 1 + i)
            for i, (_, ids) in enumerate(by_source)
        ]
        fold_list = [
            Fold(source=src, held_out=tuple(ids), factors={k: round(v, 4) for k, v in m.items()})
            for (src, ids), m in zip(by_source, map_(_fold_job, jobs), strict=True)
        ]
    provenance = Provenance(
        command="midcorridor fit",
        observations=tuple(c.observation.id for c in cases),
        observations_sha256=sha256_text(network.require_observations().model_dump_json()),
        settings_sha256=sha256_text(settings.model_dump_json()),
        seed=settings.seed,
        pyabc=pyabc.__version__,
        midcorridor=__version__,
        distance=(
            "mean over the observed cases, on the log(1 + days) scale, of how far the P50 "
            "(the mean, for a published mean) lies outside the published range, plus the "
            "interval score of the P10-P90 at the published figure over 10 (a tenth of its "
            "width plus how far it misses the figure), each miss at most "
            f"log({settings.largest_miss:g})"
        ),
        evaluations=full.evaluations,
        effective_sample_size=round(full.effective_sample_size, 1),
        emulator_check=check,
    )
    return CalibratedBook(
        provenance=provenance,
        parameters=_parameters(cases, settings, full),
        folds=tuple(fold_list),
    )


def write_calibrated(book: CalibratedBook, path: Path) -> None:
    """Write ``book`` to ``path`` whole or not at all (an interrupted fit leaves the
    committed result as it was)."""
    import yaml

    header = (
        "# Written by `midcorridor fit` from network/fit.yaml and network/observations.yaml:\n"
        "# do not edit. Factors of the parameters marked calibrated are applied to every\n"
        "# scenario; see docs/calibration.md.\n"
    )
    text = yaml.safe_dump(book.model_dump(mode="json"), sort_keys=False, width=100)
    with atomic_write(path) as handle:
        handle.write(header + text)
