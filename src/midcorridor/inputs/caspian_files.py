"""The Caspian's level, port depths and ferry drafts, and a scenario's level and dredging.

``network/caspian.yaml`` (:class:`CaspianBook`) holds the sea's level (m in the Baltic
height system, BS) as observed by year and as forecast by year on two paths, the depth of
each Caspian port with the level at which it holds, and the design draft and keel
clearance of each Caspian ferry service's vessels. A scenario sets the level it runs at
(:class:`CaspianLevel`, ``caspian:``) and the ports it dredges (``dredge:``, port id ->
depth in m at that level); :mod:`midcorridor.model.sea_level` turns them into each
crossing's load factor.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ._models import Strict

__all__ = [
    "CaspianBook",
    "CaspianLevel",
    "DepthM",
    "Fleet",
    "Forecast",
    "LevelFigure",
    "LevelM",
    "LevelPath",
    "PortDepth",
]

#: A level of the Caspian, m BS (the sea lies about 27-34 m below the Baltic's level).
LevelM = Annotated[float, Field(ge=-40, le=-20, allow_inf_nan=False)]
#: A depth of water at a port, m.
DepthM = Annotated[float, Field(gt=0, le=30, allow_inf_nan=False)]
#: A forecast path: Kazhydromet's optimistic (RCP4.5) and pessimistic (RCP8.5) scenarios.
LevelPath = Literal["optimistic", "pessimistic"]


class LevelFigure(Strict):
    """The sea's level observed in one year, m BS."""

    year: int = Field(ge=1800, le=2100)
    level_m: LevelM
    source: str = Field(min_length=1)
    note: str | None = None


class Forecast(Strict):
    """The level forecast for one year on each path, m BS."""

    optimistic: LevelM
    pessimistic: LevelM
    source: str = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Forecast:
        if self.pessimistic > self.optimistic:
            raise ValueError(
                f"pessimistic {self.pessimistic:g} m is above optimistic {self.optimistic:g} m"
            )
        return self


class PortDepth(Strict):
    """A port's depth of water, m, when the sea stands at ``at_level_m`` (m BS)."""

    depth_m: DepthM
    at_level_m: LevelM
    source: str = Field(min_length=1)
    note: str | None = None


class Fleet(Strict):
    """The vessels of one Caspian ferry service: design draft and keel clearance, m.

    A loaded vessel needs ``draft_m + keel_clearance_m`` of water; with less it sails
    lighter (:func:`midcorridor.model.sea_level.load_factor`). ``sources`` names the
    source key of each figure.
    """

    draft_m: DepthM
    keel_clearance_m: float = Field(ge=0, le=20, allow_inf_nan=False)
    sources: dict[Literal["draft_m", "keel_clearance_m"], str]
    note: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Fleet:
        missing = [f for f in ("draft_m", "keel_clearance_m") if not self.sources.get(f)]
        if missing:
            raise ValueError(f"sources: give the source of {' and '.join(missing)}")
        return self


class CaspianBook(Strict):
    """``network/caspian.yaml``: levels observed and forecast, port depths, ferry drafts.

    Attributes
    ----------
    observed
        The level in the years it was measured, oldest first.
    forecasts
        Year -> the level forecast on each path.
    ports
        Port node id -> its depth and the level it holds at.
    vessels
        Caspian ferry link id -> its vessels' draft and keel clearance.
    """

    observed: tuple[LevelFigure, ...] = Field(min_length=1)
    forecasts: dict[int, Forecast] = Field(default_factory=dict)
    ports: dict[str, PortDepth] = Field(min_length=1)
    vessels: dict[str, Fleet] = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _years(self) -> CaspianBook:
        years = [f.year for f in self.observed]
        if years != sorted(set(years)):
            raise ValueError(f"observed: give each year once, oldest first (got {years})")
        twice = sorted(set(years) & set(self.forecasts))
        if twice:
            raise ValueError(f"forecasts: {twice[0]} is an observed year")
        return self

    def level_range(self) -> tuple[float, float]:
        """The lowest and highest level published (observed or forecast), m BS."""
        levels = [f.level_m for f in self.observed]
        levels += [v for f in self.forecasts.values() for v in (f.optimistic, f.pessimistic)]
        return min(levels), max(levels)

    def source_keys(self) -> list[tuple[str, str]]:
        """``(field, source key)`` of every figure."""
        out = [(f"observed.{i}.source", f.source) for i, f in enumerate(self.observed)]
        out += [(f"forecasts.{y}.source", f.source) for y, f in self.forecasts.items()]
        out += [(f"ports.{p}.source", d.source) for p, d in self.ports.items()]
        out += [
            (f"vessels.{k}.sources.{f}", key)
            for k, v in self.vessels.items()
            for f, key in v.sources.items()
        ]
        return out


class CaspianLevel(Strict):
    """The level a scenario runs the Caspian at (``caspian:``): a published year, on a
    forecast ``path`` for a forecast year (``{year: 2030, path: pessimistic}``), or a
    ``level_m`` in m BS within the published range."""

    year: int | None = Field(default=None, ge=1800, le=2100)
    path: LevelPath | None = None
    level_m: float | None = Field(default=None, allow_inf_nan=False)
    note: str | None = None

    @model_validator(mode="after")
    def _one(self) -> CaspianLevel:
        if (self.year is None) == (self.level_m is None):
            raise ValueError("give exactly one of year (with path for a forecast) or level_m")
        if self.path is not None and self.year is None:
            raise ValueError("path goes with a forecast year, not with level_m")
        return self
