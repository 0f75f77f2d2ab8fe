"""The transit-time model: where a container's hours go, sampled by Monte Carlo.

A route is broken into *components*, each one delay at one place belonging to one stage
(see :data:`midcorridor.inputs.schema.STAGES`): rail moving time on a link, documents at a
border, the wait for a ferry at a port... Each component is a scaled beta distribution
(PERT for three-point estimates, uniform for waits for a departure), optionally applied
with a probability (inspections, storms). :func:`sample_hours` draws all components for
many samples at once as a ``(samples, components)`` matrix of hours; :func:`sample_trip`
calls it on chunks of at most :data:`CHUNK` samples and keeps, in a :class:`TripResult`,
the door-to-door days of every sample and the component hours of at most
:data:`KEEP_SAMPLES` samples, so that its memory does not grow with the run but for
8 bytes a sample.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .._errors import NetworkError
from ..inputs.schema import Capacity, LinkProps, NodeProps, Range, Service, ShipmentClass
from ..network.network import Network
from ..network.routing import Route
from ..vocabulary import (
    DEFAULT_ERA,
    HOURS_PER_DAY,
    HOURS_PER_WEEK,
    MOVING_STAGE_OF_MODE,
    MOVING_STAGES,
    STAGES,
    LinkMode,
    NodeKind,
    Shipment,
    Stage,
    pert_shape,
)
from .journeys import ConnectionStats, Journey, in_time, stage_matrix, walk
from .queue_engine import season_of
from .queues import ferry_queue, node_queue
from .timetable import HOURS_PER_YEAR, DepartureLoads, Timetable, departure_loads

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHUNK",
    "KEEP_SAMPLES",
    "Adjustment",
    "Component",
    "TripResult",
    "Volume",
    "components",
    "expected_hours",
    "pert",
    "plan_journey",
    "sample_trip",
]


@dataclass(frozen=True)
class Dist:
    """A beta distribution scaled to ``[low, high]``; ``inverse`` gives ``inverse / X``."""

    low: float
    high: float
    alpha: float = 1.0
    beta: float = 1.0
    inverse: float | None = None

    @property
    def mean(self) -> float:
        """Mean of the (possibly inverted) value; ``inverse / mean(X)`` for inverted ones."""
        x = self.low + (self.high - self.low) * self.alpha / (self.alpha + self.beta)
        return self.inverse / x if self.inverse is not None else x


def pert(r: Range, *, inverse: float | None = None) -> Dist:
    """PERT distribution of a ``{low, mode, high}`` estimate (:func:`~.schema.pert_shape`)."""
    alpha, beta = pert_shape(r.low, r.mode, r.high)
    return Dist(r.low, r.high, alpha=alpha, beta=beta, inverse=inverse)


@dataclass(frozen=True, eq=False)
class Component:
    """One delay of a trip: a stage at a place, in hours.

    Attributes
    ----------
    stage
        One of :data:`midcorridor.inputs.schema.STAGES`.
    node
        Node id where the container waits or is handled; for rail and sea, the node the
        link leaves from.
    link
        Link id for moving, ferry waits and weather; None for node processes.
    dist
        Hours (or, for rail, speed in km/day turned into hours by ``inverse``).
    probability
        Share of containers this happens to.
    source
        Source key of the figure.
    empirical
        If set, hours are resampled from these values (e.g. simulated queue waits)
        instead of drawn from ``dist``.
    empirical_group
        Components with the same group resample the same rows of their ``empirical``
        arrays (a simulated train's ferry wait goes with its own storm delay).
    probability_by_month
        If set, the probability in each departure month (January first); each sample
        departs in a month drawn uniformly, and ``probability`` is their mean.
    utilisation
        Load over capacity of the simulated queue this component comes from, if any.
    warning
        Set when the figure is not to be trusted as is (a saturated queue).
    timetable
        For the wait for a timetabled departure: its departures; the wait is then set
        by the clock (:mod:`midcorridor.model.journeys`), ``dist`` being its year-round
        distribution (uniform up to the headway) for route choice.
    loads
        Room left by class at each timetabled departure, when the departures are full.
    empirical_by_month
        Simulated waits by calendar month (January first), when the volume varies over
        the year: drawn from the month the container gets there.
    """

    stage: Stage
    node: str
    link: str | None
    dist: Dist
    probability: float
    source: str
    countries: tuple[str, ...]
    node_kind: NodeKind
    link_mode: LinkMode | None
    note: str = ""
    empirical: np.ndarray | None = field(default=None, repr=False)
    empirical_group: str | None = None
    probability_by_month: tuple[float, ...] | None = None
    utilisation: float | None = None
    warning: str = ""
    timetable: Timetable | None = None
    loads: DepartureLoads | None = field(default=None, repr=False)
    empirical_by_month: tuple[np.ndarray, ...] | None = field(default=None, repr=False)

    @property
    def mean_hours(self) -> float:
        """Expected hours, counting the probability."""
        base = float(self.empirical.mean()) if self.empirical is not None else self.dist.mean
        return self.probability * base


@dataclass(frozen=True)
class Adjustment:
    """A scenario's change to one component: ``set`` if given, else ``hours * scale + add``."""

    scale: float = 1.0
    add: float = 0.0
    set: float | None = None

    def then(self, other: Adjustment) -> Adjustment:
        """This adjustment followed by ``other``."""
        if other.set is not None:
            return other
        if self.set is not None:
            return Adjustment(set=max(0.0, self.set * other.scale + other.add))
        return Adjustment(scale=self.scale * other.scale, add=self.add * other.scale + other.add)

    def apply(self, hours: np.ndarray) -> np.ndarray:
        """The adjusted hours of one delay (an array of samples), floored at zero."""
        if self.set is not None:
            return np.full_like(hours, self.set)
        return np.maximum(hours * self.scale + self.add, 0.0)


def _link_modes_at(network: Network, route: Route, i: int) -> set[str]:
    """Modes of the route's links arriving at and leaving node ``i`` of the route."""
    idx = [j for j in (i - 1, i) if 0 <= j < len(route.links)]
    return {network.links_by_id[route.links[j]].props.mode for j in idx}


@dataclass(frozen=True)
class Volume:
    """Cargo on a corridor, TEU a week: a mean over the year and its season, if any."""

    mean: float
    season: tuple[float, ...] | None = None

    @classmethod
    def of(cls, teu_per_week: float | Sequence[float]) -> Volume:
        """From one figure, or 12 monthly figures (January first)."""
        if isinstance(teu_per_week, int | float):
            return cls(float(teu_per_week))
        mean, season = season_of(tuple(teu_per_week))
        return cls(mean, season)

    def by_month(self) -> tuple[float, ...]:
        """TEU a week in each calendar month."""
        return tuple(self.mean * f for f in (self.season or (1.0,) * 12))


def components(
    network: Network,
    route: Route,
    *,
    month: int | None = None,
    volume_teu_per_week: float | Sequence[float] | None = None,
    services: Mapping[str, Service] | None = None,
    capacities: Mapping[str, Capacity] | None = None,
    shipment: ShipmentClass | None = None,
    demands: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
    era: int = DEFAULT_ERA,
) -> list[Component]:
    """The delays of a trip along ``route``, in travel order.

    Parameters
    ----------
    network
        The network.
    route
        The path.
    month
        Departure month (1-12), for storm holds on sea crossings; None draws a month
        per sample, for a year-round picture.
    volume_teu_per_week
        Cargo on this corridor, TEU a week: one figure, or 12 monthly figures. With it,
        Caspian crossings and nodes with a ``capacity`` get waits from their simulated
        queues (:mod:`midcorridor.model.queues`; by month of arrival when the volume
        varies) and other ``on_fill`` ferries wait for their vessel to fill; without
        it, ferries wait up to each service's ``headway_hours``.
    services
        Link id -> service replacing the network's (a scenario's service changes).
    capacities
        Node id -> handling capacity replacing the network's (a scenario's changes).
    shipment
        What travels (:attr:`~midcorridor.network.network.Network.shipments`): its own delays are
        added where they apply. None: a block train's delays only (the network's).
    demands
        Link id -> shipment class -> TEU a week becoming ready for the link's timetabled
        departures in each month (12 values): the departures then fill up, and what
        does not fit waits for the next one (:func:`~midcorridor.model.timetable.departure_loads`).
    era
        Year whose conditions the trip is in: node processes that describe only earlier
        years (``until``) are left out.
    """
    volume = Volume.of(volume_teu_per_week) if volume_teu_per_week else None
    if volume is not None and volume.mean <= 0:  # 12 zero months: no queues, as 0
        volume = None
    out: list[Component] = []
    last = len(route.nodes) - 1
    for i, node_id in enumerate(route.nodes):
        node = network.nodes_by_id[node_id].props
        modes = _link_modes_at(network, route, i)
        at_end = i in (0, last)
        capacity = (capacities or {}).get(node_id, node.capacity)
        queued = capacity is not None and volume is not None
        for proc in node.processes:
            if proc.modes is not None and not modes.intersection(proc.modes):
                continue
            if proc.until is not None and era > proc.until:
                continue
            if (proc.applies == "ends" and not at_end) or (proc.applies == "through" and at_end):
                continue
            if queued and proc.stage == "congestion":
                continue  # the simulated queue below stands for it
            out.append(
                Component(
                    stage=proc.stage,
                    node=node_id,
                    link=None,
                    dist=pert(proc.hours),
                    probability=proc.probability,
                    source=proc.source,
                    countries=node.countries,
                    node_kind=node.kind,
                    link_mode=None,
                    note=proc.note or "",
                )
            )
        if shipment is not None:
            out.extend(_shipment_components(shipment, node, i, last, month))
        if queued and capacity is not None and volume is not None:
            out.append(_node_queue_component(node, capacity, volume, month))
        if i < len(route.links):
            link_id = route.links[i]
            service = (services or {}).get(link_id, network.links_by_id[link_id].props.service)
            demand = (demands or {}).get(link_id)
            out.extend(_link_components(network, route, i, month, volume, service, demand))
    return out


def _in_month(
    by_month: tuple[float, ...], month: int | None
) -> tuple[float, tuple[float, ...] | None]:
    """A probability of each departure month as ``(probability, probability_by_month)``.

    In a given month (1-12), that month's value and no monthly values; over the year
    (None), the mean and the monthly values, drawn per sample's month.
    """
    if month is None:
        return sum(by_month) / 12, by_month
    return by_month[month - 1], None


def _shipment_components(
    shipment: ShipmentClass, node: NodeProps, i: int, last: int, month: int | None
) -> list[Component]:
    """The shipment class's own delays at node ``i`` of a route ending at ``last``."""
    out = []
    for proc in shipment.processes:
        here = (
            (proc.at == "origin" and i == 0)
            or (proc.at == "destination" and i == last)
            or (proc.nodes is not None and node.id in proc.nodes)
        )
        if not here:
            continue
        probability, by_month = proc.probability, proc.probability_by_month()
        if by_month is not None:
            probability, by_month = _in_month(by_month, month)
        out.append(
            Component(
                stage=proc.stage,
                node=node.id,
                link=None,
                dist=pert(proc.hours),
                probability=probability,
                source=proc.source,
                countries=node.countries,
                node_kind=node.kind,
                link_mode=None,
                note=proc.note or "",
                probability_by_month=by_month,
            )
        )
    return out


def _link_components(
    network: Network,
    route: Route,
    i: int,
    month: int | None,
    volume: Volume | None,
    service: Service | None,
    demand: Mapping[str, Sequence[float]] | None,
) -> list[Component]:
    link = network.links_by_id[route.links[i]].props
    node_id = route.nodes[i]
    node = network.nodes_by_id[node_id].props

    def make(
        stage: Stage,
        dist: Dist,
        source: str,
        probability: float = 1.0,
        note: str = "",
        by_month: tuple[float, ...] | None = None,
    ) -> Component:
        return Component(
            stage=stage,
            node=node_id,
            link=link.id,
            dist=dist,
            probability=probability,
            source=source,
            countries=network.link_countries(link.id) if stage in MOVING_STAGES else node.countries,
            node_kind=node.kind,
            link_mode=link.mode,
            note=note,
            probability_by_month=by_month,
        )

    moving = MOVING_STAGE_OF_MODE[link.mode]
    if link.speed_km_per_day is not None:  # rail: hours are length over a sampled speed
        inverse = HOURS_PER_DAY * link.length_km
        speed = pert(link.speed_km_per_day, inverse=inverse)
        return [make(moving, speed, link.sources["speed_km_per_day"])]
    if link.sailing_hours is None or service is None:  # the schema rules this out
        raise NetworkError(f"link {link.id}: a {link.mode} link needs sailing_hours and service")
    parts = [make(moving, pert(link.sailing_hours), link.sources["sailing_hours"])]
    if volume is not None and link.sea == "caspian":
        return [*parts, *_queued_components(link, service, volume, month, make)]
    interval = service.headway_hours
    note = f"next departure within {interval:.0f} h ({service.dispatch})"
    if service.dispatch == "on_fill" and volume is not None:
        fill = service.capacity_teu / (volume.mean / HOURS_PER_WEEK)
        interval = min(fill, service.max_hold_hours or fill)
        note = (
            f"vessel of {service.capacity_teu:.0f} TEU fills in {fill:.0f} h "
            f"at {volume.mean:.0f} TEU/week"
        )
    wait = make("ferry_wait", Dist(0.0, interval), link.sources["service"], note=note)
    if service.dispatch == "scheduled":
        wait = _timetabled(wait, service, demand)
    parts.append(wait)
    if link.weather is not None:
        share, by_month = _in_month(link.weather.closure_share_by_month, month)
        if month is None:
            note = f"closed {share:.0%} of days over the year (departure month drawn)"
        else:
            note = f"closed {share:.0%} of days in month {month}"
        parts.append(
            make(
                "weather",
                pert(link.weather.hold_hours),
                link.sources["weather"],
                probability=share,
                note=note,
                by_month=by_month,
            )
        )
    return parts


#: Clock time the fluid queues of timetabled departures cover, hours: trips leave within
#: the first year and arrive within the next two.
TIMETABLE_HORIZON_HOURS = 3 * HOURS_PER_YEAR


def _timetabled(
    wait: Component, service: Service, demand: Mapping[str, Sequence[float]] | None
) -> Component:
    """The wait for a scheduled service, set by the clock (and by full departures)."""
    table = Timetable(
        service.headway_hours,
        first_departure_hours=service.first_departure_hours,
        cutoff_hours=service.cutoff_hours,
    )
    note = f"timetable: a departure every {service.headway_hours:.0f} h (scheduled)" + (
        f", cut-off {service.cutoff_hours:.0f} h before" if service.cutoff_hours else ""
    )
    if not demand:
        return replace(wait, timetable=table, note=note)
    loads = departure_loads(
        table, service.capacity_teu, dict(demand), until_hours=TIMETABLE_HORIZON_HOURS
    )
    offered = sum(Volume.of(v).mean for v in demand.values())
    capacity = service.capacity_teu * HOURS_PER_WEEK / service.headway_hours
    utilisation = float(offered / capacity)
    note += (
        f"; {offered:.0f} TEU/week for {capacity:.0f} TEU/week of departures "
        f"(utilisation {utilisation:.2f}), boarding by class: {', '.join(demand)}"
    )
    warning = ""
    if utilisation >= 1:
        warning = _saturation_warning(wait.link or wait.node, offered, utilisation)
    return replace(
        wait, timetable=table, loads=loads, note=note, utilisation=utilisation, warning=warning
    )


def _saturation_warning(place: str, volume: float, utilisation: float) -> str:
    return (
        f"{place}: {volume:.0f} TEU/week saturates it (utilisation {utilisation:.2f}): the "
        "queue grows without bound; waits shown are lower bounds over a two-year horizon"
    )


def _node_queue_component(
    node: NodeProps, capacity: Capacity, volume: Volume, month: int | None
) -> Component:
    """Congestion at a capacity-limited node, resampled from its simulated queue."""
    queue = node_queue(capacity, volume.mean, season=volume.season)
    wait, _ = queue.waits(month)
    by_month = None
    if volume.season is not None and month is None:
        by_month = tuple(queue.waits(m)[0] for m in range(1, 13))
    return Component(
        stage="congestion",
        node=node.id,
        link=None,
        dist=Dist(0.0, 0.0),
        probability=1.0,
        source=capacity.source,
        countries=node.countries,
        node_kind=node.kind,
        link_mode=None,
        note=(
            f"simulated queue: {volume.mean:.0f} TEU/week against {capacity.trains_per_day:g} "
            f"trains a day, utilisation {queue.utilisation:.2f}"
            + (", volume by month" if volume.season else "")
        ),
        empirical=wait,
        empirical_by_month=by_month,
        utilisation=queue.utilisation,
        warning=(
            _saturation_warning(node.id, volume.mean, queue.utilisation) if queue.saturated else ""
        ),
    )


def _queued_components(
    link: LinkProps,
    service: Service,
    volume: Volume,
    month: int | None,
    make: Callable[..., Component],
) -> list[Component]:
    """Ferry wait and storm delay resampled from the simulated queue at ``volume``."""
    queue = ferry_queue(service, link.weather, volume.mean, season=volume.season)
    wait, weather = queue.waits(month)
    by_month: list[tuple[np.ndarray, ...] | None] = [None, None]
    if volume.season is not None and month is None:
        monthly = [queue.waits(m) for m in range(1, 13)]
        by_month = [tuple(w for w, _ in monthly), tuple(h for _, h in monthly)]
    note = (
        f"simulated queue: {volume.mean:.0f} TEU/week, utilisation {queue.utilisation:.2f}, "
        f"{service.dispatch}" + (", volume by month" if volume.season else "")
    )
    warning = (
        _saturation_warning(link.id, volume.mean, queue.utilisation) if queue.saturated else ""
    )
    sources = (link.sources["service"], link.sources.get("weather", link.sources["service"]))
    return [
        replace(
            make("ferry_wait", Dist(0.0, 0.0), sources[0], note=note),
            empirical=wait,
            empirical_group=link.id,
            empirical_by_month=by_month[0],
            utilisation=queue.utilisation,
            warning=warning,
        ),
        replace(
            make("weather", Dist(0.0, 0.0), sources[1], note="storm closures, simulated"),
            empirical=weather,
            empirical_group=link.id,
            empirical_by_month=by_month[1],
            warning=warning,
        ),
    ]


def expected_hours(
    comps: Sequence[Component], adjustments: Sequence[Adjustment] | None = None
) -> float:
    """Expected total hours of a trip, for choosing among routes without sampling.

    Each delay counts its mean hours after its adjustment, floored at zero as the sampled
    hours are (rail time as length over mean speed). Where an ``add`` takes only part of a
    delay's range below zero, the floored mean is an approximation of the sampled one.
    """
    total = 0.0
    for j, comp in enumerate(comps):
        mean = comp.mean_hours
        if adjustments is not None:
            adj = adjustments[j]
            mean = adj.set if adj.set is not None else max(0.0, mean * adj.scale + adj.add)
        total += mean
    return total


def route_seed(seed: int, route: Route) -> np.random.SeedSequence:
    """Seed for one route: the same route gets the same draws in every scenario.

    Using common random numbers makes scenario differences free of sampling noise.
    """
    digest = hashlib.sha256("|".join(route.nodes).encode()).digest()
    return np.random.SeedSequence([seed, int.from_bytes(digest[:8], "little")])


CHUNK = 50_000
"""Samples :func:`sample_trip` draws at once: its working memory, whatever the run's size.

A chunk's hours and the temporaries of :func:`sample_hours` take 16-20 bytes a sample and
component (about 48 MB for 50,000 samples of the longest baseline route, 59 components).
Runs of at most ``CHUNK`` samples draw exactly the numbers drawn before chunking existed.
"""

KEEP_SAMPLES = 200_000
"""Samples whose hours of every component a :class:`TripResult` keeps (the first drawn).

Door-to-door days are kept for every sample (8 bytes each); component hours, 8 bytes a
sample and component, only for the first ``KEEP_SAMPLES`` samples of a larger run.
"""


def sample_hours(
    comps: Sequence[Component],
    samples: int,
    rng: np.random.Generator,
    adjustments: Sequence[Adjustment] | None = None,
    journey: Journey | None = None,
) -> np.ndarray:
    """Hours of every component in every sample, drawn in one go.

    See :func:`draw_hours`, which also counts missed timetabled departures.
    """
    return draw_hours(comps, samples, rng, adjustments, journey)[0]


def draw_hours(
    comps: Sequence[Component],
    samples: int,
    rng: np.random.Generator,
    adjustments: Sequence[Adjustment] | None = None,
    journey: Journey | None = None,
) -> tuple[np.ndarray, list[ConnectionStats]]:
    """Hours of every component in every sample, drawn in one go, and connections made.

    Parameters
    ----------
    comps
        The components (:func:`components`).
    samples
        Number of samples (rows).
    rng
        Random generator; it is advanced by the draws.
    adjustments
        A scenario's changes, one per component.
    journey
        How the trip meets timetabled departures (default: on arrival, block train,
        month drawn): used when a delay depends on the clock (:func:`~.journeys.in_time`).

    Returns
    -------
    numpy.ndarray
        Hours, shape ``(samples, len(comps))``. Memory: the result and about as much
        again in temporaries (:data:`CHUNK` bounds what :func:`sample_trip` asks for).
    list of ConnectionStats
        One per timetabled departure on the trip.

    Notes
    -----
    The draws come in a fixed order: beta draws for every sample of the PERT columns,
    uniforms for the uniform columns, row indices of each empirical group, departure
    months (if a probability depends on the month), and uniforms deciding which
    samples the probabilistic components happen in. The same ``rng`` state gives the
    same numbers to the last digit. Then, only if a delay depends on the clock, the
    walk of :func:`midcorridor.model.journeys.walk` draws departure times and sets those
    delays: a trip without such delays gets the numbers it got before journeys existed.
    """
    m = len(comps)
    low = np.array([c.dist.low for c in comps])
    width = np.array([c.dist.high - c.dist.low for c in comps])
    alpha = np.array([c.dist.alpha for c in comps])
    beta = np.array([c.dist.beta for c in comps])
    inverse = np.array([np.nan if c.dist.inverse is None else c.dist.inverse for c in comps])
    probability = np.array([c.probability for c in comps])

    # Draw only what varies: beta draws for PERT columns, plain uniforms for uniform
    # waits (beta(1, 1)), nothing for constants. Same seed, same numbers. Arithmetic is
    # in place (the same operations in the same order, so the same numbers as building
    # new arrays) to keep the temporaries to one column block at a time.
    hours = np.zeros((samples, m))
    pert_cols = np.flatnonzero((width > 0) & ((alpha != 1) | (beta != 1)))
    uniform_cols = np.flatnonzero((width > 0) & (alpha == 1) & (beta == 1))
    hours[:, pert_cols] = rng.beta(
        alpha[pert_cols], beta[pert_cols], size=(samples, pert_cols.size)
    )
    hours[:, uniform_cols] = rng.random((samples, uniform_cols.size))
    hours *= width
    hours += low
    inverse_cols = np.flatnonzero(~np.isnan(inverse))
    if inverse_cols.size:
        hours[:, inverse_cols] = inverse[inverse_cols] / hours[:, inverse_cols]
    rows: dict[str | None, np.ndarray] = {}
    for j, comp in enumerate(comps):
        if comp.empirical is not None:
            key = comp.empirical_group
            idx = rows.get(key) if key is not None else None
            if idx is None:
                idx = rng.integers(0, comp.empirical.size, size=samples)
                rows[key] = idx
            hours[:, j] = comp.empirical[idx]
    by_month = [j for j, c in enumerate(comps) if c.probability_by_month is not None]
    chance = np.flatnonzero(probability < 1)
    months = None
    if chance.size:
        p = np.broadcast_to(probability[chance], (samples, chance.size))
        if by_month:
            months = rng.integers(0, 12, size=samples)
            p = p.copy()
            for j in by_month:
                shares = np.asarray(comps[j].probability_by_month)
                p[:, np.searchsorted(chance, j)] = shares[months]
        hours[:, chance] *= rng.random((samples, chance.size)) < p
    if adjustments is not None:
        scale = np.array([a.scale for a in adjustments])
        add = np.array([a.add for a in adjustments])
        override = np.array([np.nan if a.set is None else a.set for a in adjustments])
        hours *= scale
        hours += add
        np.maximum(hours, 0.0, out=hours)
        set_cols = np.flatnonzero(~np.isnan(override))
        if set_cols.size:
            hours[:, set_cols] = override[set_cols]
    stats: list[ConnectionStats] = []
    if in_time(comps):
        stats = walk(hours, comps, adjustments, months, rng, journey or Journey())
    return hours, stats


@dataclass(frozen=True, eq=False)
class TripResult:
    """Sampled transit times of one route.

    Whole-trip figures (:attr:`total_days`, :meth:`days`, :meth:`stages_days`, means in
    every frame) cover every sample drawn. Hours of each component are kept for the
    first :data:`KEEP_SAMPLES` samples only: those drawn first, a uniform random subset
    of the run since samples are independent. Figures that need a sample's components
    (:attr:`hours`, :attr:`stage_hours`, percentiles of components and stages) read
    the kept samples. A run of at most :data:`KEEP_SAMPLES` samples keeps them all.

    Attributes
    ----------
    route
        The path.
    components
        The delays, in travel order.
    hours
        Sampled hours of the kept samples, shape ``(kept_samples, len(components))``.
    label
        Name of the trip (e.g. "Almaty-Constanta middle").
    sample_days
        Door-to-door days of every sample drawn, shape ``(samples,)``, the kept samples
        first; None when every sample is kept (computed from ``hours``).
    hours_sum
        Sum over every sample drawn of each component's hours, shape
        ``(len(components),)``; None when every sample is kept.
    shipment
        What travels (a shipment class).
    connections
        How every sample met each timetabled departure on the trip, in travel order.

    Raises
    ------
    ValueError
        If ``sample_days`` or ``hours_sum`` does not fit ``hours``.
    """

    route: Route
    components: tuple[Component, ...]
    hours: np.ndarray
    label: str = ""
    sample_days: np.ndarray | None = field(default=None, repr=False)
    hours_sum: np.ndarray | None = field(default=None, repr=False)
    shipment: Shipment = "block_train"
    connections: Sequence[ConnectionStats] = ()

    def __post_init__(self) -> None:
        if self.hours.ndim != 2 or self.hours.shape[1] != len(self.components):
            raise ValueError(
                f"hours must have one column per component ({len(self.components)}), "
                f"got shape {self.hours.shape}"
            )
        if (self.sample_days is None) != (self.hours_sum is None):
            raise ValueError("sample_days and hours_sum come together (or neither)")
        if self.sample_days is not None and (
            self.sample_days.ndim != 1 or self.sample_days.size < self.hours.shape[0]
        ):
            raise ValueError(
                f"sample_days must be one-dimensional with at least the {self.hours.shape[0]} "
                f"kept samples, got shape {self.sample_days.shape}"
            )
        if self.hours_sum is not None and self.hours_sum.shape != (len(self.components),):
            raise ValueError(
                f"hours_sum must have one value per component ({len(self.components)}), "
                f"got shape {self.hours_sum.shape}"
            )

    @property
    def samples(self) -> int:
        """Samples drawn."""
        if self.sample_days is None:
            return int(self.hours.shape[0])
        return int(self.sample_days.size)

    @property
    def kept_samples(self) -> int:
        """Samples whose component hours are kept (rows of :attr:`hours`)."""
        return int(self.hours.shape[0])

    @property
    def all_kept(self) -> bool:
        """Whether :attr:`hours` holds every sample drawn."""
        return self.kept_samples == self.samples

    @cached_property
    def total_days(self) -> np.ndarray:
        """Door-to-door days of every sample drawn, shape ``(samples,)``."""
        if self.sample_days is not None:
            return self.sample_days
        return self.hours.sum(axis=1) / HOURS_PER_DAY

    @property
    def kept_total_days(self) -> np.ndarray:
        """Door-to-door days of the kept samples, shape ``(kept_samples,)``.

        Row for row the totals of :attr:`hours`: for figures that set a sample's
        components against its total (e.g. the total less a group's days).
        """
        if self.all_kept:
            return self.total_days
        return self.total_days[: self.kept_samples]

    @cached_property
    def mean_hours(self) -> np.ndarray:
        """Mean hours of each component over every sample drawn, shape ``(len(components),)``."""
        if self.hours_sum is None or self.all_kept:
            return self.hours.mean(axis=0)
        return self.hours_sum / self.samples

    @cached_property
    def _stage_onehot(self) -> np.ndarray:
        """``(len(components), len(STAGES))``: 1 where a component belongs to a stage."""
        return stage_matrix(self.components)

    @cached_property
    def stage_hours(self) -> np.ndarray:
        """Hours per stage (columns in :data:`STAGES` order) of each kept sample.

        Shape ``(kept_samples, len(STAGES))``.
        """
        return self.hours @ self._stage_onehot

    @property
    def warnings(self) -> list[str]:
        """Warnings of the trip's components (e.g. a saturated crossing), each once."""
        return list(dict.fromkeys(c.warning for c in self.components if c.warning))

    @property
    def saturated(self) -> bool:
        """Whether the trip passes a saturated queue: its days are then lower bounds."""
        return any(c.warning for c in self.components)

    @property
    def lower_bound_stages(self) -> frozenset[str]:
        """Stages whose hours come from a saturated queue: their days are lower bounds."""
        return frozenset(c.stage for c in self.components if c.warning)

    def days(self) -> dict[str, float]:
        """Mean, P10, P50 and P90 of door-to-door days, over every sample drawn."""
        p10, p50, p90 = np.percentile(self.total_days, [10, 50, 90])
        return {
            "mean": float(self.total_days.mean()),
            "p10": float(p10),
            "p50": float(p50),
            "p90": float(p90),
        }

    def _stage_mean_days(self) -> np.ndarray:
        """Mean days per stage over every sample drawn, in :data:`STAGES` order."""
        if self.all_kept:
            return self.stage_hours.mean(axis=0) / HOURS_PER_DAY
        return self.mean_hours @ self._stage_onehot / HOURS_PER_DAY

    def stages_days(self) -> dict[str, float]:
        """Mean days per stage over every sample drawn, every stage listed (zero where none)."""
        means = self._stage_mean_days()
        return {stage: float(v) for stage, v in zip(STAGES, means, strict=True)}

    def stages_frame(self) -> pd.DataFrame:
        """Days per stage: mean, P50, P90 and share of the mean total.

        Means and shares cover every sample drawn; P50 and P90 the kept samples.
        """
        import pandas as pd

        days = self.stage_hours / HOURS_PER_DAY
        mean = days.mean(axis=0) if self.all_kept else self._stage_mean_days()
        return pd.DataFrame(
            {
                "mean_days": mean,
                "p50_days": np.percentile(days, 50, axis=0),
                "p90_days": np.percentile(days, 90, axis=0),
                "share": mean / mean.sum(),
            },
            index=pd.Index(STAGES, name="stage"),
        )

    def components_frame(self) -> pd.DataFrame:
        """One row per component: place, stage, P50 / P90 / mean hours, source key.

        Mean hours cover every sample drawn (they add up to the mean door-to-door hours);
        P50 and P90 the kept samples.
        """
        import pandas as pd

        p50, p90 = np.percentile(self.hours, [50, 90], axis=0)
        return pd.DataFrame(
            {
                "node": [c.node for c in self.components],
                "link": [c.link for c in self.components],
                "stage": [c.stage for c in self.components],
                "probability": [c.probability for c in self.components],
                "mean_hours": self.mean_hours,
                "p50_hours": p50,
                "p90_hours": p90,
                "source": [c.source for c in self.components],
                "note": [c.note for c in self.components],
            }
        )

    def node_hours(self) -> dict[str, dict[str, float]]:
        """Mean hours spent at each node (not moving), by stage: ``{node: {stage: h}}``.

        Means over every sample drawn.
        """
        out: dict[str, dict[str, float]] = {}
        for comp, mean in zip(self.components, self.mean_hours, strict=True):
            if comp.stage in MOVING_STAGES:
                continue
            stages = out.setdefault(comp.node, {})
            stages[comp.stage] = stages.get(comp.stage, 0.0) + float(mean)
        return out


#: Samples drawn to plan a booked trip (:func:`plan_journey`).
PLAN_SAMPLES = 4_096


def plan_journey(
    comps: Sequence[Component],
    *,
    shipment: Shipment = "block_train",
    shipment_class: ShipmentClass | None = None,
    month: int | None = None,
    adjustments: Sequence[Adjustment] | None = None,
    seed: int = 0,
) -> Journey:
    """How a trip meets its timetabled departures; for a booked one, its plan.

    A booked trip's plan allows, from the origin to its first timetabled departure's
    cut-off, the ``plan_quantile`` of the hours the delays before it take (drawn
    :data:`PLAN_SAMPLES` times with their own seed, after the scenario's changes: a
    planner plans with today's paperwork, and with a faster one once it is faster).

    Parameters
    ----------
    comps, adjustments
        The trip's delays and the scenario's changes to them.
    shipment, shipment_class
        What travels and its class (None: on arrival).
    month
        Departure month (1-12), or None for a month drawn per sample.
    seed
        Seed of the planning draws.
    """
    connection = shipment_class.connection if shipment_class is not None else "on_arrival"
    base = Journey(shipment=shipment, connection=connection, month=month)
    first = next((j for j, c in enumerate(comps) if c.timetable is not None), None)
    if connection != "booked" or first is None or shipment_class is None:
        return base
    upstream = comps[:first]
    adjusted = adjustments[:first] if adjustments is not None else None
    quantile = shipment_class.plan_quantile or 0.5

    def pilot(journey: Journey) -> np.ndarray:
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x504C414E]))
        return sample_hours(upstream, PLAN_SAMPLES, rng, adjusted, journey)

    hours = pilot(base)
    plan: float | tuple[float, ...] = float(np.quantile(hours.sum(axis=1), quantile))
    if month is None and in_time(upstream):
        # Queues that follow a monthly volume: a train leaving in a busy month is planned
        # with that month's waits.
        plan = tuple(
            float(np.quantile(pilot(replace(base, month=m)).sum(axis=1), quantile))
            for m in range(1, 13)
        )
    return replace(
        base,
        plan_hours=plan,
        plan_stage_hours=tuple(float(v) for v in (hours @ stage_matrix(upstream)).mean(axis=0)),
    )


