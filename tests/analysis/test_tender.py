"""Tender influence, its balances, quiet periods and conflicts, against hand-worked values."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.tender import quiet_role_holders, tender_influence, tender_scores
from kamgraph.demo import demo_records
from kamgraph.model import STANCES, TENDER_ROLES
from tests.analysis.builders import graph, node, person, rel

TODAY = date(2025, 6, 1)
A = DEFAULT.damping
NO_WEAK_TIES = AnalysisConfig(shared_committee=0.0)


def committee(**tender: Any) -> list[dict[str, Any]]:
    """Tender t: decision maker d (champion), evaluator and requester e (opponent),
    x (supporter) sways d with 0.8, y (neutral) sways nobody; our k1 trusts x, knows d."""
    return [
        node("Tender", "t", **{"status": "published", **tender}),
        node("Organization", "h", type="hospital", name="City Hospital"),
        node("Organization", "rival", type="competitor", name="Rival Pharma"),
        node("Organization", "us", type="own_company", name="Veltara Pharma"),
        node("AccountManager", "k1"), node("AccountManager", "k2"),
        person("d", stance="champion"), person("e", stance="opponent"),
        person("x", stance="supporter"), person("y", stance="neutral"),
        rel("ISSUED_BY", "t", "h"),
        rel("ROLE_IN", "d", "t", role="decision_maker"),
        rel("ROLE_IN", "e", "t", role="evaluator"), rel("ROLE_IN", "e", "t", role="requester"),
        rel("INFLUENCES", "x", "d", weight=0.8),
        rel("WORKS_AT", "d", "h", seniority="head"),
        rel("ALIGNED_WITH", "e", "rival", strength=0.7),
        rel("ALIGNED_WITH", "x", "rival", strength=0.3),
        rel("ALIGNED_WITH", "d", "us", strength=0.5, kind="speaker"),
        rel("RELATES_TO", "k1", "x", stage="trusted"),
        rel("RELATES_TO", "k1", "d", stage="acquainted"),
        rel("RELATES_TO", "k2", "d", stage="acquainted", strength=0.3),
    ]


# Without weak ties the reversed graph is d -> x only. Restart p_d = 1 / 1.7, p_e = 0.7 / 1.7
# (e's heavier role, evaluator 0.7, not the sum with requester 0.4). With L = A x_x + 1 - A:
# x_d = L p_d, x_e = L p_e, x_x = A x_d, and the sum 1 gives L = 1 / (1 + A p_d) = 2/3:
# d = 20/51, e = 14/51, x = 17/51.
D, E, X = 20 / 51, 14 / 51, 17 / 51


def test_tender_influence_scores_restart_at_role_holders_by_their_heaviest_role() -> None:
    result = tender_influence(graph(*committee()), "t", as_of=TODAY, config=NO_WEAK_TIES)
    assert {i["id"]: i["score"] for i in result["items"]} == pytest.approx({"d": D, "x": X, "e": E})
    assert [i["id"] for i in result["items"]] == ["d", "x", "e"]  # y reaches nobody: left out


def test_support_balance_coverage_and_competitor_exposure() -> None:
    result = tender_influence(graph(*committee()), "t", as_of=TODAY, config=NO_WEAK_TIES)
    assert result["support_balance"] == pytest.approx(D * 1.0 + E * -1.0 + X * 0.5)  # 29/102
    assert result["coverage"] == pytest.approx(X)  # only x is engaged or closer
    assert result["competitor_exposure"] == pytest.approx(E + X)  # our own company does not count


def test_items_say_where_we_stand_with_each_person() -> None:
    items = {i["id"]: i for i in tender_influence(graph(*committee()), "t", as_of=TODAY,
                                                  config=NO_WEAK_TIES)["items"]}
    d, e, x = items["d"], items["e"], items["x"]
    assert d["role"] == ["decision_maker"] and e["role"] == ["evaluator", "requester"] and x["role"] == []
    assert (d["name"], d["organization"], d["stance"]) == ("Dr D", "City Hospital", "champion")
    assert d["relationship"] == {"account_manager": "k2", "stage": "acquainted", "strength": 0.3}
    assert x["relationship"] == {"account_manager": "k1", "stage": "trusted", "strength": 0.75}
    assert e["relationship"] is None
    assert (d["covered"], e["covered"], x["covered"]) == (False, False, True)
    assert (d["competitor"], e["competitor"], x["competitor"]) == (None, "Rival Pharma", "Rival Pharma")
    # conflicts are for role holders only: d speaks for us, e for the rival; x holds no role
    assert (d["flags"], e["flags"], x["flags"]) == (["conflict_of_interest"], ["conflict_of_interest"], [])
    assert x["explanation"] == [{"nodes": ["x", "d"], "strength": 0.8}]
    assert d["explanation"] == [] and e["explanation"] == []


def test_the_tender_summary() -> None:
    tender = tender_influence(graph(*committee(value=1200000, currency="RUB")), "t",
                              as_of=TODAY)["tender"]
    assert tender == {"id": "t", "name": "Tender t", "status": "published", "quiet_period": False,
                      "issuer": "City Hospital", "role_holders": 2, "value": 1200000,
                      "currency": "RUB", "announced": None, "deadline": None, "quiet_from": None,
                      "quiet_until": None}


def test_default_weak_ties_join_the_committee_and_scores_still_sum_to_one() -> None:
    # d and e share the committee: 0.1 both ways. Reversed: d -> x 0.8, d -> e 0.1, e -> d 0.1.
    # x_d = A x_e + L p_d, x_e = A x_d / 9 + L p_e, x_x = 8 A x_d / 9, L = A x_x + 1 - A.
    p_d, p_e = 1 / 1.7, 0.7 / 1.7
    # Substituting x_e: x_d (1 - A^2 / 9) = L (p_d + A p_e), so x_d = k L; then x_e and x_x are
    # multiples of L too, and x_d + x_e + x_x = 1 gives L.
    k = (p_d + A * p_e) / (1 - A**2 / 9)
    x_e_per_l = A * k / 9 + p_e
    big_l = 1 / (k + x_e_per_l + 8 * A * k / 9)
    expected = {"d": k * big_l, "e": x_e_per_l * big_l, "x": 8 * A * k * big_l / 9}
    assert big_l == pytest.approx(A * expected["x"] + 1 - A)
    scores = tender_scores(graph(*committee()), "t", as_of=TODAY)
    assert scores == pytest.approx(expected)
    assert math.fsum(scores.values()) == pytest.approx(1.0)


def test_explanation_lists_the_strongest_paths_to_the_first_role_holder() -> None:
    g = graph(
        node("Tender", "t", status="published"), *(person(p) for p in "admez"),
        rel("ROLE_IN", "d", "t", role="approver"), rel("ROLE_IN", "e", "t", role="evaluator"),
        rel("INFLUENCES", "a", "d", weight=0.5), rel("INFLUENCES", "a", "m", weight=0.9),
        rel("INFLUENCES", "m", "d", weight=0.9), rel("INFLUENCES", "m", "e", weight=0.5),
        rel("INFLUENCES", "d", "e", weight=1.0), rel("INFLUENCES", "z", "a", weight=0.5),
    )
    items = {i["id"]: i["explanation"] for i in tender_influence(
        g, "t", as_of=TODAY, config=NO_WEAK_TIES)["items"]}
    # a -> d -> e stops at d; a -> m -> d -> e too
    assert items["a"] == [{"nodes": ["a", "m", "d"], "strength": 0.81},
                          {"nodes": ["a", "d"], "strength": 0.5},
                          {"nodes": ["a", "m", "e"], "strength": 0.45}]
    assert items["d"] == [{"nodes": ["d", "e"], "strength": 1.0}]
    assert items["z"][0] == {"nodes": ["z", "a", "m", "d"], "strength": pytest.approx(0.405)}
    one = AnalysisConfig(shared_committee=0.0, explanation_paths=1, path_hops=2)
    items = {i["id"]: i["explanation"] for i in tender_influence(g, "t", as_of=TODAY, config=one)["items"]}
    assert items["a"] == [{"nodes": ["a", "m", "d"], "strength": 0.81}]
    assert items["z"] == [{"nodes": ["z", "a", "d"], "strength": 0.25}]  # 3 hops are too many


def test_equal_scores_are_listed_by_id() -> None:
    g = graph(node("Tender", "t", status="published"), person("b"), person("a"), person("c"),
              rel("ROLE_IN", "b", "t", role="evaluator"), rel("ROLE_IN", "a", "t", role="evaluator"),
              rel("INFLUENCES", "c", "a", weight=0.5), rel("INFLUENCES", "c", "b", weight=0.5))
    # c sways both evaluators alike. With L = A c + 1 - A (c is dangling): a = b = L / 2 and
    # c = A (a + b) = A L, so L = 1 / (1 + A).
    items = tender_influence(g, "t", as_of=TODAY, config=NO_WEAK_TIES)["items"]
    assert [i["id"] for i in items] == ["c", "a", "b"]
    assert [i["score"] for i in items] == pytest.approx([A / (1 + A), 0.5 / (1 + A), 0.5 / (1 + A)])


def test_unknown_tender_is_a_key_error() -> None:
    g = graph(*committee())
    for missing in ("nope", "d"):
        with pytest.raises(KeyError, match=missing):
            tender_influence(g, missing, as_of=TODAY)


def test_a_tender_without_role_holders_has_no_scores() -> None:
    g = graph(node("Tender", "t", status="planned"), person("a"))
    result = tender_influence(g, "t", as_of=TODAY)
    assert (result["support_balance"], result["coverage"], result["competitor_exposure"],
            result["items"]) == (0, 0, 0, [])


# --- quiet periods -----------------------------------------------------------------------


@pytest.mark.parametrize(("tender", "quiet"), [
    ({"status": "evaluation"}, True),
    ({"status": "published", "quiet_from": "2025-05-20", "quiet_until": "2025-06-10"}, True),
    ({"status": "published", "quiet_from": "2025-06-01", "quiet_until": "2025-06-01"}, True),
    ({"status": "published", "quiet_from": "2025-05-01"}, True),
    ({"status": "published", "quiet_from": "2025-05-01", "quiet_until": "2025-05-31"}, False),
    ({"status": "published", "quiet_from": "2025-06-02", "quiet_until": "2025-06-30"}, False),
    ({"status": "awarded"}, False),
])
def test_quiet_period_by_status_or_window(tender: dict[str, Any], quiet: bool) -> None:
    g = graph(*committee(**tender))
    result = tender_influence(g, "t", as_of=TODAY)
    assert result["tender"]["quiet_period"] is quiet
    assert quiet_role_holders(g, as_of=TODAY) == ({"d", "e"} if quiet else set())
    flags = {i["id"]: "quiet_period" in i["flags"] for i in result["items"]}
    assert flags == {"d": quiet, "e": quiet, "x": False}


def test_quiet_period_of_another_tender_is_flagged_too() -> None:
    g = graph(*committee(), node("Tender", "t2", status="evaluation"),
              rel("ROLE_IN", "x", "t2", role="evaluator"))
    assert quiet_role_holders(g, as_of=TODAY) == {"x"}
    items = {i["id"]: i["flags"] for i in tender_influence(g, "t", as_of=TODAY)["items"]}
    assert items["x"] == ["quiet_period"] and items["d"] == ["conflict_of_interest"]


# --- properties --------------------------------------------------------------------------

PEOPLE = [f"p{i}" for i in range(6)]


@st.composite
def tenders(draw: st.DrawFn) -> nx.MultiDiGraph:
    """A tender with 1-4 role holders among 2-6 people joined by random influence."""
    people = PEOPLE[:draw(st.integers(2, 6))]
    g = nx.MultiDiGraph()
    g.add_node("t", label="Tender", name="T", status="published")
    g.add_node("k", label="AccountManager", name="K")
    for p in people:
        g.add_node(p, label="Stakeholder", name=p, stance=draw(st.sampled_from(STANCES)))
    for start, end, weight in draw(st.lists(st.tuples(
            st.sampled_from(people), st.sampled_from(people), st.floats(0.05, 1.0)), max_size=12)):
        if start != end:
            g.add_edge(start, end, key="INFLUENCES", type="INFLUENCES", weight=weight)
    for holder, role in draw(st.lists(st.tuples(st.sampled_from(people), st.sampled_from(TENDER_ROLES)),
                                      min_size=1, max_size=4)):
        g.add_edge(holder, "t", key=f"ROLE_IN:{role}", type="ROLE_IN", role=role)
    for covered in draw(st.lists(st.sampled_from(people), max_size=2)):
        g.add_edge("k", covered, key="RELATES_TO", type="RELATES_TO", stage="engaged")
    return g


@settings(max_examples=60, deadline=None)
@given(tenders())
def test_tender_influence_sums_to_one_over_people(g: nx.MultiDiGraph) -> None:
    scores = [item["score"] for item in tender_influence(g, "t", as_of=TODAY)["items"]]
    assert math.fsum(scores) == pytest.approx(1.0) and min(scores) > 0


@settings(max_examples=60, deadline=None)
@given(tenders(), st.sampled_from(PEOPLE))
def test_making_someone_a_champion_never_lowers_support_balance(g: nx.MultiDiGraph, who: str) -> None:
    before = tender_influence(g, "t", as_of=TODAY)["support_balance"]
    if who in g:
        g.nodes[who]["stance"] = "champion"
    assert tender_influence(g, "t", as_of=TODAY)["support_balance"] >= before - 1e-12


@settings(max_examples=60, deadline=None)
@given(tenders(), st.sampled_from(PEOPLE))
def test_covering_one_more_person_never_lowers_coverage(g: nx.MultiDiGraph, who: str) -> None:
    before = tender_influence(g, "t", as_of=TODAY)
    if who in g:
        g.add_edge("k", who, key="RELATES_TO", type="RELATES_TO", stage="advocate")
    after = tender_influence(g, "t", as_of=TODAY)
    assert after["coverage"] >= before["coverage"] - 1e-12
    newly = {i["id"]: i["score"] for i in before["items"] if i["id"] == who and not i["covered"]}
    # coverage is additive: it rises by exactly the newly covered person's score
    assert after["coverage"] == pytest.approx(before["coverage"] + sum(newly.values()))


# --- the demo market ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> nx.MultiDiGraph:
    return graph(*demo_records(300, today=TODAY))


def test_every_demo_tender_is_analysed_consistently(demo: nx.MultiDiGraph) -> None:
    quiet = quiet_role_holders(demo, as_of=TODAY)
    for tender in (n for n, label in demo.nodes(data="label") if label == "Tender"):
        result = tender_influence(demo, tender, as_of=TODAY)
        scores = [item["score"] for item in result["items"]]
        assert math.fsum(scores) == pytest.approx(1.0)
        assert scores == sorted(scores, reverse=True)
        assert -1 <= result["support_balance"] <= 1
        assert 0 <= result["coverage"] <= 1 + 1e-9 and 0 <= result["competitor_exposure"] <= 1 + 1e-9
        for item in result["items"]:
            assert ("quiet_period" in item["flags"]) == (item["id"] in quiet)
            assert all(len(p["nodes"]) <= DEFAULT.path_hops + 1 for p in item["explanation"])


def test_without_explanations_everything_else_is_the_same() -> None:
    full = tender_influence(graph(*committee()), "t", as_of=TODAY)
    bare = tender_influence(graph(*committee()), "t", as_of=TODAY, explain=False)
    assert any(item["explanation"] for item in full["items"])
    assert all(item["explanation"] == [] for item in bare["items"])
    assert bare == {**full, "items": [{**item, "explanation": []} for item in full["items"]]}
