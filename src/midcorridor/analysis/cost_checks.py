"""Published freight rates the cost figures are checked against.

Two kinds of check (``network/targets.yaml``: ``costs``). *Required* ones compare a trip
with the published total its per-km tariffs were derived from (``network/sources.yaml``:
``rate_1520_erai_2025``, ``rate_standard_gauge_2025``): they hold by construction, within
a stated tolerance, and the tests assert them. *Independent* ones compare the model with
rates no figure was derived from: they are reported with the gap, never tuned to.

Costs are exact means (:func:`midcorridor.model.costs.leg_means`), so the checks need no
sampling; each trip takes the route the baseline's runner would (the fastest of the
shortest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..inputs.scenario import RouteSpec, Scenario
from ..inputs.targets import CostTarget
from ..model.costs import cost_legs, leg_means
from ..network.network import Network
from ..runs.runner import plan_trips

__all__ = ["CostCheck", "check_costs"]


@dataclass(frozen=True)
class CostCheck:
    """Where the model lands against one target."""

    target: CostTarget
    model: float
    reference: str = ""

    @property
    def met(self) -> bool:
        """Within the tolerance of the published range."""
        t = self.target
        return t.low * (1 - t.tolerance) <= self.model <= t.high * (1 + t.tolerance)

    @property
    def gap(self) -> float:
        """Model minus the nearest end of the published range (0 inside it)."""
        t = self.target
        if self.model < t.low:
            return self.model - t.low
        return max(self.model - t.high, 0.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON of the check."""
        t = self.target
        return {
            "name": t.name,
            "unit": t.unit,
            "published": [t.low, t.high],
            "model": round(self.model, 2),
            "gap": round(self.gap, 2),
            "required": t.required,
            "tolerance": t.tolerance,
            "met": self.met,
            "source": t.source,
            "reference": self.reference,
            "note": t.note,
        }


def _mean_usd(spec: RouteSpec, baseline: Scenario, network: Network) -> float:
    (trip,) = plan_trips(baseline.derive(routes=(spec,)), network)
    usd, _ = leg_means(cost_legs(network, trip.route), network.require_costs())
    return float(usd.sum())


def check_costs(
    network: Network, baseline: Scenario, targets: Sequence[CostTarget] | None = None
) -> list[CostCheck]:
    """Mean cost of each target's trip (or the ratio of two) against its published range
    (default: every cost target of ``network/targets.yaml``)."""
    targets = network.require_targets().costs if targets is None else targets
    out = []
    for target in targets:
        model = _mean_usd(target.route, baseline, network)
        if target.versus is not None:
            model /= _mean_usd(target.versus, baseline, network)
        out.append(CostCheck(target, model, network.sources[target.source].reference()))
    return out
