"""Loading and validating the network: the real data, and broken copies of it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import midcorridor as mc
from midcorridor.inputs.bounds import (
    CAPACITY_TEU_BOUNDS,
    LENGTH_BOUNDS,
    MAX_HOURS,
    MAX_LENGTH_KM,
    RANGE_HOURS_BOUNDS,
    SERVERS_BOUNDS,
    SPEED_BOUNDS,
    TRAINS_PER_DAY_BOUNDS,
    VESSELS_BOUNDS,
)
from midcorridor.inputs.network_files import LINK_SOURCED_FIELDS
from midcorridor.model.components import components
from midcorridor.network.network import LINKS_FILE, NODES_FILE, SHIPMENTS_FILE, SOURCES_FILE
from midcorridor.network.read import MAX_PROBLEMS_SHOWN, check, default_network_dir
from network_copies import Edit, edited_copy


def broken_copy(tmp_path: Path, file: str, edit: Edit) -> Path:
    """A copy of the real network with one file edited."""
    return edited_copy(tmp_path, file, edit)


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(mc.NetworkError) as info:
        mc.load(folder)
    return info.value.problems


def feature(data: dict[str, Any], feature_id: str) -> dict[str, Any]:
    return next(f for f in data["features"] if f["properties"]["id"] == feature_id)


def first_rail(data: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in data["features"] if f["properties"]["mode"] == "rail")


# --- the real data ---------------------------------------------------------------------


def test_real_network_loads_with_frames_and_graph(network: mc.Network) -> None:
    assert len(network.nodes) == len(network.nodes_by_id) >= 40
    assert network.nodes.crs.to_epsg() == 4326
    assert network.links.crs.to_epsg() == 4326
    graph = network.graph
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.number_of_edges() == 2 * len(network.links_by_id)
    u, v, key = next(iter(graph.edges(keys=True)))
    assert key in network.links_by_id
    assert graph.edges[u, v, key]["length_km"] > 0
    assert "x" in graph.nodes[u]


def test_btk_is_about_826_km(network: mc.Network) -> None:
    # BTK: Baku - Kars 826 km (Wikipedia "Kars-Tbilisi-Baku railway"). The network starts
    # the line at Alat port, about 65 km short of Baku city (see sources.yaml).
    route = mc.candidate_routes(network, "Alat", "Kars", corridor="any", k=1)[0]
    assert "AKHALKALAKI" in route.nodes
    assert 826 * 0.9 <= route.distance_km <= 826 * 1.05, route.distance_km


def test_middle_corridor_is_shorter_kazakhstan_to_romania(network: mc.Network) -> None:
    middle = mc.candidate_routes(network, "Almaty", "Constanta", corridor="middle", k=1)[0]
    northern = mc.candidate_routes(network, "Almaty", "Constanta", corridor="northern", k=1)[0]
    assert middle.distance_km < northern.distance_km


@pytest.mark.parametrize("query", ["Constanta", "Constanța", "CONSTANTA", "constantza"])
def test_lookup_ignores_case_and_accents(network: mc.Network, query: str) -> None:
    assert network.find_node(query) == network.find_node("Constanta")


@pytest.mark.parametrize(("alias", "twin"), [("Alashankou", "Dostyk"), ("Khorgos", "Altynkol")])
def test_twin_towns_are_aliases(network: mc.Network, alias: str, twin: str) -> None:
    assert network.find_node(alias) == network.find_node(twin)


def test_unknown_place_suggests_close_names(network: mc.Network) -> None:
    with pytest.raises(mc.PlaceNotFoundError) as info:
        network.find_node("Aktua")
    assert any("Aktau" in s for s in info.value.suggestions)
    assert "did you mean" in str(info.value)


# --- broken copies: each class of problem is found and named ---------------------------


def _dup_node(d: dict[str, Any]) -> None:
    d["features"].append(json.loads(json.dumps(d["features"][0])))


def _unknown_node(d: dict[str, Any]) -> None:
    d["features"][0]["properties"]["to"] = "ATLANTIS"


def _unknown_source(d: dict[str, Any]) -> None:
    first_rail(d)["properties"]["sources"]["length_km"] = "no_such_source"


def _missing_source(d: dict[str, Any]) -> None:
    del first_rail(d)["properties"]["sources"]["speed_km_per_day"]


def _out_of_range(d: dict[str, Any]) -> None:
    d["features"][0]["geometry"]["coordinates"] = [200.0, 95.0]


def _negative(d: dict[str, Any]) -> None:
    first_rail(d)["properties"]["speed_km_per_day"]["low"] = -5


def _not_numeric(d: dict[str, Any]) -> None:
    first_rail(d)["properties"]["length_km"] = "far"


def _too_short(d: dict[str, Any]) -> None:
    first_rail(d)["properties"]["length_km"] = 1.0


def _too_long(d: dict[str, Any]) -> None:
    link = first_rail(d)["properties"]
    link["length_km"] = link["length_km"] * 5


def _orphan(d: dict[str, Any]) -> None:
    d["features"].append(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [60.0, 50.0]},
            "properties": {"id": "NOWHERE", "name": "Nowhere", "countries": ["KZ"], "kind": "city"},
        }
    )


def _unused_source(d: dict[str, Any]) -> None:
    d["never_cited"] = {"assumption": "unused"}


def _dostyk_flatcar_wait(d: dict[str, Any]) -> dict[str, Any]:
    dostyk = next(f for f in d["features"] if f["properties"]["id"] == "DOSTYK")
    return next(
        p for p in dostyk["properties"]["processes"] if p["source"] == "asm_dostyk_flatcar_wait"
    )


def _toward_a_country_not_reached(d: dict[str, Any]) -> None:
    _dostyk_flatcar_wait(d)["toward"] = ["PL"]


def _toward_not_a_country(d: dict[str, Any]) -> None:
    _dostyk_flatcar_wait(d)["toward"] = ["China"]


def _shipment_unknown_node(d: dict[str, Any]) -> None:
    d["container"]["processes"][1]["nodes"] = ["AKTAU_PORTT"]


def _shipment_unknown_source(d: dict[str, Any]) -> None:
    d["wagonload"]["processes"][0]["source"] = "no_such_source"


def _shipment_missing(d: dict[str, Any]) -> None:
    del d["wagonload"]


def _shipment_unknown_class(d: dict[str, Any]) -> None:
    d["truck"] = d["container"]


def _shipment_two_places(d: dict[str, Any]) -> None:
    d["container"]["processes"][0]["nodes"] = ["ALMATY"]


def _booked_without_plan(d: dict[str, Any]) -> None:
    del d["block_train"]["plan_quantile"]


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [
        (NODES_FILE, _dup_node, "duplicate id"),
        (LINKS_FILE, _unknown_node, "unknown node 'ATLANTIS'"),
        (LINKS_FILE, _unknown_source, "unknown source key 'no_such_source'"),
        (LINKS_FILE, _missing_source, "sources.speed_km_per_day: numeric field has no source"),
        (NODES_FILE, _out_of_range, "out of range"),
        (LINKS_FILE, _negative, "speed_km_per_day.low"),
        (LINKS_FILE, _not_numeric, "field length_km"),
        (LINKS_FILE, _too_short, "shorter than its geometry's geodesic length"),
        (LINKS_FILE, _too_long, "more than 1.6x"),
        (NODES_FILE, _orphan, "feature NOWHERE: no route reaches this node"),
        (SOURCES_FILE, _unused_source, "never_cited"),
        (NODES_FILE, _toward_a_country_not_reached, "toward: no link from here leads to PL"),
        (NODES_FILE, _toward_not_a_country, "field processes.1.toward.0"),
        (SHIPMENTS_FILE, _shipment_unknown_node, "unknown node 'AKTAU_PORTT' (did you mean"),
        (SHIPMENTS_FILE, _shipment_unknown_source, "unknown source key 'no_such_source'"),
        (SHIPMENTS_FILE, _shipment_missing, "shipment wagonload: shipment class missing"),
        (SHIPMENTS_FILE, _shipment_unknown_class, "truck: not a shipment class"),
        (SHIPMENTS_FILE, _shipment_two_places, "give exactly one of at"),
        (SHIPMENTS_FILE, _booked_without_plan, "plan_quantile is given for"),
    ],
)
def test_broken_copy_is_refused_naming_file_feature_field(
    tmp_path: Path, file: str, edit: Edit, expected: str
) -> None:
    problems = problems_of(broken_copy(tmp_path, file, edit))
    hits = [p for p in problems if expected in p]
    assert hits, problems
    assert all(
        p.startswith((NODES_FILE, LINKS_FILE, SOURCES_FILE, SHIPMENTS_FILE)) for p in problems
    )
    assert file in hits[0]


def test_every_problem_is_collected_not_only_the_first(tmp_path: Path) -> None:
    def two_problems(d: dict[str, Any]) -> None:
        _unknown_source(d)
        _too_short(d)
        d["features"][-1]["properties"]["to"] = "ATLANTIS"

    problems = problems_of(broken_copy(tmp_path, LINKS_FILE, two_problems))
    assert len(problems) >= 3


def test_gauge_break_without_transshipment_is_refused(network: mc.Network, tmp_path: Path) -> None:
    gauge_nodes = [
        n.id
        for n in network.nodes_by_id.values()
        if any(p.stage == "transshipment" for p in n.props.processes)
        and n.props.kind == "gauge_change"
    ]
    target = gauge_nodes[0]

    def drop(d: dict[str, Any]) -> None:
        props = feature(d, target)["properties"]
        props["processes"] = [p for p in props["processes"] if p["stage"] != "transshipment"]

    problems = problems_of(broken_copy(tmp_path, NODES_FILE, drop))
    assert any(target in p and "transshipment" in p for p in problems), problems


def test_invalid_json_and_missing_file(tmp_path: Path) -> None:
    folder = tmp_path / "network"
    shutil.copytree(default_network_dir(), folder)
    (folder / LINKS_FILE).write_text("{not json", encoding="utf-8")
    (folder / SOURCES_FILE).unlink()
    problems = problems_of(folder)
    assert any(p.startswith(LINKS_FILE) and "not valid JSON" in p for p in problems)
    assert any(p.startswith(SOURCES_FILE) and "file not found" in p for p in problems)


@pytest.mark.parametrize("fld", LINK_SOURCED_FIELDS)
def test_a_figure_without_its_source_is_refused(tmp_path: Path, fld: str) -> None:
    target: dict[str, str] = {}

    def drop(d: dict[str, Any]) -> None:
        props = next(f["properties"] for f in d["features"] if f["properties"].get(fld) is not None)
        target["id"] = props["id"]
        del props["sources"][fld]

    problems = problems_of(broken_copy(tmp_path, LINKS_FILE, drop))
    expected = f"{LINKS_FILE}: feature {target['id']}: field sources.{fld}: "
    assert any(p.startswith(expected) and "has no source" in p for p in problems), problems


def _node_with_processes(d: dict[str, Any]) -> dict[str, Any]:
    return next(f["properties"] for f in d["features"] if f["properties"].get("processes"))


def _capacity_node(d: dict[str, Any]) -> dict[str, Any]:
    return next(f["properties"] for f in d["features"] if f["properties"].get("capacity"))


@pytest.mark.parametrize(
    ("edit", "fld", "expected"),
    [
        (
            lambda props: props["processes"][0].update(source="no_such_source"),
            "processes.0.source",
            "unknown source key 'no_such_source'",
        ),
        (
            lambda props: props["processes"][0].pop("source"),
            "processes.0.source",
            "Field required",
        ),
    ],
    ids=["unknown", "removed"],
)
def test_a_node_process_without_a_known_source_is_refused(
    tmp_path: Path, edit: Callable[[dict[str, Any]], object], fld: str, expected: str
) -> None:
    target: dict[str, str] = {}

    def broken(d: dict[str, Any]) -> None:
        props = _node_with_processes(d)
        target["id"] = props["id"]
        edit(props)

    problems = problems_of(broken_copy(tmp_path, NODES_FILE, broken))
    where = f"{NODES_FILE}: feature {target['id']}: field {fld}: "
    assert any(p.startswith(where) and expected in p for p in problems), problems


def test_a_capacity_with_an_unknown_source_is_refused(tmp_path: Path) -> None:
    target: dict[str, str] = {}

    def broken(d: dict[str, Any]) -> None:
        props = _capacity_node(d)
        target["id"] = props["id"]
        props["capacity"]["source"] = "no_such_source"

    problems = problems_of(broken_copy(tmp_path, NODES_FILE, broken))
    where = f"{NODES_FILE}: feature {target['id']}: field capacity.source: "
    assert any(p.startswith(where) and "no_such_source" in p for p in problems), problems


def _brest_capacity(d: dict[str, Any]) -> dict[str, Any]:
    node = next(f for f in d["features"] if f["properties"]["id"] == "BREST_MALASZEWICZE")
    capacity: dict[str, Any] = node["properties"]["capacity"]
    return capacity


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda c: c.pop("load_share_source"),
            "field capacity: a load_share below 1 needs load_share_source",
        ),
        (
            lambda c: c.update(load_share_source="no_such_source"),
            "field capacity.load_share_source: unknown source key 'no_such_source'",
        ),
        (lambda c: c.update(load_share=1.5), "field capacity.load_share"),
    ],
    ids=["unsourced", "unknown", "above-one"],
)
def test_a_gateways_load_share_is_sourced_and_a_share(
    tmp_path: Path, edit: Callable[[dict[str, Any]], object], expected: str
) -> None:
    def broken(d: dict[str, Any]) -> None:
        edit(_brest_capacity(d))

    problems = problems_of(broken_copy(tmp_path, NODES_FILE, broken))
    assert any("BREST_MALASZEWICZE" in p and expected in p for p in problems), problems


def test_a_gateway_queue_takes_its_share_of_the_corridor_volume(network: mc.Network) -> None:
    route = mc.candidate_routes(network, "Almaty", "Duisburg", corridor="northern", k=1)[0]
    (queue,) = (
        c
        for c in components(network, route, volume_teu_per_week=7923)
        if c.node == "BREST_MALASZEWICZE" and c.stage == "congestion"
    )
    assert "5625 TEU/week (71% of the corridor's 7923)" in queue.note
    assert queue.utilisation == pytest.approx(5625 / 84 / 7 / 14, rel=0.05)


# --- check: the problems as sentences, without raising ----------------------------------


def test_check_finds_nothing_wrong_with_the_real_network() -> None:
    assert check(default_network_dir()) == []
    assert check() == []


def test_check_lists_the_problems_of_a_broken_copy(tmp_path: Path) -> None:
    def broken(d: dict[str, Any]) -> None:
        _too_short(d)
        _unknown_source(d)

    folder = broken_copy(tmp_path, LINKS_FILE, broken)
    problems = check(folder)
    assert problems == problems_of(folder)
    assert len(problems) >= 2
    link_id = first_rail(json.loads((folder / LINKS_FILE).read_text(encoding="utf-8")))[
        "properties"
    ]["id"]
    assert all(p.startswith(f"{LINKS_FILE}: feature {link_id}: field ") for p in problems)
    assert any("length_km" in p and "geodesic" in p for p in problems)
    assert any("unknown source key 'no_such_source'" in p for p in problems)


def test_check_of_a_missing_folder_says_so(tmp_path: Path) -> None:
    problems = check(tmp_path / "nowhere")
    assert len(problems) == 1
    assert "not found" in problems[0]
    assert "nowhere" in problems[0]


@pytest.mark.parametrize(
    ("factor", "expected"),
    [
        (0.99, "shorter than its geometry's geodesic length"),
        (1.0, None),
        (1.59, None),
        (1.61, "more than 1.6x its geometry's geodesic length"),
    ],
)
def test_link_length_is_held_to_its_geodesic(
    tmp_path: Path, network: mc.Network, factor: float, expected: str | None
) -> None:
    target: dict[str, str] = {}

    def stretch(d: dict[str, Any]) -> None:
        props = first_rail(d)["properties"]
        target["id"] = props["id"]
        props["length_km"] = network.links_by_id[props["id"]].geodesic_km * factor

    folder = broken_copy(tmp_path, LINKS_FILE, stretch)
    problems = check(folder)
    if expected is None:
        assert problems == []
        assert mc.load(folder).links_by_id[target["id"]].props.length_km > 0
        return
    where = f"{LINKS_FILE}: feature {target['id']}: field length_km: "
    assert any(p.startswith(where) and expected in p for p in problems), problems
    assert problems == problems_of(folder)


# --- implausible figures, self-loops, hostile files ----------------------------------------


def first_ferry(data: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in data["features"] if f["properties"]["mode"] == "ferry")


def _set(path: str, value: Any, pick: Callable[[dict[str, Any]], dict[str, Any]]) -> Edit:
    """An edit setting the property at dotted ``path`` of the feature ``pick`` chooses."""

    def edit(data: dict[str, Any]) -> None:
        props = pick(data)["properties"]
        *parents, last = path.split(".")
        for part in parents:
            props = props[int(part)] if part.isdigit() else props[part]
        props[last] = value

    return edit


def _processed(data: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in data["features"] if f["properties"].get("processes"))


def _aktau(data: dict[str, Any]) -> dict[str, Any]:
    return feature(data, "AKTAU_PORT")


@pytest.mark.parametrize(
    ("file", "edit", "fld", "bounds"),
    [
        (
            NODES_FILE,
            _set("processes.0.hours.high", 1e308, _processed),
            "processes.0.hours.high",
            "8,760",
        ),
        (NODES_FILE, _set("capacity.servers", 10**9, _aktau), "capacity.servers", "1,000"),
        (
            NODES_FILE,
            _set("capacity.trains_per_day", 1e-9, _aktau),
            "capacity.trains_per_day",
            "from 0.01 to 10,000 trains a day",
        ),
        (LINKS_FILE, _set("length_km", 1e9, first_rail), "length_km", "at most 40,000 km"),
        (
            LINKS_FILE,
            _set("speed_km_per_day.high", 1e308, first_rail),
            "speed_km_per_day.high",
            "from 1 to 5,000 km a day",
        ),
        (
            LINKS_FILE,
            _set("speed_km_per_day.low", 1e-300, first_rail),
            "speed_km_per_day.low",
            "from 1 to 5,000 km a day",
        ),
        (LINKS_FILE, _set("sailing_hours.high", 9000, first_ferry), "sailing_hours.high", "8,760"),
        (LINKS_FILE, _set("service.vessels", 10**9, first_ferry), "service.vessels", "1,000"),
        (
            LINKS_FILE,
            _set("service.capacity_teu", 1e-9, first_ferry),
            "service.capacity_teu",
            "from 1 to 100,000 TEU a sailing",
        ),
        (
            LINKS_FILE,
            _set("service.round_trip_hours", 1e308, first_ferry),
            "service.round_trip_hours",
            "above 0 and at most 8,760 hours",
        ),
        (
            LINKS_FILE,
            _set("weather.hold_hours", {"low": 0, "mode": 0, "high": 0}, first_ferry),
            "weather",
            "storm holds averaging 0 h cannot close part of a month",
        ),
    ],
)
def test_implausible_figures_are_refused_stating_the_bounds(
    tmp_path: Path, file: str, edit: Edit, fld: str, bounds: str
) -> None:
    problems = problems_of(broken_copy(tmp_path, file, edit))
    hits = [p for p in problems if f"field {fld}: " in p and bounds in p]
    assert hits, problems
    assert not any("Value error" in p for p in problems)


def test_the_real_network_is_within_the_bounds(network: mc.Network) -> None:
    for link in network.links_by_id.values():
        assert link.props.length_km <= MAX_LENGTH_KM
        if link.props.sailing_hours is not None:
            assert link.props.sailing_hours.high <= MAX_HOURS


def test_a_link_from_a_node_to_itself_is_refused(tmp_path: Path) -> None:
    def loop(data: dict[str, Any]) -> None:
        props = first_rail(data)["properties"]
        props["to"] = props["from"]

    problems = problems_of(broken_copy(tmp_path, LINKS_FILE, loop))
    assert any("a link must join two different nodes" in p for p in problems), problems


def test_a_flood_of_problems_is_capped(tmp_path: Path) -> None:
    def everything_unsourced(data: dict[str, Any]) -> None:
        for feat in data["features"]:
            feat["properties"]["sources"] = {"length_km": "nope"}

    folder = broken_copy(tmp_path, LINKS_FILE, everything_unsourced)
    shown = check(folder)
    assert len(shown) == MAX_PROBLEMS_SHOWN + 1
    rest = int(shown[-1].removeprefix("... and ").split()[0].replace(",", ""))
    assert shown[-1] == f"... and {rest:,} more problems"
    with pytest.raises(mc.NetworkError) as info:
        mc.load(folder)
    assert info.value.problems == shown
    assert f"has {MAX_PROBLEMS_SHOWN + rest:,} problem(s)" in info.value.message


def write_raw(tmp_path: Path, file: str, text: str) -> Path:
    folder = tmp_path / "network"
    shutil.copytree(default_network_dir(), folder)
    (folder / file).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("file", "text", "expected"),
    [
        (NODES_FILE, "[" * 100_000, "not valid JSON"),
        (NODES_FILE, "[" + "9" * 5000 + "]", "not valid JSON"),
        (SOURCES_FILE, "a: {assumption: x}\na: {assumption: y}\n", "duplicate key 'a'"),
        (
            SOURCES_FILE,
            "a: &a [1, 2]\nb: &b [*a, *a]\n" + "c: [" + "*b, " * 60_000 + "]\n",
            "more than 100,000 values",
        ),
        (SOURCES_FILE, "a: !!python/name:os.system\n", "is not allowed"),
    ],
    ids=["deep-json", "huge-int-json", "duplicate-yaml", "laughs-yaml", "tag-yaml"],
)
def test_hostile_files_are_problems_not_crashes(
    tmp_path: Path, file: str, text: str, expected: str
) -> None:
    problems = check(write_raw(tmp_path, file, text))
    assert any(p.startswith(file) and expected in p for p in problems), problems


def test_huge_coordinates_and_ids_are_problems_with_short_lines(tmp_path: Path) -> None:
    def huge(data: dict[str, Any]) -> None:
        data["features"][0]["geometry"]["coordinates"] = [10**400, 1]
        data["features"][1]["properties"]["id"] = ["x" * 1000] * 1000

    problems = problems_of(broken_copy(tmp_path, NODES_FILE, huge))
    assert any("out of range" in p for p in problems), problems
    assert all(len(p) < 400 for p in problems), max(problems, key=len)
    problems = problems_of(
        broken_copy(tmp_path / "links", LINKS_FILE, _set("service.vessels", 10**400, first_ferry))
    )
    assert any("field service.vessels: must be from 1 to 1,000" in p for p in problems)
    assert any("a number of about 401 digits" in p for p in problems)


def test_the_bounds_are_documented() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "data-model.md").read_text("utf-8")
    for bounds in (
        RANGE_HOURS_BOUNDS,
        SPEED_BOUNDS,
        LENGTH_BOUNDS,
        CAPACITY_TEU_BOUNDS,
        VESSELS_BOUNDS,
        TRAINS_PER_DAY_BOUNDS,
        SERVERS_BOUNDS,
    ):
        assert f"{bounds.high:,.0f}" in text
        assert f"{bounds.low:,g}" in text
    assert f"first {MAX_PROBLEMS_SHOWN}" in text


def test_an_unreadable_network_file_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_raw(tmp_path, SOURCES_FILE, "")
    real_read_text = Path.read_text

    def read_text(self: Path, *args: Any, **kwargs: Any) -> str:
        if self.name == SOURCES_FILE:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    problems = check(folder)
    assert any(
        p.startswith(f"{SOURCES_FILE}: cannot be read (Permission denied)") for p in problems
    )


def test_a_syntax_error_in_the_sources_is_one_problem_not_every_key(tmp_path: Path) -> None:
    folder = tmp_path / "network"
    shutil.copytree(default_network_dir(), folder)
    path = folder / SOURCES_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, "broken: [unclosed", "x: 1"]), encoding="utf-8")
    problems = check(folder)
    assert len(problems) == 1
    assert problems[0].startswith(f"{SOURCES_FILE}: not valid YAML")
    assert f"line {len(lines) + 2}" in problems[0]


def test_an_unknown_key_is_still_named_when_the_sources_read(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, LINKS_FILE, _unknown_source)
    assert any("unknown source key 'no_such_source'" in p for p in check(folder))
