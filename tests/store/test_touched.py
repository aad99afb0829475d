"""Touched versions on every backend: which ids a write after a graph version touched
(``changed_since``), the primitive behind the analysis cache (``kamgraph.cache``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamgraph.model import Node
from kamgraph.store.base import GraphStore
from tests.store.test_contract import TERRITORY, person, rel

EVERY_ID = [n.id for n in TERRITORY[0]]


@pytest.fixture
def territory(store: GraphStore) -> GraphStore:
    store.upsert(*TERRITORY)
    return store


def changed_by(store: GraphStore, write) -> set[str]:  # type: ignore[no-untyped-def]
    """The ids (among all the territory's, and a few never stored) that ``write`` touched."""
    version = store.graph_version()
    assert store.changed_since(EVERY_ID, version) == set()
    write()
    return store.changed_since([*EVERY_ID, "s-new", "o-new", "ghost"], version)


def test_the_first_write_touches_every_node_it_names(store: GraphStore) -> None:
    version = store.graph_version()
    store.upsert(*TERRITORY)
    assert store.changed_since(EVERY_ID, version) == set(EVERY_ID)
    assert store.changed_since(EVERY_ID, store.graph_version()) == set()


def test_upserting_a_node_touches_it_only(territory: GraphStore) -> None:
    assert changed_by(territory, lambda: territory.upsert([person("s-b", "B", stance="champion")])
                      ) == {"s-b"}


def test_a_new_node_is_touched(territory: GraphStore) -> None:
    assert changed_by(territory, lambda: territory.upsert([person("s-new", "New")])) == {"s-new"}


def test_upserting_a_relationship_touches_both_ends(territory: GraphStore) -> None:
    assert changed_by(territory, lambda: territory.upsert(
        [], [rel("INFLUENCES", "s-e", "s-d", weight=0.3)])) == {"s-e", "s-d"}


def test_updating_a_relationship_touches_both_ends(territory: GraphStore) -> None:
    assert changed_by(territory, lambda: territory.upsert(
        [], [rel("RELATES_TO", "am-2", "s-c", stage="advocate")])) == {"am-2", "s-c"}


def test_a_new_node_tied_in_touches_the_node_it_is_tied_to(territory: GraphStore) -> None:
    assert changed_by(territory, lambda: territory.upsert(
        [Node("Organization", "o-new", "New Clinic", {"type": "clinic"})],
        [rel("LOCATED_IN", "o-new", "tr-c1")])) == {"o-new", "tr-c1"}


def test_deleting_a_relationship_touches_both_ends(territory: GraphStore) -> None:
    assert changed_by(territory, lambda: territory.delete_relationship(
        ("KNOWS", "s-e", "s-b", ""))) == {"s-b", "s-e"}


def test_deleting_a_missing_relationship_touches_nothing(territory: GraphStore) -> None:
    assert changed_by(territory, lambda: territory.delete_relationship(
        ("KNOWS", "s-a", "s-e", ""))) == set()


def test_deleting_a_node_touches_it_and_its_former_neighbours(territory: GraphStore) -> None:
    # s-a: WORKS_AT o-h1, INFLUENCES s-b, INFLUENCES from s-c, ALIGNED_WITH o-comp, ROLE_IN t1
    assert changed_by(territory, lambda: territory.delete_node("s-a")) == {
        "s-a", "o-h1", "s-b", "s-c", "o-comp", "t1"}


def test_a_deleted_node_stays_reported_after_later_writes(territory: GraphStore) -> None:
    version = territory.graph_version()
    territory.delete_node("s-e")
    territory.upsert([person("s-new", "New")])
    assert territory.changed_since(["s-e", "s-a", "s-b"], version) == {"s-e", "s-b"}
    assert territory.changed_since(["s-e"], territory.graph_version()) == set()


def test_deleting_a_missing_node_touches_nothing(territory: GraphStore) -> None:
    assert changed_by(territory, lambda: territory.delete_node("ghost")) == set()


def test_a_rolled_back_write_touches_nothing(territory: GraphStore) -> None:
    def failing() -> None:
        with pytest.raises(RuntimeError), territory.transaction() as tx:
            tx.upsert_nodes([person("s-a", "Changed")])
            raise RuntimeError("connection lost")

    assert changed_by(territory, failing) == set()


def test_only_writes_after_the_version_count(territory: GraphStore) -> None:
    territory.upsert([person("s-a", "A")])
    middle = territory.graph_version()
    territory.upsert([person("s-b", "B")])
    assert territory.changed_since(["s-a", "s-b"], middle) == {"s-b"}
    assert territory.changed_since(["s-a", "s-b"], middle - 1) == {"s-a", "s-b"}


def test_more_touched_than_asked_about_looks_the_ids_up(territory: GraphStore) -> None:
    # Twenty ids were touched since the start, more than asked: the lookup goes by id.
    assert territory.changed_since(["s-a", "ghost"], 0) == {"s-a"}
    assert territory.changed_since([], 0) == set()


def test_thousands_of_ids_in_one_call(store: GraphStore) -> None:
    people = [person(f"s-{i:05d}", f"P{i}") for i in range(3000)]
    store.upsert(people)
    version = store.graph_version()
    store.upsert([person("s-01234", "Changed")], [rel("KNOWS", "s-00007", "s-02999")])
    ids = {p.id for p in people}
    assert store.changed_since(ids, version) == {"s-01234", "s-00007", "s-02999"}
    assert store.changed_since(ids, 0) == ids


def test_touched_versions_are_not_properties(territory: GraphStore) -> None:
    territory.upsert([person("s-a", "Dr. Anna Orlova", tier=1)])
    assert territory.get_node("s-a") == person(
        "s-a", "Dr. Anna Orlova", category="vip", stance="supporter", tags=["cardio"], tier=1)
    assert territory.whole_graph().nodes["s-a"] == {
        "label": "Stakeholder", "name": "Dr. Anna Orlova", "category": "vip",
        "stance": "supporter", "tags": ["cardio"], "tier": 1}
    assert territory.delete_node("s-e")
    assert territory.counts().labels["Stakeholder"] == 4  # a tombstone is no node
    assert "s-e" not in {n.id for n in territory.iter_nodes()}


def test_sqlite_upgrade_from_schema_3_starts_with_nothing_touched(tmp_path: Path) -> None:
    from kamgraph.store.sqlite import SqliteStore
    from tests.store.test_sqlite import file_at_schema

    path = file_at_schema(
        tmp_path / "v3.db", 3,
        "INSERT INTO nodes (id, label, name, props, search_name) VALUES "
        "('s-1', 'Stakeholder', 'Anna', '{}', 'anna'), ('s-2', 'Stakeholder', 'Boris', '{}', 'boris')",
        "UPDATE meta SET value = '7' WHERE key = 'graph_version'")
    store = SqliteStore(path)
    assert store.changed_since(["s-1", "s-2"], 0) == set()
    store.upsert([], [rel("KNOWS", "s-2", "s-1")])
    assert store.changed_since(["s-1", "s-2"], 7) == {"s-1", "s-2"}
    assert store.changed_since(["s-1", "s-2"], 8) == set()
    store.close()


def test_touches_by_type_leave_out_other_relationship_types(territory: GraphStore) -> None:
    version = territory.graph_version()
    territory.upsert([Node("Interaction", "ix-1", "Visit", {})],
                     [rel("HAD", "am-3", "ix-1"), rel("WITH", "ix-1", "s-b")])
    people = {"KNOWS", "INFLUENCES", "RELATES_TO"}
    assert territory.changed_since(["s-b", "am-3", "ix-1"], version) == {"s-b", "am-3", "ix-1"}
    assert territory.changed_since(["s-b", "am-3", "ix-1"], version, types=people) == {"ix-1"}
    assert territory.changed_since(["s-b", "am-3"], version, types={"WITH"}) == {"s-b"}
    middle = territory.graph_version()
    territory.upsert([person("s-b", "Dr. Boris Lebedev", stance="champion")])
    assert territory.changed_since(["s-b"], middle, types=set()) == {"s-b"}  # its own write counts


def test_a_deletion_touches_neighbours_by_the_types_that_went(territory: GraphStore) -> None:
    version = territory.graph_version()
    territory.delete_node("s-e")  # KNOWS s-b
    assert territory.changed_since(["s-b", "s-e"], version, types={"WORKS_AT"}) == {"s-e"}
    assert territory.changed_since(["s-b", "s-e"], version, types={"KNOWS"}) == {"s-b", "s-e"}
    # looked up by id (more was touched than asked about) gives the same
    assert territory.changed_since(["s-b"], 0, types={"KNOWS"}) == {"s-b"}
    assert territory.changed_since(["o-h2"], 0, types={"KNOWS"}) == {"o-h2"}  # its own upsert


def test_subgraph_kinds_are_the_walks_steps_and_the_ends_of_types_joining_two_labels() -> None:
    from kamgraph.store.base import subgraph_types

    joining = {"WORKS_AT", "REPORTS_TO", "INFLUENCES", "KNOWS", "ROLE_IN", "ISSUED_BY", "FOR_PRODUCT",
               "AWARDED_TO", "MADE_BY", "PART_OF", "RELATES_TO", "ALIGNED_WITH", "ATTENDED"}
    ends = {f"{name}<" for name in joining}
    # tender: out of people to their organisations, alignments, events and tenders; ties both
    # ways; out of tenders to their parts; nothing steps out of an account manager
    tender_steps = {"WORKS_AT>", "ALIGNED_WITH>", "ATTENDED>", "ROLE_IN>", "INFLUENCES>", "KNOWS>",
                    "REPORTS_TO>", "FOR_PRODUCT>", "MADE_BY>", "ISSUED_BY>", "AWARDED_TO>"}
    assert subgraph_types("tender") == ends | tender_steps
    territory_steps = {"ROLE_IN>", "ALIGNED_WITH>", "ATTENDED>", "FOR_PRODUCT>", "MADE_BY>", "ISSUED_BY>",
                       "AWARDED_TO>"}
    assert subgraph_types("territory") == ends | {"COVERS<", "LOCATED_IN<"} | territory_steps
    assert "RELATES_TO>" not in subgraph_types("paths") | subgraph_types("tender") | subgraph_types(
        "territory")


def test_a_mass_write_counts_as_touching_everything(territory: GraphStore,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from kamgraph.store import base

    version = territory.graph_version()
    monkeypatch.setattr(base, "MASS_WRITE", 2)  # an "import" of three nodes
    territory.upsert([person("s-x", "X"), person("s-y", "Y"), person("s-z", "Z")])
    monkeypatch.undo()
    assert territory.changed_since(["s-a", "t1", "ghost"], version) == {"s-a", "t1", "ghost"}
    after = territory.graph_version()
    territory.upsert([person("s-b", "B")])
    assert territory.changed_since(["s-a", "s-b"], after) == {"s-b"}  # exact again after it


def test_a_write_that_changes_nothing_touches_nothing(territory: GraphStore) -> None:
    assert changed_by(territory, lambda: territory.upsert(
        [person("s-b", "Dr. Boris Lebedev", category="hcp")],
        [rel("RELATES_TO", "am-3", "s-b", stage="engaged"), rel("KNOWS", "s-b", "s-e")])) == set()
    assert changed_by(territory, lambda: territory.upsert(
        [], [rel("RELATES_TO", "am-3", "s-b", stage="trusted")])) == {"am-3", "s-b"}
    assert changed_by(territory, lambda: territory.upsert(
        [person("s-b", "Dr. Boris Lebedev")], [rel("ROLE_IN", "s-a", "t1", role="evaluator")])) == set()
    assert changed_by(territory, lambda: territory.upsert([person("s-b", "Boris Lebedev")])) == {"s-b"}


def touched_by(store: GraphStore, write, types: set[str]) -> set[str]:  # type: ignore[no-untyped-def]
    """The ids ``write`` touched by one of ``types`` (types, or kinds with their end)."""
    version = store.graph_version()
    write()
    return store.changed_since([*EVERY_ID, "s-new"], version, types=types)


def test_each_end_of_a_relationship_is_touched_by_its_own_kind(territory: GraphStore) -> None:
    def new() -> None:
        territory.upsert([], [rel("INFLUENCES", "s-e", "s-d", weight=0.3)])

    assert touched_by(territory, new, {"INFLUENCES>"}) == {"s-e"}
    territory.delete_relationship(("INFLUENCES", "s-e", "s-d", ""))
    assert touched_by(territory, new, {"INFLUENCES<"}) == {"s-d"}
    territory.delete_relationship(("INFLUENCES", "s-e", "s-d", ""))
    assert touched_by(territory, new, {"INFLUENCES"}) == {"s-e", "s-d"}
    assert touched_by(territory, lambda: territory.delete_relationship(("INFLUENCES", "s-e", "s-d", "")),
                      {"INFLUENCES<"}) == {"s-d"}
    assert touched_by(territory, lambda: territory.upsert([], [rel("INFLUENCES", "s-e", "s-d")]),
                      {"KNOWS", "INFLUENCES<.props"}) == set()


def test_a_property_change_touches_the_start_only_for_every_kind(territory: GraphStore) -> None:
    def again() -> None:
        territory.upsert([], [rel("RELATES_TO", "am-3", "s-b", stage="trusted")])

    version = territory.graph_version()
    again()
    assert territory.changed_since(EVERY_ID, version, types={"RELATES_TO"}) == {"s-b"}
    assert territory.changed_since(EVERY_ID, version, types={"RELATES_TO>"}) == set()
    assert territory.changed_since(EVERY_ID, version) == {"am-3", "s-b"}


def test_a_deleted_nodes_neighbours_are_touched_at_their_end(territory: GraphStore) -> None:
    # s-b: INFLUENCES from s-a (s-a is its start), KNOWS to s-e (s-e its end), RELATES_TO from am-3
    gone = touched_by(territory, lambda: territory.delete_node("s-b"), {"INFLUENCES>", "KNOWS<"})
    assert gone == {"s-a", "s-e", "s-b"}  # s-b itself: its own deletion always counts
    assert territory.changed_since(["am-3"], territory.graph_version() - 1, types={"RELATES_TO<"}) == set()
    assert territory.changed_since(["am-3"], territory.graph_version() - 1,
                                   types={"RELATES_TO>"}) == {"am-3"}
