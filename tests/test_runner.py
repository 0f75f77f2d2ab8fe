"""The runner: route choice, change selectors and actions, closures and service changes."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import midcorridor as mc
from midcorridor.inputs.changes import Change
from midcorridor.inputs.network_files import Service
from midcorridor.inputs.scenario import default_scenario
from midcorridor.model.components import components, expected_hours
from midcorridor.model.delays import Adjustment, Component, Dist
from midcorridor.model.queue_engine import simulate_ferry
from midcorridor.model.queue_inputs import MAX_SAILINGS, MAX_TRAINS
from midcorridor.model.sampling import sample_hours
from midcorridor.model.selection import selection_of
from midcorridor.network.routing import Route, iter_routes
from midcorridor.runs.resolve import (
    DelayChange,
    adjustment_of,
    adjustments_for,
    delay_change,
    resolve,
)
from midcorridor.runs.runner import (
    ROUTE_CHOICES,
    PlannedTrip,
    check_scenario,
    plan_trips,
    sweep_volume,
)
from midcorridor.vocabulary import CorridorChoice

#: Today's Middle Corridor volume, TEU a week (as in scenarios/baseline.yaml).
MIDDLE_VOLUME = 1087
CASPIAN_LINKS = {"AKTAU_PORT-ALAT_PORT", "KURYK_PORT-ALAT_PORT", "TURKMENBASHI_PORT-ALAT_PORT"}


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def scenario_of(tmp_path: Path, text: str, name: str = "s.yaml") -> mc.Scenario:
    return mc.load_scenario(write(tmp_path, text, name))


def one_route(origin: str, destination: str, corridor: str, extra: str = "") -> str:
    """A scenario text timing one trip at today's Middle Corridor volume."""
    return (
        "name: t\n"
        f"volume: {{middle: {MIDDLE_VOLUME}}}\n"
        "routes:\n"
        f'  - {{origin: "{origin}", destination: "{destination}", corridor: {corridor}}}\n' + extra
    )


def plan_one(tmp_path: Path, network: mc.Network, text: str) -> PlannedTrip:
    trips = plan_trips(scenario_of(tmp_path, text), network)
    assert len(trips) == 1
    return trips[0]


def candidates(
    network: mc.Network,
    scenario: mc.Scenario,
    origin: str,
    destination: str,
    corridor: CorridorChoice,
) -> list[tuple[Route, float]]:
    """The routes the runner chooses among, with their expected hours after changes."""
    a, b = network.find_node(origin), network.find_node(destination)
    out = []
    for route in itertools.islice(iter_routes(network, a, b, corridor=corridor), ROUTE_CHOICES):
        comps = components(network, route, volume_teu_per_week=scenario.volume.get(route.corridor))
        adjustments = adjustments_for(comps, route.corridor, resolve(scenario, network).changes)
        out.append((route, expected_hours(comps, adjustments)))
    return out


def hours_of(trip: PlannedTrip) -> float:
    return expected_hours(trip.components, trip.adjustments)


# --- route choice --------------------------------------------------------------------


def test_a_longer_but_faster_route_wins(tmp_path: Path, network: mc.Network) -> None:
    text = one_route("Almaty", "Constanta", "middle")
    trip = plan_one(tmp_path, network, text)
    choices = candidates(network, scenario_of(tmp_path, text), "Almaty", "Constanta", "middle")
    assert len(choices) > 1
    shortest = min(choices, key=lambda c: c[0].distance_km)[0]
    assert trip.route.distance_km > shortest.distance_km
    assert trip.route.nodes != shortest.nodes
    # Aktau over the shorter crossing from Turkmenbashi.
    assert "AKTAU_PORT" in trip.route.nodes
    assert "TURKMENBASHI_PORT" in shortest.nodes
    assert hours_of(trip) == pytest.approx(min(hours for _, hours in choices))
    assert all(hours_of(trip) <= hours + 1e-9 for _, hours in choices)
    assert trip.route.nodes in [route.nodes for route, _ in choices]


