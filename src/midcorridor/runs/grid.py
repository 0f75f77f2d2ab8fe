"""Grids of scenarios: policy grids and uncertainty runs, in-process or on a Dask cluster.

A grid file (``grids/*.yaml``) names a base scenario and *axes*, each a knob of the
scenario language: a change's ``scale`` (or ``set``, ``add``), a service's fleet or
headway, a node's capacity, a corridor's volume, the departure month or what travels.
Its *points* are the full factorial of the axes' values, or Latin-hypercube draws over
their ranges. :func:`run_grid` runs every point's scenario, in-process or on a Dask
cluster, each with its own seed spawned from the grid's (:class:`numpy.random.SeedSequence`),
so the results do not depend on what ran them, and streams one row per scenario and route
to a Parquet file (:data:`RESULT_COLUMNS`), written atomically; ``resume`` skips the
scenarios a previous run of the same grid finished.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .._errors import MidcorridorError, ScenarioError
from ..inputs._yaml import YamlInputError, load_plain_yaml
from ..inputs.scenario import (
    CapacityChange,
    Change,
    RouteSpec,
    Scenario,
    ServiceChange,
    describe_errors,
    load_scenario,
    read_text,
)
from ..vocabulary import SHIPMENTS, Corridor

if TYPE_CHECKING:
    import pyarrow as pa

    from ..network.network import Network

__all__ = [
    "RESULT_COLUMNS",
    "Axis",
    "Grid",
    "GridRun",
    "GridTask",
    "evaluate",
    "load_grid",
    "read_results",
    "run_grid",
]

#: Largest number of scenarios a grid may hold.
MAX_GRID_POINTS = 100_000
#: Parquet metadata key holding the grid that made a results file.
METADATA_KEY = b"midcorridor.runs.grid"
#: Columns of every results row (axis columns, ``axis.<name>``, come after ``seed``).
RESULT_COLUMNS = (
    "scenario",
    "seed",
    "route",
    "corridor",
    "shipment",
    "km",
    "days_mean",
    "days_p10",
    "days_p50",
    "days_p90",
    "cost_usd_mean",
    "cost_usd_p50",
    "co2e_kg_mean",
    "cost_of_time_usd_mean",
    "saturated",
)
#: Columns added when the grid asks for the corridor choice.
CHOICE_COLUMNS = (
    "share_middle",
    "share_northern",
    "share_sea",
    "teu_middle",
    "teu_northern",
    "teu_sea",
    "choice_converged",
    "caspian_utilisation",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Strict):
    """An axis's range: ``low`` to ``high`` (and ``steps`` values for a full grid)."""

    low: float
    high: float
    steps: int | None = Field(default=None, ge=2, le=1000)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low must be below high, got {self.low} and {self.high}")
        return self


_KNOBS = ("change", "service", "capacity", "volume", "departure_month", "shipment")
_FIELDS: dict[str, tuple[str, ...]] = {
    "change": ("scale", "set", "add"),
    "service": ("headway_hours", "capacity_teu", "vessels", "round_trip_hours", "max_hold_hours"),
    "capacity": ("trains_per_day", "servers"),
}


class Axis(_Strict):
    """One knob of the scenario and the values it takes.

    Exactly one knob: ``change`` (a scenario change whose ``field``, ``scale``, ``set``
    or ``add``, varies), ``service`` (a service change; ``field``: ``vessels``,
    ``headway_hours``, ``capacity_teu``, ...), ``capacity`` (a capacity change; ``field``:
    ``trains_per_day`` or ``servers``), ``volume`` (a corridor's TEU a week),
    ``departure_month: true`` or ``shipment: true`` (what travels on every route). The
    first of ``values`` (or ``low`` of ``range``) is today's: the point every measure is
    counted from.
    """

    name: str = Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")
    change: Change | None = None
    service: ServiceChange | None = None
    capacity: CapacityChange | None = None
    volume: Corridor | None = None
    departure_month: bool = False
    shipment: bool = False
    field: str | None = None
    values: tuple[float | str, ...] | None = Field(default=None, min_length=1, max_length=1000)
    range: Range | None = None

    @model_validator(mode="after")
    def _one_knob(self) -> Axis:
        knobs = [k for k in _KNOBS if getattr(self, k) not in (None, False)]
        if len(knobs) != 1:
            raise ValueError(
                f"give exactly one knob of {', '.join(_KNOBS)}"
                + (f" (got {', '.join(knobs)})" if knobs else "")
            )
        knob = knobs[0]
        allowed = _FIELDS.get(knob)
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
        return self

    @property
    def knob(self) -> str:
        """Which knob of the scenario the axis turns."""
        return next(k for k in _KNOBS if getattr(self, k) not in (None, False))

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


