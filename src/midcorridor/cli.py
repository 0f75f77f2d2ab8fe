"""The ``midcorridor`` command: a thin layer over the Python API.

Heavy libraries (geopandas, folium, matplotlib) are imported inside the commands that
need them, so ``midcorridor --help`` starts fast.
"""

from __future__ import annotations

import difflib
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape

from ._errors import MidcorridorError

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd
    from rich.table import Table

    from .network import Network
    from .runner import ScenarioRun
    from .timing import TripResult

app = typer.Typer(
    name="midcorridor",
    help="Transit times on the Middle Corridor and the northern route: networks, scenarios, maps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
network_app = typer.Typer(help="Inspect the network data.", no_args_is_help=True)
app.add_typer(network_app, name="network")

# Wide tables when output goes to a file or pipe (rich would assume 80 columns).
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

NetworkOpt = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional here
    typer.Option("--network", help="Network folder (default: network/ of this checkout)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only, on stdout.")]
SamplesOpt = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option("--samples", min=100, max=2_000_000, help="Monte Carlo samples."),
]
SeedOpt = Annotated[Optional[int], typer.Option("--seed", min=0, help="Random seed.")]  # noqa: UP045
MonthOpt = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option("--month", min=1, max=12, help="Departure month, 1-12."),
]
MapOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--map", help="Also write an offline HTML map here."),
]
ChartOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--chart", help="Also write a time-distance chart here (.png or .svg)."),
]


def _network(path: Path | None) -> Network:
    from .network import load

    return load(path)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _run_all(
    scenarios: list[Path],
    network: Network,
    samples: int | None,
    seed: int | None,
    month: int | None,
) -> list[ScenarioRun]:
    from .runner import run_scenario
    from .scenario import load_scenario

    loaded = [load_scenario(p) for p in scenarios]
    return [run_scenario(s, network, samples=samples, seed=seed, month=month) for s in loaded]


def _check_outputs(map_path: Path | None, chart: Path | None) -> None:
    """Refuse output paths we cannot write before any simulation runs."""
    if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
        raise MidcorridorError(f"Chart path {chart}: use a .png or .svg file name.")
    if map_path is not None and map_path.suffix.lower() not in (".html", ".htm"):
        raise MidcorridorError(f"Map path {map_path}: use an .html file name.")


def _outputs(
    runs: list[ScenarioRun], network: Network, map_path: Path | None, chart: Path | None
) -> None:
    if map_path is not None:
        from .maps import scenario_map

        map_path.parent.mkdir(parents=True, exist_ok=True)
        scenario_map(runs, network).save(str(map_path))
        err.print(f"map written to {escape(str(map_path))}")
    if chart is not None:
        from .charts import time_distance_chart

        time_distance_chart(runs, network, chart)
        err.print(f"chart written to {escape(str(chart))}")


@network_app.command("check")
def network_check(
    path: Annotated[Optional[Path], typer.Argument(help="Network folder.")] = None,  # noqa: UP045
    as_json: JsonOpt = False,
) -> None:
    """Validate the network files and summarise them (counts, km by mode and corridor)."""
    from .tables import network_summary, network_summary_tables

    summary = network_summary(_network(path))
    if as_json:
        _print_json(summary)
        return
    for table in network_summary_tables(summary):
        out.print(table)


@app.command()
def routes(
    origin: Annotated[str, typer.Argument(help="Place: id, name or alias.")],
    destination: Annotated[str, typer.Argument(help="Place: id, name or alias.")],
    corridor: Annotated[
        str, typer.Option("--corridor", "-c", help="middle, northern, other or any.")
    ] = "any",
    avoid: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--avoid", "-a", help="Country code or place to avoid (repeatable)."),
    ] = None,
    count: Annotated[
        int, typer.Option("--count", "-n", min=1, max=50, help="How many routes.")
    ] = 5,
    as_json: JsonOpt = False,
    network_path: NetworkOpt = None,
) -> None:
    """List candidate routes between two places, shortest first."""
    from .routing import candidate_routes
    from .tables import routes_table

    net = _network(network_path)
    found = candidate_routes(
        net, origin, destination, corridor=corridor, avoid=avoid or (), k=count
    )
    if as_json:
        _print_json(
            [
                {
                    "corridor": r.corridor,
                    "distance_km": round(r.distance_km, 1),
                    "path": list(r.nodes),
                    "links": list(r.links),
                    "countries": list(r.countries),
                    "via": r.via(net),
                }
                for r in found
            ]
        )
        return
    out.print(routes_table(found, net))


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    as_json: JsonOpt = False,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    month: MonthOpt = None,
    map_path: MapOpt = None,
    chart: ChartOpt = None,
    network_path: NetworkOpt = None,
) -> None:
    """Run one scenario: P10 / P50 / P90 days per route and the biggest stages."""
    from .tables import run_table

    _check_outputs(map_path, chart)
    net = _network(network_path)
    (result,) = _run_all([scenario], net, samples, seed, month)
    if as_json:
        _print_json(result.to_dict(net))
    else:
        out.print(run_table(result))
    _outputs([result], net, map_path, chart)


