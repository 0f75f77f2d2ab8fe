"""The ``midcorridor`` command: a thin layer over the Python API.

Each command parses its arguments, calls the API, and prints a table
(:mod:`midcorridor.views.tables`) or the result's JSON (``to_dict()``). Options shared by the
commands that run scenarios are declared once (:func:`_with_run_options`). Heavy
libraries are imported inside the commands that need them, so ``midcorridor --help``
starts fast.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from .._errors import MidcorridorError
from ..vocabulary import DEFAULT_ERA, Corridor, CorridorChoice, GroupBy, Shipment

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from ..model.trip import TripResult
    from ..network.network import Network
    from ..results import Ranking, Spread
    from ..runs.choice import ChoiceResult
    from ..runs.runner import ScenarioRun
    from ..views.tables import Table

app = typer.Typer(
    name="midcorridor",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
network_app = typer.Typer(help="Inspect the network data.", no_args_is_help=True)
app.add_typer(network_app, name="network")

# Wide tables when output goes to a file or pipe (rich would assume 80 columns).
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

# --- options -----------------------------------------------------------------------------

# typer needs Optional[...] (not X | None) inside Annotated on Python 3.11.
NetworkOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--network", help="Network folder (default: network/ of this checkout)."),
]
SamplesOpt = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option("--samples", min=100, max=2_000_000, help="Monte Carlo samples."),
]
SeedOpt = Annotated[Optional[int], typer.Option("--seed", min=0, help="Random seed.")]  # noqa: UP045
MonthOpt = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option("--month", min=1, max=12, help="Departure month, 1-12."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only, on stdout.")]
MapOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--map", help="Also write an offline HTML map here."),
]
ChartOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--chart", help="Also write a time-distance chart here (.png or .svg)."),
]
CostChartOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--cost-chart", help="Also write a cost-distance chart here (.png or .svg)."),
]
SweepChartOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--chart", help="Also write days against volume here (.png or .svg)."),
]
TornadoChartOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--chart", help="Also write a tornado chart of the first route (.png or .svg)."),
]
SpreadChartOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--chart", help="Also write the spread chart of the first route (.png or .svg)."),
]
CorridorOpt = Annotated[
    CorridorChoice, typer.Option("--corridor", "-c", help="Corridor of the routes.")
]
ScenariosArg = Annotated[list[Path], typer.Argument(help="Scenario YAML files.")]
ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.")]
PlaceArg = Annotated[str, typer.Argument(help="Place: id, name or alias.")]
RouteOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--route", help="Label of one route of the scenario (default: all)."),
]
TopOpt = Annotated[int, typer.Option("--top", min=1, help="Rows per route.")]
ConditionsOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--scenario", help="Conditions to use (default: scenarios/baseline.yaml)."),
]


@dataclass(frozen=True)
class RunOptions:
    """The options shared by the commands that run scenarios."""

    samples: int | None = None
    seed: int | None = None
    month: int | None = None
    network: Path | None = None

    def load_network(self) -> Network:
        """The network named by ``--network`` (default: network/ of this checkout)."""
        from ..network.read import load

        return load(self.network)

    def run(self, scenarios: list[Path], network: Network) -> list[ScenarioRun]:
        """Load and run each scenario file with these options."""
        from ..inputs.scenario import load_scenario
        from ..runs.runner import run_scenario

        loaded = [load_scenario(p) for p in scenarios]
        runs = []
        with _progress() as bar:
            for scenario in loaded:
                task = bar.add_task(f"sampling {scenario.name}", total=None)

                def advance(done: int, total: int, task: TaskID = task) -> None:
                    bar.update(task, completed=done, total=total)

                runs.append(
                    run_scenario(
                        scenario,
                        network,
                        samples=self.samples,
                        seed=self.seed,
                        month=self.month,
                        progress=advance,
                    )
                )
        return runs


_RUN_OPTIONS = {
    "samples": SamplesOpt,
    "seed": SeedOpt,
    "month": MonthOpt,
    "network": NetworkOpt,
}
_Command = TypeVar("_Command", bound=Callable[..., None])


def _with_run_options(*names: str) -> Callable[[_Command], _Command]:
    """Give a command the shared options ``names``; it receives them as ``opts``.

    The command declares ``opts: RunOptions`` last; typer sees ``--samples``, ``--seed``,
    ``--month`` or ``--network`` in its place, declared here once for every command.
    """

    def decorate(func: _Command) -> _Command:
        signature = inspect.signature(func, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "opts"]
        shared = [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=t)
            for n, t in _RUN_OPTIONS.items()
            if n in names
        ]

        @functools.wraps(func)
        def command(**kwargs: Any) -> None:
            opts = RunOptions(**{n: kwargs.pop(n) for n in names})
            func(**kwargs, opts=opts)

        command.__signature__ = signature.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]
        return command  # type: ignore[return-value]

    return decorate


# --- output ------------------------------------------------------------------------------


def _progress() -> Progress:
    """A progress bar on stderr, shown only on a terminal and cleared when done."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _print_json(data: Any) -> None:
    """Print strict JSON: a NaN or infinity is a bug upstream, never written as ``NaN``."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def _print(*tables: Table) -> None:
    from ..views.tables import to_rich

    for table in tables:
        out.print(to_rich(table))


def _check_outputs(
    map_path: Path | None = None, chart: Path | None = None, cost_chart: Path | None = None
) -> None:
    """Refuse output paths we cannot write (name, folder, permissions) before any run."""
    from .._files import HTML_SUFFIXES, check_output_file
    from ..views.charts import CHART_SUFFIXES

    if map_path is not None:
        check_output_file(map_path, HTML_SUFFIXES, what="Map file")
    for path in (chart, cost_chart):
        if path is not None:
            check_output_file(path, CHART_SUFFIXES, what="Chart file")


def _write_map_and_chart(
    runs: list[ScenarioRun],
    network: Network,
    map_path: Path | None,
    chart: Path | None,
    cost_chart: Path | None = None,
) -> None:
    if map_path is not None:
        from ..views.maps import scenario_map

        scenario_map(runs, network).save(map_path)
        err.print(f"map written to {escape(str(map_path))}")
    if chart is not None:
        from ..views.charts import time_distance_chart

        time_distance_chart(runs, network, chart)
        err.print(f"chart written to {escape(str(chart))}")
    if cost_chart is not None:
        from ..views.charts import cost_distance_chart

        network.require_costs()
        cost_distance_chart(runs, network, cost_chart)
        err.print(f"cost chart written to {escape(str(cost_chart))}")


# --- commands ----------------------------------------------------------------------------


@network_app.command("check")
def network_check(
    path: Annotated[Optional[Path], typer.Argument(help="Network folder.")] = None,  # noqa: UP045
    era: Annotated[
        int,
        typer.Option(
            "--era", min=1990, max=2100, help="List published figures older than this year."
        ),
    ] = DEFAULT_ERA,
    as_json: JsonOpt = False,
) -> None:
    """Validate the network files and summarise them (counts, km by mode and corridor,
    sources by basis, figures older than the era)."""
    from .._errors import NetworkError
    from ..network.read import default_network_dir, load
    from ..network.routing import network_summary
    from ..views.tables import network_tables

    folder = path if path is not None else default_network_dir()
    try:
        network = load(folder)
    except NetworkError as exc:  # every problem counted, the first ones listed
        if as_json:
            _print_json({"path": str(folder), "error": exc.message, "problems": exc.problems})
        else:
            err.print(f"[red]{escape(exc.message)}[/red]")
            for problem in exc.problems:
                err.print(f"  - {escape(problem)}", soft_wrap=True)
        raise typer.Exit(2) from None
    summary = network_summary(network, era=era)
    if as_json:
        _print_json(summary.to_dict())
    else:
        _print(*network_tables(summary))


@network_app.command("sea-routes")
def network_sea_routes(
    path: Annotated[Optional[Path], typer.Argument(help="Network folder.")] = None,  # noqa: UP045
    write: Annotated[
        bool, typer.Option("--write", help="Store searoute's lines and lengths in the file.")
    ] = False,
) -> None:
    """Compare each ocean link's stored line and length with what searoute draws today
    (with --write, store searoute's in links.geojson)."""
    from ..network.read import load
    from ..network.sea_routes import ocean_legs, write_ocean_legs
    from ..views.tables import sea_routes_table

    network = load(path)
    if write:
        changed = write_ocean_legs(network)
        out.print(f"{len(changed)} ocean link(s) updated in {escape(str(network.path))}")
    else:
        _print(sea_routes_table(list(ocean_legs(network)), network))


@app.command()
@_with_run_options("network")
def routes(
    origin: PlaceArg,
    destination: PlaceArg,
    corridor: CorridorOpt = "any",
    avoid: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--avoid", "-a", help="Country code or place to avoid (repeatable)."),
    ] = None,
    count: Annotated[
        int, typer.Option("--count", "-n", min=1, max=50, help="How many routes.")
    ] = 5,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """List candidate routes between two places, shortest first."""
    from ..network.routing import candidate_routes
    from ..views.tables import routes_table

    net = opts.load_network()
    found = candidate_routes(
        net, origin, destination, corridor=corridor, avoid=avoid or (), k=count
    )
    if as_json:
        _print_json([r.to_dict(net) for r in found])
    else:
        _print(routes_table(found, net))


@app.command()
@_with_run_options("samples", "seed", "month", "network")
def run(
    scenario: ScenarioArg,
    as_json: JsonOpt = False,
    map_path: MapOpt = None,
    chart: ChartOpt = None,
    *,
    opts: RunOptions,
) -> None:
    """Run one scenario: P10 / P50 / P90 days per route and the biggest stages."""
    from ..views.tables import run_table

    _check_outputs(map_path, chart)
    net = opts.load_network()
    (result,) = opts.run([scenario], net)
    if as_json:
        _print_json(result.to_dict(net))
    else:
        _print(run_table(result))
    _write_map_and_chart([result], net, map_path, chart)


@app.command()
@_with_run_options("samples", "seed", "month", "network")
def compare(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario YAML files; the first is the reference.")
    ],
    as_json: JsonOpt = False,
    map_path: MapOpt = None,
    chart: ChartOpt = None,
    cost_chart: CostChartOpt = None,
    with_choice: Annotated[
        bool,
        typer.Option(
            "--choice",
            help="Also the corridor choice (calibrated on scenarios/baseline.yaml): TEU a year "
            "moved between corridors and the Caspian load.",
        ),
    ] = False,
    *,
    opts: RunOptions,
) -> None:
    """Compare scenarios route by route: days in each and what moved."""
    from ..runs.runner import compare_runs
    from ..views.tables import choice_change_table, compare_table, run_table

    _check_outputs(map_path, chart, cost_chart)
    net = opts.load_network()
    runs = opts.run(scenarios, net)
    comparison = compare_runs(runs)
    choices = _solve_choices(scenarios, net, opts, None, 0.0) if with_choice else []
    if as_json:
        out = {"scenarios": [r.to_dict(net) for r in runs], "comparison": comparison.to_dict()}
        if choices:
            out["choice"] = [c.to_dict() for c in choices]
        _print_json(out)
    else:
        tables = [*(run_table(r) for r in runs), compare_table(comparison)]
        if choices:
            tables.append(choice_change_table(choices))
        _print(*tables)
    _write_map_and_chart(runs, net, map_path, chart, cost_chart)


