"""Folium maps that work with no network access: private, generic infrastructure.

This module is the generic offline layer under :mod:`midcorridor.views.maps`; it knows nothing
of corridors, scenarios or transit times, and is not part of the public API (import
:func:`midcorridor.views.maps.scenario_map` for maps of results). It may change without notice.

A default :class:`folium.Map` loads Leaflet, jQuery, Bootstrap and Font Awesome from
CDNs and draws online map tiles, so with no internet the map never appears.
:class:`OfflineMap` inlines the vendored Leaflet 1.9.4 and jQuery 3.7.1 (from
``midcorridor/views/vendor/``) into the page instead, and :func:`new_map` adds a Natural
Earth country-outline basemap, so a saved map is a single self-contained HTML file.

The saved page is the same, byte for byte, for the same map: branca and folium give
every element a random id (``os.urandom``), which :class:`OfflineMap` replaces by
sequential ones (``0000``, ``0001``, ... in the order of the element tree) when it
renders. :meth:`OfflineMap.save` writes the file whole or not at all.

Use only folium elements that need no extra CDN assets: ``CircleMarker``,
``PolyLine``, ``GeoJson``, ``Marker`` (default icon), ``DivIcon``, ``Tooltip``,
``Popup``, ``FeatureGroup`` and ``LayerControl`` work; ``folium.Icon`` and folium
plugins load assets from CDNs.

Examples
--------
>>> from midcorridor.views._offline_folium import add_legend, new_map
>>> m = new_map("Middle Corridor", bounds=(45.0, 38.0, 55.0, 46.0))
>>> add_legend(m, [("Rail", "#1f77b4", "solid"), ("Ferry", "#d62728", "dashed")])
>>> html = m.get_root().render()
>>> '<script src="http' in html
False
"""

from __future__ import annotations

import base64
import copy
import functools
import html
import json
import os
import re
from collections import OrderedDict
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

import folium
from branca.element import Element, Figure
from jinja2 import Template

from .._files import HTML_SUFFIXES, atomic_write, check_output_file

__all__ = [
    "BASEMAP_PANE",
    "COUNTRIES_LAYER_NAME",
    "DEFAULT_BOUNDS",
    "OSM_LAYER_NAME",
    "Label",
    "OfflineMap",
    "add_legend",
    "add_stylesheet",
    "add_zoom_classes",
    "countries_geojson",
    "new_map",
]

#: Name of the country-outline basemap layer.
COUNTRIES_LAYER_NAME = "Countries (Natural Earth)"
#: Name of the optional online tile layer (off by default).
OSM_LAYER_NAME = "OpenStreetMap (online)"
#: Leaflet pane holding the basemap, below the tile pane (z-index 200) so that
#: switching the online tiles on covers it. Its CSS class is ``leaflet-basemap-pane``.
BASEMAP_PANE = "basemap"
#: Default view of :func:`new_map`: (min_lon, min_lat, max_lon, max_lat), Western
#: Europe to eastern China.
DEFAULT_BOUNDS: tuple[float, float, float, float] = (-10.0, 28.0, 122.0, 58.0)

#: Suffixes :meth:`OfflineMap.save` accepts for a file name.

_STATIC = "vendor"
_COUNTRIES_FILE = "countries_ne50m.geojson"
_CSS_IMAGE_URL = re.compile(r"url\(\s*['\"]?images/([A-Za-z0-9_.-]+\.png)['\"]?\s*\)")
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)

_SEA_COLOUR = "#eef3f7"
_COUNTRY_STYLE: dict[str, Any] = {
    "fillColor": "#e2e2e2",
    "fillOpacity": 1.0,
    "color": "#9b9b9b",
    "weight": 0.6,
}
_BOX_STYLE = (
    "position: absolute; z-index: 1001; background: rgba(255, 255, 255, 0.92);"
    " border: 1px solid #999; border-radius: 4px;"
    " box-shadow: 0 1px 4px rgba(0, 0, 0, 0.25);"
    " font-family: 'Helvetica Neue', Arial, Helvetica, sans-serif; color: #222;"
)
_LINE_DASH = {"solid": None, "dashed": "6 4"}
_LEGEND_KEY = "midcorridor_legend"
#: An id given by :func:`_number_elements` (branca's own are 32 hex digits).
_SEQUENTIAL_ID = re.compile(r"[0-9]{4,9}")


