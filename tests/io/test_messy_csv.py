"""CSV files as spreadsheets write them in common locales, on both stores: Windows-1251 with
``;`` and decimal commas and day.month.year dates (Russian Excel), UTF-8 with a byte-order mark
and tabs, plain UTF-8; and names in Cyrillic, Arabic and Latin scripts unchanged through
import, store, export, the API, the pages and the maps."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from kamgraph import services, users
from kamgraph.io import export_graph, import_path
from kamgraph.settings import Settings
from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore
from tests.test_maps import page_data

CYRILLIC = "Орлова Анна Сергеевна"
ARABIC = "د. فاطمة الزهراء"
LATIN = "Dr. Jean-Luc Lefèvre"
NOTE = "Звонить после 18:00"
DAY = "2026-06-01"


def excel_folder(folder: Path) -> Path:
    """Three files, three locales: what a KAM team's spreadsheets export."""
    folder.mkdir()
    # Excel's "Unicode text" saved as .csv: UTF-8 with a byte-order mark, tabs
    (folder / "stakeholders.csv").write_bytes(("\ufeff" + "id\tname\tcategory\tnotes\r\n"
                                               f"s-orlova\t{CYRILLIC}\tkol\t{NOTE}\r\n"
                                               f"s-fatima\t{ARABIC}\thcp\t\r\n"
                                               f"s-lefevre\t{LATIN}\tkol\t\r\n").encode("utf-8"))
    # Russian Excel's "CSV (semicolon delimited)": Windows-1251, ";", "1 500 000,50", 31.12.2026
    (folder / "tenders.csv").write_bytes(
        ("id;name;status;value;deadline\r\n"
         "t-cardio;Кардиология 2027;planned;1 500 000,50;31.12.2026\r\n").encode("cp1251"))
    (folder / "relationships.csv").write_text(
        "type,from,to,weight,since,role\r\n"
        "INFLUENCES,s-orlova,s-fatima,\"0,8\",01.02.2025,\r\n"
        "INFLUENCES,s-lefevre,s-orlova,0.35,2024-03-15,\r\n"
        "ROLE_IN,s-orlova,t-cardio,,,decision_maker\r\n", encoding="utf-8")
    return folder


def test_spreadsheet_files_are_read_as_their_locale_meant(store: GraphStore, tmp_path: Path) -> None:
    report = import_path(store, excel_folder(tmp_path / "excel"))
    assert (report.nodes, report.relationships) == (4, 3)
    assert [store.get_node(i).name for i in ("s-orlova", "s-fatima", "s-lefevre")] == [  # type: ignore[union-attr]
        CYRILLIC, ARABIC, LATIN]
    assert store.get_node("s-orlova").props["notes"] == NOTE  # type: ignore[union-attr]
    tender = store.get_node("t-cardio")
    assert tender is not None and tender.name == "Кардиология 2027"
    assert tender.props == {"status": "planned", "value": 1500000.5, "deadline": "2026-12-31"}
    ties = {(r.start, r.end): r.props for r in store.relationships_of("s-orlova", rel_type="INFLUENCES")}
    assert ties == {("s-orlova", "s-fatima"): {"weight": 0.8, "since": "2025-02-01"},
                    ("s-lefevre", "s-orlova"): {"weight": 0.35, "since": "2024-03-15"}}


def test_names_in_every_script_round_trip(store: GraphStore, tmp_path: Path) -> None:
    import_path(store, excel_folder(tmp_path / "excel"))
    export_graph(store, tmp_path / "out.json", "json")
    export_graph(store, tmp_path / "csv", "csv")
    with SqliteStore(tmp_path / "again.db") as again:
        import_path(again, tmp_path / "csv")  # the exported CSV reads back the same
        export_graph(again, tmp_path / "again.json", "json")
    assert (tmp_path / "again.json").read_bytes() == (tmp_path / "out.json").read_bytes()
    text = (tmp_path / "out.json").read_text(encoding="utf-8")
    assert all(name in text for name in (CYRILLIC, ARABIC, LATIN))  # kept as text, not \\u escapes
    nodes, _, _ = page_data(services.map_page(store, "s-orlova", as_of=None))
    assert {CYRILLIC, ARABIC, LATIN} <= {node["name"] for node in nodes}


def test_names_in_every_script_through_the_api_and_the_pages(tmp_path: Path) -> None:
    path = tmp_path / "scripts.db"
    with SqliteStore(path) as store:
        import_path(store, excel_folder(tmp_path / "excel"))
        token = users.create_user(store, "ada", "admin")
    with TestClient(create_app(Settings(db=f"sqlite:///{path}"))) as client:
        auth = {"Authorization": f"Bearer {token}"}
        names = [client.get(f"/api/v1/stakeholders/{i}", headers=auth).json()["node"]["name"]
                 for i in ("s-orlova", "s-fatima", "s-lefevre")]
        found = client.get("/api/v1/stakeholders", headers=auth, params={"q": "орлова"}).json()
        client.get(f"/signin?token={token}")
        client.post("/signin/confirm", data={"next": "/"})
        page = client.get("/tenders/t-cardio").text
        map_page = client.get("/api/v1/maps/s-orlova", headers=auth).text
    assert names == [CYRILLIC, ARABIC, LATIN]
    assert [item["name"] for item in found["items"]] == [CYRILLIC]
    assert CYRILLIC in page and "Кардиология 2027" in page
    nodes, _, _ = page_data(map_page)
    assert {CYRILLIC, ARABIC, LATIN} <= {node["name"] for node in nodes}
