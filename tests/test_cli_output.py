"""The command line's output: folders that do not exist refused, the log on stderr (-v,
-q), tables that fit 100 columns (``--wide`` for all)."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cli_runner import invoke
from midcorridor.views.table import MAX_LABEL_WIDTH

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


DIGITAL = str(ROOT / "scenarios" / "digital_customs.yaml")
#: The main commands, each with the columns its first table shows by default.
COMMANDS = {
    "run": (["run", BASELINE], ["route", "P10 days", "P50 days", "P90 days"]),
    "compare": (["compare", BASELINE, DIGITAL], ["route", "P50 days", "P90 days"]),
    "sweep": (["sweep", BASELINE, "--volume", "500:2500:1000"], ["TEU/week"]),
    "explain": (
        ["explain", "Almaty", "Constanta", "--corridor", "middle", "--shipment", "container"],
        ["place", "stage", "P50 h", "P90 h", "basis"],
    ),
    "calibrate": (["calibrate"], ["target", "shipment", "model P50", "met"]),
    "rank": (
        ["rank", BASELINE, "--route", "Almaty-Constanta, Middle Corridor"],
        ["wait", "mean"],
    ),
}


def _rendered(args: list[str], capsys: Any, monkeypatch: Any) -> list[tuple[Any, Any, list[str]]]:
    """Each table the command prints, the rich table made of it, and its lines as a
    terminal 100 columns wide shows them (1000 with ``--wide``), title and notes left out."""
    from rich.console import Console

    from midcorridor.views import table as table_module

    printed: list[tuple[Any, Any, bool]] = []
    real = table_module.to_rich

    def recording(table: Any, *, wide: bool = False) -> Any:
        shown = real(table, wide=wide)
        printed.append((table, shown, wide))
        return shown

    monkeypatch.setattr(table_module, "to_rich", recording)
    monkeypatch.setenv("COLUMNS", "100")
    code, _, err = invoke([*args, "--samples", "200"], capsys, monkeypatch)
    assert code in (0, 3), err  # calibrate: 3 when a required target is missed
    rendered = []
    for table, shown, wide in printed:
        console = Console(width=1000 if wide else 100, record=True, file=io.StringIO())
        console.print(real(replace(table, title="", notes=()), wide=wide))
        rendered.append((table, shown, console.export_text().splitlines()))
    return rendered


@pytest.mark.slow
@pytest.mark.parametrize("name", list(COMMANDS))
def test_tables_fit_100_columns_and_wide_shows_every_column(
    name: str, capsys: Any, monkeypatch: Any
) -> None:
    args, key = COMMANDS[name]
    narrow = _rendered(args, capsys, monkeypatch)
    assert narrow
    for table, shown, lines in narrow:
        rule = next(i for i, line in enumerate(lines) if line.strip() and set(line) <= {"─", " "})
        body = lines[rule + 1 :]
        assert max(len(line) for line in lines) <= 100, table.title
        assert len(shown.columns) == sum(not c.wide for c in table.columns)
        texts = [i for i, c in enumerate(table.columns) if not c.numeric and not c.wide]
        label = max((len(row[texts[0]]) for row in table.rows), default=0) if texts else 0
        if label <= MAX_LABEL_WIDTH:  # a longer label may wrap; no other cell does
            total_rule = 1 if table.total_from is not None else 0
            assert len(body) == len(table.rows) + total_rule, f"a row wraps in {table.title}"
    header = " ".join(lines_before_rule(narrow[0][2]))
    for column in key:
        assert column in header, column
    wide = _rendered(["--wide", *args], capsys, monkeypatch)
    assert [t.title for t, _, _ in wide] == [t.title for t, _, _ in narrow]
    assert all(len(shown.columns) == len(table.columns) for table, shown, _ in wide)
    assert any(c.wide for table, _, _ in wide for c in table.columns)


def lines_before_rule(lines: list[str]) -> list[str]:
    """The header's lines of a rendered table."""
    return lines[: next(i for i, line in enumerate(lines) if set(line.strip()) == {"─"})]


def test_piped_tables_take_100_columns_and_wide_takes_what_it_needs(
    capsys: Any, monkeypatch: Any
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    run = ["run", BASELINE, "--samples", "200"]
    code, out, _ = invoke(run, capsys, monkeypatch)
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "P50 days" in out
    assert "biggest stages" not in out
    code, wide, _ = invoke(["--wide", *run], capsys, monkeypatch)
    assert code == 0
    assert "biggest stages (mean days)" in wide
    assert "ferry_wait" in wide
    assert max(len(line) for line in wide.splitlines()) > 100
