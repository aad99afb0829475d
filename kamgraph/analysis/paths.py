"""Warm paths from our team to a person, and the next best engagements for a tender.

- **warm path** to x: a simple path that opens with an AccountManager's active
  ``RELATES_TO`` (strength: its ``strength``, else the default of its stage: acquainted
  0.25, engaged 0.5, trusted 0.75, advocate 0.95; any stage counts, stage unknown has
  strength 0 and opens nothing) and continues over ties between people, each with its
  social-graph weight (the stronger direction of the influence graph). Strength = product
  of the edge strengths; at most ``config.path_hops`` (4) edges in all; the k strongest,
  strongest first, equal strengths by node ids. Found by A* over partial paths
  (``graphs.strongest_paths``), which stays fast on graphs of thousands of people.
- **compliance**: people in a quiet period (``tender.quiet_role_holders``) are left out of
  paths, as intermediates and as targets, unless ``include_quiet``; a quiet target gets no
  paths and a ``note``.
- **next best engagements** for tender T: the k uncovered people with the highest tender
  influence on T. Coverage is the sum of the covered people's scores and a person's score
  does not depend on who is covered, so covering x raises coverage by exactly x's score:
  ``gain = score``. People with score 0 gain nothing and are not proposed. Each comes with
  its strongest warm path (or ``None``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

import networkx as nx

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.graphs import (
    active_edges,
    covered_people,
    influence_graph,
    relationship_strength,
    strongest_paths,
    undirected_ties,
)
from kamgraph.analysis.tender import quiet_role_holders, tender_scores

__all__ = ["next_best", "warm_network", "warm_paths"]

QUIET_NOTE = ("{target} holds a role in a tender in its quiet period: contact can breach "
              "procurement rules, so no path is suggested (ask with include_quiet to see them).")


def warm_network(G: nx.MultiDiGraph, *, as_of: date, config: AnalysisConfig = DEFAULT,
                 leave_out: Collection[str] = (), influence: nx.DiGraph | None = None
                 ) -> nx.DiGraph:
    """The graph warm paths run on: AccountManager → person and person ↔ person.

    Edges ``weight``: ``relationship_strength`` of each active ``RELATES_TO`` with a positive
    strength (its ``stage`` kept on the edge), and both directions of every social-graph tie.
    ``leave_out`` people are not in it; ``influence`` reuses an influence graph of ``G`` at
    ``as_of`` already built.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Stakeholder"); g.add_node("b", label="Stakeholder")
    >>> _ = g.add_edge("kam", "a", type="RELATES_TO", stage="trusted")
    >>> _ = g.add_edge("a", "b", type="INFLUENCES", weight=0.8)
    >>> sorted(warm_network(g, as_of=date(2026, 1, 1)).edges(data="weight"))
    [('a', 'b', 0.8), ('b', 'a', 0.8), ('kam', 'a', 0.75)]
    """
    if influence is None:
        influence = influence_graph(G, as_of=as_of, config=config)
    network = _both_ways(undirected_ties(influence))
    for manager, person, attrs in active_edges(G, "RELATES_TO", as_of):
        strength = relationship_strength(attrs, config)
        if strength > 0 and person in network:
            network.add_edge(manager, person, weight=strength, stage=attrs.get("stage", "unknown"))
    network.remove_nodes_from([person for person in leave_out if person in network])
    return network


def _both_ways(social: nx.Graph) -> nx.DiGraph:
    """``nx.DiGraph(social)``: each tie both ways with its own copy of the data, in the same
    dict order, filled directly (``add_edges_from`` took a quarter of a warm-path search)."""
    succ: dict[str, dict[str, dict[str, Any]]] = {node: {} for node in social}
    pred: dict[str, dict[str, dict[str, Any]]] = {node: {} for node in social}
    for start, heads in social.adjacency():
        out = succ[start]
        for end, attrs in heads.items():
            out[end] = pred[end][start] = dict(attrs)
    network = nx.DiGraph()
    network._node.update((node, dict(attrs)) for node, attrs in social.nodes(data=True))
    network._succ.update(succ)
    network._pred.update(pred)
    return network


def warm_paths(G: nx.MultiDiGraph, target: str, *, as_of: date, k: int = 3,
               source: str | None = None, max_hops: int | None = None,
               include_quiet: bool = False, config: AnalysisConfig = DEFAULT) -> dict[str, Any]:
    """The k strongest warm paths from our team to ``target`` (see the module doc).

    Parameters
    ----------
    target : str
        A Stakeholder id.
    k : int
        How many paths (3).
    source : str, optional
        Only paths that open with this AccountManager.
    max_hops : int, optional
        Longest path in edges, the opening ``RELATES_TO`` included; ``config.path_hops`` (4)
        by default.
    include_quiet : bool
        Also go through, and to, people in a quiet period.

    Returns
    -------
    dict
        ``{"target": id, "paths": [{"nodes": [manager, ..., target], "strength", "stage"}]}``
        strongest first; ``stage`` is the stage of the opening ``RELATES_TO``. A target in a
        quiet period (without ``include_quiet``) gets ``"paths": []`` and a ``"note"``.

    Raises
    ------
    KeyError
        ``target`` when it is not a Stakeholder of ``G``; ``source`` when it is not an
        AccountManager of ``G``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("kam", label="AccountManager")
    >>> g.add_node("a", label="Stakeholder"); g.add_node("t", label="Stakeholder")
    >>> _ = g.add_edge("kam", "a", type="RELATES_TO", stage="trusted")
    >>> _ = g.add_edge("a", "t", type="INFLUENCES", weight=0.8)
    >>> warm_paths(g, "t", as_of=date(2026, 1, 1))["paths"]
    [{'nodes': ['kam', 'a', 't'], 'strength': 0.6, 'stage': 'trusted'}]
    """
    _require(G, target, "Stakeholder")
    if source is not None:
        _require(G, source, "AccountManager")
    quiet = set() if include_quiet else quiet_role_holders(G, as_of=as_of, config=config)
    if target in quiet:
        return {"target": target, "paths": [], "note": QUIET_NOTE.format(target=target)}
    network = warm_network(G, as_of=as_of, config=config, leave_out=quiet)
    hops = config.path_hops if max_hops is None else max_hops
    return {"target": target, "paths": _paths(G, network, target, k, source, hops)}


def _require(G: nx.MultiDiGraph, node: str, label: str) -> None:
    if node not in G or G.nodes[node].get("label") != label:
        raise KeyError(node)


def _paths(G: nx.MultiDiGraph, network: nx.DiGraph, target: str, k: int, source: str | None,
           max_hops: int) -> list[dict[str, Any]]:
    managers = [source] if source is not None else [
        node for node, label in G.nodes(data="label") if label == "AccountManager"]
    found = strongest_paths(network, managers, {target}, k=k, max_hops=max_hops)
    return [{"nodes": nodes, "strength": strength,
             "stage": network.edges[nodes[0], nodes[1]]["stage"]} for nodes, strength in found]


def next_best(G: nx.MultiDiGraph, tender_id: str, *, as_of: date, k: int = 5,
              include_quiet: bool = False, config: AnalysisConfig = DEFAULT) -> dict[str, Any]:
    """The k uncovered people whose coverage would most raise the tender's coverage.

    ``gain`` = the person's tender influence score (coverage is additive, see the module
    doc); people in a quiet period are left out, as candidates and on paths, unless
    ``include_quiet``.

    Returns
    -------
    dict
        ``{"tender": id, "items": [{"id", "name", "gain", "score", "path"}]}`` by descending
        gain (ties by id); ``path`` is the strongest warm path ``{"nodes", "strength",
        "stage"}`` or ``None``.

    Raises
    ------
    KeyError
        ``tender_id`` when ``G`` has no such Tender.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("t", label="Tender"); g.add_node("kam", label="AccountManager")
    >>> g.add_node("d", label="Stakeholder", name="Dr D")
    >>> _ = g.add_edge("d", "t", key="ROLE_IN:approver", type="ROLE_IN", role="approver")
    >>> _ = g.add_edge("kam", "d", type="RELATES_TO", stage="acquainted")
    >>> next_best(g, "t", as_of=date(2026, 1, 1))["items"][0]["path"]["nodes"]
    ['kam', 'd']
    """
    influence = influence_graph(G, as_of=as_of, config=config)
    scores = tender_scores(G, tender_id, as_of=as_of, config=config, influence=influence)
    quiet = set() if include_quiet else quiet_role_holders(G, as_of=as_of, config=config)
    covered = covered_people(G, as_of=as_of, config=config)
    candidates = sorted((person for person in scores if person not in covered and person not in quiet),
                        key=lambda person: (-round(scores[person], 12), person))[:k]
    network = warm_network(G, as_of=as_of, config=config, leave_out=quiet, influence=influence)
    return {"tender": tender_id, "items": [
        _engagement(G, network, person, scores[person], config) for person in candidates]}


def _engagement(G: nx.MultiDiGraph, network: nx.DiGraph, person: str, score: float,
                config: AnalysisConfig) -> dict[str, Any]:
    paths = _paths(G, network, person, 1, None, config.path_hops)
    return {"id": person, "name": G.nodes[person].get("name", person), "gain": score,
            "score": score, "path": paths[0] if paths else None}
