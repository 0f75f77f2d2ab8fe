"""Tables of analyses: calibration and cost checks, sweeps, bottlenecks, spread, evidence,
and corridor choice (what a grid answers: :mod:`midcorridor.views.grid_tables`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import formatting as fmt
from .table import Table, columns, lower_bound_notes

if TYPE_CHECKING:
    from ..analysis.calibration import Calibration
    from ..analysis.cost_checks import CostCheck
    from ..network.network import Network
    from ..results import Evidence, Ranking, Spread, Sweep
    from ..runs.choice import ChoiceResult

__all__ = [
    "calibration_table",
    "choice_change_table",
    "choice_table",
    "cost_check_table",
    "evidence_tables",
    "rank_table",
    "spread_table",
    "sweep_table",
]


def calibration_table(calibration: Calibration) -> Table:
    """Each target by shipment class and era: its band, the model's value, whether it is
    met, and for a missed one how far off and which stages lack evidence."""
    rows = []
    for row in calibration:
        t = row.target
        if t.unit == "ratio":
            band, value = f"{row.low:g}-{row.high:g}", f"{row.value:.2f}"
            gap = f"{row.gap:+.2f}"
        else:
            band = f"{row.low:g}-{row.high:g} d"
            value = f"{fmt.days(row.value, lower_bound=row.saturated)} d"
            gap = f"{fmt.delta_days(row.gap)} d"
        met = "yes" if row.met else f"no ({gap})" if not row.saturated else "no"
        rows.append(
            (
                t.name,
                t.shipment,
                t.era,
                t.published,
                band,
                value,
                met,
                "required" if t.required else "context",
                t.evidence_gap if not row.met and t.evidence_gap else row.reference,
            )
        )
    title = (
        f"Calibration by shipment class and era, {calibration.required_met} of "
        f"{calibration.required} required targets met"
    )
    return Table(
        title=title,
        columns=columns(
            "target",
            "shipment",
            "era+",
            "published+",
            "band#",
            "model P50#",
            "met",
            "kind+",
            "source, or evidence missing+",
        ),
        rows=tuple(rows),
        notes=lower_bound_notes(calibration.saturated),
    )


def _point_name(key: str, network: Network | None) -> str:
    """A constrained point by name: a node's, or a crossing's two ends (``A -> B``)."""
    if network is None:
        return key
    if key in network.nodes_by_id:
        return network.nodes_by_id[key].props.name
    if key in network.links_by_id:
        link = network.links_by_id[key].props
        return " -> ".join(network.nodes_by_id[n].props.name for n in (link.from_, link.to))
    return key


def sweep_table(sweep: Sweep, network: Network | None = None) -> Table:
    """Per volume: the load of each constrained point (named from ``network``, else by id)
    and P50 days of each trip (P90 days in ``wide`` columns)."""
    points = list(dict.fromkeys(k for step in sweep.steps for k in step.constrained))
    labels = (
        [r.label for r in sweep.steps[0].routes if r.corridor == sweep.corridor]
        if sweep.steps
        else []
    )
    rows = []
    for step in sweep.steps:
        cells = [fmt.km(step.volume_teu_per_week)]
        for point in points:
            load = step.constrained.get(point)
            cells.append(
                "-" if load is None else f"{load.utilisation:.2f}" + ("!" if load.saturated else "")
            )
        by_label = {r.label: r for r in step.routes}
        for label in labels:
            r = by_label[label]
            cells += [fmt.days(q, lower_bound=r.saturated) for q in (r.p50, r.p90)]
        rows.append(tuple(cells))
    saturated = any(r.saturated for step in sweep.steps for r in step.routes)
    overloaded = any(load.saturated for step in sweep.steps for load in step.constrained.values())
    return Table(
        title=f"Sweep of {sweep.scenario}: {sweep.corridor} volume (TEU/week)",
        columns=columns(
            "TEU/week#",
            *(f"{_point_name(p, network)} load#" for p in points),
            *(h for lb in labels for h in (f"{lb} P50 days#", f"{lb} P90 days#+")),
        ),
        rows=tuple(rows),
        notes=(
            *(("load!: saturated, more arrive than the crossing moves",) if overloaded else ()),
            *lower_bound_notes(saturated),
        ),
    )


def rank_table(ranking: Ranking, *, top: int | None = None) -> Table:
    """Bottlenecks of a trip: days saved if each group's hours are halved or removed."""
    lb = ranking.saturated
    p50 = fmt.days(ranking.p50_days, lower_bound=lb)
    p90 = fmt.days(ranking.p90_days, lower_bound=lb)
    rows = tuple(
        (
            str(i),
            str(r["group"]),
            fmt.days(r["mean_days"], lower_bound=lb),
            *(fmt.days(r[k]) for k in ("p50_saved_half", "p90_saved_half")),
            *(fmt.days(r[k]) for k in ("p50_saved_removed", "p90_saved_removed")),
            str(r["sources"]),
        )
        for i, r in enumerate(ranking.head(top).frame.to_dict("records"), 1)
    )
    return Table(
        title=f"{ranking.label}: bottlenecks (P50 {p50} days, P90 {p90} days)",
        columns=columns(
            "##",
            "wait",
            "mean days#",
            "P50 saved, halved#",
            "P90 saved, halved#",
            "P50 saved, removed#",
            "P90 saved, removed#",
            "sources+",
        ),
        rows=rows,
        notes=(
            "days saved on the door-to-door time if the group's hours are halved / removed",
            *lower_bound_notes(lb),
        ),
    )


