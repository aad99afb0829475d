"""Warm paths and next best engagements, against hand-worked strengths."""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx
import pytest

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.graphs import covered_people, strongest_paths
from kamgraph.analysis.paths import next_best, warm_network, warm_paths
from kamgraph.analysis.tender import quiet_role_holders, tender_scores
from kamgraph.demo import demo_records
from tests.analysis.builders import graph, node, person, rel

TODAY = date(2025, 6, 1)
NO_WEAK_TIES = AnalysisConfig(shared_committee=0.0)


def team(*extra: dict[str, Any]) -> nx.MultiDiGraph:
    """k1 trusts a (0.75), k2 is engaged with b at 0.9; ties a-t 0.8, b-t 0.5, a-b 0.4."""
    return graph(
        node("AccountManager", "k1"), node("AccountManager", "k2"),
        person("a"), person("b"), person("t"),
        rel("RELATES_TO", "k1", "a", stage="trusted"),
        rel("RELATES_TO", "k2", "b", stage="engaged", strength=0.9),
        rel("INFLUENCES", "a", "t", weight=0.8),
        rel("KNOWS", "b", "t", weight=1.0),
        rel("INFLUENCES", "a", "b", weight=0.4),
        *extra,
    )


K1_A_T = {"nodes": ["k1", "a", "t"], "strength": 0.6, "stage": "trusted"}             # 0.75 * 0.8
K2_B_T = {"nodes": ["k2", "b", "t"], "strength": 0.45, "stage": "engaged"}            # 0.9 * 0.5
K2_B_A_T = {"nodes": ["k2", "b", "a", "t"], "strength": 0.288, "stage": "engaged"}    # 0.9 * 0.4 * 0.8
K1_A_B_T = {"nodes": ["k1", "a", "b", "t"], "strength": 0.15, "stage": "trusted"}     # 0.75 * 0.4 * 0.5


def test_warm_paths_are_the_strongest_products_strongest_first() -> None:
    assert warm_paths(team(), "t", as_of=TODAY) == {"target": "t", "paths": [K1_A_T, K2_B_T, K2_B_A_T]}
    assert warm_paths(team(), "t", as_of=TODAY, k=10)["paths"] == [K1_A_T, K2_B_T, K2_B_A_T, K1_A_B_T]


def test_warm_paths_from_one_account_manager() -> None:
    assert warm_paths(team(), "t", as_of=TODAY, source="k2")["paths"] == [K2_B_T, K2_B_A_T]


def test_warm_paths_count_every_edge_against_max_hops() -> None:
    assert warm_paths(team(), "t", as_of=TODAY, max_hops=2)["paths"] == [K1_A_T, K2_B_T]
    assert warm_paths(team(), "t", as_of=TODAY, max_hops=1)["paths"] == []
    short = AnalysisConfig(path_hops=2)
    assert warm_paths(team(), "t", as_of=TODAY, k=10, config=short)["paths"] == [K1_A_T, K2_B_T]


def test_equal_strengths_are_ordered_by_node_ids() -> None:
    g = graph(node("AccountManager", "k"), person("t"), person("m2"), person("m1"),
              rel("RELATES_TO", "k", "m2", stage="trusted"), rel("RELATES_TO", "k", "m1", stage="trusted"),
              rel("INFLUENCES", "m2", "t", weight=0.8), rel("INFLUENCES", "m1", "t", weight=0.8))
    paths = warm_paths(g, "t", as_of=TODAY, k=2)["paths"]
    assert [p["nodes"] for p in paths] == [["k", "m1", "t"], ["k", "m2", "t"]]
    assert paths[0]["strength"] == paths[1]["strength"] == pytest.approx(0.6)


