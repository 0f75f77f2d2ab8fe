"""Learn the assumed figures from the observed transit times: a Bayesian, likelihood-free
fit (ABC-SMC, ``pyabc``) of the factors on the hours of the assumptions ``evidence`` ranks
highest (``network/fit.yaml``), against the ``observed`` cases of
``network/observations.yaml``; the factor on a pace's log-sd, or on a probability, where
its key is one (:mod:`.emulator` gives each draw's days).

The distance of a draw is the mean, over the observed cases the model can time
(:func:`~midcorridor.analysis.scores.why_not_comparable`; an entry the network's figures
were set from is one of them, though ``calibrate`` does not score it), of how far (log
scale) its P50 (its mean, for a published mean) lies outside the published range, plus
the interval score of its P10-P90 at the published figure (Gneiting and Raftery 2007) over
10: a tenth of the interval's width plus how far it misses the figure. Each miss is capped
(``largest_miss`` of ``fit.yaml``) so that a case no factor can mend does not pull the
factors towards the ends of their priors; the width keeps a spread from growing only to be
sure of covering.

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
from ..inputs.scenario import Scenario
from ..network.network import Network, sha256_text
from .emulator import Case, CaseStack, emulate
from .scores import score_observations, why_not_comparable, with_factors

__all__ = [
    "FitResult",
    "emulator_check",
    "fit_factors",
    "fit_network",
    "write_calibrated",
]

#: A key's share of an observation's mean hours above which the observation constrains it.
CONSTRAINS_SHARE = 0.02


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
    cases: Sequence[Case], settings: FitSettings, full: FitResult, *, trusted: bool
) -> tuple[CalibratedParameter, ...]:
    """Each parameter's prior and posterior, and whether the data informs it (never, from
    a fit that is not ``trusted``)."""
    p5, median, p95 = full.quantile(0.05), full.quantile(0.5), full.quantile(0.95)
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
    trusted = full.effective_sample_size >= settings.min_effective_sample_size
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
        trusted=trusted,
        emulator_check=check,
    )
    return CalibratedBook(
        provenance=provenance,
        parameters=_parameters(cases, settings, full, trusted=trusted),
        folds=tuple(fold_list),
    )


def write_calibrated(book: CalibratedBook, path: Path) -> None:
    """Write ``book`` to ``path`` whole or not at all (an interrupted fit leaves the
    committed result as it was)."""
    import yaml

    header = (
        "# Written by `midcorridor fit` from network/fit.yaml and network/observations.yaml:\n"
        "# do not edit. Every scenario applies each parameter's posterior median; the ones\n"
        "# marked calibrated rest on the observations, the others stay assumptions; see\n"
        "# docs/calibration.md.\n"
    )
    text = yaml.safe_dump(book.model_dump(mode="json"), sort_keys=False, width=100)
    with atomic_write(path) as handle:
        handle.write(header + text)
