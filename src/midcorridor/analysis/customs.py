"""Customs in the units customs services measure, and the savings of digital instruments.

:func:`customs_report` reads a run the way a WCO Time Release Study and ADB CAREC's CPMM
report a border: per office and direction, the hours of each step of the chain (mean, P50,
P90) and the hours to clear the crossing (every delay at the node: the chain, transloading
and gauge change, port handling, queues), beside the published CPMM or TRS figure for that
crossing where ``observations.yaml`` has one; and per country section of each trip, the
CPMM speeds without delay (moving hours only) and with delay (every hour).

:func:`border_checks` sets every published time to clear an office beside the model's, each
on the observation's own trip. What instruments save is :mod:`.savings`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import NetworkError
from ..model.customs import crossing
from ..network.network import Network
from ..vocabulary import (
    BORDER_CHECK_SAMPLES,
    HOURS_PER_DAY,
    MOVING_STAGES,
    STEP_DOCUMENTS,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..inputs.scenario import Scenario
    from ..model.trip import TripResult
    from ..runs.runner import ScenarioRun

__all__ = [
    "BorderCheck",
    "Crossing",
    "CustomsReport",
    "Published",
    "Section",
    "StepHours",
    "border_checks",
    "customs_report",
]


@dataclass(frozen=True)
class StepHours:
    """One step of a chain at an office: hours over every sample (zero where it did not
    happen), the share of consignments it happens to, the documents it reads, and its
    source key."""

    step: str
    documents: tuple[str, ...]
    mean_hours: float
    p50_hours: float
    p90_hours: float
    probability: float
    source: str
    basis: str


@dataclass(frozen=True)
class Published:
    """A published time to clear this crossing (``observations.yaml``), in hours."""

    id: str
    figure: str
    low_hours: float
    high_hours: float
    year: int
    shipment: str
    publisher: str
    url: str


@dataclass(frozen=True)
class Crossing:
    """An office on a trip, in the trip's direction.

    ``clear_*_hours``: the hours to clear the crossing (CPMM TFI1): every delay at the
    node, customs and the rest (gauge change, port handling, queues).
    """

    node: str
    name: str
    left: str | None
    entered: str
    direction: str
    shipment: str
    trip: str
    steps: tuple[StepHours, ...]
    clear_mean_hours: float
    clear_p50_hours: float
    clear_p90_hours: float
    published: tuple[Published, ...] = ()

    @property
    def customs_mean_hours(self) -> float:
        """Mean hours of the customs chain alone."""
        return sum(s.mean_hours for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        """JSON of the crossing."""
        return {
            "node": self.node,
            "name": self.name,
            "left": self.left,
            "entered": self.entered,
            "direction": self.direction,
            "shipment": self.shipment,
            "trip": self.trip,
            "steps": [vars(s) for s in self.steps],
            "customs_mean_hours": self.customs_mean_hours,
            "clear_mean_hours": self.clear_mean_hours,
            "clear_p50_hours": self.clear_p50_hours,
            "clear_p90_hours": self.clear_p90_hours,
            "published": [_finite(vars(p)) for p in self.published],
        }


@dataclass(frozen=True)
class Section:
    """A trip's stretch in one country: CPMM speeds, km/h.

    ``swod``: speed without delay (km over moving hours); ``swd``: speed with delay (km
    over moving hours and the hours standing at its nodes)."""

    trip: str
    shipment: str
    country: str
    km: float
    moving_hours: float
    standing_hours: float

    @property
    def swod_km_per_hour(self) -> float:
        """Speed without delay."""
        return self.km / self.moving_hours if self.moving_hours > 0 else float("nan")

    @property
    def swd_km_per_hour(self) -> float:
        """Speed with delay."""
        total = self.moving_hours + self.standing_hours
        return self.km / total if total > 0 else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """JSON of the section."""
        return {
            **vars(self),
            "swod_km_per_hour": self.swod_km_per_hour,
            "swd_km_per_hour": self.swd_km_per_hour,
        }


@dataclass(frozen=True)
class CustomsReport:
    """A run's borders in TRS and CPMM terms (:func:`customs_report`)."""

    scenario: str
    crossings: tuple[Crossing, ...]
    sections: tuple[Section, ...]

    def frame(self) -> pd.DataFrame:
        """One row per step of every crossing, tidy."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "scenario": self.scenario,
                    "node": c.node,
                    "direction": f"{c.left or '-'}>{c.entered}",
                    "shipment": c.shipment,
                    **vars(s),
                }
                for c in self.crossings
                for s in c.steps
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON of the report."""
        return {
            "scenario": self.scenario,
            "crossings": [c.to_dict() for c in self.crossings],
            "sections": [s.to_dict() for s in self.sections],
        }

    def __repr__(self) -> str:
        return (
            f"CustomsReport({self.scenario!r}, {len(self.crossings)} crossings, "
            f"{len(self.sections)} sections)"
        )


