"""The result of sampling one trip: door-to-door days, and hours by delay and stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..network.routing import Route
from ..vocabulary import CUSTOMS_STEPS, HOURS_PER_DAY, MOVING_STAGES, STAGES, Shipment
from .delays import Component
from .journeys import ConnectionStats, stage_matrix

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TripResult"]


@dataclass(frozen=True, eq=False)
class TripResult:
    """Sampled transit times of one route.

    Whole-trip figures (:attr:`total_days`, :meth:`days`, :meth:`stages_days`, means in
    every frame) cover every sample drawn. Hours of each component are kept for the
    first :data:`KEEP_SAMPLES` samples only: those drawn first, a uniform random subset
    of the run since samples are independent. Figures that need a sample's components
    (:attr:`hours`, :attr:`stage_hours`, percentiles of components and stages) read
    the kept samples. A run of at most :data:`KEEP_SAMPLES` samples keeps them all.

    Attributes
    ----------
    route
        The path.
    components
        The delays, in travel order.
    hours
        Sampled hours of the kept samples, shape ``(kept_samples, len(components))``.
    label
        Name of the trip (e.g. "Almaty-Constanta middle").
    sample_days
        Door-to-door days of every sample drawn, shape ``(samples,)``, the kept samples
        first; None when every sample is kept (computed from ``hours``).
    hours_sum
        Sum over every sample drawn of each component's hours, shape
        ``(len(components),)``; None when every sample is kept.
    shipment
        What travels (a shipment class).
    connections
        How every sample met each timetabled departure on the trip, in travel order.

    Raises
    ------
    ValueError
        If ``sample_days`` or ``hours_sum`` does not fit ``hours``.
    """

    route: Route
    components: tuple[Component, ...]
    hours: np.ndarray
    label: str = ""
    sample_days: np.ndarray | None = field(default=None, repr=False)
    hours_sum: np.ndarray | None = field(default=None, repr=False)
    shipment: Shipment = "block_train"
    connections: Sequence[ConnectionStats] = ()

    def __post_init__(self) -> None:
        if self.hours.ndim != 2 or self.hours.shape[1] != len(self.components):
            raise ValueError(
                f"hours must have one column per component ({len(self.components)}), "
                f"got shape {self.hours.shape}"
            )
        if (self.sample_days is None) != (self.hours_sum is None):
            raise ValueError("sample_days and hours_sum come together (or neither)")
        if self.sample_days is not None and (
            self.sample_days.ndim != 1 or self.sample_days.size < self.hours.shape[0]
        ):
            raise ValueError(
                f"sample_days must be one-dimensional with at least the {self.hours.shape[0]} "
                f"kept samples, got shape {self.sample_days.shape}"
            )
        if self.hours_sum is not None and self.hours_sum.shape != (len(self.components),):
            raise ValueError(
                f"hours_sum must have one value per component ({len(self.components)}), "
                f"got shape {self.hours_sum.shape}"
            )

    def __repr__(self) -> str:
        p50 = float(np.percentile(self.total_days, 50))
        return (
            f"TripResult({self.label!r}, {self.shipment}, {self.route.corridor}, "
            f"{self.route.distance_km:,.0f} km, P50 {p50:.1f} days, {self.samples:,} samples)"
        )

    @property
    def samples(self) -> int:
        """Samples drawn."""
        if self.sample_days is None:
            return int(self.hours.shape[0])
        return int(self.sample_days.size)

    @property
    def kept_samples(self) -> int:
        """Samples whose component hours are kept (rows of :attr:`hours`)."""
        return int(self.hours.shape[0])

    @property
    def all_kept(self) -> bool:
        """Whether :attr:`hours` holds every sample drawn."""
        return self.kept_samples == self.samples

    @cached_property
    def total_days(self) -> np.ndarray:
        """Door-to-door days of every sample drawn, shape ``(samples,)``."""
        if self.sample_days is not None:
            return self.sample_days
        return self.hours.sum(axis=1) / HOURS_PER_DAY

    @property
    def kept_total_days(self) -> np.ndarray:
        """Door-to-door days of the kept samples, shape ``(kept_samples,)``.

        Row for row the totals of :attr:`hours`: for figures that set a sample's
        components against its total (e.g. the total less a group's days).
        """
        if self.all_kept:
            return self.total_days
        return self.total_days[: self.kept_samples]

    @cached_property
    def mean_hours(self) -> np.ndarray:
        """Mean hours of each component over every sample drawn, shape ``(len(components),)``."""
        if self.hours_sum is None or self.all_kept:
            return self.hours.mean(axis=0)
        return self.hours_sum / self.samples

    @cached_property
    def _stage_onehot(self) -> np.ndarray:
        """``(len(components), len(STAGES))``: 1 where a component belongs to a stage."""
        return stage_matrix(self.components)

    @cached_property
    def stage_hours(self) -> np.ndarray:
        """Hours per stage (columns in :data:`STAGES` order) of each kept sample.

        Shape ``(kept_samples, len(STAGES))``.
        """
        return self.hours @ self._stage_onehot

    @property
    def warnings(self) -> list[str]:
        """Warnings of the trip's components (e.g. a saturated crossing), each once."""
        return list(dict.fromkeys(c.warning for c in self.components if c.warning))

    @property
    def saturated(self) -> bool:
        """Whether the trip passes a saturated queue: its days are then lower bounds."""
        return any(c.warning for c in self.components)

    @property
    def lower_bound_stages(self) -> frozenset[str]:
        """Stages whose hours come from a saturated queue: their days are lower bounds."""
        return frozenset(c.stage for c in self.components if c.warning)

    def days(self) -> dict[str, float]:
        """Mean, P10, P50 and P90 of door-to-door days, over every sample drawn."""
        p10, p50, p90 = np.percentile(self.total_days, [10, 50, 90])
        return {
            "mean": float(self.total_days.mean()),
            "p10": float(p10),
            "p50": float(p50),
            "p90": float(p90),
        }

    def _stage_mean_days(self) -> np.ndarray:
        """Mean days per stage over every sample drawn, in :data:`STAGES` order."""
        if self.all_kept:
            return self.stage_hours.mean(axis=0) / HOURS_PER_DAY
        return self.mean_hours @ self._stage_onehot / HOURS_PER_DAY

    def stages_days(self) -> dict[str, float]:
        """Mean days per stage over every sample drawn, every stage listed (zero where none)."""
        means = self._stage_mean_days()
        return {stage: float(v) for stage, v in zip(STAGES, means, strict=True)}

    def steps_days(self) -> dict[str, float]:
        """Mean days per customs step (``network/customs.yaml``) over every sample drawn,
        every step listed (zero where none)."""
        out: dict[str, float] = dict.fromkeys(CUSTOMS_STEPS, 0.0)
        for comp, mean in zip(self.components, self.mean_hours, strict=True):
            if comp.step is not None:
                out[comp.step] += float(mean) / HOURS_PER_DAY
        return out

    def stages_frame(self) -> pd.DataFrame:
        """Days per stage: mean, P50, P90 and share of the mean total.

        Means and shares cover every sample drawn; P50 and P90 the kept samples.
        """
        import pandas as pd

        days = self.stage_hours / HOURS_PER_DAY
        mean = days.mean(axis=0) if self.all_kept else self._stage_mean_days()
        return pd.DataFrame(
            {
                "mean_days": mean,
                "p50_days": np.percentile(days, 50, axis=0),
                "p90_days": np.percentile(days, 90, axis=0),
                "share": mean / mean.sum(),
            },
            index=pd.Index(STAGES, name="stage"),
        )

    def components_frame(self) -> pd.DataFrame:
        """One row per component: place, stage, P50 / P90 / mean hours, source key.

        Mean hours cover every sample drawn (they add up to the mean door-to-door hours);
        P50 and P90 the kept samples.
        """
        import pandas as pd

        p50, p90 = np.percentile(self.hours, [50, 90], axis=0)
        return pd.DataFrame(
            {
                "node": [c.node for c in self.components],
                "link": [c.link for c in self.components],
                "stage": [c.stage for c in self.components],
                "probability": [c.probability for c in self.components],
                "mean_hours": self.mean_hours,
                "p50_hours": p50,
                "p90_hours": p90,
                "source": [c.source for c in self.components],
                "note": [c.note for c in self.components],
            }
        )

    def node_hours(self) -> dict[str, dict[str, float]]:
        """Mean hours spent at each node (not moving), by stage: ``{node: {stage: h}}``.

        Means over every sample drawn.
        """
        out: dict[str, dict[str, float]] = {}
        for comp, mean in zip(self.components, self.mean_hours, strict=True):
            if comp.stage in MOVING_STAGES:
                continue
            stages = out.setdefault(comp.node, {})
            stages[comp.stage] = stages.get(comp.stage, 0.0) + float(mean)
        return out
