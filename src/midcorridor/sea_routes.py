"""Deep-sea legs drawn by ``searoute``: the line and length of each ``sea: ocean`` link.

The network file stores every ocean link's geometry and ``length_km`` as computed here,
so a run does not depend on the sea-route graph; :func:`ocean_legs` recomputes them
(``midcorridor network sea-routes``) and the tests check that the stored ones still
match. ``passage`` picks the way: ``suez`` through the Red Sea, ``cape`` round the Cape
of Good Hope (Suez, Bab-el-Mandeb and Panama closed to the router).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .network import Network
from .vocabulary import Passage

__all__ = ["PASSAGE_RESTRICTIONS", "OceanLeg", "ocean_leg", "ocean_legs"]

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
