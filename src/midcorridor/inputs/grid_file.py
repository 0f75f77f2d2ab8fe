"""Grid files (``grids/*.yaml``): a base scenario and axes, each a knob of the scenario.

An axis turns exactly one knob: a change's action (``scale``, ``set`` or ``add``), a
setting of a service or capacity change (any numeric field of a network service or
capacity: :func:`~midcorridor.inputs.changes.numeric_settings`), a corridor's volume, the
departure month or what travels. See ``grids/README.md``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from .._errors import ScenarioError
from ..vocabulary import SHIPMENTS, Corridor
from ._models import Strict
from ._read import UnreadableError, describe_validation, read_mapping, valid_keys_of
from .changes import CapacityChange, Change, ServiceChange, numeric_settings
from .scenario import RouteSpec

__all__ = [
    "AXIS_FIELDS",
    "GRID_NAME_PATTERN",
    "MAX_GRID_POINTS",
    "MEASURE_KNOBS",
    "MIN_UNCERTAINTY_DRAWS",
    "AnnualLossSpec",
    "Axis",
    "AxisCost",
    "AxisRange",
    "CostSource",
    "Design",
    "FrontierSpec",
    "GridFile",
    "read_grid_file",
]

#: Largest number of scenarios a grid may hold.
MAX_GRID_POINTS = 100_000
#: Fewest Latin-hypercube draws the uncertainty answer (RBD-FAST indices) can use.
MIN_UNCERTAINTY_DRAWS = 21
#: What a grid's name may be: it names the default results file (``results/NAME.parquet``),
#: so no folder separator and no leading dot.
GRID_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
#: Largest grid file read, bytes.
MAX_GRID_BYTES = 1_000_000
#: The knobs an axis may turn.
KNOBS = ("change", "service", "capacity", "dredge", "volume", "departure_month", "shipment")
#: Knobs whose axes are measures (what a policy moves, and may state the cost of).
MEASURE_KNOBS = ("change", "service", "capacity", "dredge")
#: Largest cost of one measure, USD: above it a cost is a typo (a missing decimal point).
MAX_COST_USD = 1e12
#: For the knobs that are changes: the fields an axis may vary, from the change models.
AXIS_FIELDS: dict[str, tuple[str, ...]] = {
    "change": Change.ACTIONS,
    "service": numeric_settings(ServiceChange),
    "capacity": numeric_settings(CapacityChange),
}


class AxisRange(Strict):
    """An axis's range: ``low`` to ``high`` (and ``steps`` values for a full grid)."""

    low: float = Field(allow_inf_nan=False)
    high: float = Field(allow_inf_nan=False)
    steps: int | None = Field(default=None, ge=2, le=1000)

    @model_validator(mode="after")
    def _ordered(self) -> AxisRange:
        if not self.low < self.high:
            raise ValueError(f"low must be below high, got {self.low} and {self.high}")
        return self


class CostSource(Strict):
    """Where a measure's cost comes from: the page, its date and the sentence that gives it."""

    url: str = Field(pattern=r"^https?://\S+$")
    date: str = Field(pattern=r"^\d{4}(-\d{2}){0,2}$")
    quote: str = Field(min_length=1)
    title: str = ""


class AxisCost(Strict):
    """The capital cost, USD, of moving a measure axis from today's value to ``at`` (the
    axis's only other value if not given). ``basis``: ``published`` (the source's figure in
    USD), ``derived`` (computed from a source, e.g. converted from tenge at a stated rate:
    say how in ``note``) or ``assumption`` (say what is assumed in ``note``)."""

    at: float | None = Field(default=None, allow_inf_nan=False)
    usd: float = Field(ge=0, le=MAX_COST_USD, allow_inf_nan=False)
    basis: Literal["published", "derived", "assumption"]
    source: CostSource | None = None
    note: str = ""

    @model_validator(mode="after")
    def _evidence(self) -> AxisCost:
        if self.basis != "assumption" and self.source is None:
            raise ValueError(f"a {self.basis} cost needs its source (url, date, quote)")
        if self.basis != "published" and not self.note.strip():
            raise ValueError(f"a {self.basis} cost needs a note saying how it was made")
        return self


