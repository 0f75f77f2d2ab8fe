"""Where a grid's results live: one Parquet table, a row per scenario and route, that is
complete and readable after every commit and names what made it.

The table's columns come from the grid (:func:`result_schema`), never from an earlier
file. Its metadata names the grid and a *fingerprint* of everything its rows depend on
(the grid file, the base scenario after ``extends``, the network's files, the package's
version), so results are resumed only by the grid that made them, and a change is named.
:class:`ResultsFile` journals each finished scenario at once and commits the table
atomically every :data:`COMMIT_SECONDS` and at the end: a stop loses nothing that finished,
a ``kill -9`` only the scenarios running then (``resume`` reads the journal).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import MidcorridorError, needs_extra
from .._files import atomic_write

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from ..inputs.scenario import Scenario
    from ..network.network import Network

__all__ = [
    "CHOICE_COLUMNS",
    "COMMIT_SECONDS",
    "METADATA_KEY",
    "RESULT_COLUMNS",
    "ResultsFile",
    "fingerprint",
    "read_results",
    "result_schema",
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
#: Longest time between two commits of the results file, seconds: what a reader of the
#: file during a run may miss (the journal keeps every finished scenario meanwhile).
COMMIT_SECONDS = 30.0
#: Parts of the fingerprint, as a message names them when one changed.
_FINGERPRINT_PARTS = {
    "grid": "grid file",
    "base": "base scenario (after extends)",
    "network": "network files",
    "version": "midcorridor version",
}


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(grid_digest: str, base: Scenario, network: Network) -> dict[str, str]:
    """What a grid's rows depend on, each part a digest (the version as it is)."""
    from .._version import __version__

    files = sorted(p for p in network.path.iterdir() if p.is_file() and not p.name.startswith("."))
    network_digest = hashlib.sha256()
    for path in files:
        network_digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    settings = base.model_dump(mode="json", exclude={"path", "chain"})
    return {
        "grid": grid_digest,
        "base": _digest(json.dumps(settings, sort_keys=True).encode()),
        "network": network_digest.hexdigest(),
        "version": __version__,
    }


def result_schema(axes: Mapping[str, bool], *, choice: bool, meta: Mapping[str, Any]) -> pa.Schema:
    """The columns of a grid's results: :data:`RESULT_COLUMNS` with ``axis.<name>`` after
    ``seed`` (text for an axis of names, ``axes[name]`` true, else numbers), and
    :data:`CHOICE_COLUMNS` when the grid asks for the choice; ``meta`` as its metadata."""
    with needs_extra("grid", "Storing a grid's results"):
        import pyarrow as pa

    text, number, flag = pa.string(), pa.float64(), pa.bool_()
    fields = [("scenario", pa.int64()), ("seed", pa.int64())]
    fields += [(f"axis.{name}", text if is_text else number) for name, is_text in axes.items()]
    fields += [("route", text), ("corridor", text), ("shipment", text)]
    fields += [(c, number) for c in RESULT_COLUMNS[5:-1]] + [("saturated", flag)]
    if choice:
        fields += [(c, flag if c == "choice_converged" else number) for c in CHOICE_COLUMNS]
    encoded = {METADATA_KEY: json.dumps(dict(meta), sort_keys=True).encode()}
    return pa.schema(fields, metadata=encoded)


def _read_table(path: Path) -> tuple[pa.Table, dict[str, Any]]:
    """A results file's table and the grid metadata it carries, or a clear refusal."""
    with needs_extra("grid", "Reading a grid's results"):
        import pyarrow as pa
        import pyarrow.parquet as pq

    if not path.is_file():
        raise MidcorridorError(f"{path}: results file not found.")
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise MidcorridorError(f"{path}: not a Parquet results file ({exc}).") from None
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        raise MidcorridorError(f"{path}: not a midcorridor grid results file (no grid recorded).")
    try:
        meta = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        meta = None
    if not isinstance(meta, dict) or not isinstance(meta.get("axes", []), list):
        raise MidcorridorError(
            f"{path}: the grid recorded in the file is not one midcorridor wrote."
        )
    if "scenario" not in table.column_names or not pa.types.is_integer(
        table.schema.field("scenario").type
    ):
        raise MidcorridorError(f"{path}: the results have no scenario numbers: not a grid's.")
    keys = table.select(["scenario", "route"]).to_pylist() if "route" in table.column_names else []
    seen = {(r["scenario"], r["route"]) for r in keys}
    if len(seen) != len(keys):
        raise MidcorridorError(f"{path}: some scenario holds a route twice: the file was altered.")
    return table, meta


