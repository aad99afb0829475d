"""Relationship plans: where each plan stands and which ones are at risk.

Each VIP or KOL worth winning is a project (DOMAIN.md): a ``Plan`` that an AccountManager
``PLANS`` and that ``TARGETS`` one stakeholder, with a goal stage, a due date and steps.
Stages are ordered unknown < acquainted < engaged < trusted < advocate.

A plan is **open** unless its status is ``done`` or ``dropped``. An open plan is **at risk**
for each of these reasons (``reasons`` lists their codes):

``overdue``
    its due date has passed (``due < as_of``) and the current stage is below the goal.
``no_contact``
    nobody on the team has been in contact with the stakeholder in the last ``stale_days``
    days (``config.stale_days``, 90): no ``RELATES_TO`` ``last_contact`` and no dated
    ``Interaction`` ``WITH`` them in ``[as_of - stale_days, as_of]``. A new plan is spared:
    when its ``PLANS`` relationship carries a ``since`` less than ``stale_days`` days before
    ``as_of`` the rule does not apply yet (the model has no plan start date otherwise).
    Without a stage history "the stage is not moving" cannot be observed directly; a plan
    nobody works on is what this reason catches.
``behind``
    not yet overdue, but the goal is further away than the time left allows at one stage step
    per ``config.plan_stage_step_days`` (60) days: ``due - as_of < (goal - current) * 60``.
``no_target`` / ``no_owner``
    the plan ``TARGETS`` no stakeholder, or no AccountManager ``PLANS`` it.

The **current stage** is the best stage of the active ``RELATES_TO`` of any account manager
with the stakeholder (the company's relationship, not only the plan owner's), ``unknown``
when there is none. A plan without a goal stage counts as below its goal.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import networkx as nx

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.graphs import active_edges
from kamgraph.model import STAGES

__all__ = ["best_stages", "plan_status"]

"""Days a relationship is expected to need per stage step (the ``behind`` rule)."""



def plan_status(graph: nx.MultiDiGraph, *, as_of: date, at_risk_only: bool = False,
                config: AnalysisConfig = DEFAULT) -> dict[str, Any]:
    """Every relationship plan with its progress and the reasons it is at risk.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A store subgraph holding the plans, their targets and owners, the relationships with
        the targets and the interactions with them (for example the whole graph).
    as_of : date
        The analysis date.
    at_risk_only : bool
        Return only the plans at risk.
    config : AnalysisConfig
        ``stale_days`` (90) is the contact window of the ``no_contact`` rule.

    Returns
    -------
    dict
        ``{"items": [{"id", "name", "stakeholder": {"id", "name"} or None,
        "account_manager": {"id", "name"} or None, "status", "goal_stage", "current_stage",
        "due", "steps", "overdue", "at_risk", "reasons"}]}``; plans at risk first, then by due
        date (none last), then id. ``status``, ``goal_stage`` and ``due`` are None when the
        plan does not record them. The rules are in the module documentation.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("am", label="AccountManager", name="Anna")
    >>> g.add_node("s", label="Stakeholder", name="Dr. S")
    >>> g.add_node("pl", label="Plan", name="Win Dr. S", status="active",
    ...            goal_stage="trusted", due="2026-01-01", steps=["visit"])
    >>> _ = g.add_edge("am", "pl", key="PLANS", type="PLANS")
    >>> _ = g.add_edge("pl", "s", key="TARGETS", type="TARGETS")
    >>> _ = g.add_edge("am", "s", key="RELATES_TO", type="RELATES_TO", stage="engaged",
    ...                last_contact="2026-01-20")
    >>> item = plan_status(g, as_of=date(2026, 2, 1))["items"][0]
    >>> item["current_stage"], item["overdue"], item["reasons"]
    ('engaged', True, ['overdue'])
    """
    stages, contacts = best_stages(graph, as_of), _contacts(graph, as_of)
    items = [_plan(graph, plan, as_of, config, stages, contacts)
             for plan in sorted(n for n, label in graph.nodes(data="label") if label == "Plan")]
    if at_risk_only:
        items = [item for item in items if item["at_risk"]]
    items.sort(key=lambda item: (not item["at_risk"], item["due"] is None, item["due"] or "", item["id"]))
    return {"items": items}


def _stage_rank(stage: str | None) -> int:
    return STAGES.index(stage) if stage in STAGES else 0


def best_stages(graph: nx.MultiDiGraph, as_of: date) -> dict[str, str]:
    """Person → best stage of any active RELATES_TO with them."""
    best: dict[str, str] = {}
    for _, person, attrs in active_edges(graph, "RELATES_TO", as_of):
        stage = str(attrs.get("stage", "unknown"))
        if person not in best or _stage_rank(stage) > _stage_rank(best[person]):
            best[person] = stage
    return best


def _contacts(graph: nx.MultiDiGraph, as_of: date) -> dict[str, str]:
    """Person → latest contact date (ISO) on or before ``as_of``: last_contact or interaction."""
    day, latest = as_of.isoformat(), {}
    dated = [(person, attrs.get("last_contact"))
             for _, person, attrs in active_edges(graph, "RELATES_TO", as_of)]
    dated += [(person, graph.nodes[interaction].get("date"))
              for interaction, person, kind in graph.edges(data="type") if kind == "WITH"]
    for person, when in dated:
        when = None if when is None else str(when)[:10]
        if when is not None and when <= day and when > latest.get(person, ""):
            latest[person] = when
    return latest


def _plan(graph: nx.MultiDiGraph, plan: str, as_of: date, config: AnalysisConfig,
          stages: dict[str, str], contacts: dict[str, str]) -> dict[str, Any]:
    attrs = graph.nodes[plan]
    target = _end(graph, plan, "TARGETS", outgoing=True)
    owner, since = _owner(graph, plan)
    current = stages.get(target, "unknown") if target else "unknown"
    goal, due, status = attrs.get("goal_stage"), attrs.get("due"), attrs.get("status")
    due = None if due is None else str(due)[:10]
    overdue = (status not in config.closed_plan_statuses and due is not None and due < as_of.isoformat()
               and _below(current, goal))
    reasons = [] if status in config.closed_plan_statuses else _reasons(
        overdue, target, owner, since, current, goal, due, contacts, as_of, config)
    return {"id": plan, "name": str(attrs.get("name", plan)),
            "stakeholder": _ref(graph, target), "account_manager": _ref(graph, owner),
            "status": status, "goal_stage": goal, "current_stage": current, "due": due,
            "steps": list(attrs.get("steps") or []), "overdue": overdue,
            "at_risk": bool(reasons), "reasons": reasons}


def _reasons(overdue: bool, target: str | None, owner: str | None, since: str | None,
             current: str, goal: str | None, due: str | None, contacts: dict[str, str],
             as_of: date, config: AnalysisConfig) -> list[str]:
    window_start = (as_of - timedelta(days=config.stale_days)).isoformat()
    young = since is not None and since > window_start
    checks = [
        ("overdue", overdue),
        ("no_contact", target is not None and not young
         and contacts.get(target, "") < window_start),
        ("behind", not overdue and due is not None and _below(current, goal) and goal is not None
         and (date.fromisoformat(due) - as_of).days
         < (_stage_rank(goal) - _stage_rank(current)) * config.plan_stage_step_days),
        ("no_target", target is None),
        ("no_owner", owner is None),
    ]
    return [code for code, failed in checks if failed]


def _below(current: str, goal: str | None) -> bool:
    return goal is None or _stage_rank(current) < _stage_rank(goal)


def _end(graph: nx.MultiDiGraph, plan: str, rel_type: str, *, outgoing: bool) -> str | None:
    edges = graph.out_edges(plan, data="type") if outgoing else graph.in_edges(plan, data="type")
    ends = sorted(end if outgoing else start for start, end, kind in edges if kind == rel_type)
    return ends[0] if ends else None


def _owner(graph: nx.MultiDiGraph, plan: str) -> tuple[str | None, str | None]:
    """The account manager who PLANS the plan (lowest id if several) and the ``since``."""
    owners = sorted((manager, attrs.get("since"))
                    for manager, _, attrs in graph.in_edges(plan, data=True) if attrs.get("type") == "PLANS")
    if not owners:
        return None, None
    manager, since = owners[0]
    return manager, None if since is None else str(since)[:10]


def _ref(graph: nx.MultiDiGraph, node_id: str | None) -> dict[str, str] | None:
    if node_id is None:
        return None
    return {"id": node_id, "name": str(graph.nodes[node_id].get("name", node_id))}
