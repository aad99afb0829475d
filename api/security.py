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
import hashlib
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable

from fastapi import Request, Response

__all__ = ["PAGE_POLICY", "SignInLimiter", "map_policy", "security_headers"]

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


def map_policy(html: str) -> str:
    """The CSP of one map page: its own inline scripts (by hash) and inline styles only."""
    hashes = " ".join(f"'sha256-{_digest(body)}'" for body in SCRIPT.findall(html))
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; object-src 'none'; form-action 'none'; "
            "frame-ancestors 'self'")


def _digest(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


async def security_headers(request: Request,
                           call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Middleware: the headers of the module doc on every answer."""
    response = await call_next(request)
    framed_map = "frame-ancestors 'self'" in response.headers.get("Content-Security-Policy", "")
    response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN" if framed_map else "DENY")
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


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
