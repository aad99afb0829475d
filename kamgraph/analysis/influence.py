"""Who matters: influence rank, decision power, importance and structural metrics.

The scores, with the defaults of :class:`~kamgraph.analysis.config.AnalysisConfig`:

- **influence rank**: PageRank (damping 0.85) over the influence graph with its edges
  reversed, so a walk goes from the influenced to their influencers: you matter if you
  influence people who matter. It sums to 1 over the people of the graph.
- **decision power**: the largest of the seniority weights of a person's active
  ``WORKS_AT`` (executive 1.0, head 0.7, senior 0.4, staff 0.2) and the role weights of
  their ``ROLE_IN`` in open tenders (approver and decision_maker 1.0, budget_holder 0.9,
  spec_author 0.8, evaluator 0.7, formulary_member 0.6, requester 0.4); 0 with neither.
  A tender is open unless its status is awarded or cancelled (a tender without a status is
  open). The maximum, not the sum: a department head on three committees holds one
  position, not three.
- **importance**: ``0.5 * influence rank / (largest influence rank in the graph)
  + 0.5 * decision power``, both parts in [0, 1].
- **structural metrics** on the undirected social graph (a tie's weight is the stronger
  direction of the influence graph): *betweenness* and *closeness* use the distance
  ``1 / weight`` (a strong tie is a short step; brokers sit on the strongest routes, not
  on routes through a shared congress); *degree* is the weighted degree (sum of tie
  weights) divided by ``n - 1``; *eigenvector* is weighted by tie weight. Over more than
  ``sample_above`` people, betweenness and closeness sample ``sample_above`` source people
  with ``seed`` (closeness: the Eppstein-Wang estimate, distances from the sampled people
  standing in for distances from everyone) and the result says ``"sampled": true``; exact
  all-pairs shortest paths in pure Python take minutes on a region of 5000 people.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

import networkx as nx

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.graphs import (
    Edge,
    active_edges,
    current_employers,
    influence_graph,
    pagerank,
    people,
    social_graph,
)

__all__ = ["METRICS", "decision_power", "importance", "influence_rank", "rank"]

METRICS = ("influence", "decision", "importance", "betweenness", "degree", "closeness",
           "eigenvector")
"""The metrics ``rank`` knows."""


def influence_rank(influence: nx.DiGraph, *, config: AnalysisConfig = DEFAULT) -> dict[str, float]:
    """PageRank over the reversed influence graph: person → share of influence, summing to 1.

    Parameters
    ----------
    influence : nx.DiGraph
        An influence graph (``graphs.influence_graph``); edge ``weight`` = how strongly the
        tail sways the head.
    config : AnalysisConfig
        ``damping`` (0.85), ``pagerank_tol``, ``pagerank_max_iter``.

    Returns
    -------
    dict
        Person id → rank; ``{}`` for an empty graph.

    Examples
    --------
    The professor sways the head of department, who sways a doctor:

    >>> g = nx.DiGraph([("prof", "head", {"weight": 1.0}), ("head", "doc", {"weight": 1.0})])
    >>> ranks = influence_rank(g)
    >>> max(ranks, key=ranks.get), round(sum(ranks.values()), 9)
    ('prof', 1.0)
    """
    return pagerank(influence, reverse=True, config=config)


def decision_power(G: nx.MultiDiGraph, *, as_of: date, config: AnalysisConfig = DEFAULT,
                   active: Mapping[str, list[Edge]] | None = None) -> dict[str, float]:
    """Formal decision power of every Stakeholder, in [0, 1].

    ``max(seniority of each active WORKS_AT, role weight of each active ROLE_IN in an open
    tender)``, 0 when there is none. Weights: ``config.seniority`` and
    ``config.tender_roles``; a tender is open unless its status is in
    ``config.closed_tender_statuses`` (awarded, cancelled). ``active``: the graph's active
    relationships by type (``graphs.active_by_type``), when already gathered.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Stakeholder"); g.add_node("b", label="Stakeholder")
    >>> g.add_node("h", label="Organization"); g.add_node("t", label="Tender", status="published")
    >>> _ = g.add_edge("a", "h", type="WORKS_AT", seniority="staff")
    >>> _ = g.add_edge("a", "t", key="ROLE_IN:evaluator", type="ROLE_IN", role="evaluator")
    >>> decision_power(g, as_of=date(2026, 1, 1))
    {'a': 0.7, 'b': 0.0}
    """
    power = dict.fromkeys(people(G), 0.0)
    for person, weight in _formal_weights(G, as_of, config, active):
        if person in power:
            power[person] = max(power[person], weight)
    return power


def _formal_weights(G: nx.MultiDiGraph, as_of: date, config: AnalysisConfig,
                    active: Mapping[str, list[Edge]] | None) -> Iterator[tuple[str, float]]:
    jobs = active["WORKS_AT"] if active is not None else active_edges(G, "WORKS_AT", as_of)
    for person, _org, attrs in jobs:
        yield person, config.seniority.get(str(attrs.get("seniority")), 0.0)
    roles = active["ROLE_IN"] if active is not None else active_edges(G, "ROLE_IN", as_of)
    for person, tender, attrs in roles:
        if G.nodes[tender].get("status") not in config.closed_tender_statuses:
            yield person, config.tender_roles.get(str(attrs.get("role")), 0.0)


def importance(G: nx.MultiDiGraph, *, as_of: date, config: AnalysisConfig = DEFAULT,
               influence: Mapping[str, float] | None = None,
               active: Mapping[str, list[Edge]] | None = None) -> dict[str, float]:
    """Importance of every Stakeholder: a blend of influence rank and decision power.

    ``w * rank / max rank + (1 - w) * decision power`` with ``w =
    config.importance_influence`` (0.5); the maximum is taken over the people of ``G``.

    Parameters
    ----------
    influence : mapping, optional
        Influence ranks computed elsewhere (for example over a larger graph than the scope
        ``G``); by default ``influence_rank`` of ``G``'s influence graph at ``as_of``.
    active : mapping, optional
        ``G``'s active relationships by type (``graphs.active_by_type``), when gathered.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Stakeholder"); g.add_node("b", label="Stakeholder")
    >>> importance(g, as_of=date(2026, 1, 1), influence={"a": 0.6, "b": 0.3})
    {'a': 0.5, 'b': 0.25}
    """
    if influence is None:
        influence = influence_rank(influence_graph(G, as_of=as_of, config=config), config=config)
    power = decision_power(G, as_of=as_of, config=config, active=active)
    top = max((influence.get(person, 0.0) for person in power), default=0.0)
    share = config.importance_influence
    return {person: share * (influence.get(person, 0.0) / top if top > 0 else 0.0)
            + (1 - share) * weight for person, weight in power.items()}


def rank(G: nx.MultiDiGraph, *, metric: str = "influence", as_of: date,
         config: AnalysisConfig = DEFAULT, top: int | None = None, seed: int = 7,
         sample_above: int = 2000) -> dict[str, Any]:
    """Every Stakeholder of ``G`` ranked by one metric, best first (ties by id).

    Parameters
    ----------
    metric : str
        One of :data:`METRICS`: influence, decision, importance (see the module doc),
        betweenness, degree, closeness, eigenvector (on the social graph).
    top : int, optional
        Keep only the first ``top`` items.
    seed, sample_above : int
        Betweenness and closeness over more than ``sample_above`` people sample that many
        source people with ``seed`` and report ``"sampled": true``.

    Returns
    -------
    dict
        ``{"metric", "as_of": "YYYY-MM-DD", "sampled": bool, "items": [{"id", "name",
        "score", "label", "organization", "stance"}]}``; ``label`` is the node label,
        ``organization`` the name of the organisation of the person's most senior active
        job (or ``None``), ``stance`` the person's stance (``"unknown"`` when absent).

    Raises
    ------
    ValueError
        For an unknown metric, naming the known ones.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Stakeholder", name="A"); g.add_node("b", label="Stakeholder", name="B")
    >>> _ = g.add_edge("a", "b", type="INFLUENCES", weight=1.0)
    >>> [item["id"] for item in rank(g, as_of=date(2026, 1, 1))["items"]]
    ['a', 'b']
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of: {', '.join(METRICS)}")
    sampled = metric in _SAMPLED and len(people(G)) > sample_above
    scores = _METRIC_SCORES[metric](G, as_of, config, sample_above if sampled else None, seed)
    employers = current_employers(G, as_of=as_of, config=config)
    items = [_rank_item(G, person, score, employers) for person, score in _best_first(scores)]
    return {"metric": metric, "as_of": as_of.isoformat(), "sampled": sampled,
            "items": items if top is None else items[:top]}


