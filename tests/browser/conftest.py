"""A real headless Chromium, driven by Playwright, for the tests that need a browser.

Chromium is Debian's package (``apt-get install -y chromium``, at ``/usr/bin/chromium``);
Playwright is the Python package only: its own browser downloads are never used (this
machine cannot fetch them), so the browser is launched by path. In CI both must be there;
elsewhere the browser tests are skipped, said in one line.
"""

from __future__ import annotations

import os
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
