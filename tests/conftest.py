"""Shared fixtures. ``store`` runs each test once per backend (the contract suite).

The Neo4j backend uses the server that ``scripts/test`` starts (``scripts/neo4j start``)
and finds through ``KAMGRAPH_TEST_NEO4J_URL``; each test gets it emptied.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore

BACKENDS = ["sqlite", "neo4j"]
NEO4J_URL = os.environ.get("KAMGRAPH_TEST_NEO4J_URL")
NEO4J_PASSWORD = os.environ.get("KAMGRAPH_TEST_NEO4J_PASSWORD", "kamgraph-test-pw")
NO_NEO4J = ("Neo4j half skipped: no test server (KAMGRAPH_TEST_NEO4J_URL is unset). "
            "Run scripts/test, which starts one with scripts/neo4j (needs Java 17 and Maven).")


def neo4j_store() -> GraphStore:
    """The test Neo4j, emptied."""
    from kamgraph.store.cypher import query
    from kamgraph.store.neo4j import Neo4jStore

    if not NEO4J_URL:
        # Outside CI on a machine without Java: scripts/test leaves the URL unset and says why.
        # In CI scripts/test fails before pytest when Neo4j cannot start, so this never skips.
        pytest.skip(NO_NEO4J)
    store = Neo4jStore(NEO4J_URL, password=NEO4J_PASSWORD)
    with store._driver.session(database=store.database) as session:
        session.run(query("wipe_database")).consume()  # IN TRANSACTIONS needs auto-commit
        session.run(query("schema_meta")).consume()
    return store


def make_store(backend: str, tmp_path: Path) -> GraphStore:
    if backend == "sqlite":
        return SqliteStore(tmp_path / "kamgraph.db")
    return neo4j_store()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each backend."""
    opened = make_store(request.param, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "kamgraph.db")
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def _no_ambient_db(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch a store named by the developer's environment."""
    for name in list(os.environ):
        if name.startswith("KAMGRAPH_") and not name.startswith("KAMGRAPH_TEST_"):
            monkeypatch.delenv(name)
