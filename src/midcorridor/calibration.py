"""Calibration targets: published transit times the baseline must reproduce."""

from __future__ import annotations

from dataclasses import dataclass

from .network import Network
from .scenario import RouteSpec, Scenario
from .simulation import run_scenario

__all__ = ["TARGETS", "CalibrationRow", "Target", "calibrate"]


@dataclass(frozen=True)
class Target:
    """A published figure: the P50 days of ``route`` (or its ratio to ``versus``) in a band.

    ``required`` targets are asserted by the tests; the others are reported for context
    (their sources disagree with each other or describe best-case block trains).
    """

    name: str
    route: RouteSpec
    low: float
    high: float
    source: str
    versus: RouteSpec | None = None
    required: bool = True

    @property
    def unit(self) -> str:
        """``days`` or ``ratio``."""
        return "ratio" if self.versus is not None else "days"


_MID_KZ_RO = RouteSpec(origin="Almaty", destination="Constanta", corridor="middle")
_NORTH_KZ_RO = RouteSpec(origin="Almaty", destination="Constanta", corridor="northern")
_NORTH_CN_DE = RouteSpec(origin="Xi'an", destination="Duisburg", corridor="northern")
_MID_CN_DE = RouteSpec(origin="Xi'an", destination="Duisburg", corridor="middle")
_MID_CN_GE = RouteSpec(origin="Xi'an", destination="Poti", corridor="middle")
_KZ_TRANSIT = RouteSpec(origin="Altynkol", destination="Aktau", corridor="any")

_MISSION = (
    "Russian-language news analysis of the 'Central Asia + Japan' summit, Dec 2025 (mission brief)"
)

#: The published figures the baseline is calibrated to.
TARGETS: tuple[Target, ...] = (
    Target("Kazakhstan-Romania, Middle Corridor: about 50 days", _MID_KZ_RO, 45, 55, _MISSION),
    Target("Kazakhstan-Romania through Russia: about half", _NORTH_KZ_RO, 20, 30, _MISSION),
    Target(
        "Northern / Middle Corridor ratio, Kazakhstan-Romania: at most 0.6",
        _NORTH_KZ_RO,
        0.0,
        0.6,
        _MISSION,
        versus=_MID_KZ_RO,
    ),
    Target(
        "Xi'an-Duisburg through Russia: 12-20 days",
        _NORTH_CN_DE,
        12,
        20,
        "interreg-central.eu: Xi'an-Slawkow 9,477 km in 12 days; Forbes (W. Shepard, 2017)",
    ),
    Target(
        "Kazakh transit section, China border to Caspian port: 6-12 days",
        _KZ_TRANSIT,
        5,
        12,
        "Kazakh government meeting, newscentralasia.net 2023-03-04 (12 days in 2022, 6 in 2023)",
        required=False,
    ),
    Target(
        "China to a Georgian port, Middle Corridor: 12 (block train, best) to 50 days",
        _MID_CN_GE,
        12,
        50,
        "Azerbaijan deputy minister, AzerNews / MENAFN 2024-02-27",
        required=False,
    ),
    Target(
        "Xi'an-Duisburg Middle / Northern ratio: about 3 (World Bank)",
        _MID_CN_DE,
        2.0,
        3.5,
        "World Bank 2023, Middle Trade and Transport Corridor, hdl.handle.net/10986/40626",
        versus=_NORTH_CN_DE,
        required=False,
    ),
)


@dataclass(frozen=True)
class CalibrationRow:
    """A target with the model's value."""

    target: Target
    value: float

    @property
    def met(self) -> bool:
        """Whether the value lies in the target band."""
        return self.target.low <= self.value <= self.target.high


def calibrate(
    network: Network,
    baseline: Scenario,
    targets: tuple[Target, ...] = TARGETS,
    *,
    samples: int | None = None,
) -> list[CalibrationRow]:
    """Run the baseline's conditions on every target route and compare.

    Parameters
    ----------
    network
        The network.
    baseline
        The scenario giving today's conditions (month, volume, changes, closures).
    targets
        Targets to check.
    samples
        Monte Carlo samples (default: the baseline's).
    """
    specs = list(dict.fromkeys(s for t in targets for s in (t.route, t.versus) if s is not None))
    labelled = tuple(s.model_copy(update={"label": f"target {i}"}) for i, s in enumerate(specs))
    scenario = baseline.model_copy(update={"routes": labelled})
    run = run_scenario(scenario, network, samples=samples)
    p50 = {spec: run.trips[i].days()["p50"] for i, spec in enumerate(specs)}
    rows = []
    for target in targets:
        value = p50[target.route]
        if target.versus is not None:
            value /= p50[target.versus]
        rows.append(CalibrationRow(target, value))
    return rows
