"""Checks across the network files, each small and named; every problem is collected.

Each file is first validated on its own (its pydantic model, :mod:`midcorridor.inputs`).
The checks here look across files: a link's ends are nodes, a figure's source key is in
``sources.yaml``, a rail link's country has a tariff, gauges meet at a transshipment,
every node is reachable. :class:`Problems` collects what they find as one sentence each
("file: feature ID: field: problem"); :func:`check_network` runs them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import networkx as nx
from pydantic import ValidationError

from .._errors import MidcorridorError, did_you_mean
from ..inputs._read import validation_problems
from ..inputs._yaml import MAX_ECHO_CHARS, short_repr
from ..inputs.cost_files import ChoiceBook, CostBook
from ..inputs.customs_files import CustomsBook, InstrumentBook
from ..inputs.network_files import LINK_SOURCED_FIELDS, ShipmentClass, SourceEntry
from ..inputs.observations import ObservationBook
from ..inputs.targets import TargetBook
from .network import (
    CALIBRATED_FILE,
    CHOICE_FILE,
    COSTS_FILE,
    CUSTOMS_FILE,
    FIT_FILE,
    INSTRUMENTS_FILE,
    LINKS_FILE,
    NODES_FILE,
    OBSERVATIONS_FILE,
    SHIPMENTS_FILE,
    SOURCES_FILE,
    TARGETS_FILE,
    Link,
    Network,
    Node,
)

__all__ = [
    "ENDPOINT_TOLERANCE_DEG",
    "MAX_DETOUR",
    "Problems",
    "check_customs_sources",
    "check_network",
    "check_places",
]

#: ``length_km`` may exceed the geodesic length of its geometry by at most this factor.
MAX_DETOUR = 1.6
#: Link ends must meet their nodes within this many degrees.
ENDPOINT_TOLERANCE_DEG = 1e-3

Nodes = Mapping[str, Node]
Links = Mapping[str, Link]
Sources = Mapping[str, SourceEntry]


def _cut(text: str) -> str:
    """``text`` cut to :data:`~midcorridor.inputs._yaml.MAX_ECHO_CHARS` characters."""
    return text if len(text) <= MAX_ECHO_CHARS else text[: MAX_ECHO_CHARS - 3] + "..."


class Problems:
    """Collects problems as 'file: feature ID: field: problem', and the source keys used."""

    def __init__(self) -> None:
        self.items: list[str] = []
        #: Where each source key is used: (file, feature, field).
        self.uses: dict[str, list[tuple[str, str | None, str]]] = {}
        #: Whether ``sources.yaml`` could not be read at all: its one problem is reported,
        #: not every key the other files use.
        self.sources_unreadable = False

    @property
    def used_sources(self) -> set[str]:
        """The source keys some figure rests on."""
        return set(self.uses)

    def add(
        self, file: str, feature: str | None, fld: str | None, problem: str, what: str = "feature"
    ) -> None:
        """One problem of ``file`` (at ``what`` ``feature``, field ``fld``)."""
        where = [file]
        if feature is not None:
            where.append(f"{what} {_cut(feature)}")
        if fld:
            where.append(f"field {fld}")
        self.items.append(f"{': '.join(where)}: {problem}")

    def add_validation(
        self, file: str, feature: str, error: ValidationError, what: str = "feature"
    ) -> None:
        """Every problem of a feature's validation."""
        for fld, problem in validation_problems(error):
            self.add(file, feature, fld or None, problem, what)

    def source(
        self, key: str, sources: Sources, file: str, feature: str | None, fld: str, what: str
    ) -> None:
        """A figure's source ``key``: used, and a problem if ``sources.yaml`` lacks it."""
        self.uses.setdefault(key, []).append((file, feature, fld))
        if key not in sources and not self.sources_unreadable:
            problem = f"unknown source key {short_repr(key)}{did_you_mean(key, sources, n=1)}"
            self.add(file, feature, fld, problem, what)


def unknown_node(node_id: str, nodes: Iterable[str]) -> str:
    """The problem of a reference to a node that does not exist, with a close match."""
    return f"unknown node {short_repr(node_id)}{did_you_mean(node_id, nodes, n=1)}"


