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
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from kamgraph.audit import AuditEntry, AuditFilter, from_row
from kamgraph.errors import Problem, StoreUnavailable, ValidationFailed
from kamgraph.model import IDENTIFIER, Node, Relationship
from kamgraph.store import base
from kamgraph.store.base import (
    NODE_ITSELF,
    Counts,
    GraphStore,
    Identity,
    WriteTransaction,
    canonical,
    edge_key,
    graph_from_rows,
)
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


def _schema_v4(db: sqlite3.Connection) -> None:
    """Touched versions, for caches: per id and kind of touch ('' for the node's own writes,
    else the relationship type), the graph version of the last write that touched it (deleted
    ids stay, so a vanished node is seen). Nothing counts as touched after an upgrade."""
    _run_script(db, """
        CREATE TABLE touched (
            id TEXT NOT NULL, kind TEXT NOT NULL, version INTEGER NOT NULL,
            PRIMARY KEY (id, kind)) WITHOUT ROWID;
        CREATE INDEX touched_by_version ON touched (version)
    """)


def _schema_v5(db: sqlite3.Connection) -> None:
    """The audit log (``kamgraph.audit``): appended to, never emptied; the one change allowed is
    blanking an entry's properties when the person it is about is erased."""
    _run_script(db, """
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
            action TEXT NOT NULL, target TEXT NOT NULL, label TEXT, stakeholder TEXT,
            before TEXT, after TEXT);
        CREATE INDEX audit_by_actor ON audit (actor, seq);
        CREATE INDEX audit_by_stakeholder ON audit (stakeholder, seq);
        CREATE INDEX audit_by_time ON audit (at, seq);
        CREATE TRIGGER audit_kept BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_unchanged BEFORE UPDATE ON audit
            WHEN NOT (NEW.before IS NULL AND NEW.after IS NULL AND NEW.seq = OLD.seq
                      AND NEW.at = OLD.at AND NEW.actor = OLD.actor AND NEW.action = OLD.action
                      AND NEW.target = OLD.target AND NEW.label IS OLD.label
                      AND NEW.stakeholder IS OLD.stakeholder)
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """)


def _run_script(db: sqlite3.Connection, script: str) -> None:
    # Not executescript(): it commits first, and a migration must be all or nothing. A
    # trigger's body ends in "; END": statements split at ";" outside such a body.
    statement = ""
    for part in script.split(";"):
        statement += part
        if "BEGIN SELECT" in statement and "END" not in part:
            statement += ";"
            continue
        if statement.strip():
            db.execute(statement)
        statement = ""


# Migration n brings a file from schema version n-1 to n; never edit one that shipped.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _schema_v1, _schema_v2, _schema_v3, _schema_v4, _schema_v5)
SCHEMA_VERSION = len(MIGRATIONS)


