"""The audit log on both stores (``kamgraph.audit``): every write with before and after, under
the user who made it, in the same transaction; reads of personal details through the web app;
filters; append-only; admins only; the CLI."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.deps import csrf_token
from api.main import create_app
from kamgraph import audit, users
from kamgraph.audit import AuditFilter
from kamgraph.errors import ValidationFailed
from kamgraph.model import Node
from kamgraph.settings import Settings
from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore
from tests.cli_helpers import Cli
from tests.store.test_contract import TERRITORY, person, rel

EVERYTHING = AuditFilter()


def log(store: GraphStore, **where: Any) -> list[tuple[str, str, str, Any, Any]]:
    """(actor, action, target, before, after) of the entries matching ``where``."""
    return [(e.actor, e.action, e.target, e.before, e.after)
            for e in store.audit_entries(AuditFilter(**where), limit=1000)]


def test_every_change_is_logged_with_before_and_after(store: GraphStore) -> None:
    with audit.acting("kate"):
        store.upsert([person("s-1", "Anna", stance="neutral")])
        store.upsert([person("s-1", "Anna", stance="champion")])
        store.upsert([person("s-1", "Anna", stance="champion")])  # changes nothing: no entry
        store.upsert([person("s-2", "Boris")], [rel("KNOWS", "s-1", "s-2", weight=0.4)])
        store.upsert([], [rel("KNOWS", "s-1", "s-2", weight=0.6)])
    store.delete_relationship(("KNOWS", "s-1", "s-2", ""))
    assert log(store) == [
        ("kate", "upsert_node", "s-1", None, {"name": "Anna", "stance": "neutral"}),
        ("kate", "upsert_node", "s-1", {"name": "Anna", "stance": "neutral"},
         {"name": "Anna", "stance": "champion"}),
        ("kate", "upsert_node", "s-2", None, {"name": "Boris"}),
        ("kate", "upsert_relationship", "KNOWS s-1->s-2", None, {"weight": 0.4}),
        ("kate", "upsert_relationship", "KNOWS s-1->s-2", {"weight": 0.4}, {"weight": 0.6}),
        ("system", "delete_relationship", "KNOWS s-1->s-2", {"weight": 0.6}, None),
    ]
    entries = store.audit_entries(EVERYTHING)
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + 6))
    assert {e.stakeholder for e in entries} == {"s-1", "s-2"}
    assert all(datetime.fromisoformat(e.at).tzinfo == UTC for e in entries)


def test_a_deleted_node_is_logged_with_what_went_with_it(store: GraphStore) -> None:
    store.upsert(*TERRITORY)
    first = len(store.audit_entries(EVERYTHING, limit=1000))
    with audit.acting("ada"):
        store.delete_node("s-b")
    gone = log(store)[first:]
    assert gone[0] == ("ada", "delete_node", "s-b", {"name": "Dr. Boris Lebedev", "category": "hcp"}, None)
    assert sorted(entry[2] for entry in gone[1:]) == [
        "INFLUENCES s-a->s-b", "KNOWS s-b->s-e", "RELATES_TO am-3->s-b", "WORKS_AT s-b->o-h1-cardio"]
    assert all(entry[1] == "delete_relationship" and entry[4] is None for entry in gone[1:])
    roles = log(store, stakeholder="s-a")
    evaluator = ("system", "upsert_relationship", "ROLE_IN s-a->t1#evaluator", None, {"role": "evaluator"})
    assert evaluator in roles


def test_a_failed_write_logs_nothing_and_a_large_one_logs_its_counts(
        store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.upsert([person("s-0", "Zoe")])
    with pytest.raises(ValidationFailed):  # s-0 is a person: the whole write rolls back
        store.upsert([person("s-1", "Anna"), Node("Organization", "s-0", "Zoe Clinic", {})])
    assert [e[2] for e in log(store)] == ["s-0"]
    from kamgraph.store import base

    monkeypatch.setattr(base, "SMALL_WRITE", 1)  # an "import" of three people and two ties
    store.upsert([person("s-1", "A"), person("s-2", "B"), person("s-3", "C")],
                 [rel("KNOWS", "s-1", "s-2"), rel("KNOWS", "s-2", "s-3")])
    assert log(store)[1:] == [("system", "bulk_write", "3 nodes, 2 relationships", None,
                               {"nodes": 3, "relationships": 2})]


def test_the_log_is_filtered_by_user_stakeholder_and_day(store: GraphStore) -> None:
    with audit.acting("kate"):
        store.upsert([person("s-1", "Anna")])
    with audit.acting("leo"):
        store.upsert([person("s-2", "Boris")])
        store.append_audit([audit.read_entry(person("s-1", "Anna", email="a@x.org"), ["email"])])
    assert [e[2] for e in log(store, actor="leo")] == ["s-2", "s-1"]
    assert [(e[0], e[1]) for e in log(store, stakeholder="s-1")] == [
        ("kate", "upsert_node"), ("leo", "read_sensitive")]
    today = datetime.now(UTC).date()
    assert len(log(store, since=today, until=today)) == 3
    assert log(store, until=today - timedelta(days=1)) == []
    assert log(store, since=today + timedelta(days=1)) == []
    assert len(store.audit_entries(EVERYTHING, limit=2, offset=1)) == 2


def test_the_embedded_log_cannot_be_changed_or_emptied(sqlite_store: SqliteStore) -> None:
    sqlite_store.upsert([person("s-1", "Anna")])
    db = sqlite3.connect(sqlite_store.path)
    for statement in ("DELETE FROM audit", "UPDATE audit SET actor = 'nobody'"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)
    db.close()
    assert [e.actor for e in sqlite_store.audit_entries(EVERYTHING)] == ["system"]


# -- through the web app and the CLI -----------------------------------------------------------
API = "/api/v1"


@pytest.fixture
def app(tmp_path: Path) -> tuple[TestClient, dict[str, dict[str, str]], SqliteStore]:
    path = tmp_path / "audited.db"
    store = SqliteStore(path)
    store.upsert(*TERRITORY)
    store.upsert([person("s-b", "Dr. Boris Lebedev", email="boris@example.org", phone="+7 900 000")])
    tokens = {"admin": users.create_user(store, "ada", "admin"),
              "kam": users.create_user(store, "kate", "kam", "am-1")}
    client = TestClient(create_app(Settings(db=f"sqlite:///{path}")))
    return client, {name: {"Authorization": f"Bearer {t}"} for name, t in tokens.items()}, store


def test_the_api_logs_writes_as_the_user_and_reads_of_personal_details(
        app: tuple[TestClient, dict[str, dict[str, str]], SqliteStore]) -> None:
    client, auth, _ = app
    with client:
        assert client.put(f"{API}/stakeholders/s-b/stage", headers=auth["kam"],
                          json={"stage": "trusted", "account_manager": "am-1"}).status_code == 200
        assert client.get(f"{API}/stakeholders/s-b", headers=auth["kam"]).status_code == 200
        assert client.get(f"{API}/stakeholders/s-b/profile", headers=auth["admin"]).status_code == 200
        assert client.get(f"{API}/stakeholders/s-a", headers=auth["kam"]).status_code == 200  # no details
        entries = client.get(f"{API}/audit", headers=auth["admin"], params={"stakeholder": "s-b"}).json()
        csv_text = client.get(f"{API}/audit", headers=auth["admin"],
                              params={"user": "kate", "format": "csv"})
        assert client.get(f"{API}/audit", headers=auth["kam"]).status_code == 403
        assert client.post(f"{API}/records", headers=auth["admin"], json={  # the store behind the view
            "nodes": [{"label": "Stakeholder", "id": "s-new", "name": "New"}]}).status_code == 200
        client.post("/signin", data={"token": tokens_of(auth)["kam"]})  # a page form, as kate
        staged = client.post("/stakeholders/s-b/stage", data={
            "stage": "advocate", "csrf_token": csrf_token(tokens_of(auth)["kam"])}, follow_redirects=False)
        assert staged.status_code == 303
        later = client.get(f"{API}/audit", headers=auth["admin"], params={"offset": 0, "limit": 1000}).json()
    assert ("ada", "s-new") in {(e["actor"], e["target"]) for e in later["items"]}
    assert ("kate", "RELATES_TO am-1->s-b", "advocate") in {
        (e["actor"], e["target"], (e["after"] or {}).get("stage")) for e in later["items"]}
    mine = [(e["actor"], e["action"], e["target"], e["after"]) for e in entries["items"]
            if e["actor"] in ("kate", "ada")]
    assert mine == [
        ("kate", "upsert_relationship", "RELATES_TO am-1->s-b",
         {"stage": "trusted", "since": date.today().isoformat()}),
        ("kate", "read_sensitive", "s-b", {"fields": ["email", "phone"]}),
        ("ada", "read_sensitive", "s-b", {"fields": ["email", "phone"]}),
    ]
    assert not entries["has_more"]
    assert csv_text.headers["content-type"].startswith("text/csv")
    lines = csv_text.text.splitlines()
    assert lines[0] == ",".join(audit.CSV_COLUMNS) and len(lines) == 3 and "RELATES_TO am-1->s-b" in lines[1]


def tokens_of(auth: dict[str, dict[str, str]]) -> dict[str, str]:
    return {name: header["Authorization"].removeprefix("Bearer ") for name, header in auth.items()}


def test_the_cli_lists_and_exports_the_log(sqlite_store: SqliteStore, tmp_path: Path) -> None:
    cli = Cli.of(sqlite_store)
    cli.json("import", str(write_people(tmp_path)))
    listed = cli.json("audit", "--stakeholder", "s-9")
    assert [(e["action"], e["after"]) for e in listed] == [
        ("upsert_node", {"name": "Nina", "email": "n@x.org"})]
    assert listed[0]["actor"].startswith("cli:")
    done = cli.json("audit", "--out", str(tmp_path / "log.csv"))
    assert done["entries"] == 1 and (tmp_path / "log.csv").read_text().count("\n") == 2
    code, _, err = cli.run("audit", "--since", "yesterday")
    assert code != 0 and "is not a date" in err


def write_people(folder: Path) -> Path:
    path = folder / "people.json"
    path.write_text('{"nodes": [{"label": "Stakeholder", "id": "s-9", "name": "Nina", '
                    '"email": "n@x.org"}], "relationships": []}')
    return path


def test_the_csv_export_keeps_formulas_inert(store: GraphStore) -> None:
    with audit.acting("=cmd|' /C calc'!A0"):
        store.upsert([Node("Organization", "o-1", "=HYPERLINK(1)", {})])
    rows = list(csv.reader(io.StringIO(audit.entries_csv(store.audit_entries(EVERYTHING)))))
    assert rows[0] == list(audit.CSV_COLUMNS)
    assert rows[1][2] == "'=cmd|' /C calc'!A0" and rows[1][3] == "upsert_node"
    assert json.loads(rows[1][8]) == {"name": "=HYPERLINK(1)"}
