"""The scenario map: its saved HTML, and the page in a real, offline headless chromium."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import midcorridor as mc
from midcorridor.maps import _esc, node_radius, route_coords, scenario_map

if TYPE_CHECKING:
    from conftest import BrowserPage

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = REPO_ROOT / "scenarios"
SCREENSHOT = REPO_ROOT / "maps" / "screenshots" / "scenario_map.png"
SCENARIO_NAMES = ("baseline", "digital_customs")
SAMPLES = 500
XSS_NAME = "<script>alert(1)</script>"
HOURS = re.compile(r"\d+(\.\d+)?\s?h\b")

# Finds a point on a route line where the route (not a network link or node drawn over
# it) is the topmost element, in page coordinates; null if there is none.
FIND_ROUTE_POINT = """
() => {
  const within = (x, y) => x > 5 && y > 5 && x < innerWidth - 5 && y < innerHeight - 5;
  for (const path of document.querySelectorAll('path.mc-route')) {
    const length = path.getTotalLength();
    const ctm = path.getScreenCTM();
    for (let f = 0.05; f < 1; f += 0.05) {
      const p = path.getPointAtLength(length * f).matrixTransform(ctm);
      for (const [dx, dy] of [[0, 4], [0, -4], [4, 0], [-4, 0]]) {
        const x = p.x + dx, y = p.y + dy;
        const el = within(x, y) && document.elementFromPoint(x, y);
        if (el && el.classList.contains('mc-route')) return [x, y];
      }
    }
  }
  return null;
}
"""


@pytest.fixture(scope="module")
def runs(network: Any) -> list[Any]:
    return [
        mc.run_scenario(mc.load_scenario(SCENARIOS / f"{name}.yaml"), network, samples=SAMPLES)
        for name in SCENARIO_NAMES
    ]


@pytest.fixture(scope="module")
def map_file(runs: list[Any], network: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("maps") / "scenario_map.html"
    scenario_map(runs, network).save(str(path))
    return path


@pytest.fixture(scope="module")
def xss_map_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A map of a network copy whose Aktau port is named ``<script>alert(1)</script>``."""
    root = tmp_path_factory.mktemp("xss")
    shutil.copytree(REPO_ROOT / "network", root / "network")
    nodes_file = root / "network" / "nodes.geojson"
    data = json.loads(nodes_file.read_text(encoding="utf-8"))
    for feature in data["features"]:
        if feature["properties"]["id"] == "AKTAU_PORT":
            feature["properties"]["name"] = XSS_NAME
    nodes_file.write_text(json.dumps(data), encoding="utf-8")
    network = mc.load(root / "network")
    assert network.nodes_by_id["AKTAU_PORT"].props.name == XSS_NAME
    run = mc.run_scenario(mc.load_scenario(SCENARIOS / "baseline.yaml"), network, samples=200)
    path = root / "xss_map.html"
    scenario_map([run], network).save(str(path))
    return path


# --- without a browser ------------------------------------------------------------------


def test_html_links_no_remote_asset(map_file: Path) -> None:
    text = map_file.read_text(encoding="utf-8")
    size = map_file.stat().st_size
    print(f"scenario map ({' + '.join(SCENARIO_NAMES)}): {size / 1e6:.2f} MB")
    assert size < 3_000_000
    assert not re.search(
        r"<(script|link|img)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", text, re.IGNORECASE
    )
    assert "baseline vs digital_customs" in text


def test_route_coords_follow_travel_direction(runs: list[Any], network: Any) -> None:
    for trip in runs[0].trips:
        coords = route_coords(trip, network)
        start = network.nodes_by_id[trip.route.origin]
        end = network.nodes_by_id[trip.route.destination]
        assert coords[0] == pytest.approx((start.lat, start.lon), abs=1e-3)
        assert coords[-1] == pytest.approx((end.lat, end.lon), abs=1e-3)


def test_node_radius_grows_with_hours() -> None:
    assert node_radius(0.0, 100.0) == node_radius(0.0, 0.0) > 0
    assert node_radius(25.0, 100.0) < node_radius(100.0, 100.0)
    assert node_radius(100.0, 100.0) == pytest.approx(2 * node_radius(25.0, 100.0))


