"""Tables of the network and of scenario runs: routes, days, stages, comparisons, a trip
leg by leg with its sources, its costs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..vocabulary import CORRIDORS, DEFAULT_ERA, HOURS_PER_DAY, MOVING_STAGES, SAVING_KINDS, STAGES
from . import formatting as fmt
from .table import Table, columns, lower_bound_notes

if TYPE_CHECKING:
    from ..model.costs import TripCost
    from ..model.journeys import ConnectionStats
    from ..model.trip import TripResult
    from ..network.network import Network
    from ..network.routing import Route
    from ..network.sea_routes import OceanLeg
    from ..results import Comparison, NetworkSummary
    from ..runs.runner import ScenarioRun

__all__ = [
    "compare_table",
    "connection_note",
    "cost_explain_table",
    "explain_table",
    "network_tables",
    "routes_table",
    "run_table",
    "sea_routes_table",
    "stages_table",
]


def network_tables(summary: NetworkSummary) -> list[Table]:
    """``network check``: counts, and the shortest km by corridor between reference places."""

    def counts(values: Mapping[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(values.items()))

    facts = Table(
        title=f"Network {summary.path}",
        columns=columns("", ""),
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
        columns=columns("from", "to", *(f"{c}#" for c in CORRIDORS)),
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
        columns=columns("##", "corridor", "km#", "countries", "via"),
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
    40-ft container (when the network has cost figures), biggest stages (the route, its
    days and its USD fit a terminal; the rest are ``wide`` columns)."""
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
    money_columns = ("P50 USD/FEU#", "P50 t CO2e/FEU#+") if run.costs else ()
    notes = lower_bound_notes(run.saturated, warnings)
    if run.costs:
        notes += (COST_NOTE,)
    return Table(
        title=_run_title(run),
        columns=columns(
            "route",
            "corridor+",
            "shipment+",
            "km#+",
            "P10 days#",
            "P50 days#",
            "P90 days#",
            *money_columns,
            "biggest stages (mean days)+",
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
        columns=columns("route", *(f"{s}#" for s in stages), "total#"),
        rows=tuple(rows),
        notes=lower_bound_notes(run.saturated),
    )


def compare_table(comparison: Comparison) -> Table:
    """Per trip: P50 days in each scenario, the change against the first, what moved (the
    stages that moved are a ``wide`` column)."""
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
            " / ".join(fmt.delta_days(kinds[k]) for k in SAVING_KINDS)
            if entry.delta_known and not entry.saturated
            else "-"
        )
        rows.append((row.label, *cells, split, moved))
    return Table(
        title=f"Scenario comparison: P50 days (change against {first})",
        columns=columns(
            "route",
            *(f"{name}#" for name in comparison.scenarios),
            f"mean change in {last}: {' / '.join(SAVING_KINDS)}",
            f"stages that moved in {last} (mean days)+",
        ),
        rows=tuple(rows),
        notes=lower_bound_notes(comparison.saturated),
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
    and source; the figures published before ``era`` (less the tolerance) are noted. The
    mean hours and the note on each figure are ``wide`` columns.

    Returns
    -------
    tuple
        The table and the citations of the source keys it uses, numbered as in its
        ``src`` column.
    """
    frame = trip.components_frame()
    shares = [c.probability_source for c in trip.components if c.probability_source]
    keys = list(dict.fromkeys([*frame["source"], *shares]))
    rows = []
    for row, comp in zip(frame.to_dict("records"), trip.components, strict=True):
        if comp.link is not None and comp.stage in MOVING_STAGES:
            link = network.links_by_id[comp.link].props
            ends = (link.from_, link.to) if link.from_ == comp.node else (link.to, link.from_)
            # the leg starts where the row above is: its end is enough
            place = f"to {network.nodes_by_id[ends[1]].props.name} ({fmt.km(link.length_km)} km)"
        else:
            place = network.nodes_by_id[comp.node].props.name
        note = comp.note
        if comp.probability < 1:
            share = comp.probability_source
            cited = (
                f" [{keys.index(share) + 1}] {network.basis(share)}" if share is not None else ""
            )
            note = f"p={comp.probability:.2f}{cited}; {note}".rstrip("; ")
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
                network.basis(comp.source),
                str(keys.index(comp.source) + 1),
            )
        )
    stages = trip.stages_days()
    mean_days = float(trip.total_days.mean())
    by_stage = ", ".join(f"{s} {stages[s]:.1f}" for s in STAGES if stages[s] > 0)
    rows.append(
        (
            "total (mean)",
            f"{fmt.days(mean_days, lower_bound=trip.saturated)} days",
            "",
            "",
            fmt.hours(mean_days * HOURS_PER_DAY, lower_bound=trip.saturated, unit=False),
            "",
            "",
            "",
        )
    )
    p50 = fmt.days(trip.days()["p50"], lower_bound=trip.saturated)
    table = Table(
        title=(
            f"{trip.label} ({trip.shipment}): {fmt.km(trip.route.distance_km)} km, P50 {p50} days"
        ),
        columns=columns("place", "stage", "P50 h#", "P90 h#", "mean h#+", "note+", "basis", "src#"),
        rows=tuple(rows),
        notes=(
            f"Mean days by stage: {by_stage}.",
            *lower_bound_notes(trip.saturated, trip.warnings),
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


def cost_explain_table(
    cost: TripCost, network: Network, *, cited: Sequence[str] = (), era: int = DEFAULT_ERA
) -> tuple[Table, list[str]]:
    """Per cost leg of a trip: what is paid or emitted, mean USD and kg CO2e, the basis of
    its figures and their sources (``wide`` columns); and the citations of the figures not
    in ``cited`` (source keys already numbered 1, 2, ... by an earlier table), numbered on
    from them."""
    keys: list[str] = list(cited)
    rows = []
    for leg, usd, co2 in zip(cost.legs, cost.leg_usd_mean, cost.leg_co2e_kg_mean, strict=True):
        refs = []
        for key in leg.sources:
            if key not in keys:
                keys.append(key)
            refs.append(keys.index(key) + 1)
        bases = sorted({network.basis(k) for k in leg.sources})
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
        columns=columns("leg", "kind", "USD#", "kg CO2e#", "basis+", "sources+"),
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
        columns=columns("link", "passage", "stored km#", "searoute km#", "line"),
        rows=tuple(rows),
    )
