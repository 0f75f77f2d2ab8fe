"""Freight cost and CO2 of a trip, per loaded 40-ft container, leg by leg.

A route is broken into *cost legs* (:func:`cost_legs`): the rail tariff of each rail link
by its country, the freight of each ferry or sea crossing, the charges at each place it
passes (handling, border and document fees), each with the CO2e it emits. Every leg is a
linear sum of *figures* of ``costs.yaml`` (a tariff per km times the km, a charge once,
an emission factor per tonne-km times the tonne-km), so a figure shared by many legs (one
country's tariff) is drawn once per sample and the legs move together.
:func:`sample_costs` draws them (PERT, like the time model) for many samples at once.

The cost of time (inventory holding while the cargo travels) is kept apart from the
freight cost: :func:`time_cost_usd` prices a trip's sampled days.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..inputs.bounds import Range
from ..inputs.cost_files import Charge, CostBook
from ..network.network import Network
from ..network.routing import Route
from ..vocabulary import LinkMode
from .delays import sample_estimate
from .sampling import CHUNK, KEEP_SAMPLES, route_seed
from .selection import Selection, selects

__all__ = [
    "CostLeg",
    "CostSample",
    "Drawn",
    "LegChange",
    "TripCost",
    "adjust",
    "by_kind",
    "cost_legs",
    "cost_seed",
    "leg_means",
    "price_trip",
    "sample_costs",
    "time_cost_usd",
]

#: Grams in a kilogram.
_G_PER_KG = 1_000.0


@dataclass(frozen=True)
class CostLeg:
    """One charge or moving leg of a trip, per loaded 40-ft container.

    ``usd_terms`` and ``co2_terms`` are ``(figure, coefficient)`` pairs: the leg's USD is
    the sum of each figure's drawn value times its coefficient (km for a tariff per km, 1
    for a charge), and its kg CO2e likewise (tonne-km / 1,000 for a factor in g per
    tonne-km). ``usd_scale`` and ``usd_add`` are a scenario's change to the leg.

    Attributes
    ----------
    what
        What is paid or emitted, e.g. "rail KZ, 1,234 km" or "Aktau port handling".
    kind
        ``rail``, ``ferry``, ``sea`` (moving legs) or ``charge`` (at a place).
    node, link
        Where (one of them).
    countries
        Countries of the leg.
    km
        Length of a moving leg, km (0 for a charge).
    sea
        The water a ferry or sea leg crosses (``caspian``, ``black_sea``, ``ocean``).
    usd_terms, co2_terms
        The figures the leg's USD and kg CO2e are made of.
    sources
        Source keys of the figures, the one of its price first.
    """

    what: str
    kind: str
    node: str | None
    link: str | None
    countries: tuple[str, ...]
    km: float
    sea: str | None
    usd_terms: tuple[tuple[str, float], ...]
    co2_terms: tuple[tuple[str, float], ...]
    sources: tuple[str, ...]
    usd_scale: float = 1.0
    usd_add: float = 0.0

    @property
    def usd_source(self) -> str:
        """Source key of the leg's price (tariff, freight or charge)."""
        return self.sources[0]

    def selectable(self) -> dict[str, object]:
        """What a scenario's cost change may select the leg by (:mod:`.selection`)."""
        return {
            "link": self.link,
            "node": self.node,
            "country": self.countries,
            "kind": self.kind,
            "sea": self.sea,
        }


def _figures(book: CostBook) -> dict[str, Range]:
    """Every figure of ``book`` a leg can refer to, by name."""
    out: dict[str, Range] = {}
    ef = book.emission_factors
    for name in type(ef).model_fields:
        if name != "sources":
            out[f"factor:{name}"] = getattr(ef, name)
    for code, rail in book.rail.items():
        out[f"rail:{code}"] = rail.usd_per_km
    for link_id, charge in book.links.items():
        out[f"link:{link_id}"] = charge.usd
    for node_id, charges in book.nodes.items():
        for i, charge in enumerate(charges):
            out[f"node:{node_id}:{i}"] = charge.usd
    return out


def _applies(charge: Charge, modes: Collection[str], at_end: bool) -> bool:
    if charge.modes is not None and not set(modes).intersection(charge.modes):
        return False
    return not (
        (charge.applies == "ends" and not at_end) or (charge.applies == "through" and at_end)
    )


