"""Runs made once: analyses that time the same scenario under several names share its run.

A run depends on what a scenario says, not on what it is called: :class:`RunMemo` keys each
run by the scenario's settings (its name, description and the files it was read from left
out) and by the samples, seed and departure month it was drawn with. The report's customs
packages, for instance, each need the scenario without instruments and each instrument run
alone; with one memo they are drawn once, and the runs ``compare`` already made are reused.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..inputs.scenario import Scenario
from ..network.network import Network
from .runner import ScenarioRun, run_scenario

__all__ = ["RunMemo"]

#: Settings that name a scenario or say where it was read from: they change no figure.
_NAMING = frozenset({"name", "description", "path", "chain"})


def _key(scenario: Scenario, samples: int, seed: int, month: int | None) -> str:
    settings = scenario.model_dump_json(exclude=set(_NAMING))
    return f"{samples}:{seed}:{month}:{settings}"


class RunMemo:
    """Scenario runs on one network, each drawn once for given settings.

    Parameters
    ----------
    network
        The network every run is made on.
    samples
        Samples per run (default: each scenario's own).
    known
        Runs already made (on ``network``), reused where a scenario's settings match.
    """

    def __init__(
        self, network: Network, *, samples: int | None = None, known: Iterable[ScenarioRun] = ()
    ) -> None:
        self.network = network
        self.samples = samples
        self._runs: dict[str, ScenarioRun] = {}
        self.drawn = 0
        for run in known:
            self._runs[_key(run.scenario, run.samples, run.seed, run.month)] = run

    def run(self, scenario: Scenario) -> ScenarioRun:
        """The run of ``scenario``: drawn now, or the one made before with the same settings.

        A reused run keeps the scenario it was drawn for (its name may differ); its trips
        and figures are those ``run_scenario(scenario, ...)`` would give.
        """
        samples = self.samples if self.samples is not None else scenario.samples
        key = _key(scenario, samples, scenario.seed, scenario.departure_month)
        if key not in self._runs:
            self._runs[key] = run_scenario(scenario, self.network, samples=samples)
            self.drawn += 1
        return self._runs[key]

    def __repr__(self) -> str:
        return f"RunMemo({len(self._runs)} runs, {self.drawn} drawn here)"
