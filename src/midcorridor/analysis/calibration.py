"""The model against published transit times: ``network/targets.yaml``'s time targets.

Targets are grouped by shipment class and era. The required ones are the official
2024-2025 block-train figures, checked on the baseline; single-container figures (the
brief's "about 50 days", forwarders' door-to-door times) and the 2022 figures (checked on
``scenarios/conditions_2022.yaml``) are reported with where the model lands and, when
missed, which stages lack evidence. No figure in ``network/`` is tuned to a target.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..inputs.scenario import RouteSpec, Scenario, load_scenario
from ..inputs.targets import ERAS, Era, TimeTarget
from ..model.trip import TripResult
from ..network.network import Network
from ..runs.runner import run_scenario
from ..vocabulary import SHIPMENTS
from .scores import door_legs_days

__all__ = [
    "ERA_SCENARIOS",
    "Calibration",
    "CalibrationRow",
    "calibrate",
    "era_conditions",
    "era_scenarios",
]

#: Scenario file (in ``scenarios/``) giving each era's conditions: ``2025`` targets are
#: checked on the baseline, ``2022`` targets on the 2022 scenario.
ERA_SCENARIOS: dict[Era, str] = {"2025": "baseline", "2022": "conditions_2022"}


@dataclass(frozen=True)
class CalibrationRow:
    """A target with the model's value (P50 days, or a ratio of P50s)."""

    target: TimeTarget
    value: float
    low: float
    high: float
    saturated: bool = False
    reference: str = ""

    @property
    def met(self) -> bool:
        """Whether the value lies in the target band (never for a lower bound)."""
        return not self.saturated and self.low <= self.value <= self.high

    @property
    def gap(self) -> float:
        """How far the value lies outside the band: below the low end (negative), above
        the high end (positive), 0 inside (days, or a ratio)."""
        return min(0.0, self.value - self.low) + max(0.0, self.value - self.high)

    def to_dict(self) -> dict[str, Any]:
        """JSON of the row."""
        t = self.target
        return {
            "target": t.name,
            "shipment": t.shipment,
            "era": t.era,
            "published": t.published,
            "low": self.low,
            "high": self.high,
            "unit": t.unit,
            "value": self.value,
            "met": self.met,
            "required": t.required,
            "source": t.source,
            "reference": self.reference,
            "saturated": self.saturated,
            "gap": self.gap,
            "evidence_gap": t.evidence_gap if not self.met else "",
        }


@dataclass(frozen=True)
class Calibration:
    """Every target checked (:func:`calibrate`)."""

    rows: tuple[CalibrationRow, ...]

    def __iter__(self) -> Iterator[CalibrationRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def required(self) -> int:
        """How many targets are required."""
        return sum(r.target.required for r in self.rows)

    @property
    def required_met(self) -> int:
        """How many required targets are met."""
        return sum(r.met for r in self.rows if r.target.required)

    @property
    def missed(self) -> tuple[CalibrationRow, ...]:
        """Required targets not met."""
        return tuple(r for r in self.rows if r.target.required and not r.met)

    @property
    def saturated(self) -> bool:
        """Whether any value is a lower bound."""
        return any(r.saturated for r in self.rows)

    def to_dict(self) -> list[dict[str, Any]]:
        """JSON: one object per target (``calibrate --json``)."""
        return [r.to_dict() for r in self.rows]


def era_scenarios(folder: Path) -> dict[str, Scenario]:
    """The scenario of each era other than 2025 found in ``folder`` (:data:`ERA_SCENARIOS`)."""
    out: dict[str, Scenario] = {}
    for era, name in ERA_SCENARIOS.items():
        path = folder / f"{name}.yaml"
        if era != "2025" and path.is_file():
            out[era] = load_scenario(path)
    return out


def era_conditions(baseline: Path) -> dict[str, Scenario]:
    """The scenario of every era: ``baseline`` for 2025, and the others found beside it
    (:func:`era_scenarios`)."""
    return {"2025": load_scenario(baseline), **era_scenarios(baseline.parent)}


def calibrate(
    network: Network,
    baseline: Scenario,
    targets: Sequence[TimeTarget] | None = None,
    *,
    samples: int | None = None,
    eras: Mapping[str, Scenario] | None = None,
) -> Calibration:
    """Run each era's conditions on its target routes and compare.

    Parameters
    ----------
    network
        The network.
    baseline
        The scenario giving today's conditions (month, volume, changes, closures): the
        ``2025`` targets are checked on it.
    targets
        Targets to check (default: every time target of ``network/targets.yaml``).
    samples
        Monte Carlo samples (default: each scenario's).
    eras
        Scenario of each other era (e.g. ``{"2022": conditions_2022}``); targets of an
        era without a scenario are left out.

    Returns
    -------
    Calibration
        One row per target checked, grouped by era and shipment class: the model's P50
        days (or ratio) and whether it is met. A value from a saturated trip is a lower
        bound and never counts as met.

    Raises
    ------
    NetworkError
        When the network has no ``targets.yaml``.
    """
    book = network.require_targets()
    targets = book.times if targets is None else targets
    scenarios: dict[str, Scenario] = {"2025": baseline, **(eras or {})}
    rows = []
    for era, conditions in scenarios.items():
        chosen = [t for t in targets if t.era == era]
        if not chosen:
            continue
        trips = _run_targets(network, conditions, chosen, samples)
        for target in chosen:
            trip = trips[target.route]
            value = _p50_days(trip, network, target)
            saturated = trip.saturated
            if target.versus is not None:
                versus = trips[target.versus]
                value /= versus.days()["p50"]
                saturated = saturated or versus.saturated
            low, high = book.band(target)
            reference = network.sources[target.source].reference()
            rows.append(CalibrationRow(target, value, low, high, saturated, reference))
    order = {era: i for i, era in enumerate(ERAS)}
    rows.sort(
        key=lambda r: (order.get(r.target.era, len(order)), SHIPMENTS.index(r.target.shipment))
    )
    return Calibration(tuple(rows))


def _p50_days(trip: TripResult, network: Network, target: TimeTarget) -> float:
    """The trip's P50 days, with the door legs where ``target`` was timed door to door."""
    if not target.door_to_door:
        return trip.days()["p50"]
    days = trip.total_days + door_legs_days(network, trip.samples, target.name)
    return float(np.percentile(days, 50))


def _run_targets(
    network: Network, conditions: Scenario, targets: list[TimeTarget], samples: int | None
) -> dict[RouteSpec, TripResult]:
    """The trip of every route (and ``versus`` route) of ``targets`` under ``conditions``."""
    specs = list(dict.fromkeys(s for t in targets for s in (t.route, t.versus) if s is not None))
    labelled = [s.model_copy(update={"label": f"target {i}"}) for i, s in enumerate(specs)]
    scenario = conditions.derive(routes=labelled)
    run = run_scenario(scenario, network, samples=samples)
    return dict(zip(specs, run.trips, strict=True))
