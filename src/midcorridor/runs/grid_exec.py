"""Running a grid's points: in-process, in order, or on a Dask cluster, in batches.

Points are handed out as they are needed (never all built first), each scenario's rows
come back as it finishes, and a stop (Ctrl-C, SIGTERM, SIGHUP) cancels what is running,
closes the cluster within seconds and never prints a worker's traceback: the workers
never see the terminal's signals, the driver alone decides. A batch whose worker died is
reported as not run (its scenarios stay for ``--resume``), never waited for forever.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._background import TERMINAL_SIGNALS
from .._errors import MidcorridorError, needs_extra

if TYPE_CHECKING:
    from ..network.network import Network

logger = logging.getLogger(__name__)

__all__ = [
    "BATCHES_IN_FLIGHT",
    "Outcome",
    "batch_size",
    "cached_network",
    "check_scheduler_address",
    "dask_client",
    "run_points",
    "sampling_workers",
    "worker_cap",
]

#: Batches per worker kept submitted on a cluster: enough to keep every worker busy, few
#: enough that a stop has little to cancel.
BATCHES_IN_FLIGHT = 2
#: Batches per worker a grid is cut into at least: enough to balance the load.
BATCHES_PER_WORKER = 6
#: Scenarios a batch (one Dask task) holds at most: the scheduler's overhead (tens of ms a
#: task) stays small for small scenarios...
MAX_BATCH = 32
#: ...and a batch holds about this many samples times routes (about half a second of
#: work) at most, for it is what a stop or a lost worker throws away.
BATCH_SAMPLE_ROUTES = 200_000
#: Seconds the driver waits for a cluster to close after a stop.
CLOSE_TIMEOUT_S = 5
#: Memory a worker process needs before any sample, bytes (interpreter, libraries, network).
WORKER_BASE_BYTES = 400 * 2**20
#: Modules a worker runs the grid with, imported once by the fork server.
WORKER_MODULES = ("midcorridor.runs.grid",)


@dataclass(frozen=True)
class Outcome:
    """One scenario of a grid, done or not: its rows, or why it did not run."""

    index: int
    rows: list[dict[str, Any]] | None = None
    error: str = ""


@functools.lru_cache(maxsize=4)
def cached_network(path: str) -> Network:
    """The network in folder ``path``, loaded once per process (a worker's tasks share it)."""
    from ..network.read import load

    return load(path)


def _available_memory() -> int | None:
    """Bytes of memory available now (Linux), None where it cannot be read."""
    with (
        contextlib.suppress(OSError, ValueError, IndexError),
        open("/proc/meminfo", encoding="ascii") as meminfo,
    ):
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return None


def worker_cap(requested: int, *, bytes_per_worker: int) -> tuple[int, str]:
    """The workers a local cluster may start: at most one per core and as many as the
    available memory holds; and why fewer than ``requested``, if so ("" if not)."""
    cores = os.cpu_count() or 1
    allowed, reasons = requested, []
    if requested > cores:
        allowed = cores
        reasons.append(f"{cores} core(s)")
    memory = _available_memory()
    need = WORKER_BASE_BYTES + bytes_per_worker
    if memory is not None and allowed * need > memory:
        allowed = max(1, memory // need)
        reasons.append(f"{memory / 2**30:.1f} GiB of memory free, {need / 2**30:.2f} GiB a worker")
    if allowed >= requested:
        return requested, ""
    return allowed, f"--workers {requested} capped to {allowed} ({'; '.join(reasons)})"


#: Memory a run holds per sample and route beyond its kept samples, bytes (the days), and
#: per kept sample and route (delay hours, about 60 delays a route; costs), bytes: what
#: bounds the workers of a local cluster (benchmarks/bench_memory.py measures both).
BYTES_PER_SAMPLE_ROUTE = 8
BYTES_PER_KEPT_SAMPLE_ROUTE = 8 * 64


def sampling_workers(requested: int, samples: int, routes: int) -> tuple[int, str]:
    """The workers a local cluster may start for runs of ``samples`` samples and
    ``routes`` routes: at most one per core and as many as the available memory holds for
    a run each; and why fewer than ``requested``, if so ("" if not)."""
    from ..model.sampling import CHUNK, KEEP_SAMPLES

    kept = min(samples, KEEP_SAMPLES)
    per_run = routes * (samples * BYTES_PER_SAMPLE_ROUTE + kept * BYTES_PER_KEPT_SAMPLE_ROUTE)
    chunk = min(samples, CHUNK) * BYTES_PER_KEPT_SAMPLE_ROUTE * 3  # a chunk's temporaries
    return worker_cap(requested, bytes_per_worker=per_run + chunk)


@contextlib.contextmanager
def _workers_deaf_to_the_terminal() -> Iterator[None]:
    """Worker processes of a local cluster started (or restarted) in the block never see
    the terminal's Ctrl-C or hang-up: they are forked from a fork server that was started
    with those signals ignored (an ignored signal stays ignored in a child), while this
    process keeps its handlers but for the few milliseconds the fork server takes to
    start."""
    import multiprocessing.forkserver

    import dask
    from distributed.utils import get_mp_context

    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        # The fork server imports Dask's modules and the workers' own before it forks
        # them (while this process starts the scheduler): a worker starts ready to run.
        get_mp_context().set_forkserver_preload(["distributed", *WORKER_MODULES])
        # What Dask sets before it starts a worker (one thread of BLAS a worker): the
        # workers take the fork server's environment, so it must start with it.
        spawn_environ = dask.config.get("distributed.nanny.pre-spawn-environ", default={})
        environ = {key: str(value) for key, value in spawn_environ.items()}
        saved = {key: os.environ.get(key) for key in environ}
        names = [n for n in TERMINAL_SIGNALS if hasattr(signal, n)]
        previous = {n: signal.signal(getattr(signal, n), signal.SIG_IGN) for n in names}
        try:
            os.environ.update(environ)
            multiprocessing.forkserver.ensure_running()
        finally:
            for name, handler in previous.items():
                signal.signal(getattr(signal, name), handler)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        yield


def check_scheduler_address(address: str) -> None:
    """Refuse an address no Dask scheduler can have (``tcp://host:port`` and the like).

    Raises
    ------
    MidcorridorError
        Naming the address and what is wrong with it.
    """
    with needs_extra("grid", "Running a grid on Dask"):
        from distributed.comm import parse_address
        from distributed.comm.registry import backends

    try:
        scheme, location = parse_address(address, strict=False)
        if scheme not in backends:
            raise ValueError(f"unknown scheme {scheme!r} (known: {', '.join(sorted(backends))})")
        backends[scheme].get_address_host_port(f"{scheme}://{location}")
    except (ValueError, TypeError) as exc:
        raise MidcorridorError(
            f"--scheduler {address!r}: not the address of a Dask scheduler "
            f"(like tcp://host:8786): {exc}."
        ) from None


def _batches(tasks: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for task in tasks:
        batch.append(task)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def batch_size(total: int, workers: int, sample_routes: int) -> int:
    """Scenarios a batch holds for ``total`` scenarios on ``workers`` workers, each of
    ``sample_routes`` samples times routes (see :data:`BATCH_SAMPLE_ROUTES`)."""
    by_work = BATCH_SAMPLE_ROUTES // max(sample_routes, 1)
    return max(1, min(MAX_BATCH, total // (workers * BATCHES_PER_WORKER), by_work))


def run_points(
    tasks: Iterable[Any],
    evaluate: Callable[[Any], list[dict[str, Any]]],
    evaluate_batch: Callable[[Sequence[Any]], list[list[dict[str, Any]]]],
    *,
    total: int,
    sample_routes: int = 1,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Generator[Outcome, None, None]:
    """Each task's :class:`Outcome`, in-process in order, or on Dask by batch as they
    finish. Close the generator (or let a stop propagate) to stop the cluster."""
    where = "in this process" if workers is None and scheduler is None else "on Dask"
    logger.info("running %d grid scenario(s) %s", total, where)
    if workers is None and scheduler is None:
        for task in tasks:
            yield Outcome(task.index, evaluate(task))
            logger.debug("grid scenario %d done", task.index)
        return
    yield from _on_dask(
        tasks,
        evaluate_batch,
        total=total,
        sample_routes=sample_routes,
        workers=workers,
        scheduler=scheduler,
    )


@contextlib.contextmanager
def dask_client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A Dask client: on a local cluster of ``workers`` processes (deaf to the terminal's
    signals, one thread each), or joined to ``scheduler``; closed, with its cluster, on
    leaving."""
    with needs_extra("grid", "Running on Dask"):
        from dask.distributed import Client, LocalCluster

    if scheduler is not None:
        check_scheduler_address(scheduler)
    cluster, client = None, None
    deaf = contextlib.ExitStack()
    try:
        try:
            if scheduler is None:
                # for the cluster's life: a worker its nanny restarts is forked alike
                deaf.enter_context(_workers_deaf_to_the_terminal())
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # a free port: two clusters may run at once
                    silence_logs=logging.CRITICAL,
                )
                client = Client(cluster)
            else:
                client = Client(scheduler, timeout="10s")
        except (OSError, ValueError, TypeError) as exc:
            raise MidcorridorError(
                f"Could not start or reach the Dask scheduler {scheduler!r}: {exc}."
            ) from None
        yield client
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.close(timeout=CLOSE_TIMEOUT_S)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=CLOSE_TIMEOUT_S)
        deaf.close()


def _on_dask(
    tasks: Iterable[Any],
    evaluate_batch: Callable[[Sequence[Any]], list[list[dict[str, Any]]]],
    *,
    total: int,
    sample_routes: int,
    workers: int | None,
    scheduler: str | None,
) -> Iterator[Outcome]:
    with needs_extra("grid", "Running a grid on Dask"):
        from dask.distributed import as_completed

    submitted: dict[Any, list[Any]] = {}
    with dask_client(workers, scheduler) as client:
        try:
            slots = workers or max(len(client.scheduler_info().get("workers", {})), 1)
            pending = _batches(tasks, batch_size(total, slots, sample_routes))
            queue = as_completed()
            for batch in _take(pending, slots * BATCHES_IN_FLIGHT):
                future = client.submit(evaluate_batch, batch, pure=False)
                submitted[future] = batch
                queue.add(future)
            for future in queue:
                batch = submitted.pop(future)
                try:
                    results = future.result()
                except Exception as exc:  # a worker died (KilledWorker), the batch was lost
                    reason = f"not run: {type(exc).__name__}"
                    yield from (Outcome(task.index, None, reason) for task in batch)
                else:
                    yield from (
                        Outcome(t.index, rows) for t, rows in zip(batch, results, strict=True)
                    )
                for nxt in _take(pending, 1):
                    follow = client.submit(evaluate_batch, nxt, pure=False)
                    submitted[follow] = nxt
                    queue.add(follow)
        finally:
            with contextlib.suppress(Exception):
                client.cancel(list(submitted))


def _take(batches: Iterator[list[Any]], n: int) -> list[list[Any]]:
    out = []
    for _ in range(n):
        batch = next(batches, None)
        if batch is None:
            break
        out.append(batch)
    return out
