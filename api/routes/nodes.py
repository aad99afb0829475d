"""Nodes of every label: list, search, read, create, create-or-update and delete.

Each label has a collection path (``kamgraph.model.LABELS`` → ``api.models.graph.PLURALS``):
``/stakeholders``, ``/organizations``, ... ``/account-managers``. Reads go through the caller's
scoped store, so nodes outside their territories do not exist (404). Writes check first
(``ScopedStore.check_write``: 403 for an existing node outside scope or a Territory or
AccountManager unless admin), then validate with ``kamgraph.model.parse_node`` — the rules and
problem messages of an import — then write to the store itself.

This module does not use ``from __future__ import annotations``: the routes are made per label
inside a function, and FastAPI must see their parameter types as objects, not as text.
"""

import re
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, HTTPException, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, create_model

from api.deps import CurrentUser, ScopedStoreDep
from api.limits import MAX_OFFSET
from api.models.graph import (
    PLURALS,
    NodeDetail,
    ProblemRoute,
    detail_model,
    errors,
    node_body,
    node_record,
    page_model,
)
from kamgraph.errors import NotFound, Problem, ValidationFailed
from kamgraph.limits import MAX_ID, MAX_STRING
from kamgraph.model import LABELS, Node, Relationship, Where, parse_node
from kamgraph.scope import ScopedStore
from kamgraph.users import User

__all__ = ["node_detail", "owner_link", "router"]

router = APIRouter(tags=["nodes"], route_class=ProblemRoute)

MAX_PAGE = 500
"""The largest ``limit`` a list accepts."""
"""The largest ``offset`` (a store's integers must hold it)."""
SEARCH_WINDOW = 1_000
"""A name search (``q``) pages through at most this many best matches."""

SPECIALISED = frozenset({("GET", "/plans"), ("POST", "/plans"), ("PUT", "/plans/{plan_id}")})
"""Routes of the generic set left to a dedicated module (``api/routes/plans.py`` lists plans
with their status and creates them with their PLANS and TARGETS links); two routes on one path
and method would shadow each other."""

NodeId = Annotated[str, Path(min_length=1, max_length=MAX_ID, description="The node's id.")]


def _id_param(label: str) -> str:
    """The path parameter naming one node of a label, as the other routes do: ``tender_id``,
    ``account_manager_id``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", label).lower() + "_id"


# -- reading -------------------------------------------------------------------------------


def _filters_model(label: str) -> type[BaseModel]:
    """Query parameters of a list: paging, ``q`` and one equality filter per enum property."""
    enums = {name: (Literal[prop.choices] | None,  # type: ignore[valid-type]
                    Field(None, description=f"Only nodes whose {name} is this."))
             for name, prop in LABELS[label].props.items() if prop.kind == "enum"}
    return create_model(
        f"{label}Filters", __config__=ConfigDict(extra="forbid"),
        limit=(int, Field(50, ge=1, le=MAX_PAGE, description="Page size.")),
        offset=(int, Field(0, ge=0, le=MAX_OFFSET, description="Nodes to skip.")),
        q=(str | None, Field(None, min_length=1, max_length=MAX_STRING, description=(
            "Only nodes whose name contains this (case-insensitive); best matches first."))),
        **enums)


def node_page(store: ScopedStore, label: str, filters: BaseModel) -> dict[str, Any]:
    """One page of a label's visible nodes: by id, or best name match first with ``q``."""
    values = filters.model_dump()
    limit, offset, text = values.pop("limit"), values.pop("offset"), values.pop("q")
    where = {key: value for key, value in values.items() if value is not None}
    if text:
        wanted = SEARCH_WINDOW if where else min(offset + limit + 1, SEARCH_WINDOW)
        found = [n for n in store.search(text, label=label, limit=wanted)
                 if all(n.props.get(key) == value for key, value in where.items())]
        window = found[offset:offset + limit + 1]
    else:
        window = store.list_nodes(label, where=where or None, limit=limit + 1, offset=offset)
    store.log_sensitive_reads(window[:limit])
    return {"items": [n.record() for n in window[:limit]], "limit": limit, "offset": offset,
            "has_more": len(window) > limit}


def node_detail(store: ScopedStore, node_id: str, label: str | None = None) -> dict[str, Any]:
    """A visible node (of ``label`` when given) with its visible relationships, or NotFound."""
    node = store.get_node(node_id)
    if node is None or (label is not None and node.label != label):
        raise NotFound(f"no {label or 'node'} with id {node_id!r}")
    store.log_sensitive_reads([node])
    return {"node": node.record(),
            "relationships": [r.record() for r in store.relationships_of(node_id)]}


# -- writing -------------------------------------------------------------------------------


def parse_body(label: str, raw: dict[str, Any], node_id: str | None) -> Node:
    """The node a body describes (``id`` from the path when given), or every problem (422)."""
    where = Where(None, "body")
    problems: list[Problem] = []
    if raw.get("label") not in (None, label):
        problems.append(where.problem("label", f"this route takes {label} records, "
                                               f"not {raw['label']!r}"))
    if node_id is not None and raw.get("id") not in (None, node_id):
        problems.append(where.problem("id", f"the body's id {raw['id']!r} is not the path's "
                                            f"{node_id!r}"))
    record = {**raw, "label": label, **({"id": node_id} if node_id is not None else {})}
    node, found = parse_node(record, where)
    if problems or node is None:
        raise ValidationFailed(problems + found)
    return node


def owner_link(store: ScopedStore, user: User, node: Node) -> list[Relationship]:
    """A stakeholder a non-admin creates gets ``RELATES_TO`` (stage unknown) from their
    AccountManager, so it stays in their scope; nothing for anything else."""
    manager = user.account_manager
    if store.scope.everything or node.label != "Stakeholder" or not manager:
        return []
    if store.inner.node_labels([manager]).get(manager) != "AccountManager":
        return []
    return [Relationship("RELATES_TO", manager, node.id, {"stage": "unknown"})]


