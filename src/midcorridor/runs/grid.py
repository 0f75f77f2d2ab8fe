"""Grids of scenarios: policy grids and uncertainty runs, in-process or on a Dask cluster.

A grid file (:mod:`midcorridor.inputs.grid_file`) names a base scenario and *axes*, each a
knob of the scenario language. Its *points* are the full factorial of the axes' values,
or Latin-hypercube draws over their ranges. :func:`run_grid` runs every point's scenario,
in-process or on a Dask cluster, each with its own seed spawned from the grid's
(:class:`numpy.random.SeedSequence`), so the results do not depend on what ran them, and
streams one row per scenario and route to a Parquet file
(:mod:`midcorridor.runs.grid_store`), written atomically; ``resume`` skips the scenarios
a previous run of the same grid finished.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .._errors import ScenarioError, StopRequested, needs_extra
from .._files import atomic_write, exclusive
from ..inputs._read import validation_problems
from ..inputs.grid_file import MAX_GRID_POINTS, Design, GridFile, read_grid_file
from ..inputs.scenario import RouteSpec, Scenario, load_scenario
from ..network.network import Network
from ..network.read import load
from .choice import solve_choice
from .grid_store import finished, metadata, schema
from .runner import run_scenario

__all__ = [
    "Grid",
    "GridRun",
    "GridTask",
    "evaluate",
    "load_grid",
    "run_grid",
]


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
            with needs_extra("grid", "A Latin-hypercube grid"):
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
        changes, services = list(base.changes), list(base.services)
        capacities = list(base.capacities)
        volume: dict[str, object] = dict(base.volume.items())
        routes, month = list(base.routes), base.departure_month
        for axis in self.spec.axes:
            value = point[axis.name]
            try:
                if axis.change is not None:
                    changes.append(_with(axis.change, str(axis.field), value))
                elif axis.service is not None:
                    services.append(_with(axis.service, str(axis.field), value))
                elif axis.capacity is not None:
                    capacities.append(_with(axis.capacity, str(axis.field), value))
                elif axis.volume is not None:
                    volume[axis.volume] = value
                elif axis.departure_month:
                    month = round(float(value))
                else:
                    routes = [_with(r, "shipment", value) for r in routes]
            except ValidationError as exc:
                field, problem = validation_problems(exc)[0]
                raise ScenarioError(
                    f"{self.path}: field axes ({axis.name}): value {value!r}: "
                    f"{field + ': ' if field else ''}{problem}"
                ) from None
        return base.derive(
            where=f"{self.path}: point {index} ({point})",
            changes=changes,
            services=services,
            capacities=capacities,
            volume=volume,
            routes=routes,
            departure_month=month,
            name=f"{self.spec.name}#{index}",
            samples=self.spec.samples,
            seed=seed,
        )

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


_Model = TypeVar("_Model", bound=BaseModel)


def _with(template: _Model, field: str, value: float | str) -> _Model:
    """``template`` (a change, a route) with ``field`` set to ``value``, validated."""
    data = template.model_dump()
    if "ACTIONS" in dir(template):  # a change: one action, the varied one
        data.update(dict.fromkeys(template.ACTIONS))  # type: ignore[attr-defined]
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
    spec, text = read_grid_file(path)
    base_path = path.parent / spec.base
    if not base_path.is_file():
        raise ScenarioError(f"{path}: field base: scenario {spec.base!r} not found ({base_path}).")
    base = load_scenario(base_path)
    if spec.routes is not None:
        base = base.derive(where=f"{path}: field routes", routes=spec.routes)
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
    return load(path)


def caspian_utilisation(utilisation: Mapping[str, tuple[float, bool]], network: Network) -> float:
    """The highest load over capacity of a simulated Caspian crossing (NaN if none)."""
    loads = [
        load
        for point, (load, _) in utilisation.items()
        if point in network.links_by_id and network.links_by_id[point].props.sea == "caspian"
    ]
    return max(loads) if loads else float("nan")


def evaluate(task: GridTask) -> list[dict[str, Any]]:
    """Run one grid point: one row per route (:data:`RESULT_COLUMNS`, the axes as
    ``axis.<name>``, and :data:`CHOICE_COLUMNS` when the grid asks for the choice)."""
    network = _network(task.network_path)
    run = run_scenario(task.scenario, network)
    extra: dict[str, Any] = {}
    if task.choice_baseline is not None:
        scenario = task.scenario
        result = solve_choice(
            scenario,
            network,
            baseline=task.choice_baseline,
            samples=scenario.samples,
            seed=scenario.seed,
        )
        shares, teu = result.shares(), result.teu_per_year()
        extra = {
            **{f"share_{c}": float(v) for c, v in shares.items()},
            **{f"teu_{c}": float(v) for c, v in teu.items()},
            "choice_converged": result.converged,
            "caspian_utilisation": caspian_utilisation(result.utilisation, network),
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
        Whether the run was stopped (Ctrl-C, a signal) before every scenario was run: the
        file holds what finished, and ``resume`` goes on from there.
    grid
        The grid's name.
    stopped_by
        The signal that stopped it (:class:`~midcorridor._errors.StopRequested`), if one did.
    """

    path: Path
    scenarios: int
    ran: int
    skipped: int
    interrupted: bool
    grid: str = ""
    stopped_by: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (``midcorridor grid --json``)."""
        out = asdict(self)
        return {"grid": out.pop("grid"), "results": str(out.pop("path")), **out}


def _tasks(
    grid: Grid,
    network: Network,
    indices: Sequence[int],
) -> Iterator[GridTask]:
    seeds = grid.seeds()
    baseline = grid.base if grid.spec.choice else None
    for i in indices:
        yield GridTask(i, grid.points[i], grid.scenario(i, seeds[i]), str(network.path), baseline)


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
    out = Path(out)
    with exclusive(out):
        return _run_into(grid, network, out, workers, scheduler, resume, limit, progress)


def _run_into(
    grid: Grid,
    network: Network,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    limit: int | None,
    progress: Callable[[int, int], None] | None,
) -> GridRun:
    """:func:`run_grid`, its results file held by this process."""
    with needs_extra("grid", "Running a grid"):
        import pyarrow as pa
        import pyarrow.parquet as pq

    indices = list(range(len(grid.points)))[: limit if limit is not None else None]
    done: set[int] = set()
    previous = None
    if resume and out.exists():
        done, previous = finished(out, grid.digest)
    todo = [i for i in indices if i not in done]
    tasks = list(_tasks(grid, network, todo))  # every scenario checked before any run
    ran = 0
    interrupted = False
    stopped_by: int | None = None
    writer: pq.ParquetWriter | None = None
    with atomic_write(out, binary=True) as handle:
        results = _execute(tasks, workers, scheduler)
        try:
            for rows in results:
                if writer is None:
                    table_schema = (
                        previous.schema if previous is not None else schema(grid.metadata(), rows)
                    )
                    writer = pq.ParquetWriter(handle, table_schema)
                    if previous is not None:
                        writer.write_table(previous)
                writer.write_table(pa.Table.from_pylist(rows, schema=writer.schema))
                ran += 1
                if progress is not None:
                    progress(ran + len(done & set(indices)), len(indices))
        except KeyboardInterrupt:
            interrupted = True
        except StopRequested as stop:
            interrupted, stopped_by = True, stop.signum
        finally:
            results.close()  # stops a cluster now, not when garbage collected
        if writer is not None:
            writer.close()
        elif previous is not None:  # nothing new: keep what was there
            pq.write_table(previous, handle)
        else:  # nothing at all: an empty table that still names its grid
            empty = pa.table({"scenario": pa.array([], pa.int64())})
            pq.write_table(empty.replace_schema_metadata(metadata(grid.metadata())), handle)
    return GridRun(
        out,
        len(indices),
        ran,
        len(done & set(indices)),
        interrupted,
        grid=grid.spec.name,
        stopped_by=stopped_by,
    )


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

    with needs_extra("grid", "Running a grid on Dask"):
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
