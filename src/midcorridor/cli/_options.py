"""Options shared by the commands, declared once, and the ways a command writes output.

A command that runs scenarios declares ``opts: RunOptions`` and takes the shared options
it names from :func:`with_run_options`; output goes through :func:`print_tables` (rich) or
:func:`print_json` (strict JSON).
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional, TypeVar

import typer

from .._errors import MidcorridorError
from ..views.safe_text import json_text, markup
from ..vocabulary import DEFAULT_SAMPLES, DEFAULT_SEED, CorridorChoice
from ._app import err, out, state, written

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from ..network.network import Network
    from ..runs.choice import ChoiceResult
    from ..runs.runner import ScenarioRun
    from ..views.table import Table

# typer needs Optional[...] (not X | None) inside Annotated on Python 3.11.
OptPath = Optional[Path]  # noqa: UP045
OptInt = Optional[int]  # noqa: UP045
OptStr = Optional[str]  # noqa: UP045
OptFloat = Optional[float]  # noqa: UP045
OptStrs = Optional[list[str]]  # noqa: UP045
NetworkOpt = Annotated[
    OptPath, typer.Option("--network", help="Network folder (default: network/ of this checkout).")
]


def _samples_opt(shown: str) -> Any:
    """``--samples`` with ``shown`` as its default in the help."""
    return Annotated[
        OptInt,
        typer.Option(
            "--samples", min=100, max=2_000_000, help="Monte Carlo samples.", show_default=shown
        ),
    ]


#: What the help gives as the default of ``--samples`` for a command that runs a scenario.
SCENARIO_SAMPLES_SHOWN = f"the scenario's, else {DEFAULT_SAMPLES:,}"
SamplesOpt = _samples_opt(SCENARIO_SAMPLES_SHOWN)

#: ``--samples`` of a command whose own default is in its signature (``sweep``, ``headline``).
FixedSamplesOpt = Annotated[
    int, typer.Option("--samples", min=100, max=2_000_000, help="Monte Carlo samples.")
]

SeedOpt = Annotated[
    OptInt,
    typer.Option(
        "--seed",
        min=0,
        help="Random seed.",
        show_default=f"the scenario's, else {DEFAULT_SEED}",
    ),
]

MonthOpt = Annotated[
    OptInt,
    typer.Option(
        "--month",
        min=1,
        max=12,
        help="Departure month, 1-12.",
        show_default="the scenario's, else any month",
    ),
]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only, on stdout.")]

MapOpt = Annotated[OptPath, typer.Option("--map", help="Also write an offline HTML map here.")]

ChartOpt = Annotated[
    OptPath, typer.Option("--chart", help="Also write a time-distance chart here (.png or .svg).")
]

ExportOpt = Annotated[
    OptPath,
    typer.Option(
        "--export",
        help="Also write the results per route here: .csv, .parquet, .geojson (routes as "
        "lines) or .gpkg (routes, hours at each node, the network with closures).",
    ),
]

CostChartOpt = Annotated[
    OptPath,
    typer.Option("--cost-chart", help="Also write a cost-distance chart here (.png or .svg)."),
]

SweepChartOpt = Annotated[
    OptPath, typer.Option("--chart", help="Also write days against volume here (.png or .svg).")
]

TornadoChartOpt = Annotated[
    OptPath,
    typer.Option("--chart", help="Also write a tornado chart of the first route (.png or .svg)."),
]

SpreadChartOpt = Annotated[
    OptPath,
    typer.Option("--chart", help="Also write the spread chart of the first route (.png or .svg)."),
]

CorridorOpt = Annotated[
    CorridorChoice, typer.Option("--corridor", "-c", help="Corridor of the routes.")
]

ScenariosArg = Annotated[list[Path], typer.Argument(help="Scenario YAML files.")]

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.")]

PlaceArg = Annotated[str, typer.Argument(help="Place: id, name or alias.")]

RouteOpt = Annotated[
    OptStr, typer.Option("--route", help="Label of one route of the scenario (default: all).")
]

TopOpt = Annotated[int, typer.Option("--top", min=1, help="Rows per route.")]

ConditionsOpt = Annotated[
    OptPath,
    typer.Option("--scenario", help="Conditions to use (default: scenarios/baseline.yaml)."),
]

#: A local Dask cluster or a running scheduler (``grid``, ``fit``): give one, not both.
WorkersOpt = Annotated[
    OptInt,
    typer.Option("--workers", min=1, max=256, help="Run on a local Dask cluster of N workers."),
]
SchedulerOpt = Annotated[
    OptStr, typer.Option("--scheduler", help="Join a running Dask scheduler (tcp://host:8786).")
]


def check_cluster_options(workers: int | None, scheduler: str | None) -> None:
    """``--workers`` and ``--scheduler`` are not both given."""
    if workers is not None and scheduler is not None:
        raise MidcorridorError("Give --workers or --scheduler, not both.")


OutOpt = Annotated[Path, typer.Option("--out", "-o", help="File to write.")]

BaselineOpt = Annotated[
    OptPath,
    typer.Option(
        "--baseline",
        help="Scenario the choice is calibrated on (default: scenarios/baseline.yaml).",
    ),
]

CarbonOpt = Annotated[
    float,
    typer.Option("--carbon-price", min=0, max=10_000, help="Carbon price, USD per t CO2e."),
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
        with progress_bar() as bar:
            for scenario in loaded:
                task = bar.add_task(f"sampling {markup(scenario.name)}", total=None)

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

    def choices(
        self,
        scenarios: list[Path],
        network: Network,
        *,
        baseline: Path | None = None,
        carbon_usd_per_t: float = 0.0,
    ) -> list[ChoiceResult]:
        """The corridor choice of each scenario file, fitted on ``baseline`` (default:
        scenarios/baseline.yaml)."""
        from ..inputs.scenario import default_scenario, load_scenario
        from ..runs.choice import solve_choices

        reference = load_scenario(baseline if baseline is not None else default_scenario())
        loaded = [load_scenario(p) for p in scenarios]
        with progress_bar() as bar:
            return solve_choices(
                loaded,
                network,
                baseline=reference,
                samples=self.samples,
                seed=self.seed,
                carbon_usd_per_t=carbon_usd_per_t,
                on_step=lambda what: bar.add_task(markup(what), total=None),
            )


_RUN_OPTIONS = {
    "samples": SamplesOpt,
    "seed": SeedOpt,
    "month": MonthOpt,
    "network": NetworkOpt,
}


_Command = TypeVar("_Command", bound=Callable[..., None])


def with_run_options(
    *names: str, samples_default: str | None = None
) -> Callable[[_Command], _Command]:
    """Give a command the shared options ``names``; it receives them as ``opts``.

    The command declares ``opts: RunOptions`` last; typer sees ``--samples``, ``--seed``,
    ``--month`` or ``--network`` in its place, declared here once for every command.
    ``samples_default`` is what the help gives as the default of ``--samples`` for a
    command that does not take the scenario's.
    """
    options = dict(_RUN_OPTIONS)
    if samples_default is not None:
        options["samples"] = _samples_opt(samples_default)

    def decorate(func: _Command) -> _Command:
        signature = inspect.signature(func, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "opts"]
        shared = [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=t)
            for n, t in options.items()
            if n in names
        ]

        @functools.wraps(func)
        def command(**kwargs: Any) -> None:
            opts = RunOptions(**{n: kwargs.pop(n) for n in names})
            func(**kwargs, opts=opts)

        command.__signature__ = signature.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]
        return command  # type: ignore[return-value]

    return decorate


def place_of(network: Network, query: str, what: str) -> str:
    """The node a command-line argument or option (``what``: ``ORIGIN``, ``--via``) names;
    a mistake is blamed on that argument, not on a file."""
    from .._errors import PlaceNotFoundError

    try:
        return network.find_node(query)
    except PlaceNotFoundError as exc:
        raise MidcorridorError(f"{what}: {exc.message}") from None


def progress_bar() -> Progress:
    """A progress bar on stderr, shown only on a terminal (not with ``--quiet``) and
    cleared when done."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=state.quiet or not err.is_terminal,
    )


