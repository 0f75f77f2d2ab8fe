"""The brief's answer first: days by shipment class and departure month, and which
shipments take about 50 days, and why.

:func:`headline` runs one origin-destination pair on the Middle Corridor and via Russia,
for a block train and a single container, departing in each month of the year, and keeps
each trip's P10 / P50 / P90 days and the days by stage. :class:`Headline` says which of
them take the brief's "about 50 days" (P50 at least :data:`FIFTY_DAYS_FROM`), when, and
where those days go.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..inputs.scenario import RouteSpec, Scenario, load_scenario
from ..model.trip import TripResult
from ..network.network import Network
from ..network.read import load
from ..vocabulary import MONTH_NAMES, PAPERWORK_STAGES, STAGE_WORDS, Shipment

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FIFTY_DAYS_FROM", "SAMPLES", "Headline", "HeadlineCell", "headline", "headline_in"]

#: Monte Carlo samples of each cell (class, corridor, departure month) by default.
SAMPLES = 3000

#: A P50 from which a trip counts as taking "about 50 days" (the brief's 50, less 10%).
FIFTY_DAYS_FROM = 45.0
#: The classes the headline compares.
HEADLINE_SHIPMENTS: tuple[Shipment, ...] = ("block_train", "container")
#: The corridors the headline compares.
HEADLINE_CORRIDORS = ("middle", "northern")


@dataclass(frozen=True)
class HeadlineCell:
    """One trip departing in one month: days P10 / P50 / P90 and mean days by stage; for a
    class with a delay that happens to a share of its trips (``shipments.yaml``: a
    ``probability_source``, the single container's backlog at the Caspian port), that
    share and the P50 days of the trips it happens to and of the others."""

    corridor: str
    shipment: str
    month: int
    p10_days: float
    p50_days: float
    p90_days: float
    stages_days: Mapping[str, float]
    saturated: bool
    days_by_basis: Mapping[str, float]
    held_share: float = 0.0
    held_p50_days: float | None = None
    not_held_p50_days: float | None = None

    @property
    def assumed_share(self) -> float:
        """Share of the mean days resting on assumptions."""
        total = sum(self.days_by_basis.values())
        return self.days_by_basis.get("assumption", 0.0) / total if total > 0 else 0.0


@dataclass(frozen=True)
class Headline:
    """Days by class and departure month on the Middle Corridor and via Russia."""

    scenario: str
    origin: str
    destination: str
    cells: tuple[HeadlineCell, ...]

    def cell(self, corridor: str, shipment: str, month: int) -> HeadlineCell:
        """The trip of ``corridor`` and ``shipment`` departing in ``month``."""
        return next(
            c
            for c in self.cells
            if (c.corridor, c.shipment, c.month) == (corridor, shipment, month)
        )

    def fifty_day_months(self, shipment: str, corridor: str = "middle") -> list[int]:
        """Departure months whose P50 is at least :data:`FIFTY_DAYS_FROM` days."""
        return [
            c.month
            for c in self.cells
            if c.corridor == corridor and c.shipment == shipment and c.p50_days >= FIFTY_DAYS_FROM
        ]

    def slowest(self, shipment: str, corridor: str = "middle") -> HeadlineCell:
        """The departure month with the longest P50."""
        cells = [c for c in self.cells if c.corridor == corridor and c.shipment == shipment]
        return max(cells, key=lambda c: c.p50_days)

    def fastest(self, shipment: str, corridor: str = "middle") -> HeadlineCell:
        """The departure month with the shortest P50."""
        cells = [c for c in self.cells if c.corridor == corridor and c.shipment == shipment]
        return min(cells, key=lambda c: c.p50_days)

    def sentences(self) -> list[str]:
        """The answer in plain words: who takes about 50 days, when, and where they go."""
        out = []
        for shipment in HEADLINE_SHIPMENTS:
            what = shipment.replace("_", " ")
            slow, fast = self.slowest(shipment), self.fastest(shipment)
            russia = self.cell("northern", shipment, slow.month)
            months = self.fifty_day_months(shipment)
            head = (
                f"A {what} {self.origin}-{self.destination} on the Middle Corridor takes "
                f"{fast.p50_days:.0f} to {slow.p50_days:.0f} days (P50) by departure month, "
                f"{slow.p50_days / russia.p50_days:.1f} times the "
                f"{russia.p50_days:.0f} via Russia in {MONTH_NAMES[slow.month - 1]}"
            )
            if months:
                spans = (
                    "whichever month it leaves"
                    if len(months) == len(MONTH_NAMES)
                    else "when it leaves in " + ", ".join(MONTH_NAMES[m - 1] for m in months)
                )
                stages = sorted(slow.stages_days.items(), key=lambda kv: -kv[1])
                paper = sum(slow.stages_days.get(s, 0.0) for s in PAPERWORK_STAGES)
                top = ", ".join(
                    f"{STAGE_WORDS.get(s, s)} {d:.0f}" for s, d in stages[:4] if d >= 0.5
                )
                head += f": about 50 days or more {spans}."
                if slow.held_p50_days is not None and slow.not_held_p50_days is not None:
                    head += (
                        f" {slow.held_share:.0%} of them are held weeks for vessel space at "
                        f"the Kazakh Caspian port ({slow.held_p50_days:.0f} days, P50); the "
                        f"others take {slow.not_held_p50_days:.0f}."
                    )
                head += (
                    f" In {MONTH_NAMES[slow.month - 1]} its days go to {top}; customs "
                    f"(documents and inspection) holds {paper:.1f}. Of those days "
                    f"{1 - slow.assumed_share:.0%} rest on published, derived or calibrated "
                    f"figures, {slow.assumed_share:.0%} on assumptions."
                )
            else:
                head += f": never 50 days (at most {slow.p50_days:.0f})."
            out.append(head)
        return out

    def changes_from(self, reference: Headline) -> list[str]:
        """What this scenario changes against ``reference``, in plain words: per class, the
        Middle Corridor's P50 in the reference's slowest month and the months of about 50
        days, before and after, with the share of the new days resting on assumptions."""
        out = []
        for shipment in HEADLINE_SHIPMENTS:
            what = shipment.replace("_", " ")
            before = reference.slowest(shipment)
            after = self.cell("middle", shipment, before.month)
            month = MONTH_NAMES[before.month - 1]
            was = [MONTH_NAMES[m - 1] for m in reference.fifty_day_months(shipment)]
            now = [MONTH_NAMES[m - 1] for m in self.fifty_day_months(shipment)]
            fifty = f"about 50 days or more in {', '.join(now) or 'no month'}" + (
                f" (was {', '.join(was) or 'none'})" if now != was else " (as before)"
            )
            out.append(
                f"With {self.scenario}, a {what} on the Middle Corridor leaving in {month} takes "
                f"{after.p50_days:.1f} days (P50) instead of {before.p50_days:.1f} "
                f"({after.p50_days - before.p50_days:+.1f}); {fifty}. "
                f"{after.assumed_share:.0%} of its days rest on assumptions."
            )
        return out

    def frame(self) -> pd.DataFrame:
        """One row per corridor, class and departure month."""
        import pandas as pd

        return pd.DataFrame(
            [
                {k: v for k, v in vars(c).items() if k != "stages_days"}
                | {"scenario": self.scenario}
                for c in self.cells
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON of the headline."""
        return {
            "scenario": self.scenario,
            "origin": self.origin,
            "destination": self.destination,
            "fifty_days_from": FIFTY_DAYS_FROM,
            "answer": self.sentences(),
            "cells": [
                {
                    **vars(c),
                    "stages_days": dict(c.stages_days),
                    "days_by_basis": dict(c.days_by_basis),
                }
                for c in self.cells
            ],
        }

    def __repr__(self) -> str:
        return (
            f"Headline({self.scenario!r}, {self.origin}-{self.destination}, "
            f"{len(self.cells)} trips)"
        )


def headline(
    scenario: Scenario,
    network: Network,
    *,
    origin: str = "Almaty",
    destination: str = "Constanta",
    samples: int = SAMPLES,
) -> Headline:
    """Days from ``origin`` to ``destination`` by class and departure month on the Middle
    Corridor and via Russia, in ``scenario``'s conditions (its routes are replaced)."""
    from ..runs.runner import run_scenario
    from .evidence import trip_evidence

    specs = [
        RouteSpec(
            origin=origin,
            destination=destination,
            corridor=corridor,
            shipment=shipment,
            label=f"{corridor} {shipment}",
        )
        for corridor in HEADLINE_CORRIDORS
        for shipment in HEADLINE_SHIPMENTS
    ]
    cells = []
    for month in range(1, 13):
        run = run_scenario(
            scenario.derive(routes=specs, departure_month=month), network, samples=samples
        )
        for spec, trip in zip(specs, run.trips, strict=True):
            days = trip.days()
            cells.append(
                HeadlineCell(
                    corridor=spec.corridor,
                    shipment=spec.shipment,
                    month=month,
                    p10_days=days["p10"],
                    p50_days=days["p50"],
                    p90_days=days["p90"],
                    stages_days=trip.stages_days(),
                    saturated=trip.saturated,
                    days_by_basis=trip_evidence(trip, network, scenario.era).days_by_basis,
                    **_held(trip),
                )
            )
    return Headline(scenario.name, origin, destination, tuple(cells))


def _held(trip: TripResult) -> dict[str, Any]:
    """The share of ``trip``'s samples held by a delay that happens to a share of trips
    (``probability_source``), and the P50 days of those held and of the others."""
    cols = [j for j, c in enumerate(trip.components) if c.probability_source is not None]
    if not cols:
        return {}
    held = trip.hours[:, cols].sum(axis=1) > 0
    days = trip.kept_total_days
    return {
        "held_share": float(held.mean()),
        "held_p50_days": float(np.median(days[held])) if held.any() else None,
        "not_held_p50_days": float(np.median(days[~held])) if not held.all() else None,
    }


def headline_in(network_dir: Path | None, scenario_file: Path, samples: int = SAMPLES) -> Headline:
    """:func:`headline` (Almaty-Constanta) in the conditions of ``scenario_file``, on the
    network in ``network_dir`` (default: network/ of this checkout), loaded here: what a
    second process runs (see ``midcorridor._background``)."""
    return headline(load_scenario(scenario_file), load(network_dir), samples=samples)
