"""Stores: where the graph lives. :func:`open_store` picks the backend from a URL."""

from __future__ import annotations

from kamgraph.errors import StoreUnavailable
from kamgraph.store.base import Counts, GraphStore, WriteTransaction

__all__ = ["Counts", "GraphStore", "WriteTransaction", "open_store"]

SQLITE_PREFIX = "sqlite:///"
NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def open_store(url: str, *, user: str = "neo4j", password: str | None = None,
               database: str = "neo4j", busy_seconds: float | None = None,
               retry_seconds: float | None = None) -> GraphStore:
    """Open the store at ``url``: ``sqlite:///path/to/file.db`` (``busy_seconds``: how long a
    write waits for another process's write) or a Neo4j URL (with the Neo4j user, password
    and database; ``retry_seconds``: how long a query that failed transiently, the server
    away included, is tried again)."""
    if url.startswith(SQLITE_PREFIX):
        from kamgraph.store.sqlite import SqliteStore

        path = url.removeprefix(SQLITE_PREFIX)
        return SqliteStore(path) if busy_seconds is None else SqliteStore(path, busy_seconds=busy_seconds)
    if url.startswith(NEO4J_SCHEMES):
        from kamgraph.store.neo4j import Neo4jStore

        return Neo4jStore(url, user=user, password=password, database=database,
                          **({} if retry_seconds is None else {"retry_seconds": retry_seconds}))
    raise StoreUnavailable(
        f"unknown store URL {url!r}: use sqlite:///path/to/file.db or neo4j://host:7687")
