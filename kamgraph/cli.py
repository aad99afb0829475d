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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import pydantic
import typer
from rich.console import Console, Group, RenderableType
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kamgraph import __version__, audit, limits, services, users
from kamgraph.analysis import influence
from kamgraph.errors import KamgraphError, NotFound, ValidationFailed
from kamgraph.io import ExportFormat, counted, export_graph, import_path
from kamgraph.io.importer import ImportReport
from kamgraph.model import Node
from kamgraph.settings import DEFAULT_DB, Settings
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
    settings: Settings = field(default_factory=Settings.model_construct)  # read in main()


_state = State(db=DEFAULT_DB)


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
    _state.settings = _read_settings()
    _state.db = db or _state.settings.db
    _state.debug = debug


def _read_settings() -> Settings:
    """The settings from the environment, or a clear error naming the variable at fault."""
    try:
        return Settings()
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            name = "KAMGRAPH_" + "_".join(str(part) for part in error["loc"]).upper()
            err.print(f"[red]error:[/red] setting {name}: {error['msg']}", highlight=False,
                      soft_wrap=True)
        raise typer.Exit(1) from None


def cli_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Translate kamgraph errors into messages and exit codes: the one place that does."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        _state.json = bool(kwargs.get("as_json"))
        try:
            with limits.use(_state.settings.limits()):
                return command(*args, **kwargs)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise  # usage errors (exit 2) and deliberate exits: Typer reports them
        except ValidationFailed as exc:
            _print_problems(exc)
            raise typer.Exit(2) from None
        except (KamgraphError, OSError, ValueError) as exc:  # ValueError: a bad option value
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
    settings = _state.settings
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
    store = open_store(_state.db, user=settings.neo4j_user, password=password,
                       database=settings.neo4j_database, busy_seconds=settings.sqlite_busy_seconds)
    try:
        with audit.acting(audit.cli_actor()):
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
    with _store() as store, _progress(f"exporting {path.name}") as progress:
        nodes, relationships = export_graph(store, path, fmt, progress=progress)
    _emit({"path": str(path), "format": fmt, "nodes": nodes, "relationships": relationships},
          f"exported {nodes:,} nodes and {relationships:,} relationships to {path} ({fmt})")


@app.command("backup")
@cli_errors
def backup_command(
    path: Annotated[Path, typer.Argument(help="The backup file to write (it must not exist).")],
    as_json: JsonOption = False,
) -> None:
    """Back up the whole store, users included, to one SQLite file (safe while serving).

    Example: kamgraph backup kamgraph-2026-11-28.db
    """
    from kamgraph.backup import backup

    _copy_store(backup, path, f"backing up to {path.name}", "backed up", "to")


@app.command("restore")
@cli_errors
def restore_command(
    path: Annotated[Path, typer.Argument(help="A file written by `kamgraph backup`.")],
    as_json: JsonOption = False,
) -> None:
    """Restore a backup into the store, which must be empty; all or nothing.

    Example: kamgraph restore kamgraph-2026-11-28.db  (into the store KAMGRAPH_DB names)
    """
    from kamgraph.backup import restore

    _copy_store(restore, path, f"restoring {path.name}", "restored", "from")


def _copy_store(copy: Callable[[GraphStore, Path], Any], path: Path, doing: str, done: str,
                where: str) -> None:
    with _store() as store, _progress(doing):
        copied = copy(store, path)
    _emit({"path": str(path), **copied.as_dict()},
          f"{done} {copied.nodes:,} nodes, {copied.relationships:,} relationships and "
          f"{copied.users} users {where} {path}")