def _gap_to_runner_up(tmp_path: Path, network: mc.Network) -> tuple[float, int]:
    """Hours by which Aktau beats the best route avoiding it, and its port components."""
    text = one_route("Almaty", "Constanta", "middle")
    trip = plan_one(tmp_path, network, text)
    choices = candidates(network, scenario_of(tmp_path, text), "Almaty", "Constanta", "middle")
    others = [hours for route, hours in choices if "AKTAU_PORT" not in route.nodes]
    port = Change.model_validate({"stage": "port", "add": 1, "note": "n", "source": "s"})
    matched = [
        c
        for c in trip.components
        if c.node == "AKTAU_PORT"
        and delay(port, {"AKTAU_PORT"}).applies(c, "middle", "block_train")
    ]
    assert matched
    return min(others) - hours_of(trip), len(matched)


@pytest.mark.parametrize(("share_of_gap", "keeps_aktau"), [(0.5, True), (1.5, False)])
def test_adding_hours_at_a_port_switches_the_route_past_the_gap(
    tmp_path: Path, network: mc.Network, share_of_gap: float, keeps_aktau: bool
) -> None:
    gap, matched = _gap_to_runner_up(tmp_path, network)
    assert gap > 0
    add = gap * share_of_gap / matched
    change = (
        "changes:\n"
        f"  - {{stage: port, node: Aktau, add: {add:.3f}, note: slower quay, source: test}}\n"
    )
    trip = plan_one(tmp_path, network, one_route("Almaty", "Constanta", "middle", change))
    assert ("AKTAU_PORT" in trip.route.nodes) is keeps_aktau
    assert trip.route.corridor == "middle"


def test_setting_a_ports_hours_switches_the_route(tmp_path: Path, network: mc.Network) -> None:
    change = "changes:\n  - {node: Aktau, stage: port, set: 1000, note: n, source: s}\n"
    text = one_route("Almaty", "Constanta", "middle", change)
    trip = plan_one(tmp_path, network, text)
    assert "AKTAU_PORT" not in trip.route.nodes
    assert "TURKMENBASHI_PORT" in trip.route.nodes
    choices = candidates(network, scenario_of(tmp_path, text), "Almaty", "Constanta", "middle")
    assert hours_of(trip) == pytest.approx(min(hours for _, hours in choices))
    # The change reached the runner's choice: the Aktau routes carry the set hours.
    aktau = [hours for route, hours in choices if "AKTAU_PORT" in route.nodes]
    assert aktau
    assert min(aktau) > 1000


def test_a_change_elsewhere_leaves_the_choice_alone(tmp_path: Path, network: mc.Network) -> None:
    base = plan_one(tmp_path, network, one_route("Almaty", "Constanta", "middle"))
    change = "changes:\n  - {node: Turkmenbashi, stage: port, set: 1000, note: n, source: s}\n"
    trip = plan_one(tmp_path, network, one_route("Almaty", "Constanta", "middle", change))
    assert trip.route.nodes == base.route.nodes
    assert hours_of(trip) == pytest.approx(hours_of(base))


def test_a_large_negative_add_chooses_like_setting_to_zero(
    tmp_path: Path, network: mc.Network
) -> None:
    def on_turkmenbashi_crossing(act: str) -> PlannedTrip:
        extra = f"changes:\n  - {{link: TURKMENBASHI_PORT-ALAT_PORT, {act}, note: n, source: s}}\n"
        return plan_one(tmp_path, network, one_route("Almaty", "Constanta", "middle", extra))

    set_zero = on_turkmenbashi_crossing("set: 0")
    add_minus = on_turkmenbashi_crossing("add: -1000")
    assert hours_of(add_minus) >= 0
    assert add_minus.route.nodes == set_zero.route.nodes


# --- change selectors ----------------------------------------------------------------

