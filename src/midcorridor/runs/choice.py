"""Which corridor cargo chooses: a logit of generalized cost, solved with the queues.

For each market of ``network/choice.yaml`` (a flow from an inland Chinese origin to a
European gateway), every corridor (``middle``, ``northern``, ``sea``) is timed and priced
by the scenario's own Monte Carlo run. Its *generalized cost* per container is

    freight USD + value of a day x (mean days + reliability weight x (P90 - P50 days))
    + carbon price x t CO2e

(the value of a day is the cargo's value times its holding cost a day, ``costs.yaml``),
and its share of the market is a multinomial logit,

    share_k = exp(c_k - GC_k / scale) / sum_j exp(c_j - GC_j / scale),

with corridor constants ``c_k`` (``c_sea = 0``) fitted on the baseline scenario so
that the markets together reproduce the observed shares (:func:`fit_constants`).

Capacity feeds back (:func:`solve_choice`): cargo a scenario moves to a corridor is added to the
corridor's weekly volume, the queue simulation lengthens (or shortens) its waits, and
the shares are recomputed, to a fixed point in the TEU a week moved onto each rail
corridor, until no corridor's TEU differs from what its run assumed by more than the
tolerance (relative to the larger of that and its baseline TEU). Each next run goes where
the last run, its queue waits simulated again at other volumes, forecasts the gap to close
(:mod:`midcorridor.runs.choice_forecast`, :class:`~midcorridor.model.fixed_point.ForecastSolver`),
safeguarded by secant steps. A corridor whose queues saturate says so: its waits jump, so
the iterates may then not settle, and the result says it did not converge.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .._errors import ScenarioError
from ..inputs.bounds import MAX_VOLUME_TEU_PER_WEEK, MIN_VOLUME_TEU_PER_WEEK, MonthlyVolume
from ..inputs.cost_files import ChoiceBook, Market
from ..inputs.scenario import RouteSpec, Scenario
from ..model.delays import Volume
from ..model.fixed_point import ForecastSolver
from ..model.logit import Option, generalized_cost, logit_shares
from ..network.network import CHOICE_FILE, Network
from ..network.routing import Route
from ..vocabulary import (
    CHOICE_CORRIDORS,
    CHOICE_SAMPLES,
    DAYS_PER_WEEK,
    ChoiceCorridor,
    Corridor,
)
from .choice_forecast import DaysForecast
from .choice_result import ChoiceResult, MarketChoice
from .runner import PlannedTrip, ScenarioRun, constrained_points, plan_trips, run_scenario

__all__ = [
    "ChoiceBaseline",
    "ChoiceResult",
    "MarketChoice",
    "fit_choice_baseline",
    "fit_constants",
    "solve_choice",
    "solve_choices",
    "value_of_day_usd",
    "with_choice_volumes",
]

#: The corridors whose volume the choice moves (their queues are simulated).
RAIL_CORRIDORS: tuple[Literal["middle", "northern"], ...] = ("middle", "northern")
#: Weeks in a year, for TEU a year to TEU a week.
WEEKS_PER_YEAR = 365.0 / DAYS_PER_WEEK
#: Largest gap between a corridor's TEU at its run's shares and the TEU the run assumed at
#: which the fixed point is reached, relative to the larger of that and its baseline TEU.
TOLERANCE = 0.005
#: Most fixed-point iterations.
MAX_ITERATIONS = 30
#: Load over capacity of a corridor's busiest queue past which a step of the fixed point
#: does not move cargo before the root has been bracketed: beyond it waits explode and
#: the shares flatten out, and a step landing there says little.
CEILING_UTILISATION = 1.0
#: Most iterations of the constants' fit, and its tolerance (share).
FIT_ITERATIONS = 200
FIT_TOLERANCE = 1e-6


def value_of_day_usd(network: Network) -> float:
    """What a day costs a loaded 40-ft container's cargo, USD: its mean value times the
    mean share of it a day holds (``network/costs.yaml``)."""
    cargo = network.require_costs().container
    return cargo.value_usd.mean * cargo.holding_share_per_day.mean


def _label(market: Market, corridor: ChoiceCorridor) -> str:
    return f"{market.id} | {corridor}"


def _specs(book: ChoiceBook) -> list[RouteSpec]:
    return [
        RouteSpec(
            origin=m.origin,
            destination=m.destination,
            corridor=c,
            shipment=m.shipment,
            via=m.via.get(c, ()),
            label=_label(m, c),
        )
        for m in book.markets
        for c in CHOICE_CORRIDORS
    ]


def _open_specs(scenario: Scenario, network: Network, book: ChoiceBook) -> list[RouteSpec]:
    """The market routes the scenario allows (a closed corridor is left out)."""
    out = []
    for spec in _specs(book):
        try:
            plan_trips(scenario.derive(routes=(spec,)), network)
        except ScenarioError:
            continue
        out.append(spec)
    return out


def _options(
    run: ScenarioRun,
    book: ChoiceBook,
    value_of_day: float,
    carbon_usd_per_t: float,
    days_by_label: Mapping[str, dict[str, float]] | None = None,
) -> dict[str, dict[ChoiceCorridor, Option]]:
    """Each market's corridors, timed by ``run`` (or by ``days_by_label``, a forecast of
    its trips' days) and priced by it."""
    out: dict[str, dict[ChoiceCorridor, Option]] = {m.id: {} for m in book.markets}
    by_label = {_label(m, c): (m, c) for m in book.markets for c in CHOICE_CORRIDORS}
    for trip, cost in zip(run.trips, run.costs, strict=True):
        market, corridor = by_label[trip.label]
        days = trip.days() if days_by_label is None else days_by_label[trip.label]
        usd, co2 = cost.cost_usd()["mean"], cost.co2e_kg()["mean"]
        out[market.id][corridor] = Option(
            corridor=corridor,
            days=days,
            cost_usd=usd,
            co2e_kg=co2,
            generalized_cost_usd=generalized_cost(
                days,
                usd,
                co2,
                value_of_day_usd=value_of_day,
                reliability_weight=book.reliability_weight.value,
                carbon_usd_per_t=carbon_usd_per_t,
            ),
            saturated=trip.saturated,
        )
    return out


