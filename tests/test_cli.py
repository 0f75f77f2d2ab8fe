"""The command line: output shapes, exit codes, plain errors, fast start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cli_runner import invoke
from midcorridor.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
DIGITAL = str(ROOT / "scenarios" / "digital_customs.yaml")
# The eleven stages the project promises, written out: the spec, not the code's constant.
STAGE_NAMES = {
    "rail",
    "sea",
    "documents",
    "inspection",
    "transshipment",
    "port",
    "consolidation",
    "ferry_wait",
    "weather",
    "congestion",
    "disruption",
}


def cli(args: list[str], capsys: Any, monkeypatch: Any) -> tuple[int, str, str]:
    """Run ``midcorridor ARGS`` in-process; return exit code, stdout, stderr."""
    code, out, err = invoke(args, capsys, monkeypatch)
    assert "Traceback" not in out + err
    return code, out, err


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; sys.argv = ['midcorridor', '--help']\n"
        "from midcorridor.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('geopandas', 'folium', 'matplotlib', 'pandas', 'numpy', 'networkx', 'pyproj',"
        " 'pydantic')\n"
        "print('HEAVY', [m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "HEAVY []" in out
    assert "compare" in out


def test_help_lists_the_choices(capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = cli(["routes", "--help"], capsys, monkeypatch)
    assert code == 0
    assert "middle|northern|sea|other|any" in out
    code, out, _ = cli(["rank", "--help"], capsys, monkeypatch)
    assert "place|country|stage" in out
    # The shared options, declared once, reach every command that runs a scenario.
    for command in ("run", "compare", "map", "chart", "explain"):
        _, out, _ = cli([command, "--help"], capsys, monkeypatch)
        assert all(opt in out for opt in ("--samples", "--seed", "--month", "--network"))


def test_run_json_has_the_documented_shape(capsys: Any, monkeypatch: Any) -> None:
    code, out, _ = cli(
        ["run", BASELINE, "--json", "--samples", "300", "--seed", "4"], capsys, monkeypatch
    )
    assert code == 0
    data = json.loads(out)
    assert data["scenario"] == "baseline"
    assert data["seed"] == 4
    assert data["samples"] == 300
    route = data["routes"][0]
    keys = ("label", "shipment", "origin", "destination", "corridor", "distance_km", "path")
    for key in (*keys, "countries", "connections"):
        assert key in route
    assert route["origin"] == route["path"][0] == "ALMATY"
    assert set(route["days"]) >= {"mean", "p10", "p50", "p90"}
    assert set(route["stages_days"]) == STAGE_NAMES
    assert all(len(c) == 2 for c in route["countries"])
    shipments = {r["label"]: r["shipment"] for r in data["routes"]}
    assert shipments["Almaty-Constanta, Middle Corridor"] == "block_train"
    assert shipments["Almaty-Constanta, Middle Corridor, container"] == "container"
    # The booked block train meets the weekly Black Sea ferry: its missed share and why.
    (ferry,) = route["connections"]
    assert ferry["link"] == "POTI-CONSTANTA"
    assert 0 < ferry["missed_share"] < 0.5
    assert sum(ferry["reasons"].values()) == pytest.approx(1.0)


def test_compare_json_and_table(capsys: Any, monkeypatch: Any) -> None:
    code, out, _ = cli(
        ["compare", BASELINE, DIGITAL, "--json", "--samples", "300"], capsys, monkeypatch
    )
    assert code == 0
    data = json.loads(out)
    assert [s["scenario"] for s in data["scenarios"]] == ["baseline", "digital_customs"]
    code, out, _ = cli(["compare", BASELINE, DIGITAL, "--samples", "300"], capsys, monkeypatch)
    assert code == 0
    assert "Scenario comparison" in out
    assert "documents" not in out  # the stages that moved: a column for --wide
    args = ["--wide", "compare", BASELINE, DIGITAL, "--samples", "300"]
    code, out, _ = cli(args, capsys, monkeypatch)
    assert "documents" in out


def test_network_check_summarises_the_network(capsys: Any, monkeypatch: Any) -> None:
    import midcorridor as mc

    network = mc.load(ROOT / "network")
    code, out, _ = cli(["network", "check", "--json"], capsys, monkeypatch)
    assert code == 0
    summary = json.loads(out)
    assert summary["nodes"] == len(network.nodes_by_id)
    assert summary["sources"] == sum(summary["sources_by_basis"].values()) == len(network.sources)
    assert summary["links"] == sum(summary["links_by_mode"].values()) == len(network.links_by_id)
    pair = summary["shortest_km"][0]
    assert (pair["origin"], pair["destination"]) == ("ALMATY", "CONSTANTA")
    assert pair["km"]["middle"] < pair["km"]["northern"]


def test_network_check_json_lists_the_problems(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    folder = tmp_path / "network"
    folder.mkdir()
    for name in ("nodes.geojson", "links.geojson", "shipments.yaml"):
        (folder / name).write_text(
            (ROOT / "network" / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    (folder / "sources.yaml").write_text("{}\n", encoding="utf-8")
    code, out, _ = cli(["network", "check", str(folder), "--json"], capsys, monkeypatch)
    assert code == 2
    data = json.loads(out)
    problems = data["problems"]
    assert len(problems) > 10
    assert all("unknown source key" in p or "sources" in p for p in problems[:5])
    # Every problem is counted; the list is capped with a line counting the rest.
    total = int(data["error"].split(" has ")[1].split(" problem")[0].replace(",", ""))
    if total > len(problems):
        shown, more = problems[:-1], problems[-1]
        assert more == f"... and {total - len(shown):,} more problems"
    code, _, err = cli(["network", "check", str(folder)], capsys, monkeypatch)
    assert code == 2
    assert f"has {total:,} problem(s)" in err


def test_network_check_on_a_broken_copy_exits_2(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    folder = tmp_path / "network"
    folder.mkdir()
    for name in ("nodes.geojson", "sources.yaml"):
        (folder / name).write_text(
            (ROOT / "network" / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    (folder / "links.geojson").write_text('{"type": "FeatureCollection", "features": 3}')
    code, out, err = cli(["network", "check", str(folder)], capsys, monkeypatch)
    assert code == 2
    assert "links.geojson" in err
    assert out == ""


def test_routes_json_and_bad_place(capsys: Any, monkeypatch: Any) -> None:
    code, out, _ = cli(
        ["routes", "Almaty", "Constanța", "--corridor", "middle", "--json"], capsys, monkeypatch
    )
    assert code == 0
    routes = json.loads(out)
    assert all(r["corridor"] == "middle" for r in routes)
    code, _, err = cli(["routes", "Almaty", "Konstanta"], capsys, monkeypatch)
    assert code == 2
    assert "did you mean" in err


def test_explain_lists_stage_hours_with_sources(capsys: Any, monkeypatch: Any) -> None:
    args = ["explain", "Almaty", "Constanta", "--corridor", "middle", "--samples", "500"]
    code, out, _ = cli(args, capsys, monkeypatch)
    assert code == 0
    assert "Aktau" in out
    assert "ferry_wait" in out
    assert "Sources:" in out
    assert "[1]" in out


def test_explain_shows_each_figures_basis_missed_sailings_and_stale_sources(
    capsys: Any, monkeypatch: Any
) -> None:
    args = ["explain", "Almaty", "Constanta", "-c", "middle", "-s", "container"]
    code, out, _ = cli([*args, "--samples", "500"], capsys, monkeypatch)
    assert code == 0
    assert "(container)" in out
    assert "basis" in out
    assert "assumption" in out
    assert "Timetabled departures on POTI-CONSTANTA" in out
    assert "older than the scenario's era 2025" in out
    # Every citation starts with its basis.
    citations = out.split("Sources:")[1].splitlines()[1:]
    assert citations
    assert all(
        line.split(": ", 1)[1].startswith(("Published: ", "Derived: ", "Assumption: "))
        for line in citations
        if line.startswith("  [")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "missing.yaml"], "not found"),
        (["validate", str(ROOT / "pyproject.toml")], "pyproject.toml"),
        (["explain", "Almaty", "Atlantis"], "Unknown place"),
        (["explain", "Almaty", "Baku", "--corridor", "southern"], "'southern' is not one of"),
        (["sweep", BASELINE, "--volume", "-5:10:1"], "START"),
        (["sweep", BASELINE, "--volume", "lots"], "START:STOP:STEP"),
        (["sweep", BASELINE, "--volume", "1:nan:1"], "finite"),
        (["run", BASELINE, "--chart", "out.jpg"], ".png or .svg"),
        (["rank", BASELINE, "--route", "Almaty-Constanta, via Rusia"], "via Russia"),
        (["rank", BASELINE, "--group-by", "planet"], "'planet' is not one of"),
        (["sweep", BASELINE, "--volume", "1:2:1", "--corridor", "any"], "'any' is not one of"),
    ],
)
def test_user_mistakes_exit_2_with_a_message(
    args: list[str], message: str, capsys: Any, monkeypatch: Any
) -> None:
    code, _, err = cli(args, capsys, monkeypatch)
    assert code == 2
    assert message in err


def test_validate_reports_each_file(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nroutes: []\n")
    code, out, err = cli(["validate", BASELINE, str(bad)], capsys, monkeypatch)
    assert code == 2
    assert "ok" in out
    assert "bad.yaml" in err


def test_sweep_json(capsys: Any, monkeypatch: Any) -> None:
    args = ["sweep", BASELINE, "--volume", "1000:3000:2000", "--samples", "200", "--json"]
    code, out, _ = cli(args, capsys, monkeypatch)
    assert code == 0
    steps = json.loads(out)["steps"]
    assert [s["volume_teu_per_week"] for s in steps] == [1000, 3000]
    assert steps[1]["constrained"]["AKTAU_PORT-ALAT_PORT"]["saturated"] is True


@pytest.mark.slow
def test_rank_sensitivity_and_report(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    route = ["--route", "Almaty-Constanta, Middle Corridor", "--samples", "500"]
    code, out, _ = cli(["rank", BASELINE, *route, "--json", "--top", "3"], capsys, monkeypatch)
    assert code == 0
    ranking = json.loads(out)["routes"][0]["ranking"]
    assert len(ranking) == 3
    assert ranking[0]["p50_saved_removed"] >= ranking[-1]["p50_saved_removed"]
    code, out, _ = cli(["sensitivity", BASELINE, *route], capsys, monkeypatch)
    assert code == 0
    assert "variance" in out  # the header "variance share", on two lines in 100 columns
    folder = tmp_path / "brief"
    args = ["report", BASELINE, DIGITAL, "--out", str(folder), "--samples", "500"]
    code, _, err = cli(args, capsys, monkeypatch)
    assert code == 0
    assert "report written" in err
    text = (folder / "report.md").read_text(encoding="utf-8")
    assert "digital_customs" in text
    assert "Calibration" in text


def test_saturated_trips_are_shown_as_lower_bounds(capsys: Any, monkeypatch: Any) -> None:
    x3 = str(ROOT / "scenarios" / "volume_x3.yaml")
    code, out, _ = cli(["compare", BASELINE, x3, "--samples", "300"], capsys, monkeypatch)
    assert code == 0
    assert "lower bound: a queue on this trip is saturated" in out
    comparison = out[out.index("Scenario comparison") :].splitlines()
    middle = next(line for line in comparison if "Almaty-Constanta, Middle" in line)
    assert ">" in middle
    northern = next(line for line in comparison if "Almaty-Constanta, via Russia" in line)
    assert ">" not in northern
    code, out, _ = cli(["compare", BASELINE, x3, "--samples", "300", "--json"], capsys, monkeypatch)
    data = json.loads(out)
    flags = {r["label"]: r["saturated"] for r in data["scenarios"][1]["routes"]}
    assert flags["Almaty-Constanta, Middle Corridor"] is True
    assert flags["Almaty-Constanta, via Russia"] is False
    row = next(r for r in data["comparison"] if r["label"] == "Almaty-Constanta, Middle Corridor")
    assert [e["saturated"] for e in row["days"]] == [False, True]


@pytest.mark.slow
def test_map_and_chart_commands_write_their_files(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    html, svg = tmp_path / "m.html", tmp_path / "c.svg"
    code, _, _ = cli(["map", BASELINE, "--out", str(html), "--samples", "200"], capsys, monkeypatch)
    assert code == 0
    assert "leaflet" in html.read_text(encoding="utf-8").lower()
    code, _, _ = cli(
        ["chart", BASELINE, "--out", str(svg), "--samples", "200"], capsys, monkeypatch
    )
    assert code == 0
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    code, _, err = cli(["map", BASELINE, "--out", str(tmp_path / "m.png")], capsys, monkeypatch)
    assert code == 2
    assert ".html" in err


def test_version(capsys: Any, monkeypatch: Any) -> None:
    from importlib.metadata import version

    code, out, _ = cli(["--version"], capsys, monkeypatch)
    assert code == 0
    assert out.strip() == f"midcorridor {version('midcorridor')}"


def test_a_bug_says_so_and_exits_1(capsys: Any, monkeypatch: Any) -> None:
    import midcorridor.network.routing

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("something [bold]internal[/bold] broke")

    monkeypatch.setattr(midcorridor.network.routing, "candidate_routes", broken)
    code, _, err = cli(["routes", "Almaty", "Baku"], capsys, monkeypatch)
    assert code == 1
    assert "internal error" in err
    assert "RuntimeError: something [bold]internal[/bold] broke" in err
    assert "This is a bug in midcorridor" in err
    assert "--debug" in err
    # With --debug the traceback is the point: the exception propagates.
    monkeypatch.setattr(sys, "argv", ["midcorridor", "--debug", "routes", "Almaty", "Baku"])
    with pytest.raises(RuntimeError, match="broke"):
        main()


def test_validate_reports_every_file_even_after_a_crash(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    import midcorridor.runs.runner

    real = midcorridor.runs.runner.check_scenario
    calls: list[str] = []

    def flaky(scenario: Any, network: Any) -> None:
        calls.append(scenario.name)
        if len(calls) == 1:
            raise RuntimeError("boom")
        real(scenario, network)

    monkeypatch.setattr(midcorridor.runs.runner, "check_scenario", flaky)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nroutes: []\n")
    code, out, err = cli(["validate", BASELINE, DIGITAL, str(bad)], capsys, monkeypatch)
    assert calls == ["baseline", "digital_customs"]  # bad.yaml fails when it is read
    assert code == 1
    assert "internal error" in err
    assert "boom" in err
    assert "ok" in out
    assert "bad.yaml" in err


def test_calibrate_exits_3_when_a_required_target_is_missed(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    x3 = str(ROOT / "scenarios" / "volume_x3.yaml")
    code, out, err = cli(
        ["calibrate", "--scenario", x3, "--samples", "200", "--json"], capsys, monkeypatch
    )
    assert code == 3
    result = json.loads(out)
    assert any(r["required"] and not r["met"] for r in result["times"])
    # The cost checks do not depend on the volume: the required ones are met.
    assert all(c["met"] for c in result["costs"] if c["required"])
    assert "required target(s) missed" in err


def test_json_output_is_strict(capsys: Any, monkeypatch: Any) -> None:
    """NaN and Infinity are not JSON: the output never holds them."""

    def refuse(text: str) -> float:
        raise AssertionError(f"non-JSON constant {text}")

    code, out, _ = cli(["run", BASELINE, "--json", "--samples", "200"], capsys, monkeypatch)
    assert code == 0
    json.loads(out, parse_constant=refuse)
    code, out, _ = cli(
        ["sensitivity", BASELINE, "--json", "--samples", "200", "--top", "40"],
        capsys,
        monkeypatch,
    )
    assert code == 0
    json.loads(out, parse_constant=refuse)


def test_explain_blames_the_command_line_not_the_baseline(capsys: Any, monkeypatch: Any) -> None:
    code, _, err = cli(["explain", "Almaty", "Almaty"], capsys, monkeypatch)
    assert code == 2
    assert "same place" in err
    assert "baseline.yaml" not in err
    code, _, err = cli(["explain", "Almaty", "Atlantis"], capsys, monkeypatch)
    assert code == 2
    assert "Unknown place 'Atlantis'" in err
    assert "baseline.yaml" not in err


@pytest.mark.parametrize(
    ("command", "chart"),
    [("sweep", "days against volume"), ("rank", "tornado chart"), ("sensitivity", "spread")],
)
def test_each_chart_option_says_what_it_draws(
    command: str, chart: str, capsys: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    _, out, _ = cli([command, "--help"], capsys, monkeypatch)
    line = next(line for line in out.splitlines() if "--chart" in line)
    assert chart in line
    assert "time-distance" not in line


@pytest.mark.parametrize("label", ["Almaty-Constanta [via Aktau]", "x [/]", "y [/bold]"])
def test_labels_with_brackets_print_as_written(
    label: str, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        f"name: '[bold]{label}'\nroutes:\n"
        f"  - {{origin: Almaty, destination: Baku, corridor: middle, label: '{label}'}}\n"
    )
    code, out, _ = cli(["run", str(scenario), "--samples", "100"], capsys, monkeypatch)
    assert code == 0
    assert label in out
    assert f"[bold]{label}" in out


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        ("dir", ["run", BASELINE, "--map", "{p}"], "folder"),
        ("file", ["run", BASELINE, "--chart", "{p}/under/c.png"], "which is a file"),
        ("none", ["map", BASELINE, "--out", "{p}/m.png"], ".html"),
        ("file", ["report", BASELINE, "--out", "{p}"], "is a file"),
        ("full", ["report", BASELINE, "--out", "{p}"], "report.md"),
    ],
)
def test_output_paths_are_refused_before_any_run(
    make: str, args: list[str], message: str, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    import midcorridor.runs.runner

    target = tmp_path / ("target.html" if make == "dir" else "target")
    if make == "dir":
        target.mkdir()
    elif make == "file":
        target.write_text("mine")
    elif make == "full":  # a folder of someone else's files is not replaced by a report
        target.mkdir()
        (target / "thesis.docx").write_text("mine")

    def no_run(*a: Any, **k: Any) -> None:
        raise AssertionError("a scenario ran before the output path was checked")

    monkeypatch.setattr(midcorridor.runs.runner, "run_scenario", no_run)
    filled = [a.replace("{p}", str(target)) for a in args]
    code, _, err = cli(filled, capsys, monkeypatch)
    assert code == 2
    assert message in err
    if make == "full":
        assert (target / "thesis.docx").read_text() == "mine"


def test_unwritable_output_folder_is_refused(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    import os

    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **k: False if str(p) == str(tmp_path) else real(p, mode)
    )
    code, _, err = cli(["run", BASELINE, "--map", str(tmp_path / "m.html")], capsys, monkeypatch)
    assert code == 2
    assert "not writable" in err or "writable" in err


def test_evidence_json_has_the_documented_shape(capsys: Any, monkeypatch: Any) -> None:
    code, out, _ = cli(["evidence", BASELINE, "--json", "--samples", "300"], capsys, monkeypatch)
    assert code == 0
    data = json.loads(out)
    assert data["scenario"] == "baseline"
    route = data["routes"][0]
    assert {"label", "shipment", "days_mean", "days_by_basis", "assumptions"} <= set(route)
    assert set(route["days_by_basis"]) == {"published", "derived", "calibrated", "assumption"}
    assert sum(route["days_by_basis"].values()) == pytest.approx(route["days_mean"])
    first = route["assumptions"][0]
    assert {"source", "days_mean", "variance_share"} <= set(first)
    code, out, _ = cli(
        ["evidence", BASELINE, "--samples", "300", "--top", "2"], capsys, monkeypatch
    )
    assert code == 0
    assert "what the mean days rest on" in out


@pytest.mark.slow
def test_choice_prints_shares_and_json_in_the_documented_shape(
    capsys: Any, monkeypatch: Any
) -> None:
    code, out, _ = cli(["choice", BASELINE, "--samples", "300"], capsys, monkeypatch)
    assert code == 0
    assert "Corridor choice, scenario baseline" in out
    assert "converged" in out
    code, out, _ = cli(["choice", BASELINE, "--samples", "300", "--json"], capsys, monkeypatch)
    assert code == 0
    data = json.loads(out)
    assert data["scenario"] == "baseline"
    assert data["equilibrium"]["iterations"] == 1
    for pair in data["pairs"]:
        assert sum(pair["shares"].values()) == pytest.approx(1.0, abs=1e-5)
        assert set(pair["teu_per_year"]) == {"middle", "northern", "sea"}


def test_compare_refuses_a_single_file(capsys: Any, monkeypatch: Any) -> None:
    code, out, err = cli(["compare", BASELINE, "--samples", "300"], capsys, monkeypatch)
    assert code == 2
    assert "compare needs two scenario files or more" in err
    assert out == ""


@pytest.mark.slow
def test_compare_with_choice_shows_the_cargo_moved_and_the_caspian_load(
    capsys: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    cost_chart = tmp_path / "cost.png"
    code, out, err = cli(
        [
            "compare",
            BASELINE,
            DIGITAL,
            "--samples",
            "300",
            "--choice",
            "--cost-chart",
            str(cost_chart),
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0
    assert "Corridor choice: TEU a year (share), change against baseline" in out
    assert "utilisation AKTAU_PORT-ALAT_PORT" in out
    assert cost_chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "cost chart written" in err


def test_a_choice_with_a_mistyped_baseline_says_which_file(
    capsys: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    code, _, err = cli(
        ["choice", BASELINE, "--baseline", str(tmp_path / "nope.yaml")], capsys, monkeypatch
    )
    assert code == 2
    assert "nope.yaml" in err


def test_network_sea_routes_compares_the_stored_lines(capsys: Any, monkeypatch: Any) -> None:
    code, out, _ = cli(["network", "sea-routes"], capsys, monkeypatch)
    assert code == 0
    assert "SHANGHAI-ROTTERDAM-CAPE" in out
    assert "differs" not in out


SMALL_GRID = f"""
name: cli_small
base: {BASELINE}
routes:
  - {{origin: Almaty, destination: Constanta, corridor: middle, label: "A-C middle"}}
