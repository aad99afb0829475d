"""The store contract every backend implements, and what they share.

A store keeps nodes and relationships of the domain model (``kamgraph.model``).
Writes go through a :class:`WriteTransaction` that commits on success and rolls back
on any error. Reads return model objects; subgraphs come back as
``networkx.MultiDiGraph`` with every property, ready for ``kamgraph.analysis``.

Subgraphs (the same definition on every backend):

``whole_graph()``
    everything.
``territory_subgraph(T)``
    T and its sub-territories (``PART_OF`` towards T, any depth); the organisations
    ``LOCATED_IN`` them and their sub-organisations; the people who work there; the
    tenders those organisations issue or those people hold roles in, with their products,
    role holders and awardees; the organisations those people are ``ALIGNED_WITH`` and the
    events they attended; the account managers who cover those territories or relate to
    those people. Edges: all among these nodes.
``neighbourhood(X, hops)``
    every node within ``hops`` steps of X, whatever the direction; edges among them.
``tender_subgraph(T, hops)``
    T, its issuer, products, awardee and role holders; the people within ``hops``
    person-to-person steps (``INFLUENCES``, ``KNOWS``, ``REPORTS_TO``) of the role
    holders; their organisations, alignments, events and other tenders; the account
    managers who relate to any of them. Edges: all among these nodes.
``person_subgraph(X)``
    X, everything one relationship away from X, and what is one relationship further, other
    people's interactions left out: from there it goes along every type but ``HAD`` and
    ``WITH``, from an interaction to its account manager (``HAD``) and to the other people it
    was with (``WITH``). Edges: all among these nodes. (An account manager's 500 interactions
    with others are no part of a person's picture; :func:`person_kinds` says which writes
    can change it.)
``paths_subgraph(X, hops)``
    everything a warm path of up to ``hops`` steps to person X can use: the people within
    ``hops - 2`` social steps of X (a step is a tie, ``INFLUENCES``, ``KNOWS`` or
    ``REPORTS_TO`` either way, or a shared committee or event), the people one social step
    further who have a ``RELATES_TO`` from an account manager (they can only open a path),
    the tenders and events of all of them (their weak ties and quiet periods) and the
    account managers who relate to any of them. Edges: all among these nodes.
"""

from __future__ import annotations

import functools
import gc
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar

import networkx as nx

from kamgraph import audit
from kamgraph.model import LABELS, REL_TYPES, Node, Relationship

if TYPE_CHECKING:
    from kamgraph.users import User

__all__ = ["MASS_WRITE", "NODE_ITSELF", "PROPERTIES_ONLY", "SMALL_WRITE", "Counts", "EdgeRow",
           "GraphStore", "Identity", "NodeRow", "WriteTransaction", "at_end", "at_start", "canonical",
           "counts_as_change", "edge_key", "graph_from_rows", "patched", "person_kinds",
           "relationship_touches",
           "subgraph_types", "to_networkx"]

T = TypeVar("T")

Identity = tuple[str, str, str, str]
"""A relationship's identity: (type, from, to, key) with key the ``ROLE_IN`` role, else ``""``."""

NodeRow = tuple[str, dict[str, Any]]
"""A node as :func:`graph_from_rows` takes it: (id, attributes with ``label`` and ``name``)."""

EdgeRow = tuple[str, str, str, dict[str, Any]]
"""A relationship as :func:`graph_from_rows` takes it: (from, to, edge key, attributes with
``type``); the key is :func:`edge_key`."""

# Person-to-person ties followed outward from a tender's committee.
PERSON_TIES = ("INFLUENCES", "KNOWS", "REPORTS_TO")
# What people share that ties them weakly: a committee (a tender) or an event.
GATHERINGS = ("ROLE_IN", "ATTENDED")

NODE_ITSELF = ""
"""The kind of touch of a node's own upsert or deletion. A relationship write touches its
start by ``<type>>`` and its end by ``<type><`` (:func:`at_start`, :func:`at_end`)."""

PROPERTIES_ONLY = ".props"
"""Suffix of the kind by which a change of an existing relationship's properties touches its
start (:func:`relationship_touches`)."""


