"""Nodes through the API: list, search, filter, read, create, update, delete, and who may."""

from __future__ import annotations

import pytest

from api.models.graph import PLURALS
from kamgraph.model import LABELS, Relationship
from kamgraph.scope import scope_of
from kamgraph.users import User
from tests.api.conftest import KAM, DemoApp
from tests.api.helpers import API, NON_ADMINS, OUTSIDE, OUTSIDE_EMAIL, add_corners, ids, problems


@pytest.fixture
def app(demo_app: DemoApp) -> DemoApp:
    add_corners(demo_app.store)
    return demo_app


def get(app: DemoApp, user: str, path: str, **params: object) -> object:
    return app.client.get(f"{API}{path}", headers=app.auth(user), params=params)


# -- lists, filters, search ----------------------------------------------------------------


def test_pages_are_in_id_order(app: DemoApp) -> None:
    first = get(app, "admin", "/stakeholders", limit=3).json()
    second = get(app, "admin", "/stakeholders", limit=3, offset=3).json()
    last = get(app, "admin", "/stakeholders", limit=5, offset=500).json()
    assert ids(first["items"]) == ["s-000001", "s-000002", "s-000003"]
    assert (first["limit"], first["offset"], first["has_more"]) == (3, 0, True)
    assert ids(second["items"]) == ["s-000004", "s-000005", "s-000006"]
    assert ids(last["items"]) == ["s-inside", "s-outside"] and last["has_more"] is False
    assert first["items"][0] == app.store.get_node("s-000001").record()


def test_enum_filters_keep_only_equal_values(app: DemoApp) -> None:
    expected = [n.id for n in app.store.iter_nodes("Stakeholder")
                if n.props.get("stance") == "champion" and n.props.get("category") == "vip"]
    page = get(app, "admin", "/stakeholders", stance="champion", category="vip", limit=500).json()
    assert ids(page["items"]) == expected and len(expected) > 1
    tenders = get(app, "admin", "/tenders", status="published", limit=500).json()
    assert ids(tenders["items"]) == [n.id for n in app.store.iter_nodes("Tender")
                                     if n.props.get("status") == "published"]


def test_bad_filters_are_problems(app: DemoApp) -> None:
    assert problems(get(app, "admin", "/stakeholders", stance="cheerful")) == [
        ("query", "stance", "Input should be 'champion', 'supporter', 'neutral', 'skeptic', "
                            "'opponent' or 'unknown'")]
    assert [p[:2] for p in problems(get(app, "admin", "/stakeholders", stnace="champion"))] == [
        ("query", "stnace")]
    assert [p[:2] for p in problems(get(app, "admin", "/stakeholders", limit=501))] == [
        ("query", "limit")]


def test_search_finds_names_case_insensitively(app: DemoApp) -> None:
    assert ids(get(app, "admin", "/stakeholders", q="insideva").json()["items"]) == ["s-inside"]
    assert ids(get(app, "admin", "/organizations", q="far island").json()["items"]) == [
        "o-outside"]
    assert get(app, "admin", "/tenders", q="insideva").json()["items"] == []
    kols = get(app, "admin", "/stakeholders", q="a", category="kol", limit=500).json()["items"]
    assert {n["category"] for n in kols} == {"kol"} and len(kols) > 5


@pytest.mark.parametrize("user", NON_ADMINS)
def test_lists_and_searches_hold_only_what_the_user_sees(app: DemoApp, user: str) -> None:
    person = {"rm": "am-000001", "kam": KAM, "kam2": "am-000004"}[user]
    role = "regional_manager" if user == "rm" else "kam"
    scope = scope_of(app.store, User(user, role, person, "x", "2026-01-01"))
    visible = sorted(n.id for n in app.store.iter_nodes("Stakeholder") if n.id in scope.ids)
    listed = ids(get(app, user, "/stakeholders", limit=500).json()["items"]) + ids(
        get(app, user, "/stakeholders", limit=500, offset=500).json()["items"])
    assert listed == visible and "s-inside" in listed and "s-outside" not in listed
    assert get(app, user, "/stakeholders", q="Outsidov").json()["items"] == []
    assert ids(get(app, "admin", "/stakeholders", q="Outsidov").json()["items"]) == ["s-outside"]
    assert OUTSIDE["Tender"] not in ids(get(app, user, "/tenders", limit=500).json()["items"])


