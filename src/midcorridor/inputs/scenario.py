"""Scenario files: YAML validated by pydantic, with ``extends`` inheritance.

A scenario names the routes to time, the departure month, the sampling settings, the
cargo volume, and the changes and closures that make it differ from today
(:mod:`midcorridor.inputs.changes`). See ``scenarios/README.md`` for the format and the
shipped library.

Every setting is declared once, on :class:`Scenario`: what a file may hold is made from it
(:func:`file_model`, every field optional so that a child overrides its parent), so a new
setting is read, inherited and validated without being listed anywhere else. A variant of
a scenario (a grid point, a swept volume, one route of it) is made by
:meth:`Scenario.derive`, validated like a file.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from .._errors import ScenarioError
from ..vocabulary import (
    DEFAULT_ERA,
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    Corridor,
    CorridorChoice,
    Shipment,
)
from ._models import Strict, as_tuple
from ._paths import default_folder
from ._read import UnreadableError, describe_validation, read_mapping, valid_keys_of
from ._yaml import short_repr, short_text
from .bounds import MonthlyVolume
from .caspian_files import CaspianLevel, DepthM
from .changes import CapacityChange, Change, Closures, CostChange, ServiceChange
from .events import Event

__all__ = [
    "RouteSpec",
    "Scenario",
    "ScenarioFile",
    "default_scenario",
    "file_model",
    "load_scenario",
    "package_scenarios",
]

#: Largest scenario file read, bytes.
MAX_SCENARIO_BYTES = 1_000_000
#: Longest ``extends`` chain followed.
MAX_EXTENDS_DEPTH = 20


class RouteSpec(Strict):
    """A trip to time: origin and destination by id, name or alias, and what travels.

    ``via`` names places the route must pass (e.g. the port a sea route lands at).
    """

    origin: str = Field(min_length=1)
    destination: str = Field(min_length=1)
    corridor: CorridorChoice = "any"
    shipment: Shipment = "block_train"
    via: tuple[str, ...] = ()
    label: str | None = None

    _listify = field_validator("via", mode="before")(as_tuple)


class Scenario(Strict):
    """A complete scenario after ``extends`` is resolved: every setting, declared once.

    Attributes
    ----------
    name, description
        What it is called and what it stands for.
    path
        The file it was read from (the top of its ``extends`` chain).
    routes
        The trips to time.
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
        :data:`~midcorridor.inputs.bounds.MIN_VOLUME_TEU_PER_WEEK` to
        :data:`~midcorridor.inputs.bounds.MAX_VOLUME_TEU_PER_WEEK`.
    changes
        Parents' changes first, then this file's (likewise ``services``, ``capacities``
        and ``costs``, the changes to freight costs).
    instruments
        Digital customs instruments switched on, by key of ``network/instruments.yaml``:
        the parents' and this file's, each once.
    closures
        What is closed: the parents' and this file's together.
    events
        Disruptions in time (:class:`~midcorridor.inputs.events.Event`): the parents' and
        this file's; a run is not changed by them, :func:`midcorridor.event_impact` is.
    caspian
        The Caspian's level (``network/caspian.yaml``): a published year and forecast
        path, or a level in m BS. None: the ferries load as the network gives them.
    dredge
        Port id -> depth of water, m, it is dredged to keep at the scenario's level (a
        child's ports over its parents'); needs ``caspian``.
    chain
        The files read, this one first and its parents after.
    """

    name: str = Field(min_length=1)
    description: str = ""
    path: Path
    routes: tuple[RouteSpec, ...] = Field(min_length=1)
    departure_month: int | None = Field(default=None, ge=1, le=12)
    era: int = Field(default=DEFAULT_ERA, ge=1990, le=2100)
    samples: int = Field(default=DEFAULT_SAMPLES, ge=100, le=2_000_000)
    seed: int = Field(default=DEFAULT_SEED, ge=0, lt=2**63)
    volume: dict[Corridor, MonthlyVolume] = Field(default_factory=dict)
    changes: tuple[Change, ...] = ()
    instruments: tuple[str, ...] = ()
    services: tuple[ServiceChange, ...] = ()
    capacities: tuple[CapacityChange, ...] = ()
    costs: tuple[CostChange, ...] = ()
    closures: Closures = Closures()
    events: tuple[Event, ...] = ()
    caspian: CaspianLevel | None = None
    dredge: dict[str, DepthM] = Field(default_factory=dict)
    chain: tuple[Path, ...] = ()

    @model_validator(mode="after")
    def _unique_labels(self) -> Scenario:
        first: dict[str, int] = {}
        for i, route in enumerate(self.routes):
            if route.label is None:
                continue
            if route.label in first:
                raise ValueError(
                    f"routes.{first[route.label]} and routes.{i} are both labelled "
                    f"{route.label!r}: give each route its own label (results are paired by it)"
                )
            first[route.label] = i
        return self

    def error(self, fld: str, message: str) -> ScenarioError:
        """A problem of this scenario's field ``fld``, naming its file."""
        return ScenarioError(f"{self.path}: field {fld}: {message}")

    def derive(self, *, where: object = None, **updates: Any) -> Scenario:
        """This scenario with some settings replaced, validated as a file is.

        Parameters
        ----------
        where
            What to blame in a message if an update is invalid (default: the file).
        **updates
            Settings to replace (``volume=...``, ``routes=...``).

        Raises
        ------
        ScenarioError
            Naming ``where``, the field and the problem.
        """
        unknown = sorted(set(updates) - set(type(self).model_fields))
        if unknown:
            raise TypeError(f"not a scenario setting: {', '.join(unknown)}")
        try:
            return type(self).model_validate({**self.model_dump(), **updates})
        except ValidationError as exc:
            blame = where if where is not None else self.path
            raise ScenarioError(
                f"{blame}: invalid scenario.", describe_validation(blame, exc)
            ) from None


