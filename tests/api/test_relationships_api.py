"""Relationships through the API: list around a node or by type, write one, delete one."""

from __future__ import annotations

from typing import Any

import pytest

from kamgraph.model import Relationship
from tests.api.conftest import KAM, DemoApp
from tests.api.helpers import API, NON_ADMINS, add_corners, problems


@pytest.fixture
def app(demo_app: DemoApp) -> DemoApp:
    add_corners(demo_app.store)
    return demo_app


def listed(app: DemoApp, user: str, **params: object) -> Any:
    response = app.client.get(f"{API}/relationships", headers=app.auth(user), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def put(app: DemoApp, user: str, body: dict[str, Any]) -> Any:
    return app.client.put(f"{API}/relationships", json=body, headers=app.auth(user))


def delete(app: DemoApp, user: str, **params: object) -> Any:
    return app.client.delete(f"{API}/relationships", headers=app.auth(user), params=params)


# -- listing -------------------------------------------------------------------------------


def test_around_a_node_in_identity_order(app: DemoApp) -> None:
    assert listed(app, "admin", **{"from": "s-inside"}) == {
        "items": [{"type": "KNOWS", "from": "s-inside", "to": "s-outside", "weight": 0.5},
                  {"type": "WORKS_AT", "from": "s-inside", "to": "o-inside",
                   "seniority": "head"}],
        "limit": 50, "offset": 0, "has_more": False}
    assert listed(app, "admin", to="o-inside", type="WORKS_AT")["items"] == [
        {"type": "WORKS_AT", "from": "s-inside", "to": "o-inside", "seniority": "head"}]
    assert listed(app, "admin", **{"from": "o-inside", "to": "tr-000003"})["items"] == [
        {"type": "LOCATED_IN", "from": "o-inside", "to": "tr-000003"}]


def test_a_symmetric_type_matches_either_way_round(app: DemoApp) -> None:
    reversed_ = listed(app, "admin", **{"from": "s-outside", "to": "s-inside", "type": "KNOWS"})
    assert reversed_["items"] == [{"type": "KNOWS", "from": "s-inside", "to": "s-outside",
                                   "weight": 0.5}]


def test_all_of_one_type_in_pages(app: DemoApp) -> None:
    covers = [r.record() for r in app.store.iter_relationships() if r.type == "COVERS"]
    assert len(covers) == 17
    first = listed(app, "admin", type="COVERS", limit=5)
    last = listed(app, "admin", type="COVERS", limit=5, offset=15)
    assert first["items"] == covers[:5] and first["has_more"] is True
    assert last["items"] == covers[15:] and last["has_more"] is False


def test_a_kam_sees_only_relationships_between_visible_nodes(app: DemoApp) -> None:
    assert listed(app, "kam", **{"from": "s-inside"})["items"] == [
        {"type": "WORKS_AT", "from": "s-inside", "to": "o-inside", "seniority": "head"}]
    outside = app.client.get(f"{API}/relationships", params={"from": "s-outside"},
                             headers=app.auth("kam"))
    assert outside.status_code == 404
    assert outside.json() == {"detail": "no node with id 's-outside'"}
    works_at = listed(app, "kam", type="WORKS_AT", limit=500)["items"] + listed(
        app, "kam", type="WORKS_AT", limit=500, offset=500)["items"]
    assert "s-outside" not in {r["from"] for r in works_at}
    assert {"type": "WORKS_AT", "from": "s-inside", "to": "o-inside", "seniority": "head"} \
        in works_at


def test_a_list_needs_a_node_or_a_type(app: DemoApp) -> None:
    response = app.client.get(f"{API}/relationships", headers=app.auth("admin"))
    assert problems(response) == [("query", "from", "give from, to or type")]
    assert [p[:2] for p in problems(app.client.get(
        f"{API}/relationships", params={"type": "LIKES"}, headers=app.auth("admin")))] == [
        ("query", "type")]


# -- writing -------------------------------------------------------------------------------


def test_put_creates_then_updates(app: DemoApp) -> None:
    body = {"type": "INFLUENCES", "from": "s-inside", "to": "s-000001", "weight": 0.3,
            "kind": "informal", "since": "2025-01-01"}
    created = put(app, "admin", body)
    assert created.status_code == 201 and created.json() == body
    updated = put(app, "admin", {"type": "INFLUENCES", "from": "s-inside", "to": "s-000001",
                                 "weight": 0.6})
    assert updated.status_code == 200 and updated.json() == {**body, "weight": 0.6}
    assert app.store.relationships_of("s-inside", rel_type="INFLUENCES") == [
        Relationship("INFLUENCES", "s-inside", "s-000001",
                     {"weight": 0.6, "kind": "informal", "since": "2025-01-01"})]


def test_put_stores_a_symmetric_relationship_once(app: DemoApp) -> None:
    written = put(app, "admin", {"type": "KNOWS", "from": "s-outside", "to": "s-inside",
                                 "context": "alumni"})
    assert written.status_code == 200
    assert written.json() == {"type": "KNOWS", "from": "s-inside", "to": "s-outside",
                              "weight": 0.5, "context": "alumni"}


def test_put_lists_problems_and_writes_nothing(app: DemoApp) -> None:
    version = app.store.graph_version()
    bad_values = put(app, "admin", {"type": "INFLUENCES", "from": "s-inside", "to": "s-000001",
                                    "weight": 2, "kind": "bribe", "since": "2025-13-01"})
    assert problems(bad_values) == [
        ("body", "weight", "weight 2 is outside 0..1"),
        ("body", "kind", "'bribe' is not one of formal, informal, scientific, personal, family"),
        ("body", "since", "'2025-13-01' is not an ISO 8601 date such as 2026-03-31")]
    assert problems(put(app, "admin", {"type": "WORKS_AT", "from": "s-inside",
                                       "to": "o-nowhere"})) == [
        ("body", "to", "o-nowhere is not in the store")]
    assert problems(put(app, "admin", {"type": "WORKS_AT", "from": "s-inside",
                                       "to": "t-inside"})) == [
        ("body", "type", "WORKS_AT cannot go from Stakeholder to Tender; it goes "
                         "Stakeholder → Organization")]
    assert problems(put(app, "admin", {"type": "ROLE_IN", "from": "s-inside",
                                       "to": "t-inside"})) == [
        ("body", "role", "ROLE_IN needs a role")]
    assert app.store.graph_version() == version


def test_delete_one_relationship(app: DemoApp) -> None:
    version = app.store.graph_version()
    missing = delete(app, "admin", type="WORKS_AT", to="o-inside", **{"from": "s-000001"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "no WORKS_AT from s-000001 to o-inside"}
    assert app.store.graph_version() == version  # a 404 writes nothing
    knows = delete(app, "admin", type="KNOWS", to="s-inside", **{"from": "s-outside"})
    assert knows.status_code == 204 and knows.content == b""
    assert app.store.relationships_of("s-inside") == [
        Relationship("WORKS_AT", "s-inside", "o-inside", {"seniority": "head"})]
    assert app.store.graph_version() == version + 1


def test_delete_a_tender_role_by_its_role(app: DemoApp) -> None:
    app.store.upsert(relationships=[
        Relationship("ROLE_IN", "s-inside", "t-inside", {"role": "evaluator"}),
        Relationship("ROLE_IN", "s-inside", "t-inside", {"role": "approver"})])
    ends = {"type": "ROLE_IN", "from": "s-inside", "to": "t-inside"}
    assert problems(delete(app, "admin", **ends)) == [("query", "role", "ROLE_IN needs a role")]
    assert delete(app, "admin", **ends, role="evaluator").status_code == 204
    assert app.store.relationships_of("t-inside", rel_type="ROLE_IN") == [
        Relationship("ROLE_IN", "s-inside", "t-inside", {"role": "approver"})]


# -- scope ---------------------------------------------------------------------------------


@pytest.mark.parametrize("user", NON_ADMINS)
def test_an_end_outside_scope_is_403(app: DemoApp, user: str) -> None:
    version = app.store.graph_version()
    to_outside = put(app, user, {"type": "INFLUENCES", "from": "s-inside", "to": "s-outside",
                                 "weight": 0.9})
    assert to_outside.status_code == 403
    assert to_outside.json() == {"detail": "'s-outside' is outside your territories"}
    assert delete(app, user, type="WORKS_AT", to="o-outside",
                  **{"from": "s-outside"}).status_code == 403
    assert delete(app, user, type="KNOWS", to="s-outside",
                  **{"from": "s-inside"}).status_code == 403
    assert put(app, user, {"type": "LOCATED_IN", "from": "o-inside",
                           "to": "tr-outside"}).status_code == 403
    assert app.store.graph_version() == version


@pytest.mark.parametrize("body", [
    {"type": "COVERS", "from": KAM, "to": "tr-000003"},
    {"type": "REPORTS_TO", "from": "am-000003", "to": "am-000001"},
    {"type": "PART_OF", "from": "tr-000003", "to": "tr-000007"},
    {"type": "RELATES_TO", "from": "am-000003", "to": "s-inside", "stage": "trusted"},
])
def test_the_team_and_the_territory_tree_are_admin_only(app: DemoApp,
                                                        body: dict[str, Any]) -> None:
    for user in NON_ADMINS:
        refused = put(app, user, body)
        assert refused.status_code == 403, (user, refused.text)
        assert refused.json()["detail"].startswith(f"only an admin can write {body['type']}")
    assert put(app, "admin", body).status_code in (200, 201)


def test_a_kam_links_their_own_work_and_places_organisations(app: DemoApp) -> None:
    relates = put(app, "kam", {"type": "RELATES_TO", "from": KAM, "to": "s-inside",
                               "stage": "acquainted"})
    assert relates.status_code == 201
    assert relates.json() == {"type": "RELATES_TO", "from": KAM, "to": "s-inside",
                              "stage": "acquainted"}
    located = put(app, "kam", {"type": "LOCATED_IN", "from": "o-inside", "to": "tr-000003"})
    assert located.status_code == 200
    influences = put(app, "kam", {"type": "INFLUENCES", "from": "s-inside", "to": "s-000001"})
    assert influences.status_code == 201
    assert delete(app, "kam", type="RELATES_TO", to="s-inside",
                  **{"from": KAM}).status_code == 204
