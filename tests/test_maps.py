"""The scenario map: its saved HTML, and the page in a real, offline headless chromium."""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import markupsafe
import pytest
import yaml

import midcorridor as mc
from midcorridor.runs.frames import closed_links
from midcorridor.views import formatting as fmt
from midcorridor.views.formatting import SATURATED_NOTE
from midcorridor.views.map_nodes import LABEL_ZOOMS
from midcorridor.views.maps import headline_trips, node_radius, route_coords, scenario_map
from midcorridor.vocabulary import MOVING_STAGES

if TYPE_CHECKING:
    from conftest import BrowserPage

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = REPO_ROOT / "scenarios"
SCENARIO_NAMES = ("baseline", "digital_customs")
SATURATED_NAMES = ("baseline", "volume_x3")
#: The node where the saturated Caspian ferry wait of volume_x3 sits.
AKTAU = "AKTAU_PORT"
MIDDLE_TRIP = "Almaty-Constanta, Middle Corridor"
#: Markup, the end of a JavaScript template literal, an interpolation and a backslash.
XSS_NAME = "<script>alert(1)</script>`${alert(2)}`\\"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&#96;&#36;{alert(2)}&#96;&#92;"
HOURS = re.compile(r"\d+(\.\d+)?\s?h\b")
PLAIN_HOURS = re.compile(r"^\d[\d,]*(\.\d)? h$")
LOWER_BOUND_HOURS = re.compile(r"^>\d[\d,]* h$")
#: What a tooltip or popup says about lower bounds, in the saved (escaped) HTML.
NOTE_HTML = html.escape(SATURATED_NOTE)

# The HTML folium hands to Leaflet, each inside a JavaScript template literal.
TOOLTIP_LITERAL = re.compile(r"\.bindTooltip\(\s*`(.*?)`", re.DOTALL)
POPUP_LITERAL = re.compile(r"\$\(`(.*?)`\)\[0\]", re.DOTALL)

# Points on route lines where that very line (not another route, a network link or a
# node drawn over it) is the topmost element, in page coordinates, at most one per
# line; the argument is a CSS selector of the lines.
FIND_ROUTE_POINTS = """
(selector) => {
  const within = (x, y) => x > 5 && y > 5 && x < innerWidth - 5 && y < innerHeight - 5;
  const found = [];
  for (const path of document.querySelectorAll(selector)) {
    const length = path.getTotalLength();
    const ctm = path.getScreenCTM();
    search: for (let f = 0.05; f < 1; f += 0.05) {
      const p = path.getPointAtLength(length * f).matrixTransform(ctm);
      for (const [dx, dy] of [[0, 0], [0, 2], [0, -2], [2, 0], [-2, 0]]) {
        const x = p.x + dx, y = p.y + dy;
        if (within(x, y) && document.elementFromPoint(x, y) === path) {
          found.push([x, y]);
          break search;
        }
      }
    }
  }
  return found;
}
"""


