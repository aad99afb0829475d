"""`kamgraph serve` as the README's quick start runs it: a real server process on loopback.

On an empty store it loads the demo, creates an admin and prints a sign-in link; the link
signs a browser-like client in; the token never reaches the access log; a second start keeps
the data and the users and prints no new token. Every wait is bounded.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from kamgraph.cli import exposure_warning
from kamgraph.store.sqlite import SqliteStore
from tests.conftest import NEO4J_PASSWORD

LINK = re.compile(r"(http://127\.0\.0\.1:\d+)/signin\?token=([A-Za-z0-9_-]+)")
START_LIMIT_S = 90


@dataclass
class Server:
    base: str
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def output(self) -> str:
        return "".join(self.lines)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(db: Path | str, cwd: Path, *options: str, stop_limit_s: float = 20
            ) -> Iterator[Server]:
    """``kamgraph serve`` (with ``options``) in a child process until it answers
    /api/v1/health; stopped after. ``db``: a SQLite file, or any store URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMGRAPH_")}
    if isinstance(db, str):
        env["KAMGRAPH_NEO4J_PASSWORD"] = NEO4J_PASSWORD  # for a Neo4j URL
    url = f"sqlite:///{db}" if isinstance(db, Path) else db
    process = subprocess.Popen(
        [sys.executable, "-m", "kamgraph.cli", "--db", url, "serve", "--port", str(port),
         *options], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    server = Server(f"http://127.0.0.1:{port}", process)
    reader = threading.Thread(target=read_lines, args=(server,), daemon=True)
    reader.start()
    try:
        wait_until_up(server)
        yield server
    finally:
        process.send_signal(signal.SIGINT)  # a no-op once killed
        try:
            process.wait(timeout=stop_limit_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=stop_limit_s)
        reader.join(timeout=stop_limit_s)


def read_lines(server: Server) -> None:
    """Collect the child's output as it comes (a thread: pipes have no timeout)."""
    assert server.process.stdout is not None
    for line in server.process.stdout:
        server.lines.append(line)


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_LIMIT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"kamgraph serve exited early:\n{server.output()}")
        try:
            if httpx.get(f"{server.base}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail(f"kamgraph serve did not answer within {START_LIMIT_S} s:\n{server.output()}")


def test_first_start_loads_the_demo_and_the_printed_link_signs_in(tmp_path: Path) -> None:
    db = tmp_path / "kamgraph.db"
    with serving(db, tmp_path) as server:
        link = LINK.search(server.output())
        assert link is not None, server.output()
        assert link.group(1) == server.base
        token = link.group(2)
        with httpx.Client(base_url=server.base, follow_redirects=True, timeout=30) as browser:
            asked = browser.get(link.group(0))  # the link asks whom to sign in as
            home = browser.post("/signin/confirm", data={"next": "/"},
                                headers={"Origin": server.base})
            me = httpx.get(f"{server.base}/api/v1/me", timeout=10,
                           headers={"Authorization": f"Bearer {token}"}).json()
        assert asked.url.path == "/signin/confirm" and "signs you in as" in asked.text
        assert home.status_code == 200 and home.url.path == "/" and not home.url.query
        assert "kamgraph_session" in browser.cookies
        assert me == {"name": "admin", "role": "admin", "account_manager": None}
    output = server.output()
    assert "loaded the demo territory: 1,132 nodes" in output
    assert output.count(token) == 1, "the token is printed once and never logged"
    assert "/signin?token=[redacted]" in output
    with SqliteStore(db) as store:
        assert store.counts().nodes == 1132


def test_second_start_keeps_data_and_users_and_prints_no_token(tmp_path: Path) -> None:
    db = tmp_path / "kamgraph.db"
    with serving(db, tmp_path):
        pass
    with serving(db, tmp_path) as again:
        pass
    assert "loaded the demo" not in again.output()
    assert LINK.search(again.output()) is None
    assert "sign in with your token" in again.output()
    with SqliteStore(db) as store:
        assert [u.name for u in store.list_users()] == ["admin"]


@pytest.mark.parametrize(("host", "warns"), [
    ("127.0.0.1", False), ("localhost", False), ("::1", False), ("127.0.0.2", False),
    ("0.0.0.0", True), ("::", True), ("192.168.1.20", True), ("kamgraph.example", True),
])
def test_listening_beyond_loopback_without_tls_warns(host: str, warns: bool) -> None:
    warning = exposure_warning(host)
    assert (warning is not None) == warns
    if warning:
        assert host in warning and "TLS" in warning
