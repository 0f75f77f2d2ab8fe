"""A route's delays: the components of a trip, place by place, in travel order.

:func:`components` reads the network along a route and returns its delays
(:class:`~midcorridor.model.delays.Component`): the processes at each node, the shipment
class's own delays, rail and sea moving times, waits for departures and storms, and, with
a corridor volume, the waits of simulated queues (:mod:`midcorridor.model.queues`).
:func:`expected_hours` sums their means, for choosing among routes without sampling.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from .._errors import NetworkError
from ..inputs.network_files import Capacity, LinkProps, NodeProps, Pace, Service, ShipmentClass
from ..network.network import Network
from ..network.routing import Route
from ..vocabulary import (
    DEFAULT_ERA,
    HOURS_PER_DAY,
    HOURS_PER_WEEK,
    MOVING_STAGE_OF_MODE,
    MOVING_STAGES,
    Shipment,
    Stage,
)
from .customs import CustomsState, office_components
from .delays import Adjustment, Component, Dist, Volume, pert
from .queues import ferry_queue, node_queue
from .timetable import HOURS_PER_YEAR, Timetable, departure_loads

__all__ = ["TIMETABLE_HORIZON_HOURS", "components", "expected_hours", "with_probability_factors"]


def _link_modes_at(network: Network, route: Route, i: int) -> set[str]:
    """Modes of the route's links arriving at and leaving node ``i`` of the route."""
    idx = [j for j in (i - 1, i) if 0 <= j < len(route.links)]
    return {network.links_by_id[route.links[j]].props.mode for j in idx}


def _onward_countries(network: Network, route: Route, i: int) -> set[str]:
    """Countries of the place the route goes on to from node ``i`` (none at its end)."""
    if i + 1 >= len(route.nodes):
        return set()
    return set(network.nodes_by_id[route.nodes[i + 1]].props.countries)


def components(
    network: Network,
    route: Route,
    *,
    month: int | None = None,
    volume_teu_per_week: float | Sequence[float] | None = None,
    services: Mapping[str, Service] | None = None,
    capacities: Mapping[str, Capacity] | None = None,
    shipment: Shipment | None = None,
    demands: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
    era: int = DEFAULT_ERA,
    customs: CustomsState | None = None,
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
        What travels, a class of :attr:`~midcorridor.network.network.Network.shipments`: its
        own delays are added where they apply, and its rail running times share its
        ``pace``. None: a block train's delays only (the
        network's).
    demands
        Link id -> shipment class -> TEU a week becoming ready for the link's timetabled
        departures in each month (12 values): the departures then fill up, and what
        does not fit waits for the next one (:func:`~midcorridor.model.timetable.departure_loads`).
    era
        Year whose conditions the trip is in: node processes that describe only earlier
        years (``until``) are left out.
    customs
        The scenario's customs (channel shares, transit regimes): each office of the
        network's ``customs.yaml`` on the route adds its chain of steps
        (:mod:`midcorridor.model.customs`). None: the network's own in ``era``.
    """
    if customs is None and network.customs is not None:
        customs = CustomsState.of(network.customs, era)
    shipment_class = network.shipments.get(shipment) if shipment is not None else None
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
        onward = _onward_countries(network, route, i)
        for proc in node.processes:
            if proc.modes is not None and not modes.intersection(proc.modes):
                continue
            if proc.toward is not None and not onward.intersection(proc.toward):
                continue
            if proc.until is not None and era > proc.until:
                continue
            if (proc.applies == "ends" and not at_end) or (proc.applies == "through" and at_end):
                continue
            if queued and proc.stage == "congestion":
                continue  # the simulated queue below stands for it
            out.append(
                Component.at_node(
                    node,
                    proc.stage,
                    pert(proc.hours),
                    proc.source,
                    probability=proc.probability,
                    note=proc.note or "",
                )
            )
        if customs is not None:
            out.extend(
                office_components(network, route, i, customs, shipment or "block_train", modes)
            )
        if shipment_class is not None:
            out.extend(_shipment_components(shipment_class, node, i, last, month))
        if queued and capacity is not None and volume is not None:
            out.append(_node_queue_component(node, capacity, volume, month))
        if i < len(route.links):
            link_id = route.links[i]
            service = (services or {}).get(link_id, network.links_by_id[link_id].props.service)
            demand = (demands or {}).get(link_id)
            out.extend(_link_components(network, route, i, month, volume, service, demand))
    if shipment_class is not None and shipment_class.pace is not None:
        out = [_paced(c, shipment_class.pace) for c in out]
    return out


def _paced(comp: Component, pace: Pace) -> Component:
    """``comp`` sharing its trip's pace if it is a rail running time (a sampled speed)."""
    if comp.dist.inverse is None:
        return comp
    return replace(comp, pace_log_sd=pace.log_sd, pace_source=pace.source)


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
            Component.at_node(
                node,
                proc.stage,
                pert(proc.hours),
                proc.source,
                probability=probability,
                note=proc.note or "",
                probability_by_month=by_month,
                probability_source=proc.probability_source,
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
    """Congestion at a capacity-limited node, resampled from its simulated queue (the
    node's ``load_share`` of the corridor's volume passes it)."""
    load = volume.mean * capacity.load_share
    queue = node_queue(capacity, load, season=volume.season)
    wait, _ = queue.waits(month)
    by_month = None
    if volume.season is not None and month is None:
        by_month = tuple(queue.waits(m)[0] for m in range(1, 13))
    return Component.at_node(
        node,
        "congestion",
        Dist(0.0, 0.0),
        capacity.source,
        note=(
            f"simulated queue: {load:.0f} TEU/week"
            + (
                f" ({capacity.load_share:.0%} of the corridor's {volume.mean:.0f})"
                if capacity.load_share < 1
                else ""
            )
            + f" against {capacity.trains_per_day:g} trains a day, utilisation "
            f"{queue.utilisation:.2f}" + (", volume by month" if volume.season else "")
        ),
        empirical=wait,
        empirical_by_month=by_month,
        utilisation=queue.utilisation,
        warning=(_saturation_warning(node.id, load, queue.utilisation) if queue.saturated else ""),
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


def with_probability_factors(
    comps: Sequence[Component], adjustments: Sequence[Adjustment]
) -> tuple[list[Component], list[Adjustment]]:
    """The delays with their probability (and monthly probabilities) times their
    adjustment's ``probability``, at most 1, and the adjustments without it: what a
    trip samples, shows and chooses its route by."""
    out_comps, out_adjustments = [], []
    for comp, adj in zip(comps, adjustments, strict=True):
        if adj.probability != 1:
            by_month = comp.probability_by_month
            comp = replace(
                comp,
                probability=min(1.0, comp.probability * adj.probability),
                probability_by_month=None
                if by_month is None
                else tuple(min(1.0, p * adj.probability) for p in by_month),
            )
            adj = replace(adj, probability=1.0)
        out_comps.append(comp)
        out_adjustments.append(adj)
    return out_comps, out_adjustments


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
        total += float(adjustments[j].apply(mean)) if adjustments is not None else mean
    return total