def check_shipments(
    shipments: Mapping[str, ShipmentClass], nodes: Nodes, sources: Sources, problems: Problems
) -> None:
    """A shipment class's nodes exist and its figures' sources are known."""
    for name, shipment in shipments.items():
        keys = [(f"sources.{fld}", key) for fld, key in shipment.sources.items()]
        if shipment.pace is not None:
            keys.append(("pace.source", shipment.pace.source))
        for i, proc in enumerate(shipment.processes):
            keys.append((f"processes.{i}.source", proc.source))
            if proc.probability_source is not None:
                keys.append((f"processes.{i}.probability_source", proc.probability_source))
            for j, node_id in enumerate(proc.nodes or ()):
                if node_id not in nodes:
                    problems.add(
                        SHIPMENTS_FILE,
                        name,
                        f"processes.{i}.nodes.{j}",
                        unknown_node(node_id, nodes),
                        "shipment",
                    )
        for fld, key in keys:
            problems.source(key, sources, SHIPMENTS_FILE, name, fld, "shipment")


def check_choice(choice: ChoiceBook, sources: Sources, problems: Problems) -> None:
    """The choice file's figures have known sources (its places are names, resolved and
    checked when the choice model runs)."""
    for fld, key in choice.sources():
        problems.source(key, sources, CHOICE_FILE, None, fld, "entry")


def check_cost_sources(costs: CostBook, sources: Sources, problems: Problems) -> None:
    """Every cost figure's source key is known."""
    keys = [
        (type(section).__name__.lower(), f"sources.{fld}", key)
        for section in (costs.container, costs.emission_factors)
        for fld, key in section.sources.items()
    ]
    keys += [
        (f"rail.{code}", f"sources.{fld}", key)
        for code, rail in costs.rail.items()
        for fld, key in rail.sources.items()
    ]
    keys += [(f"links.{lk}", "source", charge.source) for lk, charge in costs.links.items()]
    keys += [
        (f"nodes.{node_id}", f"{i}.source", charge.source)
        for node_id, charges in costs.nodes.items()
        for i, charge in enumerate(charges)
    ]
    for where, fld, key in keys:
        problems.source(key, sources, COSTS_FILE, where, fld, "entry")


def check_cost_places(costs: CostBook, nodes: Nodes, links: Links, problems: Problems) -> None:
    """The places the cost file prices exist, and crossings only (rail has tariffs)."""
    for link_id in costs.links:
        where = f"links.{link_id}"
        if link_id not in links:
            problem = f"unknown link {short_repr(link_id)}{did_you_mean(link_id, links, n=1)}"
            problems.add(COSTS_FILE, where, None, problem, "entry")
        elif links[link_id].props.mode == "rail":
            problem = "a rail link is priced by its country's tariff (rail), not here"
            problems.add(COSTS_FILE, where, None, problem, "entry")
    for node_id in costs.nodes:
        if node_id not in nodes:
            problems.add(
                COSTS_FILE, f"nodes.{node_id}", None, unknown_node(node_id, nodes), "entry"
            )


def check_costs_cover_every_link(
    costs: CostBook, nodes: Nodes, links: Links, problems: Problems
) -> None:
    """Every crossing has a freight and every rail link's country a tariff."""
    for link in links.values():
        p = link.props
        if p.mode != "rail":
            if link.id not in costs.links:
                problem = f"no freight for {p.mode} link {p.id}"
                problems.add(COSTS_FILE, "links", None, problem, "section")
            continue
        ends = [nodes[n].props.countries for n in (p.from_, p.to) if n in nodes]
        shared = [c for c in ends[0] if all(c in e for e in ends)] if ends else []
        for code in shared or {c for e in ends for c in e}:
            if code not in costs.rail:
                problem = f"no tariff for {code} (rail link {p.id})"
                problems.add(COSTS_FILE, "rail", None, problem, "section")


def check_node_sources(nodes: Nodes, sources: Sources, problems: Problems) -> None:
    """Every process and capacity of a node has a known source."""
    for node in nodes.values():
        for i, proc in enumerate(node.props.processes):
            problems.source(
                proc.source, sources, NODES_FILE, node.id, f"processes.{i}.source", "feature"
            )
        capacity = node.props.capacity
        if capacity is not None:
            problems.source(
                capacity.source, sources, NODES_FILE, node.id, "capacity.source", "feature"
            )
            if capacity.load_share_source is not None:
                problems.source(
                    capacity.load_share_source,
                    sources,
                    NODES_FILE,
                    node.id,
                    "capacity.load_share_source",
                    "feature",
                )


