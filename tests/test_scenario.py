"""Scenario files: the shipped library, inheritance, and every kind of bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import Field

import midcorridor as mc
import midcorridor.inputs.scenario as scenario_module
from midcorridor.inputs._yaml import MAX_YAML_DEPTH, MAX_YAML_NODES
from midcorridor.inputs.bounds import (
    ADD_HOURS_BOUNDS,
    MAX_CAPACITY_TEU,
    MAX_HOURS,
    MAX_SERVERS,
    MAX_TRAINS_PER_DAY,
    MAX_VESSELS,
    MIN_VOLUME_TEU_PER_WEEK,
    SCALE_BOUNDS,
    SET_HOURS_BOUNDS,
    VOLUME_BOUNDS,
    Bounds,
)
from midcorridor.runs.runner import check_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
LIBRARY = sorted(SCENARIOS.glob("*.yaml"))


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
name: tiny
samples: 200
routes:
  - {origin: Almaty, destination: Constanta, corridor: middle}
"""


def _load_and_check(path: Path, network: mc.Network | None) -> None:
    scenario = mc.load_scenario(path)
    if network is not None:
        check_scenario(scenario, network)


def error_of(path: Path, network: mc.Network | None = None) -> mc.ScenarioError:
    with pytest.raises(mc.ScenarioError) as info:
        _load_and_check(path, network)
    return info.value


@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_every_library_scenario_runs(path: Path, network: mc.Network) -> None:
    scenario = mc.load_scenario(path)
    assert scenario.description
    for change in scenario.changes:
        assert change.note
        assert change.source
    run = mc.run_scenario(scenario, network, samples=300)
    assert len(run.trips) == len(scenario.routes)
    for trip in run.trips:
        assert trip.days()["p50"] > 3
        if not trip.warnings:
            assert trip.days()["p50"] < 120


def test_tripled_volume_saturates_the_caspian_and_says_so(network: mc.Network) -> None:
    base = mc.run_scenario(mc.load_scenario(SCENARIOS / "baseline.yaml"), network, samples=500)
    x3 = mc.run_scenario(mc.load_scenario(SCENARIOS / "volume_x3.yaml"), network, samples=500)
    assert not any(t.warnings for t in base.trips)
    label = "Almaty-Constanta, Middle Corridor"
    assert any("saturates" in w for w in x3.trip(label).warnings)
    assert x3.trip(label).days()["p50"] > base.trip(label).days()["p50"] + 10
    northern = "Almaty-Constanta, via Russia"
    assert x3.trip(northern).days()["p50"] == pytest.approx(base.trip(northern).days()["p50"])


def test_library_has_the_promised_scenarios() -> None:
    names = {p.stem for p in LIBRARY}
    assert {
        "baseline",
        "digital_customs",
        "aktau_single_window",
        "synchronized_ferries",
        "digital_corridor_2030",
        "volume_x3",
        "northern_closed",
    } <= names


def test_extends_inherits_and_accumulates(tmp_path: Path) -> None:
    s2030 = mc.load_scenario(SCENARIOS / "digital_corridor_2030.yaml")
    customs = mc.load_scenario(SCENARIOS / "digital_customs.yaml")
    base = mc.load_scenario(SCENARIOS / "baseline.yaml")
    assert s2030.routes == base.routes
    assert s2030.seed == base.seed
    assert s2030.changes[: len(customs.changes)] == customs.changes
    assert len(s2030.changes) > len(customs.changes)
    assert [p.name for p in s2030.chain] == [
        "digital_corridor_2030.yaml",
        "digital_customs.yaml",
        "baseline.yaml",
    ]


def test_a_child_s_volume_of_one_corridor_keeps_the_parent_s_other(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL + "volume: {middle: 1000, northern: 8000}\n", "parent.yaml")
    months = [500.0] * 6 + [600.0] * 6
    child = write(tmp_path, f"extends: parent.yaml\nvolume: {{middle: {months}}}\n", "child.yaml")
    assert mc.load_scenario(child).volume == {"middle": tuple(months), "northern": 8000.0}
    surge = mc.load_scenario(SCENARIOS / "surge_2024.yaml")
    base = mc.load_scenario(SCENARIOS / "baseline.yaml")
    assert surge.volume["northern"] == base.volume["northern"]
    assert surge.volume["middle"] != base.volume["middle"]