#: Settings of a :class:`Scenario` that no file gives: where it was read from.
_READ_ONLY = ("path", "chain")
#: Settings a child file adds to its parents' (in order); closures are merged as sets.
_ACCUMULATED = ("changes", "instruments", "services", "capacities", "costs", "events")
#: The models of a file's nested settings, for did-you-mean hints.
_NESTED: dict[str, type[BaseModel]] = {
    "routes": RouteSpec,
    "changes": Change,
    "services": ServiceChange,
    "capacities": CapacityChange,
    "costs": CostChange,
    "closures": Closures,
    "events": Event,
    "caspian": CaspianLevel,
}


class _FileOnly(Strict):
    """What a file holds that a scenario does not: the parent it extends."""

    extends: str | None = None


_FILE_DOC = """What one scenario file may hold: every setting of a scenario, each optional."""


@functools.cache
def file_model(scenario: type[Scenario] = Scenario) -> type[_FileOnly]:
    """What one scenario file may hold: every setting of ``scenario``, each optional (a
    child overrides its parent), with the same bounds, and ``extends``."""
    fields: dict[str, Any] = {
        name: (info.rebuild_annotation() | None, None)
        for name, info in scenario.model_fields.items()
        if name not in _READ_ONLY
    }
    return create_model(
        "ScenarioFile", __base__=_FileOnly, __module__=__name__, __doc__=_FILE_DOC, **fields
    )


if TYPE_CHECKING:
    ScenarioFile = _FileOnly
else:
    ScenarioFile = file_model(Scenario)


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


def _read_file(
    path: Path, model: type[_FileOnly], parent_of: tuple[Path, str] | None = None
) -> _FileOnly:
    """One scenario file; for a parent named by ``extends``, ``parent_of`` is the child
    file and its ``extends`` value, so that a parent that cannot be opened is reported at
    the child's field."""
    try:
        data, _ = read_mapping(
            path, what="scenario file", max_bytes=MAX_SCENARIO_BYTES, holds="fields (name, ...)"
        )
    except UnreadableError as exc:
        if parent_of is None:
            raise ScenarioError(str(exc)) from None
        child, extends = parent_of
        raise ScenarioError(
            f"{child}: field extends: parent scenario {short_repr(extends)} {exc.problem} "
            f"(looked for {short_text(str(path))})."
        ) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = describe_validation(path, exc, valid_keys_of(model, _NESTED))
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
    model = file_model(Scenario)
    chain: list[tuple[Path, _FileOnly]] = []
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
        parsed = _read_file(current, model, parent_of)
        chain.append((current, parsed))
        current = (current.parent / parsed.extends) if parsed.extends is not None else None

    merged: dict[str, Any] = {}
    for _, part in reversed(chain):
        for key in type(part).model_fields:
            value = getattr(part, key)
            if value is None or key == "extends":
                continue
            if key in _ACCUMULATED:
                merged[key] = (*merged.get(key, ()), *value)
            elif key == "closures":
                merged[key] = merged.get(key, Closures()).merged(value)
            elif key in ("dredge", "volume"):
                merged[key] = {**merged.get(key, {}), **value}
            else:
                merged[key] = value
    top = chain[0][0]
    merged.setdefault("name", top.stem)
    if "instruments" in merged:
        merged["instruments"] = tuple(dict.fromkeys(merged["instruments"]))
    try:
        return Scenario(**merged, path=top, chain=tuple(p for p, _ in chain))
    except ValidationError as exc:
        problems = describe_validation(top, exc, valid_keys_of(model, _NESTED))
        raise ScenarioError(f"{top}: invalid scenario.", problems) from None


def package_scenarios(reference: Scenario) -> list[Scenario]:
    """The instrument packages beside ``reference``: the scenario files of its folder that
    extend it directly and switch instruments on (a file that does not load is skipped:
    ``midcorridor validate`` reports it)."""
    folder = reference.path.parent
    out = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            scenario = load_scenario(path)
        except ScenarioError:
            continue
        parents = [_resolved(p) for p in scenario.chain[1:]]
        if scenario.instruments and parents == [_resolved(reference.path)]:
            out.append(scenario)
    return out