def check_link_ends(nodes: Nodes, links: Links, problems: Problems) -> None:
    """A link joins two nodes, and its line starts and ends at them."""
    for link in links.values():
        p = link.props
        for end, node_id in (("from", p.from_), ("to", p.to)):
            if node_id not in nodes:
                problems.add(LINKS_FILE, p.id, end, unknown_node(node_id, nodes))
                continue
            node = nodes[node_id]
            point = link.coords[0] if end == "from" else link.coords[-1]
            if (
                abs(point[0] - node.lon) > ENDPOINT_TOLERANCE_DEG
                or abs(point[1] - node.lat) > ENDPOINT_TOLERANCE_DEG
            ):
                problems.add(
                    LINKS_FILE,
                    p.id,
                    "geometry",
                    f"the line's {end} end {point} is not at node {node_id} "
                    f"({node.lon}, {node.lat})",
                )


def check_link_sources(links: Links, sources: Sources, problems: Problems) -> None:
    """Every numeric field of a link has a source, and only those, all known."""
    for link in links.values():
        p = link.props
        for fld in LINK_SOURCED_FIELDS:
            if getattr(p, fld) is not None and fld not in p.sources:
                problems.add(LINKS_FILE, p.id, f"sources.{fld}", "numeric field has no source")
        for fld, key in p.sources.items():
            if fld not in LINK_SOURCED_FIELDS:
                problems.add(
                    LINKS_FILE,
                    p.id,
                    f"sources.{fld}",
                    f"not a sourced field (expected one of {', '.join(LINK_SOURCED_FIELDS)})",
                )
            problems.source(key, sources, LINKS_FILE, p.id, f"sources.{fld}", "feature")


def check_link_lengths(links: Links, problems: Problems) -> None:
    """A link is no shorter than its line, and not much longer (draw the alignment)."""
    for link in links.values():
        p = link.props
        if p.length_km < link.geodesic_km * 0.999:
            problems.add(
                LINKS_FILE,
                p.id,
                "length_km",
                f"{p.length_km:.0f} km is shorter than its geometry's geodesic length "
                f"{link.geodesic_km:.0f} km",
            )
        elif p.length_km > link.geodesic_km * MAX_DETOUR:
            problems.add(
                LINKS_FILE,
                p.id,
                "length_km",
                f"{p.length_km:.0f} km is more than {MAX_DETOUR}x its geometry's geodesic "
                f"length {link.geodesic_km:.0f} km: draw the alignment",
            )


def check_probability_sources_apart(
    shipments: Mapping[str, ShipmentClass], problems: Problems
) -> None:
    """A key a probability rests on is no other figure's source: a change of it scales
    the probability (run after every check that records sources)."""
    for name, shipment in shipments.items():
        for i, proc in enumerate(shipment.processes):
            if proc.probability_source is None:
                continue
            key = proc.probability_source
            others = [u for u in problems.uses[key] if not u[2].endswith("probability_source")]
            if not others:
                continue
            file, feature, fld = others[0]
            where = ": ".join(part for part in (file, feature, f"field {fld}") if part)
            problems.add(
                SHIPMENTS_FILE,
                name,
                f"processes.{i}.probability_source",
                f"{short_repr(key)} is also the source of {where}: a probability rests on a "
                "key of its own (a change of it scales the probability, not hours)",
                "shipment",
            )


def check_every_source_is_used(sources: Sources, problems: Problems) -> None:
    """A source no figure rests on is a leftover (run after every other check)."""
    for key in sorted(set(sources) - problems.used_sources):
        problems.add(
            SOURCES_FILE, key, None, "not used by any node, link or shipment", what="source"
        )


def _open_rail_gauges(nodes: Nodes, links: Links) -> dict[str, set[int]]:
    gauges: dict[str, set[int]] = {}
    for link in links.values():
        p = link.props
        ends = (p.from_, p.to)
        if p.status == "open" and p.mode == "rail" and p.gauge_mm and all(e in nodes for e in ends):
            for end in ends:
                gauges.setdefault(end, set()).add(p.gauge_mm)
    return gauges


def check_gauge_changes(nodes: Nodes, links: Links, problems: Problems) -> None:
    """Where open rail links of two gauges meet, the node transships."""
    for node_id, gauges in _open_rail_gauges(nodes, links).items():
        stages = {proc.stage for proc in nodes[node_id].props.processes}
        if len(gauges) > 1 and "transshipment" not in stages:
            problems.add(
                NODES_FILE,
                node_id,
                "processes",
                f"open rail links of gauges {sorted(gauges)} meet here but there is no "
                "transshipment process",
            )


