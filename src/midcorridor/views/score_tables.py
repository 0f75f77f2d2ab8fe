"""Tables of the model scored against published times (:mod:`midcorridor.analysis.scores`):
the summaries, every observed case, and every promise with the chance it is kept."""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING

from ..analysis.fit import CONSTRAINS_SHARE
from ..analysis.scores import SET_ASIDE
from ..vocabulary import MONTH_NAMES
from . import formatting as fmt
from .table import Table, columns, lower_bound_notes

if TYPE_CHECKING:
    from ..analysis.scores import ObservationScore, Scores, ScoreSummary
    from ..inputs.fit_files import CalibratedBook

__all__ = [
    "calibrated_table",
    "not_scored_table",
    "promise_table",
    "score_summary_table",
    "score_table",
]


def _period(row: ObservationScore) -> str:
    """``2024``, ``2024 Jun`` or ``2024 Dec-Feb`` (first and last month)."""
    o = row.observation
    if o.months is None:
        return str(o.year)
    first, last = MONTH_NAMES[o.months[0] - 1], MONTH_NAMES[o.months[-1] - 1]
    return f"{o.year} {first}" + (f"-{last}" if len(o.months) > 1 else "")


def _published(row: ObservationScore) -> str:
    high = "" if math.isinf(row.high) else f"{row.high:.1f}"
    low = "" if row.low <= 0 else f"{row.low:.1f}"
    return f"{row.observation.figure} ({low}-{high} d)"


def _summary_row(s: ScoreSummary) -> tuple[str, ...]:
    return (
        s.group,
        s.value,
        str(s.count),
        fmt.percent(s.coverage),
        fmt.percent(s.slower),
        fmt.percent(s.faster),
        fmt.percent(s.p50_inside),
        f"{s.mean_distance_days:.1f}",
        f"{s.mean_interval_score:.1f}",
    )


def _not_scored_notes(scores: Scores) -> tuple[str, ...]:
    set_aside = f"{SET_ASIDE}, each with its reason (calibrate --each)"
    reasons = Counter(
        set_aside if why.startswith(SET_ASIDE) else why for _, why in scores.not_scored
    )
    said = "; ".join(f"{why}: {n}" for why, n in sorted(reasons.items()))
    return (f"Not scored: {len(scores.not_scored)} observations ({said}).",) if said else ()


def score_summary_table(scores: Scores) -> Table:
    """Scores of the observed cases: all together, then by kind, class, corridor,
    direction, what was timed and season."""
    overall = scores.overall()
    rows = [_summary_row(s) for s in scores.summary()]
    if overall is not None:
        rows.insert(0, _summary_row(overall))
    notes = (
        "covered: the model's P10-P90 overlaps the published range; slower (faster): "
        "the model is, the range lying wholly below its P10 (above its P90); P50 inside: the "
        "model's P50 lies in it (the figure with its published rounding, '12 days' = "
        "11.5-12.5); distance: days from the P50 to the range; interval score: P10-P90 "
        "width plus 10 x the miss, days (lower is better; Gneiting and Raftery 2007); "
        "distance and interval score are means over the group's cases.",
        "mean: for a published mean, the model's mean stands for its P50.",
        "On a calibrated network each case is scored with the fit that left out its "
        "source: every score is out of sample.",
        *_not_scored_notes(scores),
    )
    return Table(
        title=f"The model against {len(scores.observed)} observed transit times",
        columns=columns(
            "by",
            "group",
            "cases#",
            "covered#",
            "slower#",
            "faster#",
            "P50 inside#",
            "distance d#",
            "interval score d#",
        ),
        rows=tuple(rows),
        notes=notes,
    )


def score_table(scores: Scores) -> Table:
    """Every observed case: what was timed, the published range, the model's P10 / P50 /
    P90 and the scores."""
    rows = []
    for r in scores.observed:
        o = r.observation
        rows.append(
            (
                o.id,
                f"{o.timed} {o.route.shipment}",
                f"{o.route.origin}-{o.route.destination}" + (f" at {o.at}" if o.at else ""),
                f"{o.corridor} {o.direction}",
                _period(r),
                _published(r),
                f"{fmt.days(r.p10)}/{fmt.days(r.p50, lower_bound=r.saturated)}/{fmt.days(r.p90)}"
                + (f" (mean {fmt.days(r.centre)})" if o.statistic == "mean" else ""),
                "yes" if r.covered else "no",
                "yes" if r.p50_inside else f"no ({r.distance_days:.1f} d)",
                f"{r.interval_score:.1f}",
            )
        )
    return Table(
        title="Each observed transit time against the model",
        columns=columns(
            "observation",
            "timed",
            "where",
            "corridor",
            "period",
            "published",
            "model P10/P50/P90 d",
            "covered",
            "P50 inside",
            "interval score#",
        ),
        rows=tuple(rows),
        notes=lower_bound_notes(any(r.saturated for r in scores.observed)),
    )


