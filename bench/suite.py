"""The whole benchmark suite of issue #6: every figure beside its baseline, in one run.

    python -m bench [--scale smoke|region|national|N] [--repeat N] [--seed 42] [--out DIR]
                    [--neo4j-url URL | --no-neo4j]

Steps, in order (``bench.scales`` has the time each may take at the national scale):

1. generate the demo (timed), and cache it as JSON and CSV under ``bench/out``;
2. import it into a fresh embedded store, beside plain one-INSERT-per-record SQLite;
3. load the whole graph once: pick the subjects (``bench.data``) and time the whole-graph
   baselines (``bench.baselines``) and our own PageRank against igraph's;
4. time tender influence, coverage, warm paths and whole-graph rank on the embedded store,
   cold and warm (``bench.analyses``);
5. on Neo4j (unless ``--no-neo4j``): ``LOAD CSV``, one transaction per record (sampled)
   and kamgraph's import, then the same analyses;
6. the API under load, with the peak memory of its process (``bench.load``);
7. the report: ``report-<scale>.json`` and ``.md`` in ``--out`` (default ``bench/out``),
   and the Markdown on standard output.

The Neo4j server is wiped: point ``--neo4j-url`` only at a server kept for benchmarks
(``scripts/bench`` starts one on port 7688 with its own home, ``.neo4j-bench``).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench import baselines, data, load, neo4j_import
from bench.analyses import Question, cold_and_warm, questions
from bench.report import Baseline, Row, markdown, row_record, write_report
from bench.scales import Scale, scale_named
from bench.stats import percentile, repeat, timed
from kamgraph import services, users
from kamgraph.analysis.config import DEFAULT
from kamgraph.analysis.graphs import influence_graph
from kamgraph.analysis.influence import influence_rank
from kamgraph.analysis.paths import warm_network
from kamgraph.analysis.tender import quiet_role_holders
from kamgraph.io import import_path
from kamgraph.store.base import GraphStore
from kamgraph.store.sqlite import SqliteStore

__all__ = ["main", "run"]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NEO4J_URL = "bolt://127.0.0.1:7688"
AS_OF = data.TODAY  # the demo is generated relative to this day, so answers never drift
WARM_UP_SCALE = 300  # stakeholders of the small import that warms the Neo4j server up
API_MEMORY_LIMIT = 8e9  # bytes: the API process is stopped above this (the machine is shared)


@dataclass(frozen=True, slots=True)
class Neo4jServer:
    """A Neo4j kept for benchmarks: its URL, password and import folder (for ``LOAD CSV``)."""

    url: str
    password: str
    import_dir: Path

    def open(self) -> GraphStore:
        from kamgraph.store.neo4j import Neo4jStore

        return Neo4jStore(self.url, password=self.password)

    def version(self) -> str:
        from kamgraph.store.neo4j import Neo4jStore

        store = Neo4jStore(self.url, password=self.password)
        try:
            records, _, _ = store._driver.execute_query("CALL dbms.components() YIELD versions "
                                                        "RETURN versions[0] AS version")
            return str(records[0]["version"])
        finally:
            store.close()


class Suite:
    """One run: the rows measured so far, and the time each step took."""

    def __init__(self, scale: Scale, seed: int, work: Path, out: Path, api_memory_limit: float) -> None:
        self.scale, self.seed, self.work, self.out = scale, seed, work, out
        self.api_memory_limit = api_memory_limit
        self.rows: list[Row] = []
        self.steps: list[dict[str, Any]] = []
        self.errors: list[dict[str, str]] = []
        self.subgraphs: dict[str, dict[str, float]] = {}
        self.started = time.perf_counter()
        self.db = work / "embedded.db"

    def attempt(self, name: str, work: Callable[[], None]) -> bool:
        """Run a step that later steps do not need; when it fails, note why and go on, so one
        failure does not cost a long run its report (``main`` then exits with 1)."""
        try:
            work()
            return True
        except Exception as exc:  # any failure is reported below, none is hidden
            self.errors.append({"step": name, "error": f"{type(exc).__name__}: {exc}"})
            _say(f"{name} FAILED:\n{traceback.format_exc()}")
            return False

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        _say(f"{name} ...")
        yield
        seconds = time.perf_counter() - started
        self.steps.append({"step": name, "seconds": seconds})
        _say(f"{name}: {seconds:.1f} s (suite so far {time.perf_counter() - self.started:.0f} s)")

    # -- 1. generation -------------------------------------------------------------------
    def generate(self) -> None:
        with self.step("generate"):
            counts: list[int] = []

            def once() -> float:
                seconds, count = timed(lambda: data.count_generated(self.scale.stakeholders, self.seed))
                counts.append(count)
                return float(seconds)

            samples = repeat(once, self.scale.heavy_repeat, self.scale.figure_budget)
            self.generated = counts[0]
            self.rows.append(Row("generate", "generate the demo", "—", "s", samples,
                                 note=f"{self.generated:,} records, streamed"))
        with self.step("cache demo files"):
            self.json_path, self.csv_path = data.cached_files(self.scale.stakeholders, self.seed)

    # -- 2. embedded import --------------------------------------------------------------
    def import_embedded(self) -> None:
        with self.step("import into the embedded store"):
            rates = [self._import_once()]
            if self.records != self.generated:  # the cache predates a change of the generator
                _say(f"cached demo has {self.records:,} records, the generator {self.generated:,}: "
                     "remaking the cache")
                data.drop_cache(self.scale.stakeholders, self.seed)
                self.json_path, self.csv_path = data.cached_files(self.scale.stakeholders, self.seed)
                rates = [self._import_once()]
            rates += repeat(self._import_once, self.scale.heavy_repeat - 1, self.scale.figure_budget)
            plain = repeat(self._plain_once, self.scale.heavy_repeat, self.scale.figure_budget)
            self.rows.append(Row(
                "import_embedded", "import into the embedded store", "embedded", "records/s", rates,
                Baseline("plain sqlite3, one INSERT per record", plain),
                note="validated, all or nothing, one transaction; baseline: no checks, no indexes "
                     "but the id's", extra={"records": self.records}))

    def _import_once(self) -> float:
        self.db.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        with SqliteStore(self.db) as store:
            seconds, report = timed(lambda: import_path(store, self.json_path))
        self.records = report.nodes + report.relationships
        return float(self.records / seconds)

    def _plain_once(self) -> float:
        path = self.work / "plain.db"
        path.unlink(missing_ok=True)
        seconds, count = timed(lambda: baselines.plain_inserts(self.json_path, path))
        path.unlink()
        return float(count / seconds)

    # -- 3. whole-graph baselines --------------------------------------------------------
    def whole_graph_baselines(self) -> None:
        with SqliteStore(self.db) as store:
            counts = store.counts()
            self.graph = {"nodes": counts.nodes, "relationships": counts.relationships}
            self._in_memory_baselines(store)
            gc.collect()  # the whole graph and its derived graphs are gone: free them now
            with self.step("baseline: coverage from a full export"):
                self.coverage_baseline = repeat(
                    lambda: float(timed(lambda: baselines.coverage_from_export(
                        store, self.subjects.territory, AS_OF, self.work))[0]),
                    self.scale.heavy_repeat, self.scale.figure_budget)

    def _in_memory_baselines(self, store: GraphStore) -> None:
        with self.step("whole graph and subjects"):
            load_seconds, whole = timed(store.whole_graph)
            self.subjects = data.pick_subjects(whole, AS_OF)
            self.pools = data.pools(whole, self.subjects, AS_OF)
            build_seconds, influence = timed(lambda: influence_graph(whole, as_of=AS_OF))
            self.prepared = (f"whole graph loaded in {load_seconds:.1f} s and its influence graph "
                             f"built in {build_seconds:.1f} s beforehand, not timed")
        with self.step("baselines: tender PageRank and rank"):
            self._tender_baseline(whole, influence)
            self._rank_baseline(influence)
        with self.step("baseline: warm paths in networkx"):
            self._paths_baseline(whole, influence)

    def subgraph_sizes(self) -> None:
        """Nodes and relationships of the subgraphs the services load (what grows with what)."""
        subjects = self.subjects
        with self.step("subgraph sizes"), SqliteStore(self.db) as store:
            graphs = {
                f"tender_subgraph({services.TENDER_HOPS} hops)":
                    lambda: store.tender_subgraph(subjects.tender, hops=services.TENDER_HOPS),
                "territory_subgraph": lambda: store.territory_subgraph(subjects.territory),
                f"paths_subgraph of the person ({DEFAULT.path_hops} hops, warm paths)":
                    lambda: store.paths_subgraph(subjects.person, hops=DEFAULT.path_hops),
                "person_subgraph of the person (profile, ego map)":
                    lambda: store.person_subgraph(subjects.person),
                f"neighbourhood of the person ({DEFAULT.path_hops} hops, what warm paths loaded before)":
                    lambda: store.neighbourhood(subjects.person, hops=DEFAULT.path_hops)}
            for name, subgraph in graphs.items():
                seconds, graph = timed(subgraph)
                self.subgraphs[name] = {"nodes": graph.number_of_nodes(),
                                        "relationships": graph.number_of_edges(), "seconds": seconds}

    def _tender_baseline(self, whole: Any, influence: Any) -> None:
        restart = baselines.tender_restart(whole, self.subjects.tender, AS_OF)
        found: dict[str, float] = {}

        def once() -> float:
            seconds, scores = timed(lambda: baselines.tender_pagerank(influence, restart))
            found.update(scores)
            return float(seconds)

        self.tender_baseline = repeat(once, self.scale.repeat, self.scale.figure_budget)
        self.tender_top = baselines.top(found)

    def _rank_baseline(self, influence: Any) -> None:
        """Both start from the same networkx influence graph: igraph builds its graph from it
        and ranks; ours builds its sparse matrix from it and ranks. igraph's PageRank alone
        (its graph built beforehand) is measured too and named in the note."""
        convert, (graph, names) = timed(lambda: baselines.igraph_of(influence))
        implementation = baselines.fastest_igraph(graph, names)
        theirs: dict[str, float] = {}
        ours: dict[str, float] = {}

        def igraph_once() -> float:
            seconds, scores = timed(lambda: baselines.igraph_pagerank(
                *baselines.igraph_of(influence), implementation))
            theirs.update(scores)
            return float(seconds)

        def ours_once() -> float:
            seconds, scores = timed(lambda: influence_rank(influence))
            ours.update(scores)
            return float(seconds)

        kernel = repeat(lambda: float(timed(lambda: baselines.igraph_pagerank(
            graph, names, implementation))[0]), self.scale.repeat, self.scale.figure_budget)
        self.rank_baseline = repeat(igraph_once, self.scale.repeat, self.scale.figure_budget)
        samples = repeat(ours_once, self.scale.repeat, self.scale.figure_budget)
        self.rank_top = baselines.top(theirs)
        self.igraph_implementation = implementation.upper()
        self.rows.append(Row(
            "rank_pagerank", "influence rank: PageRank over the whole influence graph", "in memory", "s",
            samples, Baseline(f"igraph PageRank ({implementation.upper()}), same graph and damping, "
                              "from the same networkx graph", self.rank_baseline),
            note=f"{influence.number_of_nodes():,} people, {influence.number_of_edges():,} ties; both "
                 f"build their own graph from the networkx one (igraph's: {convert:.1f} s) and rank; "
                 f"igraph's PageRank alone, graph built: median {statistics.median(kernel) * 1e3:,.0f} ms; "
                 f"top 10 agree: {_overlap(baselines.top(ours), self.rank_top)}"))

    def _paths_baseline(self, whole: Any, influence: Any) -> None:
        quiet = quiet_role_holders(whole, as_of=AS_OF)
        network = warm_network(whole, as_of=AS_OF, leave_out=quiet, influence=influence)
        managers = sorted(n for n, label in whole.nodes(data="label") if label == "AccountManager")
        costed = baselines.costed_network(network, managers)
        del network
        outcome: dict[str, Any] = {}

        def once() -> float:
            deadline = time.perf_counter() + self.scale.paths_cap
            seconds, (found, finished) = timed(lambda: baselines.warm_paths_networkx(
                costed, self.subjects.person, k=3, max_hops=4, deadline=deadline))
            outcome.update(found=found, finished=finished)
            return float(seconds)

        self.paths_baseline = repeat(once, self.scale.repeat, self.scale.figure_budget)
        self.paths_found, self.paths_finished = outcome["found"], outcome["finished"]

    # -- 4. and 5. analyses on a store ---------------------------------------------------
    def analyses(self, store_name: str, open_store: Callable[[], GraphStore]) -> None:
        subjects = self.subjects
        for question in questions(subjects.tender, subjects.territory, subjects.person, AS_OF):
            self.attempt(f"{question.name} on {store_name}",
                         lambda q=question: self._analysis(store_name, open_store, q))

    def _analysis(self, store_name: str, open_store: Callable[[], GraphStore], question: Question) -> None:
        with self.step(f"{question.name} on {store_name}"):
            cold, warm, answer, stats = cold_and_warm(open_store, question, self.scale.repeat,
                                                      self.scale.figure_budget)
            baseline, note = self._baseline_of(question, answer)
            cached = (f"; analysis cache: {stats['hits']} hits, {stats['misses']} misses" if stats
                      else "; no analysis cache in the library")
            for temperature, samples in (("cold", cold), ("warm", warm)):
                self.rows.append(Row(f"{question.name}_{temperature}_{store_name}",
                                     f"{question.what}, {temperature}", store_name, "s", samples,
                                     baseline, note=note + (cached if temperature == "warm" else ""),
                                     extra={"cache": stats} if temperature == "warm" else {}))

    def _baseline_of(self, question: Question, answer: dict[str, Any]) -> tuple[Baseline, str]:
        if question.name == "tender":
            ours = [item["id"] for item in answer["items"]]
            return (Baseline("networkx PageRank, whole influence graph", self.tender_baseline),
                    f"top 10 agree: {_overlap(ours, self.tender_top)}; {self.prepared}")
        if question.name == "coverage":
            return (Baseline("full export, JSON, networkx, coverage_report", self.coverage_baseline),
                    "baseline: export, load and compute over the whole graph each time")
        if question.name == "paths":
            ours = [path["strength"] for path in answer["paths"]]
            theirs = [strength for _, strength in self.paths_found]
            cut = "" if self.paths_finished else (
                f"; networkx search cut off at {self.scale.paths_cap:.0f} s: the ratio is a lower bound")
            return (Baseline("networkx shortest_simple_paths, whole warm network", self.paths_baseline),
                    f"same strengths as networkx: {'yes' if ours == theirs else f'no ({ours} vs {theirs})'}"
                    f"{cut}; whole warm network built beforehand, not timed")
        return (Baseline(f"igraph PageRank ({self.igraph_implementation}), from the networkx "
                         "influence graph in memory", self.rank_baseline),
                "ours loads the graph, builds the influence graph and ranks; igraph builds its "
                "graph from the influence graph in memory and ranks")

    # -- 5. Neo4j imports ----------------------------------------------------------------
    def neo4j_imports(self, server: Neo4jServer) -> None:
        from kamgraph.store.neo4j import Neo4jStore

        store = Neo4jStore(server.url, password=server.password)
        heavy, budget = self.scale.heavy_repeat, self.scale.figure_budget
        try:
            with self.step("Neo4j: warm-up, not timed"):
                # Query plans compiled and the JVM warmed by a small import both ways first, so
                # neither LOAD CSV nor ours pays for a cold server.
                small_json, small_csv = data.cached_files(WARM_UP_SCALE, self.seed)
                neo4j_import.load_csv(store, small_csv, server.import_dir)
                neo4j_import.kamgraph_import(store, small_json)
            with self.step("Neo4j: LOAD CSV"):
                load_csv = repeat(lambda: float(neo4j_import.load_csv(
                    store, self.csv_path, server.import_dir)["records_per_s"]), heavy, budget)
            with self.step("Neo4j: one transaction per record (sampled)"):
                sampled = neo4j_import.per_record(store, self.json_path, self.scale.per_record_sample)
            with self.step("Neo4j: kamgraph import"):
                # the last import stays: the analyses on Neo4j read it
                ours = repeat(lambda: float(
                    neo4j_import.kamgraph_import(store, self.json_path)["records_per_s"]), heavy, budget)
        finally:
            store.close()
        what = "import into Neo4j"
        self.rows.append(Row("import_neo4j_vs_load_csv", f"{what} (vs LOAD CSV)", "neo4j", "records/s", ours,
                             Baseline("LOAD CSV inside Neo4j, 10,000 rows a transaction", load_csv),
                             note="LOAD CSV keeps values as text and checks nothing"))
        self.rows.append(Row("import_neo4j_vs_per_record", f"{what} (vs per-record)", "neo4j", "records/s",
                             ours, Baseline("one write transaction per record", [sampled["records_per_s"]]),
                             note=f"per-record: {sampled['sample']:,} records timed, extrapolated to "
                                  f"{sampled['records']:,}"))

    # -- 6. the API under load -----------------------------------------------------------
    def api_under_load(self) -> None:
        with SqliteStore(self.db) as store:
            token = users.create_user(store, "bench", "admin")
            manager = store.list_nodes("AccountManager", limit=1)[0].id
        reads = load.reads(self.pools, AS_OF)
        writes = load.writes(self.pools, manager, AS_OF)
        every_read = [request for kind in sorted(reads) for request in reads[kind]]
        seconds, clients = self.scale.load_seconds, self.scale.clients
        log = self.out / f"api-server-{self.scale.name}.log"
        with load.ApiServer(self.db, log, memory_limit=self.api_memory_limit) as server:
            with self.step("API: warm-up"):
                warm_up = load.warm_up(server.url, token, every_read, budget=seconds)
            phases = {}
            for name, share in (("reads", 0.0), ("mixed", load.WRITE_SHARE)):
                with self.step(f"API: {name}"):
                    phases[name] = load.run_phase(server.url, token, reads, writes, write_share=share,
                                                  seconds=seconds, clients=clients, seed=self.seed)
                    phases[name].health = load.health(server.url)
            peak, stopped = server.peak_memory(), server.stopped
        for name, what in (("reads", "reads"), ("mixed", "reads with 10 % writes")):
            self.rows.append(_load_row(f"api_{name}", f"API under load, {what}", phases[name], clients,
                                       seconds, stopped, log))
        note = stopped or f"after warm-up ({warm_up:.0f} s) and both load phases"
        self.rows.append(Row("api_peak_memory", "peak memory of the API process (VmHWM)", "embedded", "bytes",
                             [float(peak)], note=note))

    # -- 7. the report -------------------------------------------------------------------
    def report(self, neo4j_version: str | None) -> dict[str, Any]:
        return {
            "scale": self.scale.name, "stakeholders": self.scale.stakeholders, "seed": self.seed,
            "date": datetime.now(UTC).isoformat(timespec="seconds"), "repeat": self.scale.repeat,
            "machine": _machine(), "versions": _versions(neo4j_version), "graph": self.graph,
            "subjects": self.subjects.record(), "subgraphs": self.subgraphs, "pools": self.pools,
            "rows": [row_record(row, self.scale.name) for row in self.rows], "steps": self.steps,
            "errors": self.errors,
            "total_seconds": time.perf_counter() - self.started}


def _load_row(row_id: str, what: str, phase: load.Load, clients: int, seconds: float, stopped: str,
              log: Path) -> Row:
    p99 = percentile(phase.latencies, 99) if phase.latencies else None
    cache = phase.health.get("cache")
    failures = ", ".join(f"{reason} x{count}" for reason, count in sorted(phase.failures.items()))
    note = (f"{phase.requests_per_s:,.1f} requests/s, p50 = median, p99 "
            f"{p99 * 1e3 if p99 is not None else 0:,.0f} ms, {phase.errors} errors"
            f"{f' ({failures}; the server log is {log.name})' if failures else ''}; "
            f"{clients} clients for {seconds:.0f} s"
            f"{'; ' + stopped if stopped else ''}{f'; analysis cache {cache}' if cache else ''}")
    return Row(row_id, what, "embedded", "s", phase.latencies or [0.0], note=note,
               extra={"requests": len(phase.latencies), "requests_per_s": phase.requests_per_s,
                      "p99": p99, "errors": phase.errors, "by_kind": dict(phase.kinds),
                      "failures": dict(phase.failures), "clients": clients, "health": phase.health})


def _overlap(ours: list[str], theirs: list[str]) -> str:
    return f"{len(set(ours[:10]) & set(theirs[:10]))}/{min(10, len(theirs))}"


def _machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = next((int(line.split()[1]) * 1024 for line in _lines("/proc/meminfo")
                   if line.startswith("MemTotal:")), 0)
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_bytes": memory,
            "load_average": os.getloadavg()[0], "platform": platform.platform()}


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def _versions(neo4j_version: str | None) -> dict[str, str]:
    found = {"Python": platform.python_version()}
    for name in ("kamgraph", "networkx", "igraph", "scipy", "numpy", "fastapi", "uvicorn", "httpx"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    found["SQLite"] = sqlite3.sqlite_version
    found["Neo4j"] = neo4j_version or "not run (--no-neo4j)"
    return found


def _say(text: str) -> None:
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def run(scale: Scale, *, seed: int = 42, out: Path = data.OUT, neo4j: Neo4jServer | None = None,
        api_memory_limit: float = API_MEMORY_LIMIT) -> dict[str, Any]:
    """Run every step at ``scale`` and return the report (see the module doc); the API
    server's log goes to ``out``."""
    neo4j_version = neo4j.version() if neo4j else None  # fail now, not after the long steps
    with tempfile.TemporaryDirectory(prefix="kamgraph-bench-") as folder:
        suite = Suite(scale, seed, Path(folder), out, api_memory_limit)
        suite.generate()
        suite.import_embedded()
        suite.whole_graph_baselines()
        # Later steps need the ones above; each step below may fail alone.
        suite.attempt("subgraph sizes", suite.subgraph_sizes)
        suite.analyses("embedded", lambda: SqliteStore(suite.db))
        if neo4j is not None and suite.attempt("Neo4j imports", lambda: suite.neo4j_imports(neo4j)):
            suite.analyses("neo4j", neo4j.open)
        suite.attempt("API under load", suite.api_under_load)
        return suite.report(neo4j_version)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="region",
                        help="smoke (300 stakeholders), region (5,000), national (100,000), or a number")
    parser.add_argument("--repeat", type=int, default=None, help="runs per analysis figure (scale's default)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=data.OUT, help="where the report goes (bench/out)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--neo4j-url", default=DEFAULT_NEO4J_URL,
                       help=f"a Neo4j kept for benchmarks: it is wiped (default {DEFAULT_NEO4J_URL})")
    where.add_argument("--no-neo4j", action="store_true", help="the embedded store only")
    parser.add_argument("--api-memory-limit", type=float, default=API_MEMORY_LIMIT / 1e9, metavar="GB",
                        help="stop the API server when it holds more memory than this (default 8)")
    parser.add_argument("--neo4j-import-dir", type=Path, default=None,
                        help="the server's import folder, for LOAD CSV "
                             "(default $KAMGRAPH_NEO4J_HOME/import, else .neo4j-bench/import)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        scale = scale_named(args.scale, args.repeat)
    except ValueError as exc:
        print(f"python -m bench: {exc}", file=sys.stderr)
        return 2
    neo4j = None
    if not args.no_neo4j:
        home = Path(os.environ.get("KAMGRAPH_NEO4J_HOME", ROOT / ".neo4j-bench"))
        neo4j = Neo4jServer(args.neo4j_url, os.environ.get("KAMGRAPH_NEO4J_PASSWORD", "kamgraph-test-pw"),
                            args.neo4j_import_dir or home / "import")
    report = run(scale, seed=args.seed, out=args.out, neo4j=neo4j,
                 api_memory_limit=args.api_memory_limit * 1e9)
    json_path, md_path = write_report(report, args.out)
    print(markdown(report))
    _say(f"report: {md_path} and {json_path}")
    return 1 if report["errors"] else 0
