"""A person: who they are, where we stand with them, who sways them, how to reach them, and the
two forms a KAM uses after a meeting (log an interaction, change the relationship's stage)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import CsrfToken
from api.pages.render import Page, PageContext, PageRoute, page, references
from api.pages.tables import (
    Cell,
    Table,
    date_cell,
    flag,
    node_cell,
    nodes_cell,
    number,
    number_cell,
    text_cell,
)
from kamgraph import activity, profile, services
from kamgraph.model import LABELS, STAGES

router = APIRouter(route_class=PageRoute)

CHANNELS = LABELS["Interaction"].props["channel"].choices
# How a relationship reads from the person's side: (type, direction) → phrase.
PHRASES = {("INFLUENCES", "out"): "influences", ("INFLUENCES", "in"): "is influenced by",
           ("REPORTS_TO", "out"): "reports to", ("REPORTS_TO", "in"): "manages",
           ("KNOWS", "both"): "knows", ("WORKS_AT", "out"): "works at",
           ("ALIGNED_WITH", "out"): "aligned with", ("ROLE_IN", "out"): "role in tender",
           ("ATTENDED", "out"): "attended"}
SHOWN_FIELDS = ("title", "category", "tier", "stance", "specialty", "tags")
PERSONAL_FIELDS = ("email", "phone", "notes")


def stakeholder_url(stakeholder_id: str, **flash: str) -> str:
    return f"/stakeholders/{quote(stakeholder_id, safe='')}" + (f"?{urlencode(flash)}" if flash else "")


@router.get("/stakeholders/{stakeholder_id:path}")
def stakeholder(request: Request, ctx: Page, stakeholder_id: str, logged: bool = False,
                day: date | None = None, staged: bool = False) -> Response:
    """A person's profile, our relationships, influence, warm paths, plans and history."""
    found = profile.stakeholder_profile(ctx.store, stakeholder_id, as_of=ctx.today, cache=ctx.cache)
    ctx.store.log_person_read(stakeholder_id)  # the page shows their notes, email and phone
    paths = services.warm_paths(ctx.store, stakeholder_id, as_of=ctx.today, cache=ctx.cache)
    refs = references(ctx.store, (node for path in paths["paths"] for node in path["nodes"]))
    flashes = [text for shown, text in ((logged, "Interaction logged."), (staged, "Stage changed."))
               if shown]
    return page(request, ctx, "stakeholder.html", title=found["stakeholder"]["name"], profile=found,
                person=found["stakeholder"], stakeholder_id=stakeholder_id, flashes=flashes,
                warnings=_warnings(ctx, stakeholder_id, day if logged and day else ctx.today),
                paths_note=paths.get("note"), forms=_forms(ctx, found),
                shown_fields=SHOWN_FIELDS, personal_fields=PERSONAL_FIELDS, tables=[
                    team_table(found["team"]), relationships_table(found["relationships"]),
                    influence_table("influencers", "Who influences them", found["influencers"]),
                    influence_table("influenced", "Whom they influence", found["influenced"]),
                    warm_paths_table(paths, refs), interactions_table(found["interactions"])])


def _warnings(ctx: PageContext, stakeholder_id: str, logged_on: date) -> list[str]:
    """Quiet periods today, and on the day of an interaction just logged (once each)."""
    found = activity.quiet_warnings(ctx.store, stakeholder_id, ctx.today)
    found += activity.quiet_warnings(ctx.store, stakeholder_id, logged_on)
    return list(dict.fromkeys(found))


def _forms(ctx: PageContext, found: dict[str, Any]) -> dict[str, Any]:
    """What the two forms offer: channels, stages, today, and for an admin the team."""
    mine = [row["stage"] for row in found["team"]
            if row["account_manager"]["id"] == ctx.user.account_manager]
    managers = ([] if ctx.user.account_manager else
                [{"id": m.id, "name": m.name} for m in ctx.store.iter_nodes("AccountManager")])
    # A KAM's form carries the stage they see: if someone changes it meanwhile, theirs is
    # refused (409) rather than undoing the other change.
    return {"channels": CHANNELS, "stages": STAGES, "today": ctx.today.isoformat(),
            "stage": mine[0] if mine else "acquainted", "expected_stage": mine[0] if mine else None,
            "account_managers": managers}


