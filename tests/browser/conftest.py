"""A real browser on the inspector page: Debian's Chromium driven by Playwright for Python.

The tests need ``pip install playwright`` (a test extra) and a Chromium binary: ``/usr/bin/chromium``
(``apt-get install chromium``) or the one ``LOYAPRO_MOCK_CHROMIUM`` names; Playwright's own browser
downloads are never used. Without them the tests skip and say how to enable them; with
``LOYAPRO_MOCK_REQUIRE_BROWSER=1`` (set by ``.ci/run``) a missing browser fails them instead.
Screenshots go to ``screenshots/`` under pytest's temporary folder and, when
``LOYAPRO_MOCK_SCREENSHOTS=DIR`` is set, to DIR too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import DEFAULT_SECRET
from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

from support.servers import start_server

CHROMIUM = os.environ.get("LOYAPRO_MOCK_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("LOYAPRO_MOCK_REQUIRE_BROWSER", "") not in ("", "0")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set LOYAPRO_MOCK_CHROMIUM)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing()
    if reason is None or REQUIRE:  # required: `_browser_required` fails them instead
        return
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=f"{reason}; the browser tests need both")
    for item in items:
        if here in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _browser_required() -> None:
    reason = _missing()
    if reason is not None and REQUIRE:
        pytest.fail(f"LOYAPRO_MOCK_REQUIRE_BROWSER is set but {reason}", pytrace=False)


@dataclass
class Mock:
    """A ``loyapro-mock serve`` process (state in a file, demo loaded) on a free port."""

    base_url: str
    token: str
    db: Path

    def post(self, operation: str, body: Any) -> requests.Response:
        """A webhook call as POS foodics makes it."""
        return requests.post(
            f"{self.base_url}/pos/1.0.0/foodics/{operation}",
            json=body,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
            timeout=10,
        )

    def reset(self) -> None:
        requests.post(f"{self.base_url}/__admin/reset", timeout=10).raise_for_status()

    def journal_from_elsewhere(self, entry: dict[str, Any]) -> int:
        """Write a journal entry into the mock's store from another process's connection (as
        another worker or instance sharing the store does); returns its id."""
        store = SqliteStore(self.db)
        try:
            return store.record_request(entry)
        finally:
            store.close()


@pytest.fixture(scope="module")
def mock_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mock]:
    db = tmp_path_factory.mktemp("mock") / "state.db"
    try:
        server = start_server(db)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield Mock(server.base_url, issue_token(DEFAULT_SECRET, "foodics"), db)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium, for one test module: Playwright's sync API holds an event loop while it runs,
    which the asyncio tests of other modules must not find."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def mock(mock_server: Mock) -> Mock:
    """The mock, reset to its demo state."""
    mock_server.reset()
    return mock_server


@pytest.fixture
def page(browser: Any, mock: Mock) -> Iterator[Any]:
    """A fresh 1280 px wide page on the inspector, its live stream connected. The test fails
    on any script error of the page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(f"{mock.base_url}/__admin/ui")
    tab.wait_for_selector("#live.on", timeout=5000)
    yield tab
    context.close()
    assert errors == [], errors


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def screenshot(screenshot_dir: Path) -> Callable[[Any, str], Path]:
    """``screenshot(page, name)``: save a full-page PNG (and copy it to LOYAPRO_MOCK_SCREENSHOTS)."""

    def take(tab: Any, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        extra = os.environ.get("LOYAPRO_MOCK_SCREENSHOTS")
        if extra:
            Path(extra).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(extra) / path.name)
        return path

    return take
