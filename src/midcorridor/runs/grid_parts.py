"""The settings of a scenario a grid's axes turn, each value checked with the bounds of
the field it sets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, TypeAdapter

from ..inputs.bounds import MonthlyVolume
from ..inputs.caspian_files import DepthM
from ..inputs.grid_file import Axis
from ..inputs.scenario import RouteSpec, Scenario

__all__ = ["Parts"]

_MONTH = Scenario.model_fields["departure_month"]
_MONTH_ADAPTER: TypeAdapter[int | None] = TypeAdapter(
    Annotated[_MONTH.annotation, _MONTH]  # type: ignore[arg-type]
)
_VOLUME_ADAPTER: TypeAdapter[Any] = TypeAdapter(MonthlyVolume)
_DEPTH_ADAPTER: TypeAdapter[float] = TypeAdapter(DepthM)


@dataclass(frozen=True)
class Parts:
    """The settings of a scenario an axis can turn."""

    changes: tuple[Any, ...]
    services: tuple[Any, ...]
    capacities: tuple[Any, ...]
    dredge: Mapping[str, float]
    volume: Mapping[str, Any]
    routes: tuple[RouteSpec, ...]
    month: int | None

    @classmethod
    def of(cls, scenario: Scenario) -> Parts:
        return cls(
            tuple(scenario.changes),
            tuple(scenario.services),
            tuple(scenario.capacities),
            dict(scenario.dredge),
            dict(scenario.volume.items()),
            tuple(scenario.routes),
            scenario.departure_month,
        )

    def turned(self, axis: Axis, value: float | str) -> Parts:
        """These settings with ``axis`` at ``value``, the piece it sets validated.

        Raises
        ------
        pydantic.ValidationError
            When the value is out of the bounds of the field it sets.
        """
        from dataclasses import replace

        if axis.change is not None:
            change = _with(axis.change, str(axis.field), value)
            return replace(self, changes=(*self.changes, change))
        if axis.service is not None:
            service = _with(axis.service, str(axis.field), value)
            return replace(self, services=(*self.services, service))
        if axis.capacity is not None:
            capacity = _with(axis.capacity, str(axis.field), value)
            return replace(self, capacities=(*self.capacities, capacity))
        if axis.dredge is not None:
            dredge = {**self.dredge, axis.dredge: _DEPTH_ADAPTER.validate_python(value)}
            return replace(self, dredge=dredge)
        if axis.volume is not None:
            volume = {**self.volume, axis.volume: _VOLUME_ADAPTER.validate_python(value)}
            return replace(self, volume=volume)
        if axis.departure_month:
            month = round(float(value)) if axis.range is not None else value
            return replace(self, month=_MONTH_ADAPTER.validate_python(month))
        return replace(self, routes=tuple(_with(r, "shipment", value) for r in self.routes))


_Model = TypeVar("_Model", bound=BaseModel)


def _with(template: _Model, field: str, value: float | str) -> _Model:
    """``template`` (a change, a route) with ``field`` set to ``value``, validated."""
    data = template.model_dump()
    if "ACTIONS" in dir(template):  # a change: one action, the varied one
        data.update(dict.fromkeys(template.ACTIONS))  # type: ignore[attr-defined]
    data[field] = value
    return type(template).model_validate(data)
