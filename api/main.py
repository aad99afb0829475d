"""The kamgraph web app: the factory, the store's lifetime and error translation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.routes import health, me
from kamgraph import __version__
from kamgraph.errors import KamgraphError, NotFound, StoreUnavailable, ValidationFailed
from kamgraph.settings import Settings
from kamgraph.store import open_store

__all__ = ["create_app"]

# The one place library errors become HTTP statuses.
STATUS = {ValidationFailed: 422, NotFound: 404, StoreUnavailable: 503}


def create_app(settings: Settings | None = None) -> FastAPI:
    """An app that opens the store once at start-up and closes it on shut-down."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
        app.state.store = open_store(settings.db, user=settings.neo4j_user, password=password,
                                     database=settings.neo4j_database)
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(title="kamgraph", version=__version__, lifespan=lifespan)
    app.add_exception_handler(KamgraphError, _kamgraph_error)
    app.include_router(health.router, prefix="/api/v1")
    app.include_router(me.router, prefix="/api/v1")
    return app


async def _kamgraph_error(request: Request, exc: Exception) -> JSONResponse:
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)
    body: dict[str, object] = {"detail": str(exc)}
    if isinstance(exc, ValidationFailed):
        body["problems"] = [p.as_dict() for p in exc.problems]
    return JSONResponse(body, status_code=status)
