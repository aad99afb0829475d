"""What only the embedded store promises: WAL, schema upgrades, crash safety, readers beside a writer."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kamgraph import users
from kamgraph.errors import StoreUnavailable
from kamgraph.model import Node
from kamgraph.store import open_store
from kamgraph.store.sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteStore


def test_open_store_by_url(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/team.db")
    assert isinstance(store, SqliteStore)
    assert store.path == tmp_path / "team.db"
    store.close()


def test_unknown_url_is_refused() -> None:
    with pytest.raises(StoreUnavailable, match="unknown store URL"):
        open_store("postgres://localhost/kam")


def test_wal_and_schema_version(sqlite_store: SqliteStore) -> None:
    db = sqlite3.connect(sqlite_store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert sqlite_store.schema_version() == SCHEMA_VERSION == 5


def file_at_schema(path: Path, version: int, *statements: str) -> Path:
    """A store file as kamgraph at schema ``version`` left it, with ``statements`` run in it."""
    db = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:version]:
        migration(db)
    db.execute(f"PRAGMA user_version = {version}")
    for statement in statements:
        db.execute(statement)
    db.close()
    return path


def test_upgrade_from_schema_1_keeps_data_and_adds_search(tmp_path: Path) -> None:
    path = file_at_schema(tmp_path / "old.db", 1, "INSERT INTO nodes (id, label, name, props) "
                          "VALUES ('s-1', 'Stakeholder', 'Доктор Иванова', '{\"tier\": 1}')")
    store = SqliteStore(path)
    assert store.schema_version() == SCHEMA_VERSION
    assert store.get_node("s-1") == Node("Stakeholder", "s-1", "Доктор Иванова", {"tier": 1})
    assert [n.id for n in store.search("иванова")] == ["s-1"]
    store.close()


def test_upgrade_from_schema_2_keeps_data_and_adds_users(tmp_path: Path) -> None:
    path = file_at_schema(
        tmp_path / "v2.db", 2,
        "INSERT INTO nodes (id, label, name, props, search_name) VALUES "
        "('am-1', 'AccountManager', 'Anna Kamova', '{\"role\": \"kam\"}', 'anna kamova')",
        "UPDATE meta SET value = '7' WHERE key = 'graph_version'")
    store = SqliteStore(path)
    assert store.schema_version() == SCHEMA_VERSION
    assert store.get_node("am-1") == Node("AccountManager", "am-1", "Anna Kamova", {"role": "kam"})
    assert [n.id for n in store.search("kamova")] == ["am-1"] and store.graph_version() == 7
    token = users.create_user(store, "anna", "kam", "am-1")
    assert users.authenticate(store, token) == users.list_users(store)[0]
    store.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    SqliteStore(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StoreUnavailable, match="newer than this kamgraph"):
        SqliteStore(path)


def test_unopenable_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(StoreUnavailable, match="cannot open"):
        SqliteStore(tmp_path / "dir.db")


def test_readers_see_the_last_commit_while_a_writer_writes(sqlite_store: SqliteStore) -> None:
    sqlite_store.upsert([Node("Stakeholder", "s-1", "A", {})])
    in_transaction, release = threading.Event(), threading.Event()

    def write() -> None:
        with sqlite_store.transaction() as tx:
            tx.upsert_nodes([Node("Stakeholder", "s-2", "B", {})])
            in_transaction.set()
            release.wait(10)

    writer = threading.Thread(target=write)
    writer.start()
    assert in_transaction.wait(10)
    reader = SqliteStore(sqlite_store.path)  # another connection, as another process would
    assert reader.counts().nodes == 1  # not blocked, and not seeing uncommitted work
    release.set()
    writer.join()
    assert reader.counts().nodes == 2
    reader.close()


KILLED_IMPORT = """
import sys
from pathlib import Path
from kamgraph.io import import_path
from kamgraph.store.sqlite import SqliteStore

def progress(phase, done):
    if phase == "writing" and done >= 20_000:
        print("WRITING", flush=True)
        sys.stdin.read()  # wait here, mid-transaction, until killed

