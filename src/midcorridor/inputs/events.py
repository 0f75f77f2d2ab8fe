"""Disruption events in a scenario: a place closed or slowed from a date, for some days.

An :class:`Event` names one place (a node, a link, a country or a sea passage), the day it
starts, how many days it lasts, whether shippers know that length when it starts or learn
it only when it ends, the share of the place's capacity left during it, and how that
capacity comes back afterwards (:class:`RecoveryStep`). Where the network gives the place
no capacity (a rail link, a passage), the event may give the flow and the capacity it
drains at, each with its source. :mod:`midcorridor.analysis.events` turns an event into
days for the shipments departing in each week around it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from pydantic import Field, model_validator

from ..vocabulary import Passage
from ._models import Strict
from .bounds import CountryCode, Range
from .network_files import PublishedSource

__all__ = ["MAX_EVENT_DAYS", "REPORTED_MEASURES", "Event", "RecoveryStep", "Reported"]

#: What a report of an event's scale can be checked on: trains held at the place when the
#: event ends, at most at any time, days from the end until the backlog is gone, days a
#: closed passage's detour adds to a voyage, and the share of the cargo that switched
#: corridor (0 to 1).
ReportedMeasure = Literal[
    "trains_stranded_at_end", "peak_trains", "days_to_recover", "detour_days", "share_switched"
]
REPORTED_MEASURES: tuple[ReportedMeasure, ...] = get_args(ReportedMeasure)

#: Longest event, days (the Red Sea's Cape routing lasted about 25 months).
MAX_EVENT_DAYS = 1_500
#: Largest flow or capacity an event may give, TEU a day (all China-Europe rail is ~1,300).
MAX_EVENT_TEU_PER_DAY = 100_000.0


class RecoveryStep(Strict):
    """After an event ends: until ``days`` after the end, ``capacity`` of the place's
    capacity (a share, 0 to 1) is back."""

    days: float = Field(gt=0, le=MAX_EVENT_DAYS, allow_inf_nan=False)
    capacity: float = Field(gt=0, le=1, allow_inf_nan=False)


class Reported(Strict):
    """What was reported of an event's scale: a measure between ``low`` and ``high``
    (one of them may be left out: "over 130 trains" is ``low: 130``)."""

    measure: ReportedMeasure
    low: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    high: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    source: PublishedSource
    note: str | None = None

    @model_validator(mode="after")
    def _a_range(self) -> Reported:
        if self.low is None and self.high is None:
            raise ValueError("give low, high or both")
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError(f"high {self.high:g} is below low {self.low:g}")
        return self

    def holds(self, value: float | None) -> bool:
        """Whether the model's ``value`` lies within the reported range."""
        if value is None:
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


class Event(Strict):
    """One disruption: where, from when, for how long, and how the place recovers.

    Attributes
    ----------
    name
        What happened.
    node, link, country, passage
        The place: exactly one (a node by id, name or alias; a link by id; a country code;
        a sea passage, ``suez``).
    start
        The first day of the event (ISO date).
    days
        How long it lasts, days (more than 0, at most :data:`MAX_EVENT_DAYS`).
    known
        Whether shippers know the length when it starts (the date it will end is
        announced); else they learn it only when it ends.
    capacity
        Share of the place's capacity left during the event (0: closed); at a passage, the
        share of ships still passing it (the others sail round).
    recovery
        After the end: steps of capacity coming back, ``days`` after the end increasing
        and ``capacity`` never falling; full capacity after the last step.
    flow_teu_per_day, capacity_teu_per_day
        The TEU a day that reach the place and that it can handle, where the network gives
        no capacity (otherwise they come from the network and the scenario's volume);
        ``capacity_teu_per_day`` left out there: the place has capacity to spare, so the
        waits end with the event. A passage takes none: its ships sail the network's
        detour instead of queueing (:mod:`midcorridor.analysis.events`).
    sources
        Where the event's date, length and place were published.
    reported
        What was reported of its scale, checked by ``midcorridor events``.
    per_year, days_range, frequency_note
        For an event that recurs: how many a year on average, the PERT range of its length
        in days (``days`` is the one recorded), and what the frequency rests on; used by
        :func:`midcorridor.annual_loss`.
    """

    name: str = Field(min_length=1)
    node: str | None = None
    link: str | None = None
    country: CountryCode | None = None
    passage: Passage | None = None
    start: dt.date
    days: float = Field(gt=0, le=MAX_EVENT_DAYS, allow_inf_nan=False)
    known: bool = False
    capacity: float = Field(default=0.0, ge=0, lt=1, allow_inf_nan=False)
    recovery: tuple[RecoveryStep, ...] = ()
    flow_teu_per_day: float | None = Field(
        default=None, gt=0, le=MAX_EVENT_TEU_PER_DAY, allow_inf_nan=False
    )
    capacity_teu_per_day: float | None = Field(
        default=None, gt=0, le=MAX_EVENT_TEU_PER_DAY, allow_inf_nan=False
    )
    sources: tuple[PublishedSource, ...] = ()
    reported: tuple[Reported, ...] = ()
    per_year: float | None = Field(default=None, gt=0, le=52, allow_inf_nan=False)
    days_range: Range | None = None
    frequency_note: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_place_and_a_monotone_recovery(self) -> Event:
        places = [k for k in ("node", "link", "country", "passage") if getattr(self, k)]
        if len(places) != 1:
            raise ValueError(
                "give exactly one of node, link, country or passage"
                + (f" (got {', '.join(places)})" if places else "")
            )
        for before, after in zip(self.recovery, self.recovery[1:], strict=False):
            if after.days <= before.days:
                raise ValueError(
                    f"recovery days must increase: {after.days:g} after {before.days:g}"
                )
            if after.capacity < before.capacity:
                raise ValueError(
                    f"recovery must not fall: capacity {after.capacity:g} after {before.capacity:g}"
                )
        if self.passage and self.capacity_teu_per_day is not None:
            raise ValueError(
                "a passage keeps no queue (ships reaching it closed sail round): "
                "give no capacity_teu_per_day"
            )
        if (self.per_year is None) != (self.days_range is None):
            raise ValueError("a recurring event needs both per_year and days_range")
        if self.days_range is not None and not 0 < self.days_range.high <= MAX_EVENT_DAYS:
            raise ValueError(f"days_range.high must be above 0 and at most {MAX_EVENT_DAYS}")
        if self.recovery and self.recovery[0].capacity < self.capacity:
            raise ValueError(
                f"recovery must not fall: capacity {self.recovery[0].capacity:g} after the "
                f"event's {self.capacity:g}"
            )
        return self

    @property
    def place(self) -> tuple[str, str]:
        """(kind, value): ``("node", "BREST_MALASZEWICZE")``."""
        for kind in ("node", "link", "country", "passage"):
            value = getattr(self, kind)
            if value:
                return kind, str(value)
        raise AssertionError("validated: one place")

    @property
    def recovery_days(self) -> float:
        """Days after the end until full capacity."""
        return self.recovery[-1].days if self.recovery else 0.0

    def capacity_share(self, day: float) -> float:
        """Share of capacity ``day`` days after the start (full before it)."""
        if day < 0:
            return 1.0
        if day < self.days:
            return self.capacity
        after = day - self.days
        for step in self.recovery:
            if after < step.days:
                return step.capacity
        return 1.0
