"""Relationship plans: their progress, and making and changing them (``kamgraph.activity``).

``GET /plans``, ``POST /plans`` and ``PUT /plans/{plan_id}`` are the plan as a KAM works with
it (its status against the goal; a plan made with its owner and target; only the fields given
changed); ``GET`` and ``DELETE /plans/{plan_id}`` are the graph data routes of the label
(``api.routes.nodes``, which leaves these three to this module).

A plan is visible when its target is; changing one outside the caller's territories is 403.
A KAM or a regional manager owns the plans they make; an admin names the owner.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.answers import json_answer
from api.deps import CacheDep, CurrentUser, ScopedStoreDep
from api.models.analyses import AsOf, CreatedPlan, PlanIn, PlanRecord, PlanStatusReport, PlanUpdate
from api.models.graph import ProblemRoute, errors
from kamgraph import activity, services
from kamgraph.errors import Problem, ValidationFailed

router = APIRouter(tags=["plans"], route_class=ProblemRoute)


@router.get("/plans", response_model=PlanStatusReport, responses=errors(422))
def plan_status(store: ScopedStoreDep, cache: CacheDep,
                at_risk_only: Annotated[bool, Query(description="Only the plans at risk.")] = False,
                as_of: AsOf = None) -> Response:
    """Every plan you may see: where it stands against its goal, and why it is at risk
    (`kamgraph plans`)."""
    return json_answer(PlanStatusReport, cache, lambda c: services.plan_status(
        store, at_risk_only=at_risk_only, as_of=as_of, cache=c))


@router.post("/plans", status_code=201, response_model=CreatedPlan,
             response_model_exclude_unset=True, responses=errors(403, 422))
def create_plan(body: PlanIn, store: ScopedStoreDep, user: CurrentUser) -> dict[str, Any]:
    """Start a relationship plan for a person: the Plan, PLANS from its owner and TARGETS to the
    person, in one transaction. Warns when the person is in a tender's quiet period."""
    store.check_write([body.stakeholder])
    owner = activity.acting_account_manager(store, user, body.account_manager)
    if store.node_labels([body.stakeholder]).get(body.stakeholder) != "Stakeholder":
        # a reference in a body is a bad value (as in an import), not a missing page
        raise ValidationFailed([Problem(None, "body", "stakeholder",
                                        f"no stakeholder with id {body.stakeholder!r}")])
    fields = body.model_dump(include=set(activity.PLAN_FIELDS))
    return activity.create_plan(store, owner, body.stakeholder, **fields)


@router.put("/plans/{plan_id}", response_model=PlanRecord, response_model_exclude_unset=True,
            responses=errors(403, 404, 422))
def update_plan(plan_id: str, body: PlanUpdate, store: ScopedStoreDep) -> dict[str, Any]:
    """Change a plan's status, steps, goal or other fields; the fields left out stay as they are."""
    store.check_write([plan_id])
    return activity.update_plan(store, plan_id, body.model_dump(exclude_unset=True))