def _rail_legs(network: Network, book: CostBook, link_id: str) -> list[CostLeg]:
    """A rail link, split evenly between its countries (:meth:`Network.link_countries`)."""
    p = network.links_by_id[link_id].props
    countries = network.link_countries(link_id)
    ef, tonnes = book.emission_factors, book.container.cargo_tonnes
    legs = []
    for code in countries:
        rail = book.rail[code]
        km = p.length_km / len(countries)
        tkm_kg = tonnes * km / _G_PER_KG
        electric = rail.electrified_share * rail.grid_g_per_kwh
        legs.append(
            CostLeg(
                what=f"rail {code}, {km:,.0f} km",
                kind="rail",
                node=None,
                link=link_id,
                countries=(code,),
                km=km,
                sea=None,
                usd_terms=((f"rail:{code}", km),),
                co2_terms=(
                    ("factor:rail_electric_kwh_per_tkm", tkm_kg * electric),
                    ("factor:rail_diesel_g_per_tkm", tkm_kg * (1 - rail.electrified_share)),
                ),
                sources=(
                    rail.sources["usd_per_km"],
                    rail.sources["electrified_share"],
                    rail.sources["grid_g_per_kwh"],
                    ef.sources["rail_electric_kwh_per_tkm"],
                    ef.sources["rail_diesel_g_per_tkm"],
                ),
            )
        )
    return legs


def _crossing_factor(mode: LinkMode, sea: str | None) -> str:
    """The emission factor of a ferry or sea link."""
    if mode == "ferry":
        return "ferry_g_per_tkm"
    return "ocean_g_per_tkm" if sea == "ocean" else "feeder_g_per_tkm"


def _crossing_leg(network: Network, book: CostBook, link_id: str) -> CostLeg:
    p = network.links_by_id[link_id].props
    charge = book.links[link_id]
    factor = _crossing_factor(p.mode, p.sea)
    a, b = (network.nodes_by_id[n].props.name for n in (p.from_, p.to))
    return CostLeg(
        what=f"{charge.what} {a} - {b}",
        kind=p.mode,
        node=None,
        link=link_id,
        countries=network.link_countries(link_id),
        km=p.length_km,
        sea=p.sea,
        usd_terms=((f"link:{link_id}", 1.0),),
        co2_terms=((f"factor:{factor}", book.container.cargo_tonnes * p.length_km / _G_PER_KG),),
        sources=(charge.source, book.emission_factors.sources[factor]),
    )


def cost_legs(network: Network, route: Route, book: CostBook | None = None) -> list[CostLeg]:
    """The cost legs of a trip along ``route``, in travel order.

    Parameters
    ----------
    network
        The network; its ``costs.yaml`` unless ``book`` is given.
    route
        The path.
    book
        Cost and CO2 figures.

    Raises
    ------
    NetworkError
        When the network has no cost figures.
    """
    book = book if book is not None else network.require_costs()
    out: list[CostLeg] = []
    last = len(route.nodes) - 1
    for i, node_id in enumerate(route.nodes):
        node = network.nodes_by_id[node_id].props
        modes = {
            network.links_by_id[route.links[j]].props.mode
            for j in (i - 1, i)
            if 0 <= j < len(route.links)
        }
        for k, charge in enumerate(book.nodes.get(node_id, ())):
            if _applies(charge, modes, i in (0, last)):
                out.append(
                    CostLeg(
                        what=f"{node.name} {charge.what}",
                        kind="charge",
                        node=node_id,
                        link=None,
                        countries=node.countries,
                        km=0.0,
                        sea=None,
                        usd_terms=((f"node:{node_id}:{k}", 1.0),),
                        co2_terms=(),
                        sources=(charge.source,),
                    )
                )
        if i < len(route.links):
            link_id = route.links[i]
            if network.links_by_id[link_id].props.mode == "rail":
                out.extend(_rail_legs(network, book, link_id))
            else:
                out.append(_crossing_leg(network, book, link_id))
    return out


@dataclass(frozen=True)
class LegChange:
    """A scenario's change to the USD of the legs it selects.

    ``selection`` names what it selects by :meth:`CostLeg.selectable`'s names (None: any);
    ``scale`` multiplies the leg's cost and ``add`` is added to it (after earlier
    changes); the leg's cost is floored at 0 when drawn.
    """

    selection: Selection = field(default_factory=dict)
    scale: float = 1.0
    add: float = 0.0

    def matches(self, leg: CostLeg) -> bool:
        """Whether ``leg`` is selected."""
        return selects(self.selection, leg.selectable())


def adjust(legs: Sequence[CostLeg], changes: Sequence[LegChange]) -> list[CostLeg]:
    """``legs`` with ``changes`` applied in order to the ones each selects."""
    out = []
    for leg in legs:
        for change in changes:
            if change.matches(leg):
                leg = replace(
                    leg,
                    usd_scale=leg.usd_scale * change.scale,
                    usd_add=leg.usd_add * change.scale + change.add,
                )
        out.append(leg)
    return out


