"""Names, labels and descriptions from someone else's file cannot mislead or escape.

A scenario copied from anyone may name itself with terminal escapes, label routes alike,
describe itself with a remote image, or name a grid after a path. Every command that
prints or writes such text is run on it: no raw control character reaches the terminal,
no file is written outside the folder named, no image or link reaches the report from it,
and two routes are never paired by mistake.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

import midcorridor as mc
from cli_runner import invoke
from midcorridor._files import exclusive
from midcorridor.runs.grid import load_grid

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_PARENT = Path(mc.__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"

#: Control characters a terminal acts on (C0 but tab, newline; DEL; C1).
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
ESCAPES = (
    "\\e]0;PWNED\\a\\e[2J\\e[31mRED\\e[0m \\e]8;;http://evil.example\\e\\\\x\\e]8;;\\e\\\\ \\x9b31m"
)
LONG_LABEL = "L" * 300
HOSTILE = f"""
name: "hostile {ESCAPES}"
description: "![beacon](http://attacker.example/b.png) [click](https://attacker.example) # no"
samples: 300
routes:
  - {{origin: Almaty, destination: Constanta, corridor: middle, label: "A-C!"}}
  - {{origin: Almaty, destination: Constanta, corridor: northern, label: "A-C?"}}
  - {{origin: Tbilisi, destination: Poti, corridor: any, label: "{LONG_LABEL}"}}
  - {{origin: Baku, destination: Tbilisi, corridor: any, label: "lab {ESCAPES}"}}
changes:
  - {{stage: documents, scale: 0.5, note: "note ![n](http://attacker.example/n.png)",
      source: "src [s](https://attacker.example)"}}
"""
GRID = """
name: hostile_grid
description: "![g](http://attacker.example/g.png)"
base: hostile.yaml
samples: 200
axes:
  - name: paperwork
    change: {stage: documents, scale: 1.0, note: n, source: s}
    field: scale
    values: [1.0, 0.5]
