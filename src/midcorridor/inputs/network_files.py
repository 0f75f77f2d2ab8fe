"""Models of the network files: nodes and links (GeoJSON properties), shipment classes
(``shipments.yaml``) and sources (``sources.yaml``). See ``docs/data-model.md``.

:class:`Service`, :class:`Capacity` and :class:`Weather` are what the time model and the
queue engine take (positive, finite figures); :class:`LinkService`, :class:`LinkWeather` and
:class:`NodeCapacity` are the same read from a file, within the bounds of
:mod:`midcorridor.inputs.bounds`.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, ConfigDict, Field, field_validator, model_validator

from ..vocabulary import (
    Connection,
    Dispatch,
    LinkMode,
    NodeKind,
    NodeStage,
    Passage,
    Sea,
)
from ._models import Strict
from .bounds import (
    MAX_PACE_LOG_SD,
    MIN_MEAN_STORM_HOLD_HOURS,
    CapacityTeu,
    CountryCode,
    Hours,
    HoursRange,
    LengthKm,
    Range,
    RangeHours,
    Servers,
    SpeedRange,
    TrainsPerDay,
    Vessels,
)


class Process(Strict):
    """Something that happens to a container at a node, taking hours."""

    stage: NodeStage
    hours: HoursRange
    probability: float = Field(default=1.0, ge=0, le=1, allow_inf_nan=False)
    modes: tuple[LinkMode, ...] | None = None
    applies: Literal["always", "ends", "through"] = "always"
    #: Direction: the process applies only to trips that leave this node for a place in
    #: one of these countries (a figure measured in one direction, e.g. the wait at a
    #: gauge change for cargo bound for China); a trip ending here does not leave it.
    #: None: both directions.
    toward: tuple[CountryCode, ...] | None = Field(default=None, min_length=1)
    #: Last year whose conditions this describes (a crisis, a congested year): the
    #: process applies only to scenarios of that era or earlier.
    until: int | None = Field(default=None, ge=1990, le=2100)
    source: str
    note: str | None = None


class Capacity(Strict):
    """Handling capacity of a node (border, gauge change, port), in trains a day.

    What the queue engine takes (any positive figures); a node's capacity in the network
    file is a :class:`NodeCapacity`.
    """

    trains_per_day: float = Field(gt=0, allow_inf_nan=False)
    servers: int = Field(default=1, ge=1)
    source: str
    #: Share of its corridor's volume that passes this point (other gateways carry the
    #: rest); below 1 it needs its own source, ``load_share_source``.
    load_share: float = Field(default=1.0, gt=0, le=1, allow_inf_nan=False)
    load_share_source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _sourced_share(self) -> Capacity:
        if self.load_share < 1 and self.load_share_source is None:
            raise ValueError("a load_share below 1 needs load_share_source")
        return self


class NodeCapacity(Capacity):
    """A node's :class:`Capacity` as the network file gives it, within bounds.

    Attributes
    ----------
    trains_per_day
        :data:`MIN_TRAINS_PER_DAY` to :data:`MAX_TRAINS_PER_DAY`.
    servers
        1 to :data:`MAX_SERVERS`.
    """

    trains_per_day: TrainsPerDay
    servers: Servers = 1


class NodeProps(Strict):
    """Properties of a node feature."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    countries: tuple[CountryCode, ...] = Field(min_length=1, max_length=2)
    kind: NodeKind
    processes: tuple[Process, ...] = ()
    capacity: NodeCapacity | None = None
    note: str | None = None


class Service(Strict):
    """A ferry or shipping service on a link.

    What the queue engine takes (any positive figures); a link's service in the network
    file is a :class:`LinkService`.
    """

    dispatch: Dispatch
    headway_hours: float = Field(gt=0, allow_inf_nan=False)
    capacity_teu: float = Field(gt=0, allow_inf_nan=False)
    vessels: int = Field(ge=1)
    round_trip_hours: float = Field(gt=0, allow_inf_nan=False)
    max_hold_hours: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    #: ``scheduled`` only: clock time of one departure (hours from 00:00 on 1 January)
    #: and how long before a departure a container must be ready to make it.
    first_departure_hours: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    cutoff_hours: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    #: Design draft of the vessels, m, where a scenario brings new ones onto a Caspian
    #: crossing (None: the fleet's draft in ``caspian.yaml``).
    draft_m: float | None = Field(default=None, gt=0, le=30, allow_inf_nan=False)