def spread_table(spread: Spread, *, top: int | None = None) -> Table:
    """What drives the spread of a trip's days: each delay's share of the variance."""
    rows = tuple(
        (
            str(i),
            str(r["group"]),
            fmt.days(r["mean_days"]),
            fmt.days(r["sd_days"]),
            fmt.correlation(float(r["spearman"])),
            fmt.percent(float(r["variance_share"]), decimals=1),
            str(r["sources"]),
        )
        for i, r in enumerate(spread.head(top).frame.to_dict("records"), 1)
    )
    return Table(
        title=f"{spread.label}: what drives the spread (SD {fmt.days(spread.sd_days)} days)",
        columns=columns(
            "##", "delay", "mean days#", "SD days#", "Spearman#", "variance share#", "sources+"
        ),
        rows=rows,
        notes=lower_bound_notes(spread.saturated),
    )


def evidence_tables(evidence: Evidence, *, top: int = 5) -> list[Table]:
    """``evidence``: mean days by basis per route, then each route's top assumptions."""
    rows = []
    for route in evidence.routes:
        by = route.days_by_basis
        lb = route.saturated
        rows.append(
            (
                route.label,
                route.shipment,
                fmt.days(route.days_mean, lower_bound=lb),
                *(
                    fmt.days(by.get(b, 0.0), lower_bound=lb)
                    for b in ("published", "derived", "calibrated")
                ),
                fmt.days(by.get("assumption", 0.0), lower_bound=lb),
                f"{route.assumed_share:.0%}",
                "-" if route.assumed_usd_share is None else f"{route.assumed_usd_share:.0%}",
                str(len(route.stale)),
            )
        )
    summary = Table(
        title=f"Scenario {evidence.scenario}: what the mean days rest on (era {evidence.era})",
        columns=columns(
            "route",
            "shipment",
            "mean days#",
            "published#",
            "derived#",
            "calibrated#",
            "assumed#",
            "assumed share#",
            "USD assumed#",
            f"sources older than {evidence.era}#",
        ),
        rows=tuple(rows),
        notes=lower_bound_notes(any(r.saturated for r in evidence.routes)),
    )
    tables = [summary]
    for route in evidence.routes:
        tables.append(
            Table(
                title=f"{route.label}: assumptions that drive the spread (measure these first)",
                columns=columns("source", "mean days#", "variance share#", "what would settle it"),
                rows=tuple(
                    (a.source, f"{a.days_mean:.2f}", f"{a.variance_share:.0%}", a.settle or "-")
                    for a in route.assumptions[:top]
                ),
                notes=tuple(f"{s.key}: published {s.year}, used for {s.era}" for s in route.stale),
            )
        )
    return tables


def _equilibrium_notes(result: ChoiceResult) -> tuple[str, ...]:
    state = "converged" if result.converged else "did NOT converge"
    notes = [
        f"Fixed point {state} after {result.iterations} iteration(s): largest gap between a "
        f"corridor's TEU and what its run assumed {fmt.percent(result.residual, decimals=2)}."
    ]
    volumes = ", ".join(f"{c} {v:,.0f}" for c, v in result.volumes.items())
    notes.append(f"Volumes the last run was timed with, TEU a week: {volumes}.")
    if result.utilisation:
        loads = ", ".join(
            f"{place} {u:.2f}" + (" (saturated)" if sat else "")
            for place, (u, sat) in result.utilisation.items()
        )
        notes.append(f"Middle Corridor queues, utilisation: {loads}.")
    full = sorted(
        {c for m in result.markets for c, o in m.options.items() if o.saturated}
        | ({"middle"} if any(sat for _, sat in result.utilisation.values()) else set())
    )
    if full:
        notes.append(
            f"At capacity: {', '.join(full)} (a queue saturates; its days are lower bounds, "
            "marked >): its share is what it can carry, not what shippers would send."
        )
    return tuple(notes)


