"""Influence graph, influence rank, decision power, importance and rank, against hand-worked values."""

from __future__ import annotations

import math
import random
from datetime import date
from typing import Any

import networkx as nx
import pytest
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.graphs import influence_graph, pagerank
from kamgraph.analysis.influence import (
    METRICS,
    _sampled_closeness,
    decision_power,
    importance,
    influence_rank,
    rank,
)
from kamgraph.demo import demo_records
from tests.analysis.builders import graph, node, person, rel

TODAY = date(2025, 6, 1)
A = DEFAULT.damping


def test_influence_graph_weights_time_windows_and_weak_ties() -> None:
    g = graph(
        *(person(p) for p in "abcdefgh"),
        node("Tender", "t1"), node("Tender", "t2"), node("Tender", "t3"),
        node("Event", "ev1", date="2025-03-01"), node("Event", "ev2", date="2025-04-01"),
        node("Event", "ev3", date="2025-09-01"),
        rel("INFLUENCES", "a", "b", weight=0.8),
        rel("KNOWS", "a", "b", weight=1.0),                        # 0.5 both ways; a->b caps at 1
        rel("INFLUENCES", "a", "c", weight=0.9, until="2025-01-01"),   # ended: ignored
        rel("INFLUENCES", "b", "c", weight=0.7, since="2025-07-01"),   # not yet: ignored
        rel("REPORTS_TO", "c", "b"),                                  # b -> c, formal 0.6
        rel("KNOWS", "a", "d", weight=0.6),                           # 0.3 both ways
        rel("INFLUENCES", "d", "a"),                                  # default 0.5, + 0.3
        rel("ROLE_IN", "e", "t1", role="evaluator"), rel("ROLE_IN", "f", "t1", role="approver"),
        rel("ROLE_IN", "e", "t2", role="evaluator"), rel("ROLE_IN", "f", "t2", role="approver"),
        rel("ATTENDED", "e", "ev1"), rel("ATTENDED", "f", "ev1"),
        rel("ATTENDED", "e", "ev2"), rel("ATTENDED", "f", "ev2"),     # 4 x 0.1, capped at 0.3
        rel("ROLE_IN", "g", "t3", role="evaluator"), rel("ROLE_IN", "h", "t3", role="approver"),
        rel("ATTENDED", "g", "ev3"), rel("ATTENDED", "h", "ev3"),     # future event: ignored
    )
    weights = {(s, e): w for s, e, w in influence_graph(g, as_of=TODAY).edges(data="weight")}
    assert weights == pytest.approx({
        ("a", "b"): 1.0, ("b", "a"): 0.5, ("b", "c"): 0.6, ("a", "d"): 0.3, ("d", "a"): 0.8,
        ("e", "f"): 0.3, ("f", "e"): 0.3, ("g", "h"): 0.1, ("h", "g"): 0.1})


def test_influence_graph_keeps_untied_people_and_only_people() -> None:
    g = graph(person("a"), person("b"), node("Organization", "h", type="hospital"),
              rel("WORKS_AT", "a", "h", seniority="head"))
    influence = influence_graph(g, as_of=TODAY)
    assert sorted(influence) == ["a", "b"] and influence.number_of_edges() == 0


# --- influence rank ----------------------------------------------------------------------

CHAIN = pytest.approx([(1 + A + A**2) / (3 + 2 * A + A**2), (1 + A) / (3 + 2 * A + A**2),
                       1 / (3 + 2 * A + A**2)])  # a, b, c


def _ours(graph_: nx.DiGraph, **kw: Any) -> dict[str, float]:
    return pagerank(graph_, config=AnalysisConfig(damping=A), **kw)


def _networkx(graph_: nx.DiGraph, **kw: Any) -> dict[str, float]:
    return _pagerank_python(graph_, alpha=A, tol=1e-12, max_iter=1000, **kw)


@pytest.mark.parametrize("implementation", [_ours, _networkx])
def test_pagerank_on_a_three_node_chain_matches_the_closed_form(implementation) -> None:
    # Reversed chain c -> b -> a, a dangling. With u = (1 - A + A x_a) / 3:
    # x_c = u, x_b = (1 + A) u, x_a = (1 + A + A^2) u, and the sum 1 gives u = 1 / (3 + 2A + A^2).
    ranks = implementation(nx.DiGraph([("c", "b"), ("b", "a")]))
    assert [ranks[n] for n in "abc"] == CHAIN


def test_influence_rank_reverses_the_influence_graph() -> None:
    influence = nx.DiGraph([("a", "b", {"weight": 0.3}), ("b", "c", {"weight": 0.9})])
    ranks = influence_rank(influence)
    assert [ranks[n] for n in "abc"] == CHAIN  # one out-edge each: weights do not matter
    assert sum(ranks.values()) == pytest.approx(1.0)


def test_influence_rank_of_an_empty_graph_is_empty() -> None:
    assert influence_rank(nx.DiGraph()) == {}


