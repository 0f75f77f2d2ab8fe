"""How figures read in every view: rich tables, Markdown, map popups, chart labels.

One rule for lower bounds: a figure of a trip through a saturated queue is not a transit
time but a lower bound over the simulated horizon. It reads ``>477`` (never ``476.5``)
wherever it is shown, and the view carries :data:`SATURATED_NOTE` once.

Plain functions of numbers and strings: no numpy, no rich, no HTML. Each view escapes
the text for its own medium.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping

__all__ = [
    "LOWER_BOUND",
    "SATURATED_NOTE",
    "SATURATED_REASON",
    "correlation",
    "days",
    "delta_days",
    "hours",
    "km",
    "moved_stages",
    "percent",
    "short_place",
    "top_stages",
]

#: Prefix of a figure that is a lower bound.
LOWER_BOUND = ">"
#: Why a figure is a lower bound.
SATURATED_REASON = (
    "a queue on this trip is saturated (it grows without bound at this volume); the figure "
    "is the wait over a two-year simulated horizon, not a transit time"
)
#: What a lower bound means; shown once beside any view that holds one.
SATURATED_NOTE = f"{LOWER_BOUND} lower bound: {SATURATED_REASON}"
#: Place names longer than this are shortened on charts.
SHORT_NAME_CHARS = 18
#: Stage changes smaller than this (days) are not listed as moved.
MOVED_THRESHOLD_DAYS = 0.05
_NOT_A_NUMBER = "n/a"


def days(value: float, *, lower_bound: bool = False) -> str:
    """Days, one decimal (``23.8``); a lower bound rounds up, ``>477``."""
    if not math.isfinite(value):
        return _NOT_A_NUMBER
    if lower_bound:
        return f"{LOWER_BOUND}{math.floor(value):,.0f}"
    return f"{value:,.1f}"


def delta_days(value: float, *, lower_bound: bool = False) -> str:
    """A change in days with its sign (``+1.2``); against a lower bound, ``>+452``."""
    if not math.isfinite(value):
        return _NOT_A_NUMBER
    if lower_bound:
        return f"{LOWER_BOUND}{math.floor(value):+,.0f}"
    return f"{value:+,.1f}"


def hours(value: float, *, lower_bound: bool = False, unit: bool = True) -> str:
    """Hours: one decimal below 100 (``12.5 h``), whole above (``240 h``); ``>240 h``."""
    if not math.isfinite(value):
        return _NOT_A_NUMBER
    suffix = " h" if unit else ""
    if lower_bound:
        return f"{LOWER_BOUND}{math.floor(value):,.0f}{suffix}"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"
    return text + suffix


def km(value: float) -> str:
    """Kilometres, whole, with thousands separators (``5,334``)."""
    return f"{value:,.0f}" if math.isfinite(value) else _NOT_A_NUMBER


def usd(value: float) -> str:
    """``"6,191"``: US dollars, whole."""
    return f"{value:,.0f}"


def million_usd(value: float) -> str:
    """``"26.8"``: US dollars in millions, one decimal (no ``-0.0``)."""
    return f"{round(value / 1e6, 1) + 0.0:,.1f}"


def tonnes(kg: float) -> str:
    """``"5.4"``: kilograms shown as tonnes, one decimal."""
    return f"{kg / 1000:.1f}"


def percent(value: float, *, decimals: int = 0) -> str:
    """A share (0-1) as a percentage (``0.125`` -> ``12%``)."""
    return f"{value:.{decimals}%}" if math.isfinite(value) else _NOT_A_NUMBER


def correlation(value: float) -> str:
    """A correlation with its sign (``+0.52``); ``-`` where it is undefined."""
    return f"{value:+.2f}" if math.isfinite(value) else "-"


def top_stages(
    stage_days: Mapping[str, float], n: int = 3, *, lower_bound: Collection[str] = ()
) -> str:
    """The ``n`` stages with the most days: ``"rail 6.5, port 4.5, ferry_wait 4.4"``.

    Stages in ``lower_bound`` read as lower bounds (``ferry_wait >354``).
    """
    ranked = sorted(stage_days.items(), key=lambda kv: -kv[1])[:n]
    return ", ".join(
        f"{stage} {days(value, lower_bound=stage in lower_bound)}"
        for stage, value in ranked
        if value > 0
    )


def moved_stages(stage_deltas: Mapping[str, float], *, lower_bound: Collection[str] = ()) -> str:
    """Stages whose days changed, most saved first: ``"documents -1.2, port -0.4"``.

    Changes of stages in ``lower_bound`` read as lower bounds (``ferry_wait >+350``).
    """
    moved = sorted(stage_deltas.items(), key=lambda kv: kv[1])
    text = ", ".join(
        f"{s} {delta_days(v, lower_bound=s in lower_bound)}"
        for s, v in moved
        if abs(v) >= MOVED_THRESHOLD_DAYS
    )
    return text or "none"


def short_place(name: str) -> str:
    """A short place name for labels.

    ``"Dostyk / Alashankou"`` -> ``"Dostyk"``; a long name with a parenthesis keeps the
    parenthesis (``"Port of Baku (Alat)"`` -> ``"Alat"``); others are cut with an ellipsis.
    """
    first = name.split(" / ")[0]
    base, _, rest = first.partition(" (")
    base = base.strip()
    if len(base) > SHORT_NAME_CHARS and rest:
        base = rest.rstrip(")").strip()
    return base if len(base) <= SHORT_NAME_CHARS else base[: SHORT_NAME_CHARS - 1] + "\u2026"
