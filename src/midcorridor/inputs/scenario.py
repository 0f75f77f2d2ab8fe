"""Scenario files: YAML validated by pydantic, with ``extends`` inheritance.

A scenario names the routes to time, the departure month, the sampling settings, the
cargo volume, and the changes and closures that make it differ from today.
See ``scenarios/README.md`` for the format and the shipped library.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .._errors import ScenarioError
from ..vocabulary import (
    DEFAULT_ERA,
    Corridor,
    CorridorChoice,
    Dispatch,
    LinkMode,
    NodeKind,
    Passage,
    Sea,
    Shipment,
    Stage,
)
from ._paths import default_folder
from ._yaml import YamlInputError, load_plain_yaml, short_repr, short_text
from .schema import (
    AddHours,
    CapacityTeu,
    CountryCode,
    Hours,
    MonthlyVolume,
    RangeHours,
    Scale,
    Servers,
    SetHours,
    TrainsPerDay,
    Vessels,
)

__all__ = [
    "CapacityChange",
    "Change",
    "Closures",
    "CostChange",
    "RouteSpec",
    "Scenario",
    "ServiceChange",
    "default_scenario",
    "describe_errors",
    "load_scenario",
    "read_text",
]

#: Largest scenario file read, bytes.
MAX_SCENARIO_BYTES = 1_000_000
#: Longest ``extends`` chain followed.
MAX_EXTENDS_DEPTH = 20


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_tuple(value: Any) -> Any:
    """Let a selector be written as one value or a list."""
    if value is None or isinstance(value, list | tuple):
        return value
    return (value,)


class RouteSpec(_Strict):
    """A trip to time: origin and destination by id, name or alias, and what travels.

    ``via`` names places the route must pass (e.g. the port a sea route lands at).
    """

    origin: str = Field(min_length=1)
    destination: str = Field(min_length=1)
    corridor: CorridorChoice = "any"
    shipment: Shipment = "block_train"
    via: tuple[str, ...] = ()
    label: str | None = None

    _listify = field_validator("via", mode="before")(_as_tuple)


class Change(_Strict):
    """A change to the hours of the components it selects.

    Selectors left out match everything; a list matches any of its values. ``shipment``
    selects trips by what travels; ``figure_source`` selects the delays whose figure rests
    on these source keys (of ``network/sources.yaml``), e.g. one assumption. The action
    is exactly one of ``scale`` (multiply hours), ``set`` (hours become this) or ``add``
    (hours added, may be negative). Changes selecting the same delay compose in order and
    the result is floored at zero once, at the end.

    Bounds (:mod:`midcorridor.inputs.schema`): ``scale`` 0 to
    :data:`~midcorridor.inputs.schema.MAX_SCALE`,
    ``set`` 0 to :data:`~midcorridor.inputs.schema.MAX_CHANGE_HOURS` hours, ``add`` within
    plus or minus :data:`~midcorridor.inputs.schema.MAX_CHANGE_HOURS` hours; changes composed on
    one delay must stay within the same bounds.
    """

    stage: tuple[Stage, ...] | None = None
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

    _listify = field_validator(
        "stage",
        "country",
        "node",
        "node_kind",
        "link",
        "link_mode",
        "corridor",
        "shipment",
        "figure_source",
        mode="before",
    )(_as_tuple)

    @model_validator(mode="after")
    def _one_action(self) -> Change:
        actions = [a for a in ("scale", "set", "add") if getattr(self, a) is not None]
        if len(actions) != 1:
            raise ValueError(
                "give exactly one of scale, set or add"
                + (f" (got {', '.join(actions)})" if actions else "")
            )
        return self


class Closures(_Strict):
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


class ServiceChange(_Strict):
    """A change to ferry or shipping services: e.g. scheduled Caspian sailings.

    Selects links by ``link`` ids or by ``sea``; fields left out keep the network's values.
    ``demand_teu_per_week`` (shipment class -> TEU a week, one figure or 12 monthly ones)
    is the cargo becoming ready for a *scheduled* service's departures: they then fill
    up, classes board in their priority order, and what does not fit waits for the next
    departure. Without it, every departure has room.
    The figures have the bounds of a network :class:`~midcorridor.inputs.schema.LinkService`:
    hours above 0 and at most :data:`~midcorridor.inputs.schema.MAX_HOURS`, ``capacity_teu``
    :data:`~midcorridor.inputs.schema.MIN_CAPACITY_TEU` to
    :data:`~midcorridor.inputs.schema.MAX_CAPACITY_TEU`, ``vessels`` 1 to
    :data:`~midcorridor.inputs.schema.MAX_VESSELS`.
    """

    link: tuple[str, ...] | None = None
    sea: tuple[Sea, ...] | None = None
    dispatch: Dispatch | None = None
    headway_hours: Hours | None = None
    capacity_teu: CapacityTeu | None = None
    vessels: Vessels | None = None
    round_trip_hours: Hours | None = None
    max_hold_hours: Hours | None = None
    first_departure_hours: RangeHours | None = None
    cutoff_hours: RangeHours | None = None
    demand_teu_per_week: dict[Shipment, MonthlyVolume] | None = None
    note: str = Field(min_length=1)
    source: str = Field(min_length=1)

    _listify = field_validator("link", "sea", mode="before")(_as_tuple)

    def updates(self) -> dict[str, Any]:
        """The service fields this change sets."""
        fields = (
            "dispatch",
            "headway_hours",
            "capacity_teu",
            "vessels",
            "round_trip_hours",
            "max_hold_hours",
            "first_departure_hours",
            "cutoff_hours",
        )
        out = {f: getattr(self, f) for f in fields}
        return {k: v for k, v in out.items() if v is not None}


class CapacityChange(_Strict):
    """A change to the handling capacity of nodes (trains a day), e.g. a bigger port.

    The figures have the bounds of a network :class:`~midcorridor.inputs.schema.NodeCapacity`:
    ``trains_per_day`` :data:`~midcorridor.inputs.schema.MIN_TRAINS_PER_DAY` to
    :data:`~midcorridor.inputs.schema.MAX_TRAINS_PER_DAY`, ``servers`` 1 to
    :data:`~midcorridor.inputs.schema.MAX_SERVERS`.
    """

    node: tuple[str, ...] = Field(min_length=1)
    trains_per_day: TrainsPerDay | None = None
    servers: Servers | None = None
    note: str = Field(min_length=1)
    source: str = Field(min_length=1)

    _listify = field_validator("node", mode="before")(_as_tuple)

    def updates(self) -> dict[str, Any]:
        """The capacity fields this change sets."""
        out = {"trains_per_day": self.trains_per_day, "servers": self.servers}
        return {k: v for k, v in out.items() if v is not None}


class CostChange(_Strict):
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

    _listify = field_validator("link", "node", "country", "kind", "sea", mode="before")(_as_tuple)

    @model_validator(mode="after")
    def _one_action(self) -> CostChange:
        if (self.scale is None) == (self.add_usd is None):
            raise ValueError("give exactly one of scale or add_usd")
        return self


class ScenarioFile(_Strict):
    """What one YAML file may hold; every field optional so a child overrides a parent."""

    name: str | None = Field(default=None, min_length=1)
    description: str | None = None
    extends: str | None = None
    routes: tuple[RouteSpec, ...] | None = Field(default=None, min_length=1)
    departure_month: int | None = Field(default=None, ge=1, le=12)
    era: int | None = Field(default=None, ge=1990, le=2100)
    samples: int | None = Field(default=None, ge=100, le=2_000_000)
    seed: int | None = Field(default=None, ge=0, lt=2**63)
    volume: dict[Corridor, MonthlyVolume] | None = None
    changes: tuple[Change, ...] = ()
    services: tuple[ServiceChange, ...] = ()
    capacities: tuple[CapacityChange, ...] = ()
    costs: tuple[CostChange, ...] = ()
    closures: Closures | None = None


class Scenario(_Strict):
    """A complete scenario after ``extends`` is resolved.

    Attributes
    ----------
    departure_month
        1-12, for storm holds; None: each sample departs in a random month.
    era
        The year whose conditions the scenario describes: figures published more than a
        year before it are listed as stale (``validate``, ``explain``, ``evidence``).
    samples, seed
        Monte Carlo settings.
    volume
        TEU per week on each corridor (sets ferry fill times and queue loads), one
        figure or 12 monthly figures: each 0 (no queues simulated) or
        :data:`~midcorridor.inputs.schema.MIN_VOLUME_TEU_PER_WEEK` to
        :data:`~midcorridor.inputs.schema.MAX_VOLUME_TEU_PER_WEEK`.
    changes
        Parents' changes first, then this file's (likewise ``services``, ``capacities``
        and ``costs``, the changes to freight costs).
    """

    name: str
    description: str = ""
    path: Path
    routes: tuple[RouteSpec, ...] = Field(min_length=1)
    departure_month: int | None = Field(default=None, ge=1, le=12)
    era: int = Field(default=DEFAULT_ERA, ge=1990, le=2100)
    samples: int = Field(default=20_000, ge=100, le=2_000_000)
    seed: int = Field(default=0, ge=0)
    volume: dict[Corridor, MonthlyVolume] = Field(default_factory=dict)
    changes: tuple[Change, ...] = ()
    services: tuple[ServiceChange, ...] = ()
    capacities: tuple[CapacityChange, ...] = ()
    costs: tuple[CostChange, ...] = ()
    closures: Closures = Closures()
    chain: tuple[Path, ...] = ()


#: Fields a child file adds to its parents' (in order); closures are merged as sets.
_ACCUMULATED_FIELDS = ("changes", "services", "capacities", "costs")
#: Fields of a file that are not inherited as values. Every other field of the file model
#: is overridden by a child that sets it, so a new field is inherited without being listed.
_NOT_INHERITED = (*_ACCUMULATED_FIELDS, "closures", "extends")

_NESTED: dict[str, type[BaseModel]] = {
    "routes": RouteSpec,
    "changes": Change,
    "services": ServiceChange,
    "capacities": CapacityChange,
    "costs": CostChange,
    "closures": Closures,
}


def default_scenario(name: str = "baseline") -> Path:
    """Path of a shipped scenario, ``scenarios/NAME.yaml``, here or in the source checkout.

    Raises
    ------
    ScenarioError
        If there is no scenarios/ folder (an installed package outside a checkout).
    """
    folder = default_folder("scenarios", marker=f"{name}.yaml")
    if folder is None:
        raise ScenarioError(
            f"No scenario {name!r}: there is no scenarios/{name}.yaml here nor in a source "
            "checkout. Name a scenario file (--scenario FILE)."
        )
    return folder / f"{name}.yaml"


class _UnreadableError(Exception):
    """Why a file cannot be read (a phrase: "is a folder, not a scenario file")."""


def _read_text(path: Path, what: str = "scenario file") -> str:
    """The text of a scenario file (or another input file: ``what``).

    Raises
    ------
    _UnreadableError
        If it is missing, a folder, too large, unreadable or not UTF-8.
    """
    try:
        if path.is_dir():
            raise _UnreadableError(f"is a folder, not a {what}")
        if not path.is_file():
            raise _UnreadableError("not found")
        if path.stat().st_size > MAX_SCENARIO_BYTES:
            raise _UnreadableError(f"is larger than {MAX_SCENARIO_BYTES:,} bytes")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise _UnreadableError(f"is not UTF-8 text ({exc.reason})") from None
    except OSError as exc:  # no permission, a name too long, ...
        raise _UnreadableError(f"cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:  # a NUL character in the name
        raise _UnreadableError(f"cannot be read ({exc})") from None


def read_text(path: Path, *, what: str) -> str:
    """The text of an input file (a grid file...), read as a scenario file is.

    Raises
    ------
    ScenarioError
        Naming the file, if it is missing, a folder, too large, unreadable or not UTF-8.
    """
    try:
        return _read_text(path, what)
    except _UnreadableError as exc:
        problem = f"{what} not found" if str(exc) == "not found" else str(exc)
        raise ScenarioError(f"{path}: {problem}.") from None


def _read_yaml(path: Path, parent_of: tuple[Path, str] | None = None) -> dict[str, Any]:
    """The mapping in a scenario file, read as plain YAML (:func:`load_plain_yaml`).

    Parameters
    ----------
    path
        The file.
    parent_of
        For a parent named by ``extends``: the child file and its ``extends`` value, so
        that a parent that cannot be opened is reported at the child's field.

    Raises
    ------
    ScenarioError
        If the file is missing, not a file, unreadable, too large, not UTF-8, not plain
        YAML within the bounds of :mod:`midcorridor.inputs._yaml`, or not a mapping.
    """
    try:
        text = _read_text(path)
    except _UnreadableError as exc:
        if parent_of is None:
            problem = "scenario file not found" if str(exc) == "not found" else str(exc)
            raise ScenarioError(f"{path}: {problem}.") from None
        child, extends = parent_of
        raise ScenarioError(
            f"{child}: field extends: parent scenario {short_repr(extends)} {exc} "
            f"(looked for {short_text(str(path))})."
        ) from None
    try:
        data = load_plain_yaml(text)
    except YamlInputError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{path}: a scenario file must be a mapping of fields (name, routes, ...)."
        )
    return data


def _valid_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names valid beside the last part of ``loc``, for did-you-mean hints."""
    parents = [p for p in loc[:-1] if not isinstance(p, int)]
    model = _NESTED.get(parents[0]) if parents else ScenarioFile
    return list(model.model_fields) if model is not None and len(parents) <= 1 else []