DOCS_AT_AKTAU = Component(
    stage="documents",
    node="AKTAU_PORT",
    link=None,
    dist=Dist(10.0, 10.0),
    probability=1.0,
    source="s",
    countries=("KZ",),
    node_kind="port",
    link_mode=None,
)
FERRY_WAIT = replace(
    DOCS_AT_AKTAU,
    stage="ferry_wait",
    link="AKTAU_PORT-ALAT_PORT",
    link_mode="ferry",
)
RAIL_IN_GEORGIA = replace(
    DOCS_AT_AKTAU,
    stage="rail",
    node="TBILISI",
    link="TBILISI-POTI",
    countries=("GE",),
    node_kind="city",
    link_mode="rail",
)
BORDER_TWO_COUNTRIES = replace(
    DOCS_AT_AKTAU,
    stage="inspection",
    node="BEYUK_KESIK",
    countries=("AZ", "GE"),
    node_kind="border",
)
ALL_COMPONENTS = (DOCS_AT_AKTAU, FERRY_WAIT, RAIL_IN_GEORGIA, BORDER_TWO_COUNTRIES)


def change(**selectors: Any) -> Change:
    """A change as a scenario file writes it (single values or lists)."""
    return Change.model_validate({**selectors, "scale": 0.5, "note": "n", "source": "s"})


def delay(chg: Change, node_ids: set[str] | None = None, index: int = 0) -> DelayChange:
    """``chg`` as the runner resolves it, its ``node`` names standing for ``node_ids``."""
    selectors = {name: getattr(chg, name) for name in Change.SELECTORS}
    if chg.node is not None:
        selectors["node"] = node_ids or set()
    return DelayChange(index, selection_of(selectors), adjustment_of(chg))


def matching(chg: Change, corridor: str = "middle", node_ids: set[str] | None = None) -> set[str]:
    """Stages of :data:`ALL_COMPONENTS` that ``chg`` applies to."""
    return {
        c.stage for c in ALL_COMPONENTS if delay(chg, node_ids).applies(c, corridor, "block_train")
    }


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        ({"stage": "documents"}, {"documents"}),
        ({"stage": ["rail", "inspection"]}, {"rail", "inspection"}),
        ({"country": "kz"}, {"documents", "ferry_wait"}),
        ({"country": "GE"}, {"rail", "inspection"}),
        ({"country": ["AZ", "CN"]}, {"inspection"}),
        ({"node_kind": "port"}, {"documents", "ferry_wait"}),
        ({"node_kind": ["border", "city"]}, {"rail", "inspection"}),
        ({"link": "AKTAU_PORT-ALAT_PORT"}, {"ferry_wait"}),
        ({"link": ["TBILISI-POTI", "AKTAU_PORT-ALAT_PORT"]}, {"ferry_wait", "rail"}),
        ({"link_mode": "ferry"}, {"ferry_wait"}),
        ({"link_mode": ["rail", "sea"]}, {"rail"}),
        ({"corridor": "middle"}, {"documents", "ferry_wait", "rail", "inspection"}),
        ({"corridor": "northern"}, set()),
        ({"corridor": ["northern", "middle"]}, {"documents", "ferry_wait", "rail", "inspection"}),
        ({}, {"documents", "ferry_wait", "rail", "inspection"}),
        ({"stage": "documents", "country": "GE"}, set()),
        ({"stage": ["documents", "rail"], "country": "GE"}, {"rail"}),
        ({"link_mode": "ferry", "node_kind": "port", "country": "KZ"}, {"ferry_wait"}),
    ],
    ids=lambda v: str(v) if isinstance(v, dict) else None,
)
def test_change_selectors(selectors: dict[str, Any], expected: set[str]) -> None:
    assert matching(change(**selectors)) == expected


def test_node_selector_matches_the_resolved_node_ids() -> None:
    chg = change(node="Aktau")
    assert matching(chg, node_ids={"AKTAU_PORT"}) == {"documents", "ferry_wait"}
    assert matching(chg, node_ids={"AKTAU_PORT", "TBILISI"}) == {"documents", "ferry_wait", "rail"}
    assert matching(chg, node_ids=set()) == set()
    # Without a node selector the resolved ids play no part.
    assert matching(change(stage="rail"), node_ids={"AKTAU_PORT"}) == {"rail"}


