"""The balance of power: brokers, factions, and what changes when a person leaves.

Brokers and factions read the social graph (``graphs.social_graph``): the undirected person
graph whose tie weight is the stronger direction of the influence graph, weak committee and
event ties included, relationships outside their time window at ``as_of`` left out. What-if
removal recomputes tender influence (``tender.tender_influence``) or territory importance and
coverage (``coverage.key_stakeholders``) without the person.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import networkx as nx

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.coverage import key_stakeholders
from kamgraph.analysis.graphs import covered_people, influence_graph, undirected_ties
from kamgraph.analysis.influence import influence_rank, rank
from kamgraph.analysis.tender import tender_influence
from kamgraph.model import STANCES

__all__ = ["brokers", "factions", "what_if"]

"""Leaders listed per faction: its members with the highest influence rank."""


def brokers(graph: nx.MultiDiGraph, *, as_of: date, config: AnalysisConfig = DEFAULT,
            top: int = 10, seed: int = 7) -> dict[str, Any]:
    """The people who sit between groups: weighted betweenness on the social graph.

    A person's score is the normalised betweenness centrality
    ``2 / ((n-1)(n-2)) * Σ_{s,t != x} paths_st(x) / paths_st`` (``paths_st``: shortest paths
    between s and t, ``paths_st(x)``: those through x), where shortest paths use the distance
    ``1 / weight`` of each social tie (a strong tie is a short step, a weak committee tie a
    long one): ``influence.rank(metric="betweenness")``. Above 2000 people the score is
    estimated from 2000 source people drawn with ``seed``.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A store subgraph.
    as_of : date
        Ties count when active at this date.
    config : AnalysisConfig
        Weights of the social graph.
    top : int
        How many brokers to return (10).
    seed : int
        Seed of the sample on large graphs (7).

    Returns
    -------
    dict
        ``{"items": [{"id", "name", "score"}]}``, highest score first (ties by id); people
        with score 0 (on no shortest path between others) are left out.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for pid in "abc":
    ...     g.add_node(pid, label="Stakeholder", name=pid.upper())
    >>> _ = g.add_edge("a", "b", key="KNOWS", type="KNOWS", weight=1.0)
    >>> _ = g.add_edge("b", "c", key="KNOWS", type="KNOWS", weight=1.0)
    >>> brokers(g, as_of=date(2026, 1, 1))["items"]
    [{'id': 'b', 'name': 'B', 'score': 1.0}]
    """
    ranked = rank(graph, metric="betweenness", as_of=as_of, config=config, seed=seed)["items"]
    return {"items": [{"id": item["id"], "name": item["name"], "score": item["score"]}
                      for item in ranked if item["score"] > 0][:top]}


def factions(graph: nx.MultiDiGraph, *, as_of: date, config: AnalysisConfig = DEFAULT,
             seed: int = 7) -> dict[str, Any]:
    """Groups of people more tied to each other than to the rest: Louvain communities.

    Communities are ``nx.community.louvain_communities`` of the social graph (tie weight
    ``weight``, resolution 1, ``seed``). The social graph is built in sorted id order, so the
    result is the same for the same graph whatever order its nodes were added in. People
    with no active tie belong to no faction.

    ``influence_share`` of a faction = Σ influence rank of its members / Σ influence rank of
    all faction members (influence rank: PageRank on the reversed influence graph), so the
    shares sum to 1.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A store subgraph.
    as_of : date
        Ties count when active at this date.
    config : AnalysisConfig
        Weights of the influence and social graphs, PageRank damping.
    seed : int
        Seed of the community detection (7).

    Returns
    -------
    dict
        ``{"factions": [{"id", "members", "size", "stance_mix", "influence_share",
        "leaders"}]}``: ``id`` 1, 2, … in order of influence share (descending, then size,
        then first member); ``members`` sorted; ``stance_mix`` {stance: count} in the order
        champion, supporter, neutral, skeptic, opponent, unknown (zero counts left out);
        ``leaders`` the ``config.faction_leaders`` (3) members of highest influence rank.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for pid in "abcd":
    ...     g.add_node(pid, label="Stakeholder", name=pid.upper(), stance="neutral")
    >>> _ = g.add_edge("a", "b", key="KNOWS", type="KNOWS", weight=1.0)
    >>> _ = g.add_edge("c", "d", key="KNOWS", type="KNOWS", weight=1.0)
    >>> [f["members"] for f in factions(g, as_of=date(2026, 1, 1))["factions"]]
    [['a', 'b'], ['c', 'd']]
    """
    influence = influence_graph(graph, as_of=as_of, config=config)
    social = undirected_ties(influence)  # social_graph of the same graph, without a second build
    social.remove_nodes_from([p for p in sorted(social) if social.degree(p) == 0])
    if social.number_of_nodes() == 0:
        return {"factions": []}
    ranks = influence_rank(influence, config=config)
    groups = nx.community.louvain_communities(social, weight="weight", seed=seed)
    total = sum(ranks.get(p, 0.0) for p in social) or 1.0
    rows = [_faction(graph, sorted(group), ranks, total, config.faction_leaders) for group in groups]
    rows.sort(key=lambda row: (-row["influence_share"], -row["size"], row["members"][0]))
    return {"factions": [{"id": number, **row} for number, row in enumerate(rows, start=1)]}


def what_if(graph: nx.MultiDiGraph, person_id: str, *, as_of: date, tender_id: str | None = None,
            territory_id: str | None = None, config: AnalysisConfig = DEFAULT,
            top: int = 10) -> dict[str, Any]:
    """What changes if a person leaves: remove them with their relationships and recompute.

    - For a tender: every person's tender influence (``tender.tender_influence``) before and
      after; ``coverage_*`` is the tender's coverage (influence share held by covered people).
    - For a territory: every key stakeholder's importance (``coverage.key_stakeholders``)
      before and after; ``coverage_*`` is the territory's weighted coverage
      (Σ importance of covered / Σ importance).

    ``delta`` = after - before; a person who only appears on one side counts 0 on the other.
    The removed person is not listed among the changes.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A store subgraph holding the person and the tender or territory.
    person_id : str
        The person who leaves.
    as_of : date
        The analysis date.
    tender_id, territory_id : str, optional
        The scope: exactly one of the two.
    config : AnalysisConfig
        Weights of the scores.
    top : int
        How many changes to list (10), largest ``|delta|`` first (ties by id).

    Returns
    -------
    dict
        ``{"removed": {"id", "name"}, "scope": {"tender": id} or {"territory": id},
        "changes": [{"id", "name", "before", "after", "delta"}], "coverage_before",
        "coverage_after"}``.

    Raises
    ------
    ValueError
        Neither or both of ``tender_id`` and ``territory_id`` given.
    KeyError
        The person, tender or territory is not in ``graph``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("r", label="Territory", name="Region")
    >>> g.add_node("h", label="Organization", name="Hospital")
    >>> _ = g.add_edge("h", "r", key="LOCATED_IN", type="LOCATED_IN")
    >>> for pid in "ab":
    ...     g.add_node(pid, label="Stakeholder", name=pid.upper())
    ...     _ = g.add_edge(pid, "h", key="WORKS_AT", type="WORKS_AT", seniority="staff")
    >>> g.add_node("am", label="AccountManager", name="Anna")
    >>> _ = g.add_edge("am", "a", key="RELATES_TO", type="RELATES_TO", stage="engaged")
    >>> result = what_if(g, "b", as_of=date(2026, 1, 1), territory_id="r")
    >>> result["coverage_before"], result["coverage_after"]
    (0.5, 1.0)
    """
    if (tender_id is None) == (territory_id is None):
        raise ValueError("give exactly one of tender_id and territory_id")
    if graph.nodes.get(person_id, {}).get("label") != "Stakeholder":
        raise KeyError(person_id)
    without = graph.copy()
    without.remove_node(person_id)
    if tender_id is not None:
        before, cover_before = _tender_scores(graph, tender_id, as_of, config)
        after, cover_after = _tender_scores(without, tender_id, as_of, config)
        scope = {"tender": tender_id}
    else:
        assert territory_id is not None
        before, cover_before = _territory_scores(graph, territory_id, as_of, config)
        after, cover_after = _territory_scores(without, territory_id, as_of, config)
        scope = {"territory": territory_id}
    return {"removed": _ref(graph, person_id), "scope": scope,
            "changes": _changes(graph, person_id, before, after)[:top],
            "coverage_before": cover_before, "coverage_after": cover_after}


def _ref(graph: nx.MultiDiGraph, node_id: str) -> dict[str, str]:
    return {"id": node_id, "name": str(graph.nodes[node_id].get("name", node_id))}


def _faction(graph: nx.MultiDiGraph, members: list[str], ranks: dict[str, float],
             total: float, leaders_listed: int) -> dict[str, Any]:
    stances = Counter(str(graph.nodes[p].get("stance", "unknown")) for p in members)
    leaders = sorted(members, key=lambda p: (-ranks.get(p, 0.0), p))[:leaders_listed]
    return {"members": members, "size": len(members),
            "stance_mix": {s: stances[s] for s in (*STANCES, *sorted(stances)) if stances[s]},
            "influence_share": sum(ranks.get(p, 0.0) for p in members) / total,
            "leaders": leaders}


def _tender_scores(graph: nx.MultiDiGraph, tender_id: str, as_of: date, config: AnalysisConfig
                   ) -> tuple[dict[str, float], float]:
    result = tender_influence(graph, tender_id, as_of=as_of, config=config)
    return {item["id"]: item["score"] for item in result["items"]}, result["coverage"]


def _territory_scores(graph: nx.MultiDiGraph, territory_id: str, as_of: date,
                      config: AnalysisConfig) -> tuple[dict[str, float], float]:
    score = key_stakeholders(graph, territory_id, as_of=as_of, config=config)
    covered = covered_people(graph, as_of=as_of, config=config)
    total = sum(score.values())
    coverage = sum(s for p, s in score.items() if p in covered) / total if total > 0 else 0.0
    return score, coverage


def _changes(graph: nx.MultiDiGraph, removed: str, before: dict[str, float],
             after: dict[str, float]) -> list[dict[str, Any]]:
    rows = [{**_ref(graph, p), "before": before.get(p, 0.0), "after": after.get(p, 0.0),
             "delta": after.get(p, 0.0) - before.get(p, 0.0)}
            for p in sorted((before.keys() | after.keys()) - {removed})]
    return sorted(rows, key=lambda row: (-abs(row["delta"]), row["id"]))
