"""The benchmark's data: the demo at a scale (cached as files by scale and seed), and the
subjects the analyses are timed on, picked from the graph by fixed rules.

Subjects, the same for every run of a (scale, seed):

- **tender**: the one with the largest committee (most people holding a role in it); ties go
  to the smallest id;
- **territory**: the largest region-level territory (most people working at organisations
  located in it or its sub-territories). At the national scale the country holds the whole
  graph, which is what the whole-graph benchmarks measure; a regional manager's question is
  about their region;
- **person**: the best-connected stakeholder (most ties to other people: ``INFLUENCES``,
  ``KNOWS``, ``REPORTS_TO``) who is not in a tender's quiet period, so warm paths to them are
  suggested at all.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx

from bench.neo4j_import import OUT, TODAY, demo_files
from kamgraph.analysis.tender import quiet_role_holders
from kamgraph.demo import demo_records

__all__ = ["OUT", "TODAY", "Subjects", "cached_files", "count_generated", "drop_cache",
           "pick_subjects", "pools"]

PERSON_TIES = ("INFLUENCES", "KNOWS", "REPORTS_TO")


def count_generated(stakeholders: int, seed: int) -> int:
    """Generate the demo once, as a stream, and count its records (the timed generation)."""
    return sum(1 for _ in demo_records(stakeholders, seed=seed, today=TODAY))


def cached_files(stakeholders: int, seed: int) -> tuple[Path, Path]:
    """The demo as a JSON file and a CSV folder under ``bench/out`` (made on first use)."""
    return demo_files(stakeholders, seed)


def drop_cache(stakeholders: int, seed: int) -> None:
    """Forget the cached files of a (scale, seed): the generator changed since they were made."""
    json_path, csv_path = OUT / f"demo-{stakeholders}-{seed}.json", OUT / f"demo-{stakeholders}-{seed}-csv"
    json_path.unlink(missing_ok=True)
    shutil.rmtree(csv_path, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class Subjects:
    tender: str
    committee: int
    territory: str
    territory_people: int
    person: str
    person_ties: int

    def record(self) -> dict[str, Any]:
        return asdict(self)


def pick_subjects(graph: nx.MultiDiGraph, as_of: date) -> Subjects:
    """The tender, territory and person the analyses are timed on (see the module doc)."""
    committees = _committees(graph)
    tender = min(committees, key=lambda t: (-committees[t], t))
    sizes = _region_sizes(graph)
    territory = min(sizes, key=lambda t: (-sizes[t], t))
    ties = _person_ties(graph, quiet_role_holders(graph, as_of=as_of))
    person = min(ties, key=lambda p: (-ties[p], p))
    return Subjects(tender, committees[tender], territory, sizes[territory], person, ties[person])


def pools(graph: nx.MultiDiGraph, subjects: Subjects, as_of: date, *, tenders: int = 5,
          people: int = 10) -> dict[str, list[str]]:
    """Ids the API load test asks about: the largest committees' tenders, the territory with
    its largest sub-territories, the best-connected people (subjects first in each list)."""
    committees = _committees(graph)
    ties = _person_ties(graph, quiet_role_holders(graph, as_of=as_of))
    children = [t for t, _, kind in graph.in_edges(subjects.territory, data="type") if kind == "PART_OF"
                and graph.nodes[t].get("label") == "Territory"]
    sizes = {t: len(_people_in(graph, t)) for t in children}
    return {"tenders": sorted(committees, key=lambda t: (-committees[t], t))[:tenders],
            "territories": [subjects.territory, *sorted(sizes, key=lambda t: (-sizes[t], t))[:2]],
            "people": sorted(ties, key=lambda p: (-ties[p], p))[:people]}


def _committees(graph: nx.MultiDiGraph) -> Counter[str]:
    holders = {(person, tender) for person, tender, kind in graph.edges(data="type") if kind == "ROLE_IN"}
    return Counter(tender for _, tender in holders)


def _region_sizes(graph: nx.MultiDiGraph) -> dict[str, int]:
    territories = [t for t, label in graph.nodes(data="label") if label == "Territory"]
    regions = [t for t in territories if graph.nodes[t].get("level") == "region"] or territories
    return {region: len(_people_in(graph, region)) for region in regions}


def _people_in(graph: nx.MultiDiGraph, territory: str) -> set[str]:
    """People working at organisations located in the territory or below it."""
    places = _below(graph, {territory}, "PART_OF")
    located = {org for org, place, kind in graph.in_edges(places, data="type") if kind == "LOCATED_IN"}
    organizations = _below(graph, located, "PART_OF")
    return {person for person, _, kind in graph.in_edges(organizations, data="type") if kind == "WORKS_AT"}


def _below(graph: nx.MultiDiGraph, roots: set[str], rel_type: str) -> set[str]:
    reached, frontier = set(roots), set(roots)
    while frontier:
        frontier = {child for child, _, kind in graph.in_edges(frontier, data="type")
                    if kind == rel_type} - reached
        reached |= frontier
    return reached


def _person_ties(graph: nx.MultiDiGraph, quiet: set[str]) -> Counter[str]:
    ties: Counter[str] = Counter()
    for start, end, kind in graph.edges(data="type"):
        if kind in PERSON_TIES:
            ties[start] += 1
            ties[end] += 1
    return Counter({person: count for person, count in ties.items()
                    if person not in quiet and graph.nodes[person].get("label") == "Stakeholder"})
