"""From a store and ids to an analysis: the layer the CLI (and later the web API) calls.

Each function checks that its ids name nodes of the right label (else :class:`NotFound`),
loads the smallest subgraph that answers the question, and runs one pure analysis of
``kamgraph.analysis`` on it. ``as_of`` defaults to today; ``config`` to the documented
defaults (``AnalysisConfig()``). Results are the analyses' dicts, unchanged except where a
function says so.

Subgraphs (measured on the demo; ``docs/analyses.md`` has the numbers):

- **tender** (tender influence, next best, what-if on a tender):
  ``tender_subgraph(T, TENDER_HOPS)``, which holds the *other* tenders of its people too
  (their quiet periods and shared committees). Personalized PageRank is not local: with
  damping 0.85 a walk from the committee takes 5.7 steps on average, so 2 hops is not
  enough (scores off by up to 0.03, a different top 5 for half the tenders); 3 hops is off
  by up to 0.008, 4 hops by 0.001 (tests/test_services.py checks every demo tender).
- **territory** (coverage, rank, factions, brokers, what-if on a territory):
  ``territory_subgraph(R)``, with the events its people attended and the tenders they hold
  roles in: the scores are those of the territory's own network (people outside it do not
  lend influence).
- **organization** (rank): ``neighbourhood(O, 2)``: its staff, everyone tied to them, its
  tenders' committees; ranked in that neighbourhood, only the staff are listed.
- **warm paths**: ``paths_subgraph(X, path_hops)``: the people within ``path_hops - 2``
  social steps of X, the people one step further whom a manager relates to (they can only
  open a path), their tenders and events (weak ties, quiet periods) and the managers. Every
  path of up to ``path_hops`` steps that ends at X lies inside it with the weights it has in
  the whole graph (a tie's weight depends only on its two people), so the paths are exactly
  the whole graph's (tests/test_services.py checks every demo person). At national scale it
  is about 5,000 nodes where the 4-step neighbourhood was 50,000.
- **plans**, and rank, factions and brokers without a territory: ``whole_graph()``.

Every function takes an optional ``cache`` (:class:`kamgraph.cache.AnalysisCache`, or a view
of it that keeps answers rendered, whose bytes the function then returns): the web
API passes its one cache, which serves an answer again until a write touches a node of the
subgraph it was computed on (answers over the whole graph: until any write). The CLI passes
none: each command is its own process and loads one subgraph once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from datetime import date
from typing import Any, Literal

import networkx as nx

from kamgraph.analysis import coverage, influence, paths, plans, power, tender
from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.graphs import active_edges
from kamgraph.cache import Answers, Basis
from kamgraph.errors import NotFound
from kamgraph.model import Node
from kamgraph.store.base import GraphStore, person_kinds, subgraph_types

__all__ = [
    "ORGANIZATION_HOPS",
    "TENDER_HOPS",
    "brokers",
    "cached_answer",
    "coverage_report",
    "factions",
    "map_page",
    "next_best",
    "person_basis",
    "plan_status",
    "rank",
    "tender_influence",
    "warm_paths",
    "what_if",
]

TENDER_HOPS = 4
"""Person-to-person ties a tender subgraph needs around the committee (see the module doc)."""

ORGANIZATION_HOPS = 2
"""Steps around an organisation: its staff, then everyone tied to them."""

NOUNS = {"Tender": "tender", "Stakeholder": "stakeholder", "Territory": "territory",
         "AccountManager": "account manager", "Organization": "organization"}


def rank(store: GraphStore, *, territory_id: str | None = None, organization_id: str | None = None,
         metric: str = "influence", top: int | None = None, as_of: date | None = None,
         config: AnalysisConfig = DEFAULT, cache: Answers | None = None) -> dict[str, Any]:
    """People ranked by ``metric`` (``influence.rank``): in the whole graph, in a territory,
    or among an organisation's staff (scored in its neighbourhood, see the module doc).

    Raises ``ValueError`` for an unknown metric, :class:`NotFound` for an unknown id, and
    ``ValueError`` when both a territory and an organisation are given.
    """
    if territory_id is not None and organization_id is not None:
        raise ValueError("give at most one of a territory and an organization")
    day = as_of or date.today()

    def compute() -> tuple[dict[str, Any], Basis]:
        if organization_id is not None:
            ranked, graph = _rank_staff(store, organization_id, metric, top, day, config)
            return ranked, _basis(graph)
        graph = _scope_graph(store, territory_id)
        return (influence.rank(graph, metric=metric, as_of=day, config=config, top=top),
                _scope_basis(graph, territory_id))

    return cached_answer(cache, store, "rank", (territory_id, organization_id, metric, top, day), config,
                   compute)


def _rank_staff(store: GraphStore, organization_id: str, metric: str, top: int | None, day: date,
                config: AnalysisConfig) -> tuple[dict[str, Any], nx.MultiDiGraph]:
    """Rank the organisation's neighbourhood, then keep its staff (active ``WORKS_AT``)."""
    _require(store, organization_id, "Organization")
    graph = store.neighbourhood(organization_id, hops=ORGANIZATION_HOPS)
    result = influence.rank(graph, metric=metric, as_of=day, config=config)
    staff = {p for p, org, _ in active_edges(graph, "WORKS_AT", day) if org == organization_id}
    return _top({**result, "items": [i for i in result["items"] if i["id"] in staff]}, top), graph


