"""Who sees what, on both stores: exact scopes per role on a small hand-built graph, and a
scoped store that hides everything else from reads, lists, searches, subgraphs and analyses.

The graph (T = territory, O = organisation, s = person, t = tender)::

    tr-country ── tr-north ── tr-north-city ∋ o-north (o-north-ward PART_OF it)
               └─ tr-south ∋ o-south
    s-n1 @ o-north (ALIGNED_WITH o-rival), s-n2 @ o-north-ward, s-s1, s-s2, s-s3 @ o-south
    t-north issued by o-north, committee: s-n1 and s-s1 (from the south)
    t-south issued by o-south, committee: s-s3
    am-k1 (kam) covers tr-north (and covered tr-south until 2020), relates to s-s2
    am-k3 (kam) reports to am-k1 and covers tr-south
    am-k1 reports to am-rm (regional manager); am-k2 reported to am-rm until 2020, covers tr-south
"""

from __future__ import annotations

from datetime import date

import pytest

from kamgraph import services
from kamgraph.activity import quiet_warnings
from kamgraph.errors import Forbidden, NotFound
from kamgraph.model import Node, Relationship
from kamgraph.scope import ScopedStore, scope_of
from kamgraph.store.base import GraphStore
from kamgraph.users import User
from tests.analysis.builders import load, node, person, rel

TODAY = date(2026, 11, 28)
RECORDS = [
    node("Territory", "tr-country", level="country"), node("Territory", "tr-north", level="region"),
    node("Territory", "tr-north-city", level="city"), node("Territory", "tr-south", level="region"),
    node("Organization", "o-north", type="hospital"), node("Organization", "o-north-ward", type="hospital"),
    node("Organization", "o-south", type="hospital"), node("Organization", "o-rival", type="competitor"),
    person("s-n1", stance="champion"), person("s-n2"), person("s-s1"), person("s-s2"),
    person("s-s3", notes="prefers calls after six", email="s3@example.org"),
    node("Tender", "t-north", status="published"), node("Tender", "t-south", status="published"),
    node("AccountManager", "am-rm", role="regional_manager"), node("AccountManager", "am-k1", role="kam"),
    node("AccountManager", "am-k2", role="kam"), node("AccountManager", "am-k3", role="kam"),
    node("Interaction", "ix-1", date="2026-10-01"), node("Interaction", "ix-2", date="2026-10-02"),
    node("Interaction", "ix-3", date="2026-10-03"), node("Plan", "p-1", status="active"),
    node("Product", "pr-1"), node("Event", "ev-1", date="2026-05-01"),
    rel("PART_OF", "tr-north", "tr-country"), rel("PART_OF", "tr-north-city", "tr-north"),
    rel("PART_OF", "tr-south", "tr-country"), rel("LOCATED_IN", "o-north", "tr-north-city"),
    rel("PART_OF", "o-north-ward", "o-north"), rel("LOCATED_IN", "o-south", "tr-south"),
    rel("WORKS_AT", "s-n1", "o-north"), rel("WORKS_AT", "s-n2", "o-north-ward"),
    rel("WORKS_AT", "s-s1", "o-south"), rel("WORKS_AT", "s-s2", "o-south"),
    rel("WORKS_AT", "s-s3", "o-south"), rel("ALIGNED_WITH", "s-n1", "o-rival", strength=0.5),
    rel("INFLUENCES", "s-s3", "s-n1", weight=0.9), rel("KNOWS", "s-n2", "s-s3", weight=0.5),
    rel("ISSUED_BY", "t-north", "o-north"), rel("ISSUED_BY", "t-south", "o-south"),
    rel("ROLE_IN", "s-n1", "t-north", role="decision_maker"),
    rel("ROLE_IN", "s-s1", "t-north", role="evaluator"),
    rel("ROLE_IN", "s-s3", "t-south", role="approver"),
    rel("COVERS", "am-k1", "tr-north", since="2021-01-01"),
    rel("COVERS", "am-k1", "tr-south", since="2018-01-01", until="2020-01-01"),
    rel("COVERS", "am-k2", "tr-south", since="2018-01-01"),
    rel("COVERS", "am-k3", "tr-south", since="2022-01-01"),
    rel("REPORTS_TO", "am-k1", "am-rm", since="2021-01-01"),
    rel("REPORTS_TO", "am-k3", "am-k1", since="2022-01-01"),
    rel("REPORTS_TO", "am-k2", "am-rm", since="2018-01-01", until="2020-01-01"),
    rel("RELATES_TO", "am-k1", "s-s2", stage="engaged"),
    rel("RELATES_TO", "am-k3", "s-s3", stage="trusted"),
    rel("HAD", "am-k1", "ix-1"), rel("WITH", "ix-1", "s-s2"),
    rel("HAD", "am-k2", "ix-2"), rel("WITH", "ix-2", "s-s1"),
    rel("HAD", "am-k3", "ix-3"), rel("WITH", "ix-3", "s-s3"),
    rel("PLANS", "am-k2", "p-1"), rel("TARGETS", "p-1", "s-s1"),
    rel("FOR_PRODUCT", "t-south", "pr-1"), rel("ATTENDED", "s-s3", "ev-1", role="speaker"),
]
K1_SEES = {"tr-north", "tr-north-city", "o-north", "o-north-ward", "o-rival", "o-south", "s-n1",
           "s-n2", "s-s1", "s-s2", "t-north", "ix-1", "ix-2", "p-1"}