def check_directions(nodes: Nodes, links: Links, problems: Problems) -> None:
    """A process's ``toward`` names a country a link from its node leads to."""
    neighbours: dict[str, set[str]] = {}
    for link in links.values():
        p = link.props
        for a, b in ((p.from_, p.to), (p.to, p.from_)):
            if a in nodes and b in nodes:
                neighbours.setdefault(a, set()).update(nodes[b].props.countries)
    for node_id, node in nodes.items():
        reachable = neighbours.get(node_id, set())
        for i, proc in enumerate(node.props.processes):
            for code in proc.toward or ():
                if code not in reachable:
                    problems.add(
                        NODES_FILE,
                        node_id,
                        f"processes.{i}.toward",
                        f"no link from here leads to {code} (it leads to "
                        f"{', '.join(sorted(reachable)) or 'nowhere'})",
                    )


def check_connected(nodes: Nodes, links: Links, problems: Problems) -> None:
    """Every node is reached over open links from the largest connected part."""
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(
        (lk.props.from_, lk.props.to)
        for lk in links.values()
        if lk.props.status == "open" and lk.props.from_ in nodes and lk.props.to in nodes
    )
    if len(nodes) <= 1:
        return
    parts = sorted(nx.connected_components(graph), key=len, reverse=True)
    for part in parts[1:]:
        for node_id in sorted(part):
            problems.add(NODES_FILE, node_id, None, "no route reaches this node over open links")


def check_network(
    nodes: Nodes,
    links: Links,
    sources: Sources,
    shipments: Mapping[str, ShipmentClass],
    costs: CostBook | None,
    choice: ChoiceBook | None,
    targets: TargetBook | None,
    problems: Problems,
    customs: CustomsBook | None = None,
    instruments: InstrumentBook | None = None,
    observations: ObservationBook | None = None,
) -> None:
    """Every check across the files, in an order that reports the clearest problem first."""
    check_shipments(shipments, nodes, sources, problems)
    check_customs_sources(customs, instruments, sources, problems)
    if costs is not None:
        check_cost_sources(costs, sources, problems)
        check_cost_places(costs, nodes, links, problems)
        check_costs_cover_every_link(costs, nodes, links, problems)
    if choice is not None:
        check_choice(choice, sources, problems)
    if targets is not None:
        check_targets(targets, sources, problems)
    if observations is not None and observations.door_legs is not None:
        fld = "door_legs.source"
        problems.source(observations.door_legs.source, sources, OBSERVATIONS_FILE, None, fld, "")
    check_node_sources(nodes, sources, problems)
    check_link_ends(nodes, links, problems)
    check_link_sources(links, sources, problems)
    check_link_lengths(links, problems)
    check_probability_sources_apart(shipments, problems)
    check_every_source_is_used(sources, problems)
    check_gauge_changes(nodes, links, problems)
    check_directions(nodes, links, problems)
    check_connected(nodes, links, problems)


def _book_sources(book: CustomsBook) -> Iterator[tuple[str, str]]:
    """``(field, source key)`` of every figure of ``customs.yaml``."""
    for code, figures in book.steps.items():
        for step, figure in figures.items():
            yield f"steps.{code}.{step}.source", figure.source
    for code, shares in book.channels.items():
        yield f"channels.{code}.source", shares.source
    for key, regime in book.regimes.items():
        yield f"regimes.{key}.source", regime.source
    for node_id, office in book.offices.items():
        yield f"offices.{node_id}.source", office.source
        for step, figure in office.steps.items():
            yield f"offices.{node_id}.steps.{step}.source", figure.source
    for i, declaration in enumerate(book.declarations):
        yield f"declarations.{i}.source", declaration.source


def _instrument_sources(book: InstrumentBook) -> Iterator[tuple[str, str]]:
    """``(field, source key)`` of every figure of ``instruments.yaml``."""
    for key, inst in book.instruments.items():
        where = f"instruments.{key}"
        yield f"{where}.source", inst.source
        for j, effect in enumerate(inst.effects):
            yield f"{where}.effects.{j}.source", effect.source
        if inst.channels is not None:
            yield f"{where}.channels.source", inst.channels.source


def check_customs_sources(
    customs: CustomsBook | None,
    instruments: InstrumentBook | None,
    sources: Mapping[str, SourceEntry],
    problems: Problems,
) -> None:
    """Every figure of ``customs.yaml`` and ``instruments.yaml`` names a known source."""
    for file, pairs in (
        (CUSTOMS_FILE, _book_sources(customs) if customs is not None else iter(())),
        (
            INSTRUMENTS_FILE,
            _instrument_sources(instruments) if instruments is not None else iter(()),
        ),
    ):
        for fld, key in pairs:
            problems.source(key, sources, file, None, fld, "entry")