def test_omitted_selectors_match_every_component_of_a_real_trip(network: mc.Network) -> None:
    route = mc.candidate_routes(network, "Almaty", "Constanta", corridor="middle", k=1)[0]
    comps = components(network, route)
    everything = change()
    assert all(delay_change(everything, network).applies(c, "middle", "x") for c in comps)
    assert all(delay_change(everything, network).applies(c, "northern", "x") for c in comps)
    georgian_docs = delay_change(change(stage="documents", country="GE"), network)
    hits = [c for c in comps if georgian_docs.applies(c, "middle", "block_train")]
    assert hits
    assert all(c.stage == "documents" and "GE" in c.countries for c in hits)
    missed = [c for c in comps if c.stage == "documents" and "GE" in c.countries]
    assert hits == missed


def test_a_node_selector_resolved_by_the_runner_reaches_only_that_node(
    tmp_path: Path, network: mc.Network
) -> None:
    extra = "changes:\n  - {node: Tbilisi, scale: 0, note: n, source: s}\n"
    # On the network as read, without the calibration's own factors (they act everywhere).
    plain = network.uncalibrated()
    trip = plan_one(tmp_path, plain, one_route("Almaty", "Constanta", "middle", extra))
    touched = {
        c.node for c, a in zip(trip.components, trip.adjustments, strict=True) if a.scale == 0
    }
    assert touched == {"TBILISI"}
    pairs = zip(trip.components, trip.adjustments, strict=True)
    assert all(a == Adjustment() for c, a in pairs if c.node != "TBILISI")


# --- change actions and their chaining -------------------------------------------------


def action(**act: float) -> Change:
    return Change.model_validate({"stage": "documents", **act, "note": "n", "source": "s"})


@pytest.mark.parametrize(
    ("act", "adjustment", "hours"),
    [
        ({"scale": 0.25}, Adjustment(scale=0.25), 2.5),
        ({"set": 3.0}, Adjustment(set=3.0), 3.0),
        ({"add": 4.0}, Adjustment(add=4.0), 14.0),
        ({"add": -4.0}, Adjustment(add=-4.0), 6.0),
        ({"add": -40.0}, Adjustment(add=-40.0), 0.0),
        ({"set": 0.0}, Adjustment(set=0.0), 0.0),
    ],
    ids=lambda v: str(v) if isinstance(v, dict) else None,
)
def test_adjustment_of_each_action(
    act: dict[str, float], adjustment: Adjustment, hours: float
) -> None:
    adj = adjustment_of(action(**act))
    assert adj == adjustment
    x = sample_hours([DOCS_AT_AKTAU], 4, np.random.default_rng(0), [adj])
    np.testing.assert_allclose(x, hours)


def chained(*acts: dict[str, float]) -> Adjustment:
    changes = [action(**act) for act in acts]
    resolved = [delay(c, index=i) for i, c in enumerate(changes)]
    (adj,) = adjustments_for([DOCS_AT_AKTAU], "middle", resolved)
    return adj


@pytest.mark.parametrize(
    ("acts", "hours"),
    [
        (({"set": 6.0}, {"scale": 0.5}), 3.0),
        (({"set": 6.0}, {"add": 2.0}), 8.0),
        (({"scale": 0.5}, {"add": 2.0}), 7.0),
        (({"add": 2.0}, {"scale": 0.5}), 6.0),
        (({"scale": 3.0}, {"set": 1.0}), 1.0),
        (({"scale": 0.5}, {"add": -100.0}), 0.0),
        (({"set": 6.0}, {"add": -100.0}), 0.0),
        (({"scale": 0.5}, {"scale": 0.5}, {"add": 1.0}), 3.5),
    ],
    ids=lambda v: "-then-".join(str(a) for a in v) if isinstance(v, tuple) else None,
)
def test_changes_chain_in_order(acts: tuple[dict[str, float], ...], hours: float) -> None:
    adj = chained(*acts)
    x = sample_hours([DOCS_AT_AKTAU], 4, np.random.default_rng(0), [adj])
    np.testing.assert_allclose(x, hours)


