"""One offline HTML page of a report, for readers who do not run commands.

:func:`page_html` puts into a single self-contained file (no request leaves the page):

- the answer: for the scenario, shipment class and departure month the reader picks,
  the days on the Middle Corridor and via Russia (P10 / P50 / P90, the share resting on
  assumptions), where the Middle Corridor's days go, and a chart of P50 with its P10-P90
  band by departure month;
- every route of the chosen scenario and class: days, USD and t CO2e per loaded 40-ft
  container;
- the scenario map (:func:`~midcorridor.views.maps.scenario_map`) in a frame;
- the whole Markdown report (tables, charts, sources) as HTML, its charts inlined.

Every figure the controls show is computed beforehand and embedded as JSON; the page's
script (``templates/page.js``) only chooses among them and writes them as text, never as
markup. The controls and the figures carry ids (``mc-scenario``, ``mc-class``,
``mc-month``; ``mc-answer``, ``mc-stages``, ``mc-month-chart``, ``mc-routes``) for tests and
readers' scripts.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markupsafe import Markup

from ..analysis.headline import FIFTY_DAYS_FROM, HEADLINE_SHIPMENTS, Headline
from ..runs.frames import run_frame
from ..runs.runner import ScenarioRun
from ..vocabulary import MONTH_NAMES, STAGE_WORDS
from ._html_templates import html_environment, template_text

if TYPE_CHECKING:
    import folium

__all__ = ["PAGE_FILE", "page_data", "page_html"]

#: The page of a report folder, beside ``report.md``.
PAGE_FILE = "report.html"
#: Images a report links to, inlined into the page as ``data:`` URIs.
_IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}
_MARKDOWN_IMAGE = re.compile(r'<img src="([^"/:]+)"')


def _finite(value: Any) -> Any:
    """JSON has no NaN: a missing figure is null."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _cells(result: Headline) -> list[dict[str, Any]]:
    # Days as computed, not rounded: the page rounds them to one decimal for display, and
    # a figure rounded twice (16.152 to 16.15, then to 16.1) would differ from the same
    # figure in the report's tables (16.2).
    return [
        {
            "corridor": c.corridor,
            "shipment": c.shipment,
            "month": c.month,
            "p10": c.p10_days,
            "p50": c.p50_days,
            "p90": c.p90_days,
            "saturated": c.saturated,
            "assumed": round(c.assumed_share, 3),
            "stages": {s: d for s, d in c.stages_days.items() if d >= 0.05},
        }
        for c in result.cells
    ]


def page_data(runs: Sequence[ScenarioRun], headlines: Mapping[str, Headline]) -> dict[str, Any]:
    """Everything the page's controls choose among, by scenario.

    Parameters
    ----------
    runs
        The report's runs.
    headlines
        The answer by class and month of each scenario that has one, by scenario name.

    Returns
    -------
    dict
        JSON-ready: ``scenarios`` (name, description, the answer's sentences and cells,
        the routes' rows of :func:`~midcorridor.runs.frames.run_frame`), ``classes``,
        ``months``, ``stage_words``, ``fifty_days_from``, ``origin``, ``destination``.
    """
    scenarios = []
    first = next(iter(headlines.values()), None)
    reference = headlines.get(runs[0].scenario.name) if runs else None
    for run in runs:
        name = run.scenario.name
        answer = headlines.get(name)
        compared = answer is not None and reference is not None and answer is not reference
        rows = run_frame(run).to_dict("records")
        scenarios.append(
            {
                "name": name,
                "description": run.scenario.description.strip(),
                "sentences": answer.sentences() if answer else [],
                "changes": (
                    answer.changes_from(reference) if answer and reference and compared else []
                ),
                "cells": _cells(answer) if answer else [],
                "routes": [{k: _finite(v) for k, v in row.items()} for row in rows],
            }
        )
    return {
        "scenarios": scenarios,
        "classes": [{"key": s, "name": s.replace("_", " ")} for s in HEADLINE_SHIPMENTS],
        "months": list(MONTH_NAMES),
        "stage_words": STAGE_WORDS,
        "fifty_days_from": FIFTY_DAYS_FROM,
        "origin": first.origin if first else "",
        "destination": first.destination if first else "",
    }


def _json_for_script(data: Mapping[str, Any]) -> Markup:
    """JSON safe inside a ``<script type="application/json">``: no ``<`` can end it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _report_html(markdown: str, images: Path | None) -> Markup:
    """The Markdown report as HTML (raw HTML in it stays text), its images inlined."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    body = md.render(markdown)
    if images is None:
        return Markup(body)

    def inline(match: re.Match[str]) -> str:
        name = match.group(1)
        path = images / name
        kind = _IMAGE_TYPES.get(path.suffix.lower())
        if kind is None or not path.is_file():
            return match.group(0)
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'<img src="data:{kind};base64,{encoded}"'

    return Markup(_MARKDOWN_IMAGE.sub(inline, body))


def page_html(
    runs: Sequence[ScenarioRun],
    headlines: Mapping[str, Headline],
    *,
    title: str,
    report_markdown: str,
    images: Path | None = None,
    scenario_map: folium.Map | None = None,
    version: str = "",
) -> str:
    """The page's HTML: the answer with its controls, the routes, the map, the report.

    Parameters
    ----------
    runs
        The report's runs; the first is shown first.
    headlines
        The answer by class and month, by scenario name (a scenario without one says so).
    title
        The page's title.
    report_markdown
        The report's text (``report.md``), shown as HTML below the controls.
    images
        Folder of the images the report links to (inlined); None leaves links as they are.
    scenario_map
        The map of the runs, shown in a frame.
    version
        The package version, in the footer.
    """
    map_html = scenario_map.get_root().render() if scenario_map is not None else None
    return (
        html_environment()
        .get_template("page.html.j2")
        .render(
            title=title,
            version=version,
            data=_json_for_script(page_data(runs, headlines)),
            script=Markup(template_text("page.js").replace("</", "<\\/")),
            style=Markup(template_text("page.css").replace("</", "<\\/")),
            map_html=map_html,
            report=_report_html(report_markdown, images),
        )
    )
