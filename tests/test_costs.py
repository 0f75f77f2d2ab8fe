"""Cost and CO2 per leg: sums against hand-computed legs, draws, changes, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import midcorridor as mc
from midcorridor.analysis.cost_checks import check_costs
from midcorridor.inputs.cost_files import CostBook
from midcorridor.model import costs as costs_module
from midcorridor.model.costs import (
    LegChange,
    adjust,
    cost_legs,
    leg_means,
    sample_costs,
    time_cost_usd,
)
from midcorridor.network.network import COSTS_FILE
from midcorridor.network.read import default_network_dir
from midcorridor.network.routing import candidate_routes
from network_copies import edited_copy

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _pert(r: dict[str, float] | Any) -> float:
    low, mode, high = (r["low"], r["mode"], r["high"]) if isinstance(r, dict) else r
    return (low + 4 * mode + high) / 6


def _raw_costs() -> dict[str, Any]:
    return yaml.safe_load((default_network_dir() / COSTS_FILE).read_text(encoding="utf-8"))


def test_a_rail_trip_costs_its_km_times_each_countrys_tariff(network: mc.Network) -> None:
    """Dostyk-Brest by hand: km in KZ, RU and BY times their tariffs; CO2 from traction."""
    raw = _raw_costs()
    (route,) = candidate_routes(network, "Dostyk", "Brest", corridor="northern", k=1)
    usd = co2 = 0.0
    ef = raw["emission_factors"]
    for link_id in route.links:
        link = network.links_by_id[link_id].props
        ends = [network.nodes_by_id[n].props.countries for n in (link.from_, link.to)]
        countries = [c for c in ends[0] if c in ends[1]] or list(dict.fromkeys(ends[0] + ends[1]))
        for code in countries:
            rail = raw["rail"][code]
            km = link.length_km / len(countries)
            usd += km * _pert(rail["usd_per_km"])
            g_per_tkm = rail["electrified_share"] * rail["grid_g_per_kwh"] * _pert(
                ef["rail_electric_kwh_per_tkm"]
            ) + (1 - rail["electrified_share"]) * _pert(ef["rail_diesel_g_per_tkm"])
            co2 += raw["container"]["cargo_tonnes"] * km * g_per_tkm / 1000
    legs = cost_legs(network, route)
    assert {leg.kind for leg in legs} == {"rail"}
    mean_usd, mean_co2 = leg_means(legs, network.require_costs())
    assert mean_usd.sum() == pytest.approx(usd, rel=1e-9)
    assert mean_co2.sum() == pytest.approx(co2, rel=1e-9)


def test_a_middle_corridor_trip_pays_its_crossings_and_port_handling(network: mc.Network) -> None:
    raw = _raw_costs()
    route = candidate_routes(network, "Almaty", "Constanta", corridor="middle", k=1)[0]
    legs = cost_legs(network, route)
    crossings = [leg for leg in legs if leg.kind in ("ferry", "sea")]
    assert [leg.link for leg in crossings] == [
        lk for lk in route.links if network.links_by_id[lk].props.mode != "rail"
    ]
    charges = [leg for leg in legs if leg.kind == "charge"]
    # Handling where the container changes between train and ship: both ends of each crossing.
    assert {leg.node for leg in charges} == {
        n
        for lk in route.links
        if network.links_by_id[lk].props.mode != "rail"
        for n in (network.links_by_id[lk].props.from_, network.links_by_id[lk].props.to)
    }
    mean_usd, _ = leg_means(legs, network.require_costs())
    by_leg = dict(zip([leg.link or leg.node for leg in legs], mean_usd, strict=False))
    for leg in crossings:
        assert by_leg[leg.link] == pytest.approx(_pert(raw["links"][leg.link]["usd"]))


def test_draws_average_to_the_exact_means_and_shared_figures_move_together(
    network: mc.Network,
) -> None:
    book = network.require_costs()
    route = candidate_routes(network, "Almaty", "Constanta", corridor="middle", k=1)[0]
    legs = cost_legs(network, route)
    sample = sample_costs(legs, book, 40_000, np.random.default_rng(3))
    assert sample.usd.mean() == pytest.approx(sample.leg_usd_mean.sum(), rel=0.005)
    assert sample.co2e_kg.mean() == pytest.approx(sample.leg_co2e_kg_mean.sum(), rel=0.005)
    # Two legs on one figure (the same tariff) are one draw: the variance of their sum is
    # four times a leg's, not twice (as independent draws would give).
    kz = next(leg for leg in legs if leg.countries == ("KZ",) and leg.kind == "rail")
    one = sample_costs([kz], book, 40_000, np.random.default_rng(4)).usd
    two = sample_costs([kz, kz], book, 40_000, np.random.default_rng(4)).usd
    assert two.var() == pytest.approx(4 * one.var(), rel=1e-9)


def _fixed(book: CostBook) -> CostBook:
    """``book`` with every range collapsed to its mode."""

    def collapse(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"low", "mode", "high"}:
                return {"low": value["mode"], "mode": value["mode"], "high": value["mode"]}
            return {k: collapse(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [collapse(v) for v in value]
        return value

    return CostBook.model_validate(collapse(book.model_dump()))


def test_fixed_figures_give_the_hand_sum_and_changes_apply_in_order(network: mc.Network) -> None:
    book = _fixed(network.require_costs())
    # Routes by sea via Constanta and rail across Central Europe come first by km.
    routes = candidate_routes(network, "Xi'an", "Duisburg", corridor="sea", k=30)
    route = next(r for r in routes if "ROTTERDAM" in r.nodes)
    legs = cost_legs(network, route, book)
    ocean = next(leg for leg in legs if leg.sea == "ocean")
    hand = book.links[str(ocean.link)].usd.mode
    total = sum(
        book.rail[leg.countries[0]].usd_per_km.mode * leg.km for leg in legs if leg.kind == "rail"
    )
    total += hand + sum(
        book.nodes[str(leg.node)][0].usd.mode for leg in legs if leg.kind == "charge"
    )
    drawn = sample_costs(legs, book, 10, np.random.default_rng(0)).usd
    assert drawn == pytest.approx(np.full(10, total))
    # Double the ocean freight, then add a 500 USD surcharge: only the ocean leg moves.
    changes = [
        LegChange({"sea": frozenset({"ocean"})}, scale=2.0),
        LegChange({"kind": frozenset({"sea"})}, add=500.0),
    ]
    changed = sample_costs(adjust(legs, changes), book, 10, np.random.default_rng(0)).usd
    assert changed == pytest.approx(np.full(10, total + hand + 500))
    # A cut larger than the leg floors it at zero instead of paying the shipper.
    cut = sample_costs(
        adjust(legs, [LegChange({"sea": frozenset({"ocean"})}, add=-1e6)]),
        book,
        10,
        np.random.default_rng(0),
    ).usd
    assert cut == pytest.approx(np.full(10, total - hand))


def test_the_cost_of_time_is_value_times_holding_share_times_days(network: mc.Network) -> None:
    book = _fixed(network.require_costs())
    days = np.array([10.0, 20.0, 50.0])
    cargo = book.container
    expected = days * cargo.value_usd.mode * cargo.holding_share_per_day.mode
    assert time_cost_usd(days, book, np.random.default_rng(1)) == pytest.approx(expected)


def test_every_route_of_a_run_has_cost_co2_and_time_cost(network: mc.Network) -> None:
    run = mc.run_scenario(mc.load_scenario(SCENARIOS / "baseline.yaml"), network, samples=300)
    data = run.to_dict(network)
    corridors = {r["corridor"] for r in data["routes"]}
    assert {"middle", "northern", "sea"} <= corridors
    for route in data["routes"]:
        for key in ("cost_usd", "co2e_kg", "cost_of_time_usd"):
            figures = route[key]
            assert figures["p10"] <= figures["p50"] <= figures["p90"]
            assert figures["mean"] > 0
    # The cost of time is reported apart, never inside the freight cost.
    trip = run.trips[0]
    cost = run.cost(trip.label)
    assert cost is not None
    assert cost.usd_draws.mean == pytest.approx(cost.leg_usd_mean.sum(), rel=0.05)


def test_red_sea_closed_sends_the_sea_route_round_the_cape(network: mc.Network) -> None:
    # Before 2024 North Europe loops went by Suez; an era-2023 baseline sails it.
    suez_era = mc.load_scenario(SCENARIOS / "baseline.yaml").model_copy(update={"era": 2023})
    runs = [
        mc.run_scenario(scenario, network, samples=500)
        for scenario in (suez_era, mc.load_scenario(SCENARIOS / "red_sea_closed.yaml"))
    ]
    label = "Xi'an-Duisburg, by sea"
    open_, closed = (r.trip(label) for r in runs)
    assert any(network.links_by_id[lk].props.passage == "suez" for lk in open_.route.links)
    assert all(network.links_by_id[lk].props.passage != "suez" for lk in closed.route.links)
    # PEMP 2024: round the Cape adds 7 days at least, 10-14 commonly, to Rotterdam.
    added = closed.days()["p50"] - open_.days()["p50"]
    assert 7 <= added <= 14
    cost_open, cost_closed = (r.cost(label) for r in runs)
    assert cost_open is not None
    assert cost_closed is not None
    assert cost_closed.cost_usd()["mean"] > cost_open.cost_usd()["mean"]
    assert cost_closed.co2e_kg()["mean"] > cost_open.co2e_kg()["mean"]


@pytest.mark.parametrize(("era", "passage"), [(2023, "suez"), (2024, "cape"), (2025, "cape")])
def test_the_baseline_sails_to_north_europe_as_carriers_did_in_its_era(
    network: mc.Network, era: int, passage: str
) -> None:
    """Asia-North Europe loops went round the Cape in 2024-2025 (cape_routing_2024_2025)."""
    scenario = mc.load_scenario(SCENARIOS / "baseline.yaml").model_copy(update={"era": era})
    spec = next(s for s in scenario.routes if s.corridor == "sea")
    run = mc.run_scenario(scenario.model_copy(update={"routes": (spec,)}), network, samples=100)
    (trip,) = run.trips
    (ocean,) = (lk for lk in trip.route.links if network.links_by_id[lk].props.sea == "ocean")
    assert network.links_by_id[ocean].props.passage == passage
    assert "ROTTERDAM" in trip.route.nodes


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda p: p["unsailed"].update(since=2026), "since 2026 is after until 2025"),
        (lambda p: p["sources"].pop("unsailed"), "sources.unsailed"),
    ],
)
def test_an_unsailed_line_needs_years_in_order_and_a_source(
    tmp_path: Path, edit: Any, expected: str
) -> None:
    folder = tmp_path / "network"
    shutil.copytree(default_network_dir(), folder)
    path = folder / "links.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    link = next(f for f in data["features"] if f["properties"]["id"] == "SHANGHAI-ROTTERDAM")
    edit(link["properties"])
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(mc.NetworkError) as info:
        mc.load(folder)
    assert any(expected in p for p in info.value.problems), info.value.problems


# --- bad cost input ----------------------------------------------------------------------


def _problems(folder: Path) -> str:
    with pytest.raises(mc.NetworkError) as info:
        mc.load(folder)
    return "\n".join(info.value.problems)


def _rename_link(data: dict[str, Any]) -> None:
    data["links"]["AKTAU_PORT-ALAT_POR"] = data["links"].pop("AKTAU_PORT-ALAT_PORT")


def _drop_tariff(data: dict[str, Any]) -> None:
    del data["rail"]["GE"]


def _unknown_source(data: dict[str, Any]) -> None:
    data["rail"]["KZ"]["sources"]["usd_per_km"] = "no_such_key"


def _unordered(data: dict[str, Any]) -> None:
    data["links"]["POTI-CONSTANTA"]["usd"] = {"low": 900, "mode": 800, "high": 1200}


def _negative(data: dict[str, Any]) -> None:
    data["nodes"]["POTI"][0]["usd"] = {"low": -5, "mode": 420, "high": 500}


def _rail_priced_as_crossing(data: dict[str, Any]) -> None:
    data["links"]["XIAN-LANZHOU"] = dict(data["links"]["POTI-CONSTANTA"])


def _unknown_node(data: dict[str, Any]) -> None:
    data["nodes"]["POTTI"] = data["nodes"].pop("POTI")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_rename_link, "unknown link 'AKTAU_PORT-ALAT_POR' (did you mean AKTAU_PORT-ALAT_PORT?)"),
        (_rename_link, "no freight for ferry link AKTAU_PORT-ALAT_PORT"),
        (_drop_tariff, "no tariff for GE"),
        (_unknown_source, "unknown source key 'no_such_key'"),
        (_unordered, "low <= mode <= high"),
        (_negative, "greater than or equal to 0"),
        (_rail_priced_as_crossing, "a rail link is priced by its country's tariff"),
        (_unknown_node, "unknown node 'POTTI' (did you mean POTI?)"),
    ],
)
def test_bad_cost_files_are_refused_with_what_and_where(
    tmp_path: Path, edit: Any, expected: str
) -> None:
    text = _problems(edited_copy(tmp_path, COSTS_FILE, edit))
    assert "costs.yaml" in text
    assert expected in text


def test_a_scenario_cost_change_naming_an_unknown_link_says_which(
    tmp_path: Path, network: mc.Network
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\nname: s\n"
        "costs:\n  - {link: POTI-CONSTANTAA, scale: 2, note: n, source: s}\n",
        encoding="utf-8",
    )
    with pytest.raises(mc.ScenarioError, match=r"costs\.0\.link\.0.*did you mean.*POTI-CONSTANTA"):
        mc.run_scenario(mc.load_scenario(path), network, samples=100)


def test_a_cost_change_needs_exactly_one_action(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\nname: s\n"
        "costs:\n  - {kind: sea, scale: 2, add_usd: 5, note: n, source: s}\n",
        encoding="utf-8",
    )
    with pytest.raises(mc.ScenarioError, match="exactly one of scale or add_usd"):
        mc.load_scenario(path)


def test_costs_meet_the_rates_their_tariffs_were_derived_from(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    """ERAI's 1520-mm section and March 2025 door-to-door rates, within 5%."""
    checks = check_costs(network, baseline)
    required = [c for c in checks if c.target.required]
    assert len(required) == 2
    for check in required:
        t = check.target
        assert t.low * 0.95 <= check.model <= t.high * 1.05, (t.name, check.model)
    # Context checks are reported with their gap, not asserted: the Middle Corridor is
    # dearer than the northern route in the model, as the published 35% says it is.
    ratio = next(c for c in checks if c.target.unit == "ratio")
    assert ratio.model > 1.0


