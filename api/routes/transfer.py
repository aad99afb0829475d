"""Import an uploaded file and export what the caller can see.

``POST /import`` takes one file: a kamgraph ``.json`` file, or a ``.zip`` holding a CSV folder
(the CSV files at the root of the zip or in one folder). The upload is unpacked into a private
temporary folder — never by the names the zip gives — and imported all or nothing with
``kamgraph.io.import_records``; problems name the file inside the zip. The limits
(``kamgraph.limits``) protect the server from a hostile or mistaken upload; larger loads go
through ``kamgraph import``.

``GET /export`` writes the caller's visible graph (``ScopedStore``) as JSON, a zip of the CSV
folder, or GraphML, and sends it as a download.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, Annotated, Any, Literal, NoReturn

from fastapi import APIRouter, HTTPException, Query, UploadFile, status
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from api.deps import CurrentUser, ScopedStoreDep
from api.models.graph import ImportReport, ProblemRoute, errors
from api.routes.records import DryRun, check_batch
from kamgraph import limits
from kamgraph.errors import Problem, ValidationFailed
from kamgraph.io import ExportFormat, export_graph, import_records, read_path
from kamgraph.io.importer import RawRecord
from kamgraph.scope import ScopedStore

__all__ = ["router"]

router = APIRouter(tags=["transfer"], route_class=ProblemRoute)

CHUNK = 2**20
SAFE_NAME = re.compile(r"^[\w .()-]{1,100}$")
MEDIA_TYPES = {"json": "application/json", "csv": "application/zip",
               "graphml": "application/graphml+xml"}
SUFFIXES = {"json": "json", "csv": "zip", "graphml": "graphml"}


# -- import --------------------------------------------------------------------------------


@router.post("/import", response_model=ImportReport, responses=errors(403, 413, 422))
def import_upload(store: ScopedStoreDep, user: CurrentUser, file: UploadFile,
                  dry_run: DryRun = False) -> Any:
    """Import one uploaded file (`.json`, or a `.zip` of a CSV folder) all or nothing; a 422
    lists every problem with the file it is in, and nothing is written."""
    with tempfile.TemporaryDirectory(prefix="kamgraph-upload-") as folder:
        path = unpack_upload(file, Path(folder))
        check_batch(store, user, _at_most(read_path(path), file.filename))
        return import_records(store.inner, _at_most(read_path(path), file.filename),
                              dry_run=dry_run).as_dict()


def _at_most(records: Iterable[RawRecord], filename: str | None) -> Iterator[RawRecord]:
    """The records, refusing the upload (before anything is written) past the limit."""
    most = limits.active().upload_records
    for count, record in enumerate(records, start=1):
        if count > most:
            _refuse(_safe_name(filename), f"holds more than {most:,} records; import larger "
                                          "files with `kamgraph import`")
        yield record


def unpack_upload(upload: UploadFile, folder: Path) -> Path:
    """The uploaded JSON file, or the folder its zip's CSV files were unpacked into."""
    name = _safe_name(upload.filename)
    suffix = Path(name).suffix.lower()
    if suffix not in (".json", ".zip"):
        raise ValidationFailed([Problem(name, "file", None,
                                        "upload a .json file or a .zip of a CSV folder")])
    saved = folder / ("upload.zip" if suffix == ".zip" else name)
    _save(upload.file, saved)
    if suffix == ".json":
        return saved
    unpacked = folder / "csv"
    unpacked.mkdir()
    unpack_zip(saved, name, unpacked)
    return unpacked


def _safe_name(filename: str | None) -> str:
    """The upload's own name when harmless (problems then name it), else a neutral one."""
    name = posixpath.basename((filename or "").replace("\\", "/"))
    return name if SAFE_NAME.match(name) and name.strip(". ") else "upload"


def _save(stream: IO[bytes], target: Path) -> None:
    written = 0
    with target.open("wb") as out:
        while chunk := stream.read(CHUNK):
            written += len(chunk)
            if written > (most := limits.active().upload_bytes):
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                                    f"the upload is larger than {_size(most)}; "
                                    "import larger files with `kamgraph import`")
            out.write(chunk)


