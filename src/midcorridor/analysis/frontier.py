"""Answers from a grid's results: which measure sets reach a target, and how sure we are.

:func:`frontier` reads a policy grid (a full factorial): each *measure set* is a
combination of the values of the grid's measure axes (changes, services, capacities,
dredging); its *effort* is the number of measures moved from today's value (each axis's
first), and its cost in USD the sum of the costs its measure axes state for the values it
moves them to (unknown if one of them states none). At today's volume (the volume axis's
first value) it gives each set's P50 days on the question's route, the sets that reach the
target (today's P50 times a ratio, or a number of days) with the least effort, the Pareto
frontier of effort against days, and for each set the volume at which it breaks: the first
volume of the grid at which the route's queues saturate, and the first at which it misses
the target.

:func:`uncertainty` reads an uncertainty grid (Latin-hypercube draws over assumed
figures): the spread of each route's P50 days over the draws, and the share of that
spread each axis explains (first-order RBD-FAST indices, :mod:`SALib`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._errors import MidcorridorError, needs_extra
from ..inputs.grid_file import MEASURE_KNOBS, MIN_UNCERTAINTY_DRAWS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Frontier", "MeasureSet", "Uncertainty", "answer", "frontier", "uncertainty"]


@dataclass(frozen=True)
class MeasureSet:
    """One combination of measures and what it gives on the question's route.

    Attributes
    ----------
    values
        Measure axis -> its value in this set.
    moved
        The measure axes moved from today's value.
    days_p50
        P50 door-to-door days at today's volume.
    saturated
        Whether the route saturates a queue at today's volume (days are lower bounds).
    meets
        Whether ``days_p50`` reaches the target (and the route is not saturated).
    saturates_at, misses_at
        The first volume of the grid (TEU a week) at which the route saturates, and at
        which it misses the target; None if none does.
    avoided_loss_usd
        The expected annual loss it avoids, USD a year: mean, P10, P50, P90 and P99 over
        the drawn years (:func:`midcorridor.analysis.avoided_loss.value_avoided_loss`);
        None if not valued, or if with no measure or with the set some event's backlog
        never drains (the loss has no bound).
    cost_known_usd
        The sum of the costs, USD, of the moved measures whose cost the grid states.
    cost_unknown
        The moved measures whose cost the grid does not state.
    """

    values: Mapping[str, float | str]
    moved: tuple[str, ...]
    days_p50: float
    saturated: bool
    meets: bool
    saturates_at: float | None
    misses_at: float | None
    avoided_loss_usd: Mapping[str, float] | None = None
    cost_known_usd: float = 0.0
    cost_unknown: tuple[str, ...] = ()

    @property
    def effort(self) -> int:
        """How many measures the set moves."""
        return len(self.moved)

    @property
    def cost_usd(self) -> float | None:
        """The set's cost, USD: its measures' costs summed; None if one is unknown."""
        return None if self.cost_unknown else self.cost_known_usd

    @property
    def payback_years(self) -> dict[str, float] | None:
        """Years for the avoided loss to repay the cost (simple payback: cost / avoided
        loss a year): ``mean`` at the mean avoided loss, ``p10`` at its P90 (the quick
        case), ``p90`` at its P10; ``inf`` where that avoided loss is not above 0 (never
        repaid). None if the cost or the avoided loss is unknown, or nothing is moved."""
        cost, loss = self.cost_usd, self.avoided_loss_usd
        if cost is None or loss is None or not self.moved:
            return None

        def years(avoided: float) -> float:
            return cost / avoided if avoided > 0 else math.inf

        return {"mean": years(loss["mean"]), "p10": years(loss["p90"]), "p90": years(loss["p10"])}

    def to_dict(self) -> dict[str, Any]:
        """JSON of the set."""
        return {
            "measures": list(self.moved),
            "effort": self.effort,
            "values": dict(self.values),
            "days_p50": round(self.days_p50, 2),
            "saturated": self.saturated,
            "meets_target": self.meets,
            "saturates_at_teu_per_week": self.saturates_at,
            "misses_target_at_teu_per_week": self.misses_at,
            "avoided_loss_usd_per_year": _rounded(self.avoided_loss_usd),
            "cost_usd": None if self.cost_usd is None else round(self.cost_usd),
            "cost_usd_known_part": round(self.cost_known_usd),
            "cost_unknown_measures": list(self.cost_unknown),
            "payback_years": _payback_json(self.payback_years),
        }


def _payback_json(payback: Mapping[str, float] | None) -> dict[str, float | None] | None:
    """Payback years rounded, never repaid (inf) as null."""
    if payback is None:
        return None
    return {k: round(v, 2) if math.isfinite(v) else None for k, v in payback.items()}


def _rounded(summary: Mapping[str, float] | None) -> dict[str, float] | None:
    return None if summary is None else {k: round(v) for k, v in summary.items()}


def _cost_order(s: MeasureSet) -> tuple[bool, float]:
    """Known costs first, cheapest first."""
    return (s.cost_usd is None, s.cost_usd or 0.0)


def _fastest_then_cheapest(s: MeasureSet) -> tuple[float, bool, float]:
    return (s.days_p50, *_cost_order(s))


@dataclass(frozen=True)
class Frontier:
    """The answer of a policy grid to its question.

    Attributes
    ----------
    grid, route
        The grid's name and the question's route.
    today_days, target_days
        P50 days with no measure at today's volume, and the target.
    target_note
        Where the target comes from.
    volume_axis, volumes
        The volume axis (None if the grid has none) and its values, TEU a week.
    sets
        Every measure set, least effort first, then fewest days.
    annual_loss_usd, loss_events
        With no measure, the expected annual loss of the recurring events ``loss_events``,
        USD a year (mean, P10, P50, P90, P99); None if not valued or unbounded (some
        backlog never drains).
    loss_valued
        Whether the shown sets were valued in avoided loss.
    costed
        Whether some measure axis of the grid states a cost (``cost_usd``).
    """

    grid: str
    route: str
    today_days: float
    target_days: float
    target_note: str
    volume_axis: str | None
    volumes: tuple[float, ...]
    sets: tuple[MeasureSet, ...]
    annual_loss_usd: Mapping[str, float] | None = None
    loss_events: tuple[str, ...] = ()
    loss_valued: bool = False
    costed: bool = False

    @property
    def reaching(self) -> tuple[MeasureSet, ...]:
        """The sets that reach the target, least effort first."""
        return tuple(s for s in self.sets if s.meets)

    @property
    def cheapest(self) -> tuple[MeasureSet, ...]:
        """The sets that reach the target with the least effort (all of that effort): the
        cheapest in USD first, then those of unknown cost, fewest days first among equals."""
        reaching = self.reaching
        if not reaching:
            return ()
        least = min(s.effort for s in reaching)
        return tuple(
            sorted(
                (s for s in reaching if s.effort == least),
                key=lambda s: (*_cost_order(s), s.days_p50),
            )
        )

    @property
    def pareto(self) -> tuple[MeasureSet, ...]:
        """The sets no other beats on both effort and days: for each effort, the fastest,
        kept only if faster than every set of less effort."""
        out: list[MeasureSet] = []
        for effort in sorted({s.effort for s in self.sets}):
            fastest = min((s for s in self.sets if s.effort == effort), key=_fastest_then_cheapest)
            if not out or fastest.days_p50 < out[-1].days_p50:
                out.append(fastest)
        return tuple(out)

    @property
    def best(self) -> MeasureSet:
        """The fastest set (fewest P50 days; least effort, then least cost among equals)."""
        return min(self.sets, key=lambda s: (s.days_p50, s.effort, *_cost_order(s)))

    @property
    def shown(self) -> tuple[MeasureSet, ...]:
        """The sets the answer names: the cheapest, the Pareto frontier and the best."""
        out: list[MeasureSet] = []
        for s in (*self.cheapest, *self.pareto, self.best):
            if not any(s is kept for kept in out):
                out.append(s)
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """JSON: the question, the answer and every set."""
        return {
            "grid": self.grid,
            "route": self.route,
            "today_days_p50": round(self.today_days, 2),
            "target_days": round(self.target_days, 2),
            "target_note": self.target_note,
            "volume_axis": self.volume_axis,
            "volumes": list(self.volumes),
            "reached": bool(self.reaching),
            "cheapest": [s.to_dict() for s in self.cheapest],
            "best": self.best.to_dict(),
            "pareto": [s.to_dict() for s in self.pareto],
            "sets": [s.to_dict() for s in self.sets],
            "annual_loss_usd_per_year": _rounded(self.annual_loss_usd),
            "loss_events": list(self.loss_events),
            "costed": self.costed,
        }


def _axes(meta: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(meta.get("axes", []))


def _require_rows(results: pd.DataFrame, meta: Mapping[str, Any]) -> None:
    if len(results) == 0 or "route" not in results.columns:
        raise MidcorridorError(
            f"The results of grid {meta.get('name')} hold no finished scenario: run the grid "
            "(or go on with --resume)."
        )


def frontier(
    results: pd.DataFrame,
    meta: Mapping[str, Any],
    *,
    route: str | None = None,
    target_ratio: float | None = None,
    target_days: float | None = None,
) -> Frontier:
    """The measure sets of a policy grid against a target on one route.

    Parameters
    ----------
    results, meta
        A results table and its grid (:func:`midcorridor.runs.grid_store.read_results`).
    route
        Route label (default: the grid's ``frontier.route``, else its first route).
    target_ratio, target_days
        The target: today's P50 times ``target_ratio``, or ``target_days`` (default: the
        grid's ``frontier``; without one, half today's days).

    Raises
    ------
    MidcorridorError
        For a grid of draws (use :func:`uncertainty`), an unknown route, a grid without
        measure axes, or results missing today's point.
    """
    _require_rows(results, meta)
    if str(meta.get("design", "full")) != "full":
        raise MidcorridorError(
            f"Grid {meta.get('name')} is a set of Latin-hypercube draws: it has no measure "
            "sets to compare (its spread: midcorridor frontier reports it as uncertainty)."
        )
    question = meta.get("frontier") or {}
    route = route or question.get("route") or (meta.get("routes") or [None])[0]
    routes = sorted(set(results["route"])) if len(results) else []
    if route not in routes:
        raise MidcorridorError(
            f"Route {route!r} is not in the results (routes: {'; '.join(routes) or 'none'})."
        )
    axes = _axes(meta)
    measures = [a for a in axes if a["knob"] in MEASURE_KNOBS]
    if not measures:
        raise MidcorridorError(f"Grid {meta.get('name')} has no measure axis to compare.")
    volume = next((a for a in axes if a["knob"] == "volume"), None)
    conditions = [a for a in axes if a not in measures and a is not volume]
    rows = results[results["route"] == route]
    for a in conditions:  # month or shipment axes: at today's value
        rows = rows[rows[f"axis.{a['name']}"] == a["today"]]
    volumes = tuple(sorted(set(rows[f"axis.{volume['name']}"]))) if volume else ()
    today_volume = volume["today"] if volume else None

    if target_ratio is None and target_days is None:
        target_ratio = question.get("target_ratio")
        target_days = question.get("target_days")
        if target_ratio is None and target_days is None:
            target_ratio = 0.5
    for name, value, low, high in (("ratio", target_ratio, 0, 1), ("days", target_days, 0, 1e5)):
        if value is not None and not (math.isfinite(value) and low < value < high):
            raise MidcorridorError(
                f"target {name} {value!r}: a target that cannot be met or cannot fail; give "
                f"a number above {low:g} and below {high:g}."
            )
    names = [a["name"] for a in measures]
    costs_by_axis = _costs_by_axis(measures)
    groups = rows.groupby([f"axis.{n}" for n in names], sort=True)
    today_key = tuple(a["today"] for a in measures)

    def at(frame: Any, v: float | None) -> Any:
        return frame if volume is None else frame[frame[f"axis.{volume['name']}"] == v]

    table = {}
    for key, frame in groups:
        key = key if isinstance(key, tuple) else (key,)
        table[tuple(key)] = frame
    if today_key not in table or at(table[today_key], today_volume).empty:
        raise MidcorridorError(
            f"The results lack today's point (every measure at its first value): run the "
            f"whole grid {meta.get('name')} (without --limit)."
        )
    today_days = float(at(table[today_key], today_volume)["days_p50"].iloc[0])
    target = target_days if target_days is not None else today_days * float(target_ratio or 0.5)
    sets = []
    for key, frame in table.items():
        here = at(frame, today_volume)
        if here.empty:
            continue
        days = float(here["days_p50"].iloc[0])
        saturated = bool(here["saturated"].iloc[0])
        saturates_at = misses_at = None
        for v in volumes:
            row = at(frame, v)
            if row.empty:
                continue
            if saturates_at is None and bool(row["saturated"].iloc[0]):
                saturates_at = float(v)
            if misses_at is None and (
                bool(row["saturated"].iloc[0]) or float(row["days_p50"].iloc[0]) > target
            ):
                misses_at = float(v)
        values = dict(zip(names, key, strict=True))
        moved = tuple(a["name"] for a, v in zip(measures, key, strict=True) if v != a["today"])
        costs = {n: costs_by_axis[n].get(float(values[n])) for n in moved}
        sets.append(
            MeasureSet(
                values=values,
                moved=moved,
                days_p50=days,
                saturated=saturated,
                meets=days <= target and not saturated,
                saturates_at=saturates_at,
                misses_at=misses_at,
                cost_known_usd=sum(c for c in costs.values() if c is not None),
                cost_unknown=tuple(n for n, c in costs.items() if c is None),
            )
        )
    sets.sort(key=lambda s: (s.effort, s.days_p50))
    return Frontier(
        grid=str(meta.get("name")),
        route=str(route),
        today_days=today_days,
        target_days=target,
        target_note=str(question.get("note", "")),
        volume_axis=volume["name"] if volume else None,
        volumes=volumes,
        sets=tuple(sets),
        costed=any(costs_by_axis.values()),
    )


def _costs_by_axis(measures: list[dict[str, Any]]) -> dict[str, dict[float, float]]:
    """Measure axis -> value -> its cost, USD, as the results' grid states them."""
    return {
        str(a["name"]): {float(c["at"]): float(c["usd"]) for c in a.get("cost_usd") or ()}
        for a in measures
    }


