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
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.tender import quiet_role_holders
from kamgraph.errors import NotFound, ValidationFailed
from kamgraph.model import Node, Relationship, Where, parse_node, parse_relationship
from kamgraph.store.base import GraphStore

__all__ = ["change_stage", "log_interaction", "quiet_warnings"]

FIRST_STAGE = "acquainted"


def log_interaction(store: GraphStore, account_manager: str, stakeholder: str, *,
                    day: date, channel: str | None = None, summary: str | None = None,
                    outcome: str | None = None, config: AnalysisConfig = DEFAULT) -> dict[str, Any]:
    """Log one contact; return ``{"interaction": record, "relationship": record,
    "warnings": [text]}``. Raises :class:`NotFound` for unknown ids and
    :class:`ValidationFailed` for bad values (nothing is written then)."""
    _require(store, account_manager, "AccountManager")
    person = _require(store, stakeholder, "Stakeholder")
    interaction = _parsed_node({"label": "Interaction", "id": _new_id("ix"),
                                "name": f"{day.isoformat()} {person.name}", "date": day.isoformat(),
                                "channel": channel, "summary": summary, "outcome": outcome})
    relates = _current_relationship(store, account_manager, stakeholder)
    props = dict(relates.props) if relates else {"stage": FIRST_STAGE, "since": day.isoformat()}
    if str(props.get("last_contact", "")) < day.isoformat():
        props["last_contact"] = day.isoformat()
    links = [_parsed_relationship({"type": "HAD", "from": account_manager, "to": interaction.id}),
             _parsed_relationship({"type": "WITH", "from": interaction.id, "to": stakeholder}),
             _parsed_relationship({"type": "RELATES_TO", "from": account_manager,
                                   "to": stakeholder, **props})]
    store.upsert([interaction], links)
    return {"interaction": interaction.record(), "relationship": links[2].record(),
            "warnings": quiet_warnings(store, stakeholder, day, config)}


def change_stage(store: GraphStore, account_manager: str, stakeholder: str, stage: str, *,
                 strength: float | None = None, day: date | None = None) -> dict[str, Any]:
    """Set the stage of our relationship with a person; return the ``RELATES_TO`` record."""
    _require(store, account_manager, "AccountManager")
    _require(store, stakeholder, "Stakeholder")
    relates = _current_relationship(store, account_manager, stakeholder)
    props = dict(relates.props) if relates else {"since": (day or date.today()).isoformat()}
    props["stage"] = stage
    if strength is not None:
        props["strength"] = strength
    rel = _parsed_relationship({"type": "RELATES_TO", "from": account_manager, "to": stakeholder,
                                **props})
    store.upsert(relationships=[rel])
    return rel.record()


def quiet_warnings(store: GraphStore, stakeholder: str, day: date,
                   config: AnalysisConfig = DEFAULT) -> list[str]:
    """One sentence per tender that puts this person in a quiet period on ``day``."""
    around = store.neighbourhood(stakeholder, hops=1)
    if stakeholder not in quiet_role_holders(around, as_of=day, config=config):
        return []
    tenders = [r.end for r in store.relationships_of(stakeholder, rel_type="ROLE_IN")
               if r.start == stakeholder]
    quiet = {t for t in tenders
             if stakeholder in quiet_role_holders(around.subgraph([stakeholder, t]), as_of=day,
                                                  config=config)}
    return [f"{around.nodes[stakeholder]['name']} holds a role in tender "
            f"{around.nodes[t]['name']} ({t}), which is in a quiet period on {day.isoformat()}: "
            "contact with its role holders can breach procurement rules; disclose it"
            for t in sorted(quiet)]


def _current_relationship(store: GraphStore, account_manager: str, stakeholder: str
                          ) -> Relationship | None:
    found = [r for r in store.relationships_of(stakeholder, rel_type="RELATES_TO")
             if r.start == account_manager]
    return found[0] if found else None


def _require(store: GraphStore, node_id: str, label: str) -> Node:
    node = store.get_node(node_id)
    if node is None or node.label != label:
        raise NotFound(f"no {label} with id {node_id!r}")
    return node


def _parsed_node(raw: dict[str, Any]) -> Node:
    node, problems = parse_node({k: v for k, v in raw.items() if v is not None},
                                Where(None, "interaction"))
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
