"""An organisation: where it sits, its staff and whether we cover them, its tenders."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.pages.render import Page, PageRoute, page
from api.pages.tables import Table, date_cell, flag, money_cell, node_cell, number_cell, text_cell
from kamgraph import profile

router = APIRouter(route_class=PageRoute)


@router.get("/organizations/{organization_id:path}")
def organization(request: Request, ctx: Page, organization_id: str) -> Response:
    """An organisation's place, staff (covered or not), tenders issued and won, aligned people."""
    found = profile.organization_profile(ctx.store, organization_id, as_of=ctx.today)
    return page(request, ctx, "organization.html", title=found["organization"]["name"], profile=found,
                org=found["organization"], tables=[
                    staff_table(found["staff"]),
                    tenders_table("tenders", "Tenders it issued", found["issued"]),
                    tenders_table("awarded", "Tenders awarded to it", found["awarded"]),
                    aligned_table(found["aligned"])])


def staff_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("staff", "Staff", ["Person", "Position", "Seniority", "Department", "Stance", "Covered",
                                     "Best stage"], empty="No current staff recorded.")
    for row in rows:
        table.add(node_cell(row["person"]), text_cell(row["position"]), text_cell(row["seniority"]),
                  text_cell(row["department"]), text_cell(row["stance"]), flag(row["covered"]),
                  text_cell(row["best_stage"]))
    return table


def tenders_table(table_id: str, caption: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(table_id, caption, ["Tender", "Status", "Deadline", "Value"], empty="None.")
    for row in rows:
        table.add(node_cell(row["tender"]), text_cell(row["status"]), date_cell(row["deadline"]),
                  money_cell(row["value"], row["currency"]))
    return table


def aligned_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("aligned", "People aligned with it", ["Person", "Kind", "Strength"], empty="Nobody.")
    for row in rows:
        table.add(node_cell(row["person"]), text_cell(row["kind"]), number_cell(row["strength"]))
    return table
