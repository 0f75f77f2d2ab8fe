"""The customs twin: offices as chains of steps, instruments as data, savings by kind."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

import midcorridor as mc
from cli_runner import invoke
from midcorridor.analysis.customs import customs_report
from midcorridor.analysis.savings import package_savings
from midcorridor.inputs.customs_files import Instrument, InstrumentBook
from midcorridor.model.customs import CustomsState, crossing
from midcorridor.network.network import CUSTOMS_FILE, INSTRUMENTS_FILE
from midcorridor.runs.runner import plan_trips
from midcorridor.vocabulary import HOURS_PER_DAY
from network_copies import Edit, edited_copy

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
MIDDLE = mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="middle")
XIAN = mc.RouteSpec(origin="Xi'an", destination="Constanta", corridor="middle")


def with_instrument(network: mc.Network, key: str, **fields: Any) -> mc.Network:
    """The network with one more instrument of these fields."""
    assert network.instruments is not None
    extra = Instrument.model_validate(
        {"name": key, "status": "proposed", "date": "2026", "source": "wco_trs_chain", **fields}
    )
    book = InstrumentBook(instruments={**network.instruments.instruments, key: extra})
    return dataclasses.replace(network, instruments=book, _index={}, route_memo={})


def planned(scenario: mc.Scenario, network: mc.Network, spec: mc.RouteSpec, **updates: Any) -> Any:
    (trip,) = plan_trips(scenario.derive(routes=(spec,), **updates), network)
    return trip


def at(trip: Any, node: str, **match: str) -> list[tuple[mc.Component, mc.Adjustment]]:
    """The components at ``node`` with the given attributes, and their adjustments."""
    return [
        (c, a)
        for c, a in zip(trip.components, trip.adjustments, strict=True)
        if c.node == node and c.link is None and all(getattr(c, k) == v for k, v in match.items())
    ]


# --- the chain -------------------------------------------------------------------------


def test_every_office_on_the_headline_routes_has_its_chain(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    assert network.customs is not None
    for spec in (MIDDLE, XIAN, MIDDLE.model_copy(update={"corridor": "northern"})):
        trip = planned(baseline, network, spec)
        modes = {
            node: {
                network.links_by_id[link].props.mode
                for link in trip.route.links[max(0, i - 1) : i + 1]
            }
            for i, node in enumerate(trip.route.nodes)
        }
        offices = [
            n
            for n in trip.route.nodes
            if n in network.customs.offices
            and set(network.customs.offices[n].modes or modes[n]) & modes[n]
        ]
        assert len(offices) >= 2
        for node in offices:
            steps = {c.step for c, _ in at(trip, node) if c.step is not None}
            assert {"arrival_wait", "registration"} <= steps, node


def test_the_chain_keeps_the_mean_of_the_office_clearance_figure(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    """Wait, registration and the yellow channel's check add up to the clearance mean."""
    book = network.customs
    assert book is not None
    trip = planned(baseline, network, XIAN)
    checked = 0
    for i, node in enumerate(trip.route.nodes):
        office = book.offices.get(node)
        if office is None:
            continue
        chain = [c for c, _ in at(trip, node) if c.step not in (None, "lodgement")]
        chain = [c for c in chain if c.step != "physical_inspection"]
        assert sum(c.mean_hours for c in chain) == pytest.approx(office.clearance.mean)
        _, entered = crossing(network, trip.route, i)
        for check in (c for c in chain if c.step == "documentary_check"):
            assert check.probability == book.channels_of(entered).yellow
        checked += 1
    assert checked >= 4


def test_a_desk_figure_larger_than_the_clearance_is_refused(tmp_path: Path) -> None:
    def slow_desk(d: dict[str, Any]) -> None:
        d["offices"]["DOSTYK"]["steps"] = {
            "registration": {
                "hours": {"low": 8, "mode": 10, "high": 12},
                "source": "asm_registration",
            }
        }

    problems = problems_of(edited_copy(tmp_path, CUSTOMS_FILE, slow_desk))
    assert any("offices.DOSTYK.clearance" in p and "desk steps" in p for p in problems), problems


# --- the mechanisms --------------------------------------------------------------------


