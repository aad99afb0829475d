"""Relationships: list them around a node or by type, write one, delete one.

Write scoping for relationships (KAMs and regional managers; an admin may write anything):

- both ends must be visible to the caller (an existing end outside their territories is 403);
- an end that is a Territory or an AccountManager is allowed only for the caller's *own*
  AccountManager linking to a non-reference node (``RELATES_TO``, ``HAD``, ``PLANS``,
  ``ATTENDED``) and for ``LOCATED_IN`` from an organisation to a territory they see; the team
  and the territory tree (``COVERS``, ``REPORTS_TO`` between account managers, ``PART_OF``
  between territories, anything for another account manager) are admin-only, since they
  decide who sees what.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response, status

from api.deps import CurrentUser, ScopedStoreDep
from api.models.graph import (
    AnyRelationship,
    ProblemRoute,
    RelationshipPage,
    errors,
    relationship_body,
)
from kamgraph.errors import Forbidden, NotFound, Problem, ValidationFailed
from kamgraph.limits import MAX_ID
from kamgraph.model import (
    REL_TYPES,
    TENDER_ROLES,
    Relationship,
    Where,
    endpoint_problem,
    parse_relationship,
)
from kamgraph.scope import REFERENCE_LABELS, ScopedStore
from kamgraph.store.base import WriteTransaction
from kamgraph.users import User

__all__ = ["check_relationships", "router"]

router = APIRouter(tags=["relationships"], route_class=ProblemRoute)

RelType = Literal[tuple(REL_TYPES)]  # type: ignore[valid-type]
EndId = Annotated[str, Query(min_length=1, max_length=MAX_ID)]
MAX_PAGE = 500
MAX_OFFSET = 10**9


# -- who may write what --------------------------------------------------------------------


def check_relationships(store: ScopedStore, user: User, ends: Iterable[tuple[str, str, str]],
                        labels: Mapping[str, str | None]) -> None:
    """:class:`Forbidden` unless the caller may write every (type, from, to) (module doc).

    ``labels`` gives the label of each end id known so far (in the store or in the batch);
    ends that exist nowhere pass here and are reported by validation.
    """
    if store.scope.everything:
        return
    for rel_type, start, end in ends:
        if {labels.get(start), labels.get(end)} & REFERENCE_LABELS:
            _check_team_link(store, user, rel_type, start, end, labels)
        else:
            # An unknown type passes here; the batch's validation reports it.
            spec = REL_TYPES.get(rel_type)
            store.check_link(start, end, symmetric=spec is not None and spec.symmetric)


def _check_team_link(store: ScopedStore, user: User, rel_type: str, start: str, end: str,
                     labels: Mapping[str, str | None]) -> None:
    """A relationship touching a Territory or AccountManager, written by a non-admin: an
    organisation of theirs (or a new one) located in a territory they see, or their own
    account manager's tie to something they see."""
    start_label, end_label = labels.get(start), labels.get(end)
    if rel_type == "LOCATED_IN" and start_label not in REFERENCE_LABELS:
        store.check_link(start, end)
        return
    if start == user.account_manager and end_label not in REFERENCE_LABELS:
        if end in store.inner.node_labels([end]) and store.get_node(end) is None:
            raise Forbidden(f"{end!r} is outside your territories")
        return
    raise Forbidden(f"only an admin can write {rel_type} from {start} to {end}: it changes "
                    "the team or the territory tree")


# -- reading -------------------------------------------------------------------------------


def _joins(rel: Relationship, start: str | None, end: str | None) -> bool:
    """Whether the relationship goes from ``start`` to ``end`` (either way when symmetric)."""
    def matches(a: str, b: str) -> bool:
        return (start is None or a == start) and (end is None or b == end)

    return matches(rel.start, rel.end) or (
        REL_TYPES[rel.type].symmetric and matches(rel.end, rel.start))


def _around(store: ScopedStore, rel_type: str | None, start: str | None, end: str | None,
            ) -> Iterator[Relationship]:
    for node_id in (start, end):
        if node_id is not None and store.get_node(node_id) is None:
            raise NotFound(f"no node with id {node_id!r}")
    anchor = start if start is not None else end
    assert anchor is not None
    return (r for r in store.relationships_of(anchor, rel_type=rel_type) if _joins(r, start, end))


def _window(items: Iterable[Relationship], offset: int, limit: int) -> list[Relationship]:
    """Items ``offset`` .. ``offset + limit`` and one more (to tell if a page follows)."""
    found: list[Relationship] = []
    for index, item in enumerate(items):
        if index >= offset + limit + 1:
            break
        if index >= offset:
            found.append(item)
    return found