# -- reading one ---------------------------------------------------------------------------


def test_read_gives_the_record_and_visible_relationships(app: DemoApp) -> None:
    admin = get(app, "admin", "/stakeholders/s-inside").json()
    kam = get(app, "kam", "/stakeholders/s-inside").json()
    assert admin["node"] == {"label": "Stakeholder", "id": "s-inside", "name": "Irina Insideva",
                             "category": "hcp", "stance": "neutral", "email": "irina@example.org"}
    assert admin["relationships"] == [
        {"type": "KNOWS", "from": "s-inside", "to": "s-outside", "weight": 0.5},
        {"type": "WORKS_AT", "from": "s-inside", "to": "o-inside", "seniority": "head"}]
    assert kam == {"node": admin["node"], "relationships": admin["relationships"][1:]}


def test_wrong_label_or_unknown_id_is_404(app: DemoApp) -> None:
    wrong = get(app, "admin", "/tenders/s-inside")
    assert wrong.status_code == 404 and wrong.json() == {"detail": "no Tender with id 's-inside'"}
    assert get(app, "admin", "/stakeholders/s-nobody").status_code == 404
    assert get(app, "admin", "/nodes/t-inside").json()["node"]["label"] == "Tender"
    assert get(app, "admin", "/nodes/nobody").json() == {"detail": "no node with id 'nobody'"}


def test_a_plan_is_read_and_deleted_by_its_own_path(app: DemoApp) -> None:
    plan = get(app, "admin", "/plans/pl-000001").json()
    assert plan["node"] == app.store.get_node("pl-000001").record()
    assert [r["type"] for r in plan["relationships"]] == ["PLANS", "TARGETS"]
    deleted = app.client.delete(f"{API}/plans/pl-000001", headers=app.auth("admin"))
    assert deleted.status_code == 204 and app.store.get_node("pl-000001") is None


# -- writing -------------------------------------------------------------------------------


def test_create_then_read_back_the_same_record(app: DemoApp) -> None:
    body = {"id": "s-new", "name": "Nina Novikova", "category": "kol", "tier": 2,
            "tags": ["oncology", "speaker"], "specialty": "oncology", "linkedin": "nnovikova",
            "phone": None}
    created = app.client.post(f"{API}/stakeholders", json=body, headers=app.auth("admin"))
    expected = {"label": "Stakeholder", "id": "s-new", "name": "Nina Novikova",
                "category": "kol", "tier": 2, "tags": ["oncology", "speaker"],
                "specialty": "oncology", "linkedin": "nnovikova"}
    assert created.status_code == 201 and created.json() == expected
    assert created.headers["location"] == "/api/v1/stakeholders/s-new"
    assert get(app, "admin", "/stakeholders/s-new").json() == {"node": expected,
                                                                "relationships": []}
    assert app.store.get_node("s-new").record() == expected


def test_a_kam_keeps_the_stakeholder_they_create(app: DemoApp) -> None:
    created = app.client.post(f"{API}/stakeholders", json={"id": "s-mine", "name": "Mila Mine"},
                              headers=app.auth("kam"))
    assert created.status_code == 201
    assert app.store.relationships_of("s-mine") == [
        Relationship("RELATES_TO", KAM, "s-mine", {"stage": "unknown"})]
    assert get(app, "kam", "/stakeholders/s-mine").json()["relationships"] == [
        {"type": "RELATES_TO", "from": KAM, "to": "s-mine", "stage": "unknown"}]
    put = app.client.put(f"{API}/stakeholders/s-put", json={"name": "Pavel Put"},
                         headers=app.auth("rm"))
    assert put.status_code == 201 and app.store.relationships_of("s-put") == [
        Relationship("RELATES_TO", "am-000001", "s-put", {"stage": "unknown"})]
    organization = app.client.post(f"{API}/organizations", json={"id": "o-admin", "name": "A"},
                                   headers=app.auth("admin"))
    assert organization.status_code == 201 and app.store.relationships_of("o-admin") == []


