"""A scenario's Caspian level and dredging, resolved into the load factor of each crossing.

:func:`sea_level` reads the scenario's ``caspian`` (a published year and path, or a level
in m BS) and ``dredge`` settings against ``network/caspian.yaml`` and scales each Caspian
crossing's ``capacity_teu`` by its load factor
(:func:`midcorridor.model.sea_level.crossing_load_factor`): the one place the level
reaches the queues and the corridor choice.
"""

from __future__ import annotations

from .._errors import did_you_mean
from ..inputs.caspian_files import CaspianBook
from ..inputs.network_files import Service
from ..inputs.scenario import Scenario
from ..model.sea_level import Crossing, crossing_load_factor
from ..network._check_caspian import caspian_crossings
from ..network.network import CASPIAN_FILE, Network

__all__ = ["caspian_level_m", "sea_level"]


def caspian_level_m(scenario: Scenario, book: CaspianBook) -> float:
    """The level, m BS, the scenario's ``caspian`` setting names, within the published
    range of ``caspian.yaml``.

    Raises
    ------
    ScenarioError
        Naming the field of a year without a published level, a missing or needless
        path, or a level outside the published range.
    """
    setting = scenario.caspian
    assert setting is not None
    observed = {f.year: f.level_m for f in book.observed}
    if setting.level_m is not None:
        low, high = book.level_range()
        if not low <= setting.level_m <= high:
            raise scenario.error(
                "caspian.level_m",
                f"{setting.level_m:g} m is outside the published range {low:g} to {high:g} "
                f"m BS ({CASPIAN_FILE}: observed and forecast levels)",
            )
        return setting.level_m
    year = setting.year
    if year in observed:
        if setting.path is not None:
            raise scenario.error(
                "caspian.path", f"{year} is an observed year: it has no forecast path"
            )
        return observed[year]
    if year in book.forecasts:
        if setting.path is None:
            raise scenario.error(
                "caspian.path", f"{year} is forecast: give path optimistic or pessimistic"
            )
        return float(getattr(book.forecasts[year], setting.path))
    years = ", ".join(str(y) for y in sorted({*observed, *book.forecasts}))
    raise scenario.error(
        "caspian.year", f"no published level for {year} (years: {years}); or give level_m"
    )


def sea_level(
    scenario: Scenario, network: Network, services: dict[str, Service]
) -> tuple[dict[str, Crossing], set[str]]:
    """Each Caspian crossing's load factor at the scenario's level, applied to its
    service's ``capacity_teu`` in ``services``; the crossings too shallow to sail."""
    if scenario.caspian is None:
        if scenario.dredge:
            raise scenario.error("dredge", "give caspian (the sea's level) that the depths hold at")
        return {}, set()
    book = network.caspian
    if book is None:
        raise scenario.error("caspian", f"the network has no {CASPIAN_FILE}")
    for port in scenario.dredge:
        if port not in book.ports:
            raise scenario.error(
                f"dredge.{port}",
                f"{port!r} is not a Caspian port of {CASPIAN_FILE}{did_you_mean(port, book.ports)}",
            )
    level = caspian_level_m(scenario, book)
    crossings: dict[str, Crossing] = {}
    for link_id, link in caspian_crossings(network).items():
        service = services.get(link_id, link.props.service)
        assert service is not None
        ends = (link.props.from_, link.props.to)
        crossing = crossing_load_factor(
            book, link_id, ends, level, scenario.dredge, service.draft_m
        )
        crossings[link_id] = crossing
        if crossing.load_factor > 0:
            update = {"capacity_teu": service.capacity_teu * crossing.load_factor}
            services[link_id] = service.model_copy(update=update)
    return crossings, {k for k, c in crossings.items() if c.load_factor == 0}
