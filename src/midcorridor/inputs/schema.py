"""Pydantic models of the network files (``network/*.geojson``, ``network/sources.yaml``).

See ``docs/data-model.md`` for the meaning of each field.

The bounds of every figure, in the network and in scenario files, are declared once here
(:class:`Bounds` and the constants ``MAX_*`` / ``MIN_*``): generous for any plausible
corridor, and tight enough that every computation stays finite and every simulated run
fits in memory. :class:`Range`, :class:`Service`, :class:`Capacity` and :class:`Weather`
are what the time model and the queue engine take (positive, finite figures);
:class:`HoursRange`, :class:`SpeedRange`, :class:`LinkService`, :class:`LinkWeather` and
:class:`NodeCapacity` are the same read from a file, within the bounds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from ..vocabulary import (
    CHOICE_CORRIDORS,
    ChoiceCorridor,
    Connection,
    Dispatch,
    LinkMode,
    NodeKind,
    NodeStage,
    Passage,
    Sea,
    Shipment,
    pert_mean,
)


def _country_code(value: str) -> str:
    if len(value) != 2 or not value.isascii() or not value.isalpha():
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return value


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


#: An ISO 3166-1 alpha-2 country code, upper-cased (``ru`` is read as ``RU``).
CountryCode = Annotated[str, BeforeValidator(_upper), AfterValidator(_country_code)]


# --- bounds ----------------------------------------------------------------------------

#: Longest duration of one figure (a process, a sailing, a storm hold, a headway, a round
#: trip, a hold limit), hours: a year.
MAX_HOURS = 8_760.0
#: Longest link, km (the Earth's circumference: a sea leg round the Cape is 27,000 km).
MAX_LENGTH_KM = 40_000.0
#: Slowest and fastest commercial speed of a block train, km a day.
MIN_SPEED_KM_PER_DAY = 1.0
MAX_SPEED_KM_PER_DAY = 5_000.0
#: Smallest and largest capacity of one sailing, TEU.
MIN_CAPACITY_TEU = 1.0
MAX_CAPACITY_TEU = 100_000.0
#: Largest fleet on one service, vessels.
MAX_VESSELS = 1_000
#: Shortest mean storm hold on a crossing with closures, hours.
MIN_MEAN_STORM_HOLD_HOURS = 1.0
#: Smallest and largest handling capacity of a node, trains a day.
MIN_TRAINS_PER_DAY = 0.01
MAX_TRAINS_PER_DAY = 10_000.0
#: Most parallel servers (tracks, gantries, lanes) at a node.
MAX_SERVERS = 1_000
#: Smallest positive and largest cargo volume of a corridor, TEU a week. Below the
#: smallest, the two simulated years hold too few trains (of 84 TEU) to sample waits from;
#: 0 means no volume (no queue is simulated).
MIN_VOLUME_TEU_PER_WEEK = 20.0
MAX_VOLUME_TEU_PER_WEEK = 100_000.0
#: Largest ``set`` and ``add`` of a scenario change (and of changes composed), hours: ten
#: years.
MAX_CHANGE_HOURS = 87_600.0
#: Largest ``scale`` of a scenario change (and of changes composed).
MAX_SCALE = 1_000.0


def _number(value: float) -> str:
    return f"{value:,g}" if isinstance(value, float) else f"{value:,}"


@dataclass(frozen=True)
class Bounds:
    """The allowed values of a figure: ``[low, high]`` (``(low, high]`` if ``low_open``).

    Used as a pydantic ``AfterValidator``: a value outside is refused with a message
    stating the bounds; non-finite values are always refused; ``-0.0`` is read as ``0``.

    Parameters
    ----------
    low, high
        The bounds.
    unit
        Unit of the figure, for messages ("hours", "TEU a week").
    low_open
        Whether ``low`` itself is excluded.
    or_zero
        Whether 0 is allowed too (below ``low``).
    note
        What the bounds mean, e.g. "(a year)".
    """

    low: float
    high: float
    unit: str
    low_open: bool = False
    or_zero: bool = False
    note: str = ""

    def text(self) -> str:
        """The bounds in words, e.g. "above 0 and at most 8,760 hours (a year)"."""
        if self.low_open:
            words = f"above {_number(self.low)} and at most {_number(self.high)}"
        else:
            words = f"from {_number(self.low)} to {_number(self.high)}"
        parts = ["0 or" if self.or_zero else "", words, self.unit, self.note]
        return " ".join(p for p in parts if p)

    def contains(self, value: float) -> bool:
        """Whether ``value`` is allowed."""
        try:
            if not math.isfinite(value):
                return False
        except OverflowError:  # an int beyond any float
            return False
        if self.or_zero and value == 0:
            return True
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high

    def __call__(self, value: float) -> float:
        if not self.contains(value):
            try:
                got = f"{value:g}"
            except OverflowError:
                got = f"a number of about {int(int(value).bit_length() * 0.30103) + 1:,} digits"
            raise ValueError(f"must be {self.text()}, got {got}")
        return value + 0  # -0.0 becomes 0.0


HOURS_BOUNDS = Bounds(0, MAX_HOURS, "hours", low_open=True, note="(a year)")
RANGE_HOURS_BOUNDS = Bounds(0, MAX_HOURS, "hours", note="(a year)")
LENGTH_BOUNDS = Bounds(0, MAX_LENGTH_KM, "km", low_open=True)
SPEED_BOUNDS = Bounds(MIN_SPEED_KM_PER_DAY, MAX_SPEED_KM_PER_DAY, "km a day")
CAPACITY_TEU_BOUNDS = Bounds(MIN_CAPACITY_TEU, MAX_CAPACITY_TEU, "TEU a sailing")
VESSELS_BOUNDS = Bounds(1, MAX_VESSELS, "vessels")
TRAINS_PER_DAY_BOUNDS = Bounds(MIN_TRAINS_PER_DAY, MAX_TRAINS_PER_DAY, "trains a day")
SERVERS_BOUNDS = Bounds(1, MAX_SERVERS, "servers")
VOLUME_BOUNDS = Bounds(
    MIN_VOLUME_TEU_PER_WEEK,
    MAX_VOLUME_TEU_PER_WEEK,
    "TEU a week",
    or_zero=True,
    note="(0: no queues simulated)",
)
SCALE_BOUNDS = Bounds(0, MAX_SCALE, "")
SET_HOURS_BOUNDS = Bounds(0, MAX_CHANGE_HOURS, "hours", note="(ten years)")
ADD_HOURS_BOUNDS = Bounds(-MAX_CHANGE_HOURS, MAX_CHANGE_HOURS, "hours", note="(ten years)")


#: Hours of a duration, above 0 and at most :data:`MAX_HOURS`.
Hours = Annotated[float, AfterValidator(HOURS_BOUNDS), Field(description=HOURS_BOUNDS.text())]
#: Hours of a point of a three-point estimate, 0 to :data:`MAX_HOURS`.
RangeHours = Annotated[
    float, AfterValidator(RANGE_HOURS_BOUNDS), Field(description=RANGE_HOURS_BOUNDS.text())
]
#: Length of a link, km.
LengthKm = Annotated[float, AfterValidator(LENGTH_BOUNDS), Field(description=LENGTH_BOUNDS.text())]
#: Commercial speed of a block train, km a day.
SpeedKmPerDay = Annotated[
    float, AfterValidator(SPEED_BOUNDS), Field(description=SPEED_BOUNDS.text())
]
#: Capacity of one sailing, TEU.
CapacityTeu = Annotated[
    float, AfterValidator(CAPACITY_TEU_BOUNDS), Field(description=CAPACITY_TEU_BOUNDS.text())
]
#: Vessels on a service.
Vessels = Annotated[int, AfterValidator(VESSELS_BOUNDS), Field(description=VESSELS_BOUNDS.text())]
#: Handling capacity of a node, trains a day.
TrainsPerDay = Annotated[
    float, AfterValidator(TRAINS_PER_DAY_BOUNDS), Field(description=TRAINS_PER_DAY_BOUNDS.text())
]
#: Parallel servers at a node.
Servers = Annotated[int, AfterValidator(SERVERS_BOUNDS), Field(description=SERVERS_BOUNDS.text())]
#: Cargo volume of a corridor, TEU a week (0: none).
VolumeTeuPerWeek = Annotated[
    float, AfterValidator(VOLUME_BOUNDS), Field(description=VOLUME_BOUNDS.text())
]


def _one_volume(value: object, where: str = "") -> float:
    """One volume, TEU a week; a number written as text ("1e3") is read as pydantic does."""
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise TypeError
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"must be a number of TEU a week{where}, got {value!r:.40}") from None
    try:
        return VOLUME_BOUNDS(number)
    except ValueError as exc:
        raise ValueError(f"{exc}{where}") from None


def _monthly_volume(value: object) -> float | tuple[float, ...]:
    if isinstance(value, list | tuple):
        if len(value) != 12:
            raise ValueError(
                f"give one volume or 12 monthly volumes (January first), got {len(value)}"
            )
        return tuple(_one_volume(v, f" (month {i})") for i, v in enumerate(value, start=1))
    return _one_volume(value)


#: TEU a week on a corridor: one figure for the year, or 12 monthly figures (January
#: first); each 0 or within :data:`VOLUME_BOUNDS`.
MonthlyVolume = Annotated[
    float | tuple[float, ...],
    PlainValidator(_monthly_volume),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "array", "items": {"type": "number"}}]}),
]
#: ``scale`` of a scenario change.
Scale = Annotated[float, AfterValidator(SCALE_BOUNDS), Field(description=SCALE_BOUNDS.text())]
#: ``set`` of a scenario change, hours.
SetHours = Annotated[
    float, AfterValidator(SET_HOURS_BOUNDS), Field(description=SET_HOURS_BOUNDS.text())
]
#: ``add`` of a scenario change, hours.
AddHours = Annotated[
    float, AfterValidator(ADD_HOURS_BOUNDS), Field(description=ADD_HOURS_BOUNDS.text())
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Strict):
    """A three-point estimate ``{low, mode, high}``, sampled as a PERT distribution."""

    low: float = Field(ge=0, allow_inf_nan=False)
    mode: float = Field(ge=0, allow_inf_nan=False)
    high: float = Field(ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"must satisfy low <= mode <= high, got {self.low}, {self.mode}, {self.high}"
            )
        return self

    @property
    def mean(self) -> float:
        """PERT mean (:func:`pert_mean`)."""
        return pert_mean(self.low, self.mode, self.high)


class HoursRange(Range):
    """A :class:`Range` of hours read from a file: each point 0 to :data:`MAX_HOURS`."""

    low: RangeHours
    mode: RangeHours
    high: RangeHours


class SpeedRange(Range):
    """A :class:`Range` of train speeds, km a day: each point :data:`MIN_SPEED_KM_PER_DAY`
    to :data:`MAX_SPEED_KM_PER_DAY`."""

    low: SpeedKmPerDay
    mode: SpeedKmPerDay
    high: SpeedKmPerDay


class Process(_Strict):
    """Something that happens to a container at a node, taking hours."""

    stage: NodeStage
    hours: HoursRange
    probability: float = Field(default=1.0, ge=0, le=1, allow_inf_nan=False)
    modes: tuple[LinkMode, ...] | None = None
    applies: Literal["always", "ends", "through"] = "always"
    #: Last year whose conditions this describes (a crisis, a congested year): the
    #: process applies only to scenarios of that era or earlier.
    until: int | None = Field(default=None, ge=1990, le=2100)
    source: str
    note: str | None = None


class Capacity(_Strict):
    """Handling capacity of a node (border, gauge change, port), in trains a day.

    What the queue engine takes (any positive figures); a node's capacity in the network
    file is a :class:`NodeCapacity`.
    """

    trains_per_day: float = Field(gt=0, allow_inf_nan=False)
    servers: int = Field(default=1, ge=1)
    source: str
    note: str | None = None


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


class NodeProps(_Strict):
    """Properties of a node feature."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    countries: tuple[CountryCode, ...] = Field(min_length=1, max_length=2)
    kind: NodeKind
    processes: tuple[Process, ...] = ()
    capacity: NodeCapacity | None = None
    note: str | None = None