def _shares(
    options: Mapping[str, Mapping[ChoiceCorridor, Option]],
    constants: Mapping[ChoiceCorridor, float],
    book: ChoiceBook,
) -> dict[str, dict[ChoiceCorridor, float]]:
    scale = book.cost_scale_usd.value
    out = {}
    for m in book.markets:
        costs = {c: o.generalized_cost_usd for c, o in options[m.id].items()}
        if not costs:
            raise ScenarioError(f"No corridor is open to the market {m.id} ({CHOICE_FILE}).")
        out[m.id] = logit_shares(costs, constants, scale)
    return out


def _total_shares(
    shares: Mapping[str, Mapping[ChoiceCorridor, float]], book: ChoiceBook
) -> dict[ChoiceCorridor, float]:
    teu = _teu(shares, book)
    total = sum(teu.values())
    return {c: v / total for c, v in teu.items()}


def fit_constants(
    options: Mapping[str, Mapping[ChoiceCorridor, Option]], book: ChoiceBook
) -> dict[ChoiceCorridor, float]:
    """Corridor constants (``sea`` 0) with which the markets together take the observed
    shares, given each corridor's generalized cost (``options``).

    Each constant is moved by the log of observed over predicted share until they agree
    within :data:`FIT_TOLERANCE` (the usual fixed point for logit constants).

    Raises
    ------
    ScenarioError
        When a corridor is closed to every market (its share cannot be reproduced).
    """
    for c in CHOICE_CORRIDORS:
        if not any(c in opts for opts in options.values()):
            raise ScenarioError(
                f"The {c} corridor is open to no market: its observed share cannot be "
                "fitted (fit them on a scenario where every corridor is open)."
            )
    constants = dict.fromkeys(CHOICE_CORRIDORS, 0.0)
    for _ in range(FIT_ITERATIONS):
        predicted = _total_shares(_shares(options, constants, book), book)
        gap = max(abs(predicted[c] - book.observed_shares[c].value) for c in CHOICE_CORRIDORS)
        if gap < FIT_TOLERANCE:
            break
        for c in CHOICE_CORRIDORS:
            constants[c] += math.log(book.observed_shares[c].value / predicted[c])
        base = constants["sea"]
        constants = {c: v - base for c, v in constants.items()}
    return constants


