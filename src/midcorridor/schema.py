"""Pydantic models of the network files (``network/*.geojson``, ``network/sources.yaml``).

See ``docs/data-model.md`` for the meaning of each field.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from .vocabulary import (
    Dispatch,
    LinkMode,
    NodeKind,
    NodeStage,
    Sea,
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


class Process(_Strict):
    """Something that happens to a container at a node, taking hours."""

    stage: NodeStage
    hours: Range
    probability: float = Field(default=1.0, ge=0, le=1, allow_inf_nan=False)
    modes: tuple[LinkMode, ...] | None = None
    applies: Literal["always", "ends", "through"] = "always"
    source: str
    note: str | None = None


class Capacity(_Strict):
    """Handling capacity of a node (border, gauge change, port), in trains a day."""

    trains_per_day: float = Field(gt=0, allow_inf_nan=False)
    servers: int = Field(default=1, ge=1)
    source: str
    note: str | None = None


class NodeProps(_Strict):
    """Properties of a node feature."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    countries: tuple[CountryCode, ...] = Field(min_length=1, max_length=2)
    kind: NodeKind
    processes: tuple[Process, ...] = ()
    capacity: Capacity | None = None
    note: str | None = None


class Service(_Strict):
    """A ferry or shipping service on a link."""

    dispatch: Dispatch
    headway_hours: float = Field(gt=0, allow_inf_nan=False)
    capacity_teu: float = Field(gt=0, allow_inf_nan=False)
    vessels: int = Field(ge=1)
    round_trip_hours: float = Field(gt=0, allow_inf_nan=False)
    max_hold_hours: float | None = Field(default=None, gt=0, allow_inf_nan=False)


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
    length_km: float = Field(gt=0, allow_inf_nan=False)
    gauge_mm: Literal[1435, 1520] | None = None
    speed_km_per_day: Range | None = None
    sailing_hours: Range | None = None
    service: Service | None = None
    weather: Weather | None = None
    status: Literal["open", "closed"] = "open"
    closed_since: int | None = Field(default=None, ge=1800, le=2100)
    closed_reason: str | None = None
    sources: dict[str, str]
    note: str | None = None

    @model_validator(mode="after")
    def _mode_fields(self) -> LinkProps:
        problems = []
        if self.mode == "rail":
            if self.gauge_mm is None:
                problems.append("a rail link needs gauge_mm")
            if self.speed_km_per_day is None:
                problems.append("a rail link needs speed_km_per_day")
            if self.speed_km_per_day is not None and self.speed_km_per_day.low <= 0:
                problems.append("speed_km_per_day.low must be above 0")
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
        if self.status == "closed" and not (self.closed_since and self.closed_reason):
            problems.append("a closed link needs closed_since and closed_reason")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class SourceEntry(_Strict):
    """One entry of ``sources.yaml``: a publication, or a stated assumption."""

    title: str | None = None
    publisher: str | None = None
    year: int | None = None
    url: str | None = None
    assumption: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _publication_or_assumption(self) -> SourceEntry:
        if self.assumption is None and not (self.title and (self.url or self.publisher)):
            raise ValueError(
                "a source needs a title with a url or publisher, or an 'assumption' saying why"
            )
        return self

    def cite(self) -> str:
        """A one-line citation for tables and popups."""
        if self.assumption is not None and not self.title:
            return f"Assumption: {self.assumption}"
        parts = [p for p in (self.publisher, self.title, str(self.year or "")) if p]
        text = ", ".join(parts)
        if self.url:
            text += f" <{self.url}>"
        if self.assumption is not None:
            text += f" (assumption: {self.assumption})"
        return text
