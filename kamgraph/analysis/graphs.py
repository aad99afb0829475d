"""From the stored graph (a ``MultiDiGraph`` of a store) to the graphs the scores run on.

``influence_graph`` is the directed, weighted person-to-person graph of DOMAIN.md;
``social_graph`` is its undirected form for structural metrics (betweenness, factions).
Relationships outside their ``since``/``until`` window at ``as_of`` do not count: a
relationship is active when ``since <= as_of`` (or no ``since``) and ``as_of <= until``
(or no ``until``). Events count once they have happened (``date <= as_of``).

Shared by the score modules: ``pagerank`` (SciPy sparse power iteration, the same definition
as ``networkx.pagerank``), ``strongest_paths`` and ``PathSearch`` (the k
strongest simple paths, strength = product of edge weights) and ``current_employers``.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from operator import methodcaller
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from kamgraph.analysis.config import DEFAULT, AnalysisConfig

__all__ = [
    "Edge",
    "PathSearch",
    "active_by_type",
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
    return _within(attrs, as_of.isoformat())


def _within(attrs: Mapping[str, Any], day: str) -> bool:
    """``is_active`` with the day already written as ISO text (loops format it once)."""
    since, until = attrs.get("since"), attrs.get("until")
    return (since is None or str(since)[:10] <= day) and (until is None or day <= str(until)[:10])


def people(graph: nx.MultiDiGraph) -> list[str]:
    """Ids of the Stakeholder nodes, sorted."""
    return sorted(n for n, label in graph.nodes(data="label") if label == "Stakeholder")


Edge = tuple[str, str, dict[str, Any]]
"""A relationship of a stored graph: (from, to, attributes)."""


def active_edges(graph: nx.MultiDiGraph, rel_type: str, as_of: date) -> Iterator[Edge]:
    """(from, to, attributes) of the active relationships of one type."""
    day = as_of.isoformat()
    for start, end, attrs in graph.edges(data=True):
        if attrs.get("type") == rel_type and _within(attrs, day):
            yield start, end, attrs


def active_by_type(graph: nx.MultiDiGraph, types: Collection[str], as_of: date
                   ) -> dict[str, list[Edge]]:
    """The active relationships of each of ``types``, gathered in one pass over the graph.

    Analyses reading several types hand it on (``active=``) rather than pass over the graph
    once per type.

    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "h", type="WORKS_AT", until="2020-01-01")
    >>> _ = g.add_edge("kam", "a", type="RELATES_TO", stage="engaged")
    >>> active_by_type(g, ("WORKS_AT", "RELATES_TO"), date(2026, 1, 1))
    {'WORKS_AT': [], 'RELATES_TO': [('kam', 'a', {'type': 'RELATES_TO', 'stage': 'engaged'})]}
    """
    day = as_of.isoformat()
    found: dict[str, list[Edge]] = {rel_type: [] for rel_type in types}
    for start, end, attrs in graph.edges(data=True):
        edges = found.get(attrs.get("type"))
        if edges is not None and _within(attrs, day):
            edges.append((start, end, attrs))
    return found


def _active(graph: nx.MultiDiGraph, rel_type: str, as_of: date,
            active: Mapping[str, list[Edge]] | None) -> Iterable[Edge]:
    return active[rel_type] if active is not None else active_edges(graph, rel_type, as_of)


Ties = dict[str, dict[str, float]]
"""Tail → head → summed weight: nested rather than keyed by pair, as the national graph has
1.6 million ties and a pair tuple per tie costs more than the tie."""


def influence_graph(graph: nx.MultiDiGraph, *, as_of: date,
                    config: AnalysisConfig = DEFAULT) -> nx.DiGraph:
    """The directed influence graph between people (weights in (0, 1], see AnalysisConfig).

    Every Stakeholder of ``graph`` is a node (with its attributes), tied or not. Nodes come
    in id order and each node's ties in the order of their heads' ids, so that every
    analysis over it is reproducible.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Stakeholder"); g.add_node("b", label="Stakeholder")
    >>> _ = g.add_edge("a", "b", type="REPORTS_TO")
    >>> _ = g.add_edge("a", "b", type="KNOWS", weight=0.4)
    >>> sorted(influence_graph(g, as_of=date(2026, 1, 1)).edges(data="weight"))
    [('a', 'b', 0.2), ('b', 'a', 0.8)]
    """
    day = as_of.isoformat()
    persons = people(graph)
    ties, gatherings = _person_ties(graph, set(persons), day, config)
    for start, heads in _weak_ties(gatherings, config).items():
        for end, weight in heads.items():
            _add_tie(ties, start, end, weight)
            _add_tie(ties, end, start, weight)
    return _tie_digraph(graph, persons, ties)


def _add_tie(ties: Ties, start: str, end: str, weight: float) -> None:
    heads = ties.get(start)
    if heads is None:
        ties[start] = {end: weight}
    else:
        heads[end] = heads.get(end, 0.0) + weight


def _person_ties(graph: nx.MultiDiGraph, persons: set[str], day: str, config: AnalysisConfig
                 ) -> tuple[Ties, list[tuple[set[str], float]]]:
    """The direct ties between people, and the gatherings (member sets, weak weight).

    One pass over the relationships in the graph's own order, so that the ties of one pair
    add up in the same order on every run."""
    ties: Ties = {}
    committees: dict[str, set[str]] = defaultdict(set)
    events: dict[str, set[str]] = defaultdict(set)
    happened: dict[str, bool] = {}
    for start, end, attrs in graph.edges(data=True):  # faster than edges(order): no nbunch
        if start not in persons:
            continue
        kind = attrs.get("type")
        if kind == "ROLE_IN":
            committees[end].add(start)
        elif kind == "ATTENDED":
            if end not in happened:
                happened[end] = str(graph.nodes[end].get("date", ""))[:10] <= day
            if happened[end]:
                events[end].add(start)
        elif kind in _DIRECT and end in persons and _within(attrs, day):
            _direct_tie(ties, start, end, kind, attrs, config)
    return ties, [*((members, config.shared_committee) for members in committees.values()),
                  *((members, config.shared_event) for members in events.values())]


_DIRECT = frozenset({"INFLUENCES", "REPORTS_TO", "KNOWS"})


def _direct_tie(ties: Ties, start: str, end: str, kind: str, attrs: Mapping[str, Any],
                config: AnalysisConfig) -> None:
    if kind == "INFLUENCES":
        _add_tie(ties, start, end, float(attrs.get("weight", config.influence_default)))
    elif kind == "REPORTS_TO":
        _add_tie(ties, end, start, config.formal_authority)
    else:
        weight = config.knows_factor * float(attrs.get("weight", config.knows_default))
        _add_tie(ties, start, end, weight)
        _add_tie(ties, end, start, weight)


def _weak_ties(gatherings: list[tuple[set[str], float]], config: AnalysisConfig) -> Ties:
    """Shared committees and past events: smaller id → larger id → capped weak weight."""
    weak: Ties = {}
    cap = config.weak_tie_cap
    for members, weight in gatherings:
        ordered = sorted(members)
        for i, start in enumerate(ordered):
            heads = weak.setdefault(start, {})
            for end in ordered[i + 1:]:
                heads[end] = min(cap, heads.get(end, 0.0) + weight)
    return weak


def _tie_digraph(graph: nx.MultiDiGraph, persons: list[str], ties: Ties) -> nx.DiGraph:
    """The DiGraph of the positive ties, each capped at 1 and rounded to 12 decimals.

    Its dicts are filled directly: ``add_edges_from`` costs about 5 µs a tie, which was
    half of building the national influence graph. The result is what ``add_nodes_from``
    then ``add_weighted_edges_from`` in sorted order would give, down to the dict order.
    """
    distinct: set[float] = set()
    for heads in ties.values():
        distinct.update(heads.values())
    capped = {weight: round(min(1.0, weight), 12) for weight in distinct}  # few distinct values
    succ: dict[str, dict[str, dict[str, float]]] = {}
    pred: dict[str, dict[str, dict[str, float]]] = {person: {} for person in persons}
    for start in persons:
        heads = ties.get(start)
        out = succ[start] = {end: {"weight": capped[weight]} for end, weight in sorted(heads.items())
                             if weight > 0} if heads else {}
        for end, attrs in out.items():
            pred[end][start] = attrs
    result = nx.DiGraph()
    result._node.update((person, dict(graph.nodes[person])) for person in persons)
    result._succ.update(succ)
    result._pred.update(pred)
    return result


def social_graph(graph: nx.MultiDiGraph, *, as_of: date,
                 config: AnalysisConfig = DEFAULT) -> nx.Graph:
    """The undirected person graph: a tie's weight is the stronger of its two directions."""
    return undirected_ties(influence_graph(graph, as_of=as_of, config=config))


