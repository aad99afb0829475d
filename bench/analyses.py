"""The analyses a KAM asks for, timed through ``kamgraph.services`` on a store, cold and warm.

- **cold**: a fresh store object (a new SQLite connection or Neo4j driver), a new empty
  analysis cache (``kamgraph.cache.AnalysisCache``, as the API keeps one) and every cache the
  library keeps in a module emptied, then one call; opening the store is not timed;
- **warm**: the same call again on the same open store object and the same analysis cache,
  right after the first cold call, so whatever the store or the services keep between calls
  is used.

The operating system's file cache stays warm in both: "cold" is the application's state.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from bench.stats import repeat, timed
from kamgraph import services
from kamgraph.store.base import GraphStore

__all__ = ["CACHE_MODULES", "Question", "cache_stats", "clear_caches", "cold_and_warm", "new_cache",
           "questions"]

CACHE_MODULES = ("kamgraph.services", "kamgraph.store.base", "kamgraph.store.sqlite",
                 "kamgraph.store.neo4j", "kamgraph.analysis.graphs", "kamgraph.cache")
"""Where a cache kept by the library (not by a store object) may live."""


@dataclass(frozen=True, slots=True)
class Question:
    """One analysis asked of a store: ``name`` is the row id's first part."""

    name: str
    what: str
    ask: Callable[[GraphStore, Any], dict[str, Any]]
    """``ask(store, cache)``: the service call, with the analysis cache when there is one."""


def questions(tender: str, territory: str, person: str, as_of: date) -> list[Question]:
    """Tender influence, territory coverage, warm paths (k=3, 4 hops) and whole-graph rank."""
    return [
        Question("tender", "tender influence, one tender",
                 lambda s, c: _with(services.tender_influence, c)(s, tender, top=10, as_of=as_of)),
        Question("coverage", "territory coverage, largest region",
                 lambda s, c: _with(services.coverage_report, c)(s, territory, as_of=as_of)),
        Question("paths", "warm paths to a person (k=3, 4 hops)",
                 lambda s, c: _with(services.warm_paths, c)(s, person, k=3, as_of=as_of)),
        Question("rank", "influence rank, whole graph",
                 lambda s, c: _with(services.rank, c)(s, top=20, as_of=as_of)),
    ]


def new_cache() -> Any | None:
    """A new, empty analysis cache, or ``None`` where the library has none."""
    try:
        from kamgraph.cache import AnalysisCache
    except ImportError:
        return None
    return AnalysisCache()


def cache_stats(cache: Any | None) -> dict[str, int]:
    """The cache's counters (hits, misses, stale, evicted), or nothing without a cache."""
    stats = getattr(cache, "stats", None)
    return asdict(stats) if stats is not None else {}


def _with(service: Callable[..., dict[str, Any]], cache: Any | None) -> Callable[..., dict[str, Any]]:
    """The service call, given the cache when it takes one."""
    if cache is None or "cache" not in inspect.signature(service).parameters:
        return service
    return functools.partial(service, cache=cache)


def clear_caches() -> list[str]:
    """Empty the caches the library keeps at module level (``*cache*`` objects with
    ``clear()`` or ``cache_clear()``); returns their names, for the report."""
    cleared = []
    for module_name in CACHE_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name, value in vars(module).items():
            if "cache" not in name.lower() or isinstance(value, type):
                continue
            for method in ("cache_clear", "clear"):
                if callable(getattr(value, method, None)):
                    getattr(value, method)()
                    cleared.append(f"{module_name}.{name}")
                    break
    return cleared


def cold_and_warm(open_store: Callable[[], GraphStore], question: Question, runs: int, budget: float
                  ) -> tuple[list[float], list[float], dict[str, Any], dict[str, int]]:
    """Seconds of cold calls and of warm calls (``runs`` each, ``budget`` seconds each), the
    answer, and the warm cache's counters. The first cold call also opens the store and the
    cache the warm calls repeat on, so a question slower than its budget costs two calls."""
    clear_caches()
    store, cache = open_store(), new_cache()
    try:
        first, answer = timed(lambda: question.ask(store, cache))
        warm = repeat(lambda: float(timed(lambda: question.ask(store, cache))[0]), runs, budget)
    finally:
        store.close()
    more = []
    if first < budget:
        more = repeat(lambda: _cold_call(open_store, question), runs - 1, budget - first)
    return [float(first), *more], warm, answer, cache_stats(cache)


def _cold_call(open_store: Callable[[], GraphStore], question: Question) -> float:
    clear_caches()
    store = open_store()
    try:
        return float(timed(lambda: question.ask(store, new_cache()))[0])
    finally:
        store.close()
