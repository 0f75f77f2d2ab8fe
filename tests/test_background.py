"""Work in a second process (midcorridor._background): its value, its error, its end."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import midcorridor as mc
from midcorridor import _background
from midcorridor._background import SecondProcess

ROOT = Path(__file__).resolve().parents[1]


def test_the_work_runs_in_another_process_in_turn_and_gives_its_values() -> None:
    if _background.usable_cores() < 2:
        pytest.skip("one usable core: the work runs in this process")
    with SecondProcess() as second:
        pid, doubled = second.submit(os.getpid), second.submit(abs, -21)
        assert pid.result() != os.getpid()
        assert doubled.result() == 21
    assert multiprocessing.active_children() == []


def test_the_works_error_is_raised_where_its_result_is_asked() -> None:
    with SecondProcess() as second:
        bad = second.submit(int, "twelve")
        with pytest.raises(ValueError, match="twelve"):
            bad.result()
    assert multiprocessing.active_children() == []


def _stopped_while_working() -> None:
    with SecondProcess() as second:
        second.submit(time.sleep, 60)
        raise KeyboardInterrupt


def test_leaving_the_block_ends_unfinished_work_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        _stopped_while_working()
    assert time.monotonic() - started < 10
    assert multiprocessing.active_children() == []


def test_with_one_core_the_work_runs_here_once_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_background, "usable_cores", lambda: 1)
    calls: list[int] = []

    def work() -> int:
        calls.append(os.getpid())
        return len(calls)

    with SecondProcess() as second:
        pending = second.submit(work)
        assert multiprocessing.active_children() == []
        assert calls == []
        assert [pending.result(), pending.result()] == [1, 1]
    assert calls == [os.getpid()]


def _group_ends(group: int, within_s: float) -> bool:
    """Whether every process of ``group`` is gone within ``within_s`` (multiprocessing's
    resource tracker ends when its parent does, and is reaped a moment later)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("moment_s", [0.3, 2.0, 5.0])
def test_ctrl_c_during_a_brief_stops_both_processes_with_one_line(
    tmp_path: Path, moment_s: float
) -> None:
    """A Ctrl-C reaches the whole foreground job (the second process too) at a moment of
    the report's work: one line, no traceback, nothing left running, no half-written
    file."""
    scenarios = [str(ROOT / "scenarios" / f) for f in ("baseline.yaml", "digital_customs.yaml")]
    args = ["compare", *scenarios, "--samples", "2000", "--report", str(tmp_path / "brief")]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from midcorridor.cli import main; main()", *args],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    time.sleep(moment_s)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (0, 128 + signal.SIGINT), err[-800:]
    assert b"Traceback" not in err, err[-2000:]
    assert len(err) < 600, err
    assert _group_ends(proc.pid, within_s=5.0)  # no process of the job is left
    assert not [p for p in tmp_path.rglob(".*") if p.suffix in (".tmp", ".old")]


@pytest.mark.parametrize(
    "error",
    [
        mc.PlaceNotFoundError("Almty", ["Almaty"]),
        mc.ScenarioError("Invalid scenario file x.yaml", ["field routes.0.origin: unknown"]),
        mc.NetworkError("Network folder not found"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_an_error_of_the_second_process_reaches_this_one_whole(
    error: mc.MidcorridorError,
) -> None:
    """Errors pickle by their attributes (a PlaceNotFoundError's __init__ takes other
    arguments than its message): unpickling one must not fail, or the result never comes."""
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert (str(back), back.message, back.problems) == (str(error), error.message, error.problems)
    assert vars(back) == vars(error)


@pytest.mark.timeout(60)  # a result that never comes fails, not hangs
def test_a_user_error_in_the_second_process_is_raised_here(tmp_path: Path) -> None:
    with SecondProcess() as second:
        missing = second.submit(mc.load, tmp_path / "no-network")
        with pytest.raises(mc.NetworkError, match="no-network"):
            missing.result()
