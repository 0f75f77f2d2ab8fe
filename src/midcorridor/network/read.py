"""Read the network folder into a validated :class:`~midcorridor.network.network.Network`.

:func:`load` reads ``nodes.geojson``, ``links.geojson``, ``sources.yaml`` and
``shipments.yaml`` (and ``costs.yaml``, ``choice.yaml`` and ``targets.yaml`` when present),
validates every feature and entry, runs the checks across files
(:mod:`midcorridor.network._validate`), and either returns a network or raises one
:class:`~midcorridor._errors.NetworkError` listing every problem found (file, feature id,
field, problem). :func:`check` returns the problems instead.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pyproj import Geod

from .._errors import NetworkError
from ..inputs._paths import NETWORK_ENV, default_folder
from ..inputs._read import UnreadableError, read_mapping, read_text
from ..inputs._yaml import short_repr
from ..inputs.caspian_files import CaspianBook
from ..inputs.cost_files import ChoiceBook, CostBook
from ..inputs.customs_files import CustomsBook, InstrumentBook
from ..inputs.fit_files import CalibratedBook, FitSettings
from ..inputs.network_files import LinkProps, NodeProps, ShipmentClass, SourceEntry
from ..inputs.observations import ObservationBook
from ..inputs.targets import TargetBook
from ..vocabulary import SHIPMENTS
from . import network as net
from ._check_caspian import check_caspian, check_caspian_sources
from ._check_customs import check_customs
from ._validate import (
    Problems,
    check_calibration,
    check_network,
    check_observations,
    check_places,
)
from .network import Link, Network, Node

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PROBLEMS_SHOWN",
    "check",
    "default_network_dir",
    "load",
    "read_observations",
]

#: Largest network file read, bytes: a guard against reading something that is not ours.
MAX_FILE_BYTES = 20_000_000
#: Most problems reported (:func:`check`, :func:`load`); a last line counts the rest.
MAX_PROBLEMS_SHOWN = 50

_GEOD = Geod(ellps="WGS84")


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
    folder = default_folder("network", marker=net.NODES_FILE, env=NETWORK_ENV)
    if folder is None:
        raise NetworkError(
            "No network folder found: there is no network/ here nor in a source checkout. "
            f"Name one with --network FOLDER (or ${NETWORK_ENV}), e.g. the network/ folder "
            "of a midcorridor checkout."
        )
    return folder


#: Letters that NFKD does not decompose: Polish l-stroke, Turkish dotless i, Azeri schwa.


# --- reading ---------------------------------------------------------------------------


def _read_text(path: Path, problems: Problems) -> str | None:
    try:
        return read_text(path, what="network file", max_bytes=MAX_FILE_BYTES)
    except UnreadableError as exc:
        problems.add(path.name, None, None, f"{exc.problem} ({path})")
        return None


def _read_features(path: Path, geometry_type: str, problems: Problems) -> list[dict[str, Any]]:
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
    problems: Problems,
    what: str = "feature",
) -> _Model | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.add_validation(file, label, exc, what)
        return None


def _read_mapping(path: Path, problems: Problems, holds: str) -> dict[Any, Any]:
    """The YAML mapping in ``path`` (empty, with the problem reported, if there is none)."""
    try:
        data, _ = read_mapping(path, what="network file", max_bytes=MAX_FILE_BYTES, holds=holds)
    except UnreadableError as exc:
        problems.add(path.name, None, None, f"{exc.problem} ({path})")
        return {}
    return data


def _read_entries(
    path: Path, model: type[_Model], problems: Problems, *, what: str, fields: str
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


def _read_sources(path: Path, problems: Problems) -> dict[str, SourceEntry]:
    before = len(problems.items)
    sources = _read_entries(path, SourceEntry, problems, what="source", fields="title, url, ...")
    problems.sources_unreadable = not sources and len(problems.items) > before
    return sources


def _read_shipments(path: Path, problems: Problems) -> dict[str, ShipmentClass]:
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
    problems: Problems,
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


def _read_nodes(path: Path, problems: Problems) -> dict[str, Node]:
    return {
        props.id: Node(props, *coords[0])
        for props, coords in _read_layer(path, "Point", NodeProps, problems)
    }


def _read_links(path: Path, problems: Problems) -> dict[str, Link]:
    links: dict[str, Link] = {}
    for props, coords in _read_layer(path, "LineString", LinkProps, problems):
        lons, lats = zip(*coords, strict=True)
        geodesic_km = _GEOD.line_length(lons, lats) / 1000
        links[props.id] = Link(props, tuple(coords), geodesic_km)
    return links


def _is_dir(folder: Path) -> bool:
    try:
        return folder.is_dir()
    except (OSError, ValueError):  # a name too long, a NUL in it
        return False


def _read_optional(
    path: Path, model: type[_Model], problems: Problems, holds: str
) -> _Model | None:
    """An optional YAML file of the network folder, validated (None if absent or invalid)."""
    if not path.exists():
        return None
    raw = _read_mapping(path, problems, holds)
    return _parse_model(model, raw, path.name, path.stem, problems, "section") if raw else None


def _read_network(folder: Path) -> tuple[Network | None, list[str]]:
    """The network in ``folder`` and every problem found (no network if there are any)."""
    problems = Problems()
    if not _is_dir(folder):
        return None, [f"Network folder not found: {folder}"]
    sources = _read_sources(folder / net.SOURCES_FILE, problems)
    nodes = _read_nodes(folder / net.NODES_FILE, problems)
    links = _read_links(folder / net.LINKS_FILE, problems)
    shipments = _read_shipments(folder / net.SHIPMENTS_FILE, problems)
    costs = _read_optional(
        folder / net.COSTS_FILE, CostBook, problems, "container, rail, links, ..."
    )
    choice = _read_optional(folder / net.CHOICE_FILE, ChoiceBook, problems, "year, markets, ...")
    targets = _read_optional(folder / net.TARGETS_FILE, TargetBook, problems, "times, costs, ...")
    observations = _read_optional(
        folder / net.OBSERVATIONS_FILE, ObservationBook, problems, "observations"
    )
    fit_settings = _read_optional(
        folder / net.FIT_FILE, FitSettings, problems, "seed, parameters, ..."
    )
    calibrated = _read_optional(
        folder / net.CALIBRATED_FILE, CalibratedBook, problems, "provenance, parameters"
    )
    customs = _read_optional(
        folder / net.CUSTOMS_FILE, CustomsBook, problems, "steps, channels, offices, ..."
    )
    instruments = _read_optional(
        folder / net.INSTRUMENTS_FILE, InstrumentBook, problems, "instruments"
    )
    caspian = _read_optional(
        folder / net.CASPIAN_FILE, CaspianBook, problems, "observed, forecasts, ports, vessels"
    )
    if caspian is not None:
        check_caspian_sources(caspian, sources, problems)
    if nodes or links:
        check_network(
            nodes,
            links,
            sources,
            shipments,
            costs,
            choice,
            targets,
            problems,
            customs,
            instruments,
            observations,
        )
    if problems.items:
        return None, problems.items
    network = Network(
        nodes,
        links,
        sources,
        shipments,
        folder,
        costs,
        choice,
        targets,
        observations,
        fit_settings,
        calibrated,
        customs,
        instruments,
        caspian,
    )
    check_places(network, problems)
    check_customs(network, problems)
    check_caspian(network, problems)
    if network.observations is not None:
        check_observations(network, network.observations, problems)
    check_calibration(network, problems)
    if problems.items:
        return None, problems.items
    return network, []


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


def read_observations(path: str | os.PathLike[str], network: Network) -> ObservationBook:
    """Read and check an observation file other than the network's (a set of published
    times kept apart, to score the model on after the fact).

    Raises
    ------
    NetworkError
        Naming the file, entry and field of every problem: as ``observations.yaml`` is
        checked (sources, figures, periods), and its places against ``network``.
    """
    file = Path(path)
    if not file.is_file():
        raise NetworkError(f"Observation file not found: {file}")
    problems = Problems()
    book = _read_optional(file, ObservationBook, problems, "observations")
    if book is not None and not problems.items:
        check_observations(network, book, problems, file.name)
    if book is None or problems.items:
        items = problems.items or [f"{file.name}: holds no observations"]
        raise NetworkError(f"{file} has {len(items):,} problem(s):", _capped(items))
    return book
