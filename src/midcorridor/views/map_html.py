"""The markup of the scenario map's tooltips and popups: templates, escaping, CSS tokens.

Tooltips and popups are rendered from the jinja2 templates in ``midcorridor/views/templates/``
with autoescaping, so every text taken from the network or a scenario is HTML-escaped;
folium places that HTML inside JavaScript template literals, so :func:`render` also
replaces backticks, ``$`` and backslashes by character references. Their styles are one
stylesheet (``templates/map.css``) in the page head.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import folium

from ._html_templates import html_environment, template_text

__all__ = ["css_token", "in_pane", "render", "stylesheet"]

_STYLESHEET = "map.css"
#: Characters that could end or interpolate in a JavaScript template literal, and the
#: HTML character references that show them instead.
_JS_LITERAL_REFS = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})

_P = TypeVar("_P", folium.PolyLine, folium.CircleMarker)


def stylesheet() -> str:
    """The CSS of the map's tooltips, popups and labels (``templates/map.css``)."""
    return template_text(_STYLESHEET)


def render(template: str, **context: Any) -> str:
    """HTML of a template, safe inside the JavaScript template literal folium puts it in.

    Autoescaping HTML-escapes every value (``& < > " '``); then backticks, ``$`` and
    backslashes, anywhere in the output, become character references so that the text
    can neither end the literal nor interpolate in it (the browser shows them unchanged).

    Parameters
    ----------
    template
        File name in ``midcorridor/views/templates/``.
    **context
        Template variables.

    Returns
    -------
    str
        The markup.
    """
    markup = html_environment().get_template(template).render(**context)
    return markup.translate(_JS_LITERAL_REFS)


def css_token(text: str) -> str:
    """A CSS class token from an id: letters, digits, ``_`` and ``-`` kept."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def in_pane(layer: _P, pane: str) -> _P:
    """Put a folium layer into a Leaflet pane (its ``pane`` keyword is dropped)."""
    layer.options["pane"] = pane
    return layer