@dataclass(frozen=True)
class Uncertainty:
    """The spread of each route's P50 days over an uncertainty grid, and what drives it.

    Attributes
    ----------
    grid
        The grid's name.
    draws
        Draws (scenarios) read.
    spread
        Route -> P10, P50, P90 and mean, over the draws, of the route's P50 days.
    indices
        Route -> axis -> first-order RBD-FAST index (share of the spread the axis alone
        explains).
    """

    grid: str
    draws: int
    spread: Mapping[str, Mapping[str, float]]
    indices: Mapping[str, Mapping[str, float]]

    def to_dict(self) -> dict[str, Any]:
        """JSON of the spread and the indices."""
        return {
            "grid": self.grid,
            "draws": self.draws,
            "spread_days_p50": {r: dict(v) for r, v in self.spread.items()},
            "first_order_indices": {r: dict(v) for r, v in self.indices.items()},
        }


def uncertainty(results: pd.DataFrame, meta: Mapping[str, Any]) -> Uncertainty:
    """Spread of each route's P50 days over the draws, and each axis's first-order index.

    Raises
    ------
    MidcorridorError
        For a grid that is not a set of draws, or with too few draws for the indices.
    """
    import numpy as np

    with needs_extra("grid", "The spread of an uncertainty grid"):
        from SALib.analyze import rbd_fast

    _require_rows(results, meta)
    axes = [a for a in _axes(meta) if a.get("range")]
    if str(meta.get("design", "full")) == "full" or not axes:
        raise MidcorridorError(
            f"Grid {meta.get('name')} is not a set of Latin-hypercube draws over ranges."
        )
    names = [str(a["name"]) for a in axes]
    problem = {"num_vars": len(axes), "names": names, "bounds": [list(a["range"]) for a in axes]}
    spread: dict[str, dict[str, float]] = {}
    indices: dict[str, dict[str, float]] = {}
    draws = 0
    for route, frame in results.groupby("route", sort=True):
        frame = frame.sort_values("scenario")
        y = frame["days_p50"].to_numpy(dtype=float)
        x = frame[[f"axis.{a['name']}" for a in axes]].to_numpy(dtype=float)
        draws = len(y)
        if draws < MIN_UNCERTAINTY_DRAWS:
            raise MidcorridorError(
                f"{draws} draws are too few for the indices: a grid needs at least "
                f"{MIN_UNCERTAINTY_DRAWS}."
            )
        p10, p50, p90 = np.percentile(y, [10, 50, 90])
        spread[str(route)] = {
            "p10": float(p10),
            "p50": float(p50),
            "p90": float(p90),
            "mean": float(y.mean()),
        }
        result = rbd_fast.analyze(problem, x, y, print_to_console=False, seed=0)
        first_order = [float(max(s1, 0.0)) for s1 in result["S1"]]
        indices[str(route)] = dict(zip(names, first_order, strict=True))
    return Uncertainty(str(meta.get("name")), draws, spread, indices)


def answer(
    results: pd.DataFrame,
    meta: Mapping[str, Any],
    *,
    route: str | None = None,
    target_ratio: float | None = None,
    target_days: float | None = None,
) -> Frontier | Uncertainty:
    """What a grid answers: for a policy grid (a full factorial), its :func:`frontier`; for
    an uncertainty grid (Latin-hypercube draws), its :func:`uncertainty`.

    Raises
    ------
    MidcorridorError
        When a target is given for an uncertainty grid, or as in :func:`frontier`.
    """
    if str(meta.get("design", "full")) == "full":
        return frontier(
            results, meta, route=route, target_ratio=target_ratio, target_days=target_days
        )
    if route is not None or target_ratio is not None or target_days is not None:
        raise MidcorridorError(
            "An uncertainty grid (Latin-hypercube draws) answers with the spread of every "
            "route; --route and a target are for policy grids."
        )
    return uncertainty(results, meta)
