"""Delays: what a trip's hours are made of, and the rules that draw and change them.

A *component* is one delay of a trip at one place, belonging to one stage: rail moving time
on a link, documents at a border, the wait for a ferry... Its hours follow a :class:`Dist`
(a scaled beta: PERT for three-point estimates, uniform for waits for a departure), or
are resampled from simulated queue waits. A scenario changes a delay by an
:class:`Adjustment`. :func:`sample_pert` is the one PERT sampler of the package and
:func:`adjust_in_place` the one adjustment rule; :class:`Volume` is the one place a
monthly volume becomes a mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..inputs.bounds import Range
from ..inputs.network_files import NodeProps
from ..vocabulary import DAYS_IN_MONTH, CustomsStep, LinkMode, NodeKind, Stage, pert_shape
from .timetable import DepartureLoads, Timetable

__all__ = [
    "Adjustment",
    "Component",
    "Dist",
    "Volume",
    "adjust_in_place",
    "pert",
    "sample_estimate",
    "sample_pert",
]


@dataclass(frozen=True)
class Dist:
    """A beta distribution scaled to ``[low, high]``; ``inverse`` gives ``inverse / X``."""

    low: float
    high: float
    alpha: float = 1.0
    beta: float = 1.0
    inverse: float | None = None

    @property
    def mean(self) -> float:
        """Mean of the (possibly inverted) value; ``inverse / mean(X)`` for inverted ones."""
        x = self.low + (self.high - self.low) * self.alpha / (self.alpha + self.beta)
        return self.inverse / x if self.inverse is not None else x


def pert(r: Range, *, inverse: float | None = None) -> Dist:
    """PERT distribution of a ``{low, mode, high}`` estimate (:func:`~.vocabulary.pert_shape`)."""
    alpha, beta = pert_shape(r.low, r.mode, r.high)
    return Dist(r.low, r.high, alpha=alpha, beta=beta, inverse=inverse)


@dataclass(frozen=True, eq=False)
class Component:
    """One delay of a trip: a stage at a place, in hours.

    Attributes
    ----------
    stage
        One of :data:`midcorridor.vocabulary.STAGES`.
    node
        Node id where the container waits or is handled; for rail and sea, the node the
        link leaves from.
    link
        Link id for moving, ferry waits and weather; None for node processes.
    dist
        Hours (or, for rail, speed in km/day turned into hours by ``inverse``).
    probability
        Share of containers this happens to.
    source
        Source key of the figure.
    empirical
        If set, hours are resampled from these values (e.g. simulated queue waits)
        instead of drawn from ``dist``.
    empirical_group
        Components with the same group resample the same rows of their ``empirical``
        arrays (a simulated train's ferry wait goes with its own storm delay).
    probability_by_month
        If set, the probability in each departure month (January first); each sample
        departs in a month drawn uniformly, and ``probability`` is their mean.
    utilisation
        Load over capacity of the simulated queue this component comes from, if any.
    warning
        Set when the figure is not to be trusted as is (a saturated queue).
    timetable
        For the wait for a timetabled departure: its departures; the wait is then set
        by the clock (:mod:`midcorridor.model.journeys`), ``dist`` being its year-round
        distribution (uniform up to the headway) for route choice.
    loads
        Room left by class at each timetabled departure, when the departures are full.
    empirical_by_month
        Simulated waits by calendar month (January first), when the volume varies over
        the year: drawn from the month the container gets there.
    step
        For a customs delay, its step in the office's chain (``network/customs.yaml``).
    customs_country
        For a customs delay, the country whose customs the trip enters at the office.
    pace_log_sd, pace_source
        For a rail running time: the log-sd of the factor every running hour of the trip
        shares (its shipment class's ``pace``; 0: none), and its source key.
    probability_source
        Source key of ``probability``, when it is not ``source`` (a shipment class's
        process: ``shipments.yaml``); a change of it scales the probability.
    """

    stage: Stage
    node: str
    link: str | None
    dist: Dist
    probability: float
    source: str
    countries: tuple[str, ...]
    node_kind: NodeKind
    link_mode: LinkMode | None
    note: str = ""
    empirical: np.ndarray | None = field(default=None, repr=False)
    empirical_group: str | None = None
    probability_by_month: tuple[float, ...] | None = None
    utilisation: float | None = None
    warning: str = ""
    timetable: Timetable | None = None
    loads: DepartureLoads | None = field(default=None, repr=False)
    empirical_by_month: tuple[np.ndarray, ...] | None = field(default=None, repr=False)
    step: CustomsStep | None = None
    customs_country: str | None = None
    pace_log_sd: float = 0.0
    pace_source: str | None = None
    probability_source: str | None = None

    @classmethod
    def at_node(
        cls,
        node: NodeProps,
        stage: Stage,
        dist: Dist,
        source: str,
        *,
        probability: float = 1.0,
        note: str = "",
        **fields: Any,
    ) -> Component:
        """A delay standing at ``node`` (no link): its countries and kind are the node's;
        ``fields`` sets the rest (an empirical sample, a customs step...)."""
        return cls(
            stage=stage,
            node=node.id,
            link=None,
            dist=dist,
            probability=probability,
            source=source,
            countries=node.countries,
            node_kind=node.kind,
            link_mode=None,
            note=note,
            **fields,
        )

    @property
    def mean_hours(self) -> float:
        """Expected hours, counting the probability."""
        base = float(self.empirical.mean()) if self.empirical is not None else self.dist.mean
        return self.probability * base

    def selectable(self, corridor: str, shipment: str) -> dict[str, object]:
        """What a scenario's change may select this delay by, on a trip of ``corridor``
        carrying ``shipment`` (:mod:`.selection`)."""
        return {
            "stage": self.stage,
            "step": self.step,
            "customs_country": self.customs_country,
            "country": self.countries,
            "node": self.node,
            "node_kind": self.node_kind,
            "link": self.link,
            "link_mode": self.link_mode,
            "corridor": corridor,
            "shipment": shipment,
            # a running time rests on its speed's source and on its trip's pace, a
            # shipment's process on its hours' source and on its probability's
            "figure_source": tuple(
                k for k in (self.source, self.pace_source, self.probability_source) if k
            ),
        }


@dataclass(frozen=True)
class Adjustment:
    """A scenario's change to one component: ``set`` if given, else ``hours * scale + add``;
    for a rail running time, ``pace``, the factor on its trip's pace (its log-sd); for a
    delay with a ``probability_source``, ``probability``, the factor on its probability
    (at most 1 after it), folded into the delay when its trip is planned
    (:func:`~midcorridor.model.components.with_probability_factors`)."""

    scale: float = 1.0
    add: float = 0.0
    set: float | None = None
    pace: float = 1.0
    probability: float = 1.0

    def then(self, other: Adjustment) -> Adjustment:
        """This adjustment followed by ``other``."""
        factors = {
            "pace": self.pace * other.pace,
            "probability": self.probability * other.probability,
        }
        if other.set is not None:
            return Adjustment(set=other.set, **factors)
        if self.set is not None:
            return Adjustment(set=max(0.0, self.set * other.scale + other.add), **factors)
        return Adjustment(
            scale=self.scale * other.scale, add=self.add * other.scale + other.add, **factors
        )

    def apply(self, hours: npt.ArrayLike) -> np.ndarray:
        """The adjusted hours of one delay (a number or an array of samples)."""
        adjusted = np.array(hours, dtype=np.float64)
        adjust_in_place(adjusted, self.scale, self.add, np.nan if self.set is None else self.set)
        return adjusted


@dataclass(frozen=True)
class Volume:
    """Cargo on a corridor, TEU a week: a mean over the year and its season, if any.

    The one place a monthly volume becomes a mean: months weighted by their days.
    """

    mean: float
    season: tuple[float, ...] | None = None

    @classmethod
    def of(cls, teu_per_week: float | Sequence[float]) -> Volume:
        """From one figure, or 12 monthly figures (January first)."""
        if isinstance(teu_per_week, int | float):
            return cls(float(teu_per_week))
        values = np.asarray(teu_per_week, dtype=np.float64)
        if values.shape != (12,):
            raise ValueError(f"a monthly volume needs 12 values, got {values.size}")
        if np.all(values == values[0]):
            return cls(float(values[0]))
        mean = float(np.average(values, weights=DAYS_IN_MONTH))
        if mean <= 0:
            return cls(0.0)
        return cls(mean, tuple(float(v) for v in values / mean))

    def by_month(self) -> tuple[float, ...]:
        """TEU a week in each calendar month."""
        return tuple(self.mean * f for f in (self.season or (1.0,) * 12))


def sample_pert(
    low: float | np.ndarray,
    high: float | np.ndarray,
    alpha: float | np.ndarray,
    beta: float | np.ndarray,
    rng: np.random.Generator,
    size: int | tuple[int, ...],
) -> np.ndarray:
    """Draws of ``low + (high - low) * Beta(alpha, beta)``: PERT draws of estimates.

    The one PERT sampler: the time model draws its delays, the queue engine its storm
    holds and the cost model its figures with it. Arguments broadcast as numpy's
    ``Generator.beta`` does (one estimate, or one per column of ``size``).
    """
    draws = rng.beta(alpha, beta, size=size)
    draws *= np.subtract(high, low)
    draws += low
    return draws


def sample_estimate(
    estimate: Range, rng: np.random.Generator, size: int | tuple[int, ...]
) -> np.ndarray:
    """``size`` PERT draws of a ``{low, mode, high}`` estimate; a constant is not drawn."""
    if estimate.high <= estimate.low:
        return np.full(size, float(estimate.low))
    alpha, beta = pert_shape(estimate.low, estimate.mode, estimate.high)
    return sample_pert(estimate.low, estimate.high, alpha, beta, rng, size)


def adjust_in_place(
    hours: np.ndarray, scale: npt.ArrayLike, add: npt.ArrayLike, set_hours: npt.ArrayLike
) -> None:
    """The adjustment rule, in place: ``set_hours`` where it is not NaN, else
    ``hours * scale + add`` floored at zero.

    ``scale``, ``add`` and ``set_hours`` broadcast against ``hours``: one figure for one
    delay's samples, or one per column of a ``(samples, components)`` matrix.
    """
    hours *= scale
    hours += add
    np.maximum(hours, 0.0, out=hours)
    override = np.asarray(set_hours, dtype=np.float64)
    given = ~np.isnan(override)
    if given.any():
        np.copyto(hours, override, where=given)