def undirected_ties(influence: nx.DiGraph) -> nx.Graph:
    """``social_graph`` from an influence graph already built.

    Ties come in the order the influence graph first gives each pair (filled directly, as
    in ``influence_graph``).

    >>> undirected_ties(nx.DiGraph([("a", "b", {"weight": 0.2}), ("b", "a", {"weight": 0.8})]
    ...                            )).edges(data="weight")
    EdgeDataView([('a', 'b', 0.8)])
    """
    adj: dict[str, dict[str, dict[str, float]]] = {node: {} for node in influence}
    for start, heads in influence.adjacency():
        around = adj[start]
        for end, attrs in heads.items():
            weight = attrs["weight"]
            tie = around.get(end)
            if tie is None:
                around[end] = adj[end][start] = {"weight": max(weight, 0.0)}
            elif weight > tie["weight"]:
                tie["weight"] = weight
    social = nx.Graph()
    social._node.update((node, dict(attrs)) for node, attrs in influence.nodes(data=True))
    social._adj.update(adj)
    return social


def relationship_strength(attrs: dict[str, Any], config: AnalysisConfig = DEFAULT) -> float:
    """A RELATES_TO's ``strength``, or the default of its stage when absent."""
    if "strength" in attrs:
        return float(attrs["strength"])
    return config.stage_strength.get(str(attrs.get("stage", "unknown")), 0.0)


