"""What the corridor choice returns: each market's shares, and the fixed point they hold at
(:func:`midcorridor.runs.choice.solve_choice`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..inputs.cost_files import Market
from ..model.logit import Option
from ..vocabulary import CHOICE_CORRIDORS, ChoiceCorridor

__all__ = ["ChoiceResult", "MarketChoice"]


@dataclass(frozen=True)
class MarketChoice:
    """The corridors open to one market and the shares of its cargo on each."""

    market: Market
    options: Mapping[ChoiceCorridor, Option]
    shares: Mapping[ChoiceCorridor, float]

    def teu_per_year(self) -> dict[ChoiceCorridor, float]:
        """TEU a year on each corridor."""
        return {c: self.market.teu_per_year * self.shares.get(c, 0.0) for c in CHOICE_CORRIDORS}

    def to_dict(self) -> dict[str, Any]:
        """One ``pairs`` entry of the JSON (see :meth:`ChoiceResult.to_dict`)."""
        return {
            "market": self.market.id,
            "origin": self.market.origin,
            "destination": self.market.destination,
            "shipment": self.market.shipment,
            "shares": {c: round(self.shares.get(c, 0.0), 6) for c in CHOICE_CORRIDORS},
            "teu_per_year": {c: round(v) for c, v in self.teu_per_year().items()},
            "generalized_cost_usd": {
                c: round(o.generalized_cost_usd) for c, o in self.options.items()
            },
            "days_p50": {c: round(o.days["p50"], 1) for c, o in self.options.items()},
            "cost_usd": {c: round(o.cost_usd) for c, o in self.options.items()},
            "co2e_kg": {c: round(o.co2e_kg) for c, o in self.options.items()},
            "saturated": {c: o.saturated for c, o in self.options.items()},
        }


@dataclass(frozen=True)
class ChoiceResult:
    """Corridor shares of every market under one scenario, at the fixed point.

    Attributes
    ----------
    scenario
        Scenario name.
    markets
        Each market's options and shares.
    constants
        The corridor constants used (fitted on the baseline).
    iterations, residual, converged
        Fixed-point iterations run (one scenario run each), the largest gap in the last
        one between a corridor's TEU a year at its shares and the TEU its run assumed
        (relative to the larger of that and the corridor's baseline TEU), and whether it
        fell to :data:`~midcorridor.runs.choice.TOLERANCE`.
    volumes
        TEU a week on each corridor the last run was timed with (the scenario's own
        volume plus the cargo the choice moved).
    utilisation
        Middle Corridor place (Caspian crossing or node) -> utilisation of its simulated
        queue in the last run, and whether it saturated.
    """

    scenario: str
    markets: tuple[MarketChoice, ...]
    constants: Mapping[ChoiceCorridor, float]
    iterations: int
    residual: float
    converged: bool
    volumes: Mapping[str, float] = field(default_factory=dict)
    utilisation: Mapping[str, tuple[float, bool]] = field(default_factory=dict)

    def teu_per_year(self) -> dict[ChoiceCorridor, float]:
        """TEU a year on each corridor, all markets together."""
        out = dict.fromkeys(CHOICE_CORRIDORS, 0.0)
        for m in self.markets:
            for c, v in m.teu_per_year().items():
                out[c] += v
        return out

    def shares(self) -> dict[ChoiceCorridor, float]:
        """Share of all the markets' TEU on each corridor."""
        teu = self.teu_per_year()
        total = sum(teu.values())
        return {c: v / total for c, v in teu.items()}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result (``midcorridor choice --json``)."""
        return {
            "scenario": self.scenario,
            "pairs": [m.to_dict() for m in self.markets],
            "total": {
                "shares": {c: round(v, 6) for c, v in self.shares().items()},
                "teu_per_year": {c: round(v) for c, v in self.teu_per_year().items()},
            },
            "constants": {c: round(v, 4) for c, v in self.constants.items()},
            "equilibrium": {
                "iterations": self.iterations,
                "residual": self.residual,
                "converged": self.converged,
            },
            "volumes_teu_per_week": {c: round(v, 1) for c, v in self.volumes.items()},
            "middle_corridor_utilisation": {
                place: {"utilisation": round(u, 3), "saturated": s}
                for place, (u, s) in self.utilisation.items()
            },
        }