class _Cells(HTMLParser):
    """Table cells of a popup: ``{row class: [(cell class, text), ...]}``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: dict[str, list[tuple[str, str]]] = {}
        self._row: str | None = None
        self._cell: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if tag == "tr":
            self._row = classes
            self.rows[classes] = []
        elif tag == "td" and self._row is not None:
            self._cell, self._text = classes, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._cell is not None:
            self.rows[self._row].append((self._cell, "".join(self._text).strip()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._text.append(data)


def _route_tooltip(text: str, scenario: str, trip: str) -> str:
    """The one route tooltip (saved HTML) of ``trip`` in ``scenario``, both given as HTML."""
    found = [
        tip
        for tip in TOOLTIP_LITERAL.findall(text)
        if f'data-scenario="{scenario}"' in tip and f"<b>{trip}</b>" in tip
    ]
    assert len(found) == 1, found
    return found[0]


def _popup(text: str, node_id: str) -> str:
    """The popup HTML of a node in the saved map."""
    found = [p for p in POPUP_LITERAL.findall(text) if f'data-node="{node_id}"' in p]
    assert len(found) == 1, f"{len(found)} popups of {node_id}"
    return found[0]


def _section(popup: str, shipment: str) -> str:
    """The part of a node popup about one shipment class."""
    parts = re.split(r'<div class="mc-class" data-class="', popup)[1:]
    found = [part for part in parts if part.startswith(f'{shipment}"')]
    assert len(found) == 1, f"{len(found)} sections of {shipment}"
    return found[0]


def _row_cells(popup: str, stage: str, column: int, shipment: str = "block_train") -> list[str]:
    """Texts of the P50 and P90 cells of a stage row in a scenario's column, in the
    section of a shipment class."""
    parser = _Cells()
    parser.feed(_section(popup, shipment))
    row = next(cells for cls, cells in parser.rows.items() if f"mc-stage-{stage}" in cls.split())
    return [t for cls, t in row if f"mc-col-{column}" in cls.split()]


@pytest.fixture(scope="module")
def map_file(runs: list[Any], network: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("maps") / "scenario_map.html"
    scenario_map(runs, network).save(str(path))
    return path


@pytest.fixture(scope="module")
def saturated_map_file(
    saturated_runs: list[Any], network: Any, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("maps") / "saturated_map.html"
    scenario_map(saturated_runs, network).save(str(path))
    return path


@pytest.fixture(scope="module")
def xss_map_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A map where the Aktau port, the scenario and its trip are all named ``XSS_NAME``."""
    root = tmp_path_factory.mktemp("xss")
    shutil.copytree(REPO_ROOT / "network", root / "network")
    nodes_file = root / "network" / "nodes.geojson"
    data = json.loads(nodes_file.read_text(encoding="utf-8"))
    for feature in data["features"]:
        if feature["properties"]["id"] == AKTAU:
            feature["properties"]["name"] = XSS_NAME
    nodes_file.write_text(json.dumps(data), encoding="utf-8")
    network = mc.load(root / "network")
    assert network.nodes_by_id[AKTAU].props.name == XSS_NAME
    scenario_file = root / "xss.yaml"
    route = {"origin": "Almaty", "destination": "Constanta", "corridor": "middle"}
    scenario_file.write_text(
        yaml.safe_dump({"name": XSS_NAME, "routes": [{**route, "label": XSS_NAME}]}),
        encoding="utf-8",
    )
    scenario = mc.load_scenario(scenario_file)
    assert scenario.name == XSS_NAME
    run = mc.run_scenario(scenario, network, samples=200)
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


#: A random element id as branca and folium make them (32 hex digits after a name).
RANDOM_ID = re.compile(r"_[0-9a-f]{32}\b")


def test_same_runs_give_the_same_html(map_file: Path, runs: list[Any], network: Any) -> None:
    """``make demo`` rewrites a tracked map: it must not change when the runs do not."""
    first = scenario_map(runs, network).get_root().render()
    again = scenario_map(runs, network)
    second = again.get_root().render()
    assert first == second
    assert again.get_root().render() == second  # rendering again adds nothing
    assert map_file.read_bytes() == second.encode("utf-8")
    assert not RANDOM_ID.search(second)
    # Every element is named by its place in the page: circle_marker_0123, ...
    names = set(re.findall(r"\b(?:circle_marker|poly_line|feature_group|popup)_(\w+)\b", second))
    assert names
    assert all(re.fullmatch(r"[0-9]{4}", name) for name in names)


def test_map_save_refuses_a_name_that_is_not_html(
    runs: list[Any], network: Any, tmp_path: Path
) -> None:
    with pytest.raises(mc.MidcorridorError, match=r"map\.png: the file name must end in \.html"):
        scenario_map(runs[:1], network).save(tmp_path / "map.png")
    assert list(tmp_path.iterdir()) == []


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


def _paths(run: Any) -> int:
    """Route lines of a run: one per distinct path."""
    return len({trip.route.links for trip in run.trips})


