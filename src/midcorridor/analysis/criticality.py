"""Which single node or link would hurt most if it failed: single-element criticality.

RA2CE's single-link redundancy, on the scenario's own trips: every node and link of the
candidate routes of the scenario's trips, on the three corridors
(:func:`~midcorridor.runs.criticality.find_elements`), is closed in turn (or its capacity
degraded), each trip takes its best open route of its wanted corridor (``any`` trips may
switch corridor), and, if asked, the corridor choice is re-solved so that the cargo it
moves loads the queues of the corridor it moves to. Against the intact run, with the same
random numbers:

- extra P50 days and extra mean USD per trip (largest and mean over the trips that still
  have a route);
- TEU-days lost a year: for each corridor, the TEU a year on it (the intact corridor
  choice's when it is re-solved, else the scenario's volume; by sea nothing without the
  choice) times the mean extra P50 days of the trips the intact run sent on it, summed;
- ``no_alternative``: some trip has no open route at all. Such elements rank first (most
  trips cut first), then by the chosen measure.

Days of a trip through a saturated queue are lower bounds, and so are their extra days
(``saturated``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

from .._errors import ScenarioError, did_you_mean
from ..inputs.scenario import Scenario
from ..network.network import Network
from ..runs.criticality import (
    Element,
    ElementTask,
    degradable,
    element_scenario,
    evaluate_element,
    evaluate_elements,
    find_elements,
)
from ..runs.grid_exec import run_points
from ..runs.network_cache import share_network
from ..runs.resolve import resolve
from ..runs.runner import check_scenario
from ..vocabulary import CHOICE_CORRIDORS, CRITICALITY_SAMPLES, RankBy

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CRITICALITY_COLUMNS",
    "Criticality",
    "ElementCriticality",
    "rank_criticality",
]

#: Columns of :meth:`Criticality.frame`, one row per element.
CRITICALITY_COLUMNS = (
    "rank",
    "element",
    "kind",
    "name",
    "corridors",
    "no_alternative",
    "trips_cut",
    "extra_days_max",
    "extra_days_mean",
    "extra_usd_max",
    "extra_usd_mean",
    "teu_days_per_year",
    "teu_moved_per_year",
    "switched_corridor",
    "saturated",
    "note",
)


@dataclass(frozen=True)
class ElementCriticality:
    """What taking one element out does to the scenario's trips.

    Attributes
    ----------
    element
        The node or link.
    extra_days_max, extra_days_mean
        Extra P50 door-to-door days against the intact run: of the trip hit hardest, and
        the mean over the trips that still have a route (NaN if none has).
    extra_usd_max, extra_usd_mean
        Extra mean freight USD per container, likewise (NaN without cost figures).
    teu_days_per_year
        TEU-days lost a year (see the module's notes).
    trips_cut
        Labels of the trips left with no open route.
    switched_corridor
        Labels of the trips now on another corridor.
    saturated
        Whether a trip passes a saturated queue: its extra days are lower bounds.
    teu_moved_per_year
        TEU a year the re-solved corridor choice moves between corridors (NaN without it).
    note
        Why the corridor choice could not be re-solved ("" if it was, or was not asked
        for): a market left with no open corridor; the scenario's volumes were kept.
    """

    element: Element
    extra_days_max: float
    extra_days_mean: float
    extra_usd_max: float
    extra_usd_mean: float
    teu_days_per_year: float
    trips_cut: tuple[str, ...]
    switched_corridor: tuple[str, ...]
    saturated: bool
    teu_moved_per_year: float
    note: str = ""

    @property
    def no_alternative(self) -> bool:
        """Whether some trip has no open route without this element."""
        return bool(self.trips_cut)

    def measure(self, rank_by: RankBy) -> float:
        """The measure ``rank_by`` names: TEU-days a year, or the largest extra days or
        USD of a trip."""
        return {
            "teu-days": self.teu_days_per_year,
            "days": self.extra_days_max,
            "usd": self.extra_usd_max,
        }[rank_by]

    def record(self) -> dict[str, Any]:
        """The element's row (:data:`CRITICALITY_COLUMNS` but ``rank``)."""
        return {
            "element": self.element.id,
            "kind": self.element.kind,
            "name": self.element.name,
            "corridors": ", ".join(self.element.corridors),
            "no_alternative": self.no_alternative,
            "trips_cut": "; ".join(self.trips_cut),
            "extra_days_max": self.extra_days_max,
            "extra_days_mean": self.extra_days_mean,
            "extra_usd_max": self.extra_usd_max,
            "extra_usd_mean": self.extra_usd_mean,
            "teu_days_per_year": self.teu_days_per_year,
            "teu_moved_per_year": self.teu_moved_per_year,
            "switched_corridor": "; ".join(self.switched_corridor),
            "saturated": self.saturated,
            "note": self.note,
        }


@dataclass(frozen=True)
class Criticality:
    """Every element of a scenario's routes, ranked (:func:`rank_criticality`).

    Attributes
    ----------
    scenario
        Scenario name.
    samples, seed
        Monte Carlo settings of every run (the same seed for every element).
    degrade
        Capacity fraction the elements were degraded to; None: closed.
    choice
        Whether the corridor choice was re-solved for every element.
    teu_source, teu_per_year
        Where the TEU a year on each corridor came from (``choice`` or ``scenario
        volume``), and the TEU a year of the intact run, by corridor.
    rank_by
        The measure ranked by after ``no_alternative``.
    intact_days
        Trip label -> P50 days of the intact run.
    elements
        The elements, ranked, most critical first.
    left_out
        Elements not ranked: without a capacity to degrade, or lost with their worker.
    """

    scenario: str
    samples: int
    seed: int
    degrade: float | None
    choice: bool
    teu_source: str
    teu_per_year: Mapping[str, float]
    rank_by: RankBy
    intact_days: Mapping[str, float]
    elements: tuple[ElementCriticality, ...]
    left_out: Mapping[str, str]

    def frame(self) -> pd.DataFrame:
        """One row per element, ranked (:data:`CRITICALITY_COLUMNS`); ``attrs`` hold the
        run's settings (:meth:`to_dict` but its elements), kept in a Parquet file."""
        import pandas as pd

        rows = [{"rank": i + 1, **e.record()} for i, e in enumerate(self.elements)]
        frame = pd.DataFrame(rows, columns=list(CRITICALITY_COLUMNS))
        frame.attrs = {k: v for k, v in self.to_dict(0).items() if k != "elements"}
        return frame

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-ready result (``midcorridor criticality --json``): the first ``top``
        elements (all by default); NaN as null."""
        shown = self.elements if top is None else self.elements[:top]
        return {
            "scenario": self.scenario,
            "samples": self.samples,
            "seed": self.seed,
            "removal": "closed" if self.degrade is None else f"capacity x {self.degrade:g}",
            "corridor_choice": self.choice,
            "teu_source": self.teu_source,
            "teu_per_year": {c: round(v) for c, v in self.teu_per_year.items()},
            "rank_by": self.rank_by,
            "elements_ranked": len(self.elements),
            "intact_p50_days": {k: round(v, 2) for k, v in self.intact_days.items()},
            "elements": [
                {
                    "rank": i + 1,
                    **{k: _json_value(v) for k, v in e.record().items()},
                    "corridors": list(e.element.corridors),
                    "trips_cut": list(e.trips_cut),
                    "switched_corridor": list(e.switched_corridor),
                }
                for i, e in enumerate(shown)
            ],
            "left_out": dict(self.left_out),
        }


def _json_value(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 3)
    return value


def _mean(values: Sequence[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return sum(kept) / len(kept) if kept else math.nan


def _max(values: Sequence[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return max(kept) if kept else math.nan


def _measure(
    element: Element,
    rows: Sequence[Mapping[str, Any]],
    intact: Sequence[Mapping[str, Any]],
    choice: bool,
) -> ElementCriticality:
    """One element's measures from its trips' rows and the intact run's (by position)."""
    days, usd, cut, switched = [], [], [], []
    by_corridor: dict[str, list[float]] = {}
    for base, row in zip(intact, rows, strict=True):
        if not row["routed"]:
            cut.append(base["label"])
            continue
        extra = row["days_p50"] - base["days_p50"]
        days.append(extra)
        usd.append(row["usd_mean"] - base["usd_mean"])
        by_corridor.setdefault(base["corridor"], []).append(extra)
        if row["corridor"] != base["corridor"]:
            switched.append(base["label"])
    teu_days = sum(intact[0][f"teu_{c}"] * _mean(extra) for c, extra in by_corridor.items())
    moved = math.nan
    if choice and not rows[0]["choice_note"]:
        gains = (rows[0][f"teu_{c}"] - intact[0][f"teu_{c}"] for c in CHOICE_CORRIDORS)
        moved = sum(max(gain, 0.0) for gain in gains)
    return ElementCriticality(
        element=element,
        extra_days_max=_max(days),
        extra_days_mean=_mean(days),
        extra_usd_max=_max(usd),
        extra_usd_mean=_mean(usd),
        teu_days_per_year=teu_days,
        trips_cut=tuple(cut),
        switched_corridor=tuple(switched),
        saturated=any(row["saturated"] for row in rows),
        teu_moved_per_year=moved,
        note=rows[0]["choice_note"],
    )


def _ranked(
    elements: Sequence[ElementCriticality], rank_by: RankBy
) -> tuple[ElementCriticality, ...]:
    def number(value: float) -> float:
        return -math.inf if math.isnan(value) else value

    def key(e: ElementCriticality) -> tuple[Any, ...]:
        measure, days = number(e.measure(rank_by)), number(e.extra_days_max)
        return (-len(e.trips_cut), -measure, -days, e.element.kind, e.element.id)

    return tuple(sorted(elements, key=key))


def rank_criticality(
    scenario: Scenario,
    network: Network,
    *,
    samples: int | None = None,
    seed: int | None = None,
    degrade: float | None = None,
    choice_baseline: Scenario | None = None,
    rank_by: RankBy = "teu-days",
    only: Sequence[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Criticality:
    """Take out each node and link of the scenario's candidate routes in turn and rank them.

    Parameters
    ----------
    scenario, network
        What to run, on which network.
    samples, seed
        Monte Carlo samples of every run (default
        :data:`~midcorridor.vocabulary.CRITICALITY_SAMPLES`) and the seed every element's
        runs share (default the scenario's).
    degrade
        Instead of closing each element, set its capacity to this fraction (0-1) of the
        scenario's: a node's trains a day, a ferry or sea line's TEU a sailing; elements
        with neither are left out.
    choice_baseline
        Re-solve the corridor choice for every element (fitted on this scenario) and time
        the trips with the volumes it leaves each corridor.
    rank_by
        The measure ranked by after ``no_alternative`` (:data:`~midcorridor.vocabulary.RankBy`).
    only
        Element ids to take out (default: every element).
    workers, scheduler
        Run on a local Dask cluster of this many workers, or on a running scheduler (as
        :func:`~midcorridor.runs.grid.run_grid` does); default: in this process. The
        results are the same either way.
    progress
        Called as ``progress(done, total)`` after each element.

    Returns
    -------
    Criticality
        Every element's measures, ranked.

    Raises
    ------
    ScenarioError
        When the intact scenario cannot run, ``only`` names an element that is not on
        the routes, or a degraded capacity is out of bounds.
    """
    if degrade is not None and not 0 < degrade < 1:
        raise ScenarioError(f"degrade must be a fraction between 0 and 1, got {degrade:g}.")
    if rank_by not in get_args(RankBy):
        raise ScenarioError(f"rank_by must be one of {', '.join(get_args(RankBy))}.")
    base = scenario.derive(
        samples=samples or CRITICALITY_SAMPLES,
        seed=scenario.seed if seed is None else seed,
    )
    check_scenario(base, network)
    conditions = resolve(base, network)
    elements = find_elements(base, network)
    left_out: dict[str, str] = {}
    if only is not None:
        ids = {e.id for e in elements}
        for wanted in only:
            if wanted not in ids:
                hint = did_you_mean(wanted, sorted(ids))
                raise ScenarioError(f"{wanted!r} is not a node or link of the routes{hint}.")
        elements = [e for e in elements if e.id in set(only)]
    if degrade is not None:
        left_out = {e.id: "no capacity" for e in elements if not degradable(e, conditions)}
        elements = [e for e in elements if e.id not in left_out]
    path = str(network.path)
    share_network(network)  # the tasks name it by folder: not read again here
    intact = evaluate_element(ElementTask(-1, None, base, path, choice_baseline))
    tasks = (
        ElementTask(i, e, element_scenario(base, e, conditions, degrade), path, choice_baseline)
        for i, e in enumerate(elements)
    )
    measured: list[ElementCriticality] = []
    outcomes = run_points(
        tasks,
        evaluate_element,
        evaluate_elements,
        total=len(elements),
        network=network,
        sample_routes=base.samples * len(base.routes),
        workers=workers,
        scheduler=scheduler,
    )
    try:
        for done, outcome in enumerate(outcomes, start=1):
            element = elements[outcome.index]
            if outcome.rows is None:
                left_out[element.id] = outcome.error
            else:
                measured.append(
                    _measure(element, outcome.rows, intact, choice_baseline is not None)
                )
            if progress is not None:
                progress(done, len(elements))
    finally:
        outcomes.close()
    return Criticality(
        scenario=scenario.name,
        samples=base.samples,
        seed=base.seed,
        degrade=degrade,
        choice=choice_baseline is not None,
        teu_source=intact[0]["teu_source"],
        teu_per_year={c: intact[0][f"teu_{c}"] for c in CHOICE_CORRIDORS},
        rank_by=rank_by,
        intact_days={row["label"]: row["days_p50"] for row in intact},
        elements=_ranked(measured, rank_by),
        left_out=left_out,
    )