def test_set_then_scale_composes_to_a_set() -> None:
    assert chained({"set": 6.0}, {"scale": 0.5}) == Adjustment(set=3.0)
    assert chained({"scale": 0.5}, {"add": 2.0}) == Adjustment(scale=0.5, add=2.0)
    assert chained({"set": 6.0}, {"add": -100.0}) == Adjustment(set=0.0)


def test_a_change_that_does_not_select_a_component_leaves_it_alone() -> None:
    changes = [
        Change.model_validate({"stage": "port", "set": 99, "note": "n", "source": "s"}),
        Change.model_validate({"country": "GE", "scale": 0, "note": "n", "source": "s"}),
    ]
    (adj,) = adjustments_for([DOCS_AT_AKTAU], "middle", [delay(c) for c in changes])
    assert adj == Adjustment()


def test_add_never_takes_sampled_hours_below_zero() -> None:
    wide = replace(DOCS_AT_AKTAU, dist=Dist(0.0, 20.0))
    adj = chained({"scale": 2.0}, {"add": -15.0})
    x = sample_hours([wide], 5000, np.random.default_rng(4), [adj])[:, 0]
    assert x.min() == 0.0
    assert (x == 0).mean() == pytest.approx(15 / 40, abs=0.03)
    positive = x[x > 0]
    assert positive.max() <= 25.0


# --- closures through extends --------------------------------------------------------

PARENT_CLOSURES = """
name: parent
volume: {middle: 1087}
routes:
  - {origin: Almaty, destination: Constanta, corridor: any}
closures:
  countries: [RU]
  links: [AKTAU_PORT-ALAT_PORT]
  passages: [suez, cape]
  note: parent's closures
  source: test
"""
CHILD_CLOSURES = """
extends: {parent}
name: child
closures:
  nodes: [Turkmenbashi]
  links: [POTI-CONSTANTA]
"""


def _closure_chain(tmp_path: Path) -> tuple[Path, Path]:
    parent = write(tmp_path, PARENT_CLOSURES, "parent.yaml")
    (tmp_path / "sub").mkdir()
    child = write(tmp_path / "sub", CHILD_CLOSURES.format(parent="../parent.yaml"), "child.yaml")
    return parent, child


def test_closures_accumulate_through_extends(tmp_path: Path) -> None:
    _, child = _closure_chain(tmp_path)
    closures = mc.load_scenario(child).closures
    assert closures.countries == ("RU",)
    assert closures.nodes == ("Turkmenbashi",)
    assert closures.links == ("AKTAU_PORT-ALAT_PORT", "POTI-CONSTANTA")
    assert closures.note == "parent's closures"


def test_closures_by_absolute_path_accumulate_too(tmp_path: Path) -> None:
    parent, _ = _closure_chain(tmp_path)
    child = write(tmp_path, CHILD_CLOSURES.format(parent=f'"{parent.resolve()}"'), "abs.yaml")
    closures = mc.load_scenario(child).closures
    assert set(closures.links) == {"AKTAU_PORT-ALAT_PORT", "POTI-CONSTANTA"}
    assert closures.countries == ("RU",)
    assert closures.passages == ("suez", "cape")


def test_a_child_runs_with_its_parents_closures_and_its_own(
    tmp_path: Path, network: mc.Network
) -> None:
    parent, child = _closure_chain(tmp_path)
    (by_parent,) = plan_trips(mc.load_scenario(parent), network)
    assert "TURKMENBASHI_PORT" in by_parent.route.nodes
    (by_child,) = plan_trips(mc.load_scenario(child), network)
    route = by_child.route
    assert "RU" not in route.countries
    assert "AKTAU_PORT-ALAT_PORT" not in route.links
    assert "TURKMENBASHI_PORT" not in route.nodes
    assert "POTI-CONSTANTA" not in route.links
    assert "KURYK_PORT-ALAT_PORT" in route.links
    run = mc.run_scenario(mc.load_scenario(child), network, samples=200, seed=1)
    assert run.trips[0].route.nodes == route.nodes


