"""The bounds of every figure, declared once, and the bounded types the file models use.

Bounds are generous for any plausible corridor and tight enough that every computation
stays finite and every simulated run fits in memory: the network files, scenario files and
grid axes are checked against the same :class:`Bounds`. :class:`Range` is a three-point
estimate ``{low, mode, high}`` (what the model samples as PERT); :class:`HoursRange`,
:class:`SpeedRange`, :class:`UsdRange` and :class:`FactorRange` are the same read from a
file, within the bounds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from ..vocabulary import pert_mean
from ._models import Strict


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
#: Largest log-sd of a trip's pace (``shipments.yaml``, and after a scenario's changes):
#: a factor within 0.28-3.6 of its median in 80% of trips.
MAX_PACE_LOG_SD = 1.0


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

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """As a pydantic annotation (``Annotated[float, HOURS_BOUNDS]``): checked after
        the number is read."""
        return core_schema.no_info_after_validator_function(self, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The bounds in words as the JSON schema's description."""
        out = handler(schema)
        out["description"] = self.text()
        return out

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
PACE_BOUNDS = Bounds(0, MAX_PACE_LOG_SD, "")
SET_HOURS_BOUNDS = Bounds(0, MAX_CHANGE_HOURS, "hours", note="(ten years)")
ADD_HOURS_BOUNDS = Bounds(-MAX_CHANGE_HOURS, MAX_CHANGE_HOURS, "hours", note="(ten years)")


#: Hours of a duration, above 0 and at most :data:`MAX_HOURS`.
Hours = Annotated[float, HOURS_BOUNDS]
#: Hours of a point of a three-point estimate, 0 to :data:`MAX_HOURS`.
RangeHours = Annotated[float, RANGE_HOURS_BOUNDS]
#: Length of a link, km.
LengthKm = Annotated[float, LENGTH_BOUNDS]
#: Commercial speed of a block train, km a day.
SpeedKmPerDay = Annotated[float, SPEED_BOUNDS]
#: Capacity of one sailing, TEU.
CapacityTeu = Annotated[float, CAPACITY_TEU_BOUNDS]
#: Vessels on a service.
Vessels = Annotated[int, VESSELS_BOUNDS]
#: Handling capacity of a node, trains a day.
TrainsPerDay = Annotated[float, TRAINS_PER_DAY_BOUNDS]
#: Parallel servers at a node.
Servers = Annotated[int, SERVERS_BOUNDS]


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
Scale = Annotated[float, SCALE_BOUNDS]
#: ``set`` of a scenario change, hours.
SetHours = Annotated[float, SET_HOURS_BOUNDS]
#: ``add`` of a scenario change, hours.
AddHours = Annotated[float, ADD_HOURS_BOUNDS]


class Range(Strict):
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