def _coefficients(
    legs: Sequence[CostLeg], names: Sequence[str], attr: str
) -> tuple[np.ndarray, np.ndarray]:
    """``(figures, legs)`` coefficient matrix of ``attr`` terms, and each leg's constant."""
    index = {n: j for j, n in enumerate(names)}
    matrix = np.zeros((len(names), len(legs)))
    constant = np.zeros(len(legs))
    for k, leg in enumerate(legs):
        scale = leg.usd_scale if attr == "usd_terms" else 1.0
        for name, coef in getattr(leg, attr):
            matrix[index[name], k] += coef * scale
        if attr == "usd_terms":
            constant[k] = leg.usd_add
    return matrix, constant


@dataclass(frozen=True)
class CostSample:
    """Sampled cost and CO2 of one trip, per loaded 40-ft container.

    Attributes
    ----------
    legs
        The legs, in travel order.
    usd, co2e_kg
        Door-to-door freight cost, USD, and CO2e, kg, of every sample: shape ``(samples,)``.
    leg_usd_mean, leg_co2e_kg_mean
        Mean of each leg (exact, from the figures' PERT means): shape ``(len(legs),)``.
    """

    legs: tuple[CostLeg, ...]
    usd: np.ndarray = field(repr=False)
    co2e_kg: np.ndarray = field(repr=False)
    leg_usd_mean: np.ndarray = field(repr=False)
    leg_co2e_kg_mean: np.ndarray = field(repr=False)


def leg_means(legs: Sequence[CostLeg], book: CostBook) -> tuple[np.ndarray, np.ndarray]:
    """Mean USD and kg CO2e of each leg (from the figures' PERT means)."""
    figures = _figures(book)
    names = sorted(figures)
    means = np.array([figures[n].mean for n in names])
    usd, usd0 = _coefficients(legs, names, "usd_terms")
    co2, _ = _coefficients(legs, names, "co2_terms")
    return np.maximum(means @ usd + usd0, 0.0), means @ co2


def sample_costs(
    legs: Sequence[CostLeg], book: CostBook, samples: int, rng: np.random.Generator
) -> CostSample:
    """Draw the cost and CO2 of a trip made of ``legs`` ``samples`` times.

    Each figure is drawn once per sample (PERT on its ``{low, mode, high}``), so legs
    sharing a figure move together. A leg's USD after a scenario's change is floored at 0.
    """
    figures = _figures(book)
    names = sorted({n for leg in legs for n, _ in (*leg.usd_terms, *leg.co2_terms)})
    draws = np.empty((samples, len(names)))
    for j, name in enumerate(names):
        draws[:, j] = sample_estimate(figures[name], rng, samples)
    usd, usd0 = _coefficients(legs, names, "usd_terms")
    co2, _ = _coefficients(legs, names, "co2_terms")
    leg_usd = np.maximum(draws @ usd + usd0, 0.0)
    mean_usd, mean_co2 = leg_means(legs, book)
    return CostSample(
        legs=tuple(legs),
        usd=leg_usd.sum(axis=1),
        co2e_kg=(draws @ co2).sum(axis=1),
        leg_usd_mean=mean_usd,
        leg_co2e_kg_mean=mean_co2,
    )


@dataclass(frozen=True)
class Drawn:
    """What a run's draws of one quantity come to: the mean of every draw, and P10, P50
    and P90 of the first :data:`~midcorridor.model.sampling.KEEP_SAMPLES` (of every draw
    in a run no larger), so that a run's memory does not grow with its draws."""

    mean: float
    p10: float
    p50: float
    p90: float
    draws: int

    def rounded(self, digits: int = 0) -> dict[str, float]:
        """Mean, P10, P50 and P90, rounded to ``digits``."""
        return {k: round(getattr(self, k), digits) for k in ("mean", "p10", "p50", "p90")}


class _Tally:
    """Draws of one quantity summarised chunk by chunk: an exact running sum, and the
    first ``keep`` draws for the percentiles."""

    def __init__(self, keep: int) -> None:
        self.total, self.count, self.room = 0.0, 0, keep
        self.kept: list[np.ndarray] = []

    def add(self, values: np.ndarray) -> None:
        self.total += float(values.sum())
        self.count += values.size
        if self.room > 0:
            self.kept.append(values[: self.room].copy())
            self.room -= self.kept[-1].size

    def drawn(self) -> Drawn:
        kept = np.concatenate(self.kept) if self.kept else np.empty(0)
        p10, p50, p90 = np.percentile(kept, [10, 50, 90]) if kept.size else (np.nan,) * 3
        mean = self.total / self.count if self.count else float("nan")
        return Drawn(float(mean), float(p10), float(p50), float(p90), self.count)


