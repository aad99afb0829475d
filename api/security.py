"""Browser-facing protections: security headers on every answer, and a limit on sign-in tries.

Headers (set unless a route set its own):

- ``Content-Security-Policy``: pages load scripts, styles, images and frames from the app
  only, post forms only to it, and cannot be framed by anyone (``frame-ancestors 'none'``).
  A map page runs its inline scripts (vis-network and the map's own code) and nothing
  else: :func:`map_policy` lists each script by its SHA-256 hash, so no other inline script
  could run even if one were injected; maps may be framed by the app's own pages only.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` (a sign-in link holds
  a token in its address: it must never travel in a ``Referer``), ``X-Frame-Options``,
  ``Cross-Origin-Opener-Policy: same-origin``, ``Permissions-Policy`` switching off what the
  app never uses.

Sign-in tries are limited per client address (:class:`SignInLimiter`): after
``SIGN_IN_FAILURES`` wrong tokens within ``SIGN_IN_WINDOW_S`` seconds, further tries answer
``429`` with ``Retry-After`` until the window has passed.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["PAGE_POLICY", "SecurityHeaders", "SignInLimiter", "map_policy"]

PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "font-src 'self'; connect-src 'self'; frame-src 'self'; form-action 'self'; "
               "base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)

SIGN_IN_FAILURES = 10
SIGN_IN_WINDOW_S = 60.0


@functools.lru_cache(maxsize=64)
def map_policy(html: str) -> str:
    """The CSP of one map page: its own inline scripts (by hash) and inline styles only.

    Kept for the last pages: finding and hashing the scripts of a 2 MB page took 24 ms, and
    the analysis cache hands out the very same page object again (a str keeps its hash, so
    looking it up costs nothing)."""
    hashes = " ".join(f"'sha256-{_digest(body)}'" for body in SCRIPT.findall(html))
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; object-src 'none'; form-action 'none'; "
            "frame-ancestors 'self'")


def _digest(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


class SecurityHeaders:
    """ASGI middleware: the headers of the module doc on every answer.

    Plain ASGI rather than ``app.middleware("http")``: that one passes every body through a
    stream of its own, which cost a few milliseconds a 2 MB map page; this only adds headers
    to the start of the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                framed_map = "frame-ancestors 'self'" in headers.get("content-security-policy", "")
                headers.setdefault("Content-Security-Policy", PAGE_POLICY)
                headers.setdefault("X-Frame-Options", "SAMEORIGIN" if framed_map else "DENY")
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


class SignInLimiter:
    """Wrong sign-in tokens per client address within a sliding window (thread-safe)."""

    def __init__(self, failures: int = SIGN_IN_FAILURES, window_s: float = SIGN_IN_WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures, self.window_s, self.clock = failures, window_s, clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int:
        """Seconds until this client may try again (0: now)."""
        with self._lock:
            recent = self._recent(client)
            if not recent:
                del self._seen[client]  # keep the table small: forget the quiet addresses
            if len(recent) < self.failures:
                return 0
            return max(1, int(recent[0] + self.window_s - self.clock()) + 1)

    def failed(self, client: str) -> None:
        """Count one wrong token from this client."""
        with self._lock:
            self._recent(client).append(self.clock())

    def _recent(self, client: str) -> deque[float]:
        recent = self._seen.setdefault(client, deque())
        cutoff = self.clock() - self.window_s
        while recent and recent[0] <= cutoff:
            recent.popleft()
        return recent
