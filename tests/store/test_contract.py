"""The store contract, run once per backend: upserts, erasure, reads, paging, subgraphs."""

from __future__ import annotations

import pytest

from kamgraph.errors import ValidationFailed
from kamgraph.model import Node, Relationship
from kamgraph.store.base import GraphStore


def person(node_id: str, name: str, **props: object) -> Node:
    return Node("Stakeholder", node_id, name, dict(props))


def rel(rel_type: str, start: str, end: str, **props: object) -> Relationship:
    return Relationship(rel_type, start, end, dict(props))


# A small territory (ids are chosen so that expected sets are easy to read):
#   tr-region <- tr-d1 <- tr-c1 (PART_OF), tr-other apart
#   o-h1 in tr-c1 with department o-h1-cardio; o-min in tr-region; o-h2 in tr-other
#   s-a, s-b work in o-h1 / its department, s-d at the ministry, s-c in tr-other, s-e nowhere
TERRITORY = (
    [
        Node("Territory", "tr-region", "North Region", {"level": "region"}),
        Node("Territory", "tr-d1", "Lake District", {"level": "district"}),
        Node("Territory", "tr-c1", "Port City", {"level": "city"}),
        Node("Territory", "tr-other", "South Region", {"level": "region"}),
        Node("Organization", "o-h1", "Regional Hospital No. 1", {"type": "hospital", "beds": 600}),
        Node("Organization", "o-h1-cardio", "Cardiology, Hospital No. 1", {"type": "hospital"}),
        Node("Organization", "o-min", "Regional Health Ministry", {"type": "health_authority"}),
        Node("Organization", "o-h2", "South Hospital", {"type": "hospital"}),
        Node("Organization", "o-comp", "Rival Pharma", {"type": "competitor"}),
        Node("Product", "p1", "Rivaxan", {"inn": "rivaroxaban"}),
        Node("Tender", "t1", "Anticoagulants 2027", {"status": "evaluation", "value": 1.5e6}),
        Node("Tender", "t2", "South antibiotics", {"status": "planned"}),
        person("s-a", "Dr. Anna Orlova", category="vip", stance="supporter", tags=["cardio"]),
        person("s-b", "Dr. Boris Lebedev", category="hcp"),
        person("s-c", "Prof. Clara Weiss", category="kol"),
        person("s-d", "Dmitry Sokolov", category="official"),
        person("s-e", "Elena Frolova", category="pharmacist"),
        Node("AccountManager", "am-1", "Kate KAM", {"role": "kam"}),
        Node("AccountManager", "am-2", "Leo KAM", {"role": "kam"}),
        Node("AccountManager", "am-3", "Mia KAM", {"role": "kam"}),
    ],
    [
        rel("PART_OF", "tr-d1", "tr-region"),
        rel("PART_OF", "tr-c1", "tr-d1"),
        rel("PART_OF", "o-h1-cardio", "o-h1"),
        rel("LOCATED_IN", "o-h1", "tr-c1"),
        rel("LOCATED_IN", "o-min", "tr-region"),
        rel("LOCATED_IN", "o-h2", "tr-other"),
        rel("WORKS_AT", "s-a", "o-h1", seniority="head"),
        rel("WORKS_AT", "s-b", "o-h1-cardio", seniority="staff"),
        rel("WORKS_AT", "s-c", "o-h2"),
        rel("WORKS_AT", "s-d", "o-min", seniority="executive"),
        rel("INFLUENCES", "s-a", "s-b", weight=0.8, kind="formal"),
        rel("INFLUENCES", "s-c", "s-a", weight=0.6, kind="scientific"),
        rel("KNOWS", "s-b", "s-e", weight=0.5),
        rel("ALIGNED_WITH", "s-a", "o-comp", strength=0.4, kind="speaker"),
        rel("ISSUED_BY", "t1", "o-h1"),
        rel("ISSUED_BY", "t2", "o-h2"),
        rel("FOR_PRODUCT", "t1", "p1", lot="1"),
        rel("MADE_BY", "p1", "o-comp"),
        rel("ROLE_IN", "s-a", "t1", role="evaluator"),
        rel("ROLE_IN", "s-a", "t1", role="spec_author"),
        rel("ROLE_IN", "s-d", "t1", role="approver"),
        rel("COVERS", "am-1", "tr-d1"),
        rel("RELATES_TO", "am-2", "s-c", stage="trusted"),
        rel("RELATES_TO", "am-3", "s-b", stage="engaged"),
    ],
)


@pytest.fixture
def territory(store: GraphStore) -> GraphStore:
    store.upsert(*TERRITORY)
    return store


def edge_set(graph) -> set[tuple[str, str, str]]:
    return {(a, b, key) for a, b, key in graph.edges(keys=True)}


# -- upserts ---------------------------------------------------------------------------------
def test_upsert_creates_and_reads_back(store: GraphStore) -> None:
    store.upsert([person("s-1", "Dr. Иванова", tier=1, tags=["oncology", "kol"])])
    assert store.get_node("s-1") == person("s-1", "Dr. Иванова", tier=1, tags=["oncology", "kol"])
    assert store.get_node("s-missing") is None


