"""The start page: the user's territories and their coverage, plans at risk, tenders closing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.pages.render import Page, PageRoute, page
from api.pages.tables import Table, date_cell, money_cell, node_cell, number_cell, percent_cell, text_cell
from kamgraph import profile
from kamgraph.analysis.config import DEFAULT

router = APIRouter(route_class=PageRoute)

REASONS = {"overdue": "overdue", "no_contact": f"no contact for {DEFAULT.stale_days} days",
           "behind": "behind schedule", "no_target": "no target", "no_owner": "no owner"}
SCOPE_NOTES = {"admin": "The top-level territories.",
               "regional_manager": "The territories you and your team cover.",
               "kam": "The territories you cover."}


@router.get("/")
def home(request: Request, ctx: Page) -> Response:
    """My territories with their coverage, the plans at risk and the tenders closing soon."""
    summary = profile.home_summary(ctx.store, ctx.user, as_of=ctx.today)
    return page(request, ctx, "home.html", title="Overview", tables=[
        territories_table(summary["territories"], SCOPE_NOTES.get(ctx.user.role)),
        plans_table(summary["plans_at_risk"]),
        tenders_table(summary["tenders_closing"])])


def territories_table(rows: list[dict[str, Any]], note: str | None) -> Table:
    table = Table("my-territories", "My territories",
                  ["Territory", "Coverage (weighted)", "Coverage (head count)", "Key people", "Gaps"],
                  empty="No territories: nobody on your team covers one today.", note=note)
    for row in rows:
        table.add(node_cell(row["territory"]), percent_cell(row["coverage_weighted"]),
                  percent_cell(row["coverage_headcount"]), number_cell(row["people"]),
                  number_cell(row["gaps"]))
    return table


def plans_table(items: list[dict[str, Any]], table_id: str = "plans-at-risk",
                caption: str = "Plans at risk") -> Table:
    table = Table(table_id, caption, ["Plan", "Stakeholder", "Account manager", "Goal", "Current stage",
                                      "Due", "Why at risk"], empty="No plan is at risk.")
    for item in items:
        stakeholder = item["stakeholder"] and {**item["stakeholder"], "label": "Stakeholder"}
        table.add(text_cell(item["name"]), node_cell(stakeholder),
                  text_cell(item["account_manager"] and item["account_manager"]["name"]),
                  text_cell(item["goal_stage"]), text_cell(item["current_stage"]), date_cell(item["due"]),
                  text_cell([REASONS.get(reason, reason) for reason in item["reasons"]]))
    return table


def tenders_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("tenders-closing", "Tenders closing",
                  ["Tender", "Status", "Deadline", "Days left", "Issuer", "Value"],
                  empty=f"No open tender has its deadline in the next {profile.CLOSING_DAYS} days.",
                  note=f"Open tenders whose deadline is at most {profile.CLOSING_DAYS} days away, "
                       "or past and not yet awarded.")
    for row in rows:
        table.add(node_cell(row["tender"]), text_cell(row["status"]), date_cell(row["deadline"]),
                  number_cell(row["days_left"]), node_cell(row["issuer"]),
                  money_cell(row["value"], row["currency"]))
    return table

