"""The analyses over HTTP give what ``kamgraph.services`` gives (the CLI's ``--json``), scoped
to the caller: out-of-scope ids are 404 and a KAM's figures never mention anything outside.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.models import analyses as models
from kamgraph import model, services, users
from kamgraph.analysis import influence
from kamgraph.io.importer import RawRecord, Where, import_records
from kamgraph.model import Node, Relationship
from kamgraph.scope import Scope, ScopedStore, scope_of
from kamgraph.settings import Settings
from kamgraph.store.sqlite import SqliteStore
from tests.api.conftest import DemoApp

API = "/api/v1"
TENDER = "t-000005"  # in evaluation: its committee is in a quiet period
TERRITORY = "tr-000003"  # covered by the KAM am-000002
OUTSIDE_TENDER = "t-000003"  # issued outside the KAM's territories
OUTSIDE_TERRITORY = "tr-000010"  # their COVERS of it has ended
OUTSIDE_PERSON = "s-000122"


def as_json(result: Any) -> Any:
    """What the CLI's --json prints, read back."""
    return json.loads(json.dumps(result))


def user_store(app: DemoApp, name: str) -> ScopedStore:
    """The store as the user ``name`` of the demo app sees it."""
    store = app.store
    user = users.authenticate(store, app.tokens[name])
    assert user is not None
    return ScopedStore(store, scope_of(store, user))


def get(app: DemoApp, user: str, path: str, **params: Any) -> Any:
    response = app.client.get(API + path, params=params, headers=app.auth(user))
    assert response.status_code == 200, response.text
    return response.json()


# -- the same JSON as the library ----------------------------------------------------------

# (route, query, the services call that must give the same dict)
SAME_AS_SERVICES = [
    ("/tenders/t-000005/influence", {"top": 5},
     lambda s: services.tender_influence(s, TENDER, top=5)),
    ("/tenders/t-000005/influence", {"as_of": "2026-01-15"},
     lambda s: services.tender_influence(s, TENDER, top=10, as_of=date.fromisoformat("2026-01-15"))),
    ("/tenders/t-000005/next-best", {"k": 4, "include_quiet": True},
     lambda s: services.next_best(s, TENDER, k=4, include_quiet=True)),
    ("/stakeholders/s-000024/warm-paths", {"source": "am-000002", "k": 2},
     lambda s: services.warm_paths(s, "s-000024", source_id="am-000002", k=2)),
    ("/stakeholders/s-000004/warm-paths", {},
     lambda s: services.warm_paths(s, "s-000004")),
    ("/territories/tr-000003/coverage", {"compare": "2026-06-01", "stale_days": 30, "top": 7},
     lambda s: services.coverage_report(s, TERRITORY, compare=date.fromisoformat("2026-06-01"), stale_days=30,
                                        top=7)),
    ("/rank", {"territory": TERRITORY, "metric": "betweenness", "top": 8},
     lambda s: services.rank(s, territory_id=TERRITORY, metric="betweenness", top=8)),
    ("/rank", {"organization": "o-000006", "metric": "decision"},
     lambda s: services.rank(s, organization_id="o-000006", metric="decision", top=20)),
    ("/rank", {}, lambda s: services.rank(s, top=20)),
    ("/factions", {"territory": TERRITORY}, lambda s: services.factions(s, territory_id=TERRITORY)),
    ("/brokers", {"top": 6}, lambda s: services.brokers(s, top=6)),
    ("/what-if", {"person": "s-000002", "tender": TENDER, "top": 4},
     lambda s: services.what_if(s, "s-000002", tender_id=TENDER, top=4)),
    ("/what-if", {"person": "s-000002", "territory": TERRITORY, "top": 4},
     lambda s: services.what_if(s, "s-000002", territory_id=TERRITORY, top=4)),
    ("/plans", {"at_risk_only": True}, lambda s: services.plan_status(s, at_risk_only=True)),
]


@pytest.mark.parametrize(("path", "params", "call"), SAME_AS_SERVICES,
                         ids=[f"{path}?{params}" for path, params, _ in SAME_AS_SERVICES])
def test_admin_gets_what_the_library_gives(demo_app: DemoApp, path: str, params: dict[str, Any],
                                           call: Any) -> None:
    expected = as_json(call(demo_app.store))
    assert get(demo_app, "admin", path, **params) == expected
    assert expected != {} and expected != {"items": []}