def _finite(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` for JSON: an infinite upper end (an "at least" figure) as None."""
    return {k: None if isinstance(v, float) and math.isinf(v) else v for k, v in values.items()}


def _direction(network: Network, trip: TripResult) -> str:
    nodes = network.nodes_by_id
    west = nodes[trip.route.nodes[-1]].lon < nodes[trip.route.nodes[0]].lon
    return "westbound" if west else "eastbound"


def _published(network: Network, node: str, direction: str) -> tuple[Published, ...]:
    """Published times to clear the crossing at ``node`` in ``direction``."""
    if network.observations is None:
        return ()
    out = []
    for obs in network.observations.observations:
        if obs.timed != "border_crossing" or obs.at is None or obs.direction != direction:
            continue
        if network.find_node(obs.at) != node:
            continue
        low, high = obs.scored_range_days
        out.append(
            Published(
                obs.id,
                obs.figure,
                low * HOURS_PER_DAY,
                high * HOURS_PER_DAY,
                obs.year,
                obs.route.shipment,
                obs.source.publisher,
                obs.source.url,
            )
        )
    return tuple(out)


def _crossings(network: Network, trip: TripResult) -> list[Crossing]:
    book = network.customs
    if book is None:
        return []
    direction = _direction(network, trip)
    out = []
    for i, node in enumerate(trip.route.nodes):
        at = [j for j, c in enumerate(trip.components) if c.node == node and c.link is None]
        chain = [j for j in at if trip.components[j].step is not None]
        if not chain:
            continue
        hours = trip.hours[:, chain]
        p50, p90 = np.percentile(hours, [50, 90], axis=0)
        steps = tuple(
            StepHours(
                step=str(trip.components[j].step),
                documents=STEP_DOCUMENTS[trip.components[j].step],  # type: ignore[index]
                mean_hours=float(trip.mean_hours[j]),
                p50_hours=float(p50[k]),
                p90_hours=float(p90[k]),
                probability=trip.components[j].probability,
                source=trip.components[j].source,
                basis=network.basis(trip.components[j].source),
            )
            for k, j in enumerate(chain)
        )
        clear = trip.hours[:, at].sum(axis=1)
        left, entered = crossing(network, trip.route, i)
        out.append(
            Crossing(
                node=node,
                name=network.nodes_by_id[node].props.name,
                left=left,
                entered=entered,
                direction=direction,
                shipment=trip.shipment,
                trip=trip.label,
                steps=steps,
                clear_mean_hours=float(trip.mean_hours[at].sum()),
                clear_p50_hours=float(np.percentile(clear, 50)),
                clear_p90_hours=float(np.percentile(clear, 90)),
                published=_published(network, node, direction),
            )
        )
    return out


def _sections(network: Network, trip: TripResult) -> list[Section]:
    """The trip's stretches in one country, in travel order."""
    entered = {node: crossing(network, trip.route, i)[1] for i, node in enumerate(trip.route.nodes)}
    km: dict[str, float] = {}
    moving: dict[str, float] = {}
    standing: dict[str, float] = {}
    for comp, mean in zip(trip.components, trip.mean_hours, strict=True):
        if comp.stage in MOVING_STAGES and comp.link is not None:
            countries = network.link_countries(comp.link)
            if len(countries) != 1:
                continue  # a sea crossing between countries belongs to no section
            (country,) = countries
            km[country] = km.get(country, 0.0) + network.links_by_id[comp.link].props.length_km
            moving[country] = moving.get(country, 0.0) + float(mean)
        elif comp.stage not in MOVING_STAGES:
            country = comp.customs_country or entered[comp.node]
            standing[country] = standing.get(country, 0.0) + float(mean)
    return [
        Section(trip.label, trip.shipment, c, km[c], moving[c], standing.get(c, 0.0)) for c in km
    ]


def customs_report(run: ScenarioRun, network: Network) -> CustomsReport:
    """Every office on the run's trips as a TRS chain and a CPMM crossing, and each trip's
    country sections with CPMM speeds (see the module).

    Raises
    ------
    NetworkError
        If the network has no ``customs.yaml``.
    """
    if network.customs is None:
        raise NetworkError(f"The network in {network.path} has no customs.yaml: no offices.")
    crossings: list[Crossing] = []
    seen: set[tuple[str, str | None, str, str]] = set()
    sections: list[Section] = []
    for trip in run.trips:
        for c in _crossings(network, trip):
            key = (c.node, c.left, c.entered, c.shipment)
            if key not in seen:
                seen.add(key)
                crossings.append(c)
        sections.extend(_sections(network, trip))
    return CustomsReport(run.scenario.name, tuple(crossings), tuple(sections))


@dataclass(frozen=True)
class BorderCheck:
    """A published time to clear a crossing against the model's, on the observation's own
    trip (its class, direction and route), in hours."""

    published: Published
    node: str
    direction: str
    mean_hours: float
    p10_hours: float
    p50_hours: float
    p90_hours: float

    @property
    def covered(self) -> bool:
        """Whether the model's P10-P90 overlaps the published range."""
        return (
            self.p10_hours <= self.published.high_hours
            and self.p90_hours >= self.published.low_hours
        )

    @property
    def gap_hours(self) -> float:
        """The model's P50 less the nearest end of the published range (0 inside it)."""
        low, high = self.published.low_hours, self.published.high_hours
        return min(0.0, self.p50_hours - low) + max(0.0, self.p50_hours - high)

    def to_dict(self) -> dict[str, Any]:
        """JSON of the check."""
        out = {k: v for k, v in vars(self).items() if k != "published"}
        return {
            **out,
            "published": _finite(vars(self.published)),
            "covered": self.covered,
            "gap_hours": self.gap_hours,
        }


def border_checks(
    scenario: Scenario, network: Network, *, samples: int = BORDER_CHECK_SAMPLES
) -> tuple[BorderCheck, ...]:
    """Every observed time to clear a customs office (``observations.yaml``,
    ``timed: border_crossing``) against the model's on ``scenario``, each on the trip the
    observation names, departing over the year."""
    from .scores import observed_days, run_observations

    if network.observations is None or network.customs is None:
        return ()
    group = [
        o
        for o in network.observations.observations
        if o.kind == "observed"
        and o.timed == "border_crossing"
        and o.at is not None
        and network.find_node(o.at) in network.customs.offices
    ]
    if not group:
        return ()

    def read(obs: Any, trip: TripResult) -> np.ndarray:
        return observed_days(obs, trip, network) * HOURS_PER_DAY

    hours = run_observations(network, scenario, group, [None], samples, read)
    out = []
    for obs in group:
        node = network.find_node(obs.at or "")
        (published,) = (p for p in _published(network, node, obs.direction) if p.id == obs.id)
        (h,), _ = hours[obs.id]
        p10, p50, p90 = np.percentile(h, [10, 50, 90])
        out.append(
            BorderCheck(
                published, node, obs.direction, float(h.mean()), float(p10), float(p50), float(p90)
            )
        )
    return tuple(out)