def _closed_by_scenarios(runs: list[Any], network: Any) -> set[str]:
    """Links some run's scenario closes that the network file leaves open."""
    return {
        link_id
        for run in runs
        for link_id in closed_links(run, network)
        if network.links_by_id[link_id].props.status != "closed"
    }


def test_every_tooltip_and_popup_is_found(map_file: Path, runs: list[Any], network: Any) -> None:
    # The literal patterns the other tests rely on find every tooltip and popup.
    text = map_file.read_text(encoding="utf-8")
    lines = sum(_paths(run) for run in runs)
    closures = len(_closed_by_scenarios(runs, network))
    tooltips = TOOLTIP_LITERAL.findall(text)
    assert len(tooltips) == len(network.links_by_id) + closures + lines + len(network.nodes_by_id)
    assert len(POPUP_LITERAL.findall(text)) == len(network.nodes_by_id)


def _trip_parts(tip: str) -> dict[str, str]:
    """Label -> the part of a route tooltip about that trip."""
    parts = re.split(r'<div class="mc-trip" data-trip="', tip)[1:]
    return {part.split('"', 1)[0]: part for part in parts}


def test_a_route_line_lists_every_trip_on_its_path(map_file: Path, runs: list[Any]) -> None:
    """The block train and the container share the Middle Corridor's path: one line, both
    trips in its tooltip, each with its P50 in the other scenario."""
    text = map_file.read_text(encoding="utf-8")
    tip = _route_tooltip(text, "digital_customs", MIDDLE_TRIP)
    parts = _trip_parts(tip)
    container = f"{MIDDLE_TRIP}, container"
    assert {MIDDLE_TRIP, container} <= set(parts)
    assert "(container)" in parts[container]
    assert "(block train)" in parts[MIDDLE_TRIP]
    for trip in runs[0].trips:
        if trip.label in parts:
            expected = fmt.days(trip.days()["p50"], lower_bound=trip.saturated)
            assert f"P50 days in baseline: {expected}" in parts[trip.label]


def test_names_are_escaped_for_html_and_template_literals(xss_map_file: Path) -> None:
    text = xss_map_file.read_text(encoding="utf-8")
    assert XSS_NAME not in text
    literals = TOOLTIP_LITERAL.findall(text) + POPUP_LITERAL.findall(text)
    # A backtick left in a name would end its literal early, cutting the escaped name.
    route_tip = _route_tooltip(text, XSS_ESCAPED, XSS_ESCAPED)
    assert f"<b>{XSS_ESCAPED}</b>" in route_tip
    assert f"scenario {XSS_ESCAPED}," in route_tip
    assert XSS_ESCAPED in _popup(text, AKTAU)
    assert any(f"<b>{XSS_ESCAPED}</b>" in tip and "mc-node-tip" in tip for tip in literals)
    for literal in literals:
        assert "${" not in literal
        assert "\\" not in literal
        assert "<script" not in literal


def test_saturated_route_tooltip_shows_lower_bounds(saturated_map_file: Path) -> None:
    text = saturated_map_file.read_text(encoding="utf-8")
    tip = _route_tooltip(text, "volume_x3", MIDDLE_TRIP)
    assert re.search(r"P10 &gt;\d[\d,]* / P50 &gt;\d[\d,]* / P90 &gt;\d[\d,]*", tip), tip
    assert re.search(r"\(mean &gt;\d[\d,]*\)", tip), tip
    assert tip.count(NOTE_HTML) == 1


def test_unsaturated_route_tooltip_shows_plain_days(saturated_map_file: Path) -> None:
    text = saturated_map_file.read_text(encoding="utf-8")
    tip = _route_tooltip(text, "baseline", MIDDLE_TRIP)
    own = _trip_parts(tip)[MIDDLE_TRIP].split("P50 days in")[0]
    assert re.search(r"P10 [\d,]+\.\d / P50 [\d,]+\.\d / P90 [\d,]+\.\d \(mean [\d,]+\.\d\)", own)
    assert "&gt;" not in own
    assert NOTE_HTML not in tip
    # Beside it, the same trip in volume_x3: saturated, so a lower bound.
    assert re.search(r"P50 days in volume_x3: &gt;\d", tip), tip