@app.command()
def compare(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario YAML files; the first is the reference.")
    ],
    as_json: JsonOpt = False,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    month: MonthOpt = None,
    map_path: MapOpt = None,
    chart: ChartOpt = None,
    network_path: NetworkOpt = None,
) -> None:
    """Compare scenarios route by route: days in each and what moved."""
    from .runner import compare_runs
    from .tables import compare_table, run_table

    _check_outputs(map_path, chart)
    net = _network(network_path)
    runs = _run_all(scenarios, net, samples, seed, month)
    rows = compare_runs(runs)
    if as_json:
        _print_json({"scenarios": [r.to_dict(net) for r in runs], "comparison": rows})
    else:
        for result in runs:
            out.print(run_table(result))
        out.print(compare_table(runs, rows))
    _outputs(runs, net, map_path, chart)


OutOpt = Annotated[Path, typer.Option("--out", "-o", help="File to write.")]


def _write_only(
    scenarios: list[Path],
    settings: tuple[Path | None, int | None, int | None, int | None],
    *,
    map_path: Path | None = None,
    chart: Path | None = None,
) -> None:
    """Run scenarios and write only a map or a chart (no tables)."""
    network_path, samples, seed, month = settings
    _check_outputs(map_path, chart)
    net = _network(network_path)
    _outputs(_run_all(scenarios, net, samples, seed, month), net, map_path, chart)


@app.command("map")
def map_command(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    out_path: OutOpt = Path("maps/map.html"),
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    month: MonthOpt = None,
    network_path: NetworkOpt = None,
) -> None:
    """Write an offline HTML map of the network and the scenarios' routes."""
    _write_only(scenarios, (network_path, samples, seed, month), map_path=out_path)


@app.command("chart")
def chart_command(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    out_path: OutOpt = Path("maps/chart.png"),
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    month: MonthOpt = None,
    network_path: NetworkOpt = None,
) -> None:
    """Write a time-distance chart (.png or .svg): km against days, one line per route."""
    _write_only(scenarios, (network_path, samples, seed, month), chart=out_path)


def _volumes(spec: str) -> list[float]:
    """``START:STOP:STEP`` (TEU/week, STOP included) as a list of volumes."""
    parts = spec.split(":")
    try:
        start, stop, step = (float(p) for p in parts)
    except ValueError:
        raise MidcorridorError(
            f"--volume {spec!r}: give START:STOP:STEP in TEU per week, e.g. 500:4000:500."
        ) from None
    if not all(math.isfinite(v) for v in (start, stop, step)):
        raise MidcorridorError(f"--volume {spec!r}: numbers must be finite.")
    if start < 0 or stop < start or step <= 0:
        raise MidcorridorError(
            f"--volume {spec!r}: need 0 <= START <= STOP and STEP > 0 (TEU per week)."
        )
    count = int((stop - start) / step + 1e-9) + 1
    if count > 200:
        raise MidcorridorError(f"--volume {spec!r}: {count} steps; at most 200.")
    return [start + i * step for i in range(count)]