def test_digital_customs_cuts_middle_documents_not_northern(network: mc.Network) -> None:
    base = mc.run_scenario(mc.load_scenario(SCENARIOS / "baseline.yaml"), network, samples=2000)
    digital = mc.run_scenario(
        mc.load_scenario(SCENARIOS / "digital_customs.yaml"), network, samples=2000
    )
    rows = {r.label: r.last for r in mc.compare_runs([base, digital])}
    middle = rows["Almaty-Constanta, Middle Corridor"]
    northern = rows["Almaty-Constanta, via Russia"]
    # about a day (1.2 before the fit's median of x0.65 on the ports' document hours)
    assert middle.delta_p50_days < -0.75
    # The saving is at the desks and in the offices' queues, and the sailings the booked
    # train no longer misses.
    kinds = middle.delta_by_kind
    assert kinds["desk"] < 0
    assert kinds["queue"] < 0
    assert kinds["desk"] + kinds["queue"] < -0.75
    assert kinds["connections"] <= 0.01
    assert kinds["other"] == pytest.approx(0.0, abs=0.05)
    assert sum(kinds.values()) == pytest.approx(middle.delta_mean_days, abs=1e-9)
    assert abs(northern.delta_p50_days) < 0.05


# --- bad input -------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    err = error_of(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(err)
    assert "not found" in str(err)


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "name: x\nroutes: [\n  {origin: a\n"))
    assert "s.yaml" in str(err)
    assert "line" in str(err)
    assert "column" in str(err)


def test_unknown_key_suggests_the_valid_one(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, MINIMAL + "departure_mnth: 3\n"))
    assert "departure_mnth" in str(err)
    assert "did you mean departure_month?" in str(err)
    nested = MINIMAL.replace("corridor: middle", "coridor: middle")
    err = error_of(write(tmp_path, nested))
    assert "routes.0.coridor" in str(err)
    assert "did you mean corridor?" in str(err)


@pytest.mark.parametrize(
    ("extra", "fld"),
    [
        ("departure_month: 13\n", "departure_month"),
        ("samples: many\n", "samples"),
        (
            "changes:\n  - {stage: documents, scale: -0.5, note: n, source: s}\n",
            "changes.0.scale",
        ),
        ("changes:\n  - {stage: paperwork, scale: 0.5, note: n, source: s}\n", "changes.0.stage"),
        ("changes:\n  - {stage: documents, scale: 0.5, add: 1, note: n, source: s}\n", "changes.0"),
        ("volume: {middle: -3}\n", "volume"),
        ("closures: {countries: [Russia]}\n", "closures.countries"),
    ],
)
def test_wrong_type_or_range_names_the_field(tmp_path: Path, extra: str, fld: str) -> None:
    err = error_of(write(tmp_path, MINIMAL.replace("samples: 200\n", "") + extra))
    assert f"field {fld}" in str(err)
    assert "s.yaml" in str(err)


def test_unknown_place_suggests_close_names(tmp_path: Path, network: mc.Network) -> None:
    err = error_of(write(tmp_path, MINIMAL.replace("Constanta", "Konstanta")), network)
    assert "routes.0.destination" in str(err)
    assert "Constan" in str(err)
    assert "did you mean" in str(err)


def test_route_cut_by_a_closure_names_the_closure(tmp_path: Path, network: mc.Network) -> None:
    text = MINIMAL.replace("corridor: middle", "corridor: northern")
    text += "closures: {countries: [RU], nodes: [Aktau]}\n"
    err = error_of(write(tmp_path, text), network)
    assert "routes.0" in str(err)
    assert "closed by country RU" in str(err)
    assert "Aktau" not in str(err).split("closed by")[1]


def test_extends_cycle_and_missing_parent(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL + "extends: b.yaml\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\n", "b.yaml")
    err = error_of(tmp_path / "a.yaml")
    assert "cycle" in str(err)
    assert "field extends" in str(err)
    err = error_of(write(tmp_path, MINIMAL + "extends: ghost.yaml\n", "c.yaml"))
    assert "ghost.yaml" in str(err)
    assert "c.yaml" in str(err)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "#" * 1_100_000 + "\n")
    assert "larger than" in str(error_of(path))


