"""Shared by the graph data API tests: two small corners added to the demo with the admin store.

- **inside**: an organisation located in ``tr-000003`` (Verkhnedolsk), which the KAM
  ``am-000002``, the other KAM ``am-000004`` and the regional manager (through the whole
  region ``tr-000001``) all cover, with a person working there and a tender it issues;
- **outside**: a territory of its own that nobody covers, with an organisation, a person
  (with personal data) and a tender — out of scope for everyone but the admin.
"""

from __future__ import annotations

from typing import Any

from httpx import Response

from kamgraph.model import Node, Relationship
from kamgraph.store.base import GraphStore

API = "/api/v1"
ROLES = ("admin", "rm", "kam", "kam2")
NON_ADMINS = ("rm", "kam", "kam2")

INSIDE = {"Organization": "o-inside", "Stakeholder": "s-inside", "Tender": "t-inside"}
OUTSIDE = {"Territory": "tr-outside", "Organization": "o-outside", "Stakeholder": "s-outside",
           "Tender": "t-outside"}
OUTSIDE_EMAIL = "secret.outside@example.org"


def add_corners(store: GraphStore) -> None:
    """Add the inside and outside corners (module doc)."""
    store.upsert(
        [Node("Organization", "o-inside", "Inside Clinic", {"type": "clinic", "beds": 40}),
         Node("Stakeholder", "s-inside", "Irina Insideva",
              {"category": "hcp", "stance": "neutral", "email": "irina@example.org"}),
         Node("Tender", "t-inside", "Inside gloves 2027", {"status": "planned", "value": 1000}),
         Node("Territory", "tr-outside", "Far Island", {"level": "region"}),
         Node("Organization", "o-outside", "Far Island Hospital", {"type": "hospital"}),
         Node("Stakeholder", "s-outside", "Oleg Outsidov",
              {"category": "vip", "stance": "opponent", "email": OUTSIDE_EMAIL,
               "notes": "private outside note"}),
         Node("Tender", "t-outside", "Far Island dialysis", {"status": "published"})],
        [Relationship("LOCATED_IN", "o-inside", "tr-000003"),
         Relationship("WORKS_AT", "s-inside", "o-inside", {"seniority": "head"}),
         Relationship("ISSUED_BY", "t-inside", "o-inside"),
         Relationship("LOCATED_IN", "o-outside", "tr-outside"),
         Relationship("WORKS_AT", "s-outside", "o-outside", {"seniority": "executive"}),
         Relationship("ISSUED_BY", "t-outside", "o-outside"),
         Relationship("KNOWS", "s-inside", "s-outside", {"weight": 0.5})])


def problems(response: Response) -> list[tuple[str, str | None, str]]:
    """The (location, field, reason) of each problem of a 422 answer."""
    assert response.status_code == 422, response.text
    return [(p["location"], p["field"], p["reason"]) for p in response.json()["problems"]]


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]