OutOpt = Annotated[Path, typer.Option("--out", "-o", help="File to write.")]
BaselineOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--baseline",
        help="Scenario the choice is calibrated on (default: scenarios/baseline.yaml).",
    ),
]
CarbonOpt = Annotated[
    float,
    typer.Option("--carbon-price", min=0, max=10_000, help="Carbon price, USD per t CO2e."),
]
#: Monte Carlo samples of each run of the choice's fixed point, unless --samples says.
CHOICE_SAMPLES = 5_000


def _solve_choices(
    scenarios: list[Path],
    net: Network,
    opts: RunOptions,
    baseline: Path | None,
    carbon_price: float,
) -> list[ChoiceResult]:
    """The corridor choice of each scenario file, calibrated on ``baseline``."""
    from ..inputs.scenario import default_scenario, load_scenario
    from ..runs.choice import fit_choice_baseline, solve_choice

    reference = load_scenario(baseline if baseline is not None else default_scenario())
    loaded = [load_scenario(p) for p in scenarios]
    samples = opts.samples or CHOICE_SAMPLES
    results = []
    with _progress() as bar:
        bar.add_task(f"calibrating on {reference.name}", total=None)
        calibrated = fit_choice_baseline(
            reference, net, samples=samples, seed=opts.seed, carbon_usd_per_t=carbon_price
        )
        for scenario in loaded:
            bar.add_task(f"corridor choice {scenario.name}", total=None)
            results.append(
                solve_choice(
                    scenario,
                    net,
                    baseline=reference,
                    samples=samples,
                    seed=opts.seed,
                    carbon_usd_per_t=carbon_price,
                    fitted=calibrated,
                )
            )
    return results


