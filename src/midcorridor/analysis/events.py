"""What a disruption event does to the cargo on its way: weekly departures around it.

:func:`event_impact` takes one of a scenario's :attr:`~midcorridor.inputs.scenario.Scenario.
events` and:

1. runs the scenario's trips departing in the event's month (their days without the
   event) and finds the trips whose route touches the event's place (*exposed*);
2. runs each exposed trip's alternative: the same origin, destination and class, any
   corridor, with the place closed (no alternative: its cargo cannot switch);
3. takes the flow reaching the place and its capacity: a node's handling capacity (trains a
   day of :data:`~midcorridor.model.queues.TEU_PER_TRAIN` TEU) and the share of its
   corridor's scenario volume that passes it, or a ferry link's service, or the event's own
   figures (:class:`~midcorridor.inputs.events.Event`);
4. lets cargo not yet committed choose: a shipment departing once the event is announced
   (its start) switches to the alternative with the probability of a pivot-point binary
   logit anchored, like the corridor choice, at the observed shares (``network/choice.yaml``:
   the alternative's share of the two corridors' cargo; for two routes of one corridor,
   their generalized costs), the wait it expects at the place lowering the route's utility
   by the value of a day (``costs.yaml``) a day over the choice's cost scale. It expects
   the wait the event would cause if nobody else switched: with the real length when the
   event is ``known``, else as if it lasted as long again as it has so far (at least a
   day; an assumption). Cargo that left before the start is
   committed and waits;
5. queues the cargo that stays at the place (:func:`midcorridor.model.events.fluid_backlog`),
   hour by hour, at the capacity the event and its recovery leave.

A sea passage (``suez``) keeps no queue: a ship reaching it while it is closed sails the
network's other way between the same ports (the ``cape`` line), so its cargo loses that
line's extra sailing hours (PERT means of ``sailing_hours``), and a share ``1 - capacity``
of the ships does so while the passage is partly open or recovering. Cargo not yet committed
weighs that detour against the best route of another corridor. Where the place has storm
holds of its own (a ferry crossing's ``weather``), a recorded storm *is* its weather in the
event's days: cargo reaching the place then does not also draw an ordinary storm hold
there, so the storm is not counted twice.

Results, per exposed trip and weekly departure: the share switched, the wait at the place
(at a passage: the detour's extra days), the days of the cargo that stays (its sampled days
plus the wait) and of the cargo that switched; and in total: the backlog when the event ends
in trains, the days it takes to drain (at a passage: until every ship is back on its way),
TEU-days lost on each corridor and the share of the cargo that switched corridor.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import MidcorridorError, ScenarioError, did_you_mean
from ..inputs.changes import Closures
from ..inputs.events import Event
from ..inputs.scenario import RouteSpec, Scenario
from ..model.costs import TripCost
from ..model.delays import Volume
from ..model.events import STEP_HOURS, Backlog, ample_waits_hours, fluid_backlog
from ..model.queue_inputs import ferry_capacity_teu_per_hour
from ..model.queues import TEU_PER_TRAIN
from ..model.trip import TripResult
from ..network.network import Network
from ..vocabulary import CHOICE_CORRIDORS, DAYS_PER_WEEK, HOURS_PER_DAY, CorridorChoice
from .event_places import (
    at_place,
    detour_hours,
    event_place,
    hours_to_place,
    route_passes,
    storm_days,
    touches,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EventImpact", "EventWeek", "event_impact", "event_reaches_a_route"]

#: Weeks of departures shown before the event starts.
WEEKS_BEFORE = 2
#: Days of departures followed after the place is back to normal (full capacity, no backlog).
DAYS_AFTER = 14
#: Longest the backlog is followed after the event ends, days.
MAX_DRAIN_DAYS = 730


@dataclass(frozen=True)
class EventWeek:
    """Shipments of one exposed trip departing on one day (weekly), around the event."""

    trip: str
    departs: dt.date
    share_switched: float
    wait_days: float
    stay_p10_days: float
    stay_p50_days: float
    stay_p90_days: float
    switch_p50_days: float | None


@dataclass(frozen=True)
class EventImpact:
    """What one event does (:func:`event_impact`). Flows and capacities in TEU a day;
    ``capacity_teu_per_day`` None: capacity to spare once the place reopens."""

    scenario: str
    event: Event
    place: str
    exposed: tuple[str, ...]
    corridors: tuple[str, ...]
    flow_teu_per_day: float
    capacity_teu_per_day: float | None
    weeks: tuple[EventWeek, ...]
    trains_stranded_at_end: float
    peak_trains: float
    days_to_recover: float | None
    teu_days_lost: Mapping[str, float]
    share_switched: float
    detour_days: Mapping[str, float]

    @property
    def mean_detour_days(self) -> float | None:
        """Days a passage's detour adds, the exposed trips' mean (None: not a passage)."""
        return float(np.mean(list(self.detour_days.values()))) if self.detour_days else None

    def frame(self) -> pd.DataFrame:
        """One row per exposed trip and weekly departure."""
        import pandas as pd

        return pd.DataFrame([vars(w) for w in self.weeks])

    def to_dict(self) -> dict[str, Any]:
        """JSON of the impact."""
        return {
            "scenario": self.scenario,
            "event": self.event.model_dump(mode="json", exclude_none=True),
            "place": self.place,
            "exposed": list(self.exposed),
            "flow_teu_per_day": self.flow_teu_per_day,
            "capacity_teu_per_day": self.capacity_teu_per_day,
            "trains_stranded_at_end": self.trains_stranded_at_end,
            "peak_trains": self.peak_trains,
            "days_to_recover": self.days_to_recover,
            "teu_days_lost": dict(self.teu_days_lost),
            "share_switched": self.share_switched,
            "detour_days": dict(self.detour_days),
            "weeks": [{**vars(w), "departs": w.departs.isoformat()} for w in self.weeks],
        }

    def __repr__(self) -> str:
        drain = "never" if self.days_to_recover is None else f"{self.days_to_recover:.0f} d"
        return (
            f"EventImpact({self.event.name!r} at {self.place}, {self.event.days:g} d: "
            f"{self.trains_stranded_at_end:.0f} trains held at the end, drained in {drain}, "
            f"{self.share_switched:.0%} switched)"
        )


def _flow_and_capacity(
    scenario: Scenario,
    network: Network,
    event: Event,
    place: str,
    corridors: tuple[str, ...],
    fld: str,
) -> tuple[float, float | None]:
    """TEU a day reaching the place and TEU a day it handles (None: to spare)."""
    from ..runs.resolve import resolve, scenario_error

    kind = event.place[0]
    conditions = resolve(scenario, network)
    share, capacity = 1.0, event.capacity_teu_per_day
    if kind == "node":
        node_capacity = conditions.capacities.get(place, network.nodes_by_id[place].props.capacity)
        if node_capacity is not None:
            share = node_capacity.load_share
            capacity = capacity or node_capacity.trains_per_day * TEU_PER_TRAIN
    elif kind == "link":  # a ferry's service as the scenario leaves it (none on rail)
        service = conditions.services.get(place, network.links_by_id[place].props.service)
        if service is not None:
            capacity = capacity or ferry_capacity_teu_per_hour(service) * HOURS_PER_DAY
    flow = event.flow_teu_per_day
    if flow is None:  # the corridors' volume in the event's month
        month = event.start.month - 1
        weekly = sum(
            Volume.of(scenario.volume[c]).by_month()[month]
            for c in corridors
            if c in scenario.volume
        )
        flow = weekly * share / DAYS_PER_WEEK
    if flow <= 0:
        raise scenario_error(
            scenario,
            f"{fld}.flow_teu_per_day",
            f"no cargo reaches {place}: give flow_teu_per_day or a volume for the "
            f"{', '.join(corridors)} corridor",
        )
    return flow, capacity


def _base_share(leg: _Leg, alternative: TripResult, network: Network) -> float:
    """Share of the cargo of the exposed route and its alternative together that takes the
    alternative without the event: the ``p(0)`` the event's wait moves
    (:func:`_switch_probability`).

    Two corridors of the corridor choice: the observed shares of ``network/choice.yaml``,
    ``s_alt / (s_route + s_alt)``. They are the shares of all its markets together (the file
    gives none per market: the corridor constants are fitted to the total), so every trip is
    anchored at them, whether or not its origin and destination are a market's. Two routes
    of one corridor, or a corridor outside the choice (``other``): the binary logit of their
    generalized costs (P50 days at the value of a day, and freight USD), which for one
    corridor is the corridor choice's own (its constants cancel) and for ``other`` an
    assumption, no share of it being observed.
    """
    from ..runs.choice import value_of_day_usd

    book = network.require_choice()
    shares = book.observed_shares
    route, other = leg.trip.route.corridor, alternative.route.corridor
    if route != other and route in shares and other in shares:
        return shares[other].value / (shares[route].value + shares[other].value)
    gain_usd = -value_of_day_usd(network) * leg.extra_days - (leg.alternative_usd - leg.usd)
    # Kept off 0 and 1 (about 1e-13), where the logit of the share is infinite.
    return float(1.0 / (1.0 + np.exp(-np.clip(gain_usd / book.cost_scale_usd.value, -30, 30))))


def _switch_probability(
    expected_wait_days: np.ndarray, base_share: float, network: Network
) -> np.ndarray:
    """Share of the cargo on the exposed route that switches because of the wait it expects.

    A pivot-point (incremental) binary logit (Ben-Akiva and Lerman, *Discrete Choice
    Analysis*, MIT Press, 1985: the incremental form of the logit): the alternative's
    share without the event is ``p0 = base_share`` (:func:`_base_share`), and an expected
    wait of ``w`` days on the route lowers the route's utility by the value of a day
    (``costs.yaml``) times ``w`` over the corridor choice's cost scale
    (``network/choice.yaml``), so ``logit p(w) = logit p0 + value of a day x w / scale``.
    Cargo already choosing the alternative without the event is not on the route, so the
    route's cargo that switches is ``(p(w) - p0) / (1 - p0)``: none at ``w = 0``.
    """
    from ..runs.choice import value_of_day_usd

    scale = network.require_choice().cost_scale_usd.value
    gain = value_of_day_usd(network) * np.asarray(expected_wait_days, dtype=np.float64) / scale
    base_logit = np.log(base_share) - np.log1p(-base_share)
    after = 1.0 / (1.0 + np.exp(-np.clip(base_logit + gain, -60, 60)))
    return np.clip((after - base_share) / (1.0 - base_share), 0.0, 1.0)


def event_impact(
    scenario: Scenario,
    network: Network,
    event: int | str = 0,
    *,
    samples: int = 2000,
) -> EventImpact:
    """Days of the shipments departing each week around one of ``scenario``'s events.

    Parameters
    ----------
    scenario
        A scenario with ``events``; its routes are the trips followed.
    network
        The network.
    event
        The event: its position in ``scenario.events`` or its name.
    samples
        Monte Carlo samples per trip.

    Raises
    ------
    ScenarioError
        If the scenario has no such event, its place is unknown, no trip passes it, or no
        flow reaches it.
    """
    from ..runs.runner import run_scenario

    index = _event_index(scenario, event)
    chosen = scenario.events[index]
    fld = f"events.{index}"
    place = event_place(scenario, network, chosen, fld)
    base = scenario.derive(departure_month=chosen.start.month, events=())
    run = run_scenario(base, network, samples=samples)
    exposed = [t for t in run.trips if touches(t, chosen, network, place)]
    if not exposed:
        from ..runs.resolve import scenario_error

        raise scenario_error(scenario, fld, f"no route of the scenario passes {place}")
    corridors = tuple(dict.fromkeys(t.route.corridor for t in exposed))
    flow, capacity = _flow_and_capacity(base, network, chosen, place, corridors, fld)
    alternatives = [_alternative(base, network, chosen, place, trip, samples) for trip in exposed]
    at = at_place(network, chosen, place)
    legs = [
        _Leg(
            trip,
            hours_to_place(trip, chosen, network, place),
            _usd(run.cost(trip.label)),
            None if alt is None else alt[0],
            0.0 if alt is None else alt[1],
            detour_hours(scenario, network, trip, place, fld) if chosen.passage else None,
            storm_days(trip, at),
        )
        for trip, alt in zip(exposed, alternatives, strict=True)
    ]
    return _impact(scenario.name, chosen, network, place, legs, flow, capacity)


def event_reaches_a_route(scenario: Scenario, network: Network, event: int | str = 0) -> bool:
    """Whether some route of ``scenario`` (planned as :func:`event_impact` runs it, in the
    event's month) passes the place of one of its events."""
    from ..runs.runner import plan_trips

    index = _event_index(scenario, event)
    chosen = scenario.events[index]
    place = event_place(scenario, network, chosen, f"events.{index}")
    base = scenario.derive(departure_month=chosen.start.month, events=())
    return any(route_passes(t.route, chosen, network, place) for t in plan_trips(base, network))


def _event_index(scenario: Scenario, event: int | str) -> int:
    names = [e.name for e in scenario.events]
    if isinstance(event, int) and 0 <= event < len(names):
        return event
    if isinstance(event, str) and event in names:
        return names.index(event)
    hint = did_you_mean(str(event), names) if names else ""
    raise ScenarioError(
        f"{scenario.path}: no event {event!r}"
        + (f" (events: {', '.join(names)}){hint}" if names else ": the scenario has no events")
    )


def _alternative(
    base: Scenario, network: Network, event: Event, place: str, trip: TripResult, samples: int
) -> tuple[TripResult, float] | None:
    """The trip's best route of any corridor with the place closed, and its P50 USD (None:
    none open). Past a passage the trip's own corridor sails the detour, so the alternative
    is the fastest route (P50 days) of another corridor."""
    kind = event.place[0]
    if kind != "passage":
        return _open_route(base, network, kind, place, trip, "any", samples)
    found = [
        _open_route(base, network, kind, place, trip, corridor, samples)
        for corridor in CHOICE_CORRIDORS
        if corridor != trip.route.corridor
    ]
    return min(
        (alt for alt in found if alt is not None),
        key=lambda alt: alt[0].days()["p50"],
        default=None,
    )


def _open_route(
    base: Scenario,
    network: Network,
    kind: str,
    place: str,
    trip: TripResult,
    corridor: CorridorChoice,
    samples: int,
) -> tuple[TripResult, float] | None:
    """The trip's route on ``corridor`` with the place closed, and its P50 USD (None: none)."""
    from ..runs.runner import run_scenario

    closure = Closures(
        **{
            {"node": "nodes", "link": "links", "country": "countries", "passage": "passages"}[
                kind
            ]: (place,)
        }
    )
    spec = RouteSpec(
        origin=trip.route.origin,
        destination=trip.route.destination,
        corridor=corridor,
        shipment=trip.shipment,
        label=trip.label,
    )
    try:
        alt = base.derive(routes=(spec,), closures=base.closures.merged(closure))
        run = run_scenario(alt, network, samples=samples)
    except MidcorridorError:
        return None
    return run.trips[0], _usd(run.costs[0] if run.costs else None)


def _usd(cost: TripCost | None) -> float:
    """P50 freight USD per loaded 40-ft container (0 without cost figures)."""
    return float(cost.cost_usd()["p50"]) if cost is not None else 0.0


@dataclass(frozen=True)
class _Leg:
    """An exposed trip: hours until it reaches the place, its USD, its alternative's, the
    hours its passage's detour adds (None: not a passage) and its kept samples' days of
    ordinary storm holds at the place."""

    trip: TripResult
    to_place_hours: float
    usd: float
    alternative: TripResult | None
    alternative_usd: float
    detour_hours: float | None
    storm_days: np.ndarray

    def delay_hours(self, place_waits: np.ndarray) -> np.ndarray:
        """Hours the leg's cargo loses at the place: its wait, or at a passage the share of
        ships sailing the detour (:meth:`_Clock.waits`) times the detour's hours."""
        return place_waits if self.detour_hours is None else place_waits * self.detour_hours

    @property
    def extra_days(self) -> float:
        """P50 days the alternative takes more (0 without one)."""
        if self.alternative is None:
            return 0.0
        return self.alternative.days()["p50"] - self.trip.days()["p50"]


@dataclass(frozen=True)
class _Clock:
    """The hourly grid (hours from the event's start) and the place's waits on it."""

    hours: np.ndarray
    event: Event
    flow: float
    capacity: float | None

    def waits(self, arrivals: np.ndarray, length_days: float) -> tuple[np.ndarray, Backlog | None]:
        """Waits (hours) by arrival hour, and the backlog, were the event ``length_days``; at
        a passage, the share of the ships reaching it then that sail the detour."""
        end = length_days * HOURS_PER_DAY
        if self.capacity is None and not self.event.passage:

            def closed(h: np.ndarray) -> np.ndarray:
                return (h >= 0) & (h < end) & (self.event.capacity == 0)

            return ample_waits_hours(self.hours, closed, end), None
        event = self.event.model_copy(update={"days": length_days})
        share = np.array([event.capacity_share(h / HOURS_PER_DAY) for h in self.hours])
        if self.capacity is None:  # a passage (an event there gives no capacity)
            return 1.0 - share, None
        backlog = fluid_backlog(arrivals, self.capacity / HOURS_PER_DAY * share)
        return backlog.waits_hours, backlog

    def at(self, when_hours: np.ndarray) -> np.ndarray:
        return np.clip(np.searchsorted(self.hours, when_hours), 0, self.hours.size - 1)


def _believed_lengths(event: Event) -> np.ndarray:
    """Lengths (days) shippers may believe an unknown event has: from a day, each half as
    long again as the one before, up to the event's."""
    lengths = [1.0]
    while lengths[-1] < event.days:
        lengths.append(lengths[-1] * 1.5)
    return np.array([min(x, event.days) for x in lengths])


def _expected_waits(
    clock: _Clock, arrive_hours: np.ndarray, departs_hours: np.ndarray
) -> np.ndarray:
    """The wait (days) shipments departing then expect at the place, were nobody else to
    switch: with the real length if the event is known or already over, else as if it
    lasted as long again as it has so far (at least a day)."""
    steady = np.full(clock.hours.size, clock.flow / HOURS_PER_DAY)
    true_waits, _ = clock.waits(steady, clock.event.days)
    out = true_waits[clock.at(arrive_hours)] / HOURS_PER_DAY
    end_hours = clock.event.days * HOURS_PER_DAY
    if clock.event.known:
        return out
    during = (departs_hours >= 0) & (departs_hours < end_hours)
    if not during.any():
        return out
    lengths = _believed_lengths(clock.event)
    believed = np.maximum(2 * departs_hours / HOURS_PER_DAY, 1.0)
    # The longest tabulated length not above the belief.
    pick = np.clip(np.searchsorted(lengths, believed, side="right") - 1, 0, lengths.size - 1)
    for j in np.unique(pick[during]):
        guess, _ = clock.waits(steady, float(lengths[j]))
        rows = during & (pick == j)
        out[rows] = guess[clock.at(arrive_hours[rows])] / HOURS_PER_DAY
    return out


def _impact(
    scenario: str,
    event: Event,
    network: Network,
    place: str,
    legs: list[_Leg],
    flow: float,
    capacity: float | None,
) -> EventImpact:
    lead = WEEKS_BEFORE * DAYS_PER_WEEK * HOURS_PER_DAY + max(leg.to_place_hours for leg in legs)
    horizon = lead + (event.days + event.recovery_days + MAX_DRAIN_DAYS) * HOURS_PER_DAY
    clock = _Clock(np.arange(0.0, horizon, STEP_HOURS) - lead, event, flow, capacity)

    def switching(departs_hours: np.ndarray, leg: _Leg) -> np.ndarray:
        """Share of a leg's shipments departing then that switch corridor."""
        if leg.alternative is None:
            return np.zeros(departs_hours.size)
        # Linear in the place's waits, so it scales the expected days as it scales hours.
        wait = leg.delay_hours(
            _expected_waits(clock, departs_hours + leg.to_place_hours, departs_hours)
        )
        p = _switch_probability(wait, _base_share(leg, leg.alternative, network), network)
        return np.where(departs_hours >= 0, p, 0.0)

    # Each exposed trip stands for an equal part of the flow; what switches does not come.
    switched = [switching(clock.hours - leg.to_place_hours, leg) for leg in legs]
    arrivals = flow / HOURS_PER_DAY * (1.0 - np.mean(switched, axis=0))
    waits, backlog = clock.waits(arrivals, event.days)
    end = event.days * HOURS_PER_DAY
    drained: float | None
    closed = (clock.hours >= 0) & (clock.hours < end)
    if event.passage:  # ships sail round: nothing is held, all is back once they all return
        held_teu = peak_teu = 0.0
        drained = end + event.recovery_days * HOURS_PER_DAY
    elif backlog is None:
        held_teu = float(np.sum(arrivals[closed]) * STEP_HOURS) if event.capacity == 0 else 0.0
        peak_teu, drained = held_teu, end
    else:
        held_teu = float(backlog.queue_teu[clock.at(np.array([end]))[0]])
        peak_teu = float(backlog.queue_teu.max())
        offset = float(clock.hours[0])
        found = backlog.drained_hour(end - offset)
        drained = None if found is None else found + offset
    back = None if drained is None else max(drained, end + event.recovery_days * HOURS_PER_DAY)
    last = (back if back is not None else clock.hours[-1]) + DAYS_AFTER * HOURS_PER_DAY
    departures = np.arange(
        -WEEKS_BEFORE * DAYS_PER_WEEK * HOURS_PER_DAY, last, DAYS_PER_WEEK * HOURS_PER_DAY
    )
    weeks = [
        _week(event, leg, float(d), float(switching(np.array([d]), leg)[0]), waits, clock)
        for leg in legs
        for d in departures
    ]

    period = (clock.hours >= 0) & (clock.hours < (back if back is not None else clock.hours[-1]))
    lost: dict[str, float] = {}
    for leg, share in zip(legs, switched, strict=True):
        corridor = leg.trip.route.corridor
        # In the event's days its storm replaces the cargo's ordinary storm hold there.
        ordinary = closed * float(np.mean(leg.storm_days)) * HOURS_PER_DAY
        part = arrivals / len(legs) * ((leg.delay_hours(waits) - ordinary) / HOURS_PER_DAY)
        lost[corridor] = lost.get(corridor, 0.0) + float(np.sum(part[np.isfinite(part)]))
        if leg.alternative is not None:
            alt = leg.alternative.route.corridor
            moved = flow / HOURS_PER_DAY / len(legs) * share * max(leg.extra_days, 0.0)
            lost[alt] = lost.get(alt, 0.0) + float(np.sum(moved))
    total = flow / HOURS_PER_DAY * period.sum()
    moved_teu = float(np.sum((flow / HOURS_PER_DAY - arrivals)[period]))
    return EventImpact(
        scenario=scenario,
        event=event,
        place=network.describe(place) if event.place[0] == "node" else place,
        exposed=tuple(leg.trip.label for leg in legs),
        corridors=tuple(dict.fromkeys(leg.trip.route.corridor for leg in legs)),
        flow_teu_per_day=flow,
        capacity_teu_per_day=capacity,
        weeks=tuple(weeks),
        trains_stranded_at_end=held_teu / TEU_PER_TRAIN,
        peak_trains=peak_teu / TEU_PER_TRAIN,
        days_to_recover=None if drained is None else max(drained - end, 0.0) / HOURS_PER_DAY,
        teu_days_lost=lost,
        share_switched=moved_teu / total if total > 0 else 0.0,
        detour_days={
            leg.trip.label: leg.detour_hours / HOURS_PER_DAY
            for leg in legs
            if leg.detour_hours is not None
        },
    )


def _week(
    event: Event, leg: _Leg, departs_hours: float, share: float, waits: np.ndarray, clock: _Clock
) -> EventWeek:
    """Shipments of one leg departing at one hour: their sampled days (less their ordinary
    storm hold at the place if they reach it in the event's days) and the wait there."""
    arrives = departs_hours + leg.to_place_hours
    wait_hours = float(leg.delay_hours(waits[clock.at(np.array([arrives]))])[0])
    in_event = 0 <= arrives < event.days * HOURS_PER_DAY
    if math.isinf(wait_hours):  # a queue that never drains: the cargo waits without end
        p10 = p50 = p90 = math.inf
    else:
        days = leg.trip.kept_total_days - in_event * leg.storm_days + wait_hours / HOURS_PER_DAY
        p10, p50, p90 = (float(x) for x in np.percentile(days, [10, 50, 90]))
    start = dt.datetime.combine(event.start, dt.time())
    return EventWeek(
        trip=leg.trip.label,
        departs=(start + dt.timedelta(hours=departs_hours)).date(),
        share_switched=share,
        wait_days=wait_hours / HOURS_PER_DAY,
        stay_p10_days=p10,
        stay_p50_days=p50,
        stay_p90_days=p90,
        switch_p50_days=None if leg.alternative is None else leg.alternative.days()["p50"],
    )
