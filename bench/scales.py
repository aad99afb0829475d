"""The scales the suite runs at, with how many runs and how much time each figure may take.

Time budget of a national run (100,000 stakeholders, about 1.1 million records) on the
2-core machine, at the speeds measured before the caches of issue #6 (the cold calls: tender
5 s, coverage of a region about 5 s, paths 13 s, whole-graph rank 40 s on SQLite and 70 s on
Neo4j), which keeps the whole suite under 30 minutes:

==============================================  =========  ================================
step                                             budget     how it is bounded
==============================================  =========  ================================
generate the demo (timed)                        ~15 s      one run
cache JSON + CSV files                           (~2 min)   first run only: by scale, seed
embedded import + plain INSERTs                  ~1.5 min   one run each
whole graph, subjects, influence graph           ~1 min     built once
baselines: networkx and igraph PageRank, our     ~4 min     20 s per figure; path search
  PageRank, networkx paths, export + coverage                cut at 30 s; export: one run
subgraph sizes (tender, territory, person)       ~1 min     one load each
embedded analyses: 4 questions, cold and warm    ~3 min     20 s per figure, or two calls
Neo4j: LOAD CSV, per-record sample, import       ~8 min     one run each, 3 wipes
Neo4j analyses: 4 questions, cold and warm       ~4 min     20 s per figure, or two calls
API: start, warm-up, 60 s reads, 60 s mixed      <= 4 min   60 s warm-up, 30 s grace a phase
total                                            ~27 min
==============================================  =========  ================================

A figure stops repeating once its budget is spent (it keeps at least one run; a question
slower than its budget is asked twice: cold, then warm), so a slow figure shows fewer runs
rather than a longer suite.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["SCALES", "Scale", "scale_named"]


@dataclass(frozen=True, slots=True)
class Scale:
    """How large the demo is and how hard each step works at that size."""

    name: str
    stakeholders: int
    repeat: int
    """Runs of each analysis figure (cold and warm) and of the cheap baselines."""
    heavy_repeat: int
    """Runs of the generation, the imports and the export baseline."""
    figure_budget: float
    """Seconds one figure may spend repeating (it keeps at least one run)."""
    load_seconds: float
    """Length of each API load phase (reads, then mixed)."""
    clients: int
    per_record_sample: int
    """Records written one transaction each for the Neo4j per-record baseline."""
    paths_cap: float
    """Seconds one networkx path search may take before it is cut off."""


SCALES = {
    "smoke": Scale("smoke", 300, repeat=3, heavy_repeat=1, figure_budget=5, load_seconds=3,
                   clients=4, per_record_sample=50, paths_cap=10),
    "region": Scale("region", 5_000, repeat=10, heavy_repeat=3, figure_budget=15, load_seconds=15,
                    clients=32, per_record_sample=500, paths_cap=30),
    "national": Scale("national", 100_000, repeat=10, heavy_repeat=1, figure_budget=20,
                      load_seconds=60, clients=32, per_record_sample=1000, paths_cap=30),
}


def scale_named(name: str, repeat: int | None = None) -> Scale:
    """A named scale, or a number of stakeholders (run like ``region``, heavy steps once);
    ``repeat`` overrides the runs per figure."""
    if name in SCALES:
        scale = SCALES[name]
    elif name.isdigit() and int(name) >= 200:
        scale = replace(SCALES["region"], name=name, stakeholders=int(name), heavy_repeat=1)
    else:
        raise ValueError(f"unknown scale {name!r}: smoke, region, national or a number of "
                         "stakeholders (at least 200)")
    return scale if repeat is None else replace(scale, repeat=repeat)
