"""The value of a policy grid's measure sets in expected annual loss avoided.

A grid's ``annual_loss`` (:class:`~midcorridor.inputs.grid_file.AnnualLossSpec`) names
scenario files whose recurring events (``per_year``, ``days_range``) strike the corridor
year after year. :func:`value_avoided_loss` puts those events, with their files' routes,
into the scenario of each measure set the frontier shows (at today's volume and
conditions), and draws the same years for every set (the same seed: common random
numbers, :func:`~midcorridor.analysis.annual_loss.yearly_teu_days`). A set that adds
capacity where the events strike drains their backlogs faster; its avoided loss, year by
year, is the loss with no measure minus the loss with the set, in USD at the cargo's value
of a day. A set that changes nothing the events' routes pass avoids exactly nothing.
Where an event's backlog never drains (the place saturated without it), the loss has no
bound and is not valued; nor is a set whose trips leave the place an event strikes (a
dredged port that takes the trips to another crossing): an event written for one place
says nothing of what strikes them where they go instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import numpy as np

from .._errors import MidcorridorError
from ..inputs.scenario import Scenario
from ..network.network import Network
from ..runs.grid import Grid
from .annual_loss import loss_summary, yearly_teu_days
from .events import event_reaches_a_route
from .frontier import Frontier

__all__ = ["value_avoided_loss"]


def value_avoided_loss(
    found: Frontier,
    grid: Grid,
    network: Network,
    *,
    every_set: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Frontier:
    """``found`` with the expected annual loss avoided by each set it shows.

    Parameters
    ----------
    found
        The grid's frontier (:func:`midcorridor.analysis.frontier.frontier`).
    grid
        The grid that made its results, with ``annual_loss``.
    network
        The network.
    every_set
        Value every measure set, not only the shown ones (cheapest, Pareto, best).
    progress
        Called with the measure set being valued.

    Raises
    ------
    MidcorridorError
        If the grid names no ``annual_loss``.
    """
    from ..runs.choice import value_of_day_usd

    spec = grid.spec.annual_loss
    if spec is None:
        raise MidcorridorError(
            f"{grid.path}: the grid names no annual_loss (the scenario files of the recurring "
            "events its measure sets are valued against)."
        )
    value_of_day = value_of_day_usd(network)
    recurring = [tuple(e for e in src.events if e.per_year is not None) for src in grid.loss_events]

    def with_events(values: Mapping[str, float | str]) -> list[Scenario]:
        """The measure set's scenario with each ``annual_loss`` file's routes and events."""
        scenario = grid.scenario(grid.points.index_of(values), seed=grid.spec.seed)
        return [
            scenario.derive(
                where=f"{grid.path}: field annual_loss.events.{k}",
                routes=source.routes,
                events=events,
            )
            for k, (source, events) in enumerate(zip(grid.loss_events, recurring, strict=True))
        ]

    def yearly_usd(scenarios: list[Scenario]) -> np.ndarray | None:
        """USD lost in each drawn year (None: some backlog never drains)."""
        total = np.zeros(spec.years)
        for k, scenario in enumerate(scenarios):
            _, by_corridor, drains = yearly_teu_days(
                scenario, network, years=spec.years, samples=spec.samples, seed=grid.spec.seed + k
            )
            if not drains:
                return None
            total += sum(by_corridor.values(), np.zeros(spec.years))
        return total * value_of_day

    def reached(scenarios: list[Scenario]) -> bool:
        """Whether the set's trips still pass every event's place."""
        return all(
            event_reaches_a_route(scenario, network, i)
            for scenario in scenarios
            for i in range(len(scenario.events))
        )

    if progress is not None:
        progress("no measure")
    today = yearly_usd(with_events({}))
    valued = set(map(id, found.sets if every_set else found.shown))
    sets = []
    for s in found.sets:
        if id(s) in valued:
            if progress is not None and s.moved:
                progress(", ".join(s.moved))
            with_set = today
            if s.moved:
                scenarios = with_events(s.values)
                with_set = yearly_usd(scenarios) if reached(scenarios) else None
            if today is not None and with_set is not None:
                s = dataclasses.replace(s, avoided_loss_usd=loss_summary(today - with_set))
        sets.append(s)
    return dataclasses.replace(
        found,
        sets=tuple(sets),
        annual_loss_usd=None if today is None else loss_summary(today),
        loss_valued=True,
        loss_events=tuple(e.name for events in recurring for e in events),
    )
