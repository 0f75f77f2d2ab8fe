"""Work in a second process (midcorridor._background): its value, its error, its end."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from midcorridor import _background
from midcorridor._background import Background


def test_the_work_runs_in_another_process_and_gives_its_value() -> None:
    if _background.usable_cores() < 2:
        pytest.skip("one usable core: the work runs in this process")
    with Background(os.getpid) as pending:
        assert pending.result() != os.getpid()
    assert multiprocessing.active_children() == []


def test_the_works_error_is_raised_where_its_result_is_asked() -> None:
    with Background(int, "twelve") as pending, pytest.raises(ValueError, match="twelve"):
        pending.result()
    assert multiprocessing.active_children() == []


def test_leaving_the_block_ends_unfinished_work_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), Background(time.sleep, 60):
        raise KeyboardInterrupt
    assert time.monotonic() - started < 10
    assert multiprocessing.active_children() == []


def test_with_one_core_the_work_runs_here_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_background, "usable_cores", lambda: 1)
    with Background(os.getpid) as pending:
        assert multiprocessing.active_children() == []
        assert pending.result() == os.getpid()