def _written(store: ScopedStore, node: Node) -> dict[str, Any]:
    """The record as stored (with the properties an update kept)."""
    return (store.inner.get_node(node.id) or node).record()


def create_node(store: ScopedStore, user: User, label: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Create a node; 409 when the id is taken (by a node of any label)."""
    raw_id = raw.get("id")
    store.check_write([raw_id] if isinstance(raw_id, str) else [], labels=[label])
    node = parse_body(label, raw, None)
    if store.inner.node_labels([node.id]):
        raise HTTPException(status.HTTP_409_CONFLICT, f"{node.id!r} exists already: use PUT "
                                                      "to change it")
    store.inner.upsert([node], owner_link(store, user, node))
    return _written(store, node)


def put_node(store: ScopedStore, user: User, label: str, node_id: str, raw: dict[str, Any],
             response: Response) -> dict[str, Any]:
    """Create or update: given properties overwrite, absent ones stay (as an import does)."""
    store.check_write([node_id], labels=[label])
    node = parse_body(label, raw, node_id)
    stored = store.inner.node_labels([node_id]).get(node_id)
    if stored not in (None, label):
        raise ValidationFailed([Where(None, "body").problem(
            "label", f"id {node_id} is already a {stored}; ids are unique across labels")])
    store.inner.upsert([node], [] if stored else owner_link(store, user, node))
    response.status_code = status.HTTP_200_OK if stored else status.HTTP_201_CREATED
    return _written(store, node)


def delete_node(store: ScopedStore, label: str, node_id: str) -> None:
    """Delete a node with all its relationships: 404 if absent, 403 if outside scope."""
    stored = store.inner.node_labels([node_id]).get(node_id)
    if stored is None:
        raise NotFound(f"no {label} with id {node_id!r}")
    store.check_write([node_id], labels=[stored])
    if stored != label:
        raise NotFound(f"no {label} with id {node_id!r}")
    store.inner.delete_node(node_id)


# -- the routes of one label ---------------------------------------------------------------


def _add_label_routes(label: str) -> None:
    plural = PLURALS[label]
    Filters = _filters_model(label)
    record, page, detail = node_record(label), page_model(label), detail_model(label)
    NodeBody = Annotated[dict[str, Any], Body()]
    param = _id_param(label)
    LabelId = Annotated[str, Path(alias=param, min_length=1, max_length=MAX_ID,
                                  description=f"The {label}'s id.")]

    def list_label(store: ScopedStoreDep, filters: Annotated[Filters, Query()]) -> Any:  # type: ignore[valid-type]
        return node_page(store, label, filters)

    def get_label(store: ScopedStoreDep, node_id: LabelId) -> Any:
        return node_detail(store, node_id, label)

    def post_label(store: ScopedStoreDep, user: CurrentUser, raw: NodeBody,
                   response: Response) -> Any:
        created = create_node(store, user, label, raw)
        response.headers["Location"] = f"/api/v1/{plural}/{quote(created['id'], safe='')}"
        return created

    def put_label(store: ScopedStoreDep, user: CurrentUser, node_id: LabelId, raw: NodeBody,
                  response: Response) -> Any:
        return put_node(store, user, label, node_id, raw, response)

    def delete_label(store: ScopedStoreDep, node_id: LabelId) -> None:
        delete_node(store, label, node_id)

    one = f"/{plural}/{{{param}}}"
    owner = (" A stakeholder created by a KAM or regional manager also gets `RELATES_TO` from "
             "their AccountManager (stage `unknown`), so it stays in their scope."
             if label == "Stakeholder" else "")
    routes = [
        (f"/{plural}", "GET", list_label, page, 200, errors(422), f"List {label} nodes",
         f"{label} nodes you can see, by id (with `q`: best name match first, within the best "
         f"{SEARCH_WINDOW:,}); filter by any enumerated property."),
        (one, "GET", get_label, detail, 200, errors(404, 422), f"Read a {label}",
         f"The {label} with the relationships whose other end you can see."),
        (f"/{plural}", "POST", post_label, record, 201, errors(403, 409, 422),
         f"Create a {label}", f"Create a {label} (409 if the id exists).{owner}"),
        (one, "PUT", put_label, record, 200, {201: {"description": "Created."}, **errors(403, 422)},
         f"Create or update a {label}",
         f"Create the {label} (201) or update it (200): given properties overwrite, absent ones "
         f"stay, as in an import.{owner}"),
        (one, "DELETE", delete_label, None, 204, errors(403, 404, 422), f"Delete a {label}",
         f"Delete the {label} and every relationship it has."),
    ]
    for path, method, endpoint, model, code, responses, summary, description in routes:
        if (method, path) in SPECIALISED:
            continue
        body = node_body(label, id_required=method == "POST") if method in ("POST", "PUT") else None
        router.add_api_route(
            path, endpoint, methods=[method], response_model=model, status_code=code,
            responses=responses, summary=summary, description=description,
            name=f"{method.lower()}_{plural.replace('-', '_')}{'_one' if path == one else ''}",
            response_model_exclude_unset=True, openapi_extra=body)


for _label in LABELS:
    _add_label_routes(_label)


@router.get("/nodes/{node_id}", response_model=NodeDetail, response_model_exclude_unset=True,
            responses=errors(404, 422))
def get_any_node(store: ScopedStoreDep, node_id: NodeId) -> Any:
    """Any node you can see, whatever its label, with its visible relationships."""
    return node_detail(store, node_id)
