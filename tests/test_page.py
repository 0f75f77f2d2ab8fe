"""The report's offline page (``report.html``): its data, its HTML, and each control in a
real, offline headless chromium, at laptop and phone widths."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import midcorridor as mc
from midcorridor.analysis.headline import Headline, headline
from midcorridor.views.page import PAGE_FILE, page_data, page_html
from midcorridor.views.report import write_report

if TYPE_CHECKING:
    from conftest import BrowserPage

pytestmark = pytest.mark.slow

Runs = list[mc.ScenarioRun]
XSS_NAME = "<script>alert(1)</script>`${x}`</script>"
#: Laptop and phone viewports (CSS pixels).
WIDTHS = {"laptop": (1366, 768), "phone": (390, 844)}


@pytest.fixture(scope="module")
def answers(runs: Runs, network: mc.Network) -> list[Headline]:
    return [headline(run.scenario, network, samples=300) for run in runs]


@pytest.fixture(scope="module")
def page_file(
    runs: Runs,
    network: mc.Network,
    answers: list[Headline],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    folder = tmp_path_factory.mktemp("page") / "report"
    report = write_report(runs, network, folder, headlines=answers)
    return report.with_name(PAGE_FILE)


def _p50(answer: Headline, corridor: str, shipment: str, month: int) -> str:
    return f"{answer.cell(corridor, shipment, month).p50_days:.1f}"


# --- without a browser -------------------------------------------------------------------


def test_page_data_holds_every_cell_and_route(runs: Runs, answers: list[Headline]) -> None:
    data = page_data(runs, {a.scenario: a for a in answers})
    assert [s["name"] for s in data["scenarios"]] == [r.scenario.name for r in runs]
    for scenario, run, answer in zip(data["scenarios"], runs, answers, strict=True):
        assert len(scenario["cells"]) == len(answer.cells) == 2 * 2 * 12
        assert [r["route"] for r in scenario["routes"]] == [t.label for t in run.trips]
        assert scenario["sentences"] == answer.sentences()
    json.dumps(data, allow_nan=False)  # no NaN can reach the page's JSON


def test_page_is_one_file_with_no_remote_reference(page_file: Path) -> None:
    text = page_file.read_text(encoding="utf-8")
    # Nothing loads from the network (the sources' links are for the reader to follow).
    loads = r"""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//"""
    assert not re.search(loads, text, re.IGNORECASE)
    assert "srcdoc=" in text  # the map, inside the page
    images = re.findall(r'<img src="([^"]*)"', text)
    assert images
    assert all(src.startswith("data:image/") for src in images)
    assert "<h2>Sources</h2>" in text


def test_names_reach_the_page_as_text(runs: Runs, network: mc.Network) -> None:
    hostile = mc.run_scenario(runs[0].scenario.derive(name=XSS_NAME), network, samples=100)
    text = page_html([hostile], {}, title=XSS_NAME, report_markdown=f"# {XSS_NAME}\n")
    assert "<script>alert(1)" not in text
    data = text.split('<script type="application/json" id="mc-data">')[1].split("</script>")[0]
    assert json.loads(data)["scenarios"][0]["name"] == XSS_NAME


# --- in chromium, offline -----------------------------------------------------------------


def _open(bp: BrowserPage, path: Path) -> Any:
    page = bp.page
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_selector("#mc-answer tr[data-corridor='middle'] .p50")
    return page


def _shown(page: Any, corridor: str) -> str:
    return str(page.inner_text(f"#mc-answer tr[data-corridor='{corridor}'] .p50"))


@pytest.mark.browser
def test_each_control_changes_what_it_should(
    browser_page: BrowserPage, page_file: Path, runs: Runs, answers: list[Headline]
) -> None:
    page = _open(browser_page, page_file)
    names = [r.scenario.name for r in runs]
    assert page.locator("#mc-scenario option").all_inner_texts() == names
    assert page.locator("#mc-month option").count() == 12
    # It opens on the container's slowest month: the brief's question.
    slowest = answers[0].slowest("container")
    assert page.input_value("#mc-class") == "container"
    assert page.input_value("#mc-month") == str(slowest.month)
    assert _shown(page, "middle") == f"{slowest.p50_days:.1f}"
    assert page.inner_text("#mc-change") == ""  # the reference changes nothing
    for shipment in ("block_train", "container"):
        page.select_option("#mc-class", shipment)
        for month in (1, 4, 8, 12):
            page.select_option("#mc-month", str(month))
            for corridor in ("middle", "northern"):
                assert _shown(page, corridor) == _p50(answers[0], corridor, shipment, month)
            point = page.get_attribute(
                "#mc-month-chart .mc-point[data-corridor='middle']", "data-p50"
            )
            assert point is not None
            assert float(point) == pytest.approx(
                answers[0].cell("middle", shipment, month).p50_days, abs=0.01
            )
            stages = page.locator("#mc-stages li").count()
            assert stages >= 3
        # Routes of the class only, with the run's P50.
        rows = page.locator("#mc-routes tbody tr")
        trips = [t for t in runs[0].trips if t.shipment == shipment]
        assert rows.count() == len(trips)
        for i, trip in enumerate(trips):
            cells = rows.nth(i).locator("td").all_inner_texts()
            assert cells[0] == trip.label
            assert cells[4] == f"{trip.days()['p50']:.1f}"
    # Another scenario: its own answer and routes.
    page.select_option("#mc-scenario", "1")
    page.select_option("#mc-class", "container")
    page.select_option("#mc-month", "2")
    assert _shown(page, "middle") == _p50(answers[1], "middle", "container", 2)
    assert names[1] in page.inner_text("#mc-answer-caption")
    (change,) = [c for c in answers[1].changes_from(answers[0]) if ", a container " in c]
    assert page.inner_text("#mc-change") == change
    first = page.locator("#mc-routes tbody tr").first.locator("td").all_inner_texts()
    trip = next(t for t in runs[1].trips if t.shipment == "container")
    assert first[4] == f"{trip.days()['p50']:.1f}"
    browser_page.assert_clean()


@pytest.mark.browser
def test_the_map_and_the_report_are_inside(browser_page: BrowserPage, page_file: Path) -> None:
    page = _open(browser_page, page_file)
    frame = page.frame_locator("#mc-map")
    frame.locator(".leaflet-container").wait_for()
    assert frame.locator("path.mc-route").count() > 0
    assert frame.locator("path.mc-headline").count() > 0
    images = page.locator("#report img")
    assert images.count() >= 3
    assert all(
        page.evaluate(
            "(img) => img.complete && img.naturalWidth > 0", images.nth(i).element_handle()
        )
        for i in range(images.count())
    )
    assert "Sources" in page.inner_text("#report")
    browser_page.assert_clean()


@pytest.mark.browser
@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_screenshot_at_laptop_and_phone_widths(
    browser_page: BrowserPage, page_file: Path, device: str, tmp_path: Path
) -> None:
    width, height = WIDTHS[device]
    page = browser_page.page
    page.set_viewport_size({"width": width, "height": height})
    _open(browser_page, page_file)
    # Nothing wider than the screen but the tables, which scroll in their own box.
    overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 1
    controls = page.locator(".mc-controls select")
    for i in range(controls.count()):
        box = controls.nth(i).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= width
    shot = tmp_path / f"page_{device}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    browser_page.assert_clean()