def check_targets(targets: TargetBook, sources: Sources, problems: Problems) -> None:
    """Every calibration and cost target rests on a known source."""
    for fld, key in targets.sources():
        problems.source(key, sources, TARGETS_FILE, None, fld, "entry")


def check_places(network: Network, problems: Problems) -> None:
    """The places the choice markets and the targets name are places of the network (by id,
    name or alias, as a user would name them)."""
    named: list[tuple[str, str, str]] = []
    if network.choice is not None:
        for i, market in enumerate(network.choice.markets):
            named += [
                (CHOICE_FILE, f"markets.{i}.{f}", getattr(market, f))
                for f in ("origin", "destination")
            ]
    if network.targets is not None:
        for fld, route in network.targets.routes():
            named += [
                (TARGETS_FILE, f"{fld}.{f}", getattr(route, f)) for f in ("origin", "destination")
            ]
            named += [(TARGETS_FILE, f"{fld}.via.{j}", v) for j, v in enumerate(route.via)]
    _check_named(network, named, problems)


def _check_named(network: Network, named: list[tuple[str, str, str]], problems: Problems) -> None:
    for file, fld, place in named:
        try:
            network.find_node(place)
        except MidcorridorError as exc:
            problems.add(file, None, fld, exc.message)


def check_observations(
    network: Network, book: ObservationBook, problems: Problems, file: str = OBSERVATIONS_FILE
) -> None:
    """The places an observation set names are places of the network, each entry's
    direction is the way its route runs, and the figures it informs are keys of
    ``sources.yaml``."""
    before = len(problems.items)
    _check_named(network, _observation_places(book, file), problems)
    if len(problems.items) == before:
        check_observation_directions(network, book, problems, file)
    for i, obs in enumerate(book.observations):
        for j, key in enumerate(obs.informs):
            problems.source(
                key, network.sources, file, None, f"observations.{i}.informs.{j}", "entry"
            )


def check_calibration(network: Network, problems: Problems) -> None:
    """What the calibration learns is an assumption of ``sources.yaml``, and its result
    names known source keys (a result older than the files it was fitted to is reported
    by :meth:`~midcorridor.network.network.Network.calibration_stale`, not refused: the
    fit that renews it must be able to load the network)."""
    asked: set[str] = set()
    if network.fit_settings is not None:
        for i, p in enumerate(network.fit_settings.parameters):
            asked.add(p.key)
            fld = f"parameters.{i}.key"
            if p.key not in network.sources:
                problems.source(p.key, network.sources, FIT_FILE, None, fld, "entry")
            elif network.sources[p.key].basis != "assumption":
                problems.add(
                    FIT_FILE,
                    None,
                    fld,
                    f"{p.key!r} is {network.sources[p.key].basis}, not an assumption: only "
                    "assumed figures are learned from the observations",
                )
    if network.calibrated is not None:
        for i, c in enumerate(network.calibrated.parameters):
            if c.key not in network.sources:
                fld = f"parameters.{i}.key"
                problems.source(c.key, network.sources, CALIBRATED_FILE, None, fld, "entry")


def _observation_places(book: ObservationBook, file: str) -> list[tuple[str, str, str]]:
    """``(file, field, place)`` of every place an observation names."""
    named = []
    for i, obs in enumerate(book.observations):
        fld = f"observations.{i}"
        route = obs.route
        named += [(file, f"{fld}.route.{f}", getattr(route, f)) for f in ("origin", "destination")]
        named += [(file, f"{fld}.route.via.{j}", v) for j, v in enumerate(route.via)]
        if obs.at is not None:
            named.append((file, f"{fld}.at", obs.at))
    return named


def check_observation_directions(
    network: Network, book: ObservationBook, problems: Problems, file: str
) -> None:
    """An observation's direction is the way its route runs: westbound when the
    destination lies west of the origin."""
    for i, obs in enumerate(book.observations):
        ends = [
            network.nodes_by_id[network.find_node(p)]
            for p in (obs.route.origin, obs.route.destination)
        ]
        runs = "westbound" if ends[1].lon < ends[0].lon else "eastbound"
        if runs != obs.direction:
            problems.add(
                file,
                None,
                f"observations.{i}.direction",
                f"{obs.id}: {obs.direction!r}, but {obs.route.origin} to "
                f"{obs.route.destination} runs {runs}",
            )
