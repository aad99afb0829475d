"""CSV folders: one file per label (``stakeholders.csv`` ...) plus ``relationships.csv``.

Each node file has ``id`` and ``name`` columns plus property columns; ``relationships.csv``
has ``type``, ``from``, ``to`` plus property columns. Empty cells are absent values and
list cells are separated by ``;``. Files are read as UTF-8 (a byte-order mark is fine).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from kamgraph.errors import Problem, ValidationFailed
from kamgraph.io.importer import RawRecord
from kamgraph.model import LABELS, LIST_SEPARATOR, REL_TYPES, Node, Relationship, Where

__all__ = [
    "LABEL_FILES",
    "RELATIONSHIPS_FILE",
    "CsvFolderWriter",
    "read_csv_file",
    "read_csv_folder",
    "write_csv_folder",
]

LABEL_FILES = {
    "Stakeholder": "stakeholders.csv",
    "Organization": "organizations.csv",
    "Tender": "tenders.csv",
    "Product": "products.csv",
    "Territory": "territories.csv",
    "AccountManager": "account_managers.csv",
    "Event": "events.csv",
    "Interaction": "interactions.csv",
    "Plan": "plans.csv",
}
RELATIONSHIPS_FILE = "relationships.csv"
_FILE_LABELS = {file: label for label, file in LABEL_FILES.items()}
NODE_COLUMNS = ("id", "name")
REL_COLUMNS = ("type", "from", "to")


def read_csv_folder(folder: Path) -> Iterator[RawRecord]:
    """Records of every known CSV file in ``folder``: node files first, relationships last."""
    known = {*_FILE_LABELS, RELATIONSHIPS_FILE}
    strangers = sorted(p.name for p in folder.glob("*.csv") if p.name not in known)
    if strangers:
        raise ValidationFailed([
            Problem(name, "file", None, f"is not a kamgraph file; known: {', '.join(sorted(known))}")
            for name in strangers])
    present = [folder / name for name in (*LABEL_FILES.values(), RELATIONSHIPS_FILE)
               if (folder / name).is_file()]
    if not present:
        raise ValidationFailed([Problem(folder.name, "folder", None,
                                        "holds none of the kamgraph CSV files")])
    for path in present:
        yield from read_csv_file(path)


def read_csv_file(path: Path) -> Iterator[RawRecord]:
    """Records of one CSV file, whose name says what it holds."""
    label = _FILE_LABELS.get(path.name)
    if label is None and path.name != RELATIONSHIPS_FILE:
        raise ValidationFailed([Problem(path.name, "file", None, "is not a kamgraph file name")])
    kind, required = ("node", NODE_COLUMNS) if label else ("relationship", REL_COLUMNS)
    with _open(path) as stream:
        reader = csv.reader(stream)
        try:  # the header read decodes the first block of the file too
            header = _check_header(path.name, next(reader, None), required)
            for number, row in enumerate(reader, start=2):
                if row:  # a blank line is no record
                    yield _record(path.name, number, header, row, kind, label)
        except UnicodeDecodeError as exc:
            raise ValidationFailed([Problem(path.name, "file", None, _not_utf8(exc))]) from None
        except csv.Error as exc:
            raise ValidationFailed([Problem(path.name, f"row {reader.line_num}", None,
                                            f"is not well-formed CSV: {exc}")]) from None


def _record(file: str, number: int, header: list[str], row: list[str], kind: str,
            label: str | None) -> RawRecord:
    where = Where(file, f"row {number}")
    if len(row) != len(header):
        return RawRecord("unreadable", {
            "reason": f"has {len(row)} cells but the header has {len(header)} columns"}, where)
    data: dict[str, Any] = dict(zip(header, row, strict=True))
    if label:
        data["label"] = label
    return RawRecord(kind, data, where, from_text=True)


def _check_header(file: str, header: list[str] | None, required: tuple[str, ...]) -> list[str]:
    if header is None:
        raise ValidationFailed([Problem(file, "row 1", None, "the file is empty: it needs a "
                                        f"header row with {', '.join(required)}")])
    header = [column.strip() for column in header]
    problems = [Problem(file, "row 1", column, "the column is missing")
                for column in required if column not in header]
    problems += [Problem(file, "row 1", column or f"column {index + 1}", "appears twice"
                         if column else "has no name")
                 for index, column in enumerate(header)
                 if not column or header.index(column) != index]
    if problems:
        raise ValidationFailed(problems)
    return header


def _open(path: Path) -> Any:
    try:
        return path.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ValidationFailed([Problem(path.name, "file", None,
                                        f"cannot be read: {exc.strerror}")]) from None


def _not_utf8(exc: UnicodeDecodeError) -> str:
    return (f"is not UTF-8 (byte {exc.start}): save it as 'CSV UTF-8 (comma delimited)'")


def write_csv_folder(folder: Path, nodes_of: Callable[[str], Iterable[Node]],
                     relationships: Callable[[], Iterable[Relationship]], *,
                     progress: Callable[[str, int], None] | None = None) -> tuple[int, int]:
    """Write a CSV folder; ``nodes_of(label)`` and ``relationships()`` are read twice
    (once to find custom property columns, once to write)."""
    custom = {label: _custom_columns(nodes_of(label), LABELS[label].props)
              for label in LABEL_FILES}
    custom[RELATIONSHIPS_FILE] = _custom_columns(relationships(), _REL_PROPS)
    with CsvFolderWriter(folder, custom) as writer:
        for label in LABEL_FILES:
            for node in nodes_of(label):
                writer.write(node.record())
                _tell(progress, writer)
        for rel in relationships():
            writer.write(rel.record())
            _tell(progress, writer)
        return writer.nodes, writer.relationships


def _tell(progress: Callable[[str, int], None] | None, writer: CsvFolderWriter) -> None:
    done = writer.nodes + writer.relationships
    if progress and done % 5_000 == 0:
        progress("writing", done)


class CsvFolderWriter:
    """Writes records (JSON file shape) to the CSV files of a folder as they come.

    Columns are the known properties plus ``custom`` ones per file name; a record
    with any other property is refused.
    """

    def __init__(self, folder: Path, custom: dict[str, list[str]] | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        custom = custom or {}
        self.nodes = self.relationships = 0
        self._files: dict[str, Any] = {}
        self._writers: dict[str, tuple[Any, list[str]]] = {}
        for label, name in LABEL_FILES.items():
            known = [*NODE_COLUMNS, *LABELS[label].props, *custom.get(label, [])]
            self._open(label, folder / name, known)
        self._open(RELATIONSHIPS_FILE, folder / RELATIONSHIPS_FILE,
                   [*REL_COLUMNS, *_REL_PROPS, *custom.get(RELATIONSHIPS_FILE, [])])

    def _open(self, key: str, path: Path, columns: list[str]) -> None:
        stream = self._files[key] = path.open("w", encoding="utf-8", newline="")
        writer = csv.writer(stream)
        writer.writerow(columns)
        self._writers[key] = (writer, columns)

    def write(self, record: dict[str, Any]) -> None:
        is_node = "label" in record
        writer, columns = self._writers[record["label"] if is_node else RELATIONSHIPS_FILE]
        extra = record.keys() - columns - {"label"}
        if extra:
            raise ValueError(f"no CSV column for {sorted(extra)}")
        writer.writerow([_cell(record.get(column)) for column in columns])
        if is_node:
            self.nodes += 1
        else:
            self.relationships += 1

    def __enter__(self) -> CsvFolderWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        for stream in self._files.values():
            stream.close()


_REL_PROPS = list(dict.fromkeys(p for spec in REL_TYPES.values() for p in spec.props))


def _custom_columns(items: Iterable[Node | Relationship], known: Iterable[str]) -> list[str]:
    known = set(known)
    custom: set[str] = set()
    for item in items:
        custom.update(key for key in item.props if key not in known)
    return sorted(custom)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return str(value)
