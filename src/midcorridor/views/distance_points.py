"""The points a time-distance or cost-distance line is drawn through (UNESCAP's
Time/Cost-Distance method): distance travelled against days or USD, stop by stop.

A trip's days at a stop are quantiles of the cumulative days of its samples: the P50 line
is the median elapsed time at each stop, not a sum of per-stage medians (medians do not
add up), and its last point is the trip's door-to-door P50 that every table shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..vocabulary import HOURS_PER_DAY, MOVING_STAGES

if TYPE_CHECKING:
    import pandas as pd

    from ..model.costs import CostLeg, TripCost
    from ..model.trip import TripResult
    from ..network.network import Network
    from ..network.routing import Route

__all__ = ["DAY_QUANTILES", "cost_distance_points", "time_distance_points"]

#: Quantiles of elapsed days at each stop, as columns of :func:`time_distance_points`.
DAY_QUANTILES = {"p10_days": 10.0, "p50_days": 50.0, "p90_days": 90.0}


def time_distance_points(trip: TripResult, network: Network) -> pd.DataFrame:
    """The vertices of a trip's time-distance line.

    Parameters
    ----------
    trip
        A sampled trip.
    network
        The network it was routed on (for link lengths and place names).

    Returns
    -------
    pandas.DataFrame
        One row for the departure, then one per component of the trip in the order it
        happens: the node's own processes, then, for a ferry or sea leg, the wait for the
        departure and any storm hold at the port, then the movement along the link.
        Columns: ``km`` (cumulative distance, km); ``p10_days``, ``p50_days`` and
        ``p90_days`` (quantiles over the samples of the days elapsed since departure,
        days); ``mean_days`` (their mean, days); ``place`` (node name: where the
        container stands, or the node a movement reaches); ``stage`` (``"start"`` for
        the first row) and ``node`` (node id). The last row has ``km`` equal to the
        route's distance and the quantiles and mean of :meth:`TripResult.days`.

    Notes
    -----
    The quantiles at each stop read the kept samples (:attr:`TripResult.hours`); the last
    row's read every sample drawn, as the tables do. When some samples were not kept,
    an earlier stop's quantile is capped at the next one's, so a line never goes back.
    """
    import pandas as pd

    route = trip.route
    position = {node_id: i for i, node_id in enumerate(route.nodes)}
    # Stationary components of node i come before the movement along link i; the stable
    # sort keeps the model's order within each group.
    order = sorted(
        range(len(trip.components)),
        key=lambda j: (
            position[trip.components[j].node],
            trip.components[j].stage in MOVING_STAGES,
        ),
    )
    elapsed = np.cumsum(trip.hours[:, order], axis=1) / HOURS_PER_DAY
    quantiles = np.zeros((len(DAY_QUANTILES), len(order) + 1))
    if order:
        quantiles[:, 1:] = np.percentile(elapsed, list(DAY_QUANTILES.values()), axis=0)
        whole = trip.days()
        quantiles[:, -1] = [whole[column.removesuffix("_days")] for column in DAY_QUANTILES]
        quantiles = np.minimum.accumulate(quantiles[:, ::-1], axis=1)[:, ::-1]
    means = np.concatenate([[0.0], np.cumsum(trip.mean_hours[order]) / HOURS_PER_DAY])

    names = {n: network.nodes_by_id[n].props.name for n in route.nodes}
    km = [0.0]
    stages = ["start"]
    nodes = [route.origin]
    for j in order:
        comp = trip.components[j]
        node_id, distance = comp.node, km[-1]
        if comp.stage in MOVING_STAGES:
            if comp.link is not None:
                distance += network.links_by_id[comp.link].props.length_km
            node_id = route.nodes[position[comp.node] + 1]
        km.append(distance)
        stages.append(comp.stage)
        nodes.append(node_id)
    return pd.DataFrame(
        {"km": km}
        | {column: quantiles[i] for i, column in enumerate(DAY_QUANTILES)}
        | {"mean_days": means, "place": [names[n] for n in nodes]}
        | {"stage": stages, "node": nodes}
    )


def cost_distance_points(cost: TripCost) -> pd.DataFrame:
    """The vertices of a trip's cost-distance line.

    Returns
    -------
    pandas.DataFrame
        One row for the departure, then one per cost leg in travel order: a charge at a
        place rises in place, a rail, ferry or sea leg moves on by its km. Columns: ``km``
        (cumulative distance, km), ``mean_usd`` (cumulative mean cost, USD per loaded
        40-ft container: legs are priced by their means only, so no quantile exists
        along the way) and ``node`` (where the container is after the leg).
    """
    import pandas as pd

    legs = cost.legs
    return pd.DataFrame(
        {
            "km": np.concatenate([[0.0], np.cumsum([leg.km for leg in legs])]),
            "mean_usd": np.concatenate([[0.0], np.cumsum(cost.leg_usd_mean)]),
            "node": _leg_ends(legs, cost.route),
        }
    )


def _leg_ends(legs: Sequence[CostLeg], route: Route) -> list[str]:
    """The node the container is at before the first leg and after each leg."""
    after_link = {link: route.nodes[i + 1] for i, link in enumerate(route.links)}
    out = [route.origin]
    for i, leg in enumerate(legs):
        if leg.node is not None:
            out.append(leg.node)
        elif i + 1 < len(legs) and legs[i + 1].link == leg.link:
            out.append(out[-1])  # a rail link split between two countries: halfway
        else:
            out.append(after_link[str(leg.link)])
    return out
