"""The domain model: labels, relationship types, their properties and the rules they obey.

Everything here follows ``DOMAIN.md``. Stores may splice a label or a relationship
type into a query only when it is one of :data:`LABELS` or :data:`REL_TYPES`; every
value goes through :func:`parse_node` / :func:`parse_relationship` before any write.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from kamgraph import limits
from kamgraph.errors import Problem

__all__ = [
    "LABELS",
    "REL_TYPES",
    "SENSITIVE",
    "STAGES",
    "STAGE_STRENGTH",
    "LabelSpec",
    "Node",
    "Prop",
    "RelSpec",
    "Relationship",
    "Where",
    "endpoint_problem",
    "parse_node",
    "parse_relationship",
]

LIST_SEPARATOR = ";"  # CSV list cells; list items may not contain it
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")  # _names are kamgraph's own
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Text may hold line breaks and tabs (notes do), never NUL: many tools end a text at it.
NUL_REASON = "holds a NUL character (\\x00), which no text may hold"
# Dates sort as text, so only the extended calendar form: 2026-03-31 (optionally with a time).
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# In CSV files: day.month.year, as spreadsheets write dates in most of Europe.
DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
NODE_KEYS = frozenset({"id", "name", "label"})  # record keys that are not properties
REL_KEYS = frozenset({"type", "from", "to"})

Kind = Literal["str", "text", "enum", "int", "float", "date", "list"]


@dataclass(frozen=True, slots=True)
class Prop:
    """One property: its kind, allowed values or range, and whether it is personal data."""

    name: str
    kind: Kind = "str"
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class LabelSpec:
    name: str
    props: dict[str, Prop]


@dataclass(frozen=True, slots=True)
class RelSpec:
    """A relationship type: allowed (from label, to label) pairs and properties.

    ``key`` names the property that is part of the identity (``role`` for
    ``ROLE_IN``); ``symmetric`` types are stored once with ``from < to``.
    """

    name: str
    endpoints: frozenset[tuple[str, str]]
    props: dict[str, Prop]
    key: str | None = None
    symmetric: bool = False


def _props(*props: Prop) -> dict[str, Prop]:
    return {p.name: p for p in props}


def _enum(name: str, *choices: str) -> Prop:
    return Prop(name, "enum", choices)


def _unit(name: str) -> Prop:
    return Prop(name, "float", minimum=0.0, maximum=1.0)


def _amount(name: str) -> Prop:
    return Prop(name, "float", minimum=0.0)


def _date(name: str) -> Prop:
    return Prop(name, "date")


STAGES = ("unknown", "acquainted", "engaged", "trusted", "advocate")
# Strength of a RELATES_TO whose ``strength`` is absent.
STAGE_STRENGTH = {"unknown": 0.0, "acquainted": 0.25, "engaged": 0.5, "trusted": 0.75,
                  "advocate": 0.95}
STANCES = ("champion", "supporter", "neutral", "skeptic", "opponent", "unknown")
TENDER_STATUSES = ("planned", "spec_drafting", "published", "evaluation", "awarded", "cancelled")
TENDER_ROLES = ("requester", "spec_author", "evaluator", "decision_maker", "approver",
                "budget_holder", "formulary_member")
ORG_TYPES = ("hospital", "clinic", "health_authority", "pharmacy_chain", "distributor", "insurer",
             "university", "competitor", "own_company", "other")
CHANNELS = ("visit", "call", "event", "email", "video", "other")

_SINCE_UNTIL = (_date("since"), _date("until"))

LABELS: dict[str, LabelSpec] = {
    spec.name: spec
    for spec in (
        LabelSpec("Stakeholder", _props(
            _enum("category", "vip", "kol", "hcp", "official", "procurement", "pharmacist",
                  "other"),
            Prop("title"), Prop("specialty"),
            Prop("tier", "int", minimum=1, maximum=3),
            _enum("stance", *STANCES),
            Prop("tags", "list"),
            Prop("notes", "text", sensitive=True),
            Prop("email", sensitive=True),
            Prop("phone", sensitive=True),
        )),
        LabelSpec("Organization", _props(
            _enum("type", *ORG_TYPES),
            Prop("beds", "int", minimum=0), _amount("annual_budget"),
        )),
        LabelSpec("Tender", _props(
            _enum("status", *TENDER_STATUSES), _amount("value"), Prop("currency"),
            _date("announced"), _date("deadline"), _date("awarded_on"),
            _date("quiet_from"), _date("quiet_until"),
        )),
        LabelSpec("Product", _props(Prop("inn"), Prop("therapeutic_area"))),
        LabelSpec("Territory", _props(_enum("level", "country", "region", "district", "city"))),
        LabelSpec("AccountManager", _props(
            _enum("role", "kam", "regional_manager", "admin"), Prop("email"),
        )),
        LabelSpec("Event", _props(_date("date"), Prop("kind"))),
        LabelSpec("Interaction", _props(
            _date("date"), _enum("channel", *CHANNELS), Prop("summary", "text"),
            Prop("outcome", "text"),
        )),
        LabelSpec("Plan", _props(
            _enum("goal_stage", *STAGES), _date("due"), _amount("budget"), Prop("purpose", "text"),
            _enum("status", "draft", "agreed", "active", "done", "dropped"), Prop("steps", "list"),
        )),
    )
}

S, ORG, AM = "Stakeholder", "Organization", "AccountManager"

REL_TYPES: dict[str, RelSpec] = {
    spec.name: spec
    for spec in (
        RelSpec("WORKS_AT", frozenset({(S, ORG)}), _props(
            Prop("position"), _enum("seniority", "executive", "head", "senior", "staff"),
            Prop("department"), *_SINCE_UNTIL)),
        RelSpec("REPORTS_TO", frozenset({(S, S), (AM, AM)}), _props(*_SINCE_UNTIL)),
        RelSpec("INFLUENCES", frozenset({(S, S)}), _props(
            _unit("weight"), _enum("kind", "formal", "informal", "scientific", "personal", "family"),
            *_SINCE_UNTIL, Prop("source"))),
        RelSpec("KNOWS", frozenset({(S, S)}), _props(
            _unit("weight"),
            _enum("context", "colleague", "alumni", "friend", "co_author", "family")),
            symmetric=True),
        RelSpec("ROLE_IN", frozenset({(S, "Tender")}), _props(_enum("role", *TENDER_ROLES)),
                key="role"),
        RelSpec("ISSUED_BY", frozenset({("Tender", ORG)}), {}),
        RelSpec("FOR_PRODUCT", frozenset({("Tender", "Product")}), _props(
            Prop("lot"), _amount("volume"), _amount("value"))),
        RelSpec("AWARDED_TO", frozenset({("Tender", ORG)}), _props(_amount("value"))),
        RelSpec("MADE_BY", frozenset({("Product", ORG)}), {}),
        RelSpec("LOCATED_IN", frozenset({(ORG, "Territory")}), {}),
        RelSpec("PART_OF", frozenset({("Territory", "Territory"), (ORG, ORG)}), {}),
        RelSpec("COVERS", frozenset({(AM, "Territory")}), _props(*_SINCE_UNTIL)),
        RelSpec("RELATES_TO", frozenset({(AM, S)}), _props(
            _enum("stage", *STAGES), _unit("strength"), _date("since"), _date("last_contact"))),
        RelSpec("ALIGNED_WITH", frozenset({(S, ORG)}), _props(
            _unit("strength"),
            _enum("kind", "speaker", "advisory", "research", "consulting", "personal"))),
        RelSpec("ATTENDED", frozenset({(S, "Event"), (AM, "Event")}), _props(
            _enum("role", "speaker", "participant", "organizer"))),
        RelSpec("HAD", frozenset({(AM, "Interaction")}), {}),
        RelSpec("WITH", frozenset({("Interaction", S)}), {}),
        RelSpec("PLANS", frozenset({(AM, "Plan")}), {}),
        RelSpec("TARGETS", frozenset({("Plan", S)}), {}),
    )
}

SENSITIVE: dict[str, frozenset[str]] = {
    label: frozenset(p.name for p in spec.props.values() if p.sensitive)
    for label, spec in LABELS.items()
}

# Pairs (earlier, later) of date properties that must be in order.
_DATE_ORDER = (("since", "until"), ("quiet_from", "quiet_until"))


@dataclass(slots=True)
class Node:
    """A node: its label, its graph-wide unique id, its name and its other properties."""

    label: str
    id: str
    name: str
    props: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """The JSON file shape: ``label``, ``id``, ``name``, then properties by name."""
        return {"label": self.label, "id": self.id, "name": self.name,
                **dict(sorted(self.props.items()))}


@dataclass(slots=True)
class Relationship:
    """A relationship, identified by (type, from, to) and, for ``ROLE_IN``, its role."""

    type: str
    start: str
    end: str
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The identity beyond (type, from, to): the role of a ``ROLE_IN``, else ``""``."""
        key_prop = REL_TYPES[self.type].key
        return str(self.props.get(key_prop, "")) if key_prop else ""

    @property
    def identity(self) -> tuple[str, str, str, str]:
        return (self.type, self.start, self.end, self.key)

    def record(self) -> dict[str, Any]:
        return {"type": self.type, "from": self.start, "to": self.end,
                **dict(sorted(self.props.items()))}