def test_saturated_ferry_wait_at_aktau_is_a_lower_bound(saturated_map_file: Path) -> None:
    popup = _popup(saturated_map_file.read_text(encoding="utf-8"), AKTAU)
    baseline, volume_x3 = (_row_cells(popup, "ferry_wait", k) for k in (0, 1))
    assert len(baseline) == len(volume_x3) == 2  # P50, P90
    assert all(PLAIN_HOURS.match(cell) for cell in baseline), baseline
    assert all(LOWER_BOUND_HOURS.match(cell) for cell in volume_x3), volume_x3
    # The node's total holds the saturated wait: a lower bound too, and only there.
    assert all(PLAIN_HOURS.match(cell) for cell in _row_cells(popup, "total", 0))
    assert all(LOWER_BOUND_HOURS.match(cell) for cell in _row_cells(popup, "total", 1))
    # Stages of no saturated queue keep reading as plain hours.
    assert all(PLAIN_HOURS.match(cell) for cell in _row_cells(popup, "documents", 1))
    assert popup.count(NOTE_HTML) == 1


def test_node_tooltip_hours_at_saturated_node_are_a_lower_bound(
    saturated_map_file: Path, map_file: Path
) -> None:
    def aktau_tip(path: Path) -> str:
        tips = [
            tip
            for tip in TOOLTIP_LITERAL.findall(path.read_text(encoding="utf-8"))
            if "mc-node-tip" in tip and "<b>Aktau port</b>" in tip
        ]
        assert len(tips) == 1
        return tips[0]

    saturated = aktau_tip(saturated_map_file)
    totals = re.findall(r'mc-tip-total mc-col-1">([^<]*)<', saturated)
    assert totals
    assert any(t.startswith("&gt;") for t in totals), saturated
    assert NOTE_HTML in saturated
    plain = aktau_tip(map_file)
    assert "P50 hours standing here (baseline / digital_customs)" in plain
    assert re.findall(r'mc-tip-total mc-col-\d">\d[\d,.]* h<', plain), plain
    assert "&gt;" not in plain
    assert NOTE_HTML not in plain


def test_node_tooltip_gives_the_popup_totals_of_each_class(map_file: Path, network: Any) -> None:
    """Hover and popup agree: the tooltip's P50 per class and scenario is the popup's."""
    text = map_file.read_text(encoding="utf-8")
    tips = [t for t in TOOLTIP_LITERAL.findall(text) if "mc-node-tip" in t]
    checked = 0
    for node_id in network.nodes_by_id:
        popup = _popup(text, node_id)
        name = markupsafe.escape(network.nodes_by_id[node_id].props.name)
        (tip,) = [t for t in tips if f"<b>{name}</b>" in t]
        classes = re.findall(r'<div class="mc-class" data-class="(\w+)"', popup)
        assert re.findall(r'mc-tip-class" data-class="(\w+)"', tip) == classes
        for shipment in classes:
            row = tip.split(f'data-class="{shipment}"', 1)[1].split("</span><br>", 1)[0]
            for column in (0, 1):
                shown = re.findall(rf'mc-tip-total mc-col-{column}">([^<]*)<', row)[0]
                cells = _row_cells(popup, "total", column, shipment)
                assert shown == (html.unescape(cells[0]) if cells else "\u2013"), (
                    node_id,
                    shipment,
                )
                checked += 1
    assert checked >= 20


def test_popup_has_a_section_per_shipment_class(map_file: Path, runs: list[Any]) -> None:
    popup = _popup(map_file.read_text(encoding="utf-8"), AKTAU)
    classes = re.findall(r'<div class="mc-class" data-class="(\w+)"', popup)
    standing = {
        trip.shipment
        for run in runs
        for trip in run.trips
        if any(c.node == AKTAU and c.stage not in MOVING_STAGES for c in trip.components)
    }
    assert {"block_train", "container"} <= standing
    assert set(classes) == standing
    for shipment in classes:
        assert all(PLAIN_HOURS.match(c) for c in _row_cells(popup, "total", 0, shipment))


