"""The app starts on either store, reports its health, and says 503 when the store is gone."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.main import create_app
from kamgraph.errors import StoreUnavailable
from kamgraph.model import Node
from kamgraph.settings import Settings
from tests.conftest import NEO4J_PASSWORD, NEO4J_URL, neo4j_store


def settings_for(backend: str, tmp_path: Path) -> Settings:
    if backend == "sqlite":
        return Settings(db=f"sqlite:///{tmp_path}/api.db")
    neo4j_store().close()  # empties it (and skips when there is no test server)
    return Settings(db=str(NEO4J_URL), neo4j_password=SecretStr(NEO4J_PASSWORD))


@pytest.mark.parametrize("backend", ["sqlite", "neo4j"])
def test_health_reports_the_store_and_its_version(backend: str, tmp_path: Path) -> None:
    settings = settings_for(backend, tmp_path)
    with TestClient(create_app(settings)) as client:
        first = client.get("/api/v1/health").json()
        client.app.state.store.upsert([Node("Stakeholder", "s-1", "A", {})])
        second = client.get("/api/v1/health").json()
    assert first["status"] == "ok" and first["store"] == backend  # the kind, never the address
    assert second["graph_version"] == first["graph_version"] + 1


def test_store_errors_become_503(tmp_path: Path) -> None:
    app = create_app(Settings(db=f"sqlite:///{tmp_path}/api.db"))
    with TestClient(app) as client:
        def unavailable() -> int:
            raise StoreUnavailable("cannot use Neo4j at bolt://db:7687: the server does not answer")

        client.app.state.store.graph_version = unavailable
        response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "cannot use Neo4j at bolt://db:7687: the server does not answer"}
