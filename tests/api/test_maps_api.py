"""Maps over HTTP: the library's page for the caller's scope, as text/html that asks no
other host for anything."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from kamgraph import services
from tests.api.conftest import DemoApp
from tests.api.test_analyses_api import OUTSIDE_TENDER, add_outsiders, user_store
from tests.test_maps import fetched_urls, page_data

API = "/api/v1"


def get_map(app: DemoApp, user: str, node_id: str, **params: Any) -> str:
    response = app.client.get(f"{API}/maps/{node_id}", params=params, headers=app.auth(user))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text


@pytest.mark.parametrize(("node_id", "params", "kwargs"), [
    ("t-000005", {}, {}),
    ("tr-000003", {"top": 50}, {"top": 50}),
    ("s-000024", {}, {}),
    ("s-000024", {"warm_paths": True}, {"warm_paths_to": True}),
], ids=["tender", "territory-top-50", "ego", "warm-paths"])
def test_the_page_is_the_librarys_and_self_contained(demo_app: DemoApp, node_id: str,
                                                     params: dict[str, Any],
                                                     kwargs: dict[str, Any]) -> None:
    page = get_map(demo_app, "admin", node_id, **params)
    assert page == services.map_page(demo_app.store, node_id, **kwargs)
    nodes, edges, _ = page_data(page)
    assert nodes and edges
    assert fetched_urls(page) == []
    assert re.findall(r"<script[^>]*\bsrc\s*=|<link\b", page, re.IGNORECASE) == []


def test_the_tender_map_draws_the_top_people_and_their_context(demo_app: DemoApp) -> None:
    nodes, _, _ = page_data(get_map(demo_app, "admin", "t-000005", top=40))
    labels = Counter(node["node_label"] for node in nodes)
    assert labels["Stakeholder"] == 40
    influence = demo_app.client.get(f"{API}/tenders/t-000005/influence", params={"top": 40},
                                    headers=demo_app.auth("admin")).json()
    assert {n["id"] for n in nodes if n["node_label"] == "Stakeholder"} == {
        item["id"] for item in influence["items"]}
    assert "t-000005" in {n["id"] for n in nodes}


def test_a_kams_map_shows_only_their_scope(demo_app: DemoApp) -> None:
    add_outsiders(demo_app)
    admin = {n["id"] for n in page_data(get_map(demo_app, "admin", "t-000005"))[0]}
    kam_page = get_map(demo_app, "kam", "t-000005")
    assert kam_page == services.map_page(user_store(demo_app, "kam"), "t-000005")
    kam = {n["id"] for n in page_data(kam_page)[0]}
    assert "s-out" in admin and "s-out" not in kam
    scope = user_store(demo_app, "kam").scope
    labels = demo_app.store.node_labels(kam)
    assert sorted(i for i in kam if not scope.sees_labelled(i, labels[i])) == []


@pytest.mark.parametrize(("user", "node_id", "params", "status"), [
    ("kam", OUTSIDE_TENDER, {}, 404),
    ("admin", OUTSIDE_TENDER, {}, 200),
    ("admin", "t-nobody", {}, 404),
    ("admin", "o-000006", {}, 404),  # organisations have no map
    ("admin", "t-000005", {"top": 0}, 422),
    ("admin", "t-000005", {"as_of": "someday"}, 422),
])
def test_what_has_no_map_is_an_error_in_json(demo_app: DemoApp, user: str, node_id: str,
                                             params: dict[str, Any], status: int) -> None:
    response = demo_app.client.get(f"{API}/maps/{node_id}", params=params,
                                   headers=demo_app.auth(user))
    assert response.status_code == status
    if status != 200:
        assert response.headers["content-type"] == "application/json"
        assert response.json()["detail"]
