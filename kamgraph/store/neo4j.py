"""The team store: a Neo4j 5.26 database through the official driver.

One driver per store (create the store once per process and close it on exit). Every
call names its database; reads are routed to readers; writes run in managed
transactions, which the driver retries on transient errors. Every node carries the
label ``KgNode`` beside its own, with a uniqueness constraint on ``id``, so ids are
unique across labels. Queries live in ``cypher/`` (see :mod:`kamgraph.store.cypher`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal, NoReturn, TypeVar
from urllib.parse import urlsplit, urlunsplit

import neo4j
import networkx as nx
from neo4j import GraphDatabase, ManagedTransaction, RoutingControl
from neo4j.exceptions import AuthError, ConstraintError, DriverError, Neo4jError, ServiceUnavailable

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
from kamgraph.store.cypher import query
from kamgraph.users import User

__all__ = ["Neo4jStore"]

T = TypeVar("T")
# Stored beside the properties, not among them (with every _name: kamgraph's own, such as
# _search and the touched versions _touched, _touched_<kind>).
NODE_INTERNAL = frozenset({"id", "name"})
REL_INTERNAL = frozenset({"_key"})
SCHEMA = ("schema_node_id", "schema_search", "schema_meta_key", "schema_meta", "schema_user_name",
          "schema_user_token", "schema_node_touched", "schema_gone_id", "schema_gone_version",
          "schema_audit_seq", "schema_audit_actor", "schema_audit_stakeholder")
TOO_LARGE = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
ITSELF = "node"  # the kind NODE_ITSELF as stored: the touched version of _touched_node


def public_url(url: str) -> str:
    """The URL without any user or password in it, for messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class Neo4jStore(GraphStore):
    """A Neo4j database as a kamgraph store. URL ``neo4j://``, ``neo4j+s://`` or ``bolt://``."""

    def __init__(self, url: str, *, user: str = "neo4j", password: str | None = None,
                 database: str = "neo4j", retry_seconds: float = 30.0) -> None:
        """``retry_seconds``: how long a query that failed transiently (the server away
        included) is tried again."""
        self.url = public_url(url)
        self.database = database
        self._local = threading.local()  # a thread's open snapshot (read transaction)
        try:
            self._driver = GraphDatabase.driver(url, auth=(user, password or ""),
                                                max_transaction_retry_time=retry_seconds)
            self._driver.verify_connectivity()
            for name in SCHEMA:
                self._driver.execute_query(query(name), database_=database)
        except (Neo4jError, DriverError, OSError, ValueError) as exc:
            self._fail(exc)

    def _fail(self, exc: Exception) -> NoReturn:
        if getattr(exc, "code", None) == TOO_LARGE:
            cause = ("the write does not fit in the server's transaction memory "
                     "(dbms.memory.transaction.total.max): give Neo4j more heap, or import "
                     "the data in several smaller files")
        elif isinstance(exc, AuthError):
            cause = "the user name or password is wrong"
        elif isinstance(exc, ServiceUnavailable):
            cause = "the server does not answer"
        else:
            cause = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreUnavailable(f"cannot use Neo4j at {self.url}: {cause}") from exc

    def close(self) -> None:
        self._driver.close()

    # -- running queries -----------------------------------------------------------------
    def _read(self, name: str, /, **params: Any) -> list[neo4j.Record]:
        snapshot: neo4j.Transaction | None = getattr(self._local, "snapshot", None)
        try:
            if snapshot is not None:
                return list(snapshot.run(query(name), params))
            records, _, _ = self._driver.execute_query(
                query(name), params, database_=self.database, routing_=RoutingControl.READ)
        except (Neo4jError, DriverError) as exc:
            self._fail(exc)
        return records

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads of this thread inside the block run in one read transaction: one round trip
        per query instead of a managed transaction each (a subgraph takes a dozen queries).
        Neo4j reads committed data, so a write may land between two of them; the cache's
        argument (``kamgraph.cache``) does not need more."""
        if getattr(self._local, "snapshot", None) is not None:
            yield
            return
        try:
            with self._driver.session(database=self.database,
                                      default_access_mode=neo4j.READ_ACCESS) as session, \
                    session.begin_transaction() as tx:
                self._local.snapshot = tx
                try:
                    yield
                finally:
                    self._local.snapshot = None
        except (Neo4jError, DriverError) as exc:
            self._fail(exc)

    def _stream(self, name: str, /, **params: Any) -> Iterator[neo4j.Record]:
        """Records one at a time from one read transaction (for exports of any size)."""
        try:
            with self._driver.session(database=self.database,
                                      default_access_mode=neo4j.READ_ACCESS) as session:
                yield from session.run(query(name), params)
        except (Neo4jError, DriverError) as exc:
            self._fail(exc)

    # -- writing -------------------------------------------------------------------------
    def write(self, work: Callable[[WriteTransaction], T]) -> T:
        def managed(tx: ManagedTransaction) -> T:
            write = _Neo4jWrite(tx)
            try:
                result = work(write)
                write.bump_version()
            except Neo4jError as exc:
                if exc.code == TOO_LARGE:
                    self._fail(exc)  # transient to the driver, but a retry cannot fit either
                raise
            return result

        try:
            with self._driver.session(database=self.database) as session:
                return session.execute_write(managed)
        except (Neo4jError, DriverError) as exc:
            self._fail(exc)

    @contextmanager
    def transaction(self) -> Iterator[WriteTransaction]:
        """An explicit transaction (not retried); prefer :meth:`write`."""
        try:
            with self._driver.session(database=self.database) as session, \
                    session.begin_transaction() as tx:
                write = _Neo4jWrite(tx)
                yield write
                write.bump_version()
                tx.commit()
        except (Neo4jError, DriverError) as exc:
            self._fail(exc)

    # -- reading -------------------------------------------------------------------------
    def get_node(self, node_id: str) -> Node | None:
        records = self._read("get_node", id=node_id)
        return _node(records[0]) if records else None

    def node_labels(self, node_ids: Iterable[str]) -> dict[str, str]:
        ids = list(node_ids)
        return {r["id"]: r["label"] for r in self._read("node_labels", ids=ids)} if ids else {}

    def list_nodes(self, label: str | None = None, *, where: Mapping[str, Any] | None = None,
                   limit: int = 50, offset: int = 0) -> list[Node]:
        where = dict(where or {})
        for key in where:
            if not IDENTIFIER.match(key):
                raise ValidationFailed([Problem(None, "filter", key, "is not a property name")])
        return [_node(r) for r in self._read("list_nodes", label=label, where=where,
                                              offset=offset, limit=limit)]

    def search(self, text: str, *, label: str | None = None, limit: int = 20) -> list[Node]:
        needle = text.casefold().strip()
        if not needle:
            return []
        return [_node(r) for r in self._read("search", needle=needle, label=label, limit=limit)]

    def relationships_of(self, node_id: str, *, rel_type: str | None = None) -> list[Relationship]:
        records = self._read("relationships_of", id=node_id, type=rel_type)
        return sorted((_relationship(r) for r in records), key=lambda r: r.identity)

    def counts(self) -> Counts:
        return Counts(labels={r["label"]: r["count"] for r in self._read("count_labels")},
                      types={r["type"]: r["count"] for r in self._read("count_types")})

    def iter_nodes(self, label: str | None = None, *, batch_size: int = 5000) -> Iterator[Node]:
        return (_node(r) for r in self._stream("all_nodes", label=label))

    def iter_relationships(self, *, batch_size: int = 5000) -> Iterator[Relationship]:
        return (_relationship(r) for r in self._stream("all_relationships"))

    def graph_version(self) -> int:
        return int(self._read("graph_version")[0]["version"])

    def changed_since(self, node_ids: Iterable[str], version: int, *,
                      types: Collection[str] | None = None) -> set[str]:
        ids = node_ids if isinstance(node_ids, set | frozenset) else set(node_ids)
        if not ids:
            return set()
        if self._read("touched_all")[0]["version"] > version:
            return set(ids)
        # Usually few ids were touched since: read them by version and intersect.
        touches = self._read("touched_after", version=version, limit=len(ids) + 1)
        if len(touches) > len(ids):
            touches = self._read("touched_among", ids=list(ids), version=version)
        return {r["id"] for r in touches if r["id"] in ids and any(
            kind == ITSELF or base.counts_as_change(kind, types) for kind in r["kinds"])}

    # -- users ---------------------------------------------------------------------------
    # :KgUser nodes, outside the :KgNode graph; writing them leaves the graph version alone.
    def _write_one(self, name: str, /, **params: Any) -> list[neo4j.Record]:
        try:
            records, _, _ = self._driver.execute_query(query(name), params,
                                                       database_=self.database)
        except (Neo4jError, DriverError) as exc:
            self._fail(exc)
        return records

    def add_user(self, user: User, token_hash: str) -> None:
        params = {"name": user.name, "role": user.role, "account_manager": user.account_manager,
                  "token_hash": token_hash, "token_prefix": user.token_prefix,
                  "created": user.created, "revoked": user.revoked}
        try:
            self._driver.execute_query(query("user_create"), params, database_=self.database)
        except ConstraintError:
            raise ValidationFailed([Problem(None, f"user {user.name}", "name",
                                            f"a user named {user.name!r} already exists")]) from None
        except (Neo4jError, DriverError) as exc:
            self._fail(exc)

    def user_by_token_hash(self, token_hash: str) -> User | None:
        records = self._read("user_by_token_hash", token_hash=token_hash)
        return _user(records[0]) if records else None

    def list_users(self) -> list[User]:
        return [_user(r) for r in self._read("user_list")]

    def revoke_user(self, name: str) -> bool:
        return bool(self._write_one("user_revoke", name=name)[0]["revoked"])

    def user_token_hashes(self) -> dict[str, str]:
        return {r["name"]: r["token_hash"] for r in self._read("user_token_hashes")}

    def append_audit(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self._write_one("audit_append", rows=[dict(row) for row in rows])

    def audit_entries(self, where: AuditFilter, *, limit: int = 100, offset: int = 0
                      ) -> list[AuditEntry]:
        low, high = where.bounds()
        return [from_row(r) for r in self._read(
            "audit_entries", actor=where.actor, stakeholder=where.stakeholder, low=low, high=high,
            limit=limit, offset=offset)]

    # -- subgraph primitives -------------------------------------------------------------
    def _step(self, node_ids: set[str], rel_types: Sequence[str],
              direction: Literal["out", "in", "both"]) -> set[str]:
        if not node_ids:
            return set()
        name = {"out": "step_out", "in": "step_in", "both": "step_both"}[direction]
        return {r["id"] for r in self._read(name, ids=list(node_ids), types=list(rel_types))}

    def _active_step(self, node_ids: set[str], rel_types: Sequence[str],
                     direction: Literal["out", "in", "both"], day: str) -> set[str]:
        if not node_ids:
            return set()
        name = {"out": "active_out", "in": "active_in", "both": "active_both"}[direction]
        return {r["id"] for r in self._read(name, ids=list(node_ids), types=list(rel_types), day=day)}

    def _closure(self, roots: set[str], rel_type: str) -> set[str]:
        if rel_type != "PART_OF":
            return super()._closure(roots, rel_type)
        return set(roots) | {r["id"] for r in self._read("part_of_closure", ids=list(roots))}

    def whole_graph(self) -> nx.MultiDiGraph:
        # Streamed straight into the graph: no model objects on the way.
        nodes = ((r["props"]["id"], _node_attributes(r["label"], r["props"]))
                 for r in self._stream("all_nodes", label=None))
        relationships = ((r["src"], r["dst"], edge_key(r["type"], r["props"].get("_key", "")),
                          _edge_attributes(r["type"], r["props"]))
                         for r in self._stream("all_relationships"))
        return graph_from_rows(nodes, relationships)

    def _induced(self, node_ids: set[str]) -> nx.MultiDiGraph:
        ids = list(node_ids)
        with self.snapshot():
            nodes = self._read("induced_nodes", ids=ids)[0]["nodes"]
            relationships = self._read("induced_relationships", ids=ids)[0]["relationships"]
        return graph_from_rows(
            ((props["id"], _node_attributes(label, props)) for label, props in nodes),
            ((src, dst, edge_key(rel_type, key), _edge_attributes(rel_type, props))
             for src, dst, rel_type, key, props in relationships))


class _Neo4jWrite(WriteTransaction):
    """Writes of one transaction; the ids they touch and delete are recorded with the new
    graph version by :meth:`bump_version`, once, last (an import touches each node once)."""

    def __init__(self, tx: ManagedTransaction | neo4j.Transaction) -> None:
        super().__init__()
        self._tx = tx
        self.touched: dict[str, set[str]] = {}
        self.gone: set[str] = set()

    def touch(self, node_id: str, kind: str) -> None:
        self.touched.setdefault(node_id, set()).add(kind or ITSELF)

    def bump_version(self) -> None:
        if len(self.touched) > base.MASS_WRITE:  # counts as touching everything
            params: dict[str, Any] = {"touched": [], "gone": [], "all": True}
        else:
            params = {"touched": [[node_id, sorted(kinds)] for node_id, kinds in self.touched.items()],
                      "gone": list(self.gone), "all": False}
        self._tx.run(query("bump_version"), params).consume()
        if rows := self.audit_rows():
            self._tx.run(query("audit_append"), {"rows": rows}).consume()

    def _single(self, name: str, /, **params: Any) -> Any:
        record = self._tx.run(query(name), params).single()
        return record[0] if record else None

    def _write_rows(self, name: str, rows: list[dict[str, Any]]) -> int:
        """Run a batch upsert; returns how many rows it wrote."""
        written = int(self._single(name, rows=rows) or 0)
        # The driver keeps every query's parameters until the transaction ends; emptying the
        # batch (already sent) keeps a large import's client memory bounded by one batch.
        rows.clear()
        return written

    def upsert_nodes(self, nodes: Sequence[Node]) -> None:
        for node in self._changing_nodes(nodes):
            self.touch(node.id, NODE_ITSELF)
        rows = [{"id": n.id, "label": n.label, "name": n.name, "search": n.name.casefold(),
                 "props": n.props} for n in nodes]
        if self._write_rows("upsert_nodes", rows) != len(nodes):
            self._refuse_relabel(nodes)

    def _stored_nodes(self, ids: list[str]) -> dict[str, base.StoredNode]:
        found = self._tx.run(query("induced_nodes"), {"ids": ids}).single()
        return {props["id"]: (label, props["name"], _own(props))
                for label, props in (found["nodes"] if found else [])}

    def _stored_relationships(self, relationships: Sequence[Relationship]
                              ) -> dict[Identity, dict[str, Any]]:
        rows = [{"type": r.type, "from": r.start, "to": r.end, "key": r.key} for r in relationships]
        return {(r["type"], r["src"], r["dst"], r["key"]): _own_relationship(r["props"])
                for r in self._tx.run(query("stored_relationships"), {"rows": rows})}

    def _labels_of(self, ids: set[str]) -> dict[str, str]:
        return {r["id"]: r["label"] for r in self._tx.run(query("node_labels"), {"ids": list(ids)})}

    def _relationships_at(self, node_id: str) -> list[Relationship]:
        return [Relationship(r["type"], r["src"], r["dst"], _own_relationship(r["props"]))
                for r in self._tx.run(query("relationships_of"), {"id": node_id, "type": None})]

    def _refuse_relabel(self, nodes: Sequence[Node]) -> None:
        stored = {r["id"]: r["label"] for r in self._tx.run(
            query("node_labels"), {"ids": [n.id for n in nodes]})}
        raise ValidationFailed([
            Problem(None, f"node {n.id}", "label",
                    f"id {n.id} is already a {stored[n.id]}; ids are unique across labels")
            for n in nodes if stored.get(n.id, n.label) != n.label])

    def upsert_relationships(self, relationships: Sequence[Relationship]) -> None:
        for rel, new in self._changing_relationships(relationships):
            for node_id, kind in base.relationship_touches(rel, new):
                self.touch(node_id, kind)
        rows = [{"type": r.type, "from": r.start, "to": r.end, "key": r.key, "props": r.props}
                for r in relationships]
        missing = len(relationships) - self._write_rows("upsert_relationships", rows)
        if missing:
            raise ValidationFailed([Problem(None, "relationships", "from", f"{missing} "
                                            "relationships name an id that is not in the store")])

    def delete_node(self, node_id: str) -> bool:
        self._audit_deletion(node_id)
        record = self._tx.run(query("delete_node"), {"id": node_id}).single()
        if record is None or not record["deleted"]:
            return False
        self.gone.add(node_id)
        for neighbour, kind in record["neighbours"]:
            self.touch(neighbour, kind)
        return True

    def lock(self, node_id: str) -> None:
        self._tx.run(query("lock_node"), {"id": node_id}).consume()

    def redact_audit(self, person_id: str, targets: Collection[str]) -> int:
        return int(self._single("audit_redact", id=person_id, targets=list(targets)) or 0)

    def delete_relationship(self, identity: Identity) -> bool:
        self._audit_relationship_deletion(identity)
        rel_type, start, end, key = canonical(identity)
        if not self._single("delete_relationship", type=rel_type, src=start, dst=end, key=key):
            return False
        self.touch(start, base.at_start(rel_type))
        self.touch(end, base.at_end(rel_type))
        return True


def _user(record: neo4j.Record) -> User:
    return User(record["name"], record["role"], record["account_manager"], record["token_prefix"],
                record["created"], bool(record["revoked"]))


def _node(record: neo4j.Record) -> Node:
    props = dict(record["props"])
    node_id, name = props["id"], props["name"]
    return Node(record["label"], node_id, name, _own(props))


def _own(props: Mapping[str, Any]) -> dict[str, Any]:
    """A node's properties without what kamgraph keeps beside them."""
    return {k: v for k, v in props.items() if k[0] != "_" and k not in NODE_INTERNAL}


def _node_attributes(label: str, props: Mapping[str, Any]) -> dict[str, Any]:
    attributes = {"label": label, "name": props["name"]}
    attributes.update(_own(props))
    return attributes


def _edge_attributes(rel_type: str, props: Mapping[str, Any]) -> dict[str, Any]:
    attributes = {"type": rel_type}
    attributes.update((k, v) for k, v in props.items() if k not in REL_INTERNAL)
    return attributes


def _relationship(record: neo4j.Record) -> Relationship:
    return Relationship(record["type"], record["src"], record["dst"], _own_relationship(record["props"]))


def _own_relationship(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in REL_INTERNAL}
