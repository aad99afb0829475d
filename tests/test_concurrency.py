"""Many users at once, on both stores, through the real app on 127.0.0.1: 20 clients each log
50 interactions with the same person and move our relationship with them through its stages
with a version check. Exactly 1,000 interactions are stored, ``last_contact`` is the latest
day logged, and no update is lost: in the audit log, every change of the relationship starts
from what the change before it left (``kamgraph.activity``: writes under the manager's lock;
a stage change that saw an older stage gets 409 and tries again)."""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from kamgraph import users
from kamgraph.audit import AuditFilter
from kamgraph.io import import_path
from kamgraph.settings import Settings
from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore
from tests.browser.live import serve
from tests.conftest import NEO4J_PASSWORD
from tests.store.test_contract import TERRITORY

CLIENTS = 20
INTERACTIONS = 50
STAGE_CHANGES = 3  # successful ones per client
CYCLE = ("acquainted", "engaged", "trusted", "advocate")
DEADLINE_S = 240  # the whole run stops by itself


@pytest.fixture
def served(store: GraphStore) -> Iterator[tuple[str, str, GraphStore]]:
    """The app in a uvicorn thread on a free loopback port, over the test store."""
    store.upsert(*TERRITORY)
    token = users.create_user(store, "ada", "admin")
    settings = (Settings(db=store.url) if isinstance(store, SqliteStore)
                else Settings(db=store.url, neo4j_password=NEO4J_PASSWORD))
    with serve(settings) as url:
        yield url, token, store


def client_work(base: str, token: str, number: int, stop: float) -> dict[str, Any]:
    rng = random.Random(number)
    days: list[date] = []
    moved = conflicts = 0
    with httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"},
                      timeout=60) as client:
        for n in range(INTERACTIONS):
            day = date.today() - timedelta(days=rng.randrange(0, 400))
            answer = client.post("/stakeholders/s-b/interactions", json={
                "date": day.isoformat(), "channel": "call", "summary": f"client {number} call {n}",
                "account_manager": "am-1"})
            assert answer.status_code == 201, answer.text
            days.append(day)
            if n % (INTERACTIONS // STAGE_CHANGES) == 0 and moved < STAGE_CHANGES:
                moved, conflicts = _move_once(client, moved, conflicts, stop)
        while moved < STAGE_CHANGES and time.monotonic() < stop:
            moved, conflicts = _move_once(client, moved, conflicts, stop)
    return {"days": days, "moved": moved, "conflicts": conflicts}


def _move_once(client: httpx.Client, moved: int, conflicts: int, stop: float) -> tuple[int, int]:
    """One stage change on from the stage read just before, tried again after a 409."""
    while time.monotonic() < stop:
        seen = _stage(client)
        following = CYCLE[(CYCLE.index(seen) + 1) % len(CYCLE)] if seen in CYCLE else CYCLE[0]
        answer = client.put("/stakeholders/s-b/stage", json={
            "stage": following, "account_manager": "am-1", "expected_stage": seen})
        if answer.status_code == 200:
            return moved + 1, conflicts
        assert answer.status_code == 409, answer.text
        conflicts += 1
    return moved, conflicts


def _stage(client: httpx.Client) -> str:
    relationships = client.get("/stakeholders/s-b").json()["relationships"]
    found = [r for r in relationships if r["type"] == "RELATES_TO" and r["from"] == "am-1"]
    return str(found[0].get("stage", "unknown")) if found else "none"


def test_twenty_clients_lose_nothing(served: tuple[str, str, GraphStore]) -> None:
    base, token, store = served
    stop = time.monotonic() + DEADLINE_S
    results: list[dict[str, Any]] = []
    failures: list[BaseException] = []

    def run(number: int) -> None:
        try:
            results.append(client_work(base, token, number, stop))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE_S + 30)
    assert not failures, failures[0]
    assert len(results) == CLIENTS

    logged = [n for n in store.iter_nodes("Interaction")
              if str(n.props.get("summary", "")).startswith("client ")]
    assert len(logged) == CLIENTS * INTERACTIONS == 1000
    relates = {r.start: r for r in store.relationships_of("s-b", rel_type="RELATES_TO")}["am-1"]
    assert relates.props["last_contact"] == max(d for r in results for d in r["days"]).isoformat()
    moved = sum(r["moved"] for r in results)
    assert moved == CLIENTS * STAGE_CHANGES

    # No lost update: each change of the relationship starts from what the one before left.
    changes = [e for e in store.audit_entries(AuditFilter(stakeholder="s-b"), limit=100_000)
               if e.target == "RELATES_TO am-1->s-b"]
    for before, after in itertools.pairwise(changes):
        assert after.before == before.after, (before, after)
    stage_moves = [e for e in changes if e.before is not None and e.after is not None
                   and e.before.get("stage") != e.after.get("stage")]
    assert len(stage_moves) == moved
    assert changes[-1].after == relates.props


def test_two_imports_at_once_are_never_interleaved(store: GraphStore, tmp_path: Path) -> None:
    """Two files set the same 300 people, one to champion and one to opponent, imported at
    once: each import is one transaction, so every person ends with the same file's stance."""
    for name, stance in (("a", "champion"), ("b", "opponent")):
        (tmp_path / f"{name}.json").write_text(json.dumps({"nodes": [
            {"label": "Stakeholder", "id": f"s-{n:03d}", "name": f"Person {n}", "stance": stance}
            for n in range(300)], "relationships": [
            {"type": "KNOWS", "from": f"s-{n:03d}", "to": f"s-{n + 1:03d}", "weight": 0.5}
            for n in range(299)]}))
    failures: list[BaseException] = []

    def run(name: str) -> None:
        try:
            import_path(store, tmp_path / f"{name}.json")
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures[0]
    stances = {n.props["stance"] for n in store.iter_nodes("Stakeholder")}
    assert len(stances) == 1 and store.counts().labels["Stakeholder"] == 300
    assert store.counts().types["KNOWS"] == 299