class SqliteStore(GraphStore):
    """The embedded store at ``path`` (created when missing). URL ``sqlite:///path``."""

    def __init__(self, path: str | Path, *, busy_seconds: float = BUSY_TIMEOUT_MS / 1000) -> None:
        """``busy_seconds``: how long a write waits for another writer to finish (SQLite's busy
        handler retries with growing sleeps) before it fails with :class:`StoreUnavailable`."""
        self.path = Path(path)
        self.busy_seconds = busy_seconds
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
                                 timeout=self.busy_seconds)
            db.execute(f"PRAGMA busy_timeout = {round(self.busy_seconds * 1000)}")
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
            raise StoreUnavailable(self._cannot_begin(exc)) from exc
        try:
            write = _SqliteWrite(db)
            yield write
            db.execute("UPDATE meta SET value = value + 1 WHERE key = 'graph_version'")
            if len(write.touched) > base.MASS_WRITE:
                db.execute(_TOUCHED_ALL)
            else:
                db.execute(_RECORD_TOUCHED, [json.dumps(write.touches())])
            _append_audit(db, write.audit_rows())
            db.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # disk full, file read-only, I/O error
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise StoreUnavailable(f"cannot write to {self.url}: {exc} ({_what_to_do(exc)}); "
                                   "nothing was written") from exc
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _cannot_begin(self, exc: sqlite3.Error) -> str:
        """Why a write could not start; a held lock is a wait that ran out, not a fault."""
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF != sqlite3.SQLITE_BUSY:  # any BUSY_*
            return f"cannot write to {self.url}: {exc}"
        return (f"cannot write to {self.path}: another process (or connection) is writing to it "
                f"and still held its lock after a wait of {self.busy_seconds:g} s "
                "(KAMGRAPH_SQLITE_BUSY_SECONDS); nothing was written, try again")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside the block see one consistent state (exports, subgraphs, the cache)."""
        db = self._db()
        if db.in_transaction:  # inside a snapshot (or a write) already: that one holds
            yield
            return
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

    def changed_since(self, node_ids: Iterable[str], version: int, *,
                      types: Collection[str] | None = None) -> set[str]:
        ids = node_ids if isinstance(node_ids, set | frozenset) else set(node_ids)
        if not ids:
            return set()
        db = self._db()
        everything = db.execute("SELECT value FROM meta WHERE key = 'touched_all'").fetchone()
        if everything is not None and int(everything[0]) > version:
            return set(ids)
        # Usually few ids were touched since: read them by version and intersect.
        touches = db.execute(_TOUCHED_AFTER, [version, len(ids) + 1]).fetchall()
        if len(touches) > len(ids):
            touches = db.execute(_TOUCHED_AMONG, [json.dumps(list(ids)), version]).fetchall()
        return {node_id for node_id, kind in touches
                if node_id in ids and base.counts_as_change(kind, types)}

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

    def user_token_hashes(self) -> dict[str, str]:
        return dict(self._db().execute("SELECT name, token_hash FROM users"))

    def append_audit(self, rows: Sequence[Mapping[str, Any]]) -> None:
        db = self._db()
        if db.in_transaction:  # inside a snapshot: the entries go with it
            _append_audit(db, rows)
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            _append_audit(db, rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def audit_entries(self, where: AuditFilter, *, limit: int = 100, offset: int = 0
                      ) -> list[AuditEntry]:
        clauses, params = _audit_where(where)
        sql = (f"SELECT seq, at, actor, action, target, label, stakeholder, before, after FROM audit "
               f"WHERE {' AND '.join(clauses)} ORDER BY seq LIMIT ? OFFSET ?")
        cursor = self._db().execute(sql, [*params, limit, offset])
        names = [column[0] for column in cursor.description]
        return [from_row(dict(zip(names, row, strict=True))) for row in cursor]

    def backup_to(self, path: Path) -> None:
        """A consistent copy of the whole file at ``path`` while others read and write
        (SQLite's online backup: the copy is one committed state)."""
        target = sqlite3.connect(path)
        try:
            self._db().backup(target)
        finally:
            target.close()

    # -- subgraph primitives -------------------------------------------------------------
    def _step(self, node_ids: set[str], rel_types: Sequence[str],
              direction: Literal["out", "in", "both"]) -> set[str]:
        if not node_ids:
            return set()
        sql = {"out": _STEP_OUT, "in": _STEP_IN, "both": _STEP_BOTH}[direction]
        ids, types = json.dumps(list(node_ids)), json.dumps(list(rel_types))
        params = [ids, types, types] * (2 if direction == "both" else 1)
        return {row[0] for row in self._db().execute(sql, params)}

    def _active_step(self, node_ids: set[str], rel_types: Sequence[str],
                     direction: Literal["out", "in", "both"], day: str) -> set[str]:
        if not node_ids:
            return set()
        sql = {"out": _ACTIVE_OUT, "in": _ACTIVE_IN, "both": _ACTIVE_BOTH}[direction]
        ids, types = json.dumps(list(node_ids)), json.dumps(list(rel_types))
        params = [ids, types, types, day, day] * (2 if direction == "both" else 1)
        return {row[0] for row in self._db().execute(sql, params)}

    def _induced(self, node_ids: set[str]) -> nx.MultiDiGraph:
        ids = json.dumps(list(node_ids))
        db = self._db()
        return _graph(db.execute(_NODES_AMONG, [ids]), db.execute(_RELATIONSHIPS_AMONG, [ids, ids]))

    def whole_graph(self) -> nx.MultiDiGraph:
        # Both statements start before either is read: one snapshot, read row by row.
        db = self._db()
        return _graph(db.execute(_ALL_NODES), db.execute(_ALL_RELATIONSHIPS))


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
_STEP_BOTH = f"{_STEP_OUT} UNION {_STEP_IN}"
# Active on a day: since <= day <= until, comparing the dates' first 10 characters (is_active).
_ACTIVE = """
    AND (props ->> '$.since' IS NULL OR substr(props ->> '$.since', 1, 10) <= ?)
    AND (props ->> '$.until' IS NULL OR ? <= substr(props ->> '$.until', 1, 10))"""
_ACTIVE_OUT = _STEP_OUT + _ACTIVE
_ACTIVE_IN = _STEP_IN + _ACTIVE
_ACTIVE_BOTH = f"{_ACTIVE_OUT} UNION {_ACTIVE_IN}"
_LABELS_OF = "SELECT id, label FROM nodes WHERE id IN (SELECT value FROM json_each(?))"
# Touches go in as one JSON list of [id, kind]; "WHERE true" keeps SQLite from reading
# ON CONFLICT as a join constraint of the SELECT.
_RECORD_TOUCHED = """
    INSERT INTO touched (id, kind, version)
    SELECT value ->> 0, value ->> 1,
           (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'graph_version')
    FROM json_each(?) WHERE true
    ON CONFLICT (id, kind) DO UPDATE SET version = excluded.version"""
_TOUCHED_ALL = """
    INSERT INTO meta (key, value) SELECT 'touched_all', value FROM meta WHERE key = 'graph_version'
    ON CONFLICT (key) DO UPDATE SET value = excluded.value"""
_TOUCHED_AFTER = "SELECT id, kind FROM touched WHERE version > ? LIMIT ?"
_TOUCHED_AMONG = """
    SELECT id, kind FROM touched WHERE id IN (SELECT value FROM json_each(?)) AND version > ?"""
# Subgraph rows come sorted as to_networkx orders them: nodes by id, edges by identity.
_NODES_AMONG = """
    SELECT label, id, name, props FROM nodes WHERE id IN (SELECT value FROM json_each(?))
    ORDER BY id"""
_RELATIONSHIPS_AMONG = """
    SELECT type, src, dst, key, props FROM rels WHERE src IN (SELECT value FROM json_each(?))
    AND dst IN (SELECT value FROM json_each(?)) ORDER BY type, src, dst, key"""
_RELATIONSHIPS_BY_IDENTITY = """
    SELECT r.type, r.src, r.dst, r.key, r.props FROM json_each(?) AS given
    JOIN rels AS r ON r.type = given.value ->> 0 AND r.src = given.value ->> 1
    AND r.dst = given.value ->> 2 AND r.key = given.value ->> 3"""
_ALL_NODES = "SELECT label, id, name, props FROM nodes ORDER BY id"
_ALL_RELATIONSHIPS = "SELECT type, src, dst, key, props FROM rels ORDER BY type, src, dst, key"


class _SqliteWrite(WriteTransaction):
    """Writes of one transaction; ``touched`` collects the ids they touch by kind, recorded
    with the new graph version once at commit (an import touches each node once per kind)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        super().__init__()
        self._db = db
        self.touched: dict[str, set[str]] = {}

    def touch(self, node_id: str, kind: str) -> None:
        self.touched.setdefault(node_id, set()).add(kind)

    def touches(self) -> list[tuple[str, str]]:
        return [(node_id, kind) for node_id, kinds in self.touched.items() for kind in kinds]

    def upsert_nodes(self, nodes: Sequence[Node]) -> None:
        for node in self._changing_nodes(nodes):
            self.touch(node.id, NODE_ITSELF)
        cursor = self._db.executemany(
            "INSERT INTO nodes (id, label, name, props, search_name) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
            "search_name = excluded.search_name, props = json_patch(nodes.props, excluded.props) "
            "WHERE nodes.label = excluded.label",
            [(n.id, n.label, n.name, _json(n.props), n.name.casefold()) for n in nodes])
        if cursor.rowcount != len(nodes):
            self._refuse_relabel(nodes)

    def _stored_nodes(self, ids: list[str]) -> dict[str, base.StoredNode]:
        return {row[1]: (row[0], row[2], _props(row[3]))
                for row in self._db.execute(_NODES_AMONG, [json.dumps(ids)])}

    def _stored_relationships(self, relationships: Sequence[Relationship]
                              ) -> dict[Identity, dict[str, Any]]:
        identities = json.dumps([r.identity for r in relationships])
        return {tuple(row[:4]): _props(row[4])  # type: ignore[misc]
                for row in self._db.execute(_RELATIONSHIPS_BY_IDENTITY, [identities])}

    def _labels_of(self, ids: set[str]) -> dict[str, str]:
        return dict(self._db.execute(_LABELS_OF, [json.dumps(list(ids))]))

    def _relationships_at(self, node_id: str) -> list[Relationship]:
        return [Relationship(row[0], row[1], row[2], _props(row[4])) for row in self._db.execute(
            "SELECT type, src, dst, key, props FROM rels WHERE src = ? "
            "UNION ALL SELECT type, src, dst, key, props FROM rels WHERE dst = ? AND src <> ?",
            (node_id, node_id, node_id))]

    def _refuse_relabel(self, nodes: Sequence[Node]) -> None:
        labels = {n.id: n.label for n in nodes}
        stored = dict(self._db.execute(_LABELS_OF, [json.dumps(list(labels))]))
        raise ValidationFailed([
            Problem(None, f"node {node_id}", "label",
                    f"id {node_id} is already a {stored[node_id]}; ids are unique across labels")
            for node_id, label in labels.items() if stored.get(node_id) != label])

    def upsert_relationships(self, relationships: Sequence[Relationship]) -> None:
        for rel, new in self._changing_relationships(relationships):
            for node_id, kind in base.relationship_touches(rel, new):
                self.touch(node_id, kind)
        self._db.executemany(
            "INSERT INTO rels (type, src, dst, key, props) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (type, src, dst, key) DO UPDATE SET "
            "props = json_patch(rels.props, excluded.props)",
            [(r.type, r.start, r.end, r.key, _json(r.props)) for r in relationships])

    def delete_node(self, node_id: str) -> bool:
        self._audit_deletion(node_id)
        neighbours = self._db.execute(  # the kind each former neighbour is touched by
            "SELECT dst, type || '<' FROM rels WHERE src = ? UNION SELECT src, type || '>' FROM rels "
            "WHERE dst = ?", (node_id, node_id)).fetchall()
        self._db.execute("DELETE FROM rels WHERE src = ?", (node_id,))
        self._db.execute("DELETE FROM rels WHERE dst = ?", (node_id,))
        if self._db.execute("DELETE FROM nodes WHERE id = ?", (node_id,)).rowcount == 0:
            return False
        self.touch(node_id, NODE_ITSELF)
        for neighbour, kind in neighbours:
            self.touch(neighbour, kind)
        return True

    def lock(self, node_id: str) -> None:
        """Nothing to do: a write transaction holds the whole file's write lock (BEGIN IMMEDIATE)."""

    def redact_audit(self, person_id: str, targets: Collection[str]) -> int:
        pattern = person_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return self._db.execute(_REDACT_AUDIT, [person_id, json.dumps(list(targets)),
                                                f"%->{pattern}", f"%->{pattern}#%",
                                                f"% {pattern}->%"]).rowcount

    def delete_relationship(self, identity: Identity) -> bool:
        self._audit_relationship_deletion(identity)
        rel_type, start, end, key = canonical(identity)
        if self._db.execute("DELETE FROM rels WHERE type = ? AND src = ? AND dst = ? AND key = ?",
                            (rel_type, start, end, key)).rowcount == 0:
            return False
        self.touch(start, base.at_start(rel_type))
        self.touch(end, base.at_end(rel_type))
        return True


def _what_to_do(exc: sqlite3.OperationalError) -> str:
    text = str(exc).lower()
    if "full" in text:
        return "free space on the disk that holds the store, then try again"
    if "readonly" in text or "read-only" in text:
        return "the store's file or folder is read-only: make it writable, or use a copy"
    return "check the disk and the file's permissions"


def _append_audit(db: sqlite3.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        db.executemany(
            "INSERT INTO audit (at, actor, action, target, label, stakeholder, before, after) "
            "VALUES (:at, :actor, :action, :target, :label, :stakeholder, :before, :after)", rows)


_REDACT_AUDIT = r"""
    UPDATE audit SET before = NULL, after = NULL
    WHERE (before IS NOT NULL OR after IS NOT NULL) AND (
        stakeholder = ? OR target IN (SELECT value FROM json_each(?))
        OR target LIKE ? ESCAPE '\' OR target LIKE ? ESCAPE '\' OR target LIKE ? ESCAPE '\')"""


def _audit_where(where: AuditFilter) -> tuple[list[str], list[Any]]:
    clauses, params = ["1 = 1"], []
    low, high = where.bounds()
    for clause, value in (("actor = ?", where.actor), ("stakeholder = ?", where.stakeholder),
                          ("at >= ?", low), ("at < ?", high)):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    return clauses, params


_USER_COLUMNS = "name, role, account_manager, token_prefix, created, revoked"


def _user(row: Sequence[Any]) -> User:
    return User(row[0], row[1], row[2], row[3], row[4], bool(row[5]))


def _node(row: Sequence[Any]) -> Node:
    return Node(row[0], row[1], row[2], _props(row[3]))


def _relationship(row: Sequence[Any]) -> Relationship:
    return Relationship(row[0], row[1], row[2], _props(row[3]))


def _graph(nodes: Iterable[Sequence[Any]], relationships: Iterable[Sequence[Any]]) -> nx.MultiDiGraph:
    """A subgraph from node rows (label, id, name, props) and relationship rows (type, src,
    dst, key, props)."""
    return graph_from_rows(
        ((node_id, {"label": label, "name": name, **_props(props)})
         for label, node_id, name, props in nodes),
        ((src, dst, edge_key(rel_type, key), {"type": rel_type, **_props(props)})
         for rel_type, src, dst, key, props in relationships))


_scan_json = json.JSONDecoder().scan_once


def _props(text: str) -> dict[str, Any]:
    """A stored property object. The stored text is compact JSON written by this module or
    by SQLite's json_patch, so the decoder's scanner reads it directly: a third of the cost
    of ``json.loads``, which mostly checks for surrounding white space."""
    try:
        return _scan_json(text, 0)[0]  # type: ignore[no-any-return]
    except StopIteration:
        return json.loads(text)  # type: ignore[no-any-return]


def _json(props: Mapping[str, Any]) -> str:
    return json.dumps(props, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _property_clause(key: str) -> str:
    if key == "name":
        return "name = ?"
    if not IDENTIFIER.match(key):
        raise ValidationFailed([Problem(None, "filter", key, "is not a property name")])
    return "json_extract(props, ?) = ?"
