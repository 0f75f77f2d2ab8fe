"""The model checked against what was published, as the report shows it: the calibration
targets (:func:`~.calibration.calibrate`) and the scores against observed and promised
times (:func:`~.scores.score_observations`), each era on its scenario."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..inputs.scenario import default_scenario
from ..network.network import Network
from ..network.read import load
from .calibration import Calibration, calibrate, era_conditions
from .scores import SAMPLES_PER_MONTH, Scores, score_observations

__all__ = ["ModelChecks", "check_model", "check_model_in"]


@dataclass(frozen=True)
class ModelChecks:
    """The calibration targets checked, and the scores (None without observations)."""

    calibration: Calibration
    scores: Scores | None

    def __repr__(self) -> str:
        scored = "no observations" if self.scores is None else f"{len(self.scores.rows)} scored"
        return f"ModelChecks({len(self.calibration.rows)} targets, {scored})"


def check_model(network: Network, *, samples: int | None = None) -> ModelChecks:
    """Check the model on ``network`` against its targets and observations.

    Each era runs on its scenario (the default baseline for 2025, its era files for the
    others); ``samples`` is the Monte Carlo samples of every run (default: each scenario's
    for the targets, :data:`~.scores.SAMPLES_PER_MONTH` a departure month for the scores).
    """
    conditions = era_conditions(default_scenario())
    checked = calibrate(network, conditions["2025"], samples=samples)
    scores = None
    if network.observations is not None:
        per_month = samples or SAMPLES_PER_MONTH
        scores = score_observations(network, conditions, samples_per_month=per_month, by_month=True)
    return ModelChecks(checked, scores)


def check_model_in(network_dir: Path | None, samples: int | None = None) -> ModelChecks:
    """:func:`check_model` of the network in ``network_dir`` (default: network/ of this
    checkout), loaded here: what a second process runs (see ``midcorridor._background``)."""
    return check_model(load(network_dir), samples=samples)
