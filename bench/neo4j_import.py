"""Neo4j import throughput, side by side in one run on one machine.

1. kamgraph's import (validated, all or nothing, one transaction of UNWIND batches);
2. one write transaction per record through the driver, on a sample, extrapolated;
3. Neo4j's own ``LOAD CSV`` of the same data exported as CSV (committed every 10,000 rows).

    python -m bench.neo4j_import --scale 100000 --url bolt://127.0.0.1:7687

The server must be empty-able (it is wiped before each step) and have heap enough for the
import transaction (about 4 GB for scale 100,000: ``KAMGRAPH_NEO4J_HEAP=6g scripts/neo4j start``).
The whole suite (``python -m bench``, ``scripts/bench``) runs these three steps too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from kamgraph.demo import demo_records
from kamgraph.io import import_path
from kamgraph.io.csv_io import LABEL_FILES, RELATIONSHIPS_FILE, CsvFolderWriter
from kamgraph.io.json_io import write_json
from kamgraph.model import Relationship, Where, parse_node, parse_relationship
from kamgraph.store.cypher import query
from kamgraph.store.neo4j import Neo4jStore

OUT = Path(__file__).resolve().parent / "out"
IMPORT_DIR = Path(__file__).resolve().parents[1] / ".neo4j" / "import"
TODAY = date(2026, 11, 28)


def demo_files(scale: int, seed: int) -> tuple[Path, Path]:
    """The demo as a JSON file and a CSV folder, cached by scale and seed."""
    json_path, csv_path = OUT / f"demo-{scale}-{seed}.json", OUT / f"demo-{scale}-{seed}-csv"
    if not json_path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        write_json(json_path, demo_records(scale, seed=seed, today=TODAY))
    if not csv_path.exists():
        with CsvFolderWriter(csv_path) as writer:
            for record in demo_records(scale, seed=seed, today=TODAY):
                writer.write(record)
    return json_path, csv_path


def wipe(store: Neo4jStore) -> None:
    with store._driver.session(database=store.database) as session:
        session.run(query("wipe_database")).consume()
        session.run(query("schema_meta")).consume()


def kamgraph_import(store: Neo4jStore, json_path: Path) -> dict[str, Any]:
    wipe(store)
    started = time.perf_counter()
    report = import_path(store, json_path)
    seconds = time.perf_counter() - started
    records = report.nodes + report.relationships
    return {"records": records, "seconds": seconds, "records_per_s": records / seconds}


def per_record(store: Neo4jStore, json_path: Path, sample: int) -> dict[str, Any]:
    """One managed transaction per record: all nodes but a sample are loaded in bulk, then the
    sample nodes and a sample of relationships are written one by one and timed."""
    records = json.loads(json_path.read_text())
    nodes = [parse_node(r, Where(None, "x"))[0] for r in records["nodes"]]
    rels = [parse_relationship(r, Where(None, "x"))[0] for r in records["relationships"]]
    wipe(store)
    held_back = nodes[::max(1, len(nodes) // sample)][:sample]
    held_ids = {n.id for n in held_back}
    bulk = [n for n in nodes if n.id not in held_ids]
    for start in range(0, len(bulk), 5000):
        store.upsert(bulk[start:start + 5000])
    started = time.perf_counter()
    for node in held_back:
        store.upsert([node])
    node_seconds = (time.perf_counter() - started) / len(held_back)
    usable = [r for r in rels if r.start not in held_ids and r.end not in held_ids]
    chosen: list[Relationship] = usable[::max(1, len(usable) // sample)][:sample]
    started = time.perf_counter()
    for rel in chosen:
        store.upsert([], [rel])
    rel_seconds = (time.perf_counter() - started) / len(chosen)
    total = len(nodes) * node_seconds + len(rels) * rel_seconds
    count = len(nodes) + len(rels)
    return {"sample": len(held_back) + len(chosen), "records": count, "seconds_extrapolated": total,
            "records_per_s": count / total}


def load_csv(store: Neo4jStore, csv_path: Path, import_dir: Path = IMPORT_DIR) -> dict[str, Any]:
    """``LOAD CSV`` of the CSV folder; ``import_dir`` is the server's import folder."""
    wipe(store)
    import_dir.mkdir(parents=True, exist_ok=True)
    for file in csv_path.glob("*.csv"):
        shutil.copy(file, import_dir / file.name)
    started = time.perf_counter()
    with store._driver.session(database=store.database) as session:
        for label, file in LABEL_FILES.items():
            session.run(query("load_csv_nodes"), file=file, label=label).consume()
        session.run(query("load_csv_relationships"), file=RELATIONSHIPS_FILE).consume()
    seconds = time.perf_counter() - started
    counts = store.counts()
    records = counts.nodes + counts.relationships
    return {"records": records, "seconds": seconds, "records_per_s": records / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--url", default="bolt://127.0.0.1:7687")
    parser.add_argument("--import-dir", type=Path, default=IMPORT_DIR,
                        help="the server's import folder (LOAD CSV reads from there)")
    args = parser.parse_args()
    password = os.environ.get("KAMGRAPH_NEO4J_PASSWORD", "kamgraph-test-pw")
    json_path, csv_path = demo_files(args.scale, args.seed)
    store = Neo4jStore(args.url, password=password)
    result: dict[str, Any] = {"scale": args.scale, "cores": os.cpu_count()}
    steps = {"kamgraph_import": lambda: kamgraph_import(store, json_path),
             "per_record": lambda: per_record(store, json_path, args.sample),
             "load_csv": lambda: load_csv(store, csv_path, args.import_dir)}
    try:
        for name, step in steps.items():
            result[name] = step()
            print(name, json.dumps(result[name]), file=sys.stderr, flush=True)
    finally:
        wipe(store)
        store.close()
    ours = result["kamgraph_import"]["records_per_s"]
    result["ratio_vs_load_csv"] = ours / result["load_csv"]["records_per_s"]
    result["ratio_vs_per_record"] = ours / result["per_record"]["records_per_s"]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
