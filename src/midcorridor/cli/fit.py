"""The calibration: learn the assumed figures from the observed transit times."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any

import typer

from ._app import app, examples, written
from ._options import (
    ConditionsOpt,
    RunOptions,
    SchedulerOpt,
    WorkersOpt,
    check_cluster_options,
    print_tables,
    with_run_options,
)


@contextlib.contextmanager
def _fold_map(workers: int | None, scheduler: str | None) -> Iterator[Callable[..., Iterable[Any]]]:
    """The map the folds run with: in-process, or on a Dask cluster."""
    if workers is None and scheduler is None:
        yield map
        return
    from ..runs.grid_exec import dask_client

    with dask_client(workers, scheduler) as client:

        def on_dask(func: Callable[..., Any], items: Iterable[Any]) -> list[Any]:
            return list(client.gather(client.map(func, list(items), pure=False)))

        yield on_dask


@app.command(
    epilog=examples(
        "fit",
        "fit --workers 2 --no-folds",
    )
)
@with_run_options("network")
def fit(
    scenario: ConditionsOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    folds: Annotated[
        bool,
        typer.Option(
            "--folds/--no-folds",
            help="Also fit without each source in turn (what calibrate scores with).",
        ),
    ] = True,
    *,
    opts: RunOptions,
) -> None:
    """Learn the assumed figures of network/fit.yaml from the observed transit times
    (ABC-SMC) and write network/calibrated.yaml: every scenario applies each parameter's
    posterior median, and one the data narrow is graded calibrated. Seeded: the same files
    give the same result, in-process or on Dask. Stopped, it leaves the committed result as it was.
    """
    from .._errors import needs_extra
    from ..analysis.calibration import era_conditions
    from ..analysis.fit import fit_network, write_calibrated
    from ..inputs.scenario import default_scenario
    from ..network.network import CALIBRATED_FILE
    from ..views.score_tables import calibrated_table

    check_cluster_options(workers, scheduler)
    net = opts.load_network()
    path = scenario or default_scenario()
    conditions = era_conditions(path)
    with needs_extra("calibration", "The calibration"):
        import pyabc  # noqa: F401
    with _fold_map(workers, scheduler) as map_:
        book = fit_network(net, conditions, folds=folds, map_=map_)
    target = net.path / CALIBRATED_FILE
    write_calibrated(book, target)
    print_tables(calibrated_table(book))
    written("calibration", target)
