"""Users and API tokens on both stores: created, signed in, listed, revoked; never in the graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.main import create_app
from kamgraph import users
from kamgraph.errors import NotFound, ValidationFailed
from kamgraph.io import export_graph
from kamgraph.model import Node
from kamgraph.settings import Settings
from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore
from tests.cli_helpers import Cli
from tests.conftest import NEO4J_PASSWORD, NEO4J_URL

TEAM = [Node("AccountManager", "am-1", "Anna Kamova", {"role": "kam"}),
        Node("Stakeholder", "s-1", "Dr. Anna Ivanova", {})]


@pytest.fixture
def team(store: GraphStore) -> GraphStore:
    store.upsert(TEAM)
    return store


def test_create_authenticate_list_revoke(team: GraphStore) -> None:
    token = users.create_user(team, "anna", "kam", "am-1")
    user = users.authenticate(team, token)
    assert user is not None
    assert (user.name, user.role, user.account_manager, user.revoked) == ("anna", "kam", "am-1", False)
    [listed] = users.list_users(team)
    assert listed.token_prefix == token[:6] and token not in json.dumps(listed.record())
    users.revoke(team, "anna")
    assert users.authenticate(team, token) is None
    assert [u.revoked for u in users.list_users(team)] == [True]


def test_wrong_or_empty_token_is_nobody(team: GraphStore) -> None:
    token = users.create_user(team, "root", "admin")
    assert users.authenticate(team, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert users.authenticate(team, "") is None


def test_duplicate_name_is_refused(team: GraphStore) -> None:
    users.create_user(team, "anna", "kam", "am-1")
    with pytest.raises(ValidationFailed) as caught:
        users.create_user(team, "anna", "admin")
    assert caught.value.problems[0].reason == "a user named 'anna' already exists"


@pytest.mark.parametrize("role", ["kam", "regional_manager"])
def test_team_roles_need_an_account_manager(team: GraphStore, role: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        users.create_user(team, "anna", role)
    assert caught.value.problems[0].field == "account_manager"
    assert users.list_users(team) == []


def test_unknown_role_is_refused(team: GraphStore) -> None:
    with pytest.raises(ValidationFailed, match="1 problem"):
        users.create_user(team, "anna", "owner")


@pytest.mark.parametrize("account_manager", ["am-404", "s-1"])
def test_account_manager_must_be_an_account_manager_node(team: GraphStore,
                                                         account_manager: str) -> None:
    with pytest.raises(NotFound, match=f"no account manager with id {account_manager}"):
        users.create_user(team, "anna", "kam", account_manager)


def test_revoking_nobody_is_not_found(team: GraphStore) -> None:
    with pytest.raises(NotFound, match="no user named 'ghost'"):
        users.revoke(team, "ghost")


def test_users_are_not_in_the_graph(team: GraphStore, tmp_path: Path) -> None:
    before = (team.counts(), team.graph_version())
    users.create_user(team, "anna", "kam", "am-1")
    users.revoke(team, "anna")
    assert (team.counts(), team.graph_version()) == before
    assert [n.id for n in team.search("anna")] == ["am-1", "s-1"]
    assert {n.id for n in team.iter_nodes()} == {"am-1", "s-1"}
    assert set(team.whole_graph()) == {"am-1", "s-1"}
    assert set(team.neighbourhood("am-1", 2)) == {"am-1"}
    export_graph(team, tmp_path / "out.json", "json")
    assert "anna\"" not in (tmp_path / "out.json").read_text(encoding="utf-8")


def test_the_token_is_not_stored_in_clear(team: GraphStore) -> None:
    token = users.create_user(team, "anna", "kam", "am-1")
    assert token_appears_in_store(team, users.token_hash(token))  # the check can see
    assert not token_appears_in_store(team, token)


def token_appears_in_store(store: GraphStore, text: str) -> bool:
    if isinstance(store, SqliteStore):
        files = [store.path, store.path.with_name(store.path.name + "-wal")]
        return any(text.encode() in f.read_bytes() for f in files if f.is_file())
    with store._driver.session(database=store.database) as session:  # type: ignore[attr-defined]
        values = session.run("MATCH (n) UNWIND keys(n) AS key RETURN n[key] AS value")
        return any(text in str(record["value"]) for record in values)


def test_cli_round_trip(team: GraphStore) -> None:
    cli = Cli.of(team)
    added = cli.json("user", "add", "anna", "--role", "kam", "--account-manager", "am-1")
    assert list(added) == ["name", "role", "account_manager", "token"]
    assert (added["name"], added["role"], added["account_manager"]) == ("anna", "kam", "am-1")
    [listed] = cli.json("user", "list")
    assert listed["token_prefix"] == added["token"][:6] and "token" not in listed
    assert cli.json("user", "revoke", "anna") == {"revoked": "anna"}
    assert users.authenticate(team, added["token"]) is None


def test_cli_add_prints_the_token_once_with_a_warning(team: GraphStore) -> None:
    code, stdout, _ = Cli.of(team).run("user", "add", "root", "--role", "admin")
    token = stdout.splitlines()[1].strip()
    assert code == 0 and users.authenticate(team, token) is not None
    assert "will not be shown again" in stdout
    code, stdout, _ = Cli.of(team).run("user", "list")
    assert code == 0 and token not in stdout and token[:6] in stdout


def test_cli_refusals_exit_codes(team: GraphStore) -> None:
    cli = Cli.of(team)
    assert cli.run("user", "add", "anna", "--role", "kam")[0] == 2
    code, _, stderr = cli.run("user", "add", "anna", "--role", "kam", "--account-manager", "am-9")
    assert (code, stderr.strip()) == (1, "error: no account manager with id am-9")
    assert cli.run("user", "revoke", "ghost")[0] == 1


def settings_of(store: GraphStore) -> Settings:
    if isinstance(store, SqliteStore):
        return Settings(db=store.url)
    return Settings(db=str(NEO4J_URL), neo4j_password=SecretStr(NEO4J_PASSWORD))


def test_api_me_needs_a_valid_token(team: GraphStore) -> None:
    token = users.create_user(team, "anna", "kam", "am-1")
    with TestClient(create_app(settings_of(team))) as client:
        ok = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        missing = client.get("/api/v1/me")
        wrong = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
        users.revoke(team, "anna")
        revoked = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        health = client.get("/api/v1/health")
    assert ok.status_code == 200
    assert ok.json() == {"name": "anna", "role": "kam", "account_manager": "am-1"}
    for refused in (missing, wrong, revoked):
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert health.status_code == 200
