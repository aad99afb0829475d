"""Run the ``kamgraph`` command against a test store of either backend, as a user would."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from typer.testing import CliRunner

from kamgraph.cli import app
from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore
from tests.conftest import NEO4J_PASSWORD, NEO4J_URL

runner = CliRunner()


@dataclass
class Cli:
    """``kamgraph --db URL ...`` with the environment the store needs (the Neo4j password)."""

    db: str
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, store: GraphStore) -> Cli:
        if isinstance(store, SqliteStore):
            return cls(store.url)
        assert NEO4J_URL is not None
        return cls(NEO4J_URL, {"KAMGRAPH_NEO4J_PASSWORD": NEO4J_PASSWORD})

    def run(self, *args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, ["--db", self.db, *args], env=self.env)
        return result.exit_code, result.stdout, result.stderr

    def json(self, *args: str) -> Any:
        """The parsed ``--json`` output of a command that must succeed."""
        code, stdout, stderr = self.run(*args, "--json")
        assert code == 0, stderr or stdout
        return json.loads(stdout)