def covered_people(graph: nx.MultiDiGraph, *, as_of: date, config: AnalysisConfig = DEFAULT,
                   active: Mapping[str, list[Edge]] | None = None
                   ) -> dict[str, list[tuple[str, str, float]]]:
    """Person → [(account manager, stage, strength)] of the relationships that cover them.

    ``active``: the graph's active relationships by type (``active_by_type``), when gathered.
    """
    covered: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    for manager, person, attrs in _active(graph, "RELATES_TO", as_of, active):
        if attrs.get("stage") in config.covered_stages:
            covered[person].append((manager, attrs["stage"], relationship_strength(attrs, config)))
    return dict(covered)


def current_employers(graph: nx.MultiDiGraph, *, as_of: date, config: AnalysisConfig = DEFAULT,
                      active: Mapping[str, list[Edge]] | None = None) -> dict[str, str]:
    """Person → name of the organisation of their most senior active ``WORKS_AT``.

    Seniority weights come from ``config.seniority`` (a missing seniority counts 0); equal
    seniority goes to the organisation with the smallest id. People without an active job
    are left out. ``active`` as in ``covered_people``.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("h", label="Organization", name="City Hospital")
    >>> g.add_node("u", label="Organization", name="University")
    >>> _ = g.add_edge("a", "h", type="WORKS_AT", seniority="staff")
    >>> _ = g.add_edge("a", "u", type="WORKS_AT", seniority="head")
    >>> current_employers(g, as_of=date(2026, 1, 1))
    {'a': 'University'}
    """
    best: dict[str, tuple[float, str]] = {}
    for person, org, attrs in _active(graph, "WORKS_AT", as_of, active):
        key = (-config.seniority.get(str(attrs.get("seniority")), 0.0), org)
        if person not in best or key < best[person]:
            best[person] = key
    return {person: str(graph.nodes[org].get("name", org)) for person, (_, org) in best.items()}