def test_yaml_is_read_safely(tmp_path: Path) -> None:
    # Loaded unsafely, this scenario would create ``victim`` while reading the name.
    victim = tmp_path / "created_by_yaml"
    payload = f"name: !!python/object/apply:builtins.open [{json.dumps(str(victim))}, w]\n"
    path = write(tmp_path, MINIMAL.replace("name: tiny\n", payload))
    err = error_of(path)
    assert not victim.exists()
    assert str(path) in str(err)
    assert "the tag !!python/object/apply:builtins.open is not allowed" in str(err)
    assert "only plain YAML" in str(err)
    assert "syntax error" not in str(err)


def test_service_change_on_an_unknown_link(tmp_path: Path, network: mc.Network) -> None:
    text = MINIMAL + "services:\n  - {link: AKTAU-ALAT, headway_hours: 24, note: n, source: s}\n"
    err = error_of(write(tmp_path, text), network)
    assert "services.0.link.0" in str(err)
    assert "AKTAU_PORT-ALAT_PORT" in str(err)


def test_scenario_round_trips_through_yaml(tmp_path: Path) -> None:
    data = yaml.safe_load(MINIMAL)
    data["changes"] = [
        {"stage": ["documents"], "country": "kz", "scale": 0.5, "note": "n", "source": "s"}
    ]
    scenario = mc.load_scenario(write(tmp_path, yaml.safe_dump(data)))
    assert scenario.changes[0].country == ("KZ",)
    assert scenario.name == "tiny"


def test_capacity_change_on_an_unknown_node_or_without_a_figure(
    tmp_path: Path, network: mc.Network
) -> None:
    text = MINIMAL + "capacities:\n  - {node: Aktua, trains_per_day: 9, note: n, source: s}\n"
    err = error_of(write(tmp_path, text), network)
    assert "capacities.0.node.0" in str(err)
    assert "Aktau" in str(err)
    text = MINIMAL + "capacities:\n  - {node: Poti, servers: 2, note: n, source: s}\n"
    err = error_of(write(tmp_path, text), network)
    assert "capacities.0.trains_per_day" in str(err)
    assert "no capacity" in str(err)


# --- a setting is declared once, on the scenario ---------------------------------------


class _ScenarioWithTeu(scenario_module.Scenario):
    teu_per_train: float | None = Field(default=None, gt=0)


