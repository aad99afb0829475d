"""Search by name, among what the user may see."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.pages.render import Page, PageRoute, page
from api.pages.tables import Table, node_cell, nodes_cell, text_cell
from kamgraph import profile

router = APIRouter(route_class=PageRoute)

LIMIT = 50
LABEL_NAMES = {"AccountManager": "account manager"}


@router.get("/search")
def search(request: Request, ctx: Page, q: str = "") -> Response:
    """Nodes whose name contains ``q``, best matches first, with the organisation they belong to."""
    text = q.strip()
    hits = profile.search_results(ctx.store, text, as_of=ctx.today, limit=LIMIT) if text else []
    table = Table("results", f"Results for “{text}”" if text else "Results",
                  ["Name", "Kind", "Organization"],
                  empty="Nothing found." if text else "Type a name in the search box.",
                  note=f"The first {LIMIT} matches." if len(hits) == LIMIT else None)
    for hit in hits:
        label = hit["node"]["label"]
        table.add(node_cell(hit["node"]), text_cell(LABEL_NAMES.get(label, label.lower())),
                  nodes_cell(hit["organizations"]))
    return page(request, ctx, "search.html", title="Search", tables=[table], searched=text)
