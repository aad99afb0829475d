"""Interactive maps: one self-contained HTML page per tender, territory or stakeholder.

The page is ``services.map_page`` on the caller's scoped store, so it draws only what they
may see; it inlines vis-network and asks no other host for anything.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import CacheDep, ScopedStoreDep
from api.limits import MAX_TOP
from api.models.analyses import AsOf
from api.models.graph import ProblemRoute, errors
from api.security import map_policy
from kamgraph import services

router = APIRouter(tags=["maps"], route_class=ProblemRoute)

PAGE = {200: {"description": "The map: one HTML page that works offline.",
              "content": {"text/html": {"schema": {"type": "string"}}}}}


def json_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``errors(...)`` with JSON bodies: on an HTML route FastAPI would label them text/html.
    (``ErrorBody`` is in the document's components: every other route refers to it.)"""
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    return {code: {"description": meaning["description"], "content": body}
            for code, meaning in errors(*codes).items()}


@router.get("/maps/{node_id}", response_class=HTMLResponse,
            responses={**PAGE, **json_errors(404, 408, 413, 422, 503)})
def map_page(node_id: str, store: ScopedStoreDep, cache: CacheDep,
             warm_paths: Annotated[bool, Query(
                 description="For a stakeholder: the map of our warm paths to them.")] = False,
             top: Annotated[int, Query(ge=1, le=MAX_TOP, description="At most this many people, by score.")
                            ] = 300,
             as_of: AsOf = None) -> HTMLResponse:
    """The interactive map of a tender (by tender influence), a territory (by importance) or a
    stakeholder's circle (or, with warm_paths, our warm paths to them) (`kamgraph map`)."""
    page = services.map_page(store, node_id, warm_paths_to=warm_paths, top=top, as_of=as_of,
                             cache=cache)
    return HTMLResponse(page, headers={"Content-Security-Policy": map_policy(page)})
