"""What a trip's days rest on: evidence grades, stale figures, the evidence command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import midcorridor as mc
from midcorridor.analysis.evidence import evidence
from midcorridor.inputs.network_files import BASES, EVIDENCE_BASES
from midcorridor.network.network import ERA_TOLERANCE_YEARS, SOURCES_FILE
from midcorridor.network.read import default_network_dir

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def run(network: mc.Network, baseline: mc.Scenario) -> mc.ScenarioRun:
    return mc.run_scenario(baseline, network, samples=2_000)


def test_days_by_basis_add_up_to_the_mean(run: mc.ScenarioRun, network: mc.Network) -> None:
    result = evidence(run, network)
    assert result.scenario == "baseline"
    assert result.era == 2025
    assert len(result.routes) == len(run.trips)
    for route, trip in zip(result.routes, run.trips, strict=True):
        assert route.label == trip.label
        assert route.shipment == trip.shipment
        assert set(route.days_by_basis) == set(EVIDENCE_BASES)
        assert sum(route.days_by_basis.values()) == pytest.approx(route.days_mean, rel=1e-9)
        assert route.days_mean == pytest.approx(trip.days()["mean"], rel=1e-9)
        # Assumptions ranked by their share of the spread; their days add up to the
        # assumed days.
        shares = [a.variance_share for a in route.assumptions]
        assert shares == sorted(shares, reverse=True)
        assumed = sum(a.days_mean for a in route.assumptions)
        assert assumed == pytest.approx(route.days_by_basis["assumption"], rel=1e-9, abs=1e-12)
        assert all(network.basis(a.source) == "assumption" for a in route.assumptions)


def test_every_figure_of_a_trip_has_a_graded_source(
    run: mc.ScenarioRun, network: mc.Network
) -> None:
    for trip in run.trips:
        for comp in trip.components:
            entry = network.sources[comp.source]
            assert entry.basis in BASES
            if entry.basis != "assumption":
                assert entry.url
                assert entry.quote
                assert entry.date


def test_stale_figures_depend_on_the_era(network: mc.Network) -> None:
    years = {k: e.year for k, e in network.sources.items() if e.basis != "assumption"}
    oldest = min(y for y in years.values() if y is not None)
    assert network.stale_sources(oldest + ERA_TOLERANCE_YEARS) == []
    later = {s.key for s in network.stale_sources(2025)}
    assert later == {
        k for k, y in years.items() if y is not None and y < 2025 - ERA_TOLERANCE_YEARS
    }
    assert {s.key for s in network.stale_sources(2022)} <= later


def test_a_process_of_an_earlier_era_is_left_out(tmp_path: Path) -> None:
    folder = tmp_path / "network"
    shutil.copytree(default_network_dir(), folder)
    path = folder / "nodes.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    node = next(f for f in data["features"] if f["properties"]["id"] == "ALMATY")
    key = node["properties"]["processes"][0]["source"]
    node["properties"]["processes"].append(
        {
            "stage": "disruption",
            "hours": {"low": 100, "mode": 100, "high": 100},
            "until": 2022,
            "source": key,
        }
    )
    path.write_text(json.dumps(data), encoding="utf-8")
    network = mc.load(folder)
    spec = mc.RouteSpec(origin="Almaty", destination="Aktau", label="trip")
    base = mc.load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml")
    for era, expected in ((2022, 1), (2025, 0)):
        scenario = base.model_copy(update={"routes": (spec,), "era": era})
        (trip,) = mc.run_scenario(scenario, network, samples=100).trips
        assert sum(c.stage == "disruption" for c in trip.components) == expected


def _broken_sources(tmp_path: Path, edit: Any) -> list[str]:
    folder = tmp_path / "network"
    shutil.copytree(default_network_dir(), folder)
    path = folder / SOURCES_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    key = next(k for k, v in data.items() if v["basis"] == "published")
    edit(data[key])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(mc.NetworkError) as info:
        mc.load(folder)
    problems = info.value.problems
    # The entry is refused (so the figures citing it name an unknown key), nothing else.
    ours = [p for p in problems if p.startswith(SOURCES_FILE)]
    assert ours, problems
    assert all(p.startswith(f"{SOURCES_FILE}: source {key}") for p in ours), problems
    assert all(f"unknown source key '{key}'" in p for p in problems if p not in ours)
    return problems


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda e: e.pop("url"), "a published figure needs 'url'"),
        (lambda e: e.update(url="https://www.example.com/"), "is a home page"),
        (lambda e: e.pop("quote"), "needs 'quote'"),
        (lambda e: e.pop("date"), "needs 'date'"),
        (lambda e: e.update(date="May 2025"), "is not YYYY, YYYY-MM or YYYY-MM-DD"),
        (lambda e: e.update(note="hours assumed by the authors"), "says it was assumed"),
        (lambda e: e.update(basis="derived"), "needs 'derivation'"),
        (lambda e: e.update(basis="rumour"), "basis"),
    ],
)
def test_a_publication_without_its_evidence_is_refused(
    tmp_path: Path, edit: Any, expected: str
) -> None:
    problems = _broken_sources(tmp_path, edit)
    assert any(expected in p for p in problems), problems


def test_network_check_lists_stale_figures(tmp_path: Path, network: mc.Network) -> None:
    from midcorridor.network.routing import network_summary

    summary = network_summary(network, pairs=(), era=2025)
    data = summary.to_dict()
    assert data["era"] == 2025
    assert sum(data["sources_by_basis"].values()) == len(network.sources)
    assert [s["source"] for s in data["stale_sources"]] == [
        s.key for s in network.stale_sources(2025)
    ]


def test_evidence_counts_the_freight_cost_by_basis_too(network: mc.Network) -> None:
    run = mc.run_scenario(mc.load_scenario(SCENARIOS / "baseline.yaml"), network, samples=300)
    result = evidence(run, network)
    for route, cost in zip(result.routes, run.costs, strict=True):
        assert sum(route.usd_by_basis.values()) == pytest.approx(cost.leg_usd_mean.sum())
        share = route.assumed_usd_share
        assert share is not None
        assert 0 <= share <= 1
    by_label = {r.label: r for r in result.routes}
    # The northern route is priced by tariffs derived from published rates; the Middle
    # Corridor's port handling is assumed.
    assert by_label["Xi'an-Duisburg, via Russia"].assumed_usd_share == 0
    middle = by_label["Xi'an-Duisburg, Middle Corridor"].assumed_usd_share
    assert middle is not None
    assert middle > 0