"""


def cli(args: list[str], capsysbinary: Any, monkeypatch: Any) -> tuple[int, bytes, bytes]:
    """``midcorridor ARGS`` in-process: exit code and the raw bytes of stdout and stderr."""
    return invoke(args, capsysbinary, monkeypatch)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of hostile files, the working directory, inside a sentinel folder."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    (work / "grid.yaml").write_text(GRID, encoding="utf-8")
    monkeypatch.chdir(work)
    return work


def _commands(work: Path) -> dict[str, list[list[str]]]:
    scenario, out = str(work / "hostile.yaml"), work / "out"
    return {
        "run": [["run", scenario]],
        "run --json": [["run", scenario, "--json"]],
        "compare": [["compare", str(BASELINE), scenario, "--samples", "300"]],
        "explain": [["explain", "Almaty\x1b[2J", "Constanta"], ["explain", "Tbilisi", "Poti"]],
        "rank": [["rank", scenario, "--route", "A-C!"], ["rank", scenario, "--route", "A-C"]],
        "sensitivity": [["sensitivity", scenario]],
        "evidence": [["evidence", scenario]],
        "report": [["report", scenario, "--no-calibration", "--out", str(out / "report")]],
        "map": [["map", scenario, "--out", str(out / "map.html")]],
        "chart": [["chart", scenario, "--out", str(out / "chart.png")]],
        "grid": [
            ["grid", str(work / "grid.yaml"), "--out", str(out / "g.parquet")],
            ["frontier", str(out / "g.parquet")],
        ],
        "choice": [["choice", scenario, "--samples", "200"]],
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        "run",
        "run --json",
        "compare",
        "explain",
        "rank",
        "sensitivity",
        "evidence",
        "report",
        "map",
        "chart",
        "grid",
        "choice",
    ],
)
def test_hostile_names_through_every_command(
    command: str, workspace: Path, capsysbinary: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = set(workspace.parent.iterdir())
    for args in _commands(workspace)[command]:
        code, out, err = cli(args, capsysbinary, monkeypatch)
        assert code in (0, 2), (args, code, err[-500:])
        for stream in (out, err):
            assert not RAW_CONTROL.search(stream), (args, RAW_CONTROL.search(stream))
            assert b"Traceback" not in stream
            assert b"This is a bug" not in stream
        assert len(err) < 2000, err[:300]
    assert set(workspace.parent.iterdir()) == before  # nothing outside the named folder


def test_a_grid_named_after_a_path_is_refused(tmp_path: Path) -> None:
    (tmp_path / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    for name in ("../../escaped", "/tmp/absolute", ".hidden", "a/b"):
        path = tmp_path / "g.yaml"
        path.write_text(GRID.replace("name: hostile_grid", f'name: "{name}"'), encoding="utf-8")
        with pytest.raises(mc.ScenarioError, match=r"field name: String should match pattern"):
            load_grid(path)


def test_two_routes_labelled_alike_are_refused_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: twins\nroutes:\n"
        "  - {origin: Almaty, destination: Constanta, corridor: middle, label: same}\n"
        "  - {origin: Almaty, destination: Constanta, corridor: northern, label: same}\n",
        encoding="utf-8",
    )
    with pytest.raises(mc.ScenarioError, match=r"routes\.0 and routes\.1 are both labelled 'same'"):
        mc.load_scenario(path)


def test_two_routes_that_would_get_the_same_label_are_refused(
    tmp_path: Path, network: mc.Network
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: twins\nroutes:\n"
        "  - {origin: Almaty, destination: Constanta, corridor: middle}\n"
        "  - {origin: Almaty, destination: Constanta, corridor: middle, shipment: container}\n",
        encoding="utf-8",
    )
    with pytest.raises(mc.ScenarioError, match=r"routes\.0, routes\.1: both routes would be"):
        mc.run_scenario(mc.load_scenario(path), network, samples=100)


def test_compare_pairs_trips_by_label_not_by_position(tmp_path: Path, network: mc.Network) -> None:
    swapped = tmp_path / "s.yaml"
    swapped.write_text(
        "name: swapped\nroutes:\n"
        '  - {origin: Almaty, destination: Constanta, corridor: northern, label: "north"}\n'
        '  - {origin: Almaty, destination: Constanta, corridor: middle, label: "middle"}\n',
        encoding="utf-8",
    )
    straight = swapped.with_name("t.yaml")
    text = swapped.read_text().replace("swapped", "straight").splitlines()
    straight.write_text("\n".join([*text[:2], text[3], text[2]]) + "\n", encoding="utf-8")
    runs = [mc.run_scenario(mc.load_scenario(p), network, samples=300) for p in (straight, swapped)]
    for row in mc.compare_runs(runs).rows:
        first, second = row.entries
        assert first is not None
        assert second is not None
        assert second.days == first.days  # the same trip, whatever its place in the file
        assert second.delta_p50_days == 0


def _report_tokens(text: str) -> list[Any]:
    tokens = MarkdownIt("commonmark").parse(text)
    return [child for t in tokens for child in (t.children or [])]


@pytest.mark.slow
def test_the_report_shows_no_image_or_link_from_input_text(
    tmp_path: Path, network: mc.Network
) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    run = mc.run_scenario(mc.load_scenario(path), network, samples=300)
    report = mc.write_report([run], network, tmp_path / "report")
    children = _report_tokens(report.read_text(encoding="utf-8"))
    images = [c.attrs.get("src") for c in children if c.type == "image"]
    links = [c.attrs.get("href") for c in children if c.type == "link_open"]
    assert images  # the charts
    assert all(not str(src).startswith("http") for src in images), images
    assert not [h for h in links if "attacker.example" in str(h)], links
    assert "attacker.example" in report.read_text(encoding="utf-8")  # shown, as text
    charts = sorted(p.name for p in report.parent.glob("bottlenecks_*.png"))
    assert "bottlenecks_a-c.png" in charts  # "A-C!" and "A-C?" get a file each
    assert "bottlenecks_a-c-2.png" in charts
    assert all(len(name) < 100 for name in charts)  # the 300-character label too


def test_explain_blames_the_option_a_user_typed(
    capsysbinary: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli(
        ["explain", "Almaty", "Constanta", "--via", "Atlantis"], capsysbinary, monkeypatch
    )
    assert code == 2
    assert b"--via: Unknown place 'Atlantis'" in err
    assert b"baseline.yaml" not in err
    code, _, err = cli(["explain", "A" * 10_000, "Constanta"], capsysbinary, monkeypatch)
    assert code == 2
    assert b"ORIGIN: Unknown place" in err
    assert len(err) < 1000


def test_frontier_refuses_a_target_that_cannot_fail(
    tmp_path: Path, capsysbinary: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    grid = tmp_path / "grid.yaml"
    grid.write_text(GRID, encoding="utf-8")
    out = tmp_path / "g.parquet"
    assert (
        cli(["grid", str(grid), "--out", str(out), "--limit", "2"], capsysbinary, monkeypatch)[0]
        == 0
    )
    for target in ("inf", "nan", "1e300"):
        code, _, err = cli(
            ["frontier", str(out), "--target-days", target], capsysbinary, monkeypatch
        )
        assert code == 2, target
        # typer itself refuses nan (not in the option's range); the others are ours
        assert b"cannot be met or cannot fail" in err or target == "nan"


def test_a_latin_hypercube_too_small_for_its_answer_is_refused_before_it_runs(
    tmp_path: Path,
) -> None:
    (tmp_path / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    grid = tmp_path / "grid.yaml"
    text = GRID.replace("samples: 200", "samples: 200\ndesign: {latin_hypercube: 20}")
    grid.write_text(text.replace("values: [1.0, 0.5]", "range: {low: 0.5, high: 1.0}"))
    with pytest.raises(mc.ScenarioError, match=r"latin_hypercube: Input should be greater than"):
        load_grid(grid)


def test_a_second_run_on_an_output_another_run_is_writing_is_refused(
    tmp_path: Path, capsysbinary: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    grid = tmp_path / "grid.yaml"
    grid.write_text(GRID, encoding="utf-8")
    out = tmp_path / "g.parquet"
    with exclusive(out):  # as another process running the grid would hold it
        code, _, err = cli(["grid", str(grid), "--out", str(out)], capsysbinary, monkeypatch)
    assert code == 2
    assert b"another run (process" in err
    assert not out.exists()
    assert (
        cli(["grid", str(grid), "--out", str(out), "--limit", "1"], capsysbinary, monkeypatch)[0]
        == 0
    )
    assert not list(tmp_path.glob(".*.lock"))


def _run_cli(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_PARENT)}
    code = "from midcorridor.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], env=env, stderr=subprocess.PIPE, **kwargs
    )


def test_a_full_disk_on_standard_output_is_a_message_not_a_bug() -> None:
    with open(os.devnull if not Path("/dev/full").exists() else "/dev/full", "wb") as full:
        proc = _run_cli(["run", str(BASELINE), "--samples", "200"], stdout=full)
        _, err = proc.communicate(timeout=120)
    if Path("/dev/full").exists():
        assert proc.returncode == 2
        assert b"could not write the output: No space left on device" in err
    assert b"Traceback" not in err


def test_a_closed_pipe_on_standard_output_ends_quietly() -> None:
    proc = _run_cli(["run", str(BASELINE), "--samples", "200", "--json"], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.read(10)
    proc.stdout.close()  # the reader goes away, as `| head -c 10` does
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 1, 141)
    assert b"Traceback" not in err
    assert b"This is a bug" not in err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
)
@pytest.mark.parametrize("command", ["chart", "report"])
def test_a_signal_stops_like_ctrl_c_and_leaves_no_temporary_file(
    tmp_path: Path, signum: int, code: int, command: str
) -> None:
    target = tmp_path / ("chart.png" if command == "chart" else "report")
    if command == "chart":
        target.write_bytes(b"old chart")
    args = [command, str(BASELINE), "--samples", "1000000", "--out", str(target)]
    if command == "report":
        args.insert(-2, "--no-calibration")
    proc = _run_cli(args, stdout=subprocess.DEVNULL)
    time.sleep(5)  # past start-up, into the sampling (a million samples take half a minute)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err[-500:]
    assert err.count(b"interrupted: no file was left half-written.") == 1
    assert b"Traceback" not in err
    if command == "chart":
        assert target.read_bytes() == b"old chart"
    assert [p.name for p in tmp_path.iterdir()] == ([target.name] if target.exists() else [])


def test_a_signal_while_the_report_is_written_leaves_no_temporary_folder(
    tmp_path: Path, capsysbinary: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deterministic stand-in for a signal arriving mid-write: the tornado chart raises
    what the SIGTERM handler raises, with the report's temporary folder half full."""
    from midcorridor._errors import StopRequested
    from midcorridor.views import report as report_module

    def killed(*args: Any, **kwargs: Any) -> Path:
        raise StopRequested(signal.SIGTERM)

    monkeypatch.setattr(report_module, "tornado_chart", killed)
    out = tmp_path / "report"
    args = ["report", str(BASELINE), "--samples", "200", "--no-calibration", "--out", str(out)]
    code, _, err = cli(args, capsysbinary, monkeypatch)
    assert code == 143
    assert err.count(b"interrupted: no file was left half-written.") == 1
    assert list(tmp_path.iterdir()) == []
