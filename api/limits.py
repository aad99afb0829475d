"""The request limits (``kamgraph.limits``) as one ASGI middleware.

For every HTTP request it puts the app's limits in force (text lengths are checked by the
model, in the request's worker thread too), caps the body by route — an upload, a batch of
records, anything else — and bounds the time:

- a body announced larger than its route takes is refused (413) before the route runs, so no
  write happens behind a refusal; one that grows past it while arriving is refused as it does;
- a read (GET, HEAD) not answered within ``request_seconds`` is answered 503; the work under
  way finishes in the background (an analysis lands in the cache, so asking again is quick).
  Downloads (exports, the audit log) are not timed: they take as long as the data is large;
- a write whose body stops arriving for ``request_seconds`` is answered 408. Once its body is
  in, a write is never cut off: its transaction would go on, and the caller could not know
  whether it was written.

It also holds the bounds of the API's numeric query parameters.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from fastapi import HTTPException, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kamgraph import limits
from kamgraph.limits import Limits

__all__ = ["MAX_OFFSET", "MAX_STALE_DAYS", "MAX_TOP", "MULTIPART_SLACK", "LateReads", "RequestLimits"]

MAX_TOP = 100_000
"""The most people or gaps an analysis lists: more than anyone reads, a 64-bit number."""
MAX_OFFSET = 10**9
"""The largest page offset: a 64-bit number for the stores."""
MAX_STALE_DAYS = 36_500
"""A century: a longer 'stale after' would name a day before any contact was logged."""

UPLOAD_PATH = "/api/v1/import"
BATCH_PATH = "/api/v1/records"
MULTIPART_SLACK = 2**20
"""Room for the multipart envelope around an uploaded file."""
READS = frozenset({"GET", "HEAD"})
DOWNLOADS = ("/api/v1/export", "/api/v1/audit")

log = logging.getLogger("kamgraph.api")


class LateReads:
    """Reads answered 503 for their time and still running in a worker thread: the app waits
    for them before it closes the store, which would pull a connection from under them."""

    def __init__(self) -> None:
        self._running: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._running)

    def add(self, task: asyncio.Task[None]) -> None:
        self._running.add(task)
        task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("a read answered 503 for its time failed afterwards", exc_info=error)

    async def ended(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for every late read to end; whether they all did."""
        if self._running:
            await asyncio.wait(set(self._running), timeout=seconds)
        return not self._running


class RequestLimits:
    """Pure ASGI middleware: the limits in force, the body's size and the request's time."""

    def __init__(self, app: ASGIApp, limits: Limits, late: LateReads) -> None:
        self.app = app
        self.limits = limits
        self.late = late

    def body_limit(self, path: str) -> tuple[int, str]:
        """The largest body the route at ``path`` takes, and the setting that says so."""
        if path == UPLOAD_PATH:
            return self.limits.upload_bytes + MULTIPART_SLACK, "KAMGRAPH_MAX_UPLOAD_MIB"
        if path == BATCH_PATH:
            return self.limits.batch_bytes, "KAMGRAPH_MAX_BATCH_MIB"
        return self.limits.body_bytes, "KAMGRAPH_MAX_BODY_KIB"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = _route_path(scope)
        most, setting = self.body_limit(path)
        announced = _content_length(scope)
        with limits.use(self.limits):
            if announced is not None and announced > most:
                await _send_json(send, status.HTTP_413_CONTENT_TOO_LARGE, _too_large(most, setting))
            elif scope["method"] not in READS:
                await self.app(scope, self._body_in_time(receive, most, setting), send)
            elif path.endswith("/subject-export") or path in DOWNLOADS:
                await self.app(scope, receive, send)
            else:
                await self._read_in_time(scope, receive, send)

    def _body_in_time(self, receive: Receive, most: int, setting: str) -> Receive:
        """``receive`` refusing a body that grows past ``most`` or stops arriving for
        ``request_seconds``; later calls (a response waiting for the client to go away) are
        left alone."""
        seconds = self.limits.request_seconds
        size, body_in = 0, False

        async def receive_in_time() -> Message:
            nonlocal size, body_in
            if body_in:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), seconds)
            except TimeoutError:
                raise HTTPException(status.HTTP_408_REQUEST_TIMEOUT, (
                    f"the request's body stopped arriving for {seconds:g} s "
                    "(KAMGRAPH_REQUEST_SECONDS); nothing was written")) from None
            size += len(message.get("body", b""))
            if size > most:
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, _too_large(most, setting))
            body_in = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        return receive_in_time

    async def _read_in_time(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = late = False

        async def send_unless_answered(message: Message) -> None:
            nonlocal started
            if late:
                return  # the 503 went out instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, send_unless_answered))
        done, _ = await asyncio.wait({task}, timeout=self.limits.request_seconds)
        if task in done or started:  # an answer already on its way is let through
            await task
            return
        # Not cancelled: its worker thread could not be stopped, and holding the thread pool's
        # slot until it ends keeps the number of threads bounded.
        late = True
        self.late.add(task)
        seconds = self.limits.request_seconds
        detail = (f"the answer took longer than {seconds:g} s (KAMGRAPH_REQUEST_SECONDS); try "
                  "again shortly: an analysis still running is kept once it is ready")
        if _route_path(scope).startswith("/api/"):
            await _send_json(send, status.HTTP_503_SERVICE_UNAVAILABLE, {"detail": detail})
        else:
            await _send(send, status.HTTP_503_SERVICE_UNAVAILABLE, "text/html; charset=utf-8",
                        _busy_page(detail).encode())


def _route_path(scope: Scope) -> str:
    """The path the routes see (without a ``--root-path`` the server was given)."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _too_large(most: int, setting: str) -> str:
    size = f"{most / 2**20:,.0f} MiB" if most >= 2**20 else f"{most / 2**10:,.0f} KiB"
    return f"the request's body is larger than {size} ({setting}); nothing was written"


def _busy_page(detail: str) -> str:
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Busy · "
            "kamgraph</title><link rel=\"stylesheet\" href=\"/static/kamgraph.css\"></head>"
            f"<body><main><h1>Busy</h1><p>{detail[:1].upper()}{detail[1:]}.</p>"
            "<p><a href=\"\">Try again</a></p></main></body></html>")


async def _send_json(send: Send, code: int, body: dict[str, Any] | str) -> None:
    payload = {"detail": body} if isinstance(body, str) else body
    await _send(send, code, "application/json", json.dumps(payload).encode())


async def _send(send: Send, code: int, media_type: str, payload: bytes) -> None:
    headers = [(b"content-type", media_type.encode()),
               (b"content-length", str(len(payload)).encode())]
    if code == status.HTTP_503_SERVICE_UNAVAILABLE:
        headers.append((b"retry-after", b"5"))
    await send({"type": "http.response.start", "status": code, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