@pytest.mark.parametrize(("path", "params", "call"), [SAME_AS_SERVICES[i] for i in (0, 5, 9, 13)],
                         ids=["tender", "coverage", "factions", "plans"])
def test_kam_gets_what_the_library_gives_on_their_scoped_store(
        demo_app: DemoApp, path: str, params: dict[str, Any], call: Any) -> None:
    assert get(demo_app, "kam", path, **params) == as_json(call(user_store(demo_app, "kam")))


def test_tender_influence_known_values(demo_app: DemoApp) -> None:
    """The demo tender of docs/analyses.md, as the admin sees it."""
    result = get(demo_app, "admin", f"/tenders/{TENDER}/influence", top=5)
    assert result["tender"]["status"] == "evaluation" and result["tender"]["quiet_period"] is True
    assert [item["id"] for item in result["items"]] == [
        "s-000002", "s-000004", "s-000001", "s-000007", "s-000006"]
    assert result["items"][0]["relationship"]["account_manager"] == "am-000002"
    assert all(item["flags"][:1] == ["quiet_period"] for item in result["items"])
    assert result["support_balance"] == pytest.approx(0.098, abs=0.0005)
    assert isinstance(result["tender"]["value"], int)  # a stored whole number stays whole


# -- exact values on a small hand-built graph ----------------------------------------------

SMALL = [
    {"label": "Territory", "id": "r", "name": "Region", "level": "region"},
    {"label": "Organization", "id": "h", "name": "Hospital", "type": "hospital"},
    {"label": "Tender", "id": "t", "name": "Insulin 2026", "status": "published"},
    {"label": "Stakeholder", "id": "d", "name": "Dr D", "stance": "champion"},
    {"label": "Stakeholder", "id": "x", "name": "Dr X", "stance": "opponent"},
    {"label": "AccountManager", "id": "kam", "name": "Anna", "role": "kam"},
    *({"label": "Stakeholder", "id": p, "name": p.upper()} for p in "abc"),
    {"type": "LOCATED_IN", "from": "h", "to": "r"},
    {"type": "ISSUED_BY", "from": "t", "to": "h"},
    {"type": "WORKS_AT", "from": "d", "to": "h", "seniority": "executive"},
    {"type": "WORKS_AT", "from": "x", "to": "h", "seniority": "staff"},
    {"type": "ROLE_IN", "from": "d", "to": "t", "role": "approver"},
    {"type": "INFLUENCES", "from": "x", "to": "d", "weight": 1.0},
    {"type": "RELATES_TO", "from": "kam", "to": "d", "stage": "engaged"},
    {"type": "KNOWS", "from": "a", "to": "b", "weight": 1.0},
    {"type": "KNOWS", "from": "b", "to": "c", "weight": 1.0},
]


