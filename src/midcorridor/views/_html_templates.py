"""The package's HTML templates and assets (``midcorridor/views/templates/``), read one way.

One jinja2 environment, autoescaping every template, serves the map's tooltips and popups
(:mod:`.map_html`) and the offline page (:mod:`.page`); :func:`template_text` reads a
stylesheet or script to inline.
"""

from __future__ import annotations

import functools
from importlib import resources

import jinja2

__all__ = ["html_environment", "template_text"]

#: Package folder of the templates, stylesheets and scripts.
TEMPLATES = "templates"


@functools.cache
def html_environment() -> jinja2.Environment:
    """The jinja2 environment of ``midcorridor/views/templates/``, autoescaping every
    template and refusing an undefined variable."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("midcorridor.views", TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def template_text(name: str) -> str:
    """The text of a file of ``midcorridor/views/templates/`` (a stylesheet, a script)."""
    return (resources.files("midcorridor.views") / TEMPLATES / name).read_text("utf-8")
