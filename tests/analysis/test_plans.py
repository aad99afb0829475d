"""Relationship plans: progress, overdue and the at-risk rules, worked out by hand.

AS_OF is 2026-06-01 and stale_days 90, so the contact window starts on 2026-03-03.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx
import pytest

from kamgraph.analysis.config import AnalysisConfig
from kamgraph.analysis.plans import plan_status

AS_OF = date(2026, 6, 1)


def add(g: nx.MultiDiGraph, start: str, end: str, rel_type: str, **props: Any) -> None:
    g.add_edge(start, end, key=rel_type, type=rel_type, **props)


def plan(g: nx.MultiDiGraph, plan_id: str, target: str | None, owner: str | None = "am1",
         since: str | None = None, **props: Any) -> None:
    g.add_node(plan_id, label="Plan", name=f"Plan {plan_id}", **props)
    if target is not None:
        if target not in g:
            g.add_node(target, label="Stakeholder", name=target.upper())
        add(g, plan_id, target, "TARGETS")
    if owner is not None:
        add(g, owner, plan_id, "PLANS", **({"since": since} if since else {}))


def relate(g: nx.MultiDiGraph, manager: str, target: str, stage: str, **props: Any) -> None:
    add(g, manager, target, "RELATES_TO", stage=stage, **props)


def interaction(g: nx.MultiDiGraph, interaction_id: str, target: str, day: str) -> None:
    g.add_node(interaction_id, label="Interaction", name=interaction_id, date=day, channel="visit")
    add(g, "am1", interaction_id, "HAD")
    add(g, interaction_id, target, "WITH")


def plans() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("am1", label="AccountManager", name="Anna")
    g.add_node("am2", label="AccountManager", name="Boris")
    # overdue: due passed, engaged (best of am1 engaged and am2 acquainted) below trusted
    plan(g, "pl1", "s1", status="active", goal_stage="trusted", due="2026-05-01",
         steps=["visit", "invite to the round table"])
    relate(g, "am1", "s1", "engaged", last_contact="2026-05-20")
    relate(g, "am2", "s1", "acquainted", last_contact="2026-05-25")
    # due passed but the goal is reached: fine
    plan(g, "pl2", "s2", status="active", goal_stage="engaged", due="2026-05-01")
    relate(g, "am1", "s2", "trusted", last_contact="2026-05-20")
    # done: never at risk, whatever the dates
    plan(g, "pl3", "s3", status="done", goal_stage="advocate", due="2026-01-01")
    # no contact for 142 days; an interaction planned for July does not count yet
    plan(g, "pl4", "s4", status="agreed", goal_stage="engaged", due="2026-12-31")
    relate(g, "am1", "s4", "acquainted", last_contact="2026-01-10")
    interaction(g, "i-future", "s4", "2026-07-01")
    # an old last_contact, but a logged interaction in May: in contact
    plan(g, "pl5", "s5", status="active", goal_stage="trusted", due="2026-12-31")
    relate(g, "am1", "s5", "engaged", last_contact="2025-12-01")
    interaction(g, "i-may", "s5", "2026-05-15")
    # a new plan (PLANS since 2026-05-01): no relationship yet, but spared the contact rule
    plan(g, "pl6", "s6", since="2026-05-01", status="agreed", goal_stage="acquainted",
         due="2026-12-01")
    # behind: two stages to go (acquainted -> trusted) in 61 days < 2 * 60;
    # am2's trusted relationship starts in July and does not count
    plan(g, "pl7", "s7", status="active", goal_stage="trusted", due="2026-08-01")
    relate(g, "am1", "s7", "acquainted", last_contact="2026-05-25")
    relate(g, "am2", "s7", "trusted", since="2026-07-01", last_contact="2026-07-01")
    # nobody targeted, nobody owns it
    plan(g, "pl8", None, owner=None, status="draft")
    return g


def items() -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in plan_status(plans(), as_of=AS_OF)["items"]}


def test_an_overdue_plan() -> None:
    assert items()["pl1"] == {
        "id": "pl1", "name": "Plan pl1", "stakeholder": {"id": "s1", "name": "S1"},
        "account_manager": {"id": "am1", "name": "Anna"}, "status": "active",
        "goal_stage": "trusted", "current_stage": "engaged", "due": "2026-05-01",
        "steps": ["visit", "invite to the round table"], "overdue": True, "at_risk": True,
        "reasons": ["overdue"]}


@pytest.mark.parametrize("plan_id, current, overdue, reasons", [
    ("pl1", "engaged", True, ["overdue"]),
    ("pl2", "trusted", False, []),
    ("pl3", "unknown", False, []),
    ("pl4", "acquainted", False, ["no_contact"]),
    ("pl5", "engaged", False, []),
    ("pl6", "unknown", False, []),
    ("pl7", "acquainted", False, ["behind"]),
    ("pl8", "unknown", False, ["no_target", "no_owner"]),
])
def test_rules(plan_id: str, current: str, overdue: bool, reasons: list[str]) -> None:
    item = items()[plan_id]
    assert (item["current_stage"], item["overdue"], item["reasons"], item["at_risk"]) == (
        current, overdue, reasons, bool(reasons))


def test_missing_fields() -> None:
    item = items()["pl8"]
    assert (item["stakeholder"], item["account_manager"], item["goal_stage"], item["due"],
            item["steps"]) == (None, None, None, None, [])


def test_order_and_filter() -> None:
    ordered = [item["id"] for item in plan_status(plans(), as_of=AS_OF)["items"]]
    # at risk first by due date (none last), then the rest by due date
    assert ordered == ["pl1", "pl7", "pl4", "pl8", "pl3", "pl2", "pl6", "pl5"]
    at_risk = [item["id"] for item in plan_status(plans(), as_of=AS_OF, at_risk_only=True)["items"]]
    assert at_risk == ["pl1", "pl7", "pl4", "pl8"]


@pytest.mark.parametrize("last_contact, at_risk", [("2026-03-03", False), ("2026-03-02", True)])
def test_contact_window_edge(last_contact: str, at_risk: bool) -> None:
    g = nx.MultiDiGraph()
    g.add_node("am1", label="AccountManager", name="Anna")
    plan(g, "pl", "s", status="active", goal_stage="engaged", due="2027-01-01")
    relate(g, "am1", "s", "acquainted", last_contact=last_contact)
    assert plan_status(g, as_of=AS_OF)["items"][0]["at_risk"] is at_risk


def test_stale_days_come_from_the_config() -> None:
    g = plans()
    item = plan_status(g, as_of=AS_OF, config=AnalysisConfig(stale_days=200))["items"]
    assert "no_contact" not in {reason for i in item for reason in i["reasons"]}


def test_a_young_plan_loses_its_grace() -> None:
    later = date(2026, 8, 1)  # 92 days after the plan started, still never in contact
    assert "no_contact" in {item["id"]: item for item in plan_status(plans(), as_of=later)["items"]
                            }["pl6"]["reasons"]
