"""How figures read in every view, and the two table renderers."""

from __future__ import annotations

import math

import pytest
from rich.console import Console

from midcorridor.views import formatting as fmt
from midcorridor.views.table import Column, Table, to_markdown, to_rich


@pytest.mark.parametrize(
    ("value", "lower_bound", "text"),
    [
        (23.84, False, "23.8"),
        (1234.5, False, "1,234.5"),
        (476.5, True, ">476"),
        (476.99, True, ">476"),
        (math.nan, False, "n/a"),
        (math.inf, True, "n/a"),
    ],
)
def test_days(value: float, lower_bound: bool, text: str) -> None:
    assert fmt.days(value, lower_bound=lower_bound) == text


def test_a_lower_bound_never_rounds_up() -> None:
    """'>477' for 476.5 days would claim more than the samples show."""
    assert fmt.days(476.5, lower_bound=True) == ">476"
    assert fmt.delta_days(451.7, lower_bound=True) == ">+451"
    assert fmt.hours(240.9, lower_bound=True) == ">240 h"


def test_hours_and_deltas() -> None:
    assert fmt.hours(12.345) == "12.3 h"
    assert fmt.hours(240.4) == "240 h"
    assert fmt.hours(12.3, unit=False) == "12.3"
    assert fmt.delta_days(-1.24) == "-1.2"
    assert fmt.delta_days(0.0) == "+0.0"
    assert fmt.km(5334.4) == "5,334"
    assert fmt.percent(0.125, decimals=1) == "12.5%"
    assert fmt.correlation(math.nan) == "-"
    assert fmt.correlation(0.5) == "+0.50"


def test_stage_lists_mark_lower_bounds() -> None:
    days = {"rail": 6.5, "ferry_wait": 354.7, "port": 4.6, "weather": 0.0}
    assert fmt.top_stages(days) == "ferry_wait 354.7, rail 6.5, port 4.6"
    assert fmt.top_stages(days, lower_bound={"ferry_wait"}) == "ferry_wait >354, rail 6.5, port 4.6"
    deltas = {"documents": -1.24, "ferry_wait": 350.2, "rail": 0.01}
    assert fmt.moved_stages(deltas) == "documents -1.2, ferry_wait +350.2"
    assert (
        fmt.moved_stages(deltas, lower_bound={"ferry_wait"}) == "documents -1.2, ferry_wait >+350"
    )
    assert fmt.moved_stages({"rail": 0.01}) == "none"


def test_short_place() -> None:
    assert fmt.short_place("Dostyk / Alashankou") == "Dostyk"
    assert fmt.short_place("International Sea Trade Port of Baku (Alat)") == "Alat"


HOSTILE = Table(
    title="Scenario [bold]x[/bold] <script>",
    columns=(Column("route"), Column("days", numeric=True)),
    rows=(("Almaty-Constanta [via Aktau] | <img src=x>", ">476"), ("a\nb", "1.0")),
    notes=("> lower bound",),
)


def test_rich_shows_brackets_as_text() -> None:
    console = Console(record=True, width=200)
    console.print(to_rich(HOSTILE))
    text = console.export_text()
    assert "[via Aktau]" in text
    assert "[bold]x[/bold]" in text
    assert ">476" in text


def test_markdown_cannot_break_a_table_or_open_a_tag() -> None:
    text = to_markdown(HOSTILE)
    _, rule, *rows = text.splitlines()[:4]
    assert rule == "| --- | ---: |"
    assert "<img" not in text
    assert "&lt;img src=x>" in rows[0]
    assert "\\|" in rows[0]
    assert rows[1] == "| a b | 1.0 |"
    assert text.splitlines()[-1].startswith("_> lower bound_")
