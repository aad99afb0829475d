"""All-or-nothing import: every problem is reported where it is, and then nothing is written.

Each failing case runs against a store that already holds a few records, and checks that
the store is exactly as before: same counts, same graph version, same JSON export bytes.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kamgraph.cli import app
from kamgraph.errors import Problem, ValidationFailed
from kamgraph.io import export_graph, import_path, read_path
from kamgraph.io.importer import MAX_PROBLEMS, import_records
from kamgraph.model import Node, Relationship
from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore

STORED_NODES = [
    Node("Stakeholder", "s-ivanova", "Dr. Ivanova", {"category": "kol", "stance": "supporter"}),
    Node("Stakeholder", "s-petrov", "Dr. Petrov", {"category": "hcp"}),
    Node("Organization", "o-rch", "Regional Clinical Hospital", {"type": "hospital"}),
    Node("Tender", "t-onco", "Oncology drugs 2026", {"status": "published"}),
]
STORED_RELATIONSHIPS = [
    Relationship("WORKS_AT", "s-ivanova", "o-rch", {"seniority": "head"}),
    Relationship("INFLUENCES", "s-ivanova", "s-petrov", {"weight": 0.8}),
]

# (location, field, phrase of the reason); the file is the one imported.
Expected = list[tuple[str, str | None, str]]


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    """A store of each backend holding a few records, so "unchanged" means something."""
    store.upsert(STORED_NODES, STORED_RELATIONSHIPS)
    return store


def state(store: GraphStore, folder: Path) -> tuple[Any, int, bytes]:
    """What must not change: counts, graph version and the JSON export, byte for byte."""
    folder.mkdir(exist_ok=True)
    export_graph(store, folder / "state.json", "json")
    return store.counts(), store.graph_version(), (folder / "state.json").read_bytes()


def assert_problems(problems: list[Problem], file: str, expected: Expected) -> None:
    """Exactly these problems (in any order), each reason holding its phrase."""
    def order(p: Problem) -> tuple[str, str, str]:
        return (p.file or "", p.location, p.field or "")

    got = sorted(problems, key=order)
    want = sorted(expected, key=lambda e: (file, e[0], e[1] or ""))
    assert [(p.file, p.location, p.field) for p in got] == [(file, loc, fld) for loc, fld, _ in want]
    for problem, (_, _, phrase) in zip(got, want, strict=True):
        assert phrase in problem.reason, problem


def refused(store: GraphStore, path: Path, tmp_path: Path) -> list[Problem]:
    """Import ``path``, expect ValidationFailed, check the store is unchanged; the problems."""
    before = state(store, tmp_path / "state")
    with pytest.raises(ValidationFailed) as failed:
        import_path(store, path)
    assert str(failed.value).endswith("found; nothing was written")
    assert state(store, tmp_path / "state") == before
    return failed.value.problems


def json_file(tmp_path: Path, nodes: Sequence[Any] = (), relationships: Sequence[Any] = (),
              ) -> Path:
    path = tmp_path / "import.json"
    path.write_text(json.dumps({"nodes": list(nodes), "relationships": list(relationships)},
                               ensure_ascii=False), encoding="utf-8")
    return path


def csv_folder(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "territory"
    folder.mkdir()
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)
    return folder


def orlova(**props: Any) -> dict[str, Any]:
    return {"label": "Stakeholder", "id": "s-orlova", "name": "Dr. Orlova", **props}


def rel(rel_type: str, start: str, end: str, **props: Any) -> dict[str, Any]:
    return {"type": rel_type, "from": start, "to": end, **props}


# -- JSON files, one rule each ----------------------------------------------------------------

JSON_CASES: dict[str, tuple[list[Any], list[Any], Expected]] = {
    "unknown-label": (
        [{"label": "Doctor", "id": "s-orlova", "name": "Dr. Orlova"}], [],
        [("nodes[0]", "label", "unknown label 'Doctor'; known: Stakeholder")]),
    "missing-label": (
        [{"id": "s-orlova", "name": "Dr. Orlova"}], [],
        [("nodes[0]", "label", "the label is missing")]),
    "unknown-type": (
        [], [rel("LIKES", "s-ivanova", "s-petrov")],
        [("relationships[0]", "type", "unknown relationship type 'LIKES'")]),
    "wrong-endpoint-label-in-store": (
        [], [rel("WORKS_AT", "s-petrov", "t-onco")],
        [("relationships[0]", "type", "WORKS_AT cannot go from Stakeholder to Tender; it goes "
                                      "Stakeholder → Organization")]),
    "wrong-endpoint-label-in-file": (
        [{"label": "Product", "id": "p-onco", "name": "Oncomab"}],
        [rel("ROLE_IN", "s-petrov", "p-onco", role="evaluator")],
        [("relationships[0]", "type", "ROLE_IN cannot go from Stakeholder to Product")]),
    "reference-to-nowhere-to": (
        [], [rel("INFLUENCES", "s-petrov", "s-ghost", weight=0.3)],
        [("relationships[0]", "to", "s-ghost is neither in the file nor in the store")]),
    "reference-to-nowhere-from": (
        [], [rel("WORKS_AT", "s-ghost", "o-rch")],
        [("relationships[0]", "from", "s-ghost is neither in the file nor in the store")]),
    "bad-enum": (
        [orlova(stance="friendly")], [],
        [("nodes[0]", "stance", "'friendly' is not one of champion, supporter")]),
    "bad-enum-on-relationship": (
        [], [rel("WORKS_AT", "s-petrov", "o-rch", seniority="boss")],
        [("relationships[0]", "seniority", "'boss' is not one of executive, head")]),
    "number-out-of-range-node": (
        [orlova(tier=4)], [],
        [("nodes[0]", "tier", "tier 4 is outside 1..3")]),
    "number-out-of-range-relationship": (
        [], [rel("INFLUENCES", "s-petrov", "s-ivanova", weight=1.5)],
        [("relationships[0]", "weight", "weight 1.5 is outside 0..1")]),
    "not-a-number": (
        [], [rel("INFLUENCES", "s-petrov", "s-ivanova", weight="0.8")],
        [("relationships[0]", "weight", "'0.8' is not a number")]),
    "bad-date": (
        [{"label": "Tender", "id": "t-cardio", "name": "Cardio 2027", "deadline": "31.12.2026"}],
        [], [("nodes[0]", "deadline", "'31.12.2026' is not an ISO 8601 date")]),
    "until-before-since": (
        [], [rel("WORKS_AT", "s-petrov", "o-rch", since="2026-01-01", until="2025-12-31")],
        [("relationships[0]", "until", "until 2025-12-31 is before since 2026-01-01")]),
    "conflicting-duplicate-node-property": (
        [orlova(stance="champion"), orlova(stance="opponent")], [],
        [("nodes[1]", "stance", "conflicting duplicate: id s-orlova has stance 'champion' at "
                                "import.json, nodes[0], here 'opponent'")]),
    "conflicting-duplicate-node-name": (
        [orlova(), {**orlova(), "name": "Dr. A. Orlova"}], [],
        [("nodes[1]", "name", "conflicting duplicate: id s-orlova is also at import.json, "
                              "nodes[0] with another name")]),
    "conflicting-duplicate-node-label": (
        [orlova(), {**orlova(), "label": "Organization"}], [],
        [("nodes[1]", "label", "conflicting duplicate: id s-orlova is also at import.json, "
                               "nodes[0] with another label")]),
    "conflicting-duplicate-relationship": (
        [], [rel("INFLUENCES", "s-petrov", "s-ivanova", weight=0.3),
             rel("INFLUENCES", "s-petrov", "s-ivanova", weight=0.9)],
        [("relationships[1]", "weight", "conflicting duplicate: INFLUENCES s-petrov → s-ivanova "
                                        "has weight 0.3 at import.json, relationships[0], here 0.9")]),
    "conflicting-duplicate-knows-either-way": (
        [], [rel("KNOWS", "s-petrov", "s-ivanova", weight=0.2),
             rel("KNOWS", "s-ivanova", "s-petrov", weight=0.7)],
        [("relationships[1]", "weight", "conflicting duplicate: KNOWS s-ivanova → s-petrov")]),
    "id-in-store-under-another-label": (
        [{"label": "Organization", "id": "s-ivanova", "name": "Ivanova Clinic"}], [],
        [("nodes[0]", "label", "id s-ivanova is already a Stakeholder in the store; ids are "
                               "unique across labels")]),
    "item-not-an-object": (
        ["s-orlova", orlova()], [["s-orlova", "s-petrov"]],
        [("nodes[0]", None, "must be a JSON object"),
         ("relationships[0]", None, "must be a JSON object")]),
    "relationship-to-a-broken-node-is-not-also-dangling": (
        [orlova(stance="friendly")], [rel("INFLUENCES", "s-orlova", "s-petrov", weight=0.5)],
        [("nodes[0]", "stance", "'friendly' is not one of")]),
    "bad-custom-property": (
        [orlova(**{"crm id": "77", "address": {"city": "Kazan"}})], [],
        [("nodes[0]", "crm id", "is not a property name"),
         ("nodes[0]", "address", "is not a value kamgraph keeps")]),
}


@pytest.mark.parametrize("case", JSON_CASES)
def test_json_problem_is_reported_and_nothing_written(
        case: str, loaded: GraphStore, tmp_path: Path) -> None:
    nodes, relationships, expected = JSON_CASES[case]
    problems = refused(loaded, json_file(tmp_path, nodes, relationships), tmp_path)
    assert_problems(problems, "import.json", expected)


@pytest.mark.parametrize(("text", "phrase"), [
    ('{"nodes": [{"label": "Stakeholder", "id": "s-orlova", "name": "Dr. Orlova"},',
     "is not valid JSON"),
    ('{"nodes": [{"label": "Stakeholder" "id": "s-orlova"}]}', "is not valid JSON"),
    ("", "is not valid JSON"),
    ('{"people": [{"label": "Stakeholder", "id": "s-orlova", "name": "Dr. Orlova"}]}',
     'has no "nodes" or "relationships" list'),
    ('[{"label": "Stakeholder", "id": "s-orlova", "name": "Dr. Orlova"}]',
     'has no "nodes" or "relationships" list'),
], ids=["truncated", "missing-comma", "empty", "no-lists", "top-level-list"])
def test_unreadable_json_file(text: str, phrase: str, loaded: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "import.json"
    path.write_text(text, encoding="utf-8")
    assert_problems(refused(loaded, path, tmp_path), "import.json", [("file", None, phrase)])


def test_malformed_json_after_good_records_writes_nothing(loaded: GraphStore, tmp_path: Path
                                                          ) -> None:
    good = json.dumps(orlova())
    path = tmp_path / "import.json"
    path.write_text('{"nodes": [' + ",\n".join([good] * 3) + ',\n{"label": ]}', encoding="utf-8")
    assert_problems(refused(loaded, path, tmp_path), "import.json",
                    [("file", None, "is not valid JSON")])


def test_file_that_is_not_json_nor_a_folder(loaded: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "import.xlsx"
    path.write_bytes(b"PK\x03\x04")
    assert_problems(refused(loaded, path, tmp_path), "import.xlsx",
                    [("file", None, "is neither a .json file nor a folder of CSV files")])


# -- JSON files that are accepted -----------------------------------------------------------

def test_reference_to_an_id_in_the_store_is_accepted(loaded: GraphStore, tmp_path: Path) -> None:
    path = json_file(tmp_path, [orlova(stance="champion")], [
        rel("INFLUENCES", "s-orlova", "s-ivanova", weight=0.6),
        rel("WORKS_AT", "s-orlova", "o-rch", seniority="staff"),
        rel("ROLE_IN", "s-petrov", "t-onco", role="evaluator"),
    ])
    report = import_path(loaded, path)
    assert (report.nodes, report.relationships, report.written) == (1, 3, True)
    assert loaded.counts().relationships == len(STORED_RELATIONSHIPS) + 3
    assert loaded.counts().labels["Stakeholder"] == 3
    roles = [r for r in loaded.iter_relationships() if r.type == "ROLE_IN"]
    assert [r.record() for r in roles] == [
        {"type": "ROLE_IN", "from": "s-petrov", "to": "t-onco", "role": "evaluator"}]


def test_consistent_duplicates_merge(loaded: GraphStore, tmp_path: Path) -> None:
    path = json_file(tmp_path, [
        orlova(stance="champion"),
        orlova(stance="champion", specialty="oncology"),
        orlova(tags=["breast cancer"]),
    ], [
        rel("KNOWS", "s-orlova", "s-petrov", weight=0.4),
        rel("KNOWS", "s-petrov", "s-orlova", context="alumni"),
        rel("ROLE_IN", "s-orlova", "t-onco", role="evaluator"),
        rel("ROLE_IN", "s-orlova", "t-onco", role="spec_author"),
    ])
    report = import_path(loaded, path)
    assert (report.nodes, report.relationships) == (1, 3)
    assert loaded.get_node("s-orlova") == Node("Stakeholder", "s-orlova", "Dr. Orlova", {
        "stance": "champion", "specialty": "oncology", "tags": ["breast cancer"]})
    mine = sorted((r.record() for r in loaded.iter_relationships()
                   if "s-orlova" in (r.start, r.end)), key=lambda r: (r["type"], r.get("role", "")))
    assert mine == [
        {"type": "KNOWS", "from": "s-orlova", "to": "s-petrov", "context": "alumni", "weight": 0.4},
        {"type": "ROLE_IN", "from": "s-orlova", "to": "t-onco", "role": "evaluator"},
        {"type": "ROLE_IN", "from": "s-orlova", "to": "t-onco", "role": "spec_author"},
    ]


def test_duplicates_merge_across_batches(loaded: GraphStore, tmp_path: Path) -> None:
    path = json_file(tmp_path, [orlova(stance="champion"), {"label": "Product", "id": "p-1",
                                                             "name": "Oncomab"},
                                orlova(specialty="oncology")],
                     [rel("INFLUENCES", "s-orlova", "s-petrov", weight=0.5),
                      rel("INFLUENCES", "s-orlova", "s-petrov", kind="scientific")])
    import_records(loaded, read_path(path), batch_size=2)
    assert loaded.get_node("s-orlova") == Node("Stakeholder", "s-orlova", "Dr. Orlova",
                                               {"stance": "champion", "specialty": "oncology"})
    influences = [r for r in loaded.iter_relationships() if r.start == "s-orlova"]
    assert [r.props for r in influences] == [{"kind": "scientific", "weight": 0.5}]


def test_conflicting_duplicates_across_batches(loaded: GraphStore, tmp_path: Path) -> None:
    path = json_file(tmp_path, [orlova(stance="champion"), {"label": "Product", "id": "p-1",
                                                             "name": "Oncomab"},
                                orlova(stance="skeptic")],
                     [rel("INFLUENCES", "s-orlova", "s-petrov", weight=0.5),
                      rel("INFLUENCES", "s-orlova", "s-petrov", weight=0.6)])
    before = state(loaded, tmp_path / "state")
    with pytest.raises(ValidationFailed) as failed:
        import_records(loaded, read_path(path), batch_size=2)
    assert state(loaded, tmp_path / "state") == before
    assert_problems(failed.value.problems, "import.json", [
        ("nodes[2]", "stance", "conflicting duplicate: id s-orlova has stance 'champion' at "
                               "import.json, nodes[0], here 'skeptic'"),
        ("relationships[1]", "weight", "has weight 0.5 at import.json, relationships[0], here 0.6"),
    ])


def test_import_updates_stored_nodes_without_losing_properties(loaded: GraphStore, tmp_path: Path
                                                               ) -> None:
    import_path(loaded, json_file(tmp_path, [{"label": "Stakeholder", "id": "s-ivanova",
                                              "name": "Dr. Ivanova", "tier": 1}]))
    assert loaded.get_node("s-ivanova") == Node("Stakeholder", "s-ivanova", "Dr. Ivanova", {
        "category": "kol", "stance": "supporter", "tier": 1})


def test_too_many_problems_are_counted(loaded: GraphStore, tmp_path: Path) -> None:
    path = json_file(tmp_path, [orlova(id=f"s-{i}", stance="friendly")
                                for i in range(MAX_PROBLEMS + 5)])
    before = state(loaded, tmp_path / "state")
    with pytest.raises(ValidationFailed) as failed:
        import_path(loaded, path)
    assert (len(failed.value.problems), failed.value.more) == (MAX_PROBLEMS, 5)
    assert str(failed.value) == f"{MAX_PROBLEMS + 5} problems found; nothing was written"
    assert state(loaded, tmp_path / "state") == before


# -- dry run --------------------------------------------------------------------------------

def test_dry_run_writes_nothing_but_reports_counts(loaded: GraphStore, tmp_path: Path) -> None:
    path = json_file(tmp_path, [orlova(), {"label": "Product", "id": "p-1", "name": "Oncomab"}], [
        rel("INFLUENCES", "s-orlova", "s-ivanova", weight=0.6),
        rel("WORKS_AT", "s-orlova", "o-rch"),
        rel("FOR_PRODUCT", "t-onco", "p-1", lot="1"),
    ])
    before = state(loaded, tmp_path / "state")
    report = import_path(loaded, path, dry_run=True)
    assert report.as_dict() == {"nodes": 2, "relationships": 3, "written": False, "problems": []}
    assert state(loaded, tmp_path / "state") == before
    assert import_path(loaded, path).written is True
    assert loaded.counts().nodes == len(STORED_NODES) + 2


def test_dry_run_still_reports_problems(loaded: GraphStore, tmp_path: Path) -> None:
    path = json_file(tmp_path, [orlova(tier=0)])
    with pytest.raises(ValidationFailed) as failed:
        import_path(loaded, path, dry_run=True)
    assert_problems(failed.value.problems, "import.json", [("nodes[0]", "tier", "is outside 1..3")])


def test_csv_dry_run_writes_nothing(loaded: GraphStore, tmp_path: Path) -> None:
    folder = csv_folder(tmp_path, {"stakeholders.csv": "id,name\ns-orlova,Dr. Orlova\n",
                                   "relationships.csv": "type,from,to\nKNOWS,s-orlova,s-petrov\n"})
    before = state(loaded, tmp_path / "state")
    report = import_path(loaded, folder, dry_run=True)
    assert (report.nodes, report.relationships, report.written) == (1, 1, False)
    assert state(loaded, tmp_path / "state") == before


# -- CSV folders, one rule each -------------------------------------------------------------

S_HEAD = "id,name,category,tier,stance\n"
R_HEAD = "type,from,to,weight,since,until\n"

CSV_CASES: dict[str, tuple[dict[str, str | bytes], str, Expected]] = {
    "unknown-file-name": (
        {"stakeholders.csv": S_HEAD + "s-orlova,Dr. Orlova,kol,1,\n",
         "doctors.csv": "id,name\nd-1,Dr. Who\n"},
        "doctors.csv", [("file", None, "is not a kamgraph file; known: account_managers.csv")]),
    "unknown-type": (
        {"relationships.csv": R_HEAD + "LIKES,s-ivanova,s-petrov,,,\n"},
        "relationships.csv", [("row 2", "type", "unknown relationship type 'LIKES'")]),
    "wrong-endpoint-label": (
        {"relationships.csv": "type,from,to\nWORKS_AT,s-petrov,t-onco\n"},
        "relationships.csv", [("row 2", "type", "WORKS_AT cannot go from Stakeholder to Tender")]),
    "reference-to-nowhere": (
        {"relationships.csv": R_HEAD + "INFLUENCES,s-petrov,s-ivanova,0.5,,\n"
                                       "INFLUENCES,s-ghost,s-petrov,0.5,,\n"},
        "relationships.csv", [("row 3", "from", "s-ghost is neither in the file nor in the store")]),
    "bad-enum": (
        {"stakeholders.csv": S_HEAD + "s-orlova,Dr. Orlova,kol,1,friendly\n"},
        "stakeholders.csv", [("row 2", "stance", "'friendly' is not one of champion")]),
    "number-out-of-range": (
        {"stakeholders.csv": S_HEAD + "s-orlova,Dr. Orlova,kol,4,\n"},
        "stakeholders.csv", [("row 2", "tier", "tier 4 is outside 1..3")]),
    "weight-out-of-range": (
        {"relationships.csv": R_HEAD + "KNOWS,s-petrov,s-ivanova,1.5,,\n"},
        "relationships.csv", [("row 2", "weight", "weight 1.5 is outside 0..1")]),
    "not-a-number": (
        {"stakeholders.csv": S_HEAD + "s-orlova,Dr. Orlova,kol,first,\n"},
        "stakeholders.csv", [("row 2", "tier", "'first' is not a whole number")]),
    "thousands-or-decimal": (
        {"tenders.csv": "id,name,status,value\nt-cardio,Cardio 2027,planned,\"1,500\"\n"},
        "tenders.csv", [("row 2", "value", "'1,500' could be a thousands separator or a decimal "
                                           "comma: write 1500 or 1.500")]),
    "month-or-day-first": (
        {"tenders.csv": "id,name,status,deadline\nt-cardio,Cardio 2027,planned,12/31/2026\n"},
        "tenders.csv", [("row 2", "deadline", "'12/31/2026' could be day/month or month/day: "
                                              "write it as 2026-03-31 (or 31.03.2026)")]),
    "no-such-day": (
        {"tenders.csv": "id,name,status,deadline\nt-cardio,Cardio 2027,planned,31.02.2026\n"},
        "tenders.csv", [("row 2", "deadline", "'31.02.2026' is not a date (day.month.year)")]),
    "until-before-since": (
        {"relationships.csv": R_HEAD + "INFLUENCES,s-petrov,s-ivanova,,2026-03-01,2026-02-01\n"},
        "relationships.csv", [("row 2", "until", "until 2026-02-01 is before since 2026-03-01")]),
    "conflicting-duplicate-node": (
        {"stakeholders.csv": S_HEAD + "s-orlova,Dr. Orlova,kol,1,champion\n"
                                      "s-orlova,Dr. Orlova,kol,1,opponent\n"},
        "stakeholders.csv", [("row 3", "stance", "conflicting duplicate: id s-orlova has stance "
                                                 "'champion' at stakeholders.csv, row 2, here "
                                                 "'opponent'")]),
    "conflicting-duplicate-relationship": (
        {"relationships.csv": R_HEAD + "INFLUENCES,s-petrov,s-ivanova,0.3,,\n"
                                       "INFLUENCES,s-petrov,s-ivanova,0.9,,\n"},
        "relationships.csv", [("row 3", "weight", "conflicting duplicate: INFLUENCES s-petrov → "
                                                  "s-ivanova has weight 0.3 at relationships.csv, "
                                                  "row 2, here 0.9")]),
    "duplicate-id-across-files": (
        {"stakeholders.csv": S_HEAD + "s-orlova,Dr. Orlova,kol,1,\n",
         "organizations.csv": "id,name,type\ns-orlova,Dr. Orlova,clinic\n"},
        "organizations.csv", [("row 2", "label", "conflicting duplicate: id s-orlova is also at "
                                                 "stakeholders.csv, row 2 with another label")]),
    "id-in-store-under-another-label": (
        {"organizations.csv": "id,name,type\ns-ivanova,Ivanova Clinic,clinic\n"},
        "organizations.csv", [("row 2", "label", "id s-ivanova is already a Stakeholder in the "
                                                 "store")]),
    "too-many-cells": (
        {"stakeholders.csv": "id,name\ns-orlova,Dr. Orlova\ns-smirnov,Dr. Smirnov,kol\n"},
        "stakeholders.csv", [("row 3", None, "has 3 cells but the header has 2 columns")]),
    "too-few-cells": (
        {"stakeholders.csv": S_HEAD + "s-orlova,Dr. Orlova\n"},
        "stakeholders.csv", [("row 2", None, "has 2 cells but the header has 5 columns")]),
    "missing-name-column": (
        {"stakeholders.csv": "id,title\ns-orlova,Professor\n"},
        "stakeholders.csv", [("row 1", "name", "the column is missing")]),
    "missing-relationship-columns": (
        {"relationships.csv": "type,source,target\nKNOWS,s-petrov,s-ivanova\n"},
        "relationships.csv", [("row 1", "from", "the column is missing"),
                              ("row 1", "to", "the column is missing")]),
    "duplicate-header": (
        {"stakeholders.csv": "id,name,stance,stance\ns-orlova,Dr. Orlova,champion,opponent\n"},
        "stakeholders.csv", [("row 1", "stance", "appears twice")]),
    "unnamed-column": (
        {"stakeholders.csv": "id,name,\ns-orlova,Dr. Orlova,x\n"},
        "stakeholders.csv", [("row 1", "column 3", "has no name")]),
    "empty-file": (
        {"stakeholders.csv": ""},
        "stakeholders.csv", [("row 1", None, "the file is empty: it needs a header row with id, "
                                             "name")]),
    "not-utf8": (
        {"stakeholders.csv": "id,name\ns-mueller,Dr. Müller\n".encode("cp1252")},
        "stakeholders.csv", [("file", None, "is neither UTF-8 nor Windows-1251 Cyrillic (byte 23): "
                                            "save it as 'CSV UTF-8 (comma delimited)'")]),
    "not-utf8-far-into-the-file": (
        {"stakeholders.csv": ("id,name\n" + "".join(f"s-{i},Person {i}\n" for i in range(5000))
                              + "s-orlova,Орлова\n").encode("cp1251")},
        "stakeholders.csv", [("file", None, "save it as 'CSV UTF-8 (comma delimited)'")]),
    "bad-custom-column-name": (
        {"stakeholders.csv": "id,name,crm id\ns-orlova,Dr. Orlova,77\n"},
        "stakeholders.csv", [("row 2", "crm id", "is not a property name")]),
}


@pytest.mark.parametrize("case", CSV_CASES)
def test_csv_problem_is_reported_and_nothing_written(
        case: str, loaded: GraphStore, tmp_path: Path) -> None:
    files, file, expected = CSV_CASES[case]
    problems = refused(loaded, csv_folder(tmp_path, files), tmp_path)
    assert_problems(problems, file, expected)


def test_csv_problems_in_several_files_are_all_reported(loaded: GraphStore, tmp_path: Path
                                                       ) -> None:
    folder = csv_folder(tmp_path, {
        "stakeholders.csv": S_HEAD + "s-orlova,Dr. Orlova,kol,1,champion\ns-kim,Dr. Kim,boss,,\n",
        "tenders.csv": "id,name,deadline\nt-cardio,Cardio,2026-02-30\n",
        "relationships.csv": R_HEAD + "INFLUENCES,s-orlova,s-petrov,2,,\n"
                                      "ROLE_IN,s-orlova,t-cardio,,,\n",
    })
    problems = refused(loaded, folder, tmp_path)
    assert sorted((p.file, p.location, p.field) for p in problems) == [
        ("relationships.csv", "row 2", "weight"),
        ("relationships.csv", "row 3", "role"),
        ("stakeholders.csv", "row 3", "category"),
        ("tenders.csv", "row 2", "deadline"),
    ]


def test_empty_folder(loaded: GraphStore, tmp_path: Path) -> None:
    folder = csv_folder(tmp_path, {"notes.txt": "nothing here"})
    assert_problems(refused(loaded, folder, tmp_path), "territory",
                    [("folder", None, "holds none of the kamgraph CSV files")])


# -- CSV folders that are accepted ----------------------------------------------------------

def test_csv_with_byte_order_mark_is_accepted(loaded: GraphStore, tmp_path: Path) -> None:
    folder = csv_folder(tmp_path, {
        "stakeholders.csv": (S_HEAD + "s-orlova,Орлова Анна,kol,2,champion\n").encode("utf-8-sig"),
        "relationships.csv": (R_HEAD + "KNOWS,s-orlova,s-petrov,0.5,,\n").encode("utf-8-sig"),
    })
    report = import_path(loaded, folder)
    assert (report.nodes, report.relationships) == (1, 1)
    assert loaded.get_node("s-orlova") == Node("Stakeholder", "s-orlova", "Орлова Анна", {
        "category": "kol", "tier": 2, "stance": "champion"})


def test_csv_reference_to_the_store_and_consistent_duplicates(loaded: GraphStore, tmp_path: Path
                                                              ) -> None:
    folder = csv_folder(tmp_path, {
        "stakeholders.csv": "id,name,stance,specialty,tags,crm_id\n"
                            "s-orlova,Dr. Orlova,champion,,oncology; hematology,\n"
                            "\n"
                            "s-orlova, Dr. Orlova ,,oncology,,CRM-7\n",
        "relationships.csv": "type,from,to,weight,context,role\n"
                             "KNOWS,s-petrov,s-orlova,0.4,,\n"
                             "KNOWS,s-orlova,s-petrov,,alumni,\n"
                             "ROLE_IN,s-ivanova,t-onco,,,approver\n",
    })
    report = import_path(loaded, folder)
    assert (report.nodes, report.relationships) == (1, 2)
    assert loaded.get_node("s-orlova") == Node("Stakeholder", "s-orlova", "Dr. Orlova", {
        "stance": "champion", "specialty": "oncology", "tags": ["oncology", "hematology"],
        "crm_id": "CRM-7"})
    knows = [r.record() for r in loaded.iter_relationships() if r.type in ("KNOWS", "ROLE_IN")]
    assert knows == [
        {"type": "KNOWS", "from": "s-orlova", "to": "s-petrov", "context": "alumni", "weight": 0.4},
        {"type": "ROLE_IN", "from": "s-ivanova", "to": "t-onco", "role": "approver"}]


def test_single_csv_file_is_accepted(loaded: GraphStore, tmp_path: Path) -> None:
    folder = csv_folder(tmp_path, {"relationships.csv": R_HEAD + "KNOWS,s-ivanova,s-petrov,1,,\n"})
    report = import_path(loaded, folder / "relationships.csv")
    assert (report.nodes, report.relationships) == (0, 1)


# -- the acceptance case: ten kinds of problems in one file ---------------------------------

TEN_PROBLEMS = {
    "nodes": [
        {"label": "Doctor", "id": "s-house", "name": "Dr. House"},
        orlova(category="vipp"),
        {"label": "Stakeholder", "id": "s-kim", "name": "Dr. Kim", "tier": 5},
        {"label": "Tender", "id": "t-cardio", "name": "Cardio 2027", "deadline": "31.12.2026"},
        {"label": "Organization", "id": "s-ivanova", "name": "Ivanova Clinic"},
        {"label": "Stakeholder", "id": "s-lee", "name": "Dr. Lee", "stance": "champion"},
        {"label": "Stakeholder", "id": "s-lee", "name": "Dr. Lee", "stance": "opponent"},
        {"label": "Product", "id": "p-cardio", "name": "Cardiomab"},
    ],
    "relationships": [
        rel("LIKES", "s-lee", "s-petrov"),
        rel("WORKS_AT", "s-lee", "t-onco"),
        rel("INFLUENCES", "s-lee", "s-ghost", weight=0.5),
        rel("ROLE_IN", "s-lee", "t-onco"),
        rel("FOR_PRODUCT", "t-onco", "p-cardio", volume=1000),
    ],
}
TEN_EXPECTED: Expected = [
    ("nodes[0]", "label", "unknown label 'Doctor'"),
    ("nodes[1]", "category", "'vipp' is not one of vip, kol"),
    ("nodes[2]", "tier", "tier 5 is outside 1..3"),
    ("nodes[3]", "deadline", "'31.12.2026' is not an ISO 8601 date"),
    ("nodes[4]", "label", "id s-ivanova is already a Stakeholder in the store"),
    ("nodes[6]", "stance", "conflicting duplicate: id s-lee has stance 'champion'"),
    ("relationships[0]", "type", "unknown relationship type 'LIKES'"),
    ("relationships[1]", "type", "WORKS_AT cannot go from Stakeholder to Tender"),
    ("relationships[2]", "to", "s-ghost is neither in the file nor in the store"),
    ("relationships[3]", "role", "ROLE_IN needs a role"),
]


def test_ten_kinds_of_problems_in_one_file(loaded: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "import.json"
    path.write_text(json.dumps(TEN_PROBLEMS), encoding="utf-8")
    problems = refused(loaded, path, tmp_path)
    assert len(problems) == 10
    assert_problems(problems, "import.json", TEN_EXPECTED)


@pytest.fixture
def cli_db(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A SQLite file holding the stored records, and its URL."""
    path = tmp_path / "x.db"
    with SqliteStore(path) as store:
        store.upsert(STORED_NODES, STORED_RELATIONSHIPS)
    yield f"sqlite:///{path}", path