def at_start(rel_type: str) -> str:
    """The kind of touch a relationship write leaves on its start: ``TYPE>``."""
    return rel_type + ">"


def at_end(rel_type: str) -> str:
    """The kind of touch a relationship write leaves on its end: ``TYPE<``."""
    return rel_type + "<"


def relationship_touches(rel: Relationship, new: bool) -> tuple[tuple[str, str], ...]:
    """The (id, kind) an upsert of ``rel`` touches: its start by ``TYPE>`` and its end by
    ``TYPE<`` when it is new (or may be); when it existed and only its properties change, its
    end by ``TYPE<`` and its start by ``TYPE>.props``.

    Why the start may be left out for analyses: which nodes a subgraph walk reaches depends on
    relationships, never on their properties, so a property change matters to a subgraph only
    if the relationship lies in it, with both ends, and then its end is touched. A user's scope
    does depend on properties (``since``/``until``): the start is still touched, by a kind that
    only checks over every kind (``types=None``, as the scope's) count. For a logged
    interaction this keeps the account manager, who is in almost every subgraph of the
    territory, untouched when ``last_contact`` moves.
    """
    if new:
        return (rel.start, at_start(rel.type)), (rel.end, at_end(rel.type))
    return (rel.start, at_start(rel.type) + PROPERTIES_ONLY), (rel.end, at_end(rel.type))


def counts_as_change(kind: str, types: Collection[str] | None) -> bool:
    """Whether a touch of this kind is one of ``types`` (``changed_since``): a node's own touch
    always is; a type alone stands for both ends (``TYPE`` for ``TYPE>`` and ``TYPE<``), a kind
    with its end for that end only; ``TYPE>.props`` only when every kind is asked for."""
    return (types is None or kind == NODE_ITSELF or kind in types
            or (kind[-1:] in ("<", ">") and kind[:-1] in types))


SMALL_WRITE = 1_000
"""Batches up to this many rows are compared with what is stored first, so that a row that
changes nothing (the same stage set again) touches nothing; larger batches (imports) touch
every node they name."""

MASS_WRITE = 20_000
"""A write touching more nodes than this (an import) counts as touching every node: recording
each of an import's touches costs seconds, and every answer cached before it is outdated
anyway."""


@dataclass(slots=True)
class Counts:
    """How many nodes per label and relationships per type the store holds."""

    labels: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)

    @property
    def nodes(self) -> int:
        return sum(self.labels.values())

    @property
    def relationships(self) -> int:
        return sum(self.types.values())


StoredNode = tuple[str, str, dict[str, Any]]
"""A node as stored before a write: (label, name, properties)."""


