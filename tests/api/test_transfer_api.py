"""Batches, uploads and exports through the API: all or nothing, safe unpacking, scoped export."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from kamgraph.model import Node, Relationship
from kamgraph.scope import scope_of
from kamgraph.users import User
from tests.api.conftest import KAM, DemoApp
from tests.api.helpers import API, OUTSIDE, OUTSIDE_EMAIL, add_corners, problems


@pytest.fixture
def app(demo_app: DemoApp) -> DemoApp:
    add_corners(demo_app.store)
    return demo_app


NEW_RECORDS = {
    "nodes": [{"label": "Organization", "id": "o-new", "name": "New Clinic", "type": "clinic"},
              {"label": "Stakeholder", "id": "s-new", "name": "Nadia Newman", "tier": 2}],
    "relationships": [{"type": "LOCATED_IN", "from": "o-new", "to": "tr-000003"},
                      {"type": "WORKS_AT", "from": "s-new", "to": "o-new", "seniority": "head"}]}
BAD_RECORDS = {
    "nodes": [{"label": "Stakeholder", "id": "s-bad", "name": "Bad", "stance": "grumpy"},
              {"label": "Tender", "id": "t-bad", "name": "Bad", "deadline": "soon"}],
    "relationships": [{"type": "WORKS_AT", "from": "s-inside", "to": "o-nowhere"},
                      {"type": "WORKS_AT", "from": "s-inside", "to": "t-inside"}]}
BAD_PROBLEMS = [
    ("nodes[0]", "stance", "'grumpy' is not one of champion, supporter, neutral, skeptic, "
                           "opponent, unknown"),
    ("nodes[1]", "deadline", "'soon' is not an ISO 8601 date such as 2026-03-31"),
    ("relationships[0]", "to", "o-nowhere is neither in the file nor in the store"),
    ("relationships[1]", "type", "WORKS_AT cannot go from Stakeholder to Tender; it goes "
                                 "Stakeholder → Organization")]


def post_records(app: DemoApp, user: str, body: Any, **params: object) -> Any:
    return app.client.post(f"{API}/records", json=body, params=params, headers=app.auth(user))


def upload(app: DemoApp, user: str, name: str, content: bytes, **params: object) -> Any:
    return app.client.post(f"{API}/import", files={"file": (name, content)}, params=params,
                           headers=app.auth(user))


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


CSV_FOLDER = {
    "organizations.csv": "id,name,type\no-csv,CSV Clinic,clinic\n",
    "stakeholders.csv": "id,name,tags\ns-csv,Sasha Csv,oncology;kol\n",
    "relationships.csv": "type,from,to,seniority\nWORKS_AT,s-csv,o-csv,staff\n"
                         "LOCATED_IN,o-csv,tr-000003,\n"}


# -- batches -------------------------------------------------------------------------------


def test_a_batch_is_written_and_reported(app: DemoApp) -> None:
    response = post_records(app, "admin", NEW_RECORDS)
    assert response.status_code == 200
    assert response.json() == {"nodes": 2, "relationships": 2, "written": True, "problems": []}
    assert app.store.get_node("s-new") == Node("Stakeholder", "s-new", "Nadia Newman", {"tier": 2})
    assert app.store.relationships_of("s-new") == [
        Relationship("WORKS_AT", "s-new", "o-new", {"seniority": "head"})]


def test_a_dry_run_writes_nothing(app: DemoApp) -> None:
    version = app.store.graph_version()
    response = post_records(app, "admin", NEW_RECORDS, dry_run="true")
    assert response.json() == {"nodes": 2, "relationships": 2, "written": False, "problems": []}
    assert app.store.get_node("s-new") is None and app.store.graph_version() == version


def test_a_bad_batch_lists_every_problem_and_writes_nothing(app: DemoApp) -> None:
    version = app.store.graph_version()
    response = post_records(app, "admin", {
        "nodes": [*NEW_RECORDS["nodes"], *BAD_RECORDS["nodes"]],
        "relationships": BAD_RECORDS["relationships"]})
    assert response.json()["detail"] == "4 problems found; nothing was written"
    shifted = {"nodes[0]": "nodes[2]", "nodes[1]": "nodes[3]"}  # after the two good ones
    assert problems(response) == [(shifted.get(location, location), field, reason)
                                  for location, field, reason in BAD_PROBLEMS]
    assert app.store.get_node("o-new") is None and app.store.graph_version() == version


def test_a_body_without_lists_is_a_problem(app: DemoApp) -> None:
    assert problems(post_records(app, "admin", {"people": []})) == [
        ("body", None, 'has no "nodes" or "relationships" list')]
    assert problems(post_records(app, "admin", {"nodes": {"id": "x"}})) == [
        ("body", "nodes", '"nodes" must be a list')]
    assert problems(post_records(app, "admin", {"nodes": ["s-1"]})) == [
        ("nodes[0]", None, "must be a JSON object")]


def test_a_kam_batch_may_build_inside_their_territories(app: DemoApp) -> None:
    response = post_records(app, "kam", NEW_RECORDS)
    assert response.json()["written"] is True
    page = app.client.get(f"{API}/stakeholders/s-new", headers=app.auth("kam"))
    assert page.status_code == 200  # works at an organisation placed in a covered city


@pytest.mark.parametrize("body", [
    {"nodes": [{"label": "Stakeholder", "id": "s-outside", "name": "Taken over"}]},
    {"nodes": [{"label": "Territory", "id": "tr-mine", "name": "Mine"}]},
    {"relationships": [{"type": "KNOWS", "from": "s-inside", "to": "s-outside"}]},
    {"relationships": [{"type": "COVERS", "from": KAM, "to": "tr-000010"}]},
    {"nodes": [{"label": "Stakeholder", "id": "s-new", "name": "New", "stance": "grumpy"}],
     "relationships": [{"type": "WORKS_AT", "from": "s-new", "to": "o-outside"}]},
])
def test_a_kam_batch_touching_outside_scope_is_403(app: DemoApp, body: dict[str, Any]) -> None:
    version = app.store.graph_version()
    response = post_records(app, "kam", body)
    assert response.status_code == 403, response.text
    assert app.store.graph_version() == version


# -- uploads -------------------------------------------------------------------------------


def test_upload_a_json_file(app: DemoApp) -> None:
    response = upload(app, "admin", "clinic.json", json.dumps(NEW_RECORDS).encode())
    assert response.json() == {"nodes": 2, "relationships": 2, "written": True, "problems": []}
    assert app.store.get_node("o-new").props == {"type": "clinic"}


def test_upload_problems_name_the_file(app: DemoApp) -> None:
    version = app.store.graph_version()
    response = upload(app, "admin", "clinic.json", json.dumps(BAD_RECORDS).encode())
    assert problems(response) == BAD_PROBLEMS
    assert {p["file"] for p in response.json()["problems"]} == {"clinic.json"}
    broken = upload(app, "admin", "broken.json", b'{"nodes": [')
    assert [(p["file"], p["location"]) for p in broken.json()["problems"]] == [
        ("broken.json", "file")]
    assert app.store.graph_version() == version


@pytest.mark.parametrize("folder", ["", "export/"])
def test_upload_a_zipped_csv_folder(app: DemoApp, folder: str) -> None:
    archive = zipped({folder + name: text for name, text in CSV_FOLDER.items()}
                     | {"__MACOSX/._stakeholders.csv": "junk", "README.txt": "hello"})
    response = upload(app, "admin", "folder.zip", archive)
    assert response.json() == {"nodes": 2, "relationships": 2, "written": True, "problems": []}
    assert app.store.get_node("s-csv").props == {"tags": ["oncology", "kol"]}
    assert app.store.relationships_of("s-csv") == [
        Relationship("WORKS_AT", "s-csv", "o-csv", {"seniority": "staff"})]


def test_zip_problems_name_the_file_inside(app: DemoApp) -> None:
    archive = zipped({**CSV_FOLDER, "stakeholders.csv": "id,name,tier\ns-csv,Sasha,9\n"})
    response = upload(app, "admin", "folder.zip", archive)
    assert [(p["file"], p["location"], p["field"]) for p in response.json()["problems"]] == [
        ("stakeholders.csv", "row 2", "tier")]
    assert app.store.get_node("o-csv") is None


def test_a_zip_reaching_outside_its_folder_is_refused(app: DemoApp) -> None:
    version = app.store.graph_version()
    archive = zipped({**CSV_FOLDER, "../evil.csv": "id,name\nx,y\n"})
    assert problems(upload(app, "admin", "evil.zip", archive)) == [
        ("file", None, "holds '../evil.csv', a path outside its folder; such a zip is refused")]
    absolute = zipped({"/etc/stakeholders.csv": "id,name\nx,y\n"})
    assert problems(upload(app, "admin", "abs.zip", absolute))[0][2].startswith(
        "holds '/etc/stakeholders.csv', a path outside its folder")
    nested = zipped({"a/stakeholders.csv": "id,name\n", "b/c/relationships.csv": "type,from,to\n"})
    assert problems(upload(app, "admin", "nested.zip", nested)) == [
        ("file", None, "the CSV files must be at the root of the zip or in one folder; found "
                       "them in a, b/c")]
    assert app.store.get_node("o-csv") is None and app.store.graph_version() == version


def test_uploads_over_the_limits_are_refused(demo_app_with: Callable[..., DemoApp]) -> None:
    body = json.dumps(NEW_RECORDS).encode()
    small = demo_app_with(max_upload_mib=(len(body) - 1) / 2**20)
    too_large = upload(small, "admin", "clinic.json", body)
    assert too_large.status_code == 413
    assert too_large.json()["detail"].startswith("the upload is larger than")
    app = demo_app_with(max_unpacked_mib=100 / 2**20)
    assert problems(upload(app, "admin", "folder.zip", zipped(CSV_FOLDER))) == [
        ("file", None, "unpacks to more than 100 bytes")]
    app = demo_app_with(max_zip_entries=2)
    assert problems(upload(app, "admin", "folder.zip", zipped(CSV_FOLDER))) == [
        ("file", None, "holds 3 entries; at most 2")]
    app = demo_app_with(max_upload_records=3)
    assert problems(upload(app, "admin", "clinic.json", body)) == [
        ("file", None, "holds more than 3 records; import larger files with `kamgraph import`")]
    assert problems(upload(app, "admin", "folder.zip", zipped(CSV_FOLDER))) == [
        ("file", None, "holds more than 3 records; import larger files with `kamgraph import`")]
    for each in (small, app):
        assert each.store.get_node("o-new") is None and each.store.get_node("o-csv") is None


def test_only_json_and_zip_uploads(app: DemoApp) -> None:
    assert problems(upload(app, "admin", "people.xlsx", b"PK")) == [
        ("file", None, "upload a .json file or a .zip of a CSV folder")]
    assert problems(upload(app, "admin", "fake.zip", b"not a zip"))[0][2].startswith(
        "is not a readable zip file")


def test_a_kam_upload_touching_outside_scope_is_403(app: DemoApp) -> None:
    body = {"nodes": [{"label": "Stakeholder", "id": "s-outside", "name": "Mine"}]}
    assert upload(app, "kam", "take.json", json.dumps(body).encode()).status_code == 403
    assert upload(app, "kam", "ok.json", json.dumps(NEW_RECORDS).encode()).status_code == 200


# -- export --------------------------------------------------------------------------------


def exported(app: DemoApp, user: str, fmt: str) -> Any:
    response = app.client.get(f"{API}/export", params={"format": fmt}, headers=app.auth(user))
    assert response.status_code == 200, response.text
    return response


def test_admin_export_is_the_whole_graph(app: DemoApp) -> None:
    response = exported(app, "admin", "json")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="kamgraph-') and ".json" in response.headers["content-disposition"]
    data = response.json()
    assert [n["id"] for n in data["nodes"]] == [n.id for n in app.store.iter_nodes()]
    assert len(data["relationships"]) == app.store.counts().relationships
    assert OUTSIDE_EMAIL in response.text


def test_a_kam_export_holds_only_their_scope(app: DemoApp) -> None:
    scope = scope_of(app.store, User("kam", "kam", KAM, "x", "2026-01-01"))
    visible = sorted(n.id for n in app.store.iter_nodes() if scope.sees(n))
    response = exported(app, "kam", "json")
    data = response.json()
    assert [n["id"] for n in data["nodes"]] == visible
    assert {"s-000122", "t-000003", "o-000019", *OUTSIDE.values()}.isdisjoint(visible)
    assert all(r["from"] in visible and r["to"] in visible for r in data["relationships"])
    assert OUTSIDE_EMAIL not in response.text and "private outside note" not in response.text


def test_a_kam_csv_and_graphml_export_hold_only_their_scope(app: DemoApp) -> None:
    archive = zipfile.ZipFile(io.BytesIO(exported(app, "kam", "csv").content))
    assert "stakeholders.csv" in archive.namelist() and "relationships.csv" in archive.namelist()
    people = archive.read("stakeholders.csv").decode()
    assert "s-inside" in people and "s-outside" not in people and OUTSIDE_EMAIL not in people
    graphml = exported(app, "kam", "graphml")
    assert graphml.headers["content-type"] == "application/graphml+xml"
    assert '"s-inside"' in graphml.text and "s-outside" not in graphml.text


def test_an_export_imports_back(app: DemoApp) -> None:
    body = exported(app, "kam", "csv").content
    response = upload(app, "admin", "back.zip", body, dry_run="true")
    assert response.json()["written"] is False and response.json()["problems"] == []
    assert response.json()["nodes"] == len(exported(app, "kam", "json").json()["nodes"])


def test_an_unknown_format_is_a_problem(app: DemoApp) -> None:
    response = app.client.get(f"{API}/export", params={"format": "xlsx"},
                              headers=app.auth("admin"))
    assert [p[:2] for p in problems(response)] == [("query", "format")]