@dataclass(frozen=True, slots=True)
class Where:
    """Where a record came from, for problem messages."""

    file: str | None
    location: str

    def problem(self, field_name: str | None, reason: str) -> Problem:
        return Problem(self.file, self.location, field_name, reason)


def parse_node(raw: Mapping[str, Any], where: Where, *, from_text: bool = False,
               ) -> tuple[Node | None, list[Problem]]:
    """Check a node record and convert its values; return the node or every problem.

    ``from_text`` means values arrive as text (CSV cells): numbers are parsed,
    lists are split on ``;`` and empty cells are absent.
    """
    problems: list[Problem] = []
    label = raw.get("label")
    spec = LABELS.get(label) if isinstance(label, str) else None
    if spec is None:
        problems.append(where.problem("label", _unknown("label", label, LABELS)))
    node_id = _check_id(raw.get("id"), "id", where, problems)
    name = _check_name(raw.get("name"), where, problems, from_text)
    props = _check_props(raw, spec.props if spec else {}, NODE_KEYS, where, problems, from_text)
    if problems or spec is None or node_id is None or name is None:
        return None, problems
    return Node(spec.name, node_id, name, props), []


def parse_relationship(raw: Mapping[str, Any], where: Where, *, from_text: bool = False,
                       ) -> tuple[Relationship | None, list[Problem]]:
    """Check a relationship record; return it (symmetric ones with ``from < to``) or problems."""
    problems: list[Problem] = []
    rel_type = raw.get("type")
    spec = REL_TYPES.get(rel_type) if isinstance(rel_type, str) else None
    if spec is None:
        problems.append(where.problem("type", _unknown("relationship type", rel_type, REL_TYPES)))
    start = _check_id(raw.get("from"), "from", where, problems)
    end = _check_id(raw.get("to"), "to", where, problems)
    if start is not None and start == end:
        problems.append(where.problem("to", f"a relationship from {start} to itself makes no sense"))
    props = _check_props(raw, spec.props if spec else {}, REL_KEYS, where, problems, from_text)
    if spec is not None and spec.key and spec.key not in props and not _has_problem(
            problems, spec.key):
        problems.append(where.problem(spec.key, f"{spec.name} needs a {spec.key}"))
    if problems or spec is None or start is None or end is None:
        return None, problems
    if spec.symmetric and end < start:
        start, end = end, start
    return Relationship(spec.name, start, end, props), []


