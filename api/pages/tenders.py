"""A tender: who decides it and who sways the deciders, where we stand, whom to engage next."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.pages.render import OrganizationLookup, Page, PageRoute, organizations_by_name, page, references
from api.pages.tables import Cell, Part, Table, node_cell, nodes_cell, number_cell, percent_cell, text_cell
from kamgraph import services
from kamgraph.scope import ScopedStore

router = APIRouter(route_class=PageRoute)

FLAGS = {"quiet_period": "quiet period", "conflict_of_interest": "conflict of interest"}
PARTIES = {"ISSUED_BY": "issuers", "AWARDED_TO": "awardees", "FOR_PRODUCT": "products"}


@router.get("/tenders/{tender_id:path}")
def tender(request: Request, ctx: Page, tender_id: str,
           top: Annotated[int, Query(ge=1, le=1000)] = 25) -> Response:
    """Tender influence (the ``top`` most influential people), next best engagements, warnings."""
    result = services.tender_influence(ctx.store, tender_id, as_of=ctx.today, cache=ctx.cache)
    best = services.next_best(ctx.store, tender_id, as_of=ctx.today, cache=ctx.cache)
    refs = references(ctx.store, _ids(result, best))
    ranking = ranking_table(result["items"][:top], refs, organizations_by_name(ctx.store),
                            len(result["items"]))
    return page(request, ctx, "tender.html", title=result["tender"]["name"], result=result,
                parties=_parties(ctx.store, tender_id), warnings=warnings(result, ctx.today.isoformat()),
                tender_id=tender_id, tables=[ranking, next_best_table(best["items"], refs)])


def _ids(result: dict[str, Any], best: dict[str, Any]) -> set[str]:
    """The people and account managers the tables name."""
    ids = {item["relationship"]["account_manager"] for item in result["items"] if item["relationship"]}
    return ids | {node for item in best["items"] if item["path"] for node in item["path"]["nodes"]}


def _parties(store: ScopedStore, tender_id: str) -> dict[str, list[dict[str, str]]]:
    """Its issuers, awardees and products, as references."""
    links = [r for r in store.relationships_of(tender_id) if r.start == tender_id and r.type in PARTIES]
    refs = references(store, (r.end for r in links))
    return {name: sorted((refs[r.end] for r in links if r.type == kind and r.end in refs),
                         key=lambda ref: ref["id"]) for kind, name in PARTIES.items()}


def warnings(result: dict[str, Any], day: str) -> list[str]:
    """The quiet period of the tender, and every role holder with a conflict of interest."""
    summary, found = result["tender"], []
    if summary["quiet_period"]:
        window = " ".join(filter(None, [f"from {summary['quiet_from']}" if summary["quiet_from"] else "",
                                        f"until {summary['quiet_until']}" if summary["quiet_until"] else ""]))
        found.append(f"Quiet period on {day} (status {summary['status']}{', ' + window if window else ''}): "
                     f"contact with the {summary['role_holders']} role holders can breach procurement "
                     "rules. Log any contact, and disclose it.")
    for item in result["items"]:
        if "conflict_of_interest" in item["flags"]:
            aligned = item["competitor"] or "our own company"
            found.append(f"Conflict of interest: {item['name']} ({', '.join(item['role'])}) is aligned "
                         f"with {aligned}. Disclose it.")
    return found


def ranking_table(items: list[dict[str, Any]], refs: dict[str, dict[str, str]],
                  organization: OrganizationLookup, total: int) -> Table:
    table = Table("ranking", "Who decides and who sways them",
                  ["Person", "Roles", "Stance", "Our relationship", "Influence", "Organization", "Flags"],
                  empty="Nobody holds a role in this tender yet.",
                  note=f"The {len(items)} most influential of {total} people whose influence reaches the "
                       "committee (?top= shows more)." if total > len(items) else None)
    for item in items:
        table.add(node_cell({**item, "label": "Stakeholder"}), text_cell(item["role"]),
                  text_cell(item["stance"]), relationship_cell(item["relationship"], refs),
                  percent_cell(item["score"]), node_cell(organization(item["organization"])),
                  text_cell([FLAGS.get(flag, flag) for flag in item["flags"]]))
    return table


def relationship_cell(relationship: dict[str, Any] | None, refs: dict[str, dict[str, str]]) -> Cell:
    """Our strongest relationship with a person: the account manager and the stage."""
    if relationship is None:
        return Cell()
    manager = refs.get(relationship["account_manager"], {"name": relationship["account_manager"]})
    return Cell((Part(f"{manager['name']} ({relationship['stage']})"),))


def next_best_table(items: list[dict[str, Any]], refs: dict[str, dict[str, str]]) -> Table:
    table = Table("next-best", "Next best engagements",
                  ["Person", "Coverage gain", "Warm path", "Path strength", "Opening stage"],
                  empty="Nobody uncovered outside a quiet period adds coverage.",
                  note="People in a quiet period are left out, as candidates and on paths.")
    for item in items:
        path = item["path"]
        table.add(node_cell({**item, "label": "Stakeholder"}), percent_cell(item["gain"]),
                  nodes_cell([refs.get(n, {"id": n, "label": "", "name": n}) for n in path["nodes"]], " → ")
                  if path else text_cell("no warm path"),
                  number_cell(path["strength"]) if path else Cell(), text_cell(path and path["stage"]))
    return table