class _RawHtml(Element):
    """A branca element that outputs fixed markup verbatim.

    ``branca.element.Element(text)`` compiles ``text`` as a Jinja template, which is
    slow for large assets and would evaluate ``{{ ... }}`` found in user text; this
    element only substitutes the string.
    """

    _template = Template("{{ this.markup }}")

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self.markup = markup


@functools.cache
def _vendored_bytes(name: str) -> bytes:
    """Read a file of ``midcorridor/views/vendor/`` once per process."""
    return (resources.files("midcorridor.views") / _STATIC / name).read_bytes()


def _vendored_text(name: str) -> str:
    return _vendored_bytes(name).decode("utf-8")


@functools.cache
def _png_data_uri(name: str) -> str:
    encoded = base64.b64encode(_vendored_bytes(name)).decode("ascii")
    return f"data:image/png;base64,{encoded}"


def _inline_js(name: str) -> str:
    # An inlined script has no file next to it: drop the source-map comment.
    return _SOURCE_MAP.sub("", _vendored_text(name))


@functools.cache
def _asset_block() -> str:
    """Return the ``<style>``/``<script>`` block inlining Leaflet and jQuery."""
    css = _CSS_IMAGE_URL.sub(
        lambda match: f'url("{_png_data_uri(match.group(1))}")',
        _vendored_text("leaflet.css"),
    )
    icons = json.dumps(
        {
            "iconUrl": _png_data_uri("marker-icon.png"),
            "iconRetinaUrl": _png_data_uri("marker-icon-2x.png"),
            "shadowUrl": _png_data_uri("marker-shadow.png"),
        }
    )
    return (
        f"<style>\n{css}\n"
        f".folium-map.leaflet-container {{ background: {_SEA_COLOUR}; }}\n"
        "</style>\n"
        f"<script>\n{_inline_js('leaflet.js')}\n</script>\n"
        f"<script>\n{_inline_js('jquery.min.js')}\n</script>\n"
        "<script>\n"
        'L.Icon.Default.imagePath = "";\n'
        f"L.Icon.Default.mergeOptions({icons});\n"
        "</script>\n"
    )


@functools.cache
def _countries_text() -> str:
    return _vendored_text(_COUNTRIES_FILE)


@functools.cache
def _countries_parsed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_countries_text())
    return data


def countries_geojson() -> dict[str, Any]:
    """Return the vendored Natural Earth country outlines.

    Returns
    -------
    dict
        A GeoJSON ``FeatureCollection`` (EPSG:4326) of the 1:50m countries that meet
        lon -12..125, lat 20..62, each with a ``name`` property. A fresh copy on each
        call, so the caller may change it.
    """
    return copy.deepcopy(_countries_parsed())


def _element_tree(root: Element) -> list[Element]:
    """Every element under ``root``, itself first, depth first, each once.

    Children are the ``_children`` of each element and the elements it holds as
    attributes outside them (a popup's ``html``, ``header`` and ``script``), attributes
    first, in the order they were set.
    """
    out: list[Element] = []
    seen: set[int] = set()
    stack: list[Element] = [root]
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        out.append(element)
        held = [
            value
            for key, value in vars(element).items()
            if key != "_parent" and isinstance(value, Element)
        ]
        stack.extend(reversed([*held, *element._children.values()]))
    return out


