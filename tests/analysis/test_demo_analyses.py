"""Coverage, power and plans on the default demo territory, loaded through a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import networkx as nx
import pytest

from kamgraph.analysis.coverage import coverage_report
from kamgraph.analysis.plans import plan_status
from kamgraph.analysis.power import brokers, factions, what_if
from kamgraph.demo import demo_records
from kamgraph.io.importer import RawRecord, Where, import_records
from kamgraph.store.sqlite import SqliteStore

TODAY = date(2026, 11, 28)
REGION = "tr-000001"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[nx.MultiDiGraph, nx.MultiDiGraph]]:
    """(territory subgraph of the region, whole graph) of ``demo_records(500, seed=42)``."""
    records = demo_records(500, seed=42, today=TODAY)
    raw = (RawRecord("node" if "label" in r else "relationship", r, Where("demo", "generated"))
           for r in records)
    with SqliteStore(Path(tmp_path_factory.mktemp("demo")) / "kamgraph.db") as store:
        import_records(store, raw)
        assert store.get_node(REGION).label == "Territory"
        yield store.territory_subgraph(REGION), store.whole_graph()


def test_demo_territory_every_analysis_answers(demo: tuple[nx.MultiDiGraph, nx.MultiDiGraph]) -> None:
    territory, whole = demo
    report = coverage_report(territory, REGION, as_of=TODAY, compare=date(2026, 1, 1), top=10)
    assert report["people"] >= 400
    assert 0 < report["coverage_headcount"] < report["coverage_weighted"] < 1  # we know the VIPs
    assert len(report["gaps"]) == 10
    importances = [gap["importance"] for gap in report["gaps"]]
    assert importances == sorted(importances, reverse=True)
    assert len(report["by_account_manager"]) >= 3 and report["by_organization"]
    assert report["competitor_entrenched"] and report["stale"]
    assert report["compare"]["people"] < report["people"]  # announced appointments, new hires

    top_brokers = brokers(territory, as_of=TODAY)["items"]
    assert len(top_brokers) == 10 and top_brokers[0]["score"] > 0
    groups = factions(territory, as_of=TODAY)["factions"]
    assert len(groups) >= 2
    assert sum(group["influence_share"] for group in groups) == pytest.approx(1.0)

    tender = next(n for n, attrs in territory.nodes(data=True) if attrs["label"] == "Tender")
    holder = next(p for p, _, kind in territory.in_edges(tender, data="type") if kind == "ROLE_IN")
    tender_change = what_if(territory, holder, as_of=TODAY, tender_id=tender)
    assert tender_change["changes"] and tender_change["scope"] == {"tender": tender}
    territory_change = what_if(territory, top_brokers[0]["id"], as_of=TODAY, territory_id=REGION)
    assert territory_change["changes"][0]["delta"] != 0

    plans = plan_status(whole, as_of=TODAY)["items"]
    assert plans and all(item["stakeholder"] and item["account_manager"] for item in plans)
    assert {item["current_stage"] for item in plans} - {"unknown"}
