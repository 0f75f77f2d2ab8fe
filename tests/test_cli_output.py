"""The command line's output: folders that do not exist refused, the log on stderr (-v,
-q), tables that fit 100 columns (``--wide`` for all)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cli_runner import invoke

ROOT = Path(__file__).resolve().parents[1]
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["map", BASELINE, "--out", "{tmp}/nonexistent/dir/map.html"], "nonexistent/dir"),
        (["run", BASELINE, "--chart", "{tmp}/nonexistent/c.png"], "nonexistent"),
        (["run", BASELINE, "--export", "{tmp}/nonexistent/r.csv"], "nonexistent"),
        (["report", BASELINE, "--out", "{tmp}/nonexistent/report"], "nonexistent"),
        (["compare", BASELINE, BASELINE, "--report", "{tmp}/a/b"], "a"),
    ],
)
def test_an_output_folder_that_does_not_exist_is_refused(
    args: list[str], shown: str, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, out, err = invoke([*args, "--samples", "200"], capsys, monkeypatch)
    assert code == 2
    assert f"folder {tmp_path / shown} does not exist" in " ".join(err.split())
    assert out == ""
    assert list(tmp_path.iterdir()) == []


def test_verbose_logs_the_steps_on_stderr_and_quiet_prints_nothing(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    run = ["run", BASELINE, "--samples", "200", "--export", str(tmp_path / "r.csv")]
    code, plain, plain_err = invoke(run, capsys, monkeypatch)
    assert code == 0
    assert "results written to" in plain_err
    assert "INFO" not in plain_err
    code, verbose, verbose_err = invoke(["-v", *run], capsys, monkeypatch)
    assert code == 0
    assert "INFO" in verbose_err
    assert "running scenario baseline with 200 samples" in verbose_err
    assert "DEBUG" not in verbose_err
    explain = ["explain", "Almaty", "Constanta", "--corridor", "middle", "--samples", "200"]
    code, _, debug_err = invoke(["-vv", *explain], capsys, monkeypatch)
    assert "DEBUG" in debug_err
    assert "sampling Almaty" in debug_err
    code, quiet, quiet_err = invoke(["--quiet", *run], capsys, monkeypatch)
    assert code == 0
    assert quiet_err == ""
    assert plain == verbose == quiet  # the results on stdout, whatever the log says
    assert (tmp_path / "r.csv").is_file()


def test_verbose_and_quiet_together_are_refused(capsys: Any, monkeypatch: Any) -> None:
    code, _, err = invoke(["-v", "-q", "run", BASELINE], capsys, monkeypatch)
    assert code == 2
    assert "--verbose or --quiet" in err


def test_the_library_only_logs() -> None:
    """Imported and run, the library adds no handler but a NullHandler on its package's
    logger, and leaves the root logger alone: the application decides."""
    code = (
        "import logging\n"
        "import midcorridor as mc\n"
        "from midcorridor.runs import grid, runner\n"
        "print([type(h).__name__ for h in logging.getLogger('midcorridor').handlers],"
        " logging.getLogger().handlers, logging.getLogger('midcorridor').level)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['NullHandler'] [] 0"
