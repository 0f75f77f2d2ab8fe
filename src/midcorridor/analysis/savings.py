"""What a package of digital customs instruments saves, and on what evidence.

:func:`package_savings` splits what a scenario's ``instruments`` save into desk, queue,
connections and the rest (:attr:`~midcorridor.results.ComparisonEntry.delta_by_kind`), per
trip, against the same scenario without them, and what each instrument saves run alone,
with the weakest basis of its effect and of the hours it acts on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._errors import NetworkError
from ..inputs.customs_files import Instrument
from ..network.network import Network
from ..vocabulary import CHANNEL_STEP, SAVING_KINDS

if TYPE_CHECKING:
    from ..inputs.scenario import Scenario
    from ..runs.memo import RunMemo
    from ..runs.runner import ScenarioRun

__all__ = [
    "BASIS_ORDER",
    "InstrumentSaving",
    "PackageSavings",
    "instrument_sources",
    "package_savings",
    "weakest_basis",
]

#: Bases from strongest to weakest: an instrument's grade is its weakest figure's.
BASIS_ORDER = ("published", "calibrated", "derived", "assumption")


@dataclass(frozen=True)
class InstrumentSaving:
    """What one instrument, alone, saves on each trip: mean days by kind (negative: saved).

    ``effect_basis``: the weakest figure of its effect (``effect_sources``: its effects,
    channel shares, the regime it joins); ``hours_basis``: the weakest figure of the hours
    it changed (``hours_sources``, the steps' own figures)."""

    key: str
    name: str
    status: str
    effect_basis: str
    hours_basis: str
    effect_sources: tuple[str, ...]
    hours_sources: tuple[str, ...]
    by_trip: Mapping[str, Mapping[str, float]]

    def __repr__(self) -> str:
        return f"InstrumentSaving({self.key!r}, {self.status}, {self.basis})"

    @property
    def basis(self) -> str:
        """The weakest figure the saving rests on, effect or hours."""
        return max(self.effect_basis, self.hours_basis, key=BASIS_ORDER.index)


@dataclass(frozen=True)
class PackageSavings:
    """A package's saving against its reference, split by kind, and by instrument.

    ``by_trip``: trip label -> kind (:data:`~midcorridor.vocabulary.SAVING_KINDS`, and
    ``total``) -> change of mean days (negative: saved).
    """

    scenario: str
    reference: str
    by_trip: Mapping[str, Mapping[str, float]]
    instruments: tuple[InstrumentSaving, ...] = field(default=())

    def __repr__(self) -> str:
        keys = ", ".join(i.key for i in self.instruments)
        return f"PackageSavings({self.scenario!r}, {len(self.by_trip)} trips; {keys})"

    def evidence_share(self, trip: str, *, effect_only: bool = False) -> float | None:
        """Share of the instruments' savings on ``trip`` (each run alone) resting on
        figures better than an assumption: the effect's and the changed hours' (or, with
        ``effect_only``, the effect's alone); None if they save nothing."""
        saved = {i.key: max(0.0, -i.by_trip[trip]["total"]) for i in self.instruments}
        total = sum(saved.values())
        if total <= 0:
            return None
        sound = sum(
            saved[i.key]
            for i in self.instruments
            if (i.effect_basis if effect_only else i.basis) != "assumption"
        )
        return sound / total

    def to_dict(self) -> dict[str, Any]:
        """JSON of the savings."""
        return {
            "scenario": self.scenario,
            "reference": self.reference,
            "by_trip": {k: dict(v) for k, v in self.by_trip.items()},
            "evidence_share": {k: self.evidence_share(k) for k in self.by_trip},
            "effect_evidence_share": {
                k: self.evidence_share(k, effect_only=True) for k in self.by_trip
            },
            "instruments": [
                {
                    **vars(i),
                    "basis": i.basis,
                    "by_trip": {k: dict(v) for k, v in i.by_trip.items()},
                }
                for i in self.instruments
            ],
        }


def instrument_sources(network: Network, key: str) -> tuple[str, ...]:
    """Source keys of an instrument's figures: its effects, its channel shares, the regime
    it joins."""
    if network.instruments is None or network.customs is None:
        raise NetworkError(f"The network in {network.path} has no instruments.yaml.")
    inst = network.instruments.instruments[key]
    keys = [e.source for e in inst.effects]
    if inst.channels is not None:
        keys.append(inst.channels.source)
    if inst.joins is not None:
        keys.append(network.customs.regimes[inst.joins].source)
    return tuple(dict.fromkeys(keys))


def weakest_basis(network: Network, keys: Sequence[str]) -> str:
    """The weakest basis among the figures of ``keys`` (assumption if there are none)."""
    bases = [network.basis(k) for k in keys]
    return max(bases, key=BASIS_ORDER.index) if bases else "assumption"


def _acted_on(inst: Instrument, reference: ScenarioRun, alone: ScenarioRun) -> set[str]:
    """Source keys of the customs steps ``inst`` acts on in the reference's trips: those its
    effects select, the checks whose channel shares it sets, and the declarations its
    regime removes. The figures a saving is taken from."""
    checks = set(CHANNEL_STEP.values()) if inst.channels is not None else set()
    out: set[str] = set()
    after = {t.label: t for t in alone.trips}
    for trip in reference.trips:
        kept = (
            {(c.node, c.step) for c in after[trip.label].components}
            if trip.label in after
            else set()
        )
        for c in trip.components:
            if c.step is None or c.customs_country not in inst.countries:
                continue
            if inst.nodes is not None and c.node not in inst.nodes:
                continue
            if inst.shipments is not None and trip.shipment not in inst.shipments:
                continue
            effected = any(c.step in e.steps for e in inst.effects)
            dropped = inst.joins is not None and (c.node, c.step) not in kept
            if effected or c.step in checks or dropped:
                out.add(c.source)
    return out


def _by_trip(reference: ScenarioRun, run: ScenarioRun) -> dict[str, dict[str, float]]:
    """Trip label -> change of mean days by kind, and ``total``, against ``reference``."""
    from ..runs.runner import compare_runs

    out = {}
    for row in compare_runs([reference, run]):
        entry = row.entries[1]
        if entry is not None:
            kinds = entry.delta_by_kind
            out[row.label] = {**{k: kinds[k] for k in SAVING_KINDS}, "total": entry.delta_mean_days}
    return out


def package_savings(
    package: Scenario,
    network: Network,
    *,
    samples: int | None = None,
    memo: RunMemo | None = None,
) -> PackageSavings:
    """What ``package``'s instruments save against the same scenario without them, split
    into desk, queue, connections and the rest, and each instrument's saving run alone.

    Parameters
    ----------
    package
        A scenario switching instruments on.
    network
        The network.
    samples
        Samples per run (default: the scenario's); ignored when ``memo`` is given.
    memo
        Runs to share with other packages (the reference and each instrument alone are
        drawn once for all of them) and with runs already made; its samples count.
    """
    from ..runs.memo import RunMemo

    run = (memo or RunMemo(network, samples=samples)).run

    reference_scenario = package.derive(instruments=(), name="no instruments")
    reference = run(reference_scenario)
    whole = run(package)
    instruments = []
    for key in package.instruments:
        alone = run(package.derive(instruments=(key,)))
        effect = instrument_sources(network, key)
        inst = network.instruments.instruments[key]  # type: ignore[union-attr]
        hours = tuple(sorted(_acted_on(inst, reference, alone)))
        instruments.append(
            InstrumentSaving(
                key,
                inst.name,
                inst.status,
                weakest_basis(network, effect),
                weakest_basis(network, hours),
                effect,
                hours,
                _by_trip(reference, alone),
            )
        )
    return PackageSavings(
        package.name, reference_scenario.name, _by_trip(reference, whole), tuple(instruments)
    )
