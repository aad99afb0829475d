"""A person as a KAM works with them: what we know (``kamgraph.profile``), the contacts logged
and the stage of our relationship (``kamgraph.activity``).

Writes are scoped like every change: a stakeholder outside the caller's territories is 403
(``ScopedStore.check_write``), an unknown one 404. A KAM or a regional manager records their
own work; an admin names the account manager (``activity.acting_account_manager``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.answers import json_answer
from api.deps import CacheDep, CurrentUser, ScopedStoreDep
from api.models.analyses import (
    AsOf,
    InteractionHistory,
    InteractionIn,
    LoggedInteraction,
    RelatesToRecord,
    StageIn,
    StakeholderProfile,
)
from api.models.graph import ProblemRoute, errors
from kamgraph import activity, profile

router = APIRouter(tags=["activity"], route_class=ProblemRoute)


@router.post("/stakeholders/{stakeholder_id}/interactions", status_code=201,
             response_model=LoggedInteraction, response_model_exclude_unset=True,
             responses=errors(403, 404, 422))
def log_interaction(stakeholder_id: str, body: InteractionIn, store: ScopedStoreDep,
                    user: CurrentUser) -> dict[str, Any]:
    """Log a contact with a person: moves our relationship's last contact forward and warns
    when they are in a tender's quiet period (the contact is logged all the same)."""
    store.check_write([stakeholder_id])
    manager = activity.acting_account_manager(store, user, body.account_manager)
    return activity.log_interaction(store, manager, stakeholder_id, day=body.date,
                                    channel=body.channel, summary=body.summary,
                                    outcome=body.outcome)


@router.get("/stakeholders/{stakeholder_id}/interactions", response_model=InteractionHistory,
            responses=errors(404, 422))
def interaction_history(stakeholder_id: str, store: ScopedStoreDep) -> dict[str, Any]:
    """The logged contacts with a person that you may see, newest first."""
    return activity.interaction_history(store, stakeholder_id)


@router.get("/stakeholders/{stakeholder_id}/profile", response_model=StakeholderProfile,
            responses=errors(404, 422))
def stakeholder_profile(stakeholder_id: str, store: ScopedStoreDep, cache: CacheDep,
                        as_of: AsOf = None) -> Response:
    """Everything about a person before a meeting: jobs, alignments, tender roles, our team's
    relationships, ties, who influences them and whom they influence, plans and contacts."""
    answer = json_answer(StakeholderProfile, cache, lambda c: profile.stakeholder_profile(
        store, stakeholder_id, as_of=as_of, cache=c))
    store.log_person_read(stakeholder_id)  # the profile shows their notes, email and phone
    return answer


@router.put("/stakeholders/{stakeholder_id}/stage", response_model=RelatesToRecord,
            response_model_exclude_unset=True, responses=errors(403, 404, 409, 422))
def change_stage(stakeholder_id: str, body: StageIn, store: ScopedStoreDep,
                 user: CurrentUser) -> dict[str, Any]:
    """Set the stage (and optionally the strength) of our relationship with a person."""
    store.check_write([stakeholder_id])
    manager = activity.acting_account_manager(store, user, body.account_manager)
    return activity.change_stage(store, manager, stakeholder_id, body.stage, strength=body.strength,
                                 expected_stage=body.expected_stage)