def endpoint_problem(rel_type: str, start_label: str | None, end_label: str | None
                     ) -> str | None:
    """Why (start label, end label) is not allowed for ``rel_type``, or ``None`` when it is."""
    spec = REL_TYPES[rel_type]
    if (start_label, end_label) in spec.endpoints or (
            spec.symmetric and (end_label, start_label) in spec.endpoints):
        return None
    allowed = ", ".join(sorted(f"{a} → {b}" for a, b in spec.endpoints))
    return f"{rel_type} cannot go from {start_label} to {end_label}; it goes {allowed}"


def _has_problem(problems: Iterable[Problem], field_name: str) -> bool:
    return any(p.field == field_name for p in problems)


def _unknown(what: str, value: Any, known: Iterable[str]) -> str:
    if value is None or value == "":
        return f"the {what} is missing"
    return f"unknown {what} {value!r}; known: {', '.join(known)}"


def _check_id(value: Any, field_name: str, where: Where, problems: list[Problem]) -> str | None:
    if value is None or value == "":
        problems.append(where.problem(field_name, f"the {field_name} is missing"))
        return None
    if not isinstance(value, str):
        problems.append(where.problem(field_name, f"an id must be text, not {value!r}"))
        return None
    most = limits.active().id_chars
    if len(value) > most or CONTROL.search(value) or value != value.strip():
        problems.append(where.problem(
            field_name, f"an id must be at most {most} characters without control "
                        "characters or surrounding spaces"))
        return None
    return value


