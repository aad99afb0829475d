"""Hostile input through every entry point, on both stores.

Injection attempts (Cypher, SQL, LIKE patterns, markup, templates), path traversal, control
characters, oversized fields, deep nesting, huge bodies and zip bombs go in through ids,
names, search text, filters, property keys, labels, relationship types, CSV headers and
cells, uploaded files and their names, tokens — through the API, the pages and the CLI.
Each one is refused with a clear error, or (text in a value) kept as the literal text it is;
either way nothing else changes: the fingerprint of the store (every node and relationship,
the graph version, the users, the audit log's writes) is compared before and after.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from api.deps import SESSION_COOKIE, csrf_token
from api.main import create_app
from kamgraph import users
from kamgraph.audit import AuditFilter
from kamgraph.cli import app as cli
from kamgraph.limits import MAX_ID, MAX_STRING, MAX_TEXT
from kamgraph.settings import Settings
from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore
from tests.conftest import NEO4J_PASSWORD
from tests.store.test_contract import TERRITORY

API = "/api/v1"

# Text that would change a query if it were pasted into one, or a page if it were not escaped.
INJECTIONS = (
    "' OR '1'='1",
    "'; DROP TABLE nodes; --",
    '"; DROP TABLE audit; --',
    "1; DELETE FROM users",
    "Robert'); DROP TABLE Students;--",
    "x' UNION SELECT token_hash FROM users --",
    "') RETURN 1 UNION MATCH (n) DETACH DELETE n //",
    '"}) MATCH (n) DETACH DELETE n //',
    "`) DETACH DELETE n //",
    "s-a' OR n.id <> '",
    "n:Stakeholder) SET n.name = 'owned' //",
    "$id",
    "{id: 's-a'}",
    "%",
    "_",
    "\\",
    "%' --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    "{{7*7}}",
    "${7*7}",
    "javascript:alert(1)",
    "\u202eevil\u202c",
    "Ω≈ç√ 🙂 مرحبا Привет",
)
TRAVERSALS = (
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "....//....//etc/passwd",
    "C:\\Windows\\system.ini",
)
CONTROL = ("a\x00b", "line\nbreak", "tab\there", "\x1b[31mred", "del\x7f")
HOSTILE_TEXT = INJECTIONS + TRAVERSALS
ALL_HOSTILE = HOSTILE_TEXT + CONTROL + ("x" * (MAX_ID + 1),)

PROPERTY_KEYS = (
    "a) DETACH DELETE n //", "name`: 1}) DETACH DELETE n //", "n.name", "x y", "1abc", "_internal",
    "__proto__", "label]", "id; DROP TABLE nodes", "é", "x" * 65, "$key", "tier:int", "",
)
LABELS = ("Stakeholder`) DETACH DELETE n //", "Stakeholder:Admin", "User", "KgAudit", "KgMeta",
          "stakeholder", "Stakeholder' OR '1'='1", "")
REL_TYPES = ("KNOWS]->() DETACH DELETE n //", "KNOWS|INFLUENCES", "knows", "KNOWS' --",
             "HAS_TOKEN", "")
FILE_NAMES = ("../../evil.json", "..\\..\\evil.json", "/etc/evil.json", "C:\\evil.json",
              "evil\x00.json", "con.json", ".json", "a" * 300 + ".json", "évil ñame.json",
              "<script>.json", "x.json/../../y.json")

ID_READS = (  # (method, path with {id}); each must answer 404 or 422 for a hostile id
    ("GET", "/stakeholders/{id}"), ("GET", "/nodes/{id}"), ("GET", "/tenders/{id}"),
    ("GET", "/stakeholders/{id}/profile"), ("GET", "/stakeholders/{id}/interactions"),
    ("GET", "/stakeholders/{id}/warm-paths"), ("GET", "/stakeholders/{id}/subject-export"),
    ("GET", "/tenders/{id}/influence"), ("GET", "/tenders/{id}/next-best"),
    ("GET", "/territories/{id}/coverage"), ("GET", "/maps/{id}"), ("GET", "/plans/{id}"),
    ("DELETE", "/stakeholders/{id}"), ("DELETE", "/plans/{id}"),
    ("POST", "/stakeholders/{id}/erase"),
)
ID_QUERIES = (  # (path, parameter): a hostile id in a query parameter
    ("/rank", "territory"), ("/rank", "organization"), ("/factions", "territory"),
    ("/brokers", "territory"), ("/what-if", "person"), ("/what-if", "tender"),
    ("/relationships", "from"), ("/relationships", "to"),
)
LISTS = ("/stakeholders", "/organizations", "/tenders", "/products", "/territories",
         "/account-managers", "/events", "/interactions")
ENUM_FILTERS = (("/stakeholders", "category"), ("/stakeholders", "stance"),
                ("/tenders", "status"), ("/organizations", "type"), ("/territories", "level"),
                ("/account-managers", "role"), ("/interactions", "channel"),
                ("/relationships", "type"), ("/rank", "metric"), ("/export", "format"),
                ("/audit", "format"))
NUMBER_PARAMS = (("/stakeholders", "limit"), ("/stakeholders", "offset"), ("/rank", "top"),
                 ("/audit", "limit"), ("/audit", "since"), ("/rank", "as_of"))


@dataclass
class Target:
    """The app over a store holding the contract territory, with an admin and a KAM."""

    client: TestClient
    store: GraphStore
    tokens: dict[str, str]

    def auth(self, user: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def call(self, method: str, path: str, user: str = "admin", *,
             headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, API + path, headers={**self.auth(user), **(headers or {})},
                                   **kwargs)


@pytest.fixture
def target(store: GraphStore) -> Iterator[Target]:
    store.upsert(*TERRITORY)
    tokens = {"admin": users.create_user(store, "ada", "admin"),
              "kam": users.create_user(store, "kim", "kam", "am-1")}
    settings = (Settings(db=store.url) if isinstance(store, SqliteStore)
                else Settings(db=store.url, neo4j_password=SecretStr(NEO4J_PASSWORD)))
    with TestClient(create_app(settings)) as client:
        sent: list[str] = []  # every request a test makes: run with -s to see how many
        client.event_hooks["request"] = [lambda request: sent.append(str(request.url))]
        yield Target(client, store, tokens)
        print(f"\n{len(sent)} requests sent")


def fingerprint(store: GraphStore) -> tuple[Any, ...]:
    """Everything a write could change: nodes, relationships, version, users, logged writes."""
    writes = [e for e in store.audit_entries(AuditFilter(), limit=100_000) if e.action != "read"]
    return ([n.record() for n in store.iter_nodes()],
            sorted(json.dumps(r.record(), sort_keys=True) for r in store.iter_relationships()),
            store.graph_version(), store.user_token_hashes(),
            [(u.name, u.role, u.revoked) for u in store.list_users()], len(writes))


def refused(answer: httpx.Response, *codes: int) -> str:
    """The answer's clear error text, after checking it is one of ``codes`` (never a 500)."""
    assert answer.status_code in codes, (answer.status_code, answer.text[:300])
    if answer.headers.get("content-type", "").startswith("application/json"):
        body = answer.json()
        text = " ".join([body["detail"], *(p["reason"] for p in body.get("problems", []))])
    else:
        text = answer.text
    assert text.strip() and "Traceback" not in text
    return text


