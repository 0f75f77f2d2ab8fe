"""Run the ``midcorridor`` command in-process, as a user would from a shell."""

from __future__ import annotations

import sys
from typing import Any, AnyStr

import pytest

from midcorridor.cli import main


def invoke(
    args: list[str], capture: pytest.CaptureFixture[AnyStr], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, AnyStr, AnyStr]:
    """``midcorridor ARGS``: its exit code and what it wrote to stdout and stderr (text
    with ``capsys``, bytes with ``capsysbinary``)."""
    monkeypatch.setattr(sys, "argv", ["midcorridor", *args])
    code: Any = 0
    try:
        main()
    except SystemExit as exit_:
        code = exit_.code or 0
    captured = capture.readouterr()
    return int(code), captured.out, captured.err