class Service(_Strict):
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


class Weather(_Strict):
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


#: Numeric fields of a link that need an entry in its ``sources``.
LINK_SOURCED_FIELDS = (
    "length_km",
    "gauge_mm",
    "speed_km_per_day",
    "sailing_hours",
    "service",
    "weather",
    "closed_since",
)


class LinkProps(_Strict):
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


class ShipmentProcess(_Strict):
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
    note: str | None = None

    @model_validator(mode="after")
    def _one_place(self) -> ShipmentProcess:
        if (self.at is None) == (self.nodes is None):
            raise ValueError("give exactly one of at (origin or destination) or nodes")
        if self.months is not None and len(set(self.months)) != len(self.months):
            raise ValueError(f"months: each month once, got {list(self.months)}")
        return self

    def probability_by_month(self) -> tuple[float, ...] | None:
        """``probability`` in the listed ``months`` (of departure) and 0 in the others."""
        if self.months is None:
            return None
        return tuple(self.probability if m in self.months else 0.0 for m in range(1, 13))


class ShipmentClass(_Strict):
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
    """

    description: str = Field(min_length=1)
    priority: int = Field(ge=1, le=10)
    connection: Connection
    plan_quantile: float | None = Field(default=None, ge=0.5, le=0.99)
    sources: dict[Literal["priority", "plan_quantile"], str]
    processes: tuple[ShipmentProcess, ...] = ()

    @model_validator(mode="after")
    def _booked_plan(self) -> ShipmentClass:
        if (self.connection == "booked") != (self.plan_quantile is not None):
            raise ValueError("plan_quantile is given for, and only for, a booked connection")
        missing = [f for f in ("priority", "plan_quantile") if getattr(self, f) is not None]
        missing = [f for f in missing if f not in self.sources]
        if missing:
            raise ValueError(f"sources: no source for {', '.join(missing)}")
        return self


#: Largest charge of one leg or place, USD per loaded 40-ft container.
MAX_USD = 1_000_000.0
#: Largest emission factor, g CO2e per tonne-km (air freight is about 1,000).
MAX_G_PER_TKM = 5_000.0


class UsdRange(Range):
    """A :class:`Range` of USD per loaded 40-ft container: each point 0 to :data:`MAX_USD`."""

    low: float = Field(ge=0, le=MAX_USD, allow_inf_nan=False)
    mode: float = Field(ge=0, le=MAX_USD, allow_inf_nan=False)
    high: float = Field(ge=0, le=MAX_USD, allow_inf_nan=False)


class FactorRange(Range):
    """A :class:`Range` of an emission or energy factor per tonne-km: 0 to
    :data:`MAX_G_PER_TKM`."""

    low: float = Field(ge=0, le=MAX_G_PER_TKM, allow_inf_nan=False)
    mode: float = Field(ge=0, le=MAX_G_PER_TKM, allow_inf_nan=False)
    high: float = Field(ge=0, le=MAX_G_PER_TKM, allow_inf_nan=False)


def _all_sourced(model: BaseModel, sources: Mapping[Any, str], fields: Sequence[str]) -> None:
    missing = [f for f in fields if getattr(model, f) is not None and f not in sources]
    if missing:
        raise ValueError(f"sources: no source for {', '.join(missing)}")


class Cargo(_Strict):
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


class EmissionFactors(_Strict):
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


class RailCountry(_Strict):
    """Rail in one country: the tariff of a loaded 40-ft container, and its traction."""

    usd_per_km: UsdRange
    electrified_share: float = Field(ge=0, le=1, allow_inf_nan=False)
    grid_g_per_kwh: float = Field(ge=0, le=2_000, allow_inf_nan=False)
    sources: dict[Literal["usd_per_km", "electrified_share", "grid_g_per_kwh"], str]

    @model_validator(mode="after")
    def _sourced(self) -> RailCountry:
        _all_sourced(self, self.sources, ("usd_per_km", "electrified_share", "grid_g_per_kwh"))
        return self


class Charge(_Strict):
    """A charge per loaded 40-ft container at a place or for a crossing, USD.

    ``modes`` and ``applies`` select the trips it is paid by, as for a node's processes.
    """

    what: str = Field(min_length=1)
    usd: UsdRange
    modes: tuple[LinkMode, ...] | None = None
    applies: Literal["always", "ends", "through"] = "always"
    source: str
    note: str | None = None


class CostBook(_Strict):
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


class SourcedValue(_Strict):
    """A number and the source key it rests on."""

    value: float = Field(ge=0, allow_inf_nan=False)
    source: str


class Market(_Strict):
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


class ChoiceBook(_Strict):
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


#: What a figure rests on (``sources.yaml``): a publication that states it, a computation
#: from published figures, or an assumption.
Basis = Literal["published", "derived", "assumption"]
BASES: tuple[Basis, ...] = ("published", "derived", "assumption")

_DATE = re.compile(r"^(\d{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
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


class SourceEntry(_Strict):
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
