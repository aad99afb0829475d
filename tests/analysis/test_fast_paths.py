"""The fast paths of ``graphs`` against the plain Python they replaced, on random graphs.

``pagerank`` runs on SciPy sparse matrices, ``reach_bounds`` steps all walks at once with
NumPy, and ``influence_graph`` / ``undirected_ties`` fill networkx's dicts directly. The
references below are the earlier implementations, kept here word for word in substance:
every fast path must give the same numbers (PageRank to 1e-9, the rest exactly) and, for
the graphs, the same node and neighbour order (factions and path ties depend on it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from itertools import combinations
from operator import mul, sub
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.graphs import (
    influence_graph,
    is_active,
    pagerank,
    reach_bounds,
    undirected_ties,
)
from kamgraph.analysis.paths import warm_network
from tests.analysis.builders import graph, node, person, rel

AS_OF = date(2025, 6, 1)

# -- references ----------------------------------------------------------------------------


def reference_pagerank(graph_: nx.DiGraph, *, personalization: Mapping[str, float] | None = None,
                       weight: str = "weight", reverse: bool = False,
                       config: AnalysisConfig = DEFAULT) -> dict[str, float]:
    """The pure-Python power iteration ``graphs.pagerank`` used before SciPy."""
    nodes = list(graph_)
    if not nodes:
        return {}
    if personalization is None:
        restart = [1.0 / len(nodes)] * len(nodes)
    else:
        raw = [max(0.0, float(personalization.get(n, 0.0))) for n in nodes]
        restart = [value / sum(raw) for value in raw]
    index = {n: i for i, n in enumerate(nodes)}
    steps = [(index[e], index[s], float(w)) if reverse else (index[s], index[e], float(w))
             for s, e, w in graph_.edges(data=weight, default=1.0)]
    out = [0.0] * len(nodes)
    for tail, _head, w in steps:
        out[tail] += w
    sources: list[list[int]] = [[] for _ in nodes]
    shares: list[list[float]] = [[] for _ in nodes]
    for tail, head, w in steps:
        if out[tail] > 0:
            sources[head].append(tail)
            shares[head].append(w / out[tail])
    dangling = [i for i, total in enumerate(out) if total <= 0]
    alpha, scores = config.damping, list(restart)
    for _ in range(config.pagerank_max_iter):
        leak = alpha * sum(scores[i] for i in dangling) + 1.0 - alpha
        pick = scores.__getitem__
        new = [alpha * sum(map(mul, map(pick, sources[i]), shares[i])) + leak * restart[i]
               for i in range(len(nodes))]
        change = sum(map(abs, map(sub, new, scores)))
        scores = new
        if change < len(nodes) * config.pagerank_tol:
            return dict(zip(nodes, scores, strict=True))
    raise nx.PowerIterationFailedConvergence(config.pagerank_max_iter)


def reference_reach_bounds(graph_: nx.Graph, targets: Iterable[str], max_hops: int
                           ) -> list[dict[str, float]]:
    targets = set(targets)
    predecessors = graph_.pred if graph_.is_directed() else graph_.adj
    layers = [{t: 1.0 for t in targets if t in graph_}]
    for _ in range(max_hops):
        layer = dict(layers[-1])
        for node_, bound in layers[-1].items():
            for tail, attrs in predecessors[node_].items():
                value = float(attrs.get("weight", 1.0)) * bound
                if tail not in targets and value > layer.get(tail, 0.0):
                    layer[tail] = value
        layers.append(layer)
    return layers


def reference_influence_graph(g: nx.MultiDiGraph, as_of: date,
                              config: AnalysisConfig = DEFAULT) -> nx.DiGraph:
    """``influence_graph`` as it was: pair-keyed sums, then networkx's own adders."""
    persons = {n for n, label in g.nodes(data="label") if label == "Stakeholder"}
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for start, end, attrs in g.edges(data=True):
        if start not in persons or end not in persons or not is_active(attrs, as_of):
            continue
        kind = attrs.get("type")
        if kind == "INFLUENCES":
            weights[start, end] += float(attrs.get("weight", config.influence_default))
        elif kind == "REPORTS_TO":
            weights[end, start] += config.formal_authority
        elif kind == "KNOWS":
            w = config.knows_factor * float(attrs.get("weight", config.knows_default))
            weights[start, end] += w
            weights[end, start] += w
    committees: dict[str, set[str]] = defaultdict(set)
    events: dict[str, set[str]] = defaultdict(set)
    for start, end, attrs in g.edges(data=True):
        if start not in persons:
            continue
        if attrs.get("type") == "ROLE_IN":
            committees[end].add(start)
        elif attrs.get("type") == "ATTENDED" and str(g.nodes[end].get("date", ""))[:10] <= as_of.isoformat():
            events[end].add(start)
    weak: dict[tuple[str, str], float] = defaultdict(float)
    gatherings = [*((m, config.shared_committee) for m in committees.values()),
                  *((m, config.shared_event) for m in events.values())]
    for members, w in gatherings:
        for pair in combinations(sorted(members), 2):
            weak[pair] = min(config.weak_tie_cap, weak[pair] + w)
    for (start, end), w in weak.items():
        weights[start, end] += w
        weights[end, start] += w
    result = nx.DiGraph()
    result.add_nodes_from((p, g.nodes[p]) for p in sorted(persons))
    result.add_weighted_edges_from((s, e, round(min(1.0, w), 12))
                                   for (s, e), w in sorted(weights.items()) if w > 0)
    return result


