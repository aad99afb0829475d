"""The kamgraph web app: the factory, the store's lifetime and error translation."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import pages, routes
from api.deps import SignInNeeded
from api.limits import LateReads, RequestLimits
from api.pages.render import error_page
from api.security import SecurityHeaders, SignInLimiter
from kamgraph import __version__
from kamgraph.cache import AnalysisCache
from kamgraph.errors import Conflict, Forbidden, KamgraphError, NotFound, StoreUnavailable, ValidationFailed
from kamgraph.settings import Settings
from kamgraph.store import open_store

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"
LATE_READS_WAIT_S = 60
"""How long shutting down waits for reads still running after their 503."""

log = logging.getLogger("kamgraph.api")

# The one place library errors become HTTP statuses.
STATUS = {ValidationFailed: 422, NotFound: 404, Forbidden: 403, Conflict: 409, StoreUnavailable: 503}


def create_app(settings: Settings | None = None) -> FastAPI:
    """An app that opens the store once at start-up and closes it on shut-down."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
        app.state.store = open_store(settings.db, user=settings.neo4j_user, password=password,
                                     database=settings.neo4j_database,
                                     busy_seconds=settings.sqlite_busy_seconds,
                                     # a store that is away is reported (503, naming it)
                                     # before the request's own time runs out
                                     retry_seconds=settings.request_seconds / 2)
        app.state.scopes = {}
        app.state.cache = AnalysisCache()  # analysis answers, invalidated by what writes touch
        try:
            yield
        finally:
            if await late.ended(LATE_READS_WAIT_S):
                app.state.store.close()
            else:  # closing under a running query could crash the process; exiting frees it
                log.warning("the store was left open: reads answered 503 still ran after %s s",
                            LATE_READS_WAIT_S)

    # No /docs or /redoc: their pages load scripts from a CDN, and nothing may leave the server.
    app = FastAPI(title="kamgraph", version=__version__, lifespan=lifespan, docs_url=None,
                  redoc_url=None,
                  description="Who decides, who influences them, and whom your team covers. "
                              "Every /api/v1 route but /health needs `Authorization: Bearer "
                              "TOKEN` (a token from `kamgraph user add`).")
    app.state.settings = settings
    app.state.sign_in_limiter = SignInLimiter()
    late = app.state.late_reads = LateReads()
    app.add_middleware(RequestLimits, limits=settings.limits(), late=late)
    app.add_middleware(SecurityHeaders)  # added last, so outermost: on every answer
    app.add_exception_handler(KamgraphError, _kamgraph_error)
    app.add_exception_handler(SignInNeeded, _sign_in)
    app.add_exception_handler(StarletteHTTPException, _no_such_page)
    app.include_router(routes.router, prefix="/api/v1")
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


async def _kamgraph_error(request: Request, exc: Exception) -> JSONResponse:
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)
    body: dict[str, object] = {"detail": str(exc)}
    if isinstance(exc, ValidationFailed):
        body["problems"] = [p.as_dict() for p in exc.problems]
    return JSONResponse(body, status_code=status)


async def _no_such_page(request: Request, exc: Exception) -> Response:
    """An address that matches no route: the site's 404 page for a browser, JSON for the API."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404 and not request.url.path.startswith(("/api/", "/static/")):
        try:  # the page looks the visitor up in the store: off the event loop
            return await run_in_threadpool(error_page, request, 404,
                                           "There is no page at this address.")
        except KamgraphError:
            pass  # the store is away: the plain answer below still says 404
    return await http_exception_handler(request, exc)


async def _sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInNeeded)
    return RedirectResponse(f"/signin?next={quote(exc.next_url, safe='')}", status_code=303)
