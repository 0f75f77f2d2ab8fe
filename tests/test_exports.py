"""Results a spreadsheet or a GIS opens: frames, layers, exports, and short reprs."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

import midcorridor as mc
from cli_runner import invoke
from midcorridor.runs.frames import RUN_COLUMNS, route_gdf
from midcorridor.views.exports import EXPORT_SUFFIXES, export_runs

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
ROUTES = (
    mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="middle", label="middle"),
    mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="middle", shipment="container"),
    mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="any", label="fastest"),
)


@pytest.fixture(scope="module")
def runs(network: mc.Network) -> list[mc.ScenarioRun]:
    out = []
    for name in ("baseline", "northern_closed"):
        scenario = mc.load_scenario(SCENARIOS / f"{name}.yaml").derive(routes=ROUTES)
        out.append(mc.run_scenario(scenario, network, samples=800))
    return out


def test_a_run_frame_has_one_row_per_route_with_the_json_figures(
    runs: list[mc.ScenarioRun], network: mc.Network
) -> None:
    run = runs[0]
    frame = run.frame()
    assert list(frame.columns) == list(RUN_COLUMNS)
    assert len(frame) == len(run.trips) == 3
    for row, trip in zip(frame.itertuples(), run.to_dict(network)["routes"], strict=True):
        assert row.route == trip["label"]
        assert row.days_p50 == trip["days"]["p50"]
        assert row.usd_p50 == trip["cost_usd"]["p50"]
        assert row.t_co2e_p50 == pytest.approx(trip["co2e_kg"]["p50"] / 1000)


def test_a_comparison_frame_is_tidy_with_the_change_split_by_kind(
    runs: list[mc.ScenarioRun],
) -> None:
    frame = mc.compare_runs(runs).frame()
    assert len(frame) == 6  # three routes in two scenarios
    fastest = frame[frame["route"] == "fastest"].set_index("scenario")["delta_p50_days"]
    # Closing Russia sends the fastest trip to the Middle Corridor: days go up.
    assert fastest["northern_closed"] > 3
    kinds = ["delta_desk_days", "delta_queue_days", "delta_connections_days", "delta_other_days"]
    assert (frame[kinds].sum(axis=1) - frame["delta_mean_days"]).abs().max() < 1e-9


def test_route_gdf_follows_the_route_link_by_link(
    runs: list[mc.ScenarioRun], network: mc.Network
) -> None:
    trip = runs[0].trip("middle")
    links = route_gdf(trip, network)
    assert list(links["link"]) == list(trip.route.links)
    assert links["km"].sum() == pytest.approx(trip.route.distance_km)
    origin = network.nodes_by_id[trip.route.origin]
    first = links.geometry.iloc[0].coords[0]
    assert first == pytest.approx((origin.lon, origin.lat), abs=1e-3)
    assert (links["moving_hours"] > 0).all()


@pytest.mark.parametrize("suffix", EXPORT_SUFFIXES)
def test_every_export_opens_and_round_trips_the_days(
    runs: list[mc.ScenarioRun], network: mc.Network, tmp_path: Path, suffix: str
) -> None:
    path = export_runs(runs, network, tmp_path / f"results{suffix}")
    if suffix == ".csv":
        frame = pd.read_csv(path)
    elif suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:
        frame = gpd.read_file(path, layer="routes" if suffix == ".gpkg" else None)
        assert frame.crs.to_epsg() == 4326
        assert set(frame.geom_type) == {"LineString"}
    assert len(frame) == 6
    expected = pd.concat([r.frame() for r in runs], ignore_index=True)
    assert list(frame["route"]) == list(expected["route"])
    assert frame["days_p50"].to_numpy() == pytest.approx(expected["days_p50"].to_numpy())
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_a_geopackage_holds_node_hours_and_the_closed_network(
    runs: list[mc.ScenarioRun], network: mc.Network, tmp_path: Path
) -> None:
    path = export_runs(runs, network, tmp_path / "results.gpkg")
    layers = dict(pyogrio.list_layers(path))
    assert layers == {"routes": "LineString", "node_hours": "Point", "network": "LineString"}
    hours = gpd.read_file(path, layer="node_hours")
    aktau = hours[(hours["node"] == "AKTAU_PORT") & (hours["scenario"] == "baseline")]
    assert (aktau["total_hours"] > 0).all()
    links = gpd.read_file(path, layer="network")
    assert len(links) == len(network.links_by_id)
    into_russia = links["id"].isin(
        [k for k, lk in network.links_by_id.items() if "RU" in network.link_countries(k)]
    )
    assert links.loc[into_russia, "closed_northern_closed"].all()
    assert links["closed_northern_closed"].sum() > links["closed_baseline"].sum()


def test_export_of_an_unknown_format_is_refused_before_any_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scenario = str(SCENARIOS / "baseline.yaml")
    code, _, err = invoke(
        ["run", scenario, "--export", str(tmp_path / "r.xlsx")], capsys, monkeypatch
    )
    assert code == 2
    assert ".csv or .parquet or .geojson or .gpkg" in err
    assert not list(tmp_path.iterdir())


def test_results_have_short_reprs(runs: list[mc.ScenarioRun], network: mc.Network) -> None:
    package = mc.load_scenario(SCENARIOS / "digital_customs.yaml").derive(routes=ROUTES)
    results = [
        runs[0],
        runs[0].trips[0],
        mc.compare_runs(runs),
        mc.customs_report(runs[0], network),
        mc.package_savings(package, network, samples=300),
    ]
    for result in results:
        text = repr(result)
        assert len(text) < 2000, (type(result).__name__, len(text))
        assert type(result).__name__ in text
    assert not math.isnan(runs[0].frame()["days_p50"].iloc[0])
    assert "<table" in runs[0]._repr_html_()
