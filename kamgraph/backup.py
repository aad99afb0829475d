"""Backups and restores: the whole store, users included, as one kamgraph SQLite file.

- **backup** of the embedded store is SQLite's online backup: one committed state, taken
  while the API keeps reading and writing. A backup of a Neo4j store copies every node,
  relationship and user into a new SQLite file, reading in one session; writes committed
  while it reads may be half in it, so take it when nobody writes, or use Neo4j's own
  ``neo4j-admin database dump`` (offline) or ``neo4j-admin database backup`` (Enterprise,
  online) for a consistent copy of a busy server (``docs/store.md``).
- **restore** copies such a file into the configured store, which must be empty (no nodes,
  no users): every node and relationship in one write transaction (all or nothing, logged as
  one entry), then the audit log (entries keep their times), then the users with their token
  hashes, so the same tokens sign in again.

Either way the file is an embedded store: ``KAMGRAPH_DB=sqlite:///backup.db kamgraph stats``
opens it as it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TypeVar

from kamgraph.audit import AuditFilter, to_row
from kamgraph.errors import Problem, ValidationFailed
from kamgraph.store.base import GraphStore, WriteTransaction
from kamgraph.store.sqlite import SqliteStore

__all__ = ["Copied", "backup", "restore"]

BATCH = 5_000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Copied:
    """What a backup or a restore copied."""

    nodes: int
    relationships: int
    users: int

    def as_dict(self) -> dict[str, int]:
        return {"nodes": self.nodes, "relationships": self.relationships, "users": self.users}


def backup(store: GraphStore, path: Path) -> Copied:
    """Write the whole store to a new file at ``path`` (module doc); an existing file is never
    overwritten. The file appears only once complete."""
    if path.exists():
        raise _refused(path, f"{path} already exists: a backup never overwrites a file")
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if isinstance(store, SqliteStore):
            store.backup_to(partial)
        else:
            with SqliteStore(partial) as copy:
                _copy(store, copy)
        with SqliteStore(partial) as done:
            copied = _counted(done)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return copied


def restore(store: GraphStore, path: Path) -> Copied:
    """Copy the backup at ``path`` into ``store``, which must be empty (module doc)."""
    if not path.is_file():
        raise _refused(path, f"no backup file at {path}")
    counts = store.counts()
    if counts.nodes or store.list_users():
        raise _refused(path, f"the store is not empty ({counts.nodes:,} nodes, "
                             f"{len(store.list_users())} users): restore into an empty store")
    with SqliteStore(path) as source:
        return _copy(source, store)


def _copy(source: GraphStore, target: GraphStore) -> Copied:
    """Every node and relationship in one write transaction, then the audit log (its entries
    keep their times: the copy comes after the restore's own entry), then the users."""
    with source.snapshot():
        def work(tx: WriteTransaction) -> tuple[int, int]:
            nodes = relationships = 0
            for batch in _batches(source.iter_nodes(batch_size=BATCH)):
                tx.upsert_nodes(batch)
                nodes += len(batch)
            for batch in _batches(source.iter_relationships(batch_size=BATCH)):
                tx.upsert_relationships(batch)
                relationships += len(batch)
            return nodes, relationships

        nodes, relationships = target.write(work)
        offset = 0
        while entries := source.audit_entries(AuditFilter(), limit=BATCH, offset=offset):
            target.append_audit([to_row(kept) for kept in entries])
            offset += len(entries)
        hashes = source.user_token_hashes()
        users = source.list_users()
    for user in users:
        target.add_user(user, hashes[user.name])
    return Copied(nodes, relationships, len(users))


def _counted(store: GraphStore) -> Copied:
    counts = store.counts()
    return Copied(counts.nodes, counts.relationships, len(store.list_users()))


def _batches(items: Iterable[T]) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def _refused(path: Path, reason: str) -> ValidationFailed:
    return ValidationFailed([Problem(str(path), None, None, reason)])
