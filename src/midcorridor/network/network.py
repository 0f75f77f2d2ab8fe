"""The validated network: places and links with their sources, and how to find a place.

:class:`Network` holds what :func:`midcorridor.network.read.load` read and checked: nodes,
links, sources, shipment classes and, when the folder has them, cost, choice and target
figures. It finds places by id, name or alias (case and accents ignored) and hands out the
network as a networkx graph and as GeoDataFrames.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import networkx as nx

from .._errors import NetworkError, PlaceNotFoundError
from ..inputs.caspian_files import CaspianBook
from ..inputs.cost_files import ChoiceBook, CostBook
from ..inputs.customs_files import CustomsBook, InstrumentBook
from ..inputs.fit_files import CalibratedBook, FitSettings
from ..inputs.network_files import LinkProps, NodeProps, ShipmentClass, SourceEntry
from ..inputs.observations import ObservationBook
from ..inputs.targets import TargetBook
from ..results import StaleSource

if TYPE_CHECKING:
    import geopandas as gpd

_Book = TypeVar("_Book", CostBook, ChoiceBook, TargetBook, ObservationBook, FitSettings)

__all__ = [
    "CASPIAN_FILE",
    "CHOICE_FILE",
    "COSTS_FILE",
    "CUSTOMS_FILE",
    "INSTRUMENTS_FILE",
    "LINKS_FILE",
    "NODES_FILE",
    "OBSERVATIONS_FILE",
    "SHIPMENTS_FILE",
    "SOURCES_FILE",
    "TARGETS_FILE",
    "Link",
    "Network",
    "Node",
    "sha256_text",
]

NODES_FILE = "nodes.geojson"
LINKS_FILE = "links.geojson"
SOURCES_FILE = "sources.yaml"
SHIPMENTS_FILE = "shipments.yaml"
#: Cost and CO2 figures (optional: without it, trips have days only).
COSTS_FILE = "costs.yaml"
#: Corridor-choice markets and parameters (optional: without it, no choice model).
CHOICE_FILE = "choice.yaml"
#: Published times and rates the model is checked against (optional).
TARGETS_FILE = "targets.yaml"
#: Published transit times, observed and promised, the model is scored on (optional).
OBSERVATIONS_FILE = "observations.yaml"
#: Customs offices as chains of steps, channel shares, transit regimes (optional: without
#: it, a node's ``documents`` and ``inspection`` processes are its customs).
CUSTOMS_FILE = "customs.yaml"
#: Digital instruments a scenario can switch on (optional; needs ``customs.yaml``).
INSTRUMENTS_FILE = "instruments.yaml"
#: The Caspian's level, port depths and ferry drafts (optional: without it, a scenario
#: cannot set the sea's level).
CASPIAN_FILE = "caspian.yaml"
#: What the calibration learns and how (optional; ``midcorridor fit``).
FIT_FILE = "fit.yaml"
#: The calibration's result, written by ``midcorridor fit`` (optional).
CALIBRATED_FILE = "calibrated.yaml"
#: Largest network file read, bytes: a guard against reading something that is not ours.
#: A published figure is stale when more than this many years older than its era.
ERA_TOLERANCE_YEARS = 1
#: Most problems reported (:func:`check`, :func:`load`); a last line counts the rest.


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


_UNDECOMPOSED = str.maketrans("\u0142\u0141\u0131\u0259\u018f", "lLiaA")


def sha256_text(text: str) -> str:
    """Hex SHA-256 of ``text`` (what the calibration's provenance records of its inputs)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    targets
        Published times and rates to check the model against (``targets.yaml``), or None.
    observations
        Published transit times, observed and promised (``observations.yaml``), or None.
    fit_settings
        What the calibration learns and how (``fit.yaml``), or None.
    calibrated
        The calibration's result (``calibrated.yaml``), or None: each parameter's
        posterior median is applied to every scenario run on the network; the ones the
        data inform are graded ``calibrated``.
    customs
        Customs offices as chains of steps (``customs.yaml``), or None.
    instruments
        Digital instruments a scenario can switch on (``instruments.yaml``), or None.
    caspian
        The Caspian's levels, port depths and ferry drafts (``caspian.yaml``), or None.
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
    targets: TargetBook | None = None
    observations: ObservationBook | None = None
    fit_settings: FitSettings | None = None
    calibrated: CalibratedBook | None = None
    customs: CustomsBook | None = None
    instruments: InstrumentBook | None = None
    caspian: CaspianBook | None = None
    _index: dict[str, list[tuple[int, str]]] = field(default_factory=dict, repr=False)
    #: Routes already found, by question (:func:`~midcorridor.network.routing.shortest_routes`):
    #: every scenario of a grid asks the same ones.
    route_memo: dict[tuple[object, ...], tuple[Any, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

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

    def _require(self, book: _Book | None, file: str, needed_by: str) -> _Book:
        if book is None:
            raise NetworkError(f"The network in {self.path} has no {file}: {needed_by} need one.")
        return book

    def require_costs(self) -> CostBook:
        """The cost and CO2 figures; a :class:`NetworkError` without ``costs.yaml``."""
        return self._require(self.costs, COSTS_FILE, "costs and CO2")

    def require_choice(self) -> ChoiceBook:
        """The corridor-choice markets and parameters; a :class:`NetworkError` without
        ``choice.yaml`` or ``costs.yaml``."""
        self.require_costs()
        return self._require(self.choice, CHOICE_FILE, "corridor choices")

    def require_targets(self) -> TargetBook:
        """The published times and rates to check the model against; a
        :class:`NetworkError` without ``targets.yaml``."""
        return self._require(self.targets, TARGETS_FILE, "calibration checks")

    def require_observations(self) -> ObservationBook:
        """The published transit times to score the model on; a :class:`NetworkError`
        without ``observations.yaml``."""
        return self._require(self.observations, OBSERVATIONS_FILE, "scores")

    def require_fit_settings(self) -> FitSettings:
        """What the calibration learns; a :class:`NetworkError` without ``fit.yaml``."""
        return self._require(self.fit_settings, FIT_FILE, "the calibration")

    def pace_sources(self) -> frozenset[str]:
        """Source keys of the shipment classes' paces (``shipments.yaml``): a change of
        one scales the pace's log-sd, not hours."""
        return frozenset(c.pace.source for c in self.shipments.values() if c.pace is not None)

    def probability_sources(self) -> frozenset[str]:
        """Source keys of the probabilities of the shipment classes' processes
        (``shipments.yaml``: ``probability_source``): a change of one scales the
        probability, not hours."""
        return frozenset(
            proc.probability_source
            for c in self.shipments.values()
            for proc in c.processes
            if proc.probability_source is not None
        )

    def basis(self, key: str) -> str:
        """What the figure of source ``key`` rests on: its grade in ``sources.yaml``, or
        ``calibrated`` for an assumption the calibration informs."""
        if self.calibrated is not None and key in self.calibrated.graded():
            return "calibrated"
        return self.sources[key].basis

    def calibration_stale(self) -> list[str]:
        """Why ``calibrated.yaml`` no longer matches what it was fitted to (empty if it
        does, or if there is none): rerun ``midcorridor fit``."""
        book = self.calibrated
        if book is None:
            return []
        out = []
        if self.fit_settings is None:
            out.append(f"{FIT_FILE} is gone")
        elif book.provenance.settings_sha256 != sha256_text(self.fit_settings.model_dump_json()):
            out.append(f"{FIT_FILE} changed since the fit")
        if self.observations is None:
            out.append(f"{OBSERVATIONS_FILE} is gone")
        elif book.provenance.observations_sha256 != sha256_text(
            self.observations.model_dump_json()
        ):
            out.append(f"{OBSERVATIONS_FILE} changed since the fit")
        return out

    def uncalibrated(self) -> Network:
        """This network without the calibration's factors (what the fit starts from)."""
        return dataclasses.replace(self, calibrated=None, _index={}, route_memo={})

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
        """Citation text of a source key, with the calibration's factor on its figures."""
        text = self.sources[key].cite()
        book = self.calibrated
        fitted = book.parameter(key) if book is not None else None
        if book is None or fitted is None or not book.provenance.trusted:
            return text
        grade = (
            "calibrated"
            if key in book.graded()
            else f"not narrowed enough to count as calibrated ({fitted.narrowing:.2f} of the prior)"
        )
        return (
            f"{text} Fit (calibrated.yaml): x{fitted.median:.2f} applied, posterior P5-P95 "
            f"x{fitted.p5:.2f}-{fitted.p95:.2f}, {grade}."
        )
