"""Customs offices as chains of steps, and the digital instruments that act on them.

``network/customs.yaml`` (:class:`CustomsBook`) describes each customs office of the network
(a border, port or gauge-change node) the way a WCO Time Release Study times it: the
office's published ``clearance`` hours (arrival to release of a consignment that is not
inspected), the figures of the steps it is made of, the risk-channel shares of each
country, the new transit declarations lodged where no common transit regime covers a
crossing, and the regimes themselves. ``network/instruments.yaml``
(:class:`InstrumentBook`) lists the digital instruments (an electronic transit
declaration, pre-arrival data, a common transit regime...) with what each acts on and its
sourced effect; a scenario switches them on by name.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..vocabulary import (
    CustomsStep,
    Document,
    InstrumentStatus,
    LinkMode,
    Shipment,
)
from ._models import Strict, as_tuple
from .bounds import CountryCode, HoursRange
from .network_files import PublicationDate

__all__ = [
    "CHANNEL_SUM_TOLERANCE",
    "Channels",
    "CustomsBook",
    "Declaration",
    "Effect",
    "Instrument",
    "InstrumentBook",
    "Office",
    "Regime",
    "StepFigure",
]

#: How far the three channel shares may sum from 1 (published percentages are rounded).
CHANNEL_SUM_TOLERANCE = 0.01
#: The key of the figures and shares that hold where no country gives its own.
DEFAULT_KEY = "default"


class Channels(Strict):
    """Shares of declarations in each risk channel: released (green), documents checked
    (yellow), goods inspected (red); they sum to 1."""

    green: float = Field(ge=0, le=1, allow_inf_nan=False)
    yellow: float = Field(ge=0, le=1, allow_inf_nan=False)
    red: float = Field(ge=0, le=1, allow_inf_nan=False)
    source: str = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _sum_to_one(self) -> Channels:
        total = self.green + self.yellow + self.red
        if abs(total - 1) > CHANNEL_SUM_TOLERANCE:
            raise ValueError(f"green + yellow + red must be 1, got {total:g}")
        return self


class StepFigure(Strict):
    """Hours of one customs step, with what they rest on."""

    hours: HoursRange
    source: str = Field(min_length=1)
    note: str | None = None


#: Steps an office or country gives figures for; ``arrival_wait`` is what the office's
#: clearance leaves, and ``lodgement`` is a :class:`Declaration`'s.
FiguredStep = Literal["registration", "documentary_check", "physical_inspection"]


class Office(Strict):
    """A customs office at a node.

    Attributes
    ----------
    clearance
        Hours from arrival to release of a consignment in the office's mix of green and
        yellow channels, not physically inspected: the published or assumed figure the
        chain is split from. What its steps do not take is the wait from arrival to
        lodgement (``arrival_wait``), so the chain keeps the figure's mean.
    source
        Source key of ``clearance``.
    steps
        Figures of this office's own, over its country's (``customs.yaml`` ``steps``).
    modes
        The office acts only on trips arriving or leaving by these modes (None: all).
    checks
        False where declarations are not risk-checked here (an internal border of a
        customs union, or an office the model has never inspected at): no yellow or red
        channel.
    """

    clearance: HoursRange
    source: str = Field(min_length=1)
    steps: dict[FiguredStep, StepFigure] = Field(default_factory=dict)
    modes: tuple[LinkMode, ...] | None = Field(default=None, min_length=1)
    checks: bool = True
    note: str | None = None


class Declaration(Strict):
    """A new transit declaration (and guarantee) lodged at these offices by these classes,
    when the countries on either side of the crossing share no common transit regime."""

    nodes: tuple[str, ...] = Field(min_length=1)
    shipments: tuple[Shipment, ...] = Field(min_length=1)
    hours: HoursRange
    source: str = Field(min_length=1)
    note: str | None = None

    _listify = field_validator("nodes", "shipments", mode="before")(as_tuple)


class Regime(Strict):
    """A common transit regime: one declaration and one guarantee across its members.

    ``members``: country -> first year of membership.
    """

    name: str = Field(min_length=1)
    members: dict[CountryCode, int] = Field(min_length=1)
    source: str = Field(min_length=1)
    note: str | None = None

    @field_validator("members")
    @classmethod
    def _years(cls, value: dict[str, int]) -> dict[str, int]:
        for country, year in value.items():
            if not 1950 <= year <= 2100:
                raise ValueError(f"{country}: year {year} is not 1950-2100")
        return value

    def members_in(self, era: int) -> frozenset[str]:
        """Countries that are members in year ``era``."""
        return frozenset(c for c, year in self.members.items() if year <= era)


class CustomsBook(Strict):
    """``network/customs.yaml``: offices, step figures and channel shares by country
    (``default`` for the rest), new declarations, and common transit regimes."""

    steps: dict[str, dict[FiguredStep, StepFigure]]
    channels: dict[str, Channels]
    offices: dict[str, Office] = Field(min_length=1)
    declarations: tuple[Declaration, ...] = ()
    regimes: dict[str, Regime] = Field(default_factory=dict)
    note: str | None = None

    @model_validator(mode="after")
    def _defaults(self) -> CustomsBook:
        missing = [
            f"{section}.{DEFAULT_KEY}"
            for section, book in (("steps", self.steps), ("channels", self.channels))
            if DEFAULT_KEY not in book
        ]
        if missing:
            raise ValueError(
                f"give {' and '.join(missing)}: the figures where no country has its own"
            )
        absent = [
            s
            for s in ("registration", "documentary_check", "physical_inspection")
            if s not in self.steps[DEFAULT_KEY]
        ]
        if absent:
            raise ValueError(f"steps.{DEFAULT_KEY} needs {', '.join(absent)}")
        return self

    def step(self, node: str, country: str, step: FiguredStep) -> StepFigure:
        """The figure of ``step`` at office ``node`` of ``country``: the office's own, else
        the country's, else the default."""
        own = self.offices[node].steps.get(step)
        if own is not None:
            return own
        return self.steps.get(country, {}).get(step) or self.steps[DEFAULT_KEY][step]

    def desk_mean_hours(self, node: str, country: str) -> float:
        """Mean desk hours the clearance figure of office ``node`` holds for a declaration
        entering ``country``: registration, and the documentary check in the country's
        yellow share (where the office checks)."""
        yellow = self.channels_of(country).yellow if self.offices[node].checks else 0.0
        return (
            self.step(node, country, "registration").hours.mean
            + yellow * self.step(node, country, "documentary_check").hours.mean
        )

    def channels_of(self, country: str) -> Channels:
        """The channel shares of ``country`` (the default where it has none)."""
        return self.channels.get(country) or self.channels[DEFAULT_KEY]


