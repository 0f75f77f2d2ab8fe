"""A table of formatted text, independent of where it is shown, and its two renderings.

Each ``*_table`` function of :mod:`.run_tables` and :mod:`.analysis_tables` turns a result
into a :class:`Table` of already formatted text (through :mod:`midcorridor.views.formatting`,
so a lower bound reads ``>477`` and the table carries
:data:`~midcorridor.views.formatting.SATURATED_NOTE`). :func:`to_rich` renders it for the
terminal, :func:`to_markdown` for the report: the same columns and the same figures. A
column marked ``wide`` is left out of the terminal's table unless asked for (``--wide``),
so that a table fits 100 columns; Markdown, CSV and records keep every column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import formatting as fmt
from .safe_text import for_markdown, for_terminal

if TYPE_CHECKING:
    import rich.table

__all__ = [
    "Column",
    "Table",
    "columns",
    "lower_bound_notes",
    "to_csv",
    "to_markdown",
    "to_records",
    "to_rich",
]


#: Characters of a row's label (its first cell) kept on one line in a terminal's table.
MAX_LABEL_WIDTH = 56


@dataclass(frozen=True)
class Column:
    """A column: its header, whether it holds numbers (right-aligned), and whether a
    terminal shows it only when asked for every column (``wide``)."""

    header: str
    numeric: bool = False
    wide: bool = False


@dataclass(frozen=True)
class Table:
    """A table of formatted text, independent of where it is shown.

    Attributes
    ----------
    title
        Title line.
    columns
        The columns.
    rows
        Cells as text, one tuple per row, as many cells as columns.
    notes
        Lines shown under the table (what ``>`` means, warnings).
    total_from
        Index of the first row of a closing section (totals), if any.
    """

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()
    total_from: int | None = None


def columns(*specs: str) -> tuple[Column, ...]:
    """Columns from headers: a header ending in ``+`` is ``wide``, then one ending in ``#``
    is numeric (the marks dropped): ``"km#+"``."""
    made = []
    for spec in specs:
        wide = spec.endswith("+")
        header = spec.removesuffix("+")
        numeric = header.endswith("#")
        made.append(Column(header.removesuffix("#"), numeric=numeric, wide=wide))
    return tuple(made)


def lower_bound_notes(saturated: bool, warnings: Sequence[str] = ()) -> tuple[str, ...]:
    if not saturated:
        return ()
    return (fmt.SATURATED_NOTE, *(f"warning: {w}" for w in dict.fromkeys(warnings)))


def to_rich(table: Table, *, wide: bool = False) -> rich.table.Table:
    """The table for a terminal: without its ``wide`` columns unless ``wide``. Cells are
    plain text: brackets are never read as markup, control characters are shown escaped
    (:func:`~.safe_text.for_terminal`)."""
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    shown = [i for i, col in enumerate(table.columns) if wide or not col.wide]
    # Two spaces between columns and no outer frame: room for the columns in 100.
    out = RichTable(
        title=Text(for_terminal(table.title)),
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    # The row's label (its first text column) stays on one line when it leaves room: the
    # other columns give way.
    label = next((i for i in shown if not table.columns[i].numeric), -1)
    width = max((len(for_terminal(row[label])) for row in table.rows), default=0)
    for i in shown:
        col = table.columns[i]
        out.add_column(
            Text(for_terminal(col.header)),
            justify="right" if col.numeric else "left",
            no_wrap=i == label and width <= MAX_LABEL_WIDTH,
        )
    for r, row in enumerate(table.rows):
        if r == table.total_from:
            out.add_section()
        out.add_row(*(Text(for_terminal(row[i])) for i in shown))
    if table.notes:
        out.caption = Text(for_terminal("\n".join(table.notes)))
        out.caption_style = "yellow"
    return out


def _cell(text: str) -> str:
    return for_markdown(text, inline=True)


def to_markdown(table: Table, *, title: bool = False) -> str:
    """The table as GitHub-flavoured Markdown (notes as a paragraph after it).

    Text is escaped (:func:`~.safe_text.for_markdown`): a ``|`` cannot break a column,
    ``<`` cannot open an HTML tag, ``[`` cannot open a link or an image.
    """
    lines = [f"**{_cell(table.title)}**", ""] if title else []
    lines.append("| " + " | ".join(_cell(c.header) for c in table.columns) + " |")
    lines.append("| " + " | ".join("---:" if c.numeric else "---" for c in table.columns) + " |")
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in table.rows]
    if table.notes:
        lines += ["", *(f"_{_cell(note)}_  " for note in table.notes)]
    return "\n".join(lines)


def to_csv(table: Table) -> str:
    """The table as CSV: a header row and one row per row, the cells as shown (text from
    input files made safe for a terminal); the title and notes are left out."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([for_terminal(c.header) for c in table.columns])
    writer.writerows([for_terminal(cell) for cell in row] for row in table.rows)
    return buffer.getvalue().rstrip("\n")


def to_records(table: Table) -> dict[str, object]:
    """The table as JSON-ready records: its title, one object per row keyed by header, and
    its notes."""
    headers = [c.header for c in table.columns]
    return {
        "title": table.title,
        "rows": [dict(zip(headers, row, strict=True)) for row in table.rows],
        "notes": list(table.notes),
    }