def _plus(volume: MonthlyVolume | None, delta: float) -> MonthlyVolume:
    """A corridor's TEU a week with ``delta`` more: 0 if nothing is left, else within what
    the queues simulate (:data:`MIN_VOLUME_TEU_PER_WEEK` to :data:`MAX_VOLUME_TEU_PER_WEEK`:
    a corridor left a trickle is timed as the lightest one the queues can simulate)."""

    def plus(teu: float) -> float:
        moved = teu + delta
        return (
            min(max(moved, MIN_VOLUME_TEU_PER_WEEK), MAX_VOLUME_TEU_PER_WEEK) if moved > 0 else 0.0
        )

    if volume is None:
        return plus(0.0)
    if isinstance(volume, tuple):
        return tuple(plus(v) for v in volume)
    return plus(volume)


def _run(
    scenario: Scenario,
    network: Network,
    specs: Sequence[RouteSpec],
    deltas: Mapping[Corridor, float],
    samples: int | None,
    seed: int | None,
) -> ScenarioRun:
    moved = scenario.derive(routes=tuple(specs), volume=_moved(scenario, deltas))
    return run_scenario(moved, network, samples=samples, seed=seed)


def _moved(scenario: Scenario, deltas: Mapping[Corridor, float]) -> dict[Corridor, MonthlyVolume]:
    """The scenario's volume with ``deltas`` TEU a week more on each corridor."""
    volume: dict[Corridor, MonthlyVolume] = dict(scenario.volume)
    for corridor, delta in deltas.items():
        if corridor in volume or delta:
            volume[corridor] = _plus(volume.get(corridor), delta)
    return volume


def with_choice_volumes(scenario: Scenario, result: ChoiceResult) -> Scenario:
    """``scenario`` with each rail corridor's volume (TEU a week) as its corridor choice
    left it: the cargo the choice moved added (``result`` of :func:`solve_choice` on it)."""
    deltas: dict[Corridor, float] = {
        c: result.volumes[c] - _mean_volume(scenario, c) for c in RAIL_CORRIDORS
    }
    return scenario.derive(volume=_moved(scenario, deltas))


def _teu(
    shares: Mapping[str, Mapping[ChoiceCorridor, float]], book: ChoiceBook
) -> dict[ChoiceCorridor, float]:
    teu = dict.fromkeys(CHOICE_CORRIDORS, 0.0)
    for m in book.markets:
        for c, share in shares[m.id].items():
            teu[c] += share * m.teu_per_year
    return teu


def _teu_residual(
    shares: Mapping[str, Mapping[ChoiceCorridor, float]],
    reference: Mapping[str, Mapping[ChoiceCorridor, float]],
    deltas: np.ndarray,
    book: ChoiceBook,
) -> float:
    """Largest relative gap between a corridor's TEU a year at ``shares`` (all markets) and
    the TEU the run assumed (the reference's plus ``deltas``, TEU a week, on each rail
    corridor, the rest at sea), relative to the larger of that and the reference's TEU."""
    found, assumed = _teu(shares, book), _assumed_teu(reference, deltas, book)
    return max(abs(found[c] - assumed[c]) / _scale_teu(c, assumed, reference, book) for c in found)


