"""A real headless Chromium, driven by Playwright, for the tests that need a browser.

Chromium is Debian's package (``apt-get install -y chromium``, at ``/usr/bin/chromium``);
Playwright is the Python package only: its own browser downloads are never used (this
machine cannot fetch them), so the browser is launched by path. In CI both must be there;
elsewhere the browser tests are skipped, said in one line.

For the pages: ``live_app`` serves the real app on 127.0.0.1 (one server per module, on its
own copy of the demo store, see ``live.py``), and ``site`` opens browser contexts on it that
refuse and record every request to any other host; a test whose pages asked for one fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("KAMGRAPH_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HERE = Path(__file__).parent
INSTALL = "apt-get install -y chromium; .venv/bin/pip install playwright"


def _missing() -> str | None:
    """Why the browser cannot run here, or ``None``."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM}"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Outside CI, without a browser, mark this folder's tests skipped: pytest -ra then
    reports them in one line (a skip raised by a fixture is reported once per test)."""
    missing = _missing()
    if missing is None or os.environ.get("CI") == "true":
        return
    # A developer machine without Chromium or Playwright: the browser half is skipped and
    # said once; CI never skips it (the fixture below fails instead).
    skip = pytest.mark.skip(reason=f"browser tests skipped: {missing} ({INSTALL})")
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the session."""
    missing = _missing()
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests need Chromium and Playwright in CI: {missing} ({INSTALL})")
        # Only reached by a test outside this folder that asks for a browser: skipped, as the
        # tests here are (see pytest_collection_modifyitems); CI fails above instead.
        pytest.skip(f"browser tests skipped: {missing} ({INSTALL})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A fresh page (its own context) whose requests to any host are refused and logged.

    ``page.requests`` lists every URL the page asked for, in order.
    """
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    context.route("http*://**/*", lambda route: route.abort())
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()


@pytest.fixture(scope="session")
def live_demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The demo with the test users and the outside tender (``live.OUTSIDE``), built once."""
    from tests.browser.live import demo_store

    path = tmp_path_factory.mktemp("live-demo") / "demo.db"
    return path, demo_store(path)


@pytest.fixture(scope="module")
def live_app(live_demo_db: tuple[Path, dict[str, str]],
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The real app (uvicorn, 127.0.0.1, a free port) on this module's copy of the demo."""
    from tests.browser.live import LiveApp, serve

    source, tokens = live_demo_db
    copy = tmp_path_factory.mktemp("live") / "demo.db"
    shutil.copy(source, copy)
    with serve(copy) as url:
        yield LiveApp(url, tokens, copy)


@pytest.fixture
def site(chromium: Any, live_app: Any) -> Iterator[Any]:
    """Browser contexts on the live app (``site.new_page(user)``); afterwards, no request
    may have gone to any host but the app."""
    from tests.browser.live import Browsing

    browsing = Browsing(chromium, live_app.url, live_app.tokens)
    yield browsing
    browsing.close()
    assert browsing.foreign == [], "the pages asked for hosts other than the app"