class Axis(Strict):
    """One knob of the scenario and the values it takes.

    Exactly one knob: ``change`` (a scenario change whose ``field``, ``scale``, ``set``
    or ``add``, varies), ``service`` (a service change; ``field``: ``vessels``,
    ``headway_hours``, ``capacity_teu``, ...), ``capacity`` (a capacity change; ``field``:
    ``trains_per_day`` or ``servers``), ``dredge`` (a Caspian port id: the depth, m, it is
    dredged to keep at the base scenario's level), ``volume`` (a corridor's TEU a week),
    ``departure_month: true`` or ``shipment: true`` (what travels on every route). The
    first of ``values`` (or ``low`` of ``range``) is today's: the point every measure is
    counted from. A measure axis (``change``, ``service``, ``capacity``, ``dredge``) with
    ``values`` may state ``cost_usd``, the cost of its other values (:class:`AxisCost`);
    a value without one has an unknown cost.
    """

    name: str = Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")
    change: Change | None = None
    service: ServiceChange | None = None
    capacity: CapacityChange | None = None
    dredge: str | None = Field(default=None, min_length=1)
    volume: Corridor | None = None
    departure_month: bool = False
    shipment: bool = False
    field: str | None = None
    values: tuple[float | str, ...] | None = Field(default=None, min_length=1, max_length=1000)
    range: AxisRange | None = None
    cost_usd: tuple[AxisCost, ...] = Field(default=(), max_length=1000)

    @model_validator(mode="after")
    def _one_knob(self) -> Axis:
        knobs = [k for k in KNOBS if getattr(self, k) not in (None, False)]
        if len(knobs) != 1:
            raise ValueError(
                f"give exactly one knob of {', '.join(KNOBS)}"
                + (f" (got {', '.join(knobs)})" if knobs else "")
            )
        knob = knobs[0]
        allowed = AXIS_FIELDS.get(knob)
        if allowed is not None and self.field not in allowed:
            raise ValueError(f"field: for a {knob} axis one of {', '.join(allowed)}")
        if allowed is None and self.field is not None:
            raise ValueError(f"field is for change, service and capacity axes, not {knob}")
        if (self.values is None) == (self.range is None):
            raise ValueError("give exactly one of values or range")
        if self.shipment:
            bad = [v for v in self.values or () if v not in SHIPMENTS]
            if self.range is not None or bad:
                raise ValueError(f"a shipment axis takes values from {', '.join(SHIPMENTS)}")
        elif self.values is not None and any(isinstance(v, str) for v in self.values):
            raise ValueError("values must be numbers")
        if self.cost_usd:
            self._check_costs(knob)
        return self

    def _check_costs(self, knob: str) -> None:
        if knob not in MEASURE_KNOBS or self.values is None:
            raise ValueError(
                f"cost_usd is for measure axes ({', '.join(MEASURE_KNOBS)}) with values, "
                f"not a {knob} axis" + (" with a range" if self.range is not None else "")
            )
        others = [v for v in self.values if v != self.today]
        seen: set[float] = set()
        for k, cost in enumerate(self.cost_usd):
            if cost.at is None and len(others) != 1:
                raise ValueError(
                    f"cost_usd.{k}: give at, the value the cost buys (one of "
                    f"{', '.join(f'{v:g}' for v in others)})"
                )
            at = cost.at if cost.at is not None else float(others[0])
            if at not in others:
                raise ValueError(
                    f"cost_usd.{k}: at {at:g} is not one of the axis's values other than "
                    f"today's {self.today:g}"
                )
            if at in seen:
                raise ValueError(f"cost_usd.{k}: a second cost for value {at:g}")
            seen.add(at)

    def costs_usd(self) -> dict[float, AxisCost]:
        """Value -> its cost, for the values that state one."""
        others = [v for v in self.values or () if v != self.today]
        return {float(c.at if c.at is not None else others[0]): c for c in self.cost_usd}

    @property
    def knob(self) -> str:
        """Which knob of the scenario the axis turns."""
        return next(k for k in KNOBS if getattr(self, k) not in (None, False))

    @property
    def today(self) -> float | str:
        """The axis's first value: today's."""
        return self.values[0] if self.values is not None else self.range.low  # type: ignore[union-attr]

    def grid_values(self) -> tuple[float | str, ...]:
        """Values of a full factorial grid."""
        if self.values is not None:
            return self.values
        r = self.range
        assert r is not None
        steps = r.steps or 2
        return tuple(r.low + (r.high - r.low) * i / (steps - 1) for i in range(steps))

    def at(self, u: float) -> float | str:
        """The value at quantile ``u`` (0-1) of the axis, for Latin-hypercube draws: the
        range scaled, or one of the values."""
        if self.range is not None:
            return self.range.low + (self.range.high - self.range.low) * u
        values = self.grid_values()
        return values[min(int(u * len(values)), len(values) - 1)]