def test_pagerank_agrees_with_networkx_on_a_weighted_personalized_graph() -> None:
    rng = random.Random(3)
    g = nx.gnm_random_graph(25, 70, seed=3, directed=True)
    for _s, _e, attrs in g.edges(data=True):
        attrs["weight"] = rng.uniform(0.05, 1.0)
    restart = {n: rng.random() for n in range(0, 25, 4)}
    ours = _ours(g, personalization=restart)
    theirs = _networkx(g, personalization=restart)
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_pagerank_personalization_leaves_unreached_nodes_at_zero() -> None:
    ranks = _ours(nx.DiGraph([("a", "b"), ("c", "a")]), personalization={"a": 1.0})
    # From a the walk goes to b (dangling) and restarts at a: x_b = A x_a, x_a + x_b = 1.
    assert ranks == pytest.approx({"a": 1 / (1 + A), "b": A / (1 + A), "c": 0.0})
    assert ranks["c"] == 0.0


def test_pagerank_refuses_a_personalization_without_weight() -> None:
    with pytest.raises(ValueError, match="positive weight"):
        pagerank(nx.DiGraph([("a", "b")]), personalization={"a": 0.0})


# --- decision power ----------------------------------------------------------------------


def test_decision_power_is_the_heaviest_current_position() -> None:
    g = graph(
        *(person(p) for p in ("p1", "p2", "p3", "p4", "p5", "p6", "p7")),
        node("Organization", "h", type="hospital"), node("Organization", "m", type="health_authority"),
        node("Tender", "open", status="published"), node("Tender", "won", status="awarded"),
        node("Tender", "off", status="cancelled"), node("Tender", "new"),
        rel("WORKS_AT", "p1", "h", seniority="executive"),
        rel("WORKS_AT", "p2", "h", seniority="staff"), rel("ROLE_IN", "p2", "open", role="evaluator"),
        rel("WORKS_AT", "p3", "m", seniority="executive", until="2024-12-31"),
        rel("WORKS_AT", "p3", "h", seniority="head"),
        rel("WORKS_AT", "p4", "h", seniority="staff"), rel("ROLE_IN", "p4", "won", role="approver"),
        rel("ROLE_IN", "p4", "off", role="decision_maker"),
        rel("ROLE_IN", "p5", "new", role="requester"),
        rel("WORKS_AT", "p7", "h", seniority="senior", since="2025-09-01"),
    )
    assert decision_power(g, as_of=TODAY) == pytest.approx(
        {"p1": 1.0, "p2": 0.7, "p3": 0.7, "p4": 0.2, "p5": 0.4, "p6": 0.0, "p7": 0.0})


def test_decision_power_weights_come_from_the_config() -> None:
    g = graph(person("p"), node("Organization", "h", type="hospital"),
              rel("WORKS_AT", "p", "h", seniority="staff"))
    config = AnalysisConfig(seniority={"staff": 0.33})
    assert decision_power(g, as_of=TODAY, config=config) == {"p": 0.33}


# --- importance --------------------------------------------------------------------------


def _two_people() -> nx.MultiDiGraph:
    return graph(person("a"), person("b"), node("Organization", "h", type="hospital"),
                 rel("INFLUENCES", "a", "b", weight=0.5),
                 rel("WORKS_AT", "b", "h", seniority="executive"))


def test_importance_blends_scaled_influence_and_decision_power() -> None:
    # Reversed: b -> a, a dangling: x_a = (1 + A) x_b, so a has the top rank and b 1 / (1 + A) of it.
    scores = importance(_two_people(), as_of=TODAY)
    assert scores == pytest.approx({"a": 0.5 * 1 + 0.5 * 0.0, "b": 0.5 / (1 + A) + 0.5 * 1.0})


def test_importance_takes_given_ranks_and_the_config_share() -> None:
    config = AnalysisConfig(importance_influence=0.8)
    scores = importance(_two_people(), as_of=TODAY, config=config,
                        influence={"a": 0.2, "b": 0.4, "elsewhere": 0.9})
    # the maximum is taken over the people of the graph (b), not over the whole mapping
    assert scores == pytest.approx({"a": 0.8 * 0.5, "b": 0.8 * 1.0 + 0.2 * 1.0})


# --- rank --------------------------------------------------------------------------------


def _staffed() -> nx.MultiDiGraph:
    return graph(
        person("b", stance="champion"), person("a"), person("c", stance="skeptic"),
        node("Organization", "h", type="hospital", name="City Hospital"),
        node("Organization", "u", type="university", name="Medical University"),
        rel("WORKS_AT", "a", "h", seniority="staff"), rel("WORKS_AT", "a", "u", seniority="head"),
        rel("WORKS_AT", "b", "h", seniority="head"),
        rel("WORKS_AT", "c", "u", seniority="executive", until="2025-01-01"),
    )


def test_rank_shape_organization_stance_and_ties_by_id() -> None:
    result = rank(_staffed(), metric="decision", as_of=TODAY)
    assert result == {"metric": "decision", "as_of": "2025-06-01", "sampled": False, "items": [
        {"id": "a", "name": "Dr A", "score": 0.7, "label": "Stakeholder",
         "organization": "Medical University", "stance": "unknown"},
        {"id": "b", "name": "Dr B", "score": 0.7, "label": "Stakeholder",
         "organization": "City Hospital", "stance": "champion"},
        {"id": "c", "name": "Dr C", "score": 0.0, "label": "Stakeholder",
         "organization": None, "stance": "skeptic"}]}