def choice_table(result: ChoiceResult) -> Table:
    """Per market and corridor: P50 days, cost, CO2, generalized cost, share, TEU a year."""
    rows = []
    for m in result.markets:
        teu = m.teu_per_year()
        for corridor, option in m.options.items():
            rows.append(
                (
                    f"{m.market.origin}-{m.market.destination}",
                    corridor,
                    fmt.days(option.days["p50"], lower_bound=option.saturated),
                    fmt.usd(option.cost_usd),
                    fmt.tonnes(option.co2e_kg),
                    fmt.usd(option.generalized_cost_usd),
                    fmt.percent(m.shares.get(corridor, 0.0), decimals=2),
                    fmt.usd(teu[corridor]),
                )
            )
    shares, teu_total = result.shares(), result.teu_per_year()
    total_from = len(rows)
    for corridor, share in shares.items():
        rows.append(
            (
                "all markets",
                corridor,
                "",
                "",
                "",
                "",
                fmt.percent(share, decimals=2),
                fmt.usd(teu_total[corridor]),
            )
        )
    return Table(
        title=f"Corridor choice, scenario {result.scenario} (per loaded 40-ft container)",
        columns=columns(
            "market",
            "corridor",
            "P50 days#",
            "USD#",
            "t CO2e#",
            "generalized USD#",
            "share#",
            "TEU a year#",
        ),
        rows=tuple(rows),
        notes=_equilibrium_notes(result),
        total_from=total_from,
    )


def choice_change_table(results: Sequence[ChoiceResult]) -> Table:
    """TEU a year and share of each corridor in every scenario, and the change against
    the first."""
    first = results[0]
    rows = []
    for corridor in first.teu_per_year():
        cells = []
        for i, result in enumerate(results):
            teu, share = result.teu_per_year()[corridor], result.shares()[corridor]
            cell = f"{fmt.usd(teu)} ({fmt.percent(share, decimals=2)})"
            if i > 0:
                delta = teu - first.teu_per_year()[corridor]
                cell += f" {delta:+,.0f}"
            cells.append(cell)
        rows.append((corridor, *cells))
    for place in dict.fromkeys(p for r in results for p in r.utilisation):
        cells = []
        for result in results:
            load = result.utilisation.get(place)
            cells.append(
                "-" if load is None else f"{load[0]:.2f}" + (" saturated" if load[1] else "")
            )
        rows.append((f"utilisation {place}", *cells))
    return Table(
        title=f"Corridor choice: TEU a year (share), change against {first.scenario}",
        columns=columns("corridor", *(f"{r.scenario}#" for r in results)),
        rows=tuple(rows),
        notes=tuple(
            f"{r.scenario}: fixed point "
            + ("converged" if r.converged else "did NOT converge (a queue saturates)")
            + f" in {r.iterations} iteration(s)"
            for r in results
        ),
    )


def cost_check_table(checks: Sequence[CostCheck]) -> Table:
    """Mean cost (or ratio) of each target's trip against the published range."""

    def value(x: float, unit: str) -> str:
        return f"{x:.2f}" if unit == "ratio" else fmt.usd(x)

    rows = []
    for check in checks:
        t = check.target
        published = value(t.low, t.unit) + ("" if t.high == t.low else f"-{value(t.high, t.unit)}")
        verdict = (
            ("met" if check.met else "MISSED")
            if t.required
            else (
                "within"
                if check.met
                else f"gap {check.gap:+,.2f}"
                if t.unit == "ratio"
                else f"gap {check.gap:+,.0f}"
            )
        )
        rows.append(
            (
                t.name,
                "required" if t.required else "context",
                f"{published} {t.unit}",
                value(check.model, t.unit),
                verdict,
                t.note or check.reference,
            )
        )
    return Table(
        title="Costs against published rates (mean USD per loaded 40-ft container)",
        columns=columns("target", "kind", "published", "model#", "result", "note / source+"),
        rows=tuple(rows),
        notes=(
            "required: a tariff was derived from this rate (met within 5%); context: no "
            "figure was derived from it, the gap is reported, not tuned away.",
        ),
    )
