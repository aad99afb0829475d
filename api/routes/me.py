"""Who is signed in."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import CurrentUser

router = APIRouter(tags=["users"])


class Me(BaseModel):
    name: str
    role: str
    account_manager: str | None


@router.get("/me", responses={401: {"description": "No valid API token."}})
def me(user: CurrentUser) -> Me:
    """The signed-in user: name, role and their AccountManager id."""
    return Me(name=user.name, role=user.role, account_manager=user.account_manager)
