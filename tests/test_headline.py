"""The brief's answer first: days by class and departure month, and who takes 50 days."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import midcorridor as mc
from cli_runner import invoke
from midcorridor.analysis.headline import Headline, headline
from midcorridor.views.headline import headline_chart, headline_table

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def result(network: mc.Network, baseline: mc.Scenario) -> Headline:
    return headline(baseline, network, samples=600)


def test_the_single_container_takes_about_50_days_in_every_month(result: Headline) -> None:
    assert len(result.cells) == 48  # 2 corridors x 2 classes x 12 months
    # The backlog at the Kazakh Caspian ports that holds a calibrated share of single
    # containers for weeks (network/shipments.yaml, every month) is what puts the single
    # container at about 50 days, in summer as in winter.
    assert result.fifty_day_months("container") == list(range(1, 13))
    assert result.fifty_day_months("block_train") == []
    assert result.fifty_day_months("container", corridor="northern") == []
    slow = result.slowest("container")
    assert slow.stages_days["ferry_wait"] > 15
    july, january = (result.cell("middle", "container", m) for m in (7, 1))
    assert july.p10_days <= july.p50_days <= july.p90_days
    # the winter's storms add days, the backlog does not depend on the month
    assert abs(january.p50_days - july.p50_days) < 8


def test_the_answer_in_words_names_months_and_where_the_days_go(result: Headline) -> None:
    block, container = result.sentences()
    assert "never 50 days" in block
    assert "whichever month it leaves" in container
    # which containers: those held in the Caspian backlog, with both groups' days
    slow = result.slowest("container")
    assert slow.held_p50_days is not None
    assert slow.not_held_p50_days is not None
    assert slow.held_p50_days - slow.not_held_p50_days > 15  # the hold is 21-34 days
    assert f"{slow.held_share:.0%} of them are held" in container
    assert f"({slow.held_p50_days:.0f} days, P50); the others take" in container
    assert 0 < slow.held_share < 1
    # a block train is never held
    assert result.slowest("block_train").held_p50_days is None
    assert "waits for a vessel or ferry" in container
    slow = result.slowest("container")
    assert f"{slow.p50_days:.0f} days" in container
    assert f"{slow.assumed_share:.0%} on assumptions" in container
    assert 0 < slow.assumed_share < 1


def test_what_a_scenario_changes_in_words(
    result: Headline, network: mc.Network, baseline: mc.Scenario
) -> None:
    same = result.changes_from(result)
    assert len(same) == 2
    assert all("(+0.0)" in line and "(as before)" in line for line in same)
    # Digitized customs removes desk and queue hours: fewer days in the slowest month.
    faster = headline(mc.load_scenario(SCENARIOS / "digital_customs.yaml"), network, samples=600)
    block, container = faster.changes_from(result)
    slow = result.slowest("container")
    after = faster.cell("middle", "container", slow.month)
    assert after.p50_days < slow.p50_days
    assert f"takes {after.p50_days:.1f} days (P50) instead of {slow.p50_days:.1f}" in container
    assert f"({after.p50_days - slow.p50_days:+.1f})" in container
    assert container.startswith("With digital_customs, a container")
    assert block.startswith("With digital_customs, a block train")


def test_headline_table_chart_and_frame(result: Headline, tmp_path: Path) -> None:
    table = headline_table(result)
    assert [r[0] for r in table.rows] == [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
    ]  # fmt: skip
    assert len(table.columns) == 5
    assert table.notes == tuple(result.sentences())
    chart = headline_chart(result, tmp_path / "headline.png")
    assert chart.read_bytes().startswith(b"\x89PNG")
    frame = result.frame()
    assert len(frame) == 48
    assert len(repr(result)) < 200


def test_headline_command_prints_the_answer_and_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = invoke(["headline", "--samples", "300"], capsys, monkeypatch)
    assert code == 0, err
    assert "Days Almaty-Constanta by departure month" in out
    code, out, err = invoke(["headline", "--samples", "300", "--json"], capsys, monkeypatch)
    assert code == 0, err
    data = json.loads(out)
    assert len(data["cells"]) == 48
    assert data["answer"][1].startswith("A container Almaty-Constanta")
    code, _, err = invoke(["headline", "--to", "Constanza"], capsys, monkeypatch)
    assert code == 2
    assert "--to: Unknown place 'Constanza' (did you mean Constanța port" in err
