"""The Caspian's level as ferry capacity: port depth, vessel draft and load factor.

A port's depth follows the sea: ``depth(t) = depth(t0) - (level(t0) - level(t))``, where
``depth(t0)`` is the depth ``network/caspian.yaml`` gives at ``level(t0)``; dredging keeps
at least a stated depth at the scenario's level. A vessel of design draft ``d`` that needs
a keel clearance ``k`` loads ``min(1, (depth - k) / d)`` of its capacity; a crossing loads
what the shallower of its two ports allows. A crossing at or below zero cannot sail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..inputs.caspian_files import CaspianBook, PortDepth

__all__ = ["Crossing", "crossing_load_factor", "depth_at", "load_factor"]


def load_factor(depth_m: float, draft_m: float, keel_clearance_m: float) -> float:
    """Share of its capacity a vessel can load in ``depth_m`` of water (0 to 1).

    Parameters
    ----------
    depth_m
        Depth of water at the berth and its approach, m.
    draft_m
        The vessel's design draft (fully loaded), m; above 0.
    keel_clearance_m
        Water the vessel needs under its keel, m.

    Returns
    -------
    float
        ``min(1, (depth_m - keel_clearance_m) / draft_m)``, floored at 0.
    """
    return max(0.0, min(1.0, (depth_m - keel_clearance_m) / draft_m))


def depth_at(port: PortDepth, level_m: float, dredged_m: float | None = None) -> float:
    """A port's depth, m, with the sea at ``level_m`` (m BS): its depth at its reference
    level moved by the change in level, and at least ``dredged_m`` if it is dredged."""
    depth = port.depth_m - (port.at_level_m - level_m)
    return depth if dredged_m is None else max(depth, dredged_m)


@dataclass(frozen=True)
class Crossing:
    """A Caspian crossing at a level: its load factor and the port that sets it."""

    link: str
    load_factor: float
    port: str
    depth_m: float
    draft_m: float


def crossing_load_factor(
    book: CaspianBook,
    link: str,
    ends: tuple[str, str],
    level_m: float,
    dredge: Mapping[str, float],
    draft_m: float | None = None,
) -> Crossing:
    """The load factor of crossing ``link`` between ports ``ends`` at ``level_m``: the
    worse of its two ports, with the ports of ``dredge`` (port id -> m) dredged and its
    vessels' draft ``draft_m`` (None: the fleet's, ``book.vessels``)."""
    fleet = book.vessels[link]
    draft = fleet.draft_m if draft_m is None else draft_m
    options = []
    for port in ends:
        depth = depth_at(book.ports[port], level_m, dredge.get(port))
        options.append((load_factor(depth, draft, fleet.keel_clearance_m), port, depth))
    factor, port, depth = min(options)
    return Crossing(link, factor, port, depth, draft)