@pytest.mark.parametrize(("chunk", "keep"), [(50_000, 100_000), (1_000, 1_500)])
def test_cost_draws_are_summarised_chunk_by_chunk(
    network: mc.Network, monkeypatch: pytest.MonkeyPatch, chunk: int, keep: int
) -> None:
    """Means of every draw, percentiles of the first ``keep``: the figures of drawing the
    chunks one after the other by hand; one chunk is one call, as before chunking."""
    monkeypatch.setattr(costs_module, "CHUNK", chunk)
    monkeypatch.setattr(costs_module, "KEEP_SAMPLES", keep)
    (route,) = candidate_routes(network, "Almaty", "Constanta", corridor="middle", k=1)
    days = np.linspace(15.0, 40.0, 3_500)
    seed = np.random.SeedSequence(11)
    cost = costs_module.price_trip(network, route, days, seed)
    book = network.require_costs()
    legs = cost_legs(network, route, book)
    rng = np.random.default_rng(seed)
    usd, time = [], []
    for start in range(0, days.size, chunk):
        part = days[start : start + chunk]
        usd.append(sample_costs(legs, book, part.size, rng).usd)
        time.append(time_cost_usd(part, book, rng))
    every_usd, every_time = np.concatenate(usd), np.concatenate(time)
    assert cost.usd_draws.draws == 3_500
    assert cost.usd_draws.mean == pytest.approx(every_usd.mean(), rel=1e-12)
    assert cost.time_usd_draws.mean == pytest.approx(every_time.mean(), rel=1e-12)
    kept = every_usd[: min(keep, days.size)]
    assert cost.usd_draws.p50 == np.percentile(kept, 50)
    assert cost.usd_draws.p90 == np.percentile(kept, 90)
