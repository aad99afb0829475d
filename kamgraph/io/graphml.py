"""GraphML export, for Gephi, yEd and networkx (``networkx.read_graphml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx

from kamgraph.model import LIST_SEPARATOR

__all__ = ["write_graphml"]


def write_graphml(path: Path, graph: nx.MultiDiGraph) -> tuple[int, int]:
    """Write ``graph`` (from a store) as GraphML; lists become ``;``-joined text.

    GraphML wants one type per attribute name, so every property is written as text
    except the ones that are numbers on every node or edge that has them.
    """
    plain = nx.MultiDiGraph()
    plain.add_nodes_from((node, _flat(attrs)) for node, attrs in graph.nodes(data=True))
    plain.add_edges_from((a, b, key, _flat(attrs))
                         for a, b, key, attrs in graph.edges(keys=True, data=True))
    _unify_types(plain.nodes.values())
    _unify_types(attrs for _, _, attrs in plain.edges(data=True))
    nx.write_graphml(plain, path, encoding="utf-8")
    return plain.number_of_nodes(), plain.number_of_edges()


def _flat(attrs: dict[str, Any]) -> dict[str, Any]:
    return {key: LIST_SEPARATOR.join(value) if isinstance(value, list) else value
            for key, value in attrs.items()}


def _unify_types(items: Any) -> None:
    items = list(items)
    kinds: dict[str, set[type]] = {}
    for attrs in items:
        for key, value in attrs.items():
            kinds.setdefault(key, set()).add(type(value))
    mixed = {key for key, types in kinds.items()
             if len(types) > 1 and not types <= {int, float}}
    floats = {key for key, types in kinds.items() if types == {int, float}}
    for attrs in items:
        for key in mixed & attrs.keys():
            attrs[key] = str(attrs[key])
        for key in floats & attrs.keys():
            attrs[key] = float(attrs[key])
