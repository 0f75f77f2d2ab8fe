"""Typed results of the analyses, the one model every view renders from.

One rule for all: a result is a frozen dataclass. It carries what any view needs, the
saturation flag included (a saturated trip's days are lower bounds, see
:mod:`midcorridor.views.formatting`); ``to_dict()`` gives its JSON (``--json``), and a tabular
result exposes its rows as a pandas ``frame``. Rich tables, Markdown, map popups and
chart labels are all made from these objects.

The sampled trips themselves are :class:`midcorridor.model.trip.TripResult` (one trip, its
sample matrix) and :class:`midcorridor.runs.runner.ScenarioRun` (one scenario's trips).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .vocabulary import CONNECTION_STAGES, PAPERWORK_STAGES, STEP_KIND

if TYPE_CHECKING:
    import pandas as pd

    from .vocabulary import Corridor

__all__ = [
    "AssumptionShare",
    "Comparison",
    "ComparisonEntry",
    "ComparisonRow",
    "Evidence",
    "EvidenceRoute",
    "NetworkSummary",
    "PointLoad",
    "Ranking",
    "ShortestKm",
    "Spread",
    "StaleSource",
    "Sweep",
    "SweepRoute",
    "SweepStep",
]


# --- comparison of scenarios ------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonEntry:
    """One trip in one scenario, against the same trip in the reference (first) scenario.

    Attributes
    ----------
    scenario
        Scenario name.
    days
        Door-to-door days: ``mean``, ``p10``, ``p50``, ``p90``.
    delta_p50_days, delta_mean_days
        Change of P50 and mean days against the reference, days.
    stage_deltas_days
        Change of mean days per stage against the reference, days.
    step_deltas_days
        Change of mean days per customs step (``network/customs.yaml``), days.
    warnings
        Why the figures are lower bounds (saturated queues), if they are.
    lower_bound_stages
        Stages whose days are lower bounds in this scenario or the reference.
    reference_saturated
        Whether the reference trip is saturated (its days, and so the change, unknown).
    """

    scenario: str
    days: Mapping[str, float]
    delta_p50_days: float
    delta_mean_days: float
    stage_deltas_days: Mapping[str, float]
    step_deltas_days: Mapping[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    lower_bound_stages: frozenset[str] = frozenset()
    reference_saturated: bool = False

    @property
    def saturated(self) -> bool:
        """Whether the days are lower bounds (the trip passes a saturated queue)."""
        return bool(self.warnings)

    @property
    def delta_known(self) -> bool:
        """Whether the change can be told: not if the reference is a lower bound."""
        return not self.reference_saturated

    @property
    def delta_by_kind(self) -> dict[str, float]:
        """Change of mean days split the way a funder reads a customs saving.

        ``desk``: processing by customs and the documents' holders (the
        :data:`~.vocabulary.PAPERWORK_STAGES` less the waits); ``queue``: the wait from
        arrival to lodgement at each office (the ``arrival_wait`` step);
        ``connections``: the waits for a departure (:data:`~.vocabulary.CONNECTION_STAGES`:
        a train formed, a ferry), where a faster border also saves the sailings it no longer
        misses; ``other``: the rest. The four add up to :attr:`delta_mean_days`.
        """
        paperwork = sum(self.stage_deltas_days.get(s, 0.0) for s in PAPERWORK_STAGES)
        queue = sum(
            self.step_deltas_days.get(s, 0.0) for s, kind in STEP_KIND.items() if kind == "queue"
        )
        connections = sum(self.stage_deltas_days.get(s, 0.0) for s in CONNECTION_STAGES)
        return {
            "desk": paperwork - queue,
            "queue": queue,
            "connections": connections,
            "other": self.delta_mean_days - paperwork - connections,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON of the entry."""
        return {
            "scenario": self.scenario,
            **dict(self.days),
            "delta_p50_days": self.delta_p50_days,
            "delta_mean_days": self.delta_mean_days,
            "delta_mean_by_kind": self.delta_by_kind,
            "stage_deltas_days": dict(self.stage_deltas_days),
            "step_deltas_days": dict(self.step_deltas_days),
            "warnings": list(self.warnings),
            "saturated": self.saturated,
            "lower_bound_stages": sorted(self.lower_bound_stages),
            "reference_saturated": self.reference_saturated,
        }


