"""Dependencies the routes declare: the store opened at start-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kamgraph.store import GraphStore


def get_store(request: Request) -> GraphStore:
    return request.app.state.store  # type: ignore[no-any-return]


StoreDep = Annotated[GraphStore, Depends(get_store)]