samples: 200
axes:
  - name: paperwork
    change: {{stage: documents, corridor: middle, scale: 1.0, note: n, source: s}}
    field: scale
    values: [1.0, 0.47]
"""


def test_grid_then_frontier_from_the_command_line(
    capsys: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    grid = tmp_path / "g.yaml"
    grid.write_text(SMALL_GRID, encoding="utf-8")
    out = tmp_path / "r.parquet"
    code, stdout, _ = cli(["grid", str(grid), "--out", str(out), "--json"], capsys, monkeypatch)
    assert code == 0
    assert json.loads(stdout) == {
        "grid": "cli_small",
        "results": str(out),
        "scenarios": 2,
        "ran": 2,
        "skipped": 0,
        "interrupted": False,
        "stopped_by": None,
        "not_run": [],
    }
    code, stdout, _ = cli(["frontier", str(out), "--json"], capsys, monkeypatch)
    assert code == 0
    answer = json.loads(stdout)
    assert answer["route"] == "A-C middle"
    assert answer["best"]["measures"] == ["paperwork"]
    chart = tmp_path / "frontier.png"
    code, stdout, err = cli(["frontier", str(out), "--chart", str(chart)], capsys, monkeypatch)
    assert "chart written" in err
    assert "which measures reach the target" in stdout
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_grid_refuses_bad_options_before_running(
    capsys: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    grid = tmp_path / "g.yaml"
    grid.write_text(SMALL_GRID, encoding="utf-8")
    code, _, err = cli(
        ["grid", str(grid), "--workers", "2", "--scheduler", "tcp://x:1"], capsys, monkeypatch
    )
    assert code == 2
    assert "not both" in err
    code, _, err = cli(["grid", str(grid), "--out", str(tmp_path / "r.csv")], capsys, monkeypatch)
    assert code == 2
    assert ".parquet" in err
    code, _, err = cli(["frontier", str(tmp_path / "none.parquet")], capsys, monkeypatch)
    assert code == 2
    assert "results file not found" in err


def test_an_interrupted_grid_exits_130_and_says_how_to_go_on(
    capsys: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    from midcorridor.runs import grid as grid_module

    def interrupt(task: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(grid_module, "evaluate", interrupt)
    grid = tmp_path / "g.yaml"
    grid.write_text(SMALL_GRID, encoding="utf-8")
    code, _, err = cli(
        ["grid", str(grid), "--out", str(tmp_path / "r.parquet")], capsys, monkeypatch
    )
    assert code == 130
    assert "--resume" in err
    assert (tmp_path / "r.parquet").is_file()


@pytest.mark.parametrize("table_format", ["csv", "markdown", "json"])
def test_format_prints_the_same_tables_for_a_spreadsheet_a_brief_or_a_program(
    capsys: Any, monkeypatch: Any, table_format: str
) -> None:
    import csv
    import io

    args = ["--format", table_format, "run", BASELINE, "--samples", "300"]
    code, out, err = cli(args, capsys, monkeypatch)
    assert code == 0, err
    labels = ["Almaty-Constanta, Middle Corridor", "Tashkent-Constanta, Middle Corridor"]
    if table_format == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert rows[0][:3] == ["route", "corridor", "shipment"]
        assert len(rows) == 12  # a header and the baseline's 11 routes
        assert [rows[1][0], rows[-1][0]] == labels
        assert float(rows[1][5]) > 0  # P50 days, a number
    elif table_format == "markdown":
        lines = out.splitlines()
        assert lines[0].startswith("**Scenario baseline")
        assert lines[2].startswith("| route | corridor | shipment |")
        assert sum(line.startswith("| ") for line in lines) == 13  # header, rule, 11 routes
    else:
        (table,) = json.loads(out)
        assert [table["rows"][0]["route"], table["rows"][-1]["route"]] == labels
        assert float(table["rows"][0]["P50 days"]) > 0


@pytest.mark.slow
def test_compare_writes_the_report_of_its_own_runs(
    capsys: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    digital = str(ROOT / "scenarios" / "digital_customs.yaml")
    args = ["compare", BASELINE, digital, "--samples", "300"]
    code, out, err = cli([*args, "--report", str(busy)], capsys, monkeypatch)
    assert code == 2
    assert out == ""  # refused before any run
    assert (busy / "notes.txt").read_text(encoding="utf-8") == "mine"
    folder = tmp_path / "brief"
    code, out, err = cli([*args, "--headline", "--report", str(folder)], capsys, monkeypatch)
    assert code == 0, err
    text = (folder / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Transit times: baseline vs digital_customs")
    assert "## The answer: days by class and departure month" in text
    assert "## What digitized customs removes" in text
    assert "Scenario comparison" in out
    # The answer leads the output, and the report shows the very figures printed.
    assert out.index("Days Almaty-Constanta by departure month") < out.index("Scenario comparison")
    printed_jan = next(line for line in out.splitlines() if line.startswith("Jan "))
    answer = text[text.index("## The answer") :]
    jan_p50s = printed_jan.split()[1::2]  # "Jan  23.6 (23-30)  14.5 (14-15) ..."
    assert len(jan_p50s) == 4
    assert all(p50 in answer for p50 in jan_p50s)
    code, out, err = cli([*args, "--headline", "--json"], capsys, monkeypatch)
    assert code == 0, err
    cells = json.loads(out)["headline"]["cells"]
    assert {c["month"] for c in cells} == set(range(1, 13))


def test_a_command_keeps_to_one_blas_thread_unless_told_otherwise(
    capsys: Any, monkeypatch: Any
) -> None:
    from midcorridor.cli import BLAS_THREAD_VARIABLES

    for variable in BLAS_THREAD_VARIABLES:  # set, then unset: put back as it was after
        monkeypatch.setenv(variable, "")
        monkeypatch.delenv(variable)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")  # the user's own choice stands
    code, _, _ = cli(["--version"], capsys, monkeypatch)
    assert code == 0
    assert os.environ["OPENBLAS_NUM_THREADS"] == os.environ["MKL_NUM_THREADS"] == "1"
    assert os.environ["OMP_NUM_THREADS"] == "4"