@router.post("/stakeholders/{stakeholder_id:path}/interactions")
def log_interaction(ctx: Page, _csrf: CsrfToken, stakeholder_id: str,
                    day: Annotated[date | None, Form(alias="date")] = None,
                    channel: Annotated[str | None, Form()] = None,
                    summary: Annotated[str | None, Form()] = None,
                    outcome: Annotated[str | None, Form()] = None,
                    account_manager: Annotated[str | None, Form()] = None) -> Response:
    """Log a contact with this person, then show their page with any quiet-period warning."""
    ctx.store.check_write([stakeholder_id])
    manager = activity.acting_account_manager(ctx.store.inner, ctx.user, account_manager or None)
    when = day or ctx.today
    activity.log_interaction(ctx.store.inner, manager, stakeholder_id, day=when, channel=channel or None,
                             summary=(summary or "").strip() or None, outcome=(outcome or "").strip() or None)
    flash = {"logged": "1"} | ({"day": when.isoformat()} if when != ctx.today else {})
    return RedirectResponse(stakeholder_url(stakeholder_id, **flash), status_code=303)


@router.post("/stakeholders/{stakeholder_id:path}/stage")
def change_stage(ctx: Page, _csrf: CsrfToken, stakeholder_id: str, stage: Annotated[str, Form()],
                 account_manager: Annotated[str | None, Form()] = None,
                 expected_stage: Annotated[str | None, Form()] = None) -> Response:
    """Set the stage of our relationship with this person (refused if it changed meanwhile)."""
    ctx.store.check_write([stakeholder_id])
    manager = activity.acting_account_manager(ctx.store.inner, ctx.user, account_manager or None)
    activity.change_stage(ctx.store.inner, manager, stakeholder_id, stage, day=ctx.today,
                          expected_stage=expected_stage or None)
    return RedirectResponse(stakeholder_url(stakeholder_id, staged="1"), status_code=303)


# -- tables ------------------------------------------------------------------------------------


def team_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("team-relationships", "Our relationships with them",
                  ["Account manager", "Stage", "Strength", "Since", "Last contact", "Covers them"],
                  empty="Nobody on the team has a relationship with them yet.")
    for row in rows:
        table.add(node_cell(row["account_manager"]), text_cell(row["stage"]), number_cell(row["strength"]),
                  date_cell(row["since"]), date_cell(row["last_contact"]),
                  flag(row["covers"]))
    return table


def relationships_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("relationships", "Their ties", ["Relationship", "With", "Details", "Since", "Until",
                                                   "Current"], empty="No ties recorded.")
    for row in rows:
        table.add(text_cell(PHRASES.get((row["type"], row["direction"]), row["type"])),
                  node_cell(row["other"]), text_cell(_details(row["details"])),
                  date_cell(row["since"]), date_cell(row["until"]),
                  flag(row["active"]))
    return table


def _details(details: dict[str, Any]) -> list[str]:
    return [f"{name.replace('_', ' ')} {number(value) if isinstance(value, float) else value}"
            for name, value in details.items()]


def influence_table(table_id: str, caption: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(table_id, caption, ["Person", "Weight", "Through"], empty="Nobody recorded.")
    for row in rows:
        table.add(node_cell(row["person"]), number_cell(row["weight"]), text_cell(row["basis"]))
    return table


def warm_paths_table(paths: dict[str, Any], refs: dict[str, dict[str, str]]) -> Table:
    table = Table("warm-paths", "Warm paths from our team", ["Path", "Strength", "Opening stage"],
                  empty="No warm path: nobody on the team reaches them through people who know us.",
                  note=paths.get("note"))
    for path in paths["paths"]:
        table.add(nodes_cell([refs.get(n, {"id": n, "label": "", "name": n}) for n in path["nodes"]], " → "),
                  number_cell(path["strength"]), text_cell(path["stage"]))
    return table


def interactions_table(items: list[dict[str, Any]]) -> Table:
    table = Table("interactions", "Interactions, newest first",
                  ["Date", "Channel", "Account manager", "Summary", "Outcome"],
                  empty="No interaction logged yet.")
    for item in items:
        manager = item["account_manager"]
        table.add(date_cell(item["date"]), text_cell(item["channel"]),
                  text_cell(manager["name"]) if manager else Cell(), text_cell(item["summary"]),
                  text_cell(item["outcome"]))
    return table
