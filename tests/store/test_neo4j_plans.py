"""Every hot Neo4j query starts from an index: ``EXPLAIN`` on the real server, with parameters
of the size the subgraphs and the cache send, shows no scan of all nodes or of a label."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from kamgraph import demo
from kamgraph.store.cypher import query
from kamgraph.store.neo4j import Neo4jStore
from tests.conftest import neo4j_store

SCANS = {"AllNodesScan", "NodeByLabelScan", "NodeIndexScan"}
"""Operators a hot query must not have: each reads every node (of a label)."""
SEEKS = {"NodeUniqueIndexSeek", "NodeIndexSeek", "NodeIndexSeekByRange",
         "NodeUniqueIndexSeekByRange", "NodeIndexContainsScan"}
"""Leaves that find their nodes through an index (a text index answers CONTAINS)."""


@pytest.fixture(scope="module")
def demo_store() -> Iterator[Neo4jStore]:
    """The smallest demo in the test Neo4j (the planner's statistics need real data)."""
    store = neo4j_store()
    assert isinstance(store, Neo4jStore)
    demo.load_demo(store, demo.MIN_SCALE, today=date(2026, 6, 1))
    yield store
    store.close()


def hot_queries(store: Neo4jStore) -> dict[str, dict[str, Any]]:
    """The queries of subgraphs, the cache, reads by id and search, with realistic parameters."""
    ids = [n.id for n, _ in zip(store.iter_nodes(), range(500), strict=False)]
    people = [n.id for n, _ in zip(store.iter_nodes("Stakeholder"), range(300), strict=False)]
    return {
        "get_node": {"id": people[0]},
        "node_labels": {"ids": ids},
        "relationships_of": {"id": people[0], "type": None},
        "step_out": {"ids": ids, "types": ["WORKS_AT", "ROLE_IN"]},
        "step_in": {"ids": ids, "types": []},
        "step_both": {"ids": people, "types": ["INFLUENCES", "KNOWS", "REPORTS_TO"]},
        "part_of_closure": {"ids": ids[:3]},
        "induced_nodes": {"ids": ids},
        "induced_relationships": {"ids": ids},
        "graph_version": {},
        "touched_after": {"version": 1, "limit": 501},
        "touched_among": {"ids": ids, "version": 1},
        "touched_all": {},
        "search": {"needle": "iv", "label": None, "limit": 20},
        "bump_version": {"touched": [[i, ["node", "KNOWS"]] for i in ids[:10]], "gone": ids[10:12],
                         "all": False},
        "delete_node": {"id": people[0]},
        "delete_relationship": {"type": "KNOWS", "src": people[0], "dst": people[1], "key": ""},
        "upsert_nodes": {"rows": [{"id": people[0], "label": "Stakeholder", "name": "x",
                                   "search": "x", "props": {}}]},
        "upsert_relationships": {"rows": [{"type": "KNOWS", "from": people[0], "to": people[1],
                                           "key": "", "props": {}}]},
        "stored_relationships": {"rows": [{"type": "KNOWS", "from": people[0], "to": people[1],
                                           "key": ""}]},
    }


def operators(plan: dict[str, Any]) -> Iterator[tuple[str, bool]]:
    """Each operator of a plan (``@neo4j`` and a write's ``(Locking)`` dropped) and whether it
    is a leaf."""
    children = plan.get("children", [])
    yield plan["operatorType"].split("@")[0].removesuffix("(Locking)"), not children
    for child in children:
        yield from operators(child)


def plan_of(store: Neo4jStore, name: str, params: dict[str, Any]) -> list[tuple[str, bool]]:
    with store._driver.session(database=store.database) as session:
        summary = session.run("EXPLAIN " + query(name), params).consume()
    assert summary.plan is not None
    return list(operators(summary.plan))


def test_every_hot_query_seeks_and_never_scans(demo_store: Neo4jStore) -> None:
    found = {name: plan_of(demo_store, name, params)
             for name, params in hot_queries(demo_store).items()}
    scanning = {name: sorted({op for op, _ in plan} & SCANS) for name, plan in found.items()}
    assert {name: ops for name, ops in scanning.items() if ops} == {}
    # Seeking every id for both ends and joining each pair would be quadratic in the ids.
    assert "CartesianProduct" not in {op for op, _ in found["induced_relationships"]}
    unindexed = {name: sorted({op for op, leaf in plan if leaf} - SEEKS)
                 for name, plan in found.items()}
    # Leaves other than seeks: the list an UNWIND reads, or a subquery's argument.
    assert {name: ops for name, ops in unindexed.items() if set(ops) - {"Unwind", "Argument"}} == {}


def test_the_version_counter_and_search_use_their_own_indexes(demo_store: Neo4jStore) -> None:
    assert ("NodeUniqueIndexSeek", True) in plan_of(demo_store, "graph_version", {})
    assert ("NodeIndexContainsScan", True) in plan_of(
        demo_store, "search", {"needle": "iv", "label": None, "limit": 20})
    ranges = [op for op, leaf in plan_of(demo_store, "touched_after", {"version": 1, "limit": 10})
              if leaf]
    assert ranges == ["NodeIndexSeekByRange", "NodeIndexSeekByRange"]  # touched nodes, tombstones
