"""Small stored graphs for analysis tests, built from JSON records checked by the model."""

from __future__ import annotations

from typing import Any

import networkx as nx

from kamgraph.model import Node, Where, parse_node, parse_relationship
from kamgraph.store.base import GraphStore, to_networkx


def graph(*records: dict[str, Any]) -> nx.MultiDiGraph:
    """A stored graph from JSON records, checked by the model as an import would."""
    nodes, rels = [], []
    for record in records:
        is_node = "label" in record
        item, problems = (parse_node if is_node else parse_relationship)(record, Where(None, "test"))
        assert item is not None, problems
        (nodes if is_node else rels).append(item)
    return to_networkx(nodes, rels)


def person(id_: str, **props: Any) -> dict[str, Any]:
    return {"label": "Stakeholder", "id": id_, "name": f"Dr {id_.upper()}", **props}


def node(label: str, id_: str, **props: Any) -> dict[str, Any]:
    return {"label": label, "id": id_, "name": f"{label} {id_}", **props}


def rel(type_: str, start: str, end: str, **props: Any) -> dict[str, Any]:
    return {"type": type_, "from": start, "to": end, **props}


def load(store: GraphStore, records: list[dict[str, Any]]) -> None:
    """Write records (checked by the model) into a store in one transaction."""
    stored = graph(*records)
    nodes = [Node(d["label"], n, d["name"], {k: v for k, v in d.items() if k not in ("label", "name")})
             for n, d in stored.nodes(data=True)]
    rels = []
    for record in records:
        if "label" not in record:
            item, problems = parse_relationship(record, Where(None, "test"))
            assert item is not None, problems
            rels.append(item)
    store.upsert(nodes, rels)
