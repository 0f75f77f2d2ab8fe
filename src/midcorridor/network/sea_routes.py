"""Deep-sea legs drawn by ``searoute``: the line and length of each ``sea: ocean`` link.

The network file stores every ocean link's geometry and ``length_km`` as computed here,
so a run does not depend on the sea-route graph; :func:`ocean_legs` recomputes them
(``midcorridor network sea-routes``) and the tests check that the stored ones still
match. ``passage`` picks the way: ``suez`` through the Red Sea, ``cape`` round the Cape
of Good Hope (Suez, Bab-el-Mandeb and Panama closed to the router).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .._errors import needs_extra
from .._files import atomic_write
from ..vocabulary import Passage
from .network import LINKS_FILE, Link, Network

__all__ = [
    "PASSAGE_RESTRICTIONS",
    "OceanLeg",
    "detour_line",
    "dump_links",
    "ocean_leg",
    "ocean_legs",
    "write_ocean_legs",
]

#: Passages closed to ``searoute`` for each way round (the Northwest Passage always).
PASSAGE_RESTRICTIONS: dict[Passage, tuple[str, ...]] = {
    "suez": ("northwest",),
    "cape": ("northwest", "suez", "babalmandab", "panama"),
}
#: Decimal places of the stored coordinates (about 1 km).
COORD_DECIMALS = 2


@dataclass(frozen=True)
class OceanLeg:
    """A sea route between two ports: its line (lon, lat) and length, km."""

    link: str
    coords: tuple[tuple[float, float], ...]
    length_km: float


def ocean_leg(
    origin: tuple[float, float], destination: tuple[float, float], passage: Passage
) -> tuple[tuple[tuple[float, float], ...], float]:
    """The sea route from ``origin`` to ``destination`` (lon, lat) by ``passage``.

    Returns
    -------
    coords, length_km
        The line, rounded to :data:`COORD_DECIMALS` places, and its length, km.
    """
    with needs_extra("sea", "Drawing the ocean links"):
        import searoute

    feature = searoute.searoute(
        list(origin),
        list(destination),
        units="km",
        restrictions=list(PASSAGE_RESTRICTIONS[passage]),
        append_orig_dest=True,
    )
    coords = tuple(
        (round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS))
        for lon, lat in feature["geometry"]["coordinates"]
    )
    return coords, float(feature["properties"]["length"])


def ocean_legs(network: Network) -> Iterator[OceanLeg]:
    """Every ocean link of ``network`` as ``searoute`` draws it today."""
    for link in network.links_by_id.values():
        p = link.props
        if p.sea != "ocean" or p.passage is None:
            continue
        a, b = (network.nodes_by_id[n] for n in (p.from_, p.to))
        coords, km = ocean_leg((a.lon, a.lat), (b.lon, b.lat), p.passage)
        yield OceanLeg(link.id, coords, km)


def detour_line(network: Network, link_id: str) -> Link | None:
    """The ocean line between the same ports as ``link_id`` by another passage (the Cape
    line of a Suez line and back; None: there is none)."""
    p = network.links_by_id[link_id].props
    return next(
        (
            other
            for other in network.links_by_id.values()
            if (other.props.from_, other.props.to) == (p.from_, p.to)
            and other.props.passage not in (None, p.passage)
        ),
        None,
    )


def _flat(value: Any) -> bool:
    """Whether ``value`` is written on one line: a list of numbers or of number pairs, or a
    mapping of plain values."""
    if isinstance(value, list):
        return all(
            not isinstance(v, dict | list)
            or (isinstance(v, list) and all(not isinstance(x, dict | list) for x in v))
            for v in value
        )
    return isinstance(value, dict) and all(not isinstance(v, dict | list) for v in value.values())


#: Longest mapping written on one line in the links file, characters.
_ONE_LINE = 100


def _dump(value: Any, indent: int = 0, key: str | None = None) -> str:
    """JSON in the layout of the network's GeoJSON files (one space a level; coordinate
    lists and short flat mappings on one line, ``sources`` always one entry a line)."""
    if not isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if _flat(value) and value and key != "sources":
        one = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        if isinstance(value, list) or len(one) <= _ONE_LINE:
            return one
    pad = " " * indent
    if isinstance(value, dict):
        items = [
            f"{pad} {json.dumps(k, ensure_ascii=False)}: {_dump(v, indent + 1, k)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    items = [f"{pad} {_dump(v, indent + 1)}" for v in value]
    return "[\n" + ",\n".join(items) + "\n" + pad + "]"


def dump_links(data: dict[str, Any]) -> str:
    """The text of a links (or nodes) GeoJSON file, in the network's layout."""
    return _dump(data) + "\n"


def write_ocean_legs(network: Network) -> list[OceanLeg]:
    """Store today's ``searoute`` line and length of every ocean link in the network's
    ``links.geojson`` (written atomically); the legs that changed."""
    path = network.path / LINKS_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    legs = {leg.link: leg for leg in ocean_legs(network)}
    changed = []
    for feature in data["features"]:
        leg = legs.get(feature["properties"]["id"])
        if leg is None:
            continue
        coords = [list(c) for c in leg.coords]
        km = round(leg.length_km)
        if feature["geometry"]["coordinates"] != coords or feature["properties"]["length_km"] != km:
            feature["geometry"]["coordinates"] = coords
            feature["properties"]["length_km"] = km
            changed.append(leg)
    if changed:
        with atomic_write(path) as out:
            out.write(dump_links(data))
    return changed
