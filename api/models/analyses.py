"""Typed shapes of the analyses, the activity log, plans and maps of the JSON API.

The analysis models mirror the dicts ``kamgraph.services`` returns (what ``kamgraph ... --json``
prints): the routes hand those dicts to FastAPI, which checks them against these models, so
the API and the CLI cannot drift apart unnoticed. Scores are floats; dates are ISO 8601 text
as the store keeps them (a date, or a date with a time). Enumerations are the domain
model's (``kamgraph.model``); a test checks that they agree.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from api.models.graph import RELATIONSHIP_MODELS, AnyRelationship, node_record
from kamgraph.limits import MAX_STRING

__all__ = [
    "AsOf",
    "CoverageReport",
    "CreatedPlan",
    "Factions",
    "InteractionHistory",
    "InteractionIn",
    "InteractionRecord",
    "LoggedInteraction",
    "NextBest",
    "PlanIn",
    "PlanRecord",
    "PlanStatusReport",
    "PlanUpdate",
    "Ranking",
    "RelatesToRecord",
    "StageIn",
    "StakeholderProfile",
    "TenderInfluence",
    "WarmPaths",
    "WhatIf",
]

Stance = Literal["champion", "supporter", "neutral", "skeptic", "opponent", "unknown"]
Stage = Literal["unknown", "acquainted", "engaged", "trusted", "advocate"]
TenderStatus = Literal["planned", "spec_drafting", "published", "evaluation", "awarded", "cancelled"]
TenderRole = Literal["requester", "spec_author", "evaluator", "decision_maker", "approver",
                     "budget_holder", "formulary_member"]
PlanState = Literal["draft", "agreed", "active", "done", "dropped"]
Channel = Literal["visit", "call", "event", "email", "video", "other"]
Metric = Literal["influence", "decision", "importance", "betweenness", "degree", "closeness",
                 "eigenvector"]
Flag = Literal["quiet_period", "conflict_of_interest"]
Risk = Literal["overdue", "no_contact", "behind", "no_target", "no_owner"]
Amount = int | float  # as stored: a whole number stays whole, as in the JSON files

# The records of the graph data routes (api.models.graph): the same shapes as the JSON files.
PlanRecord = node_record("Plan")
InteractionRecord = node_record("Interaction")
RelatesToRecord = RELATIONSHIP_MODELS["RELATES_TO"]


EARLIEST = date(1900, 1, 1)
"""Analysis dates start here: earlier ones are typos, and date arithmetic must not underflow."""

AsOf = Annotated[date | None, Query(
    ge=EARLIEST, description="Analyse the graph as it stood on this date (YYYY-MM-DD, from "
                             "1900-01-01); default today.")]
"""The ``as_of`` query parameter every analysis takes."""


def _absent(value: Any) -> bool:
    return value is None


class Ref(BaseModel):
    id: str
    name: str


# -- tender influence ----------------------------------------------------------------------


class TenderSummary(BaseModel):
    id: str
    name: str
    status: TenderStatus | None
    quiet_period: bool = Field(description="The tender puts its role holders in a quiet period.")
    issuer: str | None = Field(description="The issuing organisation's name.")
    role_holders: int
    value: Amount | None
    currency: str | None
    announced: str | None
    deadline: str | None
    quiet_from: str | None
    quiet_until: str | None


class OurRelationship(BaseModel):
    """Our strongest active ``RELATES_TO`` with the person."""

    account_manager: str
    stage: Stage
    strength: float


class InfluencePath(BaseModel):
    nodes: list[str]
    strength: float = Field(description="Product of the influence weights along the path.")


class TenderItem(BaseModel):
    id: str
    name: str
    score: float = Field(description="Tender influence; the scores of everyone sum to 1.")
    role: list[TenderRole]
    organization: str | None
    stance: Stance
    covered: bool
    relationship: OurRelationship | None
    competitor: str | None = Field(description="The competitor they are most aligned with.")
    flags: list[Flag]
    explanation: list[InfluencePath]


class TenderInfluence(BaseModel):
    """Who decides a tender, who sways the deciders, and where we stand with each."""

    tender: TenderSummary
    support_balance: float = Field(description="Influence-weighted mean stance, in [-1, 1].")
    coverage: float = Field(description="Influence share held by covered people.")
    competitor_exposure: float = Field(description="Influence share of competitor-aligned people.")
    items: list[TenderItem]


# -- warm paths and next best --------------------------------------------------------------


class WarmPath(BaseModel):
    nodes: list[str] = Field(description="Account manager, ..., target.")
    strength: float = Field(description="Product of the edge strengths.")
    stage: Stage = Field(description="Stage of the opening RELATES_TO.")


class WarmPaths(BaseModel):
    """The strongest warm paths from our team to a person."""

    target: str
    paths: list[WarmPath]
    note: str | None = Field(default=None, exclude_if=_absent,  # absent, as the library leaves it
                             description="Why there is no path (a target in a quiet period).")


class NextBestItem(BaseModel):
    id: str
    name: str
    gain: float = Field(description="How much the tender's coverage rises if they are covered.")
    score: float
    path: WarmPath | None


class NextBest(BaseModel):
    """Whom to engage next for a tender."""

    tender: str
    items: list[NextBestItem]


# -- territory coverage --------------------------------------------------------------------


class Gap(BaseModel):
    id: str
    name: str
    importance: float
    organization: str | None
    stance: Stance
    best_stage: Stage | None


class AccountManagerCoverage(BaseModel):
    id: str
    name: str
    covered: int
    relationships: int
    importance_covered: float


class OrganizationCoverage(BaseModel):
    id: str
    name: str
    people: int
    covered: int
    coverage_weighted: float


class Entrenched(BaseModel):
    id: str
    name: str
    competitor: str
    strength: float | None
    covered: bool


class StaleRelationship(BaseModel):
    id: str
    name: str
    account_manager: Ref
    stage: Stage
    last_contact: str | None
    days: int | None


class CoverageComparison(BaseModel):
    as_of: str
    coverage_weighted: float
    coverage_headcount: float
    people: int
    delta_weighted: float
    delta_headcount: float
    newly_covered: list[str]
    lost: list[str]


class CoverageReport(BaseModel):
    """Which key people of a territory nobody on the team has a working relationship with."""

    territory: Ref
    as_of: str
    people: int
    coverage_weighted: float
    coverage_headcount: float
    gaps: list[Gap]
    by_account_manager: list[AccountManagerCoverage]
    by_organization: list[OrganizationCoverage]
    competitor_entrenched: list[Entrenched]
    stale: list[StaleRelationship]
    compare: CoverageComparison | None


# -- rank, factions, brokers, what-if ------------------------------------------------------


class RankItem(BaseModel):
    id: str
    name: str
    score: float
    label: str
    organization: str | None
    stance: Stance


class Ranking(BaseModel):
    """People ranked by one metric."""

    metric: Metric
    as_of: str
    sampled: bool = Field(description="Betweenness or closeness estimated from a sample.")
    items: list[RankItem]


class Faction(BaseModel):
    id: int
    members: list[str]
    size: int
    stance_mix: dict[Stance, int]
    influence_share: float
    leaders: list[str]


class Factions(BaseModel):
    """Groups of people more tied to each other than to the rest."""

    factions: list[Faction]


class Broker(BaseModel):
    id: str
    name: str
    score: float


class Brokers(BaseModel):
    """The people on the routes between groups (betweenness)."""

    items: list[Broker]


class Change(BaseModel):
    id: str
    name: str
    before: float
    after: float
    delta: float


class TenderScope(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tender: str


class TerritoryScope(BaseModel):
    model_config = ConfigDict(extra="forbid")
    territory: str


class WhatIf(BaseModel):
    """What changes if a person leaves."""

    removed: Ref
    scope: TenderScope | TerritoryScope
    changes: list[Change]
    coverage_before: float
    coverage_after: float


# -- plans ---------------------------------------------------------------------------------


class PlanProgress(BaseModel):
    id: str
    name: str
    stakeholder: Ref | None
    account_manager: Ref | None
    status: PlanState | None
    goal_stage: Stage | None
    current_stage: Stage
    due: str | None
    steps: list[str]
    overdue: bool
    at_risk: bool
    reasons: list[Risk]


class PlanStatusReport(BaseModel):
    """Every visible relationship plan with its progress."""

    items: list[PlanProgress]


class PlanFields(BaseModel):
    """What a plan records; every field may be left out."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=MAX_STRING)
    goal_stage: Stage | None = None
    due: date | None = None
    budget: Amount | None = Field(default=None, ge=0)
    purpose: str | None = None
    status: PlanState | None = None
    steps: list[str] | None = None


