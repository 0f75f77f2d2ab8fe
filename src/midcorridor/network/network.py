"""Read and validate the network files into a :class:`Network`.

``load()`` reads ``nodes.geojson``, ``links.geojson``, ``shipments.yaml`` and
``sources.yaml``, checks every
feature, and either returns a network or raises one :class:`NetworkError` listing every
problem found (file, feature id, field, problem).
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import networkx as nx
from pydantic import BaseModel, ValidationError
from pyproj import Geod

from .._errors import NetworkError, PlaceNotFoundError
from ..inputs._paths import NETWORK_ENV, default_folder
from ..inputs._yaml import MAX_ECHO_CHARS, YamlInputError, load_plain_yaml, short_repr
from ..inputs.cost_files import ChoiceBook, CostBook
from ..inputs.network_files import (
    LINK_SOURCED_FIELDS,
    LinkProps,
    NodeProps,
    ShipmentClass,
    SourceEntry,
)
from ..results import StaleSource
from ..vocabulary import SHIPMENTS

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["Link", "Network", "Node", "check", "default_network_dir", "load"]

NODES_FILE = "nodes.geojson"
LINKS_FILE = "links.geojson"
SOURCES_FILE = "sources.yaml"
SHIPMENTS_FILE = "shipments.yaml"
#: Cost and CO2 figures (optional: without it, trips have days only).
COSTS_FILE = "costs.yaml"
#: Corridor-choice markets and parameters (optional: without it, no choice model).
CHOICE_FILE = "choice.yaml"
#: Largest network file read, bytes: a guard against reading something that is not ours.
MAX_FILE_BYTES = 20_000_000
#: ``length_km`` may exceed the geodesic length of its geometry by at most this factor.
MAX_DETOUR = 1.6
#: Link ends must meet their nodes within this many degrees.
ENDPOINT_TOLERANCE_DEG = 1e-3
#: A published figure is stale when more than this many years older than its era.
ERA_TOLERANCE_YEARS = 1
#: Most problems reported (:func:`check`, :func:`load`); a last line counts the rest.
MAX_PROBLEMS_SHOWN = 50

_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Node:
    """A validated node: its properties and its coordinates (degrees, WGS84)."""

    props: NodeProps
    lon: float
    lat: float

    @property
    def id(self) -> str:
        """Node id."""
        return self.props.id


@dataclass(frozen=True)
class Link:
    """A validated link: its properties, its geometry (lon, lat pairs) and geodesic km."""

    props: LinkProps
    coords: tuple[tuple[float, float], ...]
    geodesic_km: float

    @property
    def id(self) -> str:
        """Link id."""
        return self.props.id


def default_network_dir() -> Path:
    """The network folder used when none is given.

    ``$MIDCORRIDOR_NETWORK`` if set, else ``network/`` in the current directory if it
    holds the network files, else the ``network/`` folder of the source checkout this
    package runs from.

    Raises
    ------
    NetworkError
        If there is none (an installed package outside a checkout): name a folder.
    """
    folder = default_folder("network", marker=NODES_FILE, env=NETWORK_ENV)
    if folder is None:
        raise NetworkError(
            "No network folder found: there is no network/ here nor in a source checkout. "
            f"Name one with --network FOLDER (or ${NETWORK_ENV}), e.g. the network/ folder "
            "of a midcorridor checkout."
        )
    return folder


#: Letters that NFKD does not decompose: Polish l-stroke, Turkish dotless i, Azeri schwa.
_UNDECOMPOSED = str.maketrans("\u0142\u0141\u0131\u0259\u018f", "lLiaA")


def _normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a place name."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.translate(_UNDECOMPOSED)
    return re.sub(r"[^0-9a-z]+", "", stripped.casefold())


@dataclass
class Network:
    """The corridor network: validated nodes, links and sources, and their graph.

    Attributes
    ----------
    nodes_by_id, links_by_id
        Validated features by id.
    sources
        Source key -> entry of ``sources.yaml``.
    shipments
        Shipment class -> what it adds to a trip (``shipments.yaml``).
    costs
        Cost and CO2 figures (``costs.yaml``), or None when the folder has none.
    choice
        Corridor-choice markets and parameters (``choice.yaml``), or None.
    path
        The folder the network was read from.
    """

    nodes_by_id: dict[str, Node]
    links_by_id: dict[str, Link]
    sources: dict[str, SourceEntry]
    shipments: dict[str, ShipmentClass]
    path: Path
    costs: CostBook | None = None
    choice: ChoiceBook | None = None
    _index: dict[str, list[tuple[int, str]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for node in self.nodes_by_id.values():
            p = node.props
            names = [(0, p.id), (1, p.name), *((2, a) for a in p.aliases)]
            # "Dostyk / Alashankou" is found by either half too.
            names += [(1, part) for part in re.split(r"\s*/\s*", p.name) if part != p.name]
            for tier, name in names:
                key = _normalize(name)
                if key and (tier, p.id) not in self._index.get(key, []):
                    self._index.setdefault(key, []).append((tier, p.id))

    def __repr__(self) -> str:
        return (
            f"Network({len(self.nodes_by_id)} nodes, {len(self.links_by_id)} links, "
            f"{len(self.sources)} sources, from {self.path})"
        )

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """Directed multigraph: every link in both directions, keyed by link id.

        Node attributes are the node properties plus ``x`` (lon) and ``y`` (lat); edge
        attributes are the link properties plus ``coords`` in travel direction.
        """
        g = nx.MultiDiGraph(name="midcorridor")
        for node in self.nodes_by_id.values():
            g.add_node(node.id, **node.props.model_dump(), x=node.lon, y=node.lat)
        for link in self.links_by_id.values():
            attrs = link.props.model_dump(by_alias=False)
            attrs.pop("from_")
            a, b = link.props.from_, link.props.to
            g.add_edge(a, b, key=link.id, **attrs, coords=link.coords)
            g.add_edge(b, a, key=link.id, **attrs, coords=link.coords[::-1])
        return g

    @cached_property
    def nodes(self) -> gpd.GeoDataFrame:
        """Nodes as a GeoDataFrame (EPSG:4326), indexed by id."""
        import geopandas as gpd
        import shapely

        nodes = list(self.nodes_by_id.values())
        frame = gpd.GeoDataFrame(
            [n.props.model_dump() for n in nodes],
            geometry=shapely.points([(n.lon, n.lat) for n in nodes]),
            crs="EPSG:4326",
        )
        return frame.set_index("id", drop=False)

    @cached_property
    def links(self) -> gpd.GeoDataFrame:
        """Links as a GeoDataFrame (EPSG:4326), indexed by id, with ``geodesic_km``."""
        import geopandas as gpd
        import shapely

        links = list(self.links_by_id.values())
        records = [
            {**lk.props.model_dump(by_alias=True), "geodesic_km": lk.geodesic_km} for lk in links
        ]
        frame = gpd.GeoDataFrame(
            records,
            geometry=[shapely.LineString(lk.coords) for lk in links],
            crs="EPSG:4326",
        )
        return frame.set_index("id", drop=False)

    @property
    def countries(self) -> set[str]:
        """ISO alpha-2 codes of every country with a node."""
        return {c for n in self.nodes_by_id.values() for c in n.props.countries}

    def find_node(self, query: str) -> str:
        """Id of the node named ``query`` (id, name or alias; case and accents ignored).

        Raises
        ------
        PlaceNotFoundError
            When nothing matches; the message suggests the closest names.
        """
        key = _normalize(query)
        matches = self._index.get(key, [])
        if matches:
            best = min(tier for tier, _ in matches)
            ids = sorted({node_id for tier, node_id in matches if tier == best})
            if len(ids) == 1:
                return ids[0]
            raise PlaceNotFoundError(query, [self.describe(i) for i in ids])
        raise PlaceNotFoundError(query, self.suggest(query))

    def suggest(self, query: str, n: int = 3) -> list[str]:
        """Up to ``n`` node names close to ``query``, as "Name (ID)"."""
        keys = difflib.get_close_matches(_normalize(query), self._index, n=n * 2, cutoff=0.6)
        found: list[str] = []
        for key in keys:
            for _, node_id in self._index[key]:
                text = self.describe(node_id)
                if text not in found:
                    found.append(text)
        return found[:n]

    def describe(self, node_id: str) -> str:
        """``"Name (ID)"`` for messages."""
        return f"{self.nodes_by_id[node_id].props.name} ({node_id})"

    def require_costs(self) -> CostBook:
        """The cost and CO2 figures.

        Raises
        ------
        NetworkError
            When the network folder has no ``costs.yaml``.
        """
        if self.costs is None:
            raise NetworkError(
                f"The network in {self.path} has no {COSTS_FILE}: costs and CO2 need one."
            )
        return self.costs

    def require_choice(self) -> ChoiceBook:
        """The corridor-choice markets and parameters.

        Raises
        ------
        NetworkError
            When the network folder has no ``choice.yaml`` or no ``costs.yaml``.
        """
        self.require_costs()
        if self.choice is None:
            raise NetworkError(
                f"The network in {self.path} has no {CHOICE_FILE}: corridor choice needs one."
            )
        return self.choice

    def link_countries(self, link_id: str) -> tuple[str, ...]:
        """Countries a link runs through: the ones its two ends share, else both ends'."""
        link = self.links_by_id[link_id].props
        a = self.nodes_by_id[link.from_].props.countries
        b = self.nodes_by_id[link.to].props.countries
        shared = tuple(c for c in a if c in b)
        return shared or tuple(dict.fromkeys((*a, *b)))

    def stale_sources(self, era: int, keys: Iterable[str] | None = None) -> list[StaleSource]:
        """Published and derived figures older than ``era`` by more than the tolerance.

        Parameters
        ----------
        era
            Year the figures are used for (a scenario's ``era``).
        keys
            Source keys to look at (default: every key), each once.

        Notes
        -----
        A figure is stale when its publication is more than :data:`ERA_TOLERANCE_YEARS`
        older than the era: a 2024 figure stands for 2025, a 2022 one does not.
        """
        out = []
        for key in dict.fromkeys(keys if keys is not None else self.sources):
            entry = self.sources[key]
            year = entry.year
            if (
                entry.basis != "assumption"
                and year is not None
                and year < era - ERA_TOLERANCE_YEARS
            ):
                out.append(StaleSource(key=key, year=year, basis=entry.basis, era=era))
        return out

    def cite(self, key: str) -> str:
        """Citation text of a source key."""
        return self.sources[key].cite()


