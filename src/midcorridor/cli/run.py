"""Commands that run scenarios and show them: run, compare, map, chart, sweep, report,
validate, explain."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._errors import MidcorridorError
from ..views.safe_text import markup
from ..vocabulary import Corridor, Shipment
from ._app import app, bug_text, err, examples, out, state, written

if TYPE_CHECKING:
    from .._background import Pending, SecondProcess
    from ..analysis.headline import Headline
    from ..analysis.model_checks import ModelChecks
    from ..analysis.scores import Scores
    from ..network.network import Network
    from ..runs.runner import ScenarioRun
from ._options import (
    ChartOpt,
    ConditionsOpt,
    CorridorOpt,
    CostChartOpt,
    ExportOpt,
    FixedSamplesOpt,
    JsonOpt,
    MapOpt,
    OptPath,
    OptStrs,
    OutOpt,
    PlaceArg,
    RunOptions,
    ScenarioArg,
    ScenariosArg,
    SweepChartOpt,
    check_outputs,
    place_of,
    print_json,
    print_tables,
    progress_bar,
    with_run_options,
    write_outputs,
)


@app.command(
    epilog=examples(
        "run scenarios/baseline.yaml",
        "run scenarios/baseline.yaml --samples 5000 --month 12 --map maps/baseline.html",
        "run scenarios/baseline.yaml --export results.gpkg",
    )
)
@with_run_options("samples", "seed", "month", "network")
def run(
    scenario: ScenarioArg,
    as_json: JsonOpt = False,
    map_path: MapOpt = None,
    chart: ChartOpt = None,
    export: ExportOpt = None,
    *,
    opts: RunOptions,
) -> None:
    """Run one scenario: P10 / P50 / P90 days per route and the biggest stages."""
    from ..views.run_tables import run_table

    check_outputs(map_path, chart, export=export)
    net = opts.load_network()
    (result,) = opts.run([scenario], net)
    if as_json:
        print_json(result.to_dict(net))
    else:
        print_tables(run_table(result))
    write_outputs([result], net, map_path, chart, export=export)


@app.command(
    epilog=examples(
        "compare scenarios/baseline.yaml scenarios/digital_customs.yaml",
        "compare scenarios/baseline.yaml scenarios/red_sea_closed.yaml --choice",
        "compare scenarios/baseline.yaml scenarios/digital_customs.yaml --headline --report out",
        "compare scenarios/baseline.yaml scenarios/northern_closed.yaml --export out.gpkg",
    )
)
@with_run_options("samples", "seed", "month", "network")
def compare(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario YAML files; the first is the reference.")
    ],
    as_json: JsonOpt = False,
    map_path: MapOpt = None,
    chart: ChartOpt = None,
    cost_chart: CostChartOpt = None,
    export: ExportOpt = None,
    report_dir: Annotated[
        OptPath,
        typer.Option(
            "--report",
            help="Also write the Markdown brief of these runs into this folder (as report "
            "does, without sampling the scenarios again).",
        ),
    ] = None,
    lead_with_answer: Annotated[
        bool,
        typer.Option(
            "--headline",
            help="Lead with the reference scenario's answer by class and departure month (as "
            "headline does; the report reuses it).",
        ),
    ] = False,
    with_choice: Annotated[
        bool,
        typer.Option(
            "--choice",
            help="Also the corridor choice (fitted on scenarios/baseline.yaml): TEU a year "
            "moved between corridors and the Caspian load.",
        ),
    ] = False,
    *,
    opts: RunOptions,
) -> None:
    """Compare scenarios route by route: days in each and what moved."""
    from ..runs.runner import compare_runs
    from ..views.analysis_tables import choice_change_table
    from ..views.run_tables import compare_table, run_table

    if len(scenarios) < 2:
        raise MidcorridorError(
            "compare needs two scenario files or more, the reference first (one scenario: "
            "midcorridor run FILE)."
        )
    check_outputs(map_path, chart, cost_chart, export)
    if report_dir is not None:
        from .._files import check_output_folder
        from ..views.report import REPORT_FILE

        check_output_folder(report_dir, owned_by=REPORT_FILE, what="Report folder")
    net = opts.load_network()
    report = report_dir is not None
    reference = scenarios[0] if report or lead_with_answer else None
    with _brief_started(opts, reference, checks=report) as started:
        runs = opts.run(scenarios, net)
        comparison = compare_runs(runs)
        choices = opts.choices(scenarios, net) if with_choice else []
        answer = started.answer() if lead_with_answer else None  # printed first all the same
        if answer is not None and not as_json:
            from ..views.headline import headline_table

            print_tables(headline_table(answer))
        if as_json:
            out: dict[str, Any] = {
                "scenarios": [r.to_dict(net) for r in runs],
                "comparison": comparison.to_dict(),
            }
            if answer is not None:
                out["headline"] = answer.to_dict()
            if choices:
                out["choice"] = [c.to_dict() for c in choices]
            print_json(out)
        else:
            tables = [*(run_table(r) for r in runs), compare_table(comparison)]
            if choices:
                tables.append(choice_change_table(choices))
            print_tables(*tables)
        write_outputs(runs, net, map_path, chart, cost_chart, export)
        if report_dir is not None:
            drawn = {"time_distance.png": chart, "cost_distance.png": cost_chart}
            write_brief(
                runs,
                net,
                report_dir,
                opts,
                started=started,
                drawn={k: v for k, v in drawn.items() if v is not None and v.suffix == ".png"},
            )


@app.command(
    "map",
    epilog=examples(
        "map scenarios/baseline.yaml scenarios/northern_closed.yaml --out maps/closed.html",
    ),
)
@with_run_options("samples", "seed", "month", "network")
def map_command(
    scenarios: ScenariosArg,
    out_path: OutOpt = Path("maps/map.html"),
    *,
    opts: RunOptions,
) -> None:
    """Write an offline HTML map of the network and the scenarios' routes."""
    check_outputs(map_path=out_path)
    net = opts.load_network()
    write_outputs(opts.run(scenarios, net), net, out_path, None)