@app.command()
@_with_run_options("network")
def grid(
    grid_file: Annotated[Path, typer.Argument(help="Grid YAML file (grids/).")],
    workers: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--workers", min=1, max=256, help="Run on a local Dask cluster of N workers."),
    ] = None,
    scheduler: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--scheduler", help="Join a running Dask scheduler (tcp://host:8786)."),
    ] = None,
    out_path: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--out", "-o", help="Results file (default: results/GRID.parquet)."),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Keep the scenarios OUT holds; run the others.")
    ] = False,
    limit: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--limit", min=1, help="Run only the first N scenarios of the grid."),
    ] = None,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """Run every scenario of a grid (in-process, or on Dask) into a Parquet table: one row
    per scenario and route. Ctrl-C stops cleanly and keeps what finished (--resume)."""
    from .._files import check_output_file
    from ..runs.grid import load_grid, run_grid

    if workers is not None and scheduler is not None:
        raise MidcorridorError("Give --workers or --scheduler, not both.")
    loaded = load_grid(grid_file)
    out_file = out_path or Path("results") / f"{loaded.spec.name}.parquet"
    check_output_file(out_file, (".parquet",), what="Results file")
    net = opts.load_network()
    with _progress() as bar:
        task = bar.add_task(f"grid {loaded.spec.name}", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = run_grid(
            loaded,
            net,
            out_file,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            limit=limit,
            progress=advance,
        )
    summary = {
        "grid": loaded.spec.name,
        "results": str(result.path),
        "scenarios": result.scenarios,
        "ran": result.ran,
        "skipped": result.skipped,
        "interrupted": result.interrupted,
    }
    if as_json:
        _print_json(summary)
    else:
        kept = result.ran + result.skipped
        out.print(
            f"{kept:,} of {result.scenarios:,} scenarios in {escape(str(result.path))} "
            f"({result.ran:,} run now, {result.skipped:,} kept from before)"
        )
    if result.interrupted:
        err.print("interrupted: what finished is kept; rerun with --resume to go on")
        raise typer.Exit(INTERRUPTED_EXIT)


@app.command()
def frontier(
    results: Annotated[Path, typer.Argument(help="Results file of midcorridor grid.")],
    route: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--route", help="Route label (default: the grid's question)."),
    ] = None,
    target_ratio: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option("--target-ratio", min=0.01, max=0.99, help="Target: today's P50 x R."),
    ] = None,
    target_days: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option("--target-days", min=0.1, help="Target: P50 days."),
    ] = None,
    every_set: Annotated[bool, typer.Option("--all", help="List every measure set.")] = False,
    chart: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--chart", help="Also draw the frontier here (.png or .svg)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """What a grid answers: for a policy grid, the measure sets that reach the target
    with the least effort and the volume each breaks at; for an uncertainty grid, the
    spread of each route's days and which assumption drives it."""
    from ..analysis.frontier import frontier as frontier_of
    from ..analysis.frontier import uncertainty
    from ..runs.grid_store import read_results
    from ..views.tables import frontier_tables, uncertainty_tables

    if target_ratio is not None and target_days is not None:
        raise MidcorridorError("Give --target-ratio or --target-days, not both.")
    _check_outputs(chart=chart)
    frame, meta = read_results(results)
    if str(meta.get("design", "full")) != "full":
        spread = uncertainty(frame, meta)
        if as_json:
            _print_json(spread.to_dict())
        else:
            _print(*uncertainty_tables(spread))
        return
    answer = frontier_of(
        frame, meta, route=route, target_ratio=target_ratio, target_days=target_days
    )
    if as_json:
        _print_json(answer.to_dict())
    else:
        _print(*frontier_tables(answer, every_set=every_set))
    if chart is not None:
        from ..views.charts import frontier_chart

        frontier_chart(answer, chart)
        err.print(f"chart written to {escape(str(chart))}")