def test_upsert_overwrites_given_properties_and_keeps_absent_ones(store: GraphStore) -> None:
    store.upsert([person("s-1", "Ivanova", tier=1, stance="neutral", title="Professor")])
    store.upsert([person("s-1", "Dr. Ivanova", stance="champion", specialty="oncology")])
    assert store.get_node("s-1") == person(
        "s-1", "Dr. Ivanova", tier=1, stance="champion", title="Professor", specialty="oncology")


def test_relationship_upsert_by_identity(store: GraphStore) -> None:
    store.upsert([person("s-1", "A"), person("s-2", "B")],
                 [rel("INFLUENCES", "s-1", "s-2", weight=0.5, kind="informal")])
    store.upsert([], [rel("INFLUENCES", "s-1", "s-2", weight=0.9, source="congress talk")])
    assert store.relationships_of("s-1") == [
        rel("INFLUENCES", "s-1", "s-2", weight=0.9, kind="informal", source="congress talk")]
    assert store.counts().types == {"INFLUENCES": 1}


def test_tender_roles_are_distinct_relationships(territory: GraphStore) -> None:
    roles = [r.props["role"] for r in territory.relationships_of("s-a", rel_type="ROLE_IN")]
    assert roles == ["evaluator", "spec_author"]
    territory.upsert([], [rel("ROLE_IN", "s-a", "t1", role="evaluator")])
    assert territory.counts().types["ROLE_IN"] == 3


def test_an_id_keeps_its_label(store: GraphStore) -> None:
    store.upsert([person("x-1", "A person")])
    with pytest.raises(ValidationFailed) as failed:
        store.upsert([Node("Organization", "x-1", "An org", {}), person("x-2", "B")])
    assert [(p.field, "already a Stakeholder" in p.reason) for p in failed.value.problems] == [
        ("label", True)]
    assert store.get_node("x-2") is None  # the whole batch rolled back
    assert store.get_node("x-1") == person("x-1", "A person")


def test_transaction_rolls_back_on_error(store: GraphStore) -> None:
    store.upsert([person("s-1", "A")])
    version = store.graph_version()
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.upsert_nodes([person("s-2", "B")])
        tx.upsert_relationships([rel("KNOWS", "s-1", "s-2")])
        raise RuntimeError("connection lost")
    assert store.get_node("s-2") is None
    assert store.counts().relationships == 0
    assert store.graph_version() == version


def test_graph_version_grows_with_every_write(store: GraphStore) -> None:
    first = store.graph_version()
    store.upsert([person("s-1", "A")])
    second = store.graph_version()
    store.delete_node("s-1")
    assert first < second < store.graph_version()


# -- erasure -----------------------------------------------------------------------------------
def test_delete_node_removes_it_and_all_its_relationships(territory: GraphStore) -> None:
    before = territory.counts()
    assert territory.delete_node("s-a") is True
    assert territory.get_node("s-a") is None
    assert territory.relationships_of("s-a") == []
    after = territory.counts()
    # s-a had WORKS_AT, 2 INFLUENCES, ALIGNED_WITH and 2 ROLE_IN
    assert before.relationships - after.relationships == 6
    assert after.labels["Stakeholder"] == before.labels["Stakeholder"] - 1
    assert all("s-a" not in (r.start, r.end) for r in territory.iter_relationships())


def test_delete_missing_node_says_so(store: GraphStore) -> None:
    assert store.delete_node("nobody") is False


# -- reads ---------------------------------------------------------------------------------------
def test_counts(territory: GraphStore) -> None:
    counts = territory.counts()
    assert counts.labels == {"AccountManager": 3, "Organization": 5, "Product": 1,
                             "Stakeholder": 5, "Tender": 2, "Territory": 4}
    assert counts.relationships == len(TERRITORY[1])
    assert counts.types["ROLE_IN"] == 3


def test_node_labels(territory: GraphStore) -> None:
    assert territory.node_labels(["s-a", "t1", "ghost"]) == {"s-a": "Stakeholder", "t1": "Tender"}


def test_list_nodes_pages_in_id_order(territory: GraphStore) -> None:
    people = ["s-a", "s-b", "s-c", "s-d", "s-e"]
    pages = [territory.list_nodes("Stakeholder", limit=2, offset=o) for o in (0, 2, 4, 6)]
    assert [[n.id for n in page] for page in pages] == [people[:2], people[2:4], people[4:], []]


def test_list_nodes_filters_on_properties(territory: GraphStore) -> None:
    assert [n.id for n in territory.list_nodes("Organization", where={"type": "hospital"})] == [
        "o-h1", "o-h1-cardio", "o-h2"]
    assert [n.id for n in territory.list_nodes(where={"beds": 600})] == ["o-h1"]
    assert [n.id for n in territory.list_nodes(where={"name": "Kate KAM"})] == ["am-1"]