def tender_influence(store: GraphStore, tender_id: str, *, top: int | None = None,
                     as_of: date | None = None, config: AnalysisConfig = DEFAULT,
                     cache: Answers | None = None) -> dict[str, Any]:
    """Who decides tender T and who influences them (``tender.tender_influence``), with
    support balance, coverage and competitor exposure; ``top`` keeps the first items."""
    day = as_of or date.today()

    def compute() -> tuple[dict[str, Any], Basis]:
        graph = _tender_graph(store, tender_id)
        return (tender.tender_influence(graph, tender_id, as_of=day, config=config, top=top),
                _basis(graph, "tender"))

    return cached_answer(cache, store, "tender_influence", (tender_id, top, day), config, compute)


def warm_paths(store: GraphStore, target_id: str, *, source_id: str | None = None, k: int = 3,
               include_quiet: bool = False, as_of: date | None = None,
               config: AnalysisConfig = DEFAULT, cache: Answers | None = None) -> dict[str, Any]:
    """The ``k`` strongest warm paths from our team (or one account manager) to a person."""
    day = as_of or date.today()

    def compute() -> tuple[dict[str, Any], Basis]:
        _require(store, target_id, "Stakeholder")
        if source_id is not None:
            _require(store, source_id, "AccountManager")
        graph = store.paths_subgraph(target_id, hops=config.path_hops)
        found = paths.warm_paths(graph, target_id, as_of=day, k=k, source=source_id,
                                 max_hops=config.path_hops, include_quiet=include_quiet,
                                 config=config)
        # The source may lie outside the subgraph: its deletion must be seen too.
        return found, _basis({*graph, *([source_id] if source_id is not None else [])}, "paths")

    return cached_answer(cache, store, "warm_paths", (target_id, source_id, k, include_quiet, day), config,
                   compute)


def next_best(store: GraphStore, tender_id: str, *, k: int = 5, include_quiet: bool = False,
              as_of: date | None = None, config: AnalysisConfig = DEFAULT,
              cache: Answers | None = None) -> dict[str, Any]:
    """The ``k`` uncovered people whose coverage would most raise tender T's coverage, each
    with its strongest warm path (quiet-period role holders left out unless asked)."""
    day = as_of or date.today()

    def compute() -> tuple[dict[str, Any], Basis]:
        graph = _tender_graph(store, tender_id)
        return paths.next_best(graph, tender_id, as_of=day, k=k, include_quiet=include_quiet,
                               config=config), _basis(graph, "tender")

    return cached_answer(cache, store, "next_best", (tender_id, k, include_quiet, day), config, compute)


def coverage_report(store: GraphStore, territory_id: str, *, compare: date | None = None,
                    stale_days: int | None = None, top: int | None = None,
                    as_of: date | None = None, config: AnalysisConfig = DEFAULT,
                    cache: Answers | None = None) -> dict[str, Any]:
    """Territory coverage (``coverage.coverage_report``), optionally compared with a date."""
    day = as_of or date.today()

    def compute() -> tuple[dict[str, Any], Basis]:
        graph = _territory_graph(store, territory_id)
        report = coverage.coverage_report(graph, territory_id, as_of=day, compare=compare,
                                          config=config, stale_days=stale_days, top=top)
        return report, _basis(graph, "territory")

    return cached_answer(cache, store, "coverage_report", (territory_id, compare, stale_days, top, day),
                   config, compute)


