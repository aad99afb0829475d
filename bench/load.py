"""The web API under load: the real app in uvicorn on 127.0.0.1, many clients at once.

The app runs in its own process (``uvicorn --factory api.main:create_app``) on the embedded
store, so its peak memory (``VmHWM`` of ``/proc/<pid>/status``) is the server's alone. The
clients are ``httpx.AsyncClient`` coroutines in this process, each sending its next request
as soon as the last one answered, with an admin's API token:

1. **warm-up**: every read below once, one at a time (not counted);
2. **reads** for ``seconds``: tender influence, territory coverage, warm paths, a
   stakeholder's profile and a map (of a tender or a person), in equal shares, about ids
   drawn from small pools (see ``bench.data.pools``);
3. **mixed** for ``seconds``: the same reads, and 10 % writes: a logged interaction
   (``POST .../interactions``) or a stage change (``PUT .../stage``). Each write is a new
   graph version, so whatever was cached for the old one no longer answers.

Latencies are measured by the clients (queueing included). An error is any answer that is
not 2xx, no answer within :data:`TIMEOUT`, or none by :data:`GRACE` seconds after the phase.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

__all__ = ["ApiServer", "Load", "Request", "health", "reads", "run_phase", "warm_up", "writes"]

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120.0  # seconds a client waits for one answer before counting an error
GRACE = 30.0  # seconds the answers in flight at the end of a phase may still take
WRITE_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class Request:
    kind: str
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None


@dataclass(slots=True)
class Load:
    """What one phase measured."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    health: dict[str, Any] = field(default_factory=dict)
    """What ``/api/v1/health`` said after the phase (the app's cache counters, if it tells)."""

    @property
    def requests_per_s(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds > 0 else 0.0


def reads(pools: dict[str, list[str]], as_of: date) -> dict[str, list[Request]]:
    """The read requests by kind, one per id of its pool."""
    day = {"as_of": as_of.isoformat()}
    people, tenders = pools["people"], pools["tenders"]
    return {
        "tender": [Request("tender", "GET", f"/api/v1/tenders/{t}/influence", day) for t in tenders],
        "coverage": [Request("coverage", "GET", f"/api/v1/territories/{t}/coverage", day)
                     for t in pools["territories"]],
        "paths": [Request("paths", "GET", f"/api/v1/stakeholders/{p}/warm-paths", day) for p in people],
        "profile": [Request("profile", "GET", f"/api/v1/stakeholders/{p}/profile", day) for p in people],
        "map": [Request("map", "GET", f"/api/v1/maps/{n}", day) for n in [*tenders[:2], *people[:3]]],
    }


def writes(pools: dict[str, list[str]], account_manager: str, as_of: date) -> list[Request]:
    """A logged interaction and a stage change for each person of the pool."""
    found = []
    for person in pools["people"]:
        found.append(Request("interaction", "POST", f"/api/v1/stakeholders/{person}/interactions",
                             body={"date": as_of.isoformat(), "channel": "visit",
                                   "summary": "benchmark visit", "account_manager": account_manager}))
        found.append(Request("stage", "PUT", f"/api/v1/stakeholders/{person}/stage",
                             body={"stage": "engaged", "account_manager": account_manager}))
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ApiServer:
    """The app in a uvicorn subprocess on a free loopback port, its output in ``log``; ended on exit.

    A guard thread reads the process's resident memory every quarter second: above
    ``memory_limit`` bytes it kills the server (the machine is shared; the load phases then
    count the refused requests as errors) and says so in ``stopped``.
    """

    def __init__(self, db: Path, log: Path, *, memory_limit: float, start_timeout: float = 180.0) -> None:
        self.db, self.log, self.start_timeout, self.port = db, log, start_timeout, free_port()
        self.memory_limit = memory_limit
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.highest = 0
        self.stopped = ""
        self._done = threading.Event()

    def __enter__(self) -> ApiServer:
        env = {**os.environ, "KAMGRAPH_DB": f"sqlite:///{self.db}"}
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:  # the server's errors, kept out of the report's way
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app", "--host",
                 "127.0.0.1", "--port", str(self.port), "--log-level", "warning", "--no-access-log"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        threading.Thread(target=self._guard, daemon=True).start()
        self._wait_ready()
        return self

    def _guard(self) -> None:
        assert self.process is not None
        while not self._done.wait(0.25) and self.process.poll() is None:
            self.highest = max(self.highest, _status_bytes(self.process.pid, "VmRSS:"))
            if self.highest > self.memory_limit:
                self.stopped = (f"the bench stopped the server at {self.highest / 1e9:.1f} GB resident "
                                f"(its memory guard is {self.memory_limit / 1e9:.0f} GB)")
                self.process.kill()

    def peak_memory(self) -> int:
        """The peak resident memory so far: ``VmHWM`` while the process lives, else the guard's."""
        assert self.process is not None
        return max(self.highest, _status_bytes(self.process.pid, "VmHWM:"))

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the API server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the API server did not answer within {self.start_timeout:.0f} s")

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _status_bytes(pid: int, field_name: str) -> int:
    """A memory line of ``/proc/<pid>/status`` (``VmRSS:``, ``VmHWM:``) in bytes; 0 if gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def health(url: str) -> dict[str, Any]:
    """The app's health answer, or ``{}`` when it does not answer."""
    try:
        answer = httpx.get(f"{url}/api/v1/health", timeout=30)
        return dict(answer.json()) if answer.is_success else {}
    except (httpx.HTTPError, ValueError):
        return {}


def warm_up(url: str, token: str, requests: list[Request], budget: float) -> float:
    """Every request once, one after another, within ``budget`` seconds; seconds taken."""
    started = time.perf_counter()
    with httpx.Client(base_url=url, headers=_auth(token), timeout=TIMEOUT) as client:
        for request in requests:
            client.request(request.method, request.path, params=request.params, json=request.body)
            if time.perf_counter() - started > budget:
                break
    return time.perf_counter() - started


def run_phase(url: str, token: str, read_requests: dict[str, list[Request]], write_requests: list[Request],
              *, write_share: float, seconds: float, clients: int, seed: int) -> Load:
    """``clients`` clients for ``seconds``: each picks a read kind (equal shares) and an id,
    or with ``write_share`` a write, sends it, and goes again until the time is up.

    Requests still unanswered :data:`GRACE` seconds after the end are cut off and counted as
    errors, with the time they had waited as their latency (a lower bound)."""
    return asyncio.run(_phase(url, token, read_requests, write_requests, write_share, seconds, clients, seed))


async def _phase(url: str, token: str, read_requests: dict[str, list[Request]],
                 write_requests: list[Request], write_share: float, seconds: float, clients: int,
                 seed: int) -> Load:
    load = Load()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=_auth(token), timeout=TIMEOUT,
                                 limits=limits) as client:
        started = time.perf_counter()
        deadline = started + seconds
        tasks = [asyncio.create_task(_client(client, random.Random(seed * 1000 + n), read_requests,
                                             write_requests, write_share, deadline, load))
                 for n in range(clients)]
        _, unfinished = await asyncio.wait(tasks, timeout=seconds + GRACE)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        load.seconds = time.perf_counter() - started
    return load


async def _client(client: httpx.AsyncClient, rng: random.Random, read_requests: dict[str, list[Request]],
                  write_requests: list[Request], write_share: float, deadline: float, load: Load) -> None:
    kinds = sorted(read_requests)
    while time.perf_counter() < deadline:
        if write_requests and rng.random() < write_share:
            request = rng.choice(write_requests)
        else:
            request = rng.choice(read_requests[rng.choice(kinds)])
        started = time.perf_counter()
        try:
            answer = await client.request(request.method, request.path, params=request.params,
                                          json=request.body)
            reason = "" if answer.is_success else str(answer.status_code)
        except httpx.HTTPError as exc:
            reason = type(exc).__name__
        except asyncio.CancelledError:
            _count(load, request, time.perf_counter() - started, "unfinished at the end")
            raise
        _count(load, request, time.perf_counter() - started, reason)


def _count(load: Load, request: Request, latency: float, failure: str) -> None:
    load.latencies.append(latency)
    load.kinds[request.kind] += 1
    if failure:
        load.errors += 1
        load.failures[f"{request.kind} {failure}"] += 1


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