@pytest.fixture
def teu_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new setting declared on the scenario model only, as a later version might add:
    files read it, children inherit it and its bound holds, with no second declaration."""
    monkeypatch.setattr(scenario_module, "Scenario", _ScenarioWithTeu)


@pytest.mark.usefixtures("teu_field")
def test_a_new_setting_is_read_from_files_with_its_bound(tmp_path: Path) -> None:
    assert "teu_per_train" in scenario_module.file_model(_ScenarioWithTeu).model_fields
    assert "teu_per_train" not in scenario_module.ScenarioFile.model_fields
    err = error_of(write(tmp_path, MINIMAL + "teu_per_train: -1\n"))
    assert "field teu_per_train" in str(err)
    assert "greater than 0" in str(err)


def test_every_scenario_setting_but_its_origin_can_be_written_in_a_file() -> None:
    settings = set(scenario_module.Scenario.model_fields) - {"path", "chain"}
    assert set(scenario_module.ScenarioFile.model_fields) == settings | {"extends"}


def _teu(path: Path) -> float | None:
    loaded = mc.load_scenario(path)
    assert isinstance(loaded, _ScenarioWithTeu)
    return loaded.teu_per_train


@pytest.mark.usefixtures("teu_field")
def test_a_new_field_is_inherited_without_being_listed(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL + "teu_per_train: 62\n", "parent.yaml")
    child = write(tmp_path, "extends: parent.yaml\nname: child\n", "child.yaml")
    grandchild = write(tmp_path, "extends: child.yaml\nseed: 3\n", "grandchild.yaml")
    assert _teu(child) == 62
    assert _teu(grandchild) == 62
    assert mc.load_scenario(grandchild).name == "child"


@pytest.mark.usefixtures("teu_field")
def test_a_child_setting_the_new_field_wins(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL + "teu_per_train: 62\n", "parent.yaml")
    child = write(tmp_path, "extends: parent.yaml\nteu_per_train: 84\n", "child.yaml")
    grandchild = write(tmp_path, "extends: child.yaml\n", "grandchild.yaml")
    assert _teu(child) == 84
    assert _teu(grandchild) == 84
    assert _teu(tmp_path / "parent.yaml") == 62
    bare = write(tmp_path, MINIMAL, "bare.yaml")
    assert _teu(bare) is None


def test_without_the_new_field_it_is_an_unknown_key(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, MINIMAL + "teu_per_train: 62\n"))
    assert "teu_per_train" in str(err)
    assert "unknown key" in str(err)


# --- hostile YAML ----------------------------------------------------------------------

#: The 417-byte "billion laughs": nine aliases of nine aliases ... expand to 9**9 values.
LAUGHS = (
    "name: lol\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "description: [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


def quick_error(path: Path, network: mc.Network | None = None) -> str:
    """The message of the ScenarioError loading (and checking) ``path`` gives (how fast:
    ``benchmarks/bench_hostile_inputs.py``)."""
    err = error_of(path, network)
    message = str(err)
    assert str(path) in message
    assert len(message) < 1000, message
    return message


def test_billion_laughs_is_refused_fast_without_expanding(tmp_path: Path) -> None:
    assert len(LAUGHS.encode()) < 450
    message = quick_error(write(tmp_path, LAUGHS))
    assert f"more than {MAX_YAML_NODES:,} values" in message
    assert "aliases" in message
    assert "lol" not in message


@pytest.mark.parametrize(
    "value",
    ["[" * 20_000 + "]" * 20_000, "{a: " * 5_000 + "1" + "}" * 5_000, "\n  " + "- " * 100 + "x"],
    ids=["lists", "mappings", "block"],
)
def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path: Path, value: str) -> None:
    message = quick_error(write(tmp_path, MINIMAL + "description: " + value + "\n"))
    assert f"nested more than {MAX_YAML_DEPTH} levels deep" in message


def test_nesting_within_the_limit_reaches_the_model(tmp_path: Path) -> None:
    message = quick_error(write(tmp_path, MINIMAL + "description: " + "[" * 40 + "]" * 40 + "\n"))
    assert "field description" in message


def test_an_alias_inside_its_own_value_is_refused(tmp_path: Path) -> None:
    message = quick_error(write(tmp_path, MINIMAL + "description: &x [1, *x]\n"))
    assert "alias *x refers to a value that contains it" in message


def test_aliases_within_the_limit_are_read(tmp_path: Path) -> None:
    text = MINIMAL.replace("name: tiny", "name: &n tiny") + "description: *n\n"
    assert mc.load_scenario(write(tmp_path, text)).description == "tiny"


def test_a_duplicate_key_is_refused_naming_key_and_lines(tmp_path: Path) -> None:
    message = quick_error(write(tmp_path, MINIMAL + "name: again\n"))
    assert "duplicate key 'name'" in message
    assert "line 6, column 1" in message
    assert "first given at line 2" in message
    nested = MINIMAL.replace("corridor: middle", "corridor: middle, origin: Aktau")
    assert "duplicate key 'origin'" in quick_error(write(tmp_path, nested))


@pytest.mark.parametrize(
    "tagged",
    ["!!python/object/apply:os.system [true]", "!!python/name:os.system", "!mine 3"],
)
def test_a_tag_is_not_allowed_and_not_called_a_syntax_error(tmp_path: Path, tagged: str) -> None:
    message = quick_error(write(tmp_path, MINIMAL + f"description: {tagged}\n"))
    assert "is not allowed: only plain YAML" in message
    assert "syntax" not in message
    assert "line 6" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9" * 5000, "integer too large"),
        ("0x" + "f" * 100_000, "integer too large"),
        ("2025-13-45", "cannot read this value"),
        ("!!binary x", "YAML value error"),
        ("\x1b[31m", "U+001B is not allowed"),
    ],
    ids=["int", "hex", "date", "binary", "control"],
)
def test_unreadable_values_are_scenario_errors(tmp_path: Path, value: str, expected: str) -> None:
    message = quick_error(write(tmp_path, MINIMAL + f"description: {value}\n"))
    assert expected in message


def test_a_huge_value_is_echoed_short(tmp_path: Path) -> None:
    items = ", ".join(["long text " * 5] * 2000)
    message = quick_error(write(tmp_path, MINIMAL + f"description: [{items}]\n"))
    assert "field description" in message
    assert "..." in message


@pytest.mark.parametrize("kind", ["folder", "permission"])
def test_an_unreadable_parent_names_the_childs_extends_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    parent = tmp_path / "parent.yaml"
    if kind == "folder":
        parent.mkdir()
    else:
        parent.write_text(MINIMAL, encoding="utf-8")
        real_read_text = Path.read_text

        def read_text(self: Path, *args: Any, **kwargs: Any) -> str:
            if self.name == "parent.yaml":
                raise PermissionError(13, "Permission denied", str(self))
            return real_read_text(self, *args, **kwargs)

        monkeypatch.setattr(Path, "read_text", read_text)
    child = write(tmp_path, "extends: parent.yaml\n", "child.yaml")
    message = quick_error(child)
    assert message.startswith(f"{child}: field extends: parent scenario 'parent.yaml'")
    assert str(parent) in message
    assert ("is a folder" if kind == "folder" else "cannot be read (Permission denied)") in message


def test_an_unreadable_scenario_file_is_a_scenario_error(tmp_path: Path) -> None:
    assert "is a folder, not a scenario file" in quick_error(tmp_path)
    assert "cannot be read" in str(error_of(tmp_path / ("x" * 5000 + ".yaml")))
    assert "not found" in str(error_of(Path("bad\x00name.yaml")))


# --- numeric bounds --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "fld", "bounds"),
    [
        ("volume: {middle: 1.0e+7}", "volume.middle", VOLUME_BOUNDS),
        ("volume: {middle: 1.0e+300}", "volume.middle", VOLUME_BOUNDS),
        ("volume: {middle: 1.0e-300}", "volume.middle", VOLUME_BOUNDS),
        ("volume: {middle: 1e-300}", "volume.middle", VOLUME_BOUNDS),
        ("volume: {middle: 0.5}", "volume.middle", VOLUME_BOUNDS),
        ("volume: {middle: .inf}", "volume.middle", VOLUME_BOUNDS),
        ("volume: {middle: .nan}", "volume.middle", VOLUME_BOUNDS),
        ("services: [{sea: caspian, capacity_teu: 1.0e-9, NS}]", "services.0.capacity_teu", None),
        ("services: [{sea: caspian, vessels: 1000000000, NS}]", "services.0.vessels", None),
        ("services: [{sea: caspian, vessels: 1.0e+9, NS}]", "services.0.vessels", None),
        (
            "services: [{sea: caspian, headway_hours: 1.0e+308, NS}]",
            "services.0.headway_hours",
            None,
        ),
        (
            "services: [{sea: caspian, round_trip_hours: 9000, NS}]",
            "services.0.round_trip_hours",
            None,
        ),
        ("services: [{sea: caspian, max_hold_hours: 0, NS}]", "services.0.max_hold_hours", None),
        ("capacities: [{node: Aktau, servers: 1000000000, NS}]", "capacities.0.servers", None),
        (
            "capacities: [{node: Aktau, trains_per_day: 1.0e+9, NS}]",
            "capacities.0.trains_per_day",
            None,
        ),
        (
            "capacities: [{node: Aktau, trains_per_day: 1.0e-9, NS}]",
            "capacities.0.trains_per_day",
            None,
        ),
        ("changes: [{stage: rail, set: 1.0e+308, NS}]", "changes.0.set", SET_HOURS_BOUNDS),
        ("changes: [{stage: rail, add: -1.0e+308, NS}]", "changes.0.add", ADD_HOURS_BOUNDS),
        ("changes: [{stage: rail, add: 87601, NS}]", "changes.0.add", ADD_HOURS_BOUNDS),
        ("changes: [{stage: rail, scale: 1.0e+300, NS}]", "changes.0.scale", SCALE_BOUNDS),
        ("changes: [{stage: rail, scale: 1001, NS}]", "changes.0.scale", SCALE_BOUNDS),
    ],
)
def test_implausible_figures_are_refused_stating_the_bounds(
    tmp_path: Path, network: mc.Network, extra: str, fld: str, bounds: Bounds | None
) -> None:
    text = MINIMAL + extra.replace("NS", "note: n, source: s") + "\n"
    message = quick_error(write(tmp_path, text), network)
    assert f"field {fld}: must be " in message
    if bounds is not None:
        assert bounds.text() in message
    assert "Value error" not in message


def test_the_bounds_themselves_are_accepted(tmp_path: Path, network: mc.Network) -> None:
    text = MINIMAL + (
        "volume: {middle: 100000, northern: 20, other: 0}\n"
        "services: [{sea: caspian, capacity_teu: 100000, vessels: 1000, headway_hours: 8760,"
        " round_trip_hours: 8760, max_hold_hours: 8760, note: n, source: s}]\n"
        "capacities: [{node: Aktau, trains_per_day: 10000, servers: 1000, note: n, source: s}]\n"
        "changes:\n"
        "  - {stage: documents, scale: 1000, note: n, source: s}\n"
        "  - {stage: rail, set: 87600, note: n, source: s}\n"
        "  - {stage: port, add: -87600, note: n, source: s}\n"
    )
    scenario = mc.load_scenario(write(tmp_path, text))
    check_scenario(scenario, network)


def test_a_volume_below_the_smallest_is_refused_and_zero_means_none(tmp_path: Path) -> None:
    below = MIN_VOLUME_TEU_PER_WEEK / 2
    message = str(error_of(write(tmp_path, MINIMAL + f"volume: {{middle: {below}}}\n")))
    assert "field volume.middle: must be 0 or from 20 to 100,000 TEU a week" in message
    scenario = mc.load_scenario(write(tmp_path, MINIMAL + "volume: {middle: -0.0}\n"))
    assert scenario.volume["middle"] == 0
    assert math.copysign(1, scenario.volume["middle"]) == 1


@pytest.mark.parametrize("volume", [MIN_VOLUME_TEU_PER_WEEK, 21.3, 33.7, 55.5])
def test_the_smallest_volumes_simulate_every_queue(
    tmp_path: Path, network: mc.Network, volume: float
) -> None:
    text = MINIMAL.replace(
        "corridor: middle}",
        "corridor: middle}\n  - {origin: Aktau, destination: Alat, corridor: middle}",
    )
    text += f"volume: {{middle: {volume}}}\n"
    run = mc.run_scenario(mc.load_scenario(write(tmp_path, text)), network, samples=100)
    for trip in run.trips:
        assert math.isfinite(trip.days()["p90"])


def test_the_bounds_are_documented() -> None:
    text = (SCENARIOS / "README.md").read_text(encoding="utf-8")
    for bounds in (VOLUME_BOUNDS, SCALE_BOUNDS, SET_HOURS_BOUNDS, ADD_HOURS_BOUNDS):
        assert f"{bounds.low:,g} to {bounds.high:,g}" in text
    for value in (MAX_HOURS, MAX_CAPACITY_TEU, MAX_VESSELS, MAX_TRAINS_PER_DAY, MAX_SERVERS):
        assert f"{value:,g}" in text
    assert f"{MAX_YAML_DEPTH} levels" in text
    assert f"{MAX_YAML_NODES:,} values" in text


@pytest.mark.parametrize(
    ("extra", "fld", "problem"),
    [
        (
            "  - {origin: Almaty, destination: Aktau, shipment: containr}\n",
            "routes.1.shipment",
            "'block_train', 'wagonload' or 'container'",
        ),
        ("volume: {middle: [100, 200]}\n", "volume.middle", "12 monthly volumes"),
        (
            "volume: {middle: [100, 100, 100, 100, 100, 5, 100, 100, 100, 100, 100, 100]}\n",
            "volume.middle",
            "(month 6)",
        ),
        (
            "services: [{link: AKTAU_PORT-ALAT_PORT, demand_teu_per_week: {container: 100},"
            " note: n, source: s}]\n",
            "services.0.demand_teu_per_week",
            "not a scheduled service",
        ),
        (
            "changes: [{figure_source: mlit_trials_winter, set: 0, note: n, source: s}]\n",
            "changes.0.figure_source.0",
            "did you mean mlit_trials_winter_2025",
        ),
    ],
)
def test_shipment_fields_are_checked(
    tmp_path: Path, network: mc.Network, extra: str, fld: str, problem: str
) -> None:
    text = MINIMAL + extra
    message = quick_error(write(tmp_path, text), network)
    assert f"field {fld}" in message
    assert problem in message


def test_monthly_volumes_and_shipments_load(tmp_path: Path) -> None:
    text = MINIMAL + (
        "  - {origin: Almaty, destination: Constanta, corridor: middle, shipment: container}\n"
        "volume: {middle: [500, 500, 500, 500, 500, 500, 500, 500, 500, 1500, 1500, 0]}\n"
    )
    scenario = mc.load_scenario(write(tmp_path, text))
    assert [r.shipment for r in scenario.routes] == ["block_train", "container"]
    assert scenario.volume["middle"] == (500.0,) * 9 + (1500.0, 1500.0, 0.0)