class Effect(Strict):
    """What an instrument does to the hours of some steps: ``scale`` them (0 to 1: an
    instrument removes hours, it does not add them) or ``set`` them (hours)."""

    steps: tuple[CustomsStep, ...] = Field(min_length=1)
    scale: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    set: float | None = Field(default=None, ge=0, le=168, allow_inf_nan=False)
    source: str = Field(min_length=1)
    note: str | None = None

    _listify = field_validator("steps", mode="before")(as_tuple)

    @model_validator(mode="after")
    def _one_action(self) -> Effect:
        if (self.scale is None) == (self.set is None):
            raise ValueError("give exactly one of scale or set")
        return self


class Instrument(Strict):
    """A digital instrument: where it acts, on which documents and steps, and its effect.

    Attributes
    ----------
    name, status, date
        What it is, where it stands (``in_force``, ``pilot``, ``announced``,
        ``proposed``) and since when (``YYYY[-MM[-DD]]``).
    countries
        The customs countries whose offices it acts at (the country a trip enters there).
    nodes, shipments
        Only these offices, only these classes (None: all).
    documents
        The documents it makes digital or unnecessary.
    effects
        Its effects on the hours of steps.
    channels
        New risk-channel shares at the countries' offices.
    joins
        A common transit regime (``customs.yaml`` ``regimes``) the countries join.
    source
        Source key of its status and date.
    """

    name: str = Field(min_length=1)
    status: InstrumentStatus
    date: PublicationDate
    countries: tuple[CountryCode, ...] = Field(min_length=1)
    nodes: tuple[str, ...] | None = None
    shipments: tuple[Shipment, ...] | None = None
    documents: tuple[Document, ...] = Field(min_length=1)
    effects: tuple[Effect, ...] = ()
    channels: Channels | None = None
    joins: str | None = None
    source: str = Field(min_length=1)
    note: str | None = None

    _listify = field_validator("countries", "nodes", "shipments", "documents", mode="before")(
        as_tuple
    )

    @model_validator(mode="after")
    def _acts(self) -> Instrument:
        if not self.effects and self.channels is None and self.joins is None:
            raise ValueError("give what it does: effects, channels or joins")
        return self

    def source_keys(self) -> tuple[str, ...]:
        """Every source key it rests on: its status, its effects, its channel shares."""
        keys = [self.source, *(e.source for e in self.effects)]
        if self.channels is not None:
            keys.append(self.channels.source)
        return tuple(dict.fromkeys(keys))


class InstrumentBook(Strict):
    """``network/instruments.yaml``: instrument key -> :class:`Instrument`."""

    instruments: dict[str, Instrument] = Field(min_length=1)
