"""Import and export: JSON, CSV folders and GraphML (export only)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Literal, TypeVar

from kamgraph.errors import Problem, ValidationFailed
from kamgraph.io.csv_io import read_csv_file, read_csv_folder, write_csv_folder
from kamgraph.io.graphml import write_graphml
from kamgraph.io.importer import ImportReport, Progress, RawRecord, import_records
from kamgraph.io.json_io import read_json, write_json
from kamgraph.store.base import GraphStore

__all__ = ["ExportFormat", "ImportReport", "counted", "export_graph", "import_path", "read_path"]

ExportFormat = Literal["json", "csv", "graphml"]
T = TypeVar("T")


def read_path(path: Path) -> Iterator[RawRecord]:
    """Records of a JSON file, a CSV folder or a single kamgraph CSV file."""
    if path.is_dir():
        return read_csv_folder(path)
    if not path.exists():
        raise ValidationFailed([Problem(str(path), "file", None, "does not exist")])
    if path.suffix.lower() == ".json":
        return read_json(path)
    if path.suffix.lower() == ".csv":
        return read_csv_file(path)
    raise ValidationFailed([Problem(path.name, "file", None,
                                    "is neither a .json file nor a folder of CSV files")])


def import_path(store: GraphStore, path: Path, *, dry_run: bool = False,
                progress: Progress | None = None) -> ImportReport:
    """Import a file or folder all or nothing (see :func:`import_records`)."""
    return import_records(store, read_path(path), dry_run=dry_run, progress=progress)


def export_graph(store: GraphStore, path: Path, fmt: ExportFormat, *,
                 progress: Progress | None = None) -> tuple[int, int]:
    """Export the whole store; returns (nodes, relationships) written.

    JSON and CSV are written in id order from one consistent snapshot of the store, so
    export → import into an empty store → export gives the same file. ``progress`` is told
    how many records have been written.
    """
    with store.snapshot():
        if fmt == "json":
            return write_json(path, counted(chain(
                (n.record() for n in store.iter_nodes()),
                (r.record() for r in store.iter_relationships())), "writing", progress))
        if fmt == "csv":
            return write_csv_folder(path, lambda label: store.iter_nodes(label),
                                    store.iter_relationships, progress=progress)
        return write_graphml(path, store.whole_graph())


def counted(items: Iterable[T], phase: str, progress: Progress | None, every: int = 5_000
            ) -> Iterator[T]:
    """The items unchanged, telling ``progress(phase, count)`` every ``every`` items."""
    done = 0
    for done, item in enumerate(items, start=1):
        if progress and done % every == 0:
            progress(phase, done)
        yield item
    if progress:
        progress(phase, done)