def test_unsaturated_popup_has_no_lower_bound(map_file: Path) -> None:
    popup = _popup(map_file.read_text(encoding="utf-8"), AKTAU)
    for k in (0, 1):
        assert all(PLAIN_HOURS.match(cell) for cell in _row_cells(popup, "ferry_wait", k))
    parser = _Cells()
    parser.feed(popup)
    figures = [t for cells in parser.rows.values() for cls, t in cells if "mc-fig" in cls]
    assert len(figures) >= 8
    assert all(PLAIN_HOURS.match(t) for t in figures), figures
    assert "mc-lower-bound" not in popup
    assert NOTE_HTML not in popup


def test_popup_sources_say_what_each_figure_rests_on(map_file: Path, network: Any) -> None:
    popup = _popup(map_file.read_text(encoding="utf-8"), AKTAU)
    sources = popup.split('class="mc-sources"')[1]
    bases = re.findall(r"(Published|Derived|Assumption): ", sources)
    assert "Assumption" in bases
    assert {"Published", "Derived"} & set(bases)


# --- in chromium, offline ----------------------------------------------------------------


@pytest.mark.browser
def test_map_renders_offline(
    browser_page: BrowserPage, map_file: Path, runs: list[Any], network: Any, tmp_path: Path
) -> None:
    page = browser_page.page
    browser_page.open(map_file)
    page.wait_for_selector("path.mc-node")
    assert page.locator("path.mc-node").count() == len(network.nodes_by_id)
    for k, run in enumerate(runs):
        assert page.locator(f"path.mc-scenario-{k}").count() == _paths(run)
    closures = len(_closed_by_scenarios(runs, network))
    assert page.locator("path.mc-link").count() == len(network.links_by_id) + closures
    assert page.locator("path.mc-link-closed").count() >= 1 + closures
    assert "baseline vs digital_customs" in page.inner_text(".midcorridor-title")
    assert "Rail, 1520 mm gauge" in page.inner_text(".midcorridor-legend")
    page.wait_for_timeout(300)
    screenshot = tmp_path / "scenario_map.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000
    browser_page.assert_clean()


@pytest.mark.browser
def test_aktau_popup_shows_hours(browser_page: BrowserPage, map_file: Path) -> None:
    page = browser_page.page
    browser_page.open(map_file)
    page.click(f"path.mc-node-{AKTAU}")
    popup = page.wait_for_selector(".leaflet-popup-content")
    assert popup is not None
    text = popup.inner_text()
    assert "Aktau port" in text
    assert HOURS.search(text), text
    for name in SCENARIO_NAMES:
        assert name in text
    assert "ferry wait" in text
    assert "Sources" in text
    # The stylesheet in the page head styles the popup's classes.
    assert (
        page.eval_on_selector(".mc-hours", "el => getComputedStyle(el).borderCollapse")
        == "collapse"
    )
    browser_page.assert_clean()


@pytest.mark.browser
def test_unchecking_scenario_layer_hides_its_routes(
    browser_page: BrowserPage, map_file: Path, runs: list[Any]
) -> None:
    page = browser_page.page
    browser_page.open(map_file)
    page.wait_for_selector("path.mc-route")
    before = page.locator("path.mc-scenario-1").count()
    assert before == _paths(runs[1])
    label = page.locator(".leaflet-control-layers-overlays label", has_text="digital_customs")
    label.locator("input").uncheck()
    assert page.locator("path.mc-scenario-1").count() == 0
    assert page.locator("path.mc-scenario-0").count() == _paths(runs[0])
    label.locator("input").check()
    assert page.locator("path.mc-scenario-1").count() == before
    browser_page.assert_clean()


