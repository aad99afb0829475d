"""A territory's coverage: who of its key people the team works with, and where the gaps are."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.pages.render import OrganizationLookup, Page, PageRoute, organizations_by_name, page
from api.pages.tables import Table, date_cell, flag, node_cell, number_cell, percent_cell, text_cell
from kamgraph import services
from kamgraph.profile import node_ref
from kamgraph.scope import ScopedStore

router = APIRouter(route_class=PageRoute)

COMPARE_DAYS = 90
"""Without ``?compare=``, the trend is against this many days ago."""


@router.get("/territories/{territory_id:path}")
def territory(request: Request, ctx: Page, territory_id: str, compare: date | None = None) -> Response:
    """Coverage of a territory (with its sub-territories) and its trend since ``compare``."""
    then = compare or ctx.today - timedelta(days=COMPARE_DAYS)
    report = services.coverage_report(ctx.store, territory_id, compare=then, as_of=ctx.today,
                                      cache=ctx.cache)
    organization = organizations_by_name(ctx.store)
    return page(request, ctx, "territory.html", title=report["territory"]["name"], report=report,
                compare=then, place=_place(ctx.store, territory_id), territory_id=territory_id,
                tables=[gaps_table(report, organization), per_kam_table(report),
                        per_organization_table(report), entrenched_table(report, organization),
                        stale_table(report)])


def _place(store: ScopedStore, territory_id: str) -> dict[str, Any]:
    """The territory's level, the territories it is part of, and its parts."""
    node = store.get_node(territory_id)
    links = store.relationships_of(territory_id, rel_type="PART_OF")

    def refs(ids: Iterable[str]) -> list[dict[str, str]]:
        return [node_ref(n) for n in (store.get_node(i) for i in sorted(ids)) if n is not None]

    return {"level": node.props.get("level") if node else None,
            "parents": refs(r.end for r in links if r.start == territory_id),
            "parts": refs(r.start for r in links if r.end == territory_id)}


def person(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "label": "Stakeholder", "name": row["name"]}


def gaps_table(report: dict[str, Any], organization: OrganizationLookup) -> Table:
    table = Table("gaps", "Gaps: key people nobody on the team works with",
                  ["Person", "Importance", "Organization", "Stance", "Best stage"],
                  empty="No gaps: the team covers every key person.")
    for gap in report["gaps"]:
        table.add(node_cell(person(gap)), number_cell(gap["importance"]),
                  node_cell(organization(gap["organization"])), text_cell(gap["stance"]),
                  text_cell(gap["best_stage"]))
    return table


def per_kam_table(report: dict[str, Any]) -> Table:
    table = Table("per-kam", "Per account manager",
                  ["Account manager", "People covered", "Relationships", "Importance covered"],
                  empty="No account manager covers this territory or its key people.")
    for row in report["by_account_manager"]:
        table.add(text_cell(row["name"]), number_cell(row["covered"]), number_cell(row["relationships"]),
                  number_cell(row["importance_covered"]))
    return table


def per_organization_table(report: dict[str, Any]) -> Table:
    table = Table("per-organization", "Per organization",
                  ["Organization", "Key people", "Covered", "Coverage (weighted)"],
                  empty="No organisation here has key people.")
    for row in report["by_organization"]:
        table.add(node_cell({**row, "label": "Organization"}), number_cell(row["people"]),
                  number_cell(row["covered"]), percent_cell(row["coverage_weighted"]))
    return table


def entrenched_table(report: dict[str, Any], organization: OrganizationLookup) -> Table:
    table = Table("entrenched", "Competitor-entrenched key people",
                  ["Person", "Competitor", "Strength", "Covered by us"],
                  empty="No key person is aligned with a competitor.")
    for row in report["competitor_entrenched"]:
        table.add(node_cell(person(row)), node_cell(organization(row["competitor"])),
                  number_cell(row["strength"]), flag(row["covered"]))
    return table


def stale_table(report: dict[str, Any]) -> Table:
    table = Table("stale", "Covering relationships gone quiet",
                  ["Person", "Account manager", "Stage", "Last contact", "Days since"],
                  empty="Every covering relationship had contact recently.")
    for row in report["stale"]:
        contact = date_cell(row["last_contact"]) if row["last_contact"] else text_cell("never")
        table.add(node_cell(person(row)), text_cell(row["account_manager"]["name"]), text_cell(row["stage"]),
                  contact, number_cell(row["days"]))
    return table