def factions(store: GraphStore, *, territory_id: str | None = None, as_of: date | None = None,
             config: AnalysisConfig = DEFAULT, cache: Answers | None = None) -> dict[str, Any]:
    """Factions (Louvain communities of the social graph) in a territory or the whole graph."""
    day = as_of or date.today()

    def compute() -> tuple[dict[str, Any], Basis]:
        graph = _scope_graph(store, territory_id)
        return power.factions(graph, as_of=day, config=config), _scope_basis(graph, territory_id)

    return cached_answer(cache, store, "factions", (territory_id, day), config, compute)


def brokers(store: GraphStore, *, territory_id: str | None = None, top: int = 10,
            as_of: date | None = None, config: AnalysisConfig = DEFAULT,
            cache: Answers | None = None) -> dict[str, Any]:
    """Brokers (betweenness on the social graph) in a territory or the whole graph."""
    day = as_of or date.today()

    def compute() -> tuple[dict[str, Any], Basis]:
        graph = _scope_graph(store, territory_id)
        return (power.brokers(graph, as_of=day, config=config, top=top),
                _scope_basis(graph, territory_id))

    return cached_answer(cache, store, "brokers", (territory_id, top, day), config, compute)


def what_if(store: GraphStore, person_id: str, *, tender_id: str | None = None,
            territory_id: str | None = None, top: int = 10, as_of: date | None = None,
            config: AnalysisConfig = DEFAULT, cache: Answers | None = None) -> dict[str, Any]:
    """Whose influence on a tender (or importance in a territory) changes if a person leaves,
    and how coverage changes. A person outside the scope's subgraph changes nothing."""
    if (tender_id is None) == (territory_id is None):
        raise ValueError("give exactly one of a tender and a territory")
    day = as_of or date.today()

    def compute() -> tuple[dict[str, Any], Basis]:
        person = _require(store, person_id, "Stakeholder")
        graph = (_tender_graph(store, tender_id) if tender_id is not None
                 else _territory_graph(store, str(territory_id)))
        # The person counts even outside the subgraph: a name change or deletion shows.
        basis = _basis({*graph, person_id}, "tender" if tender_id is not None else "territory")
        if person_id not in graph:
            return _nothing_changes(graph, person, tender_id, territory_id, day, config), basis
        return power.what_if(graph, person_id, as_of=day, tender_id=tender_id,
                             territory_id=territory_id, config=config, top=top), basis

    return cached_answer(cache, store, "what_if", (person_id, tender_id, territory_id, top, day), config,
                   compute)


def _nothing_changes(graph: nx.MultiDiGraph, person: Node, tender_id: str | None,
                     territory_id: str | None, as_of: date, config: AnalysisConfig) -> dict[str, Any]:
    """What-if for someone outside the scope: nobody there depends on them."""
    if tender_id is not None:
        scope = {"tender": tender_id}
        share = tender.tender_influence(graph, tender_id, as_of=as_of, config=config,
                                         explain=False)["coverage"]
    else:
        scope = {"territory": str(territory_id)}
        share = coverage.coverage_report(graph, str(territory_id), as_of=as_of,
                                         config=config)["coverage_weighted"]
    return {"removed": {"id": person.id, "name": person.name}, "scope": scope, "changes": [],
            "coverage_before": share, "coverage_after": share}


def plan_status(store: GraphStore, *, at_risk_only: bool = False, as_of: date | None = None,
                config: AnalysisConfig = DEFAULT, cache: Answers | None = None) -> dict[str, Any]:
    """Every relationship plan with its progress (``plans.plan_status``)."""
    day = as_of or date.today()

    def compute() -> tuple[dict[str, Any], Basis]:
        return plans.plan_status(store.whole_graph(), as_of=day, at_risk_only=at_risk_only,
                                 config=config), _basis(None)

    return cached_answer(cache, store, "plan_status", (at_risk_only, day), config, compute)


def map_page(store: GraphStore, node_id: str, *, warm_paths_to: bool = False, top: int = 300,
             as_of: date | None = None, config: AnalysisConfig = DEFAULT,
             cache: Answers | None = None) -> str:
    """The interactive map (one HTML page) fitting the node: a tender's or a territory's map,
    a stakeholder's ego map, or with ``warm_paths_to`` the map of our warm paths to them."""
    day = as_of or date.today()
    return cached_answer(cache, store, "map_page", (node_id, warm_paths_to, top, day), config,
                   lambda: _map_page(store, node_id, warm_paths_to, top, day, config))


