"""All-or-nothing import: every record is checked before anything is written.

Records stream through a staging SQLite file in a temporary folder, so memory stays
bounded however large the input is: a batch of records, plus at most 256 MB of the staging
file's pages. Three passes:

1. parse and check each record against the model; stage it; catch duplicates that
   conflict (same id or identity with different values) — consistent duplicates merge;
2. resolve references: ids missing from the input are looked up in the store, ids
   already in the store must keep their label, every relationship must join labels
   its type allows;
3. only when no problem was found anywhere: write everything in one store transaction.
"""

from __future__ import annotations

import pickle
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from kamgraph.errors import Problem, ValidationFailed
from kamgraph.model import (
    REL_TYPES,
    Node,
    Relationship,
    Where,
    endpoint_problem,
    parse_node,
    parse_relationship,
)
from kamgraph.store.base import GraphStore, WriteTransaction

__all__ = ["ImportReport", "RawRecord", "import_records"]

BATCH_SIZE = 5_000
MAX_PROBLEMS = 1_000  # listed; the rest are counted

Progress = Callable[[str, int], None]


class RawRecord(NamedTuple):
    """A record as read from a file, before checking.

    ``kind`` is ``node``, ``relationship``, or ``unreadable`` (``data["reason"]`` says why).
    A named tuple: a national file has a million of them, and a tuple is built in half the
    time of a frozen dataclass.
    """

    kind: str
    data: dict[str, Any]
    where: Where
    from_text: bool = False


@dataclass(slots=True)
class ImportReport:
    """What an import found and did."""

    nodes: int = 0
    relationships: int = 0
    written: bool = False
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "relationships": self.relationships,
                "written": self.written, "problems": [p.as_dict() for p in self.problems]}