import_path(SqliteStore(sys.argv[1]), Path(sys.argv[2]), progress=progress)
"""


def test_a_killed_import_leaves_the_previous_state(tmp_path: Path) -> None:
    db_path = tmp_path / "kamgraph.db"
    store = SqliteStore(db_path)
    store.upsert([Node("Stakeholder", "s-keep", "Kept", {"tier": 1})])
    before = (store.counts(), store.graph_version())
    store.close()
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"nodes": [
        {"label": "Stakeholder", "id": f"s-{i:06d}", "name": f"Person {i}"} for i in range(60_000)
    ]}))
    proc = subprocess.Popen([sys.executable, "-c", KILLED_IMPORT, str(db_path), str(big)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "WRITING"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    store = SqliteStore(db_path)
    assert (store.counts(), store.graph_version()) == before
    assert store.get_node("s-000001") is None
    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()


def test_a_full_disk_is_a_clear_error_and_the_file_stays_whole(sqlite_store: SqliteStore) -> None:
    """The file may not grow (SQLite's page limit stands in for a full disk): the write says
    what to do, nothing of it is kept, and what was there stays."""
    sqlite_store.upsert([Node("Stakeholder", "s-keep", "Kept", {})])
    before = ([n.record() for n in sqlite_store.iter_nodes()], sqlite_store.graph_version())
    db = sqlite_store._db()
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    big = [Node("Stakeholder", f"s-{n}", "x" * 2000, {}) for n in range(200)]
    with pytest.raises(StoreUnavailable, match=r"full.*free space on the disk.*nothing was written"):
        sqlite_store.upsert(big)
    assert ([n.record() for n in sqlite_store.iter_nodes()], sqlite_store.graph_version()) == before
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_read_only_store_is_a_clear_error(sqlite_store: SqliteStore) -> None:
    sqlite_store.upsert([Node("Stakeholder", "s-keep", "Kept", {})])
    sqlite_store._db().execute("PRAGMA query_only = ON")  # as a read-only file or mount
    with pytest.raises(StoreUnavailable, match="cannot write to"):
        sqlite_store.upsert([Node("Stakeholder", "s-new", "New", {})])
    sqlite_store._db().execute("PRAGMA query_only = OFF")
    assert [n.id for n in sqlite_store.iter_nodes()] == ["s-keep"]


@contextmanager
def write_lock_held(path: Path, seconds: float) -> Iterator[list[float]]:
    """Another connection to the file, as another process would open it, holds the write lock
    (``BEGIN IMMEDIATE``) for ``seconds`` or until the block ends, then commits; the yielded
    list gets the time it began to commit."""
    held, release, failed = threading.Event(), threading.Event(), []
    committed: list[float] = []

    def hold() -> None:
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            held.set()
            release.wait(seconds)
            committed.append(time.monotonic())  # before COMMIT: no other write can end sooner
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            failed.append(exc)
        finally:
            db.close()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    try:
        assert held.wait(10), failed
        yield committed
    finally:
        release.set()
        holder.join(10)
    assert not holder.is_alive() and not failed, failed


def test_a_write_waits_for_another_writer_then_succeeds(sqlite_store: SqliteStore) -> None:
    """SQLite's busy handler retries while the other writer holds the lock (about 1 s here,
    well inside the store's wait), so the write lands once the lock is free."""
    with write_lock_held(sqlite_store.path, seconds=1.0) as committed:
        sqlite_store.upsert([Node("Stakeholder", "s-1", "Waited", {})])
        written = time.monotonic()
    assert committed and written >= committed[0]  # it waited for the other writer to commit
    assert sqlite_store.get_node("s-1") == Node("Stakeholder", "s-1", "Waited", {})
    assert sqlite_store.graph_version() == 1


def test_a_lock_held_too_long_is_a_clear_error_and_the_write_can_be_repeated(
        tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "kamgraph.db", busy_seconds=0.3)
    write = [Node("Stakeholder", "s-1", "Later", {})]
    with write_lock_held(store.path, seconds=10):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as failed:
            store.upsert(write)
        assert time.monotonic() - started >= 0.25  # it retried until busy_seconds ran out
    assert str(failed.value) == (
        f"cannot write to {store.path}: another process (or connection) is writing to it and "
        "still held its lock after a wait of 0.3 s (KAMGRAPH_SQLITE_BUSY_SECONDS); nothing was "
        "written, try again")
    assert store.get_node("s-1") is None and store.graph_version() == 0
    store.upsert(write)  # the lock is free again: the same write succeeds
    assert store.get_node("s-1") == write[0] and store.graph_version() == 1
    store.close()


def test_without_a_busy_wait_a_held_lock_fails_the_write_at_once(tmp_path: Path) -> None:
    """The contrast to the tests above: their waiting is SQLite's busy handler retrying."""
    store = SqliteStore(tmp_path / "kamgraph.db", busy_seconds=0)
    with write_lock_held(store.path, seconds=10), pytest.raises(
            StoreUnavailable, match="after a wait of 0 s"):
        store.upsert([Node("Stakeholder", "s-1", "Never", {})])  # before the 10 s hold ends
    assert store.get_node("s-1") is None
    store.close()