@dataclass(frozen=True)
class TripCost:
    """Freight cost, CO2 and cost of time of one sampled trip, per loaded 40-ft container.

    Attributes
    ----------
    route
        The path.
    legs
        The cost legs, in travel order.
    leg_usd_mean, leg_co2e_kg_mean
        Mean USD and kg CO2e of each leg (exact, from the figures' PERT means).
    usd_draws, co2e_kg_draws
        Door-to-door freight cost, USD, and CO2e, kg, of the samples.
    time_usd_draws
        Cost of the cargo's time in transit, USD, of the samples (from their days).
    """

    route: Route
    legs: tuple[CostLeg, ...]
    leg_usd_mean: np.ndarray = field(repr=False)
    leg_co2e_kg_mean: np.ndarray = field(repr=False)
    usd_draws: Drawn
    co2e_kg_draws: Drawn
    time_usd_draws: Drawn

    def cost_usd(self) -> dict[str, float]:
        """Freight cost, USD: mean, P10, P50, P90."""
        return self.usd_draws.rounded()

    def co2e_kg(self) -> dict[str, float]:
        """CO2e, kg: mean, P10, P50, P90."""
        return self.co2e_kg_draws.rounded()

    def cost_of_time_usd(self) -> dict[str, float]:
        """Cost of the cargo's time, USD: mean, P10, P50, P90."""
        return self.time_usd_draws.rounded()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready figures: ``cost_usd``, ``co2e_kg``, ``cost_of_time_usd`` (mean,
        P10, P50, P90) and the mean USD and kg CO2e by kind of leg."""
        return {
            "cost_usd": self.cost_usd(),
            "co2e_kg": self.co2e_kg(),
            "cost_of_time_usd": self.cost_of_time_usd(),
            "by_kind": {
                kind: {"usd": round(usd), "co2e_kg": round(co2)}
                for kind, (usd, co2) in by_kind(self).items()
            },
        }


def cost_seed(seed: int, route: Route) -> np.random.SeedSequence:
    """Seed of a route's cost draws: apart from its time draws (:func:`route_seed`), and
    the same for the same route in every scenario (common random numbers)."""
    return np.random.SeedSequence(route_seed(seed, route).entropy, spawn_key=(0xC0,))


def price_trip(
    network: Network,
    route: Route,
    days: np.ndarray,
    seed: np.random.SeedSequence,
    changes: Sequence[LegChange] = (),
) -> TripCost:
    """Cost, CO2 and cost of time of a trip along ``route`` whose samples took ``days``.

    One cost sample is drawn per sampled trip, from ``seed`` (the same route and seed give
    the same draws in every scenario), :data:`~midcorridor.model.sampling.CHUNK` samples
    at a time: a run of at most ``CHUNK`` samples draws the numbers one call would.
    Memory: one chunk's draws and the kept ones (:class:`Drawn`), whatever ``days.size``.
    """
    book = network.require_costs()
    legs = adjust(cost_legs(network, route, book), changes)
    rng = np.random.default_rng(seed)
    usd, co2, time = (_Tally(KEEP_SAMPLES) for _ in range(3))
    for start in range(0, days.size, CHUNK):
        part = days[start : start + CHUNK]
        sample = sample_costs(legs, book, part.size, rng)
        usd.add(sample.usd)
        co2.add(sample.co2e_kg)
        time.add(time_cost_usd(part, book, rng))
    mean_usd, mean_co2 = leg_means(legs, book)
    return TripCost(
        route=route,
        legs=tuple(legs),
        leg_usd_mean=mean_usd,
        leg_co2e_kg_mean=mean_co2,
        usd_draws=usd.drawn(),
        co2e_kg_draws=co2.drawn(),
        time_usd_draws=time.drawn(),
    )


def time_cost_usd(days: np.ndarray, book: CostBook, rng: np.random.Generator) -> np.ndarray:
    """Cost of the cargo's time in transit, USD per container, for each sampled trip.

    ``value_usd * holding_share_per_day * days``, both figures drawn per sample. Kept
    apart from the freight cost: it is what the shipper loses, not what anyone is paid.
    """
    cargo = book.container
    out = np.ones_like(days, dtype=float)
    for estimate in (cargo.value_usd, cargo.holding_share_per_day):
        out *= sample_estimate(estimate, rng, days.shape)
    return out * days


def by_kind(cost: TripCost | CostSample) -> Mapping[str, tuple[float, float]]:
    """Mean USD and kg CO2e of the trip by leg kind (rail, ferry, sea, charge)."""
    out: dict[str, tuple[float, float]] = {}
    for leg, usd, co2 in zip(cost.legs, cost.leg_usd_mean, cost.leg_co2e_kg_mean, strict=True):
        u, c = out.get(leg.kind, (0.0, 0.0))
        out[leg.kind] = (u + float(usd), c + float(co2))
    return out