def _best_first(scores: Mapping[str, float]) -> list[tuple[str, float]]:
    # rounded so that scores equal but for float noise fall back to the id
    return sorted(scores.items(), key=lambda item: (-round(item[1], 12), item[0]))


def _rank_item(G: nx.MultiDiGraph, person: str, score: float,
               employers: Mapping[str, str]) -> dict[str, Any]:
    attrs = G.nodes[person]
    return {"id": person, "name": attrs.get("name", person), "score": score,
            "label": attrs.get("label"), "organization": employers.get(person),
            "stance": attrs.get("stance", "unknown")}


def _distances(social: nx.Graph) -> nx.Graph:
    """The social graph with ``distance = 1 / weight`` on every tie."""
    for _a, _b, attrs in social.edges(data=True):
        attrs["distance"] = 1.0 / attrs["weight"]
    return social


def _influence(G: nx.MultiDiGraph, as_of: date, config: AnalysisConfig, _sample: int | None,
               _seed: int) -> dict[str, float]:
    return influence_rank(influence_graph(G, as_of=as_of, config=config), config=config)


def _decision(G: nx.MultiDiGraph, as_of: date, config: AnalysisConfig, _sample: int | None,
              _seed: int) -> dict[str, float]:
    return decision_power(G, as_of=as_of, config=config)


