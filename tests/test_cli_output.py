"""The command line's output: folders that do not exist refused, the log on stderr (-v,
-q), tables that fit 100 columns (``--wide`` for all)."""

from __future__ import annotations

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