@app.command()
@_with_run_options("samples", "seed", "network")
def choice(
    scenarios: ScenariosArg,
    baseline: BaselineOpt = None,
    carbon_price: CarbonOpt = 0.0,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """Which corridor cargo would choose: shares of the Middle Corridor, the northern
    route and the sea for each market of network/choice.yaml, with the Caspian queues fed
    back to a fixed point. Several scenarios: also the change against the first.
    """
    net = opts.load_network()
    results = _solve_choices(scenarios, net, opts, baseline, carbon_price)
    if as_json:
        _print_json([r.to_dict() for r in results] if len(results) > 1 else results[0].to_dict())
        return
    from ..views.tables import choice_change_table, choice_table

    tables = [choice_table(r) for r in results]
    if len(results) > 1:
        tables.append(choice_change_table(results))
    _print(*tables)


@app.command("map")
@_with_run_options("samples", "seed", "month", "network")
def map_command(
    scenarios: ScenariosArg,
    out_path: OutOpt = Path("maps/map.html"),
    *,
    opts: RunOptions,
) -> None:
    """Write an offline HTML map of the network and the scenarios' routes."""
    _check_outputs(map_path=out_path)
    net = opts.load_network()
    _write_map_and_chart(opts.run(scenarios, net), net, out_path, None)


@app.command("chart")
@_with_run_options("samples", "seed", "month", "network")
def chart_command(
    scenarios: ScenariosArg,
    out_path: OutOpt = Path("maps/chart.png"),
    cost: Annotated[
        bool, typer.Option("--cost", help="Cumulative USD against km instead of days.")
    ] = False,
    *,
    opts: RunOptions,
) -> None:
    """Write a time-distance chart (.png or .svg): km against days, one line per route
    (with --cost, the cost-distance chart: km against USD per container)."""
    _check_outputs(chart=out_path)
    net = opts.load_network()
    runs = opts.run(scenarios, net)
    if cost:
        _write_map_and_chart(runs, net, None, None, out_path)
    else:
        _write_map_and_chart(runs, net, None, out_path)


#: Most steps a sweep runs.
MAX_SWEEP_STEPS = 200


def _volumes(spec: str) -> list[float]:
    """``START:STOP:STEP`` (TEU/week, STOP included) as a list of volumes."""
    try:
        start, stop, step = (float(p) for p in spec.split(":"))
    except ValueError:
        raise MidcorridorError(
            f"--volume {spec!r}: give START:STOP:STEP in TEU per week, e.g. 500:4000:500."
        ) from None
    if not all(math.isfinite(v) for v in (start, stop, step)):
        raise MidcorridorError(f"--volume {spec!r}: numbers must be finite.")
    if start < 0 or stop < start or step <= 0:
        raise MidcorridorError(
            f"--volume {spec!r}: need 0 <= START <= STOP and STEP > 0 (TEU per week)."
        )
    count = int((stop - start) / step + 1e-9) + 1
    if count > MAX_SWEEP_STEPS:
        raise MidcorridorError(f"--volume {spec!r}: {count} steps; at most {MAX_SWEEP_STEPS}.")
    return [start + i * step for i in range(count)]


@app.command()
@_with_run_options("network")
def sweep(
    scenario: ScenarioArg,
    volume: Annotated[
        str, typer.Option("--volume", help="START:STOP:STEP, TEU per week on the corridor.")
    ],
    corridor: Annotated[
        Corridor, typer.Option("--corridor", "-c", help="Corridor whose volume varies.")
    ] = "middle",
    samples: Annotated[
        int, typer.Option("--samples", min=100, max=2_000_000, help="Monte Carlo samples.")
    ] = 5000,
    as_json: JsonOpt = False,
    chart: SweepChartOpt = None,
    *,
    opts: RunOptions,
) -> None:
    """Days and crossing utilisation as the volume grows: where the corridor saturates."""
    from ..inputs.scenario import load_scenario
    from ..runs.runner import sweep_volume
    from ..views.tables import sweep_table

    volumes = _volumes(volume)
    _check_outputs(chart=chart)
    net = opts.load_network()
    loaded = load_scenario(scenario)
    with _progress() as progress:
        task = progress.add_task("volumes", total=len(volumes))
        result = sweep_volume(
            loaded,
            net,
            volumes,
            corridor=corridor,
            samples=samples,
            on_step=lambda _: progress.advance(task),
        )
    if as_json:
        _print_json(result.to_dict())
    else:
        _print(sweep_table(result))
    if chart is not None:
        from ..views.charts import sweep_chart

        sweep_chart(result, chart)
        err.print(f"chart written to {escape(str(chart))}")


def _pick_trips(result: ScenarioRun, label: str | None) -> list[TripResult]:
    if label is None:
        return list(result.trips)
    try:
        return [result.trip(label)]
    except KeyError:
        labels = [t.label for t in result.trips]
        close = difflib.get_close_matches(label, labels, n=3, cutoff=0.3)
        hint = f" Did you mean: {'; '.join(repr(c) for c in close)}?" if close else ""
        raise MidcorridorError(f"No route labelled {label!r} in the scenario.{hint}") from None


_Result = TypeVar("_Result", "Ranking", "Spread")


def _analyse_trips(
    scenario: Path,
    route: str | None,
    opts: RunOptions,
    analyse: Callable[[TripResult, Network], _Result],
    table: Callable[[_Result], Table],
    *,
    as_json: bool,
    chart: Path | None,
    draw: Callable[[_Result, Path], Path],
) -> None:
    """Run a scenario, analyse each trip (or the one labelled ``route``), print, draw."""
    _check_outputs(chart=chart)
    net = opts.load_network()
    (result,) = opts.run([scenario], net)
    analysed = [analyse(trip, net) for trip in _pick_trips(result, route)]
    if as_json:
        _print_json({"scenario": result.scenario.name, "routes": [a.to_dict() for a in analysed]})
    else:
        _print(*(table(a) for a in analysed))
    if chart is not None:
        draw(analysed[0], chart)
        err.print(f"chart written to {escape(str(chart))}")


@app.command()
@_with_run_options("samples", "seed", "network")
def rank(
    scenario: ScenarioArg,
    route: RouteOpt = None,
    group_by: Annotated[
        GroupBy,
        typer.Option("--group-by", help="place (stage at a node), country or stage."),
    ] = "place",
    top: TopOpt = 10,
    as_json: JsonOpt = False,
    chart: TornadoChartOpt = None,
    *,
    opts: RunOptions,
) -> None:
    """Rank bottlenecks: P50 / P90 days saved if each delay is halved or removed."""
    from ..analysis.bottlenecks import rank_bottlenecks
    from ..views.charts import tornado_chart
    from ..views.tables import rank_table

    _analyse_trips(
        scenario,
        route,
        opts,
        lambda trip, net: rank_bottlenecks(trip, group_by=group_by, network=net).head(top),
        rank_table,
        as_json=as_json,
        chart=chart,
        draw=lambda r, path: tornado_chart(r, path, title=f"{r.label}: days saved if removed"),
    )


@app.command()
@_with_run_options("samples", "seed", "network")
def sensitivity(
    scenario: ScenarioArg,
    route: RouteOpt = None,
    top: TopOpt = 10,
    as_json: JsonOpt = False,
    chart: SpreadChartOpt = None,
    *,
    opts: RunOptions,
) -> None:
    """Which delays the spread of door-to-door days depends on (from the same samples)."""
    from ..analysis.bottlenecks import sensitivity as spread_of
    from ..views.charts import sensitivity_chart
    from ..views.tables import spread_table

    _analyse_trips(
        scenario,
        route,
        opts,
        lambda trip, net: spread_of(trip, network=net).head(top),
        spread_table,
        as_json=as_json,
        chart=chart,
        draw=lambda s, path: sensitivity_chart(s, path, title=f"{s.label}: what makes the spread"),
    )


@app.command()
@_with_run_options("samples", "seed", "month", "network")
def evidence(
    scenario: ScenarioArg,
    top: TopOpt = 5,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """What each route's mean days rest on: published, derived or assumed figures.

    Per route, the assumptions that explain most of the spread of the days come first:
    what is worth measuring first, and which measurement would settle it.
    """
    from ..analysis.evidence import evidence as evidence_of
    from ..views.tables import evidence_tables

    net = opts.load_network()
    (run,) = opts.run([scenario], net)
    result = evidence_of(run, net)
    if as_json:
        _print_json(result.to_dict())
    else:
        _print(*evidence_tables(result, top=top))


@app.command()
@_with_run_options("samples", "seed", "network")
def report(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario YAML files; the first is the reference.")
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for report.md and its charts.")
    ] = Path("reports/report"),
    calibration: Annotated[
        bool, typer.Option("--calibration/--no-calibration", help="Include the calibration table.")
    ] = True,
    *,
    opts: RunOptions,
) -> None:
    """Write a Markdown brief: headline days, where they go, changes, ranking, sources."""
    from .._files import check_output_folder
    from ..analysis.calibration import calibrate as run_calibration
    from ..inputs.scenario import default_scenario, load_scenario
    from ..views.report import REPORT_FILE, write_report

    check_output_folder(out_dir, owned_by=REPORT_FILE, what="Report folder")
    net = opts.load_network()
    runs = opts.run(scenarios, net)
    checked = None
    if calibration:
        checked = run_calibration(net, load_scenario(default_scenario()), samples=opts.samples)
    path = write_report(runs, net, out_dir, calibration=checked)
    err.print(f"report written to {escape(str(path))}")


@app.command()
@_with_run_options("network")
def validate(scenarios: ScenariosArg, *, opts: RunOptions) -> None:
    """Check scenario files (fields, places, closures) without running them."""
    from ..inputs.scenario import load_scenario
    from ..runs.runner import check_scenario

    net = opts.load_network()
    invalid = crashed = 0
    for path in scenarios:
        try:
            check_scenario(load_scenario(path), net)
        except MidcorridorError as exc:
            invalid += 1
            err.print(f"[red]invalid[/red] {escape(str(exc))}")
        except Exception as exc:  # a bug: report it and go on with the other files
            if _state.debug:
                raise
            crashed += 1
            err.print(f"[red]internal error[/red] {escape(str(path))}: {_bug_text(exc)}")
        else:
            out.print(f"[green]ok[/green] {escape(str(path))}")
    if crashed:
        raise typer.Exit(1)
    if invalid:
        raise typer.Exit(2)


@app.command()
@_with_run_options("samples", "seed", "month", "network")
def explain(
    origin: PlaceArg,
    destination: PlaceArg,
    corridor: CorridorOpt = "any",
    shipment: Annotated[
        Shipment,
        typer.Option("--shipment", "-s", help="What travels (network/shipments.yaml)."),
    ] = "block_train",
    scenario: ConditionsOpt = None,
    via: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--via", help="A place the route must pass (repeat for more)."),
    ] = None,
    *,
    opts: RunOptions,
) -> None:
    """Show a trip leg by leg: hours per stage at each place, then USD and CO2 per leg,
    with sources.

    Below the first table: for each timetabled departure, the share of containers that
    missed the first one they could have made, and why.
    """
    from ..inputs.scenario import RouteSpec, default_scenario, load_scenario
    from ..runs.runner import run_scenario
    from ..views.tables import cost_explain_table, explain_table

    net = opts.load_network()
    ends = [net.find_node(place) for place in (origin, destination)]
    if ends[0] == ends[1]:
        raise MidcorridorError(
            f"{origin!r} and {destination!r} are the same place ({net.describe(ends[0])}): "
            "name two different places."
        )
    base = load_scenario(scenario or default_scenario())
    spec = RouteSpec(
        origin=ends[0],
        destination=ends[1],
        corridor=corridor,
        shipment=shipment,
        via=tuple(via or ()),
    )
    result = run_scenario(
        base.model_copy(update={"routes": (spec,)}),
        net,
        samples=opts.samples,
        seed=opts.seed,
        month=opts.month,
    )
    table, citations = explain_table(result.trips[0], net, era=base.era)
    tables = [table]
    if result.costs:
        cited = list(dict.fromkeys(c.source for c in result.trips[0].components))
        cost_table, cost_citations = cost_explain_table(
            result.costs[0], net, cited=cited, era=base.era
        )
        tables.append(cost_table)
        citations = [*citations, *cost_citations]
    _print(*tables)
    out.print("Sources:")
    for line in citations:
        out.print(f"  {escape(line)}", soft_wrap=True)