def sqlite_state(path: Path, folder: Path) -> tuple[Any, int, bytes]:
    with SqliteStore(path) as store:
        return state(store, folder)


def test_ten_problems_through_the_cli_as_json(cli_db: tuple[str, Path], tmp_path: Path) -> None:
    url, db = cli_db
    source = tmp_path / "file.json"
    source.write_text(json.dumps(TEN_PROBLEMS), encoding="utf-8")
    before = sqlite_state(db, tmp_path / "state")
    result = CliRunner().invoke(app, ["--db", url, "import", str(source), "--json"])
    assert result.exit_code == 2, result.output
    listed = json.loads(result.stdout)
    assert len(listed) == 10
    assert all(set(item) == {"file", "location", "field", "reason"} for item in listed)
    assert_problems([Problem(**item) for item in listed], "file.json", TEN_EXPECTED)
    assert sqlite_state(db, tmp_path / "state") == before


def test_ten_problems_through_the_cli_as_a_table(cli_db: tuple[str, Path], tmp_path: Path
                                                 ) -> None:
    url, db = cli_db
    source = tmp_path / "file.json"
    source.write_text(json.dumps(TEN_PROBLEMS), encoding="utf-8")
    before = sqlite_state(db, tmp_path / "state")
    result = CliRunner().invoke(app, ["--db", url, "import", str(source)],
                                env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert "10 problems found; nothing was written" in lines
    for location, field, phrase in TEN_EXPECTED:
        assert any(location in line and field in line and phrase in line for line in lines), (
            location, result.stderr)
    assert sqlite_state(db, tmp_path / "state") == before


# -- large files stream -------------------------------------------------------------------

PEOPLE, TIES = 20_000, 200_000
# Measured: the generated file is 16 MB; json.load of it holds 81 MB of Python objects
# (97 MB at its peak), while the streaming import peaks at 10 MB, set by the batch size, not
# the file size. Bound: 32 MB, three times the measured peak and under 40% of the parsed size.
# Records are lean because tracemalloc slows allocation-heavy code about fivefold.
PEAK_BOUND = 32 * 2**20


def write_large_file(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('{"nodes": [\n')
        out.write(",\n".join(json.dumps({"label": "Stakeholder", "id": f"s-{i:05d}",
                                         "name": f"Person {i}"}) for i in range(PEOPLE)))
        out.write('\n],\n"relationships": [\n')
        for k in range(TIES):
            start, step = k % PEOPLE, 1 + k // PEOPLE  # distinct pairs, never a self-loop
            out.write((",\n" if k else "") + json.dumps(rel(
                "INFLUENCES", f"s-{start:05d}", f"s-{(start + step) % PEOPLE:05d}",
                weight=round((k % 97) / 97, 4))))
        out.write("\n]}\n")


@pytest.mark.slow
def test_large_file_streams(sqlite_store: SqliteStore, tmp_path: Path) -> None:
    """The embedded store, so the figure is the importer's and not a driver's."""
    path = tmp_path / "large.json"
    write_large_file(path)
    started = time.monotonic()
    tracemalloc.start()
    try:
        report = import_path(sqlite_store, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    assert (report.nodes, report.relationships, report.written) == (PEOPLE, TIES, True)
    counts = sqlite_store.counts()
    assert (counts.labels, counts.types) == ({"Stakeholder": PEOPLE}, {"INFLUENCES": TIES})
    print(f"file {path.stat().st_size / 2**20:.1f} MB, import peak {peak / 2**20:.1f} MB, "
          f"{elapsed:.1f} s")  # shown with -s
    assert peak < PEAK_BOUND, f"peak {peak / 2**20:.1f} MB"