def _importance(G: nx.MultiDiGraph, as_of: date, config: AnalysisConfig, _sample: int | None,
                _seed: int) -> dict[str, float]:
    return importance(G, as_of=as_of, config=config)


def _betweenness(G: nx.MultiDiGraph, as_of: date, config: AnalysisConfig, sample: int | None,
                 seed: int) -> dict[str, float]:
    social = _distances(social_graph(G, as_of=as_of, config=config))
    return nx.betweenness_centrality(social, k=sample, weight="distance", seed=seed)


def _degree(G: nx.MultiDiGraph, as_of: date, config: AnalysisConfig, _sample: int | None,
            _seed: int) -> dict[str, float]:
    social = social_graph(G, as_of=as_of, config=config)
    scale = 1.0 / (len(social) - 1) if len(social) > 1 else 0.0
    return {person: strength * scale for person, strength in social.degree(weight="weight")}


def _closeness(G: nx.MultiDiGraph, as_of: date, config: AnalysisConfig, sample: int | None,
               seed: int) -> dict[str, float]:
    social = _distances(social_graph(G, as_of=as_of, config=config))
    if sample is None:
        return nx.closeness_centrality(social, distance="distance")
    return _sampled_closeness(social, random.Random(seed).sample(sorted(social), sample))


def _sampled_closeness(social: nx.Graph, pivots: list[str]) -> dict[str, float]:
    """Eppstein-Wang: distances from the pivots stand in for distances from everyone.

    networkx's ``(r - 1) / sum of distances * (r - 1) / (n - 1)`` with, for each person, the
    pivots that reach them in place of the ``r - 1`` people they reach; exact when every
    person is a pivot.
    """
    total: dict[str, float] = dict.fromkeys(social, 0.0)
    reached: dict[str, int] = dict.fromkeys(social, 0)
    for pivot in pivots:
        for person, distance in nx.single_source_dijkstra_path_length(
                social, pivot, weight="distance").items():
            if person != pivot:
                total[person] += distance
                reached[person] += 1
    chosen = set(pivots)
    return {person: reached[person] / total[person] * reached[person]
            / (len(pivots) - (person in chosen)) if total[person] > 0 else 0.0
            for person in social}


def _eigenvector(G: nx.MultiDiGraph, as_of: date, config: AnalysisConfig, _sample: int | None,
                 _seed: int) -> dict[str, float]:
    social = social_graph(G, as_of=as_of, config=config)
    if len(social) == 0:
        return {}
    return nx.eigenvector_centrality(social, max_iter=config.eigenvector_max_iter, weight="weight")


_SAMPLED = ("betweenness", "closeness")
_METRIC_SCORES: dict[str, Callable[..., dict[str, float]]] = {
    "influence": _influence, "decision": _decision, "importance": _importance,
    "betweenness": _betweenness, "degree": _degree, "closeness": _closeness,
    "eigenvector": _eigenvector,
}