class Design(Strict):
    """How points are drawn: the full factorial, or ``latin_hypercube`` draws."""

    latin_hypercube: int = Field(ge=MIN_UNCERTAINTY_DRAWS, le=MAX_GRID_POINTS)


class FrontierSpec(Strict):
    """The question a policy grid answers (``midcorridor frontier``): ``route`` (a route
    label of the grid) reaching ``target_ratio`` of today's P50 days (or ``target_days``)."""

    route: str = Field(min_length=1)
    target_ratio: float | None = Field(default=None, gt=0, lt=1)
    target_days: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    note: str = ""

    @model_validator(mode="after")
    def _one_target(self) -> FrontierSpec:
        if (self.target_ratio is None) == (self.target_days is None):
            raise ValueError("give exactly one of target_ratio or target_days")
        return self


class AnnualLossSpec(Strict):
    """What values a policy grid's measure sets in avoided expected annual loss
    (``midcorridor frontier``): ``events``, scenario files (relative to the grid file)
    whose recurring events (``per_year`` and ``days_range``) are drawn over ``years`` on
    each set's scenario, following their routes, with ``samples`` Monte Carlo samples per
    trip of each event's run."""

    events: tuple[Annotated[str, Field(min_length=1)], ...] = Field(min_length=1, max_length=10)
    years: int = Field(default=5_000, ge=100, le=1_000_000)
    samples: int = Field(default=500, ge=100, le=100_000)


class GridFile(Strict):
    """What a grid file holds (see ``grids/README.md``)."""

    name: str = Field(min_length=1, max_length=80, pattern=GRID_NAME_PATTERN)
    description: str = ""
    base: str = Field(min_length=1)
    routes: tuple[RouteSpec, ...] | None = Field(default=None, min_length=1)
    samples: int = Field(default=2_000, ge=100, le=2_000_000)
    seed: int = Field(default=0, ge=0, lt=2**63)
    design: Literal["full"] | Design = "full"
    choice: bool = False
    #: The scenario file (relative to the grid file) the corridor choice is calibrated on
    #: (None: ``base``), e.g. today's when the base is a changed world.
    choice_baseline: str | None = Field(default=None, min_length=1)
    axes: tuple[Axis, ...] = Field(min_length=1, max_length=32)
    frontier: FrontierSpec | None = None
    annual_loss: AnnualLossSpec | None = None

    @model_validator(mode="after")
    def _names(self) -> GridFile:
        names = [a.name for a in self.axes]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"axes: each name once, got {', '.join(twice)} twice")
        if self.annual_loss is not None and self.design != "full":
            raise ValueError(
                "annual_loss values the measure sets of a policy grid: give it with the "
                "full design, not latin_hypercube draws"
            )
        return self


_NESTED: dict[str, type[Strict]] = {
    "annual_loss": AnnualLossSpec,
    "axes": Axis,
    "axes.cost_usd": AxisCost,
    "axes.cost_usd.source": CostSource,
    "design": Design,
    "frontier": FrontierSpec,
    "routes": RouteSpec,
}


def read_grid_file(path: Path) -> tuple[GridFile, str]:
    """The grid file at ``path``, validated, and its text (whose digest names the grid).

    Raises
    ------
    ScenarioError
        Naming the file, the field and the problem.
    """
    try:
        data, text = read_mapping(
            path, what="grid file", max_bytes=MAX_GRID_BYTES, holds="fields (name, axes, ...)"
        )
    except UnreadableError as exc:
        raise ScenarioError(str(exc)) from None
    try:
        spec = GridFile.model_validate(data)
    except ValidationError as exc:
        problems = describe_validation(path, exc, valid_keys_of(GridFile, _NESTED))
        raise ScenarioError(f"{path}: invalid grid.", _name_axes(problems, data)) from None
    return spec, text


def _name_axes(problems: list[str], data: dict[str, Any]) -> list[str]:
    """Problems of a field under ``axes.N`` with the axis's name added, where it has one."""
    axes = data.get("axes")
    if not isinstance(axes, list):
        return problems
    out = []
    for line in problems:
        match = re.search(r"field (axes\.(\d+)[^:]*):", line)
        index = int(match.group(2)) if match else len(axes)
        axis = axes[index] if index < len(axes) else None
        if match and isinstance(axis, dict) and isinstance(axis.get("name"), str):
            line = line.replace(match.group(0), f"field {match.group(1)} (axis {axis['name']}):", 1)
        out.append(line)
    return out
