"""Expected annual loss: a scenario's recurring events drawn over many years.

Each event of a scenario with ``per_year`` and ``days_range``
(:class:`~midcorridor.inputs.events.Event`) recurs: a year holds a Poisson number of them
(mean ``per_year``), each of a PERT length drawn from ``days_range``, each costing the
TEU-days :func:`~midcorridor.analysis.events.event_impact` finds for that length on each
corridor (evaluated at :data:`LENGTH_POINTS` lengths across the range and interpolated).
A TEU-day costs the cargo's value of a day (``network/costs.yaml``, as the corridor
choice). Events are independent and do not overlap. The result: per corridor, the mean and
P10 / P50 / P90 of TEU-days and USD lost a year, next to which an investment's cost can be
read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import ScenarioError
from ..inputs.scenario import Scenario
from ..model.delays import sample_pert
from ..network.network import Network
from ..vocabulary import pert_shape

__all__ = ["LENGTH_POINTS", "AnnualLoss", "annual_loss", "loss_summary", "yearly_teu_days"]

#: Lengths (days) an event's loss is evaluated at, across its range.
LENGTH_POINTS = 5


@dataclass(frozen=True)
class AnnualLoss:
    """TEU-days and USD lost a year per corridor: ``{corridor: {mean, p10, p50, p90, p99}}``
    (a rare event leaves most years at 0: P99 is the year in a hundred)."""

    scenario: str
    years: int
    events: tuple[str, ...]
    teu_days: Mapping[str, Mapping[str, float]]
    usd: Mapping[str, Mapping[str, float]]

    def to_dict(self) -> dict[str, Any]:
        """JSON of the loss."""
        return {
            "scenario": self.scenario,
            "years": self.years,
            "events": list(self.events),
            "teu_days": {k: dict(v) for k, v in self.teu_days.items()},
            "usd": {k: dict(v) for k, v in self.usd.items()},
        }

    def __repr__(self) -> str:
        means = ", ".join(f"{c} {v['mean']:,.0f}" for c, v in self.teu_days.items())
        return f"AnnualLoss({self.scenario!r}, TEU-days a year: {means})"


def loss_summary(values: np.ndarray) -> dict[str, float]:
    """Mean, P10, P50, P90 and P99 of a loss over the simulated years."""
    p10, p50, p90, p99 = (float(x) for x in np.percentile(values, [10, 50, 90, 99]))
    return {"mean": float(values.mean()), "p10": p10, "p50": p50, "p90": p90, "p99": p99}


def annual_loss(
    scenario: Scenario,
    network: Network,
    *,
    years: int = 10_000,
    samples: int = 1000,
    seed: int = 0,
) -> AnnualLoss:
    """TEU-days and USD lost a year per corridor from the scenario's recurring events.

    Parameters
    ----------
    scenario
        A scenario whose ``events`` include some with ``per_year`` and ``days_range``.
    network
        The network.
    years
        Simulated years.
    samples
        Monte Carlo samples per trip of each :func:`event_impact` run.
    seed
        Seed of the drawn years.

    Raises
    ------
    ScenarioError
        If no event of the scenario recurs.
    """
    from ..runs.choice import value_of_day_usd

    events, totals, _ = yearly_teu_days(scenario, network, years=years, samples=samples, seed=seed)
    value_of_day = value_of_day_usd(network)
    return AnnualLoss(
        scenario=scenario.name,
        years=years,
        events=events,
        teu_days={c: loss_summary(v) for c, v in totals.items()},
        usd={c: loss_summary(v * value_of_day) for c, v in totals.items()},
    )


def yearly_teu_days(
    scenario: Scenario, network: Network, *, years: int, samples: int, seed: int
) -> tuple[tuple[str, ...], dict[str, np.ndarray], bool]:
    """The names of the scenario's recurring events, per corridor the TEU-days they cost in
    each of ``years`` drawn years (see :func:`annual_loss`), and whether every event's
    backlog drains (False: at some length it never does, as where the place is saturated
    without the event, and the TEU-days are a lower bound of an unbounded loss).

    The years drawn depend only on the events and ``seed``, not on what they cost: two
    scenarios with the same recurring events and seed meet the same events in the same
    years (common random numbers), so their difference year by year is the loss one
    avoids over the other.

    Raises
    ------
    ScenarioError
        If no event of the scenario recurs.
    """
    from .events import event_impact

    recurring = [(i, e) for i, e in enumerate(scenario.events) if e.per_year is not None]
    if not recurring:
        raise ScenarioError(
            f"{scenario.path}: no event recurs: give an event per_year and days_range "
            "(how many a year, and the range of its length in days)"
        )
    rng = np.random.default_rng(seed)
    totals: dict[str, np.ndarray] = {}
    drains = True
    for i, event in recurring:
        assert event.per_year is not None
        assert event.days_range is not None
        r = event.days_range
        lengths = np.linspace(max(r.low, 0.5), r.high, LENGTH_POINTS)
        lost = []
        for days in lengths:
            variant = scenario.events[i].model_copy(update={"days": float(days)})
            events = (*scenario.events[:i], variant, *scenario.events[i + 1 :])
            impact = event_impact(scenario.derive(events=events), network, i, samples=samples)
            lost.append(dict(impact.teu_days_lost))
            drains = drains and impact.days_to_recover is not None
        corridors = sorted({c for row in lost for c in row})
        counts = rng.poisson(event.per_year, size=years)
        alpha, beta = pert_shape(r.low, r.mode, r.high)
        drawn = sample_pert(r.low, r.high, alpha, beta, rng, int(counts.sum()))
        year_of = np.repeat(np.arange(years), counts)
        for corridor in corridors:
            curve = np.array([row.get(corridor, 0.0) for row in lost])
            per_event = np.interp(drawn, lengths, curve)
            totals.setdefault(corridor, np.zeros(years))
            totals[corridor] += np.bincount(year_of, weights=per_event, minlength=years)
    return tuple(e.name for _, e in recurring), totals, drains
