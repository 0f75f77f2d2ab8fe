"""The model scored against ``network/observations.yaml``: proper scores, not a band.

Each observation is run on the scenario of its era (:data:`ERA_OF_YEAR`), departing in its
months, and its quantity is read from the sampled trips: the days of the trip timed (with
the door legs of ``observations.yaml`` added where it was timed door to door: the model's
trips run terminal to terminal), the days spent at the place of a border crossing, port
dwell or ferry wait, or the days at sea of a sea leg. Each gets

- whether the model's P10-P90 covers the published figure (a range: overlaps it),
- whether the model's P50 falls inside the published range (the figure with its published
  rounding: "12 days" is 11.5-12.5); for a published mean, the model's mean,
- how far that P50 (or mean) lies outside the range, days,
- the interval score of the P10-P90 interval at the figure's middle (Gneiting and Raftery
  2007, ``scoringrules``): width plus 2/alpha times the miss, days, lower is better,
- the probability that the trip takes no longer than the figure: for a promise, the chance
  it is kept.

On a calibrated network each observation is scored with the fit that left out its source
(leave-one-source-out, :func:`held_out_factors`). What cannot be scored is listed with
why (:func:`why_not_scored`): a year without a scenario, a figure timed by road, which
the model does not carry, or one the network's figures were set from (``informs``), which
cannot test them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from ..inputs.changes import Change, Closures
from ..inputs.observations import Observation
from ..inputs.scenario import RouteSpec, Scenario
from ..model.delays import sample_estimate
from ..model.trip import TripResult
from ..network.network import Network
from ..runs.runner import run_scenario
from ..vocabulary import HOURS_PER_DAY, MOVING_STAGES, STANDING_STAGES

__all__ = [
    "ALPHA",
    "ERA_OF_YEAR",
    "GROUPINGS",
    "SAMPLES_PER_MONTH",
    "SET_ASIDE",
    "Factors",
    "ObservationScore",
    "ScoreSummary",
    "Scores",
    "door_legs_days",
    "era_of",
    "held_out_factors",
    "observed_days",
    "point_days",
    "promise_by_month",
    "run_observations",
    "score_observations",
    "timed_components",
    "why_not_comparable",
    "why_not_scored",
    "with_factors",
]

_Read = TypeVar("_Read")
#: Factors on the hours of source keys, as sorted ``(key, factor)`` pairs.
Factors = tuple[tuple[str, float], ...]

#: The scenario era (a key of :data:`~midcorridor.analysis.calibration.ERA_SCENARIOS`)
#: whose conditions describe the trips of each year; other years are not scored.
ERA_OF_YEAR: dict[int, str] = {2022: "2022", 2023: "2025", 2024: "2025", 2025: "2025", 2026: "2025"}
#: The P10-P90 interval is a central 1 - ALPHA prediction interval.
ALPHA = 0.2
#: Why an observation of a year without a scenario is not scored.
NO_SCENARIO = "no scenario describes its year"
#: How the reason of an entry set aside (``set_aside``) begins.
SET_ASIDE = "set aside"
#: Monte Carlo samples per departure month of an observation's period.
SAMPLES_PER_MONTH = 2000
#: Stages counted for the hours spent at a place, by what was timed.
PLACE_STAGES: dict[str, tuple[str, ...]] = {
    "border_crossing": STANDING_STAGES,
    "port_dwell": STANDING_STAGES,
    "ferry_wait": ("ferry_wait", "weather"),
}
#: Summaries :meth:`Scores.summary` groups by: a name and the key of an observation.
GROUPINGS: dict[str, Callable[[Observation], str]] = {
    "kind": lambda o: o.kind,
    "shipment": lambda o: o.route.shipment,
    "corridor": lambda o: o.corridor,
    "direction": lambda o: o.direction,
    "timed": lambda o: o.timed,
    "season": lambda o: _season(o.months),
}


def _season(months: Sequence[int] | None) -> str:
    if months is None:
        return "not stated"
    winter = {m in (11, 12, 1, 2, 3) for m in months}
    return "Nov-Mar" if winter == {True} else "Apr-Oct" if winter == {False} else "both"


def era_of(obs: Observation) -> str | None:
    """The era whose scenario describes ``obs``'s trips (None: no scenario for its year)."""
    return ERA_OF_YEAR.get(obs.year)


