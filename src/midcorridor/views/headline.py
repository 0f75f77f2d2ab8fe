"""The brief's answer as a table and a chart: days by class and departure month, on the
Middle Corridor and via Russia (:mod:`midcorridor.analysis.headline`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..analysis.headline import (
    HEADLINE_CORRIDORS,
    HEADLINE_SHIPMENTS,
    Headline,
)
from ..vocabulary import MONTH_NAMES
from . import formatting as fmt
from .charts import new_figure, write_chart
from .table import Table, columns

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["headline_chart", "headline_figure", "headline_table"]

_CORRIDOR_NAMES = {"middle": "Middle Corridor", "northern": "via Russia"}
#: One colour per corridor, the same in every panel.
_CORRIDOR_COLOURS = {"middle": "C3", "northern": "C0"}
#: The brief's figure, drawn as a reference line.
BRIEF_DAYS = 50.0


def headline_table(result: Headline) -> Table:
    """P50 days (P10-P90) by departure month, per class and corridor, with the answer in
    words as notes."""
    rows = []
    for month in range(1, 13):
        cells = [MONTH_NAMES[month - 1]]
        for shipment in HEADLINE_SHIPMENTS:
            for corridor in HEADLINE_CORRIDORS:
                c = result.cell(corridor, shipment, month)
                p50 = fmt.days(c.p50_days, lower_bound=c.saturated)
                cells.append(f"{p50} ({c.p10_days:.0f}-{c.p90_days:.0f})")
        rows.append(tuple(cells))
    return Table(
        title=(
            f"Days {result.origin}-{result.destination} by departure month, P50 (P10-P90): "
            f"{result.scenario}"
        ),
        columns=columns(
            "departs",
            *(
                f"{s.replace('_', ' ')}, {_CORRIDOR_NAMES[c]}#"
                for s in HEADLINE_SHIPMENTS
                for c in HEADLINE_CORRIDORS
            ),
        ),
        rows=tuple(rows),
        notes=tuple(result.sentences()),
    )


def headline_figure(result: Headline) -> Figure:
    """One panel per class: P50 days by departure month with the P10-P90 band, one colour
    per corridor, and the brief's 50 days as a reference line."""
    fig = new_figure(11, 4.5)
    axes = fig.subplots(1, len(HEADLINE_SHIPMENTS), sharey=True)
    months = list(range(1, 13))
    for ax, shipment in zip(axes, HEADLINE_SHIPMENTS, strict=True):
        for corridor in HEADLINE_CORRIDORS:
            cells = [result.cell(corridor, shipment, m) for m in months]
            colour = _CORRIDOR_COLOURS[corridor]
            ax.fill_between(
                months,
                [c.p10_days for c in cells],
                [c.p90_days for c in cells],
                color=colour,
                alpha=0.2,
                linewidth=0,
            )
            ax.plot(
                months,
                [c.p50_days for c in cells],
                color=colour,
                marker="o",
                label=f"{_CORRIDOR_NAMES[corridor]}, P50 (band: P10-P90)",
            )
        ax.axhline(BRIEF_DAYS, color="k", linestyle="--", linewidth=0.8)
        ax.text(0.8, BRIEF_DAYS, "the brief's 50 days", va="bottom", ha="left", fontsize=8)
        ax.set_xticks(months, MONTH_NAMES)
        ax.set_title(shipment.replace("_", " "))
        ax.set_xlabel("departure month")
        ax.grid(alpha=0.3)
    top = max(max(c.p90_days for c in result.cells), BRIEF_DAYS)
    axes[0].set_ylim(0, top * 1.08)
    axes[0].set_ylabel("days door to door")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False)
    fig.suptitle(
        f"{result.origin}-{result.destination}: days door to door by departure month "
        f"(scenario {result.scenario})"
    )
    return fig


def headline_chart(result: Headline, path: str | Path) -> Path:
    """Write :func:`headline_figure` to ``path`` (``.png`` or ``.svg``)."""
    return write_chart(lambda: headline_figure(result), path)