def sample_trip(
    route: Route,
    comps: Sequence[Component],
    *,
    samples: int = 10_000,
    seed: int = 0,
    adjustments: Sequence[Adjustment] | None = None,
    label: str = "",
    progress: Callable[[int], None] | None = None,
    journey: Journey | None = None,
) -> TripResult:
    """Sample door-to-door times of a trip, in chunks of at most :data:`CHUNK` samples.

    Parameters
    ----------
    route
        The path.
    comps
        Its components (:func:`components`).
    samples
        Number of Monte Carlo samples.
    seed
        Random seed; the same seed and route give the same numbers to the last digit.
    adjustments
        A scenario's changes, one per component.
    label
        Name of the trip.
    progress
        Called after each chunk with the number of samples drawn so far (the last call
        gets ``samples``).
    journey
        How the trip meets timetabled departures (:func:`plan_journey`); default on
        arrival, as a block train, in a month drawn per sample.

    Returns
    -------
    TripResult
        Door-to-door days of every sample; component hours of the first
        :data:`KEEP_SAMPLES` samples (of every sample in a run no larger).

    Notes
    -----
    Memory: about ``8 * samples`` bytes for the door-to-door days (only beyond
    :data:`KEEP_SAMPLES`), ``8 * min(samples, KEEP_SAMPLES) * len(comps)`` bytes for the
    kept hours, and one chunk's working memory (:data:`CHUNK`).

    Chunk ``k`` is ``sample_hours(comps, n_k, rng, adjustments)`` with one generator
    seeded by :func:`route_seed` for the whole run, ``n_k`` being ``CHUNK`` except for
    the last chunk. A run of at most ``CHUNK`` samples is therefore one call, the same
    numbers as drawing the run in one go; a larger run draws other (equally random,
    still seeded and deterministic) numbers than one call would, as each chunk draws its
    beta, uniform and other variates in turn. Changing ``CHUNK`` changes them too.
    """
    rng = np.random.default_rng(route_seed(seed, route))
    chunk, keep = CHUNK, KEEP_SAMPLES
    if chunk < 1 or keep < 1:
        raise ValueError(f"CHUNK and KEEP_SAMPLES must be positive, got {chunk} and {keep}")
    comps = tuple(comps)
    journey = journey or Journey()
    connections: list[ConnectionStats] = []

    def count(stats: list[ConnectionStats]) -> None:
        if not connections:
            connections.extend(stats)
            return
        for total, part in zip(connections, stats, strict=True):
            total.add(part)

    if samples <= chunk and samples <= keep:
        hours, stats = draw_hours(comps, samples, rng, adjustments, journey)
        count(stats)
        if progress is not None:
            progress(samples)
        return TripResult(
            route=route,
            components=comps,
            hours=hours,
            label=label,
            shipment=journey.shipment,
            connections=connections,
        )

    kept_rows = min(samples, keep)
    kept = np.empty((kept_rows, len(comps)))
    # Beyond the kept samples, door-to-door days and component sums of every sample.
    beyond = samples > keep
    days = np.empty(samples) if beyond else None
    hours_sum = np.zeros(len(comps)) if beyond else None
    done = 0
    while done < samples:
        n = min(chunk, samples - done)
        part, stats = draw_hours(comps, n, rng, adjustments, journey)
        count(stats)
        if done < kept_rows:
            take = min(n, kept_rows - done)
            kept[done : done + take] = part[:take]
        if days is not None and hours_sum is not None:
            days[done : done + n] = part.sum(axis=1) / HOURS_PER_DAY
            hours_sum += part.sum(axis=0)
        del part
        done += n
        if progress is not None:
            progress(done)
    return TripResult(
        route=route,
        components=comps,
        hours=kept,
        label=label,
        sample_days=days,
        hours_sum=hours_sum,
        shipment=journey.shipment,
        connections=connections,
    )
