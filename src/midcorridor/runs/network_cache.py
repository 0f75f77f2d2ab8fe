"""The network each process runs a grid's tasks on: read from its folder once, or the one
the driver shares (a worker is sent it by :mod:`midcorridor.runs.grid_worker`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..network.network import Network

__all__ = ["cached_network", "share_network"]

#: Networks by folder: loaded once per process, or shared by :func:`share_network`.
_NETWORKS: dict[str, Network] = {}


def cached_network(path: str) -> Network:
    """The network in folder ``path``: the one shared last, or loaded once per process
    (a worker's tasks share it)."""
    if path not in _NETWORKS:
        from ..network.read import load

        _NETWORKS[path] = load(path)
    return _NETWORKS[path]


def share_network(network: Network) -> None:
    """Make ``network`` the one :func:`cached_network` gives for its folder in this
    process (the files are not read again)."""
    _NETWORKS[str(network.path)] = network
