"""Is the app up, and can it reach its store?"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import StoreDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    store: str
    """The kind of store, ``sqlite`` or ``neo4j`` (not its address: this route is open)."""
    graph_version: int


@router.get("/health", responses={503: {"description": "The store cannot be reached."}})
def health(store: StoreDep) -> Health:
    """Up, with the kind of store and its graph version (503 when the store is unreachable)."""
    return Health(status="ok", store="sqlite" if store.url.startswith("sqlite") else "neo4j",
                  graph_version=store.graph_version())