class PlanIn(PlanFields):
    """A new plan for a person. ``account_manager``: whose plan it is (an admin must name one;
    anyone else owns the plans they make)."""

    stakeholder: str = Field(description="The person the plan targets.")
    account_manager: str | None = None


class PlanUpdate(PlanFields):
    """The fields to change; those left out (or null) stay as they are."""


class CreatedPlan(BaseModel):
    plan: PlanRecord
    relationships: list[AnyRelationship] = Field(description="PLANS and TARGETS.")
    warnings: list[str] = Field(description="The person is in a tender's quiet period.")


# -- activity ------------------------------------------------------------------------------


class InteractionIn(BaseModel):
    """One contact to log. ``account_manager``: who had it (an admin must name one; anyone
    else logs their own)."""

    model_config = ConfigDict(extra="forbid")

    date: date
    channel: Channel | None = None
    summary: str | None = None
    outcome: str | None = None
    account_manager: str | None = None


class LoggedInteraction(BaseModel):
    interaction: InteractionRecord
    relationship: RelatesToRecord
    warnings: list[str] = Field(description="The person is in a tender's quiet period.")


class InteractionRow(BaseModel):
    id: str
    name: str
    date: str | None
    channel: Channel | None
    summary: str | None
    outcome: str | None
    account_manager: Ref | None


