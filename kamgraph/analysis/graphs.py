"""From the stored graph (a ``MultiDiGraph`` of a store) to the graphs the scores run on.

``influence_graph`` is the directed, weighted person-to-person graph of DOMAIN.md;
``social_graph`` is its undirected form for structural metrics (betweenness, factions).
Relationships outside their ``since``/``until`` window at ``as_of`` do not count: a
relationship is active when ``since <= as_of`` (or no ``since``) and ``as_of <= until``
(or no ``until``). Events count once they have happened (``date <= as_of``).

Shared by the score modules: ``pagerank`` (pure Python, the same definition as
``networkx.pagerank``, which needs SciPy), ``strongest_paths`` and ``PathSearch`` (the k
strongest simple paths, strength = product of edge weights) and ``current_employers``.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from operator import mul, sub
from typing import Any

import networkx as nx

from kamgraph.analysis.config import DEFAULT, AnalysisConfig

__all__ = [
    "PathSearch",
    "active_edges",
    "covered_people",
    "current_employers",
    "influence_graph",
    "is_active",
    "pagerank",
    "people",
    "reach_bounds",
    "relationship_strength",
    "social_graph",
    "strongest_paths",
    "undirected_ties",
]

Path = tuple[list[str], float]
"""A path: its nodes from start to end, and its strength."""


def is_active(attrs: dict[str, Any], as_of: date) -> bool:
    """Whether a relationship's ``since``/``until`` window holds ``as_of``.

    >>> is_active({"since": "2020-01-01", "until": "2024-12-31"}, date(2025, 1, 1))
    False
    >>> is_active({}, date(2025, 1, 1))
    True
    """
    day = as_of.isoformat()
    since, until = attrs.get("since"), attrs.get("until")
    return (since is None or str(since)[:10] <= day) and (until is None or day <= str(until)[:10])


def people(graph: nx.MultiDiGraph) -> list[str]:
    """Ids of the Stakeholder nodes, sorted."""
    return sorted(n for n, label in graph.nodes(data="label") if label == "Stakeholder")


def active_edges(graph: nx.MultiDiGraph, rel_type: str, as_of: date
                 ) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(from, to, attributes) of the active relationships of one type."""
    for start, end, attrs in graph.edges(data=True):
        if attrs.get("type") == rel_type and is_active(attrs, as_of):
            yield start, end, attrs


def influence_graph(graph: nx.MultiDiGraph, *, as_of: date,
                    config: AnalysisConfig = DEFAULT) -> nx.DiGraph:
    """The directed influence graph between people (weights in (0, 1], see AnalysisConfig).

    Every Stakeholder of ``graph`` is a node (with its attributes), tied or not.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Stakeholder"); g.add_node("b", label="Stakeholder")
    >>> _ = g.add_edge("a", "b", type="REPORTS_TO")
    >>> _ = g.add_edge("a", "b", type="KNOWS", weight=0.4)
    >>> sorted(influence_graph(g, as_of=date(2026, 1, 1)).edges(data="weight"))
    [('a', 'b', 0.2), ('b', 'a', 0.8)]
    """
    weights: dict[tuple[str, str], float] = defaultdict(float)
    persons = set(people(graph))
    for start, end, weight in _direct_ties(graph, persons, as_of, config):
        weights[start, end] += weight
    for (start, end), weight in _weak_ties(graph, persons, as_of, config).items():
        weights[start, end] += weight
        weights[end, start] += weight
    result = nx.DiGraph()
    result.add_nodes_from((p, graph.nodes[p]) for p in sorted(persons))
    result.add_weighted_edges_from(
        (start, end, round(min(1.0, weight), 12)) for (start, end), weight in sorted(weights.items())
        if weight > 0)
    return result


def _direct_ties(graph: nx.MultiDiGraph, persons: set[str], as_of: date,
                 config: AnalysisConfig) -> Iterator[tuple[str, str, float]]:
    for start, end, attrs in graph.edges(data=True):
        if start not in persons or end not in persons or not is_active(attrs, as_of):
            continue
        kind = attrs.get("type")
        if kind == "INFLUENCES":
            yield start, end, float(attrs.get("weight", config.influence_default))
        elif kind == "REPORTS_TO":
            yield end, start, config.formal_authority
        elif kind == "KNOWS":
            weight = config.knows_factor * float(attrs.get("weight", config.knows_default))
            yield start, end, weight
            yield end, start, weight


