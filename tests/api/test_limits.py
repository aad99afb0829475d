"""Every limit is a setting: lower it and the API and the CLI refuse past it, clearly, with
nothing written (``kamgraph.limits``, ``api/limits.py``)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.deps import SESSION_COOKIE
from api.main import create_app
from kamgraph.analysis import influence
from kamgraph.cli import app as cli
from kamgraph.limits import DEFAULT, Limits
from kamgraph.settings import Settings
from kamgraph.store.sqlite import SqliteStore
from tests.api.conftest import DemoApp
from tests.api.helpers import API, problems
from tests.browser.live import serve


def post_node(app: DemoApp, body: dict[str, Any]) -> Any:
    return app.client.post(f"{API}/stakeholders", json=body, headers=app.auth("admin"))


def test_the_defaults_are_the_documented_ones() -> None:
    assert Settings().limits() == DEFAULT == Limits(
        id_chars=200, string_chars=2_000, text_chars=20_000, upload_bytes=256 * 2**20,
        unpacked_bytes=2**30, zip_entries=64, upload_records=1_000_000, batch_records=50_000,
        batch_bytes=64 * 2**20, body_bytes=2**20, request_seconds=30.0)


def test_text_lengths_are_settings(demo_app_with: Callable[..., DemoApp]) -> None:
    app = demo_app_with(max_id_chars=8, max_string_chars=10, max_text_chars=20)
    assert problems(post_node(app, {"id": "s-toolong", "name": "Ten chars!"})) == [
        ("body", "id", "an id must be at most 8 characters without control characters or "
                       "surrounding spaces")]
    assert problems(post_node(app, {"id": "s-long", "name": "Eleven char"})) == [
        ("body", "name", "a name must be text of at most 10 characters without control "
                         "characters")]
    assert problems(post_node(app, {"id": "s-long", "name": "Ten chars!", "title": "x" * 11,
                                    "notes": "y" * 21})) == [
        ("body", "title", "is longer than 10 characters"),
        ("body", "notes", "is longer than 20 characters")]
    assert app.store.get_node("s-long") is None
    fits = post_node(app, {"id": "s-fits", "name": "Ten chars!", "notes": "y" * 20})
    assert fits.status_code == 201, fits.text


def test_text_lengths_may_not_be_raised_above_the_format() -> None:
    with pytest.raises(ValueError, match="max_string_chars"):
        Settings(max_string_chars=2_001)


def test_the_cli_reads_the_limits_and_names_a_bad_setting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{tmp_path / 'k.db'}"
    people = tmp_path / "people.json"
    people.write_text(json.dumps({"nodes": [
        {"label": "Stakeholder", "id": "s-1", "name": "A name of twenty-five ch"}]}))
    monkeypatch.setenv("KAMGRAPH_MAX_STRING_CHARS", "10")
    refused = CliRunner().invoke(cli, ["--db", db, "import", str(people), "--json"])
    assert refused.exit_code == 2
    assert [p["reason"] for p in json.loads(refused.stdout)] == [
        "a name must be text of at most 10 characters without control characters"]
    monkeypatch.setenv("KAMGRAPH_MAX_STRING_CHARS", "5000")
    bad = CliRunner().invoke(cli, ["--db", db, "stats"])
    assert bad.exit_code == 1
    assert bad.stderr.strip() == ("error: setting KAMGRAPH_MAX_STRING_CHARS: Input should be "
                                  "less than or equal to 2000")
    with SqliteStore(tmp_path / "k.db") as store:
        assert store.counts().nodes == 0


def too_large(answer: Any, setting: str, size: str) -> bool:
    return answer.status_code == 413 and answer.json() == {
        "detail": f"the request's body is larger than {size} ({setting}); nothing was written"}


def test_bodies_are_capped_by_route(demo_app_with: Callable[..., DemoApp]) -> None:
    app = demo_app_with(max_body_kib=1, max_batch_mib=2 / 1024, max_batch_records=2)
    version = app.store.graph_version()
    big = post_node(app, {"id": "s-big", "name": "Big", "notes": "z" * 1100})
    assert too_large(big, "KAMGRAPH_MAX_BODY_KIB", "1 KiB")
    batch = {"nodes": [{"label": "Stakeholder", "id": f"s-b{i}", "name": "B"} for i in range(3)]}
    assert problems(app.client.post(f"{API}/records", json=batch, headers=app.auth("admin"))) == [
        ("body", None, "holds 3 records; at most 2 (use POST /import for more)")]
    batch = {"nodes": [{"label": "Stakeholder", "id": "s-b", "name": "B", "notes": "z" * 1500}]}
    within = app.client.post(f"{API}/records", json=batch, headers=app.auth("admin"))
    assert within.status_code == 200, within.text  # 1.5 KiB: over the 1 KiB, under the batch's 2
    batch["nodes"][0]["notes"] = "z" * 2100
    assert too_large(app.client.post(f"{API}/records", json=batch, headers=app.auth("admin")),
                     "KAMGRAPH_MAX_BATCH_MIB", "2 KiB")
    assert app.store.graph_version() == version + 1 and app.store.get_node("s-big") is None


def test_a_write_announcing_too_large_a_body_never_runs(
        demo_app_with: Callable[..., DemoApp]) -> None:
    """A route that never reads its body (a delete) still must not run behind a 413."""
    app = demo_app_with(max_body_kib=1)
    assert app.store.get_node("s-000001") is not None
    deleted = app.client.request("DELETE", f"{API}/stakeholders/s-000001", content=b"x" * 2000,
                                 headers=app.auth("admin"))
    assert too_large(deleted, "KAMGRAPH_MAX_BODY_KIB", "1 KiB")
    assert app.store.get_node("s-000001") is not None


def test_a_body_without_a_length_is_counted_as_it_arrives(
        demo_app_with: Callable[..., DemoApp]) -> None:
    app = demo_app_with(max_body_kib=1)
    body = json.dumps({"id": "s-chunked", "name": "C", "notes": "z" * 3000}).encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        yield from (body[i:i + 500] for i in range(0, len(body), 500))

    answer = app.client.post(f"{API}/stakeholders", content=chunks(), headers={
        **app.auth("admin"), "content-type": "application/json"})
    assert too_large(answer, "KAMGRAPH_MAX_BODY_KIB", "1 KiB")
    assert app.store.get_node("s-chunked") is None


def test_a_slow_read_is_answered_503_and_the_app_goes_on(
        demo_app_with: Callable[..., DemoApp]) -> None:
    app = demo_app_with(request_seconds=0.3)
    release = threading.Event()
    real = app.store.graph_version
    app.store.graph_version = lambda: release.wait(20) and real()  # type: ignore[method-assign]
    slow = app.client.get(f"{API}/health")
    assert slow.status_code == 503
    assert slow.json() == {"detail": "the answer took longer than 0.3 s (KAMGRAPH_REQUEST_SECONDS)"
                                     "; try again shortly: an analysis still running is kept "
                                     "once it is ready"}
    assert slow.headers["retry-after"] == "5"
    assert slow.headers["x-content-type-options"] == "nosniff"  # security headers still on it
    release.set()
    assert app.client.get(f"{API}/health").status_code == 200


def test_an_export_is_never_cut_off(demo_app_with: Callable[..., DemoApp]) -> None:
    app = demo_app_with(request_seconds=0.3)
    real = app.store.iter_nodes

    def slow_nodes(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.6)  # twice the limit
        return real(*args, **kwargs)

    app.store.iter_nodes = slow_nodes  # type: ignore[method-assign]
    exported = app.client.get(f"{API}/export", headers=app.auth("admin"))
    assert exported.status_code == 200 and len(exported.json()["nodes"]) == app.store.counts().nodes


@contextmanager
def serving(app: DemoApp, **settings: Any) -> Iterator[int]:
    """Another app on the same store, with ``settings``, on a free loopback port; its port."""
    with serve(Settings(db=f"sqlite:///{app.db}", **settings)) as url:
        yield int(url.rsplit(":", 1)[1])


def post_slowly(port: int, token: str, body: bytes, pieces: list[bytes], pause: float) -> str:
    """POST ``pieces`` of ``body`` with a pause after each (all of it or not); the status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall((f"POST {API}/stakeholders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode())
        for piece in pieces:
            conn.sendall(piece)
            time.sleep(pause)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    status, _, rest = answer.partition(b"\r\n")
    assert b"Traceback" not in rest
    return status.decode() + " " + rest.rpartition(b"\r\n\r\n")[2].decode()


def test_a_body_may_trickle_in_but_not_stop(demo_app_with: Callable[..., DemoApp]) -> None:
    app = demo_app_with()
    token = app.tokens["admin"]
    body = json.dumps({"id": "s-slow", "name": "Slowly Sent"}).encode()
    with serving(app, request_seconds=2) as port:
        # Six pieces half a second apart: 3 s in all, longer than the limit, never a 2 s pause.
        size = -(-len(body) // 6)
        trickled = post_slowly(port, token, body, [body[i:i + size]
                                                   for i in range(0, len(body), size)], 0.5)
        assert trickled.startswith("HTTP/1.1 201"), trickled
        stalled = post_slowly(port, token, b'{"id": "s-stalled", "name": "Never"}',
                              [b'{"id": "s-st'], 0)
    assert stalled == ("HTTP/1.1 408 Request Timeout " + json.dumps({
        "detail": "the request's body stopped arriving for 2 s (KAMGRAPH_REQUEST_SECONDS); "
                  "nothing was written"}, separators=(",", ":")))
    assert app.store.get_node("s-slow") is not None and app.store.get_node("s-stalled") is None


def test_an_analysis_answered_503_lands_in_the_cache(
        demo_app_with: Callable[..., DemoApp], monkeypatch: pytest.MonkeyPatch) -> None:
    app = demo_app_with(request_seconds=0.3)
    calls: list[float] = []
    real = influence.rank

    def slow_rank(*args: Any, **kwargs: Any) -> Any:
        calls.append(time.monotonic())
        time.sleep(1)  # past the limit
        return real(*args, **kwargs)

    monkeypatch.setattr(influence, "rank", slow_rank)  # the computation the cache keeps
    first = app.client.get(f"{API}/rank", headers=app.auth("admin"))
    assert first.status_code == 503 and first.json()["detail"].startswith("the answer took")
    late = app.client.app.state.late_reads  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while len(late) and time.monotonic() < deadline:
        time.sleep(0.05)  # the first computation ends in the background
    assert not len(late)
    again = app.client.get(f"{API}/rank", headers=app.auth("admin"))
    assert again.status_code == 200 and len(calls) == 1  # served from the cache
    assert again.json()["items"]


def test_a_slow_page_is_a_busy_page(demo_app_with: Callable[..., DemoApp]) -> None:
    app = demo_app_with(request_seconds=0.3)
    release = threading.Event()
    real = app.store.search
    app.store.search = lambda *a, **k: release.wait(20) and real(*a, **k)  # type: ignore[method-assign]
    app.client.cookies.set(SESSION_COOKIE, app.tokens["admin"])
    page = app.client.get("/search", params={"q": "Ivan"})
    release.set()
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert "<h1>Busy</h1>" in page.text and "KAMGRAPH_REQUEST_SECONDS" in page.text


def test_shutting_down_waits_for_reads_still_running(tmp_path: Path) -> None:
    """A read answered 503 goes on in its thread; closing the store under it could crash the
    process, so the app closes the store only once it has ended."""
    client = TestClient(create_app(Settings(db=f"sqlite:///{tmp_path / 'k.db'}",
                                            request_seconds=0.3)))
    client.__enter__()
    store = client.app.state.store  # type: ignore[attr-defined]
    release, ended = threading.Event(), []
    real = store.graph_version

    def slow_version() -> int:
        release.wait(20)
        version = real()  # on the store's connection, which must still be open
        ended.append(version)
        return version

    store.graph_version = slow_version
    assert client.get(f"{API}/health").status_code == 503
    threading.Timer(1.0, release.set).start()
    client.__exit__(None, None, None)  # shuts down: waits for the read, then closes
    assert ended == [0]
