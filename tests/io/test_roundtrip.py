"""Round trips: JSON and CSV exports import back to the same graph; GraphML reads in networkx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kamgraph.demo import MIN_SCALE, demo_records
from kamgraph.io import export_graph, import_path
from kamgraph.io.importer import RawRecord, import_records
from kamgraph.model import LABELS, REL_TYPES, Where
from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore

NAMES = {
    "s-ivanova": "Иванова Мария Петровна",
    "s-khatib": "د. أحمد الخطيب",
    "s-muller": "Dr. José Müller-Ñúñez",
    "s-weiss": "Prof. Clara Weiß, Ph.D. (Zürich)",
}


def person(node_id: str, **props: Any) -> dict[str, Any]:
    return {"label": "Stakeholder", "id": node_id, "name": NAMES[node_id], **props}


def node(label: str, node_id: str, name: str, **props: Any) -> dict[str, Any]:
    return {"label": label, "id": node_id, "name": name, **props}


def rel(rel_type: str, start: str, end: str, **props: Any) -> dict[str, Any]:
    return {"type": rel_type, "from": start, "to": end, **props}


# Every label and every relationship type, with properties of every kind: text with
# commas, quotes and line breaks, lists, whole numbers in number fields, dates and
# datetimes, two roles of one person in one tender, and custom text properties.
TERRITORY = {
    "nodes": [
        person("s-ivanova", category="kol", title="Head of oncology, \"RCH\"", tier=1,
               stance="champion", tags=["oncology", "breast cancer"], specialty="oncology",
               notes="Prefers morning visits.\nAsk about the congress.", email="iv@example.org",
               phone="+7 900 000-00-00", crm_id="CRM-0001"),
        person("s-khatib", category="official", stance="skeptic", tier=2),
        person("s-muller", category="procurement", stance="neutral", tags=["tenders"]),
        person("s-weiss", category="vip", stance="unknown", tier=3, title="Chief physician"),
        node("Organization", "o-rch", "Regional Clinical Hospital", type="hospital", beds=850,
             annual_budget=1250000000),
        node("Organization", "o-rch-onco", "Oncology centre, RCH", type="hospital", beds=120),
        node("Organization", "o-rival", "Rival Pharma", type="competitor"),
        node("Organization", "o-veltara", "Veltara Pharma", type="own_company"),
        node("Tender", "t-onco", "Oncology drugs 2026", status="evaluation", value=48000000.5,
             currency="RUB", announced="2026-01-15", deadline="2026-03-01T12:00:00+03:00",
             quiet_from="2026-03-01", quiet_until="2026-04-15"),
        node("Product", "p-trast", "Trastuzumab Veltara", inn="trastuzumab",
             therapeutic_area="oncology"),
        node("Territory", "tr-north", "North Region", level="region"),
        node("Territory", "tr-port", "Port City", level="city"),
        node("AccountManager", "am-kate", "Kate Smirnova", role="kam", email="kate@example.org"),
        node("AccountManager", "am-rm", "Leo Regional", role="regional_manager"),
        node("Event", "e-asco", "Oncology congress 2026", date="2026-05-30", kind="congress"),
        node("Interaction", "i-1", "Visit 2026-02-03", date="2026-02-03", channel="visit",
             summary="Discussed the tender; she wants data, not slides.", outcome="positive"),
        node("Plan", "pl-ivanova", "Ivanova to advocate", goal_stage="advocate", due="2026-12-31",
             budget=150000, purpose="Speaker at the regional school", status="active",
             steps=["Send the phase III data", "Invite to the advisory board"]),
    ],
    "relationships": [
        rel("WORKS_AT", "s-ivanova", "o-rch-onco", position="Head of department",
            seniority="head", department="Oncology", since="2015-09-01"),
        rel("WORKS_AT", "s-weiss", "o-rch", seniority="executive", since="2020-01-01",
            until="2026-12-31"),
        rel("REPORTS_TO", "s-ivanova", "s-weiss", since="2015-09-01"),
        rel("REPORTS_TO", "am-kate", "am-rm"),
        rel("INFLUENCES", "s-ivanova", "s-muller", weight=0.8, kind="scientific",
            source="congress talk"),
        rel("INFLUENCES", "s-weiss", "s-ivanova", weight=1, kind="formal"),
        rel("KNOWS", "s-khatib", "s-weiss", weight=0.5, context="alumni"),
        rel("ROLE_IN", "s-ivanova", "t-onco", role="spec_author"),
        rel("ROLE_IN", "s-ivanova", "t-onco", role="evaluator"),
        rel("ROLE_IN", "s-khatib", "t-onco", role="approver"),
        rel("ISSUED_BY", "t-onco", "o-rch"),
        rel("FOR_PRODUCT", "t-onco", "p-trast", lot="Lot 3", volume=1200, value=3.5e6),
        rel("AWARDED_TO", "t-onco", "o-veltara", value=0),
        rel("MADE_BY", "p-trast", "o-veltara"),
        rel("LOCATED_IN", "o-rch", "tr-port"),
        rel("PART_OF", "tr-port", "tr-north"),
        rel("PART_OF", "o-rch-onco", "o-rch"),
        rel("COVERS", "am-kate", "tr-north", since="2025-01-01"),
        rel("RELATES_TO", "am-kate", "s-ivanova", stage="trusted", strength=0.75,
            since="2019-03-01", last_contact="2026-02-03"),
        rel("RELATES_TO", "am-kate", "s-muller", stage="acquainted"),
        rel("ALIGNED_WITH", "s-muller", "o-rival", strength=0.6, kind="consulting"),
        rel("ALIGNED_WITH", "s-ivanova", "o-veltara", kind="speaker"),
        rel("ATTENDED", "s-ivanova", "e-asco", role="speaker"),
        rel("ATTENDED", "am-kate", "e-asco", role="participant"),
        rel("HAD", "am-kate", "i-1"),
        rel("WITH", "i-1", "s-ivanova"),
        rel("PLANS", "am-kate", "pl-ivanova"),
        rel("TARGETS", "pl-ivanova", "s-ivanova"),
    ],
}


@pytest.fixture
def source(tmp_path: Path) -> Iterator[SqliteStore]:
    """A separate embedded store loaded with :data:`TERRITORY` through an import."""
    path = tmp_path / "territory.json"
    path.write_text(json.dumps(TERRITORY, ensure_ascii=False), encoding="utf-8")
    with SqliteStore(tmp_path / "source" / "source.db") as loaded:
        import_path(loaded, path)
        yield loaded


def exported(store: GraphStore, path: Path) -> bytes:
    export_graph(store, path, "json")
    return path.read_bytes()


def test_the_territory_covers_every_label_and_type(source: SqliteStore) -> None:
    counts = source.counts()
    assert set(counts.labels) == set(LABELS)
    assert set(counts.types) == set(REL_TYPES)
    assert (counts.nodes, counts.relationships) == (17, 28)


def test_json_export_imports_back_byte_identical(source: SqliteStore, store: GraphStore,
                                                 tmp_path: Path) -> None:
    first = exported(source, tmp_path / "first.json")
    report = import_path(store, tmp_path / "first.json")
    assert (report.nodes, report.relationships) == (17, 28)
    assert exported(store, tmp_path / "second.json") == first


def test_json_export_holds_every_record_as_imported(source: SqliteStore, tmp_path: Path) -> None:
    data = json.loads(exported(source, tmp_path / "first.json"))
    assert data["nodes"] == sorted(TERRITORY["nodes"], key=lambda n: n["id"])
    assert data["relationships"] == sorted(
        TERRITORY["relationships"], key=lambda r: (r["type"], r["from"], r["to"], r.get("role", "")))


def test_csv_export_imports_back_to_the_same_json(source: SqliteStore, store: GraphStore,
                                                  tmp_path: Path) -> None:
    first = exported(source, tmp_path / "first.json")
    assert export_graph(source, tmp_path / "csv", "csv") == (17, 28)
    report = import_path(store, tmp_path / "csv")
    assert (report.nodes, report.relationships) == (17, 28)
    assert exported(store, tmp_path / "second.json") == first


def test_csv_export_is_readable_text(source: SqliteStore, tmp_path: Path) -> None:
    export_graph(source, tmp_path / "csv", "csv")
    people = (tmp_path / "csv" / "stakeholders.csv").read_text(encoding="utf-8")
    assert people.splitlines()[0].startswith("id,name,category,")
    assert "Иванова Мария Петровна" in people
    assert "oncology;breast cancer" in people
    assert "crm_id" in people.splitlines()[0]


def test_graphml_reads_in_networkx(source: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "territory.graphml"
    assert export_graph(source, path, "graphml") == (17, 28)
    graph = nx.read_graphml(path, force_multigraph=True)
    assert graph.is_directed()
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (17, 28)
    ivanova = graph.nodes["s-ivanova"]
    assert (ivanova["label"], ivanova["name"], ivanova["tier"]) == (
        "Stakeholder", "Иванова Мария Петровна", 1)
    assert ivanova["tags"] == "oncology;breast cancer"
    assert {n: graph.nodes[n]["label"] for n in ("o-rch", "t-onco", "pl-ivanova")} == {
        "o-rch": "Organization", "t-onco": "Tender", "pl-ivanova": "Plan"}
    roles = sorted(data["role"] for _, _, data in graph.edges("s-ivanova", data=True)
                   if data["type"] == "ROLE_IN")
    assert roles == ["evaluator", "spec_author"]
    influences = graph.get_edge_data("s-weiss", "s-ivanova")
    assert [(e["type"], e["weight"]) for e in influences.values()] == [("INFLUENCES", 1.0)]
    assert sorted({e["type"] for _, _, e in graph.edges(data=True)}) == sorted(REL_TYPES)


def test_unicode_names_survive_every_format(source: SqliteStore, store: GraphStore,
                                            tmp_path: Path) -> None:
    export_graph(source, tmp_path / "first.json", "json")
    export_graph(source, tmp_path / "csv", "csv")
    export_graph(source, tmp_path / "t.graphml", "graphml")
    graph = nx.read_graphml(tmp_path / "t.graphml", force_multigraph=True)
    assert {n: graph.nodes[n]["name"] for n in NAMES} == NAMES
    import_path(store, tmp_path / "csv")
    assert {n: store.get_node(n).name for n in NAMES} == NAMES  # type: ignore[union-attr]
    second = SqliteStore(tmp_path / "second" / "second.db")
    with second:
        import_path(second, tmp_path / "first.json")
        assert {n: second.get_node(n).name for n in NAMES} == NAMES  # type: ignore[union-attr]


def test_custom_properties_survive_json_round_trip(store: GraphStore, tmp_path: Path) -> None:
    custom = {"crm_id": "CRM-0042", "visits_2025": 7, "share": 0.35, "key_person": True,
              "languages": ["ru", "ar", "fr"], "nickname": "Доктор «Ю»"}
    path = tmp_path / "custom.json"
    path.write_text(json.dumps({"nodes": [person("s-muller", stance="neutral", **custom)],
                                "relationships": []}, ensure_ascii=False), encoding="utf-8")
    import_path(store, path)
    first = exported(store, tmp_path / "first.json")
    assert json.loads(first)["nodes"] == [person("s-muller", stance="neutral", **custom)]
    with SqliteStore(tmp_path / "second" / "second.db") as second:
        import_path(second, tmp_path / "first.json")
        assert second.get_node("s-muller").props == {  # type: ignore[union-attr]
            "stance": "neutral", **custom}
        assert exported(second, tmp_path / "second.json") == first


def test_empty_store_round_trips(store: GraphStore, tmp_path: Path) -> None:
    first = exported(store, tmp_path / "first.json")
    assert json.loads(first) == {"nodes": [], "relationships": []}
    assert import_path(store, tmp_path / "first.json").as_dict() == {
        "nodes": 0, "relationships": 0, "written": True, "problems": []}
    assert exported(store, tmp_path / "second.json") == first


# -- the demo territory ---------------------------------------------------------------------

def test_demo_territory_round_trips(store: GraphStore, tmp_path: Path) -> None:
    records = demo_records(MIN_SCALE, seed=42, today=date(2026, 3, 1))
    import_records(store, (RawRecord("node" if "label" in r else "relationship", r,
                                     Where("demo", "generated")) for r in records))
    counts = store.counts()
    assert counts.labels["Stakeholder"] == MIN_SCALE
    first = exported(store, tmp_path / "first.json")
    export_graph(store, tmp_path / "csv", "csv")
    with SqliteStore(tmp_path / "json" / "copy.db") as copy:
        import_path(copy, tmp_path / "first.json")
        assert copy.counts() == counts
        assert exported(copy, tmp_path / "second.json") == first
    with SqliteStore(tmp_path / "csv-copy" / "copy.db") as copy:
        import_path(copy, tmp_path / "csv")
        assert exported(copy, tmp_path / "third.json") == first


def test_demo_exports_identically_from_both_stores(tmp_path: Path) -> None:
    """The same demo territory loaded into SQLite and into Neo4j exports the same JSON."""
    from tests.conftest import make_store

    exports = []
    for backend in ("sqlite", "neo4j"):
        store = make_store(backend, tmp_path)
        records = demo_records(600, seed=7, today=date(2026, 11, 28))
        import_records(store, (RawRecord("node" if "label" in r else "relationship", r,
                                         Where("demo", "generated")) for r in records))
        target = tmp_path / f"{backend}.json"
        export_graph(store, target, "json")
        store.close()
        exports.append(target.read_bytes())
    assert exports[0] == exports[1]
    assert exports[0].count(b'"label": "Stakeholder"') == 600


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_tells_progress(tmp_path: Path, fmt: str) -> None:
    store = SqliteStore(tmp_path / "p.db")
    records = demo_records(MIN_SCALE, seed=3, today=date(2026, 11, 28))
    import_records(store, (RawRecord("node" if "label" in r else "relationship", r,
                                     Where("demo", "generated")) for r in records))
    told: list[tuple[str, int]] = []
    nodes, rels = export_graph(store, tmp_path / f"out.{fmt}", fmt,
                               progress=lambda phase, done: told.append((phase, done)))
    store.close()
    counts = [done for phase, done in told if phase == "writing"]
    every_5000 = list(range(5_000, nodes + rels + 1, 5_000))
    # JSON also tells the final count; CSV tells every 5,000 records written.
    assert counts == ([*every_5000, nodes + rels] if fmt == "json" else every_5000)
