"""Brokers, factions and what-if removal against values worked out by hand."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import networkx as nx
import pytest

from kamgraph.analysis.power import brokers, factions, what_if

AS_OF = date(2026, 10, 1)


def add(g: nx.MultiDiGraph, start: str, end: str, rel_type: str, **props: Any) -> None:
    g.add_edge(start, end, key=rel_type, type=rel_type, **props)


def person(g: nx.MultiDiGraph, pid: str, stance: str = "neutral") -> None:
    g.add_node(pid, label="Stakeholder", name=pid.upper(), stance=stance)


def two_cliques_and_a_bridge() -> nx.MultiDiGraph:
    """Triangles a1-a2-a3 and b1-b2-b3 (KNOWS, weight 1); x knows a1 and b1."""
    g = nx.MultiDiGraph()
    for pid in ["a1", "a2", "a3", "b1", "b2", "b3", "x"]:
        person(g, pid, "champion" if pid.startswith("a") else "skeptic")
    for clique in (["a1", "a2", "a3"], ["b1", "b2", "b3"]):
        for i, a in enumerate(clique):
            for b in clique[i + 1:]:
                add(g, a, b, "KNOWS", weight=1.0)
    add(g, "x", "a1", "KNOWS", weight=1.0)
    add(g, "x", "b1", "KNOWS", weight=1.0)
    return g


# --- brokers ------------------------------------------------------------------------------


def test_the_bridge_is_the_top_broker() -> None:
    # n = 7, normalised by 2 / ((n-1)(n-2)) = 1/15 per pair. x is on every path between the
    # triangles: 9 pairs -> 9/15. a1 is on the paths from a2, a3 to x, b1, b2, b3: 8 pairs.
    items = brokers(two_cliques_and_a_bridge(), as_of=AS_OF)["items"]
    assert items == [{"id": "x", "name": "X", "score": pytest.approx(9 / 15)},
                     {"id": "a1", "name": "A1", "score": pytest.approx(8 / 15)},
                     {"id": "b1", "name": "B1", "score": pytest.approx(8 / 15)}]
    assert [item["id"] for item in brokers(two_cliques_and_a_bridge(), as_of=AS_OF, top=1)["items"]
            ] == ["x"]


def test_brokers_follow_strong_ties() -> None:
    """A square a-b-c-d-a with strong a-b, b-c (1.0) and weak c-d, d-a (0.1): distances 1 and
    10. a..c runs through b (2 < 20); b..d through a or c (11 each), half each. Normalised by
    2 / (3 * 2): b 1/3, a and c 1/6, d 0 (left out). Unweighted all four would tie at 1/6."""
    g = nx.MultiDiGraph()
    for pid in "abcd":
        person(g, pid)
    for a, b, weight in [("a", "b", 1.0), ("b", "c", 1.0), ("c", "d", 0.1), ("d", "a", 0.1)]:
        add(g, a, b, "INFLUENCES", weight=weight)
    assert brokers(g, as_of=AS_OF)["items"] == [
        {"id": "b", "name": "B", "score": pytest.approx(1 / 3)},
        {"id": "a", "name": "A", "score": pytest.approx(1 / 6)},
        {"id": "c", "name": "C", "score": pytest.approx(1 / 6)}]


def test_ended_ties_do_not_broker() -> None:
    g = two_cliques_and_a_bridge()
    g.edges["x", "b1", "KNOWS"]["until"] = "2026-01-01"
    assert "x" not in [item["id"] for item in brokers(g, as_of=AS_OF)["items"]]


# --- factions -----------------------------------------------------------------------------


def test_two_cliques_make_two_factions() -> None:
    result = factions(two_cliques_and_a_bridge(), as_of=AS_OF)["factions"]
    assert [f["id"] for f in result] == [1, 2]
    members = [set(f["members"]) for f in result]
    assert {"a1", "a2", "a3"} in [m - {"x"} for m in members]
    assert {"b1", "b2", "b3"} in [m - {"x"} for m in members]
    assert sum(f["influence_share"] for f in result) == pytest.approx(1.0)
    with_x = next(f for f in result if "x" in f["members"])
    assert result[0] is with_x  # the bridge's weight tips the balance
    assert with_x["size"] == 4


def test_faction_shares_stances_and_leaders_by_hand() -> None:
    """Two triangles and a pair, all ties of weight 1, and a loner. Every person has as much
    influence flowing in as out, so PageRank is uniform: the triangles hold 3/8 each of the
    tied people's influence, the pair 2/8. The loner is in no faction."""
    g = nx.MultiDiGraph()
    for pid, stance in [("a1", "champion"), ("a2", "champion"), ("a3", "opponent"),
                        ("b1", "neutral"), ("b2", "neutral"), ("b3", "neutral"),
                        ("c1", "supporter"), ("c2", "skeptic"), ("loner", "neutral")]:
        person(g, pid, stance)
    g.nodes["b3"].pop("stance")
    for a, b in [("a1", "a2"), ("a2", "a3"), ("a1", "a3"), ("b1", "b2"), ("b2", "b3"),
                 ("b1", "b3"), ("c1", "c2")]:
        add(g, a, b, "KNOWS", weight=1.0)
    assert factions(g, as_of=AS_OF) == {"factions": [
        {"id": 1, "members": ["a1", "a2", "a3"], "size": 3,
         "stance_mix": {"champion": 2, "opponent": 1}, "influence_share": pytest.approx(3 / 8),
         "leaders": ["a1", "a2", "a3"]},
        {"id": 2, "members": ["b1", "b2", "b3"], "size": 3,
         "stance_mix": {"neutral": 2, "unknown": 1}, "influence_share": pytest.approx(3 / 8),
         "leaders": ["b1", "b2", "b3"]},
        {"id": 3, "members": ["c1", "c2"], "size": 2,
         "stance_mix": {"supporter": 1, "skeptic": 1}, "influence_share": pytest.approx(2 / 8),
         "leaders": ["c1", "c2"]},
    ]}


