"""The analysis cache on both stores: an answer is served again until a write touches what it
read, then recomputed, and always equal to computing afresh (``kamgraph.cache``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kamgraph import profile, services, users
from kamgraph.cache import AnalysisCache, Basis, scope_key
from kamgraph.errors import NotFound
from kamgraph.model import Node
from kamgraph.scope import Scope, ScopedStore
from kamgraph.settings import Settings
from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore
from tests.store.test_contract import TERRITORY, person, rel

DAY = date(2026, 6, 1)


@pytest.fixture
def territory(store: GraphStore) -> GraphStore:
    """The contract suite's territory: tender t1 (committee s-a, s-d) in tr-region."""
    store.upsert(*TERRITORY)
    return store


def tender_t1(store: GraphStore, cache: AnalysisCache | None) -> dict[str, Any]:
    return services.tender_influence(store, "t1", as_of=DAY, cache=cache)


def coverage_region(store: GraphStore, cache: AnalysisCache | None) -> dict[str, Any]:
    return services.coverage_report(store, "tr-region", as_of=DAY, cache=cache)


def served(cache: AnalysisCache, ask: Callable[[], Any]) -> tuple[Any, str]:
    """The answer and whether the cache served it (``hit``) or computed it (``computed``)."""
    before = replace(cache.stats)
    answer = ask()
    return answer, "hit" if cache.stats.hits > before.hits else "computed"


def after_write(store: GraphStore, write: Callable[[], object],
                analysis: Callable[[GraphStore, AnalysisCache | None], dict[str, Any]]) -> str:
    """Warm the cache, write, ask again: how the answer came, checked equal to a fresh one."""
    cache = AnalysisCache()
    analysis(store, cache)
    assert served(cache, lambda: analysis(store, cache))[1] == "hit"
    write()
    answer, how = served(cache, lambda: analysis(store, cache))
    assert answer == analysis(store, None)  # never stale
    return how


def people(answer: dict[str, Any]) -> set[str]:
    return {item["id"] for item in answer["items"]}


def test_a_new_influencer_of_a_committee_member_is_seen(territory: GraphStore) -> None:
    def write() -> None:
        territory.upsert([person("s-new", "Newcomer")], [rel("INFLUENCES", "s-new", "s-d", weight=0.9)])

    assert after_write(territory, write, tender_t1) == "computed"
    assert "s-new" in people(tender_t1(territory, None))


def test_a_new_committee_member_is_seen(territory: GraphStore) -> None:
    def write() -> None:
        territory.upsert([], [rel("ROLE_IN", "s-e", "t1", role="evaluator")])

    assert after_write(territory, write, tender_t1) == "computed"
    assert "evaluator" in next(i for i in tender_t1(territory, None)["items"] if i["id"] == "s-e")["role"]


def test_a_changed_stance_is_seen(territory: GraphStore) -> None:
    before = tender_t1(territory, None)["support_balance"]

    def write() -> None:
        territory.upsert([person("s-d", "Dmitry Sokolov", stance="opponent")])

    assert after_write(territory, write, tender_t1) == "computed"
    assert tender_t1(territory, None)["support_balance"] < before


def test_a_deleted_person_is_seen(territory: GraphStore) -> None:
    assert after_write(territory, lambda: territory.delete_node("s-b"), tender_t1) == "computed"
    assert "s-b" not in people(tender_t1(territory, None))


def test_a_deleted_tender_is_not_found_any_more(territory: GraphStore) -> None:
    cache = AnalysisCache()
    tender_t1(territory, cache)
    territory.delete_node("t1")
    with pytest.raises(NotFound):
        tender_t1(territory, cache)


def test_a_new_organisation_in_the_territory_is_seen(territory: GraphStore) -> None:
    def write() -> None:
        territory.upsert([Node("Organization", "o-new", "New Clinic", {"type": "clinic"})],
                         [rel("LOCATED_IN", "o-new", "tr-c1")])

    assert after_write(territory, write, coverage_region) == "computed"

    def hire() -> None:  # the organisation is in the subgraph now: its new staff touch it
        territory.upsert([person("s-hired", "Hired", category="vip")],
                         [rel("WORKS_AT", "s-hired", "o-new", seniority="head")])

    assert after_write(territory, hire, coverage_region) == "computed"
    assert "s-hired" in {gap["id"] for gap in coverage_region(territory, None)["gaps"]}