def test_only_current_relationships_with_some_strength_open_a_path() -> None:
    g = team(node("AccountManager", "k3"), node("AccountManager", "k4"), node("AccountManager", "k5"),
             rel("RELATES_TO", "k3", "t", stage="trusted", since="2025-09-01"),  # not yet
             rel("RELATES_TO", "k4", "t", stage="unknown"),                       # strength 0
             rel("RELATES_TO", "k5", "b", stage="acquainted"))                    # 0.25
    paths = warm_paths(g, "t", as_of=TODAY, k=10)["paths"]
    assert {"nodes": ["k5", "b", "t"], "strength": 0.125, "stage": "acquainted"} in paths
    assert not any(p["nodes"][0] in {"k3", "k4"} for p in paths)


def _quiet_a() -> list[dict[str, Any]]:
    return [node("Tender", "q", status="evaluation"), rel("ROLE_IN", "a", "q", role="evaluator")]


def test_quiet_role_holders_are_left_out_as_intermediates_unless_asked() -> None:
    g = team(*_quiet_a())
    assert warm_paths(g, "t", as_of=TODAY, k=10)["paths"] == [K2_B_T]
    assert warm_paths(g, "t", as_of=TODAY, k=10, include_quiet=True)["paths"] == [
        K1_A_T, K2_B_T, K2_B_A_T, K1_A_B_T]


def test_a_quiet_target_gets_no_paths_and_a_note() -> None:
    g = team(*_quiet_a())
    result = warm_paths(g, "a", as_of=TODAY)
    assert result["paths"] == [] and "quiet period" in result["note"]
    assert warm_paths(g, "a", as_of=TODAY, include_quiet=True)["paths"][0] == {
        "nodes": ["k1", "a"], "strength": 0.75, "stage": "trusted"}
    assert "note" not in warm_paths(g, "t", as_of=TODAY)


@pytest.mark.parametrize(("target", "source"), [("nobody", None), ("k1", None), ("t", "a"), ("t", "k9")])
def test_unknown_target_or_source_is_a_key_error(target: str, source: str | None) -> None:
    with pytest.raises(KeyError):
        warm_paths(team(), target, as_of=TODAY, source=source)


def test_warm_network_weights() -> None:
    network = warm_network(team(), as_of=TODAY)
    assert network["k2"]["b"] == {"weight": 0.9, "stage": "engaged"}
    assert network["b"]["t"]["weight"] == network["t"]["b"]["weight"] == 0.5
    assert not network.has_edge("a", "k1")


def test_strongest_paths_end_at_the_first_target() -> None:
    g = nx.DiGraph()
    g.add_weighted_edges_from([("s", "t1", 0.5), ("t1", "t2", 1.0), ("s", "m", 0.9), ("m", "t2", 0.9)])
    assert strongest_paths(g, ["s"], {"t1", "t2"}, k=5, max_hops=4) == [
        (["s", "m", "t2"], 0.81), (["s", "t1"], 0.5)]


# --- next best engagements ---------------------------------------------------------------


def committee(status: str = "published", *extra: dict[str, Any]) -> nx.MultiDiGraph:
    """Tender t: decision maker d, evaluator e; x (ours, trusted by k1) sways d with 0.8;
    k2 knows d (acquainted, 0.3); y sways nobody."""
    return graph(
        node("Tender", "t", status=status), node("AccountManager", "k1"), node("AccountManager", "k2"),
        *(person(p) for p in "dexy"),
        rel("ROLE_IN", "d", "t", role="decision_maker"), rel("ROLE_IN", "e", "t", role="evaluator"),
        rel("INFLUENCES", "x", "d", weight=0.8),
        rel("RELATES_TO", "k1", "x", stage="trusted"),
        rel("RELATES_TO", "k2", "d", stage="acquainted", strength=0.3),
        *extra,
    )


# Tender influence (see test_tender): d = 20/51, e = 14/51, x = 17/51 (covered), y = 0.
D_ITEM = {"id": "d", "name": "Dr D", "gain": pytest.approx(20 / 51), "score": pytest.approx(20 / 51),
          "path": {"nodes": ["k1", "x", "d"], "strength": 0.6, "stage": "trusted"}}
