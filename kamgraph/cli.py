"""The ``kamgraph`` command: a thin Typer layer over the library.

Exit codes: 0 success; 2 the input has problems (all listed, nothing written);
1 any other failure, told in one line (``--debug`` shows the traceback).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console, Group, RenderableType
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kamgraph import __version__
from kamgraph.errors import KamgraphError, NotFound, ValidationFailed
from kamgraph.io import ExportFormat, export_graph, import_path
from kamgraph.io.importer import ImportReport, RawRecord, import_records
from kamgraph.model import Node, Where
from kamgraph.settings import Settings
from kamgraph.store import GraphStore, open_store

app = typer.Typer(
    help="kamgraph: who decides, who influences them, and whom your team covers.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
out = Console()
err = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


@dataclass
class State:
    db: str
    debug: bool = False
    json: bool = False


_state = State(db=Settings().db)


@app.callback()
def main(
    db: Annotated[str | None, typer.Option(
        "--db", help="Store URL (env KAMGRAPH_DB), e.g. sqlite:///kamgraph.db or "
                     "neo4j://localhost:7687.", show_default=False)] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    """Keep who decides, who influences whom and where your team stands, in one graph."""
    if version:
        out.print(__version__)
        raise typer.Exit()
    _state.db = db or Settings().db
    _state.debug = debug


def cli_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Translate kamgraph errors into messages and exit codes: the one place that does."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        _state.json = bool(kwargs.get("as_json"))
        try:
            return command(*args, **kwargs)
        except ValidationFailed as exc:
            _print_problems(exc)
            raise typer.Exit(2) from None
        except (KamgraphError, OSError) as exc:
            if _state.debug:
                raise
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except Exception as exc:
            if _state.debug:
                raise
            err.print(f"[red]unexpected error:[/red] {type(exc).__name__}: {exc} "
                      "(run with --debug for details)", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return run


def _print_problems(exc: ValidationFailed) -> None:
    if _state.json:
        print(json.dumps([p.as_dict() for p in exc.problems], ensure_ascii=False, indent=2))
    else:
        table = Table("file", "where", "field", "reason")
        for p in exc.problems:
            table.add_row(p.file or "", p.location, p.field or "", p.reason)
        err.print(_titled(str(exc), table))
    if exc.more:
        err.print(f"… and {exc.more} more problems not listed")


@contextmanager
def _store() -> Iterator[GraphStore]:
    settings = Settings()
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
    store = open_store(_state.db, user=settings.neo4j_user, password=password,
                       database=settings.neo4j_database)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def _progress(description: str, total: int | None = None) -> Iterator[Callable[[str, int], None]]:
    """A progress bar on stderr (hidden with --json); yields ``update(phase, done)``."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,}"),
                   TimeElapsedColumn(), console=err, transient=True, disable=_state.json)
    with bar:
        task = bar.add_task(description, total=total)

        def update(phase: str, done: int) -> None:
            bar.update(task, description=f"{description}: {phase}", completed=done)

        yield update


def _titled(title: str, table: Table) -> Group:
    return Group(f"[bold]{title}[/bold]", table)


def _emit(data: Any, table: RenderableType) -> None:
    if _state.json:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        out.print(table)


