"""Tables as data: a page describes each table once (columns and rows of cells); one Jinja macro
renders it (``macros.html``) and one writer exports it as CSV (``?csv=TABLE_ID``).

A cell is a sequence of parts, each a text with an optional link, so a path of people renders
as links in HTML and as the same text in CSV: a CSV row holds exactly what the HTML row shows.
Numbers are formatted here, once, for both.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response

from kamgraph.io.csv_io import inert_cell

__all__ = ["Cell", "Part", "Table", "csv_response", "date_cell", "date_text", "flag", "money_cell",
           "node_cell", "node_url", "nodes_cell", "number", "number_cell", "percent", "percent_cell",
           "signed", "text_cell"]

# Labels with a page, and the path of their page.
PAGES = {"Stakeholder": "/stakeholders/", "Organization": "/organizations/", "Tender": "/tenders/",
         "Territory": "/territories/"}
FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def node_url(label: str | None, node_id: str) -> str | None:
    """The page of a node, or ``None`` for labels without a page (account managers, plans...)."""
    path = PAGES.get(label or "")
    return None if path is None else path + quote(node_id, safe="")


# -- numbers and dates, formatted once for HTML and CSV ---------------------------------------


def number(value: float | int | None) -> str:
    """Three significant digits (``0.0484``, ``12.3``); whole numbers from 100 up with
    thousands separators (``76,260,000``); ``""`` for ``None``."""
    if value is None:
        return ""
    if isinstance(value, int) or abs(value) >= 100:
        return f"{round(value):,}"
    if value == 0:
        return "0"
    return format(Decimal(f"{value:.3g}"), "f")


def signed(value: float | None) -> str:
    """A number with its sign (``+0.098``, ``-0.5``)."""
    if value is None:
        return ""
    text = number(value)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def percent(value: float | None) -> str:
    """A share in [0, 1] as a percentage with three significant digits (``35.6%``)."""
    return "" if value is None else f"{number(value * 100)}%"


def date_text(value: Any) -> str:
    """An ISO date (``2026-11-28``) from a stored date or date-time; ``""`` when absent."""
    return "" if value is None else str(value)[:10]


# -- cells -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a cell: its text, and the page it links to, if any."""

    text: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: parts joined by ``sep``; ``kind`` (``num``, ``date``) is its CSS class."""

    parts: tuple[Part, ...] = ()
    sep: str = ", "
    kind: str = ""

    @property
    def text(self) -> str:
        """What the cell shows, as plain text (its CSV value)."""
        return self.sep.join(part.text for part in self.parts)


def text_cell(value: Any) -> Cell:
    """Plain text; a list becomes its items joined by commas; ``None`` an empty cell."""
    if value is None or value == "":
        return Cell()
    items = value if isinstance(value, list | tuple) else [value]
    return Cell(tuple(Part(str(item)) for item in items))


def number_cell(value: float | int | None, *, sign: bool = False) -> Cell:
    return Cell((Part(signed(value) if sign else number(value)),) if value is not None else (),
                kind="num")


def percent_cell(value: float | None) -> Cell:
    return Cell((Part(percent(value)),) if value is not None else (), kind="num")


def date_cell(value: Any) -> Cell:
    """An ISO date, kept on one line."""
    return Cell((Part(date_text(value)),), kind="date") if value else Cell()


def money_cell(value: float | None, currency: str | None) -> Cell:
    """An amount with its currency (``76,260,000 RUB``)."""
    if value is None:
        return Cell()
    return Cell((Part(" ".join(filter(None, [number(value), currency]))),), kind="num")


def flag(value: bool, text: str = "yes") -> Cell:
    return Cell((Part(text),)) if value else Cell()


def node_cell(ref: Mapping[str, Any] | None) -> Cell:
    """A node's name, linked to its page when its label has one."""
    return Cell() if ref is None else Cell((_node_part(ref),))


def nodes_cell(refs: Iterable[Mapping[str, Any]], sep: str = ", ") -> Cell:
    """Several nodes (a path: ``sep=" → "``), each linked to its page."""
    return Cell(tuple(_node_part(ref) for ref in refs), sep=sep)


def _node_part(ref: Mapping[str, Any]) -> Part:
    return Part(str(ref.get("name") or ref["id"]), node_url(ref.get("label"), str(ref["id"])))


# -- tables ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Table:
    """A table of a page: ``id`` is its HTML id and its ``?csv=`` name."""

    id: str
    caption: str
    columns: Sequence[str]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    empty: str = "Nothing to show."
    note: str | None = None

    def add(self, *cells: Cell) -> None:
        assert len(cells) == len(self.columns), (self.id, len(cells))
        self.rows.append(cells)


def csv_response(table: Table, name: str) -> Response:
    """The table as a CSV download (UTF-8 with a byte-order mark, so that spreadsheet programs
    read Cyrillic and Arabic names right); cells a spreadsheet would run as formulas get a
    leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([inert_cell(cell.text) for cell in row] for row in table.rows)
    filename = FILENAME_UNSAFE.sub("-", f"{name}-{table.id}").strip("-") + ".csv"
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


