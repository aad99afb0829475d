"""The audit log for admins (``kamgraph.audit``): list it, filter it, export it as CSV.

Anyone else gets 403: the log names who read whose personal details.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from api.deps import CurrentUser, ScopedStoreDep
from api.limits import MAX_OFFSET
from api.models.analyses import EARLIEST
from api.models.graph import ProblemRoute, errors
from kamgraph.audit import ACTIONS, AuditFilter, entries_csv
from kamgraph.errors import Forbidden
from kamgraph.limits import MAX_ID

router = APIRouter(tags=["audit"], route_class=ProblemRoute)

MAX_PAGE = 1000


class AuditEntryModel(BaseModel):
    """One entry: who did what to which node or relationship, when, with the properties
    before and after (reads of personal details name the fields in ``after``)."""

    seq: int
    at: str = Field(description="UTC, ISO 8601.")
    actor: str = Field(description="The user, cli:<login name>, or system.")
    action: Literal[ACTIONS]  # type: ignore[valid-type]
    target: str = Field(description="A node id, or TYPE from->to#key for a relationship.")
    label: str | None
    stakeholder: str | None = Field(description="The person the entry is about, if any.")
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    """A page of the audit log, oldest first."""

    items: list[AuditEntryModel]
    limit: int
    offset: int
    has_more: bool = Field(description="Whether another page follows.")


PAGE_SCHEMA = {"$ref": "#/components/schemas/AuditPage"}
CSV_RESPONSE = {200: {"description": "The page as JSON, or as CSV with format=csv.",
                      "content": {"text/csv": {"schema": {"type": "string"}},
                                  "application/json": {"schema": PAGE_SCHEMA}}}}


@router.get("/audit", response_model=AuditPage, responses={**CSV_RESPONSE, **errors(403, 422)})
def audit_log(
    store: ScopedStoreDep, user: CurrentUser,
    actor: Annotated[str | None, Query(alias="user", max_length=MAX_ID,
                                       description="Only what this user did.")] = None,
    stakeholder: Annotated[str | None, Query(max_length=MAX_ID,
                                             description="Only entries about this person.")] = None,
    since: Annotated[date | None, Query(ge=EARLIEST, description="From this day (UTC).")] = None,
    until: Annotated[date | None, Query(ge=EARLIEST, description="Up to this day included.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    fmt: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> Any:
    """The audit log (admins only): writes with before and after, reads of personal details."""
    if user.role != "admin":
        raise Forbidden("only an admin can read the audit log")
    where = AuditFilter(actor, stakeholder, since, until)
    found = store.audit_entries(where, limit=limit + 1, offset=offset)
    if fmt == "csv":
        return Response(entries_csv(found[:limit]), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="kamgraph-audit.csv"'})
    return {"items": [e.as_dict() for e in found[:limit]], "limit": limit, "offset": offset,
            "has_more": len(found) > limit}
