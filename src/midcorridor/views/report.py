"""A Markdown report of scenario runs, with its charts, ready to paste into a brief.

:func:`write_report` writes ``report.md`` and the charts it links to into one folder:
headline days per corridor, where the days go, what the later scenarios changed, the
bottlenecks (tables and tornado charts), what makes the spread, the time-distance chart,
the calibration table (if given) and every source used.

The text comes from the template ``templates/report.md.j2``; every value put into it is
escaped for Markdown (no HTML tag, no table break can come from a scenario name), and the
tables are the same :mod:`midcorridor.views.table` the command line prints. A saturated trip's
figures read as lower bounds, as in every view.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .._errors import MidcorridorError
from .._files import atomic_folder, atomic_write, check_output_folder
from ..analysis.bottlenecks import rank_bottlenecks, sensitivity
from ..analysis.evidence import evidence
from ..model.trip import TripResult
from ..network.network import Network
from ..runs.runner import ScenarioRun, compare_runs
from . import formatting as fmt
from .analysis_tables import calibration_table, evidence_tables, rank_table, spread_table
from .charts import sensitivity_chart, tornado_chart
from .customs_tables import package_table
from .distance_charts import cost_distance_chart, time_distance_chart
from .headline import headline_chart, headline_table
from .maps import scenario_map
from .page import PAGE_FILE, page_html
from .run_tables import compare_table, run_table, stages_table
from .safe_text import file_names, for_markdown
from .score_tables import promise_table, score_summary_table
from .table import Table, to_markdown

if TYPE_CHECKING:
    import jinja2

    from ..analysis.calibration import Calibration
    from ..analysis.headline import Headline
    from ..analysis.savings import PackageSavings
    from ..analysis.scores import Scores

__all__ = [
    "REPORT_FILE",
    "REPORT_SECTIONS",
    "bottleneck_trips",
    "headline_customs_trips",
    "write_report",
]

#: Headings of the report's sections, in order ("The answer" only with a headline,
#: "Calibration" only with calibration rows, "What digitized customs removes" only with
#: instrument packages).
REPORT_SECTIONS = (
    "The answer: days by class and departure month",
    "Headline: days per corridor",
    "Where the days go",
    "What the later scenarios changed",
    "What digitized customs removes",
    "Bottlenecks",
    "What makes the spread",
    "Time-distance and cost-distance charts",
    "Calibration",
    "What the days rest on",
    "Sources",
)
#: The report file of a report folder; a folder holding it may be replaced by a new report.
REPORT_FILE = "report.md"
#: Rows of each bottleneck table and tornado chart.
TOP_BOTTLENECKS = 10
#: Rows of the sensitivity table and chart.
TOP_SENSITIVITY = 8
#: A URL that can stand in a Markdown autolink as it is.
_PLAIN_URL = re.compile(r"[^\s<>`]+")


def _markdown_text(value: Any) -> str:
    """Escape a value put into the Markdown template (:func:`~.safe_text.for_markdown`):
    no HTML tag, link, image or heading can come from a name, a label or a description;
    tables and citations (``Markup``) are escaped already and pass as they are."""
    if isinstance(value, Markup):
        return str(value)
    return for_markdown("" if value is None else value)


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("midcorridor.views", "templates"),
        autoescape=False,  # Markdown, not HTML: _markdown_text escapes every value instead
        finalize=_markdown_text,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _table(table: Table) -> Markup:
    return Markup(to_markdown(table))


def _od(trip: TripResult) -> tuple[str, str, str]:
    """Origin, destination and shipment: trips of one key are compared across corridors."""
    return trip.route.origin, trip.route.destination, trip.shipment


def _od_name(trip: TripResult, network: Network) -> str:
    """ "Almaty-Constanta" from the label "Almaty-Constanta, Middle Corridor", else names."""
    if ", " in trip.label:
        return trip.label.split(", ")[0]
    ends = (trip.route.origin, trip.route.destination)
    return "-".join(fmt.short_place(network.nodes_by_id[n].props.name) for n in ends)


def _unique_paths(trips: Iterable[TripResult]) -> list[TripResult]:
    """Trips with distinct paths (for each shipment), the first label of each kept."""
    seen: dict[tuple[str, ...], TripResult] = {}
    for trip in trips:
        seen.setdefault((trip.shipment, *trip.route.nodes), trip)
    return list(seen.values())


def bottleneck_trips(run: ScenarioRun) -> list[TripResult]:
    """The trips whose bottlenecks the report ranks.

    Every Middle Corridor trip of ``run``, then, for each of their origin-destination
    pairs, the northern trip with the lowest P50 (if the run has one); a path appearing
    under two labels is ranked once (for each shipment class). Without Middle Corridor
    trips: the fastest northern trip.
    """
    middle = _unique_paths(t for t in run.trips if t.route.corridor == "middle")
    northern = [t for t in run.trips if t.route.corridor == "northern"]
    chosen: list[TripResult] = []
    pairs: list[tuple[str, str, str] | None] = list(dict.fromkeys(_od(t) for t in middle))
    if not pairs:
        pairs = [None]
    for pair in pairs:
        same = [t for t in northern if pair is None or _od(t) == pair]
        if same:
            chosen.append(min(same, key=lambda t: t.days()["p50"]))
    return _unique_paths([*middle, *chosen])


def _pairs(run: ScenarioRun) -> list[tuple[TripResult, TripResult]]:
    """(Middle Corridor, fastest northern) trips of the same origin and destination."""
    trips = bottleneck_trips(run)
    middle = [t for t in trips if t.route.corridor == "middle"]
    northern = {_od(t): t for t in trips if t.route.corridor == "northern"}
    firsts = {_od(t): t for t in reversed(middle)}
    return [
        (firsts[od], northern[od]) for od in dict.fromkeys(_od(t) for t in middle) if od in northern
    ]


def _headline_pairs(run: ScenarioRun, network: Network) -> list[dict[str, str]]:
    out = []
    for mid, north in _pairs(run):
        m50, n50 = mid.days()["p50"], north.days()["p50"]
        gap = abs(m50 - n50)
        if mid.saturated or north.saturated:
            gap_text = (
                "an unknown number of days more"
                if north.saturated
                else (f"at least {fmt.days(gap, lower_bound=True)[1:]} days more")
            )
        else:
            gap_text = f"{fmt.days(gap)} {'more' if m50 >= n50 else 'fewer'}"
        out.append(
            {
                "name": _od_name(mid, network)
                + ("" if mid.shipment == "block_train" else f" ({mid.shipment.replace('_', ' ')})"),
                "middle_days": fmt.days(m50, lower_bound=mid.saturated),
                "northern_days": fmt.days(n50, lower_bound=north.saturated),
                "gap": gap_text,
                "middle_km": fmt.km(mid.route.distance_km),
                "northern_km": fmt.km(north.route.distance_km),
            }
        )
    return out


def _run_section(run: ScenarioRun) -> dict[str, Any]:
    month = f"month {run.month}" if run.month else "any month"
    return {
        "name": run.scenario.name,
        "description": run.scenario.description.strip(),
        "settings": f"{run.samples:,} samples, seed {run.seed}, departure {month}.",
        "table": _table(run_table(run)),
    }


def _assumptions(runs: Sequence[ScenarioRun]) -> list[dict[str, Any]]:
    out = []
    for run in runs[1:]:
        notes = [c.note for c in run.scenario.changes] + [s.note for s in run.scenario.services]
        if notes:
            out.append({"name": run.scenario.name, "notes": list(dict.fromkeys(notes))})
    return out


def _bottlenecks(run: ScenarioRun, network: Network, folder: Path) -> list[dict[str, Any]]:
    out = []
    trips = bottleneck_trips(run)
    charts = file_names((t.label for t in trips), prefix="bottlenecks_", suffix=".png")
    for trip in trips:
        ranking = rank_bottlenecks(trip, network=network).head(TOP_BOTTLENECKS)
        chart = charts[trip.label]
        tornado_chart(ranking, folder / chart, title=f"{trip.label}: days saved per wait")
        frame = ranking.frame
        lead = "No waits on this route."
        if len(frame):
            top = frame.iloc[0]
            lead = (
                f"The biggest wait is {top['group']}: removing it saves "
                f"{fmt.days(float(top['p50_saved_removed']))} days at P50."
            )
        d = trip.days()
        out.append(
            {
                "label": trip.label,
                "p50": fmt.days(d["p50"], lower_bound=trip.saturated),
                "p90": fmt.days(d["p90"], lower_bound=trip.saturated),
                "lead": lead,
                "table": _table(rank_table(ranking)),
                "chart": chart,
            }
        )
    return out


def _spread(run: ScenarioRun, network: Network, folder: Path) -> dict[str, Any]:
    trips = [t for t in bottleneck_trips(run) if t.route.corridor == "middle"] or list(run.trips)
    trip = trips[0]
    spread = sensitivity(trip, network=network).head(TOP_SENSITIVITY)
    chart = file_names([trip.label], prefix="spread_", suffix=".png")[trip.label]
    sensitivity_chart(spread, folder / chart)
    return {
        "label": trip.label,
        "sd": fmt.days(spread.sd_days),
        "table": _table(spread_table(spread)),
        "chart": chart,
    }


def _citation(network: Network, key: str) -> Markup | str:
    """A source's citation, its URL kept as a Markdown autolink when it is a plain URL."""
    entry = network.sources.get(key)
    if entry is None:
        return "not in sources.yaml"
    text = network.cite(key)
    url = entry.url or ""
    link = f" <{url}>"
    if not (url.startswith(("https://", "http://")) and _PLAIN_URL.fullmatch(url)):
        return text
    before, _, after = text.partition(link)
    return Markup(_markdown_text(before) + link + _markdown_text(after))