def test_a_route_cut_by_an_inherited_closure_names_it(tmp_path: Path, network: mc.Network) -> None:
    _, child = _closure_chain(tmp_path)
    text = child.read_text(encoding="utf-8")
    text += "routes:\n  - {origin: Almaty, destination: Constanta, corridor: northern}\n"
    northern = mc.load_scenario(write(tmp_path / "sub", text, "northern.yaml"))
    with pytest.raises(mc.ScenarioError) as info:
        plan_trips(northern, network)
    message = str(info.value)
    assert "northern.yaml" in message
    assert "routes.0" in message
    assert "closed by country RU" in message


def test_a_route_cut_only_by_the_closures_together_says_so(
    tmp_path: Path, network: mc.Network
) -> None:
    _closure_chain(tmp_path)
    grandchild = write(
        tmp_path,
        "extends: sub/child.yaml\n"
        "routes:\n  - {origin: Almaty, destination: Constanta, corridor: middle}\n"
        "closures: {nodes: [Kuryk]}\n",
        "grandchild.yaml",
    )
    scenario = mc.load_scenario(grandchild)
    assert scenario.closures.nodes == ("Turkmenbashi", "Kuryk")
    with pytest.raises(mc.ScenarioError) as info:
        plan_trips(scenario, network)
    message = str(info.value)
    assert "grandchild.yaml" in message
    assert "closed by the closures together" in message


# --- service changes -----------------------------------------------------------------


def _services_text(sea: str) -> str:
    return (
        "name: services\n"
        "routes:\n  - {origin: Almaty, destination: Constanta, corridor: middle}\n"
        f"services:\n  - {{sea: {sea}, dispatch: scheduled, headway_hours: 12, "
        "note: x, source: y}\n"
    )


@pytest.mark.parametrize("sea", ["caspian", "black_sea"])
def test_a_service_change_by_sea_changes_every_link_of_that_sea_only(
    tmp_path: Path, network: mc.Network, sea: str
) -> None:
    scenario = scenario_of(tmp_path, _services_text(sea))
    services = resolve(scenario, network).services
    served = [lk for lk in network.links_by_id.values() if lk.props.service is not None]
    assert {lk.props.sea for lk in served} == {"caspian", "black_sea", "ocean"}
    for link in served:
        before = link.props.service
        assert before is not None
        after = services.get(link.id, before)
        if link.props.sea == sea:
            assert after.dispatch == "scheduled", link.id
            assert after.headway_hours == 12, link.id
            assert after.capacity_teu == before.capacity_teu
            assert after.vessels == before.vessels
        else:
            assert after == before, link.id
    assert {lk.id for lk in served if lk.props.sea == "caspian"} == CASPIAN_LINKS


def test_a_caspian_service_change_reaches_the_ferry_waits_of_a_trip(
    tmp_path: Path, network: mc.Network
) -> None:
    (trip,) = plan_trips(scenario_of(tmp_path, _services_text("caspian")), network)
    waits = {str(c.link): c for c in trip.components if c.stage == "ferry_wait"}
    caspian = [lk for lk in waits if lk in CASPIAN_LINKS]
    black_sea = [lk for lk in waits if lk not in CASPIAN_LINKS]
    assert caspian
    assert black_sea
    for link_id in caspian:
        assert waits[link_id].dist.high == 12
        assert "(scheduled)" in waits[link_id].note
    for link_id in black_sea:
        service = network.links_by_id[link_id].props.service
        assert service is not None
        assert waits[link_id].dist.high == service.headway_hours
        assert waits[link_id].dist.high != 12