@app.command("import")
@cli_errors
def import_command(
    path: Annotated[Path, typer.Argument(help="A .json file or a folder of CSV files.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; write nothing.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Import a JSON file or a CSV folder, all or nothing.

    Example: kamgraph import territory.json --dry-run
    """
    with _store() as store, _progress(f"importing {path.name}") as progress:
        report = import_path(store, path, dry_run=dry_run, progress=progress)
    _emit(report.as_dict(), _import_summary(report, dry_run))


def _import_summary(report: ImportReport, dry_run: bool) -> str:
    verb = "would import" if dry_run else "imported"
    return f"{verb} {report.nodes:,} nodes and {report.relationships:,} relationships"


@app.command("export")
@cli_errors
def export_command(
    path: Annotated[Path, typer.Argument(help="Output file (json, graphml) or folder (csv).")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="json, csv or graphml.")
                   ] = "json",
    as_json: JsonOption = False,
) -> None:
    """Export the whole store.

    Example: kamgraph export backup.json --format json
    """
    with _store() as store, _progress(f"exporting {path.name}"):
        nodes, relationships = export_graph(store, path, fmt)
    _emit({"path": str(path), "format": fmt, "nodes": nodes, "relationships": relationships},
          f"exported {nodes:,} nodes and {relationships:,} relationships to {path} ({fmt})")


@app.command("demo")
@cli_errors
def demo_command(
    scale: Annotated[int | None, typer.Option(help="Stakeholders to generate.", min=200,
                                              max=1_000_000)] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")
                    ] = 42,
    today: Annotated[str | None, typer.Option(
        help="Date the territory is generated around (YYYY-MM-DD); default today.")] = None,
    out_path: Annotated[Path | None, typer.Option(
        "--out", help="Write a .json file or a CSV folder instead of loading the store.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Generate the demo territory and load it (or write it to --out).

    Example: kamgraph demo --scale 5000 --seed 7
    """
    from kamgraph import demo
    from kamgraph.io.csv_io import CsvFolderWriter
    from kamgraph.io.json_io import write_json

    records = demo.demo_records(scale or demo.DEFAULT_SCALE, seed=seed, today=_date(today))
    if out_path is not None:
        with _progress("generating"):
            if out_path.suffix.lower() == ".json":
                nodes, relationships = write_json(out_path, records)
            else:
                with CsvFolderWriter(out_path) as writer:
                    for record in records:
                        writer.write(record)
                nodes, relationships = writer.nodes, writer.relationships
        _emit({"path": str(out_path), "nodes": nodes, "relationships": relationships},
              f"wrote {nodes:,} nodes and {relationships:,} relationships to {out_path}")
        return
    raw = (RawRecord("node" if "label" in r else "relationship", r, Where("demo", "generated"))
           for r in records)
    with _store() as store:
        with _progress("loading the demo") as progress:
            import_records(store, raw, progress=progress)
        _print_stats(store)


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date like 2026-03-31",
                                 param_hint="--today") from None


@app.command("stats")
@cli_errors
def stats_command(as_json: JsonOption = False) -> None:
    """Count what the store holds, per label and relationship type.

    Example: kamgraph stats --json
    """
    with _store() as store:
        _print_stats(store)


def _print_stats(store: GraphStore) -> None:
    counts = store.counts()
    data = {"store": store.url, "graph_version": store.graph_version(), "nodes": counts.nodes,
            "relationships": counts.relationships, "labels": counts.labels, "types": counts.types}
    table = Table("label or relationship type", "count")
    for name, count in [*counts.labels.items(), *counts.types.items()]:
        table.add_row(name, f"{count:,}")
    _emit(data, _titled(f"{store.url}: {counts.nodes:,} nodes, {counts.relationships:,} "
                        "relationships", table))


@app.command("show")
@cli_errors
def show_command(
    node_id: Annotated[str, typer.Argument(metavar="ID", help="The id of a node.")],
    as_json: JsonOption = False,
) -> None:
    """Show one node with its properties and relationships.

    Example: kamgraph show s-000001
    """
    with _store() as store:
        node = _get(store, node_id)
        rels = store.relationships_of(node_id)
        names = _names(store, {r.start for r in rels} | {r.end for r in rels})
    table = Table("property", "value")
    for key, value in sorted(node.props.items()):
        table.add_row(key, ", ".join(value) if isinstance(value, list) else str(value))
    links = Table("relationship", "other end", "properties")
    for rel in rels:
        outgoing = rel.start == node_id
        other = rel.end if outgoing else rel.start
        arrow = f"—{rel.type}→" if outgoing else f"←{rel.type}—"
        links.add_row(arrow, f"{names.get(other, other)} ({other})",
                      ", ".join(f"{k}={v}" for k, v in sorted(rel.props.items())))
    _emit({"node": node.record(), "relationships": [r.record() for r in rels]},
          Group(_titled(f"{node.label} {node.id}: {node.name}", table), links))


def _get(store: GraphStore, node_id: str) -> Node:
    node = store.get_node(node_id)
    if node is None:
        raise NotFound(f"no node with id {node_id!r} in {store.url}")
    return node


def _names(store: GraphStore, ids: set[str]) -> dict[str, str]:
    return {node_id: node.name for node_id in ids if (node := store.get_node(node_id))}


@app.command("search")
@cli_errors
def search_command(
    text: Annotated[str, typer.Argument(help="Part of a name, any case.")],
    label: Annotated[str | None, typer.Option(help="Only nodes with this label.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.", min=1, max=1000)] = 20,
    as_json: JsonOption = False,
) -> None:
    """Find nodes by name.

    Example: kamgraph search ivanova --label Stakeholder
    """
    with _store() as store:
        found = store.search(text, label=label, limit=limit)
    table = Table("id", "label", "name")
    for node in found:
        table.add_row(node.id, node.label, node.name)
    _emit([n.record() for n in found], _titled(f"{len(found)} found", table))


@app.command("delete")
@cli_errors
def delete_command(
    node_id: Annotated[str, typer.Argument(metavar="ID", help="The id of a node.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")
                   ] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete a node and all its relationships (for a person: erasure).

    Example: kamgraph delete s-000042 --yes
    """
    with _store() as store:
        node = _get(store, node_id)
        count = len(store.relationships_of(node_id))
        if not yes and not typer.confirm(
                f"Delete {node.label} {node.name} ({node_id}) and its {count} relationships?"):
            raise typer.Exit(1)
        store.delete_node(node_id)
    _emit({"deleted": node_id, "relationships": count},
          f"deleted {node.label} {node_id} and {count} relationships")


LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command("serve")
@cli_errors
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Serve the web app and its JSON API (under /api/v1).

    Example: kamgraph serve --port 8000
    """
    import uvicorn

    from api.main import create_app

    if host not in LOOPBACK:
        err.print(f"[yellow]warning:[/yellow] listening on {host} without TLS: put a "
                  "TLS-terminating proxy in front before anyone else connects", soft_wrap=True)
    uvicorn.run(create_app(Settings(db=_state.db)), host=host, port=port)


def run() -> None:
    """Console entry point."""
    app(prog_name="kamgraph")


if __name__ == "__main__":
    sys.exit(run())