def test_rank_top_keeps_the_best() -> None:
    assert [i["id"] for i in rank(_staffed(), metric="decision", as_of=TODAY, top=1)["items"]] == ["a"]


def test_rank_refuses_an_unknown_metric_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown metric 'fame'.*influence, decision, importance"):
        rank(_staffed(), metric="fame", as_of=TODAY)


def _path_graph() -> nx.MultiDiGraph:
    # social ties a-b 0.5 (distance 2) and b-c 0.25 (distance 4)
    return graph(person("a"), person("b"), person("c"),
                 rel("INFLUENCES", "a", "b", weight=0.5), rel("INFLUENCES", "b", "c", weight=0.25))


def _scores(g: nx.MultiDiGraph, metric: str, **kw: Any) -> dict[str, float]:
    return {item["id"]: item["score"] for item in rank(g, metric=metric, as_of=TODAY, **kw)["items"]}


def test_closeness_uses_distance_one_over_weight() -> None:
    # closeness = (n - 1) / sum of distances: a 2 / (2 + 6), b 2 / (2 + 4), c 2 / (4 + 6)
    assert _scores(_path_graph(), "closeness") == pytest.approx({"a": 0.25, "b": 1 / 3, "c": 0.2})


def test_degree_is_weighted_degree_over_n_minus_one() -> None:
    assert _scores(_path_graph(), "degree") == pytest.approx({"a": 0.25, "b": 0.375, "c": 0.125})


def test_eigenvector_is_weighted() -> None:
    # A x = lambda x with lambda = sqrt(0.5^2 + 0.25^2): x ~ (0.5, lambda, 0.25), unit length
    lam = math.sqrt(0.3125)
    norm = math.sqrt(0.25 + 0.3125 + 0.0625)
    expected = {"a": 0.5 / norm, "b": lam / norm, "c": 0.25 / norm}
    assert _scores(_path_graph(), "eigenvector") == pytest.approx(expected, abs=1e-5)


def test_betweenness_follows_strong_ties_not_the_shortest_hop_count() -> None:
    # a-c share only a congress (0.1, distance 10); a-b-c over two 0.5 ties (distance 4):
    # b brokers every a-c route. Unweighted, the direct tie would leave b with nothing.
    g = graph(person("a"), person("b"), person("c"), node("Event", "ev", date="2025-01-10"),
              rel("INFLUENCES", "a", "b", weight=0.5), rel("INFLUENCES", "c", "b", weight=0.5),
              rel("ATTENDED", "a", "ev"), rel("ATTENDED", "c", "ev"))
    assert _scores(g, "betweenness") == pytest.approx({"a": 0.0, "b": 1.0, "c": 0.0})


@pytest.mark.parametrize("metric", ["betweenness", "closeness"])
def test_large_graphs_are_sampled_with_the_seed(metric: str) -> None:
    g = graph(*(person(f"p{i}") for i in range(6)),
              *(rel("INFLUENCES", f"p{i}", f"p{i + 1}", weight=0.5) for i in range(5)))
    exact = rank(g, metric=metric, as_of=TODAY, sample_above=6)
    first = rank(g, metric=metric, as_of=TODAY, sample_above=3, seed=11)
    again = rank(g, metric=metric, as_of=TODAY, sample_above=3, seed=11)
    assert not exact["sampled"] and first["sampled"]
    assert first == again
    assert all(0.0 <= item["score"] <= 1.0 for item in first["items"])


def test_sampled_closeness_is_exact_when_everyone_is_sampled() -> None:
    social = nx.gnm_random_graph(20, 30, seed=5)
    social.add_node(20)  # alone
    rng = random.Random(5)
    for _s, _e, attrs in social.edges(data=True):
        attrs["distance"] = rng.uniform(1, 10)
    assert _sampled_closeness(social, list(social)) == pytest.approx(
        nx.closeness_centrality(social, distance="distance"))


@pytest.mark.parametrize("metric", METRICS)
def test_every_metric_handles_a_graph_without_people(metric: str) -> None:
    assert rank(graph(node("Organization", "h", type="hospital")), metric=metric,
                as_of=TODAY)["items"] == []


@pytest.fixture(scope="module")
def demo() -> nx.MultiDiGraph:
    return graph(*demo_records(300, today=TODAY))


@pytest.mark.parametrize("metric", METRICS)
def test_every_metric_ranks_the_demo_market(demo: nx.MultiDiGraph, metric: str) -> None:
    result = rank(demo, metric=metric, as_of=TODAY, top=5)
    scores = [item["score"] for item in result["items"]]
    assert len(scores) == 5 and scores == sorted(scores, reverse=True)
    assert all(item["label"] == "Stakeholder" for item in result["items"])


def test_influence_rank_of_the_demo_market_sums_to_one(demo: nx.MultiDiGraph) -> None:
    ranks = influence_rank(influence_graph(demo, as_of=TODAY))
    assert len(ranks) == 300 and math.fsum(ranks.values()) == pytest.approx(1.0)
