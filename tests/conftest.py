"""Shared fixtures. ``store`` runs each test once per backend (the contract suite)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore

BACKENDS = ["sqlite"]


def make_store(backend: str, tmp_path: Path) -> GraphStore:
    if backend == "sqlite":
        return SqliteStore(tmp_path / "kamgraph.db")
    raise ValueError(backend)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each backend."""
    opened = make_store(request.param, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "kamgraph.db")
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def _no_ambient_db(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch a store named by the developer's environment."""
    for name in list(os.environ):
        if name.startswith("KAMGRAPH_") and name not in ("KAMGRAPH_NEO4J_PASSWORD",
                                                         "KAMGRAPH_NEO4J_URL"):
            monkeypatch.delenv(name)
