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

__all__ = ["ModelChecks", "check_model", "check_targets", "score_model", "score_model_in"]


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
    return ModelChecks(check_targets(network, samples=samples), score_model(network, samples))


def check_targets(network: Network, *, samples: int | None = None) -> Calibration:
    """The calibration targets of ``network`` on the default baseline's conditions."""
    return calibrate(network, era_conditions(default_scenario())["2025"], samples=samples)


def score_model(network: Network, samples: int | None = None) -> Scores | None:
    """The scores against every observation and, by departure month, every promise (None
    without observations)."""
    if network.observations is None:
        return None
    per_month = samples or SAMPLES_PER_MONTH
    conditions = era_conditions(default_scenario())
    return score_observations(network, conditions, samples_per_month=per_month, by_month=True)


def score_model_in(network_dir: Path | None, samples: int | None = None) -> Scores | None:
    """:func:`score_model` of the network in ``network_dir`` (default: network/ of this
    checkout), loaded here: what a second process runs (see ``midcorridor._background``)."""
    return score_model(load(network_dir), samples)
