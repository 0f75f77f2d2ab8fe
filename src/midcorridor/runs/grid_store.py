"""Where a grid's results live: one Parquet table, a row per scenario and route, that
names the grid which made it (so an edited grid's results are not resumed)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import MidcorridorError, needs_extra

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "CHOICE_COLUMNS",
    "METADATA_KEY",
    "RESULT_COLUMNS",
    "finished",
    "metadata",
    "read_results",
    "schema",
]

#: Parquet metadata key holding the grid that made a results file.
METADATA_KEY = b"midcorridor.grid"
#: Columns of every results row (axis columns, ``axis.<name>``, come after ``seed``).
RESULT_COLUMNS = (
    "scenario",
    "seed",
    "route",
    "corridor",
    "shipment",
    "km",
    "days_mean",
    "days_p10",
    "days_p50",
    "days_p90",
    "cost_usd_mean",
    "cost_usd_p50",
    "co2e_kg_mean",
    "cost_of_time_usd_mean",
    "saturated",
)
#: Columns added when the grid asks for the corridor choice.
CHOICE_COLUMNS = (
    "share_middle",
    "share_northern",
    "share_sea",
    "teu_middle",
    "teu_northern",
    "teu_sea",
    "choice_converged",
    "caspian_utilisation",
)


def metadata(grid_meta: dict[str, Any]) -> dict[bytes, bytes]:
    """The Parquet metadata naming the grid (``Grid.metadata()``) that made a file."""
    return {METADATA_KEY: json.dumps(grid_meta, sort_keys=True).encode()}


def schema(grid_meta: dict[str, Any], rows: Sequence[dict[str, Any]]) -> pa.Schema:
    """The table schema of ``rows``, naming the grid."""
    with needs_extra("grid", "Storing a grid's results"):
        import pyarrow as pa

    return pa.Table.from_pylist(list(rows)).schema.with_metadata(metadata(grid_meta))


def read_results(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The rows of a results file and the grid that made it (``Grid.metadata()``).

    Raises
    ------
    MidcorridorError
        When the file is missing or not a midcorridor results file.
    """
    with needs_extra("grid", "Reading a grid's results"):
        import pyarrow as pa
        import pyarrow.parquet as pq

    path = Path(path)
    if not path.is_file():
        raise MidcorridorError(f"{path}: results file not found.")
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise MidcorridorError(f"{path}: not a Parquet results file ({exc}).") from None
    meta = (table.schema.metadata or {}).get(METADATA_KEY)
    if meta is None:
        raise MidcorridorError(f"{path}: not a midcorridor grid results file (no grid recorded).")
    return table.to_pandas(), json.loads(meta)


def finished(path: Path, digest: str) -> tuple[set[int], pa.Table]:
    """Scenarios finished in an earlier results file of the grid of ``digest``, and its table.

    Raises
    ------
    MidcorridorError
        When the file holds the results of another grid (or of an edited one).
    """
    import pyarrow.parquet as pq

    _, meta = read_results(path)
    if meta.get("digest") != digest:
        raise MidcorridorError(
            f"{path}: results of another grid ({meta.get('name')}, {meta.get('file')}) or of "
            "an earlier version of this one: give another --out, or run without --resume."
        )
    table = pq.read_table(path)
    return set(table.column("scenario").to_pylist()), table