# -- ids, search, filters ------------------------------------------------------------------


def test_hostile_ids_find_nothing_and_change_nothing(target: Target) -> None:
    before = fingerprint(target.store)
    for value in ALL_HOSTILE:
        for method, path in ID_READS:
            answer = target.call(method, path.format(id=quote(value, safe="")))
            refused(answer, 404, 422)
        for path, param in ID_QUERIES:
            refused(target.call("GET", path, params={param: value}), 404, 422)
        stage = target.call("PUT", f"/stakeholders/{quote(value, safe='')}/stage",
                            json={"account_manager": "am-1", "stage": "engaged"})
        refused(stage, 404, 422)
        gone = target.call("DELETE", "/relationships",
                           params={"type": "KNOWS", "from": value, "to": "s-a"})
        refused(gone, 404, 422)
    assert fingerprint(target.store) == before


def test_hostile_search_text_matches_only_itself(target: Target) -> None:
    before = fingerprint(target.store)
    for value in HOSTILE_TEXT:
        for path in LISTS:
            answer = target.call("GET", path, params={"q": value})
            assert answer.status_code == 200, answer.text
            assert answer.json()["items"] == [], (path, value)  # nothing holds this text
        for user, stakeholder in ((value, None), (None, value)):
            params = {k: v for k, v in (("user", user), ("stakeholder", stakeholder)) if v}
            logged = target.call("GET", "/audit", params=params)
            assert logged.status_code == 200 and logged.json()["items"] == []
    # A LIKE pattern is text: "%" finds only names holding "%", and "Dr._" no "Dr. A".
    assert target.call("GET", "/stakeholders", params={"q": "Dr._"}).json()["items"] == []
    assert len(target.call("GET", "/stakeholders", params={"q": "Dr."}).json()["items"]) == 2
    assert fingerprint(target.store) == before