@app.command("erase")
@cli_errors
def erase_command(
    node_id: Annotated[str, typer.Argument(metavar="ID", help="The stakeholder's id.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Erase a person for good: them, their relationships, the personal content of their
    interactions, plans and audit entries (personal data law).

    Example: kamgraph erase s-000042 --yes
    """
    from kamgraph import privacy

    with _store() as store:
        person = _get(store, node_id)
        if not yes and not typer.confirm(f"Erase {person.name} ({node_id}) for good?"):
            raise typer.Exit(1)
        done = privacy.erase(store, node_id)
    _emit(done, f"erased {node_id}: {done['relationships']} relationships removed, "
                f"{done['interactions']} interactions and {done['plans']} plans blanked, "
                f"{done['audit_entries_redacted']} audit entries redacted")


@app.command("subject-export")
@cli_errors
def subject_export_command(
    node_id: Annotated[str, typer.Argument(metavar="ID", help="The stakeholder's id.")],
    out_path: Annotated[Path | None, typer.Option("--out", help="Write the JSON here.")] = None,
) -> None:
    """Everything stored about one person, as JSON (an access request).

    Example: kamgraph subject-export s-000042 --out s-000042.json
    """
    from kamgraph import privacy

    with _store() as store:
        found = privacy.subject_export(store, node_id)
    text = json.dumps(found, ensure_ascii=False, indent=2, default=str)
    if out_path is None:
        print(text)
    else:
        out_path.write_text(text + "\n", encoding="utf-8")
        err.print(f"wrote everything stored about {node_id} to {out_path}")


@app.command("audit")
@cli_errors
def audit_command(
    actor: Annotated[str | None, typer.Option("--user", help="Only what this user did.")] = None,
    stakeholder: Annotated[str | None, typer.Option(help="Only entries about this person.")] = None,
    since: Annotated[str | None, typer.Option(help="From this day (YYYY-MM-DD, UTC).")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this day, included.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many entries.", min=1)] = 100,
    out_path: Annotated[Path | None, typer.Option(
        "--out", help="Write every matching entry to a .csv or .json file instead.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the audit log: who changed what (before and after) and who read personal details.

    Example: kamgraph audit --stakeholder s-000042 --since 2026-11-01
    """
    where = audit.AuditFilter(actor, stakeholder, _day(since, "--since"), _day(until, "--until"))
    with _store() as store:
        if out_path is not None:
            count = _write_audit(store, where, out_path)
            _emit({"path": str(out_path), "entries": count}, f"wrote {count:,} entries to {out_path}")
            return
        entries = store.audit_entries(where, limit=limit)
    table = Table("#", "at", "user", "action", "target", "changes")
    for kept in entries:
        table.add_row(str(kept.seq), kept.at, kept.actor, kept.action, kept.target, _changes(kept))
    _emit([kept.as_dict() for kept in entries], table)


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date like 2026-03-31", param_hint=option) from None


def _changes(kept: audit.AuditEntry) -> str:
    """What an entry changed, in a line: the properties whose values differ."""
    before, after = kept.before or {}, kept.after or {}
    if kept.action == "read_sensitive":
        return "read " + ", ".join(after.get("fields", []))
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return ", ".join(f"{k}: {before.get(k)!r} -> {after.get(k)!r}" for k in changed)


def _write_audit(store: GraphStore, where: audit.AuditFilter, path: Path) -> int:
    entries, offset = [], 0
    while batch := store.audit_entries(where, limit=5000, offset=offset):
        entries.extend(batch)
        offset += len(batch)
    if path.suffix.lower() == ".csv":
        path.write_text(audit.entries_csv(entries), encoding="utf-8")
    else:
        path.write_text(json.dumps([e.as_dict() for e in entries], ensure_ascii=False, indent=1),
                        encoding="utf-8")
    return len(entries)


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
        with _progress("generating") as progress:
            records = counted(records, "writing", progress)
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
    with _store() as store:
        with _progress("loading the demo") as progress:
            demo.load_demo(store, scale or demo.DEFAULT_SCALE, seed=seed, today=_date(today),
                           progress=progress)
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


# -- analyses ------------------------------------------------------------------------------
# Each command calls one function of kamgraph.services; --json prints its result unchanged.

def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date like 2026-03-31") from None


AsOfOption = Annotated[date | None, typer.Option(
    "--as-of", parser=_iso_date, metavar="DATE", show_default=False,
    help="Analyse the graph as it stood on this date (YYYY-MM-DD); default today.")]
TerritoryOption = Annotated[str | None, typer.Option(
    "--territory", metavar="ID", help="Only this territory and its sub-territories.")]
QuietOption = Annotated[bool, typer.Option(
    "--include-quiet", help="Also suggest people in a tender's quiet period (compliance risk).")]


@app.command("rank")
@cli_errors
def rank_command(
    territory: TerritoryOption = None,
    organization: Annotated[str | None, typer.Option(
        "--organization", metavar="ID", help="Only the staff of this organisation.")] = None,
    metric: Annotated[str, typer.Option(help=f"One of: {', '.join(influence.METRICS)}.")
                      ] = "influence",
    top: Annotated[int, typer.Option(help="Show this many.", min=1)] = 20,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rank people by influence or another metric: everyone, a territory or an organisation.

    Example: kamgraph rank --territory tr-000001 --metric betweenness --top 10
    """
    if territory is not None and organization is not None:
        raise typer.BadParameter("give --territory or --organization, not both")
    with _store() as store:
        result = services.rank(store, territory_id=territory, organization_id=organization,
                               metric=metric, top=top, as_of=as_of)
    table = _table("#", "id", "name", result["metric"], "organization", "stance")
    for number, item in enumerate(result["items"], start=1):
        table.add_row(str(number), item["id"], item["name"], _score(item["score"]),
                      item["organization"] or "", item["stance"])
    scope = f" in {territory}" if territory else f" at {organization}" if organization else ""
    sampled = " (betweenness estimated from a sample)" if result["sampled"] else ""
    _emit(result, _titled(f"people{scope} by {result['metric']} as of {result['as_of']}{sampled}",
                          table))


@app.command("tender")
@cli_errors
def tender_command(
    tender_id: Annotated[str, typer.Argument(metavar="ID", help="The id of a tender.")],
    top: Annotated[int, typer.Option(help="Show this many people.", min=1)] = 10,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Who decides a tender, who influences them, and where we stand with each.

    Example: kamgraph tender t-000005 --top 10
    """
    with _store() as store:
        result = services.tender_influence(store, tender_id, top=top, as_of=as_of)
    table = _table("#", "name (id)", "influence", "role", "stance", "relationship", "flags")
    for number, item in enumerate(result["items"], start=1):
        table.add_row(str(number), f"{item['name']} ({item['id']})", _score(item["score"]),
                      ", ".join(item["role"]), item["stance"], _relationship(item),
                      ", ".join(flag.replace("_", " ") for flag in item["flags"]))
    _emit(result, _titled(_tender_title(result), table))


def _tender_title(result: dict[str, Any]) -> str:
    tender = result["tender"]
    quiet = ", quiet period" if tender["quiet_period"] else ""
    return (f"{tender['name']} ({tender['id']}, {tender['status']}{quiet}): support balance "
            f"{result['support_balance']:+.2f}, coverage {result['coverage']:.0%}, "
            f"competitor exposure {result['competitor_exposure']:.0%}")


def _relationship(item: dict[str, Any]) -> str:
    relation = item["relationship"]
    text = f"{relation['stage']} ({relation['account_manager']})" if relation else "none"
    return text + (f", aligned with {item['competitor']}" if item["competitor"] else "")


@app.command("paths")
@cli_errors
def paths_command(
    target_id: Annotated[str, typer.Argument(metavar="TARGET_ID", help="The person to reach.")],
    source: Annotated[str | None, typer.Option(
        "--from", metavar="ACCOUNT_MANAGER_ID", help="Only paths starting at this account manager."
    )] = None,
    k: Annotated[int, typer.Option("--k", help="How many paths.", min=1)] = 3,
    include_quiet: QuietOption = False,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """The strongest warm paths from our team to a person, through people who trust us.

    Example: kamgraph paths s-000042 --from am-000002 --k 3
    """
    with _store() as store:
        result = services.warm_paths(store, target_id, source_id=source, k=k,
                                     include_quiet=include_quiet, as_of=as_of)
        names = _names(store, {target_id} | {n for path in result["paths"] for n in path["nodes"]})
    table = _table("#", "strength", "opens at", "path")
    for number, path in enumerate(result["paths"], start=1):
        table.add_row(str(number), f"{path['strength']:.3f}", path["stage"],
                      _path(path["nodes"], names))
    title = (f"warm paths to {names.get(target_id, target_id)} ({target_id}): "
             f"{len(result['paths'])} found")
    _emit(result, result["note"] if "note" in result else _titled(title, table))


def _path(nodes: list[str], names: dict[str, str]) -> str:
    return " → ".join(names.get(node, node) for node in nodes)


@app.command("next-best")
@cli_errors
def next_best_command(
    tender_id: Annotated[str, typer.Argument(metavar="TENDER_ID", help="The id of a tender.")],
    k: Annotated[int, typer.Option("--k", help="How many people to suggest.", min=1)] = 5,
    include_quiet: QuietOption = False,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Whom to engage next for a tender: the uncovered people who would raise coverage most.

    Example: kamgraph next-best t-000005 --k 5
    """
    with _store() as store:
        result = services.next_best(store, tender_id, k=k, include_quiet=include_quiet,
                                    as_of=as_of)
        names = _names(store, {node for item in result["items"] if item["path"]
                               for node in item["path"]["nodes"]})
    table = _table("#", "name (id)", "coverage gain", "warm path", "strength")
    for number, item in enumerate(result["items"], start=1):
        path = item["path"]
        table.add_row(str(number), f"{item['name']} ({item['id']})", f"{item['gain']:+.1%}",
                      _path(path["nodes"], names) if path else "no warm path",
                      f"{path['strength']:.3f}" if path else "")
    quiet = "" if include_quiet else (" (people in a tender's quiet period left out; "
                                      "--include-quiet shows them)")
    _emit(result, _titled(f"next best engagements for {tender_id}{quiet}", table))


@app.command("coverage")
@cli_errors
def coverage_command(
    territory_id: Annotated[str, typer.Argument(metavar="TERRITORY_ID", help="The territory.")],
    compare: Annotated[date | None, typer.Option(
        "--compare", parser=_iso_date, metavar="DATE", show_default=False,
        help="Also compute coverage at this date and show the change.")] = None,
    stale_days: Annotated[int | None, typer.Option(
        "--stale-days", min=1, show_default=False,
        help="A covering relationship without contact for longer is stale (default 90).")] = None,
    top: Annotated[int | None, typer.Option(
        help="Show only this many gaps (default all).", min=1, show_default=False)] = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Territory coverage: which key people nobody on the team has a working relationship with.

    Example: kamgraph coverage tr-000001 --compare 2026-01-01 --top 10
    """
    with _store() as store:
        result = services.coverage_report(store, territory_id, compare=compare,
                                          stale_days=stale_days, top=top, as_of=as_of)
    _emit(result, _coverage_tables(result))


def _coverage_tables(result: dict[str, Any]) -> Group:
    territory = result["territory"]
    title = (f"{territory['name']} ({territory['id']}) as of {result['as_of']}: "
             f"{result['people']} key people, coverage {result['coverage_weighted']:.0%} "
             f"weighted by importance, {result['coverage_headcount']:.0%} by head count")
    if result["compare"]:
        then = result["compare"]
        title += (f"; on {then['as_of']} {then['coverage_weighted']:.0%} / "
                  f"{then['coverage_headcount']:.0%} ({then['delta_weighted']:+.0%} / "
                  f"{then['delta_headcount']:+.0%})")
    gaps = _table("#", "name (id)", "importance", "organization", "stance", "best stage")
    for number, gap in enumerate(result["gaps"], start=1):
        gaps.add_row(str(number), f"{gap['name']} ({gap['id']})", _score(gap["importance"]),
                     _name_of(gap["organization"]), gap["stance"] or "",
                     gap["best_stage"] or "none")
    team = _table("account manager", "covers", "relationships", "importance covered")
    for row in result["by_account_manager"]:
        team.add_row(f"{row['name']} ({row['id']})", str(row["covered"]),
                     str(row["relationships"]), _score(row["importance_covered"]))
    return Group(_titled(title, gaps), _titled("by account manager", team),
                 *_entrenched_and_stale(result))


def _entrenched_and_stale(result: dict[str, Any]) -> list[Group]:
    entrenched = _table("name (id)", "competitor", "strength", "covered")
    for row in result["competitor_entrenched"]:
        entrenched.add_row(f"{row['name']} ({row['id']})", _name_of(row["competitor"]),
                           "" if row["strength"] is None else f"{row['strength']:.2f}",
                           "yes" if row["covered"] else "no")
    stale = _table("name (id)", "account manager", "stage", "last contact", "days")
    for row in result["stale"]:
        stale.add_row(f"{row['name']} ({row['id']})", _name_of(row["account_manager"]), row["stage"],
                      row["last_contact"] or "never", "" if row["days"] is None else str(row["days"]))
    return [_titled("competitor-entrenched key people", entrenched),
            _titled("stale covering relationships", stale)]


@app.command("factions")
@cli_errors
def factions_command(
    territory: TerritoryOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Factions: groups of people more tied to each other than to the rest, and who leads them.

    Example: kamgraph factions --territory tr-000001
    """
    with _store() as store:
        result = services.factions(store, territory_id=territory, as_of=as_of)
        names = _names(store, {p for faction in result["factions"] for p in faction["leaders"]})
    table = _table("faction", "people", "influence share", "stance mix", "leaders")
    for faction in result["factions"]:
        table.add_row(str(faction["id"]), str(faction["size"]), f"{faction['influence_share']:.0%}",
                      ", ".join(f"{s} {n}" for s, n in faction["stance_mix"].items()),
                      _path(faction["leaders"], names).replace(" → ", ", "))
    _emit(result, _titled(f"{len(result['factions'])} factions", table))


@app.command("brokers")
@cli_errors
def brokers_command(
    territory: TerritoryOption = None,
    top: Annotated[int, typer.Option(help="Show this many.", min=1)] = 10,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Brokers: the people who sit on the routes between groups (betweenness).

    Example: kamgraph brokers --territory tr-000001 --top 10
    """
    with _store() as store:
        result = services.brokers(store, territory_id=territory, top=top, as_of=as_of)
    table = _table("#", "id", "name", "betweenness")
    for number, item in enumerate(result["items"], start=1):
        table.add_row(str(number), item["id"], item["name"], _score(item["score"]))
    _emit(result, _titled("brokers", table))


@app.command("what-if")
@cli_errors
def what_if_command(
    person_id: Annotated[str, typer.Argument(metavar="PERSON_ID", help="The person who leaves.")],
    tender: Annotated[str | None, typer.Option(
        "--tender", metavar="ID", help="Show the change of influence on this tender.")] = None,
    territory: Annotated[str | None, typer.Option(
        "--territory", metavar="ID", help="Show the change of importance in this territory.")
    ] = None,
    top: Annotated[int, typer.Option(help="Show this many changes.", min=1)] = 10,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """What if a person leaves: whose influence rises or falls, and how coverage changes.

    Give exactly one of --tender and --territory.

    Example: kamgraph what-if s-000042 --tender t-000005
    """
    if (tender is None) == (territory is None):
        raise typer.BadParameter("give exactly one of --tender and --territory")
    with _store() as store:
        result = services.what_if(store, person_id, tender_id=tender, territory_id=territory,
                                  top=top, as_of=as_of)
    table = _table("name (id)", "before", "after", "change")
    for row in result["changes"]:
        table.add_row(f"{row['name']} ({row['id']})", _score(row["before"]), _score(row["after"]),
                      f"{row['delta']:+.4f}")
    removed, (kind, scope) = result["removed"], next(iter(result["scope"].items()))
    _emit(result, _titled(
        f"without {removed['name']} ({removed['id']}), {kind} {scope}: coverage "
        f"{result['coverage_before']:.0%} → {result['coverage_after']:.0%}", table))


@app.command("plans")
@cli_errors
def plans_command(
    at_risk: Annotated[bool, typer.Option("--at-risk", help="Only the plans at risk.")] = False,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Relationship plans: where each stands against its goal, and which are at risk.

    Example: kamgraph plans --at-risk
    """
    with _store() as store:
        result = services.plan_status(store, at_risk_only=at_risk, as_of=as_of)
    table = _table("plan", "stakeholder", "owner", "stage now → goal", "due", "status", "at risk")
    for item in result["items"]:
        table.add_row(f"{item['name']} ({item['id']})", _ref_name(item["stakeholder"]),
                      _ref_name(item["account_manager"]),
                      f"{item['current_stage']} → {item['goal_stage'] or '?'}", item["due"] or "",
                      item["status"] or "", ", ".join(item["reasons"]) or "no")
    _emit(result, _titled(f"{len(result['items'])} plans", table))


@app.command("map")
@cli_errors
def map_command(
    node_id: Annotated[str, typer.Argument(metavar="ID", help="A tender, territory or stakeholder.")],
    out_path: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
    warm_paths_to: Annotated[bool, typer.Option(
        "--paths", help="For a stakeholder: the map of our warm paths to them.")] = False,
    top: Annotated[int, typer.Option(help="At most this many people (by score).", min=1)] = 300,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write an interactive map (one HTML page, works offline) of a tender, a territory or a
    stakeholder's circle.

    Example: kamgraph map t-000005 --out tender.html
    """
    with _store() as store:
        page = services.map_page(store, node_id, warm_paths_to=warm_paths_to, top=top, as_of=as_of)
    out_path.write_text(page, encoding="utf-8")
    _emit({"id": node_id, "path": str(out_path), "bytes": len(page.encode())},
          f"wrote the map of {node_id} to {out_path}")


def _ref_name(ref: dict[str, str] | None) -> str:
    return f"{ref['name']} ({ref['id']})" if ref else ""


def _name_of(value: dict[str, str] | str | None) -> str:
    """A name, whether the analysis gives a {id, name} reference or the name itself."""
    return value["name"] if isinstance(value, dict) else value or ""


def _table(*headers: str) -> Table:
    """A table for narrow terminals too: numbers and ids keep their width, text wraps."""
    table = Table()
    for header in headers:
        fixed = header in _FIXED_COLUMNS or header in influence.METRICS
        table.add_column(header, no_wrap=fixed, overflow="fold")
    return table


_FIXED_COLUMNS = frozenset({"#", "id", "strength", "coverage gain", "importance", "before", "after",
                            "change", "days", "due", "people", "covers", "last contact", "created",
                            "token prefix"})


def _score(value: float) -> str:
    return f"{value:.4f}"


# -- users of the web app -----------------------------------------------------------------

user_app = typer.Typer(help="Users of the web app and their API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
@cli_errors
def user_add_command(
    name: Annotated[str, typer.Argument(help="The user's sign-in name, unique.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(users.ROLES)}.")],
    account_manager: Annotated[str | None, typer.Option(
        "--account-manager", metavar="ID",
        help="Their AccountManager node (required for kam and regional_manager).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a user and print their API token, once: it is not stored and cannot be shown again.

    Example: kamgraph user add anna --role kam --account-manager am-000002
    """
    with _store() as store:
        token = users.create_user(store, name, role, account_manager)
    _emit({"name": name, "role": role, "account_manager": account_manager, "token": token},
          Group(f"added {role} user {name}; their API token:", token,
                "[yellow]Copy it now: it will not be shown again.[/yellow]"))


@user_app.command("list")
@cli_errors
def user_list_command(as_json: JsonOption = False) -> None:
    """List the users with their token prefixes (tokens themselves are never stored).

    Example: kamgraph user list --json
    """
    with _store() as store:
        found = users.list_users(store)
    table = _table("name", "role", "account manager", "token prefix", "created", "revoked")
    for user in found:
        table.add_row(user.name, user.role, user.account_manager or "", user.token_prefix + "…",
                      user.created, "yes" if user.revoked else "no")
    _emit([u.record() for u in found], _titled(f"{len(found)} users", table))


@user_app.command("revoke")
@cli_errors
def user_revoke_command(
    name: Annotated[str, typer.Argument(help="The user's sign-in name.")],
    as_json: JsonOption = False,
) -> None:
    """Revoke a user's token: it stops working at once.

    Example: kamgraph user revoke anna
    """
    with _store() as store:
        users.revoke(store, name)
    _emit({"revoked": name}, f"revoked {name}: their token no longer works")


DEMO_ADMIN = "admin"


@app.command("serve")
@cli_errors
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    load_demo: Annotated[bool, typer.Option(
        "--demo/--no-demo", help="Load the demo territory first when the store is empty.")] = True,
) -> None:
    """Serve the web app and its JSON API (under /api/v1).

    On an empty store it first loads the demo territory; when the store has no users yet it
    creates an admin user and prints a sign-in link holding their token (shown once).

    Example: kamgraph serve --port 8000
    """
    import uvicorn

    from api.logs import redact_access_log
    from api.main import create_app

    with _store() as store:
        if load_demo and store.counts().nodes == 0:
            _load_demo(store)
        out.print(_sign_in_hint(store, host, port), soft_wrap=True)
    if warning := exposure_warning(host):
        err.print(f"[yellow]warning:[/yellow] {warning}", soft_wrap=True)
    redact_access_log()
    uvicorn.run(create_app(_state.settings.model_copy(update={"db": _state.db})), host=host, port=port)


def exposure_warning(host: str) -> str | None:
    """Why listening on ``host`` needs TLS in front, or ``None`` for a loopback address."""
    import ipaddress

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost: reachable from elsewhere
        loopback = False
    if loopback:
        return None
    return (f"listening on {host} without TLS: tokens and session cookies would cross the network "
            "in clear text; put a TLS-terminating proxy in front before anyone else connects")


def _load_demo(store: GraphStore) -> None:
    from kamgraph import demo

    with _progress("loading the demo territory") as progress:
        report = demo.load_demo(store, progress=progress)
    out.print(f"loaded the demo territory: {report.nodes:,} nodes, "
              f"{report.relationships:,} relationships")


def _sign_in_hint(store: GraphStore, host: str, port: int) -> str:
    """A sign-in link for a new admin when there are no users yet, else how to get one."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
    if users.list_users(store):
        return (f"kamgraph at {base}/ — sign in with your token at {base}/signin "
                f"(`kamgraph user add NAME --role admin` makes a new one)")
    token = users.create_user(store, DEMO_ADMIN, "admin")
    return (f"created the admin user {DEMO_ADMIN!r}. Open this link to sign in "
            f"(it holds their token; it is shown only now):\n{base}/signin?token={token}")


def run() -> None:
    """Console entry point."""
    app(prog_name="kamgraph")


if __name__ == "__main__":
    sys.exit(run())
