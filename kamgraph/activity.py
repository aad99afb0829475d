"""What a KAM records after a meeting: an interaction, and where the relationship stands.

Both go through the same validation as an import (``kamgraph.model``) and are written in
one transaction.

- :func:`log_interaction` adds an ``Interaction`` with ``HAD`` from the account manager
  and ``WITH`` to the stakeholder, and moves the account manager's ``RELATES_TO`` to that
  person forward: ``last_contact`` becomes the interaction's date when it is later than the
  one stored. Logging a contact with someone the account manager had no ``RELATES_TO`` to
  starts one at stage ``acquainted`` (they have now met). It warns when the person is in a
  quiet period of a tender (see ``kamgraph.analysis.tender``): the interaction is still
  logged, because it happened; the warning is for disclosure.
- :func:`change_stage` sets the ``stage`` (and optionally ``strength``) of ``RELATES_TO``,
  creating it when missing.
- :func:`create_plan` adds a relationship ``Plan`` (the seed's "each VIP is a project") with
  ``PLANS`` from the account manager and ``TARGETS`` to the stakeholder; :func:`update_plan`
  changes the given fields of one. Planning with someone in a quiet period warns, as logging
  does.
- :func:`interaction_history` lists the logged contacts with a person, newest first.
- :func:`acting_account_manager`: whom a signed-in user records for. A KAM or a regional
  manager records their own work only; an admin, who has no AccountManager of their own,
  names one.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.tender import quiet_role_holders
from kamgraph.errors import Conflict, Forbidden, NotFound, Problem, ValidationFailed
from kamgraph.model import Node, Relationship, Where, parse_node, parse_relationship
from kamgraph.store.base import GraphStore, WriteTransaction

if TYPE_CHECKING:
    from kamgraph.users import User

__all__ = ["PLAN_FIELDS", "acting_account_manager", "change_stage", "create_plan",
           "interaction_history", "log_interaction", "quiet_warnings", "update_plan"]

FIRST_STAGE = "acquainted"
PLAN_FIELDS = ("name", "goal_stage", "due", "budget", "purpose", "status", "steps")
"""What a plan records (``Plan`` in DOMAIN.md), all of which :func:`update_plan` can change."""


def log_interaction(store: GraphStore, account_manager: str, stakeholder: str, *,
                    day: date, channel: str | None = None, summary: str | None = None,
                    outcome: str | None = None, config: AnalysisConfig = DEFAULT) -> dict[str, Any]:
    """Log one contact; return ``{"interaction": record, "relationship": record,
    "warnings": [text]}``. Raises :class:`NotFound` for unknown ids and
    :class:`ValidationFailed` for bad values (nothing is written then), among them a date
    after today (a contact is logged once it happened; a planned meeting belongs in a plan)
    or before 1900 — ``last_contact`` only moves forward, so a wrong future date would stick."""
    _check_contact_day(day)
    _require(store, account_manager, "AccountManager")
    person = _require(store, stakeholder, "Stakeholder")
    interaction = _parsed_node({"label": "Interaction", "id": _new_id("ix"),
                                "name": f"{day.isoformat()} {person.name}", "date": day.isoformat(),
                                "channel": channel, "summary": summary, "outcome": outcome})
    links = [_parsed_relationship({"type": "HAD", "from": account_manager, "to": interaction.id}),
             _parsed_relationship({"type": "WITH", "from": interaction.id, "to": stakeholder})]

    def work(tx: WriteTransaction) -> dict[str, Any]:
        # Read and write under the manager's lock: two logs at once run one after the other,
        # so last_contact only moves forward and a stage set meanwhile is never written back.
        tx.lock(account_manager)
        stored = tx.stored_relationship("RELATES_TO", account_manager, stakeholder)
        change = {"stage": FIRST_STAGE, "since": day.isoformat()} if stored is None else {}
        if stored is None or str(stored.get("last_contact", "")) < day.isoformat():
            change["last_contact"] = day.isoformat()
        tx.upsert_nodes([interaction])
        relates = [_relates(account_manager, stakeholder, change)] if change else []
        tx.upsert_relationships([*links, *relates])
        return _relates(account_manager, stakeholder, {**(stored or {}), **change}).record()

    relationship = store.write(work)
    return {"interaction": interaction.record(), "relationship": relationship,
            "warnings": quiet_warnings(store, stakeholder, day, config)}


def _relates(account_manager: str, stakeholder: str, props: dict[str, Any]) -> Relationship:
    return _parsed_relationship({"type": "RELATES_TO", "from": account_manager, "to": stakeholder,
                                 **props})


EARLIEST_CONTACT = date(1900, 1, 1)


def _check_contact_day(day: date) -> None:
    if not EARLIEST_CONTACT <= day <= date.today():
        raise ValidationFailed([Problem(None, "interaction", "date",
                                        f"{day.isoformat()} is not between 1900-01-01 and today: log "
                                        "a contact once it happened (plan future meetings in a plan)")])


def change_stage(store: GraphStore, account_manager: str, stakeholder: str, stage: str, *,
                 strength: float | None = None, day: date | None = None,
                 expected_stage: str | None = None) -> dict[str, Any]:
    """Set the stage of our relationship with a person; return the ``RELATES_TO`` record.

    With ``expected_stage`` (the stage the user saw, ``"none"`` for no relationship yet), the
    change is made only if that is still the stored stage, else :class:`Conflict`: two people
    moving the same relationship at once do not silently undo each other. Without it the last
    change wins."""
    _require(store, account_manager, "AccountManager")
    _require(store, stakeholder, "Stakeholder")

    def work(tx: WriteTransaction) -> dict[str, Any]:
        tx.lock(account_manager)
        stored = tx.stored_relationship("RELATES_TO", account_manager, stakeholder)
        current = "none" if stored is None else str(stored.get("stage", "unknown"))
        if expected_stage is not None and expected_stage != current:
            raise Conflict(f"the stage is {current} now, not {expected_stage}: someone changed it "
                           "meanwhile; reload and decide again")
        change: dict[str, Any] = {"stage": stage}
        if strength is not None:
            change["strength"] = strength
        if stored is None:
            change["since"] = (day or date.today()).isoformat()
        tx.upsert_relationships([_relates(account_manager, stakeholder, change)])
        return _relates(account_manager, stakeholder, {**(stored or {}), **change}).record()

    return store.write(work)


def quiet_warnings(store: GraphStore, stakeholder: str, day: date,
                   config: AnalysisConfig = DEFAULT) -> list[str]:
    """One sentence per tender that puts this person in a quiet period on ``day``.

    Compliance outranks scoping: through a scoped store (``kamgraph.scope``) the check still
    sees every tender of the person, but names only the ones the user may see; the others
    are "a tender outside your territories".
    """
    everything = getattr(store, "inner", store)
    around = everything.neighbourhood(stakeholder, hops=1)
    if stakeholder not in quiet_role_holders(around, as_of=day, config=config):
        return []
    tenders = sorted(t for _, t, kind in around.out_edges(stakeholder, data="type") if kind == "ROLE_IN")
    quiet = [t for t in tenders if stakeholder in quiet_role_holders(
        around.subgraph([stakeholder, t]), as_of=day, config=config)]
    visible = store.node_labels(quiet)
    return [f"{around.nodes[stakeholder]['name']} holds a role in "
            + (f"tender {around.nodes[t]['name']} ({t})" if t in visible
               else "a tender outside your territories")
            + f", which is in a quiet period on {day.isoformat()}: contact with its role holders "
            "can breach procurement rules; disclose it"
            for t in quiet]


def acting_account_manager(store: GraphStore, user: User, requested: str | None = None) -> str:
    """The AccountManager id a user records an interaction, a stage or a plan for.

    A KAM or a regional manager records their own work: ``requested`` may be left out or be
    their own id, else :class:`Forbidden`. An admin names the account manager (their own,
    if they have one, is the default); a missing or unknown one is :class:`ValidationFailed`.
    """
    if user.role != "admin":
        if user.account_manager is None or requested not in (None, user.account_manager):
            raise Forbidden(f"you can record your own work only (as {user.account_manager}), "
                            f"not {requested}'s")
        return user.account_manager
    chosen = requested or user.account_manager
    if chosen is None:
        raise ValidationFailed([Problem(None, "request", "account_manager",
                                        "name the account manager this is recorded for: an admin "
                                        "has none of their own")])
    if store.node_labels([chosen]).get(chosen) != "AccountManager":
        raise ValidationFailed([Problem(None, "request", "account_manager",
                                        f"no account manager with id {chosen!r}")])
    return chosen


def interaction_history(store: GraphStore, stakeholder: str) -> dict[str, Any]:
    """The logged contacts with a person, newest first (then by id, descending):
    ``{"stakeholder": {"id", "name"}, "items": [{"id", "name", "date", "channel", "summary",
    "outcome", "account_manager": {"id", "name"} or None}]}``. Raises :class:`NotFound`."""
    person = _require(store, stakeholder, "Stakeholder")
    found = {r.start for r in store.relationships_of(stakeholder, rel_type="WITH")
             if r.end == stakeholder}
    rows = (_interaction_row(store, interaction) for interaction in found)
    items = sorted((row for row in rows if row), key=lambda row: (row["date"] or "", row["id"]),
                   reverse=True)
    return {"stakeholder": {"id": person.id, "name": person.name}, "items": items}


def _interaction_row(store: GraphStore, interaction_id: str) -> dict[str, Any] | None:
    node = store.get_node(interaction_id)
    if node is None or node.label != "Interaction":
        return None
    managers = sorted(r.start for r in store.relationships_of(interaction_id, rel_type="HAD")
                      if r.end == interaction_id)
    manager = store.get_node(managers[0]) if managers else None
    return {"id": node.id, "name": node.name, "date": node.props.get("date"),
            "channel": node.props.get("channel"), "summary": node.props.get("summary"),
            "outcome": node.props.get("outcome"),
            "account_manager": {"id": manager.id, "name": manager.name} if manager else None}


def create_plan(store: GraphStore, account_manager: str, stakeholder: str, *,
                name: str | None = None, goal_stage: str | None = None, due: date | str | None = None,
                budget: float | None = None, purpose: str | None = None, status: str | None = None,
                steps: list[str] | None = None, day: date | None = None,
                config: AnalysisConfig = DEFAULT) -> dict[str, Any]:
    """Add a plan for a person, owned by an account manager, in one transaction; return
    ``{"plan": record, "relationships": [PLANS, TARGETS records], "warnings": [text]}``.

    Raises :class:`NotFound` for unknown ids, and :class:`ValidationFailed` listing every bad
    value, checked as an import checks them (nothing is written then). The name defaults to
    "Relationship plan: <person> to <goal stage>". ``PLANS`` carries ``since`` = ``day``
    (default today), so a new plan is not at risk for want of contact yet
    (``kamgraph.analysis.plans``)."""
    day = day or date.today()
    _require(store, account_manager, "AccountManager")
    person = _require(store, stakeholder, "Stakeholder")
    goal = f" to {goal_stage}" if goal_stage else ""
    plan = _parsed_node({"label": "Plan", "id": _new_id("pl"),
                         "name": name or f"Relationship plan: {person.name}{goal}",
                         "goal_stage": goal_stage, "due": _iso(due), "budget": budget,
                         "purpose": purpose, "status": status, "steps": steps}, "plan")
    links = [_parsed_relationship({"type": "PLANS", "from": account_manager, "to": plan.id,
                                   "since": day.isoformat()}),
             _parsed_relationship({"type": "TARGETS", "from": plan.id, "to": stakeholder})]
    store.upsert([plan], links)
    return {"plan": plan.record(), "relationships": [rel.record() for rel in links],
            "warnings": quiet_warnings(store, stakeholder, day, config)}


def update_plan(store: GraphStore, plan_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change the given fields of a plan (:data:`PLAN_FIELDS`; ``None`` leaves a field as it
    is) and return its record. Raises :class:`NotFound` and :class:`ValidationFailed`."""
    plan = _require(store, plan_id, "Plan")
    unknown = sorted(set(changes) - set(PLAN_FIELDS))
    if unknown:
        raise ValidationFailed([Problem(None, "plan", field, "is not a field of a plan; known: "
                                        + ", ".join(PLAN_FIELDS)) for field in unknown])
    given = {k: _iso(v) for k, v in changes.items() if v is not None}
    node = _parsed_node({"label": "Plan", "id": plan.id, "name": plan.name, **plan.props, **given},
                        "plan")
    store.upsert([node])
    return node.record()


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _require(store: GraphStore, node_id: str, label: str) -> Node:
    node = store.get_node(node_id)
    if node is None or node.label != label:
        raise NotFound(f"no {label} with id {node_id!r}")
    return node


def _parsed_node(raw: dict[str, Any], location: str = "interaction") -> Node:
    node, problems = parse_node({k: v for k, v in raw.items() if v is not None},
                                Where(None, location))
    if node is None:
        raise ValidationFailed(problems)
    return node


def _parsed_relationship(raw: dict[str, Any]) -> Relationship:
    rel, problems = parse_relationship(raw, Where(None, raw["type"]))
    if rel is None:
        raise ValidationFailed(problems)
    return rel


def _new_id(prefix: str) -> str:
    """A fresh id: random, so two KAMs logging at once never collide."""
    return f"{prefix}-{secrets.token_hex(6)}"
