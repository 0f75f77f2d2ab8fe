"""Grids of scenarios: policy grids and uncertainty runs, in-process or on a Dask cluster.

A grid file (:mod:`midcorridor.inputs.grid_file`) names a base scenario and *axes*, each a
knob of the scenario language. Its *points* are the full factorial of the axes' values,
or Latin-hypercube draws over their ranges: counted before any is built, and built one
at a time as they run (:class:`GridPoints`). :func:`run_grid` runs every point's scenario,
in-process or on a Dask cluster (:mod:`midcorridor.runs.grid_exec`), each with its own seed
spawned from the grid's (:class:`numpy.random.SeedSequence`), so the results do not depend
on what ran them, and keeps every finished scenario's rows
(:class:`~midcorridor.runs.grid_store.ResultsFile`); ``resume`` runs only the scenarios a
previous run of the same grid, base scenario, network and version did not finish.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from pydantic import ValidationError

from .._errors import ScenarioError, StopRequested, needs_extra, stop_if_asked_since, stops_asked
from .._files import exclusive
from ..inputs._read import validation_problems
from ..inputs.grid_file import MAX_GRID_POINTS, Axis, Design, GridFile, read_grid_file
from ..inputs.scenario import RouteSpec, Scenario, load_scenario
from ..network.network import Network
from .choice import solve_choice
from .grid_exec import point_runner, sampling_workers
from .grid_parts import Parts
from .grid_store import ResultsFile, fingerprint, result_schema
from .network_cache import cached_network
from .runner import run_scenario

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "Grid",
    "GridPoints",
    "GridRun",
    "GridTask",
    "evaluate",
    "evaluate_batch",
    "grid_workers",
    "load_grid",
    "run_grid",
]


class GridPoints(Sequence[dict[str, float | str]]):
    """The points of a grid (axis name -> value), in the grid's fixed order, each built
    when asked for: a grid of 100,000 points costs no more memory than one of ten.

    A full factorial grid's point ``i`` is ``i`` written in the mixed radix of the axes'
    lengths (the last axis turning fastest, as :func:`itertools.product`); a Latin
    hypercube's are its draws (``n`` by axes, built once, on first use).
    """

    def __init__(self, spec: GridFile) -> None:
        self._axes = spec.axes
        self._design = spec.design
        self._seed = spec.seed
        self._values = [a.grid_values() for a in spec.axes]
        if isinstance(spec.design, Design):
            self._count = spec.design.latin_hypercube
        else:
            self._count = math.prod(len(v) for v in self._values)

    def __len__(self) -> int:
        return self._count

    @functools.cached_property
    def _draws(self) -> np.ndarray:
        with needs_extra("grid", "A Latin-hypercube grid"):
            from scipy.stats import qmc

        return qmc.LatinHypercube(d=len(self._axes), seed=self._seed).random(self._count)

    def index_of(self, values: Mapping[str, float | str]) -> int:
        """The index of the full factorial grid's point whose axes take ``values`` (an axis
        left out: today's value, its first).

        Raises
        ------
        ValueError
            For a Latin-hypercube grid, or a value not among its axis's.
        """
        if isinstance(self._design, Design):
            raise ValueError("the points of a Latin-hypercube grid are draws, not a factorial")
        index = 0
        for axis, axis_values in zip(self._axes, self._values, strict=True):
            value = values.get(axis.name, axis.today)
            if value not in axis_values:
                raise ValueError(f"{value!r} is not a value of axis {axis.name}")
            index = index * len(axis_values) + axis_values.index(value)
        return index

    @overload
    def __getitem__(self, index: int) -> dict[str, float | str]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, float | str]]: ...
    def __getitem__(
        self, index: int | slice
    ) -> dict[str, float | str] | list[dict[str, float | str]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(f"point {index} of a grid of {self._count}")
        if isinstance(self._design, Design):
            row = self._draws[index]
            return {a.name: a.at(float(u)) for a, u in zip(self._axes, row, strict=True)}
        picked: list[float | str] = []
        rest = index
        for values in reversed(self._values):
            rest, k = divmod(rest, len(values))
            picked.append(values[k])
        return {a.name: v for a, v in zip(self._axes, reversed(picked), strict=True)}


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
        SHA-256 of the file's text: part of the fingerprint its results carry.
    choice_base
        The scenario the corridor choice is calibrated on (``choice_baseline``, with the
        grid's routes), or None for ``base``.
    loss_events
        The scenarios of ``annual_loss.events``: their routes and recurring events.
    """

    path: Path
    spec: GridFile
    base: Scenario
    digest: str
    choice_base: Scenario | None = None
    loss_events: tuple[Scenario, ...] = ()

    @functools.cached_property
    def points(self) -> GridPoints:
        """Axis name -> value of every point, in the grid's fixed order (built lazily)."""
        return GridPoints(self.spec)

    def seed(self, index: int) -> int:
        """The seed of point ``index``: the ``index``-th child of the grid's seed, as
        :meth:`numpy.random.SeedSequence.spawn` makes it."""
        import numpy as np

        child = np.random.SeedSequence(self.spec.seed, spawn_key=(index,))
        return int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))

    def scenario(self, index: int, seed: int | None = None) -> Scenario:
        """The scenario of point ``index``, with its own seed (or ``seed``).

        Raises
        ------
        ScenarioError
            When an axis's value is out of the bounds of the field it sets, or the
            scenario they make is not valid (naming the grid file, the axis and the value).
        """
        point = self.points[index]
        parts = Parts.of(self.base)
        for axis in self.spec.axes:
            parts = self._set(parts, axis, point[axis.name])
        return self.base.derive(
            where=f"{self.path}: point {index} ({point})",
            changes=parts.changes,
            services=parts.services,
            capacities=parts.capacities,
            dredge=parts.dredge,
            volume=parts.volume,
            routes=parts.routes,
            departure_month=parts.month,
            name=f"{self.spec.name}#{index}",
            samples=self.spec.samples,
            seed=self.seed(index) if seed is None else seed,
        )

    def _set(self, parts: Parts, axis: Axis, value: float | str) -> Parts:
        """``parts`` with ``axis`` turned to ``value``, checked with the bounds of the
        field it sets."""
        try:
            return parts.turned(axis, value)
        except ValidationError as exc:
            field, problem = validation_problems(exc)[0]
            raise ScenarioError(
                f"{self.path}: field axes ({axis.name}): value {value!r}: "
                f"{field + ': ' if field else ''}{problem}"
            ) from None

    def check_values(self) -> None:
        """Check every value of every axis with the bounds of the field it sets (a range's
        ends), and the grid's first and last points as whole scenarios.

        Raises
        ------
        ScenarioError
            Naming the grid file, the axis and the value.
        """
        base = Parts.of(self.base)
        for axis in self.spec.axes:
            ends = (axis.range.low, axis.range.high) if axis.range else axis.grid_values()
            for value in dict.fromkeys(ends):
                self._set(base, axis, value)
        for i in dict.fromkeys((0, len(self.points) - 1)):
            self.scenario(i, 0)

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
                    "cost_usd": [
                        {"at": at, "usd": c.usd, "basis": c.basis}
                        for at, c in a.costs_usd().items()
                    ],
                }
                for a in self.spec.axes
            ],
            "routes": [_route_label(r) for r in self.base.routes],
            "frontier": self.spec.frontier.model_dump() if self.spec.frontier else None,
            "choice": self.spec.choice,
            "choice_baseline": self.spec.choice_baseline,
            "annual_loss": self.spec.annual_loss.model_dump() if self.spec.annual_loss else None,
        }