def reference_undirected_ties(influence: nx.DiGraph) -> nx.Graph:
    ties: dict[tuple[str, str], float] = {}
    for start, end, w in influence.edges(data="weight"):
        pair = (start, end) if start <= end else (end, start)
        ties[pair] = max(w, ties.get(pair, 0.0))
    social = nx.Graph()
    social.add_nodes_from(influence.nodes(data=True))
    social.add_weighted_edges_from((s, e, w) for (s, e), w in ties.items())
    return social


def layout(g: nx.Graph) -> list[Any]:
    """Everything order-sensitive about a graph: nodes with attributes, and each node's
    neighbours (successors and predecessors when directed) with their data, in dict order."""
    parts: list[Any] = [list(g.nodes(data=True))]
    parts += [(n, list(g.adj[n].items())) for n in g]
    if g.is_directed():
        parts += [(n, list(g.pred[n].items())) for n in g]
    return parts


# -- random inputs -------------------------------------------------------------------------

NAMES = [f"p{i:02d}" for i in range(12)]


@st.composite
def weighted_digraphs(draw: st.DrawFn, multi: bool = False) -> nx.DiGraph:
    size = draw(st.integers(1, 12))
    names = NAMES[:size]
    g = nx.MultiDiGraph() if multi else nx.DiGraph()
    g.add_nodes_from(draw(st.permutations(names)))
    pairs = draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)), max_size=40))
    for start, end in pairs:
        w = draw(st.one_of(st.none(), st.floats(0.0, 1.0)))
        g.add_edge(start, end, **({} if w is None else {"weight": w}))
    return g


@st.composite
def stored_graphs(draw: st.DrawFn) -> nx.MultiDiGraph:
    """Small stored graphs with every kind of tie the influence graph reads."""
    ids = NAMES[:draw(st.integers(1, 10))]
    records: list[dict[str, Any]] = [person(p) for p in draw(st.permutations(ids))]
    records += [node("AccountManager", "am"), node("AccountManager", "am2"), node("Tender", "t1"),
                node("Tender", "t2"), node("Event", "e1", date="2025-01-10"),
                node("Event", "e2", date="2025-09-10"),
                rel("REPORTS_TO", "am", "am2"), rel("ATTENDED", "am", "e1")]  # not people: no ties
    days = st.sampled_from([None, "2024-01-01", "2025-06-01", "2026-01-01"])
    unit = st.one_of(st.none(), st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 0.7, 0.85, 1.0]))
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(["INFLUENCES", "REPORTS_TO", "KNOWS", "ROLE_IN", "ATTENDED"]))
        start = draw(st.sampled_from(ids))
        props: dict[str, Any] = {}
        if kind == "ROLE_IN":
            end, props["role"] = draw(st.sampled_from(["t1", "t2"])), "evaluator"
        elif kind == "ATTENDED":
            end = draw(st.sampled_from(["e1", "e2"]))
        else:
            end = draw(st.sampled_from(ids))
            if end == start:
                continue
            if kind != "KNOWS":
                since, until = draw(days), draw(days)
                if since and until and until < since:
                    since, until = until, since
                props.update({k: v for k, v in (("since", since), ("until", until)) if v})
            if kind != "REPORTS_TO" and (w := draw(unit)) is not None:
                props["weight"] = w
        records.append(rel(kind, start, end, **props))
    return graph(*records)


