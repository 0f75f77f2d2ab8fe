"""Where a trip's days go and what would save the most: bottleneck ranking, sensitivity.

Both functions reuse a trip's sampled hours matrix (``samples x components``); nothing is
sampled again. A *group* of components is a weight vector over the components' columns,
so a group's hours in every sample are one matrix product, and "what if this group took
half the time, or none" is the per-sample total minus ``0.5`` or ``1`` times the group's
hours: the P50 and P90 of those totals are read off the same samples, for all groups at
once. Because the samples are shared, the mean days saved by removing a group are exactly
that group's mean days; P50 and P90 savings are smaller or larger, depending on how the
group's hours move with the rest.

The savings hold the rest of the trip fixed: a wait for a timetabled sailing keeps its
sampled hours when an earlier delay is removed, although on the clock the container
might then make an earlier sailing (:mod:`midcorridor.model.journeys`). To count that, run a
scenario that changes the delay (``compare`` splits its saving into paperwork and
connections).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._errors import MidcorridorError
from ..model.delays import Component
from ..model.trip import TripResult
from ..results import Ranking, Spread
from ..vocabulary import HOURS_PER_DAY, MOVING_STAGES, STAGES, GroupBy, SpreadBy

if TYPE_CHECKING:
    from ..network.network import Network

__all__ = [
    "RANK_COLUMNS",
    "SENSITIVITY_COLUMNS",
    "rank_bottlenecks",
    "sensitivity",
    "variance_shares",
]

#: Columns of :func:`rank_bottlenecks`.
RANK_COLUMNS = (
    "group",
    "stage",
    "node",
    "country",
    "components",
    "mean_days",
    "p50_saved_half",
    "p90_saved_half",
    "p50_saved_removed",
    "p90_saved_removed",
    "sources",
)
#: Columns of :func:`sensitivity`.
SENSITIVITY_COLUMNS = (
    "group",
    "stage",
    "node",
    "link",
    "mean_days",
    "sd_days",
    "spearman",
    "variance_share",
    "sources",
)


@dataclass(frozen=True)
class _Group:
    """Components combined under one label, with the weight of each component."""

    label: str
    stage: str
    node: str
    country: str
    weights: np.ndarray  # shape (components,), 0..1


def _node_name(node_id: str, network: Network | None) -> str:
    return network.nodes_by_id[node_id].props.name if network is not None else node_id


def _sources(comps: Sequence[Component], weights: np.ndarray) -> str:
    """Source keys of the components with a weight, in travel order, each once."""
    keys = (c.source for c, w in zip(comps, weights, strict=True) if w > 0)
    return ", ".join(dict.fromkeys(keys))


def _groups(trip: TripResult, group_by: GroupBy, network: Network | None) -> list[_Group]:
    comps = trip.components
    m = len(comps)
    out: list[_Group] = []
    if group_by == "stage":
        for stage in STAGES:
            w = np.array([c.stage == stage for c in comps], dtype=float)
            if w.any():
                out.append(_Group(stage, stage, "", "", w))
        return out
    if group_by == "place":
        keys = dict.fromkeys((c.node, c.stage) for c in comps if c.stage not in MOVING_STAGES)
        for node, stage in keys:
            w = np.array([(c.node, c.stage) == (node, stage) for c in comps], dtype=float)
            countries = next(c.countries for c in comps if c.node == node and c.stage == stage)
            label = f"{stage} at {_node_name(node, network)}"
            out.append(_Group(label, stage, node, " ".join(countries), w))
        return out
    if group_by == "country":
        codes = dict.fromkeys(
            code for c in comps if c.stage not in MOVING_STAGES for code in c.countries
        )
        for code in codes:
            w = np.zeros(m)
            for j, c in enumerate(comps):
                if c.stage not in MOVING_STAGES and code in c.countries:
                    w[j] = 1.0 / len(c.countries)
            stages = dict.fromkeys(c.stage for c, wj in zip(comps, w, strict=True) if wj > 0)
            out.append(_Group(f"waits in {code}", ", ".join(stages), "", code, w))
        return out
    raise MidcorridorError(f"group_by must be 'place', 'country' or 'stage', got {group_by!r}")


def rank_bottlenecks(
    trip: TripResult,
    *,
    group_by: GroupBy = "place",
    network: Network | None = None,
) -> Ranking:
    """Rank groups of delays by the days their halving or removal would save.

    Parameters
    ----------
    trip
        A sampled trip (:func:`midcorridor.run_scenario` or :func:`midcorridor.sample_trip`).
    group_by
        ``"place"``, ``"country"`` or ``"stage"``.
        How components are grouped:

        - ``"place"``: one group per (node, stage) pair of the *waits*, e.g. "documents at
          Dostyk / Alashankou" or "ferry_wait at Aktau port". Moving stages (``rail``,
          ``sea``, see :data:`MOVING_STAGES`) are left out: they are not waits.
        - ``"country"``: all waits (again without ``rail`` and ``sea``) in one country.
          A wait at a place of several countries (a border station such as
          Dostyk / Alashankou, coded CN KZ) is split evenly among them, so that the
          countries' mean days add up to the trip's waiting days.
        - ``"stage"``: one group per stage present in the trip, moving stages included;
          the groups' mean days add up to the trip's mean door-to-door days.
    network
        Used only for place names in the labels; without it, node ids are shown.

    Returns
    -------
    Ranking
        The trip's days and saturation flag, and in ``frame`` one row per group, sorted by
        ``p50_saved_removed`` (then ``mean_days``), descending. Columns
        (:data:`RANK_COLUMNS`): ``group`` (label), ``stage`` (the stage; for country groups
        the stages included), ``node`` (node id, place groups only), ``country`` (the node's
        countries, or the country of a country group), ``components`` (how many delays the
        group holds), ``mean_days`` (mean days spent in the group, days), ``p50_saved_half``
        and ``p90_saved_half`` (days by which the trip's P50 and P90 door-to-door time fall
        if the group's hours are halved in every sample, days), ``p50_saved_removed`` and
        ``p90_saved_removed`` (the same with the group's hours set to zero, days) and
        ``sources`` (source keys, comma-separated). A saturated trip's savings are read off
        lower bounds.

    Notes
    -----
    Savings are computed from the trip's own samples (no new sampling; above
    :data:`midcorridor.model.sampling.KEEP_SAMPLES` samples, from the kept rows): for each sample
    the group's hours are subtracted (times 0.5 or 1) from the door-to-door hours, and
    the percentiles of the reduced totals are compared with the trip's. Hours are never
    negative, so savings are never negative, removing saves at least as much as halving,
    and a group with no hours saves nothing. The mean days saved by removing a group are
    exactly its ``mean_days``.
    """
    import pandas as pd

    groups = _groups(trip, group_by, network)
    total = trip.kept_total_days  # the rows whose component hours are kept
    base_p50, base_p90 = np.percentile(total, [50, 90])
    weights = (
        np.stack([g.weights for g in groups], axis=1)
        if groups
        else np.zeros((len(trip.components), 0))
    )
    group_days = trip.hours @ weights / HOURS_PER_DAY  # (samples, groups)
    saved: dict[str, np.ndarray] = {}
    for name, factor in (("half", 0.5), ("removed", 1.0)):
        reduced = total[:, None] - factor * group_days
        p50, p90 = np.percentile(reduced, [50, 90], axis=0)
        saved[f"p50_saved_{name}"] = base_p50 - p50
        saved[f"p90_saved_{name}"] = base_p90 - p90
    frame = pd.DataFrame(
        {
            "group": [g.label for g in groups],
            "stage": [g.stage for g in groups],
            "node": [g.node for g in groups],
            "country": [g.country for g in groups],
            "components": [int(np.count_nonzero(g.weights)) for g in groups],
            "mean_days": group_days.mean(axis=0),
            **saved,
            "sources": [_sources(trip.components, g.weights) for g in groups],
        },
        columns=list(RANK_COLUMNS),
    )
    frame = frame.sort_values(
        ["p50_saved_removed", "mean_days"], ascending=False, kind="stable"
    ).reset_index(drop=True)
    days = trip.days()
    return Ranking(
        label=trip.label,
        group_by=group_by,
        mean_days=days["mean"],
        p50_days=days["p50"],
        p90_days=days["p90"],
        saturated=trip.saturated,
        frame=frame,
    )


def _component_label(trip: TripResult, comp: Component, network: Network | None) -> str:
    """ "rail Almaty -> Shu" for movements, "documents at Dostyk / Alashankou" otherwise."""
    if comp.stage in MOVING_STAGES:
        nodes = trip.route.nodes
        nxt = nodes[nodes.index(comp.node) + 1]
        return f"{comp.stage} {_node_name(comp.node, network)} -> {_node_name(nxt, network)}"
    return f"{comp.stage} at {_node_name(comp.node, network)}"


def _rank_columns(x: np.ndarray) -> np.ndarray:
    """Average ranks (ties share their mean rank) of each column of ``x``."""
    import pandas as pd

    return pd.DataFrame(x).rank(axis=0, method="average").to_numpy()


def variance_shares(days: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Each column's share of the variance of ``total``: ``cov(X_g, T) / var(T)``.

    Parameters
    ----------
    days
        ``(samples, groups)``: days of each group of delays in each sample.
    total
        ``(samples,)``: door-to-door days of the same samples. When the groups cover
        every delay once, the shares add up to 1 (``var(T) = sum_g cov(X_g, T)``).
    """
    tc = total - total.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(((days - days.mean(axis=0)).T @ tc) / float(tc @ tc))


def sensitivity(
    trip: TripResult,
    *,
    group_by: SpreadBy = "component",
    network: Network | None = None,
) -> Spread:
    """How much each delay drives the spread of door-to-door days.

    Parameters
    ----------
    trip
        A sampled trip.
    group_by
        ``"component"`` or ``"stage"``: one row per component (every delay at every
        place, moving included) or per stage. Both cover every component, so the
        variance shares add up to 1.
    network
        Used only for place names in the labels; without it, node ids are shown.

    Returns
    -------
    Spread
        The trip's standard deviation of days and saturation flag, and in ``frame`` one
        row per component or stage, sorted by ``variance_share`` descending.
        Columns (:data:`SENSITIVITY_COLUMNS`): ``group`` (label), ``stage``, ``node``
        and ``link`` (ids; empty for stages and for node processes' link), ``mean_days``
        and ``sd_days`` (mean and standard deviation of the hours, in days),
        ``spearman`` (Spearman rank correlation of the hours with the door-to-door
        days, -1..1; NaN for a constant delay), ``variance_share`` (covariance of the
        delay with the door-to-door days divided by the variance of the door-to-door
        days: the delays' shares add up to exactly 1; a share can be negative when a
        delay moves against the rest) and ``sources`` (source keys).

    Notes
    -----
    Since the total is the sum of its parts, ``var(T) = sum_j cov(X_j, T)``; the share
    of a delay is its part of that sum. Ranks for the Spearman correlation are average
    ranks, so the many zeros of rare delays (inspections, storms) tie fairly.
    """
    import pandas as pd

    comps = trip.components
    if group_by == "component":
        weights = np.eye(len(comps))
        labels = [_component_label(trip, c, network) for c in comps]
        stages: list[str] = [c.stage for c in comps]
        nodes = [c.node for c in comps]
        links = [c.link or "" for c in comps]
    elif group_by == "stage":
        groups = _groups(trip, "stage", network)
        weights = np.stack([g.weights for g in groups], axis=1)
        labels = stages = [g.stage for g in groups]
        nodes = links = ["" for _ in groups]
    else:
        raise MidcorridorError(f"group_by must be 'component' or 'stage', got {group_by!r}")

    x = trip.hours @ weights / HOURS_PER_DAY  # (samples, groups), days
    total = trip.kept_total_days  # the rows whose component hours are kept
    share = variance_shares(x, total)
    with np.errstate(invalid="ignore", divide="ignore"):
        rx = _rank_columns(x)
        rt = _rank_columns(total[:, None])[:, 0]
        rxc = rx - rx.mean(axis=0)
        rtc = rt - rt.mean()
        spearman = (rxc.T @ rtc) / np.sqrt((rxc * rxc).sum(axis=0) * float(rtc @ rtc))
    spearman = np.where(x.std(axis=0) > 0, spearman, np.nan)
    frame = pd.DataFrame(
        {
            "group": labels,
            "stage": stages,
            "node": nodes,
            "link": links,
            "mean_days": x.mean(axis=0),
            "sd_days": x.std(axis=0),
            "spearman": spearman,
            "variance_share": share,
            "sources": [_sources(comps, weights[:, k]) for k in range(weights.shape[1])],
        },
        columns=list(SENSITIVITY_COLUMNS),
    )
    frame = frame.sort_values("variance_share", ascending=False, kind="stable").reset_index(
        drop=True
    )
    return Spread(
        label=trip.label,
        group_by=group_by,
        sd_days=float(total.std()),
        saturated=trip.saturated,
        frame=frame,
    )
