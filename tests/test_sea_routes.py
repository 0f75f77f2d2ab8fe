"""Ocean links: the stored lines and lengths are what searoute draws, by the right way."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import midcorridor as mc
from midcorridor.network.network import LINKS_FILE
from midcorridor.network.read import default_network_dir
from midcorridor.network.sea_routes import ocean_legs, write_ocean_legs

#: The Suez Canal (lon, lat) and how near a Suez line passes it, degrees.
SUEZ = (32.35, 30.5)
NEAR_DEG = 1.5


def test_stored_ocean_links_match_searoute(network: mc.Network) -> None:
    legs = list(ocean_legs(network))
    assert len(legs) == sum(lk.props.sea == "ocean" for lk in network.links_by_id.values())
    assert len(legs) >= 8
    for leg in legs:
        link = network.links_by_id[leg.link]
        assert link.props.length_km == pytest.approx(leg.length_km, abs=1.0)
        assert tuple(map(tuple, link.coords)) == leg.coords


def test_suez_lines_pass_the_canal_and_cape_lines_round_africa(network: mc.Network) -> None:
    for link in network.links_by_id.values():
        if link.props.sea != "ocean":
            continue
        lons = [c[0] for c in link.coords]
        lats = [c[1] for c in link.coords]
        near_suez = any(
            abs(lon - SUEZ[0]) < NEAR_DEG and abs(lat - SUEZ[1]) < NEAR_DEG
            for lon, lat in zip(lons, lats, strict=True)
        )
        if link.props.passage == "suez":
            assert near_suez, link.id
            assert min(lats) > -15, link.id
        else:
            assert not near_suez, link.id
            assert min(lats) < -33, link.id  # south of the Cape of Good Hope (34.4 S)


def test_writing_the_ocean_legs_restores_a_stored_line_in_the_files_layout(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "network"
    shutil.copytree(default_network_dir(), folder)
    path = folder / LINKS_FILE
    original = path.read_text(encoding="utf-8")
    data = json.loads(original)
    link = next(f for f in data["features"] if f["properties"]["id"] == "SHANGHAI-ROTTERDAM")
    link["properties"]["length_km"] = 21_000
    lon, lat = link["geometry"]["coordinates"][3]
    link["geometry"]["coordinates"][3] = [lon + 0.3, lat]
    path.write_text(json.dumps(data), encoding="utf-8")
    changed = write_ocean_legs(mc.load(folder))
    assert [leg.link for leg in changed] == ["SHANGHAI-ROTTERDAM"]
    assert path.read_text(encoding="utf-8") == original
    assert write_ocean_legs(mc.load(folder)) == []