def test_create_with_a_taken_id_is_409(app: DemoApp) -> None:
    version = app.store.graph_version()
    again = app.client.post(f"{API}/stakeholders", json={"id": "s-inside", "name": "X"},
                            headers=app.auth("admin"))
    other_label = app.client.post(f"{API}/stakeholders", json={"id": "o-inside", "name": "X"},
                                  headers=app.auth("admin"))
    assert again.status_code == other_label.status_code == 409
    assert again.json() == {"detail": "'s-inside' exists already: use PUT to change it"}
    assert app.store.graph_version() == version
    assert app.store.get_node("o-inside").name == "Inside Clinic"


def test_domain_problems_are_listed_and_nothing_is_written(app: DemoApp) -> None:
    version = app.store.graph_version()
    bad = app.client.post(f"{API}/tenders", headers=app.auth("admin"), json={
        "id": "t-bad", "name": "Bad tender", "status": "open", "deadline": "31.12.2026",
        "value": -5, "label": "Stakeholder"})
    assert bad.json()["detail"] == "4 problems found; nothing was written"
    assert problems(bad) == [
        ("body", "label", "this route takes Tender records, not 'Stakeholder'"),
        ("body", "status", "'open' is not one of planned, spec_drafting, published, evaluation, "
                           "awarded, cancelled"),
        ("body", "deadline", "'31.12.2026' is not an ISO 8601 date such as 2026-03-31"),
        ("body", "value", "value -5 is outside 0 and above")]
    assert bad.json()["problems"][0]["file"] is None
    assert app.store.get_node("t-bad") is None and app.store.graph_version() == version


def test_malformed_json_is_a_problem_too(app: DemoApp) -> None:
    response = app.client.post(f"{API}/stakeholders", content=b"{not json",
                               headers={**app.auth("admin"), "Content-Type": "application/json"})
    ((location, field, reason),) = problems(response)
    assert (location, field) == ("body", None) and reason.startswith("is not valid JSON")


def test_put_updates_given_properties_and_keeps_the_others(app: DemoApp) -> None:
    updated = app.client.put(f"{API}/stakeholders/s-inside", headers=app.auth("kam"),
                             json={"name": "Irina Insideva", "stance": "supporter", "tier": 1})
    assert updated.status_code == 200
    assert updated.json() == {"label": "Stakeholder", "id": "s-inside", "name": "Irina Insideva",
                              "category": "hcp", "stance": "supporter", "tier": 1,
                              "email": "irina@example.org"}
    created = app.client.put(f"{API}/products/p-new", headers=app.auth("kam"),
                             json={"name": "Newmab", "inn": "newumab"})
    assert created.status_code == 201
    assert app.store.get_node("p-new").record() == {"label": "Product", "id": "p-new",
                                                    "name": "Newmab", "inn": "newumab"}


def test_put_refuses_another_id_or_label(app: DemoApp) -> None:
    version = app.store.graph_version()
    assert problems(app.client.put(f"{API}/stakeholders/s-inside", headers=app.auth("admin"),
                                   json={"id": "s-other", "name": "X"})) == [
        ("body", "id", "the body's id 's-other' is not the path's 's-inside'")]
    assert problems(app.client.put(f"{API}/tenders/s-inside", headers=app.auth("admin"),
                                   json={"name": "X"})) == [
        ("body", "label", "id s-inside is already a Stakeholder; ids are unique across labels")]
    assert app.store.graph_version() == version


def test_delete_takes_the_relationships_along(app: DemoApp) -> None:
    assert app.client.delete(f"{API}/tenders/s-inside", headers=app.auth("admin")).status_code \
        == 404
    deleted = app.client.delete(f"{API}/stakeholders/s-inside", headers=app.auth("admin"))
    assert deleted.status_code == 204 and deleted.content == b""
    assert app.store.get_node("s-inside") is None
    assert app.store.relationships_of("o-inside") == [
        Relationship("ISSUED_BY", "t-inside", "o-inside"),
        Relationship("LOCATED_IN", "o-inside", "tr-000003")]
    assert [r.type for r in app.store.relationships_of("s-outside")] == ["WORKS_AT"]
    assert get(app, "admin", "/stakeholders/s-inside").status_code == 404
    assert app.client.delete(f"{API}/stakeholders/s-inside",
                             headers=app.auth("admin")).status_code == 404


