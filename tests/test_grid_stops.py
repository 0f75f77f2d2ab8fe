"""Long grids that never lose work: points counted before built, every axis value checked,
results that survive any stop and resume only what they belong to, clusters that stop in
seconds, outputs that replace nothing but a file."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import midcorridor as mc
from cli_runner import invoke
from midcorridor._errors import MidcorridorError, StopRequested, note_stop
from midcorridor.runs import grid as grid_module
from midcorridor.runs import grid_exec, grid_store
from midcorridor.runs.grid import GridPoints, load_grid, run_grid
from midcorridor.runs.grid_store import METADATA_KEY, ResultsFile, read_results

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_PARENT = Path(mc.__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"

GRID = f"""
name: stops
base: {BASELINE}
routes:
  - {{origin: Almaty, destination: Constanta, corridor: middle, label: "A-C middle"}}
  - {{origin: Almaty, destination: Constanta, corridor: northern, label: "A-C northern"}}
samples: 200
seed: 3
axes:
  - name: paperwork
    change: {{stage: [documents, inspection], corridor: middle, scale: 1.0, note: n, source: s}}
    field: scale
    values: [1.0, 0.7, 0.4]
  - name: month
    departure_month: true
    values: [1, 7]
"""


def write(folder: Path, text: str = GRID, name: str = "g.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def leftovers(folder: Path) -> list[str]:
    """Hidden files a run may leave: temporary files, journals, locks."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory, network: mc.Network) -> pa.Table:
    """The rows of an uninterrupted in-process run of GRID."""
    folder = tmp_path_factory.mktemp("whole")
    out = folder / "whole.parquet"
    run_grid(load_grid(write(folder)), network, out)
    return pq.read_table(out)


# --- points: counted before built, every value checked ----------------------------------