def _number_elements(root: Element) -> None:
    """Replace the random ids of the elements under ``root`` by sequential ones.

    branca gives each element a random ``_id``, which names it in the page's JavaScript
    and HTML (``circle_marker_<id>``), so two saves of the same map differ. Each element
    still holding a random id gets the next free number, ``0000``, ``0001``, ... in the
    order of :func:`_element_tree`; an element numbered before keeps its number, so
    rendering again changes nothing. Where the old name is used as a key of
    ``_children`` (folium's popups render those keys) or kept as a string attribute (a
    layer's default name, a method call's target), it is renamed too.
    """
    elements = _element_tree(root)
    numbered = [int(e._id) for e in elements if _SEQUENTIAL_ID.fullmatch(e._id)]
    next_number = max(numbered, default=-1) + 1
    renamed: dict[str, str] = {}
    for element in elements:
        if _SEQUENTIAL_ID.fullmatch(element._id):
            continue
        old = element.get_name()
        element._id = f"{next_number:04d}"
        next_number += 1
        renamed[old] = element.get_name()
    if not renamed:
        return
    for element in elements:
        if any(key in renamed for key in element._children):
            element._children = OrderedDict(
                (renamed.get(key, key), child) for key, child in element._children.items()
            )
        for key, value in vars(element).items():
            if key != "_id" and isinstance(value, str) and value in renamed:
                setattr(element, key, renamed[value])