@app.command(
    "chart",
    epilog=examples(
        "chart scenarios/baseline.yaml --out maps/baseline.svg",
        "chart scenarios/baseline.yaml --cost --out maps/cost.png",
    ),
)
@with_run_options("samples", "seed", "month", "network")
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
    check_outputs(chart=out_path)
    net = opts.load_network()
    runs = opts.run(scenarios, net)
    if cost:
        write_outputs(runs, net, None, None, out_path)
    else:
        write_outputs(runs, net, None, out_path)


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


@app.command(
    epilog=examples(
        "sweep scenarios/baseline.yaml --volume 500:3500:250",
        "sweep scenarios/baseline.yaml --volume 500:3500:500 --chart maps/sweep.png",
    )
)
@with_run_options("network")
def sweep(
    scenario: ScenarioArg,
    volume: Annotated[
        str, typer.Option("--volume", help="START:STOP:STEP, TEU per week on the corridor.")
    ],
    corridor: Annotated[
        Corridor, typer.Option("--corridor", "-c", help="Corridor whose volume varies.")
    ] = "middle",
    samples: FixedSamplesOpt = 5000,
    as_json: JsonOpt = False,
    chart: SweepChartOpt = None,
    *,
    opts: RunOptions,
) -> None:
    """Days and crossing utilisation as the volume grows: where the corridor saturates."""
    from ..inputs.scenario import load_scenario
    from ..runs.runner import sweep_volume
    from ..views.analysis_tables import sweep_table

    volumes = _volumes(volume)
    check_outputs(chart=chart)
    net = opts.load_network()
    loaded = load_scenario(scenario)
    with progress_bar() as progress:
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
        print_json(result.to_dict())
    else:
        print_tables(sweep_table(result, net))
    if chart is not None:
        from ..views.charts import sweep_chart

        sweep_chart(result, chart)
        written("chart", chart)


@app.command(
    epilog=examples(
        "report scenarios/baseline.yaml scenarios/digital_customs.yaml",
        "report scenarios/baseline.yaml --out reports/baseline --no-calibration",
    )
)
@with_run_options("samples", "seed", "network")
def report(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario YAML files; the first is the reference.")
    ],
    out_dir: Annotated[
        OptPath,
        typer.Option(
            "--out",
            "-o",
            help="Folder for report.md and its charts (made if missing; its parent must exist).",
            show_default="reports/report",
        ),
    ] = None,
    calibration: Annotated[
        bool, typer.Option("--calibration/--no-calibration", help="Include the calibration table.")
    ] = True,
    *,
    opts: RunOptions,
) -> None:
    """Write a Markdown brief: the answer by class and month, headline days, where they go,
    changes, customs packages, ranking, calibration and sources.
    """
    from .._files import check_output_folder, default_output
    from ..views.report import REPORT_FILE

    out_dir = out_dir or default_output(Path("reports/report"))
    check_output_folder(out_dir, owned_by=REPORT_FILE, what="Report folder")
    net = opts.load_network()
    with _brief_started(opts, scenarios[0], checks=calibration) as started:
        runs = opts.run(scenarios, net)
        write_brief(runs, net, out_dir, opts, started=started)


class _BriefStarted:
    """Work of a brief that needs none of the scenarios' runs, given to a second process
    while they run: first the answer by class and month in the conditions of the scenario
    file ``reference``, then, with ``checks``, the model's scores against what was
    published."""

    def __init__(
        self, second: SecondProcess, opts: RunOptions, reference: Path | None, checks: bool
    ) -> None:
        from ..analysis.headline import headline_in
        from ..analysis.model_checks import score_model_in

        self._answer: Pending[Headline] | None = None
        self._scores: Pending[Scores | None] | None = None
        self._checked = checks
        if reference is not None:
            samples = _answer_samples(opts)
            self._answer = second.submit(headline_in, opts.network, reference, samples)
        if checks:
            self._scores = second.submit(score_model_in, opts.network, opts.samples)

    def answer(self) -> Headline | None:
        """The answer in the reference's conditions, if asked for (waits for it)."""
        return None if self._answer is None else self._answer.result()

    def checks(self, network: Network, samples: int | None) -> ModelChecks | None:
        """The model's checks, if asked for: the calibration targets checked here (while
        the second process scores), the scores from it (waits for them)."""
        if not self._checked:
            return None
        from ..analysis.model_checks import ModelChecks, check_targets

        targets = check_targets(network, samples=samples)
        return ModelChecks(targets, None if self._scores is None else self._scores.result())


