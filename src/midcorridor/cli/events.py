"""``midcorridor events``: what a scenario's disruption event does to the cargo around it."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import app, examples
from ._options import (
    FixedSamplesOpt,
    JsonOpt,
    RunOptions,
    ScenarioArg,
    print_json,
    print_tables,
    with_run_options,
)


@app.command(
    epilog=examples(
        "events scenarios/poland_belarus_2025.yaml",
        "events scenarios/kz_ports_october_2025.yaml --json",
    )
)
@with_run_options("network")
def events(
    scenario: ScenarioArg,
    event: Annotated[
        str | None,
        typer.Option("--event", help="The event's name (default: the scenario's first)."),
    ] = None,
    samples: FixedSamplesOpt = 2000,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """A disruption event in time: the trains it holds, the days its backlog takes to drain,
    TEU-days lost per corridor, the cargo that switched corridor, and the days of the
    shipments departing each week around it, beside what was reported."""
    from ..analysis.events import event_impact
    from ..inputs.scenario import load_scenario
    from ..views.event_tables import event_check_table, event_weeks_table

    net = opts.load_network()
    result = event_impact(
        load_scenario(scenario), net, event if event is not None else 0, samples=samples
    )
    if as_json:
        print_json(result.to_dict())
        return
    print_tables(event_check_table(result), event_weeks_table(result))


@app.command(
    "annual-loss",
    epilog=examples("annual-loss scenarios/poland_belarus_2025.yaml --years 20000"),
)
@with_run_options("network")
def annual_loss(
    scenario: ScenarioArg,
    years: Annotated[
        int, typer.Option("--years", min=100, max=1_000_000, help="Simulated years.")
    ] = 10_000,
    samples: FixedSamplesOpt = 1000,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """Expected annual loss: the scenario's recurring events (per_year, days_range) drawn
    over many years, TEU-days and USD lost a year on each corridor (mean, P10-P90)."""
    from ..analysis.annual_loss import annual_loss as run_annual_loss
    from ..inputs.scenario import load_scenario
    from ..views.event_tables import annual_loss_table

    net = opts.load_network()
    result = run_annual_loss(load_scenario(scenario), net, years=years, samples=samples)
    if as_json:
        print_json(result.to_dict())
        return
    print_tables(annual_loss_table(result))