def _weak_ties(graph: nx.MultiDiGraph, persons: set[str], as_of: date,
               config: AnalysisConfig) -> dict[tuple[str, str], float]:
    """Shared committees and past events: pair (sorted) → capped weak weight."""
    weak: dict[tuple[str, str], float] = defaultdict(float)
    for members, weight in _gatherings(graph, persons, as_of, config):
        for pair in combinations(sorted(members), 2):
            weak[pair] = min(config.weak_tie_cap, weak[pair] + weight)
    return weak


def _gatherings(graph: nx.MultiDiGraph, persons: set[str], as_of: date,
                config: AnalysisConfig) -> Iterable[tuple[set[str], float]]:
    committees: dict[str, set[str]] = defaultdict(set)
    events: dict[str, set[str]] = defaultdict(set)
    day = as_of.isoformat()
    for start, end, attrs in graph.edges(data=True):
        if start not in persons:
            continue
        if attrs.get("type") == "ROLE_IN":
            committees[end].add(start)
        elif attrs.get("type") == "ATTENDED" and str(graph.nodes[end].get("date", ""))[:10] <= day:
            events[end].add(start)
    for members in committees.values():
        yield members, config.shared_committee
    for members in events.values():
        yield members, config.shared_event


def social_graph(graph: nx.MultiDiGraph, *, as_of: date,
                 config: AnalysisConfig = DEFAULT) -> nx.Graph:
    """The undirected person graph: a tie's weight is the stronger of its two directions."""
    return undirected_ties(influence_graph(graph, as_of=as_of, config=config))


def undirected_ties(influence: nx.DiGraph) -> nx.Graph:
    """``social_graph`` from an influence graph already built.

    >>> undirected_ties(nx.DiGraph([("a", "b", {"weight": 0.2}), ("b", "a", {"weight": 0.8})]
    ...                            )).edges(data="weight")
    EdgeDataView([('a', 'b', 0.8)])
    """
    ties: dict[tuple[str, str], float] = {}
    for start, end, weight in influence.edges(data="weight"):
        pair = (start, end) if start <= end else (end, start)
        ties[pair] = max(weight, ties.get(pair, 0.0))
    social = nx.Graph()
    social.add_nodes_from(influence.nodes(data=True))
    social.add_weighted_edges_from((start, end, weight) for (start, end), weight in ties.items())
    return social


def relationship_strength(attrs: dict[str, Any], config: AnalysisConfig = DEFAULT) -> float:
    """A RELATES_TO's ``strength``, or the default of its stage when absent."""
    if "strength" in attrs:
        return float(attrs["strength"])
    return config.stage_strength.get(str(attrs.get("stage", "unknown")), 0.0)


def covered_people(graph: nx.MultiDiGraph, *, as_of: date,
                   config: AnalysisConfig = DEFAULT) -> dict[str, list[tuple[str, str, float]]]:
    """Person → [(account manager, stage, strength)] of the relationships that cover them."""
    covered: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    for manager, person, attrs in active_edges(graph, "RELATES_TO", as_of):
        if attrs.get("stage") in config.covered_stages:
            covered[person].append((manager, attrs["stage"], relationship_strength(attrs, config)))
    return dict(covered)


def current_employers(graph: nx.MultiDiGraph, *, as_of: date,
                      config: AnalysisConfig = DEFAULT) -> dict[str, str]:
    """Person → name of the organisation of their most senior active ``WORKS_AT``.

    Seniority weights come from ``config.seniority`` (a missing seniority counts 0); equal
    seniority goes to the organisation with the smallest id. People without an active job
    are left out.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("h", label="Organization", name="City Hospital")
    >>> g.add_node("u", label="Organization", name="University")
    >>> _ = g.add_edge("a", "h", type="WORKS_AT", seniority="staff")
    >>> _ = g.add_edge("a", "u", type="WORKS_AT", seniority="head")
    >>> current_employers(g, as_of=date(2026, 1, 1))
    {'a': 'University'}
    """
    best: dict[str, tuple[float, str]] = {}
    for person, org, attrs in active_edges(graph, "WORKS_AT", as_of):
        key = (-config.seniority.get(str(attrs.get("seniority")), 0.0), org)
        if person not in best or key < best[person]:
            best[person] = key
    return {person: str(graph.nodes[org].get("name", org)) for person, (_, org) in best.items()}