class Design(_Strict):
    """How points are drawn: the full factorial, or ``latin_hypercube`` draws."""

    latin_hypercube: int = Field(ge=2, le=MAX_GRID_POINTS)


class FrontierSpec(_Strict):
    """The question a policy grid answers (``midcorridor frontier``): ``route`` (a route
    label of the grid) reaching ``target_ratio`` of today's P50 days (or ``target_days``)."""

    route: str = Field(min_length=1)
    target_ratio: float | None = Field(default=None, gt=0, lt=1)
    target_days: float | None = Field(default=None, gt=0)
    note: str = ""

    @model_validator(mode="after")
    def _one_target(self) -> FrontierSpec:
        if (self.target_ratio is None) == (self.target_days is None):
            raise ValueError("give exactly one of target_ratio or target_days")
        return self


class GridFile(_Strict):
    """What a grid file holds (see ``grids/README.md``)."""

    name: str = Field(min_length=1, max_length=80)
    description: str = ""
    base: str = Field(min_length=1)
    routes: tuple[RouteSpec, ...] | None = Field(default=None, min_length=1)
    samples: int = Field(default=2_000, ge=100, le=2_000_000)
    seed: int = Field(default=0, ge=0, lt=2**63)
    design: Literal["full"] | Design = "full"
    choice: bool = False
    axes: tuple[Axis, ...] = Field(min_length=1, max_length=32)
    frontier: FrontierSpec | None = None

    @model_validator(mode="after")
    def _names(self) -> GridFile:
        names = [a.name for a in self.axes]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"axes: each name once, got {', '.join(twice)} twice")
        return self


def _axis_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names valid beside the last part of ``loc`` (did-you-mean hints)."""
    parents = [p for p in loc[:-1] if not isinstance(p, int)]
    models: dict[str, type[BaseModel]] = {
        "axes": Axis,
        "design": Design,
        "frontier": FrontierSpec,
        "routes": RouteSpec,
    }
    if not parents:
        return list(GridFile.model_fields)
    model = models.get(parents[0]) if len(parents) == 1 else None
    return list(model.model_fields) if model is not None else []


@dataclass(frozen=True)
class Grid:
    """A validated grid: its file, base scenario and points.

    Attributes
    ----------
    path
        The grid file.
    spec
        What the file holds.
    base
        The base scenario (``base``, with the grid's ``routes`` if it gives them).
    digest
        SHA-256 of the file's text: results of another grid are not resumed.
    """

    path: Path
    spec: GridFile
    base: Scenario
    digest: str

    @functools.cached_property
    def points(self) -> tuple[dict[str, float | str], ...]:
        """Axis name -> value of every point, in the grid's fixed order."""
        axes = self.spec.axes
        if isinstance(self.spec.design, Design):
            from scipy.stats import qmc

            draws = qmc.LatinHypercube(d=len(axes), seed=self.spec.seed).random(
                self.spec.design.latin_hypercube
            )
            return tuple(
                {a.name: a.at(float(u)) for a, u in zip(axes, row, strict=True)} for row in draws
            )
        combos = itertools.product(*(a.grid_values() for a in axes))
        return tuple({a.name: v for a, v in zip(axes, combo, strict=True)} for combo in combos)

    def seeds(self) -> list[int]:
        """One seed per point, spawned from the grid's seed."""
        import numpy as np

        children = np.random.SeedSequence(self.spec.seed).spawn(len(self.points))
        return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]

    def scenario(self, index: int, seed: int) -> Scenario:
        """The scenario of point ``index``, with its own ``seed``.

        Raises
        ------
        ScenarioError
            When an axis's value is out of the bounds of the field it sets (naming the
            grid file, the axis and the value).
        """
        point = self.points[index]
        base = self.base
        fields: dict[str, Any] = {
            "changes": list(base.changes),
            "services": list(base.services),
            "capacities": list(base.capacities),
            "volume": dict(base.volume),
        }
        routes = list(base.routes)
        month = base.departure_month
        for axis in self.spec.axes:
            value = point[axis.name]
            try:
                if axis.change is not None:
                    fields["changes"].append(_with(axis.change, str(axis.field), value))
                elif axis.service is not None:
                    fields["services"].append(_with(axis.service, str(axis.field), value))
                elif axis.capacity is not None:
                    fields["capacities"].append(_with(axis.capacity, str(axis.field), value))
                elif axis.volume is not None:
                    fields["volume"][axis.volume] = value
                elif axis.departure_month:
                    month = round(float(value))
                else:
                    routes = [r.model_copy(update={"shipment": value}) for r in routes]
            except ValidationError as exc:
                problem = describe_errors(self.path, exc)[0].split(": field ", 1)[-1]
                raise ScenarioError(
                    f"{self.path}: field axes ({axis.name}): value {value!r}: {problem}"
                ) from None
        data = {
            **base.model_dump(),
            **fields,
            "routes": routes,
            "departure_month": month,
            "name": f"{self.spec.name}#{index}",
            "samples": self.spec.samples,
            "seed": seed,
        }
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            problems = describe_errors(self.path, exc)
            raise ScenarioError(
                f"{self.path}: point {index} ({point}) is not a valid scenario.", problems
            ) from None

    def metadata(self) -> dict[str, Any]:
        """What a results file records of the grid that made it."""
        return {
            "name": self.spec.name,
            "file": str(self.path),
            "digest": self.digest,
            "seed": self.spec.seed,
            "samples": self.spec.samples,
            "points": len(self.points),
            "design": "full"
            if not isinstance(self.spec.design, Design)
            else f"latin_hypercube {self.spec.design.latin_hypercube}",
            "axes": [
                {
                    "name": a.name,
                    "knob": a.knob,
                    "field": a.field,
                    "today": a.today,
                    "values": list(a.grid_values()) if a.range is None else None,
                    "range": [a.range.low, a.range.high] if a.range is not None else None,
                }
                for a in self.spec.axes
            ],
            "routes": [_route_label(r) for r in self.base.routes],
            "frontier": self.spec.frontier.model_dump() if self.spec.frontier else None,
            "choice": self.spec.choice,
        }