# --- what the queue engine refuses, and changes composed beyond the bounds -----------------

CASPIAN_ONLY = one_route("Aktau", "Alat", "middle")


def _refuse(*args: Any, **kwargs: Any) -> Any:
    """Stand-in for a queue the engine refuses: a real pydantic error of the engine."""
    return simulate_ferry(1e12, GOOD_FERRY, None)


GOOD_FERRY = Service(
    dispatch="on_fill", headway_hours=72, capacity_teu=300, vessels=6, round_trip_hours=84
)


def _both_errors(scenario: mc.Scenario, network: mc.Network) -> str:
    """``check_scenario`` and ``run_scenario`` raise the same ScenarioError; its message."""
    with pytest.raises(mc.ScenarioError) as checked:
        check_scenario(scenario, network)
    with pytest.raises(mc.ScenarioError) as ran:
        mc.run_scenario(scenario, network, samples=100)
    assert str(checked.value) == str(ran.value)
    message = str(checked.value)
    assert "validation error" not in message
    assert "errors.pydantic.dev" not in message
    return message


def test_a_sailing_count_the_engine_refuses_names_the_service_change(
    tmp_path: Path, network: mc.Network
) -> None:
    extra = (
        "services: [{sea: black_sea, headway_hours: 24, note: n, source: s}, "
        "{sea: caspian, dispatch: scheduled, headway_hours: 1.0e-6, vessels: 1000, "
        "round_trip_hours: 1.0e-6, note: n, source: s}]\n"
    )
    scenario = scenario_of(tmp_path, CASPIAN_ONLY + extra)
    message = _both_errors(scenario, network)
    assert message.startswith(f"{scenario.path}: field services.1: the queues of trip ")
    assert f"more than {MAX_SAILINGS:,}" in message


