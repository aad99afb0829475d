"""The audit log: who changed what and who read whose personal details, kept in the store.

Every committed write adds, in the same transaction (so the log and the graph never
disagree), one entry per node or relationship it changed, with the properties before and
after; a write of more than ``SMALL_WRITE`` rows (an import) adds one ``bulk_write`` entry
with its counts instead of a million. Reading a stakeholder's sensitive properties (``notes``,
``email``, ``phone``: ``kamgraph.model.SENSITIVE``) through the web API or the pages adds a
``read_sensitive`` entry naming the fields. Entries are only ever appended: no route, command
or store method changes or removes one (erasure redacts the personal content of a person's
entries; it keeps the entries).

Who: the name of the signed-in user for the web app (``ScopedStore`` acts as them), and
``cli:<login name>`` for the command line; writes made elsewhere (tests, the demo loader)
say ``system``. When: UTC, ISO 8601, to the second.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from kamgraph.model import SENSITIVE, Node, Relationship

__all__ = [
    "ACTIONS",
    "AuditEntry",
    "AuditFilter",
    "acting",
    "actor",
    "cli_actor",
    "entries_csv",
    "entry",
    "from_row",
    "node_entry",
    "read_entry",
    "relationship_entry",
    "sensitive_fields",
    "to_row",
]

Action = Literal["upsert_node", "delete_node", "upsert_relationship", "delete_relationship",
                 "bulk_write", "read_sensitive", "erase"]
ACTIONS: tuple[Action, ...] = ("upsert_node", "delete_node", "upsert_relationship",
                               "delete_relationship", "bulk_write", "read_sensitive", "erase")

_ACTOR: ContextVar[str] = ContextVar("kamgraph_actor", default="system")


def actor() -> str:
    """Who the writes and reads of this thread or task are made for."""
    return _ACTOR.get()


def set_actor(name: str) -> None:
    """Name the one acting for the rest of this context (a web request: ``api.deps``)."""
    _ACTOR.set(name)


@contextmanager
def acting(name: str) -> Iterator[None]:
    """Writes and reads inside the block are logged under ``name``."""
    token = _ACTOR.set(name)
    try:
        yield
    finally:
        _ACTOR.reset(token)


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "cli:unknown"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the log. ``target`` is a node id, or ``TYPE from->to`` (plus ``#key``)
    for a relationship; ``stakeholder`` the person it is about, if any; ``before`` and
    ``after`` the properties (``None`` when there was or is none)."""

    seq: int
    at: str
    actor: str
    action: str
    target: str
    label: str | None
    stakeholder: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries to list: by user (actor), by the stakeholder they are about, by time
    (``since`` and ``until`` days included)."""

    actor: str | None = None
    stakeholder: str | None = None
    since: date | None = None
    until: date | None = None

    def bounds(self) -> tuple[str | None, str | None]:
        """``at`` bounds as text: from the start of ``since`` to before the day after ``until``."""
        low = self.since.isoformat() if self.since else None
        high = (self.until.isoformat() + "T99") if self.until else None  # every time that day
        return low, high


def entry(action: Action, target: str, *, label: str | None = None, stakeholder: str | None = None,
          before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None
          ) -> dict[str, Any]:
    """An entry to append (the store numbers it): a row of JSON-ready values."""
    return {"at": datetime.now(UTC).isoformat(timespec="seconds"), "actor": actor(),
            "action": action, "target": target, "label": label, "stakeholder": stakeholder,
            "before": _json(before), "after": _json(after)}


def node_entry(node: Node | None, before: tuple[str, str, Mapping[str, Any]] | None,
               *, node_id: str | None = None) -> dict[str, Any]:
    """A node upserted (``node``, and ``before`` = (label, name, props) if it existed) or
    deleted (``node`` None, ``before`` what it was)."""
    label = node.label if node else (before[0] if before else None)
    target = node.id if node else str(node_id)
    old = {"name": before[1], **before[2]} if before else None
    new = {"name": node.name, **node.props} if node else None
    return entry("upsert_node" if node else "delete_node", target, label=label,
                 stakeholder=target if label == "Stakeholder" else None, before=old, after=new)


def relationship_entry(rel: Relationship, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
                       *, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A relationship upserted (``after``) or deleted (``after`` None); ``labels`` of its ends
    name the stakeholder it is about (its start if a person, else its end)."""
    known = labels or {}
    person = next((end for end in (rel.start, rel.end) if known.get(end) == "Stakeholder"), None)
    target = f"{rel.type} {rel.start}->{rel.end}" + (f"#{rel.key}" if rel.key else "")
    return entry("upsert_relationship" if after is not None else "delete_relationship", target,
                 label=rel.type, stakeholder=person, before=before, after=after)


def read_entry(person: Node, fields: list[str]) -> dict[str, Any]:
    return entry("read_sensitive", person.id, label=person.label, stakeholder=person.id,
                 after={"fields": fields})


def sensitive_fields(node: Node) -> list[str]:
    """The sensitive properties a node shows (none for labels without any)."""
    return sorted(SENSITIVE.get(node.label, frozenset()) & node.props.keys())


def _json(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(dict(value), ensure_ascii=False, sort_keys=True)


CSV_COLUMNS = ("seq", "at", "actor", "action", "target", "label", "stakeholder", "before", "after")


def entries_csv(entries: Iterable[AuditEntry]) -> str:
    """Entries as CSV, before and after as JSON (cells a spreadsheet would run as formulas are
    quoted, as in the pages' CSV downloads)."""
    from kamgraph.io.csv_io import inert_cell

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for kept in entries:
        row = kept.as_dict()
        writer.writerow([_cell(row[column], inert_cell) for column in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: Any, inert: Callable[[str], str]) -> str:
    if value is None:
        return ""
    return inert(json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value))


def to_row(kept: AuditEntry) -> dict[str, Any]:
    """An entry read back, to append elsewhere as it was (a restore); the store numbers it."""
    return {"at": kept.at, "actor": kept.actor, "action": kept.action, "target": kept.target,
            "label": kept.label, "stakeholder": kept.stakeholder, "before": _json(kept.before),
            "after": _json(kept.after)}


def from_row(row: Mapping[str, Any]) -> AuditEntry:
    """An entry as a store reads it back (before/after as JSON text)."""
    return AuditEntry(int(row["seq"]), row["at"], row["actor"], row["action"], row["target"],
                      row["label"], row["stakeholder"], _parsed(row["before"]), _parsed(row["after"]))


def _parsed(text: str | None) -> dict[str, Any] | None:
    return None if text is None else dict(json.loads(text))