@app.command()
def sweep(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    volume: Annotated[
        str, typer.Option("--volume", help="START:STOP:STEP, TEU per week on the corridor.")
    ],
    corridor: Annotated[str, typer.Option("--corridor", help="Corridor whose volume varies.")] = (
        "middle"
    ),
    samples: SamplesOpt = 5000,
    as_json: JsonOpt = False,
    chart: ChartOpt = None,
    network_path: NetworkOpt = None,
) -> None:
    """Days and crossing utilisation as the volume grows: where the corridor saturates."""
    from rich.progress import Progress

    from .runner import sweep_volume
    from .scenario import load_scenario
    from .tables import sweep_table

    if corridor not in ("middle", "northern", "other"):
        raise MidcorridorError(f"Unknown corridor {corridor!r}: use middle, northern or other.")
    volumes = _volumes(volume)
    _check_outputs(None, chart)
    net = _network(network_path)
    loaded = load_scenario(scenario)
    with Progress(console=err, transient=True, disable=as_json) as progress:
        task = progress.add_task("volumes", total=len(volumes))
        rows = sweep_volume(
            loaded,
            net,
            volumes,
            corridor=corridor,
            samples=samples,
            on_step=lambda _: progress.advance(task),
        )
    if as_json:
        _print_json({"scenario": loaded.name, "corridor": corridor, "steps": rows})
    else:
        out.print(sweep_table(rows, loaded.name, corridor))
    if chart is not None:
        from .charts import sweep_chart

        title = f"{loaded.name}: days against {corridor} volume"
        sweep_chart(rows, chart, corridor=corridor, title=title)
        err.print(f"chart written to {escape(str(chart))}")


RouteOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--route", help="Label of one route of the scenario (default: all)."),
]


def _pick_trips(result: ScenarioRun, label: str | None) -> list[TripResult]:
    if label is None:
        return list(result.trips)
    try:
        return [result.trip(label)]
    except KeyError:
        labels = [t.label for t in result.trips]
        close = difflib.get_close_matches(label, labels, n=3, cutoff=0.3)
        hint = f" Did you mean: {'; '.join(repr(c) for c in close)}?" if close else ""
        raise MidcorridorError(f"No route labelled {label!r} in the scenario.{hint}") from None


def _analyse_trips(
    scenario: Path,
    route: str | None,
    settings: tuple[Path | None, int | None, int | None],
    analyse: Callable[[TripResult, Network], pd.DataFrame],
    *,
    key: str,
    table: Callable[..., Table],
    draw: Callable[[pd.DataFrame, Path, str], None],
    top: int,
    as_json: bool,
    chart: Path | None,
) -> None:
    """Run a scenario, analyse each (or one) trip, print tables or JSON, draw a chart."""
    network_path, samples, seed = settings
    _check_outputs(None, chart)
    net = _network(network_path)
    (result,) = _run_all([scenario], net, samples, seed, None)
    frames = [(t, analyse(t, net)) for t in _pick_trips(result, route)]
    if as_json:
        routes = [
            {"label": t.label, "days": t.days(), key: f.head(top).to_dict("records")}
            for t, f in frames
        ]
        _print_json({"scenario": result.scenario.name, "routes": routes})
    else:
        for trip, frame in frames:
            out.print(table(frame, trip.label, top=top))
    if chart is not None:
        trip, frame = frames[0]
        draw(frame.head(top), chart, trip.label)
        err.print(f"chart written to {escape(str(chart))}")


@app.command()
def rank(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    route: RouteOpt = None,
    group_by: Annotated[
        str, typer.Option("--group-by", help="place (stage at a node), country or stage.")
    ] = "place",
    top: Annotated[int, typer.Option("--top", min=1, help="Rows per route.")] = 10,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    as_json: JsonOpt = False,
    chart: ChartOpt = None,
    network_path: NetworkOpt = None,
) -> None:
    """Rank bottlenecks: P50 / P90 days saved if each delay is halved or removed."""
    from .analysis import rank_bottlenecks, rank_table
    from .report import tornado_chart

    if group_by not in ("place", "country", "stage"):
        raise MidcorridorError(f"--group-by {group_by!r}: use place, country or stage.")

    def draw(frame: pd.DataFrame, path: Path, label: str) -> None:
        tornado_chart(frame, path, title=f"{label}: days saved if removed")

    _analyse_trips(
        scenario,
        route,
        (network_path, samples, seed),
        lambda trip, net: rank_bottlenecks(trip, group_by=group_by, network=net),  # type: ignore[arg-type]
        key="ranking",
        table=rank_table,
        draw=draw,
        top=top,
        as_json=as_json,
        chart=chart,
    )


