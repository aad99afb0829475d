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
SECTION_NAMES = frozenset(section for section, _ in SECTIONS)


MAX_DEPTH = 16
"""The deepest nesting a file may have. A kamgraph file has four levels (the file, a section,
a record, a list value); a much deeper one is refused before its records are read, as the
JSON reader's memory grows with the square of the depth (a 200 KB file of nested brackets
would take 20 GB)."""


def read_json(path: Path) -> Iterator[RawRecord]:
    """Records of a kamgraph JSON file, one at a time (the file is never loaded whole)."""
    sections = _sections(path)
    for section, kind in SECTIONS:
        if section not in sections:
            continue
        with _open(path) as stream:
            for index, item in enumerate(ijson.items(stream, f"{section}.item", use_float=True)):
                where = Where(path.name, f"{section}[{index}]")
                yield RawRecord(kind, item, where) if type(item) is dict else _unreadable(where)


def _sections(path: Path) -> set[str]:
    """The sections the file has as lists, once it is known to be JSON no deeper than
    :data:`MAX_DEPTH` (one pass of the parser's plain events, whose cost does not grow with
    the depth)."""
    found: set[str] = set()
    depth, key = 0, None
    with _open(path) as stream:
        try:
            for event, value in ijson.basic_parse(stream, use_float=True):
                if event == "start_array" or event == "start_map":
                    if depth == 1 and key in SECTION_NAMES and event == "start_array":
                        found.add(key)
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise _refused(path, f"nests deeper than {MAX_DEPTH} levels; a kamgraph "
                                             "file has four (file, section, record, list)")
                elif event == "end_array" or event == "end_map":
                    depth -= 1
                key = value if event == "map_key" and depth == 1 else None
        except ijson.JSONError as exc:
            raise _refused(path, f"is not valid JSON: {exc}") from None
    if not found:
        raise _refused(path, 'has no "nodes" or "relationships" list')
    return found


def _refused(path: Path, reason: str) -> ValidationFailed:
    return ValidationFailed([Problem(path.name, "file", None, reason)])


def _unreadable(where: Where) -> RawRecord:
    return RawRecord("unreadable", {"reason": "must be a JSON object"}, where)


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as exc:
        raise _refused(path, f"cannot be read: {exc.strerror}") from None


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
