"""The embedded store: one SQLite file, for one person on a laptop.

WAL journal, so readers never wait for the writer and a killed process leaves the
last committed state; ``synchronous=FULL`` so a commit survives a power cut. Each
thread gets its own connection. Properties are kept as a JSON object per row and
merged with ``json_patch`` on upsert (given properties overwrite, absent ones stay).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from kamgraph.errors import Problem, StoreUnavailable, ValidationFailed
from kamgraph.model import IDENTIFIER, Node, Relationship
from kamgraph.store.base import Counts, GraphStore, Identity, WriteTransaction, canonical
from kamgraph.users import User

__all__ = ["SCHEMA_VERSION", "SqliteStore"]

BUSY_TIMEOUT_MS = 10_000


def _schema_v1(db: sqlite3.Connection) -> None:
    _run_script(db, """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE nodes (
            id TEXT PRIMARY KEY, label TEXT NOT NULL, name TEXT NOT NULL,
            props TEXT NOT NULL DEFAULT '{}');
        CREATE INDEX nodes_label ON nodes (label, id);
        CREATE TABLE rels (
            type TEXT NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL, key TEXT NOT NULL DEFAULT '',
            props TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (type, src, dst, key)) WITHOUT ROWID;
        CREATE INDEX rels_src ON rels (src, type);
        CREATE INDEX rels_dst ON rels (dst, type);
        INSERT OR IGNORE INTO meta VALUES ('graph_version', '0');
    """)


def _schema_v2(db: sqlite3.Connection) -> None:
    """Case-insensitive search in every script (SQLite's LIKE folds ASCII only)."""
    db.execute("ALTER TABLE nodes ADD COLUMN search_name TEXT NOT NULL DEFAULT ''")
    rows = db.execute("SELECT id, name FROM nodes").fetchall()
    db.executemany("UPDATE nodes SET search_name = ? WHERE id = ?",
                   [(name.casefold(), node_id) for node_id, name in rows])


def _schema_v3(db: sqlite3.Connection) -> None:
    """Users of the web app, beside the graph: only a token's hash and prefix are kept."""
    _run_script(db, """
        CREATE TABLE users (
            name TEXT PRIMARY KEY, role TEXT NOT NULL, account_manager TEXT,
            token_hash TEXT NOT NULL UNIQUE, token_prefix TEXT NOT NULL, created TEXT NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0)
    """)


def _run_script(db: sqlite3.Connection, script: str) -> None:
    # Not executescript(): it commits first, and a migration must be all or nothing.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


# Migration n brings a file from schema version n-1 to n; never edit one that shipped.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _schema_v1, _schema_v2, _schema_v3)
SCHEMA_VERSION = len(MIGRATIONS)


class SqliteStore(GraphStore):
    """The embedded store at ``path`` (created when missing). URL ``sqlite:///path``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._upgrade()

    # -- connections and schema ----------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                 timeout=BUSY_TIMEOUT_MS / 1000)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = OFF")
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(f"cannot open {self.url}: {exc}") from exc
        return db

    def schema_version(self) -> int:
        return int(self._db().execute("PRAGMA user_version").fetchone()[0])

    def _upgrade(self) -> None:
        try:
            if self.schema_version() == SCHEMA_VERSION:
                return  # the usual case: no write lock, so opening never waits for a writer
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open {self.url}: {exc}") from exc
        db = self._db()
        try:
            db.execute("BEGIN IMMEDIATE")
            current = self.schema_version()
            if current > SCHEMA_VERSION:
                raise StoreUnavailable(
                    f"{self.url} has schema {current}, newer than this kamgraph "
                    f"({SCHEMA_VERSION}): upgrade kamgraph")
            for version in range(current, SCHEMA_VERSION):
                MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            db.execute("ROLLBACK")
            raise StoreUnavailable(f"cannot open {self.url}: {exc}") from exc
        except StoreUnavailable:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        with self._lock:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

    # -- writing -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[WriteTransaction]:
        db = self._db()
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot write to {self.url}: {exc}") from exc
        try:
            yield _SqliteWrite(db)
            db.execute("UPDATE meta SET value = value + 1 WHERE key = 'graph_version'")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside the block see one consistent state (for exports)."""
        db = self._db()
        db.execute("BEGIN")
        try:
            yield
        finally:
            db.execute("COMMIT")

    # -- reading -------------------------------------------------------------------------
    def get_node(self, node_id: str) -> Node | None:
        row = self._db().execute(
            "SELECT label, id, name, props FROM nodes WHERE id = ?", (node_id,)).fetchone()
        return _node(row) if row else None

    def node_labels(self, node_ids: Iterable[str]) -> dict[str, str]:
        return dict(self._db().execute(_LABELS_OF, [json.dumps(list(node_ids))]))

    def list_nodes(self, label: str | None = None, *, where: Mapping[str, Any] | None = None,
                   limit: int = 50, offset: int = 0) -> list[Node]:
        clauses, params = ["1 = 1"], []
        if label:
            clauses.append("label = ?")
            params.append(label)
        for key, value in (where or {}).items():
            clauses.append(_property_clause(key))
            params.extend([f'$."{key}"', value] if key != "name" else [value])
        sql = (f"SELECT label, id, name, props FROM nodes WHERE {' AND '.join(clauses)} "
               "ORDER BY id LIMIT ? OFFSET ?")
        return [_node(row) for row in self._db().execute(sql, [*params, limit, offset])]

    def search(self, text: str, *, label: str | None = None, limit: int = 20) -> list[Node]:
        needle = text.casefold().strip()
        if not needle:
            return []
        sql = ("SELECT label, id, name, props FROM nodes WHERE instr(search_name, ?) > 0 "
               "AND (? IS NULL OR label = ?) "
               "ORDER BY search_name = ? DESC, instr(search_name, ?) = 1 DESC, name, id LIMIT ?")
        params = [needle, label, label, needle, needle, limit]
        return [_node(row) for row in self._db().execute(sql, params)]

    def relationships_of(self, node_id: str, *, rel_type: str | None = None) -> list[Relationship]:
        rows = self._db().execute(_RELATIONSHIPS_OF, [node_id, rel_type, rel_type] * 2).fetchall()
        return sorted((_relationship(row) for row in rows), key=lambda r: r.identity)

    def counts(self) -> Counts:
        db = self._db()
        return Counts(
            labels=dict(db.execute("SELECT label, count(*) FROM nodes GROUP BY label ORDER BY 1")),
            types=dict(db.execute("SELECT type, count(*) FROM rels GROUP BY type ORDER BY 1")))

    def iter_nodes(self, label: str | None = None, *, batch_size: int = 5000) -> Iterator[Node]:
        last = ""
        while True:
            rows = self._db().execute(
                "SELECT label, id, name, props FROM nodes WHERE id > ? AND (? IS NULL OR label = ?) "
                "ORDER BY id LIMIT ?", [last, label, label, batch_size]).fetchall()
            yield from (_node(row) for row in rows)
            if len(rows) < batch_size:
                return
            last = rows[-1][1]

    def iter_relationships(self, *, batch_size: int = 5000) -> Iterator[Relationship]:
        last: tuple[str, ...] = ("", "", "", "")
        while True:
            rows = self._db().execute(
                "SELECT type, src, dst, props, key FROM rels WHERE (type, src, dst, key) > "
                "(?, ?, ?, ?) ORDER BY type, src, dst, key LIMIT ?", [*last, batch_size]).fetchall()
            yield from (_relationship(row) for row in rows)
            if len(rows) < batch_size:
                return
            last = (rows[-1][0], rows[-1][1], rows[-1][2], rows[-1][4])

    def graph_version(self) -> int:
        row = self._db().execute("SELECT value FROM meta WHERE key = 'graph_version'").fetchone()
        return int(row[0])

    # -- users ---------------------------------------------------------------------------
    # One statement each, outside graph transactions: users do not change the graph version.
    def add_user(self, user: User, token_hash: str) -> None:
        try:
            self._db().execute(
                "INSERT INTO users (name, role, account_manager, token_hash, token_prefix, created, "
                "revoked) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user.name, user.role, user.account_manager, token_hash, user.token_prefix,
                 user.created, int(user.revoked)))
        except sqlite3.IntegrityError:
            raise ValidationFailed([Problem(None, f"user {user.name}", "name",
                                            f"a user named {user.name!r} already exists")]) from None

    def user_by_token_hash(self, token_hash: str) -> User | None:
        row = self._db().execute(
            f"SELECT {_USER_COLUMNS} FROM users WHERE token_hash = ? AND NOT revoked",
            (token_hash,)).fetchone()
        return _user(row) if row else None

    def list_users(self) -> list[User]:
        return [_user(row) for row in self._db().execute(
            f"SELECT {_USER_COLUMNS} FROM users ORDER BY name")]

    def revoke_user(self, name: str) -> bool:
        return self._db().execute(
            "UPDATE users SET revoked = 1 WHERE name = ?", (name,)).rowcount > 0

    # -- subgraph primitives -------------------------------------------------------------
    def _step(self, node_ids: set[str], rel_types: Sequence[str],
              direction: Literal["out", "in", "both"]) -> set[str]:
        queries = {"out": [_STEP_OUT], "in": [_STEP_IN], "both": [_STEP_OUT, _STEP_IN]}[direction]
        ids, types = json.dumps(sorted(node_ids)), json.dumps(list(rel_types))
        found: set[str] = set()
        for sql in queries:
            found.update(row[0] for row in self._db().execute(sql, [ids, types, types]))
        return found

    def _induced_parts(self, node_ids: set[str]) -> tuple[list[Node], list[Relationship]]:
        ids = json.dumps(sorted(node_ids))
        db = self._db()
        nodes = [_node(row) for row in db.execute(_NODES_AMONG, [ids])]
        relationships = [_relationship(row) for row in db.execute(_RELATIONSHIPS_AMONG, [ids, ids])]
        nodes.sort(key=lambda n: n.id)
        relationships.sort(key=lambda r: r.identity)
        return nodes, relationships