def test_a_write_elsewhere_keeps_the_answers(territory: GraphStore) -> None:
    def write() -> None:  # the south: no one of t1's circle, nothing of tr-region
        territory.upsert([Node("Territory", "tr-other", "South Region", {"level": "district"}),
                          Node("Tender", "t2", "South antibiotics", {"status": "published"}),
                          Node("Product", "p-south", "Southcillin", {})],
                         [rel("FOR_PRODUCT", "t2", "p-south", lot="1")])

    assert after_write(territory, write, tender_t1) == "hit"
    assert after_write(territory, write, coverage_region) == "hit"


def test_a_logged_interaction_keeps_tender_and_path_answers(territory: GraphStore) -> None:
    logged: list[str] = []

    def log() -> None:  # an interaction is never in a tender's subgraph: HAD and WITH can't join it
        logged.append(f"ix-{len(logged)}")
        territory.upsert([Node("Interaction", logged[-1], "Visit", {"date": "2026-05-30"})],
                         [rel("HAD", "am-3", logged[-1]), rel("WITH", logged[-1], "s-b")])

    def paths_to_b(store: GraphStore, cache: AnalysisCache | None) -> dict[str, Any]:
        return services.warm_paths(store, "s-b", as_of=DAY, cache=cache)

    assert after_write(territory, log, tender_t1) == "hit"
    assert after_write(territory, log, coverage_region) == "hit"
    assert after_write(territory, log, paths_to_b) == "hit"  # nor in a person's path subgraph


def test_a_stage_change_is_seen_where_the_person_is_and_only_there(territory: GraphStore) -> None:
    territory.upsert([person("s-far", "Far Away")], [rel("RELATES_TO", "am-3", "s-far", stage="engaged")])

    def far() -> None:  # am-3 is in t1's subgraph, s-far is not: the relationship is not either
        territory.upsert([], [rel("RELATES_TO", "am-3", "s-far", stage="trusted")])

    def near() -> None:
        territory.upsert([], [rel("RELATES_TO", "am-3", "s-b", stage="advocate")])

    def new() -> None:  # no walk steps out of a manager along RELATES_TO: s-new stays outside
        territory.upsert([person("s-new", "New")], [rel("RELATES_TO", "am-3", "s-new", stage="engaged")])

    def new_inside() -> None:  # ...but its end is touched: s-d is on the committee
        territory.upsert([], [rel("RELATES_TO", "am-3", "s-d", stage="engaged")])

    assert after_write(territory, far, tender_t1) == "hit"
    assert after_write(territory, near, tender_t1) == "computed"
    assert after_write(territory, new, tender_t1) == "hit"
    assert territory.changed_since({"am-3"}, territory.graph_version() - 1) == {"am-3"}
    assert after_write(territory, new_inside, tender_t1) == "computed"
    assert after_write(territory, lambda: territory.upsert([], [rel("RELATES_TO", "am-1", "s-new")]),
                       coverage_region) == "hit"
    # The start's touch by "<type>.props" counts only when every kind is asked about.
    territory.upsert([], [rel("RELATES_TO", "am-3", "s-far", stage="acquainted")])
    version = territory.graph_version() - 1
    assert territory.changed_since({"am-3", "s-far"}, version, types={"RELATES_TO"}) == {"s-far"}
    assert territory.changed_since({"am-3", "s-far"}, version) == {"am-3", "s-far"}