def _route_label(spec: RouteSpec) -> str:
    return spec.label or f"{spec.origin}-{spec.destination}, {spec.corridor}, {spec.shipment}"


def _with(template: BaseModel, field: str, value: float | str) -> Any:
    """``template`` (a change) with ``field`` set to ``value``, validated."""
    data = template.model_dump()
    if isinstance(template, Change):  # one action: the varied one
        data.update({"scale": None, "set": None, "add": None})
    data[field] = value
    return type(template).model_validate(data)


def load_grid(path: str | Path) -> Grid:
    """Read and validate a grid file, its base scenario and every point's scenario.

    Raises
    ------
    ScenarioError
        Naming the grid file (or the base scenario file), the field and the problem.
    """
    path = Path(path)
    text = read_text(path, what="grid file")
    try:
        data = load_plain_yaml(text)
    except YamlInputError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a grid file must be a mapping of fields (name, axes, ...).")
    try:
        spec = GridFile.model_validate(data)
    except ValidationError as exc:
        problems = describe_errors(path, exc, valid_keys=_axis_keys)
        raise ScenarioError(f"{path}: invalid grid.", problems) from None
    base_path = path.parent / spec.base
    if not base_path.is_file():
        raise ScenarioError(f"{path}: field base: scenario {spec.base!r} not found ({base_path}).")
    base = load_scenario(base_path)
    if spec.routes is not None:
        base = base.model_copy(update={"routes": spec.routes})
    grid = Grid(path, spec, base, hashlib.sha256(text.encode()).hexdigest())
    if len(grid.points) > MAX_GRID_POINTS:
        raise ScenarioError(
            f"{path}: field axes: {len(grid.points):,} points, more than {MAX_GRID_POINTS:,}."
        )
    labels = [_route_label(r) for r in base.routes]
    if spec.frontier is not None and spec.frontier.route not in labels:
        raise ScenarioError(
            f"{path}: field frontier.route: {spec.frontier.route!r} is not a route of the "
            f"grid (its routes: {'; '.join(labels)})."
        )
    for i in {0, len(grid.points) - 1}:  # the corners: bounds of every axis's extremes
        grid.scenario(i, 0)
    return grid