@dataclass(frozen=True)
class ComparisonRow:
    """One trip label across scenarios; ``None`` where a scenario has no such trip."""

    label: str
    entries: tuple[ComparisonEntry | None, ...]

    @property
    def last(self) -> ComparisonEntry:
        """The entry of the last scenario that has the trip."""
        return next(e for e in reversed(self.entries) if e is not None)

    @property
    def saturated(self) -> bool:
        """Whether any scenario's figures of this trip are lower bounds."""
        return any(e is not None and e.saturated for e in self.entries)

    def to_dict(self) -> dict[str, Any]:
        """JSON of the row: each scenario's entry, and the last scenario's changes."""
        last = self.last
        return {
            "label": self.label,
            "days": [e.to_dict() if e is not None else None for e in self.entries],
            "delta_p50_days": last.delta_p50_days,
            "delta_mean_days": last.delta_mean_days,
            "stage_deltas_days": dict(last.stage_deltas_days),
            "saturated": self.saturated,
        }


@dataclass(frozen=True)
class Comparison:
    """Trips of several scenario runs side by side (:func:`midcorridor.compare_runs`)."""

    scenarios: tuple[str, ...]
    rows: tuple[ComparisonRow, ...]

    def __iter__(self) -> Iterator[ComparisonRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def saturated(self) -> bool:
        """Whether any figure of the comparison is a lower bound."""
        return any(row.saturated for row in self.rows)

    def to_dict(self) -> list[dict[str, Any]]:
        """JSON: one object per trip label (the ``comparison`` of ``compare --json``)."""
        return [row.to_dict() for row in self.rows]

    def frame(self) -> pd.DataFrame:
        """One row per route and scenario: days, the change of P50 and mean days against
        the first scenario, and that change split by kind (desk, queue, connections,
        other)."""
        import pandas as pd

        rows = []
        for row in self.rows:
            for entry in row.entries:
                if entry is not None:
                    rows.append({"route": row.label, **_entry_columns(entry)})
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return f"Comparison({', '.join(self.scenarios)}; {len(self.rows)} routes)"

    def _repr_html_(self) -> str:
        return self.frame().to_html(index=False)


def _entry_columns(entry: ComparisonEntry) -> dict[str, Any]:
    """A comparison entry as flat columns: days, changes, the change split by kind."""
    return {
        "scenario": entry.scenario,
        **{f"days_{k}": v for k, v in entry.days.items()},
        "delta_p50_days": entry.delta_p50_days,
        "delta_mean_days": entry.delta_mean_days,
        **{f"delta_{k}_days": v for k, v in entry.delta_by_kind.items()},
        "saturated": entry.saturated,
    }


# --- volume sweep ------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepRoute:
    """One trip at one volume of a sweep: P50 and P90 days."""

    label: str
    corridor: Corridor
    p50: float
    p90: float
    warnings: tuple[str, ...] = ()

    @property
    def saturated(self) -> bool:
        """Whether the days are lower bounds."""
        return bool(self.warnings)

    def to_dict(self) -> dict[str, Any]:
        """JSON of the trip at this volume."""
        return {
            "label": self.label,
            "corridor": self.corridor,
            "p50": self.p50,
            "p90": self.p90,
            "warnings": list(self.warnings),
            "saturated": self.saturated,
        }


@dataclass(frozen=True)
class PointLoad:
    """Load of a capacity-limited point (a Caspian crossing or a node) at one volume."""

    utilisation: float
    saturated: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON of the load."""
        return {"utilisation": self.utilisation, "saturated": self.saturated}


@dataclass(frozen=True)
class SweepStep:
    """One volume of a sweep: every trip's days and every constrained point's load."""

    volume_teu_per_week: float
    routes: tuple[SweepRoute, ...]
    constrained: Mapping[str, PointLoad] = field(default_factory=dict)

    @property
    def saturated(self) -> bool:
        """Whether a point on the corridor is saturated at this volume."""
        return any(load.saturated for load in self.constrained.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON of the step."""
        return {
            "volume_teu_per_week": self.volume_teu_per_week,
            "routes": [r.to_dict() for r in self.routes],
            "constrained": {k: v.to_dict() for k, v in self.constrained.items()},
        }


@dataclass(frozen=True)
class Sweep:
    """A scenario run at a series of volumes on one corridor (:func:`midcorridor.sweep_volume`)."""

    scenario: str
    corridor: Corridor
    steps: tuple[SweepStep, ...]

    @property
    def first_saturated_volume(self) -> float | None:
        """The lowest volume (TEU a week) at which a point saturates, if any."""
        return next((s.volume_teu_per_week for s in self.steps if s.saturated), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON of the sweep (``sweep --json``)."""
        return {
            "scenario": self.scenario,
            "corridor": self.corridor,
            "steps": [s.to_dict() for s in self.steps],
        }


# --- analyses of one trip -----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Ranking:
    """Bottlenecks of one trip (:func:`midcorridor.rank_bottlenecks`).

    Attributes
    ----------
    label
        Trip label.
    group_by
        ``place``, ``country`` or ``stage``.
    mean_days, p50_days, p90_days
        The trip's door-to-door days.
    saturated
        Whether the trip's days (and so the savings) are lower bounds.
    frame
        One row per group, columns :data:`midcorridor.analysis.bottlenecks.RANK_COLUMNS`.
    """

    label: str
    group_by: str
    mean_days: float
    p50_days: float
    p90_days: float
    saturated: bool
    frame: pd.DataFrame

    def head(self, n: int | None) -> Ranking:
        """The first ``n`` rows (all if None)."""
        return self if n is None else _replace_frame(self, self.frame.head(n))

    def to_dict(self) -> dict[str, Any]:
        """JSON: the trip's days and one object per group."""
        return {
            "label": self.label,
            "group_by": self.group_by,
            "days": {"mean": self.mean_days, "p50": self.p50_days, "p90": self.p90_days},
            "saturated": self.saturated,
            "ranking": _records(self.frame),
        }


@dataclass(frozen=True, eq=False)
class Spread:
    """What drives the spread of one trip's days (:func:`midcorridor.sensitivity`).

    Attributes
    ----------
    label
        Trip label.
    group_by
        ``component`` or ``stage``.
    sd_days
        Standard deviation of door-to-door days.
    saturated
        Whether the trip's days are lower bounds.
    frame
        One row per delay or stage, columns
        :data:`midcorridor.analysis.bottlenecks.SENSITIVITY_COLUMNS`.
    """

    label: str
    group_by: str
    sd_days: float
    saturated: bool
    frame: pd.DataFrame

    def head(self, n: int | None) -> Spread:
        """The first ``n`` rows (all if None)."""
        return self if n is None else _replace_frame(self, self.frame.head(n))

    def to_dict(self) -> dict[str, Any]:
        """JSON: the trip's spread and one object per delay."""
        return {
            "label": self.label,
            "group_by": self.group_by,
            "sd_days": self.sd_days,
            "saturated": self.saturated,
            "sensitivity": _records(self.frame),
        }


def _replace_frame(result: Any, frame: pd.DataFrame) -> Any:
    from dataclasses import replace

    return replace(result, frame=frame)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts: NaN becomes None."""
    rows = frame.to_dict("records")
    return [
        {str(k): (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in rows
    ]


# --- the network -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShortestKm:
    """Shortest km between two places on each corridor that connects them."""

    origin: str
    destination: str
    km: Mapping[Corridor, int]

    def to_dict(self) -> dict[str, Any]:
        """JSON of the pair."""
        return {"origin": self.origin, "destination": self.destination, "km": dict(self.km)}


@dataclass(frozen=True)
class NetworkSummary:
    """What ``midcorridor network check`` reports of a valid network."""

    path: str
    nodes: int
    nodes_by_kind: Mapping[str, int]
    links: int
    links_by_mode: Mapping[str, int]
    closed_links: tuple[str, ...]
    open_km_by_mode: Mapping[str, int]
    countries: tuple[str, ...]
    sources: int
    shortest_km: tuple[ShortestKm, ...]
    sources_by_basis: Mapping[str, int] = field(default_factory=dict)
    era: int = 2025
    stale_sources: tuple[StaleSource, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON of the summary (``network check --json``)."""
        return {
            "path": self.path,
            "nodes": self.nodes,
            "nodes_by_kind": dict(self.nodes_by_kind),
            "links": self.links,
            "links_by_mode": dict(self.links_by_mode),
            "closed_links": list(self.closed_links),
            "open_km_by_mode": dict(self.open_km_by_mode),
            "countries": list(self.countries),
            "sources": self.sources,
            "shortest_km": [p.to_dict() for p in self.shortest_km],
            "sources_by_basis": dict(self.sources_by_basis),
            "era": self.era,
            "stale_sources": [s.to_dict() for s in self.stale_sources],
            "problems": [],
        }


# --- evidence ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StaleSource:
    """A publication older than the era it is used for (by more than the tolerance)."""

    key: str
    year: int
    basis: str
    era: int

    def to_dict(self) -> dict[str, Any]:
        """JSON of the entry."""
        return {"source": self.key, "year": self.year, "basis": self.basis, "era": self.era}


@dataclass(frozen=True)
class AssumptionShare:
    """An assumption on a trip: its mean days and its share of the spread of the days.

    ``variance_share`` is the covariance of the days resting on it with the door-to-door
    days over their variance (:func:`~midcorridor.analysis.bottlenecks.variance_shares`); ``settle``
    says which measurement would settle it, where the source entry says.
    """

    source: str
    days_mean: float
    variance_share: float
    settle: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON of the entry."""
        return {
            "source": self.source,
            "days_mean": self.days_mean,
            "variance_share": self.variance_share,
            "settle": self.settle,
        }


@dataclass(frozen=True)
class EvidenceRoute:
    """What one trip's mean days rest on, by basis (``published``, ``derived``, ``assumption``)."""

    label: str
    shipment: str
    days_mean: float
    days_by_basis: Mapping[str, float]
    assumptions: tuple[AssumptionShare, ...]
    stale: tuple[StaleSource, ...] = ()
    saturated: bool = False
    usd_by_basis: Mapping[str, float] = field(default_factory=dict)

    @property
    def assumed_share(self) -> float:
        """Share of the mean days resting on assumptions."""
        return self.days_by_basis.get("assumption", 0.0) / self.days_mean if self.days_mean else 0.0

    @property
    def assumed_usd_share(self) -> float | None:
        """Share of the mean freight cost resting on assumed figures (None without costs)."""
        total = sum(self.usd_by_basis.values())
        return self.usd_by_basis.get("assumption", 0.0) / total if total else None

    def to_dict(self) -> dict[str, Any]:
        """JSON of the route."""
        return {
            "label": self.label,
            "shipment": self.shipment,
            "days_mean": self.days_mean,
            "days_by_basis": dict(self.days_by_basis),
            "assumptions": [a.to_dict() for a in self.assumptions],
            "stale_sources": [s.to_dict() for s in self.stale],
            "saturated": self.saturated,
            "usd_by_basis": dict(self.usd_by_basis),
        }


@dataclass(frozen=True)
class Evidence:
    """What the routes of a scenario rest on (``midcorridor evidence``)."""

    scenario: str
    era: int
    routes: tuple[EvidenceRoute, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON: ``{"scenario", "era", "routes": [...]}``."""
        return {
            "scenario": self.scenario,
            "era": self.era,
            "routes": [r.to_dict() for r in self.routes],
        }
