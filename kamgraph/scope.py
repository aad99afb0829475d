"""Who may see and change what: a user's scope, and a store that shows only it.

Roles (``kamgraph.users.ROLES``):

- **admin** sees and changes everything.
- **kam** sees the territories their ``AccountManager`` node ``COVERS`` today, with every
  sub-territory, and what is in them: the organisations located there (with their
  sub-organisations), the people working there, the tenders those organisations issue and
  the people holding roles in them (a committee member from elsewhere included); plus the
  people they ``RELATES_TO`` whatever their territory. Jobs, relationships and roles count
  while active (``since``/``until`` hold today): someone who left the hospital is out of
  sight, as is someone the team stopped working with.
- **regional_manager** sees what each KAM who ``REPORTS_TO`` them today sees, and what
  their own ``COVERS`` and ``RELATES_TO`` give.

Around that core the scope holds what a KAM needs to read it: the organisations those
people work at or are aligned with, the issuers and awardees of those tenders, the
interactions with those people and the plans that target them. Products, events and
account managers (our own team) are visible to every signed-in user.

Out-of-scope nodes do not exist for the user: reading them answers "not found" (404),
changing them is :class:`~kamgraph.errors.Forbidden` (403). Analyses and maps run on the
visible part of the graph only (:class:`ScopedStore` restricts every subgraph), so no
score, share or path carries anything from outside — a KAM's figures can differ from an
admin's for the same tender. Sensitive properties (``notes``, ``email``, ``phone``) can only
be seen on stakeholders in scope, because the others are never returned at all.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from kamgraph import audit
from kamgraph.analysis.graphs import is_active
from kamgraph.errors import Forbidden
from kamgraph.model import Node, Relationship
from kamgraph.store.base import Counts, GraphStore, WriteTransaction

if TYPE_CHECKING:
    from kamgraph.users import User

__all__ = ["OPEN_LABELS", "REFERENCE_LABELS", "Scope", "ScopedStore", "covered_territories", "scope_of",
           "team_of"]

OPEN_LABELS = frozenset({"Product", "Event", "AccountManager"})
"""Labels every signed-in user sees: the catalogue, public events and our own team."""

REFERENCE_LABELS = frozenset({"Territory", "AccountManager"})
"""Labels only an admin creates or changes: the territory tree and the team."""

SEARCH_WIDENING = 20
"""A scoped search first asks the store for this many times the results (then four times more
each round, until enough are visible or the matches run out)."""


@dataclass(frozen=True, slots=True)
class Scope:
    """What one user may see: ``everything`` (admin), or the ids in ``ids`` plus every node
    of :data:`OPEN_LABELS`. ``territories`` are the ones the user works in (for pages)."""

    everything: bool
    ids: frozenset[str] = frozenset()
    territories: frozenset[str] = frozenset()
    writable: frozenset[str] = frozenset()
    """The ids the user may change: their territories and what is in them, their people and
    those people's interactions and plans — not the organisations seen only around them."""

    def sees(self, node: Node | None) -> bool:
        """Whether the user may see this node (``None`` is never seen)."""
        return node is not None and self.sees_labelled(node.id, node.label)

    def sees_labelled(self, node_id: str, label: str | None) -> bool:
        return self.everything or label in OPEN_LABELS or node_id in self.ids

    def visible_graph(self, graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
        """The part of a subgraph the user may see (the graph itself for an admin)."""
        if self.everything:
            return graph
        keep = [n for n, label in graph.nodes(data="label") if self.sees_labelled(n, label)]
        return graph.subgraph(keep).copy()


EVERYTHING = Scope(everything=True)


def scope_of(store: GraphStore, user: User, *, as_of: date | None = None) -> Scope:
    """The scope of a user on ``as_of`` (default today): see the module doc for the rules."""
    if user.role == "admin":
        return EVERYTHING
    day = as_of or date.today()
    team = team_of(store, user, day)
    territories = store.closure(covered_territories(store, team, day), "PART_OF")
    core, around = _visible_ids(store, territories, team, day)
    return Scope(False, frozenset(core | around), frozenset(territories), frozenset(core))


def team_of(store: GraphStore, user: User, day: date) -> set[str]:
    """The account managers a user acts for: their own, and for a regional manager everyone
    reporting to them on ``day``, directly or through others."""
    team = {user.account_manager} if user.account_manager else set()
    if user.role == "regional_manager":
        team |= _reports(store, team, day)
    return team


def covered_territories(store: GraphStore, team: set[str], day: date) -> set[str]:
    """The territories these account managers ``COVERS`` on ``day`` (sub-territories not added)."""
    return {r.end for am in team for r in store.relationships_of(am, rel_type="COVERS")
            if r.start == am and is_active(r.props, day)}


def _reports(store: GraphStore, managers: set[str], day: date) -> set[str]:
    """Account managers reporting to these, directly or through others, on ``day``."""
    reached, frontier = set(managers), set(managers)
    while frontier:
        found = {r.start for m in frontier for r in store.relationships_of(m, rel_type="REPORTS_TO")
                 if r.end == m and is_active(r.props, day)}
        frontier = found - reached
        reached |= frontier
    return reached - managers


def _visible_ids(store: GraphStore, territories: set[str], team: set[str], day: date
                 ) -> tuple[set[str], set[str]]:
    """The scope's core (what the user may change) and what is only seen around it. People
    come in by a job, a relationship with the team or a committee seat active on ``day``: who
    left a hospital, or whom the team stopped working with, is out of sight."""
    organizations = store.closure(store.neighbours(territories, ("LOCATED_IN",), "in"), "PART_OF")
    tenders = store.neighbours(organizations, ("ISSUED_BY",), "in")
    people = (store.neighbours(organizations, ("WORKS_AT",), "in", active_on=day)
              | store.neighbours(team, ("RELATES_TO",), "out", active_on=day)
              | store.neighbours(tenders, ("ROLE_IN",), "in", active_on=day))
    records = store.neighbours(people, ("WITH", "TARGETS"), "in")
    around = (store.neighbours(people, ("WORKS_AT", "ALIGNED_WITH"), "out")
              | store.neighbours(tenders, ("ISSUED_BY", "AWARDED_TO"), "out"))
    core = territories | organizations | people | tenders | records
    return core, around - core


class ScopedStore(GraphStore):
    """A read view of a store through a user's scope; writes go to the store after
    :meth:`check_write`. Invisible nodes are absent from every read: ``get_node`` gives
    ``None``, lists and searches skip them, relationships and subgraphs lose them."""

    def __init__(self, store: GraphStore, scope: Scope, *, actor: str | None = None) -> None:
        self.inner = store
        self.scope = scope
        self.url = store.url
        self.actor = actor
        """Whom writes through this view are logged for (``kamgraph.audit``)."""

    # -- writing: the caller checks first ------------------------------------------------
    def check_write(self, node_ids: Iterable[str], *, labels: Iterable[str] = ()) -> None:
        """:class:`Forbidden` unless the user may change these nodes: existing ones must be in
        the scope's core (``Scope.writable``: not reference data, not an organisation seen
        only around it, not a shared product or event); new ones may be created unless of a
        reference label (admins only)."""
        if self.scope.everything:
            return
        if reserved := sorted(set(labels) & REFERENCE_LABELS):
            raise Forbidden(f"only an admin can change {', '.join(reserved)} nodes")
        existing = self.inner.node_labels(node_ids)
        for node_id in sorted(existing):
            if problem := self._unwritable(node_id, existing[node_id]):
                raise Forbidden(problem)

    def _unwritable(self, node_id: str, label: str) -> str | None:
        """Why the user may not change this existing node, or ``None``."""
        if label in REFERENCE_LABELS:
            return f"only an admin can change {label} nodes ({node_id!r})"
        if node_id in self.scope.writable:
            return None
        if self.scope.sees_labelled(node_id, label):
            return (f"{node_id!r} is shared: you can see it but only an admin can change it "
                    "(it lies outside your territories)")
        return f"{node_id!r} is outside your territories"

    def check_link(self, start: str, end: str, *, symmetric: bool = False) -> None:
        """:class:`Forbidden` unless the user may write a relationship between these ends: the
        start must be theirs to change (or new), the end visible (or new); a symmetric one may
        be anchored at either end. So no write can pull anything outside into their scope
        (a ``LOCATED_IN`` or ``PART_OF`` must start at their own or a new organisation)."""
        if self.scope.everything:
            return
        existing = self.inner.node_labels([start, end])

        def problem(first: str, second: str) -> str | None:
            if first in existing and (reason := self._unwritable(first, existing[first])):
                return reason
            if second in existing and not self.scope.sees_labelled(second, existing[second]):
                return f"{second!r} is outside your territories"
            return None

        reason = problem(start, end)
        if reason and not (symmetric and problem(end, start) is None):
            raise Forbidden(reason)

    @contextmanager
    def transaction(self) -> Iterator[WriteTransaction]:
        with self._acting(), self.inner.transaction() as tx:
            yield tx

    def write(self, work: Callable[[WriteTransaction], Any]) -> Any:
        with self._acting():
            return self.inner.write(work)

    def _acting(self) -> AbstractContextManager[None]:
        return audit.acting(self.actor) if self.actor else nullcontext()

    # -- reading -------------------------------------------------------------------------
    def snapshot(self) -> AbstractContextManager[None]:
        return self.inner.snapshot()

    def get_node(self, node_id: str) -> Node | None:
        node = self.inner.get_node(node_id)
        return node if self.scope.sees(node) else None

    def node_labels(self, node_ids: Iterable[str]) -> dict[str, str]:
        found = self.inner.node_labels(node_ids)
        return {i: label for i, label in found.items() if self.scope.sees_labelled(i, label)}

    def list_nodes(self, label: str | None = None, *, where: Mapping[str, Any] | None = None,
                   limit: int = 50, offset: int = 0) -> list[Node]:
        if self.scope.everything or (label in OPEN_LABELS):
            return self.inner.list_nodes(label, where=where, limit=limit, offset=offset)
        visible = (n for n in self._scoped_nodes(label) if _matches(n, where))
        return list(_window(visible, offset, limit))

    def _scoped_nodes(self, label: str | None) -> Iterator[Node]:
        """Visible nodes ordered by id: the scope's ids, then (no label) the open labels."""
        ids = sorted(self.scope.ids)
        for start in range(0, len(ids), 500):
            found = self.inner.node_labels(ids[start:start + 500])
            for node_id in ids[start:start + 500]:
                if node_id in found and (label is None or found[node_id] == label):
                    yield from filter(None, [self.inner.get_node(node_id)])
        if label is None:
            for open_label in sorted(OPEN_LABELS):
                yield from self.inner.iter_nodes(open_label)

    def search(self, text: str, *, label: str | None = None, limit: int = 20) -> list[Node]:
        if self.scope.everything:
            return self.inner.search(text, label=label, limit=limit)
        # Ask for more until enough visible matches are found or the matches run out.
        ask = limit * SEARCH_WIDENING
        while True:
            found = self.inner.search(text, label=label, limit=ask)
            visible = [n for n in found if self.scope.sees(n)]
            if len(visible) >= limit or len(found) < ask:
                return visible[:limit]
            ask *= 4

    def relationships_of(self, node_id: str, *, rel_type: str | None = None) -> list[Relationship]:
        if self.get_node(node_id) is None:
            return []
        found = self.inner.relationships_of(node_id, rel_type=rel_type)
        labels = self.inner.node_labels({i for r in found for i in (r.start, r.end)})
        return [r for r in found if all(self.scope.sees_labelled(i, labels.get(i))
                                         for i in (r.start, r.end))]

    def counts(self) -> Counts:
        return self.inner.counts() if self.scope.everything else _counted(self.whole_graph())

    def iter_nodes(self, label: str | None = None, *, batch_size: int = 5000) -> Iterator[Node]:
        return (n for n in self.inner.iter_nodes(label, batch_size=batch_size) if self.scope.sees(n))

    def iter_relationships(self, *, batch_size: int = 5000) -> Iterator[Relationship]:
        if self.scope.everything:
            return self.inner.iter_relationships(batch_size=batch_size)
        graph = self.whole_graph()
        return (r for r in self.inner.iter_relationships(batch_size=batch_size)
                if r.start in graph and r.end in graph)

    def graph_version(self) -> int:
        return self.inner.graph_version()

    def changed_since(self, node_ids: Iterable[str], version: int, *,
                      types: Collection[str] | None = None) -> set[str]:
        return self.inner.changed_since(node_ids, version, types=types)

    # -- subgraphs: the base class walks the graph through ``_step``, which only ever steps
    # onto visible nodes, so a subgraph never reaches anything through an invisible one.
    def whole_graph(self) -> nx.MultiDiGraph:
        return self.scope.visible_graph(self.inner.whole_graph())

    def _step(self, node_ids: set[str], rel_types: Sequence[str],
              direction: Literal["out", "in", "both"]) -> set[str]:
        found = self.inner.neighbours(node_ids, rel_types, direction)
        return found if self.scope.everything else set(self.node_labels(found))

    def _active_step(self, node_ids: set[str], rel_types: Sequence[str],
                     direction: Literal["out", "in", "both"], day: str) -> set[str]:
        found = self.inner.neighbours(node_ids, rel_types, direction, active_on=date.fromisoformat(day))
        return found if self.scope.everything else set(self.node_labels(found))

    def _induced(self, node_ids: set[str]) -> nx.MultiDiGraph:
        visible = node_ids if self.scope.everything else set(self.node_labels(node_ids))
        return self.inner._induced(visible)

    # -- users and lifetime belong to the store -------------------------------------------
    def add_user(self, user: User, token_hash: str) -> None:
        raise Forbidden("users are managed with `kamgraph user`")

    def user_by_token_hash(self, token_hash: str) -> User | None:
        return self.inner.user_by_token_hash(token_hash)

    def list_users(self) -> list[User]:
        raise Forbidden("users are managed with `kamgraph user`")

    def revoke_user(self, name: str) -> bool:
        raise Forbidden("users are managed with `kamgraph user`")

    def user_token_hashes(self) -> dict[str, str]:
        raise Forbidden("users are managed with `kamgraph user`")

    # -- the audit log: reads of personal details are logged as the user ------------------
    def append_audit(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.inner.append_audit(rows)

    def audit_entries(self, where: audit.AuditFilter, *, limit: int = 100, offset: int = 0
                      ) -> list[audit.AuditEntry]:
        if not self.scope.everything:
            raise Forbidden("only an admin can read the audit log")
        return self.inner.audit_entries(where, limit=limit, offset=offset)

    def log_person_read(self, node_id: str) -> None:
        """Log that the user was shown this node (a profile, a page), if it has personal details."""
        if (node := self.get_node(node_id)) is not None:
            self.log_sensitive_reads([node])

    def log_sensitive_reads(self, nodes: Iterable[Node]) -> None:
        """Log, as the user, each node of these whose sensitive properties they are shown."""
        with self._acting():
            rows = [audit.read_entry(n, fields) for n in nodes if (fields := audit.sensitive_fields(n))]
        if rows:
            self.inner.append_audit(rows)
    def close(self) -> None:
        """The scoped view owns nothing; the app closes the store itself."""


def _matches(node: Node, where: Mapping[str, Any] | None) -> bool:
    return not where or all((node.name if k == "name" else node.props.get(k)) == v
                            for k, v in where.items())


def _window(items: Iterable[Node], offset: int, limit: int) -> Iterator[Node]:
    for index, item in enumerate(items):
        if index >= offset + limit:
            return
        if index >= offset:
            yield item


def _counted(graph: nx.MultiDiGraph) -> Counts:
    counts = Counts()
    for _, label in graph.nodes(data="label"):
        counts.labels[label] = counts.labels.get(label, 0) + 1
    for _, _, rel_type in graph.edges(data="type"):
        counts.types[rel_type] = counts.types.get(rel_type, 0) + 1
    return counts