class LinkService(Service):
    """A link's :class:`Service` as the network file gives it, within bounds.

    Attributes
    ----------
    headway_hours, round_trip_hours, max_hold_hours
        Above 0 and at most :data:`MAX_HOURS`.
    capacity_teu
        :data:`MIN_CAPACITY_TEU` to :data:`MAX_CAPACITY_TEU`.
    vessels
        1 to :data:`MAX_VESSELS`.
    """

    headway_hours: Hours
    capacity_teu: CapacityTeu
    vessels: Vessels
    round_trip_hours: Hours
    max_hold_hours: Hours | None = None
    first_departure_hours: RangeHours = 0.0
    cutoff_hours: RangeHours = 0.0


class Weather(Strict):
    """Storm holds on a sea crossing."""

    closure_share_by_month: tuple[float, ...] = Field(min_length=12, max_length=12)
    hold_hours: Range

    @field_validator("closure_share_by_month")
    @classmethod
    def _shares(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        for share in value:
            if not (0 <= share <= 1) or math.isnan(share):
                raise ValueError(f"closure shares must lie in [0, 1], got {share}")
        return value


class LinkWeather(Weather):
    """A link's :class:`Weather` as the network file gives it, within bounds.

    ``hold_hours`` is an :class:`HoursRange`; where some month is partly closed, holds
    must average at least :data:`MIN_MEAN_STORM_HOLD_HOURS` (shorter spells would need
    countless of them to close that share).
    """

    hold_hours: HoursRange

    @model_validator(mode="after")
    def _holds_close_the_shares(self) -> LinkWeather:
        partial = any(0 < share < 1 for share in self.closure_share_by_month)
        if partial and self.hold_hours.mean < MIN_MEAN_STORM_HOLD_HOURS:
            raise ValueError(
                f"hold_hours: storm holds averaging {self.hold_hours.mean:g} h cannot close "
                f"part of a month; give holds averaging at least "
                f"{MIN_MEAN_STORM_HOLD_HOURS:g} h, or closure shares of 0"
            )
        return self


class Unsailed(Strict):
    """Years in which the trade did not use an open link (carriers routed elsewhere):
    in a scenario whose ``era`` is ``since`` to ``until``, the link is left out."""

    since: int = Field(ge=1800, le=2100)
    until: int = Field(ge=1800, le=2100)
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _in_order(self) -> Unsailed:
        if self.since > self.until:
            raise ValueError(f"since {self.since} is after until {self.until}")
        return self

    def covers(self, era: int) -> bool:
        """Whether the link is unused in a scenario of ``era``."""
        return self.since <= era <= self.until


#: Numeric fields of a link that need an entry in its ``sources``.
LINK_SOURCED_FIELDS = (
    "length_km",
    "gauge_mm",
    "speed_km_per_day",
    "sailing_hours",
    "service",
    "weather",
    "closed_since",
    "unsailed",
)


class LinkProps(Strict):
    """Properties of a link feature."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(min_length=1)
    from_: str = Field(alias="from")
    to: str
    mode: LinkMode
    sea: Sea | None = None
    passage: Passage | None = None
    length_km: LengthKm
    gauge_mm: Literal[1435, 1520] | None = None
    speed_km_per_day: SpeedRange | None = None
    sailing_hours: HoursRange | None = None
    service: LinkService | None = None
    weather: LinkWeather | None = None
    status: Literal["open", "closed"] = "open"
    closed_since: int | None = Field(default=None, ge=1800, le=2100)
    closed_reason: str | None = None
    unsailed: Unsailed | None = None
    sources: dict[str, str]
    note: str | None = None

    @model_validator(mode="after")
    def _mode_fields(self) -> LinkProps:
        problems = []
        if self.from_ == self.to:
            problems.append(f"from and to are both {self.to}: a link must join two different nodes")
        if self.mode == "rail":
            if self.gauge_mm is None:
                problems.append("a rail link needs gauge_mm")
            if self.speed_km_per_day is None:
                problems.append("a rail link needs speed_km_per_day")
            for name in ("sailing_hours", "service", "weather", "sea"):
                if getattr(self, name) is not None:
                    problems.append(f"{name} is for ferry and sea links, not rail")
        else:
            for name in ("sailing_hours", "service", "sea"):
                if getattr(self, name) is None:
                    problems.append(f"a {self.mode} link needs {name}")
            for name in ("gauge_mm", "speed_km_per_day"):
                if getattr(self, name) is not None:
                    problems.append(f"{name} is for rail links, not {self.mode}")
        if (self.sea == "ocean") != (self.passage is not None):
            problems.append("passage (suez or cape) is given for, and only for, an ocean link")
        if self.status == "closed" and not (self.closed_since and self.closed_reason):
            problems.append("a closed link needs closed_since and closed_reason")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class ShipmentProcess(Strict):
    """A delay of one shipment class at some nodes of a trip (``shipments.yaml``).

    Exactly one of ``at`` (the trip's origin or destination) or ``nodes`` (node ids)
    says where it happens.
    """

    stage: NodeStage | Literal["ferry_wait"]
    at: Literal["origin", "destination"] | None = None
    nodes: tuple[str, ...] | None = Field(default=None, min_length=1)
    hours: HoursRange
    probability: float = Field(default=1.0, ge=0, le=1, allow_inf_nan=False)
    months: tuple[Annotated[int, Field(ge=1, le=12)], ...] | None = Field(
        default=None, min_length=1, max_length=12
    )
    source: str
    #: What a ``probability`` below 1 rests on (the share of shipments it happens to),
    #: when the hours' ``source`` does not say it; a change of this key scales the
    #: probability, not the hours.
    probability_source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_place(self) -> ShipmentProcess:
        if (self.at is None) == (self.nodes is None):
            raise ValueError("give exactly one of at (origin or destination) or nodes")
        if self.probability_source is not None and self.months is not None:
            raise ValueError(
                "a probability_source is for a probability that holds in every month: "
                "drop months, or the probability_source"
            )
        if self.months is not None and len(set(self.months)) != len(self.months):
            raise ValueError(f"months: each month once, got {list(self.months)}")
        return self

    def probability_by_month(self) -> tuple[float, ...] | None:
        """``probability`` in the listed ``months`` (of departure) and 0 in the others."""
        if self.months is None:
            return None
        return tuple(self.probability if m in self.months else 0.0 for m in range(1, 13))


class Pace(Strict):
    """How much a whole trip's rail running time varies beyond its links' own spreads.

    Each link's speed is drawn on its own, so a long trip averages its links' slowness
    out; a train is also slow or fast as a whole (its path, its priority, the season's
    traffic). Every rail running hour of a trip is multiplied by one factor drawn per
    trip, ``exp(log_sd * z - log_sd**2 / 2)`` with ``z`` standard normal: lognormal, its
    mean 1 (the mean days are kept), within ``exp(+-1.28 * log_sd)`` of its median in
    80% of trips.
    """

    log_sd: float = Field(ge=0, le=MAX_PACE_LOG_SD, allow_inf_nan=False)
    source: str


class ShipmentClass(Strict):
    """What one shipment class adds to a trip, and how it meets timetabled departures.

    Attributes
    ----------
    description
        What travels.
    priority
        Boarding order at a full departure: 1 boards first.
    connection
        ``booked``: the shipment leaves its origin on a plan that reaches its first
        timetabled departure's cut-off with a probability of ``plan_quantile``, and waits
        there for it; ``on_arrival``: it takes the next departure with room.
    plan_quantile
        For ``booked``: the share of trips whose plan is kept (0.5 to 0.99).
    sources
        Source keys of ``priority`` and ``plan_quantile``.
    processes
        The class's own delays.
    pace
        How much the whole trip's rail running time varies (:class:`Pace`); None: only
        as each link's speed does.
    """

    description: str = Field(min_length=1)
    priority: int = Field(ge=1, le=10)
    connection: Connection
    plan_quantile: float | None = Field(default=None, ge=0.5, le=0.99)
    sources: dict[Literal["priority", "plan_quantile"], str]
    processes: tuple[ShipmentProcess, ...] = ()
    pace: Pace | None = None

    @model_validator(mode="after")
    def _booked_plan(self) -> ShipmentClass:
        if (self.connection == "booked") != (self.plan_quantile is not None):
            raise ValueError("plan_quantile is given for, and only for, a booked connection")
        missing = [f for f in ("priority", "plan_quantile") if getattr(self, f) is not None]
        missing = [f for f in missing if f not in self.sources]
        if missing:
            raise ValueError(f"sources: no source for {', '.join(missing)}")
        return self


#: What a figure rests on (``sources.yaml``): a publication that states it, a computation
#: from published figures, or an assumption.
Basis = Literal["published", "derived", "assumption"]
BASES: tuple[Basis, ...] = ("published", "derived", "assumption")
#: What a figure rests on in a run: its grade, or ``calibrated`` for an assumption the
#: calibration informs (``network/calibrated.yaml``).
EVIDENCE_BASES: tuple[str, ...] = ("published", "derived", "calibrated", "assumption")

_DATE = re.compile(r"^(\d{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def publication_date(value: str) -> str:
    """``value`` if it is a date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    if not _DATE.match(value):
        raise ValueError(f"date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return value


#: A publication's or a status's date: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
PublicationDate = Annotated[str, AfterValidator(publication_date)]
#: Words in a publication's quote or note that say its figure was not published.
_ASSUMED = re.compile(r"\b(assum\w*|estimat\w*|guess\w*)\b", re.IGNORECASE)


def _deep_link(url: str) -> bool:
    """Whether ``url`` points into a site (has a path or query), not at its home page."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and (parts.path.strip("/") != "" or bool(parts.query))
    )


class PublishedSource(Strict):
    """Where a figure was published: the document (deep link), its date and the sentence
    (an observation's, a recorded event's)."""

    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    date: PublicationDate
    url: str
    quote: str = Field(min_length=1)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not _deep_link(value):
            raise ValueError(
                f"url {value!r} is not a link to the document: link the page that holds the figure"
            )
        return value

    @property
    def published(self) -> tuple[int, int]:
        """Year and month of publication (month 12 when only the year is given)."""
        match = _DATE.match(self.date)
        assert match is not None  # checked by _date
        return int(match[1]), int(match[3] or 12)


class SourceEntry(Strict):
    """One entry of ``sources.yaml``: what a figure rests on.

    Attributes
    ----------
    basis
        ``published``: the source states the figure for this place and era; ``derived``:
        computed from published figures (``derivation``); ``assumption``: neither.
    title, publisher, date, url, quote
        The publication (of the main input, for a derived figure): ``url`` to the
        document itself, ``date`` as ``YYYY[-MM[-DD]]``, ``quote`` the sentence or table
        cell that holds the figure. Required for ``published`` and ``derived``.
    derivation
        How the figure is computed from the published one(s).
    assumption
        Why the figure is what it is, for an ``assumption``.
    settle
        Which measurement would settle the figure (assumptions and derived figures).
    """

    basis: Basis
    title: str | None = None
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    quote: str | None = None
    derivation: str | None = None
    assumption: str | None = None
    settle: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _evidence(self) -> SourceEntry:
        problems = []
        if self.basis == "assumption":
            if not self.assumption:
                problems.append("an assumption needs 'assumption' saying why")
        else:
            for name in ("title", "date", "url", "quote"):
                if not getattr(self, name):
                    problems.append(f"a {self.basis} figure needs '{name}'")
            if self.url and not _deep_link(self.url):
                problems.append(
                    f"url {self.url!r} is a home page: link the document that holds the figure"
                )
            if self.basis == "derived" and not self.derivation:
                problems.append("a derived figure needs 'derivation' (the computation)")
            if self.basis == "published":
                said = " ".join(t for t in (self.quote, self.note) if t)
                if _ASSUMED.search(said):
                    problems.append(
                        "a published figure whose quote or note says it was assumed or "
                        "estimated: make it an assumption (or derived)"
                    )
            if self.assumption:
                problems.append(f"a {self.basis} figure has no 'assumption'")
        if self.date is not None and not _DATE.match(self.date):
            problems.append(f"date {self.date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def year(self) -> int | None:
        """Year of the publication (None for an assumption without a date)."""
        match = _DATE.match(self.date or "")
        return int(match.group(1)) if match else None

    def reference(self) -> str:
        """A short reference: publisher, date and title (and the link), or the assumption."""
        if self.basis == "assumption":
            return f"Assumption: {self.assumption}"
        parts = [p for p in (self.publisher, self.date) if p]
        text = ", ".join(parts) + (f": {self.title}" if self.title else "")
        return text + (f" <{self.url}>" if self.url else "")

    def cite(self) -> str:
        """A one-line citation for tables and popups, starting with the basis."""
        if self.basis == "assumption":
            return f"Assumption: {self.assumption}"
        parts = [p for p in (self.publisher, self.title, self.date) if p]
        text = f"{self.basis.capitalize()}: " + ", ".join(parts)
        if self.url:
            text += f" <{self.url}>"
        if self.quote:
            text += f' "{self.quote}"'
        if self.derivation:
            text += f" (derived: {self.derivation})"
        return text
