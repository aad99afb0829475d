"""The server-rendered pages a KAM and a manager use (Jinja2 templates in api/templates).

One module per page family; each router uses :class:`api.pages.render.PageRoute`, so errors
come back as pages, not JSON. ``docs/web.md`` lists the pages.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import home, maps, organizations, search, signin, stakeholders, tenders, territories

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
for module in (signin, home, search, territories, tenders, stakeholders, organizations, maps):
    router.include_router(module.router)