def test_hostile_filters_and_numbers_are_refused(target: Target) -> None:
    before = fingerprint(target.store)
    for value in (*HOSTILE_TEXT, "1 OR 1=1", "-1", "1e999", "NaN", "99999999999999999999999"):
        for path, param in ENUM_FILTERS + NUMBER_PARAMS:
            answer = target.call("GET", path, params={param: value})
            refused(answer, 422)
            assert [p["field"] for p in answer.json()["problems"]] == [param], (path, value)
    assert fingerprint(target.store) == before


# -- values, keys, labels, types -----------------------------------------------------------


def test_hostile_text_in_values_is_kept_literally_and_nothing_else_changes(
        target: Target) -> None:
    before = fingerprint(target.store)
    ids = []
    for number, value in enumerate(HOSTILE_TEXT):
        node_id = f"s-hostile-{number}"
        body = {"id": node_id, "name": value, "notes": value, "title": value,
                "tags": [value.replace(";", ",")], "nickname": value}
        answer = target.call("POST", "/stakeholders", json=body)
        assert answer.status_code == 201, (value, answer.text)
        got = target.call("GET", f"/stakeholders/{node_id}").json()["node"]
        assert {k: got[k] for k in body} == body
        ids.append(node_id)
    for value in HOSTILE_TEXT:  # ids are text too: stored as given, found as given
        node_id = value.replace("/", "-").replace("\\", "-").replace("%", "pct")
        assert target.call("POST", "/stakeholders", json={"id": node_id, "name": "Id"}
                           ).status_code == 201, node_id
        found = target.call("GET", f"/stakeholders/{quote(node_id, safe='')}")
        assert found.status_code == 200 and found.json()["node"]["id"] == node_id
        ids.append(node_id)
    nodes_before, rels_before, version, *rest = before
    nodes_after, rels_after, version_after, *rest_after = fingerprint(target.store)
    assert [n for n in nodes_after if n["id"] not in ids] == nodes_before
    assert (rels_after, rest_after[:2]) == (rels_before, rest[:2])  # users unchanged
    assert version_after == version + len(ids)


def test_hostile_text_is_escaped_in_pages_and_maps(target: Target) -> None:
    evil = "</script><script>alert(1)</script>"
    target.call("POST", "/stakeholders", json={"id": "s-evil", "name": evil, "notes": evil,
                                               "title": '"><img src=x onerror=alert(1)>'})
    target.call("PUT", "/relationships", json={"type": "KNOWS", "from": "s-evil", "to": "s-a"})
    target.client.cookies.set(SESSION_COOKIE, target.tokens["admin"])
    pages = [target.client.get(path) for path in (
        "/stakeholders/s-evil", f"/search?q={quote(evil)}", "/maps/s-evil")]
    pages.append(target.call("GET", "/maps/s-evil"))
    for page in pages:
        assert page.status_code == 200, page.text[:300]
        assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
    assert "alert(1)" in pages[0].text  # shown, as text