@dataclass(frozen=True)
class GridTask:
    """One point of a grid, ready to run anywhere (picklable for Dask workers)."""

    index: int
    point: dict[str, float | str]
    scenario: Scenario
    network_path: str
    choice_baseline: Scenario | None = None


@functools.lru_cache(maxsize=4)
def _network(path: str) -> Network:
    from ..network.network import load

    return load(path)


def evaluate(task: GridTask) -> list[dict[str, Any]]:
    """Run one grid point: one row per route (:data:`RESULT_COLUMNS`, the axes as
    ``axis.<name>``, and :data:`CHOICE_COLUMNS` when the grid asks for the choice)."""
    from .runner import run_scenario

    network = _network(task.network_path)
    run = run_scenario(task.scenario, network)
    extra: dict[str, Any] = {}
    if task.choice_baseline is not None:
        from .choice import solve

        scenario = task.scenario
        result = solve(
            scenario,
            network,
            baseline=task.choice_baseline,
            samples=scenario.samples,
            seed=scenario.seed,
        )
        shares, teu = result.shares(), result.teu_per_year()
        caspian = result.utilisation.get("AKTAU_PORT-ALAT_PORT")
        extra = {
            **{f"share_{c}": float(v) for c, v in shares.items()},
            **{f"teu_{c}": float(v) for c, v in teu.items()},
            "choice_converged": result.converged,
            "caspian_utilisation": float(caspian[0]) if caspian else float("nan"),
        }
    rows = []
    costs = run.costs or (None,) * len(run.trips)
    for trip, cost in zip(run.trips, costs, strict=True):
        days = trip.days()
        money = {
            "cost_usd_mean": float("nan"),
            "cost_usd_p50": float("nan"),
            "co2e_kg_mean": float("nan"),
            "cost_of_time_usd_mean": float("nan"),
        }
        if cost is not None:
            usd, co2 = cost.cost_usd(), cost.co2e_kg()
            money = {
                "cost_usd_mean": usd["mean"],
                "cost_usd_p50": usd["p50"],
                "co2e_kg_mean": co2["mean"],
                "cost_of_time_usd_mean": cost.cost_of_time_usd()["mean"],
            }
        rows.append(
            {
                "scenario": task.index,
                "seed": task.scenario.seed,
                **{f"axis.{k}": v for k, v in task.point.items()},
                "route": trip.label,
                "corridor": trip.route.corridor,
                "shipment": trip.shipment,
                "km": float(trip.route.distance_km),
                **{f"days_{k}": float(v) for k, v in days.items()},
                **money,
                "saturated": trip.saturated,
                **extra,
            }
        )
    return rows


@dataclass(frozen=True)
class GridRun:
    """What a run of a grid did.

    Attributes
    ----------
    path
        The results file.
    scenarios
        Scenarios in the grid (or in its first ``limit``).
    ran, skipped
        Scenarios run now, and finished ones a resumed run skipped.
    interrupted
        Whether the run was stopped (Ctrl-C) before every scenario was run: the file
        holds what finished, and ``resume`` goes on from there.
    """

    path: Path
    scenarios: int
    ran: int
    skipped: int
    interrupted: bool


def _schema(grid: Grid, rows: Sequence[dict[str, Any]]) -> pa.Schema:
    import pyarrow as pa

    return pa.Table.from_pylist(list(rows)).schema.with_metadata(_metadata(grid))


def _metadata(grid: Grid) -> dict[bytes, bytes]:
    return {METADATA_KEY: json.dumps(grid.metadata(), sort_keys=True).encode()}