# --- reading ---------------------------------------------------------------------------


def _cut(text: str) -> str:
    """``text`` cut to :data:`~midcorridor.inputs._yaml.MAX_ECHO_CHARS` characters."""
    return text if len(text) <= MAX_ECHO_CHARS else text[: MAX_ECHO_CHARS - 3] + "..."


class _Problems:
    """Collects problems as 'file: feature ID: field: problem'."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(
        self, file: str, feature: str | None, fld: str | None, problem: str, what: str = "feature"
    ) -> None:
        where = [file]
        if feature is not None:
            where.append(f"{what} {_cut(feature)}")
        if fld:
            where.append(f"field {fld}")
        self.items.append(f"{': '.join(where)}: {problem}")

    def add_validation(
        self, file: str, feature: str, error: ValidationError, what: str = "feature"
    ) -> None:
        for err in error.errors():
            loc = ".".join(str(p) for p in err["loc"]) or None
            self.add(file, feature, loc, str(err["msg"]).removeprefix("Value error, "), what)


def _read_text(path: Path, problems: _Problems) -> str | None:
    try:
        if path.is_dir():
            problems.add(path.name, None, None, f"{path} is a folder, not a file")
            return None
        if not path.is_file():
            problems.add(path.name, None, None, f"file not found at {path}")
            return None
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.add(path.name, None, None, f"file larger than {MAX_FILE_BYTES:,} bytes")
            return None
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.add(path.name, None, None, f"not UTF-8 text ({exc.reason})")
    except OSError as exc:  # no permission, ...
        problems.add(path.name, None, None, f"cannot be read ({exc.strerror or exc})")
    return None


def _read_features(path: Path, geometry_type: str, problems: _Problems) -> list[dict[str, Any]]:
    text = _read_text(path, problems)
    if text is None:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(path.name, None, None, f"not valid JSON: {exc.msg} (line {exc.lineno})")
        return []
    except ValueError as exc:  # an integer of thousands of digits
        problems.add(path.name, None, None, f"not valid JSON: {short_repr(str(exc))}")
        return []
    except RecursionError:
        problems.add(path.name, None, None, "not valid JSON: values nested too deeply")
        return []
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        problems.add(path.name, None, None, "not a GeoJSON FeatureCollection")
        return []
    features = data.get("features")
    if not isinstance(features, list):
        problems.add(path.name, None, "features", "must be a list")
        return []
    good = []
    for i, feature in enumerate(features):
        label = f"#{i}"
        if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
            label = _label(feature["properties"].get("id", label))
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") != geometry_type:
            problems.add(path.name, label, "geometry", f"must be a {geometry_type}")
            continue
        if not isinstance(feature.get("properties"), dict):
            problems.add(path.name, label, "properties", "must be an object")
            continue
        good.append(feature)
    return good


_Model = TypeVar("_Model", bound=BaseModel)


def _label(value: Any) -> str:
    """A feature id for messages: the id if it is text, else a short repr (never huge)."""
    return short_repr(value).strip("'") if isinstance(value, str) else short_repr(value)


def _check_coords(raw: Any, depth: int) -> list[tuple[float, float]] | str:
    """Coordinates as (lon, lat) tuples, or a problem description."""
    points = [raw] if depth == 0 else raw
    if not isinstance(points, list) or not points:
        return "coordinates missing"
    out = []
    for point in points:
        if (
            not isinstance(point, list)
            or len(point) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in point[:2])
        ):
            return f"coordinate {short_repr(point)} is not a [lon, lat] pair of numbers"
        try:
            lon, lat = float(point[0]), float(point[1])
        except OverflowError:  # an integer beyond any float
            lon = lat = math.inf
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return f"coordinate [{lon}, {lat}] is out of range (lon -180..180, lat -90..90)"
        out.append((lon, lat))
    return out


def _parse_model(
    model: type[_Model],
    raw: dict[str, Any],
    file: str,
    label: str,
    problems: _Problems,
    what: str = "feature",
) -> _Model | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.add_validation(file, label, exc, what)
        return None


def _read_mapping(path: Path, problems: _Problems, what: str) -> dict[Any, Any]:
    """The YAML mapping in ``path`` (empty, with the problem reported, if there is none)."""
    text = _read_text(path, problems)
    if text is None:
        return {}
    try:
        data = load_plain_yaml(text)
    except YamlInputError as exc:
        problems.add(path.name, None, None, f"not valid YAML: {exc}")
        return {}
    if not isinstance(data, dict):
        problems.add(path.name, None, None, f"must map {what}")
        return {}
    return data


def _read_entries(
    path: Path, model: type[_Model], problems: _Problems, *, what: str, fields: str
) -> dict[str, _Model]:
    """Each valid entry of a YAML mapping of ``what`` (keys) to ``model`` entries."""
    entries = {}
    for key, raw in _read_mapping(path, problems, f"{what} keys to entries").items():
        if not isinstance(raw, dict):
            problems.add(path.name, _label(key), None, f"must be a mapping ({fields})", what)
            continue
        entry = _parse_model(model, raw, path.name, _label(key), problems, what)
        if entry is not None:
            entries[str(key)] = entry
    return entries


def _read_sources(path: Path, problems: _Problems) -> dict[str, SourceEntry]:
    return _read_entries(path, SourceEntry, problems, what="source", fields="title, url, ...")


def _read_shipments(path: Path, problems: _Problems) -> dict[str, ShipmentClass]:
    shipments = _read_entries(
        path, ShipmentClass, problems, what="shipment", fields="description, priority, ..."
    )
    for key in shipments:
        if key not in SHIPMENTS:
            problems.add(
                path.name,
                key,
                None,
                f"not a shipment class (one of {', '.join(SHIPMENTS)})",
                "shipment",
            )
    if path.is_file():
        for key in SHIPMENTS:
            if key not in shipments:
                problems.add(path.name, key, None, "shipment class missing", "shipment")
    return {k: v for k, v in shipments.items() if k in SHIPMENTS}


_Props = TypeVar("_Props", NodeProps, LinkProps)


def _read_layer(
    path: Path,
    geometry_type: str,
    model: type[_Props],
    problems: _Problems,
) -> Iterator[tuple[_Props, list[tuple[float, float]]]]:
    """Each valid feature of a GeoJSON file: its properties and coordinates (lon, lat).

    Features with bad geometry, invalid properties or a duplicate id are reported to
    ``problems`` and skipped.
    """
    line = geometry_type == "LineString"
    seen: set[str] = set()
    for feature in _read_features(path, geometry_type, problems):
        raw = feature["properties"]
        label = _label(raw.get("id", "?"))
        coords = _check_coords(feature["geometry"].get("coordinates"), depth=int(line))
        if isinstance(coords, str):
            problems.add(path.name, label, "geometry", coords)
            continue
        if line and len(coords) < 2:
            problems.add(path.name, label, "geometry", "a line needs at least two points")
            continue
        props = _parse_model(model, raw, path.name, label, problems)
        if props is None:
            continue
        if props.id in seen:
            problems.add(path.name, props.id, "id", "duplicate id")
            continue
        seen.add(props.id)
        yield props, coords


def _read_nodes(path: Path, problems: _Problems) -> dict[str, Node]:
    return {
        props.id: Node(props, *coords[0])
        for props, coords in _read_layer(path, "Point", NodeProps, problems)
    }


def _read_links(path: Path, problems: _Problems) -> dict[str, Link]:
    links: dict[str, Link] = {}
    for props, coords in _read_layer(path, "LineString", LinkProps, problems):
        lons, lats = zip(*coords, strict=True)
        geodesic_km = _GEOD.line_length(lons, lats) / 1000
        links[props.id] = Link(props, tuple(coords), geodesic_km)
    return links


def _unknown_node(node_id: str, nodes: dict[str, Node]) -> str:
    """The problem of a reference to a node that does not exist, with a close match."""
    hint = difflib.get_close_matches(node_id, nodes, n=1)
    return f"unknown node {short_repr(node_id)}" + (f" (did you mean {hint[0]}?)" if hint else "")


def _check_shipments(
    shipments: dict[str, ShipmentClass],
    nodes: dict[str, Node],
    sources: dict[str, SourceEntry],
    problems: _Problems,
) -> set[str]:
    """Report unknown nodes and source keys of the shipment classes; the keys used."""
    used: set[str] = set()
    for name, shipment in shipments.items():
        keys = [(f"sources.{fld}", key) for fld, key in shipment.sources.items()]
        for i, proc in enumerate(shipment.processes):
            keys.append((f"processes.{i}.source", proc.source))
            for j, node_id in enumerate(proc.nodes or ()):
                if node_id not in nodes:
                    problems.add(
                        SHIPMENTS_FILE,
                        name,
                        f"processes.{i}.nodes.{j}",
                        _unknown_node(node_id, nodes),
                        "shipment",
                    )
        for fld, key in keys:
            used.add(key)
            if key not in sources:
                problems.add(
                    SHIPMENTS_FILE, name, fld, f"unknown source key {short_repr(key)}", "shipment"
                )
    return used


def _read_costs(path: Path, problems: _Problems) -> CostBook | None:
    if not path.exists():
        return None
    raw = _read_mapping(path, problems, "container, emission_factors, rail, links, nodes")
    return _parse_model(CostBook, raw, path.name, "costs", problems, "section") if raw else None


def _read_choice(path: Path, problems: _Problems) -> ChoiceBook | None:
    if not path.exists():
        return None
    raw = _read_mapping(path, problems, "year, markets, observed_shares, ...")
    return _parse_model(ChoiceBook, raw, path.name, "choice", problems, "section") if raw else None


def _check_choice(
    choice: ChoiceBook,
    nodes: dict[str, Node],
    sources: dict[str, SourceEntry],
    problems: _Problems,
) -> set[str]:
    """Report unknown source keys of the choice file; the keys used. (Its places are
    names, resolved and checked when the choice model runs.)"""
    used = set()
    for fld, key in choice.sources():
        used.add(key)
        if key not in sources:
            problems.add(CHOICE_FILE, None, fld, f"unknown source key {short_repr(key)}")
    return used


def _check_costs(
    costs: CostBook,
    nodes: dict[str, Node],
    links: dict[str, Link],
    sources: dict[str, SourceEntry],
    problems: _Problems,
) -> set[str]:
    """Report cost figures that name unknown places or sources, or that a trip lacks."""
    used: set[str] = set()

    def source(key: str, where: str, fld: str) -> None:
        used.add(key)
        if key not in sources:
            problems.add(COSTS_FILE, where, fld, f"unknown source key {short_repr(key)}", "entry")

    for section in (costs.container, costs.emission_factors):
        for fld, key in section.sources.items():
            source(key, type(section).__name__.lower(), f"sources.{fld}")
    for code, rail in costs.rail.items():
        for fld, key in rail.sources.items():
            source(key, f"rail.{code}", f"sources.{fld}")
    for link_id, charge in costs.links.items():
        source(charge.source, f"links.{link_id}", "source")
        if link_id not in links:
            hint = difflib.get_close_matches(link_id, links, n=1)
            problems.add(
                COSTS_FILE,
                f"links.{link_id}",
                None,
                f"unknown link {short_repr(link_id)}"
                + (f" (did you mean {hint[0]}?)" if hint else ""),
                "entry",
            )
        elif links[link_id].props.mode == "rail":
            problems.add(
                COSTS_FILE,
                f"links.{link_id}",
                None,
                "a rail link is priced by its country's tariff (rail), not here",
                "entry",
            )
    for node_id, charges in costs.nodes.items():
        if node_id not in nodes:
            problems.add(
                COSTS_FILE, f"nodes.{node_id}", None, _unknown_node(node_id, nodes), "entry"
            )
        for i, charge in enumerate(charges):
            source(charge.source, f"nodes.{node_id}", f"{i}.source")
    for link in links.values():
        p = link.props
        if p.mode != "rail":
            if link.id not in costs.links:
                problems.add(
                    COSTS_FILE, "links", None, f"no freight for {p.mode} link {p.id}", "section"
                )
            continue
        ends = [nodes[n].props.countries for n in (p.from_, p.to) if n in nodes]
        shared = [c for c in ends[0] if all(c in e for e in ends)] if ends else []
        for code in shared or {c for e in ends for c in e}:
            if code not in costs.rail:
                problems.add(
                    COSTS_FILE, "rail", None, f"no tariff for {code} (rail link {p.id})", "section"
                )
    return used


def _check_references(
    nodes: dict[str, Node],
    links: dict[str, Link],
    sources: dict[str, SourceEntry],
    problems: _Problems,
    used: set[str],
) -> None:
    for node in nodes.values():
        for i, proc in enumerate(node.props.processes):
            used.add(proc.source)
            if proc.source not in sources:
                problems.add(
                    NODES_FILE,
                    node.id,
                    f"processes.{i}.source",
                    f"unknown source key {short_repr(proc.source)}",
                )
        capacity = node.props.capacity
        if capacity is not None:
            used.add(capacity.source)
            if capacity.source not in sources:
                problems.add(
                    NODES_FILE,
                    node.id,
                    "capacity.source",
                    f"unknown source key {short_repr(capacity.source)}",
                )
    for link in links.values():
        p = link.props
        for end, node_id in (("from", p.from_), ("to", p.to)):
            if node_id not in nodes:
                problems.add(LINKS_FILE, p.id, end, _unknown_node(node_id, nodes))
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
        for fld in LINK_SOURCED_FIELDS:
            if getattr(p, fld) is not None and fld not in p.sources:
                problems.add(LINKS_FILE, p.id, f"sources.{fld}", "numeric field has no source")
        for fld, key in p.sources.items():
            used.add(key)
            if fld not in LINK_SOURCED_FIELDS:
                problems.add(
                    LINKS_FILE,
                    p.id,
                    f"sources.{fld}",
                    f"not a sourced field (expected one of {', '.join(LINK_SOURCED_FIELDS)})",
                )
            if key not in sources:
                problems.add(
                    LINKS_FILE, p.id, f"sources.{fld}", f"unknown source key {short_repr(key)}"
                )
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
    for key in sorted(set(sources) - used):
        problems.add(
            SOURCES_FILE, key, None, "not used by any node, link or shipment", what="source"
        )


def _check_topology(nodes: dict[str, Node], links: dict[str, Link], problems: _Problems) -> None:
    rail_gauges: dict[str, set[int]] = {}
    open_graph = nx.Graph()
    open_graph.add_nodes_from(nodes)
    for link in links.values():
        p = link.props
        if p.from_ not in nodes or p.to not in nodes:
            continue
        if p.status != "open":
            continue
        open_graph.add_edge(p.from_, p.to)
        if p.mode == "rail" and p.gauge_mm is not None:
            for end in (p.from_, p.to):
                rail_gauges.setdefault(end, set()).add(p.gauge_mm)
    for node_id, gauges in rail_gauges.items():
        stages = {proc.stage for proc in nodes[node_id].props.processes}
        if len(gauges) > 1 and "transshipment" not in stages:
            problems.add(
                NODES_FILE,
                node_id,
                "processes",
                f"open rail links of gauges {sorted(gauges)} meet here but there is no "
                "transshipment process",
            )
    if len(nodes) > 1 and open_graph.number_of_nodes():
        components = sorted(nx.connected_components(open_graph), key=len, reverse=True)
        for component in components[1:]:
            for node_id in sorted(component):
                problems.add(
                    NODES_FILE,
                    node_id,
                    None,
                    "no route reaches this node over open links",
                )


def _is_dir(folder: Path) -> bool:
    try:
        return folder.is_dir()
    except (OSError, ValueError):  # a name too long, a NUL in it
        return False


def _read_network(folder: Path) -> tuple[Network | None, list[str]]:
    """The network in ``folder`` and every problem found (no network if there are any)."""
    problems = _Problems()
    if not _is_dir(folder):
        return None, [f"Network folder not found: {folder}"]
    sources = _read_sources(folder / SOURCES_FILE, problems)
    nodes = _read_nodes(folder / NODES_FILE, problems)
    links = _read_links(folder / LINKS_FILE, problems)
    shipments = _read_shipments(folder / SHIPMENTS_FILE, problems)
    costs = _read_costs(folder / COSTS_FILE, problems)
    choice = _read_choice(folder / CHOICE_FILE, problems)
    if nodes or links:
        used = _check_shipments(shipments, nodes, sources, problems)
        if costs is not None:
            used |= _check_costs(costs, nodes, links, sources, problems)
        if choice is not None:
            used |= _check_choice(choice, nodes, sources, problems)
        _check_references(nodes, links, sources, problems, used)
        _check_topology(nodes, links, problems)
    if problems.items:
        return None, problems.items
    return Network(nodes, links, sources, shipments, folder, costs, choice), []


def _capped(problems: list[str]) -> list[str]:
    """The first :data:`MAX_PROBLEMS_SHOWN` problems, and a line counting the rest."""
    if len(problems) <= MAX_PROBLEMS_SHOWN:
        return problems
    rest = len(problems) - MAX_PROBLEMS_SHOWN
    more = f"... and {rest:,} more problem{'s' if rest != 1 else ''}"
    return [*problems[:MAX_PROBLEMS_SHOWN], more]


def check(path: str | os.PathLike[str] | None = None) -> list[str]:
    """The problems of the network in folder ``path`` (default :func:`default_network_dir`).

    Returns
    -------
    list of str
        One sentence per problem, naming file, feature id, field and problem; empty if the
        network is valid. Every problem is looked for, but only the first
        :data:`MAX_PROBLEMS_SHOWN` are returned, followed by a line
        "... and N more problems".
    """
    folder = Path(path) if path is not None else default_network_dir()
    return _capped(_read_network(folder)[1])


def load(path: str | os.PathLike[str] | None = None) -> Network:
    """Read, validate and return the network in folder ``path``.

    Parameters
    ----------
    path
        Folder holding ``nodes.geojson``, ``links.geojson`` and ``sources.yaml``;
        default :func:`default_network_dir`.

    Returns
    -------
    Network
        Validated nodes and links (also as GeoDataFrames) and their graph.

    Raises
    ------
    NetworkError
        Counting every problem found and listing the first :data:`MAX_PROBLEMS_SHOWN`,
        each naming file, feature id, field and problem.
    """
    folder = Path(path) if path is not None else default_network_dir()
    network, problems = _read_network(folder)
    if network is None:
        if not _is_dir(folder):
            raise NetworkError(problems[0])
        raise NetworkError(
            f"The network in {folder} has {len(problems):,} problem(s):", _capped(problems)
        )
    return network
