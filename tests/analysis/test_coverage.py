"""Territory coverage against values worked out by hand, plus properties and the demo.

In the hand-built territory nobody influences, reports to or knows anybody and there are no
tenders, so the influence graph has no edges: every influence rank is the same, its share of
the maximum is 1, and importance = 0.5 * 1 + 0.5 * seniority, i.e. executive 1.0, head 0.85,
senior 0.7, staff 0.6.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamgraph.analysis.coverage import coverage_report, key_stakeholders

AS_OF = date(2026, 10, 1)
THEN = date(2026, 1, 1)


def add(g: nx.MultiDiGraph, start: str, end: str, rel_type: str, **props: Any) -> None:
    g.add_edge(start, end, key=rel_type, type=rel_type, **props)


def territory() -> nx.MultiDiGraph:
    """Region R > district D > city C; X elsewhere. H1 in R, H2 in C, H3 part of H2, H4 in X."""
    g = nx.MultiDiGraph()
    for tid, name in [("R", "Region"), ("D", "District"), ("C", "City"), ("X", "Elsewhere")]:
        g.add_node(tid, label="Territory", name=name)
    add(g, "D", "R", "PART_OF")
    add(g, "C", "D", "PART_OF")
    for org, name in [("H1", "Hospital 1"), ("H2", "Hospital 2"), ("H3", "Clinic 3"),
                      ("H4", "Hospital 4")]:
        g.add_node(org, label="Organization", name=name, type="hospital")
    g.add_node("K", label="Organization", name="Rival Pharma", type="competitor")
    add(g, "H1", "R", "LOCATED_IN")
    add(g, "H2", "C", "LOCATED_IN")
    add(g, "H3", "H2", "PART_OF")
    add(g, "H4", "X", "LOCATED_IN")
    people = [("p1", "H1", "executive", {}), ("p2", "H1", "head", {}), ("p3", "H2", "senior", {}),
              ("p4", "H3", "staff", {}), ("p5", "H4", "staff", {}),
              ("p6", "H2", "head", {"since": "2026-06-01"}),      # joined after THEN
              ("p7", "H1", "senior", {"until": "2026-03-01"})]    # left before AS_OF
    for pid, org, seniority, window in people:
        g.add_node(pid, label="Stakeholder", name=pid.upper(), stance="neutral")
        add(g, pid, org, "WORKS_AT", seniority=seniority, **window)
    g.nodes["p2"]["stance"] = "skeptic"
    for am, name in [("am1", "Anna"), ("am2", "Boris")]:
        g.add_node(am, label="AccountManager", name=name, role="kam")
    add(g, "am1", "R", "COVERS", since="2024-01-01")
    add(g, "am2", "C", "COVERS", since="2024-01-01")
    add(g, "am1", "p1", "RELATES_TO", stage="trusted", since="2024-01-01", last_contact="2026-09-20")
    add(g, "am1", "p3", "RELATES_TO", stage="engaged", since="2025-06-01", last_contact="2026-05-01")
    add(g, "am2", "p3", "RELATES_TO", stage="advocate", since="2026-02-01")
    add(g, "am2", "p2", "RELATES_TO", stage="acquainted", since="2025-01-01",
        last_contact="2026-09-01")
    add(g, "am2", "p6", "RELATES_TO", stage="engaged", since="2026-07-01", last_contact="2026-09-01")
    add(g, "am1", "p7", "RELATES_TO", stage="engaged", since="2025-01-01", last_contact="2026-02-01")
    add(g, "am1", "p5", "RELATES_TO", stage="engaged", since="2025-01-01", last_contact="2026-09-01")
    add(g, "p4", "K", "ALIGNED_WITH", strength=0.8, kind="speaker")
    add(g, "p1", "K", "ALIGNED_WITH", strength=0.3, kind="advisory")
    return g


def test_key_stakeholders_include_sub_territories_and_sub_organisations() -> None:
    assert key_stakeholders(territory(), "R", as_of=AS_OF) == pytest.approx(
        {"p1": 1.0, "p2": 0.85, "p6": 0.85, "p3": 0.7, "p4": 0.6})
    assert list(key_stakeholders(territory(), "R", as_of=AS_OF)) == ["p1", "p2", "p6", "p3", "p4"]


def test_coverage_weighted_and_headcount() -> None:
    report = coverage_report(territory(), "R", as_of=AS_OF)
    assert report["territory"] == {"id": "R", "name": "Region"}
    assert report["as_of"] == "2026-10-01"
    assert report["people"] == 5
    # covered: p1 (1.0), p3 (0.7), p6 (0.85) of 1.0 + 0.85 + 0.85 + 0.7 + 0.6 = 4.0
    assert report["coverage_weighted"] == pytest.approx(2.55 / 4.0)
    assert report["coverage_headcount"] == pytest.approx(3 / 5)
    assert report["compare"] is None


def test_gaps_most_important_first() -> None:
    report = coverage_report(territory(), "R", as_of=AS_OF)
    assert report["gaps"] == [
        {"id": "p2", "name": "P2", "importance": pytest.approx(0.85), "organization": "Hospital 1",
         "stance": "skeptic", "best_stage": "acquainted"},
        {"id": "p4", "name": "P4", "importance": pytest.approx(0.6), "organization": "Clinic 3",
         "stance": "neutral", "best_stage": None},
    ]
    assert [gap["id"] for gap in coverage_report(territory(), "R", as_of=AS_OF, top=1)["gaps"]] == ["p2"]


def test_by_account_manager() -> None:
    rows = coverage_report(territory(), "R", as_of=AS_OF)["by_account_manager"]
    # am1 covers p1 and p3 (p5 is outside, p7 has left); am2 covers p3 and p6, knows p2.
    assert rows == [
        {"id": "am1", "name": "Anna", "covered": 2, "relationships": 2,
         "importance_covered": pytest.approx(1.7)},
        {"id": "am2", "name": "Boris", "covered": 2, "relationships": 3,
         "importance_covered": pytest.approx(1.55)},
    ]


def test_by_organization() -> None:
    rows = coverage_report(territory(), "R", as_of=AS_OF)["by_organization"]
    assert rows == [
        {"id": "H1", "name": "Hospital 1", "people": 2, "covered": 1,
         "coverage_weighted": pytest.approx(1.0 / 1.85)},
        {"id": "H2", "name": "Hospital 2", "people": 2, "covered": 2,
         "coverage_weighted": pytest.approx(1.0)},
        {"id": "H3", "name": "Clinic 3", "people": 1, "covered": 0, "coverage_weighted": 0.0},
    ]


def test_competitor_entrenched() -> None:
    rows = coverage_report(territory(), "R", as_of=AS_OF)["competitor_entrenched"]
    assert rows == [
        {"id": "p4", "name": "P4", "competitor": "Rival Pharma", "strength": 0.8, "covered": False},
        {"id": "p1", "name": "P1", "competitor": "Rival Pharma", "strength": 0.3, "covered": True},
    ]


def test_stale_relationships() -> None:
    stale = coverage_report(territory(), "R", as_of=AS_OF)["stale"]
    # never contacted first, then the longest silence; 11 and 30 days are fresh at 90
    assert [(row["id"], row["account_manager"]["id"], row["days"]) for row in stale] == [
        ("p3", "am2", None), ("p3", "am1", 153)]
    assert stale[1] == {"id": "p3", "name": "P3", "account_manager": {"id": "am1", "name": "Anna"},
                        "stage": "engaged", "last_contact": "2026-05-01", "days": 153}
    tight = coverage_report(territory(), "R", as_of=AS_OF, stale_days=10)["stale"]
    assert [(row["id"], row["days"]) for row in tight] == [
        ("p3", None), ("p3", 153), ("p6", 30), ("p1", 11)]
    # acquainted (p2) is not covering, so never stale
    assert all(row["stage"] != "acquainted" for row in tight)


def test_compare_with_an_earlier_date() -> None:
    report = coverage_report(territory(), "R", as_of=AS_OF, compare=THEN)
    # THEN: p1, p2, p3, p4 and p7 (still at H1; p6 not yet); covered p1, p3 (am1), p7
    then_weighted = (1.0 + 0.7 + 0.7) / (1.0 + 0.85 + 0.7 + 0.6 + 0.7)
    assert report["compare"] == {
        "as_of": "2026-01-01",
        "coverage_weighted": pytest.approx(then_weighted),
        "coverage_headcount": pytest.approx(3 / 5),
        "people": 5,
        "delta_weighted": pytest.approx(2.55 / 4.0 - then_weighted),
        "delta_headcount": pytest.approx(0.0),
        "newly_covered": ["p6"],
        "lost": ["p7"],
    }


def test_sub_territory_alone() -> None:
    report = coverage_report(territory(), "D", as_of=AS_OF)
    assert report["people"] == 3  # p3, p6 at H2 in city C; p4 at H3, part of H2
    assert report["coverage_weighted"] == pytest.approx((0.7 + 0.85) / (0.7 + 0.85 + 0.6))
    assert report["coverage_headcount"] == pytest.approx(2 / 3)
    assert [(row["id"], row["covered"], row["relationships"]) for row in report["by_account_manager"]
            ] == [("am2", 2, 2), ("am1", 1, 1)]


def test_account_manager_without_relationships_is_listed() -> None:
    g = territory()
    g.add_node("am3", label="AccountManager", name="Vera")
    add(g, "am3", "D", "COVERS", since="2026-01-01")
    rows = coverage_report(g, "R", as_of=AS_OF)["by_account_manager"]
    assert rows[-1] == {"id": "am3", "name": "Vera", "covered": 0, "relationships": 0,
                        "importance_covered": 0.0}


@pytest.mark.parametrize("territory_id", ["nowhere", "H1"])
def test_unknown_territory(territory_id: str) -> None:
    with pytest.raises(KeyError) as error:
        coverage_report(territory(), territory_id, as_of=AS_OF)
    assert error.value.args == (territory_id,)


def test_empty_territory() -> None:
    g = territory()
    g.add_node("E", label="Territory", name="Empty")
    report = coverage_report(g, "E", as_of=AS_OF)
    assert (report["people"], report["coverage_weighted"], report["coverage_headcount"]) == (0, 0.0, 0.0)
    assert report["gaps"] == [] and report["by_organization"] == []


# --- properties ---------------------------------------------------------------------------

SENIORITY = st.sampled_from(["executive", "head", "senior", "staff", None])


@st.composite
def random_territory(draw: st.DrawFn) -> tuple[nx.MultiDiGraph, list[str]]:
    """One region and hospital, 2-7 people with random ties; a random subset covered."""
    g = nx.MultiDiGraph()
    g.add_node("R", label="Territory", name="R")
    g.add_node("H", label="Organization", name="H", type="hospital")
    g.add_node("am", label="AccountManager", name="Anna")
    add(g, "H", "R", "LOCATED_IN")
    people = [f"p{i}" for i in range(draw(st.integers(2, 7)))]
    for person in people:
        g.add_node(person, label="Stakeholder", name=person)
        seniority = draw(SENIORITY)
        add(g, person, "H", "WORKS_AT", **({"seniority": seniority} if seniority else {}))
        if draw(st.booleans()):
            add(g, "am", person, "RELATES_TO", stage=draw(st.sampled_from(
                ["acquainted", "engaged", "trusted", "advocate"])))
    for a, b in draw(st.lists(st.tuples(st.sampled_from(people), st.sampled_from(people)),
                              max_size=10)):
        if a != b:
            kind = draw(st.sampled_from(["INFLUENCES", "KNOWS", "REPORTS_TO"]))
            props = {"weight": draw(st.floats(0.05, 1.0))} if kind != "REPORTS_TO" else {}
            add(g, a, b, kind, **props)
    return g, people


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _coverage(g: nx.MultiDiGraph) -> tuple[float, float]:
    report = coverage_report(g, "R", as_of=AS_OF)
    return report["coverage_weighted"], report["coverage_headcount"]


@FAST
@given(random_territory(), st.data())
def test_covering_one_more_person_never_lowers_coverage(
        case: tuple[nx.MultiDiGraph, list[str]], data: st.DataObject) -> None:
    g, people = case
    uncovered = [p for p in people if g.get_edge_data("am", p, "RELATES_TO", {}).get("stage")
                 in (None, "acquainted")]
    if not uncovered:
        return
    weighted, headcount = _coverage(g)
    add(g, "am", data.draw(st.sampled_from(uncovered)), "RELATES_TO", stage="engaged")
    after_weighted, after_headcount = _coverage(g)
    assert after_weighted >= weighted - 1e-12
    assert after_headcount > headcount


@FAST
@given(random_territory(), st.data())
def test_removing_an_uncovered_person_never_lowers_headcount_coverage(
        case: tuple[nx.MultiDiGraph, list[str]], data: st.DataObject) -> None:
    g, people = case
    uncovered = [p for p in people if g.get_edge_data("am", p, "RELATES_TO", {}).get("stage")
                 in (None, "acquainted")]
    if not uncovered:
        return
    _, headcount = _coverage(g)
    g.remove_node(data.draw(st.sampled_from(uncovered)))
    assert _coverage(g)[1] >= headcount - 1e-12


@FAST
@given(random_territory(), st.data())
def test_removing_an_uncovered_person_without_ties_never_lowers_weighted_coverage(
        case: tuple[nx.MultiDiGraph, list[str]], data: st.DataObject) -> None:
    """Everyone else keeps their importance (PageRank ratios do not change when an isolated
    node goes), so only the denominator shrinks."""
    g, people = case
    loners = [p for p in people
              if g.get_edge_data("am", p, "RELATES_TO", {}).get("stage") in (None, "acquainted")
              and not any(t in ("INFLUENCES", "KNOWS", "REPORTS_TO")
                          for _, _, t in [*g.in_edges(p, data="type"), *g.out_edges(p, data="type")])]
    if not loners:
        return
    weighted, _ = _coverage(g)
    g.remove_node(data.draw(st.sampled_from(loners)))
    assert _coverage(g)[0] >= weighted - 1e-9


def six_executives() -> nx.MultiDiGraph:
    """Six executives of one hospital; c (covered) influences u; the others have no ties."""
    g = nx.MultiDiGraph()
    g.add_node("R", label="Territory", name="R")
    g.add_node("H", label="Organization", name="H", type="hospital")
    g.add_node("am", label="AccountManager", name="Anna")
    add(g, "H", "R", "LOCATED_IN")
    for person in ["c", "u", "v1", "v2", "v3", "v4"]:
        g.add_node(person, label="Stakeholder", name=person.upper())
        add(g, person, "H", "WORKS_AT", seniority="executive")
    add(g, "c", "u", "INFLUENCES", weight=1.0)
    add(g, "am", "c", "RELATES_TO", stage="engaged")
    return g


def test_removing_an_uncovered_person_can_lower_weighted_coverage() -> None:
    """Importance is relative: when u, whom covered c influences, leaves, c's influence rank
    falls to everyone else's and the weighted coverage with it.

    Reversed influence graph: u -> c. Every node but u is dangling, so u gets what an
    isolated node gets (r) and c gets r + 0.85 r = 1.85 r. Importance: c 0.5 + 0.5 = 1, the
    others 0.5 / 1.85 + 0.5 = 57/74. Before: 1 / (1 + 5 * 57/74) = 74/359 ~ 0.2061; without
    u everyone has importance 1: 1/5.
    """
    g = six_executives()
    assert key_stakeholders(g, "R", as_of=AS_OF) == pytest.approx(
        {"c": 1.0, "u": 57 / 74, "v1": 57 / 74, "v2": 57 / 74, "v3": 57 / 74, "v4": 57 / 74})
    assert coverage_report(g, "R", as_of=AS_OF)["coverage_weighted"] == pytest.approx(74 / 359)
    g.remove_node("u")
    assert coverage_report(g, "R", as_of=AS_OF)["coverage_weighted"] == pytest.approx(1 / 5)
