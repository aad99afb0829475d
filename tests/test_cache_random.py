"""Never stale, at random: on both stores, a small demo market takes random writes of every
kind (new, changed and deleted relationships of every type, changed and deleted nodes, logged
interactions), and after each one every cached question is asked again through the cache and
afresh: the answers must be equal. The cache must also serve some of them (``kamgraph.cache``
argues why each kind of touch it ignores cannot change an answer; this is the check)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from kamgraph import activity, profile, services
from kamgraph.cache import AnalysisCache
from kamgraph.demo import MIN_SCALE, demo_records
from kamgraph.io.importer import RawRecord, Where, import_records
from kamgraph.model import REL_TYPES, STAGES, TENDER_ROLES, Node, Relationship, parse_relationship
from kamgraph.store.base import GraphStore

DAY = date(2026, 11, 28)
Question = Callable[[GraphStore, AnalysisCache | None], Any]
# Properties a new relationship of a type gets (the key, or values the analyses read).
PROPS: dict[str, Callable[[random.Random], dict[str, Any]]] = {
    "INFLUENCES": lambda rng: {"weight": round(rng.uniform(0.1, 1.0), 2)},
    "KNOWS": lambda rng: {"weight": round(rng.uniform(0.1, 1.0), 2)},
    "ROLE_IN": lambda rng: {"role": rng.choice(TENDER_ROLES)},
    "RELATES_TO": lambda rng: {"stage": rng.choice(STAGES)},
    "ALIGNED_WITH": lambda rng: {"strength": round(rng.uniform(0.1, 1.0), 2)},
    "WORKS_AT": lambda rng: {"seniority": rng.choice(["head", "senior", "staff"])},
}


@pytest.fixture
def market(store: GraphStore) -> GraphStore:
    records = demo_records(MIN_SCALE, seed=7, today=DAY)
    import_records(store, (RawRecord("node" if "label" in r else "relationship", r,
                                     Where("demo", "generated")) for r in records))
    return store


def questions(store: GraphStore) -> list[tuple[str, Question]]:
    """Two tenders, two territories and three people, each with its questions."""
    def most_tied(label: str, n: int) -> list[str]:
        ids = [node.id for node in store.list_nodes(label, limit=1000)]
        return sorted(ids, key=lambda i: (-len(store.relationships_of(i)), i))[:n]

    found: list[tuple[str, Question]] = []
    for tender in most_tied("Tender", 2):
        found.append((f"tender {tender}", lambda s, c, t=tender: services.tender_influence(
            s, t, as_of=DAY, cache=c)))
        found.append((f"map {tender}", lambda s, c, t=tender: services.map_page(s, t, as_of=DAY, cache=c)))
    for territory in most_tied("Territory", 2):
        found.append((f"coverage {territory}", lambda s, c, t=territory: services.coverage_report(
            s, t, as_of=DAY, cache=c)))
    for person in most_tied("Stakeholder", 3):
        found.append((f"paths {person}", lambda s, c, p=person: services.warm_paths(
            s, p, as_of=DAY, cache=c)))
        found.append((f"profile {person}", lambda s, c, p=person: profile.stakeholder_profile(
            s, p, as_of=DAY, cache=c)))
        found.append((f"map {person}", lambda s, c, p=person: services.map_page(s, p, as_of=DAY, cache=c)))
        found.append((f"path map {person}", lambda s, c, p=person: services.map_page(
            s, p, warm_paths_to=True, as_of=DAY, cache=c)))
    return found


def random_write(store: GraphStore, rng: random.Random, step: int) -> str:
    """One random write; what it was."""
    labels: dict[str, list[str]] = {}

    def pick(label: str) -> str:
        if label not in labels:
            labels[label] = [node.id for node in store.list_nodes(label, limit=1000)]
        return rng.choice(labels[label])

    what = rng.choice(["new", "new", "change", "change", "delete", "node", "interaction", "delete node"])
    if what == "new":
        rel_type = rng.choice(sorted(REL_TYPES))
        start_label, end_label = rng.choice(sorted(REL_TYPES[rel_type].endpoints))
        start, end = pick(start_label), pick(end_label)
        raw = {"type": rel_type, "from": start, "to": end, **PROPS.get(rel_type, lambda _: {})(rng)}
        rel, problems = parse_relationship(raw, Where("random", str(step)))
        if rel is None:  # a relationship from a node to itself
            return f"nothing ({problems[0].reason})"
        store.upsert([], [rel])
        return f"new {rel.type} {rel.start} -> {rel.end}"
    if what in ("change", "delete"):
        rels = store.relationships_of(pick(rng.choice(["Stakeholder", "Stakeholder", "Tender",
                                                       "AccountManager"])))
        if not rels:
            return "nothing"
        rel = rng.choice(rels)
        if what == "delete":
            store.delete_relationship(rel.identity)
            return f"deleted {rel.type} {rel.start} -> {rel.end}"
        changed = {"until": "2026-01-01"} if rng.random() < 0.3 else PROPS.get(rel.type, lambda _: {
            "since": "2025-05-05"})(rng)
        if rel.type == "ROLE_IN":
            changed = {"until": "2026-01-01"}
        store.upsert([], [Relationship(rel.type, rel.start, rel.end, {**rel.props, **changed})])
        return f"changed {rel.type} {rel.start} -> {rel.end}: {changed}"
    if what == "node":
        person = store.get_node(pick("Stakeholder"))
        assert person is not None
        stance = rng.choice(["champion", "opponent", "neutral"])
        store.upsert([Node("Stakeholder", person.id, person.name, {**person.props, "stance": stance})])
        return f"stance of {person.id}: {stance}"
    if what == "interaction":
        manager, person_id = pick("AccountManager"), pick("Stakeholder")
        activity.log_interaction(store, manager, person_id, day=DAY, channel="visit")
        return f"interaction {manager} with {person_id}"
    victim = pick(rng.choice(["Stakeholder", "Interaction", "Organization"]))
    store.delete_node(victim)
    return f"deleted node {victim}"


def test_cached_answers_are_never_stale(market: GraphStore) -> None:
    rng = random.Random(2026)
    cache = AnalysisCache()
    asked = questions(market)
    missing: set[str] = set()

    def answer(name: str, ask: Question, store_cache: AnalysisCache | None) -> Any:
        try:
            return ask(market, store_cache)
        except services.NotFound:  # a deleted subject is gone for both
            missing.add(name)
            return "not found"

    for name, ask in asked:
        answer(name, ask, cache)
    steps = 20 if market.url.startswith("bolt") else 40
    for step in range(steps):
        what = random_write(market, rng, step)
        for name, ask in asked:
            assert answer(name, ask, cache) == answer(name, ask, None), f"{name} after {what}"
    assert cache.stats.hits > steps * len(asked) // 4, cache.stats  # the cache did serve
    assert cache.stats.stale > steps // 4, cache.stats  # ...and writes did make answers stale