def test_no_ties_no_factions() -> None:
    g = nx.MultiDiGraph()
    person(g, "a")
    assert factions(g, as_of=AS_OF) == {"factions": []}


def random_social_records(seed: int) -> tuple[list[str], list[tuple[str, str, str, float]]]:
    """40 people, 90 ties; one relationship per (from, to, type), as in a store."""
    rng = random.Random(seed)
    people = [f"p{i:02d}" for i in range(40)]
    ties: dict[tuple[str, str, str], float] = {}
    while len(ties) < 90:
        a, b = rng.sample(people, 2)
        ties[a, b, rng.choice(["KNOWS", "INFLUENCES"])] = round(rng.uniform(0.1, 1.0), 2)
    return people, [(a, b, kind, weight) for (a, b, kind), weight in ties.items()]


def build(people: list[str], ties: list[tuple[str, str, str, float]]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for pid in people:
        person(g, pid)
    for a, b, kind, weight in ties:
        add(g, a, b, kind, weight=weight)
    return g


def test_factions_are_deterministic_and_independent_of_insertion_order() -> None:
    people, ties = random_social_records(3)
    first = factions(build(people, ties), as_of=AS_OF)
    assert len(first["factions"]) >= 2
    assert factions(build(people, ties), as_of=AS_OF) == first
    shuffled_people, shuffled_ties = list(people), list(ties)
    random.Random(1).shuffle(shuffled_people)
    random.Random(2).shuffle(shuffled_ties)
    assert factions(build(shuffled_people, shuffled_ties), as_of=AS_OF) == first


# --- what if ------------------------------------------------------------------------------


def six_executives() -> nx.MultiDiGraph:
    """Six executives of one hospital in R; covered c influences u; the others have no ties."""
    g = nx.MultiDiGraph()
    g.add_node("R", label="Territory", name="R")
    g.add_node("H", label="Organization", name="H", type="hospital")
    g.add_node("am", label="AccountManager", name="Anna")
    add(g, "H", "R", "LOCATED_IN")
    for pid in ["c", "u", "v1", "v2", "v3", "v4"]:
        person(g, pid)
        add(g, pid, "H", "WORKS_AT", seniority="executive")
    add(g, "c", "u", "INFLUENCES", weight=1.0)
    add(g, "am", "c", "RELATES_TO", stage="engaged")
    return g


def test_what_if_in_a_territory() -> None:
    """Before: reversed influence u -> c; u ranks as an isolated person r, c 1.85 r, so
    importance is c 1, others 0.5 / 1.85 + 0.5 = 57/74; coverage 1 / (1 + 5 * 57/74) =
    74/359. Without u every rank is equal: importance 1 for all, coverage 1/5."""
    result = what_if(six_executives(), "u", as_of=AS_OF, territory_id="R", top=3)
    assert result == {
        "removed": {"id": "u", "name": "U"},
        "scope": {"territory": "R"},
        "changes": [{"id": v, "name": v.upper(), "before": pytest.approx(57 / 74), "after": 1.0,
                     "delta": pytest.approx(17 / 74)} for v in ["v1", "v2", "v3"]],
        "coverage_before": pytest.approx(74 / 359),
        "coverage_after": pytest.approx(1 / 5),
    }
    everyone = what_if(six_executives(), "u", as_of=AS_OF, territory_id="R")["changes"]
    assert everyone[-1] == {"id": "c", "name": "C", "before": 1.0, "after": 1.0, "delta": 0.0}


def tender_with_an_adviser() -> nx.MultiDiGraph:
    """Approver d of tender T; x (covered) influences d with weight 1."""
    g = nx.MultiDiGraph()
    g.add_node("T", label="Tender", name="Insulin 2026", status="published")
    g.add_node("am", label="AccountManager", name="Anna")
    person(g, "d")
    person(g, "x")
    g.add_edge("d", "T", key="ROLE_IN:approver", type="ROLE_IN", role="approver")
    add(g, "x", "d", "INFLUENCES", weight=1.0)
    add(g, "am", "x", "RELATES_TO", stage="trusted")
    return g


def test_what_if_on_a_tender() -> None:
    """Personalised PageRank restarting at d over the reversed graph d -> x (x dangling,
    restarting at d): r_d = 0.15 + 0.85 r_x, r_x = 0.85 r_d, so r_d = 0.15 / (1 - 0.85^2) =
    20/37 and r_x = 17/37. Without x, d holds all of it. Coverage is x's share."""
    result = what_if(tender_with_an_adviser(), "x", as_of=AS_OF, tender_id="T")
    assert result == {
        "removed": {"id": "x", "name": "X"},
        "scope": {"tender": "T"},
        "changes": [{"id": "d", "name": "D", "before": pytest.approx(20 / 37),
                     "after": pytest.approx(1.0), "delta": pytest.approx(17 / 37)}],
        "coverage_before": pytest.approx(17 / 37),
        "coverage_after": 0.0,
    }


def test_what_if_the_only_decider_leaves() -> None:
    result = what_if(tender_with_an_adviser(), "d", as_of=AS_OF, tender_id="T")
    assert result["changes"] == [{"id": "x", "name": "X", "before": pytest.approx(17 / 37),
                                  "after": 0.0, "delta": pytest.approx(-17 / 37)}]
    assert result["coverage_after"] == 0.0


def test_what_if_leaves_the_input_graph_alone() -> None:
    g = tender_with_an_adviser()
    what_if(g, "x", as_of=AS_OF, tender_id="T")
    assert "x" in g and g.has_edge("x", "d")


@pytest.mark.parametrize("scope", [{}, {"tender_id": "T", "territory_id": "R"}])
def test_what_if_needs_exactly_one_scope(scope: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        what_if(tender_with_an_adviser(), "x", as_of=AS_OF, **scope)


@pytest.mark.parametrize("person_id, scope", [
    ("nobody", {"tender_id": "T"}), ("am", {"tender_id": "T"}), ("x", {"tender_id": "nothing"}),
    ("x", {"territory_id": "nowhere"})])
def test_what_if_unknown_ids(person_id: str, scope: dict[str, str]) -> None:
    with pytest.raises(KeyError):
        what_if(tender_with_an_adviser(), person_id, as_of=AS_OF, **scope)