def test_an_engine_refusal_without_a_change_there_names_the_volume(
    tmp_path: Path, network: mc.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("midcorridor.model.components.ferry_queue", _refuse)
    scenario = scenario_of(tmp_path, CASPIAN_ONLY)
    message = _both_errors(scenario, network)
    assert message.startswith(f"{scenario.path}: field volume.middle: the queues of trip ")
    assert f"{MIDDLE_VOLUME:,} TEU a week" in message
    assert f"more than the {MAX_TRAINS:,} this model handles" in message


def test_a_capacity_the_engine_refuses_names_the_capacity_change(
    tmp_path: Path, network: mc.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse_capacity(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("capacity.trains_per_day: no finite handling time")

    monkeypatch.setattr("midcorridor.model.components.node_queue", refuse_capacity)
    extra = "capacities: [{node: Aktau, trains_per_day: 5, note: n, source: s}]\n"
    scenario = scenario_of(tmp_path, CASPIAN_ONLY + extra)
    message = _both_errors(scenario, network)
    assert message.startswith(f"{scenario.path}: field capacities.0: ")
    assert "capacity.trains_per_day: no finite handling time" in message


@pytest.mark.parametrize("volume", [1e7, 10, -1, math.nan])
def test_a_sweep_outside_the_volume_bounds_is_a_scenario_error(
    tmp_path: Path, network: mc.Network, volume: float
) -> None:
    scenario = scenario_of(tmp_path, CASPIAN_ONLY)
    with pytest.raises(mc.ScenarioError, match="must be 0 or from 20 to 100,000 TEU a week"):
        sweep_volume(scenario, network, [1000, volume], samples=100)


def test_a_sweep_the_engine_refuses_is_a_scenario_error(
    tmp_path: Path, network: mc.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("midcorridor.model.components.ferry_queue", _refuse)
    scenario = scenario_of(tmp_path, CASPIAN_ONLY)
    with pytest.raises(mc.ScenarioError, match=r"field volume\.middle: .*more than the"):
        sweep_volume(scenario, network, [2000], samples=100)


def test_without_a_volume_a_value_error_is_not_blamed_on_the_scenario(
    tmp_path: Path, network: mc.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("a bug")

    monkeypatch.setattr("midcorridor.runs.runner.components", broken)
    scenario = scenario_of(tmp_path, CASPIAN_ONLY.replace(f"middle: {MIDDLE_VOLUME}", "middle: 0"))
    with pytest.raises(ValueError, match="a bug") as info:
        check_scenario(scenario, network)
    assert not isinstance(info.value, mc.MidcorridorError)


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        (["scale: 1000", "scale: 1000"], "scale the rail hours at link ALMATY"),
        (["add: 80000", "add: 80000"], "add 160,000 hours to the rail hours"),
        (["set: 80000", "scale: 2"], "set the rail hours at link ALMATY"),
        (["add: 87600", "scale: 1000"], "add 8.76e+07 hours"),
    ],
)
def test_changes_composed_beyond_the_bounds_are_refused(
    tmp_path: Path, network: mc.Network, actions: list[str], expected: str
) -> None:
    changes = "".join(f"  - {{stage: rail, {a}, note: n, source: s}}\n" for a in actions)
    text = one_route("Almaty", "Constanta", "middle", "changes:\n" + changes)
    message = _both_errors(scenario_of(tmp_path, text), network)
    assert "field changes.0, changes.1: together these changes " in message
    assert expected in message
    assert "must stay within the bounds of one change" in message


def test_changes_composed_within_the_bounds_run(tmp_path: Path, network: mc.Network) -> None:
    changes = "".join(
        f"  - {{stage: rail, {a}, note: n, source: s}}\n"
        for a in ("scale: 1000", "scale: 0.5", "add: 87600", "add: -87600")
    )
    text = one_route("Almaty", "Constanta", "middle", "changes:\n" + changes)
    run = mc.run_scenario(scenario_of(tmp_path, text), network, samples=100)
    assert all(np.isfinite(trip.hours).all() for trip in run.trips)


def test_progress_reports_every_sample_of_every_trip(
    network: mc.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    import midcorridor.model.sampling

    monkeypatch.setattr(midcorridor.model.sampling, "CHUNK", 100)
    scenario = mc.load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml")
    calls: list[tuple[int, int]] = []
    run = mc.run_scenario(
        scenario, network, samples=250, progress=lambda d, t: calls.append((d, t))
    )
    total = 250 * len(run.trips)
    assert calls[-1] == (total, total)
    assert all(t == total for _, t in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done)
    assert len(calls) == 3 * len(run.trips)  # chunks of 100, 100 and 50 per trip


def test_instruments_act_on_the_steps_they_name_for_each_class(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    """digital_customs: a common transit regime takes away the single container's new
    transit declarations (Alat, Beyuk Kesik); the block train lodges none; the electronic
    consignment note scales the wait for lodgement at Alat for both."""
    digital = mc.load_scenario(default_scenario("digital_customs"))
    spec = mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="middle")
    routes = (
        spec.model_copy(update={"label": "block"}),
        spec.model_copy(update={"shipment": "container", "label": "box"}),
    )
    plans = {
        (name, trip.label): trip
        for name, scenario in (("base", baseline), ("digital", digital))
        for trip in plan_trips(scenario.model_copy(update={"routes": routes}), network)
    }

    def lodged(name: str, label: str) -> list[str]:
        return [c.node for c in plans[name, label].components if c.step == "lodgement"]

    assert lodged("base", "box") == ["ALAT_PORT", "BEYUK_KESIK"]
    assert lodged("digital", "box") == []
    assert lodged("base", "block") == lodged("digital", "block") == []
    for label in ("block", "box"):

        def wait_at_alat(name: str, label: str = label) -> Adjustment:
            plan = plans[name, label]
            (adjustment,) = (
                a
                for c, a in zip(plan.components, plan.adjustments, strict=True)
                if c.node == "ALAT_PORT" and c.step == "arrival_wait"
            )
            return adjustment

        assert wait_at_alat("digital").scale == pytest.approx(wait_at_alat("base").scale * 0.75)