SOUTH = {"tr-south", "s-s3", "t-south", "ix-3"}
OPEN = {"am-rm", "am-k1", "am-k2", "am-k3", "pr-1", "ev-1"}


def user(role: str, account_manager: str | None) -> User:
    return User(f"{role}-{account_manager}", role, account_manager, "abcdef", "2026-01-01T00:00:00")


KAM = user("kam", "am-k1")
MANAGER = user("regional_manager", "am-rm")


@pytest.fixture
def graph_store(store: GraphStore) -> GraphStore:
    load(store, RECORDS)
    return store


def test_a_kam_sees_their_territories_and_the_people_they_relate_to(graph_store: GraphStore) -> None:
    scope = scope_of(graph_store, KAM, as_of=TODAY)
    assert set(scope.ids) == K1_SEES
    assert set(scope.territories) == {"tr-north", "tr-north-city"}


def test_ended_jobs_relationships_and_roles_grant_nothing(graph_store: GraphStore) -> None:
    """s-gone left o-north in 2025, am-k1 stopped working with s-past in 2024, s-was sat on
    the t-north committee until 2023; s-next joins o-north next year. None is in sight."""
    graph_store.upsert([Node("Stakeholder", n, n, {}) for n in ("s-gone", "s-past", "s-was", "s-next")], [
        Relationship("WORKS_AT", "s-gone", "o-north", {"since": "2019-01-01", "until": "2025-06-30"}),
        Relationship("RELATES_TO", "am-k1", "s-past", {"stage": "trusted", "until": "2024-01-01"}),
        Relationship("ROLE_IN", "s-was", "t-north", {"role": "evaluator", "until": "2023-12-31"}),
        Relationship("WORKS_AT", "s-next", "o-north", {"since": "2027-01-01"})])
    scope = scope_of(graph_store, KAM, as_of=TODAY)
    assert set(scope.ids) == K1_SEES
    assert "s-gone" in scope_of(graph_store, KAM, as_of=date(2025, 6, 30)).ids  # its last day
    assert "s-next" in scope_of(graph_store, KAM, as_of=date(2027, 1, 1)).ids
    assert graph_store.neighbours({"o-north"}, ("WORKS_AT",), "in", active_on=TODAY) == {"s-n1"}
    assert graph_store.neighbours({"o-north"}, ("WORKS_AT",), "in") == {"s-n1", "s-gone", "s-next"}
    assert graph_store.neighbours({"s-past"}, (), "both", active_on=date(2023, 1, 1)) == {"am-k1"}


def test_a_regional_manager_sees_what_everyone_reporting_to_them_sees(graph_store: GraphStore) -> None:
    scope = scope_of(graph_store, MANAGER, as_of=TODAY)
    # am-k1 directly, am-k3 through am-k1; am-k2 stopped reporting in 2020.
    assert set(scope.ids) == K1_SEES | SOUTH
    assert "tr-country" not in scope.ids


def test_a_kam_does_not_inherit_their_reports_territories(graph_store: GraphStore) -> None:
    assert not SOUTH & scope_of(graph_store, KAM, as_of=TODAY).ids


def test_an_admin_sees_everything(graph_store: GraphStore) -> None:
    scope = scope_of(graph_store, user("admin", None), as_of=TODAY)
    assert scope.everything
    assert len(list(ScopedStore(graph_store, scope).iter_nodes())) == 25


