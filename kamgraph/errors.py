"""One exception hierarchy for the library; the CLI and the API translate it in one place."""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = [
    "Forbidden",
    "KamgraphError",
    "NotFound",
    "Problem",
    "StoreUnavailable",
    "ValidationFailed",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with input: where it is and why a KAM should fix it.

    ``file`` is the file name (or ``None`` for data not read from a file),
    ``location`` says where inside it (``"row 7"``, ``"nodes[3]"``), ``field``
    names the column or property, ``reason`` is a sentence a person understands.
    """

    file: str | None
    location: str
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.file, self.location) if p)
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.reason}"

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


class KamgraphError(Exception):
    """Base of every error kamgraph raises on purpose."""


class ValidationFailed(KamgraphError):
    """Input broke the domain rules; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem], *, more: int = 0) -> None:
        self.problems = problems
        self.more = more  # problems found but not listed, past the reporting cap
        count = len(problems) + more
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found; nothing was written")


class NotFound(KamgraphError):
    """The id names nothing in the store."""


class Forbidden(KamgraphError):
    """The signed-in user may not change this (it lies outside their territories)."""


class Conflict(KamgraphError):
    """Someone else changed it since it was read (a version check failed): read it again."""


class StoreUnavailable(KamgraphError):
    """The store cannot be reached or opened (server down, bad password, unreadable file)."""