def _route_label(spec: RouteSpec) -> str:
    return spec.label or f"{spec.origin}-{spec.destination}, {spec.corridor}, {spec.shipment}"


def load_grid(path: str | Path) -> Grid:
    """Read and validate a grid file, its base scenario, the number of its points (before
    any is built) and every value of its axes.

    Raises
    ------
    ScenarioError
        Naming the grid file (or the base scenario file), the field and the problem.
    """
    path = Path(path)
    spec, text = read_grid_file(path)
    count = len(GridPoints(spec))
    if count > MAX_GRID_POINTS:
        lengths = " x ".join(f"{len(a.grid_values()):,}" for a in spec.axes)
        raise ScenarioError(
            f"{path}: field axes: {lengths} = {count:,} points, more than {MAX_GRID_POINTS:,}: "
            "use fewer values (or steps), or a latin_hypercube design."
        )
    base, choice_base = (
        _scenario_of(path, fld, name, spec.routes)
        for fld, name in (("base", spec.base), ("choice_baseline", spec.choice_baseline))
    )
    assert base is not None
    digest = hashlib.sha256(text.encode()).hexdigest()
    grid = Grid(path, spec, base, digest, choice_base, _loss_events(path, spec))
    labels = [_route_label(r) for r in base.routes]
    if spec.frontier is not None and spec.frontier.route not in labels:
        raise ScenarioError(
            f"{path}: field frontier.route: {spec.frontier.route!r} is not a route of the "
            f"grid (its routes: {'; '.join(labels)})."
        )
    grid.check_values()
    return grid


def _scenario_of(
    path: Path, fld: str, name: str | None, routes: tuple[RouteSpec, ...] | None
) -> Scenario | None:
    """The scenario file ``name`` a grid file names at ``fld`` (relative to it), with the
    grid's ``routes`` if it gives them."""
    if name is None:
        return None
    file = path.parent / name
    if not file.is_file():
        raise ScenarioError(f"{path}: field {fld}: scenario {name!r} not found ({file}).")
    scenario = load_scenario(file)
    if routes is not None:
        scenario = scenario.derive(where=f"{path}: field routes", routes=routes)
    return scenario