def _map_page(store: GraphStore, node_id: str, warm_paths_to: bool, top: int, day: date,
              config: AnalysisConfig) -> tuple[str, Basis]:
    """The page of :func:`map_page`, with the subgraph it drew (the node is always in it)."""
    from kamgraph import maps  # pyvis is only needed here

    node = store.get_node(node_id)
    if node is not None and node.label == "Tender":
        graph = _tender_graph(store, node_id)
        result = tender.tender_influence(graph, node_id, as_of=day, config=config, explain=False)
        return maps.tender_map(graph, result, as_of=day, top=top), _basis(graph, "tender")
    if node is not None and node.label == "Territory":
        graph = _territory_graph(store, node_id)
        report = coverage.coverage_report(graph, node_id, as_of=day, config=config)
        return maps.territory_map(graph, report, top=top, config=config), _basis(graph, "territory")
    if node is not None and node.label == "Stakeholder" and warm_paths_to:
        graph = store.paths_subgraph(node_id, hops=config.path_hops)
        found = paths.warm_paths(graph, node_id, as_of=day, config=config)
        return maps.path_map(graph, found, as_of=day, config=config), _basis(graph, "paths")
    if node is not None and node.label == "Stakeholder":
        graph = store.person_subgraph(node_id)
        return (maps.ego_map(graph, node_id, hops=2, as_of=day, top=top, config=config),
                person_basis(graph, node_id))
    raise NotFound(f"no tender, territory or stakeholder with id {node_id!r}")


def _tender_graph(store: GraphStore, tender_id: str) -> nx.MultiDiGraph:
    _require(store, tender_id, "Tender")
    return store.tender_subgraph(tender_id, hops=TENDER_HOPS)


def _territory_graph(store: GraphStore, territory_id: str) -> nx.MultiDiGraph:
    _require(store, territory_id, "Territory")
    return store.territory_subgraph(territory_id)


def _scope_graph(store: GraphStore, territory_id: str | None) -> nx.MultiDiGraph:
    """A territory's subgraph, or the whole graph when no territory is given."""
    return store.whole_graph() if territory_id is None else _territory_graph(store, territory_id)


def _basis(ids: Collection[str] | None, kind: Literal["tender", "territory", "paths"] | None = None
           ) -> Basis:
    """What a cached answer depends on: the ids of its subgraph (``None``: the whole graph, a
    new node anywhere changes it) and, for a tender's or territory's subgraph, the only
    relationship types whose writes can change it (``kamgraph.store.base.subgraph_types``)."""
    return Basis(ids, subgraph_types(kind) if kind is not None else None)


def person_basis(graph: nx.MultiDiGraph, person_id: str) -> Basis:
    """What an answer over ``person_subgraph`` depends on (``kamgraph.store.base.person_kinds``)."""
    return Basis(graph, person_kinds(), frozenset({person_id}))


def _scope_basis(graph: nx.MultiDiGraph, territory_id: str | None) -> Basis:
    return _basis(None) if territory_id is None else _basis(graph, "territory")


def cached_answer(cache: Answers | None, store: GraphStore, analysis: str,
            arguments: tuple[Hashable, ...], config: AnalysisConfig,
            compute: Callable[[], tuple[Any, Basis]]) -> Any:
    """``compute()``'s answer, through the cache when there is one (``kamgraph.cache``)."""
    if cache is None:
        return compute()[0]
    return cache.answer(store, analysis, arguments, compute, config=config)


def _require(store: GraphStore, node_id: str | None, label: str) -> Node:
    """The node, or :class:`NotFound` naming what was expected ("no tender with id 'x'")."""
    node = store.get_node(node_id) if node_id is not None else None
    if node is None or node.label != label:
        noun = NOUNS.get(node.label, node.label) if node else ""
        other = f" (it is {'an' if noun[:1] in 'aeiou' else 'a'} {noun})" if node else ""
        raise NotFound(f"no {NOUNS[label]} with id {node_id!r}{other}")
    return node


def _top(result: dict[str, Any], top: int | None) -> dict[str, Any]:
    return result if top is None else {**result, "items": result["items"][:top]}
