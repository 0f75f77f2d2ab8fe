"""What a Dask worker of a grid is given once: the driver's network (imported only where
Dask is installed, by :mod:`midcorridor.runs.grid_exec`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from distributed.diagnostics.plugin import WorkerPlugin

from .network_cache import share_network

if TYPE_CHECKING:
    from ..network.network import Network

__all__ = ["NetworkPlugin"]


class NetworkPlugin(WorkerPlugin):
    """Gives each worker of a cluster, and each one that joins or restarts later, the
    driver's network, pickled (milliseconds), instead of a read of its files (a third of a
    second a worker; and a remote worker needs no copy of them)."""

    name = "midcorridor-network"

    def __init__(self, network: Network) -> None:
        self.network = network

    def setup(self, worker: Any) -> None:
        share_network(self.network)
