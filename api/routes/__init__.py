"""The JSON API under /api/v1: one router module per resource."""

from __future__ import annotations

from fastapi import APIRouter

from api.models.graph import LIMIT_ERRORS
from api.routes import (
    activity,
    analyses,
    audit,
    health,
    maps,
    me,
    nodes,
    plans,
    privacy,
    records,
    relationships,
    transfer,
)

__all__ = ["router"]

router = APIRouter()
for module in (health, me, nodes, relationships, records, transfer, analyses, activity, plans, maps,
               audit, privacy):
    router.include_router(module.router, responses=LIMIT_ERRORS)  # a route's own meaning wins