def print_json(data: Any) -> None:
    """Print strict JSON: a NaN or infinity is a bug upstream, never written as ``NaN``."""
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    sys.stdout.write(json_text(text) + "\n")


def print_tables(*tables: Table) -> None:
    """Print tables in the ``--format`` asked for."""
    from ..views.table import to_csv, to_markdown, to_records, to_rich

    if state.table_format == "json":
        print_json([to_records(t) for t in tables])
        return
    for i, table in enumerate(tables):
        if state.table_format == "table":
            out.print(to_rich(table, wide=state.wide))
            continue
        text = to_csv(table) if state.table_format == "csv" else to_markdown(table, title=True)
        out.print(("\n" if i else "") + text, markup=False, highlight=False, soft_wrap=True)


def check_outputs(
    map_path: Path | None = None,
    chart: Path | None = None,
    cost_chart: Path | None = None,
    export: Path | None = None,
) -> None:
    """Refuse output paths we cannot write (name, folder, permissions) before any run."""
    from .._files import HTML_SUFFIXES, check_output_file
    from ..views.charts import CHART_SUFFIXES

    if export is not None:
        from ..views.exports import check_export

        check_export(export)
    if map_path is not None:
        check_output_file(map_path, HTML_SUFFIXES, what="Map file")
    for path in (chart, cost_chart):
        if path is not None:
            check_output_file(path, CHART_SUFFIXES, what="Chart file")


def write_outputs(
    runs: list[ScenarioRun],
    network: Network,
    map_path: Path | None,
    chart: Path | None,
    cost_chart: Path | None = None,
    export: Path | None = None,
) -> None:
    """Write the map, charts and export asked for (checked by :func:`check_outputs`)."""
    if export is not None:
        from ..views.exports import export_runs

        export_runs(runs, network, export)
        written("results", export)
    if map_path is not None:
        from ..views.maps import scenario_map

        scenario_map(runs, network).save(map_path)
        written("map", map_path)
    if chart is not None:
        from ..views.distance_charts import time_distance_chart

        time_distance_chart(runs, network, chart)
        written("chart", chart)
    if cost_chart is not None:
        from ..views.distance_charts import cost_distance_chart

        network.require_costs()
        cost_distance_chart(runs, network, cost_chart)
        written("cost chart", cost_chart)