def _assumed_teu(
    reference: Mapping[str, Mapping[ChoiceCorridor, float]], deltas: np.ndarray, book: ChoiceBook
) -> dict[ChoiceCorridor, float]:
    assumed = _teu(reference, book)
    for c, delta in zip(RAIL_CORRIDORS, deltas, strict=True):
        assumed[c] += float(delta) * WEEKS_PER_YEAR
        assumed["sea"] -= float(delta) * WEEKS_PER_YEAR
    return assumed


def _scale_teu(
    corridor: ChoiceCorridor,
    assumed: Mapping[ChoiceCorridor, float],
    reference: Mapping[str, Mapping[ChoiceCorridor, float]],
    book: ChoiceBook,
) -> float:
    """TEU a year a corridor's gap is measured against: what its run assumed, but never
    less than it carries at the reference (a corridor left a sliver of its cargo would
    otherwise be held to a few TEU a week, far below its runs' Monte Carlo jitter)."""
    return max(assumed[corridor], _teu(reference, book)[corridor], 1.0)


def _allowed_gap(
    reference: Mapping[str, Mapping[ChoiceCorridor, float]],
    deltas: np.ndarray,
    tolerance: float,
    book: ChoiceBook,
) -> np.ndarray:
    """The gap, TEU a week, each rail corridor may keep at ``tolerance``."""
    assumed = _assumed_teu(reference, deltas, book)
    return np.array(
        [
            tolerance * _scale_teu(c, assumed, reference, book) / WEEKS_PER_YEAR
            for c in RAIL_CORRIDORS
        ]
    )


def _gap_forecast(
    run: ScenarioRun,
    scenario: Scenario,
    network: Network,
    specs: Sequence[RouteSpec],
    deltas: np.ndarray,
    fitted: ChoiceBaseline,
    value_of_day: float,
) -> Callable[[np.ndarray], np.ndarray] | None:
    """Each rail corridor's gap (TEU a week its shares move onto it, less what it was
    given) forecast from ``run`` (made at ``deltas``) at other deltas; None if the run did
    not keep every sample's hours."""
    if not all(trip.all_kept for trip in run.trips):
        return None
    book = network.require_choice()

    def plan(at: np.ndarray, routes: Sequence[Route]) -> list[PlannedTrip]:
        moved = scenario.derive(routes=tuple(specs), volume=_moved(scenario, _by_corridor(at)))
        return plan_trips(moved, network, month=run.month, routes=routes)

    days = DaysForecast(run, plan, deltas, network)

    def gap(at: np.ndarray) -> np.ndarray:
        options = _options(run, book, value_of_day, fitted.carbon_usd_per_t, days.days(at))
        moved = _moved_teu_per_week(
            _shares(options, fitted.constants, book), fitted.reference, book
        )
        return np.array([moved[c] for c in RAIL_CORRIDORS]) - at

    return gap


def _by_corridor(deltas: np.ndarray) -> dict[Corridor, float]:
    return {c: float(d) for c, d in zip(RAIL_CORRIDORS, deltas, strict=True)}


def _limits(book: ChoiceBook) -> tuple[np.ndarray, np.ndarray]:
    """What a rail corridor can lose or gain at most: every market's cargo, TEU a week."""
    total = sum(m.teu_per_year for m in book.markets) / WEEKS_PER_YEAR
    return np.full(len(RAIL_CORRIDORS), -total), np.full(len(RAIL_CORRIDORS), total)


def _mean_volume(scenario: Scenario, corridor: Corridor) -> float:
    volume = scenario.volume.get(corridor)
    return Volume.of(volume).mean if volume is not None else 0.0


