"""The server-rendered pages a KAM and a manager use (Jinja2 templates in api/templates)."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
