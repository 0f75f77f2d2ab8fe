"""A setting of a service or capacity is declared once, on the network's model: scenario
changes may set it (within its bounds), the runner applies it, and a grid may vary it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

import midcorridor as mc
from midcorridor.inputs.bounds import Hours
from midcorridor.inputs.changes import (
    CapacityChange,
    ServiceChange,
    ServiceSelectors,
    numeric_settings,
    settings_of,
)
from midcorridor.inputs.grid_file import AXIS_FIELDS, Axis
from midcorridor.inputs.network_files import LinkService, NodeCapacity
from midcorridor.runs.grid import load_grid
from midcorridor.runs.resolve import resolve

PROVENANCE = {"source", "note"}


def test_every_field_of_a_service_or_capacity_is_a_setting_of_its_change() -> None:
    assert set(ServiceChange.settable) == set(LinkService.model_fields) - PROVENANCE
    assert set(CapacityChange.settable) == set(NodeCapacity.model_fields) - PROVENANCE


def test_the_grid_may_vary_every_numeric_setting() -> None:
    assert set(AXIS_FIELDS["service"]) == set(ServiceChange.settable) - {"dispatch"}
    assert set(AXIS_FIELDS["capacity"]) == {"trains_per_day", "servers", "load_share"}
    # a field the grid could not vary before its axes came from the model
    assert "cutoff_hours" in AXIS_FIELDS["service"]


class _ServiceWithBerth(LinkService):
    """A service with a field a later version might add."""

    berth_hours: Hours = 2.0


def test_a_field_added_to_the_service_reaches_changes_and_axes_without_a_second_edit() -> None:
    change_model = settings_of(
        _ServiceWithBerth, base=ServiceSelectors, name="BerthChange", doc="with berth"
    )
    assert "berth_hours" in change_model.settable
    assert "berth_hours" in numeric_settings(change_model)
    change = change_model.model_validate({"berth_hours": 5, "note": "n", "source": "s"})
    assert change.updates() == {"berth_hours": 5}
    service = _ServiceWithBerth(
        dispatch="on_fill", headway_hours=24, capacity_teu=100, vessels=2, round_trip_hours=48
    )
    assert service.model_copy(update=change.updates()).berth_hours == 5
    # the field's bounds come with it
    with pytest.raises(ValidationError, match="above 0"):
        change_model.model_validate({"berth_hours": -1, "note": "n", "source": "s"})


def test_a_service_setting_is_applied_by_the_runner(tmp_path: Path, network: mc.Network) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: cutoff\n"
        "routes: [{origin: Almaty, destination: Constanta, corridor: middle}]\n"
        "services:\n  - {sea: black_sea, dispatch: scheduled, cutoff_hours: 30, note: n, "
        "source: s}\n",
        encoding="utf-8",
    )
    services = resolve(mc.load_scenario(path), network).services
    black_sea = [lk for lk in network.links_by_id.values() if lk.props.sea == "black_sea"]
    assert black_sea
    for link in black_sea:
        assert services[link.id].cutoff_hours == 30
        assert services[link.id].dispatch == "scheduled"


def test_a_grid_axis_on_a_newly_variable_setting_sets_it(tmp_path: Path) -> None:
    base = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
    grid_file = tmp_path / "g.yaml"
    grid_file.write_text(
        f"name: cutoffs\nbase: {base}\nsamples: 100\n"
        "axes:\n  - name: cutoff\n    field: cutoff_hours\n    values: [0, 12, 24]\n"
        "    service: {sea: black_sea, dispatch: scheduled, note: n, source: s}\n",
        encoding="utf-8",
    )
    grid = load_grid(grid_file)
    cutoffs = [grid.scenario(i, 0).services[-1].updates()["cutoff_hours"] for i in range(3)]
    assert cutoffs == [0, 12, 24]


def test_an_axis_on_a_field_the_change_cannot_set_is_refused() -> None:
    with pytest.raises(ValidationError, match="field: for a service axis one of"):
        Axis.model_validate(
            {
                "name": "x",
                "field": "dispatch",
                "values": [1, 2],
                "service": {"sea": "caspian", "note": "n", "source": "s"},
            }
        )


def test_a_derived_scenario_is_validated(baseline: mc.Scenario) -> None:
    with pytest.raises(mc.ScenarioError, match=r"field volume\.middle: must be 0 or from 20"):
        baseline.derive(volume={"middle": 5})
    with pytest.raises(TypeError, match="not a scenario setting"):
        baseline.derive(volumes={"middle": 500})
    assert baseline.derive(volume={"middle": 500}).volume == {"middle": 500}
