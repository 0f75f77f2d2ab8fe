"""Model of ``network/observations.yaml``: published transit times, each with its source,
what was timed, where, when and how it was stated, and whether it describes trips that ran
(``observed``) or a promise (``promised``: a schedule, a target, a planned first train).

``midcorridor calibrate`` scores the model against the observed ones (coverage of P10-P90,
P50 inside the published range, interval score) and gives each promise the probability
that the model meets it (:mod:`midcorridor.analysis.scores`). See docs/calibration.md.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Literal, get_args

from pydantic import Field, field_validator, model_validator

from ..vocabulary import HOURS_PER_DAY, Corridor
from ._models import Strict
from .bounds import Range
from .network_files import PublishedSource
from .scenario import RouteSpec

__all__ = [
    "DIRECTIONS",
    "KINDS",
    "MODES",
    "PLACE_TIMINGS",
    "STATISTICS",
    "TIMINGS",
    "Direction",
    "DoorLegs",
    "Figure",
    "Kind",
    "Mode",
    "Observation",
    "ObservationBook",
    "Statistic",
    "Timed",
    "parse_figure",
]

#: ``observed``: trips that ran (operator averages, trial shipments, forwarders' reported
#: durations, CPMM and Time Release Study measurements); ``promised``: schedules, targets,
#: planned or expected times.
Kind = Literal["observed", "promised"]
KINDS: tuple[Kind, ...] = get_args(Kind)

#: What was timed: a whole trip (door to door, terminal to terminal), a section of one,
#: a sea leg, or the hours spent at one place (a border crossing, a port dwell, a wait for
#: a ferry).
Timed = Literal[
    "door_to_door",
    "terminal_to_terminal",
    "section",
    "sea_leg",
    "border_crossing",
    "port_dwell",
    "ferry_wait",
]
TIMINGS: tuple[Timed, ...] = get_args(Timed)
#: Timings of the hours spent at one place (the entry's ``at``).
PLACE_TIMINGS: tuple[Timed, ...] = ("border_crossing", "port_dwell", "ferry_wait")

#: How the figure was stated: ``range`` (one figure or "a to b", as published), ``mean``,
#: ``median``, ``single`` (one identified trip), ``min`` ("at least", "over"), ``max``
#: ("up to", "reached").
Statistic = Literal["range", "mean", "median", "single", "min", "max"]
STATISTICS: tuple[Statistic, ...] = get_args(Statistic)

#: How the cargo timed travelled: by ``rail``, by ``sea`` (a ship or a ferry), or by
#: ``road`` for any part of what was timed (a truck crossing, a trip with a road leg).
Mode = Literal["rail", "sea", "road"]
MODES: tuple[Mode, ...] = get_args(Mode)

Direction = Literal["westbound", "eastbound"]
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)

_FIGURE = re.compile(
    r"^\s*(?P<low>\d+(?:\.\d+)?)\s*(?:-\s*(?P<high>\d+(?:\.\d+)?)\s*)?(?P<unit>days?|hours?)\s*$"
)


class Figure(Strict):
    """A published figure in days: its low and high ends as published, and half its
    rounding step (``"12 days"`` stands for 11.5-12.5 days; ``"20.1 hours"`` for
    20.05-20.15 hours)."""

    low_days: float
    high_days: float
    rounding_days: float

    @property
    def range_days(self) -> tuple[float, float]:
        """The range the published figure stands for, rounding included (days)."""
        return self.low_days - self.rounding_days, self.high_days + self.rounding_days

    @property
    def middle_days(self) -> float:
        """The middle of the published range (days)."""
        return (self.low_days + self.high_days) / 2


def parse_figure(text: str, statistic: Statistic) -> Figure:
    """``"20-22 days"``, ``"9 days"`` or ``"20.1 hours"`` as a :class:`Figure`.

    Raises
    ------
    ValueError
        If ``text`` is not a number or a range of two followed by ``days`` or ``hours``,
        or a range is given for a statistic that is one number.
    """
    match = _FIGURE.match(text)
    if match is None:
        raise ValueError(
            f"figure {text!r} does not parse: write a number or a range and a unit, "
            "e.g. '12 days', '20-22 days' or '20.1 hours'"
        )
    low, high = match["low"], match["high"] or match["low"]
    if float(low) > float(high):
        raise ValueError(f"figure {text!r}: the low end is above the high end")
    if match["high"] and statistic != "range":
        raise ValueError(f"figure {text!r} is a range: a {statistic} is one number")
    per_day = 1.0 if match["unit"].startswith("day") else HOURS_PER_DAY
    decimals = max(len(x.partition(".")[2]) for x in (low, high))
    return Figure(
        low_days=float(low) / per_day,
        high_days=float(high) / per_day,
        rounding_days=0.5 * 10.0**-decimals / per_day,
    )


class Observation(Strict):
    """One published time (an entry of ``observations.yaml``).

    Attributes
    ----------
    id
        A name unique in the file.
    kind
        ``observed`` or ``promised`` (:data:`Kind`).
    timed
        What was timed (:data:`Timed`).
    corridor
        The corridor the trips belonged to.
    mode
        How the cargo timed travelled (:data:`Mode`): the model carries rail and sea, so a
        ``road`` figure is kept with its source but not scored.
    route
        The trip timed, or for a place timing the trip that passes the place: origin,
        destination, shipment class, places to pass, and the corridor whose links it may
        take (``any`` for a section that is no corridor's by itself, e.g. a Black Sea
        crossing).
    at
        For a border crossing, port dwell or ferry wait: the place.
    direction
        ``westbound`` or ``eastbound``; checked against the route's places.
    year, months
        The period the trips ran (or the promise is for): ``months`` 1-12, in the order
        they ran (``[12, 1, 2]``: December of ``year`` to February), None if not stated.
    statistic, figure
        How it was stated (:data:`Statistic`) and the figure as published
        (``"20-22 days"``).
    source
        The publication.
    informs
        Keys of ``sources.yaml`` whose figures were set from this observation's figure,
        or checked against it: the model has seen it, so it is listed, not scored.
    set_aside
        Why the model's quantity is not what the source timed (a ship's wait at anchor, one
        side of a two-country crossing, a figure the project worked out, a second reading
        of another entry's statement): kept with its source, listed, neither scored nor
        fitted (None: it is).
    note
        How the entry was read from the source.
    """

    id: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    kind: Kind
    timed: Timed
    corridor: Corridor
    mode: Mode
    route: RouteSpec
    at: str | None = None
    direction: Direction
    year: int = Field(ge=1990, le=2100)
    months: tuple[int, ...] | None = Field(default=None, min_length=1, max_length=12)
    statistic: Statistic
    figure: str
    source: PublishedSource
    informs: tuple[str, ...] = ()
    set_aside: str | None = Field(default=None, min_length=1)
    note: str = ""

    @field_validator("months")
    @classmethod
    def _months(cls, value: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if value is not None:
            bad = [m for m in value if not 1 <= m <= 12]
            if bad:
                raise ValueError(f"months must be 1-12, got {bad}")
            if len(set(value)) != len(value):
                raise ValueError(f"months {list(value)} name a month twice")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Observation:
        try:
            self._check()
        except ValueError as exc:
            raise ValueError(f"{self.id}: {exc}") from None
        return self

    def _check(self) -> None:
        parse_figure(self.figure, self.statistic)
        if self.route.corridor not in ("any", self.corridor):
            raise ValueError(
                f"route.corridor {self.route.corridor!r} is not the observation's corridor "
                f"{self.corridor!r} (write 'any' to let the route take any link)"
            )
        if self.timed in PLACE_TIMINGS and self.at is None:
            raise ValueError(f"a {self.timed} needs 'at': the place timed")
        if self.timed not in PLACE_TIMINGS and self.at is not None:
            raise ValueError(f"'at' is for {', '.join(PLACE_TIMINGS)}, not a {self.timed}")
        today = dt.date.today()
        if self.last_month > (today.year, today.month):
            end = self.last_month
            raise ValueError(
                f"the period ends in {end[0]}-{end[1]:02d}, in the future: an observation "
                "set holds times of trips that ran, or promises for periods begun"
            )
        first = (self.year, (self.months or (1,))[0])
        if self.kind == "observed" and first > self.source.published:
            raise ValueError(
                f"an observed time of {first[0]}-{first[1]:02d} cannot be published on "
                f"{self.source.date}: a time stated before the trips ran is 'promised'"
            )

    @property
    def parsed(self) -> Figure:
        """The figure in days."""
        return parse_figure(self.figure, self.statistic)

    @property
    def scored_range_days(self) -> tuple[float, float]:
        """The range a model's value is scored against, days: the figure with its rounding;
        for a ``min`` no upper end (infinite), for a ``max`` no lower end (0)."""
        low, high = self.parsed.range_days
        if self.statistic == "min":
            return low, math.inf
        if self.statistic == "max":
            return 0.0, high
        return low, high

    @property
    def last_month(self) -> tuple[int, int]:
        """Year and month of the end of the period (December when months are not given)."""
        if self.months is None:
            return self.year, 12
        wrapped = sum(b < a for a, b in zip(self.months, self.months[1:], strict=False))
        return self.year + wrapped, self.months[-1]


class DoorLegs(Strict):
    """What a door-to-door time holds that the model's trips do not: the truck to the
    origin terminal, the forwarder's handling at its hubs and the delivery from the
    destination terminal, hours (a PERT estimate), with its source key."""

    hours: Range
    source: str
    note: str = ""


class ObservationBook(Strict):
    """``observations.yaml``: every published time, observed or promised, and the door
    legs added to the model's trip where a time was taken door to door (None: none; a set
    kept apart is scored with the network's own)."""

    observations: tuple[Observation, ...] = Field(min_length=1)
    door_legs: DoorLegs | None = None

    @model_validator(mode="after")
    def _unique_ids(self) -> ObservationBook:
        seen: set[str] = set()
        for i, obs in enumerate(self.observations):
            if obs.id in seen:
                raise ValueError(f"observations.{i}.id {obs.id!r} is used twice")
            seen.add(obs.id)
        return self
