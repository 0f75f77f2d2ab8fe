"""Scenario files: the shipped library, inheritance, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pydantic import Field

import midcorridor as mc
import midcorridor.scenario as scenario_module
from midcorridor.runner import check_scenario

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


def test_digital_customs_cuts_middle_documents_not_northern(network: mc.Network) -> None:
    base = mc.run_scenario(mc.load_scenario(SCENARIOS / "baseline.yaml"), network, samples=2000)
    digital = mc.run_scenario(
        mc.load_scenario(SCENARIOS / "digital_customs.yaml"), network, samples=2000
    )
    rows = {r.label: r.last for r in mc.compare_runs([base, digital])}
    middle = rows["Almaty-Constanta, Middle Corridor"]
    northern = rows["Almaty-Constanta, via Russia"]
    assert middle.delta_p50_days < -1.0
    moved = middle.stage_deltas_days
    assert moved["documents"] + moved["inspection"] == pytest.approx(
        middle.delta_mean_days, abs=0.05
    )
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
    assert "did you mean 'departure_month'" in str(err)
    nested = MINIMAL.replace("corridor: middle", "coridor: middle")
    err = error_of(write(tmp_path, nested))
    assert "routes.0.coridor" in str(err)
    assert "'corridor'" in str(err)


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
    err = error_of(write(tmp_path, MINIMAL + extra))
    assert f"field {fld}" in str(err)
    assert "s.yaml" in str(err)


def test_unknown_place_suggests_close_names(tmp_path: Path, network: mc.Network) -> None:
    err = error_of(write(tmp_path, MINIMAL.replace("Constanta", "Konstanta")), network)
    assert "routes.0.destination" in str(err)
    assert "Constan" in str(err)
    assert "Did you mean" in str(err)


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
    assert "python/object/apply:builtins.open" in str(err)
    assert "could not determine a constructor for the tag" in str(err)


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


# --- inheritance follows the model's fields ------------------------------------------


class _FileWithTeu(scenario_module.ScenarioFile):
    teu_per_train: float | None = Field(default=None, gt=0)


class _ScenarioWithTeu(scenario_module.Scenario):
    teu_per_train: float | None = None


@pytest.fixture
def teu_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new optional field on the file and scenario models, as a later version might add."""
    monkeypatch.setattr(scenario_module, "ScenarioFile", _FileWithTeu)
    monkeypatch.setattr(scenario_module, "Scenario", _ScenarioWithTeu)


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
