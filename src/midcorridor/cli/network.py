"""Commands on the network: check its files, compare its sea lines, list routes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..views.safe_text import markup
from ..vocabulary import DEFAULT_ERA
from ._app import app, err, examples, network_app, out
from ._options import (
    CorridorOpt,
    JsonOpt,
    OptStrs,
    PlaceArg,
    RunOptions,
    print_json,
    print_tables,
    with_run_options,
)


@network_app.command(
    "check",
    epilog=examples(
        "network check",
    ),
)
def network_check(
    path: Annotated[Optional[Path], typer.Argument(help="Network folder.")] = None,  # noqa: UP045
    era: Annotated[
        int,
        typer.Option(
            "--era", min=1990, max=2100, help="List published figures older than this year."
        ),
    ] = DEFAULT_ERA,
    as_json: JsonOpt = False,
) -> None:
    """Validate the network files and summarise them (counts, km by mode and corridor,
    sources by basis, figures older than the era)."""
    from .._errors import NetworkError
    from ..network.read import default_network_dir, load
    from ..network.routing import network_summary
    from ..views.run_tables import network_tables

    folder = path if path is not None else default_network_dir()
    try:
        network = load(folder)
    except NetworkError as exc:  # every problem counted, the first ones listed
        if as_json:
            print_json({"path": str(folder), "error": exc.message, "problems": exc.problems})
        else:
            err.print(f"[red]{markup(exc.message)}[/red]", soft_wrap=True)
            for problem in exc.problems:
                err.print(f"  - {markup(problem)}", soft_wrap=True)
        raise typer.Exit(2) from None
    summary = network_summary(network, era=era)
    if as_json:
        print_json(summary.to_dict())
    else:
        print_tables(*network_tables(summary))


@network_app.command(
    "sea-routes",
    epilog=examples(
        "network sea-routes",
    ),
)
def network_sea_routes(
    path: Annotated[Optional[Path], typer.Argument(help="Network folder.")] = None,  # noqa: UP045
    write: Annotated[
        bool, typer.Option("--write", help="Store searoute's lines and lengths in the file.")
    ] = False,
) -> None:
    """Compare each ocean link's stored line and length with what searoute draws today
    (with --write, store searoute's in links.geojson)."""
    from ..network.read import load
    from ..network.sea_routes import ocean_legs, write_ocean_legs
    from ..views.run_tables import sea_routes_table

    network = load(path)
    if write:
        changed = write_ocean_legs(network)
        out.print(f"{len(changed)} ocean link(s) updated in {markup(str(network.path))}")
    else:
        print_tables(sea_routes_table(list(ocean_legs(network)), network))


@app.command(
    epilog=examples(
        "routes Almaty Constanta --corridor middle",
        'routes "Xi\'an" Duisburg --avoid RU',
    )
)
@with_run_options("network")
def routes(
    origin: PlaceArg,
    destination: PlaceArg,
    corridor: CorridorOpt = "any",
    avoid: Annotated[
        OptStrs, typer.Option("--avoid", "-a", help="Country code or place to avoid (repeatable).")
    ] = None,
    count: Annotated[
        int, typer.Option("--count", "-n", min=1, max=50, help="How many routes.")
    ] = 5,
    as_json: JsonOpt = False,
    *,
    opts: RunOptions,
) -> None:
    """List candidate routes between two places, shortest first."""
    from ..network.routing import candidate_routes
    from ..views.run_tables import routes_table

    net = opts.load_network()
    found = candidate_routes(
        net, origin, destination, corridor=corridor, avoid=avoid or (), k=count
    )
    if as_json:
        print_json([r.to_dict(net) for r in found])
    else:
        print_tables(routes_table(found, net))