def read_results(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The rows of a results file and the grid that made it (``Grid.metadata()``).

    Raises
    ------
    MidcorridorError
        When the file is missing, not a midcorridor results file, or altered (a route of
        a scenario twice).
    """
    table, meta = _read_table(Path(path))
    return table.to_pandas(), meta


class ResultsFile:
    """The results file of a grid run and its journal: every finished scenario is kept.

    Each finished scenario's rows are appended at once to a journal beside the file
    (``.<name>.journal``, one line a scenario); every :data:`COMMIT_SECONDS` and at the end
    the rows are written whole, sorted by scenario, into the Parquet file (atomically) and
    the journal emptied. A run killed outright (``kill -9``, a lost machine) loses at most
    the scenarios running then: the file holds the last commit, and ``--resume`` takes the
    journal's rows in too. A finished run leaves no journal.

    Parameters
    ----------
    path
        The file.
    schema
        The grid's columns and metadata (:func:`result_schema`).
    points
        Scenarios in the grid: a row of another scenario number is refused.
    resume
        Keep the rows ``path`` and its journal hold (after checking they are this grid's);
        otherwise they are replaced.
    """

    def __init__(self, path: Path, schema: pa.Schema, points: int, *, resume: bool) -> None:
        with needs_extra("grid", "Storing a grid's results"):
            import pyarrow  # noqa: F401

        self.path = path
        self.schema = schema
        self.journal = path.parent / f".{path.name}.journal"
        self._fingerprint = json.loads(schema.metadata[METADATA_KEY])["fingerprint"]
        self._pending: list[dict[str, Any]] = []
        self._last_commit = time.monotonic()
        self.kept: pa.Table = schema.empty_table()
        if resume:
            self.kept = self._previous(points)

    def _previous(self, points: int) -> pa.Table:
        import pyarrow as pa

        tables = []
        if self.path.exists():
            table, meta = _read_table(self.path)
            self._check_fingerprint(meta.get("fingerprint"))
            if table.column_names != self.schema.names:
                raise MidcorridorError(
                    f"{self.path}: the results have other columns than this grid's: give "
                    "another --out, or run without --resume."
                )
            tables.append(table.cast(self.schema))
        in_file = set(tables[0].column("scenario").to_pylist()) if tables else set()
        # a run killed between a commit and emptying the journal has them in both
        journal = [r for r in self._journal_rows() if r.get("scenario") not in in_file]
        if journal:
            try:
                tables.append(pa.Table.from_pylist(journal, schema=self.schema))
            except (pa.ArrowInvalid, pa.ArrowTypeError, KeyError, TypeError) as exc:
                raise MidcorridorError(
                    f"{self.journal}: rows that are not this grid's ({exc}): the file was altered."
                ) from None
            keys = [(r.get("scenario"), r.get("route")) for r in journal]
            if len(set(keys)) != len(keys):
                raise MidcorridorError(
                    f"{self.journal}: some scenario holds a route twice: the file was altered."
                )
        if not tables:
            return self.schema.empty_table()
        table = pa.concat_tables(tables)
        numbers = table.column("scenario").to_pylist()
        foreign = sorted({n for n in numbers if not 0 <= n < points})
        if foreign:
            raise MidcorridorError(
                f"{self.path}: rows of scenarios the grid does not have ({foreign[:5]}): the "
                "file was altered."
            )
        return _by_scenario(table)

    def _check_fingerprint(self, recorded: object) -> None:
        found = recorded if isinstance(recorded, dict) else {}
        changed = [
            part for k, part in _FINGERPRINT_PARTS.items() if found.get(k) != self._fingerprint[k]
        ]
        if changed:
            raise MidcorridorError(
                f"{self.path}: these results were made with a different "
                f"{', '.join(changed)}: give another --out, or run without --resume "
                "(which replaces them)."
            )

    def _journal_rows(self) -> list[dict[str, Any]]:
        """The rows of the scenarios the journal holds (a line cut short by a kill is
        dropped: that scenario runs again)."""
        if not self.journal.exists():
            return []
        lines = self.journal.read_bytes().split(b"\n")
        try:
            header = json.loads(lines[0])
        except ValueError:
            return []  # killed while writing its first line: nothing in it
        self._check_fingerprint(header.get("fingerprint") if isinstance(header, dict) else None)
        rows: list[dict[str, Any]] = []
        for line in lines[1:-1]:  # the last is empty, or cut short
            try:
                scenario_rows = json.loads(line)
            except ValueError:
                raise MidcorridorError(
                    f"{self.journal}: a line is not one midcorridor wrote: the file was altered."
                ) from None
            rows.extend(scenario_rows)
        return rows

    @property
    def done(self) -> set[int]:
        """Scenarios in the file (or committed now)."""
        return set(self.kept.column("scenario").to_pylist())

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        """Rows of one finished scenario: in the journal at once, in the file at the next
        commit (:data:`COMMIT_SECONDS` at most)."""
        with open(self.journal, "ab") as journal:  # one write a line, then closed
            if not journal.tell():
                journal.write(json.dumps({"fingerprint": self._fingerprint}).encode() + b"\n")
            journal.write(json.dumps(list(rows)).encode() + b"\n")
        self._pending.extend(rows)
        if time.monotonic() - self._last_commit >= COMMIT_SECONDS:
            self.commit()

    def commit(self) -> None:
        """Write the kept rows and the new ones, whole and sorted by scenario, onto the
        file (atomically), and empty the journal."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._pending:
            new = pa.Table.from_pylist(self._pending, schema=self.schema)
            self.kept = _by_scenario(pa.concat_tables([self.kept, new]))
        with atomic_write(self.path, binary=True) as handle:
            pq.write_table(self.kept.replace_schema_metadata(self.schema.metadata), handle)
        self._pending.clear()
        self._last_commit = time.monotonic()
        with contextlib.suppress(FileNotFoundError):
            self.journal.unlink()

    def remove_leftovers(self) -> list[Path]:
        """Temporary files of this results file left by a run killed outright while it
        committed, and (without ``resume``) its journal: the run holding the file removes
        them."""
        removed = []
        leftovers = list(self.path.parent.glob(f".{self.path.name}.*.tmp"))
        if not self.kept.num_rows:
            leftovers.append(self.journal)
        for leftover in leftovers:
            with contextlib.suppress(OSError):
                leftover.unlink()
                removed.append(leftover)
        return removed


def _by_scenario(table: pa.Table) -> pa.Table:
    """Rows in the grid's order: by scenario, a scenario's routes as they ran (stable)."""
    return table.sort_by("scenario")
