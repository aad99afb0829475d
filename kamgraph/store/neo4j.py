"""The team store: a Neo4j 5.26 database through the official driver.

One driver per store (create the store once per process and close it on exit). Every
call names its database; reads are routed to readers; writes run in managed
transactions, which the driver retries on transient errors. Every node carries the
label ``KgNode`` beside its own, with a uniqueness constraint on ``id``, so ids are
unique across labels. Queries live in ``cypher/`` (see :mod:`kamgraph.store.cypher`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal, NoReturn, TypeVar
from urllib.parse import urlsplit, urlunsplit

import neo4j
from neo4j import GraphDatabase, ManagedTransaction, RoutingControl
from neo4j.exceptions import AuthError, ConstraintError, DriverError, Neo4jError, ServiceUnavailable

from kamgraph.errors import Problem, StoreUnavailable, ValidationFailed
from kamgraph.model import IDENTIFIER, Node, Relationship
from kamgraph.store.base import Counts, GraphStore, Identity, WriteTransaction, canonical
from kamgraph.store.cypher import query
from kamgraph.users import User

__all__ = ["Neo4jStore"]

T = TypeVar("T")
# Stored beside the properties, not among them.
NODE_INTERNAL = frozenset({"id", "name", "_search"})
REL_INTERNAL = frozenset({"_key"})
SCHEMA = ("schema_node_id", "schema_search", "schema_meta", "schema_user_name", "schema_user_token")
TOO_LARGE = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"


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
        """``retry_seconds``: how long a write that failed transiently is tried again."""
        self.url = public_url(url)
        self.database = database
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
        try:
            records, _, _ = self._driver.execute_query(
                query(name), params, database_=self.database, routing_=RoutingControl.READ)
        except (Neo4jError, DriverError) as exc:
            self._fail(exc)
        return records

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
            try:
                result = work(_Neo4jWrite(tx))
            except Neo4jError as exc:
                if exc.code == TOO_LARGE:
                    self._fail(exc)  # transient to the driver, but a retry cannot fit either
                raise
            tx.run(query("bump_version")).consume()
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
                yield _Neo4jWrite(tx)
                tx.run(query("bump_version")).consume()
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

    # -- subgraph primitives -------------------------------------------------------------
    def _step(self, node_ids: set[str], rel_types: Sequence[str],
              direction: Literal["out", "in", "both"]) -> set[str]:
        found: set[str] = set()
        for name in {"out": ["step_out"], "in": ["step_in"],
                     "both": ["step_out", "step_in"]}[direction]:
            found.update(r["id"] for r in self._read(name, ids=sorted(node_ids),
                                                     types=list(rel_types)))
        return found

    def _closure(self, roots: set[str], rel_type: str) -> set[str]:
        if rel_type != "PART_OF":
            return super()._closure(roots, rel_type)
        return set(roots) | {r["id"] for r in self._read("part_of_closure", ids=sorted(roots))}

    def _induced_parts(self, node_ids: set[str]) -> tuple[list[Node], list[Relationship]]:
        ids = sorted(node_ids)
        nodes = sorted((_node(r) for r in self._read("induced_nodes", ids=ids)),
                       key=lambda n: n.id)
        rels = sorted((_relationship(r) for r in self._read("induced_relationships", ids=ids)),
                      key=lambda r: r.identity)
        return nodes, rels


class _Neo4jWrite(WriteTransaction):
    def __init__(self, tx: ManagedTransaction | neo4j.Transaction) -> None:
        self._tx = tx

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
        rows = [{"id": n.id, "label": n.label, "name": n.name, "search": n.name.casefold(),
                 "props": n.props} for n in nodes]
        if self._write_rows("upsert_nodes", rows) != len(nodes):
            self._refuse_relabel(nodes)

    def _refuse_relabel(self, nodes: Sequence[Node]) -> None:
        stored = {r["id"]: r["label"] for r in self._tx.run(
            query("node_labels"), {"ids": [n.id for n in nodes]})}
        raise ValidationFailed([
            Problem(None, f"node {n.id}", "label",
                    f"id {n.id} is already a {stored[n.id]}; ids are unique across labels")
            for n in nodes if stored.get(n.id, n.label) != n.label])

    def upsert_relationships(self, relationships: Sequence[Relationship]) -> None:
        rows = [{"type": r.type, "from": r.start, "to": r.end, "key": r.key, "props": r.props}
                for r in relationships]
        missing = len(relationships) - self._write_rows("upsert_relationships", rows)
        if missing:
            raise ValidationFailed([Problem(None, "relationships", "from", f"{missing} "
                                            "relationships name an id that is not in the store")])

    def delete_node(self, node_id: str) -> bool:
        return bool(self._single("delete_node", id=node_id))

    def delete_relationship(self, identity: Identity) -> bool:
        rel_type, start, end, key = canonical(identity)
        return bool(self._single("delete_relationship", type=rel_type, src=start, dst=end,
                                 key=key))


def _user(record: neo4j.Record) -> User:
    return User(record["name"], record["role"], record["account_manager"], record["token_prefix"],
                record["created"], bool(record["revoked"]))


def _node(record: neo4j.Record) -> Node:
    props = dict(record["props"])
    node_id, name = props["id"], props["name"]
    return Node(record["label"], node_id, name,
                {k: v for k, v in props.items() if k not in NODE_INTERNAL})


def _relationship(record: neo4j.Record) -> Relationship:
    props = {k: v for k, v in record["props"].items() if k not in REL_INTERNAL}
    return Relationship(record["type"], record["src"], record["dst"], props)