class OfflineMap(folium.Map):
    """A :class:`folium.Map` that loads nothing from the network.

    Leaflet's CSS (its images as ``data:`` URIs), ``leaflet.js`` and
    ``jquery.min.js`` are inlined into the page header instead of linked from CDNs,
    and Leaflet's default marker icon is set to ``data:`` URIs. There are no tiles
    unless given. Any :class:`folium.LayerControl` is rendered after every other
    child, so layers added after the control still appear in it.

    Parameters
    ----------
    location
        Initial centre as ``(lat, lon)``, degrees; optional.
    tiles
        Tile layer (a name or a :class:`folium.TileLayer`); ``None`` (the default) for
        none. Any tile layer is loaded from the network when shown.
    **kwargs
        Passed to :class:`folium.Map`.
    """

    # No CDN links; __init__ gives each instance its own lists.
    default_js: list[tuple[str, str]] = []  # noqa: RUF012
    default_css: list[tuple[str, str]] = []  # noqa: RUF012

    def __init__(
        self,
        location: Any = None,
        *,
        tiles: str | folium.TileLayer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(location=location, tiles=tiles, **kwargs)
        # Per instance, so that add_js_link/add_css_link never touch the class lists.
        self.default_js = []
        self.default_css = []
        # Keys of the page's scripts the last render added (see render).
        self._rendered_scripts: list[str] = []

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # MacroElement returns None
        """Render the map, inlining the offline assets into the page header.

        The scripts a previous render put into the page are removed first: folium's
        layers add a new ``addTo`` script on every render, so rendering twice would
        repeat them.
        """
        figure = _figure(self)
        for key in self._rendered_scripts:
            figure.script._children.pop(key, None)
        _number_elements(figure)
        before = set(figure.script._children)
        switches = self.global_switches
        figure.header.add_child(
            _RawHtml(
                "<script>\n"
                f"L_NO_TOUCH = {json.dumps(bool(switches.no_touch))};\n"
                f"L_DISABLE_3D = {json.dumps(bool(switches.disable_3d))};\n"
                "</script>\n" + _asset_block()
            ),
            name="midcorridor_offline_assets",
            index=1,  # after the charset meta tag, before anything that uses Leaflet
        )
        controls = [
            key for key, child in self._children.items() if isinstance(child, folium.LayerControl)
        ]
        for key in controls:
            self._children.move_to_end(key)
        super().render(**kwargs)
        self._rendered_scripts = [key for key in figure.script._children if key not in before]

    def save(
        self,
        outfile: str | bytes | os.PathLike[str] | BinaryIO,
        close_file: bool = True,
        **kwargs: Any,
    ) -> None:
        """Write the page (UTF-8 HTML) to a file, whole or not at all.

        Parameters
        ----------
        outfile
            File name, ending in ``.html`` or ``.htm``; missing parent folders are
            created. The page is rendered first, then written to a temporary file beside
            it that replaces ``outfile`` once complete, so an interrupt leaves an earlier
            file there as it was. An open binary file is written to as it is.
        close_file
            Close ``outfile`` after writing, if it is an open file (default True).
        **kwargs
            Passed to the page's ``render``.

        Raises
        ------
        MidcorridorError
            If the name does not end in ``.html`` or ``.htm`` or the file cannot be
            written there (see :func:`midcorridor._files.check_output_file`), before
            anything is rendered.
        """
        if not isinstance(outfile, str | bytes | os.PathLike):
            super().save(outfile, close_file=close_file, **kwargs)
            return
        path = Path(os.fsdecode(outfile))
        check_output_file(path, HTML_SUFFIXES, what="Map file")
        page = self.get_root().render(**kwargs).encode("utf-8")
        with atomic_write(path, binary=True) as handle:
            handle.write(page)


def _figure(m: folium.Map) -> Figure:
    """Return the branca Figure (the HTML page) that holds ``m``."""
    figure = m.get_root()
    if not isinstance(figure, Figure):
        raise TypeError("the map must be inside a branca Figure")
    return figure


def _box(css_class: str, position: str, body: str) -> _RawHtml:
    return _RawHtml(f'<div class="{css_class}" style="{_BOX_STYLE} {position}">{body}</div>')


class _LegendBox(_RawHtml):
    """The legend box; :func:`add_legend` called again appends to its rows."""

    def __init__(self, rows: list[str]) -> None:
        self.rows = rows
        super().__init__(
            f'<div class="midcorridor-legend" style="{_BOX_STYLE} bottom: 24px;'
            ' left: 10px; padding: 6px 10px; font-size: 13px; line-height: 1.3;">'
            + "".join(rows)
            + "</div>"
        )


def new_map(
    title: str,
    bounds: tuple[float, float, float, float] | None = None,
    *,
    online_tiles: bool = True,
) -> OfflineMap:
    """Create an offline map with a country-outline basemap and a title box.

    Parameters
    ----------
    title
        Shown in a box at the top centre and as the page title; HTML-escaped.
    bounds
        View to fit, as ``(min_lon, min_lat, max_lon, max_lat)`` in degrees (the order
        of GeoPandas ``total_bounds``); None (the default) for :data:`DEFAULT_BOUNDS`.
    online_tiles
        Add an OpenStreetMap tile layer, switched off, that the reader may switch on
        in the layer control (default True). Nothing is requested from the network unless it is on.

    Returns
    -------
    OfflineMap
        The map; add layers to it and ``save`` it.

    Raises
    ------
    ValueError
        If ``bounds`` is not a valid box.
    """
    min_lon, min_lat, max_lon, max_lat = DEFAULT_BOUNDS if bounds is None else bounds
    if not (-180.0 <= min_lon < max_lon <= 180.0 and -90.0 <= min_lat < max_lat <= 90.0):
        raise ValueError(
            f"bounds must be (min_lon, min_lat, max_lon, max_lat) with min < max, got {bounds!r}"
        )

    m = OfflineMap(
        location=[(min_lat + max_lat) / 2.0, (min_lon + max_lon) / 2.0],
        zoom_start=4,
    )
    figure = _figure(m)
    figure.title = html.escape(title)

    folium.map.CustomPane(BASEMAP_PANE, z_index=150, pointer_events=False).add_to(m)
    folium.GeoJson(
        _countries_parsed(),
        name=COUNTRIES_LAYER_NAME,
        style_function=lambda _feature: dict(_COUNTRY_STYLE),
        control=False,
        pane=BASEMAP_PANE,
        interactive=False,
        attribution="Made with Natural Earth",
    ).add_to(m)

    if online_tiles:
        folium.TileLayer(
            "OpenStreetMap",
            name=OSM_LAYER_NAME,
            overlay=True,
            control=True,
            show=False,
        ).add_to(m)
        folium.LayerControl(collapsed=False).add_to(m)

    figure.html.add_child(
        _box(
            "midcorridor-title",
            "top: 10px; left: 50%; transform: translateX(-50%); padding: 6px 14px;"
            " font-size: 17px; font-weight: bold; max-width: 60%; text-align: center;",
            html.escape(title),
        ),
        name="midcorridor_title",
    )
    m.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    return m


def add_legend(m: folium.Map, items: list[tuple[str, str, str]]) -> None:
    """Add a legend box of line symbols to the bottom-left of a map.

    Parameters
    ----------
    m
        The map (usually from :func:`new_map`).
    items
        ``(label, colour, line_style)`` per entry; ``line_style`` is ``"solid"`` or
        ``"dashed"``. Labels and colours are HTML-escaped.

    Raises
    ------
    ValueError
        If a line style is not ``"solid"`` or ``"dashed"``.
    """
    rows: list[str] = []
    for label, colour, style in items:
        if style not in _LINE_DASH:
            raise ValueError(f"line style must be 'solid' or 'dashed', got {style!r}")
        dash = _LINE_DASH[style]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        rows.append(
            '<div style="display: flex; align-items: center; margin: 2px 0;">'
            '<svg width="34" height="12" style="flex: none; margin-right: 6px;">'
            f'<line x1="1" y1="6" x2="33" y2="6" stroke="{html.escape(colour)}"'
            f' stroke-width="3"{dash_attr}/></svg>'
            f"<span>{html.escape(label)}</span></div>"
        )
    figure = _figure(m)
    previous = figure.html._children.get(_LEGEND_KEY)
    if isinstance(previous, _LegendBox):
        rows = previous.rows + rows
    figure.html.add_child(_LegendBox(rows), name=_LEGEND_KEY)


def add_stylesheet(m: folium.Map, css: str, *, key: str = "midcorridor_stylesheet") -> None:
    """Add a ``<style>`` block to the page head of a map.

    For styles shared by many popups or tooltips: their HTML can then carry classes
    instead of inline styles.

    Parameters
    ----------
    m
        The map (usually from :func:`new_map`).
    css
        Style rules. Trusted text, not escaped; only ``</`` is broken up so that it
        cannot end the block.
    key
        Name of the block in the page head: adding again under the same key replaces
        the block.
    """
    safe = css.replace("</", "<\\/")
    _figure(m).header.add_child(_RawHtml(f"<style>\n{safe}\n</style>\n"), name=key)


class _ZoomClasses(folium.MacroElement):
    """Script keeping ``zoom-ge-N`` classes on the map container for every N up to the zoom."""

    _template = Template(
        """{% macro script(this, kwargs) %}
(function (map) {
  function mark() {
    var box = map.getContainer(), zoom = Math.floor(map.getZoom());
    for (var n = 0; n <= {{ this.max_zoom }}; n++) {
      box.classList.toggle("zoom-ge-" + n, n <= zoom);
    }
  }
  map.on("zoomend", mark);
  map.whenReady(mark);
})({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, max_zoom: int) -> None:
        super().__init__()
        self._name = "ZoomClasses"
        self.max_zoom = max_zoom


#: Deepest zoom given a ``zoom-ge-N`` class (Leaflet's own limit is infinite without tiles).
MAX_CLASS_ZOOM = 20


def add_zoom_classes(m: folium.Map) -> None:
    """Keep classes ``zoom-ge-0`` ... ``zoom-ge-<zoom>`` on the map's container (up to
    :data:`MAX_CLASS_ZOOM`), so that a stylesheet can show an element from a zoom on
    (``.zoom-ge-6 .label {display: block}``)."""
    m.add_child(_ZoomClasses(MAX_CLASS_ZOOM), name="zoom_classes")


class Label(folium.MacroElement):
    """A text at a point: a Leaflet marker with a ``divIcon``, taking no pointer events.

    Unlike :class:`folium.Marker` with a :class:`folium.DivIcon`, it is one script, so
    rendering the map again adds nothing.

    Parameters
    ----------
    location
        ``(lat, lon)``, degrees.
    text
        The label; HTML-escaped.
    css_class
        Class of the icon's element.
    pane
        Leaflet pane to draw it in.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.marker({{ this.location | tojson }}, {
  icon: L.divIcon({{ this.icon | tojson }}),
  interactive: false, keyboard: false, pane: {{ this.pane | tojson }}
}).addTo({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(
        self, location: tuple[float, float], text: str, *, css_class: str, pane: str
    ) -> None:
        super().__init__()
        self._name = "Label"
        self.location = [float(location[0]), float(location[1])]
        self.icon = {
            "html": f"<span>{html.escape(text)}</span>",
            "className": css_class,
            "iconSize": [0, 0],
        }
        self.pane = pane
