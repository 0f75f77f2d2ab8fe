"""The criticality command: every node and link of a scenario's routes taken out in turn."""

from __future__ import annotations

from typing import Annotated

import typer

from ..views.safe_text import markup
from ..vocabulary import CRITICALITY_SAMPLES, RankBy
from ._app import NOT_RUN_EXIT, app, err, examples, status, written
from ._options import (
    BaselineOpt,
    JsonOpt,
    MapOpt,
    OptFloat,
    OptInt,
    OptPath,
    OptStrs,
    RunOptions,
    ScenarioArg,
    SchedulerOpt,
    WorkersOpt,
    check_cluster_options,
    check_outputs,
    print_json,
    print_tables,
    progress_bar,
    with_run_options,
)


@app.command(
    epilog=examples(
        "criticality scenarios/baseline.yaml",
        "criticality scenarios/baseline.yaml --out results/criticality.parquet",
        "criticality scenarios/baseline.yaml --choice --workers 2",
        "criticality scenarios/baseline.yaml --degrade 0.5 --map maps/criticality.html",
    )
)
@with_run_options("seed", "network")
def criticality(
    scenario: ScenarioArg,
    top: Annotated[int, typer.Option("--top", min=1, help="Elements shown in the table.")] = 10,
    samples: Annotated[
        OptInt,
        typer.Option(
            "--samples",
            min=100,
            max=2_000_000,
            help="Monte Carlo samples of every element's runs.",
            show_default=f"{CRITICALITY_SAMPLES:,}",
        ),
    ] = None,
    degrade: Annotated[
        OptFloat,
        typer.Option(
            "--degrade",
            min=0.01,
            max=0.99,
            help="Degrade each element to this fraction of its capacity instead of closing "
            "it (nodes with a capacity, ferry and sea lines only).",
        ),
    ] = None,
    with_choice: Annotated[
        bool,
        typer.Option(
            "--choice",
            help="Re-solve the corridor choice for every element (fitted on --baseline): "
            "the cargo it moves loads the other corridor's queues.",
        ),
    ] = False,
    baseline: BaselineOpt = None,
    rank_by: Annotated[
        RankBy,
        typer.Option(
            "--by",
            help="Rank by TEU-days lost a year, or a trip's largest extra days or USD "
            "(after the elements that leave a trip with no route).",
        ),
    ] = "teu-days",
    elements: Annotated[
        OptStrs,
        typer.Option("--element", help="Only this node or link id (repeat for more)."),
    ] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out_path: Annotated[
        OptPath, typer.Option("--out", "-o", help="Also write one row per element here (.parquet).")
    ] = None,
    map_path: MapOpt = None,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """Close (or degrade) each node and link of the scenario's routes in turn, on every
    corridor, and rank them: trips left with no route first, then TEU-days lost a year,
    extra days and USD per trip. In-process, or on Dask (same results)."""
    from .._files import atomic_write, check_output_file
    from ..analysis.criticality import rank_criticality
    from ..inputs.scenario import default_scenario, load_scenario
    from ..runs.grid_exec import check_scheduler_address, sampling_workers
    from ..views.criticality_tables import criticality_table

    check_cluster_options(workers, scheduler)
    if scheduler is not None:
        check_scheduler_address(scheduler)
    check_outputs(map_path)
    if out_path is not None:
        check_output_file(out_path, (".parquet",), what="Results file")
    loaded = load_scenario(scenario)
    reference = None
    if with_choice:
        reference = load_scenario(baseline if baseline is not None else default_scenario())
    if workers is not None:
        workers, why = sampling_workers(workers, samples or CRITICALITY_SAMPLES, len(loaded.routes))
        if why:
            status(markup(why))
    net = opts.load_network()
    with progress_bar() as bar:
        task = bar.add_task(f"criticality {markup(loaded.name)}", total=None)
        result = rank_criticality(
            loaded,
            net,
            samples=samples,
            seed=opts.seed,
            degrade=degrade,
            choice_baseline=reference,
            rank_by=rank_by,
            only=elements,
            workers=workers,
            scheduler=scheduler,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if as_json:
        print_json(result.to_dict(top))
    else:
        print_tables(criticality_table(result, top))
    if out_path is not None:
        with atomic_write(out_path, binary=True) as handle:
            result.frame().to_parquet(handle, index=False)
        written("results", out_path)
    if map_path is not None:
        from ..views.criticality_map import criticality_map

        criticality_map(result, net).save(map_path)
        written("map", map_path)
    lost = {k: v for k, v in result.left_out.items() if v != "no capacity"}
    if lost:
        err.print(f"{len(lost)} element(s) not run, their worker lost: {', '.join(lost)}")
        raise typer.Exit(NOT_RUN_EXIT)
