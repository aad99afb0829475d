"""Backup and restore (``kamgraph.backup``) on both stores: a restored store exports the same
file as the original and its users' tokens sign in again; the embedded store's backup is one
committed state even while writes go on; nothing is overwritten or half restored."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

from kamgraph import users
from kamgraph.backup import backup, restore
from kamgraph.demo import MIN_SCALE, demo_records
from kamgraph.errors import ValidationFailed
from kamgraph.io import export_graph
from kamgraph.io.importer import RawRecord, Where, import_records
from kamgraph.model import Node, Relationship
from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore
from tests.cli_helpers import Cli

DAY = date(2026, 11, 28)


def fill(store: GraphStore) -> dict[str, str]:
    """The smallest demo market and three users (one revoked); their tokens by name."""
    records = demo_records(MIN_SCALE, seed=3, today=DAY)
    import_records(store, (RawRecord("node" if "label" in r else "relationship", r,
                                     Where("demo", "generated")) for r in records))
    manager = store.list_nodes("AccountManager", limit=1)[0].id
    tokens = {"ada": users.create_user(store, "ada", "admin"),
              "kim": users.create_user(store, "kim", "kam", manager),
              "old": users.create_user(store, "old", "kam", manager)}
    store.revoke_user("old")
    return tokens


def refusal(call) -> str:  # type: ignore[no-untyped-def]
    """The reason a call was refused with."""
    with pytest.raises(ValidationFailed) as refused:
        call()
    return refused.value.problems[0].reason


def exported(store: GraphStore, path: Path) -> bytes:
    export_graph(store, path, "json")
    return path.read_bytes()


def test_a_backup_restores_the_same_store(store: GraphStore, tmp_path: Path) -> None:
    """From either store into a new embedded one."""
    tokens = fill(store)
    copied = backup(store, tmp_path / "backup.db")
    assert copied.users == 3 and copied.nodes == store.counts().nodes > 500
    with SqliteStore(tmp_path / "restored.db") as restored:
        assert restore(restored, tmp_path / "backup.db") == copied
        assert exported(restored, tmp_path / "b.json") == exported(store, tmp_path / "a.json")
        assert restored.list_users() == store.list_users()
        assert users.authenticate(restored, tokens["kim"]).name == "kim"  # type: ignore[union-attr]
        assert users.authenticate(restored, tokens["old"]) is None  # revoked stays revoked


def test_a_backup_restores_into_either_store(store: GraphStore, tmp_path: Path) -> None:
    """From an embedded store's backup into each store."""
    with SqliteStore(tmp_path / "source.db") as source:
        tokens = fill(source)
        backup(source, tmp_path / "backup.db")
        original = exported(source, tmp_path / "a.json")
    restore(store, tmp_path / "backup.db")
    assert exported(store, tmp_path / "b.json") == original
    assert users.authenticate(store, tokens["ada"]).role == "admin"  # type: ignore[union-attr]


def test_restore_wants_an_empty_store_and_backup_a_new_file(store: GraphStore, tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "source.db") as source:
        source.upsert([Node("Stakeholder", "s-1", "Anna", {})])
        backup(source, tmp_path / "backup.db")
        assert "already exists: a backup never overwrites" in refusal(
            lambda: backup(source, tmp_path / "backup.db"))
    store.upsert([Node("Stakeholder", "s-2", "Boris", {})])
    assert "not empty (1 nodes, 0 users)" in refusal(lambda: restore(store, tmp_path / "backup.db"))
    assert "no backup file at" in refusal(lambda: restore(store, tmp_path / "missing.db"))
    assert [n.id for n in store.iter_nodes()] == ["s-2"]  # nothing changed
    assert not list(tmp_path.glob(".*partial"))


def test_the_embedded_backup_is_one_committed_state_while_writes_go_on(tmp_path: Path) -> None:
    """Each write adds a person and the relationship to them at once; a backup taken while
    they run holds every such pair whole, and the file checks out."""
    with SqliteStore(tmp_path / "busy.db") as store:
        store.upsert([Node("Organization", "o-1", "Hospital", {})])
        stop = threading.Event()
        written: list[int] = []

        def write() -> None:
            with SqliteStore(tmp_path / "busy.db") as writer:
                n = 0
                while not stop.is_set() and n < 5_000:
                    writer.upsert([Node("Stakeholder", f"s-{n:05d}", f"Person {n}", {})],
                                  [Relationship("WORKS_AT", f"s-{n:05d}", "o-1", {})])
                    n += 1
                written.append(n)

        thread = threading.Thread(target=write)
        thread.start()
        try:
            while store.counts().labels.get("Stakeholder", 0) < 200:
                pass
            backup(store, tmp_path / "backup.db")
        finally:
            stop.set()
            thread.join(60)
    with SqliteStore(tmp_path / "backup.db") as copy:
        people = copy.counts().labels["Stakeholder"]
        assert 200 <= people < written[0]  # taken mid-way
        assert copy.counts().types["WORKS_AT"] == people  # every pair whole
        assert copy._db().execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_cli_backs_up_and_restores(sqlite_store: SqliteStore, tmp_path: Path) -> None:
    fill(sqlite_store)
    cli = Cli.of(sqlite_store)
    done = cli.json("backup", str(tmp_path / "b.db"))
    assert done["nodes"] == sqlite_store.counts().nodes and done["users"] == 3
    code, _, err = cli.run("backup", str(tmp_path / "b.db"))
    assert code != 0 and "already exists" in err
    target = Cli(f"sqlite:///{tmp_path / 'new.db'}")
    assert target.json("restore", str(tmp_path / "b.db"))["relationships"] == done["relationships"]
    code, _, err = target.run("restore", str(tmp_path / "b.db"))
    assert code != 0 and "into an empty store" in err