PAGES = ("/stakeholders/{id}", "/tenders/{id}", "/territories/{id}", "/organizations/{id}",
         "/maps/{id}")


def test_hostile_input_to_pages_and_forms_changes_nothing(target: Target) -> None:
    before = fingerprint(target.store)
    target.client.cookies.set(SESSION_COOKIE, target.tokens["admin"])
    token = csrf_token(target.tokens["admin"])
    for value in ALL_HOSTILE:
        for page in PAGES:
            answer = target.client.get(page.format(id=quote(value, safe="")))
            assert answer.status_code in (404, 422), (page, value, answer.status_code)
            assert "text/html" in answer.headers["content-type"]
        assert target.client.get("/search", params={"q": value}).status_code in (200, 422)
        for query in ({"compare": value}, {"csv": value}):
            assert target.client.get("/territories/tr-region", params=query
                                     ).status_code in (200, 404, 422)
        forms = [("/stakeholders/s-a/stage", {"stage": value, "account_manager": "am-1"}),
                 ("/stakeholders/s-a/stage", {"stage": "engaged", "account_manager": value}),
                 ("/stakeholders/s-a/interactions", {"channel": value, "summary": "x",
                                                     "account_manager": "am-1"}),
                 (f"/stakeholders/{quote(value, safe='')}/interactions",
                  {"channel": "call", "summary": "x", "account_manager": "am-1"})]
        for path, data in forms:
            answer = target.client.post(path, data={**data, "csrf_token": token},
                                        follow_redirects=False)
            assert answer.status_code in (404, 422), (path, data, answer.status_code)
    assert fingerprint(target.store) == before


def not_a_property_name(answer: httpx.Response, key: str) -> bool:
    refused(answer, 422)
    return any(p["field"] == key and p["reason"].startswith("is not a property name")
               for p in answer.json()["problems"])


def test_hostile_property_keys_labels_and_types_are_refused(target: Target) -> None:
    before = fingerprint(target.store)
    for key in PROPERTY_KEYS:
        node = {"label": "Stakeholder", "id": "s-k", "name": "K", key: 1}
        assert not_a_property_name(target.call("POST", "/stakeholders", json=node), key)
        assert not_a_property_name(target.call("POST", "/records", json={"nodes": [node]}), key)
        rel = {"type": "KNOWS", "from": "s-a", "to": "s-b", key: 1}
        assert not_a_property_name(target.call("PUT", "/relationships", json=rel), key)
    for label in LABELS:
        batch = {"nodes": [{"label": label, "id": "s-l", "name": "L"}]}
        refused(target.call("POST", "/records", json=batch), 422)
        refused(target.call("POST", "/stakeholders", json={"label": label, "id": "s-l",
                                                           "name": "L"}), 422)
    for rel_type in REL_TYPES:
        body = {"type": rel_type, "from": "s-a", "to": "s-b"}
        refused(target.call("PUT", "/relationships", json=body), 422)
        refused(target.call("POST", "/records", json={"relationships": [body]}), 422)
        refused(target.call("GET", "/relationships", params={"type": rel_type}), 422)
    assert fingerprint(target.store) == before


