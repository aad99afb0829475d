"""`kamgraph serve` killed (SIGKILL) while it imports an upload sent to ``POST /api/v1/import``.

On either store the import is one transaction, so the store keeps exactly its previous state
(no record of the upload, SQLite's file whole) and the server starts again on it without any
repair. The kill waits until the import is seen writing (SQLite: its write lock held and its
WAL grown; Neo4j: its transaction holding locks for a quarter of the upload), never a guessed
time; an import that ends first fails the test. Every wait is bounded, all on 127.0.0.1.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver, GraphDatabase

from kamgraph import users
from kamgraph.audit import AuditFilter
from kamgraph.model import Node, Relationship
from kamgraph.store.base import GraphStore
from kamgraph.store.neo4j import Neo4jStore
from kamgraph.store.sqlite import SqliteStore
from tests.conftest import BACKENDS, NEO4J_PASSWORD, NEO4J_URL, neo4j_store
from tests.test_serve import Server, serving

UPLOAD_NODES = 100_000
WAL_WRITING_BYTES = 2 * 2**20  # the 100,000 nodes grow the WAL to about 8 MiB
NEO4J_WRITING_LOCKS = UPLOAD_NODES  # the import takes about four locks per node
WRITING_LIMIT_S = 120
STOP_LIMIT_S = 30
SERVE_OPTIONS = ("--no-demo", "--host", "127.0.0.1")
ROLLBACK_LIMIT_S = 60

KEPT_NODES = [Node("Organization", "o-keep", "Kept Hospital", {"type": "hospital"}),
              Node("Stakeholder", "s-keep", "Kept Person", {"tier": 1})]
KEPT_RELATIONSHIPS = [Relationship("WORKS_AT", "s-keep", "o-keep", {"position": "Head"})]


def open_store(backend: str, db: Path) -> GraphStore:
    if backend == "sqlite":
        return SqliteStore(db)
    return Neo4jStore(str(NEO4J_URL), password=NEO4J_PASSWORD)


def store_url(backend: str, db: Path) -> str:
    return f"sqlite:///{db}" if backend == "sqlite" else str(NEO4J_URL)


def prepare(backend: str, db: Path) -> str:
    """Kept records and an admin in an otherwise empty store; the admin's token."""
    store = SqliteStore(db) if backend == "sqlite" else neo4j_store()  # neo4j_store skips or empties
    with store:
        store.upsert(KEPT_NODES, KEPT_RELATIONSHIPS)
        return users.create_user(store, "ada", "admin")


def state(store: GraphStore) -> dict[str, Any]:
    """Everything an import could change: records, version, counts, users, audit log."""
    return {"nodes": [n.record() for n in store.iter_nodes()],
            "relationships": [r.record() for r in store.iter_relationships()],
            "graph_version": store.graph_version(), "counts": store.counts(),
            "users": store.list_users(), "audit": store.audit_entries(AuditFilter(), limit=1000)}


def write_upload(path: Path) -> Path:
    path.write_text(json.dumps({"nodes": [
        {"label": "Stakeholder", "id": f"s-{i:06d}", "name": f"Person {i}"}
        for i in range(UPLOAD_NODES)]}))
    return path


class Upload(threading.Thread):
    """``POST /api/v1/import`` of ``path``, in the background; ``outcome`` is the status code
    or the transport error."""

    def __init__(self, base: str, token: str, path: Path) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.path = base, token, path
        self.outcome: int | Exception | None = None

    def run(self) -> None:
        try:
            with self.path.open("rb") as file:
                self.outcome = httpx.post(
                    f"{self.base}/api/v1/import", files={"file": (self.path.name, file)},
                    headers={"Authorization": f"Bearer {self.token}"}, timeout=300).status_code
        except httpx.TransportError as exc:
            self.outcome = exc


def wait_until_writing(writing: Callable[[], bool], server: Server, upload: Upload) -> None:
    """Poll ``writing`` until true, failing when the server or the upload ended first."""
    deadline = time.monotonic() + WRITING_LIMIT_S
    while not writing():
        if server.process.poll() is not None or not upload.is_alive():
            pytest.fail(f"the import ended before its write phase was seen (answer "
                        f"{upload.outcome!r}); make the upload larger:\n{server.output()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the import did not start writing in {WRITING_LIMIT_S} s:\n"
                        f"{server.output()}")
        time.sleep(0.005)