def _check_name(value: Any, where: Where, problems: list[Problem], from_text: bool) -> str | None:
    if isinstance(value, str) and from_text:
        value = value.strip()
    if value is None or value == "":
        problems.append(where.problem("name", "the name is missing"))
        return None
    most = limits.active().string_chars
    if not isinstance(value, str) or len(value) > most or CONTROL.search(value):
        problems.append(where.problem(
            "name", f"a name must be text of at most {most} characters without control "
                    "characters"))
        return None
    return value


def _check_props(raw: Mapping[str, Any], known: dict[str, Prop], record_keys: frozenset[str],
                 where: Where, problems: list[Problem], from_text: bool) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for key, value in raw.items():
        if key in record_keys:
            continue
        if from_text and isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            continue  # absent (as an empty CSV cell is): an upsert leaves the stored value
        prop = known.get(key)
        if prop is None and not (isinstance(key, str) and IDENTIFIER.match(key)):
            problems.append(where.problem(str(key), "is not a property name: use letters, "
                                                    "digits and _, starting with a letter"))
            continue
        converted, reason = _convert(prop, value, from_text)
        if reason:
            problems.append(where.problem(key, reason))
        else:
            props[key] = converted
    _check_date_order(props, where, problems)
    return props


def _check_date_order(props: dict[str, Any], where: Where, problems: list[Problem]) -> None:
    for earlier, later in _DATE_ORDER:
        if earlier in props and later in props and str(props[later]) < str(props[earlier]):
            problems.append(where.problem(
                later, f"{later} {props[later]} is before {earlier} {props[earlier]}"))


def _convert(prop: Prop | None, value: Any, from_text: bool) -> tuple[Any, str | None]:
    """Return (converted value, None) or (None, reason)."""
    if prop is None:
        return _convert_custom(value)
    return _CONVERTERS[prop.kind](prop, value, from_text)


INT64 = (-(2**63), 2**63 - 1)
"""Whole numbers the stores keep: Neo4j's integers are 64-bit (SQLite's too)."""
INT64_REASON = (f"is a whole number outside {INT64[0]}..{INT64[1]}, the range the stores keep "
                "(write a larger amount as a decimal, such as 1.5e20)")


