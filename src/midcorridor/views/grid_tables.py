"""Tables of what a grid answers: a policy grid's measure sets (effort, days, the volume
each breaks at, the expected annual loss each avoids, its cost and payback) and an
uncertainty grid's spread."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import formatting as fmt
from .table import Table, columns

if TYPE_CHECKING:
    from ..analysis.frontier import Frontier, MeasureSet, Uncertainty

__all__ = ["frontier_tables", "uncertainty_tables"]


def _measures(s: MeasureSet) -> str:
    return (
        ", ".join(
            f"{name} {s.values[name]:g}"
            if isinstance(s.values[name], float | int)
            else f"{name} {s.values[name]}"
            for name in s.moved
        )
        or "none (today)"
    )


def _volume(v: float | None) -> str:
    return "-" if v is None else f"{v:,.0f}"


def _avoided(s: MeasureSet) -> tuple[str, str]:
    loss = s.avoided_loss_usd
    if loss is None:
        return "-", "-"
    return (
        fmt.million_usd(loss["mean"]),
        f"{fmt.million_usd(loss['p10'])} / {fmt.million_usd(loss['p90'])}",
    )


def _cost(s: MeasureSet) -> str:
    """The set's cost, millions of USD; ``>= X`` for the known part when some measure's
    cost is unknown, ``unknown`` when none is known."""
    if s.cost_usd is not None:
        return fmt.million_usd(s.cost_usd)
    if s.cost_known_usd > 0:
        return f">= {fmt.million_usd(s.cost_known_usd)}"
    return "unknown"


def _years(value: float) -> str:
    return f"{value:,.1f}" if math.isfinite(value) else "never"


def _payback(s: MeasureSet) -> str:
    payback = s.payback_years
    if payback is None:
        return "-"
    return f"{_years(payback['mean'])} ({_years(payback['p10'])}-{_years(payback['p90'])})"


def _set_rows(result: Frontier, sets: Sequence[MeasureSet]) -> tuple[tuple[str, ...], ...]:
    loss, costed = result.loss_valued, result.costed
    return tuple(
        (
            str(s.effort),
            _measures(s),
            fmt.days(s.days_p50, lower_bound=s.saturated),
            "yes" if s.meets else "no",
            _volume(s.saturates_at),
            _volume(s.misses_at),
            *(_avoided(s) if loss else ()),
            *((_cost(s),) if costed else ()),
            *((_payback(s),) if loss and costed else ()),
        )
        for s in sets
    )


_SET_COLUMNS = ("measures moved#+", "measure set", "P50 days#", "meets target")
#: Where a set breaks: shown by default only on a grid of more than one volume.
_BREAK_COLUMNS = ("saturates at TEU/week#", "misses target at TEU/week#")
_LOSS_COLUMNS = ("avoided loss M USD/yr#", "avoided P10 / P90#+")
_COST_COLUMNS = ("cost M USD#",)
_PAYBACK_COLUMNS = ("payback years (P10-P90)#",)


def frontier_tables(result: Frontier, *, every_set: bool = False) -> list[Table]:
    """The question and its answer, the Pareto frontier of effort against days (and,
    with ``every_set``, every measure set)."""
    cheapest = result.cheapest
    if cheapest:
        answer = (
            f"{len(cheapest)} set(s) of {cheapest[0].effort} measure(s) reach it; the least "
            f"effort: {_measures(cheapest[0])} ({fmt.days(cheapest[0].days_p50)} days)"
        )
    else:
        best = result.best
        answer = (
            f"no measure set of the grid reaches it; the fastest, {_measures(best)}, gives "
            f"{fmt.days(best.days_p50, lower_bound=best.saturated)} days "
            f"({fmt.percent(1 - best.days_p50 / result.today_days)} less than today)"
        )
    rows = [
        ("route", result.route),
        ("today (no measure, today's volume)", f"{fmt.days(result.today_days)} days P50"),
        ("target", f"{fmt.days(result.target_days)} days P50"),
        ("answer", answer),
        (
            "measure sets",
            f"{len(result.sets)} at {len(result.volumes) or 1} volume(s): "
            + (", ".join(_volume(v) for v in result.volumes) or "one"),
        ),
    ]
    if result.target_note:
        rows.append(("target from", " ".join(result.target_note.split())))
    loss = result.annual_loss_usd
    if result.loss_valued:
        rows.append(
            (
                "expected annual loss, no measure",
                (
                    "unbounded: a backlog never drains"
                    if loss is None
                    else f"{fmt.million_usd(loss['mean'])} M USD a year (P10 "
                    f"{fmt.million_usd(loss['p10'])}, P90 {fmt.million_usd(loss['p90'])})"
                )
                + f" from {', '.join(result.loss_events)}",
            )
        )
    set_columns = columns(
        *_SET_COLUMNS,
        *(c if len(result.volumes) > 1 else f"{c}+" for c in _BREAK_COLUMNS),
        *(_LOSS_COLUMNS if result.loss_valued else ()),
        *(_COST_COLUMNS if result.costed else ()),
        *(_PAYBACK_COLUMNS if result.loss_valued and result.costed else ()),
    )
    notes = []
    if len(result.volumes) > 1:
        notes.append(
            "A set breaks at the first grid volume where the route saturates a queue or "
            "misses the target ('-': none of the grid's volumes)."
        )
    if result.loss_valued:
        notes.append(
            "Avoided loss: the expected annual loss of the recurring events with no measure "
            "minus with the set, millions of USD a year, the same years drawn for both (P10 / "
            "P90 over the years; '-': not valued, a backlog never drains with no measure "
            "or with the set, so the loss has no bound, or the set's trips leave the place "
            "an event strikes)."
        )
    if result.costed:
        unknown = sorted({n for s in result.sets for n in s.cost_unknown})
        notes.append(
            "Cost: the capital cost the grid states for each measure moved, summed, millions "
            "of USD ('>= X': the known part, some measure's cost unknown"
            + (f": {', '.join(unknown)}" if unknown else "")
            + ")."
            + (
                " Payback: the cost over the mean avoided loss a year (P10-P90: over its "
                "P90 and P10; 'never': no loss avoided; '-': cost or loss unknown)."
                if result.loss_valued
                else ""
            )
        )
    tables = [
        Table(
            title=f"Grid {result.grid}: which measures reach the target",
            columns=columns("", ""),
            rows=tuple(rows),
        ),
        Table(
            title="The sets that answer: the least effort reaching the target, the Pareto "
            "frontier (the fastest set for each number of measures that beats every set of "
            "fewer) and the fastest",
            columns=set_columns,
            rows=_set_rows(result, sorted(result.shown, key=lambda s: (s.effort, s.days_p50))),
            notes=tuple(notes),
        ),
    ]
    if every_set:
        tables.append(
            Table(
                title="Every measure set, least effort first",
                columns=set_columns,
                rows=_set_rows(result, result.sets),
            )
        )
    return tables


def uncertainty_tables(result: Uncertainty) -> list[Table]:
    """Spread of each route's P50 days over the draws, and what drives it."""
    spread = Table(
        title=f"Grid {result.grid}: P50 days over {result.draws} draws of the assumed figures",
        columns=columns("route", "P10#", "P50#", "P90#", "mean#"),
        rows=tuple(
            (route, *(fmt.days(v[k]) for k in ("p10", "p50", "p90", "mean")))
            for route, v in result.spread.items()
        ),
    )
    names = list(next(iter(result.indices.values()), {}))
    drivers = Table(
        title="Share of the spread each assumption alone explains (first-order RBD-FAST index)",
        columns=columns("assumption axis", *(f"{r}#" for r in result.indices)),
        rows=tuple(
            (name, *(f"{result.indices[r][name]:.2f}" for r in result.indices)) for name in names
        ),
        notes=("Indices from SALib's RBD-FAST on the Latin-hypercube draws; 0 = no effect alone.",),
    )
    return [spread, drivers]
