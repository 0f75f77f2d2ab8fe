"""Why a trip has no route: the closures, or the Caspian too shallow to cross."""

from __future__ import annotations

from .._errors import ScenarioError
from ..inputs.changes import Closures
from ..inputs.scenario import RouteSpec
from ..network.routing import iter_routes
from .resolve import Conditions, closed

__all__ = ["no_route_error"]


def no_route_error(
    conditions: Conditions, spec: RouteSpec, i: int, origin: str, destination: str
) -> ScenarioError:
    """Why no route of ``spec`` (``routes.<i>``) exists: the Caspian crossings too shallow at
    the scenario's level, else the closure that cut it if one did."""
    net, scenario = conditions.network, conditions.scenario
    wanted = "" if spec.corridor == "any" else f" on the {spec.corridor} corridor"
    via = [conditions.node(v, f"routes.{i}.via.{j}") for j, v in enumerate(spec.via)]

    def exists(closures: Closures) -> bool:
        nodes, links = closed(scenario, net, closures)
        routes = iter_routes(
            net,
            origin,
            destination,
            corridor=spec.corridor,
            blocked_nodes=nodes,
            blocked_links=links,
        )
        return any(all(v in r.nodes for v in via) for r in routes)

    if spec.via:
        wanted += " via " + ", ".join(spec.via)
    where = f"No route from {net.describe(origin)} to {net.describe(destination)}{wanted}"
    if not exists(Closures()):
        return conditions.error(f"routes.{i}", f"{where} even with every link open.")
    shallow = [k for k, c in sorted(conditions.crossings.items()) if c.load_factor == 0]
    if shallow:
        return conditions.error(
            "caspian",
            f"{where}: the Caspian crossings {', '.join(shallow)} are too shallow to sail at "
            "the scenario's level (dredge their ports or bring shallower vessels).",
        )
    cutting = []
    for kind, value in scenario.closures.items():
        single = Closures(**{f"{kind}s" if kind != "country" else "countries": (value,)})
        if not exists(single):
            cutting.append(f"{kind} {value}")
    culprit = ", ".join(cutting) if cutting else "the closures together"
    return conditions.error(f"routes.{i}", f"{where}: closed by {culprit} (closures).")
