"""The one place Cypher text becomes a query: files in ``cypher/``, loaded by name.

Each file holds one query that can be pasted into Neo4j Browser as it is. Values are
always parameters; a label or relationship type that must vary is a parameter too, used
through Cypher's dynamic ``$(...)`` syntax, and the model checks it against its fixed
lists before any query runs.

Hot queries (lookups by id, subgraph steps, the cache's version checks, search) name the index
they start from (``USING INDEX``): right after a bulk load into an empty database, the
planner's index statistics still say "empty" until Neo4j resamples them, and with those it
may scan the whole id index once per id looked up. ``tests/store/test_neo4j_plans.py`` checks
every such plan with ``EXPLAIN``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import LiteralString, cast

__all__ = ["CYPHER_DIR", "names", "query"]


def _cypher_dir() -> Path:
    packaged = Path(__file__).resolve().parents[1] / "cypher"  # in an installed wheel
    source = Path(__file__).resolve().parents[2] / "cypher"  # in a source checkout
    return packaged if packaged.is_dir() else source


CYPHER_DIR = _cypher_dir()


@functools.cache
def query(name: str) -> LiteralString:
    """The query in ``cypher/<name>.cypher``, comments and all."""
    path = CYPHER_DIR / f"{name}.cypher"
    if not path.is_file():
        raise KeyError(f"no Cypher query named {name!r} in {CYPHER_DIR}")
    return cast(LiteralString, path.read_text(encoding="utf-8"))


def names() -> list[str]:
    """Every query name there is."""
    return sorted(path.stem for path in CYPHER_DIR.glob("*.cypher"))
