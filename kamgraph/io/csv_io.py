"""CSV folders: one file per label (``stakeholders.csv`` ...) plus ``relationships.csv``.

Each node file has ``id`` and ``name`` columns plus property columns; ``relationships.csv``
has ``type``, ``from``, ``to`` plus property columns. Empty cells are absent values and
list cells are separated by ``;``.

Files as spreadsheets write them in common locales are read as they are: UTF-8 with or
without a byte-order mark, or Windows-1251 (Cyrillic Excel's "CSV"), told apart by whether
the start of the file is valid UTF-8 and, if not, whether its letters beyond ASCII are
Cyrillic; cells separated by ``,``, ``;`` or tabs, told by the header row. Numbers with a
decimal comma and dates as day.month.year are read by the model (``kamgraph.model``,
``from_text``). A file in another encoding is refused with what to change.
"""

from __future__ import annotations

import csv
import re
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
    encoding = _encoding(path)
    with _open(path, encoding) as stream:
        reader = csv.reader(stream, delimiter=_delimiter(stream), strict=True)
        try:  # the header read decodes the first block of the file too
            header = _check_header(path.name, next(reader, None), required)
            for number, row in enumerate(reader, start=2):
                if row:  # a blank line is no record
                    yield _record(path.name, number, header, row, kind, label)
        except UnicodeDecodeError as exc:
            raise ValidationFailed([Problem(path.name, "file", None, _undecodable(exc.start))]) from None
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


SAMPLE_BYTES = 1 << 16
CYRILLIC_SHARE = 0.9  # of the letters beyond ASCII, for a file to be read as Windows-1251


def _encoding(path: Path) -> str:
    """``utf-8-sig`` (UTF-8, a byte-order mark or not) or ``cp1251`` (module doc)."""
    try:
        with path.open("rb") as stream:
            sample = stream.read(SAMPLE_BYTES)
    except OSError as exc:
        raise ValidationFailed([Problem(path.name, "file", None,
                                        f"cannot be read: {exc.strerror}")]) from None
    try:
        sample.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(sample) == SAMPLE_BYTES:
            return "utf-8-sig"  # the sample cut a character in two
        failed_at = exc.start
    if _looks_cyrillic(sample.decode("cp1251", errors="replace")):
        return "cp1251"
    raise ValidationFailed([Problem(path.name, "file", None, _undecodable(failed_at))])


def _looks_cyrillic(text: str) -> bool:
    """Whether text decoded as Windows-1251 reads as Cyrillic: its letters beyond ASCII are
    Cyrillic, and they sit among Cyrillic letters, not inside Latin words (a Western file
    read so turns "Müller" into "Mьller")."""
    cyrillic = mixed = other = 0
    for before, ch, after in zip(" " + text, text, text[1:] + " ", strict=False):
        if "\u0400" <= ch <= "\u04ff":
            cyrillic += 1
            mixed += sum(c.isascii() and c.isalpha() for c in (before, after))
        elif ord(ch) > 127 and ch.isalpha():
            other += 1
    return (cyrillic >= 2 and mixed <= 0.1 * cyrillic
            and other <= (1 - CYRILLIC_SHARE) * (cyrillic + other))


def _delimiter(stream: Any) -> str:
    """``,``, ``;`` or a tab: the one the header row holds most of (then back to the start)."""
    start = stream.tell()
    header = stream.readline()
    stream.seek(start)
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _open(path: Path, encoding: str) -> Any:
    try:
        return path.open("r", encoding=encoding, newline="")
    except OSError as exc:
        raise ValidationFailed([Problem(path.name, "file", None,
                                        f"cannot be read: {exc.strerror}")]) from None


def _undecodable(byte: int) -> str:
    return (f"is neither UTF-8 nor Windows-1251 Cyrillic (byte {byte}): save it as "
            "'CSV UTF-8 (comma delimited)'")


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


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMERIC = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?%?$")


def inert_cell(text: str) -> str:
    """Text a spreadsheet shows as text: numbers as they are, would-be formulas quoted."""
    return f"'{text}" if text.startswith(FORMULA_START) and not NUMERIC.match(text) else text
