"""The corridor choice's arithmetic: generalized cost and multinomial logit shares.

For one market, each open corridor (an :class:`Option`) has a generalized cost per
container, freight plus the cost of its time, its unreliability and its carbon
(:func:`generalized_cost`); the cargo splits between the corridors by a multinomial logit
of those costs and the corridors' constants (:func:`logit_shares`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ..vocabulary import ChoiceCorridor

__all__ = ["Option", "generalized_cost", "logit_shares"]


@dataclass(frozen=True)
class Option:
    """One corridor of one market as the scenario's run timed and priced it.

    Attributes
    ----------
    corridor
        ``middle``, ``northern`` or ``sea``.
    days
        Mean, P10, P50, P90 door-to-door days.
    cost_usd, co2e_kg
        Mean freight cost, USD, and CO2e, kg, per loaded 40-ft container.
    generalized_cost_usd
        Freight cost plus the cost of time and unreliability (and of carbon), USD.
    saturated
        Whether a queue on the route is saturated (its days are lower bounds).
    """

    corridor: ChoiceCorridor
    days: Mapping[str, float]
    cost_usd: float
    co2e_kg: float
    generalized_cost_usd: float
    saturated: bool


def generalized_cost(
    days: Mapping[str, float],
    cost_usd: float,
    co2e_kg: float,
    *,
    value_of_day_usd: float,
    reliability_weight: float,
    carbon_usd_per_t: float = 0.0,
) -> float:
    """Generalized cost of a trip, USD per container.

    ``cost_usd + value_of_day_usd * (days["mean"] + reliability_weight * (days["p90"] -
    days["p50"])) + carbon_usd_per_t * co2e_kg / 1000``.
    """
    spread = max(days["p90"] - days["p50"], 0.0)
    time_days = days["mean"] + reliability_weight * spread
    return cost_usd + value_of_day_usd * time_days + carbon_usd_per_t * co2e_kg / 1000.0


def logit_shares(
    costs: Mapping[ChoiceCorridor, float],
    constants: Mapping[ChoiceCorridor, float],
    scale_usd: float,
) -> dict[ChoiceCorridor, float]:
    """Multinomial logit shares of the corridors in ``costs`` (the open ones).

    Raises
    ------
    ValueError
        If no corridor is open or the scale is not positive.
    """
    if not costs:
        raise ValueError("no corridor is open to this market")
    if scale_usd <= 0:
        raise ValueError(f"scale must be above 0, got {scale_usd}")
    utility = {c: constants.get(c, 0.0) - gc / scale_usd for c, gc in costs.items()}
    top = max(utility.values())
    weights = {c: math.exp(u - top) for c, u in utility.items()}
    total = sum(weights.values())
    return {c: w / total for c, w in weights.items()}