@router.get("/relationships", response_model=RelationshipPage, response_model_exclude_unset=True,
            responses=errors(404, 422))
def list_relationships(
    store: ScopedStoreDep,
    rel_type: Annotated[RelType | None, Query(alias="type")] = None,
    start: Annotated[str | None, Query(alias="from", min_length=1, max_length=MAX_ID)] = None,
    end: Annotated[str | None, Query(alias="to", min_length=1, max_length=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    """Relationships you can see, ordered by (type, from, to, role): around `from` and/or `to`
    (optionally of one `type`), or all of one `type`. `KNOWS` matches either way round."""
    if start is None and end is None:
        if rel_type is None:
            raise ValidationFailed([Problem(None, "query", "from", "give from, to or type")])
        found: Iterable[Relationship] = (
            r for r in store.iter_relationships() if r.type == rel_type)
    else:
        found = _around(store, rel_type, start, end)
    window = _window(found, offset, limit)
    return {"items": [r.record() for r in window[:limit]], "limit": limit, "offset": offset,
            "has_more": len(window) > limit}


# -- writing -------------------------------------------------------------------------------


def parse_one(raw: dict[str, Any], location: str = "body") -> Relationship:
    """The relationship a body or query describes (symmetric ones with from < to), or 422."""
    rel, problems = parse_relationship(raw, Where(None, location))
    if rel is None:
        raise ValidationFailed(problems)
    return rel


def check_ends(store: ScopedStore, user: User, rel: Relationship) -> None:
    """403 unless the caller may write it, then 422 unless both ends exist with allowed labels."""
    labels = store.inner.node_labels([rel.start, rel.end])
    check_relationships(store, user, [(rel.type, rel.start, rel.end)], labels)
    where = Where(None, "body")
    missing = [where.problem(field, f"{node_id} is not in the store")
               for field, node_id in (("from", rel.start), ("to", rel.end)) if node_id not in labels]
    if missing:
        raise ValidationFailed(missing)
    reason = endpoint_problem(rel.type, labels[rel.start], labels[rel.end])
    if reason:
        raise ValidationFailed([where.problem("type", reason)])


def _stored(store: ScopedStore, rel: Relationship) -> Relationship | None:
    return next((r for r in store.inner.relationships_of(rel.start, rel_type=rel.type)
                 if r.identity == rel.identity), None)


@router.put("/relationships", response_model=AnyRelationship, response_model_exclude_unset=True,
            status_code=status.HTTP_200_OK,
            responses={201: {"description": "Created."}, **errors(403, 422)},
            openapi_extra=relationship_body())
def put_relationship(store: ScopedStoreDep, user: CurrentUser,
                     raw: Annotated[dict[str, Any], Body()], response: Response) -> Any:
    """Create (201) or update (200) one relationship, identified by (type, from, to) and the
    role of a `ROLE_IN`: given properties overwrite, absent ones stay, as in an import."""
    rel = parse_one(raw)
    check_ends(store, user, rel)
    existed = _stored(store, rel) is not None
    store.inner.upsert(relationships=[rel])
    response.status_code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
    return (_stored(store, rel) or rel).record()  # as stored, with the properties it kept


@router.delete("/relationships", status_code=status.HTTP_204_NO_CONTENT,
               responses=errors(403, 404, 422))
def delete_relationship(
    store: ScopedStoreDep, user: CurrentUser,
    rel_type: Annotated[RelType, Query(alias="type")],
    start: Annotated[str, Query(alias="from", min_length=1, max_length=MAX_ID)],
    end: Annotated[str, Query(alias="to", min_length=1, max_length=MAX_ID)],
    role: Annotated[Literal[TENDER_ROLES] | None, Query(  # type: ignore[valid-type]
        description="The role of a ROLE_IN (part of its identity).")] = None,
) -> None:
    """Delete one relationship (`KNOWS` either way round; `ROLE_IN` needs its `role`, which
    other types ignore): 404 when there is none, 403 when an end is outside your scope."""
    rel = parse_one({"type": rel_type, "from": start, "to": end,
                     **({"role": role} if role and rel_type == "ROLE_IN" else {})}, "query")
    labels = store.inner.node_labels([rel.start, rel.end])
    check_relationships(store, user, [(rel.type, rel.start, rel.end)], labels)

    def work(tx: WriteTransaction) -> None:
        if not tx.delete_relationship(rel.identity):
            raise NotFound(f"no {rel.type} from {rel.start} to {rel.end}"
                           + (f" as {rel.key}" if rel.key else ""))  # rolls back: no new version

    store.inner.write(work)
