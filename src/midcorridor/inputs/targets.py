"""Models of ``network/targets.yaml``: the published times and freight rates the model is
checked against (``midcorridor calibrate``), each resting on a key of ``sources.yaml``.

A time target is the P50 days of a route (or the ratio of two routes' P50s) in a band; an
official range is widened by the file's ``official_band`` (published times are best-case
block-train claims, the model an average container with its waits). A cost target is the
mean USD of a trip (or a ratio) within a tolerance of a published range. ``required``
targets must be met (``calibrate`` exits 3 otherwise); the others are reported with the
gap and, for a time, which stages lack evidence.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..vocabulary import Shipment
from ._models import Strict
from .scenario import RouteSpec

__all__ = ["ERAS", "Band", "CostTarget", "Era", "TargetBook", "TimeTarget"]

#: Eras of the time targets: the conditions a target's figure describes.
Era = Literal["2025", "2022"]
ERAS: tuple[Era, ...] = ("2025", "2022")


class Band(Strict):
    """How far below the low end and above the high end of a published official range
    the model may lie, as factors (``below`` 0.9: 10% below)."""

    below: float = Field(gt=0, le=1)
    above: float = Field(ge=1, le=10)
    source: str = Field(min_length=1)


class _Target(Strict):
    """What every target has: a name, the route(s), a range, its source and whether it
    must be met."""

    name: str = Field(min_length=1)
    route: RouteSpec
    versus: RouteSpec | None = None
    low: float = Field(gt=0, allow_inf_nan=False)
    high: float = Field(gt=0, allow_inf_nan=False)
    source: str = Field(min_length=1)
    required: bool = False
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> _Target:
        if self.low > self.high:
            raise ValueError(f"low must not be above high, got {self.low} and {self.high}")
        return self

    @property
    def shipment(self) -> Shipment:
        """What travels on the target's route."""
        return self.route.shipment


class TimeTarget(_Target):
    """A published time: the P50 days of ``route`` (or its ratio to ``versus``).

    Attributes
    ----------
    published
        The figure as the source puts it ("20-22 days", "about 50 days").
    low, high
        The band the model's value must lie in (days, or a ratio). For an ``official``
        figure, the published range, widened by the file's ``official_band``.
    official
        Whether ``low``-``high`` is an official range to widen by ``official_band``.
    era
        The conditions it describes (``2025``: the baseline; ``2022``: that year's).
    door_to_door
        Whether the figure was timed door to door: the model's trip (terminal to
        terminal) then gets the door legs of ``observations.yaml``.
    evidence_gap
        For a target the model misses, which stages lack published evidence.
    """

    published: str = Field(min_length=1)
    official: bool = False
    era: Era = "2025"
    door_to_door: bool = False
    evidence_gap: str = ""

    @property
    def unit(self) -> str:
        """``days`` or ``ratio``."""
        return "ratio" if self.versus is not None else "days"


class CostTarget(_Target):
    """A published rate, USD per loaded 40-ft container, for a trip (or a ratio of two).

    ``required`` targets are those a cost figure was derived from: the model must lie
    within ``tolerance`` (relative) of the published range. The others are context.
    """

    tolerance: float = Field(default=0.05, ge=0, le=1)

    @property
    def unit(self) -> str:
        """``USD`` or ``ratio``."""
        return "ratio" if self.versus is not None else "USD"


class TargetBook(Strict):
    """``targets.yaml``: the time and cost targets."""

    official_band: Band
    times: tuple[TimeTarget, ...] = ()
    costs: tuple[CostTarget, ...] = ()

    def band(self, target: TimeTarget) -> tuple[float, float]:
        """The band ``target``'s value must lie in (an official range widened)."""
        if not target.official:
            return target.low, target.high
        b = self.official_band
        return round(target.low * b.below, 1), round(target.high * b.above, 1)

    def sources(self) -> list[tuple[str, str]]:
        """``(field, source key)`` of every target and of the band."""
        out = [("official_band.source", self.official_band.source)]
        out += [(f"times.{i}.source", t.source) for i, t in enumerate(self.times)]
        out += [(f"costs.{i}.source", t.source) for i, t in enumerate(self.costs)]
        return out

    def routes(self) -> list[tuple[str, RouteSpec]]:
        """``(field, route)`` of every target's route and ``versus`` route."""
        out = []
        for section, targets in (("times", self.times), ("costs", self.costs)):
            for i, t in enumerate(targets):
                out.append((f"{section}.{i}.route", t.route))
                if t.versus is not None:
                    out.append((f"{section}.{i}.versus", t.versus))
        return out
