"""Several reports side by side: how time and memory grow with the stakeholders.

    python -m bench.curves bench/out/report-smoke.json bench/out/report-region.json ...

prints one Markdown table, a column per report (smallest scale first) and a line per figure
(its median; for the API its p95 too), for ``docs/scaling.md``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.report import fmt

__all__ = ["curves", "main"]

LINES = (
    ("generate", "median", "generate the demo"),
    ("import_embedded", "median", "import, embedded"),
    ("import_neo4j_vs_load_csv", "median", "import, Neo4j"),
    ("tender_cold_embedded", "median", "tender influence cold, embedded"),
    ("tender_warm_embedded", "median", "tender influence warm, embedded"),
    ("tender_cold_neo4j", "median", "tender influence cold, Neo4j"),
    ("tender_warm_neo4j", "median", "tender influence warm, Neo4j"),
    ("coverage_cold_embedded", "median", "coverage of the largest region cold, embedded"),
    ("coverage_warm_embedded", "median", "coverage of the largest region warm, embedded"),
    ("coverage_cold_neo4j", "median", "coverage cold, Neo4j"),
    ("coverage_warm_neo4j", "median", "coverage warm, Neo4j"),
    ("paths_cold_embedded", "median", "warm paths cold, embedded"),
    ("paths_warm_embedded", "median", "warm paths warm, embedded"),
    ("paths_cold_neo4j", "median", "warm paths cold, Neo4j"),
    ("paths_warm_neo4j", "median", "warm paths warm, Neo4j"),
    ("rank_pagerank", "median", "PageRank of the whole influence graph"),
    ("rank_cold_embedded", "median", "whole-graph rank cold, embedded"),
    ("rank_warm_embedded", "median", "whole-graph rank warm, embedded"),
    ("rank_cold_neo4j", "median", "whole-graph rank cold, Neo4j"),
    ("rank_warm_neo4j", "median", "whole-graph rank warm, Neo4j"),
    ("api_reads", "p95", "API p95, reads"),
    ("api_mixed", "p95", "API p95, reads and 10 % writes"),
    ("api_peak_memory", "median", "API peak memory"),
)


def curves(reports: list[dict[str, Any]]) -> str:
    """The Markdown table of the reports' figures, smallest scale first."""
    reports = sorted(reports, key=lambda r: r["stakeholders"])
    head = ["| figure | " + " | ".join(f"{r['stakeholders']:,}" for r in reports) + " |",
            "|---|" + "---|" * len(reports),
            "| nodes / relationships | " + " | ".join(
                f"{r['graph']['nodes']:,} / {r['graph']['relationships']:,}" for r in reports) + " |"]
    lines = []
    for row_id, figure, what in LINES:
        cells = [_cell(report, row_id, figure) for report in reports]
        if any(cell != "—" for cell in cells):
            lines.append(f"| {what} | " + " | ".join(cells) + " |")
    requests = " | ".join(_requests(report) for report in reports)
    return "\n".join([*head, *lines, f"| API requests/s, reads | {requests} |"]) + "\n"


def _cell(report: dict[str, Any], row_id: str, figure: str) -> str:
    row = next((r for r in report["rows"] if r["id"] == row_id), None)
    return "—" if row is None else fmt(row[figure], row["unit"])


def _requests(report: dict[str, Any]) -> str:
    row = next((r for r in report["rows"] if r["id"] == "api_reads"), None)
    return "—" if row is None else f"{row['extra']['requests_per_s']:.1f}"


def main(argv: list[str] | None = None) -> int:
    paths = [Path(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    print(curves([json.loads(path.read_text(encoding="utf-8")) for path in paths]), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