# -- pagerank ------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(weighted_digraphs(), st.booleans(), st.data())
def test_scipy_pagerank_agrees_with_the_pure_python_iteration(g: nx.DiGraph, reverse: bool,
                                                               data: st.DataObject) -> None:
    chosen = data.draw(st.lists(st.sampled_from(list(g)), min_size=1, unique=True))
    restart = data.draw(st.one_of(st.none(), st.just({n: 1.0 + i for i, n in enumerate(chosen)})))
    ours = pagerank(g, personalization=restart, reverse=reverse)
    theirs = reference_pagerank(g, personalization=restart, reverse=reverse)
    assert list(ours) == list(theirs)
    assert ours == pytest.approx(theirs, abs=1e-9)
    assert {n for n, s in ours.items() if s == 0} == {n for n, s in theirs.items() if s == 0}


@settings(max_examples=60, deadline=None)
@given(weighted_digraphs(multi=True))
def test_parallel_edges_add_up_as_separate_steps(g: nx.MultiDiGraph) -> None:
    assert pagerank(g) == pytest.approx(reference_pagerank(g), abs=1e-9)


def test_pagerank_follows_networkx_on_a_reverse_view() -> None:
    g = nx.DiGraph([("a", "b", {"weight": 0.2}), ("b", "c", {"weight": 0.7}), ("c", "a", {"weight": 0.1}),
                    ("a", "c", {"weight": 0.9})])
    view = pagerank(g.reverse(copy=False), personalization={"a": 1.0})
    assert view == pytest.approx(pagerank(g, personalization={"a": 1.0}, reverse=True), abs=1e-12)
    assert view == pytest.approx(nx.pagerank(g.reverse(), personalization={"a": 1.0}, tol=1e-12),
                                 abs=1e-9)


def test_pagerank_without_convergence_raises() -> None:
    with pytest.raises(nx.PowerIterationFailedConvergence):
        pagerank(nx.DiGraph([("a", "b"), ("b", "a")]), personalization={"a": 1.0},
                 config=AnalysisConfig(pagerank_max_iter=2))


# -- reach bounds --------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(weighted_digraphs(), st.integers(0, 4), st.booleans(), st.data())
def test_vectorised_reach_bounds_equal_the_walk_by_walk_ones(g: nx.DiGraph, hops: int,
                                                             undirected: bool,
                                                             data: st.DataObject) -> None:
    if undirected:
        g = nx.Graph(g)
    targets = data.draw(st.sets(st.sampled_from([*g, "elsewhere"])))
    ours = reach_bounds(g, targets, hops)
    theirs = reference_reach_bounds(g, targets, hops)
    assert ours == theirs  # the same products, so exactly equal


# -- influence and social graphs -----------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(stored_graphs())
def test_influence_graph_is_the_one_networkx_adders_built(g: nx.MultiDiGraph) -> None:
    ours = influence_graph(g, as_of=AS_OF)
    theirs = reference_influence_graph(g, AS_OF)
    assert layout(ours) == layout(theirs)
    assert layout(undirected_ties(ours)) == layout(reference_undirected_ties(theirs))


@settings(max_examples=100, deadline=None)
@given(stored_graphs())
def test_warm_network_is_the_social_graph_both_ways(g: nx.MultiDiGraph) -> None:
    social = reference_undirected_ties(reference_influence_graph(g, AS_OF))
    assert layout(warm_network(g, as_of=AS_OF)) == layout(nx.DiGraph(social))


def test_influence_graph_copies_node_attributes() -> None:
    g = graph(person("a", stance="champion"), person("b"), rel("KNOWS", "a", "b", weight=1.0))
    influence = influence_graph(g, as_of=AS_OF)
    influence.nodes["a"]["stance"] = "opponent"
    undirected_ties(influence).nodes["b"]["name"] = "changed"
    assert g.nodes["a"]["stance"] == "champion" and influence.nodes["b"]["name"] == "Dr B"


def test_influence_graph_is_an_ordinary_digraph_afterwards() -> None:
    g = graph(person("a"), person("b"), person("c"), rel("INFLUENCES", "a", "b", weight=0.4))
    influence = influence_graph(g, as_of=AS_OF)
    influence.add_edge("c", "a", weight=0.9)
    influence.remove_node("b")
    assert sorted(influence.edges(data="weight")) == [("c", "a", 0.9)]
    assert dict(influence.pred["a"]) == {"c": {"weight": 0.9}}