def pagerank(graph: nx.DiGraph, *, personalization: Mapping[str, float] | None = None,
             weight: str = "weight", reverse: bool = False,
             config: AnalysisConfig = DEFAULT) -> dict[str, float]:
    """PageRank by power iteration, in pure Python; the scores sum to 1.

    The definition of ``networkx.pagerank`` (of ``graph.reverse()`` when ``reverse``, without
    building it): with probability ``config.damping`` (0.85) the
    walker follows an out-edge chosen in proportion to its ``weight``, otherwise it restarts
    at a node drawn from ``personalization`` (normalised; uniform when ``None``); a node
    without out-edges restarts the same way. With ``p`` the restart distribution,
    ``x ← damping · (x W + Σ x[dangling] · p) + (1 - damping) · p`` until the L1 change is
    below ``N · config.pagerank_tol``. Iteration starts from ``p``, so nodes the walk cannot
    reach get exactly 0.

    Raises ``networkx.PowerIterationFailedConvergence`` after ``config.pagerank_max_iter``
    iterations, and ``ValueError`` when ``personalization`` gives no node a positive weight.

    >>> ranks = pagerank(nx.DiGraph([("a", "b")]))
    >>> [round(ranks[n], 4) for n in "ab"]
    [0.3509, 0.6491]
    """
    nodes = list(graph)
    if not nodes:
        return {}
    restart = _restart_distribution(nodes, personalization)
    sources, shares, dangling = _stochastic_inflow(graph, nodes, weight, reverse)
    alpha, scores, size = config.damping, list(restart), len(nodes)
    for _ in range(config.pagerank_max_iter):
        leak = alpha * sum(scores[i] for i in dangling) + 1.0 - alpha
        pick = scores.__getitem__
        new = [alpha * sum(map(mul, map(pick, sources[i]), shares[i])) + leak * restart[i]
               for i in range(size)]
        change = sum(map(abs, map(sub, new, scores)))
        scores = new
        if change < size * config.pagerank_tol:
            return dict(zip(nodes, scores, strict=True))
    raise nx.PowerIterationFailedConvergence(config.pagerank_max_iter)


def _restart_distribution(nodes: list[str], personalization: Mapping[str, float] | None
                          ) -> list[float]:
    if personalization is None:
        return [1.0 / len(nodes)] * len(nodes)
    raw = [max(0.0, float(personalization.get(node, 0.0))) for node in nodes]
    total = sum(raw)
    if total <= 0:
        raise ValueError("personalization must give some node a positive weight")
    return [value / total for value in raw]


def _stochastic_inflow(graph: nx.DiGraph, nodes: list[str], weight: str, reverse: bool
                       ) -> tuple[list[list[int]], list[list[float]], list[int]]:
    """For each node: the nodes the walk comes from (indices) and the share of each one's
    out-weight it receives; and the nodes without out-weight."""
    index = {node: i for i, node in enumerate(nodes)}
    steps = [(index[end], index[start], float(w)) if reverse else (index[start], index[end], float(w))
             for start, end, w in graph.edges(data=weight, default=1.0)]
    out = [0.0] * len(nodes)
    for tail, _head, w in steps:
        out[tail] += w
    sources: list[list[int]] = [[] for _ in nodes]
    shares: list[list[float]] = [[] for _ in nodes]
    for tail, head, w in steps:
        if out[tail] > 0:
            sources[head].append(tail)
            shares[head].append(w / out[tail])
    return sources, shares, [i for i, total in enumerate(out) if total <= 0]


def reach_bounds(graph: nx.Graph, targets: Collection[str], max_hops: int,
                 weight: str = "weight") -> list[dict[str, float]]:
    """``bounds[h][v]``: the strongest walk from ``v`` to a target in at most ``h`` edges.

    Walks end at the first target they meet (a target's bound is 1); nodes that cannot
    reach a target within ``h`` edges are absent. As walks include every simple path, a
    bound never underestimates the strongest simple path: ``strongest_paths`` uses it as
    its A* heuristic. Edge weights must lie in (0, 1].

    >>> g = nx.DiGraph([("a", "b", {"weight": 0.5}), ("b", "t", {"weight": 0.4})])
    >>> reach_bounds(g, {"t"}, 2)[2]
    {'t': 1.0, 'b': 0.4, 'a': 0.2}
    """
    predecessors = graph.pred if graph.is_directed() else graph.adj
    layers = [{target: 1.0 for target in targets if target in graph}]
    for _ in range(max_hops):
        layer = dict(layers[-1])
        for node, bound in layers[-1].items():
            for tail, attrs in predecessors[node].items():
                value = float(attrs.get(weight, 1.0)) * bound
                if tail not in targets and value > layer.get(tail, 0.0):
                    layer[tail] = value
        layers.append(layer)
    return layers


