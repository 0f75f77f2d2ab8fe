"""Shared pytest fixtures.

``browser_page`` drives Debian's ``chromium`` through Playwright's Python client (no
``playwright install``, no browser download) with every non-local request blocked, so a
test can prove that a page works offline. Tests using it are marked ``browser``.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

import midcorridor as mc

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

CHROMIUM_ARGS = [
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--metrics-recording-only",
    "--mute-audio",
]
LOCAL_URL_PREFIXES = ("file:", "data:", "about:", "blob:")
VIEWPORT_WIDTH, VIEWPORT_HEIGHT = 1280, 800


@pytest.fixture(autouse=True)
def _signal_handlers_kept() -> Iterator[None]:
    """Each test leaves the stop signals' handlers as it found them: ``midcorridor.cli.main``
    takes them for the process it runs in, as a command should."""
    numbers = [getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]
    before = {n: signal.getsignal(n) for n in numbers}
    yield
    for number, handler in before.items():
        signal.signal(number, handler)


def _unavailable(reason: str) -> NoReturn:
    """Skip on a developer machine; fail in CI, where the browser must be present."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: browser tests must run)", pytrace=False)
    pytest.skip(reason)


@dataclass
class BrowserPage:
    """A Playwright page whose network is cut off, with what it tried and reported.

    Attributes
    ----------
    page : playwright.sync_api.Page
        The page.
    blocked_requests : list of str
        URLs of requests that were aborted (anything but ``file:``/``data:``).
    console_errors : list of str
        Texts of console messages of type ``error``.
    page_errors : list of str
        Uncaught JavaScript exceptions.
    dialogs : list of str
        Messages of ``alert``/``confirm``/``prompt`` dialogs (each dismissed).
    """

    page: Page
    blocked_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """No console error, no uncaught exception, no request blocked, no dialog."""
        assert self.console_errors == []
        assert self.page_errors == []
        assert self.blocked_requests == []
        assert self.dialogs == []

    def open(self, path: str | os.PathLike[str], timeout_ms: float = 15_000) -> None:
        """Load a local HTML file, wait for Leaflet's map container and for the page to
        settle (two animation frames after load), so that a click lands on a drawn map."""
        self.page.goto(Path(path).resolve().as_uri(), wait_until="load")
        self.page.wait_for_selector(".leaflet-container", timeout=timeout_ms)
        self.page.evaluate(
            "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )


@pytest.fixture(scope="session")
def _chromium() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        _unavailable("chromium not installed: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright (Python client) not installed: pip install playwright")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(_chromium: Browser) -> Iterator[BrowserPage]:
    """A fresh offline page in headless chromium; see :class:`BrowserPage`."""
    context = _chromium.new_context(viewport={"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT})
    page = context.new_page()
    result = BrowserPage(page=page)

    def handle_route(route: Route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_URL_PREFIXES):
            route.continue_()
        else:
            result.blocked_requests.append(url)
            route.abort()

    def on_console(message: Any) -> None:
        if message.type == "error":
            result.console_errors.append(message.text)

    def on_dialog(dialog: Any) -> None:
        result.dialogs.append(dialog.message)
        dialog.dismiss()

    context.route("**/*", handle_route)
    page.on("console", on_console)
    page.on("pageerror", lambda error: result.page_errors.append(str(error)))
    page.on("dialog", on_dialog)
    try:
        yield result
    finally:
        context.close()


# --- model fixtures ----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
#: Samples of the shared scenario runs: enough for stable P50s, few enough to be quick.
RUN_SAMPLES = 1000


@pytest.fixture(scope="session")
def network() -> mc.Network:
    """The real network of this checkout, loaded once."""
    return mc.load(ROOT / "network")


@pytest.fixture(scope="session")
def baseline() -> mc.Scenario:
    """The baseline scenario."""
    return mc.load_scenario(SCENARIOS / "baseline.yaml")


@pytest.fixture(scope="session")
def runs(network: mc.Network) -> list[mc.ScenarioRun]:
    """Baseline and digital customs, run once for every view that draws them."""
    return [
        mc.run_scenario(mc.load_scenario(SCENARIOS / f"{name}.yaml"), network, samples=RUN_SAMPLES)
        for name in ("baseline", "digital_customs")
    ]


@pytest.fixture(scope="session")
def saturated_runs(network: mc.Network) -> list[mc.ScenarioRun]:
    """Baseline and tripled volume: the Middle Corridor trips of ``volume_x3`` are saturated."""
    return [
        mc.run_scenario(mc.load_scenario(SCENARIOS / f"{name}.yaml"), network, samples=300)
        for name in ("baseline", "volume_x3")
    ]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A browser test starts chromium: it is slow too (``make quick`` leaves it out)."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.slow)
