"""A person's rights over their data: erasure, and everything stored about them (access).

- :func:`erase` removes a stakeholder, with every relationship they have; blanks the personal
  content of the interactions they took part in (summary and outcome; the name, which holds
  theirs, becomes "<date> (erased)") and of the plans that target them (name, purpose,
  steps); and blanks the properties of every audit entry about them, their interactions and
  plans. The interactions and plans stay, so the team's activity still counts, linked to
  nobody. One write transaction: all of it or nothing. The log keeps an ``erase`` tombstone
  (who, when, which id) and entries saying what was done to which id, without properties.
- :func:`subject_export` gives, as one JSON-ready dict, the person with every property, their
  relationships, the interactions and plans about them, and the audit entries about them.
"""

from __future__ import annotations

from typing import Any

from kamgraph import audit
from kamgraph.audit import AuditFilter
from kamgraph.errors import NotFound
from kamgraph.model import Node
from kamgraph.store.base import GraphStore, WriteTransaction

__all__ = ["ERASED", "erase", "subject_export"]

ERASED = "(erased)"
PLAN_TEXT = ("purpose", "steps", "notes")
INTERACTION_TEXT = ("summary", "outcome", "notes")


def erase(store: GraphStore, person_id: str) -> dict[str, Any]:
    """Erase a stakeholder (module doc); :class:`NotFound` if there is none with this id."""
    person = _person(store, person_id)
    interactions = _linked(store, person_id, "WITH", "Interaction")
    plans = _linked(store, person_id, "TARGETS", "Plan")
    relationships = len(store.relationships_of(person_id))

    def work(tx: WriteTransaction) -> int:
        tx.erasing()
        tx.upsert_nodes([_blank_interaction(n) for n in interactions] + [_blank_plan(n) for n in plans])
        tx.delete_node(person_id)
        redacted = tx.redact_audit(person_id, [n.id for n in (*interactions, *plans)])
        tx.log(audit.entry("erase", person_id, label=person.label, stakeholder=person_id))
        return redacted

    redacted = store.write(work)
    return {"erased": person_id, "relationships": relationships, "interactions": len(interactions),
            "plans": len(plans), "audit_entries_redacted": redacted}


def subject_export(store: GraphStore, person_id: str) -> dict[str, Any]:
    """Everything stored about a stakeholder (module doc)."""
    person = _person(store, person_id)
    entries, offset = [], 0
    while batch := store.audit_entries(AuditFilter(stakeholder=person_id), limit=5000, offset=offset):
        entries.extend(batch)
        offset += len(batch)
    return {"stakeholder": person.record(),
            "relationships": [r.record() for r in store.relationships_of(person_id)],
            "interactions": [n.record() for n in _linked(store, person_id, "WITH", "Interaction")],
            "plans": [n.record() for n in _linked(store, person_id, "TARGETS", "Plan")],
            "audit": [e.as_dict() for e in entries]}


def _person(store: GraphStore, person_id: str) -> Node:
    node = store.get_node(person_id)
    if node is None or node.label != "Stakeholder":
        raise NotFound(f"no stakeholder with id {person_id!r}")
    return node


def _linked(store: GraphStore, person_id: str, rel_type: str, label: str) -> list[Node]:
    """The nodes of ``label`` with a ``rel_type`` into the person, by id."""
    ids = sorted({r.start for r in store.relationships_of(person_id, rel_type=rel_type)
                  if r.end == person_id})
    found = (store.get_node(node_id) for node_id in ids)
    return [n for n in found if n is not None and n.label == label]


def _blank_interaction(node: Node) -> Node:
    day = str(node.props.get("date", ""))[:10]
    return Node(node.label, node.id, f"{day} {ERASED}".strip(), dict.fromkeys(INTERACTION_TEXT))


def _blank_plan(node: Node) -> Node:
    return Node(node.label, node.id, f"Plan {ERASED}", dict.fromkeys(PLAN_TEXT))