def test_points_are_counted_before_any_is_built(tmp_path: Path) -> None:
    axes = "".join(
        f"""
  - name: a{i}
    change: {{stage: documents, scale: 1.0, note: n, source: s}}
    field: scale
    range: {{low: 0.5, high: 1.0, steps: 1000}}"""
        for i in range(3)
    )
    path = write(tmp_path, f"name: huge\nbase: {BASELINE}\naxes:{axes}\n")
    tracemalloc.start()
    with pytest.raises(mc.ScenarioError) as caught:
        load_grid(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "1,000 x 1,000 x 1,000 = 1,000,000,000 points, more than 100,000" in caught.value.message
    assert peak < 50 * 2**20  # a billion points would take hundreds of GB


def test_points_are_the_full_factorial_built_one_at_a_time(tmp_path: Path) -> None:
    grid = load_grid(write(tmp_path))
    values = [a.grid_values() for a in grid.spec.axes]
    product = [
        dict(zip(("paperwork", "month"), p, strict=True)) for p in itertools.product(*values)
    ]
    points = grid.points
    assert isinstance(points, GridPoints)
    assert len(points) == 6
    assert list(points) == product
    assert points[-1] == product[-1]
    assert points[1:4] == product[1:4]
    with pytest.raises(IndexError):
        points[6]


@pytest.mark.parametrize(
    ("axis", "pattern"),
    [
        ("departure_month: true\n    values: [1, .nan]", r"\(month\): value nan: .*finite number"),
        ("departure_month: true\n    values: [1, .inf]", r"\(month\): value inf: .*finite number"),
        (
            "departure_month: true\n    values: [1, 13]",
            r"\(month\): value 13\.0: .*less than or equal to 12",
        ),
        (
            "departure_month: true\n    values: [1, 6.5]",
            r"\(month\): value 6\.5: .*fractional part",
        ),
        (
            "departure_month: true\n    range: {low: 0, high: 12}",
            r"\(month\): value 0\.0: .*greater",
        ),
        ("departure_month: true\n    range: {low: 1, high: .inf}", r"axes\.1\.range\.high.*finite"),
        ("volume: middle\n    values: [1481, -5]", r"\(month\): value -5\.0: must be 0 or from 20"),
    ],
)
def test_every_axis_value_is_checked_with_its_fields_bounds(
    tmp_path: Path, axis: str, pattern: str
) -> None:
    text = GRID.replace("departure_month: true\n    values: [1, 7]", axis)
    with pytest.raises(mc.ScenarioError) as caught:
        load_grid(write(tmp_path, text))
    message = "\n".join([caught.value.message, *caught.value.problems])
    assert str(tmp_path / "g.yaml") in message
    assert re.search(pattern, message), message


def test_a_value_inside_the_list_is_checked_not_only_the_corners(tmp_path: Path) -> None:
    text = GRID.replace("values: [1.0, 0.7, 0.4]", "values: [1.0, -3, 0.4]")
    with pytest.raises(mc.ScenarioError, match=r"\(paperwork\): value -3"):
        load_grid(write(tmp_path, text))


# --- results that survive any stop --------------------------------------------------------


def test_a_run_stopped_before_any_scenario_keeps_the_grids_columns(
    tmp_path: Path, network: mc.Network, monkeypatch: pytest.MonkeyPatch, whole: pa.Table
) -> None:
    grid = load_grid(write(tmp_path))
    out = tmp_path / "r.parquet"

    def stop(task: Any) -> Any:
        raise StopRequested(signal.SIGTERM)

    monkeypatch.setattr(grid_module, "evaluate", stop)
    stopped = run_grid(grid, network, out)
    assert (stopped.ran, stopped.interrupted, stopped.stopped_by) == (0, True, signal.SIGTERM)
    empty = pq.read_table(out)
    assert empty.num_rows == 0
    assert empty.schema == whole.schema
    assert leftovers(tmp_path) == []
    monkeypatch.undo()
    resumed = run_grid(grid, network, out, resume=True)
    assert (resumed.ran, resumed.skipped) == (6, 0)
    assert pq.read_table(out).equals(whole)


def test_a_stop_a_library_swallowed_still_stops_the_run(
    tmp_path: Path, network: mc.Network, whole: pa.Table
) -> None:
    """A signal's exception raised inside code that catches it is lost, but the stop it
    asked for is on record: the run ends after the scenario in hand, keeping it."""
    grid = load_grid(write(tmp_path))
    out = tmp_path / "r.parquet"

    def swallowed(done: int, total: int) -> None:
        if done == 2:
            try:
                raise note_stop(signal.SIGHUP)
            except BaseException:  # what a library's catch-all does to it
                pass

    stopped = run_grid(grid, network, out, progress=swallowed)
    assert (stopped.ran, stopped.interrupted, stopped.stopped_by) == (2, True, signal.SIGHUP)
    resumed = run_grid(grid, network, out, resume=True)
    assert (resumed.ran, resumed.skipped, resumed.interrupted) == (4, 2, False)
    assert pq.read_table(out).equals(whole)


def test_a_stop_swallowed_while_the_command_starts_still_stops_it(
    tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A signal's exception lost in a library while ``midcorridor grid`` loads (before the
    run watches for stops) still stops the command, before any scenario; one asked before
    the command began does not."""
    from midcorridor import _errors
    from midcorridor.runs import grid as grid_runs

    monkeypatch.setattr(_errors, "_STOPS", [signal.SIGINT])  # an earlier command's stop
    real_load = grid_runs.load_grid

    def load_swallowing_a_stop(path: Path) -> Any:
        try:
            raise note_stop(signal.SIGTERM)
        except BaseException:  # what a library's catch-all does to it
            pass
        return real_load(path)

    monkeypatch.setattr(grid_runs, "load_grid", load_swallowing_a_stop)
    out = tmp_path / "r.parquet"
    code, _, err = invoke(["grid", str(write(tmp_path)), "--out", str(out)], capsys, monkeypatch)
    assert code == 128 + signal.SIGTERM
    assert "Traceback" not in err
    assert not out.exists()
    monkeypatch.setattr(grid_runs, "load_grid", real_load)
    code, _, _ = invoke(["grid", str(write(tmp_path)), "--out", str(out)], capsys, monkeypatch)
    assert code == 0
    assert len(read_results(out)[0]) == 12  # 6 scenarios, 2 routes


def test_results_are_one_row_group_sorted_by_scenario_with_no_leftovers(
    tmp_path: Path, network: mc.Network, monkeypatch: pytest.MonkeyPatch, whole: pa.Table
) -> None:
    """Committed after every scenario and resumed twice: still one row group, in the
    grid's order, and nothing left beside it."""
    monkeypatch.setattr(grid_store, "COMMIT_SECONDS", 0.0)
    grid = load_grid(write(tmp_path))
    out = tmp_path / "one.parquet"
    run_grid(grid, network, out, limit=2)
    run_grid(grid, network, out, limit=4, resume=True)
    run_grid(grid, network, out, resume=True)
    assert pq.ParquetFile(out).num_row_groups == 1
    table = pq.read_table(out)
    assert table.column("scenario").to_pylist() == sorted(table.column("scenario").to_pylist())
    assert table.equals(whole)
    assert leftovers(tmp_path) == []


def _results_file(tmp_path: Path, whole: pa.Table) -> ResultsFile:
    return ResultsFile(tmp_path / "j.parquet", whole.schema, 6, resume=True)


def _add(results: ResultsFile, whole: pa.Table, *scenarios: int) -> None:
    """The rows of ``scenarios`` finished, one scenario after the other."""
    for scenario in scenarios:
        results.add([r for r in whole.to_pylist() if r["scenario"] == scenario])


def test_a_killed_run_keeps_every_journalled_scenario(
    tmp_path: Path, whole: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(grid_store, "COMMIT_SECONDS", 1e9)
    first = _results_file(tmp_path, whole)
    _add(first, whole, 0, 1, 2)
    first.commit()
    _add(first, whole, 3, 4)
    del first  # killed outright: no commit
    with open(tmp_path / ".j.parquet.journal", "ab") as journal:
        journal.write(b'[{"scenario": 5, "rou')  # the line being written when killed
    assert set(pq.read_table(tmp_path / "j.parquet").column("scenario").to_pylist()) == {0, 1, 2}
    again = _results_file(tmp_path, whole)
    assert again.done == {0, 1, 2, 3, 4}
    _add(again, whole, 5)
    again.commit()
    assert pq.read_table(tmp_path / "j.parquet").equals(whole)
    assert leftovers(tmp_path) == []


def test_a_journal_of_rows_already_committed_counts_them_once(
    tmp_path: Path, whole: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(grid_store, "COMMIT_SECONDS", 1e9)
    first = _results_file(tmp_path, whole)
    _add(first, whole, *range(6))
    journal = (tmp_path / ".j.parquet.journal").read_bytes()
    first.commit()
    (tmp_path / ".j.parquet.journal").write_bytes(journal)  # killed before emptying it
    again = _results_file(tmp_path, whole)
    assert again.kept.equals(whole)


def test_an_altered_journal_is_refused(tmp_path: Path, whole: pa.Table) -> None:
    first = _results_file(tmp_path, whole)
    _add(first, whole, 0)
    with open(tmp_path / ".j.parquet.journal", "ab") as journal:
        journal.write(b"not json\n")
    with pytest.raises(mc.MidcorridorError, match=r"\.j\.parquet\.journal: a line is not one"):
        _results_file(tmp_path, whole)


def test_a_fresh_run_drops_an_old_journal(
    tmp_path: Path, network: mc.Network, whole: pa.Table
) -> None:
    (tmp_path / ".r.parquet.journal").write_text('{"fingerprint": {}}\n[]\n')
    (tmp_path / ".r.parquet.abcd1234.tmp").write_text("half a file")
    run_grid(load_grid(write(tmp_path)), network, tmp_path / "r.parquet")
    assert leftovers(tmp_path) == []
    assert pq.read_table(tmp_path / "r.parquet").equals(whole)


# --- resume checks what it resumes --------------------------------------------------------


@pytest.fixture
def started(tmp_path: Path, network: mc.Network) -> Path:
    """Two scenarios of GRID run into ``r.parquet``."""
    run_grid(load_grid(write(tmp_path)), network, tmp_path / "r.parquet", limit=2)
    return tmp_path / "r.parquet"


def _rewrite(path: Path, table: pa.Table, meta: dict[str, Any] | None = None) -> None:
    metadata = table.schema.metadata
    if meta is not None:
        metadata = {METADATA_KEY: json.dumps(meta).encode()}
    pq.write_table(table.replace_schema_metadata(metadata), path)


def _refused(tmp_path: Path, network: mc.Network, out: Path, pattern: str) -> None:
    before = out.read_bytes()
    with pytest.raises(mc.MidcorridorError, match=pattern):
        run_grid(load_grid(write(tmp_path)), network, out, resume=True)
    assert out.read_bytes() == before


def test_resume_refuses_duplicate_rows(tmp_path: Path, network: mc.Network, started: Path) -> None:
    table = pq.read_table(started)
    _rewrite(started, pa.concat_tables([table, table.slice(0, 1)]))
    _refused(tmp_path, network, started, "holds a route twice")


def test_resume_refuses_rows_of_scenarios_not_in_the_grid(
    tmp_path: Path, network: mc.Network, started: Path
) -> None:
    table = pq.read_table(started)
    foreign = table.slice(0, 1).set_column(0, "scenario", pa.array([99], pa.int64()))
    _rewrite(started, pa.concat_tables([table, foreign]))
    _refused(tmp_path, network, started, r"scenarios the grid does not have \(\[99\]\)")


@pytest.mark.parametrize(
    ("meta", "pattern"),
    [
        ("not json", "not one midcorridor wrote"),
        ('{"axes": 3}', "not one midcorridor wrote"),
        ('{"axes": []}', "made with a different grid file, base scenario"),
    ],
)
def test_resume_refuses_results_whose_metadata_the_grid_did_not_write(
    tmp_path: Path, network: mc.Network, started: Path, meta: str, pattern: str
) -> None:
    table = pq.read_table(started)
    pq.write_table(table.replace_schema_metadata({METADATA_KEY: meta.encode()}), started)
    _refused(tmp_path, network, started, pattern)


def test_resume_refuses_results_of_an_edited_base_scenario(
    tmp_path: Path, network: mc.Network
) -> None:
    parent = tmp_path / "parent.yaml"
    parent.write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nname: child\n", encoding="utf-8")
    grid_path = write(tmp_path, GRID.replace(f"base: {BASELINE}", "base: child.yaml"))
    out = tmp_path / "r.parquet"
    run_grid(load_grid(grid_path), network, out, limit=2)
    edited = BASELINE.read_text(encoding="utf-8").replace("era: 2025", "era: 2024")
    parent.write_text(edited, encoding="utf-8")
    with pytest.raises(mc.MidcorridorError, match=r"different base scenario \(after extends\)"):
        run_grid(load_grid(grid_path), network, out, resume=True)


def test_resume_refuses_results_of_other_network_files_or_version(
    tmp_path: Path, network: mc.Network, started: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "network"
    shutil.copytree(network.path, copy)
    with open(copy / "nodes.csv", "a", encoding="utf-8") as nodes:
        nodes.write("\n")
    _refused(tmp_path, mc.load(copy), started, "different network files")
    from midcorridor import _version

    monkeypatch.setattr(_version, "__version__", "0.0.0-other")
    _refused(tmp_path, network, started, "different midcorridor version")


# --- clusters and signals -----------------------------------------------------------------


def test_workers_are_capped_by_cores_and_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    monkeypatch.setattr(grid_exec, "_available_memory", lambda: 2 * 2**30)
    assert grid_exec.worker_cap(2, bytes_per_worker=100 * 2**20) == (2, "")
    workers, why = grid_exec.worker_cap(16, bytes_per_worker=100 * 2**20)
    assert workers == 4
    assert why == "--workers 16 capped to 4 (4 core(s))"
    workers, why = grid_exec.worker_cap(4, bytes_per_worker=900 * 2**20)
    assert workers == 1
    assert "capped to 1 (2.0 GiB of memory free, 1.27 GiB a worker)" in why


@pytest.mark.parametrize("address", ["not a url", "http://host:8786", "tcp://host"])
def test_a_scheduler_that_is_not_an_address_is_a_user_error(
    tmp_path: Path, address: str, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    grid = write(tmp_path)
    args = ["grid", str(grid), "--scheduler", address, "--out", str(tmp_path / "o.parquet")]
    code, _, err = invoke(args, capsys, monkeypatch)
    assert code == 2
    assert f"--scheduler {address!r}: not the address of a Dask scheduler" in err
    assert "bug" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.yaml"]


@pytest.mark.parametrize("target", ["device", "dangling"])
def test_grid_output_through_a_link_replaces_nothing_and_creates_nothing(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    out = tmp_path / "o.parquet"
    out.symlink_to("/dev/null" if target == "device" else tmp_path / "far" / "away" / "o.parquet")
    code, _, err = invoke(["grid", str(write(tmp_path)), "--out", str(out)], capsys, monkeypatch)
    assert code == 2
    assert ("is a device" if target == "device" else "whose folder does not exist") in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.yaml", "o.parquet"]
    assert os.path.exists("/dev/null")


def dies_on_scenario_one(tasks: Any) -> list[list[dict[str, Any]]]:
    """A batch function whose worker process dies on scenario 1."""
    if any(task.index == 1 for task in tasks):
        os._exit(1)
    return [[{"index": task.index}] for task in tasks]


class _Task:
    def __init__(self, index: int) -> None:
        self.index = index


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_worker_that_dies_is_reported_not_waited_for() -> None:
    outcomes = list(
        grid_exec.run_points(
            [_Task(i) for i in range(4)],
            lambda task: [],
            dies_on_scenario_one,
            total=4,
            workers=2,
        )
    )
    by_index = {o.index: o for o in outcomes}
    assert sorted(by_index) == [0, 1, 2, 3]
    assert by_index[1].rows is None
    assert "not run" in by_index[1].error
    assert all(by_index[i].rows == [{"index": i}] for i in (0, 2, 3) if by_index[i].rows)


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_workers_that_cannot_start_are_reported_not_waited_for(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """The first batches are submitted before any worker has joined: a cluster whose
    workers never start (here: a preload module that does not exist) ends the run with a
    user's message after WORKER_START_TIMEOUT_S, not a wait for ever."""
    monkeypatch.setattr(grid_exec, "WORKER_START_TIMEOUT_S", 3)
    broken = {**grid_exec.LOCAL_CLUSTER_CONFIG, "distributed.worker.preload": ["no_such_module"]}
    monkeypatch.setattr(grid_exec, "LOCAL_CLUSTER_CONFIG", broken)
    started = time.monotonic()
    with pytest.raises(MidcorridorError, match="did not start within 3 s"):
        list(
            grid_exec.run_points(
                [_Task(i) for i in range(4)], lambda task: [], environ_at_start, total=4, workers=2
            )
        )
    assert time.monotonic() - started < 30
    assert "Traceback" not in capfd.readouterr().err


def environ_at_start(tasks: Any) -> list[list[dict[str, Any]]]:
    """A batch function: what the worker process's environment was when it started (what
    the C library and BLAS read), for each task."""
    names = ("OMP_NUM_THREADS", "MALLOC_TRIM_THRESHOLD_")
    pairs = Path("/proc/self/environ").read_bytes().decode().split("\0")
    start = dict(pair.split("=", 1) for pair in pairs if "=" in pair)
    return [[{"index": task.index, **{n: start.get(n) for n in names}}] for task in tasks]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc (Linux)")
def test_workers_start_with_one_thread_of_blas_and_the_heap_trimmed_as_by_default() -> None:
    outcomes = list(
        grid_exec.run_points(
            [_Task(i) for i in range(8)], lambda task: [], environ_at_start, total=8, workers=2
        )
    )
    assert sorted(o.index for o in outcomes) == list(range(8))
    for outcome in outcomes:
        assert outcome.rows == [
            {"index": outcome.index, "OMP_NUM_THREADS": "1", "MALLOC_TRIM_THRESHOLD_": None}
        ]


def test_batches_shrink_toward_the_end_and_hold_every_scenario_once() -> None:
    sizes = list(grid_exec.batch_sizes(192, 2, 4_000))
    assert sum(sizes) == 192
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] == 192 // (2 * grid_exec.BATCHES_PER_WORKER)
    assert sizes[-4:] == [grid_exec.MIN_BATCH] * 4  # the workers' last batches are short
    heavy = list(grid_exec.batch_sizes(10, 2, grid_exec.BATCH_SAMPLE_ROUTES * 2))
    assert heavy == [1] * 10
    batches = list(grid_exec._batches(iter(range(11)), iter([4, 4])))
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8], [9], [10]]


def _start(args: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_PARENT)}
    return subprocess.Popen(
        [sys.executable, "-c", "from midcorridor.cli import main; main()", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )


#: What each signal stands for: Ctrl-C and a closed terminal reach the whole process group
#: (the workers too), ``kill`` the driver alone.
_SIGNALS = ((signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGHUP, True))


#: A grid of 60 scenarios of 80,000 samples: about half a minute in-process.
LONG_GRID = (
    GRID.replace("samples: 200", "samples: 80000")
    .replace("values: [1.0, 0.7, 0.4]", "values: [1.0, 0.85, 0.7, 0.55, 0.4]")
    .replace("values: [1, 7]", "values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]")
)


@pytest.fixture(scope="module")
def long_whole(tmp_path_factory: pytest.TempPathFactory, network: mc.Network) -> pa.Table:
    """The rows of an uninterrupted in-process run of LONG_GRID."""
    folder = tmp_path_factory.mktemp("long")
    run_grid(load_grid(write(folder, LONG_GRID)), network, folder / "s.parquet")
    return pq.read_table(folder / "s.parquet")


def _stop_and_resume_twenty_times(folder: Path, extra: list[str], seed: int) -> list[int]:
    """Run LONG_GRID in ``folder``, stopped by SIGINT, SIGTERM and SIGHUP in turn at 20
    random moments and resumed each time, then to its end; the scenarios kept after each
    stop."""
    grid = write(folder, LONG_GRID)
    out = folder / "s.parquet"
    kept = [0]
    for k, moment in enumerate(np.random.default_rng(seed).uniform(0.5, 3.0, size=20)):
        signum, to_group = _SIGNALS[k % 3]
        proc = _start(["grid", str(grid), "--out", str(out), "--resume", *extra])
        time.sleep(float(moment))
        if proc.poll() is None:
            (os.killpg if to_group else os.kill)(proc.pid, signum)
        sent = time.monotonic()
        _, err = proc.communicate(timeout=60)
        assert time.monotonic() - sent < 20, "a stop took more than 20 s"
        assert proc.returncode in (0, 128 + signum), err[-800:]
        assert b"Traceback" not in err, err[-2000:]
        assert len(err) < 400, err  # a line or two, never a worker's traceback
        assert leftovers(folder) == []
        if out.exists():
            kept.append(len(read_results(out)[0]) // 2)  # complete and readable; 2 routes
            assert kept[-1] >= kept[-2], "a stop lost finished scenarios"
    done = _start(["grid", str(grid), "--out", str(out), "--resume", *extra])
    _, err = done.communicate(timeout=300)
    assert done.returncode == 0, err[-800:]
    return kept


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("extra", [[], ["--workers", "2"]], ids=["in-process", "two-workers"])
def test_a_grid_stopped_by_signals_at_twenty_moments_ends_as_an_uninterrupted_run(
    tmp_path: Path, extra: list[str], long_whole: pa.Table
) -> None:
    kept = _stop_and_resume_twenty_times(tmp_path, extra, seed=len(extra))
    print("scenarios kept after each stop:", kept)
    assert sum(1 for n in kept[1:] if n < 60) >= 10, kept  # most stops came mid-run
    assert pq.read_table(tmp_path / "s.parquet").equals(long_whole)
    assert leftovers(tmp_path) == []


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_kill_9_loses_only_the_scenarios_running_then(
    tmp_path: Path, long_whole: pa.Table
) -> None:
    """SIGKILL at five random moments of the run: the results file and its journal together
    never hold fewer scenarios than before, and the resumed grid ends as an uninterrupted
    one. The moments count from the grid's start (its log line), not the process's, so a
    slow start (a busy machine, libraries compiled on import) cannot put every kill before
    the first scenario."""
    grid = write(tmp_path, LONG_GRID)
    out = tmp_path / "s.parquet"
    kept = [0]
    for moment in np.random.default_rng(9).uniform(0.5, 2.5, size=5):
        proc = _start(["-v", "grid", str(grid), "--out", str(out), "--resume"])
        assert proc.stderr is not None
        while b"grid scenario(s)" not in (line := proc.stderr.readline()):
            assert line, "the grid ended before it started running"
        time.sleep(float(moment))
        proc.kill()
        proc.communicate(timeout=60)
        journalled = ResultsFile(out, long_whole.schema, 60, resume=True).done
        kept.append(len(journalled))
        assert kept[-1] >= kept[-2], kept
    assert kept[-1] > 0
    done = _start(["grid", str(grid), "--out", str(out), "--resume"])
    _, err = done.communicate(timeout=300)
    assert done.returncode == 0, err[-800:]
    assert pq.read_table(out).equals(long_whole)
    assert leftovers(tmp_path) == []
