"""Results as rich tables (the CLI prints these) and plain dicts (``--json``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.table import Table

from ._errors import MidcorridorError
from .calibration import CalibrationRow
from .network import Network
from .routing import Route, iter_routes
from .runner import ScenarioRun
from .schema import CORRIDORS, HOURS_PER_DAY, MOVING_STAGES, STAGES
from .timing import TripResult

__all__ = [
    "calibration_table",
    "compare_table",
    "explain_table",
    "network_summary",
    "network_summary_tables",
    "routes_table",
    "run_table",
]

#: Origin-destination pairs whose shortest km per corridor ``network check`` reports.
REFERENCE_PAIRS = (("Almaty", "Constanta"), ("Xi'an", "Duisburg"), ("Almaty", "Duisburg"))


#: Caption for figures of trips through a saturated queue.
SATURATED_NOTE = (
    "* saturated: the queue grows without bound; the figure is a lower bound "
    "over a two-year horizon, not a transit time"
)


def _days(value: float, saturated: bool = False) -> str:
    return f">{value:.0f} *" if saturated else f"{value:.1f}"


def top_stages(trip: TripResult, n: int = 3) -> str:
    """The ``n`` stages with the most mean days, e.g. "ferry_wait 9.1, rail 8.0"."""
    stages = sorted(trip.stages_days().items(), key=lambda kv: -kv[1])[:n]
    return ", ".join(f"{s} {d:.1f}" for s, d in stages if d > 0)


def network_summary(network: Network) -> dict[str, Any]:
    """Counts, km by mode and shortest km per corridor between reference places."""
    links = network.links_by_id.values()
    km_by_mode: dict[str, float] = {}
    for link in links:
        if link.props.status == "open":
            km_by_mode[link.props.mode] = (
                km_by_mode.get(link.props.mode, 0.0) + link.props.length_km
            )
    pairs = []
    for a, b in REFERENCE_PAIRS:
        try:
            origin, destination = network.find_node(a), network.find_node(b)
        except MidcorridorError:
            continue
        best = {
            c: route
            for c in CORRIDORS
            if (route := next(iter_routes(network, origin, destination, corridor=c), None))
        }
        pairs.append(
            {
                "origin": origin,
                "destination": destination,
                "km": {c: round(best[c].distance_km) for c in CORRIDORS if c in best},
            }
        )
    return {
        "path": str(network.path),
        "nodes": len(network.nodes_by_id),
        "nodes_by_kind": dict(Counter(n.props.kind for n in network.nodes_by_id.values())),
        "links": len(network.links_by_id),
        "links_by_mode": dict(Counter(lk.props.mode for lk in links)),
        "closed_links": [lk.id for lk in links if lk.props.status == "closed"],
        "open_km_by_mode": {m: round(km) for m, km in km_by_mode.items()},
        "countries": sorted(network.countries),
        "sources": len(network.sources),
        "shortest_km": pairs,
        "problems": [],
    }


def network_summary_tables(summary: dict[str, Any]) -> list[Table]:
    """``network check`` output."""
    counts = Table(title=f"Network {summary['path']}", show_header=False)
    counts.add_row("nodes", f"{summary['nodes']}  ({_fmt_counts(summary['nodes_by_kind'])})")
    counts.add_row("links", f"{summary['links']}  ({_fmt_counts(summary['links_by_mode'])})")
    counts.add_row("closed links", ", ".join(summary["closed_links"]) or "none")
    counts.add_row(
        "open km by mode", ", ".join(f"{m} {km:,}" for m, km in summary["open_km_by_mode"].items())
    )
    counts.add_row("countries", " ".join(summary["countries"]))
    counts.add_row("sources", str(summary["sources"]))
    counts.add_row("problems", "none")
    km = Table(title="Shortest km by corridor")
    km.add_column("from")
    km.add_column("to")
    for corridor in CORRIDORS:
        km.add_column(corridor, justify="right")
    for pair in summary["shortest_km"]:
        km.add_row(
            pair["origin"],
            pair["destination"],
            *(f"{pair['km'][c]:,}" if c in pair["km"] else "-" for c in CORRIDORS),
        )
    return [counts, km]


def _fmt_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def routes_table(routes: Sequence[Route], network: Network) -> Table:
    """Candidate routes: corridor, km, countries, sea legs."""
    table = Table(title="Candidate routes (shortest first)")
    for col in ("#", "corridor", "km", "countries", "via"):
        table.add_column(col, justify="right" if col in ("#", "km") else "left")
    for i, route in enumerate(routes, 1):
        table.add_row(
            str(i),
            route.corridor,
            f"{route.distance_km:,.0f}",
            " ".join(route.countries),
            route.via(network),
        )
    return table


def run_table(run: ScenarioRun) -> Table:
    """One row per trip: corridor, km, P10 / P50 / P90 days, biggest stages."""
    table = Table(
        title=f"Scenario {run.scenario.name}: {run.samples:,} samples, seed {run.seed}, "
        f"departure {'month ' + str(run.month) if run.month else 'any month'}"
    )
    for col in ("route", "corridor", "km", "P10", "P50", "P90", "biggest stages (mean days)"):
        table.add_column(col, justify="right" if col in ("km", "P10", "P50", "P90") else "left")
    for trip in run.trips:
        d = trip.days()
        saturated = bool(trip.warnings)
        table.add_row(
            trip.label,
            trip.route.corridor,
            f"{trip.route.distance_km:,.0f}",
            *(_days(d[q], saturated) for q in ("p10", "p50", "p90")),
            top_stages(trip),
        )
    warnings = list(dict.fromkeys(w for trip in run.trips for w in trip.warnings))
    if warnings:
        table.caption = "\n".join([SATURATED_NOTE, *(f"warning: {w}" for w in warnings)])
        table.caption_style = "yellow"
    return table


def compare_table(runs: Sequence[ScenarioRun], rows: Sequence[dict[str, Any]]) -> Table:
    """Per route: P50 days in each scenario with the change against the first, and the
    stages that moved in the last scenario."""
    first = runs[0].scenario.name
    table = Table(title=f"Scenario comparison: P50 days (change against {first})")
    table.add_column("route")
    for run in runs:
        table.add_column(run.scenario.name, justify="right")
    table.add_column(f"stages that moved in {runs[-1].scenario.name} (mean days)")
    for row in rows:
        cells = []
        for i, entry in enumerate(row["days"]):
            if entry is None:
                cells.append("-")
            elif entry["warnings"]:
                cells.append(_days(entry["p50"], saturated=True))
                table.caption = SATURATED_NOTE
            elif i == 0:
                cells.append(_days(entry["p50"]))
            else:
                cells.append(f"{entry['p50']:.1f} ({entry['delta_p50_days']:+.1f})")
        moved = sorted(row["stage_deltas_days"].items(), key=lambda kv: kv[1])
        moved_text = ", ".join(f"{s} {v:+.1f}" for s, v in moved if abs(v) >= 0.05) or "none"
        table.add_row(row["label"], *cells, moved_text)
    return table


def explain_table(trip: TripResult, network: Network) -> tuple[Table, list[str]]:
    """Leg by leg and node by node: hours per stage (P50, P90, mean) and sources.

    Returns the table and the citations of the source keys it uses, numbered as in
    the table.
    """
    frame = trip.components_frame()
    keys = list(dict.fromkeys(frame["source"]))
    table = Table(
        title=f"{trip.label}: {trip.route.distance_km:,.0f} km, P50 {trip.days()['p50']:.1f} days"
    )
    for col in ("place", "stage", "P50 h", "P90 h", "mean h", "note", "src"):
        table.add_column(col, justify="right" if col.endswith(" h") or col == "src" else "left")
    for row in frame.to_dict("records"):
        if row["link"] is not None and row["stage"] in MOVING_STAGES:
            link = network.links_by_id[str(row["link"])].props
            ends = (link.from_, link.to) if link.from_ == row["node"] else (link.to, link.from_)
            place = " -> ".join(network.nodes_by_id[n].props.name for n in ends)
            place = f"{place} ({link.length_km:,.0f} km)"
        else:
            place = network.nodes_by_id[str(row["node"])].props.name
        note = str(row["note"])
        if float(row["probability"]) < 1:
            note = f"p={float(row['probability']):.2f}; {note}".rstrip("; ")
        table.add_row(
            place,
            str(row["stage"]),
            f"{row['p50_hours']:.1f}",
            f"{row['p90_hours']:.1f}",
            f"{row['mean_hours']:.1f}",
            note,
            str(keys.index(row["source"]) + 1),
        )
    stages = trip.stages_days()
    table.add_section()
    table.add_row(
        "total (mean days by stage)",
        ", ".join(f"{s} {stages[s]:.1f}" for s in STAGES if stages[s] > 0),
        "",
        "",
        f"{trip.total_days.mean() * HOURS_PER_DAY:.0f}",
        f"= {trip.total_days.mean():.1f} days",
        "",
    )
    citations = [f"[{i}] {key}: {network.cite(key)}" for i, key in enumerate(keys, 1)]
    return table, citations


def calibration_table(rows: Sequence[CalibrationRow]) -> Table:
    """Each target, its band, the model's value and whether it is met."""
    table = Table(title="Calibration: baseline against published figures")
    for col in ("target", "published", "band", "model P50", "met", "kind", "source"):
        table.add_column(col, justify="right" if col in ("band", "model P50") else "left")
    for row in rows:
        t = row.target
        band = f"{t.low:g}-{t.high:g} {'' if t.unit == 'ratio' else 'd'}".strip()
        value = f"{row.value:.2f}" if t.unit == "ratio" else f"{row.value:.1f} d"
        table.add_row(
            t.name,
            t.published,
            band,
            value,
            "[green]yes[/green]" if row.met else "[red]no[/red]",
            "required" if t.required else "context",
            t.source,
        )
    return table


def sweep_table(rows: Sequence[dict[str, Any]], scenario: str, corridor: str) -> Table:
    """Per volume: utilisation of each crossing and P50 / P90 days of each route."""
    table = Table(title=f"Sweep of {scenario}: {corridor} volume (TEU/week)")
    table.add_column("TEU/week", justify="right")
    links = list(dict.fromkeys(k for r in rows for k in r["constrained"]))
    for link in links:
        table.add_column(f"{link} load", justify="right")
    labels = [r["label"] for r in rows[0]["routes"] if r["corridor"] == corridor] if rows else []
    for label in labels:
        table.add_column(f"{label} P50 / P90", justify="right")
    for row in rows:
        cells = [f"{row['volume_teu_per_week']:,.0f}"]
        for link in links:
            c = row["constrained"].get(link)
            cells.append(
                "-"
                if c is None
                else f"{c['utilisation']:.2f}" + (" SATURATED" if c["saturated"] else "")
            )
        by_label = {r["label"]: r for r in row["routes"]}
        for label in labels:
            r = by_label[label]
            cells.append(f"{r['p50']:.1f} / {r['p90']:.1f}" + (" *" if r["warnings"] else ""))
        table.add_row(*cells)
    table.caption = SATURATED_NOTE
    return table