def test_oversized_and_control_character_fields_are_refused(target: Target) -> None:
    before = fingerprint(target.store)
    cases = [
        {"id": "x" * (MAX_ID + 1), "name": "Long id"},
        {"id": "s-long", "name": "x" * (MAX_STRING + 1)},
        {"id": "s-long", "name": "Long", "title": "x" * (MAX_STRING + 1)},
        {"id": "s-long", "name": "Long", "notes": "x" * (MAX_TEXT + 1)},
        {"id": "s-long", "name": "Long", "tags": ["x" * (MAX_STRING + 1)]},
        {"id": "s-long", "name": "Long", "custom": "x" * (MAX_TEXT + 1)},
        {"id": "s-long", "name": "Long", "tier": 2**63},
        {"id": "s-long", "name": "Long", "custom": {"nested": {"deeper": [1]}}},
        {"id": "s-long", "name": "Long", "custom": [[[["x"]]]]},
        *({"id": f"s-{value}", "name": "Control"} for value in CONTROL),
        *({"id": "s-control", "name": value} for value in CONTROL),
    ]
    for body in cases:
        refused(target.call("POST", "/stakeholders", json=body), 422)
        refused(target.call("POST", "/records", json={"nodes": [
            {"label": "Stakeholder", **body}]}), 422)
    for number in ("1e999", "-1e999", "NaN", "Infinity", "9" * 5000):
        body = '{"id": "s-long", "name": "Long", "tier": ' + number + "}"
        refused(target.call("POST", "/stakeholders", content=body,
                            headers={"content-type": "application/json"}), 422)
    long_query = target.call("GET", "/stakeholders", params={"q": "x" * (MAX_STRING + 1)})
    refused(long_query, 422)
    assert fingerprint(target.store) == before


# -- bodies, files, archives ---------------------------------------------------------------


def nested(depth: int) -> str:
    return '{"nodes": ' + "[" * depth + "]" * depth + "}"


def upload(target: Target, name: str, content: bytes) -> httpx.Response:
    return target.call("POST", "/import", files={"file": (name, content)})


def test_deeply_nested_json_is_refused_without_eating_memory(target: Target) -> None:
    before = fingerprint(target.store)
    deep = nested(5_000)  # read naively it takes 100 MB; 100,000 levels: below
    body = refused(target.call("POST", "/records", content=deep,
                               headers={"content-type": "application/json"}), 422)
    assert "nests too deeply" in body
    file = refused(upload(target, "deep.json", deep.encode()), 422)
    assert "nests deeper than 16 levels" in file
    at_limit, past = nested(15), nested(16)  # 16 levels (the file's braces and 15), and 17
    assert "nests deeper" not in refused(upload(target, "deep.json", at_limit.encode()), 422)
    assert "nests deeper than 16 levels" in refused(upload(target, "deep.json", past.encode()),
                                                    422)
    assert fingerprint(target.store) == before


DEEP_READ = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))  # 2 GiB; the naive read: 20 GB
from kamgraph.errors import ValidationFailed
from kamgraph.io.json_io import read_json
try:
    list(read_json(Path(sys.argv[1])))
except ValidationFailed as exc:
    print(exc.problems[0].reason)