class InteractionHistory(BaseModel):
    """The logged contacts with a person, newest first."""

    stakeholder: Ref
    items: list[InteractionRow]


class StageIn(BaseModel):
    """Where our relationship with the person stands now."""

    model_config = ConfigDict(extra="forbid")

    stage: Stage
    strength: Amount | None = Field(default=None, ge=0, le=1)
    account_manager: str | None = None
    expected_stage: Stage | Literal["none"] | None = Field(
        default=None, description="The stage you saw (none: no relationship yet): if it is not the "
                                  "stored one any more, the change is refused with 409.")


# -- a person's profile (kamgraph.profile) -------------------------------------------------


class NodeRef(BaseModel):
    """A node to link to: its label says which page or route shows it."""

    id: str
    label: str
    name: str


class PersonRecord(BaseModel):
    """The person's id, name and every property (sensitive ones too: they are in scope)."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str


class Job(BaseModel):
    organization: NodeRef
    position: str | None
    seniority: str | None
    department: str | None
    since: str | None
    until: str | None
    active: bool


class Alignment(BaseModel):
    organization: NodeRef
    type: str | None = Field(description="The organisation's type (competitor, own_company, ...).")
    kind: str | None
    strength: Amount | None
    active: bool


class TenderSeat(BaseModel):
    tender: NodeRef
    roles: list[TenderRole]
    status: TenderStatus | None
    deadline: str | None
    quiet_period: bool


class TeamRelationship(BaseModel):
    account_manager: NodeRef
    stage: Stage
    strength: float
    since: str | None
    last_contact: str | None
    covers: bool = Field(description="At a stage that counts as covered (engaged or higher).")


class Tie(BaseModel):
    type: str
    direction: Literal["out", "in", "both"]
    other: NodeRef
    details: dict[str, Any] = Field(description="The relationship's properties but since/until.")
    since: str | None
    until: str | None
    active: bool


class InfluenceTie(BaseModel):
    person: NodeRef
    weight: float
    basis: list[str] = Field(description="influences, manages, knows, same committee, same event.")


class ProfilePlan(PlanProgress):
    budget: Amount | None
    purpose: str | None


class StakeholderProfile(BaseModel):
    """Everything kamgraph knows about a person that you may see (``kamgraph.profile``)."""

    model_config = ConfigDict(extra="allow")

    stakeholder: PersonRecord
    covered: bool
    jobs: list[Job]
    alignments: list[Alignment]
    tender_roles: list[TenderSeat]
    team: list[TeamRelationship]
    relationships: list[Tie]
    influencers: list[InfluenceTie]
    influenced: list[InfluenceTie]
    plans: list[ProfilePlan]
    interactions: list[InteractionRow]
