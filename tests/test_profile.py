"""kamgraph.profile on a small hand-built graph: every figure worked out by hand.

Dr. X (the subject) works at City Hospital (head; earlier staff at Old Clinic), sits on the
insulin tender's committee with Dr. D, is swayed by Dr. A (INFLUENCES 0.8) and by Dr. B (X
reports to B: 0.6, and they know each other: 0.5 * 0.4 = 0.2), and sways Dr. C (0.5). Anna
(trusted, no strength recorded → 0.75) and Boris (acquainted, 0.3) relate to X; Anna's plan
wants X as an advocate by 2026-03-01.
"""

from __future__ import annotations

from datetime import date

import pytest

from kamgraph import profile, services
from kamgraph.errors import NotFound
from kamgraph.model import Node, Relationship
from kamgraph.scope import Scope, ScopedStore
from kamgraph.store.sqlite import SqliteStore
from kamgraph.users import User

AS_OF = date(2026, 2, 1)


def person(node_id: str, name: str, **props: object) -> Node:
    return Node("Stakeholder", node_id, name, dict(props))


def rel(rel_type: str, start: str, end: str, **props: object) -> Relationship:
    return Relationship(rel_type, start, end, dict(props))


NODES = [
    Node("Territory", "region", "Region", {"level": "region"}),
    Node("Territory", "dist", "District", {"level": "district"}),
    Node("Organization", "h", "City Hospital", {"type": "hospital", "beds": 300}),
    Node("Organization", "old", "Old Clinic", {"type": "clinic"}),
    Node("Organization", "rival", "Rivalpharm", {"type": "competitor"}),
    person("x", "Dr. X", title="Head of oncology", category="kol", tier=1, stance="supporter",
           tags=["oncology"], notes="prefers mornings", email="x@example.org", phone="+7 900"),
    person("a", "Dr. A", stance="champion"),
    person("b", "Dr. B", stance="neutral"),
    person("c", "Dr. C"),
    person("d", "Dr. D", stance="skeptic"),
    Node("Tender", "t", "Insulin 2026", {"status": "evaluation", "deadline": "2026-02-11"}),
    Node("Tender", "t-planned", "Later", {"status": "planned", "deadline": "2026-05-02"}),
    Node("Tender", "t-awarded", "Done", {"status": "awarded", "deadline": "2026-01-27"}),
    Node("Tender", "t-late", "Late", {"status": "published", "deadline": "2026-01-29"}),
    Node("AccountManager", "anna", "Anna", {"role": "kam"}),
    Node("AccountManager", "boris", "Boris", {"role": "kam"}),
    Node("AccountManager", "rm", "Rita", {"role": "regional_manager"}),
    Node("Interaction", "i1", "Visit", {"date": "2026-01-10", "channel": "visit", "summary": "intro"}),
    Node("Interaction", "i2", "Call", {"date": "2026-01-20", "channel": "call"}),
    Node("Plan", "p", "Win Dr. X", {"goal_stage": "advocate", "due": "2026-03-01", "status": "active",
                                    "steps": ["visit", "advisory board"], "budget": 5000.0,
                                    "purpose": "oncology launch"}),
]
RELATIONSHIPS = [
    rel("PART_OF", "dist", "region"),
    rel("LOCATED_IN", "h", "dist"), rel("LOCATED_IN", "old", "dist"),
    rel("WORKS_AT", "x", "h", position="Head of oncology", seniority="head", since="2021-01-01"),
    rel("WORKS_AT", "x", "old", position="Oncologist", seniority="staff", until="2020-12-31"),
    rel("WORKS_AT", "d", "h", position="Pharmacist", seniority="staff"),
    rel("ALIGNED_WITH", "x", "rival", strength=0.3, kind="speaker"),
    rel("INFLUENCES", "a", "x", weight=0.8, kind="scientific"),
    rel("REPORTS_TO", "x", "b"),
    rel("KNOWS", "b", "x", weight=0.4, context="colleague"),
    rel("INFLUENCES", "x", "c", weight=0.5, kind="formal"),
    rel("ROLE_IN", "x", "t", role="evaluator"), rel("ROLE_IN", "d", "t", role="approver"),
    rel("ISSUED_BY", "t", "h"), rel("ISSUED_BY", "t-late", "h"), rel("ISSUED_BY", "t-planned", "h"),
    rel("ISSUED_BY", "t-awarded", "h"),
    rel("RELATES_TO", "anna", "x", stage="trusted", since="2025-01-01", last_contact="2026-01-10"),
    rel("RELATES_TO", "boris", "x", stage="acquainted", strength=0.3),
    rel("HAD", "anna", "i1"), rel("WITH", "i1", "x"), rel("HAD", "boris", "i2"), rel("WITH", "i2", "x"),
    rel("PLANS", "anna", "p"), rel("TARGETS", "p", "x"),
    rel("COVERS", "anna", "dist", since="2025-01-01"), rel("REPORTS_TO", "anna", "rm"),
]