class WriteTransaction(ABC):
    """Writes inside one transaction; nothing is visible to others until it commits.

    Backends compare small batches with what is stored (so a row changing nothing touches
    nothing) through :meth:`_changing_nodes` and :meth:`_changing_relationships`, which also
    collect the audit entries of the write (``kamgraph.audit``: before and after of each change,
    one ``bulk_write`` entry for large batches); :meth:`audit_rows` gives them at commit."""

    def __init__(self) -> None:
        self._audit: list[dict[str, Any]] = []
        self._bulk = [0, 0]  # nodes and relationships written in large batches
        self._erasing = False

    def erasing(self) -> None:
        """This transaction erases a person (``kamgraph.privacy``): its entries keep what was
        done to which id, never the properties (no personal data in the log)."""
        self._erasing = True

    def audit_rows(self) -> list[dict[str, Any]]:
        """The entries to append with the commit."""
        if self._erasing:
            return [{**row, "before": None, "after": None} for row in self._audit]
        if any(self._bulk):
            nodes, relationships = self._bulk
            return [*self._audit, audit.entry(
                "bulk_write", f"{nodes} nodes, {relationships} relationships",
                after={"nodes": nodes, "relationships": relationships})]
        return list(self._audit)

    def _changing_nodes(self, nodes: Sequence[Node]) -> Sequence[Node]:
        """The nodes whose upsert changes what is stored (all of a large batch)."""
        if len(nodes) > SMALL_WRITE:
            self._bulk[0] += len(nodes)
            return nodes
        stored = self._stored_nodes([n.id for n in nodes])
        changing = []
        for n in nodes:
            old = stored.get(n.id)
            if old is not None and old == (n.label, n.name, patched(old[2], n.props)):
                continue
            changing.append(n)
            if old is None or old[0] == n.label:  # a relabel is refused: nothing to log
                after = Node(n.label, n.id, n.name, patched(old[2], n.props) if old else dict(n.props))
                self._audit.append(audit.node_entry(after, old))
        return changing

    def _changing_relationships(self, relationships: Sequence[Relationship]
                                ) -> list[tuple[Relationship, bool]]:
        """The relationships whose upsert changes what is stored, each with whether it is new
        (all of a large batch, all counted as new)."""
        if len(relationships) > SMALL_WRITE:
            self._bulk[1] += len(relationships)
            return [(r, True) for r in relationships]
        stored = self._stored_relationships(relationships)
        labels = self._labels_of({end for r in relationships for end in (r.start, r.end)})
        changing = []
        for r in relationships:
            old = stored.get(r.identity)
            if old is not None and patched(old, r.props) == old:
                continue
            changing.append((r, old is None))
            after = patched(old, r.props) if old is not None else dict(r.props)
            self._audit.append(audit.relationship_entry(r, old, after, labels=labels))
        return changing

    def _audit_deletion(self, node_id: str) -> None:
        """Log a node about to be deleted, and each relationship going with it."""
        stored = self._stored_nodes([node_id]).get(node_id)
        if stored is None:
            return
        self._audit.append(audit.node_entry(None, stored, node_id=node_id))
        rels = self._relationships_at(node_id)
        labels = self._labels_of({end for r in rels for end in (r.start, r.end)})
        self._audit.extend(audit.relationship_entry(r, r.props, None, labels=labels) for r in rels)

    def _audit_relationship_deletion(self, identity: Identity) -> None:
        rel_type, start, end, key = canonical(identity)
        old = self.stored_relationship(rel_type, start, end, key)
        if old is not None:
            gone = Relationship(rel_type, start, end, old)
            self._audit.append(audit.relationship_entry(
                gone, old, None, labels=self._labels_of({start, end})))

    def stored_relationship(self, rel_type: str, start: str, end: str, key: str = ""
                            ) -> dict[str, Any] | None:
        """The properties of a stored relationship, read inside this transaction, or ``None``."""
        key_prop = REL_TYPES[rel_type].key
        probe = Relationship(rel_type, start, end, {key_prop: key} if key and key_prop else {})
        return self._stored_relationships([probe]).get(probe.identity)

    @abstractmethod
    def lock(self, node_id: str) -> None:
        """Hold the node's write lock until the transaction ends, so that a read-then-write
        by two transactions at once runs one after the other (no lost update)."""

    def log(self, row: dict[str, Any]) -> None:
        """Append an entry of ``kamgraph.audit`` to this transaction's (an erasure's tombstone)."""
        self._audit.append(row)

    @abstractmethod
    def redact_audit(self, person_id: str, targets: Collection[str]) -> int:
        """Blank ``before`` and ``after`` of the entries about this person: those naming them
        as their stakeholder, with a target among ``targets`` (their interactions, plans) or
        a relationship target with them at an end. The entries stay. Returns how many."""

    # What is stored, read inside the transaction (for change detection and the audit log).
    @abstractmethod
    def _stored_nodes(self, ids: list[str]) -> dict[str, StoredNode]:
        """The stored nodes among ``ids``."""

    @abstractmethod
    def _stored_relationships(self, relationships: Sequence[Relationship]) -> dict[Identity, dict[str, Any]]:
        """The stored properties of those of these relationships that exist, by identity."""

    @abstractmethod
    def _labels_of(self, ids: set[str]) -> dict[str, str]:
        """The labels of the stored nodes among ``ids``."""

    @abstractmethod
    def _relationships_at(self, node_id: str) -> list[Relationship]:
        """Every stored relationship of a node, with its properties."""

    @abstractmethod
    def upsert_nodes(self, nodes: Sequence[Node]) -> None:
        """Create or update by id: properties given overwrite, absent ones stay."""

    @abstractmethod
    def upsert_relationships(self, relationships: Sequence[Relationship]) -> None:
        """Create or update by identity; both ends must exist (checked by the caller)."""

    @abstractmethod
    def delete_node(self, node_id: str) -> bool:
        """Delete a node with all its relationships; ``False`` if there was none."""

    @abstractmethod
    def delete_relationship(self, identity: Identity) -> bool:
        """Delete the relationship with this identity (see :func:`canonical`: a symmetric one
        either way round); ``False`` if there was none. The nodes stay."""


