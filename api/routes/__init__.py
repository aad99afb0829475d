"""The JSON API under /api/v1: one router module per resource."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import health, me

__all__ = ["router"]

router = APIRouter()
for module in (health, me):
    router.include_router(module.router)
