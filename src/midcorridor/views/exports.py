"""Results written for a spreadsheet or a GIS, the format from the file's suffix.

``.csv`` and ``.parquet``: one row per route and scenario (:func:`~midcorridor.runs.frames.
run_frame`'s columns); ``.geojson``: the routes as lines with the same columns;
``.gpkg``: a GeoPackage of three layers, ``routes`` (lines and results), ``node_hours``
(points: the mean hours standing at each node, by stage) and ``network`` (the links, with
a ``closed_<scenario>`` column for each scenario). Every file is written whole or not at
all (:func:`midcorridor._files.atomic_write`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from .._errors import MidcorridorError, needs_extra
from .._files import atomic_write, check_output_file
from ..network.network import Network
from ..runs.frames import network_gdf, node_hours_gdf, routes_gdf, runs_frame
from ..runs.runner import ScenarioRun

__all__ = ["EXPORT_SUFFIXES", "check_export", "export_runs"]

#: What ``--export`` writes, by suffix.
EXPORT_SUFFIXES = (".csv", ".parquet", ".geojson", ".gpkg")


def check_export(path: Path) -> None:
    """Refuse an export path with a suffix not in :data:`EXPORT_SUFFIXES` or that cannot
    be written, before any run."""
    check_output_file(path, EXPORT_SUFFIXES, what="Export file")


def export_runs(runs: Sequence[ScenarioRun], network: Network, path: str | Path) -> Path:
    """Write the results of ``runs`` to ``path`` in the format of its suffix (see the
    module).

    Raises
    ------
    MidcorridorError
        For a suffix not in :data:`EXPORT_SUFFIXES`, a path that cannot be written, or
        Parquet without ``pyarrow`` (the ``grid`` extra).
    """
    out = Path(path)
    check_export(out)
    if not runs:
        raise MidcorridorError("Nothing to export: no scenario run.")
    suffix = out.suffix.lower()
    if suffix == ".csv":
        with atomic_write(out) as handle:
            runs_frame(runs).to_csv(handle, index=False)
    elif suffix == ".parquet":
        with needs_extra("grid", "A Parquet export"):
            import pyarrow  # noqa: F401
        with atomic_write(out, binary=True) as handle:
            runs_frame(runs).to_parquet(handle, index=False)
    elif suffix == ".geojson":
        with atomic_write(out) as handle:
            handle.write(routes_gdf(runs, network).to_json(drop_id=True))
    else:
        layers = {
            "routes": routes_gdf(runs, network),
            "node_hours": node_hours_gdf(runs, network),
            "network": network_gdf(network, runs),
        }
        with tempfile.TemporaryDirectory() as work:
            staged = Path(work) / "export.gpkg"
            for name, layer in layers.items():
                layer.to_file(staged, layer=name, driver="GPKG", engine="pyogrio")
            with atomic_write(out, binary=True) as handle:
                handle.write(staged.read_bytes())
    return out
