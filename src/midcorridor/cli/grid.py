"""Commands on grids of scenarios: run one, and read what its results answer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._errors import MidcorridorError, stop_if_asked_in_command
from ..views.safe_text import markup
from ._app import INTERRUPTED_EXIT, NOT_RUN_EXIT, app, err, examples, out, status, written

if TYPE_CHECKING:
    from ..analysis.frontier import Frontier

from ._options import (
    JsonOpt,
    OptFloat,
    OptInt,
    OptPath,
    OptStr,
    RunOptions,
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
        "grid grids/digital_2030.yaml --workers 2",
        "grid grids/digital_2030.yaml --limit 20 --out results/try.parquet",
    )
)
@with_run_options("network")
def grid(
    grid_file: Annotated[Path, typer.Argument(help="Grid YAML file (grids/).")],
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out_path: Annotated[
        OptPath, typer.Option("--out", "-o", help="Results file (default: results/GRID.parquet).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Keep the scenarios OUT holds; run the others.")
    ] = False,
    limit: Annotated[
        OptInt, typer.Option("--limit", min=1, help="Run only the first N scenarios of the grid.")
    ] = None,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """Run every scenario of a grid (in-process, or on Dask) into a Parquet table: one row
    per scenario and route. Ctrl-C stops cleanly and keeps what finished (--resume)."""
    from .._files import check_output_file, default_output
    from ..runs.grid import grid_workers, load_grid, run_grid
    from ..runs.grid_exec import check_scheduler_address

    check_cluster_options(workers, scheduler)
    if scheduler is not None:
        check_scheduler_address(scheduler)
    loaded = load_grid(grid_file)
    out_file = out_path or default_output(Path("results") / f"{loaded.spec.name}.parquet")
    check_output_file(out_file, (".parquet",), what="Results file")
    if workers is not None:
        workers, why = grid_workers(loaded, workers)
        if why:
            status(markup(why))
    net = opts.load_network()
    with progress_bar() as bar:
        task = bar.add_task(f"grid {markup(loaded.spec.name)}", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        # a stop asked while the command started, swallowed by a library's catch-all,
        # still stops it: run_grid watches only for stops asked once it has begun
        stop_if_asked_in_command()
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
    if as_json:
        print_json(result.to_dict())
    else:
        kept = result.ran + result.skipped
        out.print(
            f"{kept:,} of {result.scenarios:,} scenarios in {markup(str(result.path))} "
            f"({result.ran:,} run now, {result.skipped:,} kept from before)"
        )
    if result.not_run:
        shown = ", ".join(str(i) for i in result.not_run[:10])
        more = f" and {len(result.not_run) - 10:,} more" if len(result.not_run) > 10 else ""
        err.print(
            f"{len(result.not_run):,} scenario(s) not run, their worker lost ({shown}{more}): "
            "rerun with --resume to run them"
        )
    if result.interrupted:
        err.print("interrupted: what finished is kept; rerun with --resume to go on")
        raise typer.Exit(128 + result.stopped_by if result.stopped_by else INTERRUPTED_EXIT)
    if result.not_run:
        raise typer.Exit(NOT_RUN_EXIT)


@app.command(
    epilog=examples(
        "frontier results/digital_2030.parquet",
        "frontier results/digital_2030.parquet --target-days 20 --all",
        "frontier results/caspian_2030.parquet --no-loss",
    )
)
@with_run_options("network")
def frontier(
    results: Annotated[Path, typer.Argument(help="Results file of midcorridor grid.")],
    route: Annotated[
        OptStr, typer.Option("--route", help="Route label (default: the grid's question).")
    ] = None,
    target_ratio: Annotated[
        OptFloat,
        typer.Option("--target-ratio", min=0.01, max=0.99, help="Target: today's P50 x R."),
    ] = None,
    target_days: Annotated[
        OptFloat, typer.Option("--target-days", min=0.1, help="Target: P50 days.")
    ] = None,
    every_set: Annotated[bool, typer.Option("--all", help="List every measure set.")] = False,
    chart: Annotated[
        OptPath, typer.Option("--chart", help="Also draw the frontier here (.png or .svg).")
    ] = None,
    no_loss: Annotated[
        bool,
        typer.Option(
            "--no-loss", help="Skip valuing the sets in avoided loss (the grid's annual_loss)."
        ),
    ] = False,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """What a grid answers: for a policy grid, the measure sets that reach the target
    with the least effort and the volume each breaks at (and, if the grid names
    annual_loss, the expected annual loss each shown set avoids; if its axes state costs,
    each set's cost in USD and the years its avoided loss takes to repay it); for an
    uncertainty grid, the spread of each route's days and which assumption drives it."""
    from ..analysis.frontier import Frontier, answer
    from ..runs.grid_store import read_results
    from ..views.grid_tables import frontier_tables, uncertainty_tables

    if target_ratio is not None and target_days is not None:
        raise MidcorridorError("Give --target-ratio or --target-days, not both.")
    check_outputs(chart=chart)
    frame, meta = read_results(results)
    found = answer(frame, meta, route=route, target_ratio=target_ratio, target_days=target_days)
    if isinstance(found, Frontier) and meta.get("annual_loss") and not no_loss:
        found = _with_avoided_loss(found, meta, opts, every_set=every_set)
    if as_json:
        print_json(found.to_dict())
    elif isinstance(found, Frontier):
        print_tables(*frontier_tables(found, every_set=every_set))
    else:
        print_tables(*uncertainty_tables(found))
    if chart is not None and isinstance(found, Frontier):
        from ..views.charts import frontier_chart

        frontier_chart(found, chart)
        written("chart", chart)


def _with_avoided_loss(
    found: Frontier, meta: dict[str, Any], opts: RunOptions, *, every_set: bool
) -> Frontier:
    """The frontier with each shown set's avoided loss, from the grid file that made it."""
    from ..analysis.avoided_loss import value_avoided_loss
    from ..runs.grid import load_grid

    path = Path(str(meta.get("file")))
    if not path.is_file():
        raise MidcorridorError(
            f"The grid file {path} of these results is not found (paths are relative to "
            "where the grid ran): run frontier from there, or give --no-loss."
        )
    grid = load_grid(path)
    if grid.digest != meta.get("digest"):
        raise MidcorridorError(
            f"The grid file {path} changed since these results were made: rerun the grid, "
            "or give --no-loss."
        )
    return value_avoided_loss(
        found,
        grid,
        opts.load_network(),
        every_set=every_set,
        progress=lambda s: status(f"avoided loss: valuing {s}"),
    )
