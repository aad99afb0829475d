"""No write lets a KAM pull anything into their own scope, or change what they only see.

The corner: ``o-outside`` (in a territory nobody covers) becomes visible to the KAMs as the
second workplace of ``s-inside``; its other person ``s-outside`` stays out of sight. The KAM
may read ``o-outside`` but not change it, nor hang it under their own organisation or
territory — either would make ``s-outside`` (and their email) visible.
"""

from __future__ import annotations

import pytest

from kamgraph.model import Node, Relationship
from tests.api.conftest import DemoApp
from tests.api.helpers import API, OUTSIDE_EMAIL, add_corners


@pytest.fixture
def corner(demo_app: DemoApp) -> DemoApp:
    add_corners(demo_app.store)
    demo_app.store.upsert(relationships=[Relationship("WORKS_AT", "s-inside", "o-outside")])
    return demo_app


def test_the_outside_organisation_is_seen_but_its_people_are_not(corner: DemoApp) -> None:
    kam = corner.auth("kam")
    assert corner.client.get(f"{API}/organizations/o-outside", headers=kam).status_code == 200
    assert corner.client.get(f"{API}/stakeholders/s-outside", headers=kam).status_code == 404


@pytest.mark.parametrize("link", [
    {"type": "PART_OF", "from": "o-outside", "to": "o-inside"},
    {"type": "LOCATED_IN", "from": "o-outside", "to": "tr-000003"},
    {"type": "WORKS_AT", "from": "s-outside", "to": "o-inside"},
    {"type": "RELATES_TO", "from": "am-000002", "to": "s-outside", "stage": "engaged"},
])
def test_linking_outside_things_into_the_scope_is_forbidden(corner: DemoApp, link: dict[str, str]
                                                            ) -> None:
    kam = corner.auth("kam")
    version = corner.store.graph_version()
    response = corner.client.put(f"{API}/relationships", json=link, headers=kam)
    assert response.status_code == 403, response.text
    assert corner.store.graph_version() == version
    person = corner.client.get(f"{API}/stakeholders/s-outside", headers=kam)
    assert person.status_code == 404 and OUTSIDE_EMAIL not in person.text


def test_the_same_links_in_a_batch_are_forbidden_and_nothing_is_written(corner: DemoApp) -> None:
    version = corner.store.graph_version()
    batch = {"nodes": [], "relationships": [{"type": "PART_OF", "from": "o-outside", "to": "o-inside"}]}
    response = corner.client.post(f"{API}/records", json=batch, headers=corner.auth("kam"))
    assert response.status_code == 403
    assert corner.store.graph_version() == version


def test_an_organisation_only_seen_around_the_scope_cannot_be_changed_or_deleted(corner: DemoApp) -> None:
    kam = corner.auth("kam")
    renamed = corner.client.put(f"{API}/organizations/o-outside", headers=kam,
                                json={"id": "o-outside", "name": "Mine now", "type": "hospital"})
    deleted = corner.client.delete(f"{API}/organizations/o-outside", headers=kam)
    assert (renamed.status_code, deleted.status_code) == (403, 403)
    assert corner.store.get_node("o-outside").name == "Far Island Hospital"
    assert len(corner.store.relationships_of("o-outside", rel_type="WORKS_AT")) == 2


def test_a_new_organisation_may_be_located_in_the_kams_territory(corner: DemoApp) -> None:
    batch = {"nodes": [{"label": "Organization", "id": "o-new", "name": "New Clinic", "type": "clinic"}],
             "relationships": [{"type": "LOCATED_IN", "from": "o-new", "to": "tr-000003"}]}
    response = corner.client.post(f"{API}/records", json=batch, headers=corner.auth("kam"))
    assert response.status_code == 200, response.text
    assert corner.client.get(f"{API}/organizations/o-new", headers=corner.auth("kam")).status_code == 200


def test_the_admin_may_link_anything(corner: DemoApp) -> None:
    response = corner.client.put(f"{API}/relationships", headers=corner.auth("admin"),
                                 json={"type": "PART_OF", "from": "o-outside", "to": "o-inside"})
    assert response.status_code in (200, 201)
    assert corner.client.get(f"{API}/stakeholders/s-outside",
                             headers=corner.auth("kam")).status_code == 200  # now inside


def test_a_kams_search_finds_a_visible_match_behind_many_hidden_ones(corner: DemoApp) -> None:
    hidden = [Node("Stakeholder", f"s-hidden-{i:03}", f"Aaron B{i:03}", {}) for i in range(100)]
    corner.store.upsert([*hidden, Node("Stakeholder", "s-zed", "Zed Aaron", {})],
                        [*(Relationship("WORKS_AT", n.id, "o-outside") for n in hidden),
                         Relationship("WORKS_AT", "s-zed", "o-inside")])
    found = corner.client.get(f"{API}/stakeholders", params={"q": "aaron", "limit": 1},
                              headers=corner.auth("kam")).json()
    assert [item["id"] for item in found["items"]] == ["s-zed"]