def _answer_samples(opts: RunOptions) -> int:
    """Samples of the answer's cells: at most its own (they are many)."""
    from ..analysis.headline import SAMPLES

    return min(opts.samples or SAMPLES, SAMPLES)


@contextlib.contextmanager
def _brief_started(
    opts: RunOptions, reference: Path | None, *, checks: bool
) -> Iterator[_BriefStarted]:
    """:class:`_BriefStarted` for the block: leaving it (an error, a stop) ends whatever
    still runs."""
    from .._background import SecondProcess

    with SecondProcess() as second:
        yield _BriefStarted(second, opts, reference, checks)


def write_brief(
    runs: list[ScenarioRun],
    net: Network,
    out_dir: Path,
    opts: RunOptions,
    *,
    started: _BriefStarted,
    drawn: Mapping[str, Path] | None = None,
) -> None:
    """The report of ``runs`` (``report``, ``compare --report``): the answer by class and
    month of each, the customs packages beside the reference and, if ``started`` runs
    them, the model's checks (calibration, scores); ``drawn``: charts of these runs already
    drawn (:func:`~midcorridor.views.report.write_report`)."""
    from ..analysis.headline import headline
    from ..analysis.savings import package_savings
    from ..inputs.scenario import package_scenarios
    from ..runs.memo import RunMemo
    from ..views.page import PAGE_FILE
    from ..views.report import headline_customs_trips, write_report

    # The report shows what the packages save on the Middle Corridor's block train and
    # container only: their runs need no other route (each trip draws from its own seed,
    # so these trips get the same days with or without the others).
    shown = set(headline_customs_trips(runs[0]))
    routes = tuple(r for r in runs[0].scenario.routes if r.label in shown)
    memo = RunMemo(net, samples=opts.samples, known=runs)
    packages = [
        package_savings(p.derive(routes=routes or runs[0].scenario.routes), net, memo=memo)
        for p in package_scenarios(runs[0].scenario)
    ]

    def _answer(run: ScenarioRun) -> Headline:
        return headline(run.scenario, net, samples=_answer_samples(opts))

    others = [_answer(run) for run in runs[1:]]  # while the second process scores
    checked = started.checks(net, opts.samples)
    path = write_report(
        runs,
        net,
        out_dir,
        calibration=checked.calibration if checked else None,
        scores=checked.scores if checked else None,
        packages=packages,
        headlines=[started.answer() or _answer(runs[0]), *others],
        drawn=drawn,
    )
    written("report", path)
    written("page to open in a browser", path.with_name(PAGE_FILE))


@app.command(
    epilog=examples(
        "validate scenarios/*.yaml",
    )
)
@with_run_options("network")
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
            err.print(f"[red]invalid[/red] {markup(str(exc))}")
        except Exception as exc:  # a bug: report it and go on with the other files
            if state.debug:
                raise
            crashed += 1
            err.print(f"[red]internal error[/red] {markup(str(path))}: {bug_text(exc)}")
        else:
            out.print(f"[green]ok[/green] {markup(str(path))}")
    if crashed:
        raise typer.Exit(1)
    if invalid:
        raise typer.Exit(2)


@app.command(
    epilog=examples(
        "explain Almaty Constanta --corridor middle --shipment container --month 12",
        'explain "Xi\'an" Duisburg --corridor sea --via Rotterdam',
    )
)
@with_run_options("samples", "seed", "month", "network")
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
        OptStrs, typer.Option("--via", help="A place the route must pass (repeat for more).")
    ] = None,
    *,
    opts: RunOptions,
) -> None:
    """Show a trip leg by leg: hours per stage at each place, then USD and CO2 per leg,
    with sources.

    Below the first table: for each timetabled departure, the share of containers that
    missed the first one they could have made, and why.
    """
    from ..inputs.scenario import default_scenario, load_scenario
    from ..runs.runner import time_trip
    from ..views.run_tables import cost_explain_table, explain_table

    net = opts.load_network()
    named = [("ORIGIN", origin), ("DESTINATION", destination), *(("--via", v) for v in via or ())]
    for what, place in named:
        place_of(net, place, what)
    base = load_scenario(scenario or default_scenario())
    result = time_trip(
        net,
        origin,
        destination,
        conditions=base,
        corridor=corridor,
        shipment=shipment,
        via=via or (),
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
    print_tables(*tables)
    out.print("Sources:")
    for line in citations:
        out.print(f"  {markup(line)}", soft_wrap=True)
