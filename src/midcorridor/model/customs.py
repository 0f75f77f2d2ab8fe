"""Customs at an office as a chain of steps: the delays a trip meets there.

An office (``network/customs.yaml``) splits its published ``clearance`` hours into the steps
a WCO Time Release Study times: registration and risk assessment, the documentary check of
the yellow channel (in the country's yellow share of declarations), and what is left, the
wait from arrival to lodgement. The red channel adds a physical inspection in its share; a
class that must lodge a new transit declaration where no common transit regime spans the
crossing adds its lodgement. The chain's mean hours are the clearance figure's, so the chain
keeps what the single figure gave, and a digital instrument can act on one step.

:class:`CustomsState` is what a scenario sets: the channel shares of each country and the
members of each regime in its era, after its instruments.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from ..inputs.customs_files import Channels, CustomsBook, Instrument, Office
from ..network.network import Network
from ..network.routing import Route
from ..vocabulary import STEP_STAGE, CustomsStep
from .delays import Component, Dist, pert

__all__ = ["CustomsState", "crossing", "office_components"]


@dataclass(frozen=True)
class CustomsState:
    """The customs of a scenario.

    Attributes
    ----------
    book
        The offices and figures (``customs.yaml``).
    channels
        Country -> channel shares replacing the book's (an instrument's).
    members
        Regime key -> its member countries in the scenario's era, with those that join.
    """

    book: CustomsBook
    channels: Mapping[str, Channels]
    members: Mapping[str, frozenset[str]]

    @classmethod
    def of(
        cls, book: CustomsBook, era: int, instruments: Iterable[Instrument] = ()
    ) -> CustomsState:
        """The customs of year ``era``, with ``instruments`` switched on (in order)."""
        members = {key: set(r.members_in(era)) for key, r in book.regimes.items()}
        channels: dict[str, Channels] = {}
        for inst in instruments:
            if inst.joins is not None:
                members[inst.joins].update(inst.countries)
            if inst.channels is not None:
                channels.update(dict.fromkeys(inst.countries, inst.channels))
        return cls(book, channels, {k: frozenset(v) for k, v in members.items()})

    def shares(self, country: str) -> Channels:
        """Channel shares of ``country`` in this scenario."""
        return self.channels.get(country) or self.book.channels_of(country)

    def common_regime(self, a: str, b: str) -> str | None:
        """A regime both countries are members of, or None."""
        return next((k for k, m in self.members.items() if a in m and b in m), None)


def crossing(network: Network, route: Route, i: int) -> tuple[str | None, str]:
    """``(country left, country entered)`` at node ``i`` of ``route``.

    At a border node, the trip enters the node's country it goes on to (or, at the route's
    end, the one it did not come from). At a one-country node it enters that country, having
    left the previous node's if that was another (None: no border crossed here).
    """
    countries = network.nodes_by_id[route.nodes[i]].props.countries
    before = set(network.nodes_by_id[route.nodes[i - 1]].props.countries) if i > 0 else set()
    after = (
        set(network.nodes_by_id[route.nodes[i + 1]].props.countries)
        if i + 1 < len(route.nodes)
        else set()
    )
    if len(countries) == 2:
        entered = next(
            (c for c in countries if c in after and c not in before),
            next((c for c in reversed(countries) if c not in before), countries[-1]),
        )
        return next(c for c in countries if c != entered), entered
    entered = countries[0]
    return next((c for c in sorted(before) if c != entered), None), entered


def office_components(
    network: Network,
    route: Route,
    i: int,
    state: CustomsState,
    shipment: str,
    modes: Collection[str],
) -> list[Component]:
    """The customs delays of a trip carrying ``shipment`` at node ``i`` of ``route``,
    arriving or leaving by ``modes``, in chain order (none if the node is no office for
    these modes)."""
    book = state.book
    node_id = route.nodes[i]
    office = book.offices.get(node_id)
    if office is None or (office.modes is not None and not set(office.modes) & set(modes)):
        return []
    node = network.nodes_by_id[node_id].props
    left, entered = crossing(network, route, i)

    def make(
        step: CustomsStep, dist: Dist, source: str, probability: float, note: str
    ) -> Component:
        return Component.at_node(
            node,
            STEP_STAGE[step],
            dist,
            source,
            probability=probability,
            note=note,
            step=step,
            customs_country=entered,
        )

    registration = book.step(node_id, entered, "registration")
    check = book.step(node_id, entered, "documentary_check")
    out = [
        make(
            "arrival_wait",
            _wait(office, book, node_id, entered),
            office.source,
            1.0,
            f"arrival to lodgement entering {entered}: the clearance figure less its desk steps",
        ),
        *_lodgement(state, node_id, left, entered, shipment, make),
        make(
            "registration",
            pert(registration.hours),
            registration.source,
            1.0,
            "registration and risk assessment",
        ),
    ]
    if office.checks:
        shares = state.shares(entered)
        inspection = book.step(node_id, entered, "physical_inspection")
        out.append(
            make(
                "documentary_check",
                pert(check.hours),
                check.source,
                shares.yellow,
                f"yellow channel: {shares.yellow:.1%} of declarations",
            )
        )
        out.append(
            make(
                "physical_inspection",
                pert(inspection.hours),
                inspection.source,
                shares.red,
                f"red channel: {shares.red:.1%} of declarations",
            )
        )
    return out


def _wait(office: Office, book: CustomsBook, node_id: str, entered: str) -> Dist:
    """The wait from arrival to lodgement: the clearance figure scaled to what its desk steps
    (at the network's channel shares, which the figure was measured under) leave."""
    desk = book.desk_mean_hours(node_id, entered)
    mean = office.clearance.mean
    share = max(0.0, 1 - desk / mean) if mean > 0 else 0.0
    full = pert(office.clearance)
    return Dist(full.low * share, full.high * share, full.alpha, full.beta)


def _lodgement(
    state: CustomsState,
    node_id: str,
    left: str | None,
    entered: str,
    shipment: str,
    make: Callable[[CustomsStep, Dist, str, float, str], Component],
) -> list[Component]:
    """A new transit declaration, where the class lodges one and no regime spans the crossing."""
    if left is None or left == entered or state.common_regime(left, entered) is not None:
        return []
    return [
        make(
            "lodgement",
            pert(d.hours),
            d.source,
            1.0,
            f"a new transit declaration: {left} and {entered} share no common transit regime",
        )
        for d in state.book.declarations
        if node_id in d.nodes and shipment in d.shipments
    ][:1]