def pagerank(graph: nx.DiGraph, *, personalization: Mapping[str, float] | None = None,
             weight: str = "weight", reverse: bool = False,
             config: AnalysisConfig = DEFAULT) -> dict[str, float]:
    """PageRank by power iteration over a SciPy sparse matrix; the scores sum to 1.

    The definition of ``networkx.pagerank`` (of ``graph.reverse()`` when ``reverse``, without
    building it): with probability ``config.damping`` (0.85) the
    walker follows an out-edge chosen in proportion to its ``weight`` (1 when absent;
    parallel edges add up), otherwise it restarts at a node drawn from ``personalization``
    (normalised; uniform when ``None``); a node without out-edges restarts the same way.
    With ``p`` the restart distribution,
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
    index = {node: i for i, node in enumerate(nodes)}
    restart = _restart_distribution(index, personalization)
    walk, dangling = _walk_matrix(graph, index, weight, reverse)
    return dict(zip(nodes, _power_iteration(walk, dangling, restart, config).tolist(), strict=True))


def _power_iteration(walk: sp.sparray, dangling: np.ndarray, restart: np.ndarray,
                     config: AnalysisConfig) -> np.ndarray:
    alpha, scores = config.damping, restart
    for _ in range(config.pagerank_max_iter):
        leak = alpha * scores[dangling].sum() + 1.0 - alpha
        new = alpha * (walk @ scores) + leak * restart
        change = np.abs(new - scores).sum()
        scores = new
        if change < len(scores) * config.pagerank_tol:
            return scores
    raise nx.PowerIterationFailedConvergence(config.pagerank_max_iter)


def _restart_distribution(index: Mapping[str, int], personalization: Mapping[str, float] | None
                          ) -> np.ndarray:
    if personalization is None:
        return np.full(len(index), 1.0 / len(index))
    raw = np.zeros(len(index))
    for node, value in personalization.items():
        if node in index:
            raw[index[node]] = max(0.0, float(value))
    total = raw.sum()
    if total <= 0:
        raise ValueError("personalization must give some node a positive weight")
    return raw / total


def _walk_matrix(graph: nx.DiGraph, index: Mapping[str, int], weight: str, reverse: bool
                 ) -> tuple[sp.sparray, np.ndarray]:
    """``W`` transposed (row = where the walk goes, column = where it comes from, value =
    the share of the column's out-weight), and the nodes without out-weight."""
    tails, heads, weights = _edge_arrays(graph, index, weight)
    if reverse:
        tails, heads = heads, tails
    out = np.bincount(tails, weights=weights, minlength=len(index))
    moving = out[tails] > 0
    tails, heads = tails[moving], heads[moving]
    walk = sp.csr_array((weights[moving] / out[tails], (heads, tails)), shape=(len(index),) * 2)
    return walk, np.flatnonzero(out <= 0)


def _edge_arrays(graph: nx.DiGraph, index: Mapping[str, int], weight: str
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(tail, head, weight) of every edge, as arrays; node by node, as a loop per edge costs
    more than the whole power iteration on the national graph."""
    starts: list[int] = []
    degrees: list[int] = []
    heads: list[str] = []
    weights: list[float] = []
    weight_of = methodcaller("get", weight, 1.0)
    for node, nbrs in graph.adjacency():
        starts.append(index[node])
        degrees.append(len(nbrs))
        heads.extend(nbrs)
        if graph.is_multigraph():
            weights.extend(sum(map(weight_of, keyed.values())) for keyed in nbrs.values())
        else:
            weights.extend(map(weight_of, nbrs.values()))
    return (np.repeat(np.array(starts, dtype=np.intp), degrees),
            np.fromiter(map(index.__getitem__, heads), dtype=np.intp, count=len(heads)),
            np.array(weights, dtype=float))


def reach_bounds(graph: nx.Graph, targets: Collection[str], max_hops: int,
                 weight: str = "weight") -> list[dict[str, float]]:
    """``bounds[h][v]``: the strongest walk from ``v`` to a target in at most ``h`` edges.

    Walks end at the first target they meet (a target's bound is 1); nodes that cannot
    reach a target within ``h`` edges are absent. As walks include every simple path, a
    bound never underestimates the strongest simple path: ``strongest_paths`` uses it as
    its A* heuristic. Edge weights must lie in (0, 1]. Each layer lists its nodes in the
    graph's order; one step of all walks at once is one vectorised pass over the edges.

    >>> g = nx.DiGraph([("a", "b", {"weight": 0.5}), ("b", "t", {"weight": 0.4})])
    >>> reach_bounds(g, {"t"}, 2)[2]
    {'a': 0.2, 'b': 0.4, 't': 1.0}
    """
    nodes = list(graph)
    index = {node: i for i, node in enumerate(nodes)}
    goal = np.zeros(len(nodes), dtype=bool)
    goal[[index[target] for target in targets if target in index]] = True
    tails, heads, weights = _edge_arrays(graph, index, weight)
    onward = ~goal[tails]  # a walk ends at its first target: nothing leaves a target
    tails, heads, weights = tails[onward], heads[onward], weights[onward]
    bound = goal.astype(float)
    layers = [_layer(nodes, bound)]
    for _ in range(max_hops):
        longer = bound.copy()
        np.maximum.at(longer, tails, weights * bound[heads])
        bound = longer
        layers.append(_layer(nodes, bound))
    return layers


def _layer(nodes: list[str], bound: np.ndarray) -> dict[str, float]:
    reached = np.flatnonzero(bound > 0)
    return dict(zip([nodes[i] for i in reached.tolist()], bound[reached].tolist(), strict=True))


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