def _loss_events(path: Path, spec: GridFile) -> tuple[Scenario, ...]:
    """The scenarios of the grid's ``annual_loss.events``, each with a recurring event."""
    if spec.annual_loss is None:
        return ()
    out = []
    for i, name in enumerate(spec.annual_loss.events):
        fld = f"annual_loss.events.{i}"
        scenario = _scenario_of(path, fld, name, None)
        assert scenario is not None
        if not any(e.per_year is not None for e in scenario.events):
            raise ScenarioError(
                f"{path}: field {fld}: scenario {name!r} has no recurring event (an event "
                "with per_year and days_range)."
            )
        out.append(scenario)
    return tuple(out)


@dataclass(frozen=True)
class GridTask:
    """One point of a grid, ready to run anywhere (picklable for Dask workers)."""

    index: int
    point: dict[str, float | str]
    scenario: Scenario
    network_path: str
    choice_baseline: Scenario | None = None


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
    network = cached_network(task.network_path)
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
    not_run
        Scenarios whose worker died (on a cluster): not in the file; ``resume`` runs them.
    """

    path: Path
    scenarios: int
    ran: int
    skipped: int
    interrupted: bool
    grid: str = ""
    stopped_by: int | None = None
    not_run: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (``midcorridor grid --json``)."""
        out = asdict(self)
        out["not_run"] = list(self.not_run)
        return {"grid": out.pop("grid"), "results": str(out.pop("path")), **out}


def _tasks(grid: Grid, network: Network, indices: Iterator[int]) -> Iterator[GridTask]:
    baseline = (grid.choice_base or grid.base) if grid.spec.choice else None
    for i in indices:
        yield GridTask(i, grid.points[i], grid.scenario(i), str(network.path), baseline)


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
    """Run every point of ``grid`` and keep its rows in the Parquet file ``out``.

    Parameters
    ----------
    grid
        A loaded grid (:func:`load_grid`).
    network
        The network (workers load it again from its folder).
    out
        Results file (``.parquet``): complete after every commit, rows sorted by scenario;
        each finished scenario is journalled at once (see
        :class:`~midcorridor.runs.grid_store.ResultsFile`).
    workers
        Run on a local Dask cluster of this many worker processes (one thread each).
    scheduler
        Address of a running Dask scheduler to join instead (e.g. ``tcp://host:8786``).
    resume
        Keep the scenarios ``out`` already holds, after checking they were made by this
        grid, base scenario, network and version, and run the others.
    limit
        Run only the first ``limit`` points, in the grid's order.
    progress
        Called as ``progress(done, total)`` after each scenario.

    Returns
    -------
    GridRun
        What ran; ``interrupted`` when Ctrl-C or a signal stopped it (what finished is kept).

    Raises
    ------
    MidcorridorError
        When ``resume`` finds results of another grid, base, network or version, or an
        altered file; when the scheduler cannot be reached.
    """
    out = Path(out)
    if workers is not None:
        workers, _ = grid_workers(grid, workers)
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
    count = len(grid.points) if limit is None else min(limit, len(grid.points))
    ran, skipped, not_run = 0, 0, []
    interrupted, stopped_by = False, None
    asked = stops_asked()
    try:
        # the cluster's workers start while the results file is checked and the tasks made
        with point_runner(network=network, workers=workers, scheduler=scheduler) as run_points:
            meta = {**grid.metadata(), "fingerprint": fingerprint(grid.digest, grid.base, network)}
            axes = {a.name: a.shipment for a in grid.spec.axes}
            schema = result_schema(axes, choice=grid.spec.choice, meta=meta)
            results = ResultsFile(out, schema, len(grid.points), resume=resume)
            results.remove_leftovers()
            done = results.done
            skipped = sum(1 for i in done if i < count)
            outcomes = run_points(
                _tasks(grid, network, (i for i in range(count) if i not in done)),
                evaluate,
                evaluate_batch,
                total=count - skipped,
                sample_routes=grid.spec.samples * len(grid.base.routes),
            )
            try:
                for outcome in outcomes:
                    if outcome.rows is None:
                        not_run.append(outcome.index)
                    else:
                        results.add(outcome.rows)
                        ran += 1
                        if progress is not None:
                            progress(ran + skipped, count)
                    # a stop a library swallowed (raised in its own code) still stops the run
                    stop_if_asked_since(asked)
            finally:
                outcomes.close()  # cancels the batches in flight
                results.commit()  # before the cluster closes
    except KeyboardInterrupt:
        interrupted = True
    except StopRequested as stop:
        interrupted, stopped_by = True, stop.signum
    return GridRun(
        out,
        count,
        ran,
        skipped,
        interrupted,
        grid=grid.spec.name,
        stopped_by=stopped_by,
        not_run=tuple(sorted(not_run)),
    )


def grid_workers(grid: Grid, requested: int) -> tuple[int, str]:
    """The workers a local cluster may start for ``grid``
    (:func:`~.grid_exec.sampling_workers` of its samples and routes)."""
    return sampling_workers(requested, grid.spec.samples, len(grid.base.routes))


def evaluate_batch(tasks: Sequence[GridTask]) -> list[list[dict[str, Any]]]:
    """:func:`evaluate` of each task of a batch (one Dask task)."""
    return [evaluate(task) for task in tasks]