def _instrument_source(network: Network, key: str) -> str:
    """An instrument's name, status and the citations its effects rest on."""
    if network.instruments is None or key not in network.instruments.instruments:
        return key
    inst = network.instruments.instruments[key]
    keys = inst.source_keys()
    return f"{inst.name} ({inst.status}, {inst.date}): " + "; ".join(network.cite(k) for k in keys)


def headline_customs_trips(run: ScenarioRun) -> list[str]:
    """Labels of the run's first Middle Corridor block train and container trips."""
    out = []
    for shipment in ("block_train", "container"):
        trip = next(
            (t for t in run.trips if t.route.corridor == "middle" and t.shipment == shipment),
            None,
        )
        if trip is not None:
            out.append(trip.label)
    return out


def _packages(reference: ScenarioRun, packages: Sequence[PackageSavings]) -> dict[str, Any]:
    if not packages:
        return {"package_table": None}
    return {"package_table": _table(package_table(packages, headline_customs_trips(reference)))}


def _sources(runs: Sequence[ScenarioRun], network: Network) -> dict[str, Any]:
    keys = sorted(
        {c.source for run in runs for t in run.trips for c in t.components}
        | {k for run in runs for cost in run.costs for leg in cost.legs for k in leg.sources}
    )
    cited = [(key, _citation(network, key)) for key in keys]
    scenario_sources: dict[str, None] = {}
    for run in runs:
        sc = run.scenario
        texts = [c.source for c in sc.changes] + [s.source for s in sc.services]
        texts += [c.source for c in sc.costs]
        texts += [_instrument_source(network, key) for key in sc.instruments]
        if sc.closures.source:
            texts.append(sc.closures.source)
        for text in texts:
            scenario_sources.setdefault(f"{sc.name}: {' '.join(text.split())}")
    return {"sources": cited, "scenario_sources": sorted(scenario_sources)}


