"""A person's rights for admins (``kamgraph.privacy``): erase them, or give them what is stored.

Both are admin-only (403 for anyone else): an erasure cannot be undone, and an access
request's answer holds every note about the person.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CurrentUser, ScopedStoreDep
from api.models.graph import ProblemRoute, errors
from kamgraph import privacy
from kamgraph.errors import Forbidden
from kamgraph.users import User

router = APIRouter(tags=["privacy"], route_class=ProblemRoute)


class Erasure(BaseModel):
    """What an erasure removed or blanked."""

    erased: str
    relationships: int = Field(description="Relationships removed with the person.")
    interactions: int = Field(description="Interactions whose personal content was blanked.")
    plans: int = Field(description="Plans whose personal content was blanked.")
    audit_entries_redacted: int = Field(description="Audit entries whose properties were blanked.")


class SubjectExport(BaseModel):
    """Everything stored about a person."""

    stakeholder: dict[str, Any]
    relationships: list[dict[str, Any]]
    interactions: list[dict[str, Any]]
    plans: list[dict[str, Any]]
    audit: list[dict[str, Any]]


@router.post("/stakeholders/{stakeholder_id}/erase", response_model=Erasure,
             responses=errors(403, 404, 422))
def erase(stakeholder_id: str, store: ScopedStoreDep, user: CurrentUser) -> dict[str, Any]:
    """Erase a person for good (personal data law): them, their relationships, the personal
    content of their interactions, plans and audit entries (`kamgraph erase`)."""
    _admin(user)
    return privacy.erase(store, stakeholder_id)


@router.get("/stakeholders/{stakeholder_id}/subject-export", response_model=SubjectExport,
            responses=errors(403, 404, 422))
def subject_export(stakeholder_id: str, store: ScopedStoreDep, user: CurrentUser) -> dict[str, Any]:
    """Everything stored about a person, for their access request (`kamgraph subject-export`)."""
    _admin(user)
    return privacy.subject_export(store, stakeholder_id)


def _admin(user: User) -> None:
    if user.role != "admin":
        raise Forbidden("only an admin can erase a person or export what is stored about them")