def why_not_comparable(obs: Observation, eras: Iterable[str] = ERA_OF_YEAR.values()) -> str | None:
    """Why the model, with the scenarios of ``eras``, cannot time what ``obs`` timed
    (None: it can). The fit learns from every comparable observed case."""
    era = era_of(obs)
    if obs.set_aside is not None:
        return f"{SET_ASIDE}: {obs.set_aside}"
    if obs.mode == "road":
        return "timed by road: the model carries rail and sea"
    if era is None:
        return NO_SCENARIO
    if era not in eras:
        return f"no scenario of era {era} was given"
    return None


def why_not_scored(obs: Observation, eras: Iterable[str] = ERA_OF_YEAR.values()) -> str | None:
    """Why ``obs`` is not scored (None: it is): not comparable
    (:func:`why_not_comparable`), or the network's own figures were set from it."""
    if obs.informs and obs.mode != "road" and obs.set_aside is None:
        return "a figure of the network was set from it or checked against it"
    return why_not_comparable(obs, eras)


def timed_components(obs: Observation, trip: TripResult, network: Network) -> np.ndarray | None:
    """Which components of ``trip`` hold what ``obs`` timed (a boolean mask), or None for
    the whole door-to-door trip.

    A sea leg: moving at sea and held by weather. A place timing: the hours at the place
    ``obs.at`` in the stages of :data:`PLACE_STAGES`.
    """
    if obs.at is None and obs.timed != "sea_leg":
        return None
    if obs.at is None:
        mask = [c.stage in MOVING_STAGES or c.stage == "weather" for c in trip.components]
    else:
        node = network.find_node(obs.at)
        stages = PLACE_STAGES[obs.timed]
        mask = [c.node == node and c.stage in stages for c in trip.components]
    return np.asarray(mask, dtype=bool)


def observed_days(obs: Observation, trip: TripResult, network: Network) -> np.ndarray:
    """What ``obs`` timed, in days, for each kept sample of ``trip`` (its route)."""
    mask = timed_components(obs, trip, network)
    if mask is None:
        door = obs.timed == "door_to_door"
        legs = door_legs_days(network, len(trip.kept_total_days), obs.id) if door else 0.0
        return trip.kept_total_days + legs
    return trip.hours[:, mask].sum(axis=1) / HOURS_PER_DAY


