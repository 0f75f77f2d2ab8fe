"""What each day of a trip rests on: published figures, derived ones, or assumptions.

Every delay of a trip carries the source key of its figure
(:class:`~midcorridor.model.delays.Component`; a shipment's delay whose share of trips
rests on a weaker figure than its hours rests on that one), and every key of
``sources.yaml`` its basis
(:class:`~midcorridor.inputs.network_files.SourceEntry`). :func:`evidence` adds up each
trip's mean days by basis and ranks the assumptions by how much of the spread of the
door-to-door days they explain (the variance shares of
:func:`midcorridor.analysis.bottlenecks.variance_shares`, from the same samples): the list
of what is worth measuring first, and lists the figures older than the scenario's era
(:meth:`~midcorridor.network.network.Network.stale_sources`: a 2022 crisis is a 2022
scenario's input, not the 2025 baseline's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..inputs.network_files import EVIDENCE_BASES
from ..model.delays import Component
from ..model.trip import TripResult
from ..network.network import Network
from ..results import AssumptionShare, Evidence, EvidenceRoute
from ..vocabulary import HOURS_PER_DAY
from .bottlenecks import variance_shares

if TYPE_CHECKING:
    from ..model.costs import TripCost
    from ..runs.runner import ScenarioRun

__all__ = ["evidence", "trip_evidence"]


def trip_evidence(
    trip: TripResult, network: Network, era: int, cost: TripCost | None = None
) -> EvidenceRoute:
    """Mean days of ``trip`` by basis, its assumptions ranked by variance share; with its
    ``cost``, its mean USD by the basis of each leg's price."""
    comps = trip.components
    keys = [_resting_key(c, network) for c in comps]
    figure_keys = [k for c in comps for k in (c.source, c.probability_source) if k is not None]
    usd_by_basis: dict[str, float] = {}
    cost_keys: list[str] = []
    if cost is not None:
        for leg, usd in zip(cost.legs, cost.leg_usd_mean, strict=True):
            b = network.basis(leg.usd_source)
            usd_by_basis[b] = usd_by_basis.get(b, 0.0) + float(usd)
        cost_keys = [k for leg in cost.legs for k in leg.sources]
    basis = [network.basis(k) for k in keys]
    mean_days = trip.mean_hours / HOURS_PER_DAY
    by_basis: dict[str, float] = {
        b: float(sum(d for d, cb in zip(mean_days, basis, strict=True) if cb == b))
        for b in EVIDENCE_BASES
    }
    assumed = list(dict.fromkeys(k for k, b in zip(keys, basis, strict=True) if b == "assumption"))
    weights = np.array([[float(k == key) for key in assumed] for k in keys]).reshape(
        len(keys), len(assumed)
    )
    shares = variance_shares(trip.hours @ weights / HOURS_PER_DAY, trip.kept_total_days)
    assumptions = sorted(
        (
            AssumptionShare(
                source=key,
                days_mean=float(mean_days @ weights[:, g]),
                variance_share=float(shares[g]),
                settle=network.sources[key].settle or "",
            )
            for g, key in enumerate(assumed)
        ),
        key=lambda a: (-a.variance_share, -a.days_mean),
    )
    return EvidenceRoute(
        label=trip.label,
        shipment=trip.shipment,
        days_mean=float(trip.total_days.mean()),
        days_by_basis=by_basis,
        assumptions=tuple(assumptions),
        stale=tuple(network.stale_sources(era, figure_keys + cost_keys)),
        saturated=trip.saturated,
        usd_by_basis=usd_by_basis,
    )


def _resting_key(comp: Component, network: Network) -> str:
    """The key a delay's days rest on: its figure's, or its probability's where that is
    weaker (:data:`EVIDENCE_BASES`, strongest first: the days are the hours times the
    share of trips they happen to)."""
    share = comp.probability_source
    rank = EVIDENCE_BASES.index
    if share is not None and rank(network.basis(share)) > rank(network.basis(comp.source)):
        return share
    return comp.source


def evidence(run: ScenarioRun, network: Network) -> Evidence:
    """What each route's days rest on, in a scenario run (``midcorridor evidence``)."""
    era = run.scenario.era
    return Evidence(
        scenario=run.scenario.name,
        era=era,
        routes=tuple(
            trip_evidence(trip, network, era, cost)
            for trip, cost in zip(run.trips, run.costs or (None,) * len(run.trips), strict=True)
        ),
    )
