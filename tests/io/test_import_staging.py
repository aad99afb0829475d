"""The import's staging file keeps values exactly, across batches, however they are stored there.

Properties are staged pickled (not as JSON text) for speed; these tests pin that every kind of
value kamgraph keeps comes out of the staging file unchanged, that duplicates spread over
batches still merge (or conflict) as before, and that records stay easy to build.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kamgraph.errors import ValidationFailed
from kamgraph.io import import_path
from kamgraph.io.importer import RawRecord, import_records
from kamgraph.model import Where
from kamgraph.store.base import GraphStore

ODD_VALUES: dict[str, Any] = {
    "flag": True, "big": 2**53 + 1, "ratio": 0.1 + 0.2, "whole": 3.0, "text": "Ивáнова ☕ 🩺",
    "words": ["a,b", "ç"], "zero": 0, "negative": -7.25,
}


def _records(*raw: dict[str, Any]) -> list[RawRecord]:
    return [RawRecord("node" if "label" in r else "relationship", r, Where("test", f"r[{i}]"))
            for i, r in enumerate(raw)]


def test_every_kind_of_value_survives_the_staging_file(store: GraphStore) -> None:
    person = {"label": "Stakeholder", "id": "s-1", "name": "Dr One", "tags": ["kol", "ä"],
              "tier": 2, **ODD_VALUES}
    other = {"label": "Stakeholder", "id": "s-2", "name": "Dr Two"}
    tie = {"type": "INFLUENCES", "from": "s-1", "to": "s-2", "weight": 0.35, **ODD_VALUES}
    import_records(store, _records(person, other, tie), batch_size=1)
    stored = store.get_node("s-1")
    assert stored is not None
    assert stored.props == {"tags": ["kol", "ä"], "tier": 2, **ODD_VALUES}
    assert [type(stored.props[k]) for k in ("big", "flag", "whole")] == [int, bool, float]
    [rel] = store.relationships_of("s-2")
    assert rel.props == {"weight": 0.35, **ODD_VALUES}


def test_duplicates_in_different_batches_merge(store: GraphStore) -> None:
    first = {"label": "Stakeholder", "id": "s-1", "name": "Dr One", "stance": "champion"}
    again = {"label": "Stakeholder", "id": "s-1", "name": "Dr One", "tier": 1}
    other = {"label": "Stakeholder", "id": "s-2", "name": "Dr Two"}
    knows = {"type": "KNOWS", "from": "s-2", "to": "s-1", "weight": 0.5}
    knows_again = {"type": "KNOWS", "from": "s-1", "to": "s-2", "context": "alumni"}
    report = import_records(store, _records(first, other, again, knows, knows_again), batch_size=2)
    assert (report.nodes, report.relationships) == (2, 1)
    node = store.get_node("s-1")
    assert node is not None and node.props == {"stance": "champion", "tier": 1}
    [rel] = store.relationships_of("s-1")
    assert (rel.start, rel.end, rel.props) == ("s-1", "s-2", {"context": "alumni", "weight": 0.5})


def test_a_conflict_across_batches_names_both_places(store: GraphStore) -> None:
    first = {"label": "Stakeholder", "id": "s-1", "name": "Dr One", "stance": "champion"}
    other = {"label": "Stakeholder", "id": "s-2", "name": "Dr Two"}
    again = {"label": "Stakeholder", "id": "s-1", "name": "Dr One", "stance": "opponent"}
    with pytest.raises(ValidationFailed) as failed:
        import_records(store, _records(first, other, again), batch_size=1)
    assert [str(p) for p in failed.value.problems] == [
        "test, r[2]: stance: conflicting duplicate: id s-1 has stance 'champion' at test, r[0], "
        "here 'opponent'"]
    assert store.get_node("s-1") is None


def test_a_json_file_with_a_non_object_record(sqlite_store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"nodes": [{"label": "Stakeholder", "id": "s-1", "name": "A"}, 7]}))
    with pytest.raises(ValidationFailed) as failed:
        import_path(sqlite_store, path)
    assert [str(p) for p in failed.value.problems] == ["odd.json, nodes[1]: must be a JSON object"]


def test_raw_records_are_built_by_position_or_name() -> None:
    where = Where("f.csv", "row 2")
    record = RawRecord(kind="node", data={"id": "x"}, where=where)
    assert record == RawRecord("node", {"id": "x"}, where, False)
    assert (record.kind, record.from_text) == ("node", False)
    assert RawRecord("node", {}, where, from_text=True).from_text is True