#: Resolves once Leaflet has no zoom or pan animation running and two frames have painted.
MAP_SETTLED = """
() => new Promise((resolve) => {
  const idle = () => !document.querySelector(".leaflet-zoom-anim, .leaflet-pan-anim");
  const settle = () => requestAnimationFrame(() => requestAnimationFrame(() =>
    idle() ? resolve(true) : setTimeout(settle, 50)));
  settle();
})
"""
#: Tries per route line: a busy machine can move the map between finding a point and
#: hovering it, so a miss finds the points again.
HOVER_TRIES = 4


def _hover_route_tooltips(bp: BrowserPage, selector: str) -> list[str]:
    """Texts of the tooltips shown on hovering each line of ``selector`` where it is on top."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page = bp.page
    page.wait_for_selector(selector)
    page.evaluate(MAP_SETTLED)
    count = len(page.evaluate(FIND_ROUTE_POINTS, selector))
    texts = []
    for i in range(count):
        for _ in range(HOVER_TRIES):
            page.mouse.move(5, 5)
            page.wait_for_selector(".mc-route-tip", state="detached", timeout=5_000)
            page.evaluate(MAP_SETTLED)
            points = page.evaluate(FIND_ROUTE_POINTS, selector)
            if i >= len(points):
                break
            page.mouse.move(*points[i])
            try:
                tooltip = page.wait_for_selector(".leaflet-tooltip .mc-route-tip", timeout=3_000)
            except PlaywrightTimeoutError:
                continue
            if tooltip is not None:
                texts.append(tooltip.inner_text())
                break
        else:
            pytest.fail(f"no tooltip on hovering line {i} of {selector!r} in {HOVER_TRIES} tries")
    return texts


@pytest.mark.browser
def test_route_tooltip_on_hover(browser_page: BrowserPage, map_file: Path) -> None:
    browser_page.open(map_file)
    texts = _hover_route_tooltips(browser_page, "path.mc-route")
    assert texts, "no visible stretch of a route line"
    for text in texts:
        assert re.search(r"P10 [\d.]+ / P50 [\d.]+ / P90 [\d.]+", text), text
        assert "km" in text
        assert "lower bound" not in text
    browser_page.assert_clean()


@pytest.mark.browser
def test_saturated_map_reads_lower_bounds(
    browser_page: BrowserPage, saturated_map_file: Path
) -> None:
    page = browser_page.page
    browser_page.open(saturated_map_file)
    # Route lines of volume_x3: the Middle Corridor ones read as lower bounds.
    texts = _hover_route_tooltips(browser_page, "path.mc-scenario-1")
    saturated = [t for t in texts if "Middle Corridor" in t]
    assert saturated, texts
    for text in saturated:
        assert re.search(r"P10 >\d[\d,]* / P50 >\d[\d,]* / P90 >\d[\d,]*", text), text
        assert SATURATED_NOTE in text
    # The node popup: the ferry wait at Aktau, a lower bound in volume_x3 only.
    page.mouse.move(5, 5)
    page.click(f"path.mc-node-{AKTAU}")
    page.wait_for_selector(".leaflet-popup-content .mc-popup")
    row = '.leaflet-popup-content .mc-class[data-class="block_train"] tr.mc-stage-ferry_wait'
    volume_x3 = page.locator(f"{row} td.mc-col-1").all_inner_texts()
    baseline = page.locator(f"{row} td.mc-col-0").all_inner_texts()
    assert len(volume_x3) == len(baseline) == 2
    assert all(LOWER_BOUND_HOURS.match(t) for t in volume_x3), volume_x3
    assert all(PLAIN_HOURS.match(t) for t in baseline), baseline
    assert page.locator(".leaflet-popup-content .mc-note").all_inner_texts() == [SATURATED_NOTE]
    browser_page.assert_clean()


@pytest.mark.browser
def test_names_with_markup_and_backticks_show_as_text(
    browser_page: BrowserPage, xss_map_file: Path
) -> None:
    page = browser_page.page
    browser_page.open(xss_map_file)
    assert page.inner_text(".midcorridor-title") == XSS_NAME
    assert XSS_NAME in page.inner_text(".leaflet-control-layers-overlays")
    texts = _hover_route_tooltips(browser_page, "path.mc-route")
    assert texts, "no visible stretch of the route line"
    assert all(text.count(XSS_NAME) == 2 for text in texts), texts  # trip and scenario
    page.mouse.move(5, 5)
    page.hover(f"path.mc-node-{AKTAU}")
    tooltip = page.wait_for_selector(".leaflet-tooltip .mc-node-tip")
    assert tooltip is not None
    assert XSS_NAME in tooltip.inner_text()
    page.click(f"path.mc-node-{AKTAU}")
    popup = page.wait_for_selector(".leaflet-popup-content")
    assert popup is not None
    assert XSS_NAME in popup.inner_text()
    assert page.locator(".leaflet-popup-content script").count() == 0
    page.wait_for_timeout(200)
    browser_page.assert_clean()


# --- headline routes, closures, place names, hover and popup --------------------------

#: The folium map object of the page.
LEAFLET_MAP = "window[Object.keys(window).find((k) => /^map_[0-9]+$/.test(k))]"
#: Page point of a (lat, lon), and what lies on top there.
POINT_AT = f"""
([lat, lon]) => {{
  const map = {LEAFLET_MAP};
  const box = map.getContainer().getBoundingClientRect();
  const p = map.latLngToContainerPoint([lat, lon]);
  const x = box.left + p.x, y = box.top + p.y;
  const top = document.elementFromPoint(x, y);
  return [x, y, top ? String(top.getAttribute("class")) : ""];
}}
"""


def _along(coords: list[tuple[float, float]], fraction: float) -> tuple[float, float]:
    """The point a ``fraction`` of the way along a line of (lat, lon), by degree length."""
    steps = [
        ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 for a, b in itertools.pairwise(coords)
    ]
    goal, walked = sum(steps) * fraction, 0.0
    for (a, b), step in zip(itertools.pairwise(coords), steps, strict=True):
        if walked + step >= goal and step > 0:
            t = (goal - walked) / step
            return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
        walked += step
    return coords[-1]


@pytest.mark.browser
def test_every_headline_route_shows_its_days_on_hover_at_its_midpoint(
    browser_page: BrowserPage, map_file: Path, runs: list[Any], network: Any
) -> None:
    page = browser_page.page
    browser_page.open(map_file)
    page.evaluate(MAP_SETTLED)
    trips = headline_trips(runs[0])
    assert {t.route.corridor for t in trips} == {"middle", "northern"}
    for trip in trips:
        coords = route_coords(trip, network)
        # The midpoint, or the nearest point beside it a node circle does not cover.
        for fraction in (0.5, 0.48, 0.52, 0.46, 0.54, 0.44, 0.56):
            x, y, on_top = page.evaluate(POINT_AT, list(_along(coords, fraction)))
            if "mc-headline" in on_top:
                break
        else:
            pytest.fail(f"{trip.label}: no headline line on top near its midpoint")
        page.mouse.move(5, 5)
        page.wait_for_selector(".mc-route-tip", state="detached", timeout=5_000)
        page.mouse.move(x, y)
        tip = page.wait_for_selector(".leaflet-tooltip .mc-route-tip", timeout=3_000)
        assert tip is not None
        text = tip.inner_text()
        assert trip.label in text, (trip.label, text)
        shown = fmt.days(trip.days()["p50"], lower_bound=trip.saturated)
        assert f"P50 days in baseline: {shown}" in text or f"P50 {shown}" in text, text
    browser_page.assert_clean()


@pytest.fixture(scope="module")
def closed_map_file(
    network: Any, runs: list[Any], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Any]]:
    """Baseline against the route via Russia closed."""
    closed = mc.run_scenario(
        mc.load_scenario(SCENARIOS / "northern_closed.yaml"), network, samples=200
    )
    pair = [runs[0], closed]
    path = tmp_path_factory.mktemp("maps") / "closed_map.html"
    scenario_map(pair, network).save(str(path))
    return path, pair


def test_a_scenarios_closures_are_drawn_closed(
    closed_map_file: tuple[Path, list[Any]], network: Any
) -> None:
    path, _pair = closed_map_file
    text = path.read_text(encoding="utf-8")
    russian = {
        lk.id
        for lk in network.links_by_id.values()
        if any(
            "RU" in network.nodes_by_id[n].props.countries for n in (lk.props.from_, lk.props.to)
        )
        and lk.props.status != "closed"
    }
    assert russian
    closed_lines = re.findall(r'"className": "([^"]*mc-closed-scenario-1[^"]*)"', text)
    assert len(closed_lines) >= len(russian)
    tips = [t for t in TOOLTIP_LITERAL.findall(text) if "mc-closed-in" in t]
    for link_id in russian:
        (tip,) = [t for t in tips if f"<b>{link_id}</b>" in t]
        assert "closed in" in tip
        assert "northern_closed" in tip
    # The baseline closes none of them.
    assert all("baseline" not in t for t in tips if any(f"<b>{i}</b>" in t for i in russian))


@pytest.mark.browser
def test_closures_and_place_names_in_the_browser(
    browser_page: BrowserPage, closed_map_file: tuple[Path, list[Any]], network: Any
) -> None:
    path, pair = closed_map_file
    page = browser_page.page
    browser_page.open(path)
    closed = page.locator("path.mc-closed-scenario-1")
    assert closed.count() == len(_closed_by_scenarios(pair[1:], network))
    assert closed.first.get_attribute("stroke-dasharray")
    # Place names: the trips' ends at the opening zoom, every place from the deepest tier.
    ends = {
        fmt.short_place(network.nodes_by_id[n].props.name)
        for run in pair
        for t in run.trips
        for n in (t.route.origin, t.route.destination)
    }
    visible = set(page.locator(".mc-label span:visible").all_inner_texts())
    assert ends <= visible
    assert len(visible) < len(network.nodes_by_id)
    deepest = LABEL_ZOOMS[-1]
    page.evaluate(MAP_SETTLED)
    page.evaluate(f"() => {{ {LEAFLET_MAP}.setView([42, 45], {deepest}, {{animate: false}}); }}")
    page.wait_for_function(f"() => {LEAFLET_MAP}.getZoom() === {deepest}", timeout=5_000)
    page.evaluate(MAP_SETTLED)
    shown = "() => [...document.querySelectorAll('.mc-label')].filter((e) => e.offsetParent).length"
    page.wait_for_function(f"() => ({shown})() > {len(visible)}", timeout=5_000)
    # Names take no pointer events: they never hide a tooltip.
    assert page.eval_on_selector(".mc-label", "el => getComputedStyle(el).pointerEvents") == "none"
    browser_page.assert_clean()


@pytest.mark.browser
def test_node_hover_and_popup_agree(browser_page: BrowserPage, map_file: Path) -> None:
    page = browser_page.page
    browser_page.open(map_file)
    page.hover(f"path.mc-node-{AKTAU}")
    tip = page.wait_for_selector(".leaflet-tooltip .mc-node-tip")
    assert tip is not None
    hovered = {
        (el.get_attribute("data-class"), k): el.eval_on_selector(
            f".mc-tip-total.mc-col-{k}", "e => e.innerText"
        )
        for el in page.query_selector_all(".leaflet-tooltip .mc-tip-class")
        for k in (0, 1)
    }
    page.click(f"path.mc-node-{AKTAU}")
    page.wait_for_selector(".leaflet-popup-content .mc-popup")
    for (shipment, k), text in hovered.items():
        cell = page.locator(
            f'.leaflet-popup-content .mc-class[data-class="{shipment}"] '
            f"tr.mc-stage-total td.mc-col-{k}"
        ).first
        assert cell.inner_text() == text, (shipment, k)
    assert {s for s, _ in hovered} >= {"block_train", "container"}
    browser_page.assert_clean()