class GraphStore(ABC):
    """A backend: the embedded SQLite file or a Neo4j database."""

    url: str

    # -- writing -------------------------------------------------------------------------
    @abstractmethod
    def transaction(self) -> AbstractContextManager[WriteTransaction]:
        """A write transaction: commits when the block ends, rolls back on an exception."""

    def write(self, work: Callable[[WriteTransaction], T]) -> T:
        """Run ``work`` in one write transaction and return its result.

        Backends whose transactions can fail transiently (a Neo4j leader change) run it
        again, so ``work`` must be safe to repeat (upserts are).
        """
        with self.transaction() as tx:
            return work(tx)

    def upsert(self, nodes: Sequence[Node] = (), relationships: Sequence[Relationship] = (),
               ) -> None:
        """Write a batch atomically (nodes first, so relationships find their ends)."""

        def work(tx: WriteTransaction) -> None:
            if nodes:
                tx.upsert_nodes(nodes)
            if relationships:
                tx.upsert_relationships(relationships)

        self.write(work)

    def delete_node(self, node_id: str) -> bool:
        """Erase a node and every relationship it has; ``False`` if it was not there."""
        return self.write(lambda tx: tx.delete_node(node_id))

    def delete_relationship(self, identity: Identity) -> bool:
        """Erase one relationship by identity; ``False`` if it was not there."""
        return self.write(lambda tx: tx.delete_relationship(identity))

    # -- reading -------------------------------------------------------------------------
    def snapshot(self) -> AbstractContextManager[None]:
        """Reads inside the block run in one read transaction: one consistent state where the
        backend can give it (SQLite), at least one connection and no per-query set-up (Neo4j).
        A snapshot inside a snapshot is the outer one."""
        return nullcontext()

    @abstractmethod
    def get_node(self, node_id: str) -> Node | None:
        """The node with this id, or ``None``."""

    @abstractmethod
    def node_labels(self, node_ids: Iterable[str]) -> dict[str, str]:
        """Label of each id that exists (ids missing from the store are left out)."""

    @abstractmethod
    def list_nodes(self, label: str | None = None, *, where: Mapping[str, Any] | None = None,
                   limit: int = 50, offset: int = 0) -> list[Node]:
        """Nodes ordered by id, optionally of one label with equal-valued properties."""

    @abstractmethod
    def search(self, text: str, *, label: str | None = None, limit: int = 20) -> list[Node]:
        """Nodes whose name contains ``text`` (case-insensitive), best matches first."""

    @abstractmethod
    def relationships_of(self, node_id: str, *, rel_type: str | None = None) -> list[Relationship]:
        """Every relationship starting or ending at the node, ordered by identity."""

    @abstractmethod
    def counts(self) -> Counts:
        """Nodes per label and relationships per type."""

    @abstractmethod
    def iter_nodes(self, label: str | None = None, *, batch_size: int = 5000) -> Iterator[Node]:
        """All nodes ordered by id, read in batches."""

    @abstractmethod
    def iter_relationships(self, *, batch_size: int = 5000) -> Iterator[Relationship]:
        """All relationships ordered by (type, from, to, key), read in batches."""

    @abstractmethod
    def graph_version(self) -> int:
        """A number that grows with every committed write (for caches)."""

    @abstractmethod
    def changed_since(self, node_ids: Iterable[str], version: int, *,
                      types: Collection[str] | None = None) -> set[str]:
        """The ids among ``node_ids`` that a write committed after graph version ``version``
        touched: a node is touched by its own upsert or deletion and by every upsert or
        deletion of a relationship it is an end of (deleting a node touches its former
        neighbours too, by the relationships that went), with the kind ``TYPE>`` at the start
        and ``TYPE<`` at the end; a change of only the properties of an existing relationship
        touches its start by ``TYPE>.props`` (:func:`relationship_touches`). A deleted id stays
        recorded, so a vanished node is reported. With ``types`` (types, standing for both
        ends, or kinds with their end), other touches do not count (the node's own writes
        always do; :func:`counts_as_change`). After a write that touched
        more than :data:`MASS_WRITE` nodes, every id counts as touched.

        One lookup whatever the number of ids: backends read what was touched after
        ``version`` (an index on the version) and intersect, and look the ids up instead
        when more was touched than was asked about.
        """

    # -- subgraphs -----------------------------------------------------------------------
    def whole_graph(self) -> nx.MultiDiGraph:
        """The whole graph with all properties (nodes in id order, edges in identity order)."""
        return to_networkx(self.iter_nodes(), self.iter_relationships())

    def territory_subgraph(self, territory_id: str) -> nx.MultiDiGraph:
        """A territory with its sub-territories and all that is in them (see module doc)."""
        with self.snapshot():
            return self._induced(self._territory_ids(territory_id))

    def neighbourhood(self, node_id: str, hops: int = 1) -> nx.MultiDiGraph:
        """Every node within ``hops`` steps of ``node_id``, either direction."""
        with self.snapshot():
            return self._induced(self._neighbourhood_ids(node_id, hops))

    def tender_subgraph(self, tender_id: str, hops: int = 2) -> nx.MultiDiGraph:
        """A tender, its committee and the people within ``hops`` ties of it (module doc)."""
        with self.snapshot():
            return self._induced(self._tender_ids(tender_id, hops))

    def person_subgraph(self, person_id: str) -> nx.MultiDiGraph:
        """A person, all they are tied to and one step further (module doc)."""
        with self.snapshot():
            return self._induced(self._person_ids(person_id))

    def _person_ids(self, person_id: str) -> set[str]:
        around = self._step({person_id}, (), "both") | {person_id}
        return (around | self._step(around, BEYOND_A_PERSON, "both")
                | self._step(around, ("HAD",), "in") | self._step(around, ("WITH",), "out"))

    def paths_subgraph(self, person_id: str, hops: int = 4) -> nx.MultiDiGraph:
        """Everything a warm path of up to ``hops`` steps to the person can use (module doc)."""
        with self.snapshot():
            return self._induced(self._paths_ids(person_id, hops))

    def _territory_ids(self, territory_id: str) -> set[str]:
        territories = self._closure({territory_id}, "PART_OF")
        organizations = self._closure(self._step(territories, ("LOCATED_IN",), "in"), "PART_OF")
        people = self._step(organizations, ("WORKS_AT",), "in")
        tenders = self._step(organizations, ("ISSUED_BY",), "in") | self._step(
            people, ("ROLE_IN",), "out")
        team = self._step(territories, ("COVERS",), "in") | self._step(people, ("RELATES_TO",), "in")
        around = self._step(people, ("ALIGNED_WITH", "ATTENDED"), "out")
        return territories | organizations | people | team | self._tender_parts(tenders) | around

    def _neighbourhood_ids(self, node_id: str, hops: int) -> set[str]:
        reached = frontier = {node_id}
        for _ in range(hops):
            frontier = self._step(frontier, (), "both") - reached
            reached = reached | frontier
        return reached

    def _tender_ids(self, tender_id: str, hops: int) -> set[str]:
        committee = self._tender_parts({tender_id})
        people = reached = self._step({tender_id}, ("ROLE_IN",), "in")
        for _ in range(hops):
            reached = self._step(reached, PERSON_TIES, "both") - people
            people = people | reached
        # Their other tenders too: quiet periods and shared committees elsewhere count.
        around = self._step(people, ("WORKS_AT", "ALIGNED_WITH", "ATTENDED", "ROLE_IN"), "out")
        return committee | people | around | self._step(people, ("RELATES_TO",), "in")

    def _paths_ids(self, person_id: str, hops: int) -> set[str]:
        # A path is manager → p1 → … → X: p1 is at most hops - 1 social steps from X and only
        # opens the path, so beyond hops - 2 steps only people a manager relates to count.
        people = frontier = {person_id}
        for _ in range(max(hops - 2, 0)):
            frontier = self._social_step(frontier) - people
            people = people | frontier
        if hops >= 2:
            outer = self._social_step(frontier) - people
            related = self._step(self._step(outer, ("RELATES_TO",), "in"), ("RELATES_TO",), "out")
            people = people | (outer & related)
        return people | self._step(people, GATHERINGS, "out") | self._step(people, ("RELATES_TO",), "in")

    def _social_step(self, people: set[str]) -> set[str]:
        """People one tie or one shared committee or event away (a superset of the influence
        graph's neighbours: dates and weights are the analysis's business)."""
        gatherings = self._step(people, GATHERINGS, "out")
        return self._step(people, PERSON_TIES, "both") | self._step(gatherings, GATHERINGS, "in")

    def _tender_parts(self, tenders: set[str]) -> set[str]:
        """Tenders with their issuers, awardees, products (and makers) and role holders."""
        products = self._step(tenders, ("FOR_PRODUCT",), "out")
        return (tenders | products | self._step(products, ("MADE_BY",), "out")
                | self._step(tenders, ("ISSUED_BY", "AWARDED_TO"), "out")
                | self._step(tenders, ("ROLE_IN",), "in"))

    def neighbours(self, node_ids: set[str], rel_types: Sequence[str],
                   direction: Literal["out", "in", "both"], *, active_on: date | None = None) -> set[str]:
        """Ids one relationship away from these (of these types, or any when empty); with
        ``active_on``, only along relationships whose ``since``/``until`` window holds that day
        (as ``kamgraph.analysis.graphs.is_active`` reads them)."""
        if active_on is None:
            return self._step(node_ids, rel_types, direction)
        return self._active_step(node_ids, rel_types, direction, active_on.isoformat())

    def closure(self, roots: set[str], rel_type: str) -> set[str]:
        """Roots and everything that is ``rel_type`` of them at any depth (``PART_OF``)."""
        return self._closure(roots, rel_type)

    def _closure(self, roots: set[str], rel_type: str) -> set[str]:
        """Roots and everything that is ``rel_type`` of them, any depth (cycles are safe)."""
        reached = frontier = set(roots)
        while frontier:
            frontier = self._step(frontier, (rel_type,), "in") - reached
            reached = reached | frontier
        return reached

    @abstractmethod
    def _step(self, node_ids: set[str], rel_types: Sequence[str],
              direction: Literal["out", "in", "both"]) -> set[str]:
        """Ids one relationship away (of these types, or any when empty) in a direction."""

    @abstractmethod
    def _active_step(self, node_ids: set[str], rel_types: Sequence[str],
                     direction: Literal["out", "in", "both"], day: str) -> set[str]:
        """``_step`` along relationships active on ``day`` (ISO text) only."""

    @abstractmethod
    def _induced(self, node_ids: set[str]) -> nx.MultiDiGraph:
        """The nodes with these ids and every relationship between two of them, as
        :func:`to_networkx` builds them: nodes in id order, edges in identity order. Backends
        read rows straight into :func:`graph_from_rows` (no model objects on the way)."""

    # -- users (not graph nodes: never in exports, counts, search or subgraphs) -----------
    @abstractmethod
    def add_user(self, user: User, token_hash: str) -> None:
        """Store a user with the hash of their token; ``ValidationFailed`` if the name is taken."""

    @abstractmethod
    def user_by_token_hash(self, token_hash: str) -> User | None:
        """The user holding this token hash, or ``None`` (also when the user is revoked)."""

    @abstractmethod
    def list_users(self) -> list[User]:
        """Every user, revoked ones too, ordered by name."""

    @abstractmethod
    def revoke_user(self, name: str) -> bool:
        """Revoke the user's token for good; ``False`` if there is no such user."""

    @abstractmethod
    def user_token_hashes(self) -> dict[str, str]:
        """Every user's token hash by name: for backups only (``kamgraph.backup``)."""

    # -- the audit log (``kamgraph.audit``: beside the graph, never changed) ------------------
    @abstractmethod
    def append_audit(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append entries made by ``kamgraph.audit.entry`` (reads; writes log their own)."""

    @abstractmethod
    def audit_entries(self, where: audit.AuditFilter, *, limit: int = 100, offset: int = 0
                      ) -> list[audit.AuditEntry]:
        """Entries matching ``where``, oldest first."""

    # -- lifetime ------------------------------------------------------------------------
    @abstractmethod
    def close(self) -> None:
        """Release connections; the store is unusable afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def patched(stored: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """Properties after an upsert of ``given`` over ``stored``: given ones overwrite, absent
    ones stay, a given ``None`` removes (as SQLite's ``json_patch`` and Cypher's ``+=``)."""
    result = dict(stored)
    for key, value in given.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def canonical(identity: Identity) -> Identity:
    """The stored form of an identity: a symmetric type (``KNOWS``) is kept with from < to, as
    ``kamgraph.model.parse_relationship`` writes it. ``ValueError`` for a type not in the model
    (so no other type ever reaches a query)."""
    rel_type, start, end, key = identity
    spec = REL_TYPES.get(rel_type)
    if spec is None:
        raise ValueError(f"unknown relationship type {rel_type!r}")
    if spec.symmetric and end < start:
        start, end = end, start
    return (rel_type, start, end, key)


def to_networkx(nodes: Iterable[Node], relationships: Iterable[Relationship]) -> nx.MultiDiGraph:
    """A MultiDiGraph: node attributes ``label``, ``name`` and properties; edge key
    ``TYPE`` (``ROLE_IN:role`` for tender roles) with attributes ``type`` and properties."""
    return graph_from_rows(
        ((node.id, {"label": node.label, "name": node.name, **node.props}) for node in nodes),
        ((rel.start, rel.end, edge_key(rel.type, rel.key), {"type": rel.type, **rel.props})
         for rel in relationships))


def edge_key(rel_type: str, key: str) -> str:
    """The networkx edge key of a relationship: its type, ``ROLE_IN:role`` for a tender role."""
    return f"{rel_type}:{key}" if key else rel_type


def graph_from_rows(nodes: Iterable[NodeRow], edges: Iterable[EdgeRow]) -> nx.MultiDiGraph:
    """The MultiDiGraph of :func:`to_networkx` from prepared rows, in their order.

    Edges between known nodes go straight into the adjacency dicts (what ``add_edge`` ends
    up doing, minus its per-edge argument handling): building the graph was a third of
    loading a subgraph. The attribute dicts become the graph's own.
    """
    with gc_paused():
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(nodes)
        succ, pred, new_keys = graph._succ, graph._pred, graph.edge_key_dict_factory
        for start, end, key, attributes in edges:
            if start not in succ or end not in succ:
                graph.add_edge(start, end, key, **attributes)  # adds the missing end, as networkx does
                continue
            keyed = succ[start].get(end)
            if keyed is None:
                keyed = succ[start][end] = pred[end][start] = new_keys()
            if key in keyed:
                keyed[key].update(attributes)
            else:
                keyed[key] = attributes
        return graph


class _GcPause:
    """No cyclic garbage collection while any thread is inside a block; back on (if it was
    on) when the last block ends. Building a graph allocates a few dicts per edge and no
    cycles, yet every few hundred allocations start a collection that walks the growing
    heap: a third of the time of loading a subgraph."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._resume = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._inside == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._inside += 1
        try:
            yield
        finally:
            with self._lock:
                self._inside -= 1
                if self._inside == 0 and self._resume:
                    gc.enable()


gc_paused = _GcPause()


BEYOND_A_PERSON = tuple(name for name in REL_TYPES if name not in ("HAD", "WITH"))
"""The types a person's subgraph goes along beyond the person's own relationships, both ways."""


@functools.cache
def person_kinds() -> frozenset[str]:
    """The kinds of touch that can change a person's subgraph at a node other than the person
    (every kind counts at the person: ``Basis.roots``).

    The walk steps from the person's neighbours along ``BEYOND_A_PERSON`` both ways (a new or
    gone relationship touches the neighbour by ``TYPE>`` or ``TYPE<``), along ``HAD`` in
    (``HAD<``) and ``WITH`` out (``WITH>``); a relationship between two members touches its
    end (``TYPE<``, or for ``WITH`` only the interaction, its start: ``WITH>``, and
    ``WITH>.props`` when only its properties change). Left out: ``HAD>`` at an account
    manager and ``WITH<`` at a person other than the root, so the interactions they log with
    others keep the picture of this person.
    """
    kinds = {kind for name in BEYOND_A_PERSON for kind in (at_start(name), at_end(name))}
    return frozenset(kinds | {at_end("HAD"), at_start("WITH"), at_start("WITH") + PROPERTIES_ONLY})


@functools.cache
def subgraph_types(kind: Literal["tender", "territory", "paths"]) -> frozenset[str]:
    """The kinds of touch (``TYPE>`` at a relationship's start, ``TYPE<`` at its end) by which a
    write can change a tender's (a territory's, a person's warm-path) subgraph.

    A subgraph of this kind can only hold nodes of the labels its walk reaches through the
    model's relationship endpoints (:class:`_LabelWalk` runs the very walk over labels). A
    write changes which nodes are reached only through a relationship the walk steps along,
    at the node it steps from: the walk's steps give those kinds (``TYPE>`` for a step out
    from a label that can start it, ``TYPE<`` for a step in). A write changes what is read
    about the members through a relationship between two members, which touches its end by
    ``TYPE<`` (a new one, a deleted one, changed properties alike): so ``TYPE<`` of every type
    joining two of the labels. For a tender: not the ``HAD``/``WITH`` of a logged interaction,
    nor ``COVERS``, ``LOCATED_IN`` or plans, and not ``RELATES_TO>``: an account manager's new
    relationship with someone outside leaves every subgraph the manager is in as it was.
    """
    walk = _LabelWalk()
    labels = {"tender": lambda: walk._tender_ids("Tender", 1),
              "territory": lambda: walk._territory_ids("Territory"),
              "paths": lambda: walk._paths_ids("Stakeholder", 4)}[kind]()
    return frozenset(walk.kinds | {at_end(name) for name, spec in REL_TYPES.items()
                                   if any(start in labels and end in labels
                                          for start, end in spec.endpoints)})


class _LabelWalk:
    """The subgraph walks of :class:`GraphStore` over labels instead of ids: a step goes to
    every label the model lets a relationship of the types reach, so the walk from a root's
    label gives every label a subgraph from such a root can ever hold; ``kinds`` collects the
    kind of touch each step goes along at the node it steps from."""

    _territory_ids = GraphStore._territory_ids
    _tender_ids = GraphStore._tender_ids
    _tender_parts = GraphStore._tender_parts
    _paths_ids = GraphStore._paths_ids
    _social_step = GraphStore._social_step
    _closure = GraphStore._closure

    def __init__(self) -> None:
        self.kinds: set[str] = set()

    def _step(self, labels: set[str], rel_types: Sequence[str],
              direction: Literal["out", "in", "both"]) -> set[str]:
        found: set[str] = set()
        for name in rel_types or REL_TYPES:
            for start, end in REL_TYPES[name].endpoints:
                if direction in ("out", "both") and start in labels:
                    found.add(end)
                    self.kinds.add(at_start(name))
                if direction in ("in", "both") and end in labels:
                    found.add(start)
                    self.kinds.add(at_end(name))
        return found & set(LABELS)
