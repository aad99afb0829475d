"""The benchmark suite at its smoke scale (embedded store only): every benchmark of issue #6 has
a row with numbers, each ratio is its baseline's arithmetic, and the Markdown says what the
JSON says. No timing is asserted: speed is what the suite reports, not what tests check."""

from __future__ import annotations

import doctest
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from bench import report as bench_report  # noqa: E402
from bench import stats, targets  # noqa: E402
from bench.report import Baseline, Row, row_record, table_cells  # noqa: E402

EMBEDDED_ROWS = [
    "generate", "import_embedded", "rank_pagerank",
    *(f"{question}_{temperature}_embedded" for question in ("tender", "coverage", "paths", "rank")
      for temperature in ("cold", "warm")),
    "api_reads", "api_mixed", "api_peak_memory",
]
NEO4J_ROWS = ["import_neo4j_vs_load_csv", "import_neo4j_vs_per_record",
              *(f"{question}_{temperature}_neo4j" for question in ("tender", "coverage", "paths", "rank")
                for temperature in ("cold", "warm"))]
WITHOUT_BASELINE = {"generate", "api_reads", "api_mixed", "api_peak_memory"}


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """The smoke suite run once, as ``scripts/test`` runs it: its JSON and its Markdown."""
    out = tmp_path_factory.mktemp("bench")
    run = subprocess.run([sys.executable, "-m", "bench", "--scale", "smoke", "--no-neo4j", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-5000:]
    return (json.loads((out / "report-smoke.json").read_text(encoding="utf-8")),
            (out / "report-smoke.md").read_text(encoding="utf-8"))


def rows_by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in report["rows"]}


def test_every_benchmark_has_a_row_with_numbers(smoke: tuple[dict[str, Any], str]) -> None:
    report, _ = smoke
    rows = rows_by_id(report)
    assert list(rows) == EMBEDDED_ROWS
    for row in rows.values():
        assert row["runs"] == len(row["samples"]) >= 1, row["id"]
        assert all(sample >= 0 for sample in row["samples"]), row["id"]
        assert (row["baseline"] is None) == (row["id"] in WITHOUT_BASELINE), row["id"]
    graph = report["graph"]
    assert rows["import_embedded"]["extra"]["records"] == graph["nodes"] + graph["relationships"]
    assert rows["api_reads"]["extra"]["requests"] == rows["api_reads"]["runs"] > 0
    assert rows["api_peak_memory"]["median"] > 0


def test_each_ratio_is_its_baseline_arithmetic(smoke: tuple[dict[str, Any], str]) -> None:
    for row in smoke[0]["rows"]:
        assert row["median"] == statistics.median(row["samples"])
        if row["baseline"] is None:
            assert row["ratio"] is None
            continue
        base = row["baseline"]["median"]
        assert base == statistics.median(row["baseline"]["samples"]) > 0
        expected = row["median"] / base if row["unit"] == "records/s" else base / row["median"]
        assert row["ratio"] == expected, row["id"]


def test_targets_are_shown_but_not_judged_below_national(smoke: tuple[dict[str, Any], str]) -> None:
    for row in smoke[0]["rows"]:
        assert [t["text"] for t in row["targets"]] == [t.text for t in targets.targets_of(row["id"])]
        assert row["met"] is None
        assert all(t["met"] is None for t in row["targets"])


def test_markdown_says_what_the_json_says(smoke: tuple[dict[str, Any], str]) -> None:
    report, text = smoke
    table = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    cells = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in table]
    assert cells == [[cell.strip() for cell in table_cells(row)] for row in report["rows"]]
    assert f"{report['graph']['nodes']:,} nodes" in text
    assert f"{report['machine']['cores']} cores" in text


def test_every_target_of_the_issue_belongs_to_a_row() -> None:
    assert set(targets.TARGETS) <= set(EMBEDDED_ROWS) | set(NEO4J_ROWS)
    assert len(targets.TARGETS) == 20


def test_targets_are_judged_at_the_national_scale() -> None:
    fast = row_record(Row("tender_warm_embedded", "t", "embedded", "s", [0.04, 0.06, 0.08],
                          Baseline("whole graph", [1.2, 1.5])), "national")
    assert fast["ratio"] == 1.35 / 0.06
    assert fast["p95"] == 0.08
    assert [t["met"] for t in fast["targets"]] == [True, True] and fast["met"] is True
    slow = row_record(Row("tender_warm_embedded", "t", "embedded", "s", [0.09, 0.12],
                          Baseline("whole graph", [1.05])), "national")
    assert slow["ratio"] == 1.05 / 0.105
    assert [t["met"] for t in slow["targets"]] == [False, False] and slow["met"] is False
    assert bench_report.met_cell(slow) == "no: p95 < 100 ms; >= 20x"
    rate = row_record(Row("import_neo4j_vs_load_csv", "i", "neo4j", "records/s", [9000.0, 7000.0, 8000.0],
                          Baseline("LOAD CSV", [10_000.0])), "national")
    assert rate["ratio"] == 0.8 and rate["p95"] == 7000.0 and rate["met"] is True
    untargeted = row_record(Row("paths_cold_neo4j", "p", "neo4j", "s", [2.0]), "national")
    assert untargeted["targets"] == [] and untargeted["met"] is None


def test_api_targets_read_the_error_count() -> None:
    clean = row_record(Row("api_reads", "a", "embedded", "s", [0.1, 0.2], extra={"errors": 0}), "national")
    failing = row_record(Row("api_reads", "a", "embedded", "s", [0.1, 0.2], extra={"errors": 3}), "national")
    assert clean["met"] is True
    assert [t["met"] for t in failing["targets"]] == [True, False]


def test_docstring_examples_of_the_suite() -> None:
    for module in (stats, bench_report):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_curves_put_the_scales_side_by_side() -> None:
    from bench.curves import curves

    def report(stakeholders: int, seconds: float) -> dict[str, Any]:
        rows = [row_record(Row("generate", "g", "—", "s", [seconds]), "smoke"),
                row_record(Row("api_reads", "a", "embedded", "s", [0.1, 0.3],
                               extra={"requests_per_s": 12.34}), "smoke")]
        return {"stakeholders": stakeholders, "graph": {"nodes": 2 * stakeholders, "relationships": 9000},
                "rows": rows}

    assert curves([report(5000, 2.5), report(300, 0.02)]).splitlines() == [
        "| figure | 300 | 5,000 |",
        "|---|---|---|",
        "| nodes / relationships | 600 / 9,000 | 10,000 / 9,000 |",
        "| generate the demo | 20 ms | 2.5 s |",
        "| API p95, reads | 300 ms | 300 ms |",
        "| API requests/s, reads | 12.3 | 12.3 |",
    ]
