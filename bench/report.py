"""The benchmark report: rows of figures with their baselines, as JSON and as a Markdown table.

Every number in the Markdown is a JSON number formatted by :func:`fmt` (or :func:`fmt_ratio`),
so the two always agree; the JSON also keeps every sample.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.stats import median, p95, ratio
from bench.targets import NATIONAL, targets_of

__all__ = ["NOT_APPLICABLE", "Baseline", "Row", "fmt", "fmt_ratio", "markdown", "met_cell",
           "row_record", "write_report"]

NOT_APPLICABLE = "n/a (target is for national)"
COLUMNS = ("benchmark", "store", "runs", "median", "p95", "baseline", "baseline median", "ratio",
           "target", "met", "note")


@dataclass(slots=True)
class Baseline:
    """What a user would otherwise do, measured in the same run, in the row's unit."""

    what: str
    samples: list[float]


@dataclass(slots=True)
class Row:
    """One figure of ours: its samples in ``unit``, and its baseline when it has one."""

    id: str
    what: str
    store: str
    unit: str
    samples: list[float]
    baseline: Baseline | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def row_record(row: Row, scale: str) -> dict[str, Any]:
    """The JSON form of a row: figures, baseline, ratio and each target with whether it is met."""
    ours = median(row.samples)
    record: dict[str, Any] = {
        "id": row.id, "what": row.what, "store": row.store, "unit": row.unit,
        "runs": len(row.samples), "median": ours, "p95": p95(row.samples, row.unit),
        "samples": row.samples, "baseline": None, "ratio": None, "note": row.note,
        "extra": row.extra}
    if row.baseline is not None:
        base = median(row.baseline.samples)
        record["baseline"] = {"what": row.baseline.what, "runs": len(row.baseline.samples),
                              "median": base, "p95": p95(row.baseline.samples, row.unit),
                              "samples": row.baseline.samples}
        record["ratio"] = ratio(ours, base, row.unit)
    record["targets"], record["met"] = _judge(record, scale)
    return record


def _judge(record: dict[str, Any], scale: str) -> tuple[list[dict[str, Any]], bool | None]:
    """Each target with ``met`` (``None`` away from the national scale), and all of them met."""
    targets = targets_of(record["id"])
    if scale != NATIONAL:
        return [{"text": t.text, "met": None} for t in targets], None
    judged = [{"text": t.text, "met": t.met(_figure(record, t.figure))} for t in targets]
    return judged, (all(t["met"] for t in judged) if judged else None)


def _figure(record: dict[str, Any], name: str) -> float | None:
    if name in ("median", "p95", "ratio"):
        value: float | None = record[name]
        return value
    return record["extra"].get(name)


def fmt(value: float | None, unit: str) -> str:
    """A figure for people: 3 significant digits, ms below a second.

    >>> fmt(0.01234, "s"), fmt(2.5, "s"), fmt(412.34, "s"), fmt(52301.2, "records/s")
    ('12.3 ms', '2.5 s', '412.3 s', '52,301 records/s')
    >>> fmt(1.5e9, "bytes"), fmt(None, "s")
    ('1.50 GB', '—')
    """
    if value is None:
        return "—"
    if unit == "s":
        if value < 1:
            return f"{value * 1e3:.3g} ms"
        return f"{value:.3g} s" if value < 100 else f"{value:,.1f} s"
    if unit == "bytes":
        return f"{value / 1e9:.2f} GB"
    return f"{value:,.0f} {unit}"


def fmt_ratio(value: float | None) -> str:
    """A ratio for people, 3 significant digits.

    >>> fmt_ratio(24.139), fmt_ratio(0.3333), fmt_ratio(4381.7), fmt_ratio(None)
    ('24.1x', '0.333x', '4,382x', '—')
    """
    if value is None:
        return "—"
    return f"{value:,.0f}x" if value >= 1000 else f"{value:.3g}x"


def met_cell(record: dict[str, Any]) -> str:
    if not record["targets"]:
        return "—"
    if record["met"] is None:
        return NOT_APPLICABLE
    missed = [t["text"] for t in record["targets"] if not t["met"]]
    return "yes" if not missed else "no: " + "; ".join(missed)


def table_cells(record: dict[str, Any]) -> list[str]:
    """The Markdown cells of one row, in :data:`COLUMNS` order."""
    base = record["baseline"]
    return [f"{record['what']} (`{record['id']}`)", record["store"], str(record["runs"]),
            fmt(record["median"], record["unit"]), fmt(record["p95"], record["unit"]),
            f"{base['what']} ({_runs(base['runs'])})" if base else "—",
            fmt(base["median"], record["unit"]) if base else "—", fmt_ratio(record["ratio"]),
            "; ".join(t["text"] for t in record["targets"]) or "—", met_cell(record),
            record["note"].replace("|", "/") or " "]


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"


def markdown(report: dict[str, Any]) -> str:
    """The whole report as Markdown: the context lines, then one table row per figure."""
    lines = [f"# kamgraph benchmarks: scale `{report['scale']}` "
             f"({report['stakeholders']:,} stakeholders), seed {report['seed']}", "",
             *(f"- {line}" for line in _context(report)), "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(table_cells(record)) + " |" for record in report["rows"]]
    steps = ", ".join(f"{s['step']} {s['seconds']:.0f} s" for s in report["steps"])
    lines += ["", f"Time per step: {steps}.", ""]
    if report["errors"]:
        lines += ["**Failed steps** (their rows are missing):", "",
                  *(f"- {e['step']}: {e['error'].splitlines()[0]}" for e in report["errors"]), ""]
    return "\n".join(lines)


def _context(report: dict[str, Any]) -> list[str]:
    machine, graph, subjects = report["machine"], report["graph"], report["subjects"]
    versions = ", ".join(f"{name} {version}" for name, version in report["versions"].items())
    return [
        f"date: {report['date']}; whole suite: {report['total_seconds']:.0f} s",
        f"machine: {machine['cores']} cores ({machine['cpu']}), "
        f"{machine['memory_bytes'] / 2**30:.1f} GiB memory, load average at start "
        f"{machine['load_average']:.2f} (other work on the machine makes timings noisy)",
        f"versions: {versions}",
        f"graph: {graph['nodes']:,} nodes, {graph['relationships']:,} relationships; "
        f"tender `{subjects['tender']}` (largest committee: {subjects['committee']} people), "
        f"territory `{subjects['territory']}` (largest region: {subjects['territory_people']:,} "
        f"people), person `{subjects['person']}` ({subjects['person_ties']} ties)",
        "subgraphs loaded from the store: " + ("; ".join(
            f"{name} {sub['nodes']:,} nodes, {sub['relationships']:,} relationships ({sub['seconds']:.2f} s)"
            for name, sub in report["subgraphs"].items()) or "not measured"),
        "ratio: how many times faster ours is than the baseline measured in the same run "
        "(baseline median time / our median time; for rates our rate / the baseline's); "
        "p95 is the slow tail (for rates the 5th percentile); cold = a fresh store object and "
        "caches cleared, warm = the same call again on the same open store",
    ]


def write_report(report: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """``report-<scale>.json`` and ``report-<scale>.md`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"report-{report['scale']}.json", out / f"report-{report['scale']}.md"
    json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(report), encoding="utf-8")
    return json_path, md_path