@pytest.fixture
def store(sqlite_store: SqliteStore) -> SqliteStore:
    sqlite_store.upsert(NODES, RELATIONSHIPS)
    return sqlite_store


def ids(rows: list[dict], key: str) -> list[str]:
    return [row[key]["id"] for row in rows]


def test_person_profile_shows_who_they_are_and_where_they_work(store: SqliteStore) -> None:
    found = profile.stakeholder_profile(store, "x", as_of=AS_OF)
    assert found["stakeholder"] == {
        "id": "x", "name": "Dr. X", "category": "kol", "email": "x@example.org",
        "notes": "prefers mornings", "phone": "+7 900", "stance": "supporter", "tags": ["oncology"],
        "tier": 1, "title": "Head of oncology"}
    assert [(j["organization"]["id"], j["position"], j["active"]) for j in found["jobs"]] == [
        ("h", "Head of oncology", True), ("old", "Oncologist", False)]
    assert found["alignments"] == [{"organization": {"id": "rival", "label": "Organization",
                                                     "name": "Rivalpharm"},
                                    "type": "competitor", "kind": "speaker", "strength": 0.3,
                                    "active": True}]
    assert found["tender_roles"] == [{"tender": {"id": "t", "label": "Tender", "name": "Insulin 2026"},
                                      "roles": ["evaluator"], "status": "evaluation",
                                      "deadline": "2026-02-11", "quiet_period": True}]


def test_team_relationships_use_stage_strengths_and_covering_stages(store: SqliteStore) -> None:
    found = profile.stakeholder_profile(store, "x", as_of=AS_OF)
    assert found["covered"] is True
    assert [(r["account_manager"]["name"], r["stage"], r["strength"], r["last_contact"], r["covers"])
            for r in found["team"]] == [("Anna", "trusted", 0.75, "2026-01-10", True),
                                        ("Boris", "acquainted", 0.3, None, False)]


def test_influence_in_and_out_with_weights_and_what_they_rest_on(store: SqliteStore) -> None:
    found = profile.stakeholder_profile(store, "x", as_of=AS_OF)
    assert [(r["person"]["id"], r["weight"], r["basis"]) for r in found["influencers"]] == [
        ("a", 0.8, ["influences"]),
        ("b", 0.8, ["manages", "knows"]),     # 0.6 formal authority + 0.5 * 0.4
        ("d", 0.1, ["same committee"])]
    assert [(r["person"]["id"], r["weight"], r["basis"]) for r in found["influenced"]] == [
        ("c", 0.5, ["influences"]), ("b", 0.2, ["knows"]), ("d", 0.1, ["same committee"])]


def test_ties_leave_out_our_own_records(store: SqliteStore) -> None:
    found = profile.stakeholder_profile(store, "x", as_of=AS_OF)
    assert [(r["type"], r["direction"], r["other"]["id"]) for r in found["relationships"]] == [
        ("ALIGNED_WITH", "out", "rival"), ("INFLUENCES", "in", "a"), ("INFLUENCES", "out", "c"),
        ("KNOWS", "both", "b"), ("REPORTS_TO", "out", "b"), ("ROLE_IN", "out", "t"),
        ("WORKS_AT", "out", "h"), ("WORKS_AT", "out", "old")]
    knows = found["relationships"][3]
    assert knows["details"] == {"context": "colleague", "weight": 0.4} and knows["active"] is True
    assert found["relationships"][-1]["until"] == "2020-12-31"
    assert found["relationships"][-1]["active"] is False


def test_plans_and_interactions(store: SqliteStore) -> None:
    found = profile.stakeholder_profile(store, "x", as_of=AS_OF)
    [plan] = found["plans"]
    # 28 days left for one stage step (trusted → advocate) that takes 60: behind.
    assert (plan["id"], plan["current_stage"], plan["goal_stage"], plan["due"], plan["reasons"],
            plan["steps"], plan["budget"], plan["purpose"]) == (
        "p", "trusted", "advocate", "2026-03-01", ["behind"], ["visit", "advisory board"], 5000.0,
        "oncology launch")
    assert plan["account_manager"] == {"id": "anna", "name": "Anna"}
    assert [(i["id"], i["date"], i["channel"], i["account_manager"]["name"])
            for i in found["interactions"]] == [("i2", "2026-01-20", "call", "Boris"),
                                                ("i1", "2026-01-10", "visit", "Anna")]