# -- scope per role ------------------------------------------------------------------------


@pytest.mark.parametrize("user", NON_ADMINS)
def test_outside_nodes_are_404_to_read_and_403_to_write(app: DemoApp, user: str) -> None:
    headers = app.auth(user)
    version = app.store.graph_version()
    for label, path in (("Stakeholder", "stakeholders"), ("Tender", "tenders"),
                        ("Organization", "organizations")):
        node_id = OUTSIDE[label]
        assert get(app, user, f"/{path}/{node_id}").status_code == 404
        assert get(app, user, f"/nodes/{node_id}").status_code == 404
        put = app.client.put(f"{API}/{path}/{node_id}", json={"name": "Mine now"}, headers=headers)
        delete = app.client.delete(f"{API}/{path}/{node_id}", headers=headers)
        assert put.status_code == delete.status_code == 403
        assert put.json() == {"detail": f"{node_id!r} is outside your territories"}
        inside = app.client.get(f"{API}/{path}/{node_id.replace('outside', 'inside')}",
                                headers=headers)
        assert inside.status_code == 200
    assert app.store.graph_version() == version
    assert app.store.get_node("s-outside").props["email"] == OUTSIDE_EMAIL


@pytest.mark.parametrize("user", NON_ADMINS)
def test_territories_and_account_managers_are_admin_only(app: DemoApp, user: str) -> None:
    headers = app.auth(user)
    territory = app.client.post(f"{API}/territories", json={"id": "tr-new", "name": "New"},
                                headers=headers)
    assert territory.status_code == 403
    assert territory.json() == {"detail": "only an admin can change Territory nodes"}
    me = app.client.put(f"{API}/account-managers/{KAM}", json={"name": "Renamed"},
                        headers=headers)
    assert me.status_code == 403
    assert app.client.delete(f"{API}/territories/tr-000003", headers=headers).status_code == 403
    assert get(app, user, f"/account-managers/{KAM}").status_code == 200  # the team is open


def test_admin_reads_and_writes_everything(app: DemoApp) -> None:
    assert get(app, "admin", "/stakeholders/s-outside").json()["node"]["email"] == OUTSIDE_EMAIL
    assert app.client.put(f"{API}/territories/tr-outside", json={"name": "Far Isle"},
                          headers=app.auth("admin")).status_code == 200
    assert app.store.get_node("tr-outside").name == "Far Isle"


# -- the OpenAPI document ------------------------------------------------------------------


def test_the_openapi_document_types_every_property(app: DemoApp) -> None:
    assert list(PLURALS.values()) == ["stakeholders", "organizations", "tenders", "products",
                                      "territories", "account-managers", "events",
                                      "interactions", "plans"]
    spec = app.client.get("/openapi.json").json()
    schemas, paths = spec["components"]["schemas"], spec["paths"]
    for label, label_spec in LABELS.items():
        plural = PLURALS[label]
        record = schemas[f"{label}Node"]
        assert set(record["properties"]) == {"label", "id", "name", *label_spec.props}, label
        for name, prop in label_spec.props.items():
            typed = record["properties"][name]["anyOf"][0]
            if prop.kind == "enum":
                assert typed["enum"] == list(prop.choices), (label, name)
            if prop.minimum is not None:
                assert typed["minimum"] == prop.minimum, (label, name)
        one = next(path for path in paths if path.startswith(f"/api/v1/{plural}/{{"))
        assert paths[one]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"] == {"$ref": f"#/components/schemas/{label}Detail"}
        assert {"401", "403", "404"} <= set(paths[one]["delete"]["responses"])
        if label != "Plan":  # plans are created by the plan routes
            body = paths[f"/api/v1/{plural}"]["post"]["requestBody"]["content"][
                "application/json"]["schema"]
            assert set(body["properties"]) == set(record["properties"]) and body["required"] == [
                "id", "name"]
    relationship = paths["/api/v1/relationships"]["put"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert len(relationship["oneOf"]) == 19
    assert schemas["ErrorBody"]["properties"]["problems"]["anyOf"][0]["items"] == {
        "$ref": "#/components/schemas/Problem"}
