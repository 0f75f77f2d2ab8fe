"""Candidate paths between two places, labelled by corridor.

A route's corridor is ``middle`` when it crosses the Caspian by ferry, ``sea`` when it
sails a deep-sea line (``sea: ocean``), ``northern`` when it passes through Russia, and
``other`` otherwise.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx

from .._errors import MidcorridorError, RouteError
from ..results import NetworkSummary, ShortestKm
from ..vocabulary import CORRIDOR_CHOICES, CORRIDORS, DEFAULT_ERA, Corridor, CorridorChoice
from .network import Network

__all__ = [
    "REFERENCE_PAIRS",
    "Route",
    "candidate_routes",
    "classify",
    "iter_routes",
    "network_summary",
    "resolve_avoid",
    "shortest_routes",
]


#: How many shortest paths (by km) are examined per request at most.
MAX_PATHS_SCANNED = 200


@dataclass(frozen=True)
class Route:
    """A path through the network.

    Attributes
    ----------
    nodes
        Node ids from origin to destination.
    links
        Link ids, ``len(nodes) - 1`` of them.
    distance_km
        Sum of the links' ``length_km``.
    corridor
        ``middle``, ``northern`` or ``other``.
    countries
        ISO alpha-2 codes in the order the route meets them.
    """

    nodes: tuple[str, ...]
    links: tuple[str, ...]
    distance_km: float
    corridor: Corridor
    countries: tuple[str, ...]

    @property
    def origin(self) -> str:
        """Origin node id."""
        return self.nodes[0]

    @property
    def destination(self) -> str:
        """Destination node id."""
        return self.nodes[-1]

    def to_dict(self, network: Network) -> dict[str, Any]:
        """JSON of the route: ends, corridor, km, path, links, countries, sea legs."""
        return {
            "origin": self.origin,
            "destination": self.destination,
            "corridor": self.corridor,
            "distance_km": round(self.distance_km, 1),
            "path": list(self.nodes),
            "links": list(self.links),
            "countries": list(self.countries),
            "via": self.via(network),
        }

    def via(self, network: Network) -> str:
        """Short description of the sea legs, e.g. "Aktau-Alat ferry, Poti-Constanta ferry"."""
        legs = []
        for link_id in self.links:
            link = network.links_by_id[link_id].props
            if link.mode != "rail":
                a, b = (network.nodes_by_id[n].props.name for n in (link.from_, link.to))
                legs.append(f"{a} - {b} {link.mode}")
        return ", ".join(legs) or "rail only"


def classify(network: Network, links: Iterable[str], countries: Iterable[str]) -> Corridor:
    """Corridor label of a path given its link ids and countries."""
    seas = {network.links_by_id[lk].props.sea for lk in links}
    if "caspian" in seas:
        return "middle"
    if "ocean" in seas:
        return "sea"
    if "RU" in countries:
        return "northern"
    return "other"


def _route(network: Network, nodes: list[str], links: list[str]) -> Route:
    countries = dict.fromkeys(c for n in nodes for c in network.nodes_by_id[n].props.countries)
    km = sum(network.links_by_id[lk].props.length_km for lk in links)
    return Route(
        nodes=tuple(nodes),
        links=tuple(links),
        distance_km=km,
        corridor=classify(network, links, countries),
        countries=tuple(countries),
    )


def resolve_avoid(network: Network, avoid: Iterable[str]) -> set[str]:
    """Node ids to avoid, from country codes (``RU``) and place names.

    Raises
    ------
    midcorridor.PlaceNotFoundError
        For an entry that is neither a country of the network nor a place.
    """
    countries = network.countries
    blocked: set[str] = set()
    for item in avoid:
        code = item.strip().upper()
        if len(code) == 2 and code in countries:
            blocked |= {n.id for n in network.nodes_by_id.values() if code in n.props.countries}
        else:
            blocked.add(network.find_node(item))
    return blocked


def _simple_graph(network: Network, blocked_nodes: set[str], blocked_links: set[str]) -> nx.DiGraph:
    """Open links as a DiGraph keeping the shortest link between each pair of nodes."""
    g = nx.DiGraph()
    for link in network.links_by_id.values():
        p = link.props
        if p.status != "open" or p.id in blocked_links:
            continue
        if p.from_ in blocked_nodes or p.to in blocked_nodes:
            continue
        for a, b in ((p.from_, p.to), (p.to, p.from_)):
            if not g.has_edge(a, b) or g[a][b]["length_km"] > p.length_km:
                g.add_edge(a, b, length_km=p.length_km, link=p.id)
    return g


def _corridor_blocks(network: Network, corridor: CorridorChoice) -> tuple[set[str], set[str]]:
    """Nodes and links that no route of ``corridor`` uses, to prune the search."""
    russia = {n.id for n in network.nodes_by_id.values() if "RU" in n.props.countries}
    caspian = {lk.id for lk in network.links_by_id.values() if lk.props.sea == "caspian"}
    ocean = {lk.id for lk in network.links_by_id.values() if lk.props.sea == "ocean"}
    if corridor == "middle":
        return russia, ocean
    if corridor == "northern":
        return set(), caspian | ocean
    if corridor == "sea":
        return russia, caspian
    return russia, caspian | ocean


def iter_routes(
    network: Network,
    origin: str,
    destination: str,
    *,
    corridor: CorridorChoice | None = None,
    blocked_nodes: Iterable[str] = (),
    blocked_links: Iterable[str] = (),
) -> Iterator[Route]:
    """Routes from ``origin`` to ``destination`` (node ids), shortest km first.

    Closed links, ``blocked_links`` and ``blocked_nodes`` are left out; with
    ``corridor`` (``middle``, ``northern``, ``other``) only routes of that corridor are
    yielded. Yields nothing when no path exists.
    """
    blocked, links = set(blocked_nodes), set(blocked_links)
    if corridor not in (None, "any"):
        extra_nodes, extra_links = _corridor_blocks(network, corridor)
        blocked |= extra_nodes
        links |= extra_links
    blocked -= {origin, destination}
    g = _simple_graph(network, blocked, links)
    if origin not in g or destination not in g or not nx.has_path(g, origin, destination):
        return
    paths = nx.shortest_simple_paths(g, origin, destination, weight="length_km")
    for path in itertools.islice(paths, MAX_PATHS_SCANNED):
        route = _route(network, path, [g[a][b]["link"] for a, b in itertools.pairwise(path)])
        if corridor in (None, "any", route.corridor):
            yield route


def shortest_routes(
    network: Network,
    origin: str,
    destination: str,
    *,
    corridor: CorridorChoice,
    count: int,
    blocked_nodes: Iterable[str] = (),
    blocked_links: Iterable[str] = (),
    via: Collection[str] = (),
) -> tuple[Route, ...]:
    """The ``count`` shortest routes of :func:`iter_routes` that pass every node of ``via``.

    Found once per network and question, then remembered (``Network.route_memo``): the
    search (Yen's k shortest paths) is the largest part of planning a scenario, and every
    scenario of a grid, every run of the corridor choice, asks the same questions.
    """
    key = (
        origin,
        destination,
        corridor,
        count,
        frozenset(blocked_nodes),
        frozenset(blocked_links),
        tuple(via),
    )
    found = network.route_memo.get(key)
    if found is None:
        routes = iter_routes(
            network,
            origin,
            destination,
            corridor=corridor,
            blocked_nodes=blocked_nodes,
            blocked_links=blocked_links,
        )
        passing = (r for r in routes if all(v in r.nodes for v in via))
        found = network.route_memo[key] = tuple(itertools.islice(passing, count))
    return found


def candidate_routes(
    network: Network,
    origin: str,
    destination: str,
    *,
    corridor: CorridorChoice | None = None,
    avoid: Iterable[str] = (),
    blocked_links: Iterable[str] = (),
    k: int = 5,
) -> list[Route]:
    """Up to ``k`` shortest routes between two places.

    Parameters
    ----------
    network
        The network.
    origin, destination
        Places by id, name or alias.
    corridor
        ``middle``, ``northern``, ``other``, or None / ``any`` for all.
    avoid
        Country codes (e.g. ``RU``) and places the route must not pass.
    blocked_links
        Link ids taken out (e.g. by a scenario's closures).
    k
        Number of routes returned.

    Returns
    -------
    list of Route
        Shortest first (km).

    Raises
    ------
    PlaceNotFoundError
        When a place is unknown.
    RouteError
        When no route satisfies the request; the message says which condition cut it.
    """
    if corridor not in (None, *CORRIDOR_CHOICES):
        choices = ", ".join(CORRIDOR_CHOICES)
        raise RouteError(f"Unknown corridor {corridor!r}: use one of {choices}.")
    a, b = network.find_node(origin), network.find_node(destination)
    if a == b:
        raise RouteError(f"Origin and destination are the same place: {network.describe(a)}.")
    blocked = resolve_avoid(network, avoid)
    for end in (a, b):
        if end in blocked:
            raise RouteError(f"{network.describe(end)} is itself avoided by --avoid.")
    routes = iter_routes(
        network, a, b, corridor=corridor, blocked_nodes=blocked, blocked_links=blocked_links
    )
    found = list(itertools.islice(routes, k))
    if not found:
        wanted = f" on the {corridor} corridor" if corridor not in (None, "any") else ""
        cut = f" avoiding {', '.join(sorted(set(avoid)))}" if avoid else ""
        raise RouteError(
            f"No route from {network.describe(a)} to {network.describe(b)}{wanted}{cut} "
            "over open links."
        )
    return found


#: Origin-destination pairs whose shortest km per corridor ``network check`` reports.
REFERENCE_PAIRS = (("Almaty", "Constanta"), ("Xi'an", "Duisburg"), ("Almaty", "Duisburg"))


def network_summary(
    network: Network,
    pairs: Iterable[tuple[str, str]] = REFERENCE_PAIRS,
    *,
    era: int = DEFAULT_ERA,
) -> NetworkSummary:
    """Counts, open km by mode, the shortest km per corridor between ``pairs``, and the
    sources by basis with those older than ``era``.

    Pairs naming a place the network lacks are left out.
    """
    links = network.links_by_id.values()
    km_by_mode: dict[str, float] = {}
    for link in links:
        if link.props.status == "open":
            mode = link.props.mode
            km_by_mode[mode] = km_by_mode.get(mode, 0.0) + link.props.length_km
    shortest = []
    for a, b in pairs:
        try:
            origin, destination = network.find_node(a), network.find_node(b)
        except MidcorridorError:
            continue
        km: dict[Corridor, int] = {}
        for corridor in CORRIDORS:
            route = next(iter_routes(network, origin, destination, corridor=corridor), None)
            if route is not None:
                km[corridor] = round(route.distance_km)
        shortest.append(ShortestKm(origin, destination, km))
    return NetworkSummary(
        path=str(network.path),
        nodes=len(network.nodes_by_id),
        nodes_by_kind=dict(Counter(n.props.kind for n in network.nodes_by_id.values())),
        links=len(network.links_by_id),
        links_by_mode=dict(Counter(lk.props.mode for lk in links)),
        closed_links=tuple(lk.id for lk in links if lk.props.status == "closed"),
        open_km_by_mode={m: round(km) for m, km in km_by_mode.items()},
        countries=tuple(sorted(network.countries)),
        sources=len(network.sources),
        shortest_km=tuple(shortest),
        sources_by_basis=dict(Counter(e.basis for e in network.sources.values())),
        era=era,
        stale_sources=tuple(network.stale_sources(era)),
    )
