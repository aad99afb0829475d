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
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar

import networkx as nx

from kamgraph.model import REL_TYPES, Node, Relationship

if TYPE_CHECKING:
    from kamgraph.users import User

__all__ = ["Counts", "GraphStore", "Identity", "WriteTransaction", "canonical", "to_networkx"]

T = TypeVar("T")

Identity = tuple[str, str, str, str]
"""A relationship's identity: (type, from, to, key) with key the ``ROLE_IN`` role, else ``""``."""

# Person-to-person ties followed outward from a tender's committee.
PERSON_TIES = ("INFLUENCES", "KNOWS", "REPORTS_TO")


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


class WriteTransaction(ABC):
    """Writes inside one transaction; nothing is visible to others until it commits."""

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
        """Reads inside the block see one consistent state (backends that can, do)."""
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

    # -- subgraphs -----------------------------------------------------------------------
    def whole_graph(self) -> nx.MultiDiGraph:
        """The whole graph with all properties."""
        return to_networkx(self.iter_nodes(), self.iter_relationships())

    def territory_subgraph(self, territory_id: str) -> nx.MultiDiGraph:
        """A territory with its sub-territories and all that is in them (see module doc)."""
        return self._induced(self._territory_ids(territory_id))

    def neighbourhood(self, node_id: str, hops: int = 1) -> nx.MultiDiGraph:
        """Every node within ``hops`` steps of ``node_id``, either direction."""
        return self._induced(self._neighbourhood_ids(node_id, hops))

    def tender_subgraph(self, tender_id: str, hops: int = 2) -> nx.MultiDiGraph:
        """A tender, its committee and the people within ``hops`` ties of it (module doc)."""
        return self._induced(self._tender_ids(tender_id, hops))

    def _induced(self, node_ids: set[str]) -> nx.MultiDiGraph:
        nodes, relationships = self._induced_parts(node_ids)
        return to_networkx(nodes, relationships)

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

    def _tender_parts(self, tenders: set[str]) -> set[str]:
        """Tenders with their issuers, awardees, products (and makers) and role holders."""
        products = self._step(tenders, ("FOR_PRODUCT",), "out")
        return (tenders | products | self._step(products, ("MADE_BY",), "out")
                | self._step(tenders, ("ISSUED_BY", "AWARDED_TO"), "out")
                | self._step(tenders, ("ROLE_IN",), "in"))

    def neighbours(self, node_ids: set[str], rel_types: Sequence[str],
                   direction: Literal["out", "in", "both"]) -> set[str]:
        """Ids one relationship away from these (of these types, or any when empty)."""
        return self._step(node_ids, rel_types, direction)

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
    def _induced_parts(self, node_ids: set[str]) -> tuple[list[Node], list[Relationship]]:
        """The nodes with these ids and every relationship between two of them."""

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

    # -- lifetime ------------------------------------------------------------------------
    @abstractmethod
    def close(self) -> None:
        """Release connections; the store is unusable afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
    graph = nx.MultiDiGraph()
    for node in nodes:
        graph.add_node(node.id, label=node.label, name=node.name, **node.props)
    for rel in relationships:
        key = f"{rel.type}:{rel.key}" if rel.key else rel.type
        graph.add_edge(rel.start, rel.end, key=key, type=rel.type, **rel.props)
    return graph