@pytest.fixture
def small(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """An app on the small graph above, with an admin."""
    with SqliteStore(tmp_path / "small.db") as store:
        import_records(store, [RawRecord("node" if "label" in raw else "relationship", raw,
                                         Where(None, f"[{i}]")) for i, raw in enumerate(SMALL)])
        token = users.create_user(store, "admin", "admin")
    with TestClient(create_app(Settings(db=f"sqlite:///{tmp_path / 'small.db'}"))) as client:
        yield client, {"Authorization": f"Bearer {token}"}


def test_small_graph_tender_influence_and_next_best(small: tuple[TestClient, dict[str, str]]) -> None:
    """x sways the approver d: personalized PageRank gives d = 1/1.85, x = 0.85/1.85."""
    client, auth = small
    result = client.get(f"{API}/tenders/t/influence", headers=auth).json()
    assert [(i["id"], i["role"], i["covered"]) for i in result["items"]] == [
        ("d", ["approver"], True), ("x", [], False)]
    assert [i["score"] for i in result["items"]] == pytest.approx([1 / 1.85, 0.85 / 1.85])
    assert result["coverage"] == pytest.approx(1 / 1.85)
    assert result["support_balance"] == pytest.approx((1 - 0.85) / 1.85)  # champion +1, opponent -1
    assert result["items"][0]["relationship"] == {"account_manager": "kam", "stage": "engaged",
                                                  "strength": 0.5}
    best = client.get(f"{API}/tenders/t/next-best", headers=auth).json()
    assert best["items"] == [{"id": "x", "name": "Dr X", "gain": pytest.approx(0.85 / 1.85),
                              "score": pytest.approx(0.85 / 1.85),
                              "path": {"nodes": ["kam", "d", "x"], "strength": 0.5,
                                       "stage": "engaged"}}]


def test_small_graph_paths_brokers_what_if_and_coverage(
        small: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = small

    def read(path: str, **params: Any) -> Any:
        response = client.get(API + path, params=params, headers=auth)
        assert response.status_code == 200, response.text
        return response.json()

    assert read("/stakeholders/x/warm-paths") == {
        "target": "x", "paths": [{"nodes": ["kam", "d", "x"], "strength": 0.5, "stage": "engaged"}]}
    assert read("/stakeholders/b/warm-paths") == {"target": "b", "paths": []}
    # b is on the one shortest path a-c of the C(4, 2) = 6 pairs of the other four people.
    assert read("/brokers")["items"] == [{"id": "b", "name": "B", "score": pytest.approx(1 / 6)}]
    groups = read("/factions")["factions"]
    assert [(f["id"], f["members"], f["size"]) for f in groups] == [(1, ["a", "b", "c"], 3),
                                                                    (2, ["d", "x"], 2)]
    assert sum(f["influence_share"] for f in groups) == pytest.approx(1.0)
    what_if = read("/what-if", person="x", tender="t")
    assert what_if["changes"] == [{"id": "d", "name": "Dr D", "before": pytest.approx(1 / 1.85),
                                   "after": pytest.approx(1.0), "delta": pytest.approx(0.85 / 1.85)}]
    assert (what_if["coverage_before"], what_if["coverage_after"]) == (
        pytest.approx(1 / 1.85), pytest.approx(1.0))
    # PageRank of the pair in the region (x dangling): d = 0.5 / 1.425; importance = half the
    # rank over the largest rank + half the decision power (d executive 1.0, x staff 0.2).
    rank_d, rank_x = 0.5 / 1.425, 1 - 0.5 / 1.425
    importance_d, importance_x = 0.5 * rank_d / rank_x + 0.5, 0.5 + 0.5 * 0.2
    report = read("/territories/r/coverage")
    assert report["people"] == 2 and report["coverage_headcount"] == 0.5
    assert report["coverage_weighted"] == pytest.approx(importance_d / (importance_d + importance_x))
    assert [(g["id"], g["importance"]) for g in report["gaps"]] == [("x", pytest.approx(importance_x))]


# -- bad parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/what-if", {"person": "s-000002", "tender": TENDER, "territory": TERRITORY}, "tender"),
    ("/what-if", {"person": "s-000002"}, "tender"),
    ("/rank", {"territory": TERRITORY, "organization": "o-000006"}, "organization"),
])
def test_bad_combinations_are_422_with_the_reason(demo_app: DemoApp, path: str,
                                                  params: dict[str, str], field: str) -> None:
    response = demo_app.client.get(API + path, params=params, headers=demo_app.auth("admin"))
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert problem["field"] == field and "give" in problem["reason"]


@pytest.mark.parametrize(("path", "params"), [
    ("/rank", {"metric": "popularity"}),
    ("/rank", {"top": 0}),
    ("/tenders/t-000005/influence", {"as_of": "2026-02-30"}),
    ("/tenders/t-000005/influence", {"as_of": "0001-01-01"}),
    ("/tenders/t-000005/next-best", {"k": 101}),
    ("/territories/tr-000003/coverage", {"stale_days": 0}),
    ("/what-if", {"tender": TENDER}),
])
def test_malformed_parameters_are_422(demo_app: DemoApp, path: str, params: dict[str, Any]) -> None:
    response = demo_app.client.get(API + path, params=params, headers=demo_app.auth("admin"))
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(("path", "message"), [
    ("/tenders/t-nobody/influence", "no tender with id 't-nobody'"),
    ("/tenders/s-000001/next-best", "no tender with id 's-000001' (it is a stakeholder)"),
    ("/territories/t-000005/coverage", "no territory with id 't-000005' (it is a tender)"),
    ("/stakeholders/s-000024/warm-paths?source=am-nobody",
     "no account manager with id 'am-nobody'"),
])
def test_unknown_ids_are_404(demo_app: DemoApp, path: str, message: str) -> None:
    response = demo_app.client.get(API + path, headers=demo_app.auth("admin"))
    assert (response.status_code, response.json()) == (404, {"detail": message})


