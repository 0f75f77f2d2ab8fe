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
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._background import terminal_signals_ignored
from .._errors import MidcorridorError, needs_extra
from .network_cache import share_network

if TYPE_CHECKING:
    from ..network.network import Network

logger = logging.getLogger(__name__)

__all__ = [
    "BATCHES_IN_FLIGHT",
    "Outcome",
    "RunPoints",
    "batch_sizes",
    "check_scheduler_address",
    "dask_client",
    "point_runner",
    "run_points",
    "sampling_workers",
    "worker_cap",
]

#: Batches per worker kept submitted on a cluster: enough to keep every worker busy, few
#: enough that a stop has little to cancel.
BATCHES_IN_FLIGHT = 2
#: A batch holds the scenarios left over this many per worker: batches shrink toward the
#: end of a grid, so the workers finish together (the last batch is the wait's tail).
BATCHES_PER_WORKER = 6
#: Scenarios a batch (one Dask task) holds at least, and at most: the scheduler's
#: overhead (a few ms a task) stays small for small scenarios...
MIN_BATCH = 4
MAX_BATCH = 32
#: ...and a batch holds about this many samples times routes (about half a second of
#: work) at most, for it is what a stop or a lost worker throws away.
BATCH_SAMPLE_ROUTES = 200_000
#: Seconds the driver waits for a cluster to close after a stop.
CLOSE_TIMEOUT_S = 5
#: Seconds a local cluster's first worker may take to start before the run is given up.
WORKER_START_TIMEOUT_S = 60
#: Memory a worker process needs before any sample, bytes (interpreter, libraries, network).
WORKER_BASE_BYTES = 400 * 2**20
#: Modules the fork server of a local cluster's workers imports once, before it forks
#: them: Dask's and those a worker runs the grid with.
FORK_SERVER_PRELOAD = ("distributed", "midcorridor.runs.grid")
#: Environment of a local cluster's workers, set in their fork server before it imports
#: anything: one thread of BLAS a worker (as Dask sets; two a worker on two cores ran at
#: half speed). Not Dask's ``MALLOC_TRIM_THRESHOLD_=65536``: trimming the heap at 64 kiB
#: made every scenario 15% slower (its arrays are allocated and freed by the thousand).
WORKER_ENVIRON = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
#: Dask settings of a local cluster: the fork server above, its environment, and no
#: statistical profiler (a thread that samples the worker's stack every 10 ms).
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.multiprocessing-method": "forkserver",
    "distributed.nanny.pre-spawn-environ": WORKER_ENVIRON,
    "distributed.worker.profile.enabled": False,
}


@dataclass(frozen=True)
class Outcome:
    """One scenario of a grid, done or not: its rows, or why it did not run."""

    index: int
    rows: list[dict[str, Any]] | None = None
    error: str = ""


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


def _start_fork_server() -> None:
    """Start the fork server that a local cluster's workers are forked from, unless it
    runs: deaf to the terminal's Ctrl-C and hang-up (an ignored signal stays ignored in a
    child), with :data:`WORKER_ENVIRON`, importing Dask's modules and the workers' own
    before it forks them (a worker starts ready to run). It needs no Dask here: started
    first, it imports them while this process does."""
    import multiprocessing
    import multiprocessing.forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(list(FORK_SERVER_PRELOAD))
    saved = {key: os.environ.get(key) for key in WORKER_ENVIRON}
    try:
        os.environ.update(WORKER_ENVIRON)
        with terminal_signals_ignored():
            multiprocessing.forkserver.ensure_running()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _workers_deaf_to_the_terminal() -> Iterator[None]:
    """Worker processes of a local cluster started (or restarted) in the block never see
    the terminal's Ctrl-C or hang-up: they are forked from :func:`_start_fork_server`'s
    server, while this process keeps its handlers but for the few milliseconds the fork
    server takes to start."""
    _start_fork_server()
    with needs_extra("grid", "Running on Dask"):
        import dask
        from distributed.utils import get_mp_context

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        # Dask sets its own list on first use, for a fork server it would start anew
        get_mp_context().set_forkserver_preload(list(FORK_SERVER_PRELOAD))
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


