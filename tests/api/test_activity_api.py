"""Logging interactions, changing a relationship's stage and reading a person's profile over
HTTP: who may record for whom, what changes in the graph, and the quiet-period warning."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from kamgraph import activity, profile
from tests.api.conftest import DemoApp
from tests.api.test_analyses_api import OUTSIDE_PERSON, user_store

API = "/api/v1"
TODAY = date.today()
FRESH = "s-000030"  # in am-000002's territories; nobody relates to them yet
QUIET = "s-000007"  # evaluator of t-000005 (in evaluation) and of t-000018 (quiet window)


def log(app: DemoApp, user: str, person: str, **body: Any) -> Any:
    return app.client.post(f"{API}/stakeholders/{person}/interactions", headers=app.auth(user),
                           json={"date": TODAY.isoformat(), **body})


def relates_to(app: DemoApp, manager: str, person: str) -> dict[str, Any] | None:
    found = [r.record() for r in app.store.relationships_of(person, rel_type="RELATES_TO")
             if r.start == manager]
    return found[0] if found else None


def interactions(app: DemoApp) -> int:
    return app.store.counts().labels.get("Interaction", 0)


# -- logging -------------------------------------------------------------------------------


def test_logging_moves_last_contact_forward_and_shows_in_the_history(demo_app: DemoApp) -> None:
    assert relates_to(demo_app, "am-000002", QUIET)["last_contact"] < TODAY.isoformat()
    response = log(demo_app, "kam", QUIET, channel="call", summary="Asked about the congress",
                   outcome="will attend")
    assert response.status_code == 201, response.text
    logged = response.json()
    interaction = logged["interaction"]
    assert interaction == {"label": "Interaction", "id": interaction["id"],
                           "name": f"{TODAY.isoformat()} Polina Borisovna Kornilova",
                           "date": TODAY.isoformat(), "channel": "call",
                           "outcome": "will attend", "summary": "Asked about the congress"}
    assert logged["relationship"] == {**relates_to(demo_app, "am-000002", QUIET), "from": "am-000002"}
    assert logged["relationship"]["last_contact"] == TODAY.isoformat()
    assert logged["relationship"]["stage"] == "engaged"  # the stage does not change
    history = demo_app.client.get(f"{API}/stakeholders/{QUIET}/interactions",
                                  headers=demo_app.auth("kam")).json()
    assert history["stakeholder"] == {"id": QUIET, "name": "Polina Borisovna Kornilova"}
    assert history["items"][0] == {
        "id": interaction["id"], "name": interaction["name"], "date": TODAY.isoformat(),
        "channel": "call", "summary": "Asked about the congress", "outcome": "will attend",
        "account_manager": {"id": "am-000002", "name": "Ksenia Andreyevna Zakharova"}}
    assert history == json.loads(json.dumps(activity.interaction_history(demo_app.store, QUIET)))


def test_a_role_holder_of_a_tender_in_evaluation_gives_a_quiet_period_warning(
        demo_app: DemoApp) -> None:
    warnings = log(demo_app, "kam", QUIET, channel="visit").json()["warnings"]
    assert warnings == activity.quiet_warnings(demo_app.store, QUIET, TODAY)
    assert warnings[0].startswith("Polina Borisovna Kornilova holds a role in tender ")
    assert f"(t-000005), which is in a quiet period on {TODAY.isoformat()}" in warnings[0]
    assert "(t-000018)" in warnings[1] and len(warnings) == 2
    assert log(demo_app, "kam", FRESH, channel="visit").json()["warnings"] == []


def test_a_first_contact_starts_a_relationship_at_acquainted(demo_app: DemoApp) -> None:
    assert relates_to(demo_app, "am-000002", FRESH) is None
    day = (TODAY - timedelta(days=3)).isoformat()
    response = log(demo_app, "kam", FRESH, date=day)
    assert response.status_code == 201
    assert relates_to(demo_app, "am-000002", FRESH) == {
        "type": "RELATES_TO", "from": "am-000002", "to": FRESH, "stage": "acquainted",
        "since": day, "last_contact": day}
    # an older contact logged later does not move last_contact back
    log(demo_app, "kam", FRESH, date=(TODAY - timedelta(days=30)).isoformat())
    assert relates_to(demo_app, "am-000002", FRESH)["last_contact"] == day


def test_history_is_newest_first(demo_app: DemoApp) -> None:
    for days in (40, 2, 15):
        log(demo_app, "kam", FRESH, date=(TODAY - timedelta(days=days)).isoformat())
    items = demo_app.client.get(f"{API}/stakeholders/{FRESH}/interactions",
                                headers=demo_app.auth("kam")).json()["items"]
    assert [item["date"] for item in items] == [
        (TODAY - timedelta(days=days)).isoformat() for days in (2, 15, 40)]


@pytest.mark.parametrize(("user", "body", "status", "manager"), [
    ("kam", {}, 201, "am-000002"),
    ("kam", {"account_manager": "am-000002"}, 201, "am-000002"),
    ("kam", {"account_manager": "am-000003"}, 403, None),
    ("rm", {}, 201, "am-000001"),
    ("rm", {"account_manager": "am-000002"}, 403, None),
    ("admin", {"account_manager": "am-000003"}, 201, "am-000003"),
    ("admin", {}, 422, None),
    ("admin", {"account_manager": "am-nobody"}, 422, None),
    ("admin", {"account_manager": "s-000001"}, 422, None),
])
def test_who_may_log_for_whom(demo_app: DemoApp, user: str, body: dict[str, str], status: int,
                              manager: str | None) -> None:
    before = interactions(demo_app)
    response = log(demo_app, user, FRESH, **body)
    assert response.status_code == status, response.text
    if manager is None:
        assert interactions(demo_app) == before
        if status == 422:
            assert [p["field"] for p in response.json()["problems"]] == ["account_manager"]
    else:
        assert response.json()["relationship"]["from"] == manager
        assert interactions(demo_app) == before + 1
        assert relates_to(demo_app, manager, FRESH)["last_contact"] == TODAY.isoformat()


@pytest.mark.parametrize(("person", "status"), [
    (OUTSIDE_PERSON, 403),  # exists, outside the KAM's territories
    ("tr-000003", 403),  # a territory: only an admin changes those
    ("s-nobody", 404),
    ("o-000006", 404),  # an organisation in scope: not a person
])
def test_a_kam_logs_only_with_people_in_their_scope(demo_app: DemoApp, person: str,
                                                    status: int) -> None:
    before = interactions(demo_app)
    assert log(demo_app, "kam", person).status_code == status
    assert interactions(demo_app) == before


def test_the_history_of_someone_outside_the_scope_is_404(demo_app: DemoApp) -> None:
    path = f"{API}/stakeholders/{OUTSIDE_PERSON}/interactions"
    assert demo_app.client.get(path, headers=demo_app.auth("admin")).status_code == 200
    assert demo_app.client.get(path, headers=demo_app.auth("kam")).status_code == 404
    assert demo_app.client.get(f"{API}/stakeholders/s-nobody/interactions",
                               headers=demo_app.auth("admin")).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"channel": "pigeon"}, "channel"),
    ({"date": "2026-02-30"}, "date"),
    ({"date": None}, "date"),
    ({"summary": "x" * 20_001}, "summary"),  # checked by the domain model, as an import is
    ({"mood": "good"}, "mood"),
])
def test_bad_values_are_422_and_nothing_is_written(demo_app: DemoApp, body: dict[str, Any],
                                                   field: str) -> None:
    before = interactions(demo_app)
    response = log(demo_app, "kam", FRESH, **body)
    assert response.status_code == 422, response.text
    assert [p["field"] for p in response.json()["problems"]] == [field]
    assert interactions(demo_app) == before


# -- stage ---------------------------------------------------------------------------------


def test_a_stage_change_covers_the_person_in_the_territory(demo_app: DemoApp) -> None:
    person = "s-000024"  # the territory's most important gap
    coverage = f"{API}/territories/tr-000003/coverage"
    gaps = demo_app.client.get(coverage, headers=demo_app.auth("kam")).json()["gaps"]
    assert gaps[0]["id"] == person
    response = demo_app.client.put(f"{API}/stakeholders/{person}/stage", headers=demo_app.auth("kam"),
                                   json={"stage": "engaged", "strength": 0.6})
    assert response.status_code == 200, response.text
    assert response.json() == {"type": "RELATES_TO", "from": "am-000002", "to": person,
                               "stage": "engaged", "strength": 0.6, "since": TODAY.isoformat()}
    assert relates_to(demo_app, "am-000002", person) == response.json()
    report = demo_app.client.get(coverage, headers=demo_app.auth("kam")).json()
    assert person not in [gap["id"] for gap in report["gaps"]]
    team = demo_app.client.get(f"{API}/stakeholders/{person}/profile",
                               headers=demo_app.auth("kam")).json()["team"]
    assert team[0]["account_manager"]["id"] == "am-000002"
    assert (team[0]["stage"], team[0]["strength"], team[0]["covers"]) == ("engaged", 0.6, True)


def test_a_stage_change_keeps_the_rest_of_the_relationship(demo_app: DemoApp) -> None:
    before = relates_to(demo_app, "am-000002", QUIET)
    response = demo_app.client.put(f"{API}/stakeholders/{QUIET}/stage", headers=demo_app.auth("kam"),
                                   json={"stage": "trusted"})
    assert response.json() == {**before, "stage": "trusted"}


@pytest.mark.parametrize(("user", "person", "body", "status"), [
    ("kam", "s-000024", {"stage": "bestie"}, 422),
    ("kam", "s-000024", {"stage": "engaged", "strength": 1.5}, 422),
    ("kam", "s-000024", {}, 422),
    ("kam", "s-000024", {"stage": "engaged", "account_manager": "am-000003"}, 403),
    ("kam", OUTSIDE_PERSON, {"stage": "engaged"}, 403),
    ("kam", "s-nobody", {"stage": "engaged"}, 404),
    ("admin", "s-000024", {"stage": "engaged"}, 422),
])
def test_bad_stage_changes_change_nothing(demo_app: DemoApp, user: str, person: str,
                                          body: dict[str, Any], status: int) -> None:
    before = [r.record() for r in demo_app.store.relationships_of(person, rel_type="RELATES_TO")]
    response = demo_app.client.put(f"{API}/stakeholders/{person}/stage", headers=demo_app.auth(user),
                                   json=body)
    assert response.status_code == status, response.text
    assert [r.record() for r in demo_app.store.relationships_of(person, rel_type="RELATES_TO")
            ] == before


def test_an_admin_sets_a_stage_for_a_named_account_manager(demo_app: DemoApp) -> None:
    response = demo_app.client.put(f"{API}/stakeholders/{FRESH}/stage", headers=demo_app.auth("admin"),
                                   json={"stage": "advocate", "account_manager": "am-000004"})
    assert response.status_code == 200
    assert relates_to(demo_app, "am-000004", FRESH)["stage"] == "advocate"


# -- profile -------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["admin", "kam"])
def test_the_profile_is_the_librarys(demo_app: DemoApp, user: str) -> None:
    store = demo_app.store if user == "admin" else user_store(demo_app, user)
    expected = json.loads(json.dumps(profile.stakeholder_profile(store, "s-000002")))
    response = demo_app.client.get(f"{API}/stakeholders/s-000002/profile", headers=demo_app.auth(user))
    assert response.status_code == 200, response.text
    assert response.json() == expected
    assert expected["stakeholder"]["name"] == "Kirill Andreyevich Spiridonov"
    assert expected["interactions"][0]["id"] == "i-000008"


def test_the_profile_of_someone_outside_the_scope_is_404(demo_app: DemoApp) -> None:
    path = f"{API}/stakeholders/{OUTSIDE_PERSON}/profile"
    assert demo_app.client.get(path, headers=demo_app.auth("admin")).status_code == 200
    assert demo_app.client.get(path, headers=demo_app.auth("kam")).status_code == 404


def test_a_kam_sees_every_contact_with_a_person_in_scope_whoever_had_it(demo_app: DemoApp) -> None:
    log(demo_app, "admin", QUIET, account_manager="am-000003")
    path = f"{API}/stakeholders/{QUIET}/interactions"
    mine = demo_app.client.get(path, headers=demo_app.auth("kam")).json()
    assert mine == demo_app.client.get(path, headers=demo_app.auth("admin")).json()
    assert mine["items"][0]["account_manager"]["id"] == "am-000003"
