"""The CLI: every command has help with an example, exit codes, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kamgraph.cli import app

runner = CliRunner()

SMALL = {
    "nodes": [
        {"label": "Stakeholder", "id": "s-ivanova", "name": "Dr. Ivanova", "category": "kol",
         "tags": ["oncology"], "email": "ivanova@example.org"},
        {"label": "Stakeholder", "id": "s-petrov", "name": "Dr. Petrov"},
        {"label": "Organization", "id": "o-rch", "name": "Regional Clinical Hospital",
         "type": "hospital"},
    ],
    "relationships": [
        {"type": "INFLUENCES", "from": "s-ivanova", "to": "s-petrov", "weight": 0.8,
         "kind": "scientific"},
        {"type": "WORKS_AT", "from": "s-petrov", "to": "o-rch", "seniority": "head"},
    ],
}


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/cli.db"


@pytest.fixture
def loaded(db: str, tmp_path: Path) -> str:
    source = tmp_path / "small.json"
    source.write_text(json.dumps(SMALL))
    result = runner.invoke(app, ["--db", db, "import", str(source)])
    assert result.exit_code == 0, result.output
    return db


def kamgraph(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


COMMANDS = ["import", "export", "demo", "stats", "show", "search", "delete", "serve", "rank", "tender",
            "paths", "next-best", "coverage", "factions", "brokers", "what-if", "plans", "map",
            "user add", "user list", "user revoke", "backup", "restore", "audit", "erase",
            "subject-export"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    code, stdout, _ = kamgraph(*command.split(), "--help")
    assert code == 0
    assert "Example: kamgraph " + command in " ".join(stdout.split())


def test_the_command_list_is_complete() -> None:
    registered = {c.name for c in app.registered_commands}
    for group in app.registered_groups:
        assert group.typer_instance is not None
        registered |= {f"{group.name} {c.name}" for c in group.typer_instance.registered_commands}
    assert registered == set(COMMANDS)


def test_import_reports_counts(db: str, tmp_path: Path) -> None:
    source = tmp_path / "small.json"
    source.write_text(json.dumps(SMALL))
    code, stdout, _ = kamgraph("--db", db, "import", str(source), "--dry-run", "--json")
    assert code == 0
    assert json.loads(stdout) == {"nodes": 3, "relationships": 2, "written": False,
                                  "problems": []}
    code, stdout, _ = kamgraph("--db", db, "import", str(source))
    assert (code, stdout.strip()) == (0, "imported 3 nodes and 2 relationships")


def test_stats_json(loaded: str) -> None:
    code, stdout, _ = kamgraph("--db", loaded, "stats", "--json")
    data = json.loads(stdout)
    assert code == 0
    assert (data["nodes"], data["relationships"]) == (3, 2)
    assert data["labels"] == {"Organization": 1, "Stakeholder": 2}
    assert data["types"] == {"INFLUENCES": 1, "WORKS_AT": 1}


def test_show_and_search(loaded: str) -> None:
    code, stdout, _ = kamgraph("--db", loaded, "show", "s-petrov", "--json")
    data = json.loads(stdout)
    assert code == 0
    assert data["node"] == {"label": "Stakeholder", "id": "s-petrov", "name": "Dr. Petrov"}
    assert [r["type"] for r in data["relationships"]] == ["INFLUENCES", "WORKS_AT"]
    code, stdout, _ = kamgraph("--db", loaded, "show", "s-petrov")
    assert "Dr. Ivanova (s-ivanova)" in stdout and "←INFLUENCES—" in stdout
    code, stdout, _ = kamgraph("--db", loaded, "search", "DR.", "--json")
    assert [n["id"] for n in json.loads(stdout)] == ["s-ivanova", "s-petrov"]
    code, stdout, _ = kamgraph("--db", loaded, "search", "dr", "--label", "Organization", "--json")
    assert json.loads(stdout) == []


def test_show_missing_id_exits_1_with_one_line(loaded: str) -> None:
    code, _stdout, stderr = kamgraph("--db", loaded, "show", "s-nobody")
    assert code == 1
    assert stderr.strip() == f"error: no node with id 's-nobody' in {loaded}"


def test_delete(loaded: str) -> None:
    code, stdout, _ = kamgraph("--db", loaded, "delete", "s-petrov", "--yes", "--json")
    assert code == 0
    assert json.loads(stdout) == {"deleted": "s-petrov", "relationships": 2}
    code, stdout, _ = kamgraph("--db", loaded, "stats", "--json")
    assert json.loads(stdout)["relationships"] == 0


def test_delete_asks_first(loaded: str) -> None:
    result = runner.invoke(app, ["--db", loaded, "delete", "s-petrov"], input="n\n")
    assert result.exit_code == 1
    _code, stdout, _ = kamgraph("--db", loaded, "stats", "--json")
    assert json.loads(stdout)["nodes"] == 3


@pytest.mark.parametrize("fmt", ["json", "csv", "graphml"])
def test_export_formats(loaded: str, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    code, stdout, _ = kamgraph("--db", loaded, "export", str(target), "--format", fmt, "--json")
    assert code == 0
    assert json.loads(stdout) == {"path": str(target), "format": fmt, "nodes": 3,
                                  "relationships": 2}
    assert (target / "stakeholders.csv").is_file() if fmt == "csv" else target.is_file()


def test_validation_problems_exit_2_and_list_as_json(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"nodes": [
        {"label": "Stakeholder", "id": "s-1", "name": "A", "tier": 7},
        {"label": "Wizard", "id": "w-1", "name": "B"}]}))
    code, stdout, _ = kamgraph("--db", db, "import", str(bad), "--json")
    assert code == 2
    assert json.loads(stdout) == [
        {"file": "bad.json", "location": "nodes[0]", "field": "tier",
         "reason": "tier 7 is outside 1..3"},
        {"file": "bad.json", "location": "nodes[1]", "field": "label",
         "reason": "unknown label 'Wizard'; known: Stakeholder, Organization, Tender, Product, "
                   "Territory, AccountManager, Event, Interaction, Plan"}]


def test_bad_store_url_is_one_line_exit_1() -> None:
    code, _, stderr = kamgraph("--db", "mysql://nowhere", "stats")
    assert code == 1
    assert stderr.strip().startswith("error: unknown store URL 'mysql://nowhere'")
    assert "Traceback" not in stderr


def test_no_traceback_without_debug_but_with_it(tmp_path: Path) -> None:
    (tmp_path / "dir.db").mkdir()
    url = f"sqlite:///{tmp_path}/dir.db"
    plain = subprocess.run([sys.executable, "-m", "kamgraph.cli", "--db", url, "stats"],
                           capture_output=True, text=True)
    assert plain.returncode == 1
    assert "Traceback" not in plain.stderr and len(plain.stderr.strip().splitlines()) == 1
    debug = subprocess.run([sys.executable, "-m", "kamgraph.cli", "--db", url, "--debug", "stats"],
                           capture_output=True, text=True)
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_db_from_environment(loaded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAMGRAPH_DB", loaded)
    _code, stdout, _ = kamgraph("stats", "--json")
    assert json.loads(stdout)["store"] == loaded
