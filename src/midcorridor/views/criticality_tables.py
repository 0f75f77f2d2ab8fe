"""The criticality ranking as a table
(:func:`midcorridor.analysis.criticality.rank_criticality`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import formatting as fmt
from .table import Table, columns

if TYPE_CHECKING:
    from ..analysis.criticality import Criticality, ElementCriticality

__all__ = ["criticality_table"]


def _row(rank: int, e: ElementCriticality) -> tuple[str, ...]:
    bound = e.saturated
    return (
        str(rank),
        e.element.id,
        e.element.name,
        e.element.kind,
        ", ".join(e.element.corridors),
        str(len(e.trips_cut)) if e.no_alternative else "-",
        fmt.delta_days(e.extra_days_max, lower_bound=bound),
        fmt.delta_days(e.extra_days_mean, lower_bound=bound),
        fmt.usd(e.extra_usd_max) if math.isfinite(e.extra_usd_max) else "n/a",
        fmt.usd(e.teu_days_per_year),
        "; ".join(e.switched_corridor) or "-",
    )


def criticality_table(result: Criticality, top: int | None = None) -> Table:
    """The first ``top`` elements (all by default), most critical first: trips left
    without a route, extra P50 days (largest, mean) and USD per trip, TEU-days lost a
    year, trips that switched corridor."""
    shown = result.elements if top is None else result.elements[:top]
    removal = (
        "closed" if result.degrade is None else f"degraded to {result.degrade:g} of its capacity"
    )
    teu = ", ".join(f"{c} {fmt.usd(v)}" for c, v in result.teu_per_year.items())
    notes = [
        f"Each element {removal} in turn; {result.samples:,} samples, seed {result.seed} "
        "for every element (common random numbers); ranked by trips with no open route "
        f"('no route'), then {result.rank_by}.",
        "TEU-days a year: TEU a year on each corridor "
        f"(from the {result.teu_source}: {teu}) x the mean extra P50 days of its trips.",
    ]
    if result.choice:
        notes.append("Corridor choice re-solved for every element.")
    if any(e.saturated for e in shown):
        notes.append(fmt.SATURATED_NOTE)
    notes += [f"{e.element.id}: {e.note}" for e in shown if e.note]
    if result.left_out:
        notes.append(f"{len(result.left_out)} element(s) left out: " + ", ".join(result.left_out))
    return Table(
        title=f"Criticality of {result.scenario}: {len(shown)} of {len(result.elements)} elements",
        columns=columns(
            "rank#",
            "element",
            "name+",
            "kind",
            "corridors",
            "no route#",
            "extra days#",
            "mean#+",
            "extra USD#",
            "TEU-days/yr#",
            "switched+",
        ),
        rows=tuple(_row(i + 1, e) for i, e in enumerate(shown)),
        notes=tuple(notes),
    )