def test_a_common_transit_regime_removes_the_new_declaration(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    box = MIDDLE.model_copy(update={"shipment": "container"})
    before = planned(baseline, network, box)
    after = planned(baseline, network, box, instruments=("kz_az_common_transit",))
    lodged = [c.node for c in before.components if c.step == "lodgement"]
    assert lodged == ["ALAT_PORT", "BEYUK_KESIK"]
    assert not [c for c in after.components if c.step == "lodgement"]
    # Everything else is the same trip.
    rest = [(c.node, c.step, c.stage) for c in before.components if c.step != "lodgement"]
    assert rest == [(c.node, c.step, c.stage) for c in after.components]
    # Georgia joined the Convention in 2025: in 2022 it shared no regime with Türkiye.
    book = network.customs
    assert book is not None
    assert CustomsState.of(book, 2022).common_regime("GE", "TR") is None
    assert CustomsState.of(book, 2025).common_regime("GE", "TR") == "common_transit"


def test_pre_arrival_lodgement_removes_the_wait_for_lodgement_not_the_gauge_change(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    net = with_instrument(
        network,
        "pre_arrival_dostyk",
        countries=["KZ"],
        nodes=["DOSTYK"],
        documents=["transit_declaration"],
        effects=[{"steps": ["arrival_wait", "lodgement"], "scale": 0, "source": "wco_trs_chain"}],
    )
    scenario = baseline.derive(routes=(XIAN,), samples=2000)
    base = mc.run_scenario(scenario, net).trips[0]
    pre = mc.run_scenario(scenario.derive(instruments=("pre_arrival_dostyk",)), net).trips[0]

    def mean_at_dostyk(trip: mc.TripResult, stage: str, step: str | None = None) -> float:
        return float(
            sum(
                m
                for c, m in zip(trip.components, trip.mean_hours, strict=True)
                if c.node == "DOSTYK" and c.stage == stage and c.step == step
            )
        )

    assert mean_at_dostyk(base, "documents", "arrival_wait") > 0.5
    assert mean_at_dostyk(pre, "documents", "arrival_wait") == 0
    gauge_change = mean_at_dostyk(base, "transshipment")
    assert gauge_change > 1
    assert mean_at_dostyk(pre, "transshipment") == pytest.approx(gauge_change)
    assert mean_at_dostyk(pre, "documents", "registration") == pytest.approx(
        mean_at_dostyk(base, "documents", "registration")
    )


def test_a_channel_share_change_moves_inspection_hours_as_computed_by_hand(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    channels = {"green": 0.4, "yellow": 0.1, "red": 0.5, "source": "wco_trs_chain"}
    net = with_instrument(
        network, "half_red_kz", countries=["KZ"], documents=["certificates"], channels=channels
    )
    scenario = baseline.derive(routes=(XIAN,), samples=40_000, seed=7)
    base = mc.run_scenario(scenario, net).trips[0]
    red = mc.run_scenario(scenario.derive(instruments=("half_red_kz",)), net).trips[0]
    # By hand: PERT mean of the inspection (2, 6, 24 h) = (2 + 4 x 6 + 24) / 6 = 8.33 h,
    # drawn for the red share of declarations: 0.9% in Kazakhstan today, 50% after.
    pert_mean = (2 + 4 * 6 + 24) / 6
    expected_change = (0.5 - 0.009) * pert_mean

    def inspection(trip: mc.TripResult) -> tuple[float, float]:
        pairs = [
            (c.mean_hours, float(m))
            for c, m in zip(trip.components, trip.mean_hours, strict=True)
            if c.node == "DOSTYK" and c.step == "physical_inspection"
        ]
        (pair,) = pairs
        return pair

    (expected_base, sampled_base), (expected_red, sampled_red) = inspection(base), inspection(red)
    assert expected_red - expected_base == pytest.approx(expected_change)
    assert sampled_red - sampled_base == pytest.approx(expected_change, abs=0.25)
    # The yellow channel's check moved with its share too (20.3% -> 10%).
    change = (red.total_days.mean() - base.total_days.mean()) * HOURS_PER_DAY
    assert change > 0


# --- savings and the regulators' units ---------------------------------------------------


def test_package_savings_split_into_desk_queue_connections(network: mc.Network) -> None:
    package = mc.load_scenario(SCENARIOS / "digital_customs.yaml")
    package = package.derive(
        routes=(
            MIDDLE.model_copy(update={"label": "block"}),
            MIDDLE.model_copy(update={"shipment": "container", "label": "box"}),
        ),
        samples=3000,
    )
    savings = package_savings(package, network)
    block, box = savings.by_trip["block"], savings.by_trip["box"]
    for kinds in (block, box):
        assert sum(kinds[k] for k in ("desk", "queue", "connections", "other")) == pytest.approx(
            kinds["total"]
        )
        assert kinds["queue"] < -0.5
    # Only the container lodges new declarations, so only it saves at the desk by a day.
    assert box["desk"] < -1 < block["desk"]
    keys = [i.key for i in savings.instruments]
    assert keys == list(package.instruments)
    common = next(i for i in savings.instruments if i.key == "kz_az_common_transit")
    assert common.by_trip["block"]["total"] == pytest.approx(0, abs=1e-9)
    assert common.by_trip["box"]["total"] < -0.5
    share = savings.evidence_share("box", effect_only=True)
    assert share is not None
    assert 0 < share < 1
    # The regime's effect is published; the re-declaration hours it removes are assumed.
    assert (common.effect_basis, common.hours_basis) == ("published", "assumption")
    assert common.hours_sources == ("asm_transit_redeclaration",)


def test_customs_report_reads_offices_in_trs_and_cpmm_terms(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    run = mc.run_scenario(baseline.derive(routes=(XIAN,), samples=2000), network)
    report = customs_report(run, network)
    dostyk = next(c for c in report.crossings if c.node == "DOSTYK")
    assert (dostyk.left, dostyk.entered, dostyk.direction) == ("CN", "KZ", "westbound")
    # To clear the crossing holds the customs chain and the gauge change.
    assert dostyk.clear_mean_hours > dostyk.customs_mean_hours + 1
    assert any(p.id == "cpmm_kz_rail_inbound_2022" for p in dostyk.published)
    kz = next(s for s in report.sections if s.country == "KZ")
    assert 0 < kz.swd_km_per_hour < kz.swod_km_per_hour


def test_customs_command_prints_chains_and_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = str(SCENARIOS / "common_transit_kz_az.yaml")
    args = ["customs", scenario, "--samples", "500"]
    code, out, err = invoke([*args, "--json"], capsys, monkeypatch)
    assert code == 0, err
    data = json.loads(out)
    assert {c["node"] for c in data["crossings"]} >= {"DOSTYK", "ALAT_PORT", "BEYUK_KESIK"}
    assert any(c["published"]["id"].startswith("cpmm_kz") for c in data["published"])
    box = data["savings"]["by_trip"]["Almaty-Constanta, Middle Corridor, container"]
    assert box["desk"] < 0
    code, out, err = invoke(args, capsys, monkeypatch)
    assert code == 0, err
    assert "Customs chain by office" in out
    assert "What common_transit_kz_az saves" in out


# --- bad input ---------------------------------------------------------------------------


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(mc.NetworkError) as info:
        mc.load(folder)
    return info.value.problems


def _instrument(d: dict[str, Any]) -> dict[str, Any]:
    return d["instruments"]["kz_e_transit"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: _instrument(d).update(countries=["KZZ"]), "countries.0"),
        (lambda d: _instrument(d).update(countries=["FR"]), "no node of the network is in 'FR'"),
        (lambda d: _instrument(d).update(nodes=["DOSTIK"]), "did you mean DOSTYK"),
        (lambda d: _instrument(d).update(documents=["waybill"]), "documents.0"),
        (lambda d: _instrument(d)["effects"][0].update(steps=["lodgment"]), "effects.0.steps.0"),
        (lambda d: _instrument(d)["effects"][0].update(set=None, scale=1.5), "effects.0.scale"),
        (lambda d: _instrument(d).update(joins="common_transt"), "did you mean common_transit"),
        (lambda d: _instrument(d)["effects"][0].update(source="tez_2023"), "unknown source key"),
        (
            lambda d: _instrument(d).update(documents=["certificates"]),
            "registration reads transit_declaration, none of the instrument's documents",
        ),
    ],
)
def test_a_bad_instrument_is_refused_naming_file_entry_and_field(
    tmp_path: Path, edit: Edit, expected: str
) -> None:
    problems = problems_of(edited_copy(tmp_path, INSTRUMENTS_FILE, edit))
    hits = [p for p in problems if expected in p]
    assert hits, problems
    assert all(p.startswith(INSTRUMENTS_FILE) for p in hits)
    assert "kz_e_transit" in hits[0]


def test_a_scenario_naming_an_unknown_instrument_is_refused(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    with pytest.raises(mc.ScenarioError) as info:
        mc.run_scenario(baseline.derive(instruments=("kz_etransit",)), network, samples=100)
    assert "instruments.0" in str(info.value)
    assert "did you mean kz_e_transit" in str(info.value)