def read_results(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """The rows of a results file (a pandas DataFrame) and the grid that made it.

    Raises
    ------
    MidcorridorError
        When the file is missing or not a midcorridor results file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.is_file():
        raise MidcorridorError(f"{path}: results file not found.")
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise MidcorridorError(f"{path}: not a Parquet results file ({exc}).") from None
    meta = (table.schema.metadata or {}).get(METADATA_KEY)
    if meta is None:
        raise MidcorridorError(f"{path}: not a midcorridor grid results file (no grid recorded).")
    return table.to_pandas(), json.loads(meta)


def _tasks(
    grid: Grid,
    network: Network,
    indices: Sequence[int],
) -> Iterator[GridTask]:
    seeds = grid.seeds()
    baseline = grid.base if grid.spec.choice else None
    for i in indices:
        yield GridTask(i, grid.points[i], grid.scenario(i, seeds[i]), str(network.path), baseline)


def _finished(grid: Grid, path: Path) -> tuple[set[int], Any]:
    """Scenarios finished in an earlier results file of the same grid, and its table."""
    import pyarrow.parquet as pq

    _, meta = read_results(path)
    if meta.get("digest") != grid.digest:
        raise MidcorridorError(
            f"{path}: results of another grid ({meta.get('name')}, {meta.get('file')}) or of "
            "an earlier version of this one: give another --out, or run without --resume."
        )
    table = pq.read_table(path)
    return set(table.column("scenario").to_pylist()), table


def run_grid(
    grid: Grid,
    network: Network,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> GridRun:
    """Run every point of ``grid`` and write its rows to the Parquet file ``out``.

    Parameters
    ----------
    grid
        A loaded grid (:func:`load_grid`).
    network
        The network (workers load it again from its folder).
    out
        Results file (``.parquet``); written whole at the end (or on an interrupt), never
        half.
    workers
        Run on a local Dask cluster of this many worker processes (one thread each).
    scheduler
        Address of a running Dask scheduler to join instead (e.g. ``tcp://host:8786``).
    resume
        Keep the scenarios ``out`` already holds (of the same grid) and run the others.
    limit
        Run only the first ``limit`` points, in the grid's order.
    progress
        Called as ``progress(done, total)`` after each scenario.

    Returns
    -------
    GridRun
        What ran; ``interrupted`` when Ctrl-C stopped it (the finished rows are kept).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .._files import atomic_write

    out = Path(out)
    indices = list(range(len(grid.points)))[: limit if limit is not None else None]
    done: set[int] = set()
    previous = None
    if resume and out.exists():
        done, previous = _finished(grid, out)
    todo = [i for i in indices if i not in done]
    tasks = list(_tasks(grid, network, todo))  # every scenario checked before any run
    ran = 0
    interrupted = False
    writer: pq.ParquetWriter | None = None
    with atomic_write(out, binary=True) as handle:
        results = _execute(tasks, workers, scheduler)
        try:
            for rows in results:
                if writer is None:
                    schema = previous.schema if previous is not None else _schema(grid, rows)
                    writer = pq.ParquetWriter(handle, schema)
                    if previous is not None:
                        writer.write_table(previous)
                writer.write_table(pa.Table.from_pylist(rows, schema=writer.schema))
                ran += 1
                if progress is not None:
                    progress(ran + len(done & set(indices)), len(indices))
        except KeyboardInterrupt:
            interrupted = True
        finally:
            results.close()  # stops a cluster now, not when garbage collected
        if writer is not None:
            writer.close()
        elif previous is not None:  # nothing new: keep what was there
            pq.write_table(previous, handle)
        else:  # nothing at all: an empty table that still names its grid
            empty = pa.table({"scenario": pa.array([], pa.int64())})
            pq.write_table(empty.replace_schema_metadata(_metadata(grid)), handle)
    return GridRun(out, len(indices), ran, len(done & set(indices)), interrupted)


#: Batches per worker a Dask run splits the grid into: enough to balance the load, few
#: enough that the scheduler's overhead (tens of ms a task) stays small.
BATCHES_PER_WORKER = 6


def evaluate_batch(tasks: Sequence[GridTask]) -> list[list[dict[str, Any]]]:
    """:func:`evaluate` of each task of a batch (one Dask task)."""
    return [evaluate(task) for task in tasks]


def _execute(
    tasks: Sequence[GridTask], workers: int | None, scheduler: str | None
) -> Generator[list[dict[str, Any]], None, None]:
    """Each task's rows, in-process (in order) or on Dask (by batch, as they finish)."""
    if workers is None and scheduler is None:
        for task in tasks:
            yield evaluate(task)
        return
    import math

    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    slots = workers or max(len(client.scheduler_info().get("workers", {})), 1)
    size = max(1, math.ceil(len(tasks) / (slots * BATCHES_PER_WORKER)))
    batches = [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]
    futures = client.map(evaluate_batch, batches, pure=False)
    try:
        for future in as_completed(futures):
            yield from future.result()
    finally:
        client.cancel(futures)
        client.close()
        if cluster is not None:
            cluster.close()
