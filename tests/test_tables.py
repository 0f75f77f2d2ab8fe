"""The table builders, tested directly: each cell is the formatted figure of the result it
comes from, and the two renderings show the same table."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

import midcorridor as mc
from midcorridor.analysis.calibration import Calibration, CalibrationRow
from midcorridor.analysis.cost_checks import CostCheck
from midcorridor.inputs.scenario import RouteSpec
from midcorridor.inputs.targets import CostTarget, TimeTarget
from midcorridor.views import formatting as fmt
from midcorridor.views.analysis_tables import calibration_table, cost_check_table, rank_table
from midcorridor.views.run_tables import compare_table, run_table
from midcorridor.views.table import Table, columns, to_markdown, to_rich

Runs = list[mc.ScenarioRun]


def test_columns_ending_in_a_hash_are_numeric() -> None:
    cols = columns("route", "P50 days#")
    assert [(c.header, c.numeric) for c in cols] == [("route", False), ("P50 days", True)]


def test_markdown_aligns_numbers_right_and_cannot_be_broken_by_a_cell() -> None:
    table = Table("T", columns("name", "days#"), rows=(("a|b <i>\nc", "3.2"),), notes=("n",))
    lines = to_markdown(table).splitlines()
    assert lines[0] == "| name | days |"
    assert lines[1] == "| --- | ---: |"
    assert lines[2] == "| a\\|b &lt;i> c | 3.2 |"
    assert lines[-1] == "_n_  "


def test_the_terminal_shows_the_same_cells_as_plain_text() -> None:
    table = Table("T", columns("name", "days#"), rows=(("[red]x[/red]", "3.2"),))
    buffer = io.StringIO()
    Console(file=buffer, width=80, color_system=None).print(to_rich(table))
    text = buffer.getvalue()
    assert "[red]x[/red]" in text  # markup is shown, never read
    assert "3.2" in text


def test_run_table_has_one_row_per_trip_with_its_formatted_days(runs: Runs) -> None:
    run = runs[0]
    table = run_table(run)
    headers = [c.header for c in table.columns]
    assert len(table.rows) == len(run.trips)
    p50 = headers.index("P50 days")
    for row, trip in zip(table.rows, run.trips, strict=True):
        assert row[0] == trip.label
        assert row[p50] == fmt.days(trip.days()["p50"], lower_bound=trip.saturated)
        assert row[headers.index("km")] == fmt.km(trip.route.distance_km)


def test_a_saturated_trip_reads_as_a_lower_bound_with_its_note(
    saturated_runs: Runs,
) -> None:
    run = saturated_runs[1]
    table = run_table(run)
    saturated = [i for i, trip in enumerate(run.trips) if trip.saturated]
    assert saturated
    p50 = [c.header for c in table.columns].index("P50 days")
    for i in saturated:
        assert table.rows[i][p50].startswith(">")
    assert fmt.SATURATED_NOTE in table.notes


def test_compare_table_shows_each_scenarios_change_from_the_reference(runs: Runs) -> None:
    comparison = mc.compare_runs(runs)
    table = compare_table(comparison)
    text = to_markdown(table)
    for row in comparison.rows:
        entry = row.entries[1]
        assert entry is not None
        assert row.label in text
        assert fmt.delta_days(entry.delta_p50_days) in text


def _time_target(**fields: object) -> TimeTarget:
    route = RouteSpec(origin="Almaty", destination="Constanta", corridor="middle")
    data = {"name": "t", "route": route, "low": 20, "high": 22, "source": "s"}
    return TimeTarget.model_validate({**data, "published": "20-22 days", **fields})


def test_calibration_table_shows_the_band_the_value_and_the_gap() -> None:
    met = CalibrationRow(_time_target(required=True), 21.0, low=18.0, high=28.6)
    missed = CalibrationRow(_time_target(name="m", evidence_gap="no dwell figure"), 30.0, 18, 28.6)
    table = calibration_table(Calibration((met, missed)))
    assert table.rows[0][4:7] == ("18-28.6 d", f"{fmt.days(21.0)} d", "yes")
    assert table.rows[1][6] == f"no ({fmt.delta_days(30.0 - 28.6)} d)"
    assert table.rows[1][-1] == "no dwell figure"  # a missed target names the missing evidence
    assert "1 of 1 required targets met" in table.title


@pytest.mark.parametrize(
    ("required", "model", "verdict"),
    [(True, 3300.0, "met"), (True, 4000.0, "MISSED"), (False, 4000.0, "gap +708")],
)
def test_cost_check_table_says_met_for_required_and_the_gap_for_context(
    required: bool, model: float, verdict: str
) -> None:
    route = RouteSpec(origin="Dostyk", destination="Brest", corridor="northern")
    target = CostTarget(name="c", route=route, low=3239, high=3292, source="s", required=required)
    table = cost_check_table([CostCheck(target, model, reference="ref")])
    assert table.rows[0][1] == ("required" if required else "context")
    assert table.rows[0][4] == verdict


def test_rank_table_rows_follow_the_ranking(runs: Runs, network: mc.Network) -> None:
    ranking = mc.rank_bottlenecks(runs[0].trips[0], network=network).head(5)
    table = rank_table(ranking)
    assert len(table.rows) == len(ranking.frame)
    records = ranking.frame.to_dict("records")
    for i, (row, record) in enumerate(zip(table.rows, records, strict=True), 1):
        assert row[:3] == (str(i), str(record["group"]), fmt.days(record["mean_days"]))
        assert row[5] == fmt.days(record["p50_saved_removed"])