def test_a_scoped_store_leaves_out_what_the_user_cannot_see(store: SqliteStore) -> None:
    visible = frozenset({"x", "b", "c", "h", "t", "i1", "i2", "p"})
    found = profile.stakeholder_profile(ScopedStore(store, Scope(False, visible)), "x", as_of=AS_OF)
    assert ids(found["influencers"], "person") == ["b"]
    assert [r["person"]["id"] for r in found["influenced"]] == ["c", "b"]
    assert ids(found["jobs"], "organization") == ["h"]
    with pytest.raises(NotFound, match="no stakeholder with id 'a'"):
        profile.stakeholder_profile(ScopedStore(store, Scope(False, visible)), "a", as_of=AS_OF)


def test_unknown_or_wrong_label_is_not_found(store: SqliteStore) -> None:
    with pytest.raises(NotFound, match="no stakeholder with id 'nobody'"):
        profile.stakeholder_profile(store, "nobody")
    with pytest.raises(NotFound, match="no organization with id 'x'"):
        profile.organization_profile(store, "x")


def test_organization_profile(store: SqliteStore) -> None:
    found = profile.organization_profile(store, "h", as_of=AS_OF)
    assert found["organization"] == {"id": "h", "name": "City Hospital", "beds": 300, "type": "hospital"}
    assert [t["id"] for t in found["territories"]] == ["dist"]
    assert [(s["person"]["id"], s["seniority"], s["covered"], s["best_stage"]) for s in found["staff"]] == [
        ("x", "head", True, "trusted"), ("d", "staff", False, None)]
    assert [(t["tender"]["id"], t["status"], t["deadline"]) for t in found["issued"]] == [
        ("t-awarded", "awarded", "2026-01-27"), ("t-late", "published", "2026-01-29"),
        ("t", "evaluation", "2026-02-11"), ("t-planned", "planned", "2026-05-02")]
    assert found["parents"] == [] and found["parts"] == [] and found["awarded"] == []
    rival = profile.organization_profile(store, "rival", as_of=AS_OF)
    assert rival["aligned"] == [{"person": {"id": "x", "label": "Stakeholder", "name": "Dr. X"},
                                 "kind": "speaker", "strength": 0.3}]


def test_tenders_closing_are_open_and_due_within_sixty_days_soonest_first(store: SqliteStore) -> None:
    rows = profile.tenders_closing(store, as_of=AS_OF)
    assert [(r["tender"]["id"], r["days_left"], r["issuer"]["id"]) for r in rows] == [
        ("t-late", -3, "h"), ("t", 10, "h")]


def user(role: str, account_manager: str | None) -> User:
    return User(role, role, account_manager, "abcdef", "2026-01-01T00:00:00+00:00")


def test_home_territories_per_role(store: SqliteStore) -> None:
    assert profile.home_territories(store, user("kam", "anna"), as_of=AS_OF) == ["dist"]
    assert profile.home_territories(store, user("kam", "boris"), as_of=AS_OF) == []
    assert profile.home_territories(store, user("regional_manager", "rm"), as_of=AS_OF) == ["dist"]
    assert profile.home_territories(store, user("admin", None), as_of=AS_OF) == ["region"]


def test_home_summary_takes_coverage_and_plans_from_the_services(store: SqliteStore) -> None:
    summary = profile.home_summary(store, user("kam", "anna"), as_of=AS_OF)
    report = services.coverage_report(store, "dist", as_of=AS_OF)
    assert summary["territories"] == [{
        "territory": {"id": "dist", "label": "Territory", "name": "District"}, "people": 2,
        "coverage_weighted": report["coverage_weighted"], "coverage_headcount": 0.5, "gaps": 1}]
    assert [p["id"] for p in summary["plans_at_risk"]] == ["p"]
    assert [t["tender"]["id"] for t in summary["tenders_closing"]] == ["t-late", "t"]


def test_search_results_name_the_organisation_of_each_hit(store: SqliteStore) -> None:
    hits = profile.search_results(store, "Dr. X", as_of=AS_OF)
    assert hits == [{"node": {"id": "x", "label": "Stakeholder", "name": "Dr. X"},
                     "organizations": [{"id": "h", "label": "Organization", "name": "City Hospital"}]}]
    [tender] = profile.search_results(store, "Insulin", as_of=AS_OF)
    assert tender["organizations"] == [{"id": "h", "label": "Organization", "name": "City Hospital"}]
