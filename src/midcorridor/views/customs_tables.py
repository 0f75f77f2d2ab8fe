"""Tables of customs in the regulators' units (:mod:`midcorridor.analysis.customs`): each
office's chain of Time Release Study steps, CPMM hours to clear and speeds, the published
figures beside the model's, and what each instrument package saves."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..vocabulary import CUSTOMS_STEPS, SAVING_KINDS
from . import formatting as fmt
from .table import Table, columns

if TYPE_CHECKING:
    from ..analysis.customs import BorderCheck, CustomsReport
    from ..analysis.savings import PackageSavings

__all__ = [
    "border_check_table",
    "chain_table",
    "package_table",
    "savings_table",
    "section_table",
]

#: Short headers of the steps, in chain order.
_STEP_HEADERS = {
    "arrival_wait": "wait h",
    "lodgement": "lodge h",
    "registration": "register h",
    "documentary_check": "doc check h",
    "physical_inspection": "inspect h",
}


def _hours(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def chain_table(report: CustomsReport) -> Table:
    """Each office on the run's trips, in each direction and class: mean hours of each
    step, of the customs chain, and the P50 / P90 hours to clear the crossing."""
    rows = []
    for c in report.crossings:
        by_step = {s.step: s for s in c.steps}
        cells = [
            _hours(by_step[step].mean_hours) if step in by_step else "-" for step in CUSTOMS_STEPS
        ]
        rows.append(
            (
                c.name.split(" (")[0],
                f"{c.left or '-'}>{c.entered}",
                c.shipment.replace("_", " "),
                *cells,
                _hours(c.customs_mean_hours),
                f"{_hours(c.clear_p50_hours)} / {_hours(c.clear_p90_hours)}",
            )
        )
    return Table(
        title=f"Customs chain by office: {report.scenario} (mean hours per step)",
        columns=columns(
            "office",
            "from>into",
            "class",
            *(f"{_STEP_HEADERS[s]}#" for s in CUSTOMS_STEPS),
            "customs h#",
            "to clear P50 / P90 h#",
        ),
        rows=tuple(rows),
        notes=(
            "Steps as a WCO Time Release Study times them: wait (arrival to lodgement), "
            "lodge (a new transit declaration), register (registration and risk "
            "assessment), doc check (yellow channel), inspect (red channel); means count "
            "the share of consignments a step happens to. To clear: every hour at the "
            "node (customs, gauge change, port handling, queues), CPMM's TFI1.",
            "Per-step P50 and P90 and each figure's source: midcorridor customs --json.",
        ),
    )


def border_check_table(checks: Sequence[BorderCheck]) -> Table:
    """Published times to clear a crossing beside the model's, on each observation's trip."""
    rows = []
    for c in checks:
        p = c.published
        high = "" if math.isinf(p.high_hours) else f"{p.high_hours:.1f}"
        rows.append(
            (
                c.node,
                c.direction,
                p.shipment.replace("_", " "),
                f"{p.figure} ({p.year})",
                f"{p.low_hours:.1f}-{high}",
                f"{c.p10_hours:.1f} / {c.p50_hours:.1f} / {c.p90_hours:.1f}",
                "yes" if c.covered else "no",
                f"{c.gap_hours:+.1f}",
                p.publisher[:40],
            )
        )
    return Table(
        title="Published hours to clear a crossing against the model (each on its own trip)",
        columns=columns(
            "office",
            "direction",
            "class",
            "published",
            "range h",
            "model P10 / P50 / P90 h",
            "covered",
            "P50 gap h#",
            "publisher",
        ),
        rows=tuple(rows),
        notes=(
            "CPMM figures average a country's or a crossing's trip samples (mostly wagons "
            "and trucks, in the year given); the model times the observation's own trip "
            "in the scenario's era. Gap: the model's P50 less the nearest end of the range.",
        ),
    )


def section_table(report: CustomsReport) -> Table:
    """CPMM speeds of each trip's stretch in one country, km/h."""
    rows = tuple(
        (
            s.trip,
            s.country,
            f"{s.km:,.0f}",
            _hours(s.swod_km_per_hour),
            _hours(s.swd_km_per_hour),
        )
        for s in report.sections
    )
    return Table(
        title=f"Speeds by country section: {report.scenario} (km/h, CPMM TFI4)",
        columns=columns("trip", "country", "km#", "without delay#", "with delay#"),
        rows=rows,
        notes=(
            "Without delay: km over moving hours; with delay: km over moving hours and "
            "every hour standing in the country (its offices, yards and ports).",
        ),
    )