def import_records(store: GraphStore, records: Iterable[RawRecord], *, dry_run: bool = False,
                   batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> ImportReport:
    """Check all ``records`` and, when every one is right, write them all in one transaction.

    Raises :class:`ValidationFailed` listing every problem (nothing is written then).
    With ``dry_run`` only the checks run. ``progress(phase, count)`` is told how many
    records each phase ("checking", "writing") has done so far.
    """
    with tempfile.TemporaryDirectory(prefix="kamgraph-import-") as folder:
        staging = _Staging(Path(folder) / "staging.db")
        try:
            staging.stage(records, batch_size, progress)
            staging.resolve_references(store)
            if staging.problems:
                raise ValidationFailed(staging.problems, more=staging.more_problems)
            report = ImportReport(nodes=staging.node_count(), relationships=staging.rel_count())
            if not dry_run:
                staging.write_to(store, batch_size, progress)
                report.written = True
            return report
        finally:
            staging.close()


class _Staging:
    """Checked records on disk, keyed like the store, with where each came from."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        for pragma in _STAGING_PRAGMAS:
            self.db.execute(f"PRAGMA {pragma}")
        for statement in _STAGING_SCHEMA:
            self.db.execute(statement)
        self.db.executemany("INSERT INTO allowed VALUES (?, ?, ?)", [
            (spec.name, start, end) for spec in REL_TYPES.values() for start, end in spec.endpoints])
        self.problems: list[Problem] = []
        self.more_problems = 0

    def close(self) -> None:
        self.db.close()

    def report(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more_problems += 1

    # -- pass 1 --------------------------------------------------------------------------
    def stage(self, records: Iterable[RawRecord], batch_size: int,
              progress: Progress | None) -> None:
        done = 0
        self.db.execute("BEGIN")
        for batch in _batches(records, batch_size):
            nodes, rels = self._parse(batch)
            self._stage_nodes(nodes)
            self._stage_relationships(rels)
            done += len(batch)
            if progress:
                progress("checking", done)
        self.db.execute("COMMIT")

    def _parse(self, batch: Sequence[RawRecord]
               ) -> tuple[list[tuple[Node, Where]], list[tuple[Relationship, Where]]]:
        nodes: list[tuple[Node, Where]] = []
        rels: list[tuple[Relationship, Where]] = []
        for record in batch:
            if record.kind == "unreadable":
                self.report(record.where.problem(None, str(record.data["reason"])))
                continue
            if record.kind == "node":
                node, problems = parse_node(record.data, record.where, from_text=record.from_text)
                if node:
                    nodes.append((node, record.where))
                elif isinstance(record.data.get("id"), str):
                    # Its relationships should not also be reported as dangling.
                    self.db.execute("INSERT OR IGNORE INTO broken VALUES (?)", (record.data["id"],))
            else:
                rel, problems = parse_relationship(
                    record.data, record.where, from_text=record.from_text)
                if rel:
                    rels.append((rel, record.where))
            for problem in problems:
                self.report(problem)
        return nodes, rels

    def _stage_nodes(self, nodes: list[tuple[Node, Where]]) -> None:
        fresh: dict[str, tuple[Node, Where]] = {}
        for node, where in nodes:
            if node.id in fresh:
                fresh[node.id][0].props = self._merge_node(fresh[node.id], node, where)
            else:
                fresh[node.id] = (node, where)
        for row in self._staged_nodes(list(fresh)):
            staged = Node(row[1], row[0], row[2], _unpack(row[3]))
            new, where = fresh.pop(row[0])
            merged = self._merge_node((staged, Where(row[4], row[5])), new, where)
            self.db.execute("UPDATE nodes SET props = ? WHERE id = ?", (_pack(merged), row[0]))
        self.db.executemany("INSERT INTO nodes VALUES (?, ?, ?, ?, ?, ?)", [
            (n.id, n.label, n.name, _pack(n.props), w.file, w.location)
            for n, w in fresh.values()])

    def _merge_node(self, first: tuple[Node, Where], node: Node, where: Where) -> dict[str, Any]:
        staged, staged_where = first
        if staged.label != node.label or staged.name != node.name:
            field_name = "label" if staged.label != node.label else "name"
            self.report(where.problem(field_name, f"conflicting duplicate: id {node.id} is also "
                                                  f"{_at(staged_where)} with another {field_name}"))
        return self._merge_props(staged.props, node.props, where, f"id {node.id}", staged_where)

    def _stage_relationships(self, rels: list[tuple[Relationship, Where]]) -> None:
        fresh: dict[tuple[str, str, str, str], tuple[Relationship, Where]] = {}
        for rel, where in rels:
            identity = rel.identity
            if identity in fresh:
                first, first_where = fresh[identity]
                first.props = self._merge_props(first.props, rel.props, where, _name(rel),
                                                first_where)
            else:
                fresh[identity] = (rel, where)
        # Repeats of earlier batches park in the again_* columns (rare, and found through a
        # partial index), so the usual batch costs one insert and no look-ups.
        self.db.executemany(
            "INSERT INTO rels VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL) ON CONFLICT DO UPDATE "
            "SET again_props = excluded.props, again_file = excluded.file, "
            "again_location = excluded.location",
            [(*identity, _pack(r.props), w.file, w.location) for identity, (r, w) in fresh.items()])
        for row in self.db.execute(_REPEATED_RELATIONSHIPS).fetchall():
            first = Relationship(row[0], row[1], row[2], _unpack(row[4]))
            merged = self._merge_props(first.props, _unpack(row[7]), Where(row[8], row[9]),
                                       _name(first), Where(row[5], row[6]))
            self.db.execute("UPDATE rels SET props = ?, again_props = NULL WHERE type = ? AND "
                            "src = ? AND dst = ? AND key = ?", (_pack(merged), *row[:4]))

    def _merge_props(self, first: dict[str, Any], second: dict[str, Any], where: Where,
                     what: str, first_where: Where) -> dict[str, Any]:
        """Consistent duplicates merge; a property given twice with two values is a problem."""
        for key, value in second.items():
            if key in first and first[key] != value:
                self.report(where.problem(key, f"conflicting duplicate: {what} has {key} "
                                               f"{first[key]!r} {_at(first_where)}, here {value!r}"))
        return {**first, **second}

    def _staged_nodes(self, ids: list[str]) -> Iterator[tuple[Any, ...]]:
        for chunk in _chunks(ids):
            yield from self.db.execute(
                "SELECT id, label, name, props, file, location FROM nodes "
                f"WHERE id IN ({_marks(chunk)})", chunk).fetchall()

    # -- pass 2 --------------------------------------------------------------------------
    def resolve_references(self, store: GraphStore) -> None:
        self._check_store_labels(store)
        self._look_up_missing(store)
        for rel_type, src, dst, file, location, src_label, dst_label in self.db.execute(
                _BAD_ENDPOINTS).fetchall():
            where = Where(file, location)
            if src_label is None or dst_label is None:
                field_name, missing = ("from", src) if src_label is None else ("to", dst)
                self.report(where.problem(field_name, f"{missing} is neither in the file nor "
                                                      "in the store"))
            else:
                reason = endpoint_problem(rel_type, src_label, dst_label)
                self.report(where.problem("type", reason or "endpoints not allowed"))

    def _check_store_labels(self, store: GraphStore) -> None:
        """An id keeps its label: an import may not turn a person into an organisation."""
        rows = self.db.execute("SELECT id, label, file, location FROM nodes ORDER BY rowid")
        while chunk := rows.fetchmany(2_000):
            stored = store.node_labels(row[0] for row in chunk)
            for node_id, label, file, location in chunk:
                if stored.get(node_id, label) != label:
                    self.report(Where(file, location).problem(
                        "label", f"id {node_id} is already a {stored[node_id]} in the store; "
                                 "ids are unique across labels"))

    def _look_up_missing(self, store: GraphStore) -> None:
        rows = self.db.execute(
            "SELECT id FROM (SELECT src AS id FROM rels UNION SELECT dst FROM rels) "
            "WHERE id NOT IN (SELECT id FROM nodes) AND id NOT IN (SELECT id FROM broken)")
        while chunk := rows.fetchmany(2_000):
            found = store.node_labels(row[0] for row in chunk)
            self.db.executemany("INSERT INTO known VALUES (?, ?)", found.items())

    def node_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM nodes").fetchone()[0])

    def rel_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM rels").fetchone()[0])

    # -- pass 3 --------------------------------------------------------------------------
    def write_to(self, store: GraphStore, batch_size: int, progress: Progress | None) -> None:
        """Everything in one transaction; a retried transaction reads the staging again."""

        def work(tx: WriteTransaction) -> None:
            done = 0
            for nodes in self._read_batches(
                    "SELECT label, id, name, props FROM nodes ORDER BY id", batch_size):
                tx.upsert_nodes([Node(r[0], r[1], r[2], _unpack(r[3])) for r in nodes])
                done += len(nodes)
                if progress:
                    progress("writing", done)
            for rels in self._read_batches(
                    "SELECT type, src, dst, props FROM rels ORDER BY type, src, dst, key",
                    batch_size):
                tx.upsert_relationships(
                    [Relationship(r[0], r[1], r[2], _unpack(r[3])) for r in rels])
                done += len(rels)
                if progress:
                    progress("writing", done)

        store.write(work)

    def _read_batches(self, sql: str, batch_size: int) -> Iterator[list[tuple[Any, ...]]]:
        cursor = self.db.execute(sql)
        while batch := cursor.fetchmany(batch_size):
            yield batch


# A throwaway file: no journal, no syncing; and pages kept in memory up to 256 MB, as the
# keys of a national import arrive in no order and a small cache rereads the same pages.
_STAGING_PRAGMAS = ("journal_mode = OFF", "synchronous = OFF", "temp_store = MEMORY",
                    "cache_size = -262144")

_STAGING_SCHEMA = (
    "CREATE TABLE nodes (id TEXT PRIMARY KEY, label TEXT, name TEXT, props BLOB, file TEXT, "
    "location TEXT)",
    "CREATE TABLE rels (type TEXT, src TEXT, dst TEXT, key TEXT, props BLOB, file TEXT, "
    "location TEXT, again_props BLOB, again_file TEXT, again_location TEXT, "
    "PRIMARY KEY (type, src, dst, key))",
    "CREATE INDEX rels_again ON rels (type) WHERE again_props IS NOT NULL",
    "CREATE TABLE known (id TEXT PRIMARY KEY, label TEXT)",
    "CREATE TABLE broken (id TEXT PRIMARY KEY)",
    "CREATE TABLE allowed (type TEXT, src_label TEXT, dst_label TEXT, "
    "PRIMARY KEY (type, src_label, dst_label))",
)

_REPEATED_RELATIONSHIPS = """
    SELECT type, src, dst, key, props, file, location, again_props, again_file, again_location
    FROM rels WHERE again_props IS NOT NULL
"""

# Relationships whose ends are missing or carry labels their type does not allow.
_BAD_ENDPOINTS = """
    SELECT type, src, dst, file, location, src_label, dst_label FROM (
        SELECT r.type, r.src, r.dst, r.file, r.location, r.rowid AS seq,
               coalesce(a.label, ka.label) AS src_label, coalesce(b.label, kb.label) AS dst_label
        FROM rels r
        LEFT JOIN nodes a ON a.id = r.src LEFT JOIN known ka ON ka.id = r.src
        LEFT JOIN nodes b ON b.id = r.dst LEFT JOIN known kb ON kb.id = r.dst
        WHERE r.src NOT IN (SELECT id FROM broken) AND r.dst NOT IN (SELECT id FROM broken)) x
    WHERE NOT EXISTS (SELECT 1 FROM allowed l WHERE l.type = x.type
                      AND l.src_label = x.src_label AND l.dst_label = x.dst_label)
    ORDER BY seq
"""


def _at(where: Where) -> str:
    return f"at {', '.join(p for p in (where.file, where.location) if p)}"


def _name(rel: Relationship) -> str:
    role = f" ({rel.key})" if rel.key else ""
    return f"{rel.type}{role} {rel.start} → {rel.end}"


def _pack(props: dict[str, Any]) -> bytes:
    """Properties as staged: pickled, as the staging file lives and dies within one import
    and pickle is about six times faster than JSON both ways."""
    return pickle.dumps(props, pickle.HIGHEST_PROTOCOL)


_unpack = pickle.loads


def _batches(records: Iterable[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    batch: list[RawRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _marks(items: Sequence[Any]) -> str:
    return ", ".join("?" * len(items))
