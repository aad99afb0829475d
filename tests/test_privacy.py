"""Erasure and access requests on both stores (``kamgraph.privacy``): after erasure nothing —
no read, search, export, analysis, map or audit entry — gives the person's data; the access
export gives everything before."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kamgraph import audit, privacy, profile, services, users
from kamgraph.audit import AuditFilter
from kamgraph.errors import NotFound
from kamgraph.io import export_graph
from kamgraph.model import Node
from kamgraph.settings import Settings
from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore
from tests.cli_helpers import Cli
from tests.store.test_contract import TERRITORY, person, rel

DAY = date(2026, 6, 1)
# What only the erased person's records say: none of it may be found anywhere afterwards.
PERSONAL = ("Boris", "boris@example.org", "+7 900 111", "prefers Tuesdays", "asked about dosing",
            "win Boris over")


def with_boris(store: GraphStore) -> GraphStore:
    store.upsert(*TERRITORY)
    with audit.acting("kate"):
        store.upsert([person("s-b", "Dr. Boris Lebedev", category="hcp", email="boris@example.org",
                             phone="+7 900 111", notes="prefers Tuesdays"),
                      Node("Interaction", "ix-1", "2026-05-30 Dr. Boris Lebedev",
                           {"date": "2026-05-30", "channel": "visit", "summary": "asked about dosing"}),
                      Node("Plan", "p-1", "Boris plan", {"purpose": "win Boris over", "steps": ["call"]})],
                     [rel("HAD", "am-3", "ix-1"), rel("WITH", "ix-1", "s-b"), rel("PLANS", "am-3", "p-1"),
                      rel("TARGETS", "p-1", "s-b")])
        store.append_audit([audit.read_entry(store.get_node("s-b"), ["email"])])  # type: ignore[arg-type]
    return store


def everything_said(store: GraphStore, tmp_path: Path) -> str:
    """All a user could get: the export, search, the audit log, the analyses and maps."""
    export_graph(store, tmp_path / "all.json", "json")
    parts = [(tmp_path / "all.json").read_text(encoding="utf-8"),
             json.dumps([n.record() for n in store.search("Boris")]),
             json.dumps([e.as_dict() for e in store.audit_entries(AuditFilter(), limit=10_000)]),
             json.dumps(services.tender_influence(store, "t1", as_of=DAY)),
             json.dumps(services.coverage_report(store, "tr-region", as_of=DAY)),
             services.map_page(store, "t1", as_of=DAY), services.map_page(store, "s-a", as_of=DAY),
             json.dumps(profile.stakeholder_profile(store, "s-a", as_of=DAY))]
    return "\n".join(parts)


def test_the_access_export_holds_everything_about_the_person(store: GraphStore) -> None:
    found = privacy.subject_export(with_boris(store), "s-b")
    assert found["stakeholder"]["email"] == "boris@example.org"
    assert {(r["type"], r["from"], r["to"]) for r in found["relationships"]} >= {
        ("WITH", "ix-1", "s-b"), ("TARGETS", "p-1", "s-b"), ("RELATES_TO", "am-3", "s-b"),
        ("INFLUENCES", "s-a", "s-b")}
    assert [i["summary"] for i in found["interactions"]] == ["asked about dosing"]
    assert [p["purpose"] for p in found["plans"]] == ["win Boris over"]
    assert {(e["actor"], e["action"]) for e in found["audit"]} >= {("kate", "upsert_node"),
                                                                   ("kate", "read_sensitive")}


def test_after_erasure_nothing_gives_the_persons_data(store: GraphStore, tmp_path: Path) -> None:
    with_boris(store)
    before = everything_said(store, tmp_path)
    assert all(text in before for text in PERSONAL)  # the check below can fail
    with audit.acting("ada"):
        done = privacy.erase(store, "s-b")
    assert done["erased"] == "s-b" and done["interactions"] == 1 and done["plans"] == 1
    assert done["relationships"] == 6 and done["audit_entries_redacted"] >= 5
    after = everything_said(store, tmp_path)
    assert [text for text in PERSONAL if text in after] == []
    assert store.get_node("s-b") is None
    assert store.get_node("ix-1").name == "2026-05-30 (erased)"  # type: ignore[union-attr]
    assert store.get_node("ix-1").props == {"date": "2026-05-30", "channel": "visit"}  # type: ignore[union-attr]
    assert store.get_node("p-1").props == {}  # type: ignore[union-attr]
    tombstone = store.audit_entries(AuditFilter(actor="ada"))
    assert [(e.action, e.target, e.before, e.after) for e in tombstone][-1] == ("erase", "s-b", None, None)
    assert all(e.before is None and e.after is None for e in tombstone)
    with pytest.raises(NotFound):
        profile.stakeholder_profile(store, "s-b", as_of=DAY)
    with pytest.raises(NotFound):
        privacy.erase(store, "s-b")


def test_admins_only_erase_and_export_through_the_api(tmp_path: Path) -> None:
    path = tmp_path / "people.db"
    with SqliteStore(path) as store:
        with_boris(store)
        tokens = {"admin": users.create_user(store, "ada", "admin"),
                  "kam": users.create_user(store, "kate", "kam", "am-1")}
    auth = {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}
    with TestClient(create_app(Settings(db=f"sqlite:///{path}"))) as client:
        assert client.get("/api/v1/stakeholders/s-b/subject-export", headers=auth["kam"]).status_code == 403
        assert client.post("/api/v1/stakeholders/s-b/erase", headers=auth["kam"]).status_code == 403
        exported: dict[str, Any] = client.get("/api/v1/stakeholders/s-b/subject-export",
                                              headers=auth["admin"]).json()
        assert exported["stakeholder"]["notes"] == "prefers Tuesdays"
        erased = client.post("/api/v1/stakeholders/s-b/erase", headers=auth["admin"])
        assert erased.status_code == 200 and erased.json()["interactions"] == 1
        assert client.get("/api/v1/stakeholders/s-b", headers=auth["admin"]).status_code == 404
        assert client.post("/api/v1/stakeholders/s-b/erase", headers=auth["admin"]).status_code == 404
        log = client.get("/api/v1/audit", headers=auth["admin"], params={"stakeholder": "s-b"}).json()
    assert "Boris" not in json.dumps(log) and log["items"][-1]["action"] == "erase"
    assert log["items"][-1]["actor"] == "ada"


def test_the_cli_exports_then_erases(sqlite_store: SqliteStore, tmp_path: Path) -> None:
    with_boris(sqlite_store)
    cli = Cli.of(sqlite_store)
    code, _, _ = cli.run("subject-export", "s-b", "--out", str(tmp_path / "s-b.json"))
    assert code == 0
    assert json.loads((tmp_path / "s-b.json").read_text())["stakeholder"]["phone"] == "+7 900 111"
    assert cli.json("erase", "s-b", "--yes")["plans"] == 1
    code, _, err = cli.run("erase", "s-b", "--yes")
    assert code == 1 and "s-b" in err