def _outside_int64(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and not INT64[0] <= value <= INT64[1]


def _convert_custom(value: Any) -> tuple[Any, str | None]:
    if _outside_int64(value):
        return None, f"{_short(value)} {INT64_REASON}"
    if isinstance(value, bool | int | str) or (isinstance(value, float) and math.isfinite(value)):
        if isinstance(value, str) and len(value) > (most := limits.active().text_chars):
            return None, f"is longer than {most} characters"
        if isinstance(value, str) and "\x00" in value:
            return None, NUL_REASON
        return value, None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return _convert_list(Prop("custom", "list"), value, False)
    return None, f"{value!r} is not a value kamgraph keeps: use text, a number or a list of text"


def _convert_str(prop: Prop, value: Any, from_text: bool) -> tuple[Any, str | None]:
    active = limits.active()
    limit = active.text_chars if prop.kind == "text" else active.string_chars
    if not isinstance(value, str):
        return None, f"must be text, not {value!r}"
    if len(value) > limit:
        return None, f"is longer than {limit} characters"
    if "\x00" in value:
        return None, NUL_REASON
    return value, None


def _convert_enum(prop: Prop, value: Any, from_text: bool) -> tuple[Any, str | None]:
    if value in prop.choices:
        return value, None
    return None, f"{value!r} is not one of {', '.join(prop.choices)}"


def _convert_number(prop: Prop, value: Any, from_text: bool) -> tuple[Any, str | None]:
    wanted = "a whole number" if prop.kind == "int" else "a number"
    number = _to_number(value, prop.kind, from_text)
    if number is None and from_text and isinstance(value, str) and _AMBIGUOUS.fullmatch(value.strip()):
        return None, (f"{value!r} could be a thousands separator or a decimal comma: write "
                      f"{value.strip().replace(',', '')} or {value.strip().replace(',', '.')}")
    if number is None:
        return None, f"{value!r} is not {wanted}"
    if (prop.minimum is not None and number < prop.minimum) or (
            prop.maximum is not None and number > prop.maximum):
        return None, f"{prop.name} {_short(number)} is outside {_range(prop)}"
    if _outside_int64(number):
        return None, f"{prop.name} {_short(number)} {INT64_REASON}"
    return number, None


def _short(number: float) -> str:
    """A number for a message: a 400-digit one is cut."""
    text = str(number)
    return text if len(text) <= 24 else f"{text[:20]}... ({len(text)} digits)"


def _to_number(value: Any, kind: Kind, from_text: bool) -> float | int | None:
    if isinstance(value, bool):
        return None
    if from_text and isinstance(value, str):
        value = plain_number(value)
        try:  # "1" stays 1 as in JSON, so a CSV round trip keeps the value's type
            whole = kind == "int" or value.lstrip("+-").isdigit()
            value = int(value) if whole else float(value)
        except ValueError:
            return None
    if kind == "int":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value if isinstance(value, int) else None
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return value
    return None


# Thousands grouped by spaces (Excel writes a no-break space in many locales), dots or commas.
_SPACES = re.compile(r"[ \u00a0\u202f]")
_AMBIGUOUS = re.compile(r"[+-]?\d{1,3}[.,]\d{3}")


def plain_number(text: str) -> str:
    """A number as a spreadsheet in any common locale writes it, in the plain form ``float``
    reads: "1 234,5" and "1.234,5" (decimal comma) and "1,234.5" all give "1234.5"; "0,75"
    gives "0.75". One separator followed by exactly three digits ("1,234", "1.234") could be
    either: it is left alone, so "1,234" is refused (the reason says to write 1234 or 1.234)
    and "1.234" reads as in JSON."""
    text = _SPACES.sub("", text.strip())
    if "," not in text:
        return text
    if "." in text:  # both: the later one is the decimal mark
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        grouping = "," if decimal == "." else "."
        return text.replace(grouping, "").replace(decimal, ".")
    if text.count(",") == 1 and not _AMBIGUOUS.fullmatch(text):
        return text.replace(",", ".")
    if text.count(",") > 1:  # 1,234,567
        return text.replace(",", "")
    return text


def _range(prop: Prop) -> str:
    low = "" if prop.minimum is None else _plain(prop.minimum)
    high = "" if prop.maximum is None else _plain(prop.maximum)
    return f"{low}..{high}" if high else f"{low} and above"


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _convert_date(prop: Prop, value: Any, from_text: bool) -> tuple[Any, str | None]:
    reason = f"{value!r} is not an ISO 8601 date such as 2026-03-31"
    if from_text and isinstance(value, str) and (dotted := DOTTED_DATE.fullmatch(value.strip())):
        day, month, year = dotted.groups()  # 31.12.2026: the day first, as Excel writes it
        value = f"{year}-{int(month):02d}-{int(day):02d}"
        reason = f"{dotted.group(0)!r} is not a date (day.month.year)"
    elif from_text and isinstance(value, str) and "/" in value:
        return None, (f"{value!r} could be day/month or month/day: write it as 2026-03-31 "
                      "(or 31.03.2026)")
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return None, reason
    try:
        if len(value) == 10:
            date.fromisoformat(value)
        else:
            datetime.fromisoformat(value)
    except ValueError:
        return None, reason
    return value, None


def _convert_list(prop: Prop, value: Any, from_text: bool) -> tuple[Any, str | None]:
    if from_text and isinstance(value, str):
        value = [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None, "must be a list of text"
    most = limits.active().string_chars
    if any("\x00" in item for item in value):
        return None, NUL_REASON
    if any(LIST_SEPARATOR in item or len(item) > most for item in value):
        return None, f"list items may not contain '{LIST_SEPARATOR}' nor exceed {most} characters"
    return value, None


_CONVERTERS = {
    "str": _convert_str,
    "text": _convert_str,
    "enum": _convert_enum,
    "int": _convert_number,
    "float": _convert_number,
    "date": _convert_date,
    "list": _convert_list,
}
