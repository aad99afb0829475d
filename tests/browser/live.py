"""The real app on loopback for the browser, and a browser that may talk to nothing else.

:func:`demo_store` writes the demo territory (seed 42, with the users of
``tests/api/conftest.py``) and one tender outside every KAM's territories into a SQLite
file; :func:`serve` runs ``api.main.create_app`` on it with uvicorn in a thread, on
127.0.0.1 and a port the system picks; :class:`Browsing` opens Chromium contexts whose every
request is recorded and whose requests to any other host are refused.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvicorn

from api.main import create_app
from kamgraph import demo, users
from kamgraph.io.importer import RawRecord, import_records
from kamgraph.model import Where
from kamgraph.settings import Settings
from kamgraph.store.sqlite import SqliteStore
from tests.api.conftest import USERS

__all__ = ["OUTSIDE", "Browsing", "LiveApp", "demo_store", "serve"]

START_LIMIT_S = 30.0
STOP_LIMIT_S = 15.0

# A territory nobody covers, with one hospital and one tender: no KAM or regional manager
# may see them; the admin sees them like any other.
OUTSIDE = {"territory": "tr-outside", "organization": "o-outside", "tender": "t-outside",
           "tender_name": "Sealed Outland Tender for Zoledronic Acid"}
OUTSIDE_RECORDS = [
    {"label": "Territory", "id": OUTSIDE["territory"], "name": "Outland Region", "level": "region"},
    {"label": "Organization", "id": OUTSIDE["organization"], "name": "Outland Central Hospital",
     "type": "hospital"},
    {"label": "Tender", "id": OUTSIDE["tender"], "name": OUTSIDE["tender_name"],
     "status": "published", "deadline": "2026-12-20"},
    {"type": "LOCATED_IN", "from": OUTSIDE["organization"], "to": OUTSIDE["territory"]},
    {"type": "ISSUED_BY", "from": OUTSIDE["tender"], "to": OUTSIDE["organization"]},
]


@dataclass(frozen=True)
class LiveApp:
    """The app served on loopback from a private copy of the demo store."""

    url: str
    tokens: dict[str, str]
    db: Path


def demo_store(path: Path) -> dict[str, str]:
    """Write the demo, the outside tender and the test users to ``path``; their tokens."""
    with SqliteStore(path) as store:
        demo.load_demo(store)
        where = Where("browser tests", "outside territory")
        import_records(store, (RawRecord("node" if "label" in r else "relationship", r, where)
                               for r in OUTSIDE_RECORDS))
        return {name: users.create_user(store, name, role, am) for name, (role, am) in USERS.items()}


@contextmanager
def serve(db: Path | Settings) -> Iterator[str]:
    """The app on ``db`` (a SQLite file, or the settings of any store), served on 127.0.0.1
    until the block ends; yields its base URL."""
    app = create_app(db if isinstance(db, Settings) else Settings(db=f"sqlite:///{db}"))
    # Binding the socket here (port 0) leaves no gap in which another process takes the port.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="kamgraph-live-server")
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, thread)
        yield url
    finally:
        server.should_exit = True
        thread.join(STOP_LIMIT_S)
        sock.close()
        if thread.is_alive():
            raise RuntimeError(f"the live server at {url} did not stop in {STOP_LIMIT_S:.0f} s")


def _wait_healthy(url: str, thread: threading.Thread) -> None:
    """Return once ``/api/v1/health`` answers 200; fail after :data:`START_LIMIT_S`."""
    deadline = time.monotonic() + START_LIMIT_S
    last: Exception | None = None
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError(f"the live server at {url} stopped while starting")
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError as exc:  # refused while uvicorn starts up
            last = exc
        time.sleep(0.05)
    raise RuntimeError(f"the live server at {url} did not answer /api/v1/health "
                       f"in {START_LIMIT_S:.0f} s: {last}")


def _is_page_internal(url: str) -> bool:
    """data:, blob: and about: URLs never leave the browser."""
    return url.split(":", 1)[0] in {"data", "blob", "about"}


@dataclass
class Browsing:
    """Chromium contexts on the live app: every request recorded, foreign ones refused.

    ``requests`` lists every URL any page asked for (web sockets included); ``refused`` the
    ones the guard aborted before they left the browser because their host was not the
    app's ``127.0.0.1:PORT``.
    """

    chromium: Any
    base_url: str
    tokens: dict[str, str]
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    @property
    def foreign(self) -> list[str]:
        """Every request, refused or not, to anything but the app."""
        return [url for url in self.requests
                if not _is_page_internal(url) and urlsplit(url).netloc != self.host]

    def new_page(self, user: str | None = None) -> Any:
        """A page in a fresh context (its own cookies); signed in as ``user`` when given."""
        context = self.chromium.new_context(viewport={"width": 1400, "height": 900},
                                            base_url=self.base_url)
        self.contexts.append(context)
        context.route("**/*", self._guard)
        context.on("request", lambda request: self.requests.append(request.url))
        page = context.new_page()
        page.on("websocket", lambda ws: self.requests.append(ws.url))
        page.set_default_timeout(15_000)
        if user is not None:
            page.goto(f"/signin?token={self.tokens[user]}")
            page.click("form#signin-confirm button[type=submit]")
            page.wait_for_url(f"{self.base_url}/")
        return page

    def _guard(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).netloc == self.host or _is_page_internal(url):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort("blockedbyclient")

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


def wait_until(frame: Any, expression: str, timeout_ms: int) -> None:
    """Poll ``expression`` in the frame until it is truthy (bounded).

    Playwright's ``wait_for_function`` compiles its predicate inside the page, which the map
    pages' Content-Security-Policy forbids (no eval); ``evaluate`` runs through the DevTools
    protocol instead, which the policy does not govern, so polling with it works under CSP.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while not frame.evaluate(f"() => Boolean({expression})"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{expression!r} did not become true within {timeout_ms} ms")
        time.sleep(0.05)
