"""Territory coverage: does the team have working relationships with the people who decide?

The regional manager's job (DOMAIN.md, job 3). For territory R at date ``as_of``:

- **scope**: R and its sub-territories (``PART_OF`` child → parent, any depth); the
  organisations ``LOCATED_IN`` them, with their sub-organisations (``PART_OF`` org → org);
- **key stakeholders**: the people with an active ``WORKS_AT`` at one of those organisations,
  ranked by importance (``influence.importance``: a blend of influence rank and decision power);
- **covered**: some AccountManager ``RELATES_TO`` the person at an engaged or higher stage
  (``config.covered_stages``), the relationship active at ``as_of``.

The relationship's stage is its current stage: the graph keeps no stage history, so a
comparison at an earlier date counts a relationship at its present stage from its ``since``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.graphs import Edge, active_by_type, covered_people, current_employers
from kamgraph.analysis.influence import importance
from kamgraph.model import STAGES

__all__ = ["coverage_report", "key_stakeholders"]


def key_stakeholders(graph: nx.MultiDiGraph, territory_id: str, *, as_of: date,
                     config: AnalysisConfig = DEFAULT) -> dict[str, float]:
    """The key stakeholders of a territory and their importance, most important first.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A store subgraph holding the territory (``territory_subgraph`` or the whole graph).
    territory_id : str
        The territory R; its sub-territories are included.
    as_of : date
        Jobs (``WORKS_AT``) and the ties behind importance count when active at this date.
    config : AnalysisConfig
        Weights of importance (defaults in :class:`AnalysisConfig`).

    Returns
    -------
    dict
        Person id → importance, for every person with an active ``WORKS_AT`` at an
        organisation in scope, ordered by importance (descending), then id.

    Raises
    ------
    KeyError
        ``territory_id`` is not a Territory of ``graph``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("r", label="Territory", name="Region")
    >>> g.add_node("h", label="Organization", name="Hospital")
    >>> g.add_node("p", label="Stakeholder", name="Dr. P")
    >>> _ = g.add_edge("h", "r", key="LOCATED_IN", type="LOCATED_IN")
    >>> _ = g.add_edge("p", "h", key="WORKS_AT", type="WORKS_AT", seniority="head")
    >>> list(key_stakeholders(g, "r", as_of=date(2026, 1, 1)))
    ['p']
    """
    return _snapshot(graph, territory_id, as_of, config).importance


def coverage_report(graph: nx.MultiDiGraph, territory_id: str, *, as_of: date,
                    compare: date | None = None, config: AnalysisConfig = DEFAULT,
                    stale_days: int | None = None, top: int | None = None) -> dict[str, Any]:
    """How well the team covers the key stakeholders of a territory, and where the gaps are.

    With ``imp(p)`` the importance of key stakeholder ``p`` (see :func:`key_stakeholders`):

    - ``coverage_weighted`` = Σ imp(covered) / Σ imp(all), 0 when there is nobody;
    - ``coverage_headcount`` = covered / people, 0 when there is nobody.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A store subgraph holding the territory (``territory_subgraph`` or the whole graph).
    territory_id : str
        The territory R; its sub-territories are included.
    as_of : date
        The analysis date: jobs, relationships and ties count when active at it.
    compare : date, optional
        An earlier (or any other) date to compare with: the same figures at that date.
    config : AnalysisConfig
        Weights and thresholds; ``covered_stages`` (engaged, trusted, advocate) and
        ``stale_days`` (90) matter here.
    stale_days : int, optional
        A covering relationship is stale when its ``last_contact`` is more than this many
        days before ``as_of``, or missing; default ``config.stale_days``.
    top : int, optional
        Keep only the ``top`` most important gaps.

    Returns
    -------
    dict
        ``territory`` {id, name}; ``as_of``; ``people``; ``coverage_weighted``;
        ``coverage_headcount``;
        ``gaps``: uncovered people, most important first: {id, name, importance,
        organization (name of the organisation of their most senior active job, as in
        ``graphs.current_employers``), stance, best_stage (best stage of any active
        relationship with them, whatever the stage, or None)};
        ``by_account_manager``: every account manager who covers a territory in scope or
        relates to a key stakeholder, by importance covered: {id, name, covered (people they
        cover), relationships (active relationships with key people, any stage),
        importance_covered (Σ importance of the people they cover)};
        ``by_organization``: organisations with key people, by their people's total
        importance: {id, name, people, covered, coverage_weighted};
        ``competitor_entrenched``: one row per key person and competitor they are
        ``ALIGNED_WITH``, strongest first (then most important): {id, name, competitor (its
        name), strength (None when not recorded), covered};
        ``stale``: covering relationships gone quiet, longest silence first (never contacted
        first): {id, name, account_manager {id, name}, stage, last_contact, days};
        ``compare``: None, or {as_of, coverage_weighted, coverage_headcount, people,
        delta_weighted, delta_headcount (now minus then), newly_covered (key and covered now,
        not then), lost (key and covered then, not now)}.

    Raises
    ------
    KeyError
        ``territory_id`` is not a Territory of ``graph``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("r", label="Territory", name="Region")
    >>> g.add_node("h", label="Organization", name="Hospital")
    >>> g.add_node("am", label="AccountManager", name="Anna")
    >>> for pid, level in [("p", "executive"), ("q", "staff")]:
    ...     g.add_node(pid, label="Stakeholder", name=pid.upper())
    ...     _ = g.add_edge(pid, "h", key="WORKS_AT", type="WORKS_AT", seniority=level)
    >>> _ = g.add_edge("h", "r", key="LOCATED_IN", type="LOCATED_IN")
    >>> _ = g.add_edge("am", "q", key="RELATES_TO", type="RELATES_TO", stage="engaged",
    ...                last_contact="2026-01-01")
    >>> report = coverage_report(g, "r", as_of=date(2026, 2, 1))
    >>> report["coverage_headcount"], [gap["id"] for gap in report["gaps"]]
    (0.5, ['p'])
    """
    stale_days = config.stale_days if stale_days is None else stale_days
    now = _snapshot(graph, territory_id, as_of, config)
    gaps = _gaps(graph, now)
    return {
        "territory": _ref(graph, territory_id),
        "as_of": as_of.isoformat(),
        "people": len(now.importance),
        "coverage_weighted": now.weighted,
        "coverage_headcount": now.headcount,
        "gaps": gaps if top is None else gaps[:top],
        "by_account_manager": _by_account_manager(graph, now),
        "by_organization": _by_organization(graph, now),
        "competitor_entrenched": _competitor_entrenched(graph, now),
        "stale": _stale(graph, now, stale_days),
        "compare": None if compare is None else _compare(
            now, _snapshot(graph, territory_id, compare, config)),
    }


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """The territory at one date."""

    as_of: date
    config: AnalysisConfig
    territories: set[str]
    importance: dict[str, float]          # key person -> importance, most important first
    jobs: dict[str, set[str]]             # key person -> their organisations in scope
    relations: list[tuple[str, str, dict[str, Any]]]  # active RELATES_TO to key people
    covered: dict[str, list[tuple[str, str, float]]]  # key person -> covering relationships
    active: dict[str, list[Edge]]         # the active relationships the report reads, by type

    @property
    def weighted(self) -> float:
        total = sum(self.importance.values())
        return sum(self.importance[p] for p in self.covered) / total if total > 0 else 0.0

    @property
    def headcount(self) -> float:
        return len(self.covered) / len(self.importance) if self.importance else 0.0


def _snapshot(graph: nx.MultiDiGraph, territory_id: str, as_of: date,
              config: AnalysisConfig) -> _Snapshot:
    territories = _territories(graph, territory_id)
    active = active_by_type(graph, _READ, as_of)  # one pass over the graph, not eight
    jobs = _jobs(graph, _organizations(graph, territories), active["WORKS_AT"])
    score = importance(graph, as_of=as_of, config=config, active=active)
    ranked = dict(sorted(((p, score.get(p, 0.0)) for p in jobs), key=lambda kv: (-kv[1], kv[0])))
    relations = sorted(((m, p, a) for m, p, a in active["RELATES_TO"] if p in jobs),
                       key=lambda rel: rel[:2])
    covered = {p: cover for p, cover in covered_people(graph, as_of=as_of, config=config,
                                                       active=active).items() if p in jobs}
    return _Snapshot(as_of, config, territories, ranked, jobs, relations, covered, active)


_READ = ("WORKS_AT", "ROLE_IN", "RELATES_TO", "COVERS", "ALIGNED_WITH")


def _territories(graph: nx.MultiDiGraph, territory_id: str) -> set[str]:
    """The territory and its sub-territories at any depth."""
    if territory_id not in graph or graph.nodes[territory_id].get("label") != "Territory":
        raise KeyError(territory_id)
    return _descendants(graph, {territory_id}, "Territory")


def _organizations(graph: nx.MultiDiGraph, territories: set[str]) -> set[str]:
    """Organisations located in the territories, with their sub-organisations."""
    located = {org for org, place, kind in graph.edges(data="type")
               if kind == "LOCATED_IN" and place in territories}
    return _descendants(graph, located, "Organization")


def _descendants(graph: nx.MultiDiGraph, roots: set[str], label: str) -> set[str]:
    """``roots`` and every node of ``label`` that is ``PART_OF`` one of them, at any depth."""
    found, frontier = set(roots), list(roots)
    while frontier:
        for child, _, kind in graph.in_edges(frontier.pop(), data="type"):
            if kind == "PART_OF" and child not in found and graph.nodes[child].get("label") == label:
                found.add(child)
                frontier.append(child)
    return found


def _jobs(graph: nx.MultiDiGraph, organizations: set[str], works_at: list[Edge]
          ) -> dict[str, set[str]]:
    jobs: dict[str, set[str]] = {}
    for person, org, _ in works_at:
        if org in organizations and graph.nodes[person].get("label") == "Stakeholder":
            jobs.setdefault(person, set()).add(org)
    return jobs


def _ref(graph: nx.MultiDiGraph, node_id: str) -> dict[str, str]:
    return {"id": node_id, "name": str(graph.nodes[node_id].get("name", node_id))}


def _gaps(graph: nx.MultiDiGraph, now: _Snapshot) -> list[dict[str, Any]]:
    best: dict[str, str] = {}
    for _, person, attrs in now.relations:
        stage = str(attrs.get("stage", "unknown"))
        if _stage_rank(stage) >= _stage_rank(best.get(person)):
            best[person] = stage
    employers = current_employers(graph, as_of=now.as_of, config=now.config, active=now.active)
    return [{**_ref(graph, p), "importance": score, "organization": employers.get(p),
             "stance": graph.nodes[p].get("stance", "unknown"), "best_stage": best.get(p)}
            for p, score in now.importance.items() if p not in now.covered]


def _stage_rank(stage: str | None) -> int:
    return -1 if stage is None else STAGES.index(stage) if stage in STAGES else 0


def _by_account_manager(graph: nx.MultiDiGraph, now: _Snapshot) -> list[dict[str, Any]]:
    managers = {m for m, place, _ in now.active["COVERS"] if place in now.territories}
    managers |= {m for m, _, _ in now.relations}
    rows = []
    for manager in managers:
        mine = {p for p, cover in now.covered.items() if any(m == manager for m, _, _ in cover)}
        rows.append({**_ref(graph, manager), "covered": len(mine),
                     "relationships": sum(1 for m, _, _ in now.relations if m == manager),
                     "importance_covered": sum((now.importance[p] for p in sorted(mine)), 0.0)})
    return sorted(rows, key=lambda row: (-row["importance_covered"], -row["relationships"], row["id"]))


def _by_organization(graph: nx.MultiDiGraph, now: _Snapshot) -> list[dict[str, Any]]:
    staff: dict[str, list[str]] = {}
    for person in now.importance:
        for org in sorted(now.jobs[person]):
            staff.setdefault(org, []).append(person)
    rows = []
    for org, members in staff.items():
        total = sum(now.importance[p] for p in members)
        covered = [p for p in members if p in now.covered]
        rows.append((total, {**_ref(graph, org), "people": len(members), "covered": len(covered),
                             "coverage_weighted": sum(now.importance[p] for p in covered) / total
                             if total > 0 else 0.0}))
    return [row for _, row in sorted(rows, key=lambda pair: (-pair[0], pair[1]["id"]))]


def _competitor_entrenched(graph: nx.MultiDiGraph, now: _Snapshot) -> list[dict[str, Any]]:
    rows = []
    for person, org, attrs in now.active["ALIGNED_WITH"]:
        if person in now.importance and graph.nodes[org].get("type") == "competitor":
            strength = attrs.get("strength")
            rows.append({**_ref(graph, person), "competitor": str(graph.nodes[org].get("name", org)),
                         "strength": None if strength is None else float(strength),
                         "covered": person in now.covered})
    return sorted(rows, key=lambda row: (-(row["strength"] or 0.0), -now.importance[row["id"]],
                                         row["id"], row["competitor"]))


def _stale(graph: nx.MultiDiGraph, now: _Snapshot, stale_days: int) -> list[dict[str, Any]]:
    rows = []
    for manager, person, attrs in now.relations:
        stage = attrs.get("stage")
        if stage not in now.config.covered_stages:
            continue
        contact = attrs.get("last_contact")
        days = None if contact is None else (now.as_of - date.fromisoformat(str(contact)[:10])).days
        if days is None or days > stale_days:
            rows.append({**_ref(graph, person), "account_manager": _ref(graph, manager),
                         "stage": stage, "last_contact": None if contact is None else str(contact),
                         "days": days})
    return sorted(rows, key=lambda row: (row["days"] is not None, -(row["days"] or 0), row["id"],
                                         row["account_manager"]["id"]))


def _compare(now: _Snapshot, then: _Snapshot) -> dict[str, Any]:
    return {
        "as_of": then.as_of.isoformat(),
        "coverage_weighted": then.weighted,
        "coverage_headcount": then.headcount,
        "people": len(then.importance),
        "delta_weighted": now.weighted - then.weighted,
        "delta_headcount": now.headcount - then.headcount,
        "newly_covered": sorted(set(now.covered) - set(then.covered)),
        "lost": sorted(set(then.covered) - set(now.covered)),
    }
