"""The interactive maps the pages embed (an iframe each), signed in by the session cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.pages.render import NO_STORE, Page, PageRoute
from api.security import map_policy
from kamgraph import services

router = APIRouter(route_class=PageRoute)


@router.get("/maps/{node_id:path}")
def node_map(ctx: Page, node_id: str, warm_paths: bool = False,
             top: Annotated[int, Query(ge=1, le=5000)] = 300) -> HTMLResponse:
    """A tender's or territory's map, a person's ego map, or (``warm_paths=1``) our paths to them."""
    html = services.map_page(ctx.store, node_id, warm_paths_to=warm_paths, top=top, as_of=ctx.today,
                             cache=ctx.cache)
    return HTMLResponse(html, headers={**NO_STORE, "Content-Security-Policy": map_policy(html)})