def _share(value: float | None) -> str:
    return "-" if value is None else fmt.percent(value)


def savings_table(savings: PackageSavings, trips: Sequence[str] | None = None) -> Table:
    """What a package saves on each trip, split by kind, and each instrument alone."""
    labels = [t for t in savings.by_trip if trips is None or t in trips]
    labels = [t for t in labels if abs(savings.by_trip[t]["total"]) > 0.005]
    rows = []
    for t in labels:
        kinds = savings.by_trip[t]
        rows.append(
            (
                t,
                "all together",
                "",
                *(fmt.delta_days(kinds[k]) for k in SAVING_KINDS),
                fmt.delta_days(kinds["total"]),
                _share(savings.evidence_share(t, effect_only=True)),
                _share(savings.evidence_share(t)),
            )
        )
        for inst in savings.instruments:
            alone = inst.by_trip[t]
            if abs(alone["total"]) < 0.005:
                continue
            rows.append(
                (
                    "",
                    inst.key,
                    f"{inst.status}; {inst.effect_basis}; {inst.hours_basis}",
                    *(fmt.delta_days(alone[k]) for k in SAVING_KINDS),
                    fmt.delta_days(alone["total"]),
                    "",
                    "",
                )
            )
    return Table(
        title=f"What {savings.scenario} saves against {savings.reference} (mean days)",
        columns=columns(
            "trip",
            "instrument",
            "status; effect; hours",
            *(f"{k}#" for k in SAVING_KINDS),
            "total#",
            "effect sound#",
            "all sound#",
        ),
        rows=tuple(rows),
        notes=(
            "desk: processing by customs; queue: waiting from arrival to lodgement; "
            "connections: departures (trains, ferries) no longer missed, or missed; other: "
            "the rest. Each instrument is run alone against the same reference; together "
            "they may save more or less than the sum.",
            "effect; hours: the weakest basis of the instrument's effect, and of the hours it "
            "acts on. Effect sound: the share of the instruments' savings (run alone) whose "
            "effect is published, calibrated or derived rather than assumed; all sound: "
            "whose effect and hours both are.",
        ),
    )


def package_table(packages: Sequence[PackageSavings], trips: Sequence[str]) -> Table:
    """One row per package and trip: the days it removes, by kind, and on what evidence."""
    rows = []
    for p in packages:
        for t in trips:
            if t not in p.by_trip:
                continue
            kinds = p.by_trip[t]
            rows.append(
                (
                    p.scenario,
                    t,
                    fmt.delta_days(kinds["total"]),
                    *(fmt.delta_days(kinds[k]) for k in SAVING_KINDS[:3]),
                    _share(p.evidence_share(t, effect_only=True)),
                    _share(p.evidence_share(t)),
                    ", ".join(f"{i.key} ({i.effect_basis})" for i in p.instruments),
                )
            )
    return Table(
        title="Days each customs package removes (mean days against the baseline)",
        columns=columns(
            "package",
            "trip",
            "total#",
            *(f"{k}#" for k in SAVING_KINDS[:3]),
            "effect sound#",
            "all sound#",
            "instruments (effect basis)",
        ),
        rows=tuple(rows),
        notes=(
            "desk: processing by customs; queue: waiting at the offices from arrival to "
            "lodgement; connections: departures no longer missed. Effect sound: the share of "
            "the instruments' savings (each run alone) whose effect is published, calibrated "
            "or derived rather than assumed; all sound: whose effect and the hours it acts on "
            "both are (no office's hours before and after an instrument are published yet).",
        ),
    )
