"""Every Cypher file is used, every query name used exists, and every file parses on Neo4j."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kamgraph.store.cypher import CYPHER_DIR, names, query
from tests.conftest import neo4j_store

ROOT = Path(__file__).resolve().parents[2]
# Calls that take a query name: query("x"), self._read("x"), self._single("x"), ...
NAME_USE = re.compile(r"""(?:query|_read|_stream|_single)\(\s*["'](\w+)["']""")


def used_names() -> set[str]:
    sources = [*ROOT.glob("kamgraph/**/*.py"), *ROOT.glob("bench/*.py"), ROOT / "tests" / "conftest.py"]
    text = "\n".join(path.read_text(encoding="utf-8") for path in sources)
    listed = re.findall(r'"(\w+)"', text)  # names kept in tuples and maps (SCHEMA, steps)
    return set(NAME_USE.findall(text)) | (set(listed) & set(names()))


def test_the_folder_is_the_repository_cypher_folder() -> None:
    assert CYPHER_DIR == ROOT / "cypher"
    assert len(names()) >= 20


def test_every_file_is_used() -> None:
    assert set(names()) - used_names() == set()


def test_every_name_used_resolves() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in ROOT.glob("kamgraph/**/*.py"))
    for name in NAME_USE.findall(text):
        assert query(name).strip(), name


def test_unknown_name_is_an_error() -> None:
    with pytest.raises(KeyError, match="no Cypher query named 'nope'"):
        query("nope")


def test_queries_take_values_only_as_parameters() -> None:
    for name in names():
        text = query(name)
        assert "{0}" not in text and "%s" not in text and "{label}" not in text, name


def test_every_file_parses_on_neo4j() -> None:
    store = neo4j_store()
    try:
        with store._driver.session(database=store.database) as session:
            for name in names():
                session.run("EXPLAIN " + query(name)).consume()
    finally:
        store.close()


def test_relationship_upsert_has_one_branch_per_model_type() -> None:
    from kamgraph.model import REL_TYPES

    text = query("upsert_relationships")
    branches = re.findall(r"WHERE row\.type = '(\w+)'\n\s+MERGE \(a\)-\[r:(\w+) ", text)
    assert [a for a, b in branches if a == b] == list(REL_TYPES)
