"""What only the Neo4j store promises: clear failures, and imports that a dying server can't half-write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kamgraph.cli import app
from kamgraph.errors import StoreUnavailable
from kamgraph.model import Node
from kamgraph.store.neo4j import Neo4jStore, public_url
from tests.conftest import NEO4J_PASSWORD, NEO4J_URL, neo4j_store

ROOT = Path(__file__).resolve().parents[2]


def test_public_url_hides_credentials() -> None:
    assert public_url("neo4j://alice:s3cret@db.example:7687") == "neo4j://db.example:7687"
    assert public_url("bolt://127.0.0.1:7687") == "bolt://127.0.0.1:7687"


def test_server_down_is_one_clear_line() -> None:
    with pytest.raises(StoreUnavailable) as failed:
        Neo4jStore("bolt://127.0.0.1:1", password="whatever-pw")
    assert str(failed.value) == ("cannot use Neo4j at bolt://127.0.0.1:1: "
                                 "the server does not answer")


def test_wrong_password_is_one_clear_line() -> None:
    neo4j_store().close()  # skips when there is no test server
    with pytest.raises(StoreUnavailable) as failed:
        Neo4jStore(str(NEO4J_URL), password="not-the-password")
    assert str(failed.value) == (f"cannot use Neo4j at {NEO4J_URL}: "
                                 "the user name or password is wrong")


def test_cli_names_the_url_and_the_cause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAMGRAPH_NEO4J_PASSWORD", "secret-pw")
    result = CliRunner().invoke(app, ["--db", "neo4j://127.0.0.1:1", "stats"])
    assert result.exit_code == 1
    assert result.stderr.strip() == ("error: cannot use Neo4j at neo4j://127.0.0.1:1: "
                                     "the server does not answer")
    assert "secret-pw" not in result.output


def test_cli_reads_the_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    neo4j_store().close()
    monkeypatch.setenv("KAMGRAPH_NEO4J_PASSWORD", NEO4J_PASSWORD)
    result = CliRunner().invoke(app, ["--db", str(NEO4J_URL), "stats", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes"] == 0


KILLED_SERVER_IMPORT = """
import subprocess, sys
from pathlib import Path
from kamgraph.io import import_path
from kamgraph.store.neo4j import Neo4jStore

killed = False
def progress(phase, done):
    global killed
    if phase == "writing" and done >= 30_000 and not killed:
        killed = True
        subprocess.run([sys.argv[4], "kill"], check=True)  # the server dies mid-transaction

store = Neo4jStore(sys.argv[1], password=sys.argv[2], retry_seconds=3)
import_path(store, Path(sys.argv[3]), progress=progress)
"""


def test_server_killed_mid_import_leaves_the_previous_content(tmp_path: Path) -> None:
    store = neo4j_store()
    store.upsert([Node("Stakeholder", "s-keep", "Kept", {"tier": 1})])
    before = ([n.record() for n in store.iter_nodes()], store.graph_version())
    store.close()
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"nodes": [
        {"label": "Stakeholder", "id": f"s-{i:06d}", "name": f"Person {i}"} for i in range(60_000)
    ]}))
    script = ROOT / "scripts" / "neo4j"
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_SERVER_IMPORT, str(NEO4J_URL), NEO4J_PASSWORD, str(big),
         str(script)], capture_output=True, text=True, timeout=300, env=server_env())
    assert proc.returncode == 1 and "StoreUnavailable" in proc.stderr
    started = server_script("start")
    assert started.returncode == 0, started.stderr
    store = Neo4jStore(str(NEO4J_URL), password=NEO4J_PASSWORD)
    assert ([n.record() for n in store.iter_nodes()], store.graph_version()) == before
    store.close()


def test_a_write_too_large_for_the_server_says_what_to_do() -> None:
    # Community Neo4j cannot lower its transaction memory limit at run time, so the error the
    # server raises (code below) is given to the translation directly.
    from kamgraph.store.neo4j import TOO_LARGE

    class TooLarge(Exception):
        code = TOO_LARGE

    store = Neo4jStore.__new__(Neo4jStore)
    store.url = "bolt://127.0.0.1:7687"
    with pytest.raises(StoreUnavailable) as failed:
        store._fail(TooLarge("dbms.memory.transaction.total.max threshold reached"))
    assert str(failed.value) == (
        "cannot use Neo4j at bolt://127.0.0.1:7687: the write does not fit in the server's "
        "transaction memory (dbms.memory.transaction.total.max): give Neo4j more heap, or import "
        "the data in several smaller files")


def server_script(command: str) -> subprocess.CompletedProcess[str]:
    """``scripts/neo4j COMMAND`` on the test server (``KAMGRAPH_TEST_NEO4J_HOME``/``_PORT`` name
    another one than the default, as for a second server beside CI's)."""
    return subprocess.run([str(ROOT / "scripts" / "neo4j"), command], capture_output=True, text=True,
                          timeout=300, env=server_env())


def server_env() -> dict[str, str]:
    """The environment in which ``scripts/neo4j`` acts on the test server."""
    env = {**os.environ, "KAMGRAPH_NEO4J_PASSWORD": NEO4J_PASSWORD}
    for name in ("HOME", "PORT"):
        if value := os.environ.get(f"KAMGRAPH_TEST_NEO4J_{name}"):
            env[f"KAMGRAPH_NEO4J_{name}"] = value
    return env


def test_the_api_answers_503_while_neo4j_is_down_and_recovers_by_itself() -> None:
    """The server stops under a running app: requests answer 503 saying so; once it is back
    they succeed again, without restarting the app."""
    from fastapi.testclient import TestClient

    from api.main import create_app
    from kamgraph import users
    from kamgraph.settings import Settings

    store = neo4j_store()
    store.upsert([Node("Stakeholder", "s-1", "Anna", {})])
    token = users.create_user(store, "ada", "admin")
    store.close()
    auth = {"Authorization": f"Bearer {token}"}
    settings = Settings(db=str(NEO4J_URL), neo4j_password=NEO4J_PASSWORD)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/stakeholders/s-1", headers=auth).status_code == 200
        assert server_script("stop").returncode == 0
        try:
            down = client.get("/api/v1/stakeholders/s-1", headers=auth)
        finally:
            started = server_script("start")
        assert started.returncode == 0, started.stderr
        assert down.status_code == 503, down.text
        assert "cannot use Neo4j" in down.json()["detail"]
        back = client.get("/api/v1/stakeholders/s-1", headers=auth)
        assert back.status_code == 200 and back.json()["node"]["name"] == "Anna"