# Lists of ids and types go in as one JSON parameter each (json_each), so no query text is
# ever assembled from input; an empty type list means every type.
_RELATIONSHIPS_OF = """
    SELECT type, src, dst, props FROM rels WHERE src = ? AND (? IS NULL OR type = ?) UNION
    SELECT type, src, dst, props FROM rels WHERE dst = ? AND (? IS NULL OR type = ?)"""
_STEP_OUT = """
    SELECT dst FROM rels WHERE src IN (SELECT value FROM json_each(?))
    AND (? = '[]' OR type IN (SELECT value FROM json_each(?)))"""
_STEP_IN = """
    SELECT src FROM rels WHERE dst IN (SELECT value FROM json_each(?))
    AND (? = '[]' OR type IN (SELECT value FROM json_each(?)))"""
_LABELS_OF = "SELECT id, label FROM nodes WHERE id IN (SELECT value FROM json_each(?))"
_NODES_AMONG = """
    SELECT label, id, name, props FROM nodes WHERE id IN (SELECT value FROM json_each(?))"""
_RELATIONSHIPS_AMONG = """
    SELECT type, src, dst, props FROM rels WHERE src IN (SELECT value FROM json_each(?))
    AND dst IN (SELECT value FROM json_each(?))"""


class _SqliteWrite(WriteTransaction):
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def upsert_nodes(self, nodes: Sequence[Node]) -> None:
        cursor = self._db.executemany(
            "INSERT INTO nodes (id, label, name, props, search_name) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
            "search_name = excluded.search_name, props = json_patch(nodes.props, excluded.props) "
            "WHERE nodes.label = excluded.label",
            [(n.id, n.label, n.name, _json(n.props), n.name.casefold()) for n in nodes])
        if cursor.rowcount != len(nodes):
            self._refuse_relabel(nodes)

    def _refuse_relabel(self, nodes: Sequence[Node]) -> None:
        labels = {n.id: n.label for n in nodes}
        stored = dict(self._db.execute(_LABELS_OF, [json.dumps(list(labels))]))
        raise ValidationFailed([
            Problem(None, f"node {node_id}", "label",
                    f"id {node_id} is already a {stored[node_id]}; ids are unique across labels")
            for node_id, label in labels.items() if stored.get(node_id) != label])

    def upsert_relationships(self, relationships: Sequence[Relationship]) -> None:
        self._db.executemany(
            "INSERT INTO rels (type, src, dst, key, props) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (type, src, dst, key) DO UPDATE SET "
            "props = json_patch(rels.props, excluded.props)",
            [(r.type, r.start, r.end, r.key, _json(r.props)) for r in relationships])

    def delete_node(self, node_id: str) -> bool:
        self._db.execute("DELETE FROM rels WHERE src = ?", (node_id,))
        self._db.execute("DELETE FROM rels WHERE dst = ?", (node_id,))
        return self._db.execute("DELETE FROM nodes WHERE id = ?", (node_id,)).rowcount > 0

    def delete_relationship(self, identity: Identity) -> bool:
        return self._db.execute("DELETE FROM rels WHERE type = ? AND src = ? AND dst = ? AND key = ?",
                                canonical(identity)).rowcount > 0


_USER_COLUMNS = "name, role, account_manager, token_prefix, created, revoked"


def _user(row: Sequence[Any]) -> User:
    return User(row[0], row[1], row[2], row[3], row[4], bool(row[5]))


def _node(row: Sequence[Any]) -> Node:
    return Node(row[0], row[1], row[2], json.loads(row[3]))


def _relationship(row: Sequence[Any]) -> Relationship:
    return Relationship(row[0], row[1], row[2], json.loads(row[3]))


def _json(props: Mapping[str, Any]) -> str:
    return json.dumps(props, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _property_clause(key: str) -> str:
    if key == "name":
        return "name = ?"
    if not IDENTIFIER.match(key):
        raise ValidationFailed([Problem(None, "filter", key, "is not a property name")])
    return "json_extract(props, ?) = ?"