def batch_sizes(total: int, workers: int, sample_routes: int) -> Iterator[int]:
    """Scenarios each batch holds, in turn, for ``total`` scenarios on ``workers`` workers,
    each of ``sample_routes`` samples times routes: the scenarios left over
    :data:`BATCHES_PER_WORKER` per worker, at least :data:`MIN_BATCH`, at most
    :data:`MAX_BATCH` and :data:`BATCH_SAMPLE_ROUTES` (and at least one)."""
    cap = max(1, min(MAX_BATCH, BATCH_SAMPLE_ROUTES // max(sample_routes, 1)))
    left = total
    while left > 0:
        size = min(cap, max(MIN_BATCH, left // (workers * BATCHES_PER_WORKER)))
        yield size
        left -= size


def _batches(tasks: Iterable[Any], sizes: Iterator[int]) -> Iterator[list[Any]]:
    """``tasks`` cut into batches of ``sizes`` (of one once ``sizes`` runs out)."""
    batch: list[Any] = []
    size = next(sizes, 1)
    for task in tasks:
        batch.append(task)
        if len(batch) == size:
            yield batch
            batch = []
            size = next(sizes, 1)
    if batch:
        yield batch


def run_points(
    tasks: Iterable[Any],
    evaluate: Callable[[Any], list[dict[str, Any]]],
    evaluate_batch: Callable[[Sequence[Any]], list[list[dict[str, Any]]]],
    *,
    total: int,
    network: Network | None = None,
    sample_routes: int = 1,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Generator[Outcome, None, None]:
    """Each task's :class:`Outcome`, in-process in order, or on Dask by batch as they
    finish (:func:`point_runner` started on the first one). Close the generator (or let a
    stop propagate) to stop the cluster."""
    with point_runner(network=network, workers=workers, scheduler=scheduler) as run:
        yield from run(tasks, evaluate, evaluate_batch, total=total, sample_routes=sample_routes)


#: What :func:`point_runner` gives: ``run(tasks, evaluate, evaluate_batch, *, total,
#: sample_routes)``, each task's outcome as it finishes.
RunPoints = Callable[..., Generator[Outcome, None, None]]


@contextlib.contextmanager
def point_runner(
    *, network: Network | None = None, workers: int | None = None, scheduler: str | None = None
) -> Iterator[RunPoints]:
    """A function that runs tasks as :func:`run_points` does: in-process, or on a Dask
    cluster that starts on entering (its workers start while the caller prepares the
    tasks) and closes on leaving. ``network``, the one the tasks name by folder, is what
    :func:`~.network_cache.cached_network` gives them here and on every worker."""
    if network is not None:
        share_network(network)
    if workers is None and scheduler is None:
        yield _in_process
        return
    with dask_client(workers, scheduler, wait=False) as client:
        if network is not None:
            from .grid_worker import NetworkPlugin

            client.register_plugin(NetworkPlugin(network))
        yield functools.partial(_on_dask, client, workers=workers, local=scheduler is None)


def _in_process(
    tasks: Iterable[Any],
    evaluate: Callable[[Any], list[dict[str, Any]]],
    evaluate_batch: Callable[[Sequence[Any]], list[list[dict[str, Any]]]],
    *,
    total: int,
    sample_routes: int = 1,
) -> Generator[Outcome, None, None]:
    logger.info("running %d grid scenario(s) in this process", total)
    for task in tasks:
        yield Outcome(task.index, evaluate(task))
        logger.debug("grid scenario %d done", task.index)


@contextlib.contextmanager
def dask_client(workers: int | None, scheduler: str | None, *, wait: bool = True) -> Iterator[Any]:
    """A Dask client: on a local cluster of ``workers`` processes (deaf to the terminal's
    signals, one thread each), or joined to ``scheduler``; closed, with its cluster, on
    leaving. A local cluster's workers are started, not waited for, unless ``wait``: all of
    them, at most :data:`WORKER_START_TIMEOUT_S`."""
    if scheduler is not None:
        check_scheduler_address(scheduler)
    cluster, client = None, None
    deaf = contextlib.ExitStack()
    try:
        try:
            if scheduler is None:
                # for the cluster's life: a worker its nanny restarts is forked alike
                deaf.enter_context(_workers_deaf_to_the_terminal())
            with needs_extra("grid", "Running on Dask"):
                from dask.distributed import Client, LocalCluster

            if scheduler is None:
                cluster = LocalCluster(
                    n_workers=0,  # scaled up below, not waited for here
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # a free port: two clusters may run at once
                    silence_logs=logging.CRITICAL,
                )
                client = Client(cluster)
                cluster.scale(workers)
            else:
                client = Client(scheduler, timeout="10s")
        except (OSError, ValueError, TypeError) as exc:
            raise MidcorridorError(
                f"Could not start or reach the Dask scheduler {scheduler!r}: {exc}."
            ) from None
        if wait and cluster is not None:
            _wait_for_workers(client, workers or 1)
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
    client: Any,
    tasks: Iterable[Any],
    evaluate: Callable[[Any], list[dict[str, Any]]],
    evaluate_batch: Callable[[Sequence[Any]], list[list[dict[str, Any]]]],
    *,
    total: int,
    sample_routes: int = 1,
    workers: int | None,
    local: bool,
) -> Generator[Outcome, None, None]:
    logger.info("running %d grid scenario(s) on Dask", total)
    slots = workers or max(len(client.scheduler_info().get("workers", {})), 1)
    pending = _batches(tasks, batch_sizes(total, slots, sample_routes))
    from dask.distributed import as_completed

    submitted: dict[Any, list[Any]] = {}
    try:
        queue = as_completed()
        for batch in _take(pending, slots * BATCHES_IN_FLIGHT):
            future = client.submit(evaluate_batch, batch, pure=False)
            submitted[future] = batch
            queue.add(future)
        if local:  # submitted first: a worker starts on them as it joins
            _wait_for_workers(client)
        for future in queue:
            batch = submitted.pop(future)
            try:
                results = future.result()
            except Exception as exc:  # a worker died (KilledWorker), the batch was lost
                reason = f"not run: {type(exc).__name__}"
                yield from (Outcome(task.index, None, reason) for task in batch)
            else:
                yield from (Outcome(t.index, rows) for t, rows in zip(batch, results, strict=True))
            for nxt in _take(pending, 1):
                follow = client.submit(evaluate_batch, nxt, pure=False)
                submitted[follow] = nxt
                queue.add(follow)
    finally:
        with contextlib.suppress(Exception):
            client.cancel(list(submitted))


def _wait_for_workers(client: Any, count: int = 1) -> None:
    """Wait until ``count`` workers of a local cluster have joined, at most
    :data:`WORKER_START_TIMEOUT_S` (a worker that cannot start is not waited for forever)."""
    try:
        client.wait_for_workers(count, timeout=WORKER_START_TIMEOUT_S)
    except TimeoutError:
        raise MidcorridorError(
            f"The Dask workers did not start within {WORKER_START_TIMEOUT_S} s "
            "(see the log with --verbose); run without --workers, or with fewer. From a "
            'Python script, start the run under `if __name__ == "__main__":` (each '
            "worker imports the script first)."
        ) from None


def _take(batches: Iterator[list[Any]], n: int) -> list[list[Any]]:
    out = []
    for _ in range(n):
        batch = next(batches, None)
        if batch is None:
            break
        out.append(batch)
    return out