def _ceilings(run: ScenarioRun, scenario: Scenario, deltas: np.ndarray) -> np.ndarray:
    """TEU a week each rail corridor can gain before its busiest simulated queue reaches
    :data:`CEILING_UTILISATION` (its load grows with the corridor's volume); NaN for a
    corridor without one."""
    out = np.full(len(RAIL_CORRIDORS), np.nan)
    for i, corridor in enumerate(RAIL_CORRIDORS):
        loads = [load.utilisation for load in constrained_points(run, corridor).values()]
        volume = _mean_volume(scenario, corridor) + deltas[i]
        if loads and max(loads) > 0 and volume > 0:
            capacity = volume / max(loads)
            out[i] = CEILING_UTILISATION * capacity - _mean_volume(scenario, corridor)
    return out


def _moved_teu_per_week(
    shares: Mapping[str, Mapping[ChoiceCorridor, float]],
    reference: Mapping[str, Mapping[ChoiceCorridor, float]],
    book: ChoiceBook,
) -> dict[Corridor, float]:
    """TEU a week each rail corridor gains (or loses) against the reference shares."""
    out: dict[Corridor, float] = {}
    for c in RAIL_CORRIDORS:
        teu = 0.0
        for m in book.markets:
            teu += (shares[m.id].get(c, 0.0) - reference[m.id].get(c, 0.0)) * m.teu_per_year
        out[c] = teu / WEEKS_PER_YEAR
    return out


@dataclass(frozen=True)
class ChoiceBaseline:
    """The baseline's run, its corridor constants and the shares they give: what every
    scenario's fixed point starts from (:func:`fit_choice_baseline`)."""

    run: ScenarioRun
    options: Mapping[str, Mapping[ChoiceCorridor, Option]]
    constants: Mapping[ChoiceCorridor, float]
    reference: Mapping[str, Mapping[ChoiceCorridor, float]]
    samples: int | None
    seed: int | None
    carbon_usd_per_t: float


def fit_choice_baseline(
    baseline: Scenario,
    network: Network,
    *,
    samples: int | None = None,
    seed: int | None = None,
    carbon_usd_per_t: float = 0.0,
) -> ChoiceBaseline:
    """Run the baseline's market trips and fit the corridor constants on them.

    Pass the result to :func:`solve_choice` for several scenarios of the same settings, so the
    baseline is run once.
    """
    book = network.require_choice()
    run = _run(baseline, network, _open_specs(baseline, network, book), {}, samples, seed)
    options = _options(run, book, value_of_day_usd(network), carbon_usd_per_t)
    constants = fit_constants(options, book)
    reference = _shares(options, constants, book)
    return ChoiceBaseline(run, options, constants, reference, samples, seed, carbon_usd_per_t)


