"""Relationship plans over HTTP: their status, making one (plan, owner and target in one
write), changing only the fields given, the domain's checks and the caller's scope."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from kamgraph import activity, services
from tests.api.conftest import DemoApp
from tests.api.test_analyses_api import OUTSIDE_PERSON, user_store

API = "/api/v1"
TODAY = date.today()
DUE = (TODAY + timedelta(days=200)).isoformat()
PERSON = "s-000024"  # Tatyana Pavlovna Kondratyeva, in am-000002's territories
QUIET = "s-000007"  # a role holder of t-000005, in evaluation
PLAN = {"goal_stage": "trusted", "due": DUE, "budget": 5000, "purpose": "Advisory board seat",
        "status": "draft", "steps": ["Meet at the congress", "Invite to the advisory board"]}


def create(app: DemoApp, user: str, person: str = PERSON, **body: Any) -> Any:
    return app.client.post(f"{API}/plans", headers=app.auth(user),
                           json={"stakeholder": person, **body})


def update(app: DemoApp, user: str, plan: str, **body: Any) -> Any:
    return app.client.put(f"{API}/plans/{plan}", headers=app.auth(user), json=body)


def plans(app: DemoApp) -> int:
    return app.store.counts().labels.get("Plan", 0)


def status_of(app: DemoApp, user: str, plan: str) -> dict[str, Any] | None:
    items = app.client.get(f"{API}/plans", headers=app.auth(user)).json()["items"]
    return next((item for item in items if item["id"] == plan), None)


def test_a_kam_makes_a_plan_for_a_person_in_one_write(demo_app: DemoApp) -> None:
    before = (plans(demo_app), demo_app.store.graph_version())
    response = create(demo_app, "kam", **PLAN)
    assert response.status_code == 201, response.text
    made = response.json()
    plan_id = made["plan"]["id"]
    assert plan_id.startswith("pl-")
    assert made == {
        "plan": {"label": "Plan", "id": plan_id,
                 "name": "Relationship plan: Tatyana Pavlovna Kondratyeva to trusted", **PLAN},
        "relationships": [
            {"type": "PLANS", "from": "am-000002", "to": plan_id, "since": TODAY.isoformat()},
            {"type": "TARGETS", "from": plan_id, "to": PERSON}],
        "warnings": []}
    assert isinstance(made["plan"]["budget"], int)
    assert (plans(demo_app), demo_app.store.graph_version()) == (before[0] + 1, before[1] + 1)
    assert demo_app.store.get_node(plan_id).record() == made["plan"]
    # a new plan is neither behind (200 days for three stage steps of 60) nor short of contact
    assert status_of(demo_app, "kam", plan_id) == {
        "id": plan_id, "name": made["plan"]["name"],
        "stakeholder": {"id": PERSON, "name": "Tatyana Pavlovna Kondratyeva"},
        "account_manager": {"id": "am-000002", "name": "Ksenia Andreyevna Zakharova"},
        "status": "draft", "goal_stage": "trusted", "current_stage": "unknown", "due": DUE,
        "steps": PLAN["steps"], "overdue": False, "at_risk": False, "reasons": []}


def test_a_plan_with_a_person_in_a_quiet_period_warns(demo_app: DemoApp) -> None:
    made = create(demo_app, "kam", QUIET, name="Keep Dr Kornilova close").json()
    assert made["plan"] == {"label": "Plan", "id": made["plan"]["id"],
                            "name": "Keep Dr Kornilova close"}
    assert made["warnings"] == activity.quiet_warnings(demo_app.store, QUIET, TODAY)
    assert "(t-000005)" in made["warnings"][0]


def test_plan_status_is_the_librarys_on_the_callers_store(demo_app: DemoApp) -> None:
    create(demo_app, "admin", OUTSIDE_PERSON, account_manager="am-000003", **PLAN)
    for user in ("admin", "kam"):
        store = demo_app.store if user == "admin" else user_store(demo_app, user)
        expected = json.loads(json.dumps(services.plan_status(store)))
        got = demo_app.client.get(f"{API}/plans", headers=demo_app.auth(user)).json()
        assert got == expected
        targets = {item["stakeholder"]["id"] for item in got["items"]}
        assert (OUTSIDE_PERSON in targets) == (user == "admin")
    at_risk = demo_app.client.get(f"{API}/plans", params={"at_risk_only": True},
                                  headers=demo_app.auth("admin")).json()["items"]
    assert at_risk and all(item["at_risk"] for item in at_risk)


def test_an_update_changes_only_the_fields_given(demo_app: DemoApp) -> None:
    plan_id = create(demo_app, "kam", **PLAN).json()["plan"]["id"]
    response = update(demo_app, "kam", plan_id, status="agreed", steps=["Call first"])
    assert response.status_code == 200, response.text
    assert response.json() == {"label": "Plan", "id": plan_id,
                               "name": "Relationship plan: Tatyana Pavlovna Kondratyeva to trusted",
                               **PLAN, "status": "agreed", "steps": ["Call first"]}
    assert update(demo_app, "kam", plan_id, goal_stage="advocate", status=None).json()["status"] == "agreed"
    assert demo_app.store.get_node(plan_id).props["goal_stage"] == "advocate"
    # the owner and the target stay
    assert status_of(demo_app, "kam", plan_id)["account_manager"]["id"] == "am-000002"


def test_a_demo_plan_can_be_closed(demo_app: DemoApp) -> None:
    assert status_of(demo_app, "kam", "pl-000002")["at_risk"] is True
    assert update(demo_app, "kam", "pl-000002", status="done").status_code == 200
    assert status_of(demo_app, "kam", "pl-000002")["reasons"] == []  # closed plans are not tracked


@pytest.mark.parametrize(("body", "field"), [
    ({"goal_stage": "bestie"}, "goal_stage"),
    ({"status": "finished"}, "status"),
    ({"budget": -1}, "budget"),
    ({"due": "tomorrow"}, "due"),
    ({"steps": "call"}, "steps"),
    ({"steps": ["call; then visit"]}, "steps"),  # the list separator: checked as an import is
    ({"purpose": "x" * 20_001}, "purpose"),
    ({"colour": "red"}, "colour"),
])
def test_bad_values_are_422_and_change_nothing(demo_app: DemoApp, body: dict[str, Any],
                                               field: str) -> None:
    count = plans(demo_app)
    response = create(demo_app, "kam", **body)
    assert response.status_code == 422, response.text
    assert [p["field"] for p in response.json()["problems"]] == [field]
    assert plans(demo_app) == count
    before = demo_app.store.get_node("pl-000004")
    response = update(demo_app, "kam", "pl-000004", **body)
    assert response.status_code == 422, response.text
    assert [p["field"] for p in response.json()["problems"]] == [field]
    assert demo_app.store.get_node("pl-000004") == before


@pytest.mark.parametrize(("user", "person", "body", "status"), [
    ("kam", OUTSIDE_PERSON, {}, 403),
    ("kam", PERSON, {"account_manager": "am-000003"}, 403),
    ("kam", "s-nobody", {}, 422),  # a reference in the body: a bad value, as in an import
    ("kam", "t-000005", {}, 422),  # a tender in scope is not a person
    ("admin", PERSON, {}, 422),
    ("rm", PERSON, {}, 201),
])
def test_who_may_make_a_plan_for_whom(demo_app: DemoApp, user: str, person: str,
                                      body: dict[str, Any], status: int) -> None:
    count = plans(demo_app)
    assert create(demo_app, user, person, **body).status_code == status
    assert plans(demo_app) == count + (status == 201)


def test_a_kam_cannot_change_a_plan_outside_their_scope(demo_app: DemoApp) -> None:
    outside = create(demo_app, "admin", OUTSIDE_PERSON, account_manager="am-000003",
                     **PLAN).json()["plan"]["id"]
    assert update(demo_app, "kam", outside, status="dropped").status_code == 403
    assert demo_app.store.get_node(outside).props["status"] == "draft"
    assert update(demo_app, "admin", outside, status="dropped").status_code == 200
    assert update(demo_app, "kam", "pl-nobody", status="done").status_code == 404
    assert update(demo_app, "kam", PERSON, status="done").status_code == 404  # not a plan