def test_search_is_case_insensitive_in_any_script(store: GraphStore) -> None:
    store.upsert([person("s-1", "Доктор Иванова"), person("s-2", "Иван Петров"),
                  person("s-3", "د. ليلى حداد"), Node("Organization", "o-1", "Ivanovo clinic", {})])
    assert [n.id for n in store.search("ИВАН")] == ["s-2", "s-1"]  # prefix match first
    assert [n.id for n in store.search("ليلى")] == ["s-3"]
    assert [n.id for n in store.search("ivan", label="Organization")] == ["o-1"]
    assert store.search("   ") == []


def test_search_ranks_exact_name_first(store: GraphStore) -> None:
    store.upsert([person("s-1", "Anna Orlova-Smith"), person("s-2", "anna orlova")])
    assert [n.id for n in store.search("Anna Orlova")] == ["s-2", "s-1"]


def test_iterators_return_everything_in_order(territory: GraphStore) -> None:
    ids = [n.id for n in territory.iter_nodes(batch_size=3)]
    assert ids == sorted(ids) and len(ids) == 20
    identities = [r.identity for r in territory.iter_relationships(batch_size=4)]
    assert identities == sorted(identities) and len(identities) == len(TERRITORY[1])
    assert [n.id for n in territory.iter_nodes("Tender", batch_size=1)] == ["t1", "t2"]


# -- subgraphs ---------------------------------------------------------------------------------
def test_whole_graph(territory: GraphStore) -> None:
    graph = territory.whole_graph()
    assert graph.number_of_nodes() == 20
    assert graph.number_of_edges() == len(TERRITORY[1])
    assert graph.nodes["s-a"] == {"label": "Stakeholder", "name": "Dr. Anna Orlova",
                                  "category": "vip", "stance": "supporter", "tags": ["cardio"]}
    assert graph.edges["s-a", "t1", "ROLE_IN:evaluator"] == {"type": "ROLE_IN", "role": "evaluator"}
    assert graph.edges["s-a", "s-b", "INFLUENCES"]["weight"] == 0.8


def test_territory_subgraph_takes_sub_territories_and_what_is_in_them(
        territory: GraphStore) -> None:
    graph = territory.territory_subgraph("tr-region")
    assert set(graph) == {
        "tr-region", "tr-d1", "tr-c1",           # the territory and its parts
        "o-h1", "o-h1-cardio", "o-min",          # organisations there, with departments
        "s-a", "s-b", "s-d",                     # people working there
        "t1", "p1", "o-comp",                    # their tenders, products, makers
        "am-1", "am-3",                          # the KAM covering it, the KAM relating to s-b
    }
    assert ("s-a", "s-b", "INFLUENCES") in edge_set(graph)
    assert not any("s-c" in edge[:2] for edge in edge_set(graph))


def test_territory_subgraph_of_a_city(territory: GraphStore) -> None:
    graph = territory.territory_subgraph("tr-c1")
    assert set(graph) == {"tr-c1", "o-h1", "o-h1-cardio", "s-a", "s-b", "t1", "p1", "o-comp",
                          "s-d", "am-3"}


def test_neighbourhood(territory: GraphStore) -> None:
    graph = territory.neighbourhood("s-a", hops=1)
    assert set(graph) == {"s-a", "o-h1", "s-b", "s-c", "o-comp", "t1"}
    assert edge_set(graph) == {
        ("s-a", "o-h1", "WORKS_AT"), ("s-a", "s-b", "INFLUENCES"), ("s-c", "s-a", "INFLUENCES"),
        ("s-a", "o-comp", "ALIGNED_WITH"), ("s-a", "t1", "ROLE_IN:evaluator"),
        ("s-a", "t1", "ROLE_IN:spec_author"), ("t1", "o-h1", "ISSUED_BY")}
    assert "s-e" in territory.neighbourhood("s-a", hops=2)
    assert set(territory.neighbourhood("s-e", hops=0)) == {"s-e"}


def test_tender_subgraph(territory: GraphStore) -> None:
    near = {"t1", "p1", "o-comp", "o-h1", "s-a", "s-d",   # tender, product, maker, committee
            "s-b", "s-c",                                # one tie from the committee
            "o-h1-cardio", "o-h2", "o-min",              # where those people work
            "am-2", "am-3"}                              # our KAMs who relate to them
    assert set(territory.tender_subgraph("t1", hops=1)) == near
    assert set(territory.tender_subgraph("t1", hops=2)) == near | {"s-e"}


def test_subgraph_of_unknown_id_is_empty(territory: GraphStore) -> None:
    assert territory.territory_subgraph("tr-nowhere").number_of_nodes() == 0
    assert territory.tender_subgraph("t-nowhere").number_of_nodes() == 0


def test_the_64_bit_limits_round_trip(store: GraphStore) -> None:
    """The model refuses whole numbers beyond 64 bits (tests/test_model.py); the limits
    themselves are kept exactly by both stores."""
    store.upsert([Node("Organization", "o-big", "Big", {"beds": 2**63 - 1}),
                  person("s-low", "Low", badge=-(2**63))])
    assert store.get_node("o-big").props["beds"] == 2**63 - 1  # type: ignore[union-attr]
    assert store.get_node("s-low").props["badge"] == -(2**63)  # type: ignore[union-attr]
