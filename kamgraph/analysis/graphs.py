"""From the stored graph (a ``MultiDiGraph`` of a store) to the graphs the scores run on.

``influence_graph`` is the directed, weighted person-to-person graph of DOMAIN.md;
``social_graph`` is its undirected form for structural metrics (betweenness, factions).
Relationships outside their ``since``/``until`` window at ``as_of`` do not count: a
relationship is active when ``since <= as_of`` (or no ``since``) and ``as_of <= until``
(or no ``until``). Events count once they have happened (``date <= as_of``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import combinations
from typing import Any

import networkx as nx

from kamgraph.analysis.config import DEFAULT, AnalysisConfig

__all__ = [
    "active_edges",
    "covered_people",
    "influence_graph",
    "is_active",
    "people",
    "relationship_strength",
    "social_graph",
]


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
    influence = influence_graph(graph, as_of=as_of, config=config)
    social = nx.Graph()
    social.add_nodes_from(influence.nodes(data=True))
    for start, end, weight in influence.edges(data="weight"):
        if not social.has_edge(start, end) or social[start][end]["weight"] < weight:
            social.add_edge(start, end, weight=weight)
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
