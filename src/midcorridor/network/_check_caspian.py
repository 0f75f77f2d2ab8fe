"""Checks of ``caspian.yaml`` against the rest of the network.

Every figure's source key is known (:func:`check_caspian_sources`, run with the other
source checks); every Caspian ferry crossing has its vessels' draft, both its ports a
depth, and a port or crossing named is one of the Caspian's; the fleet's draft is given
here, not on a link's service (a scenario sets a service's ``draft_m`` for new vessels)
(:func:`check_caspian`).
"""

from __future__ import annotations

from collections.abc import Mapping

from .._errors import did_you_mean
from ..inputs._yaml import short_repr
from ..inputs.caspian_files import CaspianBook
from ..inputs.network_files import SourceEntry
from ._validate import Problems
from .network import CASPIAN_FILE, LINKS_FILE, Link, Network

__all__ = ["caspian_crossings", "check_caspian", "check_caspian_sources"]


def caspian_crossings(network: Network) -> dict[str, Link]:
    """Link id -> link of every Caspian ferry or sea crossing with a service."""
    return {
        k: lk
        for k, lk in network.links_by_id.items()
        if lk.props.sea == "caspian" and lk.props.service is not None
    }


def check_caspian_sources(
    book: CaspianBook, sources: Mapping[str, SourceEntry], problems: Problems
) -> None:
    """Every figure of ``caspian.yaml`` names a known source."""
    for fld, key in book.source_keys():
        problems.source(key, sources, CASPIAN_FILE, None, fld, "entry")


def check_caspian(network: Network, problems: Problems) -> None:
    """``caspian.yaml`` fits the network (see the module)."""
    book = network.caspian
    if book is None:
        return
    crossings = caspian_crossings(network)
    ports = sorted({end for lk in crossings.values() for end in (lk.props.from_, lk.props.to)})
    for port in book.ports:
        if port not in ports:
            problem = f"{short_repr(port)} is not a port of a Caspian crossing"
            problems.add(CASPIAN_FILE, None, f"ports.{port}", problem + did_you_mean(port, ports))
    for link_id in book.vessels:
        if link_id not in crossings:
            problem = f"{short_repr(link_id)} is not a Caspian crossing"
            hint = did_you_mean(link_id, crossings)
            problems.add(CASPIAN_FILE, None, f"vessels.{link_id}", problem + hint)
    for link_id, link in crossings.items():
        if link_id not in book.vessels:
            problems.add(CASPIAN_FILE, None, "vessels", f"no draft for crossing {link_id}")
        for end in (link.props.from_, link.props.to):
            if end not in book.ports:
                problems.add(CASPIAN_FILE, None, "ports", f"no depth for {end} ({link_id})")
        service = link.props.service
        if service is not None and service.draft_m is not None:
            problems.add(
                LINKS_FILE,
                link_id,
                "service.draft_m",
                f"the fleet's draft is given in {CASPIAN_FILE} (vessels.{link_id})",
            )