def strongest_paths(graph: nx.Graph, sources: Iterable[str], targets: Collection[str], *,
                    k: int, max_hops: int, weight: str = "weight") -> list[Path]:
    """The ``k`` strongest simple paths from a source to the first target they meet.

    A path's strength is the product of its edge weights (each in (0, 1]); it has 1 to
    ``max_hops`` edges and ends at its first target (a source may itself be a target: its
    paths lead to the other targets). Strongest first; equal strengths (to 12 decimals) in
    the order of their node ids. For many searches towards the same targets, prepare a
    :class:`PathSearch` once.

    >>> g = nx.DiGraph()
    >>> g.add_weighted_edges_from([("s", "a", 0.9), ("a", "t", 0.5), ("s", "t", 0.4)])
    >>> strongest_paths(g, ["s"], {"t"}, k=3, max_hops=4)
    [(['s', 'a', 't'], 0.45), (['s', 't'], 0.4)]
    """
    return PathSearch.towards(graph, targets, max_hops=max_hops, weight=weight).paths(sources, k)


@dataclass(frozen=True, slots=True)
class PathSearch:
    """A graph prepared for strongest-path searches towards one set of targets.

    Best-first (A*) search over partial paths, ordered by strength so far times the
    ``reach_bounds`` of the last node (which never underestimate), so complete paths come
    out strongest first and partial paths that cannot beat them are never extended. A
    node's useful out-edges (into nodes that can still reach a target) are looked up once,
    when the search first extends a path from it.

    >>> g = nx.Graph([("a", "b", {"weight": 0.5}), ("b", "t", {"weight": 0.5})])
    >>> PathSearch.towards(g, {"t"}, max_hops=2).paths(["a"], k=1)
    [(['a', 'b', 't'], 0.25)]
    """

    graph: nx.Graph
    targets: frozenset[str]
    bounds: list[dict[str, float]]
    weight: str = "weight"
    _heads: dict[str, list[tuple[str, float]]] = field(default_factory=dict, repr=False)

    @classmethod
    def towards(cls, graph: nx.Graph, targets: Collection[str], *, max_hops: int,
                weight: str = "weight") -> PathSearch:
        goal = frozenset(target for target in targets if target in graph)
        return cls(graph, goal, reach_bounds(graph, goal, max_hops, weight), weight)

    def paths(self, sources: Iterable[str], k: int) -> list[Path]:
        """The ``k`` strongest paths from any of ``sources`` (see ``strongest_paths``)."""
        max_hops = len(self.bounds) - 1
        queue: list[tuple[float, tuple[str, ...], float]] = [
            (-1.0, (source,), 1.0) for source in sorted(set(sources)) if source in self.bounds[-1]]
        found: list[Path] = []
        while queue and len(found) < k:
            _, path, strength = heapq.heappop(queue)
            if len(path) > 1 and path[-1] in self.targets:
                found.append((list(path), round(strength, 12)))
            elif len(path) <= max_hops:
                self._extend(path, strength, self.bounds[max_hops - len(path)], queue)
        return found

    def _extend(self, path: tuple[str, ...], strength: float, reach: dict[str, float],
                queue: list[tuple[float, tuple[str, ...], float]]) -> None:
        for head, weight in self._useful_heads(path[-1]):
            bound = reach.get(head, 0.0)
            if bound > 0 and head not in path:
                longer = strength * weight
                heapq.heappush(queue, (-round(longer * bound, 12), (*path, head), longer))

    def _useful_heads(self, node: str) -> list[tuple[str, float]]:
        heads = self._heads.get(node)
        if heads is None:
            useful = self.bounds[-1]
            heads = self._heads[node] = [(head, float(attrs.get(self.weight, 1.0)))
                                         for head, attrs in self.graph[node].items() if head in useful]
        return heads
