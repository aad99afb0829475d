"""Deleting one relationship by identity, on every backend (the contract suite's territory)."""

from __future__ import annotations

import pytest

from kamgraph.model import Relationship
from kamgraph.store.base import GraphStore, WriteTransaction
from tests.store.test_contract import TERRITORY, rel


@pytest.fixture
def territory(store: GraphStore) -> GraphStore:
    store.upsert(*TERRITORY)
    return store


def test_deletes_exactly_that_relationship(territory: GraphStore) -> None:
    before = territory.counts()
    version = territory.graph_version()
    assert territory.delete_relationship(("INFLUENCES", "s-a", "s-b", "")) is True
    assert territory.relationships_of("s-b") == [
        rel("KNOWS", "s-b", "s-e", weight=0.5),
        rel("RELATES_TO", "am-3", "s-b", stage="engaged"),
        rel("WORKS_AT", "s-b", "o-h1-cardio", seniority="staff")]
    after = territory.counts()
    assert after.types["INFLUENCES"] == before.types["INFLUENCES"] - 1
    assert after.labels == before.labels and after.relationships == before.relationships - 1
    assert territory.graph_version() == version + 1


def test_a_missing_relationship_is_false(territory: GraphStore) -> None:
    before = territory.counts()
    assert territory.delete_relationship(("INFLUENCES", "s-b", "s-a", "")) is False  # reversed
    assert territory.delete_relationship(("WORKS_AT", "s-a", "o-nowhere", "")) is False
    assert territory.counts() == before


def test_the_role_of_a_tender_role_is_part_of_the_identity(territory: GraphStore) -> None:
    assert territory.delete_relationship(("ROLE_IN", "s-a", "t1", "approver")) is False
    assert territory.delete_relationship(("ROLE_IN", "s-a", "t1", "evaluator")) is True
    assert territory.relationships_of("s-a", rel_type="ROLE_IN") == [
        rel("ROLE_IN", "s-a", "t1", role="spec_author")]


def test_a_symmetric_relationship_is_found_either_way_round(territory: GraphStore) -> None:
    assert territory.delete_relationship(("KNOWS", "s-e", "s-b", "")) is True
    assert territory.relationships_of("s-e") == []


def test_it_rolls_back_with_its_transaction(territory: GraphStore) -> None:
    version = territory.graph_version()

    def work(tx: WriteTransaction) -> None:
        assert tx.delete_relationship(("ALIGNED_WITH", "s-a", "o-comp", "")) is True
        tx.upsert_relationships([Relationship("KNOWS", "s-a", "s-c", {"weight": 0.1})])
        raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError, match="changed my mind"):
        territory.write(work)
    assert territory.relationships_of("s-a", rel_type="ALIGNED_WITH") == [
        rel("ALIGNED_WITH", "s-a", "o-comp", strength=0.4, kind="speaker")]
    assert territory.relationships_of("s-c", rel_type="KNOWS") == []
    assert territory.graph_version() == version


def test_only_model_types_reach_the_store(territory: GraphStore) -> None:
    with pytest.raises(ValueError, match="unknown relationship type 'LIKES'"):
        territory.delete_relationship(("LIKES", "s-a", "s-b", ""))