def unpack_zip(archive_path: Path, name: str, target: Path) -> None:
    """Unpack the CSV files of a zip into ``target`` by their base names, after refusing
    unsafe entries (absolute paths, ``..``, links), too many entries or too many bytes."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            unpacked = 0
            for member in _csv_members(archive, name):
                unpacked = _unpack_member(archive, member, target / posixpath.basename(
                    _path_of(member)), name, unpacked)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ValidationFailed([Problem(name, "file", None,
                                        f"is not a readable zip file: {exc}")]) from None
    except (RuntimeError, NotImplementedError) as exc:  # encrypted, unknown compression
        raise ValidationFailed([Problem(name, "file", None, f"cannot be unpacked: {exc}")]) from None


def _path_of(member: zipfile.ZipInfo) -> str:
    return member.filename.replace("\\", "/")


def _csv_members(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > (most := limits.active().zip_entries):
        _refuse(name, f"holds {len(members)} entries; at most {most}")
    for member in members:
        _check_member(member, name)
    if sum(m.file_size for m in members) > (most := limits.active().unpacked_bytes):
        _refuse(name, f"unpacks to more than {_size(most)}")
    csvs = [m for m in members if not m.is_dir() and not _is_clutter(_path_of(m))
            and _path_of(m).lower().endswith(".csv")]
    folders = {posixpath.dirname(_path_of(m)) for m in csvs}
    if not csvs:
        _refuse(name, "holds no CSV files")
    if len(folders) > 1 or any("/" in folder for folder in folders):
        _refuse(name, "the CSV files must be at the root of the zip or in one folder; found "
                      f"them in {', '.join(sorted(f or '(root)' for f in folders))}")
    names = [posixpath.basename(_path_of(m)) for m in csvs]
    if len(set(names)) != len(names):
        _refuse(name, "holds the same CSV file twice")
    return csvs


def _check_member(member: zipfile.ZipInfo, name: str) -> None:
    path = _path_of(member)
    parts = path.split("/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path) or ".." in parts:
        _refuse(name, f"holds {member.filename!r}, a path outside its folder; such a zip is "
                      "refused")
    if stat.S_ISLNK(member.external_attr >> 16):
        _refuse(name, f"holds {member.filename!r}, a link; such a zip is refused")


def _is_clutter(path: str) -> bool:
    """Entries archivers add beside the files (macOS resource forks, hidden files)."""
    return path.startswith("__MACOSX/") or posixpath.basename(path).startswith(".")


def _unpack_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path,
                   name: str, unpacked: int) -> int:
    """Unpack one entry; returns the bytes unpacked so far, refusing past the limit."""
    with archive.open(member) as source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            unpacked += len(chunk)
            if unpacked > (most := limits.active().unpacked_bytes):  # the header understated it
                _refuse(name, f"unpacks to more than {_size(most)}")
            out.write(chunk)
    return unpacked


def _refuse(name: str, reason: str) -> NoReturn:
    raise ValidationFailed([Problem(name, "file", None, reason)])


def _size(count: int) -> str:
    return f"{count / 2**20:,.0f} MiB" if count >= 2**20 else f"{count:,} bytes"


# -- export --------------------------------------------------------------------------------


@router.get("/export", response_class=FileResponse, responses={
    200: {"description": "The file, as a download.",
          "content": {media: {} for media in sorted(set(MEDIA_TYPES.values()))}},
    **errors(422)})
def export_visible(
    store: ScopedStoreDep,
    fmt: Annotated[Literal["json", "csv", "graphml"], Query(
        alias="format", description="json, csv (a zip of the CSV folder) or graphml.")] = "json",
) -> FileResponse:
    """Everything you can see, as a kamgraph JSON file, a zip of the CSV folder or GraphML."""
    folder = Path(tempfile.mkdtemp(prefix="kamgraph-export-"))
    try:
        path = _export(store, fmt, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(path, media_type=MEDIA_TYPES[fmt], filename=path.name,
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))


def _export(store: ScopedStore, fmt: ExportFormat, folder: Path) -> Path:
    path = folder / f"kamgraph-{date.today().isoformat()}.{SUFFIXES[fmt]}"
    store.log_sensitive_reads(store.iter_nodes("Stakeholder"))
    if fmt != "csv":
        export_graph(store, path, fmt)
        return path
    export_graph(store, folder / "csv", "csv")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted((folder / "csv").iterdir()):
            archive.write(file, file.name)
    return path