@app.command()
@_with_run_options("samples", "network")
def calibrate(
    scenario: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--scenario", help="Baseline conditions (default: scenarios/baseline.yaml)."),
    ] = None,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """Check the model against published transit times, by shipment class and era, and
    its costs against published freight rates.

    The 2025 targets run on the baseline, the 2022 ones on conditions_2022.yaml beside it
    (exit 3 if a required target is missed: a required time target, or a rate a cost
    figure was derived from).
    """
    from ..analysis.calibration import calibrate as run_calibration
    from ..analysis.calibration import era_scenarios
    from ..analysis.cost_checks import check_costs
    from ..inputs.scenario import default_scenario, load_scenario
    from ..views.tables import calibration_table, cost_check_table

    net = opts.load_network()
    path = scenario or default_scenario()
    baseline = load_scenario(path)
    eras = era_scenarios(path.parent)
    result = run_calibration(net, baseline, samples=opts.samples, eras=eras)
    costs = check_costs(net, baseline) if net.costs is not None else []
    if as_json:
        _print_json({"times": result.to_dict(), "costs": [c.to_dict() for c in costs]})
    else:
        _print(calibration_table(result), *([cost_check_table(costs)] if costs else []))
    missed = [r.target.name for r in result.missed]
    missed += [c.target.name for c in costs if c.target.required and not c.met]
    if missed:
        err.print(
            f"[red]{len(missed)} required target(s) missed:[/red] {escape('; '.join(missed))}"
        )
        raise typer.Exit(CALIBRATION_MISSED_EXIT)


