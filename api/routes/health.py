"""Is the app up, and can it reach its store?"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import StoreDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    store: str
    graph_version: int


@router.get("/health", responses={503: {"description": "The store cannot be reached."}})
def health(store: StoreDep) -> Health:
    """Up, with the store's URL and graph version (503 when the store is unreachable)."""
    return Health(status="ok", store=store.url, graph_version=store.graph_version())
