"""Results as tables: built once from the result model, rendered to rich or Markdown.

Each ``*_table`` function turns a result into a :class:`Table` of already formatted text
(through :mod:`midcorridor.views.formatting`, so a lower bound reads ``>477`` and the table
carries :data:`~midcorridor.views.formatting.SATURATED_NOTE`). :func:`to_rich` renders it for
the terminal, :func:`to_markdown` for the report: the same columns and the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..vocabulary import CORRIDORS, DEFAULT_ERA, HOURS_PER_DAY, MOVING_STAGES, STAGES
from . import formatting as fmt

if TYPE_CHECKING:
    import rich.table

    from ..analysis.calibration import Calibration
    from ..analysis.cost_checks import CostCheck
    from ..analysis.frontier import Frontier, MeasureSet, Uncertainty
    from ..model.costs import TripCost
    from ..model.journeys import ConnectionStats
    from ..model.trip import TripResult
    from ..network.network import Network
    from ..network.routing import Route
    from ..network.sea_routes import OceanLeg
    from ..results import Comparison, Evidence, NetworkSummary, Ranking, Spread, Sweep
    from ..runs.choice import ChoiceResult
    from ..runs.runner import ScenarioRun

__all__ = [
    "Column",
    "Table",
    "calibration_table",
    "choice_change_table",
    "choice_table",
    "compare_table",
    "cost_check_table",
    "cost_explain_table",
    "explain_table",
    "frontier_tables",
    "network_tables",
    "rank_table",
    "routes_table",
    "run_table",
    "sea_routes_table",
    "spread_table",
    "stages_table",
    "sweep_table",
    "to_markdown",
    "to_rich",
    "uncertainty_tables",
]


@dataclass(frozen=True)
class Column:
    """A column: its header and whether it holds numbers (right-aligned)."""

    header: str
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    """A table of formatted text, independent of where it is shown.

    Attributes
    ----------
    title
        Title line.
    columns
        The columns.
    rows
        Cells as text, one tuple per row, as many cells as columns.
    notes
        Lines shown under the table (what ``>`` means, warnings).
    total_from
        Index of the first row of a closing section (totals), if any.
    """

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()
    total_from: int | None = None


def _columns(*specs: str) -> tuple[Column, ...]:
    """Columns from headers; a header ending in ``#`` is numeric (the ``#`` dropped)."""
    return tuple(Column(h[:-1], numeric=True) if h.endswith("#") else Column(h) for h in specs)


def _lower_bound_notes(saturated: bool, warnings: Sequence[str] = ()) -> tuple[str, ...]:
    if not saturated:
        return ()
    return (fmt.SATURATED_NOTE, *(f"warning: {w}" for w in dict.fromkeys(warnings)))


# --- renderers ---------------------------------------------------------------------------


def to_rich(table: Table) -> rich.table.Table:
    """The table for a terminal. Cells are plain text: brackets are never read as markup."""
    from rich.table import Table as RichTable
    from rich.text import Text

    out = RichTable(title=Text(table.title))
    for col in table.columns:
        out.add_column(Text(col.header), justify="right" if col.numeric else "left")
    for i, row in enumerate(table.rows):
        if i == table.total_from:
            out.add_section()
        out.add_row(*(Text(cell) for cell in row))
    if table.notes:
        out.caption = Text("\n".join(table.notes))
        out.caption_style = "yellow"
    return out