@app.command()
def sensitivity(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    route: RouteOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows per route.")] = 10,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    as_json: JsonOpt = False,
    chart: ChartOpt = None,
    network_path: NetworkOpt = None,
) -> None:
    """Which delays the spread of door-to-door days depends on (from the same samples)."""
    from .analysis import sensitivity as sensitivity_of
    from .analysis import sensitivity_table
    from .report import sensitivity_chart

    def draw(frame: pd.DataFrame, path: Path, label: str) -> None:
        sensitivity_chart(frame, path, title=f"{label}: what makes the spread")

    _analyse_trips(
        scenario,
        route,
        (network_path, samples, seed),
        lambda trip, net: sensitivity_of(trip, network=net),
        key="sensitivity",
        table=sensitivity_table,
        draw=draw,
        top=top,
        as_json=as_json,
        chart=chart,
    )


@app.command()
def report(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario YAML files; the first is the reference.")
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for report.md and its charts.")
    ] = Path("reports/report"),
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    calibration: Annotated[
        bool, typer.Option("--calibration/--no-calibration", help="Include the calibration table.")
    ] = True,
    network_path: NetworkOpt = None,
) -> None:
    """Write a Markdown brief: headline days, where they go, changes, ranking, sources."""
    from .calibration import calibrate as run_calibration
    from .report import write_report
    from .scenario import default_scenario, load_scenario

    net = _network(network_path)
    runs = _run_all(scenarios, net, samples, seed, None)
    rows = None
    if calibration:
        rows = run_calibration(net, load_scenario(default_scenario()), samples=samples)
    path = write_report(runs, net, out_dir, calibration_rows=rows)
    err.print(f"report written to {escape(str(path))}")


@app.command()
def validate(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    network_path: NetworkOpt = None,
) -> None:
    """Check scenario files (fields, places, closures) without running them."""
    from .runner import check_scenario
    from .scenario import load_scenario

    net = _network(network_path)
    failed = 0
    for path in scenarios:
        try:
            check_scenario(load_scenario(path), net)
        except MidcorridorError as exc:
            failed += 1
            err.print(f"[red]invalid[/red] {escape(str(exc))}")
        else:
            out.print(f"[green]ok[/green] {escape(str(path))}")
    if failed:
        raise typer.Exit(2)


@app.command()
def explain(
    origin: Annotated[str, typer.Argument(help="Place: id, name or alias.")],
    destination: Annotated[str, typer.Argument(help="Place: id, name or alias.")],
    corridor: Annotated[
        str, typer.Option("--corridor", "-c", help="middle, northern, other or any.")
    ] = "any",
    month: MonthOpt = None,
    scenario: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--scenario", help="Conditions to use (default: scenarios/baseline.yaml)."),
    ] = None,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    network_path: NetworkOpt = None,
) -> None:
    """Show a trip leg by leg: hours per stage at each place, with sources."""
    from .runner import run_scenario
    from .scenario import RouteSpec, default_scenario, load_scenario
    from .tables import explain_table

    if corridor not in ("middle", "northern", "other", "any"):
        raise MidcorridorError(
            f"Unknown corridor {corridor!r}: use middle, northern, other or any."
        )
    net = _network(network_path)
    base = load_scenario(scenario or default_scenario())
    spec = RouteSpec(origin=origin, destination=destination, corridor=corridor)
    result = run_scenario(
        base.model_copy(update={"routes": (spec,)}), net, samples=samples, seed=seed, month=month
    )
    table, citations = explain_table(result.trips[0], net)
    out.print(table)
    out.print("Sources:")
    for line in citations:
        out.print(f"  {escape(line)}", soft_wrap=True)


@app.command()
def calibrate(
    scenario: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--scenario", help="Baseline conditions (default: scenarios/baseline.yaml)."),
    ] = None,
    samples: SamplesOpt = None,
    as_json: JsonOpt = False,
    network_path: NetworkOpt = None,
) -> None:
    """Check the baseline against published transit times."""
    from .calibration import calibrate as run_calibration
    from .scenario import default_scenario, load_scenario
    from .tables import calibration_table

    net = _network(network_path)
    rows = run_calibration(net, load_scenario(scenario or default_scenario()), samples=samples)
    if as_json:
        _print_json(
            [
                {
                    "target": r.target.name,
                    "published": r.target.published,
                    "low": r.target.low,
                    "high": r.target.high,
                    "unit": r.target.unit,
                    "value": r.value,
                    "met": r.met,
                    "required": r.target.required,
                    "source": r.target.source,
                }
                for r in rows
            ]
        )
        return
    out.print(calibration_table(rows))


def main() -> None:
    """Entry point: user mistakes are printed plainly and exit with code 2."""
    try:
        app()
    except MidcorridorError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise SystemExit(2) from None
