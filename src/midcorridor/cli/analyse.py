"""Commands that analyse runs: rank, sensitivity, evidence, calibrate, choice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ..views.safe_text import markup
from ._app import app, err, examples, written

if TYPE_CHECKING:
    from ..model.trip import TripResult
    from ..network.network import Network
    from ..results import Ranking, Spread
    from ..views.table import Table

from ..vocabulary import BORDER_CHECK_SAMPLES, CHOICE_SAMPLES, GroupBy
from ._app import CALIBRATION_MISSED_EXIT
from ._options import (
    SCENARIO_SAMPLES_SHOWN,
    BaselineOpt,
    CarbonOpt,
    ChartOpt,
    ConditionsOpt,
    FixedSamplesOpt,
    JsonOpt,
    OptPath,
    RouteOpt,
    RunOptions,
    ScenarioArg,
    ScenariosArg,
    SpreadChartOpt,
    TopOpt,
    TornadoChartOpt,
    check_outputs,
    place_of,
    print_json,
    print_tables,
    with_run_options,
)

_Result = TypeVar("_Result", "Ranking", "Spread")


def _analyse_trips(
    scenario: Path,
    route: str | None,
    opts: RunOptions,
    analyse: Callable[[TripResult, Network], _Result],
    table: Callable[[_Result], Table],
    *,
    as_json: bool,
    chart: Path | None,
    draw: Callable[[_Result, Path], Path],
) -> None:
    """Run a scenario, analyse each trip (or the one labelled ``route``), print, draw."""
    check_outputs(chart=chart)
    net = opts.load_network()
    (result,) = opts.run([scenario], net)
    trips = result.trips if route is None else (result.trip(route),)
    analysed = [analyse(trip, net) for trip in trips]
    if as_json:
        print_json({"scenario": result.scenario.name, "routes": [a.to_dict() for a in analysed]})
    else:
        print_tables(*(table(a) for a in analysed))
    if chart is not None:
        draw(analysed[0], chart)
        written("chart", chart)


@app.command(
    epilog=examples(
        "rank scenarios/baseline.yaml",
        "rank scenarios/baseline.yaml --group-by country --top 5",
    )
)
@with_run_options("samples", "seed", "network")
def rank(
    scenario: ScenarioArg,
    route: RouteOpt = None,
    group_by: Annotated[
        GroupBy,
        typer.Option("--group-by", help="place (stage at a node), country or stage."),
    ] = "place",
    top: TopOpt = 10,
    as_json: JsonOpt = False,
    chart: TornadoChartOpt = None,
    *,
    opts: RunOptions,
) -> None:
    """Rank bottlenecks: P50 / P90 days saved if each delay is halved or removed."""
    from ..analysis.bottlenecks import rank_bottlenecks
    from ..views.analysis_tables import rank_table
    from ..views.charts import tornado_chart

    _analyse_trips(
        scenario,
        route,
        opts,
        lambda trip, net: rank_bottlenecks(trip, group_by=group_by, network=net).head(top),
        rank_table,
        as_json=as_json,
        chart=chart,
        draw=lambda r, path: tornado_chart(r, path, title=f"{r.label}: days saved if removed"),
    )


@app.command(
    epilog=examples(
        "sensitivity scenarios/baseline.yaml --top 5",
    )
)
@with_run_options("samples", "seed", "network")
def sensitivity(
    scenario: ScenarioArg,
    route: RouteOpt = None,
    top: TopOpt = 10,
    as_json: JsonOpt = False,
    chart: SpreadChartOpt = None,
    *,
    opts: RunOptions,
) -> None:
    """Which delays the spread of door-to-door days depends on (from the same samples)."""
    from ..analysis.bottlenecks import sensitivity as spread_of
    from ..views.analysis_tables import spread_table
    from ..views.charts import sensitivity_chart

    _analyse_trips(
        scenario,
        route,
        opts,
        lambda trip, net: spread_of(trip, network=net).head(top),
        spread_table,
        as_json=as_json,
        chart=chart,
        draw=lambda s, path: sensitivity_chart(s, path, title=f"{s.label}: what makes the spread"),
    )


@app.command(
    epilog=examples(
        "evidence scenarios/baseline.yaml",
    )
)
@with_run_options("samples", "seed", "month", "network")
def evidence(
    scenario: ScenarioArg,
    top: TopOpt = 5,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """What each route's mean days rest on: published, derived or assumed figures.

    Per route, the assumptions that explain most of the spread of the days come first:
    what is worth measuring first, and which measurement would settle it.
    """
    from ..analysis.evidence import evidence as evidence_of
    from ..views.analysis_tables import evidence_tables

    net = opts.load_network()
    (run,) = opts.run([scenario], net)
    result = evidence_of(run, net)
    if as_json:
        print_json(result.to_dict())
    else:
        print_tables(*evidence_tables(result, top=top))


@app.command(
    epilog=examples(
        "calibrate",
        "calibrate --each",
    )
)
@with_run_options("samples", "network")
def calibrate(
    scenario: ConditionsOpt = None,
    each: Annotated[
        bool,
        typer.Option(
            "--each", help="Also list every observed case with its scores, and those not scored."
        ),
    ] = False,
    observations: Annotated[
        OptPath,
        typer.Option(
            "--observations",
            help="Score these published times instead of network/observations.yaml "
            "(a set kept apart from the fit).",
        ),
    ] = None,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """Check the model against published transit times, by shipment class and era, and
    its costs against published freight rates; score it against every observed time of
    network/observations.yaml and give each promise the chance it is kept.

    The 2025 targets run on the baseline, the 2022 ones on conditions_2022.yaml beside it
    (exit 3 if a required target is missed: a required time target, or a rate a cost
    figure was derived from).
    """
    from ..analysis.calibration import calibrate as run_calibration
    from ..analysis.calibration import era_conditions
    from ..analysis.cost_checks import check_costs
    from ..analysis.scores import SAMPLES_PER_MONTH, score_observations
    from ..inputs.scenario import default_scenario
    from ..network.read import read_observations
    from ..views.analysis_tables import calibration_table, cost_check_table
    from ..views.score_tables import (
        not_scored_table,
        promise_table,
        score_summary_table,
        score_table,
    )

    net = opts.load_network()
    path = scenario or default_scenario()
    conditions = era_conditions(path)
    baseline = conditions["2025"]
    eras = {era: s for era, s in conditions.items() if era != "2025"}
    result = run_calibration(net, baseline, samples=opts.samples, eras=eras)
    costs = check_costs(net, baseline) if net.costs is not None else []
    scores = None
    chosen = read_observations(observations, net) if observations is not None else net.observations
    if chosen is not None:
        per_month = opts.samples or SAMPLES_PER_MONTH
        scores = score_observations(
            net, conditions, chosen.observations, samples_per_month=per_month, by_month=True
        )
    if as_json:
        out: dict[str, Any] = {"times": result.to_dict(), "costs": [c.to_dict() for c in costs]}
        if scores is not None:
            out["scores"] = scores.to_dict()
        print_json(out)
    else:
        tables = [calibration_table(result), *([cost_check_table(costs)] if costs else [])]
        if scores is not None:
            listed = [score_table(scores), not_scored_table(scores)] if each else []
            tables += [score_summary_table(scores), *listed]
            tables.append(promise_table(scores))
        print_tables(*tables)
    for why in net.calibration_stale():
        err.print(f"[yellow]calibrated.yaml is out of date:[/yellow] {why}; run midcorridor fit")
    missed = [r.target.name for r in result.missed]
    missed += [c.target.name for c in costs if c.target.required and not c.met]
    if missed:
        err.print(
            f"[red]{len(missed)} required target(s) missed:[/red] {markup('; '.join(missed))}"
        )
        raise typer.Exit(CALIBRATION_MISSED_EXIT)


@app.command(
    epilog=examples(
        "choice scenarios/baseline.yaml scenarios/digital_customs.yaml",
        "choice scenarios/baseline.yaml --carbon-price 100",
    )
)
@with_run_options("samples", "seed", "network", samples_default=f"{CHOICE_SAMPLES:,} a run")
def choice(
    scenarios: ScenariosArg,
    baseline: BaselineOpt = None,
    carbon_price: CarbonOpt = 0.0,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """Which corridor cargo would choose: shares of the Middle Corridor, the northern
    route and the sea for each market of network/choice.yaml, with the Caspian queues fed
    back to a fixed point. Several scenarios: also the change against the first.
    """
    net = opts.load_network()
    results = opts.choices(scenarios, net, baseline=baseline, carbon_usd_per_t=carbon_price)
    if as_json:
        print_json([r.to_dict() for r in results] if len(results) > 1 else results[0].to_dict())
        return
    from ..views.analysis_tables import choice_change_table, choice_table

    tables = [choice_table(r) for r in results]
    if len(results) > 1:
        tables.append(choice_change_table(results))
    print_tables(*tables)


@app.command(
    epilog=examples(
        "customs scenarios/digital_customs.yaml",
    )
)
@with_run_options(
    "samples",
    "seed",
    "network",
    samples_default=(f"{SCENARIO_SAMPLES_SHOWN}; {BORDER_CHECK_SAMPLES:,} for the CPMM checks"),
)
def customs(
    scenario: ScenarioArg,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """Borders in the regulators' units: each office's Time Release Study chain (hours per
    step), CPMM hours to clear and speeds, the published CPMM figures beside the model's,
    and, for a scenario with instruments, what they save (desk, queue, connections).
    """
    from ..analysis.customs import border_checks, customs_report
    from ..analysis.savings import package_savings
    from ..views.customs_tables import (
        border_check_table,
        chain_table,
        savings_table,
        section_table,
    )

    net = opts.load_network()
    (result,) = opts.run([scenario], net)
    report = customs_report(result, net)
    checks = border_checks(result.scenario, net, samples=opts.samples or BORDER_CHECK_SAMPLES)
    savings = (
        package_savings(result.scenario, net, samples=opts.samples)
        if result.scenario.instruments
        else None
    )
    if as_json:
        print_json(
            {
                **report.to_dict(),
                "published": [c.to_dict() for c in checks],
                "savings": savings.to_dict() if savings is not None else None,
            }
        )
        return
    tables = [chain_table(report), border_check_table(checks), section_table(report)]
    if savings is not None:
        tables.append(savings_table(savings))
    print_tables(*tables)


@app.command(
    epilog=examples(
        "headline",
        "headline --from Tashkent --chart maps/headline.png",
    )
)
@with_run_options("network")
def headline(
    scenario: ConditionsOpt = None,
    origin: Annotated[str, typer.Option("--from", help="Origin: id, name or alias.")] = "Almaty",
    destination: Annotated[
        str, typer.Option("--to", help="Destination: id, name or alias.")
    ] = "Constanta",
    chart: ChartOpt = None,
    as_json: JsonOpt = False,
    samples: FixedSamplesOpt = 3000,
    *,
    opts: RunOptions,
) -> None:
    """The brief's answer first: days by shipment class and departure month on the Middle
    Corridor and via Russia, which shipments take about 50 days, and where those days go.
    """
    from ..analysis.headline import headline as run_headline
    from ..inputs.scenario import default_scenario, load_scenario
    from ..views.headline import headline_chart, headline_table

    check_outputs(chart=chart)
    net = opts.load_network()
    place_of(net, origin, "--from")
    place_of(net, destination, "--to")
    conditions = load_scenario(scenario or default_scenario())
    result = run_headline(conditions, net, origin=origin, destination=destination, samples=samples)
    if as_json:
        print_json(result.to_dict())
    else:
        print_tables(headline_table(result))
    if chart is not None:
        headline_chart(result, chart)
        written("chart", chart)