def test_the_scoped_store_hides_the_rest_from_every_read(graph_store: GraphStore) -> None:
    view = ScopedStore(graph_store, scope_of(graph_store, KAM, as_of=TODAY))
    visible = K1_SEES | OPEN
    assert view.get_node("s-s3") is None and view.get_node("s-s2") is not None
    assert {n.id for n in view.iter_nodes()} == visible
    assert [n.id for n in view.list_nodes("Stakeholder")] == ["s-n1", "s-n2", "s-s1", "s-s2"]
    assert [n.id for n in view.list_nodes("Stakeholder", limit=2, offset=1)] == ["s-n2", "s-s1"]
    assert [n.id for n in view.list_nodes("Product")] == ["pr-1"]
    assert [n.id for n in view.search("S-S")] == ["s-s1", "s-s2"]
    assert {r.start for r in view.relationships_of("o-south")} == {"s-s1", "s-s2"}
    assert view.relationships_of("s-s3") == []
    assert set(view.whole_graph()) == visible
    assert {(r.start, r.end) for r in view.iter_relationships()} >= {("s-n1", "t-north")}
    assert all(r.start in visible and r.end in visible for r in view.iter_relationships())
    assert set(view.neighbourhood("s-n2", hops=2)) == {"s-n2", "o-north-ward", "o-north"}
    assert view.counts().labels["Stakeholder"] == 4


def test_sensitive_properties_of_people_outside_never_leave(graph_store: GraphStore) -> None:
    view = ScopedStore(graph_store, scope_of(graph_store, KAM, as_of=TODAY))
    exported = [n.record() for n in view.iter_nodes()]
    assert not any("prefers calls" in str(r) or "s3@example.org" in str(r) for r in exported)


def test_analyses_on_the_scoped_store_are_not_found_outside_and_never_name_outsiders(
        graph_store: GraphStore) -> None:
    view = ScopedStore(graph_store, scope_of(graph_store, KAM, as_of=TODAY))
    with pytest.raises(NotFound, match="no tender with id 't-south'"):
        services.tender_influence(view, "t-south", as_of=TODAY)
    with pytest.raises(NotFound):
        services.coverage_report(view, "tr-south", as_of=TODAY)
    result = services.tender_influence(view, "t-north", as_of=TODAY)
    ranked = {item["id"] for item in result["items"]}
    assert ranked == {"s-n1", "s-s1"}  # s-s3 influences s-n1, but lies outside the scope
    admin = services.tender_influence(graph_store, "t-north", as_of=TODAY)
    assert "s-s3" in {item["id"] for item in admin["items"]}


def test_writes_outside_the_scope_or_to_reference_data_are_forbidden(graph_store: GraphStore) -> None:
    view = ScopedStore(graph_store, scope_of(graph_store, KAM, as_of=TODAY))
    view.check_write(["s-n1", "s-brand-new"], labels=["Stakeholder"])  # in scope, or new: fine
    with pytest.raises(Forbidden, match="'s-s3' is outside your territories"):
        view.check_write(["s-n1", "s-s3"])
    with pytest.raises(Forbidden, match="only an admin can change Territory"):
        view.check_write(["tr-new"], labels=["Territory"])
    with pytest.raises(Forbidden):
        view.check_write(["am-k1"])  # visible, but the team is reference data
    admin = ScopedStore(graph_store, scope_of(graph_store, user("admin", None)))
    admin.check_write(["s-s3", "tr-country", "am-k1"], labels=["Territory"])


def test_a_kam_without_current_coverage_sees_only_the_people_they_relate_to(
        graph_store: GraphStore) -> None:
    scope = scope_of(graph_store, user("kam", "am-k2"), as_of=TODAY)
    # am-k2 covers tr-south today (no end date) — so the south is theirs.
    assert {"t-south", "s-s3"} <= scope.ids
    before = scope_of(graph_store, user("kam", "am-k3"), as_of=date(2021, 6, 1))
    assert before.ids == frozenset({"s-s3", "ix-3", "o-south"})


def test_quiet_period_warnings_reach_beyond_the_scope_without_naming_what_is_outside(
        graph_store: GraphStore) -> None:
    graph_store.upsert([Node("Tender", "t-south", "South tender", {"status": "evaluation"})],
                       [Relationship("ROLE_IN", "s-s2", "t-south", {"role": "evaluator"})])
    view = ScopedStore(graph_store, scope_of(graph_store, KAM, as_of=TODAY))
    (warning,) = quiet_warnings(view, "s-s2", TODAY)
    assert warning.startswith("Dr S-S2 holds a role in a tender outside your territories, which is "
                              "in a quiet period on 2026-11-28")
    assert "South tender" not in warning and "t-south" not in warning
    (named,) = quiet_warnings(graph_store, "s-s2", TODAY)
    assert "tender South tender (t-south)" in named
