"""A measure's capital cost (grid field cost_usd) and the frontier's cost and payback."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

import midcorridor as mc
from cli_runner import invoke
from midcorridor.analysis.frontier import Frontier, MeasureSet, frontier
from midcorridor.runs.grid import load_grid, run_grid
from midcorridor.views.grid_tables import frontier_tables

ROOT = Path(__file__).resolve().parents[1]

GRID = f"""
name: costed
base: {ROOT / "scenarios" / "baseline.yaml"}
routes:
  - {{origin: Almaty, destination: Constanta, corridor: middle, label: "A-C middle"}}
samples: 100
seed: 3
frontier: {{route: "A-C middle", target_ratio: 0.95}}
axes:
  - name: paperwork
    change: {{stage: [documents, inspection], corridor: middle, scale: 1.0, note: n, source: s}}
    field: scale
    values: [1.0, 0.47]
    cost_usd:
      - usd: 12_500_000
        basis: published
        source: {{url: "https://example.org/a", date: "2025-01-23", quote: "It costs."}}
  - name: feeders
    service: {{link: AKTAU_PORT-ALAT_PORT, vessels: 6, note: n, source: s}}
    field: vessels
    values: [6, 9]
"""


def _write(tmp_path: Path, text: str = GRID) -> Path:
    path = tmp_path / "g.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_cost_is_recorded_with_the_value_it_buys(tmp_path: Path) -> None:
    axes = {a["name"]: a for a in load_grid(_write(tmp_path)).metadata()["axes"]}
    assert axes["paperwork"]["cost_usd"] == [{"at": 0.47, "usd": 12_500_000, "basis": "published"}]
    assert axes["feeders"]["cost_usd"] == []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("usd: 12_500_000", "usd: lots", r"cost_usd\.0\.usd \(axis paperwork\): .*valid number"),
        ("usd: 12_500_000", "usd: -5", r"cost_usd\.0\.usd \(axis paperwork\): .*greater than"),
        ("usd: 12_500_000", "usd: .nan", r"cost_usd\.0\.usd \(axis paperwork\): .*finite"),
        ("usd: 12_500_000", "usd: 1e+13", r"cost_usd\.0\.usd \(axis paperwork\): .*less than"),
        ("basis: published", "basys: published", r"cost_usd\.0\.basys .*did you mean basis"),
        ('quote: "It costs."', 'qoute: "It costs."', r"source\.qoute .*did you mean quote"),
        ("basis: published", "basis: derived", r"a derived cost needs a note"),
        ("basis: published", "basis: guessed", r"cost_usd\.0\.basis \(axis paperwork\)"),
        ("- usd: 12_500_000", "- at: 0.5\n        usd: 12_500_000", r"at 0\.5 is not one"),
        ('date: "2025-01-23"', 'date: "last year"', r"cost_usd\.0\.source\.date"),
    ],
)
def test_a_bad_cost_names_the_file_the_axis_and_the_field(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    assert old in GRID
    path = _write(tmp_path, GRID.replace(old, new))
    with pytest.raises(mc.ScenarioError) as caught:
        load_grid(path)
    text = str(caught.value) + "\n" + "\n".join(caught.value.problems)
    assert str(path) in text
    assert re.search(problem, text), text


def test_a_cost_is_only_for_a_measure_with_values(tmp_path: Path) -> None:
    text = GRID + "  - {name: volume, volume: middle, values: [1481, 2962], cost_usd: [{usd: 1, "
    text += "basis: assumption, note: n}]}\n"
    with pytest.raises(mc.ScenarioError) as caught:
        load_grid(_write(tmp_path, text))
    assert re.search(
        r"axes\.2 \(axis volume\): cost_usd is for measure axes", str(caught.value.problems)
    )


def _costed(target_days: float = 29) -> Frontier:
    """Three measure axes a, b, c (0 today, 1 moved): a costs 10 M USD, b 25 M, c unknown."""
    days = {(0, 0, 0): 40.0, (1, 0, 0): 30.0, (0, 1, 0): 28.0, (0, 0, 1): 35.0}
    days |= {(1, 1, 0): 20.0, (1, 0, 1): 26.0, (0, 1, 1): 24.0, (1, 1, 1): 15.0}
    frame = pd.DataFrame(
        [
            {"scenario": i, "route": "r", "axis.a": a, "axis.b": b, "axis.c": c}
            | {"days_p50": d, "saturated": False}
            for i, ((a, b, c), d) in enumerate(days.items())
        ]
    )

    def axis(name: str, usd: float | None) -> dict[str, object]:
        costs = [] if usd is None else [{"at": 1.0, "usd": usd, "basis": "published"}]
        return {"name": name, "knob": "change", "today": 0, "cost_usd": costs}

    meta = {
        "name": "synthetic",
        "design": "full",
        "routes": ["r"],
        "axes": [axis("a", 10e6), axis("b", 25e6), axis("c", None)],
    }
    return frontier(frame, meta, target_days=target_days)


def _set(found: Frontier, *moved: str) -> MeasureSet:
    return next(s for s in found.sets if s.moved == moved)


def test_a_sets_cost_is_the_sum_of_its_measures_and_unknown_if_one_is() -> None:
    found = _costed()
    assert found.costed
    assert _set(found).cost_usd == 0
    assert _set(found, "a", "b").cost_usd == 35e6
    with_c = _set(found, "a", "c")
    assert with_c.cost_usd is None
    assert with_c.cost_known_usd == 10e6
    assert with_c.cost_unknown == ("c",)
    assert _set(found, "c").cost_known_usd == 0
    assert _set(found, "a", "b").to_dict()["cost_usd"] == 35_000_000
    assert with_c.to_dict()["cost_unknown_measures"] == ["c"]


def test_of_the_least_effort_the_cheapest_in_usd_comes_first_and_unknown_last() -> None:
    # a (10 M USD, 30 d), b (25 M, 28 d) and c (cost unknown, 35 d) each reach 36 days alone.
    order = [s.moved for s in _costed(target_days=36).cheapest]
    assert order == [("a",), ("b",), ("c",)]


def _loss(mean: float, p10: float, p90: float) -> dict[str, float]:
    return {"mean": mean, "p10": p10, "p50": mean, "p90": p90, "p99": p90}


def test_payback_is_the_cost_over_the_avoided_loss_and_never_without_one() -> None:
    found = _costed()
    ab = dataclasses.replace(_set(found, "a", "b"), avoided_loss_usd=_loss(7e6, 5e6, 14e6))
    assert ab.payback_years == {"mean": 5.0, "p10": 2.5, "p90": 7.0}
    some = dataclasses.replace(_set(found, "a"), avoided_loss_usd=_loss(2e6, 0.0, 4e6))
    assert some.payback_years == {"mean": 5.0, "p10": 2.5, "p90": math.inf}
    assert some.to_dict()["payback_years"] == {"mean": 5.0, "p10": 2.5, "p90": None}
    unknown = dataclasses.replace(_set(found, "a", "c"), avoided_loss_usd=_loss(7e6, 5e6, 14e6))
    assert unknown.payback_years is None
    assert _set(found, "a", "b").payback_years is None  # not valued in avoided loss

    sets = tuple(
        {ab.moved: ab, some.moved: some, unknown.moved: unknown}.get(s.moved, s) for s in found.sets
    )
    shown = dataclasses.replace(found, sets=sets, loss_valued=True)
    every = frontier_tables(shown, every_set=True)[-1]
    headers = [c.header for c in every.columns]
    rows = {row[1]: row for row in every.rows}
    cost, payback = headers.index("cost M USD"), headers.index("payback years (P10-P90)")
    assert rows["a 1, b 1"][cost] == "35.0"
    assert rows["a 1, b 1"][payback] == "5.0 (2.5-7.0)"
    assert rows["a 1"][payback] == "5.0 (2.5-never)"
    assert rows["a 1, c 1"][cost] == ">= 10.0"
    assert rows["a 1, c 1"][payback] == "-"
    assert rows["c 1"][cost] == "unknown"


def test_a_grid_without_costs_shows_no_cost_column() -> None:
    found = _costed()
    bare = dataclasses.replace(found, costed=False)
    headers = [c.header for c in frontier_tables(bare)[1].columns]
    assert "cost M USD" not in headers


def test_frontier_command_gives_each_sets_cost(
    tmp_path: Path,
    network: mc.Network,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "g.parquet"
    run_grid(load_grid(_write(tmp_path)), network, out)
    code, stdout, err = invoke(["frontier", str(out), "--json", "--all"], capsys, monkeypatch)
    assert code == 0, err
    costs = {tuple(s["measures"]): s["cost_usd"] for s in json.loads(stdout)["sets"]}
    assert costs == {
        (): 0,
        ("paperwork",): 12_500_000,
        ("feeders",): None,
        ("paperwork", "feeders"): None,
    }
