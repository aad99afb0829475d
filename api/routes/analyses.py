"""The analyses of the CLI over HTTP: same parameters, same JSON (``kamgraph.services``).

Each route reads through the caller's scoped store, so an id outside their territories is
404 and an analysis sees only the visible graph. The analyses are CPU-bound, so the routes
are plain ``def`` functions: FastAPI runs them in its thread pool and the event loop stays
free for other requests.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.answers import json_answer
from api.deps import CacheDep, ScopedStoreDep
from api.limits import MAX_STALE_DAYS, MAX_TOP
from api.models.analyses import (
    EARLIEST,
    AsOf,
    Brokers,
    CoverageReport,
    Factions,
    Metric,
    NextBest,
    Ranking,
    TenderInfluence,
    WarmPaths,
    WhatIf,
)
from api.models.graph import ProblemRoute, errors
from kamgraph import services
from kamgraph.errors import Problem, ValidationFailed

router = APIRouter(tags=["analyses"], route_class=ProblemRoute)

MAX_K = 100  # paths are searched one by one: a bound keeps a request's cost bounded
TerritoryFilter = Annotated[str | None, Query(
    description="Only this territory and its sub-territories.")]
IncludeQuiet = Annotated[bool, Query(
    description="Also suggest people in a tender's quiet period (compliance risk).")]


def _top(default: int, what: str) -> Any:
    return Query(ge=1, le=MAX_TOP, description=f"Show this many {what} (default {default}).")


@router.get("/tenders/{tender_id}/influence", response_model=TenderInfluence,
            responses=errors(404, 422))
def tender_influence(tender_id: str, store: ScopedStoreDep, cache: CacheDep,
                     top: Annotated[int, _top(10, "people")] = 10,
                     as_of: AsOf = None) -> Response:
    """Who decides a tender, who influences them, and where we stand with each (`kamgraph tender`)."""
    return json_answer(TenderInfluence, cache, lambda c: services.tender_influence(
        store, tender_id, top=top, as_of=as_of, cache=c))


@router.get("/tenders/{tender_id}/next-best", response_model=NextBest, responses=errors(404, 422))
def next_best(tender_id: str, store: ScopedStoreDep, cache: CacheDep,
              k: Annotated[int, Query(ge=1, le=MAX_K, description="How many people to suggest.")] = 5,
              include_quiet: IncludeQuiet = False, as_of: AsOf = None) -> Response:
    """Whom to engage next for a tender: the uncovered people who would raise coverage most
    (`kamgraph next-best`)."""
    return json_answer(NextBest, cache, lambda c: services.next_best(
        store, tender_id, k=k, include_quiet=include_quiet, as_of=as_of, cache=c))


@router.get("/stakeholders/{stakeholder_id}/warm-paths", response_model=WarmPaths,
            responses=errors(404, 422))
def warm_paths(stakeholder_id: str, store: ScopedStoreDep, cache: CacheDep,
               source: Annotated[str | None, Query(
                   description="Only paths opening with this account manager.")] = None,
               k: Annotated[int, Query(ge=1, le=MAX_K, description="How many paths.")] = 3,
               include_quiet: IncludeQuiet = False, as_of: AsOf = None) -> Response:
    """The strongest warm paths from our team to a person, through people who trust us
    (`kamgraph paths`)."""
    return json_answer(WarmPaths, cache, lambda c: services.warm_paths(
        store, stakeholder_id, source_id=source, k=k, include_quiet=include_quiet, as_of=as_of, cache=c))


@router.get("/territories/{territory_id}/coverage", response_model=CoverageReport,
            responses=errors(404, 422))
def coverage(territory_id: str, store: ScopedStoreDep, cache: CacheDep,
             compare: Annotated[date | None, Query(
                 ge=EARLIEST, description="Also compute coverage at this date and show the change.")] = None,
             stale_days: Annotated[int | None, Query(
                 ge=1, le=MAX_STALE_DAYS, description="A covering relationship without contact for longer is "
                                   "stale (default 90).")] = None,
             top: Annotated[int | None, Query(
                 ge=1, le=MAX_TOP, description="Only this many gaps (default all).")] = None,
             as_of: AsOf = None) -> Response:
    """Territory coverage: which key people nobody on the team has a working relationship with
    (`kamgraph coverage`)."""
    return json_answer(CoverageReport, cache, lambda c: services.coverage_report(
        store, territory_id, compare=compare, stale_days=stale_days, top=top, as_of=as_of, cache=c))


@router.get("/rank", response_model=Ranking, responses=errors(404, 422))
def rank(store: ScopedStoreDep, cache: CacheDep, territory: TerritoryFilter = None,
         organization: Annotated[str | None, Query(
             description="Only the staff of this organisation.")] = None,
         metric: Annotated[Metric, Query(description="The score to rank by.")] = "influence",
         top: Annotated[int, _top(20, "people")] = 20, as_of: AsOf = None) -> Response:
    """People ranked by influence or another metric: everyone visible, a territory or an
    organisation (`kamgraph rank`). Give at most one of territory and organization."""
    if territory is not None and organization is not None:
        raise _invalid("organization", "give territory or organization, not both")
    return json_answer(Ranking, cache, lambda c: services.rank(
        store, territory_id=territory, organization_id=organization, metric=metric, top=top, as_of=as_of,
        cache=c))


@router.get("/factions", response_model=Factions, responses=errors(404, 422))
def factions(store: ScopedStoreDep, cache: CacheDep, territory: TerritoryFilter = None,
             as_of: AsOf = None) -> Response:
    """Groups of people more tied to each other than to the rest, and who leads them
    (`kamgraph factions`)."""
    return json_answer(Factions, cache, lambda c: services.factions(
        store, territory_id=territory, as_of=as_of, cache=c))


@router.get("/brokers", response_model=Brokers, responses=errors(404, 422))
def brokers(store: ScopedStoreDep, cache: CacheDep, territory: TerritoryFilter = None,
            top: Annotated[int, _top(10, "people")] = 10, as_of: AsOf = None) -> Response:
    """The people who sit on the routes between groups: betweenness (`kamgraph brokers`)."""
    return json_answer(Brokers, cache, lambda c: services.brokers(
        store, territory_id=territory, top=top, as_of=as_of, cache=c))


@router.get("/what-if", response_model=WhatIf, responses=errors(404, 422))
def what_if(store: ScopedStoreDep, cache: CacheDep,
            person: Annotated[str, Query(description="The person who leaves.")],
            tender: Annotated[str | None, Query(
                description="Show the change of influence on this tender.")] = None,
            territory: Annotated[str | None, Query(
                description="Show the change of importance in this territory.")] = None,
            top: Annotated[int, _top(10, "changes")] = 10, as_of: AsOf = None) -> Response:
    """What if a person leaves: whose influence rises or falls, and how coverage changes
    (`kamgraph what-if`). Give exactly one of tender and territory."""
    if (tender is None) == (territory is None):
        raise _invalid("tender", "give exactly one of tender and territory")
    return json_answer(WhatIf, cache, lambda c: services.what_if(
        store, person, tender_id=tender, territory_id=territory, top=top, as_of=as_of, cache=c))


def _invalid(field: str, reason: str) -> ValidationFailed:
    """A bad combination of query parameters, told as the import tells a bad value (422)."""
    return ValidationFailed([Problem(None, "query", field, reason)])