def test_every_analysis_needs_a_token(demo_app: DemoApp) -> None:
    assert demo_app.client.get(f"{API}/tenders/{TENDER}/influence").status_code == 401
    assert demo_app.client.get(f"{API}/rank", headers={"Authorization": "Bearer nope"}
                               ).status_code == 401


# -- scope ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    f"/tenders/{OUTSIDE_TENDER}/influence", f"/tenders/{OUTSIDE_TENDER}/next-best",
    f"/territories/{OUTSIDE_TERRITORY}/coverage", f"/stakeholders/{OUTSIDE_PERSON}/warm-paths",
    f"/rank?territory={OUTSIDE_TERRITORY}", "/rank?organization=o-000019",
    f"/factions?territory={OUTSIDE_TERRITORY}",
    f"/brokers?territory={OUTSIDE_TERRITORY}", f"/what-if?person={OUTSIDE_PERSON}&tender={TENDER}",
    f"/what-if?person=s-000002&tender={OUTSIDE_TENDER}",
])
def test_kam_reading_outside_their_scope_gets_404(demo_app: DemoApp, path: str) -> None:
    assert demo_app.client.get(API + path, headers=demo_app.auth("admin")).status_code == 200
    response = demo_app.client.get(API + path, headers=demo_app.auth("kam"))
    assert response.status_code == 404
    assert response.json()["detail"].startswith("no ")


OUTSIDERS = {"tr-out", "o-out", "s-out", "t-out", "pl-out", "ix-out"}


def add_outsiders(app: DemoApp) -> None:
    """A territory nobody covers, with a person who sways two of the committee of TENDER."""
    nodes = [Node("Territory", "tr-out", "Outland", {"level": "region"}),
             Node("Organization", "o-out", "Outland Hospital", {"type": "hospital"}),
             Node("Stakeholder", "s-out", "Dr Outsider", {"stance": "opponent"}),
             Node("Tender", "t-out", "Outland tender", {"status": "published"}),
             Node("Plan", "pl-out", "Win Dr Outsider", {"status": "active", "goal_stage": "engaged"}),
             Node("Interaction", "ix-out", "A call", {"date": "2026-11-01", "channel": "call"})]
    rels = [Relationship("LOCATED_IN", "o-out", "tr-out"),
            Relationship("WORKS_AT", "s-out", "o-out", {"seniority": "executive"}),
            Relationship("ISSUED_BY", "t-out", "o-out"),
            Relationship("ROLE_IN", "s-out", "t-out", {"role": "approver"}),
            Relationship("INFLUENCES", "s-out", "s-000002", {"weight": 1.0}),
            Relationship("INFLUENCES", "s-out", "s-000001", {"weight": 1.0}),
            Relationship("KNOWS", "s-000004", "s-out", {"weight": 1.0}),
            Relationship("PLANS", "am-000003", "pl-out"), Relationship("TARGETS", "pl-out", "s-out"),
            Relationship("HAD", "am-000003", "ix-out"), Relationship("WITH", "ix-out", "s-out")]
    app.store.upsert(nodes, rels)


def mentioned_ids(value: Any, known: set[str]) -> set[str]:
    """Every string anywhere in a JSON value that is the id of a node."""
    if isinstance(value, dict):
        return set().union(*(mentioned_ids(v, known) | mentioned_ids(k, known)
                             for k, v in value.items()))
    if isinstance(value, list):
        return set().union(*(mentioned_ids(v, known) for v in value))
    return {value} if isinstance(value, str) and value in known else set()


WHOLE_SCOPE = [
    (f"/tenders/{TENDER}/influence", {"top": 1000}),
    (f"/tenders/{TENDER}/next-best", {"k": 100, "include_quiet": True}),
    ("/stakeholders/s-000002/warm-paths", {"k": 20, "include_quiet": True}),
    (f"/territories/{TERRITORY}/coverage", {}),
    ("/rank", {"top": 1000}),
    ("/rank", {"top": 1000, "metric": "betweenness"}),
    ("/factions", {}),
    ("/brokers", {"top": 1000}),
    ("/what-if", {"person": "s-000004", "tender": TENDER, "top": 1000}),
    ("/plans", {}),
]