def test_a_profile_shows_a_new_interaction_and_a_renamed_manager(territory: GraphStore) -> None:
    def profile_of_b(store: GraphStore, cache: AnalysisCache | None) -> dict[str, Any]:
        return profile.stakeholder_profile(store, "s-b", as_of=DAY, cache=cache)

    def log() -> None:
        territory.upsert([Node("Interaction", "ix-1", "Visit", {"date": "2026-05-30"})],
                         [rel("HAD", "am-3", "ix-1"), rel("WITH", "ix-1", "s-b")])

    def rename() -> None:  # two steps away: s-b <- WITH - ix-1 <- HAD - am-3
        territory.upsert([Node("AccountManager", "am-3", "Mia Renamed", {"role": "kam"})])

    assert after_write(territory, log, profile_of_b) == "computed"
    assert after_write(territory, rename, profile_of_b) == "computed"
    interactions = profile_of_b(territory, None)["interactions"]
    assert [(i["id"], i["account_manager"]["name"]) for i in interactions] == [("ix-1", "Mia Renamed")]
    assert after_write(territory, lambda: territory.upsert([person("s-alone", "Alone")]),
                       profile_of_b) == "hit"


def test_a_persons_picture_keeps_through_others_interactions_only(territory: GraphStore) -> None:
    """s-a's profile and map hold am-3 and s-b (s-a influences s-b; am-3 relates to s-b): an
    interaction am-3 logs with s-b is no part of s-a's picture, one with s-a is."""
    def profile_of_a(store: GraphStore, cache: AnalysisCache | None) -> dict[str, Any]:
        return profile.stakeholder_profile(store, "s-a", as_of=DAY, cache=cache)

    def map_of_a(store: GraphStore, cache: AnalysisCache | None) -> str:
        return services.map_page(store, "s-a", as_of=DAY, cache=cache)

    territory.upsert([], [rel("RELATES_TO", "am-3", "s-a", stage="engaged")])
    logged: list[str] = []

    def log(person_id: str) -> Callable[[], None]:
        def write() -> None:
            logged.append(f"ix-{len(logged)}")
            territory.upsert([Node("Interaction", logged[-1], "Visit", {"date": "2026-05-30"})],
                             [rel("HAD", "am-3", logged[-1]), rel("WITH", logged[-1], person_id)])
        return write

    for picture in (profile_of_a, map_of_a):
        assert after_write(territory, log("s-b"), picture) == "hit"  # type: ignore[arg-type]
        assert after_write(territory, log("s-a"), picture) == "computed"  # type: ignore[arg-type]
    # A changed interaction of s-a's and its new account manager are seen too.
    assert after_write(territory, lambda: territory.upsert(
        [Node("Interaction", "ix-1", "Visit", {"date": "2026-05-30", "outcome": "positive"})]),
        profile_of_a) == "computed"
    assert after_write(territory, lambda: territory.upsert([], [rel("HAD", "am-2", "ix-1")]),
                       profile_of_a) == "computed"
    assert after_write(territory, lambda: territory.upsert([], [rel("WITH", "ix-1", "s-e")]),
                       profile_of_a) == "computed"  # a new person at the meeting joins the map


def test_setting_the_same_stage_again_keeps_every_answer(territory: GraphStore) -> None:
    def again() -> None:
        territory.upsert([], [rel("RELATES_TO", "am-3", "s-b", stage="engaged")])

    assert after_write(territory, again, tender_t1) == "hit"
    assert after_write(territory, again, coverage_region) == "hit"


def test_a_new_node_tied_to_nothing_keeps_subgraph_answers_but_not_whole_graph_ones(
        territory: GraphStore) -> None:
    def plans(store: GraphStore, cache: AnalysisCache | None) -> dict[str, Any]:
        return services.plan_status(store, as_of=DAY, cache=cache)

    def write() -> None:
        territory.upsert([person("s-alone", "Alone")])

    assert after_write(territory, write, tender_t1) == "hit"
    assert after_write(territory, write, plans) == "computed"