def not_scored_table(scores: Scores) -> Table:
    """Every observation left out of the scores, and why."""
    rows = tuple(
        (
            o.id,
            o.kind,
            str(o.year),
            o.mode,
            why + (f" ({', '.join(o.informs)})" if o.informs else ""),
        )
        for o, why in scores.not_scored
    )
    return Table(
        title=f"Not scored: {len(rows)} observations",
        columns=columns("observation", "kind", "year", "mode", "why"),
        rows=rows,
    )


def promise_table(scores: Scores) -> Table:
    """Every promise with the model's probability that it is kept over its period, and
    (when scored by month) in its worst and best departure months."""
    rows = []
    for r in scores.promised:
        o = r.observation
        months = scores.promises_by_month.get(o.id)
        spread = ""
        if months:
            worst = min(range(12), key=lambda m: months[m])
            best = max(range(12), key=lambda m: months[m])
            spread = (
                f"{fmt.percent(months[worst])} ({MONTH_NAMES[worst]}) - "
                f"{fmt.percent(months[best])} ({MONTH_NAMES[best]})"
            )
        rows.append(
            (
                o.id,
                f"{o.timed} {o.route.shipment}",
                f"{o.route.origin}-{o.route.destination}" + (f" at {o.at}" if o.at else ""),
                _period(r),
                o.figure,
                fmt.days(r.p50, lower_bound=r.saturated),
                fmt.percent(r.probability_within),
                spread,
            )
        )
    return Table(
        title=f"{len(rows)} promises (schedules, targets, planned times): the chance each is kept",
        columns=columns(
            "promise",
            "timed+",
            "where+",
            "period",
            "promised",
            "model P50 d#",
            "kept#",
            "by departure month, worst - best+",
        ),
        rows=tuple(rows),
        notes=(
            "kept: the share of the model's trips, departing in the promise's period, that "
            "take no longer than the promised figure (with its rounding).",
        ),
    )


def calibrated_table(book: CalibratedBook) -> Table:
    """Each parameter of the fit: prior, posterior, how much narrower, and its grade."""
    rows = tuple(
        (
            p.key,
            f"{p.prior_low:g}-{p.prior_high:g}",
            f"{p.median:.2f}",
            f"{p.p5:.2f}-{p.p95:.2f}",
            f"{p.narrowing:.2f}",
            "calibrated" if p.calibrated else "assumption",
            str(len(p.observations)),
        )
        for p in book.parameters
    )
    pv = book.provenance
    return Table(
        title=f"What the observed times teach ({len(pv.observations)} cases, seed {pv.seed})",
        columns=columns(
            "assumption",
            "prior factor",
            "posterior median#",
            "P5-P95",
            "narrowing#",
            "grade",
            "cases it makes up#",
        ),
        rows=rows,
        notes=(
            "factor: on the hours of every delay resting on the assumption (1 keeps it); "
            "for a trip's pace (shipments.yaml), on its log-sd; for a share, on its "
            "probability (at most 1); narrowing: posterior P5-P95 over the prior's, log "
            "scale; cases it makes up: those whose hours rest on it (for a pace, whose "
            "rail running hours it spreads; for a share, whose expected hours it holds) "
            f"for at least {CONSTRAINS_SHARE:.0%}.",
            "Every scenario applies each posterior median; a parameter whose posterior is "
            "not clearly narrower than its prior stays an assumption in `evidence`."
            if pv.trusted
            else "The weights collapsed (effective sample size below fit.yaml's minimum): "
            "nothing is graded or applied.",
            f"pyabc {pv.pyabc}, {pv.evaluations:,} simulations, effective sample size "
            f"{pv.effective_sample_size:g}; {pv.emulator_check}.",
            f"{len(book.folds)} folds, each without one source's cases.",
        ),
    )