def test_a_kams_analyses_never_mention_anything_outside_their_scope(demo_app: DemoApp) -> None:
    add_outsiders(demo_app)
    store = demo_app.store
    known = {node.id for node in store.iter_nodes()}
    scope: Scope = user_store(demo_app, "kam").scope
    labels = store.node_labels(known)
    for path, params in WHOLE_SCOPE:
        seen = mentioned_ids(get(demo_app, "kam", path, **params), known)
        outside = sorted(i for i in seen if not scope.sees_labelled(i, labels[i]))
        assert outside == [], path
    # ... while the admin's analyses do name the outsider, so the check above can fail.
    for path, params in [WHOLE_SCOPE[0], WHOLE_SCOPE[4], WHOLE_SCOPE[6], WHOLE_SCOPE[9]]:
        assert "s-out" in mentioned_ids(get(demo_app, "admin", path, **params), known), path


def test_the_outsider_sways_the_admins_tender_figures_but_not_the_kams(demo_app: DemoApp) -> None:
    before = get(demo_app, "kam", f"/tenders/{TENDER}/influence", top=1000)
    add_outsiders(demo_app)
    admin = get(demo_app, "admin", f"/tenders/{TENDER}/influence", top=1000)
    kam = get(demo_app, "kam", f"/tenders/{TENDER}/influence", top=1000)
    assert "s-out" in [item["id"] for item in admin["items"]]
    assert "s-out" not in [item["id"] for item in kam["items"]]
    assert kam == before  # nothing outside changed what the KAM sees
    assert [item["id"] for item in admin["items"]] != [item["id"] for item in kam["items"]]


# -- the OpenAPI document ------------------------------------------------------------------

# (path, method) → the error statuses it documents beside 401 and 422
ROUTES = {
    ("/tenders/{tender_id}/influence", "get"): {"404"},
    ("/tenders/{tender_id}/next-best", "get"): {"404"},
    ("/stakeholders/{stakeholder_id}/warm-paths", "get"): {"404"},
    ("/territories/{territory_id}/coverage", "get"): {"404"},
    ("/rank", "get"): {"404"}, ("/factions", "get"): {"404"}, ("/brokers", "get"): {"404"},
    ("/what-if", "get"): {"404"},
    ("/plans", "get"): set(),
    ("/plans", "post"): {"403"},
    ("/plans/{plan_id}", "put"): {"403", "404"},
    ("/stakeholders/{stakeholder_id}/interactions", "get"): {"404"},
    ("/stakeholders/{stakeholder_id}/interactions", "post"): {"403", "404"},
    ("/stakeholders/{stakeholder_id}/stage", "put"): {"403", "404", "409"},
    ("/stakeholders/{stakeholder_id}/profile", "get"): {"404"},
    ("/maps/{node_id}", "get"): {"404"},
}


def test_every_route_is_typed_described_and_its_errors_documented(demo_app: DemoApp) -> None:
    spec = demo_app.client.get("/openapi.json").json()
    for (path, method), documented in ROUTES.items():
        operation = spec["paths"][API + path][method]
        assert operation["description"], path
        ok = next(code for code in operation["responses"] if code.startswith("2"))
        content = operation["responses"][ok]["content"]
        if path.startswith("/maps"):
            assert set(content) == {"text/html"}
        else:
            assert "$ref" in content["application/json"]["schema"], path
        errors = operation["responses"].keys() - {ok}
        assert errors == {"401", "408", "413", "422", "503"} | documented, path  # limits: every route
        for code in errors:
            assert operation["responses"][code]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"}, (path, code)


def test_the_models_enumerations_are_the_domain_models() -> None:
    assert get_args(models.Stage) == model.STAGES
    assert get_args(models.Stance) == model.STANCES
    assert get_args(models.TenderStatus) == model.TENDER_STATUSES
    assert get_args(models.TenderRole) == model.TENDER_ROLES
    assert get_args(models.Channel) == model.CHANNELS
    assert get_args(models.PlanState) == model.LABELS["Plan"].props["status"].choices
    assert get_args(models.Metric) == influence.METRICS
