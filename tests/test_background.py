"""Work in a second process (midcorridor._background): its value, its error, its end."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from midcorridor import _background
from midcorridor._background import SecondProcess


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
