"""Models of the cost and choice files: ``costs.yaml`` (tariffs, freight, charges, CO2
factors, per loaded 40-ft container) and ``choice.yaml`` (markets, observed shares, the
logit's parameters). See ``docs/data-model.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from ..vocabulary import CHOICE_CORRIDORS, ChoiceCorridor, LinkMode, Shipment
from ._models import Strict
from .bounds import CountryCode, FactorRange, Range, UsdRange


def _all_sourced(model: BaseModel, sources: Mapping[Any, str], fields: Sequence[str]) -> None:
    missing = [f for f in fields if getattr(model, f) is not None and f not in sources]
    if missing:
        raise ValueError(f"sources: no source for {', '.join(missing)}")


class Cargo(Strict):
    """What a loaded 40-ft container carries (``costs.yaml``: ``container``).

    Attributes
    ----------
    cargo_tonnes
        Net cargo, tonnes: what CO2 per tonne-km is multiplied by.
    value_usd
        Value of the cargo, USD, for the cost of time.
    holding_share_per_day
        Cost of a day in transit as a share of the cargo's value (capital, and the
        depreciation and lost sales of waiting goods).
    sources
        Source key of each field.
    """

    cargo_tonnes: float = Field(gt=0, le=40)
    value_usd: UsdRange
    holding_share_per_day: Range
    sources: dict[Literal["cargo_tonnes", "value_usd", "holding_share_per_day"], str]

    @model_validator(mode="after")
    def _sourced(self) -> Cargo:
        _all_sourced(self, self.sources, ("cargo_tonnes", "value_usd", "holding_share_per_day"))
        if self.holding_share_per_day.high > 0.1:
            raise ValueError("holding_share_per_day is a share of the value a day: at most 0.1")
        return self


class EmissionFactors(Strict):
    """Well-to-wheel CO2e per net tonne-km by mode, and a train's energy use.

    A rail link's factor mixes electric and diesel traction by its country's
    electrified share: ``share * kwh_per_tkm * grid + (1 - share) * diesel``.
    """

    rail_diesel_g_per_tkm: FactorRange
    rail_electric_kwh_per_tkm: FactorRange
    ferry_g_per_tkm: FactorRange
    feeder_g_per_tkm: FactorRange
    ocean_g_per_tkm: FactorRange
    sources: dict[str, str]

    @model_validator(mode="after")
    def _sourced(self) -> EmissionFactors:
        _all_sourced(self, self.sources, [f for f in type(self).model_fields if f != "sources"])
        return self


class RailCountry(Strict):
    """Rail in one country: the tariff of a loaded 40-ft container, and its traction."""

    usd_per_km: UsdRange
    electrified_share: float = Field(ge=0, le=1, allow_inf_nan=False)
    grid_g_per_kwh: float = Field(ge=0, le=2_000, allow_inf_nan=False)
    sources: dict[Literal["usd_per_km", "electrified_share", "grid_g_per_kwh"], str]

    @model_validator(mode="after")
    def _sourced(self) -> RailCountry:
        _all_sourced(self, self.sources, ("usd_per_km", "electrified_share", "grid_g_per_kwh"))
        return self


class Charge(Strict):
    """A charge per loaded 40-ft container at a place or for a crossing, USD.

    ``modes`` and ``applies`` select the trips it is paid by, as for a node's processes.
    """

    what: str = Field(min_length=1)
    usd: UsdRange
    modes: tuple[LinkMode, ...] | None = None
    applies: Literal["always", "ends", "through"] = "always"
    source: str
    note: str | None = None


class CostBook(Strict):
    """``costs.yaml``: the cost and CO2 figures of a trip, per loaded 40-ft container.

    Attributes
    ----------
    container
        What the container carries.
    emission_factors
        CO2e per tonne-km by mode.
    rail
        Country code -> tariff and traction of its rail links.
    links
        Ferry or sea link id -> the freight charge of the crossing (one way).
    nodes
        Node id -> charges paid there (handling, border and document fees).
    """

    container: Cargo
    emission_factors: EmissionFactors
    rail: dict[CountryCode, RailCountry]
    links: dict[str, Charge] = Field(default_factory=dict)
    nodes: dict[str, tuple[Charge, ...]] = Field(default_factory=dict)


class SourcedValue(Strict):
    """A number and the source key it rests on."""

    value: float = Field(ge=0, allow_inf_nan=False)
    source: str


class Market(Strict):
    """A flow of cargo that chooses its corridor (``choice.yaml``: ``markets``).

    ``origin`` and ``destination`` stand for the flow (places by id, name or alias);
    ``via`` names places a corridor's route must pass (e.g. ``{sea: [Rotterdam]}``);
    ``teu_per_year`` is the flow on all corridors together.
    """

    id: str = Field(min_length=1)
    origin: str = Field(min_length=1)
    destination: str = Field(min_length=1)
    shipment: Shipment = "block_train"
    via: dict[ChoiceCorridor, tuple[str, ...]] = Field(default_factory=dict)
    teu_per_year: float = Field(gt=0, le=1e9, allow_inf_nan=False)
    source: str
    note: str | None = None


#: How far observed shares may sum from 1.
SHARE_SUM_TOLERANCE = 0.001


class ChoiceBook(Strict):
    """``choice.yaml``: the markets cargo chooses a corridor in, the shares observed, and
    the logit's parameters (see :mod:`midcorridor.runs.choice`).

    Attributes
    ----------
    year
        Year of the observed shares.
    markets
        The flows that choose.
    observed_shares
        Share of the markets' TEU on each corridor that year (summing to 1): what the
        corridor constants are calibrated to.
    cost_scale_usd
        Generalized cost, USD per container, that changes the odds of a corridor by a
        factor e (the logit's scale: utility = constant - generalized cost / scale).
    reliability_weight
        Weight of a day between the P50 and the P90 against a day of mean transit time.
    """

    year: int = Field(ge=1990, le=2100)
    markets: tuple[Market, ...] = Field(min_length=1)
    observed_shares: dict[ChoiceCorridor, SourcedValue]
    cost_scale_usd: SourcedValue
    reliability_weight: SourcedValue

    @model_validator(mode="after")
    def _shares(self) -> ChoiceBook:
        missing = [c for c in CHOICE_CORRIDORS if c not in self.observed_shares]
        if missing:
            raise ValueError(f"observed_shares: no share for {', '.join(missing)}")
        total = sum(v.value for v in self.observed_shares.values())
        if abs(total - 1) > SHARE_SUM_TOLERANCE:
            raise ValueError(f"observed_shares must sum to 1, got {total:.4f}")
        if any(v.value <= 0 for v in self.observed_shares.values()):
            raise ValueError("observed_shares: every share must be above 0 to calibrate")
        if self.cost_scale_usd.value <= 0:
            raise ValueError("cost_scale_usd must be above 0")
        ids = [m.id for m in self.markets]
        if len(set(ids)) != len(ids):
            raise ValueError(f"markets: ids must be unique, got {ids}")
        return self

    def sources(self) -> list[tuple[str, str]]:
        """``(field, source key)`` of every figure."""
        out = [(f"observed_shares.{c}.source", v.source) for c, v in self.observed_shares.items()]
        out += [("cost_scale_usd.source", self.cost_scale_usd.source)]
        out += [("reliability_weight.source", self.reliability_weight.source)]
        out += [(f"markets.{i}.source", m.source) for i, m in enumerate(self.markets)]
        return out