@contextmanager
def watching(backend: str, db: Path) -> Iterator[tuple[Callable[[], bool], Callable[[], None]]]:
    """For the store: whether the import is seen mid-write, and what to await after the kill."""
    if backend == "sqlite":
        yield sqlite_writing(db), lambda: None
        return
    with GraphDatabase.driver(str(NEO4J_URL), auth=("neo4j", NEO4J_PASSWORD)) as driver:
        seen: list[str] = []  # the import's transaction, once seen

        def writing() -> bool:
            seen[:] = [id_ for id_, status, locks in neo4j_transactions(driver)
                       if status == "Running" and locks >= NEO4J_WRITING_LOCKS]  # not committing
            return bool(seen)

        yield writing, lambda: wait_for_neo4j_rollback(driver, seen)


def sqlite_writing(db: Path) -> Callable[[], bool]:
    """True while a write transaction holds the file's lock after growing the WAL (the import
    mid-write); a large WAL with the lock free means the import ended, and fails loudly."""
    wal = db.with_name(db.name + "-wal")

    def seen() -> bool:
        if not wal.exists() or wal.stat().st_size < WAL_WRITING_BYTES:
            return False
        assert write_lock_held(db), "the import committed before it could be killed"
        return True

    return seen


def write_lock_held(db: Path) -> bool:
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY, exc
        return True
    finally:
        probe.close()


def integrity(db: Path) -> str:
    raw = sqlite3.connect(db)
    try:
        return str(raw.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        raw.close()


def neo4j_transactions(driver: Driver) -> list[tuple[str, str, int]]:
    """(id, status, locks held) of every transaction but this query's."""
    records, _, _ = driver.execute_query(
        "SHOW TRANSACTIONS YIELD transactionId, currentQuery, status, activeLockCount "
        "WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' "
        "RETURN transactionId, status, activeLockCount", database_="neo4j")
    return [(r["transactionId"], r["status"], r["activeLockCount"]) for r in records]


def wait_for_neo4j_rollback(driver: Driver, transactions: list[str]) -> None:
    """Neo4j ends the dead client's transaction once it sees the connection closed."""
    deadline = time.monotonic() + ROLLBACK_LIMIT_S
    while set(transactions) & {id_ for id_, _, _ in neo4j_transactions(driver)}:
        assert time.monotonic() < deadline, "Neo4j kept the killed server's transaction"
        time.sleep(0.1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_server_killed_mid_import_leaves_the_previous_state(backend: str, tmp_path: Path) -> None:
    db = tmp_path / "kamgraph.db"
    token = prepare(backend, db)
    with open_store(backend, db) as store:
        before = state(store)
    upload_file = write_upload(tmp_path / "big.json")
    with watching(backend, db) as (writing, settled), \
            serving(store_url(backend, db), tmp_path, *SERVE_OPTIONS,
                    stop_limit_s=STOP_LIMIT_S) as server:
        upload = Upload(server.base, token, upload_file)
        upload.start()
        wait_until_writing(writing, server, upload)
        server.process.send_signal(signal.SIGKILL)
        assert server.process.wait(STOP_LIMIT_S) == -signal.SIGKILL
        upload.join(STOP_LIMIT_S)
        settled()
    assert isinstance(upload.outcome, httpx.TransportError), upload.outcome  # never answered
    if backend == "sqlite":
        assert integrity(db) == "ok"
    with open_store(backend, db) as store:
        assert state(store) == before
        assert store.get_node("s-000001") is None
    with serving(store_url(backend, db), tmp_path, *SERVE_OPTIONS,
                 stop_limit_s=STOP_LIMIT_S) as again:  # no repair step in between
        auth = {"Authorization": f"Bearer {token}"}
        health = httpx.get(f"{again.base}/api/v1/health", timeout=30)
        kept = httpx.get(f"{again.base}/api/v1/stakeholders/s-keep", headers=auth, timeout=30)
    assert health.status_code == 200 and health.json()["graph_version"] == before["graph_version"]
    assert kept.status_code == 200 and kept.json()["node"]["name"] == "Kept Person"