def test_escape_covers_javascript_template_literals() -> None:
    assert _esc("`${x}` \\ <b>&") == "&#96;&#36;{x}&#96; &#92; &lt;b&gt;&amp;"


def test_xss_name_is_escaped_in_html(xss_map_file: Path) -> None:
    text = xss_map_file.read_text(encoding="utf-8")
    assert XSS_NAME not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


# --- in chromium, offline ----------------------------------------------------------------


def _assert_clean(bp: BrowserPage) -> None:
    assert bp.console_errors == []
    assert bp.page_errors == []
    assert bp.blocked_requests == []
    assert bp.dialogs == []


@pytest.mark.browser
def test_map_renders_offline(
    browser_page: BrowserPage, map_file: Path, runs: list[Any], network: Any
) -> None:
    page = browser_page.page
    browser_page.open(map_file)
    page.wait_for_selector("path.mc-node")
    assert page.locator("path.mc-node").count() == len(network.nodes_by_id)
    for k, run in enumerate(runs):
        assert page.locator(f"path.mc-scenario-{k}").count() == len(run.trips)
    assert page.locator("path.mc-link").count() == len(network.links_by_id)
    assert page.locator("path.mc-link-closed").count() >= 1
    assert "baseline vs digital_customs" in page.inner_text(".midcorridor-title")
    assert "Rail, 1520 mm gauge" in page.inner_text(".midcorridor-legend")
    page.wait_for_timeout(300)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    _assert_clean(browser_page)


@pytest.mark.browser
def test_aktau_popup_shows_hours(browser_page: BrowserPage, map_file: Path) -> None:
    page = browser_page.page
    browser_page.open(map_file)
    page.click("path.mc-node-AKTAU_PORT")
    popup = page.wait_for_selector(".leaflet-popup-content")
    assert popup is not None
    text = popup.inner_text()
    assert "Aktau port" in text
    assert HOURS.search(text), text
    for name in SCENARIO_NAMES:
        assert name in text
    assert "ferry wait" in text
    assert "Sources" in text
    _assert_clean(browser_page)


@pytest.mark.browser
def test_unchecking_scenario_layer_hides_its_routes(
    browser_page: BrowserPage, map_file: Path, runs: list[Any]
) -> None:
    page = browser_page.page
    browser_page.open(map_file)
    page.wait_for_selector("path.mc-route")
    before = page.locator("path.mc-scenario-1").count()
    assert before == len(runs[1].trips)
    label = page.locator(".leaflet-control-layers-overlays label", has_text="digital_customs")
    label.locator("input").uncheck()
    assert page.locator("path.mc-scenario-1").count() == 0
    assert page.locator("path.mc-scenario-0").count() == len(runs[0].trips)
    label.locator("input").check()
    assert page.locator("path.mc-scenario-1").count() == before
    _assert_clean(browser_page)


@pytest.mark.browser
def test_route_tooltip_on_hover(browser_page: BrowserPage, map_file: Path) -> None:
    page = browser_page.page
    browser_page.open(map_file)
    page.wait_for_selector("path.mc-route")
    point = page.evaluate(FIND_ROUTE_POINT)
    assert point is not None, "no visible stretch of a route line"
    page.mouse.move(point[0], point[1])
    tooltip = page.wait_for_selector(".leaflet-tooltip:has-text('P50')", timeout=5_000)
    assert tooltip is not None
    text = tooltip.inner_text()
    assert re.search(r"P10 [\d.]+ / P50 [\d.]+ / P90 [\d.]+", text), text
    assert "km" in text
    _assert_clean(browser_page)


@pytest.mark.browser
def test_node_name_with_markup_shows_as_text(browser_page: BrowserPage, xss_map_file: Path) -> None:
    page = browser_page.page
    browser_page.open(xss_map_file)
    page.hover("path.mc-node-AKTAU_PORT")
    tooltip = page.wait_for_selector(".leaflet-tooltip")
    assert tooltip is not None
    assert XSS_NAME in tooltip.inner_text()
    page.click("path.mc-node-AKTAU_PORT")
    popup = page.wait_for_selector(".leaflet-popup-content")
    assert popup is not None
    assert XSS_NAME in popup.inner_text()
    assert page.locator(".leaflet-popup-content script").count() == 0
    page.wait_for_timeout(200)
    _assert_clean(browser_page)