def describe_errors(
    path: Path,
    error: ValidationError,
    valid_keys: Callable[[tuple[Any, ...]], list[str]] | None = None,
) -> list[str]:
    """One line per validation error: ``FILE: field a.b.0: problem`` (with a close match
    for an unknown key among ``valid_keys(loc)``, by default the scenario file's)."""
    valid_keys = valid_keys or _valid_keys
    problems = []
    for err in error.errors():
        loc = tuple(err["loc"])
        field_name = ".".join(str(p) for p in loc) or "(top level)"
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(loc[-1]), valid_keys(loc), n=1)
            message = "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")
        elif err["type"] == "value_error":  # ours: the message says what it got
            message = message.removeprefix("Value error, ")
        elif "input" in err and err["type"] not in ("missing",):
            message += f" (got {short_repr(err['input'])})"
        problems.append(f"{path}: field {field_name}: {message}")
    return problems


def _read_file(path: Path, parent_of: tuple[Path, str] | None = None) -> ScenarioFile:
    data = _read_yaml(path, parent_of)
    try:
        return ScenarioFile.model_validate(data)
    except ValidationError as exc:
        problems = describe_errors(path, exc)
        raise ScenarioError(f"{path}: invalid scenario.", problems) from None


def _resolved(path: Path) -> Path:
    """``path`` made absolute, symbolic links resolved where possible (for cycles)."""
    try:
        return path.resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL in the name, a symlink loop
        return path.absolute()


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file, following ``extends`` to its parents.

    Parameters
    ----------
    path
        YAML file.

    Returns
    -------
    Scenario
        With parents' settings inherited and changes and closures accumulated.

    Raises
    ------
    ScenarioError
        Naming the file, the field and the problem.
    """
    chain: list[tuple[Path, ScenarioFile]] = []
    current: Path | None = Path(path)
    seen: list[Path] = []
    while current is not None:
        resolved = _resolved(current)
        if resolved in seen:
            cycle = " -> ".join(str(p) for p in [*seen, resolved])
            raise ScenarioError(f"{chain[-1][0]}: field extends: cycle: {cycle}.")
        if len(seen) >= MAX_EXTENDS_DEPTH:
            raise ScenarioError(f"{path}: field extends: chain longer than {MAX_EXTENDS_DEPTH}.")
        seen.append(resolved)
        parent_of = (chain[-1][0], str(chain[-1][1].extends)) if chain else None
        parsed = _read_file(current, parent_of)
        chain.append((current, parsed))
        current = (current.parent / parsed.extends) if parsed.extends is not None else None

    merged: dict[str, Any] = {}
    for _, part in reversed(chain):
        for key in type(part).model_fields:
            value = None if key in _NOT_INHERITED else getattr(part, key)
            if value is not None:
                merged[key] = value
        for key in _ACCUMULATED_FIELDS:
            merged[key] = (*merged.get(key, ()), *getattr(part, key))
        if part.closures is not None:
            merged["closures"] = merged.get("closures", Closures()).merged(part.closures)
    top = chain[0][0]
    merged.setdefault("name", top.stem)
    try:
        return Scenario(**merged, path=top, chain=tuple(p for p, _ in chain))
    except ValidationError as exc:
        problems = describe_errors(top, exc)
        raise ScenarioError(f"{top}: invalid scenario.", problems) from None