def solve_choice(
    scenario: Scenario,
    network: Network,
    *,
    baseline: Scenario,
    samples: int | None = None,
    seed: int | None = None,
    carbon_usd_per_t: float = 0.0,
    tolerance: float = TOLERANCE,
    max_iterations: int = MAX_ITERATIONS,
    fitted: ChoiceBaseline | None = None,
) -> ChoiceResult:
    """Corridor shares of every market under ``scenario``, with capacity feedback.

    Parameters
    ----------
    scenario
        The scenario whose conditions the cargo chooses in.
    network
        The network, with ``costs.yaml`` and ``choice.yaml``.
    baseline
        The scenario of the observed shares: the corridor constants are fitted on it,
        and the cargo it carries at them is what its volumes already hold.
    samples, seed
        Monte Carlo settings of every run (default: the scenario's).
    carbon_usd_per_t
        Carbon price, USD per tonne CO2e, added to every corridor's generalized cost.
    tolerance, max_iterations
        Fixed point: stop when no corridor's TEU a year (all markets) at the shares differs
        from the TEU its run assumed by more than ``tolerance`` of that TEU, or of the TEU
        it carries at the baseline if more (a corridor left a sliver of its cargo is not
        held to a few TEU a week, below its runs' Monte Carlo jitter).
    fitted
        The baseline already fitted (:func:`fit_choice_baseline`, with the same samples,
        seed and carbon price); default: fit it here.

    Raises
    ------
    NetworkError
        Without cost or choice figures, or for a market naming an unknown place.
    ScenarioError
        When no corridor is open to a market, or the baseline leaves one closed to all.
    """
    book = network.require_choice()
    value_of_day = value_of_day_usd(network)
    if fitted is None:
        fitted = fit_choice_baseline(
            baseline, network, samples=samples, seed=seed, carbon_usd_per_t=carbon_usd_per_t
        )
    elif (fitted.samples, fitted.seed, fitted.carbon_usd_per_t) != (
        samples,
        seed,
        carbon_usd_per_t,
    ):
        raise ValueError("fitted was made with other samples, seed or carbon price")
    constants, reference = fitted.constants, fitted.reference
    base_run, base_options = fitted.run, fitted.options

    specs = _open_specs(scenario, network, book)
    solver = ForecastSolver(*_limits(book))
    deltas = np.zeros(len(RAIL_CORRIDORS))
    residual, iterations = math.inf, 0
    run, options, current = base_run, base_options, reference
    while iterations < max_iterations:
        iterations += 1
        run = _run(scenario, network, specs, _by_corridor(deltas), samples, seed)
        options = _options(run, book, value_of_day, carbon_usd_per_t)
        current = _shares(options, constants, book)
        moved = _moved_teu_per_week(current, reference, book)
        residual = _teu_residual(current, reference, deltas, book)
        if residual <= tolerance:
            break
        gap = np.array([moved[c] for c in RAIL_CORRIDORS]) - deltas
        deltas = solver.next(
            deltas,
            gap,
            _allowed_gap(reference, deltas, tolerance, book),
            _gap_forecast(run, scenario, network, specs, deltas, fitted, value_of_day),
            _ceilings(run, scenario, deltas),
        )
    deltas_by_corridor = _by_corridor(deltas)
    volumes: dict[str, float] = {
        c: _mean_volume(scenario, c) + deltas_by_corridor[c] for c in RAIL_CORRIDORS
    }
    markets = tuple(
        MarketChoice(market=m, options=options[m.id], shares=current[m.id]) for m in book.markets
    )
    points = constrained_points(run, "middle")
    return ChoiceResult(
        scenario=scenario.name,
        markets=markets,
        constants=constants,
        iterations=iterations,
        residual=residual,
        converged=residual <= tolerance,
        volumes=volumes,
        utilisation={p: (load.utilisation, load.saturated) for p, load in points.items()},
    )


def solve_choices(
    scenarios: Sequence[Scenario],
    network: Network,
    *,
    baseline: Scenario,
    samples: int | None = None,
    seed: int | None = None,
    carbon_usd_per_t: float = 0.0,
    on_step: Callable[[str], object] | None = None,
) -> list[ChoiceResult]:
    """The corridor choice of several scenarios, the baseline fitted once.

    Parameters
    ----------
    scenarios
        The scenarios, each solved as :func:`solve_choice` does.
    network, baseline
        As for :func:`solve_choice`.
    samples
        Monte Carlo samples of every run (default :data:`~midcorridor.vocabulary.CHOICE_SAMPLES`).
    seed, carbon_usd_per_t
        As for :func:`solve_choice`.
    on_step
        Called with what starts next ("fitting on baseline", a scenario's name), for
        progress bars.
    """
    samples = samples or CHOICE_SAMPLES
    if on_step is not None:
        on_step(f"fitting on {baseline.name}")
    fitted = fit_choice_baseline(
        baseline, network, samples=samples, seed=seed, carbon_usd_per_t=carbon_usd_per_t
    )
    results = []
    for scenario in scenarios:
        if on_step is not None:
            on_step(f"corridor choice {scenario.name}")
        results.append(
            solve_choice(
                scenario,
                network,
                baseline=baseline,
                samples=samples,
                seed=seed,
                carbon_usd_per_t=carbon_usd_per_t,
                fitted=fitted,
            )
        )
    return results
