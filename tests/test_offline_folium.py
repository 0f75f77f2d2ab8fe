"""Offline Folium maps: the saved HTML, and the page in a real headless chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import folium
import pytest

from midcorridor._errors import MidcorridorError
from midcorridor.views._offline_folium import (
    COUNTRIES_LAYER_NAME,
    OSM_LAYER_NAME,
    OfflineMap,
    add_legend,
    add_stylesheet,
    countries_geojson,
    new_map,
)

if TYPE_CHECKING:
    from conftest import BrowserPage

XSS_TITLE = "Route <script>alert(1)</script> & {{ 7*7 }}"

AKTAU = (43.65, 51.20)
BAKU = (40.35, 49.87)
POTI = (42.15, 41.67)


def _build_map(title: str = "Middle Corridor: offline map test") -> OfflineMap:
    m = new_map(title, bounds=(-12.0, 30.0, 122.0, 56.0))
    # A layer added after new_map() (which adds the layer control) still gets listed.
    ferries = folium.FeatureGroup(name="Caspian ferry").add_to(m)
    folium.PolyLine(
        [AKTAU, BAKU, POTI], color="#d62728", weight=3, dash_array="8 6", tooltip="Ferry"
    ).add_to(ferries)
    folium.CircleMarker(
        AKTAU, radius=9, color="#1f77b4", fill=True, popup="Aktau port", class_name="mc-aktau"
    ).add_to(m)
    folium.CircleMarker(
        BAKU, radius=9, color="#1f77b4", fill=True, popup="Port of Baku", class_name="mc-baku"
    ).add_to(m)
    folium.Marker(POTI, popup="Poti").add_to(m)
    add_legend(m, [("Caspian ferry", "#d62728", "dashed"), ("Port", "#1f77b4", "solid")])
    return m


@pytest.fixture(scope="module")
def map_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("maps") / "offline_map.html"
    _build_map().save(str(path))
    return path


@pytest.fixture(scope="module")
def xss_map_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("maps") / "xss_title.html"
    new_map(XSS_TITLE).save(str(path))
    return path


# --- the saved HTML, no browser ---------------------------------------------------------


def test_saved_html_links_no_remote_asset(map_file: Path) -> None:
    text = map_file.read_text(encoding="utf-8").lower()
    for needle in ('<script src="http', '<link href="http', "src='http", 'src="//'):
        assert needle not in text
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", text)
    assert "cdn.jsdelivr.net" not in text
    assert "L.Icon.Default.mergeOptions" in map_file.read_text(encoding="utf-8")


def test_title_and_legend_text_is_escaped() -> None:
    m = new_map(XSS_TITLE)
    add_legend(m, [("<img src=x onerror=alert(2)>", '"><script>', "solid")])
    html = m.get_root().render()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{ 7*7 }}" in html
    assert "<img src=x" not in html
    assert "49" not in re.findall(r"<title>(.*?)</title>", html)[0]


def test_legend_rejects_unknown_line_style() -> None:
    with pytest.raises(ValueError, match="line style"):
        add_legend(new_map("t"), [("Rail", "#000", "dotted-ish")])


def test_new_map_rejects_inverted_bounds() -> None:
    with pytest.raises(ValueError, match="bounds"):
        new_map("t", bounds=(50.0, 40.0, 40.0, 45.0))


def test_add_legend_twice_makes_one_box() -> None:
    m = new_map("t")
    add_legend(m, [("Rail", "#000", "solid")])
    add_legend(m, [("Ferry", "#00f", "dashed")])
    html = m.get_root().render()
    assert html.count('class="midcorridor-legend"') == 1
    assert "Rail" in html
    assert "Ferry" in html


def test_stylesheet_goes_into_the_head_once_per_key() -> None:
    m = new_map("t")
    add_stylesheet(m, ".mc-a { color: red; }", key="extra")
    add_stylesheet(m, ".mc-b { color: blue; } </style><script>alert(3)</script>", key="extra")
    html = m.get_root().render()
    head = html.split("</head>")[0]
    assert ".mc-a" not in html  # replaced under the same key
    assert ".mc-b { color: blue; }" in head
    # The text cannot end its style block: the script stays inside, as CSS text.
    block = head[head.index(".mc-b") :]
    block = block[: block.index("</style>")]
    assert "<\\/style><script>alert(3)<\\/script>" in block
    # After Leaflet's CSS, so that its rules can override Leaflet's.
    assert head.index(".leaflet-tooltip") < head.index(".mc-b")


def test_html_is_the_same_for_the_same_map(map_file: Path) -> None:
    """No random element ids: the same map gives the same bytes, however often rendered."""
    m = _build_map()
    html = m.get_root().render()
    assert html == _build_map().get_root().render()
    assert html == m.get_root().render()
    assert map_file.read_bytes() == html.encode("utf-8")
    assert not re.search(r"_[0-9a-f]{32}\b", html)
    assert re.search(r"\bvar map_[0-9]{4} = L\.map\(", html)
    assert re.search(r"\bcircle_marker_[0-9]{4}\.bindPopup\(popup_[0-9]{4}\)", html)


def test_an_element_added_after_a_render_gets_the_next_number() -> None:
    m = _build_map()
    first = m.get_root().render()
    marker = folium.CircleMarker(BAKU, radius=3, popup="late").add_to(m)
    second = m.get_root().render()
    numbers = [int(n) for n in re.findall(r"_([0-9]{4})\b", first)]
    assert int(marker._id) > max(numbers)
    assert marker.get_name() in second
    assert second.count("feature_group_") == first.count("feature_group_")


def test_save_writes_the_file_atomically_and_accepts_open_files(tmp_path: Path) -> None:
    m = _build_map()
    html = m.get_root().render().encode("utf-8")
    (tmp_path / "new").mkdir()
    path = tmp_path / "new" / "map.htm"
    m.save(path)
    assert path.read_bytes() == html
    assert sorted(p.name for p in path.parent.iterdir()) == ["map.htm"]
    with (tmp_path / "open.html").open("wb") as handle:
        m.save(handle, close_file=False)
        assert not handle.closed
    assert (tmp_path / "open.html").read_bytes() == html


def test_save_refuses_a_bad_path_before_rendering(tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    m = _build_map()
    with pytest.raises(MidcorridorError, match=r"map\.txt: the file name must end in \.html"):
        m.save(tmp_path / "map.txt")
    with pytest.raises(MidcorridorError, match="which is a file"):
        m.save(str(tmp_path / "a_file" / "map.html"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


def test_countries_basemap_covers_the_corridor() -> None:
    data = countries_geojson()
    names = {feature["properties"]["name"] for feature in data["features"]}
    for country in ("Kazakhstan", "Azerbaijan", "Georgia", "Turkey", "China", "Germany"):
        assert country in names
    data["features"].clear()  # a copy: the cached data is untouched
    assert countries_geojson()["features"]
    assert json.dumps(countries_geojson())  # plain JSON types


# --- in headless chromium ----------------------------------------------------------------


@pytest.mark.browser
def test_page_loads_offline_without_errors(browser_page: BrowserPage, map_file: Path) -> None:
    browser_page.open(map_file)
    page = browser_page.page
    assert page.evaluate("L.version") == "1.9.4"
    assert page.evaluate("typeof jQuery") == "function"
    page.wait_for_selector(".leaflet-marker-icon")
    icon_src = page.get_attribute(".leaflet-marker-icon", "src")
    assert icon_src is not None
    assert icon_src.startswith("data:image/png;base64,")
    assert browser_page.blocked_requests == []
    assert browser_page.console_errors == []
    assert browser_page.page_errors == []


@pytest.mark.browser
def test_countries_layer_draws_paths(browser_page: BrowserPage, map_file: Path) -> None:
    browser_page.open(map_file)
    paths = browser_page.page.locator(".leaflet-basemap-pane path")
    assert paths.count() > 50
    assert paths.first.get_attribute("fill") == "#e2e2e2"
    # The basemap is not listed in the layer control.
    assert COUNTRIES_LAYER_NAME not in browser_page.page.inner_text(".leaflet-control-layers")
    assert "Natural Earth" in browser_page.page.inner_text(".leaflet-control-attribution")
    assert "Caspian ferry" in browser_page.page.inner_text(".leaflet-control-layers")


@pytest.mark.browser
def test_clicking_a_circle_opens_its_popup(browser_page: BrowserPage, map_file: Path) -> None:
    browser_page.open(map_file)
    page = browser_page.page
    page.click("path.mc-aktau")
    page.wait_for_selector(".leaflet-popup-content")
    assert "Aktau port" in page.inner_text(".leaflet-popup-content")
    page.click("path.mc-baku")
    page.wait_for_function(
        "document.querySelector('.leaflet-popup-content')"
        " && document.querySelector('.leaflet-popup-content').innerText.includes('Baku')"
    )
    assert page.locator(".leaflet-popup").count() == 1
    assert browser_page.page_errors == []


@pytest.mark.browser
def test_osm_layer_off_by_default_and_requests_nothing(
    browser_page: BrowserPage, map_file: Path
) -> None:
    browser_page.open(map_file)
    page = browser_page.page
    page.wait_for_timeout(500)
    assert page.locator(".leaflet-tile").count() == 0
    checkbox = page.get_by_label(OSM_LAYER_NAME)
    assert not checkbox.is_checked()
    assert browser_page.blocked_requests == []
    # Switched on, it does ask for tiles: proof that the check above could fail.
    checkbox.check()
    page.wait_for_function("document.querySelectorAll('.leaflet-tile').length > 0")
    page.wait_for_timeout(300)
    assert any("openstreetmap" in url for url in browser_page.blocked_requests)


@pytest.mark.browser
def test_title_with_script_renders_as_text(browser_page: BrowserPage, xss_map_file: Path) -> None:
    browser_page.open(xss_map_file)
    page = browser_page.page
    page.wait_for_timeout(300)
    assert browser_page.dialogs == []
    assert page.inner_text(".midcorridor-title") == XSS_TITLE
    assert page.title() == XSS_TITLE
    assert browser_page.page_errors == []


@pytest.mark.browser
def test_screenshot(browser_page: BrowserPage, map_file: Path, tmp_path: Path) -> None:
    browser_page.open(map_file)
    page = browser_page.page
    page.wait_for_selector(".leaflet-marker-icon")
    page.wait_for_timeout(300)
    screenshot = tmp_path / "offline_map_test.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000
    assert browser_page.blocked_requests == []