def _chart(
    draw: Callable[[Sequence[ScenarioRun], Network, Path], Path],
    runs: Sequence[ScenarioRun],
    network: Network,
    path: Path,
    drawn: Mapping[str, Path] | None,
) -> None:
    """``draw`` the chart of ``runs`` into ``path``, or copy it where it is already drawn."""
    if drawn and path.name in drawn:
        shutil.copyfile(drawn[path.name], path)
    else:
        draw(runs, network, path)


def write_report(
    runs: Sequence[ScenarioRun],
    network: Network,
    folder: str | Path,
    *,
    calibration: Calibration | None = None,
    scores: Scores | None = None,
    packages: Sequence[PackageSavings] = (),
    headlines: Sequence[Headline] = (),
    drawn: Mapping[str, Path] | None = None,
) -> Path:
    """Write ``report.md``, its charts (PNG) and the offline page ``report.html`` into
    ``folder``, whole or not at all.

    The report is written into a temporary folder beside ``folder`` that replaces it
    once every file is complete (:func:`midcorridor._files.atomic_folder`): an earlier
    report there is replaced whole, so no chart of it is left beside the new ones, and
    an interrupt leaves it as it was.

    Parameters
    ----------
    runs
        Results of :func:`midcorridor.run_scenario`; the first is the reference (where
        the days go, bottlenecks, spread), later ones are compared with it.
    network
        The network the runs were made on (place names and citations).
    folder
        Output folder, created if missing. Files written: ``report.md``,
        ``report.html`` (:mod:`midcorridor.views.page`: the answer with controls, the
        routes, the map and the report, one self-contained file),
        ``time_distance.png``, ``bottlenecks_<route>.png`` for each ranked route and
        ``spread_<route>.png``. An existing folder must be empty or hold an earlier
        report (a ``report.md``): everything in it is replaced.
    calibration
        Output of :func:`midcorridor.calibrate`; adds a calibration section.
    scores
        Output of :func:`midcorridor.score_observations`; adds the scores against the
        observed times and every promise with the chance it is kept.
    headlines
        Outputs of :func:`midcorridor.analysis.headline.headline`, for some of the runs'
        scenarios: the report leads with the first run's (days by class and departure
        month, who takes about 50 days and why, ``headline.png``); the page lets the
        reader switch between them.
    drawn
        Charts of these very runs already drawn, by their file name in the report
        (``time_distance.png``, ``cost_distance.png``): copied, not drawn again.
    packages
        Outputs of :func:`midcorridor.analysis.savings.package_savings`; adds the days
        each customs package removes from the reference's Middle Corridor block train and
        container, by kind and on what evidence.

    Returns
    -------
    Path
        The report file.

    Raises
    ------
    MidcorridorError
        If ``runs`` is empty, or ``folder`` cannot be written or holds other files than
        a report (see :func:`midcorridor._files.check_output_folder`); checked before
        anything is drawn.
    """
    from .._version import __version__

    if not runs:
        raise MidcorridorError("A report needs at least one scenario run.")
    out_dir = Path(folder)
    check_output_folder(out_dir, owned_by=REPORT_FILE, what="Report folder")
    reference = runs[0]
    by_scenario = {h.scenario: h for h in headlines}
    headline = by_scenario.get(reference.scenario.name)
    comparison = compare_runs(runs) if len(runs) > 1 else None
    time_distance = "time_distance.png"
    cost_distance = "cost_distance.png" if all(run.costs for run in runs) else None
    with atomic_folder(out_dir, owned_by=REPORT_FILE) as work:
        if headline is not None:
            headline_chart(headline, work / "headline.png")
        _chart(time_distance_chart, runs, network, work / time_distance, drawn)
        if cost_distance is not None:
            _chart(cost_distance_chart, runs, network, work / cost_distance, drawn)
        context = {
            "names": " vs ".join(run.scenario.name for run in runs),
            "version": __version__,
            "saturated": any(run.saturated for run in runs),
            "saturated_reason": fmt.SATURATED_REASON,
            "sections": REPORT_SECTIONS,
            "pairs": _headline_pairs(reference, network),
            "run_sections": [_run_section(run) for run in runs],
            "stages_table": _table(stages_table(reference)),
            "reference": reference.scenario.name,
            "comparison_table": _table(compare_table(comparison)) if comparison else None,
            "assumptions": _assumptions(runs),
            "bottlenecks": _bottlenecks(reference, network, work),
            "spread": _spread(reference, network, work),
            "time_distance_chart": time_distance,
            "cost_distance_chart": cost_distance,
            "calibration_table": (_table(calibration_table(calibration)) if calibration else None),
            "calibration_met": calibration.required_met if calibration else 0,
            "calibration_required": calibration.required if calibration else 0,
            "score_table": _table(score_summary_table(scores)) if scores else None,
            "promise_table": _table(promise_table(scores)) if scores else None,
            "evidence_table": _table(evidence_tables(evidence(reference, network))[0]),
            **_packages(reference, packages),
            "headline_sentences": headline.sentences() if headline else [],
            "headline_changes": [
                line
                for run in runs[1:]
                if headline is not None and run.scenario.name in by_scenario
                for line in by_scenario[run.scenario.name].changes_from(headline)
            ],
            # the answer's sentences lead the section: the table without them as notes
            "headline_table": (
                _table(replace(headline_table(headline), notes=())) if headline else None
            ),
            **_sources(runs, network),
        }
        text = _environment().get_template("report.md.j2").render(context).rstrip() + "\n"
        with atomic_write(work / REPORT_FILE) as handle:
            handle.write(text)
        page = page_html(
            runs,
            by_scenario,
            title=f"midcorridor: {context['names']}",
            report_markdown=text,
            images=work,
            scenario_map=scenario_map(runs, network),
            version=__version__,
        )
        with atomic_write(work / PAGE_FILE) as handle:
            handle.write(page)
    return out_dir / REPORT_FILE
