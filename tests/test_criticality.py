"""Criticality: each node and link of a scenario's routes taken out in turn, and ranked."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

import midcorridor as mc
from cli_runner import invoke
from midcorridor.analysis.criticality import CRITICALITY_COLUMNS
from midcorridor.inputs.changes import Closures
from midcorridor.runs.criticality import find_elements

if TYPE_CHECKING:
    from conftest import BrowserPage

#: The only rail link from Baku's port (Alat) to the Georgian border: the Middle Corridor
#: has no way round it.
SINGLE_TRACK = "BEYUK_KESIK-ALAT_PORT"
#: A Caspian ferry, and the other two crossings to Alat.
FERRY = "AKTAU_PORT-ALAT_PORT"
OTHER_FERRIES = ("KURYK_PORT-ALAT_PORT", "TURKMENBASHI_PORT-ALAT_PORT")
SAMPLES = 300


def _two_trips(baseline: mc.Scenario) -> mc.Scenario:
    """Almaty-Constanta on the Middle Corridor and by the fastest open corridor."""
    return baseline.derive(
        routes=(
            mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="middle", label="mid"),
            mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="any", label="any"),
        )
    )


def test_the_elements_cover_the_three_corridors_but_not_the_trips_ends(
    baseline: mc.Scenario, network: mc.Network
) -> None:
    elements = find_elements(baseline, network)
    corridors = {c for e in elements for c in e.corridors}
    assert {"middle", "northern", "sea"} <= corridors
    assert {e.kind for e in elements} == {"node", "link"}
    ids = {e.id for e in elements}
    assert FERRY in ids
    assert SINGLE_TRACK in ids
    ends = {network.find_node(p) for r in baseline.routes for p in (r.origin, r.destination)}
    assert not ends & ids
    assert len(ids) == len(elements)


def test_a_link_with_no_way_round_flags_no_alternative_and_ranks_first(
    baseline: mc.Scenario, network: mc.Network
) -> None:
    result = mc.rank_criticality(
        _two_trips(baseline), network, samples=SAMPLES, only=[FERRY, SINGLE_TRACK]
    )
    first, second = result.elements
    assert first.element.id == SINGLE_TRACK
    assert first.no_alternative
    assert first.trips_cut == ("mid",)
    # Another Caspian crossing takes the Middle Corridor trip round the closed ferry.
    assert not second.no_alternative
    frame = result.frame()
    assert list(frame.columns) == list(CRITICALITY_COLUMNS)
    assert frame["no_alternative"].tolist() == [True, False]


def test_a_closed_caspian_ferry_sends_the_any_trip_to_another_corridor(
    baseline: mc.Scenario, network: mc.Network
) -> None:
    # Russia closed and only one Caspian ferry left: the fastest open trip crosses there.
    scenario = _two_trips(baseline)
    scenario = scenario.derive(
        closures=Closures(countries=("RU",), links=OTHER_FERRIES, note="test", source="test")
    )
    result = mc.rank_criticality(scenario, network, samples=SAMPLES, only=[FERRY])
    (ferry,) = result.elements
    assert ferry.switched_corridor == ("any",)
    assert ferry.trips_cut == ("mid",)
    assert ferry.extra_days_max > 1.0
    assert ferry.teu_days_per_year > 0
    assert result.teu_source == "scenario volume"


def test_an_element_off_the_routes_is_refused(baseline: mc.Scenario, network: mc.Network) -> None:
    with pytest.raises(mc.ScenarioError, match="not a node or link of the routes"):
        mc.rank_criticality(_two_trips(baseline), network, samples=SAMPLES, only=["AKTAU_POR"])


@pytest.mark.slow
def test_the_same_ranking_in_process_and_on_two_dask_workers(
    baseline: mc.Scenario, network: mc.Network
) -> None:
    only = [FERRY, SINGLE_TRACK, "AKTAU_PORT", "BUCHAREST"]
    scenario = _two_trips(baseline)
    here = mc.rank_criticality(scenario, network, samples=SAMPLES, only=only)
    there = mc.rank_criticality(scenario, network, samples=SAMPLES, only=only, workers=2)
    assert len(here.elements) == len(only)
    pd.testing.assert_frame_equal(here.frame(), there.frame())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["criticality", "no/such/scenario.yaml"], "no/such/scenario.yaml"),
        (["criticality", "scenarios/baseline.yaml", "--top", "0"], "--top"),
        (["criticality", "scenarios/baseline.yaml", "--element", "NOWHERE"], "NOWHERE"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = invoke(args, capsys, monkeypatch)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


@pytest.mark.slow
def test_the_command_writes_a_tidy_parquet_json_and_an_offline_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    map_path, parquet = tmp_path / "criticality.html", tmp_path / "criticality.parquet"
    only = [SINGLE_TRACK, FERRY, "BUCHAREST"]
    args = ["criticality", "scenarios/baseline.yaml", "--samples", str(SAMPLES), "--json"]
    args += [*(a for e in only for a in ("--element", e)), "--map", str(map_path)]
    code, out, _ = invoke([*args, "--out", str(parquet)], capsys, monkeypatch)
    assert code == 0
    found = json.loads(out)
    assert next(e["element"] for e in found["elements"]) == SINGLE_TRACK
    assert found["elements"][0]["no_alternative"] is True
    frame = pd.read_parquet(parquet)
    assert sorted(frame["element"]) == sorted(only)
    assert frame.attrs["scenario"] == "baseline"
    assert frame.attrs["samples"] == SAMPLES
    assert list(frame.columns) == list(CRITICALITY_COLUMNS)
    text = map_path.read_text(encoding="utf-8")
    assert not re.search(
        r"<(script|link|img)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", text, re.IGNORECASE
    )
    assert f"mc-crit-el-{SINGLE_TRACK}" in text
    assert "mc-crit mc-crit-link mc-crit-no-route" in text
    assert text.count("mc-crit mc-crit-") == len(only)
    assert "Criticality of baseline" in text


@pytest.mark.browser
def test_the_map_renders_offline_in_a_browser(
    browser_page: BrowserPage, baseline: mc.Scenario, network: mc.Network, tmp_path: Path
) -> None:
    result = mc.rank_criticality(
        _two_trips(baseline), network, samples=SAMPLES, only=[FERRY, SINGLE_TRACK, "AKTAU_PORT"]
    )
    path = tmp_path / "criticality.html"
    mc.criticality_map(result, network).save(path)
    browser_page.open(path)
    page = browser_page.page
    page.wait_for_selector("path.mc-crit")
    assert page.locator("path.mc-crit-link").count() == 2
    assert page.locator("path.mc-crit-node").count() == 1
    assert page.locator("path.mc-crit-no-route").count() == 1
    assert "No open route" in page.inner_text(".midcorridor-legend")
    browser_page.assert_clean()


@pytest.mark.slow
def test_the_re_solved_choice_moves_cargo_off_a_corridor_that_loses_its_ferry(
    baseline: mc.Scenario, network: mc.Network
) -> None:
    scenario = _two_trips(baseline)
    fixed = mc.rank_criticality(scenario, network, samples=SAMPLES, only=[FERRY])
    chosen = mc.rank_criticality(
        scenario, network, samples=SAMPLES, only=[FERRY], choice_baseline=baseline
    )
    assert chosen.teu_source == "choice"
    (ferry,) = chosen.elements
    assert ferry.teu_moved_per_year > 1_000
    # Less cargo left on the Middle Corridor's other crossings: shorter queues there.
    assert ferry.extra_days_max < fixed.elements[0].extra_days_max
