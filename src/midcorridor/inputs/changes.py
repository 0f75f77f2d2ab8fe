"""What a scenario changes: delays, services, capacities, freight costs, and closures.

Each change *selects* what it acts on by its selector fields (left out: everything; a
list: any of its values) and says what it does. :class:`ServiceChange` and
:class:`CapacityChange` may set any field of a network service or capacity: their fields
are made from :class:`~midcorridor.inputs.network_files.LinkService` and
:class:`~midcorridor.inputs.network_files.NodeCapacity` (:func:`settings_of`), so a field
added there can be changed by a scenario, and varied by a grid, without another edit.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import Field, create_model, field_validator, model_validator

from ..vocabulary import Corridor, CustomsStep, LinkMode, NodeKind, Passage, Sea, Shipment, Stage
from ._models import Strict, as_tuple
from .bounds import AddHours, CountryCode, MonthlyVolume, Scale, SetHours
from .network_files import LinkService, NodeCapacity

__all__ = [
    "CapacityChange",
    "CapacitySelectors",
    "Change",
    "Closures",
    "CostChange",
    "ServiceChange",
    "ServiceSelectors",
    "Settings",
    "numeric_settings",
    "settings_of",
]


class Change(Strict):
    """A change to the hours of the components it selects.

    Selectors left out match everything; a list matches any of its values. ``shipment``
    selects trips by what travels; ``figure_source`` selects the delays whose figure rests
    on these source keys (of ``network/sources.yaml``), e.g. one assumption. The action
    is exactly one of ``scale`` (multiply hours), ``set`` (hours become this) or ``add``
    (hours added, may be negative). Changes selecting the same delay compose in order and
    the result is floored at zero once, at the end.

    Bounds (:mod:`midcorridor.inputs.bounds`): ``scale`` 0 to
    :data:`~midcorridor.inputs.bounds.MAX_SCALE`,
    ``set`` 0 to :data:`~midcorridor.inputs.bounds.MAX_CHANGE_HOURS` hours, ``add`` within
    plus or minus :data:`~midcorridor.inputs.bounds.MAX_CHANGE_HOURS` hours; changes composed on
    one delay must stay within the same bounds.
    """

    stage: tuple[Stage, ...] | None = None
    step: tuple[CustomsStep, ...] | None = None
    country: tuple[CountryCode, ...] | None = None
    node: tuple[str, ...] | None = None
    node_kind: tuple[NodeKind, ...] | None = None
    link: tuple[str, ...] | None = None
    link_mode: tuple[LinkMode, ...] | None = None
    corridor: tuple[Corridor, ...] | None = None
    shipment: tuple[Shipment, ...] | None = None
    figure_source: tuple[str, ...] | None = None
    scale: Scale | None = None
    set: SetHours | None = None
    add: AddHours | None = None
    note: str = Field(min_length=1)
    source: str = Field(min_length=1)

    #: The fields that select delays (the rest is the action and its provenance).
    SELECTORS: ClassVar[tuple[str, ...]] = (
        "stage",
        "step",
        "country",
        "node",
        "node_kind",
        "link",
        "link_mode",
        "corridor",
        "shipment",
        "figure_source",
    )
    #: The actions, exactly one of which a change gives.
    ACTIONS: ClassVar[tuple[str, ...]] = ("scale", "set", "add")

    _listify = field_validator(*SELECTORS, mode="before")(as_tuple)

    @model_validator(mode="after")
    def _one_action(self) -> Change:
        actions = [a for a in self.ACTIONS if getattr(self, a) is not None]
        if len(actions) != 1:
            raise ValueError(
                "give exactly one of scale, set or add"
                + (f" (got {', '.join(actions)})" if actions else "")
            )
        return self


class Closures(Strict):
    """What is taken out of the network: countries (transit through them), nodes, links,
    and sea passages (``suez``: every deep-sea line through the Red Sea)."""

    countries: tuple[CountryCode, ...] = ()
    nodes: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    passages: tuple[Passage, ...] = ()
    note: str | None = None
    source: str | None = None

    def merged(self, other: Closures) -> Closures:
        """Union of two closure sets (``other``'s note and source win)."""
        return Closures(
            countries=tuple(dict.fromkeys((*self.countries, *other.countries))),
            nodes=tuple(dict.fromkeys((*self.nodes, *other.nodes))),
            links=tuple(dict.fromkeys((*self.links, *other.links))),
            passages=tuple(dict.fromkeys((*self.passages, *other.passages))),
            note=other.note or self.note,
            source=other.source or self.source,
        )

    def items(self) -> list[tuple[str, str]]:
        """Each closure as (kind, value), e.g. ("country", "RU")."""
        return (
            [("country", c) for c in self.countries]
            + [("node", n) for n in self.nodes]
            + [("link", lk) for lk in self.links]
            + [("passage", p) for p in self.passages]
        )


class Settings(Strict):
    """A change that sets fields of a network figure (:func:`settings_of` adds them).

    ``settable`` names them; :meth:`updates` gives the ones this change sets.
    """

    #: The figure's fields this kind of change may set.
    settable: ClassVar[tuple[str, ...]] = ()

    note: str = Field(min_length=1)
    source: str = Field(min_length=1)

    def updates(self) -> dict[str, Any]:
        """The figure's fields this change sets (those it gives), by name."""
        return {f: v for f in self.settable if (v := getattr(self, f)) is not None}


#: Fields of a network figure that are its provenance, not settings.
_PROVENANCE = ("source", "note")


def settings_of(
    figure: type[Strict], *, base: type[Settings], name: str, doc: str
) -> type[Settings]:
    """A change model: ``base`` (its selectors) plus every field of ``figure`` as an
    optional setting, with the figure's own bounds (None: keep the network's value)."""
    fields: dict[str, Any] = {
        field: (info.rebuild_annotation() | None, None)
        for field, info in figure.model_fields.items()
        if field not in _PROVENANCE
    }
    model = create_model(name, __base__=base, __doc__=doc, __module__=__name__, **fields)
    model.settable = tuple(fields)
    return model


def _takes_numbers(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _takes_numbers(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_takes_numbers(a) for a in get_args(annotation) if a is not type(None))
    return annotation in (int, float)


def numeric_settings(model: type[Settings]) -> tuple[str, ...]:
    """The settings of a change model that take a number (what a grid axis may vary)."""
    return tuple(f for f in model.settable if _takes_numbers(model.model_fields[f].annotation))


class ServiceSelectors(Settings):
    """What a service change selects: links by id or by the sea they cross."""

    link: tuple[str, ...] | None = None
    sea: tuple[Sea, ...] | None = None
    demand_teu_per_week: dict[Shipment, MonthlyVolume] | None = None

    SELECTORS: ClassVar[tuple[str, ...]] = ("link", "sea")

    _listify = field_validator(*SELECTORS, mode="before")(as_tuple)


class CapacitySelectors(Settings):
    """What a capacity change selects: nodes by id, name or alias."""

    node: tuple[str, ...] = Field(min_length=1)

    _listify = field_validator("node", mode="before")(as_tuple)


_SERVICE_DOC = """A change to ferry or shipping services: e.g. scheduled Caspian sailings.

Selects links by ``link`` ids or by ``sea``; it may set every field of a network
:class:`~midcorridor.inputs.network_files.LinkService` (``headway_hours``, ``vessels``,
``capacity_teu``, ...), within the same bounds; fields left out keep the network's values.
``demand_teu_per_week`` (shipment class -> TEU a week, one figure or 12 monthly ones) is
the cargo becoming ready for a *scheduled* service's departures: they then fill up,
classes board in their priority order, and what does not fit waits for the next
departure. Without it, every departure has room.
"""
_CAPACITY_DOC = """A change to the handling capacity of nodes (trains a day), e.g. a bigger port.

It may set every field of a network :class:`~midcorridor.inputs.network_files.NodeCapacity`
(``trains_per_day``, ``servers``), within the same bounds.
"""

if TYPE_CHECKING:  # type checkers see the selectors; the settings are made at run time
    ServiceChange = ServiceSelectors
    CapacityChange = CapacitySelectors
else:
    ServiceChange = settings_of(
        LinkService, base=ServiceSelectors, name="ServiceChange", doc=_SERVICE_DOC
    )
    CapacityChange = settings_of(
        NodeCapacity, base=CapacitySelectors, name="CapacityChange", doc=_CAPACITY_DOC
    )


class CostChange(Strict):
    """A change to the freight cost of the trips' legs (USD per loaded 40-ft container).

    Selects legs by ``link`` ids, ``node`` (charges there), ``country`` or ``kind``
    (``rail``, ``ferry``, ``sea``, ``charge``); ``sea`` selects ferry and sea legs by the
    water they cross (``ocean`` for deep-sea lines). Selectors left out match everything.
    The action is ``scale`` (multiply) or ``add_usd`` (added, may be negative; a leg's cost
    is floored at 0), e.g. a war-risk surcharge on every ocean leg.
    """

    link: tuple[str, ...] | None = None
    node: tuple[str, ...] | None = None
    country: tuple[CountryCode, ...] | None = None
    kind: tuple[Literal["rail", "ferry", "sea", "charge"], ...] | None = None
    sea: tuple[Sea, ...] | None = None
    scale: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    add_usd: float | None = Field(default=None, ge=-100_000, le=100_000, allow_inf_nan=False)
    note: str = Field(min_length=1)
    source: str = Field(min_length=1)

    #: The fields that select legs.
    SELECTORS: ClassVar[tuple[str, ...]] = ("link", "node", "country", "kind", "sea")

    _listify = field_validator(*SELECTORS, mode="before")(as_tuple)

    @model_validator(mode="after")
    def _one_action(self) -> CostChange:
        if (self.scale is None) == (self.add_usd is None):
            raise ValueError("give exactly one of scale or add_usd")
        return self
