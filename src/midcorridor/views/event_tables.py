"""Tables of a disruption event (:mod:`midcorridor.analysis.events`): its scale against what
was reported, and the days of the shipments departing each week around it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import formatting as fmt
from .table import Table, columns

if TYPE_CHECKING:
    from ..analysis.annual_loss import AnnualLoss
    from ..analysis.events import EventImpact
    from ..inputs.events import Reported

__all__ = ["annual_loss_table", "event_check_table", "event_weeks_table"]

_MEASURE_WORDS = {
    "trains_stranded_at_end": "trains held when it ends",
    "peak_trains": "most trains held",
    "days_to_recover": "days to drain after it ends",
    "detour_days": "days the detour adds to a voyage",
    "share_switched": "share of the cargo that switched corridor",
}
#: The measures of an event at a sea passage, where ships sail round and nothing queues.
#: Shown for the wait and days of cargo reaching a queue that never drains.
NEVER_DRAINS = "never drains"
_PASSAGE_MEASURES = ("days_to_recover", "detour_days", "share_switched")
#: The measures of an event where cargo queues.
_QUEUE_MEASURES = ("trains_stranded_at_end", "peak_trains", "days_to_recover", "share_switched")


def _range(measure: str, low: float | None, high: float | None) -> str:
    def show(x: float) -> str:
        return fmt.percent(x) if measure == "share_switched" else f"{x:g}"

    if low is not None and high is not None:
        return f"{show(low)}-{show(high)}"
    if low is not None:
        return f"at least {show(low)}"
    if high is not None:
        return f"at most {show(high)}"
    raise AssertionError("validated: low, high or both")


def event_check_table(impact: EventImpact) -> Table:
    """The event's scale in the model: trains held, days to drain, TEU-days lost, share
    switched; and each reported figure beside the model's, met or not."""
    e = impact.event
    drain = (
        "not within two years"
        if impact.days_to_recover is None
        else f"{impact.days_to_recover:.1f}"
    )
    passage = e.passage is not None
    if passage:
        capacity = "ships sail round"
    elif impact.capacity_teu_per_day is None:
        capacity = "to spare"
    else:
        capacity = f"{impact.capacity_teu_per_day:,.0f}"
    rows = [
        ("flow reaching the place, TEU a day", f"{impact.flow_teu_per_day:,.0f}", "", ""),
        ("capacity of the place, TEU a day", capacity, "", ""),
    ]
    model = {
        "trains_stranded_at_end": impact.trains_stranded_at_end,
        "peak_trains": impact.peak_trains,
        "days_to_recover": impact.days_to_recover,
        "detour_days": impact.mean_detour_days,
        "share_switched": impact.share_switched,
    }
    shown = {
        "trains_stranded_at_end": f"{impact.trains_stranded_at_end:,.0f}",
        "peak_trains": f"{impact.peak_trains:,.0f}",
        "days_to_recover": drain,
        "detour_days": f"{impact.mean_detour_days or 0:.1f}",
        "share_switched": fmt.percent(impact.share_switched),
    }
    reported: dict[str, Reported] = {r.measure: r for r in e.reported}
    for measure in _PASSAGE_MEASURES if passage else _QUEUE_MEASURES:
        words = _MEASURE_WORDS[measure]
        if passage and measure == "days_to_recover":
            words = "days after it ends until every ship is back"
        r = reported.get(measure)
        if r is None:
            rows.append((words, shown[measure], "", ""))
        else:
            within = "yes" if r.holds(model[measure]) else "no"
            rows.append((words, shown[measure], _range(measure, r.low, r.high), within))
    for corridor, lost in impact.teu_days_lost.items():
        rows.append((f"TEU-days lost, {corridor} corridor", f"{lost:,.0f}", "", ""))
    return Table(
        title=(
            f"{e.name}: {impact.place}, from {e.start.isoformat()} for {e.days:g} days "
            f"({'length known' if e.known else 'length unknown'} to shippers): {impact.scenario}"
        ),
        columns=columns("measure", "model#", "reported#", "within"),
        rows=tuple(rows),
        notes=tuple(
            f"Reported ({r.measure}): {r.source.publisher}, {r.source.date}." for r in e.reported
        ),
    )


def event_weeks_table(impact: EventImpact) -> Table:
    """Per exposed trip and weekly departure: the share that switched, the wait at the
    place, and the days of the cargo that stayed and of the cargo that switched."""
    rows = tuple(
        (
            w.trip,
            w.departs.isoformat(),
            fmt.percent(w.share_switched),
            f"{w.wait_days:.1f}" if math.isfinite(w.wait_days) else NEVER_DRAINS,
            f"{w.stay_p50_days:.1f} ({w.stay_p10_days:.0f}-{w.stay_p90_days:.0f})"
            if math.isfinite(w.stay_p50_days)
            else NEVER_DRAINS,
            "-" if w.switch_p50_days is None else f"{w.switch_p50_days:.1f}",
        )
        for w in impact.weeks
    )
    return Table(
        title=f"Shipments departing each week around the event: {impact.scenario}",
        columns=columns(
            "trip", "departs", "switched#", "wait d#", "stayed P50 (P10-P90) d#", "switched P50 d#"
        ),
        rows=rows,
        notes=(
            "Cargo departing once the event is announced (its start) may take the trip's "
            "best route left open; cargo that left before waits. Switched: the share of the "
            "trip's cargo that changed route because of the wait it expected."
            + (
                f" {NEVER_DRAINS.capitalize()}: the flow to the place stays above its "
                "capacity after the event, so its queue grows without end and no wait can "
                "be given."
                if any(not math.isfinite(w.wait_days) for w in impact.weeks)
                else ""
            )
            + (
                " At a sea passage nothing waits: the wait is the days of the detour the "
                "ships reaching it closed sail instead."
                if impact.event.passage
                else ""
            ),
        ),
    )


def annual_loss_table(loss: AnnualLoss) -> Table:
    """TEU-days and USD lost a year per corridor: mean and P10 / P50 / P90 over the years."""
    rows = []
    for corridor, teu in loss.teu_days.items():
        usd = loss.usd[corridor]
        rows.append(
            (
                corridor,
                f"{teu['mean']:,.0f}",
                f"{teu['p90']:,.0f} / {teu['p99']:,.0f}",
                fmt.usd(usd["mean"]),
                f"{fmt.usd(usd['p90'])} / {fmt.usd(usd['p99'])}",
            )
        )
    return Table(
        title=f"Expected annual loss from recurring events: {loss.scenario}",
        columns=columns(
            "corridor", "TEU-days mean#", "TEU-days P90 / P99#", "USD mean#", "USD P90 / P99#"
        ),
        rows=tuple(rows),
        notes=(
            f"{loss.years:,} years drawn; events: {', '.join(loss.events)}. A TEU-day costs the "
            "cargo's value of a day (network/costs.yaml). The mean is the expected loss; a "
            "rare event leaves most years at 0, so P99 is the year in a hundred.",
        ),
    )