def test_arguments_and_scopes_are_part_of_the_key(territory: GraphStore) -> None:
    cache = AnalysisCache()
    everything = tender_t1(territory, cache)
    assert served(cache, lambda: services.tender_influence(
        territory, "t1", as_of=date(2026, 6, 2), cache=cache))[1] == "computed"
    assert served(cache, lambda: services.tender_influence(
        territory, "t1", top=1, as_of=DAY, cache=cache))[0]["items"] == everything["items"][:1]
    narrow = ScopedStore(territory, Scope(False, frozenset({"t1", "s-a", "o-h1", "tr-c1"})))
    scoped, how = served(cache, lambda: tender_t1(narrow, cache))
    assert how == "computed" and people(scoped) == {"s-a"}
    same_view = ScopedStore(territory, Scope(False, frozenset({"tr-c1", "o-h1", "s-a", "t1"})))
    assert served(cache, lambda: tender_t1(same_view, cache)) == (scoped, "hit")
    assert scope_key(territory) == "everything" != scope_key(narrow) == scope_key(same_view)


def test_callers_get_their_own_copy(territory: GraphStore) -> None:
    cache = AnalysisCache()
    first = tender_t1(territory, cache)
    first["items"].clear()
    first["tender"]["name"] = "changed"
    again = tender_t1(territory, cache)
    assert again == tender_t1(territory, None) and again["items"]


def test_a_write_while_loading_is_caught_by_the_next_check(territory: GraphStore) -> None:
    cache = AnalysisCache()

    def compute() -> tuple[str, Basis]:
        answer = territory.get_node("s-a").name  # type: ignore[union-attr]
        territory.upsert([person("s-a", "Renamed while loading")])  # commits after the version read
        return answer, Basis({"s-a"})

    assert cache.answer(territory, "name", ("s-a",), compute) == "Dr. Anna Orlova"
    recomputed = cache.answer(territory, "name", ("s-a",), lambda: ("fresh", Basis({"s-a"})))
    assert recomputed == "fresh"


def test_least_recently_used_answers_go_first(territory: GraphStore) -> None:
    cache = AnalysisCache(max_entries=2)
    for name in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" comes
        cache.answer(territory, name, (), lambda: ({"n": 1}, Basis({"s-a"})))
    assert len(cache) == 2 and cache.stats.evicted == 1
    assert served(cache, lambda: cache.answer(territory, "a", (), lambda: ({}, Basis(None))))[1] == "hit"
    assert served(cache, lambda: cache.answer(territory, "b", (), lambda: ({}, Basis(None))))[1] == (
        "computed")


def test_answers_beyond_the_byte_budget_are_not_kept(territory: GraphStore) -> None:
    cache = AnalysisCache(max_bytes=1000)
    cache.answer(territory, "big", (), lambda: ("x" * 2000, Basis(None)))
    cache.answer(territory, "small", (), lambda: ("x" * 100, Basis({"s-a"})))
    assert len(cache) == 1


def test_one_computation_for_callers_asking_at_once(territory: GraphStore) -> None:
    cache = AnalysisCache()
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow() -> tuple[dict[str, int], Basis]:
        calls.append(1)
        started.set()
        release.wait(10)
        return {"answer": 42}, Basis({"s-a"})

    answers: list[Any] = []
    first = threading.Thread(target=lambda: answers.append(cache.answer(territory, "slow", (), slow)))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: answers.append(cache.answer(territory, "slow", (), slow)))
    second.start()
    release.set()
    first.join(10)
    second.join(10)
    assert answers == [{"answer": 42}, {"answer": 42}] and len(calls) == 1
    assert (cache.stats.misses, cache.stats.hits) == (1, 1)


def test_at_most_max_computing_at_once_while_cached_answers_are_served(territory: GraphStore) -> None:
    cache = AnalysisCache(max_computing=2)
    cache.answer(territory, "kept", (), lambda: ({"kept": True}, Basis({"s-a"})))
    release = threading.Event()
    running: list[str] = []
    most = [0]
    lock = threading.Lock()

    def slow(name: str) -> tuple[dict[str, str], Basis]:
        with lock:
            running.append(name)
            most[0] = max(most[0], len(running))
        release.wait(10)
        with lock:
            running.remove(name)
        return {"name": name}, Basis({"s-a"})

    threads = [threading.Thread(target=lambda n=n: cache.answer(territory, n, (), lambda: slow(n)))
               for n in ("a", "b", "c", "d")]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(running) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # the other two would have started by now, were they let in
    assert len(running) == 2
    assert served(cache, lambda: cache.answer(territory, "kept", (), lambda: ({}, Basis(None)))) == (
        {"kept": True}, "hit")
    release.set()
    for thread in threads:
        thread.join(10)
    assert most[0] == 2 and cache.stats.misses == 5


