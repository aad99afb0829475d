"""What a user would do without kamgraph's store and subgraphs, each the same computation:

- **plain inserts**: read the JSON file, one ``INSERT`` per record into a plain SQLite table
  in a Python loop (one commit at the end, as ``sqlite3`` does by default);
- **whole-graph tender PageRank**: ``networkx.pagerank`` with the tender's restart vector
  over the whole influence graph (reversed), same damping and tolerance;
- **coverage from a full export**: export the store as JSON, load it, build the networkx
  graph, run ``coverage_report`` on it;
- **warm paths with networkx**: ``shortest_simple_paths`` from our team to the person over
  the whole warm network, cost = -log(strength), keeping paths of at most 4 hops until k;
- **igraph PageRank**: over the same reversed influence graph, same damping, with the faster
  of igraph's two implementations on that graph (PRPACK or ARPACK).

The graphs these run on are built once, outside the timings (which favours the baselines).
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Mapping
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx

from kamgraph.analysis import coverage
from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.tender import role_holders
from kamgraph.io import export_graph
from kamgraph.store.base import GraphStore

__all__ = ["TEAM", "costed_network", "coverage_from_export", "fastest_igraph", "graph_from_json", "igraph_of",
           "igraph_pagerank", "plain_inserts", "tender_pagerank", "tender_restart", "top",
           "warm_paths_networkx"]

IGRAPH_IMPLEMENTATIONS = ("prpack", "arpack")

TEAM = "__team__"
"""The one source joined to every account manager, as ``shortest_simple_paths`` takes one."""


def plain_inserts(json_path: Path, db_path: Path) -> int:
    """Load the JSON file into two plain tables, one INSERT per record; returns the count."""
    data = json.loads(json_path.read_text(encoding="utf-8"))
    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE nodes (id TEXT PRIMARY KEY, label TEXT, name TEXT, props TEXT)")
    db.execute("CREATE TABLE relationships (type TEXT, start TEXT, end TEXT, props TEXT)")
    for node in data["nodes"]:
        props = {k: v for k, v in node.items() if k not in ("id", "label", "name")}
        db.execute("INSERT INTO nodes VALUES (?, ?, ?, ?)",
                   (node["id"], node["label"], node["name"], json.dumps(props)))
    for rel in data["relationships"]:
        props = {k: v for k, v in rel.items() if k not in ("type", "from", "to")}
        db.execute("INSERT INTO relationships VALUES (?, ?, ?, ?)",
                   (rel["type"], rel["from"], rel["to"], json.dumps(props)))
    db.commit()
    db.close()
    return len(data["nodes"]) + len(data["relationships"])


def tender_restart(graph: nx.MultiDiGraph, tender_id: str, as_of: date,
                   config: AnalysisConfig = DEFAULT) -> dict[str, float]:
    """The tender's restart vector: each role holder with their heaviest role's weight."""
    return {person: max(config.tender_roles.get(role, 0.0) for role in roles)
            for person, roles in role_holders(graph, tender_id, as_of=as_of).items()}


def tender_pagerank(influence: nx.DiGraph, restart: Mapping[str, float],
                    config: AnalysisConfig = DEFAULT) -> dict[str, float]:
    """Tender influence the networkx way: personalized PageRank over the reversed graph."""
    return nx.pagerank(influence.reverse(copy=False), alpha=config.damping,
                       personalization=dict(restart), tol=config.pagerank_tol,
                       max_iter=config.pagerank_max_iter, weight="weight")


def graph_from_json(path: Path) -> nx.MultiDiGraph:
    """A kamgraph JSON export as a networkx graph (attributes as the stores give them)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    graph = nx.MultiDiGraph()
    graph.add_nodes_from((node["id"], {k: v for k, v in node.items() if k != "id"})
                         for node in data["nodes"])
    graph.add_edges_from((rel["from"], rel["to"], {k: v for k, v in rel.items() if k not in ("from", "to")})
                         for rel in data["relationships"])
    return graph


def coverage_from_export(store: GraphStore, territory_id: str, as_of: date, folder: Path
                         ) -> dict[str, Any]:
    """Export everything, load it back into networkx and compute the territory's coverage."""
    path = folder / "export.json"
    export_graph(store, path, "json")
    try:
        return coverage.coverage_report(graph_from_json(path), territory_id, as_of=as_of)
    finally:
        path.unlink()


def costed_network(network: nx.DiGraph, managers: list[str]) -> nx.DiGraph:
    """The warm network with ``cost`` = -log(strength) and :data:`TEAM` before every manager."""
    costed = nx.DiGraph()
    costed.add_edges_from((a, b, {"cost": -math.log(w)}) for a, b, w in network.edges(data="weight"))
    costed.add_edges_from((TEAM, manager, {"cost": 0.0}) for manager in managers if manager in costed)
    return costed


def warm_paths_networkx(costed: nx.DiGraph, target: str, *, k: int, max_hops: int,
                        deadline: float) -> tuple[list[tuple[list[str], float]], bool]:
    """The k strongest paths of at most ``max_hops`` edges, from Yen's algorithm in networkx;
    and whether it finished before ``deadline`` (``time.perf_counter()``)."""
    found: list[tuple[list[str], float]] = []
    if TEAM not in costed or target not in costed:
        return found, True
    try:
        for path in nx.shortest_simple_paths(costed, TEAM, target, weight="cost"):
            if len(path) - 2 <= max_hops:
                cost = sum(costed.edges[a, b]["cost"] for a, b in pairwise(path))
                found.append((path[1:], round(math.exp(-cost), 12)))
            if len(found) >= k:
                return found, True
            if time.perf_counter() > deadline:
                return found, False
    except nx.NetworkXNoPath:
        pass
    return found, True


def igraph_of(influence: nx.DiGraph) -> tuple[Any, list[str]]:
    """The reversed influence graph in igraph (weights kept), and its node names by index."""
    import igraph

    names = list(influence)
    index = {name: i for i, name in enumerate(names)}
    edges = [(index[b], index[a]) for a, b in influence.edges()]
    graph = igraph.Graph(n=len(names), edges=edges, directed=True)
    graph.es["weight"] = [float(w) for _, _, w in influence.edges(data="weight")]
    return graph, names


def igraph_pagerank(graph: Any, names: list[str], implementation: str = "prpack",
                    config: AnalysisConfig = DEFAULT) -> dict[str, float]:
    """igraph's PageRank (``prpack`` or ``arpack``: the same scores, at different speeds)."""
    return dict(zip(names, graph.pagerank(damping=config.damping, weights="weight",
                                          implementation=implementation), strict=True))


def fastest_igraph(graph: Any, names: list[str]) -> str:
    """The faster igraph PageRank implementation on this graph (weighted PRPACK can be several
    times slower than ARPACK), so the baseline is igraph at its best."""
    seconds = {}
    for implementation in IGRAPH_IMPLEMENTATIONS:
        started = time.perf_counter()
        igraph_pagerank(graph, names, implementation)
        seconds[implementation] = time.perf_counter() - started
    return min(seconds, key=seconds.__getitem__)


def top(scores: Mapping[str, float], n: int = 10) -> list[str]:
    """The ``n`` best ids, highest score first, ties by id."""
    return [key for key, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:n]]