def door_legs_days(network: Network, samples: int, seeded_by: str) -> np.ndarray:
    """Days a time taken door to door holds beyond the model's trip (the door legs of the
    network's ``observations.yaml``): ``samples`` draws, seeded by the text ``seeded_by``
    (an observation's id, a target's name); zeros on a network without door legs."""
    book = network.observations
    if book is None or book.door_legs is None:
        return np.zeros(samples)
    digest = hashlib.sha256(seeded_by.encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
    return sample_estimate(book.door_legs.hours, rng, samples) / HOURS_PER_DAY


def point_days(low: float, high: float) -> float:
    """The figure of a published range ``low``-``high`` (days) that an interval score is
    taken at: its middle, or its one finite end (``min``: ``high`` infinite; ``max``:
    ``low`` 0)."""
    if math.isinf(high):
        return low
    if low <= 0:
        return high
    return (low + high) / 2


@dataclass(frozen=True)
class ObservationScore:
    """One observation against the model's distribution of what it timed (days).

    ``low``-``high`` is the published range with its rounding (``min``: no upper end;
    ``max``: no lower end).
    """

    observation: Observation
    era: str
    p10: float
    p50: float
    p90: float
    #: The model's figure of the published statistic: its mean for a ``mean``, else P50.
    centre: float
    low: float
    high: float
    probability_within: float
    saturated: bool

    @property
    def covered(self) -> bool:
        """Whether the model's P10-P90 overlaps the published range."""
        return self.p10 <= self.high and self.p90 >= self.low

    @property
    def p50_inside(self) -> bool:
        """Whether the model's P50 (its mean, for a published mean) lies in the published
        range."""
        return self.low <= self.centre <= self.high

    @property
    def model_slower(self) -> bool:
        """Whether the whole published range lies below the model's P10 (the model is
        slower than what was observed)."""
        return self.p10 > self.high

    @property
    def model_faster(self) -> bool:
        """Whether the whole published range lies above the model's P90 (the model is
        faster than what was observed)."""
        return self.p90 < self.low

    @property
    def distance_days(self) -> float:
        """How far the P50 (the mean, for a published mean) lies outside the published
        range (0 inside), days."""
        return max(0.0, self.low - self.centre, self.centre - self.high)

    @property
    def point_days(self) -> float:
        """The figure scored by the interval score (:func:`point_days`)."""
        return point_days(self.low, self.high)

    @property
    def interval_score(self) -> float:
        """Interval score of P10-P90 at :attr:`point_days` (days; lower is better)."""
        import scoringrules as sr

        return float(
            sr.interval_score(obs=self.point_days, lower=self.p10, upper=self.p90, alpha=ALPHA)
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON of the score."""
        o = self.observation
        return {
            "id": o.id,
            "kind": o.kind,
            "timed": o.timed,
            "shipment": o.route.shipment,
            "corridor": o.corridor,
            "direction": o.direction,
            "origin": o.route.origin,
            "destination": o.route.destination,
            "at": o.at,
            "year": o.year,
            "months": list(o.months) if o.months else None,
            "statistic": o.statistic,
            "figure": o.figure,
            "era": self.era,
            "low_days": self.low,
            "high_days": None if math.isinf(self.high) else self.high,
            "p10_days": self.p10,
            "p50_days": self.p50,
            "p90_days": self.p90,
            "model_days": self.centre,
            "covered": self.covered,
            "model_slower": self.model_slower,
            "model_faster": self.model_faster,
            "p50_inside": self.p50_inside,
            "distance_days": self.distance_days,
            "interval_score_days": self.interval_score,
            "probability_within": self.probability_within,
            "saturated": self.saturated,
            "source": o.source.url,
        }


@dataclass(frozen=True)
class ScoreSummary:
    """Scores of a group of observations."""

    group: str
    value: str
    count: int
    coverage: float
    #: Shares of the cases whose published range lies wholly below the model's P10 (the
    #: model slower than observed) and wholly above its P90 (faster): ``1 - coverage`` in
    #: all. A model as uncertain as the trips would have about a tenth on each side of a
    #: single trip's time; a large share on both sides says its P10-P90 is too narrow,
    #: on one side that it is biased.
    slower: float
    faster: float
    p50_inside: float
    mean_distance_days: float
    mean_interval_score: float

    def to_dict(self) -> dict[str, Any]:
        """JSON of the summary."""
        return dict(self.__dict__)


def _summary(group: str, value: str, rows: Sequence[ObservationScore]) -> ScoreSummary:
    return ScoreSummary(
        group=group,
        value=value,
        count=len(rows),
        coverage=float(np.mean([r.covered for r in rows])),
        slower=float(np.mean([r.model_slower for r in rows])),
        faster=float(np.mean([r.model_faster for r in rows])),
        p50_inside=float(np.mean([r.p50_inside for r in rows])),
        mean_distance_days=float(np.mean([r.distance_days for r in rows])),
        mean_interval_score=float(np.mean([r.interval_score for r in rows])),
    )


@dataclass(frozen=True)
class Scores:
    """Every observation scored (:func:`score_observations`), and those left out."""

    rows: tuple[ObservationScore, ...]
    not_scored: tuple[tuple[Observation, str], ...] = ()
    #: The chance each promise is kept, by departure month (January first), when asked.
    promises_by_month: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

    def __iter__(self) -> Iterator[ObservationScore]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def observed(self) -> tuple[ObservationScore, ...]:
        """Scores of trips that ran."""
        return tuple(r for r in self.rows if r.observation.kind == "observed")

    @property
    def promised(self) -> tuple[ObservationScore, ...]:
        """Scores of promises: the probability each is kept."""
        return tuple(r for r in self.rows if r.observation.kind == "promised")

    def overall(self) -> ScoreSummary | None:
        """Scores of every observed case together (None if there is none)."""
        return _summary("all", "observed", self.observed) if self.observed else None

    def summary(self, groupings: Iterable[str] = GROUPINGS) -> list[ScoreSummary]:
        """Scores of the observed cases by each grouping of :data:`GROUPINGS`."""
        out = []
        for name in groupings:
            key = GROUPINGS[name]
            values: dict[str, list[ObservationScore]] = {}
            for row in self.observed if name != "kind" else self.rows:
                values.setdefault(key(row.observation), []).append(row)
            out += [_summary(name, v, rows) for v, rows in sorted(values.items())]
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON: the overall and grouped summaries, every score, and what was not scored."""
        overall = self.overall()
        return {
            "overall": overall.to_dict() if overall else None,
            "summary": [s.to_dict() for s in self.summary()],
            "observations": [r.to_dict() for r in self.rows],
            "not_scored": [{"id": o.id, "why": why} for o, why in self.not_scored],
            "promises_by_month": {k: list(v) for k, v in self.promises_by_month.items()},
        }


def with_factors(scenario: Scenario, factors: Mapping[str, float], note: str) -> Scenario:
    """``scenario`` with the hours resting on each source key multiplied by its factor
    (first, before the scenario's own changes)."""
    extra = tuple(
        Change(figure_source=(key,), scale=value, note=note, source=key)
        for key, value in factors.items()
    )
    return scenario.derive(changes=extra + scenario.changes)


def held_out_factors(network: Network) -> Callable[[Observation], dict[str, float]] | None:
    """For a calibrated network, the factors to score each observation with: those of the
    fit that left out its source (its fold); an observation in no fold (a promise) gets the
    full fit's."""
    book = network.calibrated
    if book is None:
        return None
    informed = book.factors()

    def factors(obs: Observation) -> dict[str, float]:
        fold = book.fold_of(obs.id)
        chosen = fold.factors if fold is not None else informed
        return {k: chosen.get(k, v) for k, v in informed.items()}

    return factors


def score_observations(
    network: Network,
    scenarios: Mapping[str, Scenario],
    observations: Sequence[Observation] | None = None,
    *,
    samples_per_month: int = SAMPLES_PER_MONTH,
    by_month: bool = False,
    unscored: Callable[[Observation, Iterable[str]], str | None] = why_not_scored,
) -> Scores:
    """Run every observation on its era's scenario and score it.

    Parameters
    ----------
    network
        The network (its ``observations.yaml`` unless ``observations`` is given).
    scenarios
        Scenario of each era (``{"2025": baseline, "2022": conditions_2022}``).
    observations
        Observations to score (default: every one of the network).
    samples_per_month
        Monte Carlo samples per departure month (a period not stated: over the year).
    by_month
        Also give each promise the chance it is kept for a departure in each month
        (:func:`promise_by_month`, on the network as it is).
    unscored
        Why an observation is left out (None: it is scored), given the eras at hand;
        :func:`why_not_comparable` also scores those the network's figures were set from.

    Returns
    -------
    Scores
        One score per observation run; the others are listed in ``not_scored`` with the
        reason (:func:`why_not_scored`). On a calibrated network each
        observation is scored with the fit that did not see its source
        (:func:`held_out_factors`).
    """
    if observations is None:
        observations = network.require_observations().observations
    factors_of = held_out_factors(network)
    kept_by_month: dict[str, tuple[float, ...]] = {}
    if by_month:
        promises = [o for o in observations if o.kind == "promised"]
        kept_by_month = promise_by_month(
            network, scenarios, promises, samples_per_month=samples_per_month
        )
    if factors_of is not None:
        network = network.uncalibrated()
    runnable: dict[tuple[str, tuple[int, ...] | None, Factors], list[Observation]] = {}
    not_scored: list[tuple[Observation, str]] = []
    for obs in observations:
        why = unscored(obs, scenarios)
        era = era_of(obs)
        if why is not None or era is None:
            not_scored.append((obs, why or NO_SCENARIO))
            continue
        factors = tuple(sorted(factors_of(obs).items())) if factors_of else ()
        runnable.setdefault((era, obs.months, factors), []).append(obs)
    rows = []
    for (era, months, factors), group in runnable.items():
        conditions = scenarios[era]
        if factors:
            conditions = with_factors(conditions, dict(factors), "calibrated, held out")
        days = _run_group(network, conditions, group, months or (None,), samples_per_month)
        for obs in group:
            values, saturated = days[obs.id]
            rows.append(_score(obs, era, np.concatenate(values), saturated))
    order = {o.id: i for i, o in enumerate(observations)}
    rows.sort(key=lambda r: order[r.observation.id])
    return Scores(tuple(rows), tuple(not_scored), kept_by_month)


def run_observations(
    network: Network,
    conditions: Scenario,
    group: Sequence[Observation],
    months: Sequence[int | None],
    samples_per_month: int,
    read: Callable[[Observation, TripResult], _Read],
) -> dict[str, tuple[list[_Read], bool]]:
    """``read`` of each observation of ``group`` (all of one era) from its trip, once per
    departure month of ``months``, and whether its trip passed a saturated queue.

    A sea leg is timed port to port, so its trip may take no rail link (else the fastest
    way to Rotterdam could be a sailing to Constanta and a train).
    """
    sea_legs = [o for o in group if o.timed == "sea_leg"]
    if sea_legs and len(sea_legs) < len(group):
        others = [o for o in group if o.timed != "sea_leg"]
        return {
            **run_observations(network, conditions, sea_legs, months, samples_per_month, read),
            **run_observations(network, conditions, others, months, samples_per_month, read),
        }
    if sea_legs:
        rail = tuple(lk.id for lk in network.links_by_id.values() if lk.props.mode == "rail")
        closures = conditions.closures.merged(Closures(links=rail, note="a sea leg: sailings only"))
        conditions = conditions.derive(closures=closures)
    specs = list(dict.fromkeys(_unlabelled(o.route) for o in group))
    labelled = [
        s.model_copy(update={"label": f"observation route {i}"}) for i, s in enumerate(specs)
    ]
    by_month: dict[str, list[_Read]] = {o.id: [] for o in group}
    saturated: dict[str, bool] = {o.id: False for o in group}
    for month in months:
        scenario = conditions.derive(routes=labelled, departure_month=month)
        run = run_scenario(scenario, network, samples=samples_per_month)
        trips: dict[RouteSpec, TripResult] = dict(zip(specs, run.trips, strict=True))
        for obs in group:
            trip = trips[_unlabelled(obs.route)]
            by_month[obs.id].append(read(obs, trip))
            saturated[obs.id] = saturated[obs.id] or trip.saturated
    return {k: (v, saturated[k]) for k, v in by_month.items()}


def _run_group(
    network: Network,
    conditions: Scenario,
    group: Sequence[Observation],
    months: Sequence[int | None],
    samples_per_month: int,
) -> dict[str, tuple[list[np.ndarray], bool]]:
    """Days timed of each observation of ``group``, one array per departure month."""

    def read(obs: Observation, trip: TripResult) -> np.ndarray:
        return observed_days(obs, trip, network)

    return run_observations(network, conditions, group, months, samples_per_month, read)


def _unlabelled(route: RouteSpec) -> RouteSpec:
    return route.model_copy(update={"label": None})


def promise_by_month(
    network: Network,
    scenarios: Mapping[str, Scenario],
    promises: Sequence[Observation],
    *,
    samples_per_month: int = SAMPLES_PER_MONTH,
) -> dict[str, tuple[float, ...]]:
    """For each promise, the probability it is kept for a departure in each month
    (January first), on its era's scenario; promises of eras without one are left out."""
    by_era: dict[str, list[Observation]] = {}
    for obs in promises:
        era = era_of(obs)
        if era is not None and era in scenarios:
            by_era.setdefault(era, []).append(obs)
    out: dict[str, tuple[float, ...]] = {}
    for era, group in by_era.items():
        runs = _run_group(network, scenarios[era], group, range(1, 13), samples_per_month)
        for obs in group:
            high = obs.parsed.range_days[1]
            out[obs.id] = tuple(float(np.mean(days <= high)) for days in runs[obs.id][0])
    return out


def _score(obs: Observation, era: str, days: np.ndarray, saturated: bool) -> ObservationScore:
    low, high = obs.scored_range_days
    p10, p50, p90 = (float(x) for x in np.percentile(days, [10, 50, 90]))
    centre = float(np.mean(days)) if obs.statistic == "mean" else p50
    within = float(np.mean(days <= high)) if not math.isinf(high) else 1.0
    return ObservationScore(obs, era, p10, p50, p90, centre, low, high, within, saturated)