def _markdown_cell(text: str) -> str:
    """Text safe in a Markdown table cell: no column break, no line break, no HTML tag."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace("|", "\\|")
        .replace("\r", " ")
        .replace("\n", " ")
    )


def to_markdown(table: Table, *, title: bool = False) -> str:
    """The table as GitHub-flavoured Markdown (notes as a paragraph after it).

    Text is escaped: a ``|`` cannot break a column, ``<`` cannot open an HTML tag.
    """
    lines = [f"**{_markdown_cell(table.title)}**", ""] if title else []
    lines.append("| " + " | ".join(_markdown_cell(c.header) for c in table.columns) + " |")
    lines.append("| " + " | ".join("---:" if c.numeric else "---" for c in table.columns) + " |")
    lines += ["| " + " | ".join(_markdown_cell(cell) for cell in row) + " |" for row in table.rows]
    if table.notes:
        lines += ["", *(f"_{_markdown_cell(note)}_  " for note in table.notes)]
    return "\n".join(lines)


# --- tables of results -------------------------------------------------------------------


def network_tables(summary: NetworkSummary) -> list[Table]:
    """``network check``: counts, and the shortest km by corridor between reference places."""

    def counts(values: Mapping[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(values.items()))

    facts = Table(
        title=f"Network {summary.path}",
        columns=_columns("", ""),
        rows=(
            ("nodes", f"{summary.nodes}  ({counts(summary.nodes_by_kind)})"),
            ("links", f"{summary.links}  ({counts(summary.links_by_mode)})"),
            ("closed links", ", ".join(summary.closed_links) or "none"),
            (
                "open km by mode",
                ", ".join(f"{m} {fmt.km(v)}" for m, v in summary.open_km_by_mode.items()),
            ),
            ("countries", " ".join(summary.countries)),
            ("sources", f"{summary.sources}  ({counts(summary.sources_by_basis)})"),
            (
                f"older than {summary.era}",
                ", ".join(f"{s.key} ({s.year})" for s in summary.stale_sources) or "none",
            ),
            ("problems", "none"),
        ),
    )
    km = Table(
        title="Shortest km by corridor",
        columns=_columns("from", "to", *(f"{c}#" for c in CORRIDORS)),
        rows=tuple(
            (
                pair.origin,
                pair.destination,
                *(fmt.km(pair.km[c]) if c in pair.km else "-" for c in CORRIDORS),
            )
            for pair in summary.shortest_km
        ),
    )
    return [facts, km]


def routes_table(routes: Sequence[Route], network: Network) -> Table:
    """Candidate routes: corridor, km, countries, sea legs."""
    return Table(
        title="Candidate routes (shortest first)",
        columns=_columns("##", "corridor", "km#", "countries", "via"),
        rows=tuple(
            (str(i), r.corridor, fmt.km(r.distance_km), " ".join(r.countries), r.via(network))
            for i, r in enumerate(routes, 1)
        ),
    )


def _run_title(run: ScenarioRun) -> str:
    month = f"month {run.month}" if run.month else "any month"
    return (
        f"Scenario {run.scenario.name}: {run.samples:,} samples, seed {run.seed}, departure {month}"
    )


def run_table(run: ScenarioRun) -> Table:
    """One row per trip: corridor, km, P10 / P50 / P90 days, P50 cost and CO2 per loaded
    40-ft container (when the network has cost figures), biggest stages."""
    rows = []
    for i, trip in enumerate(run.trips):
        d = trip.days()
        money: tuple[str, ...] = ()
        if run.costs:
            cost = run.costs[i]
            money = (fmt.usd(cost.cost_usd()["p50"]), fmt.tonnes(cost.co2e_kg()["p50"]))
        rows.append(
            (
                trip.label,
                trip.route.corridor,
                trip.shipment,
                fmt.km(trip.route.distance_km),
                *(fmt.days(d[q], lower_bound=trip.saturated) for q in ("p10", "p50", "p90")),
                *money,
                fmt.top_stages(trip.stages_days(), lower_bound=trip.lower_bound_stages),
            )
        )
    warnings = [w for trip in run.trips for w in trip.warnings]
    money_columns = ("P50 USD/FEU#", "P50 t CO2e/FEU#") if run.costs else ()
    notes = _lower_bound_notes(run.saturated, warnings)
    if run.costs:
        notes += (COST_NOTE,)
    return Table(
        title=_run_title(run),
        columns=_columns(
            "route",
            "corridor",
            "shipment",
            "km#",
            "P10 days#",
            "P50 days#",
            "P90 days#",
            *money_columns,
            "biggest stages (mean days)",
        ),
        rows=tuple(rows),
        notes=notes,
    )


#: What the cost and CO2 columns hold.
COST_NOTE = (
    "USD/FEU: freight, handling and fees for a loaded 40-ft container (the cost of the "
    "cargo's time is apart: midcorridor run --json, cost_of_time_usd); t CO2e/FEU: well to "
    "wheel, network/costs.yaml."
)


def stages_table(run: ScenarioRun) -> Table:
    """Mean days per stage of each trip (stages no trip spends time in left out)."""
    stages = [s for s in STAGES if any(t.stages_days()[s] > 0.005 for t in run.trips)]
    rows = []
    for trip in run.trips:
        days = trip.stages_days()
        bounds = trip.lower_bound_stages
        rows.append(
            (
                trip.label,
                *(fmt.days(days[s], lower_bound=s in bounds) for s in stages),
                fmt.days(trip.days()["mean"], lower_bound=trip.saturated),
            )
        )
    return Table(
        title=f"Where the days go: mean days per stage, scenario {run.scenario.name}",
        columns=_columns("route", *(f"{s}#" for s in stages), "total#"),
        rows=tuple(rows),
        notes=_lower_bound_notes(run.saturated),
    )


def compare_table(comparison: Comparison) -> Table:
    """Per trip: P50 days in each scenario, the change against the first, what moved."""
    first, last = comparison.scenarios[0], comparison.scenarios[-1]
    rows = []
    for row in comparison:
        cells = []
        for i, entry in enumerate(row.entries):
            if entry is None:
                cells.append("-")
                continue
            p50 = fmt.days(entry.days["p50"], lower_bound=entry.saturated)
            if i > 0:
                delta = (
                    fmt.delta_days(entry.delta_p50_days, lower_bound=entry.saturated)
                    if entry.delta_known
                    else "change unknown"
                )
                p50 = f"{p50} ({delta})"
            cells.append(p50)
        entry = row.last
        moved = fmt.moved_stages(entry.stage_deltas_days, lower_bound=entry.lower_bound_stages)
        kinds = entry.delta_by_kind
        split = (
            " / ".join(fmt.delta_days(kinds[k]) for k in ("paperwork", "connections", "other"))
            if entry.delta_known and not entry.saturated
            else "-"
        )
        rows.append((row.label, *cells, split, moved))
    return Table(
        title=f"Scenario comparison: P50 days (change against {first})",
        columns=_columns(
            "route",
            *(f"{name}#" for name in comparison.scenarios),
            f"mean change in {last}: paperwork / connections / other",
            f"stages that moved in {last} (mean days)",
        ),
        rows=tuple(rows),
        notes=_lower_bound_notes(comparison.saturated),
    )


def connection_note(stats: ConnectionStats) -> str:
    """How a trip met a timetabled departure: who missed the first one, and why."""
    text = (
        f"Timetabled departures on {stats.link}: {stats.missed_share:.0%} of containers "
        "left later than the first departure they could have made"
    )
    if not stats.missed:
        return text + "."
    shares = sorted(((n / stats.missed, r) for r, n in stats.reasons.items()), reverse=True)
    why = ", ".join(f"{reason} {share:.0%}" for share, reason in shares if share >= 0.005)
    return f"{text}; why (the delay that overran its plan most, or a full departure): {why}."


def explain_table(
    trip: TripResult, network: Network, *, era: int = DEFAULT_ERA
) -> tuple[Table, list[str]]:
    """Leg by leg and node by node: hours per stage (P50, P90, mean), each figure's basis
    and source; the figures published before ``era`` (less the tolerance) are noted.

    Returns
    -------
    tuple
        The table and the citations of the source keys it uses, numbered as in its
        ``src`` column.
    """
    frame = trip.components_frame()
    keys = list(dict.fromkeys(frame["source"]))
    rows = []
    for row, comp in zip(frame.to_dict("records"), trip.components, strict=True):
        if comp.link is not None and comp.stage in MOVING_STAGES:
            link = network.links_by_id[comp.link].props
            ends = (link.from_, link.to) if link.from_ == comp.node else (link.to, link.from_)
            place = " -> ".join(network.nodes_by_id[n].props.name for n in ends)
            place = f"{place} ({fmt.km(link.length_km)} km)"
        else:
            place = network.nodes_by_id[comp.node].props.name
        note = comp.note
        if comp.probability < 1:
            note = f"p={comp.probability:.2f}; {note}".rstrip("; ")
        lb = bool(comp.warning)
        rows.append(
            (
                place,
                comp.stage,
                *(
                    fmt.hours(row[q], lower_bound=lb, unit=False)
                    for q in ("p50_hours", "p90_hours", "mean_hours")
                ),
                note,
                network.sources[comp.source].basis,
                str(keys.index(comp.source) + 1),
            )
        )
    stages = trip.stages_days()
    mean_days = float(trip.total_days.mean())
    rows.append(
        (
            "total (mean days by stage)",
            ", ".join(f"{s} {stages[s]:.1f}" for s in STAGES if stages[s] > 0),
            "",
            "",
            fmt.hours(mean_days * HOURS_PER_DAY, lower_bound=trip.saturated, unit=False),
            f"= {fmt.days(mean_days, lower_bound=trip.saturated)} days",
            "",
            "",
        )
    )
    p50 = fmt.days(trip.days()["p50"], lower_bound=trip.saturated)
    table = Table(
        title=(
            f"{trip.label} ({trip.shipment}): {fmt.km(trip.route.distance_km)} km, P50 {p50} days"
        ),
        columns=_columns("place", "stage", "P50 h#", "P90 h#", "mean h#", "note", "basis", "src#"),
        rows=tuple(rows),
        notes=(
            *_lower_bound_notes(trip.saturated, trip.warnings),
            *(connection_note(c) for c in trip.connections),
            *(
                f"[{keys.index(s.key) + 1}] {s.key}: published {s.year}, older than the "
                f"scenario's era {s.era}"
                for s in network.stale_sources(era, keys)
            ),
        ),
        total_from=len(rows) - 1,
    )
    citations = [f"[{i}] {key}: {network.cite(key)}" for i, key in enumerate(keys, 1)]
    return table, citations


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
        columns=_columns(
            "target",
            "shipment",
            "era",
            "published",
            "band#",
            "model P50#",
            "met",
            "kind",
            "source, or evidence missing",
        ),
        rows=tuple(rows),
        notes=_lower_bound_notes(calibration.saturated),
    )


def sweep_table(sweep: Sweep) -> Table:
    """Per volume: the load of each constrained point and P50 / P90 days of each trip."""
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
                "-"
                if load is None
                else f"{load.utilisation:.2f}" + (" SATURATED" if load.saturated else "")
            )
        by_label = {r.label: r for r in step.routes}
        for label in labels:
            r = by_label[label]
            p50 = fmt.days(r.p50, lower_bound=r.saturated)
            cells.append(f"{p50} / {fmt.days(r.p90, lower_bound=r.saturated)}")
        rows.append(tuple(cells))
    saturated = any(r.saturated for step in sweep.steps for r in step.routes)
    return Table(
        title=f"Sweep of {sweep.scenario}: {sweep.corridor} volume (TEU/week)",
        columns=_columns(
            "TEU/week#", *(f"{p} load#" for p in points), *(f"{lb} P50 / P90#" for lb in labels)
        ),
        rows=tuple(rows),
        notes=_lower_bound_notes(saturated),
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
        columns=_columns(
            "##",
            "wait",
            "mean days#",
            "P50 saved, halved#",
            "P90 saved, halved#",
            "P50 saved, removed#",
            "P90 saved, removed#",
            "sources",
        ),
        rows=rows,
        notes=(
            "days saved on the door-to-door time if the group's hours are halved / removed",
            *_lower_bound_notes(lb),
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
        columns=_columns(
            "##", "delay", "mean days#", "SD days#", "Spearman#", "variance share#", "sources"
        ),
        rows=rows,
        notes=_lower_bound_notes(spread.saturated),
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
                *(fmt.days(by.get(b, 0.0), lower_bound=lb) for b in ("published", "derived")),
                fmt.days(by.get("assumption", 0.0), lower_bound=lb),
                f"{route.assumed_share:.0%}",
                "-" if route.assumed_usd_share is None else f"{route.assumed_usd_share:.0%}",
                str(len(route.stale)),
            )
        )
    summary = Table(
        title=f"Scenario {evidence.scenario}: what the mean days rest on (era {evidence.era})",
        columns=_columns(
            "route",
            "shipment",
            "mean days#",
            "published#",
            "derived#",
            "assumed#",
            "assumed share#",
            "USD assumed#",
            f"sources older than {evidence.era}#",
        ),
        rows=tuple(rows),
        notes=_lower_bound_notes(any(r.saturated for r in evidence.routes)),
    )
    tables = [summary]
    for route in evidence.routes:
        tables.append(
            Table(
                title=f"{route.label}: assumptions that drive the spread (measure these first)",
                columns=_columns("source", "mean days#", "variance share#", "what would settle it"),
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
        f"Fixed point {state} after {result.iterations} iteration(s): largest change of a "
        f"corridor's TEU in the last one {fmt.percent(result.residual, decimals=2)}."
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
        columns=_columns(
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
        columns=_columns("corridor", *(f"{r.scenario}#" for r in results)),
        rows=tuple(rows),
        notes=tuple(
            f"{r.scenario}: fixed point "
            + ("converged" if r.converged else "did NOT converge (a queue saturates)")
            + f" in {r.iterations} iteration(s)"
            for r in results
        ),
    )


def cost_explain_table(
    cost: TripCost, network: Network, *, cited: Sequence[str] = (), era: int = DEFAULT_ERA
) -> tuple[Table, list[str]]:
    """Per cost leg of a trip: what is paid or emitted, mean USD and kg CO2e, the basis of
    its figures; and the citations of the figures not in ``cited`` (source keys already
    numbered 1, 2, ... by an earlier table), numbered on from them."""
    keys: list[str] = list(cited)
    rows = []
    for leg, usd, co2 in zip(
        cost.sample.legs, cost.sample.leg_usd_mean, cost.sample.leg_co2e_kg_mean, strict=True
    ):
        refs = []
        for key in leg.sources:
            if key not in keys:
                keys.append(key)
            refs.append(keys.index(key) + 1)
        bases = sorted({network.sources[k].basis for k in leg.sources})
        rows.append(
            (
                leg.what,
                leg.kind,
                fmt.usd(float(usd)),
                f"{co2:,.0f}",
                "/".join(bases),
                ", ".join(f"[{r}]" for r in dict.fromkeys(refs)),
            )
        )
    usd_total, co2_total = cost.cost_usd(), cost.co2e_kg()
    rows.append(
        ("total (mean)", "", fmt.usd(usd_total["mean"]), f"{co2_total['mean']:,.0f}", "", "")
    )
    time = cost.cost_of_time_usd()
    table = Table(
        title="Cost and CO2 by leg, per loaded 40-ft container (mean)",
        columns=_columns("leg", "kind", "USD#", "kg CO2e#", "basis", "sources"),
        rows=tuple(rows),
        notes=(
            f"USD P10 {fmt.usd(usd_total['p10'])} / P50 {fmt.usd(usd_total['p50'])} / P90 "
            f"{fmt.usd(usd_total['p90'])}; cost of the cargo's time (apart, not in the USD "
            f"column): mean {fmt.usd(time['mean'])}, P90 {fmt.usd(time['p90'])}.",
            *(
                f"[{keys.index(s.key) + 1}] {s.key}: published {s.year}, older than the "
                f"scenario's era {era}"
                for s in network.stale_sources(era, keys[len(cited) :])
            ),
        ),
        total_from=len(rows) - 1,
    )
    citations = [
        f"[{i}] {key}: {network.cite(key)}" for i, key in enumerate(keys, start=1) if i > len(cited)
    ]
    return table, citations


def sea_routes_table(legs: Sequence[OceanLeg], network: Network) -> Table:
    """Each ocean link's stored length against searoute's, and whether the lines agree."""
    rows = []
    for leg in legs:
        link = network.links_by_id[leg.link]
        same = tuple(map(tuple, link.coords)) == leg.coords and link.props.length_km == round(
            leg.length_km
        )
        rows.append(
            (
                leg.link,
                str(link.props.passage),
                fmt.km(link.props.length_km),
                fmt.km(leg.length_km),
                "same" if same else "differs: midcorridor network sea-routes --write",
            )
        )
    return Table(
        title="Ocean links: stored line and length against searoute's",
        columns=_columns("link", "passage", "stored km#", "searoute km#", "line"),
        rows=tuple(rows),
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
        columns=_columns("target", "kind", "published", "model#", "result", "note / source"),
        rows=tuple(rows),
        notes=(
            "required: a tariff was derived from this rate (met within 5%); context: no "
            "figure was derived from it, the gap is reported, not tuned away.",
        ),
    )


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


def _set_rows(sets: Sequence[MeasureSet]) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            str(s.effort),
            _measures(s),
            fmt.days(s.days_p50, lower_bound=s.saturated),
            "yes" if s.meets else "no",
            _volume(s.saturates_at),
            _volume(s.misses_at),
        )
        for s in sets
    )


_SET_COLUMNS = (
    "measures moved#",
    "measure set",
    "P50 days#",
    "meets target",
    "saturates at TEU/week#",
    "misses target at TEU/week#",
)


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
    tables = [
        Table(
            title=f"Grid {result.grid}: which measures reach the target",
            columns=_columns("", ""),
            rows=tuple(rows),
        ),
        Table(
            title="Pareto frontier: the fastest set for each number of measures that beats "
            "every set of fewer",
            columns=_columns(*_SET_COLUMNS),
            rows=_set_rows(result.pareto),
            notes=(
                "A set breaks at the first grid volume where the route saturates a queue or "
                "misses the target ('-': none of the grid's volumes).",
            ),
        ),
    ]
    if every_set:
        tables.append(
            Table(
                title="Every measure set, least effort first",
                columns=_columns(*_SET_COLUMNS),
                rows=_set_rows(result.sets),
            )
        )
    return tables


def uncertainty_tables(result: Uncertainty) -> list[Table]:
    """Spread of each route's P50 days over the draws, and what drives it."""
    spread = Table(
        title=f"Grid {result.grid}: P50 days over {result.draws} draws of the assumed figures",
        columns=_columns("route", "P10#", "P50#", "P90#", "mean#"),
        rows=tuple(
            (route, *(fmt.days(v[k]) for k in ("p10", "p50", "p90", "mean")))
            for route, v in result.spread.items()
        ),
    )
    names = list(next(iter(result.indices.values()), {}))
    drivers = Table(
        title="Share of the spread each assumption alone explains (first-order RBD-FAST index)",
        columns=_columns("assumption axis", *(f"{r}#" for r in result.indices)),
        rows=tuple(
            (name, *(f"{result.indices[r][name]:.2f}" for r in result.indices)) for name in names
        ),
        notes=("Indices from SALib's RBD-FAST on the Latin-hypercube draws; 0 = no effect alone.",),
    )
    return [spread, drivers]
