"""Batches of records: many nodes and relationships written all or nothing, like an import.

A batch by a KAM or a regional manager is refused (403) before any check when it touches an
existing node outside their territories, holds a Territory or AccountManager record, or has a
relationship they could not write alone (see ``api.routes.relationships``); ends created in
the same batch count as theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from api.deps import CurrentUser, ScopedStoreDep
from api.models.graph import ImportReport, ProblemRoute, errors, records_body
from api.routes.relationships import check_relationships
from kamgraph import limits
from kamgraph.errors import Problem, ValidationFailed
from kamgraph.io import import_records
from kamgraph.io.importer import RawRecord
from kamgraph.model import Where
from kamgraph.scope import ScopedStore
from kamgraph.users import User

__all__ = ["batch_records", "check_batch", "router"]

router = APIRouter(tags=["records"], route_class=ProblemRoute)

SECTIONS = (("nodes", "node"), ("relationships", "relationship"))
DryRun = Annotated[bool, Query(description="Only check: report what would be written.")]


def batch_records(body: dict[str, Any]) -> list[RawRecord]:
    """The records of a body shaped like an import JSON file (locations ``nodes[i]``...)."""
    problems = [Problem(None, "body", section, f'"{section}" must be a list')
                for section, _ in SECTIONS if not isinstance(body.get(section, []), list)]
    if not problems and not any(section in body for section, _ in SECTIONS):
        problems.append(Problem(None, "body", None, 'has no "nodes" or "relationships" list'))
    if problems:
        raise ValidationFailed(problems)
    records = [_record(item, kind, Where(None, f"{section}[{index}]"))
               for section, kind in SECTIONS for index, item in enumerate(body.get(section, []))]
    if len(records) > (most := limits.active().batch_records):
        raise ValidationFailed([Problem(None, "body", None, f"holds {len(records):,} records; "
                                        f"at most {most:,} (use POST /import for more)")])
    return records


def _record(item: Any, kind: str, where: Where) -> RawRecord:
    if not isinstance(item, dict):
        return RawRecord("unreadable", {"reason": "must be a JSON object"}, where)
    return RawRecord(kind, item, where)


def check_batch(store: ScopedStore, user: User, records: Iterable[RawRecord]) -> None:
    """:class:`Forbidden` unless the caller may write every record of the batch."""
    if store.scope.everything:
        return
    declared: dict[str, str | None] = {}
    ends: list[tuple[str, str, str]] = []
    for record in records:
        data = record.data
        if record.kind == "node" and isinstance(data.get("id"), str):
            label = data.get("label")
            declared[data["id"]] = label if isinstance(label, str) else None
        elif record.kind == "relationship" and all(
                isinstance(data.get(key), str) for key in ("type", "from", "to")):
            ends.append((data["type"], data["from"], data["to"]))
    store.check_write(declared, labels={label for label in declared.values() if label})
    stored = store.inner.node_labels({i for _, start, end in ends for i in (start, end)})
    check_relationships(store, user, ends, {**declared, **stored})


@router.post("/records", response_model=ImportReport, responses=errors(403, 413, 422),
             openapi_extra=records_body())
def write_records(store: ScopedStoreDep, user: CurrentUser,
                  body: Annotated[dict[str, Any], Body()], dry_run: DryRun = False) -> Any:
    """Write many nodes and relationships at once, all or nothing: every record is checked
    first (the rules of an import) and a 422 lists every problem, with nothing written."""
    records = batch_records(body)
    check_batch(store, user, records)
    return import_records(store.inner, records, dry_run=dry_run).as_dict()
