"""JSON files: ``{"nodes": [...], "relationships": [...]}``, read and written as streams."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import ijson

from kamgraph.errors import Problem, ValidationFailed
from kamgraph.io.importer import RawRecord
from kamgraph.model import Where

__all__ = ["read_json", "write_json"]

SECTIONS = (("nodes", "node"), ("relationships", "relationship"))


def read_json(path: Path) -> Iterator[RawRecord]:
    """Records of a kamgraph JSON file, one at a time (the file is never loaded whole)."""
    found = False
    for section, kind in SECTIONS:
        with _open(path) as stream:
            try:
                for index, item in enumerate(ijson.items(stream, f"{section}.item", use_float=True)):
                    found = True
                    where = Where(path.name, f"{section}[{index}]")
                    yield RawRecord(kind, item, where) if type(item) is dict else _unreadable(where)
            except ijson.JSONError as exc:
                raise ValidationFailed([Problem(path.name, "file", None,
                                                f"is not valid JSON: {exc}")]) from None
    if not found and not _has_lists(path):
        raise ValidationFailed([Problem(path.name, "file", None,
                                        'has no "nodes" or "relationships" list')])


def _has_lists(path: Path) -> bool:
    """Whether the file has a "nodes" or "relationships" list, maybe an empty one."""
    with _open(path) as stream:
        return any(event == "start_array" and prefix in dict(SECTIONS)
                   for prefix, event, _ in ijson.parse(stream))


def _unreadable(where: Where) -> RawRecord:
    return RawRecord("unreadable", {"reason": "must be a JSON object"}, where)


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as exc:
        raise ValidationFailed([Problem(path.name, "file", None,
                                        f"cannot be read: {exc.strerror}")]) from None


def write_json(path: Path, records: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Write records (all nodes first, then relationships) one per line; returns counts."""
    nodes = relationships = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{"nodes": [')
        for record in records:
            if "label" in record:
                if relationships:
                    raise ValueError("write_json needs every node before the relationships")
                out.write((",\n" if nodes else "\n") + _dump(record))
                nodes += 1
            else:
                if not relationships:
                    out.write('\n],\n"relationships": [')
                out.write((",\n" if relationships else "\n") + _dump(record))
                relationships += 1
        if not relationships:
            out.write('\n],\n"relationships": [')
        out.write("\n]}\n")
    return nodes, relationships


def _dump(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))