E_ITEM = {"id": "e", "name": "Dr E", "gain": pytest.approx(14 / 51), "score": pytest.approx(14 / 51),
          "path": None}


def test_next_best_are_the_uncovered_with_most_tender_influence() -> None:
    result = next_best(committee(), "t", as_of=TODAY, config=NO_WEAK_TIES)
    assert result == {"tender": "t", "items": [D_ITEM, E_ITEM]}
    assert next_best(committee(), "t", as_of=TODAY, k=1, config=NO_WEAK_TIES)["items"] == [D_ITEM]


def test_gain_is_what_covering_them_adds_to_coverage() -> None:
    g = committee()
    scores = tender_scores(g, "t", as_of=TODAY, config=NO_WEAK_TIES)
    best = next_best(g, "t", as_of=TODAY, k=1, config=NO_WEAK_TIES)["items"][0]
    assert best["gain"] == scores["d"]


def test_next_best_leaves_quiet_role_holders_out_unless_asked() -> None:
    g = committee("evaluation")
    assert next_best(g, "t", as_of=TODAY, config=NO_WEAK_TIES)["items"] == []
    assert next_best(g, "t", as_of=TODAY, include_quiet=True, config=NO_WEAK_TIES)["items"] == [
        D_ITEM, E_ITEM]


def test_next_best_paths_avoid_people_in_a_quiet_period() -> None:
    g = committee("published", node("Tender", "t2", status="evaluation"),
                  rel("ROLE_IN", "x", "t2", role="evaluator"))
    item = next_best(g, "t", as_of=TODAY, k=1, config=NO_WEAK_TIES)["items"][0]
    assert item["path"] == {"nodes": ["k2", "d"], "strength": 0.3, "stage": "acquainted"}
    item = next_best(g, "t", as_of=TODAY, k=1, include_quiet=True, config=NO_WEAK_TIES)["items"][0]
    assert item["path"] == D_ITEM["path"]


def test_next_best_of_an_unknown_tender_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="nope"):
        next_best(committee(), "nope", as_of=TODAY)


# --- the demo market ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> nx.MultiDiGraph:
    return graph(*demo_records(300, today=TODAY))


def _is_warm_path(g: nx.MultiDiGraph, nodes: list[str], quiet: set[str]) -> bool:
    return (g.nodes[nodes[0]]["label"] == "AccountManager" and len(nodes) <= DEFAULT.path_hops + 1
            and len(set(nodes)) == len(nodes) and not quiet & set(nodes))


def test_demo_warm_paths_are_warm_simple_short_and_sorted(demo: nx.MultiDiGraph) -> None:
    quiet = quiet_role_holders(demo, as_of=TODAY)
    targets = [n for n, label in demo.nodes(data="label") if label == "Stakeholder"][::15]
    for target in targets:
        result = warm_paths(demo, target, as_of=TODAY, k=5)
        strengths = [p["strength"] for p in result["paths"]]
        assert strengths == sorted(strengths, reverse=True)
        assert ("note" in result) == (target in quiet)
        assert all(_is_warm_path(demo, p["nodes"], quiet) and p["nodes"][-1] == target
                   for p in result["paths"])


def test_demo_next_best_skips_covered_and_quiet_people(demo: nx.MultiDiGraph) -> None:
    quiet = quiet_role_holders(demo, as_of=TODAY)
    covered = set(covered_people(demo, as_of=TODAY))
    tenders = [n for n, label in demo.nodes(data="label") if label == "Tender"]
    for tender in tenders[:8]:
        items = next_best(demo, tender, as_of=TODAY)["items"]
        assert items and not (quiet | covered) & {item["id"] for item in items}
        assert [i["gain"] for i in items] == sorted((i["gain"] for i in items), reverse=True)
        assert all(item["path"] is None or _is_warm_path(demo, item["path"]["nodes"], quiet)
                   for item in items)
