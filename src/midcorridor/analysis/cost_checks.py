"""Published freight rates the cost figures are checked against.

Two kinds of check. *Calibrated* ones compare a trip with the published total its
per-km tariffs were derived from (``network/sources.yaml``: ``rate_1520_erai_2025``,
``rate_standard_gauge_2025``): they hold by construction, within a stated tolerance, and
the tests assert them. *Independent* ones compare the model with rates no figure was
derived from: they are reported with the gap, never tuned to.

Costs are exact means (:func:`midcorridor.model.costs.leg_means`), so the checks need no
sampling; each trip takes the route the baseline's runner would (the fastest of the
shortest).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..inputs.scenario import RouteSpec, Scenario
from ..model.costs import cost_legs, leg_means
from ..network.network import Network
from ..runs.runner import plan_trips
from .calibration import route_spec

__all__ = ["COST_TARGETS", "CostCheck", "CostTarget", "check_costs"]


@dataclass(frozen=True)
class CostTarget:
    """A published rate, USD per loaded 40-ft container, for a trip (or a ratio of two).

    ``calibrated`` targets are those a figure was derived from: the model must lie within
    ``tolerance`` (relative) of the published range. The others are context.
    """

    name: str
    route: RouteSpec
    low: float
    high: float
    source: str
    calibrated: bool = False
    tolerance: float = 0.05
    versus: RouteSpec | None = None
    note: str = ""

    @property
    def unit(self) -> str:
        """``USD`` or ``ratio``."""
        return "ratio" if self.versus is not None else "USD"


_ERAI = (
    "ERAI via 1520 International, 2025-09: $3,250 per FEU, H1 2025, min 3,239, max 3,292 "
    "<https://1520international.com/en/content/2025/sentyabr-2025/>"
)
_DOOR = (
    "ERAI and forwarders via 1520 International, 2025-09: March 2025 door to door "
    "$5,250 (Chengdu) to $6,100 per FEU"
)
_ARGUS = "Argus via Report.az, about November 2024"

#: The checks, calibrated first.
COST_TARGETS: tuple[CostTarget, ...] = (
    CostTarget(
        "1520-mm transit Dostyk-Brest (ERAI, H1 2025)",
        route_spec("Dostyk", "Brest", "northern"),
        3239,
        3292,
        _ERAI,
        calibrated=True,
    ),
    CostTarget(
        "Door to door Chongqing-Duisburg by rail (March 2025)",
        route_spec("Chongqing", "Duisburg", "northern"),
        5250,
        6100,
        _DOOR,
        calibrated=True,
    ),
    CostTarget(
        "China-Aktau by rail, 40-ft high cube (Argus)",
        route_spec("Xi'an", "Aktau", "other"),
        5350,
        5400,
        _ARGUS,
        note="a spot rate in a tight 2024 market, its origin in China not stated",
    ),
    CostTarget(
        "Middle Corridor against the northern route, Xi'an-Duisburg",
        route_spec("Xi'an", "Duisburg", "middle"),
        1.35,
        1.35,
        "Downstream Intelligence, 2025-04-07: the Middle Corridor 35% more expensive",
        versus=route_spec("Xi'an", "Duisburg", "northern"),
    ),
    CostTarget(
        "Middle Corridor China-Europe (World Bank via EY)",
        route_spec("Xi'an", "Duisburg", "middle"),
        2500,
        3250,
        "EY Kazakhstan, 2024-04-15, citing the World Bank (2023): $2,500-3,250 per FEU",
        note="a through rate from before 2023; the model adds the crossings' and ports' "
        "published or assumed charges",
    ),
    CostTarget(
        "Shanghai-Poti by sea (Argus)",
        route_spec("Shanghai", "Poti", "sea"),
        2000,
        2500,
        _ARGUS,
        note="port to port, reported in the Cape-routed market; the baseline's trip sails "
        "through Suez at 2019's rate and adds handling at both ports",
    ),
)


@dataclass(frozen=True)
class CostCheck:
    """Where the model lands against one target."""

    target: CostTarget
    model: float

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
            "calibrated": t.calibrated,
            "tolerance": t.tolerance,
            "met": self.met,
            "source": t.source,
            "note": t.note,
        }


def _mean_usd(spec: RouteSpec, baseline: Scenario, network: Network) -> float:
    (trip,) = plan_trips(baseline.model_copy(update={"routes": (spec,)}), network)
    usd, _ = leg_means(cost_legs(network, trip.route), network.require_costs())
    return float(usd.sum())


def check_costs(
    network: Network, baseline: Scenario, targets: tuple[CostTarget, ...] = COST_TARGETS
) -> list[CostCheck]:
    """Mean cost of each target's trip (or the ratio of two) against its published range."""
    out = []
    for target in targets:
        model = _mean_usd(target.route, baseline, network)
        if target.versus is not None:
            model /= _mean_usd(target.versus, baseline, network)
        out.append(CostCheck(target, model))
    return out