@dataclass
class _State:
    """Options of the command as a whole."""

    debug: bool = False


_state = _State()


def _version(value: bool) -> None:
    if value:
        from .._version import __version__

        out.print(f"midcorridor {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", help="On an internal error, show the traceback.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Transit times on the Middle Corridor and the northern route: networks, scenarios, maps."""
    _state.debug = debug


def _bug_text(exc: BaseException) -> str:
    return (
        f"{escape(type(exc).__name__)}: {escape(str(exc)[:300])}. This is a bug in midcorridor, "
        "not in your input: please report it on the project's issue tracker with the "
        "command you ran and `midcorridor --version` (rerun with --debug for the traceback)."
    )


#: Exit codes: 2 a user mistake (a file, a place, an option), 1 a bug, 3 a missed
#: calibration target, 130 an interrupt.
USER_ERROR_EXIT, BUG_EXIT, CALIBRATION_MISSED_EXIT, INTERRUPTED_EXIT = 2, 1, 3, 130


def main() -> None:
    """Entry point: user mistakes are printed plainly (exit 2); a bug says so (exit 1)."""
    try:
        app()
    except MidcorridorError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        raise SystemExit(USER_ERROR_EXIT) from None
    except KeyboardInterrupt:
        err.print("interrupted: no file was left half-written.")
        raise SystemExit(INTERRUPTED_EXIT) from None
    except Exception as exc:
        if _state.debug:
            raise
        err.print(f"[red]internal error:[/red] {_bug_text(exc)}", soft_wrap=True)
        raise SystemExit(BUG_EXIT) from None
