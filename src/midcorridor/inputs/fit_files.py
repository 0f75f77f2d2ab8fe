"""Models of the calibration's files: ``network/fit.yaml`` (what to fit, the priors and the
settings of the ABC-SMC run) and ``network/calibrated.yaml`` (the result, written by
``midcorridor fit``, with its provenance). See docs/calibration.md.
"""

from __future__ import annotations

import math

from pydantic import Field, model_validator

from ._models import Strict

__all__ = [
    "CalibratedBook",
    "CalibratedParameter",
    "FitParameter",
    "FitSettings",
    "Fold",
    "Provenance",
]


class FitParameter(Strict):
    """An assumed figure to learn: the factor on the hours of every delay whose figure
    rests on source key ``key``, with a log-uniform prior from ``low`` to ``high``."""

    key: str = Field(min_length=1)
    low: float = Field(gt=0, le=1)
    high: float = Field(ge=1, le=20)
    why: str = Field(min_length=1)

    @property
    def log_width(self) -> float:
        """Width of the prior, natural log of the factor."""
        return math.log(self.high) - math.log(self.low)


class FitSettings(Strict):
    """``fit.yaml``: the parameters and how the fit runs.

    Attributes
    ----------
    parameters
        The assumed figures to learn (the ones ``evidence`` ranks highest).
    seed
        Seed of the simulations and of the ABC-SMC run.
    samples_per_month
        Monte Carlo samples per departure month of each observation, for the emulator.
    population
        Particles per ABC-SMC generation.
    generations
        ABC-SMC generations.
    transition_scaling
        Factor on the bandwidth of the ABC-SMC proposal (pyabc's
        ``MultivariateNormalTransition``): above 1 keeps the importance weights from
        collapsing onto a few particles.
    min_effective_sample_size
        Below this effective sample size the posterior is too thin to trust: no parameter
        is graded ``calibrated``.
    narrowing
        A parameter is ``calibrated`` when its posterior P5-P95 (log scale) is at most this
        share of the prior's; wider, the data cannot inform it and it stays an assumption.
    largest_miss
        A case missed by more than this factor (its P50 above ``largest_miss`` times the
        published high, or below the low over it; the same for its P10-P90) counts in the
        distance as missed by this factor: a case no factor can mend does not pull the fit.
    """

    parameters: tuple[FitParameter, ...] = Field(min_length=1)
    seed: int = Field(ge=0, lt=2**32)
    samples_per_month: int = Field(ge=100, le=20_000)
    population: int = Field(ge=20, le=5_000)
    generations: int = Field(ge=1, le=30)
    transition_scaling: float = Field(gt=0, le=10)
    min_effective_sample_size: float = Field(ge=1)
    narrowing: float = Field(gt=0, lt=1)
    largest_miss: float = Field(gt=1, le=10)

    @model_validator(mode="after")
    def _unique(self) -> FitSettings:
        keys = [p.key for p in self.parameters]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"parameters name {', '.join(twice)} more than once")
        return self


class CalibratedParameter(Strict):
    """One parameter after the fit: the prior, the posterior (median, P5, P95 of the
    factor), how much narrower the posterior is than the prior, and the observations whose
    timed days it makes up."""

    key: str
    prior_low: float
    prior_high: float
    median: float = Field(gt=0)
    p5: float = Field(gt=0)
    p95: float = Field(gt=0)
    narrowing: float = Field(ge=0)
    calibrated: bool
    observations: tuple[str, ...] = ()


class Fold(Strict):
    """A fit without one source's observations: the factors (posterior medians) its
    held-out observations are scored with."""

    source: str
    held_out: tuple[str, ...] = Field(min_length=1)
    factors: dict[str, float]


class Provenance(Strict):
    """What the fit rests on and how to reproduce it."""

    command: str
    observations: tuple[str, ...]
    observations_sha256: str
    settings_sha256: str
    seed: int
    pyabc: str
    midcorridor: str
    distance: str
    evaluations: int
    effective_sample_size: float
    #: Whether the effective sample size reached fit.yaml's minimum: a fit whose weights
    #: collapsed onto a few particles grades nothing and applies nothing.
    trusted: bool
    emulator_check: str


class CalibratedBook(Strict):
    """``calibrated.yaml``: the fit's result."""

    provenance: Provenance
    parameters: tuple[CalibratedParameter, ...]
    folds: tuple[Fold, ...] = ()

    def factors(self) -> dict[str, float]:
        """The factor every scenario applies to each parameter's figures: its posterior
        median, the fit's best estimate, whether or not the data narrowed it (``graded``
        says which did); none from a fit that is not ``trusted``."""
        if not self.provenance.trusted:
            return {}
        return {p.key: p.median for p in self.parameters}

    def graded(self) -> frozenset[str]:
        """Keys of the parameters the data informs (posterior clearly narrower than the
        prior): their figures rest on the observations, graded ``calibrated``; none from a
        fit that is not ``trusted``."""
        if not self.provenance.trusted:
            return frozenset()
        return frozenset(p.key for p in self.parameters if p.calibrated)

    def parameter(self, key: str) -> CalibratedParameter | None:
        """The fit's parameter of source ``key``, if it is one."""
        return next((p for p in self.parameters if p.key == key), None)

    def fold_of(self, observation: str) -> Fold | None:
        """The fold that held ``observation`` out, if any."""
        return next((f for f in self.folds if observation in f.held_out), None)