"""


def test_a_file_nested_100_000_deep_is_refused_in_little_memory(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(nested(100_000))  # 200 KB of brackets
    read = subprocess.run([sys.executable, "-c", DEEP_READ, str(deep)], capture_output=True,
                          text=True, timeout=120)
    assert read.returncode == 0, read.stderr[-2000:]
    assert read.stdout.startswith("nests deeper than 16 levels")


def test_huge_bodies_are_refused_unread(target: Target) -> None:
    before = fingerprint(target.store)
    for path, method in (("/import", "POST"), ("/records", "POST"), ("/stakeholders", "POST"),
                         ("/stakeholders/s-a", "PUT"), ("/relationships", "PUT")):
        # A body announced as 64 GiB: refused from its header, before a byte is read.
        answer = target.client.request(method, API + path, headers={
            **target.auth(), "content-length": str(64 * 2**30),
            "content-type": "application/json"}, content=b"{}")
        assert "body is larger than" in refused(answer, 413), path
    many_digits = '{"nodes": [{"label": "Stakeholder", "id": "s-big", "name": "B", "tier": ' \
                  + "9" * 100_000 + "}]}"
    assert "a number with too many digits" in refused(target.call(
        "POST", "/records", content=many_digits, headers={"content-type": "application/json"}), 422)
    assert "is not" in refused(upload(target, "digits.json", many_digits.encode()), 422)
    assert fingerprint(target.store) == before


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """1.1 GiB of zeros in a ~1 MB zip, as stakeholders.csv (streamed: never in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("stakeholders.csv", "w", force_zip64=True) as member:
        member.write(b"id,name\n")
        block = b"0" * 2**20
        for _ in range(1100):
            member.write(block)
    return buffer.getvalue()


def understated(archive: bytes, size: int) -> bytes:
    """The same zip with every entry's header claiming ``size`` bytes unpacked (a liar)."""
    data = bytearray(archive)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (found := data.find(signature, start)) != -1:
            if data[found + offset: found + offset + 4] != b"\xff\xff\xff\xff":  # not zip64
                struct.pack_into("<I", data, found + offset, size)
            start = found + 4
    return bytes(data)


def test_zip_bombs_and_hostile_archives_are_refused(target: Target, zip_bomb: bytes) -> None:
    before = fingerprint(target.store)
    leftovers = set(Path(tempfile.gettempdir()).glob("kamgraph-upload-*"))
    assert len(zip_bomb) < 2 * 2**20
    assert "unpacks to more than 1,024 MiB" in refused(upload(target, "bomb.zip", zip_bomb), 422)
    small_bomb = zip_of({"stakeholders.csv": b"id,name\n" + b"0" * 20 * 2**20})
    liar = understated(small_bomb, 100)
    with zipfile.ZipFile(io.BytesIO(liar)) as check:
        assert check.infolist()[0].file_size == 100  # the header lies
    # Never believed: zipfile's own size and CRC checks refuse it while unpacking.
    assert "Bad CRC-32" in refused(upload(target, "liar.zip", liar), 422)
    archives = {
        "many.zip": zip_of({f"f{i}.csv": b"id,name\n" for i in range(65)}),
        "nested.zip": zip_of({"inner.zip": zip_of({"stakeholders.csv": b"id,name\ns-z,Z\n"})}),
        "traversal.zip": zip_of({"../../stakeholders.csv": b"id,name\ns-z,Z\n"}),
        "absolute.zip": zip_of({"/tmp/stakeholders.csv": b"id,name\ns-z,Z\n"}),
        "drive.zip": zip_of({"C:/stakeholders.csv": b"id,name\ns-z,Z\n"}),
        "backslash.zip": zip_of({"..\\..\\stakeholders.csv": b"id,name\ns-z,Z\n"}),
        "twice.zip": zip_of({"a/stakeholders.csv": b"id,name\n", "b/stakeholders.csv": b"x\n"}),
        "not-a-zip.zip": b"PK\x03\x04 this is no zip",
        "empty.zip": zip_of({}),
        "truncated.zip": small_bomb[: len(small_bomb) // 2],
    }
    for name, content in archives.items():
        refused(upload(target, name, content), 422)
    assert fingerprint(target.store) == before
    assert set(Path(tempfile.gettempdir()).glob("kamgraph-upload-*")) == leftovers  # cleaned


def test_hostile_csv_headers_and_cells_are_refused(target: Target) -> None:
    before = fingerprint(target.store)
    for key in PROPERTY_KEYS[:-1]:  # an empty header cell is its own case below
        header = f'id,name,"{key}"' if "," in key else f"id,name,{key}"
        csv = f"{header}\ns-csv,Csv,1\n".encode()
        refused(upload(target, "h.zip", zip_of({"stakeholders.csv": csv})), 422)
    rows = {b"id,name,\ns-csv,Csv,1\n": "has no name",
            b"id,id,name\ns-1,s-2,X\n": "appears twice",
            b"name\nNo id\n": "the column is missing",
            b"id,name,notes\ns-csv,Csv,Nul\x00byte\n": "holds a NUL character",
            b"id,name,notes\ns-csv,Csv,\"unclosed\n": "is not well-formed CSV",
            b"id,name,tier\ns-csv,Csv,=cmd|' /C calc'!A0\n": "is not a whole number"}
    for csv, reason in rows.items():
        assert reason in refused(upload(target, "r.zip", zip_of({"stakeholders.csv": csv})), 422)
    for rel_type in REL_TYPES:
        csv = f"type,from,to\n{rel_type},s-a,s-b\n".encode()
        refused(upload(target, "t.zip", zip_of({"relationships.csv": csv})), 422)
    assert fingerprint(target.store) == before


def test_hostile_upload_names_never_reach_the_disk(target: Target, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(uploads))  # uploads unpack under here
    before = fingerprint(target.store)
    bad = json.dumps({"nodes": [{"label": "Stakeholder", "id": "s-up", "stance": "x"}]})
    for name in FILE_NAMES:
        answer = upload(target, name, bad.encode())
        assert answer.status_code == 422, (name, answer.text)
        for problem in answer.json()["problems"]:  # named by a harmless base name, or "upload"
            assert not {"/", "\\", "..", "\x00", "<"} & set(problem["file"]) | (
                {".."} if ".." in problem["file"] else set()), problem
    assert fingerprint(target.store) == before
    good = json.dumps({"nodes": [{"label": "Stakeholder", "id": "s-up", "name": "Up"}]})
    assert upload(target, "../../evil.json", good.encode()).status_code == 200
    assert list(uploads.iterdir()) == []  # the upload's folder is gone, nothing beside it
    assert not (tmp_path / "evil.json").exists() and not (uploads.parent.parent / "evil.json"
                                                           ).exists()
    assert target.store.get_node("s-up") is not None


# -- tokens, sign-in, CLI ------------------------------------------------------------------


def test_hostile_tokens_and_sign_in_are_refused(target: Target) -> None:
    before = fingerprint(target.store)
    for value in (*INJECTIONS, "x" * 10_000, target.tokens["admin"] + "' OR '1'='1"):
        answer = target.client.get(f"{API}/me", headers={
            "Authorization": f"Bearer {value}".encode()})
        assert answer.status_code == 401, (value, answer.text)
        asked = target.client.get(f"/signin?token={quote(value)}", follow_redirects=False)
        assert asked.status_code in (401, 429), asked.status_code  # the form again, no pending
        confirmed = target.client.post("/signin/confirm", data={"next": "/"},
                                       follow_redirects=False)
        assert confirmed.status_code == 303, confirmed.status_code  # back to the form
        assert confirmed.headers["location"].startswith("/signin?")
        posted = target.client.post("/signin", data={"token": value}, follow_redirects=False)
        assert posted.status_code in (401, 403, 429), posted.status_code
        assert target.client.cookies.get(SESSION_COOKIE) is None
    assert fingerprint(target.store) == before


def cli_run(store: GraphStore, *args: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("KAMGRAPH_NEO4J_PASSWORD", NEO4J_PASSWORD)
    return CliRunner().invoke(cli, ["--db", store.url, *args])


def test_hostile_cli_arguments_and_files_change_nothing(
        target: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = target.store
    before = fingerprint(store)
    for value in ALL_HOSTILE[::3]:
        for args in (("show", value), ("delete", value, "--yes"), ("erase", value, "--yes"),
                     ("tender", value), ("paths", value), ("subject-export", value)):
            result = cli_run(store, *args, monkeypatch=monkeypatch)
            assert result.exit_code in (1, 2), (args, result.output)
            assert result.stderr.startswith("error:") and "Traceback" not in result.output
        found = cli_run(store, "search", value, "--json", monkeypatch=monkeypatch)
        assert found.exit_code == 0 and json.loads(found.stdout) == []
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "stakeholders.csv").write_text("id,name,a) DETACH DELETE n //\ns-c,C,1\n")
    result = cli_run(store, "import", str(folder), monkeypatch=monkeypatch)
    assert result.exit_code == 2 and "property name" in result.stderr
    deep = tmp_path / "deep.json"
    deep.write_text(nested(5_000))  # 100,000 levels: the memory-capped test above
    result = cli_run(store, "import", str(deep), monkeypatch=monkeypatch)
    assert result.exit_code == 2 and "nests deeper than 16 levels" in result.stderr
    assert fingerprint(store) == before
