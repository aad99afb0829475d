"""Analysis answers kept per graph version, each invalidated exactly by the writes that touch it.

An :class:`AnalysisCache` keeps the answers of ``kamgraph.services`` keyed by the analysis, its
arguments (``as_of`` and the configuration included) and the caller's scope ("everything", or
a digest of the ids the user may see). An entry holds the answer, the ids of the subgraph it
was computed on, the relationship types whose writes can change such a subgraph (its
:class:`Basis`) and the graph version read **before** that subgraph was loaded. It is served
again while ``store.changed_since(ids, version, types=types)`` is empty, and recomputed
otherwise; the answers of analyses over the whole graph (no ids) are served while the graph
version has not moved at all.

Why an entry whose ids nobody touched is still the right answer
----------------------------------------------------------------
Every write records, per node and kind of touch, the version that touched it
(``GraphStore.changed_since``): upserting a node touches it; upserting or deleting a
relationship touches both its ends, by the relationship's type; deleting a node touches it
(the id stays recorded) and all its former neighbours. Changing only the properties of an
existing relationship touches its end, and its start only by the kind ``<type>.props``, which
no subgraph's types hold (:func:`kamgraph.store.base.relationship_touches` argues why: such a
relationship matters to a subgraph only when both its ends are in it). A row that changes
nothing of what is stored touches nothing; a write touching more than ``MASS_WRITE`` nodes touches every node.

Every subgraph an analysis runs on is made the same way: start at the root ids (the
tender, the territory, the person), step along relationships of fixed types and directions
from nodes already reached, any number of times; then take every relationship between two
reached nodes. Which nodes are reached depends on relationships only (never on properties,
and a node keeps its label for life). So:

- a write changes which nodes are reached only by adding or removing a relationship that a
  step goes along, and a step goes out *from a reached node*: that end is touched. A new node
  joins only through a new relationship to a reached node; a node leaves only when a
  relationship between it and a reached node goes, or when it is deleted (touched itself);
- a write changes what the analysis reads about the reached nodes only by changing their
  properties (touches them) or the relationships among them (touches both ends);
- a write elsewhere touches only nodes outside: the entry stays valid;
- a relationship whose type cannot join two labels a subgraph of that kind can hold (the
  walk run over labels, ``kamgraph.store.base.subgraph_types``) never has both ends in it and
  is never stepped along (that would bring in a node of a label it cannot hold): touches by
  such types are left out. A logged interaction's ``HAD`` and ``WITH`` thus keep every tender
  and territory answer (an interaction is never in those subgraphs).

Hence: no id of the subgraph touched after the version means the subgraph now is the one
the answer was computed on. For instance (``tests/test_cache.py`` checks each): a new
``INFLUENCES`` from an outsider to a committee member touches the member; a new committee
member's ``ROLE_IN`` touches the tender; a changed stance touches the person; a deleted
person touches themselves and everyone they were tied to; a new organisation
``LOCATED_IN`` a territory touches the territory.

The version is read before loading, so a write that commits while the subgraph loads has a
higher version and is caught by the next check if it touched the subgraph (at worst one
needless recomputation). Neo4j reads committed data, so one load may see part of a write:
the walk then differs from the walk before the write only where it stepped from a node that
write touched, which is in the loaded ids, so the entry is recomputed on the next request.

The scope is part of the key: a write that changes what a user may see changes the scope's
ids and so the key. Answers are kept pickled and every caller gets its own copy, so nobody
can change a cached answer (measured in ``docs/store.md``); HTML pages (``str``) and rendered
answers (``bytes``, the web API's JSON: ``api.answers``) are kept as they are.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from typing import Any, Protocol

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.scope import Scope, ScopedStore
from kamgraph.store.base import GraphStore

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_COMPUTING", "DEFAULT_MAX_ENTRIES", "AnalysisCache",
           "Answers", "Basis", "CacheStats", "Computed"]

DEFAULT_MAX_ENTRIES = 1024
DEFAULT_MAX_COMPUTING = 2
"""Computations run at once; more callers with missing answers wait their turn. Analyses are
CPU-bound Python (one core between them under the GIL): running more at once only makes each
slower and holds more subgraphs in memory, while cached answers are served without waiting."""
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
"""Budget of answers (pickled size) plus their id sets, kept under by dropping the least
recently used entries."""

ID_BYTES = 80
"""What one subgraph id costs an entry (the string and its set slot), for the budget."""



@dataclass(frozen=True, slots=True)
class Basis:
    """What an answer was computed from, to check it later: the ids of its subgraph (``None``:
    the whole graph, so any write invalidates it), the relationship types (or kinds of touch)
    whose writes can change that subgraph (``None``: every kind;
    ``kamgraph.store.base.subgraph_types``) and its ``roots``, where every kind counts (a
    person's subgraph takes every relationship of the person, then only some further on)."""

    ids: Collection[str] | None
    types: frozenset[str] | None = None
    roots: frozenset[str] = frozenset()


Computed = tuple[Any, Basis]
"""What a computation gives the cache: the answer and its :class:`Basis`."""

Key = tuple[Hashable, ...]


@dataclass(slots=True)
class CacheStats:
    """Counters since the cache was made (the benchmark and the health page report them)."""

    hits: int = 0
    misses: int = 0
    stale: int = 0
    """Entries found but no longer valid (a write touched them)."""
    evicted: int = 0


@dataclass(slots=True)
class _Entry:
    answer: Any  # pickled bytes, or the answer itself when it is a str or bytes (as_is)
    as_is: bool
    ids: frozenset[str] | None
    types: frozenset[str] | None
    roots: frozenset[str]
    version: int
    size: int


class _Flight:
    """One computation in progress: callers asking for the same key wait for it."""

    def __init__(self) -> None:
        self.done = threading.Event()


class Answers(Protocol):
    """What ``kamgraph.services`` asks of a cache: :class:`AnalysisCache`, or a view of one that
    keeps answers rendered (``api.answers.JsonAnswers``; the services then return its bytes)."""

    def answer(self, store: GraphStore, analysis: str, arguments: tuple[Hashable, ...],
               compute: Callable[[], Computed], *, config: AnalysisConfig = DEFAULT) -> Any: ...


class AnalysisCache:
    """Answers of analyses, valid while no write touches what they read (module doc).

    Thread-safe: the API computes in a thread pool. Two callers asking for the same missing
    answer compute it once; the second waits and then checks the first one's entry as a hit.
    At most ``max_computing`` answers are computed at once (:data:`DEFAULT_MAX_COMPUTING`).
    """

    def __init__(self, *, max_entries: int = DEFAULT_MAX_ENTRIES,
                 max_bytes: int = DEFAULT_MAX_BYTES,
                 max_computing: int = DEFAULT_MAX_COMPUTING) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._computing = threading.BoundedSemaphore(max_computing)
        self.stats = CacheStats()
        self._entries: OrderedDict[Key, _Entry] = OrderedDict()
        self._bytes = 0
        self._flights: dict[Key, _Flight] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def answer(self, store: GraphStore, analysis: str, arguments: tuple[Hashable, ...],
               compute: Callable[[], Computed], *, config: AnalysisConfig = DEFAULT) -> Any:
        """The answer of ``analysis`` with these arguments: a copy of the cached one while it is
        valid, else ``compute()`` (which loads its subgraph and runs the analysis)."""
        key = (store.url, analysis, arguments, _config_key(config), scope_key(store))
        found = self._valid_entry(store, key)
        if found is not None:
            return _handed_out(found)
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = _Flight()
        assert flight is not None
        if not leader:
            flight.done.wait()
            found = self._valid_entry(store, key)
            if found is not None:
                return _handed_out(found)
        try:
            return self._compute(store, key, compute)
        finally:
            if leader:
                with self._lock:
                    del self._flights[key]
                flight.done.set()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _valid_entry(self, store: GraphStore, key: Key) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is None:
            return None
        now = store.graph_version()
        if now != entry.version:
            if entry.ids is None or store.changed_since(entry.ids, entry.version, types=entry.types) or (
                    entry.roots and store.changed_since(entry.roots, entry.version)):
                self._drop(key, entry)
                return None
            entry.version = now  # nothing of it changed up to now: later checks look less far
        with self._lock:
            self.stats.hits += 1
        return entry

    def _compute(self, store: GraphStore, key: Key, compute: Callable[[], Computed]) -> Any:
        with self._computing:
            version = store.graph_version()  # before loading: later writes are caught (module doc)
            answer, basis = compute()
        as_is = isinstance(answer, str | bytes)
        kept = answer if as_is else pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        ids = None if basis.ids is None else frozenset(basis.ids)
        entry = _Entry(kept, as_is, ids, basis.types, basis.roots, version,
                       len(kept) + ID_BYTES * len(ids or ()))
        with self._lock:
            self.stats.misses += 1
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            if entry.size <= self.max_bytes:
                self._entries[key] = entry
                self._bytes += entry.size
                self._evict()
        return answer

    def _drop(self, key: Key, entry: _Entry) -> None:
        with self._lock:
            self.stats.stale += 1
            if self._entries.get(key) is entry:
                del self._entries[key]
                self._bytes -= entry.size

    def _evict(self) -> None:
        """Drop least recently used entries until within both bounds (lock held)."""
        while self._entries and (len(self._entries) > self.max_entries
                                 or self._bytes > self.max_bytes):
            _, entry = self._entries.popitem(last=False)
            self._bytes -= entry.size
            self.stats.evicted += 1


def scope_key(store: GraphStore) -> str:
    """Whose view an answer was computed in: ``everything``, or a digest of the scope's ids."""
    if isinstance(store, ScopedStore) and not store.scope.everything:
        return _scope_digest(store.scope)
    return "everything"


@functools.lru_cache(maxsize=64)
def _scope_digest(scope: Scope) -> str:
    # A scope's frozensets keep their hash, so finding a scope seen before costs nothing.
    digest = hashlib.sha256()
    for node_id in sorted(scope.ids):
        digest.update(node_id.encode())
        digest.update(b"\0")
    return f"scope:{digest.hexdigest()}"


def _config_key(config: AnalysisConfig) -> str:
    return "default" if config == DEFAULT else repr(config)


def _handed_out(entry: _Entry) -> Any:
    """A caller's own copy of a cached answer (a page or a rendered answer, being immutable, is
    shared)."""
    return entry.answer if entry.as_is else pickle.loads(entry.answer)