# -- the web API: one cache per app, scopes kept until a write touches them -------------------
API = "/api/v1"


@pytest.fixture
def app_on_territory(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The API on the contract territory, with an admin and the KAM ``am-1`` (covers tr-d1)."""
    path = tmp_path / "territory.db"
    with SqliteStore(path) as store:
        store.upsert(*TERRITORY)
        tokens = {"admin": users.create_user(store, "admin", "admin", None),
                  "kam": users.create_user(store, "kate", "kam", "am-1")}
    with TestClient(create_app(Settings(db=f"sqlite:///{path}"))) as client:
        yield client, {name: f"Bearer {token}" for name, token in tokens.items()}


def test_the_api_serves_again_until_a_write_touches_the_answer(
        app_on_territory: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = app_on_territory
    cache: AnalysisCache = client.app.state.cache  # type: ignore[attr-defined]
    influence = f"{API}/tenders/t1/influence"
    first = client.get(influence, headers={"Authorization": auth["admin"]}).json()
    assert client.get(influence, headers={"Authorization": auth["admin"]}).json() == first
    assert (cache.stats.misses, cache.stats.hits) == (1, 1)
    changed = client.put(f"{API}/stakeholders/s-d/stage", headers={"Authorization": auth["admin"]},
                         json={"stage": "trusted", "account_manager": "am-1"})
    assert changed.status_code == 200
    after = client.get(influence, headers={"Authorization": auth["admin"]}).json()
    assert (cache.stats.misses, cache.stats.stale) == (2, 1)
    assert next(i for i in after["items"] if i["id"] == "s-d")["covered"] is True


def test_a_kams_scope_follows_a_new_territory(app_on_territory: tuple[TestClient, dict[str, str]]
                                              ) -> None:
    client, auth = app_on_territory
    kam = {"Authorization": auth["kam"]}
    assert client.get(f"{API}/nodes/t2", headers=kam).status_code == 404
    assert client.get(f"{API}/nodes/t1", headers=kam).status_code == 200
    store: GraphStore = client.app.state.store  # type: ignore[attr-defined]
    store.upsert([Node("Tender", "t9", "Elsewhere", {})])  # touches nothing the KAM sees
    assert client.get(f"{API}/nodes/t2", headers=kam).status_code == 404
    store.upsert([], [rel("COVERS", "am-1", "tr-other")])  # touches the KAM's own node
    assert client.get(f"{API}/nodes/t2", headers=kam).status_code == 200


def test_a_kams_scope_follows_the_dates_of_a_cover(app_on_territory: tuple[TestClient, dict[str, str]]
                                                   ) -> None:
    """Changing only a relationship's properties touches its start by ``<type>.props``: the
    scope, which reads ``since``/``until``, still sees a cover end and start again."""
    client, auth = app_on_territory
    kam = {"Authorization": auth["kam"]}
    store: GraphStore = client.app.state.store  # type: ignore[attr-defined]
    store.upsert([], [rel("COVERS", "am-1", "tr-other", since="2020-01-01")])
    assert client.get(f"{API}/nodes/t2", headers=kam).status_code == 200
    store.upsert([], [rel("COVERS", "am-1", "tr-other", until="2021-01-01")])  # ended
    assert client.get(f"{API}/nodes/t2", headers=kam).status_code == 404
    store.upsert([], [rel("COVERS", "am-1", "tr-other", until="2999-01-01")])  # running again
    assert client.get(f"{API}/nodes/t2", headers=kam).status_code == 200
