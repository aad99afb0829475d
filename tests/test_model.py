"""The model's validation rules, one case each: what is refused, where, and why."""

from __future__ import annotations

from typing import Any

import pytest

from kamgraph.errors import Problem
from kamgraph.model import (
    LABELS,
    REL_TYPES,
    Node,
    Relationship,
    Where,
    endpoint_problem,
    parse_node,
    parse_relationship,
)

WHERE = Where("import.json", "nodes[3]")
REL_WHERE = Where("import.json", "relationships[5]")
CSV_WHERE = Where("stakeholders.csv", "row 5")


def person(**props: Any) -> dict[str, Any]:
    return {"label": "Stakeholder", "id": "s-ivanova", "name": "Dr. Ivanova", **props}


def node_of(label: str, **props: Any) -> dict[str, Any]:
    return {"label": label, "id": "n-1", "name": "Some name", **props}


def tie(rel_type: str = "INFLUENCES", **props: Any) -> dict[str, Any]:
    return {"type": rel_type, "from": "s-ivanova", "to": "s-petrov", **props}


def only_problem(problems: list[Problem], where: Where, field: str | None, phrase: str) -> None:
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.file, problem.location, problem.field) == (where.file, where.location, field)
    assert phrase in problem.reason


def node_problem(raw: dict[str, Any], field: str | None, phrase: str, *,
                 from_text: bool = False) -> None:
    where = CSV_WHERE if from_text else WHERE
    node, problems = parse_node(raw, where, from_text=from_text)
    assert node is None
    only_problem(problems, where, field, phrase)


def rel_problem(raw: dict[str, Any], field: str | None, phrase: str, *,
                from_text: bool = False) -> None:
    rel, problems = parse_relationship(raw, REL_WHERE, from_text=from_text)
    assert rel is None
    only_problem(problems, REL_WHERE, field, phrase)


def accepted_node(raw: dict[str, Any], *, from_text: bool = False) -> Node:
    node, problems = parse_node(raw, WHERE, from_text=from_text)
    assert problems == []
    assert node is not None
    return node


def accepted_rel(raw: dict[str, Any], *, from_text: bool = False) -> Relationship:
    rel, problems = parse_relationship(raw, REL_WHERE, from_text=from_text)
    assert problems == []
    assert rel is not None
    return rel


# -- nodes: label, id, name ------------------------------------------------------------------

def test_a_valid_node_keeps_label_id_name_and_properties() -> None:
    node = accepted_node(person(category="kol", tier=1, tags=["oncology"]))
    assert node == Node("Stakeholder", "s-ivanova", "Dr. Ivanova",
                        {"category": "kol", "tier": 1, "tags": ["oncology"]})


def test_unknown_label() -> None:
    node_problem(node_of("Doctor"), "label", "unknown label 'Doctor'; known: Stakeholder")


@pytest.mark.parametrize("raw", [
    {"id": "s-1", "name": "A"},
    {"label": "", "id": "s-1", "name": "A"},
    {"label": None, "id": "s-1", "name": "A"},
], ids=["absent", "empty", "null"])
def test_missing_label(raw: dict[str, Any]) -> None:
    node_problem(raw, "label", "the label is missing")


@pytest.mark.parametrize("value", [None, ""], ids=["null", "empty"])
def test_missing_or_empty_id(value: Any) -> None:
    node_problem(person(id=value), "id", "the id is missing")


def test_absent_id() -> None:
    raw = person()
    del raw["id"]
    node_problem(raw, "id", "the id is missing")


@pytest.mark.parametrize("value", [42, 4.2, True, ["s-1"]], ids=["int", "float", "bool", "list"])
def test_id_that_is_not_text(value: Any) -> None:
    node_problem(person(id=value), "id", "an id must be text")


@pytest.mark.parametrize("value", ["s\t1", "s-1\n", "s\x00", "s\x7f1", " s-1", "s-1 ", "s" * 201],
                         ids=["tab", "newline", "nul", "del", "leading-space", "trailing-space",
                              "201-chars"])
def test_malformed_id(value: str) -> None:
    node_problem(person(id=value), "id", "at most 200 characters without control characters "
                                         "or surrounding spaces")


def test_id_of_200_characters_is_fine() -> None:
    assert accepted_node(person(id="s" * 200)).id == "s" * 200


@pytest.mark.parametrize("raw", [
    {"label": "Stakeholder", "id": "s-1"},
    {"label": "Stakeholder", "id": "s-1", "name": None},
    {"label": "Stakeholder", "id": "s-1", "name": ""},
], ids=["absent", "null", "empty"])
def test_missing_name(raw: dict[str, Any]) -> None:
    node_problem(raw, "name", "the name is missing")


def test_blank_name_from_csv_is_missing() -> None:
    node_problem({"label": "Stakeholder", "id": "s-1", "name": "   "}, "name",
                 "the name is missing", from_text=True)


@pytest.mark.parametrize("value", [7, ["Dr. Ivanova"], "Dr.\nIvanova", "x" * 2001],
                         ids=["number", "list", "control", "too-long"])
def test_name_that_is_not_plain_text(value: Any) -> None:
    node_problem(person(name=value), "name", "a name must be text of at most 2000 characters")


# -- relationships: type, ends, identity ----------------------------------------------------

def test_unknown_relationship_type() -> None:
    rel_problem(tie("LIKES"), "type", "unknown relationship type 'LIKES'; known: WORKS_AT")


def test_missing_relationship_type() -> None:
    raw = tie()
    del raw["type"]
    rel_problem(raw, "type", "the relationship type is missing")


@pytest.mark.parametrize("end", ["from", "to"])
def test_missing_end(end: str) -> None:
    raw = tie()
    del raw[end]
    rel_problem(raw, end, f"the {end} is missing")


@pytest.mark.parametrize("end", ["from", "to"])
def test_end_that_is_not_text(end: str) -> None:
    rel_problem(tie(**{end: 17}), end, "an id must be text, not 17")


@pytest.mark.parametrize("rel_type", ["INFLUENCES", "KNOWS", "REPORTS_TO"])
def test_self_loop(rel_type: str) -> None:
    rel_problem(tie(rel_type, to="s-ivanova"), "to",
                "a relationship from s-ivanova to itself makes no sense")


def test_role_in_without_role() -> None:
    rel_problem({"type": "ROLE_IN", "from": "s-ivanova", "to": "t-onco"}, "role",
                "ROLE_IN needs a role")


def test_role_in_with_empty_role_cell() -> None:
    rel_problem({"type": "ROLE_IN", "from": "s-ivanova", "to": "t-onco", "role": " "}, "role",
                "ROLE_IN needs a role", from_text=True)


def test_role_in_role_is_part_of_the_identity() -> None:
    rel = accepted_rel({"type": "ROLE_IN", "from": "s-ivanova", "to": "t-onco",
                        "role": "evaluator"})
    assert rel.identity == ("ROLE_IN", "s-ivanova", "t-onco", "evaluator")
    assert accepted_rel(tie()).identity == ("INFLUENCES", "s-ivanova", "s-petrov", "")


def test_knows_is_stored_with_from_before_to() -> None:
    rel = accepted_rel({"type": "KNOWS", "from": "s-petrov", "to": "s-ivanova", "weight": 0.4})
    assert (rel.start, rel.end, rel.props) == ("s-ivanova", "s-petrov", {"weight": 0.4})
    same = accepted_rel({"type": "KNOWS", "from": "s-ivanova", "to": "s-petrov", "weight": 0.4})
    assert same.identity == rel.identity


def test_directed_types_keep_their_direction() -> None:
    rel = accepted_rel({"type": "INFLUENCES", "from": "s-petrov", "to": "s-ivanova"})
    assert (rel.start, rel.end) == ("s-petrov", "s-ivanova")


# -- enums ----------------------------------------------------------------------------------

ENUM_CASES = [
    ("Stakeholder", "category", "vipp", "is not one of vip, kol, hcp"),
    ("Stakeholder", "stance", "friendly", "is not one of champion, supporter"),
    ("Organization", "type", "Hospital", "is not one of hospital, clinic"),
    ("Tender", "status", "open", "is not one of planned, spec_drafting"),
    ("Territory", "level", "province", "is not one of country, region"),
    ("AccountManager", "role", "boss", "is not one of kam, regional_manager, admin"),
    ("Interaction", "channel", "fax", "is not one of visit, call"),
    ("Plan", "goal_stage", "friends", "is not one of unknown, acquainted"),
    ("Plan", "status", "open", "is not one of draft, agreed"),
]


@pytest.mark.parametrize(("label", "prop", "value", "phrase"), ENUM_CASES,
                         ids=[f"{c[0]}.{c[1]}" for c in ENUM_CASES])
def test_bad_node_enum(label: str, prop: str, value: str, phrase: str) -> None:
    node_problem(node_of(label, **{prop: value}), prop, f"{value!r} {phrase}")


REL_ENUM_CASES = [
    ("WORKS_AT", "seniority", "boss", "is not one of executive, head, senior, staff"),
    ("INFLUENCES", "kind", "magic", "is not one of formal, informal"),
    ("KNOWS", "context", "neighbour", "is not one of colleague, alumni"),
    ("ROLE_IN", "role", "judge", "is not one of requester, spec_author"),
    ("RELATES_TO", "stage", "married", "is not one of unknown, acquainted, engaged"),
    ("ALIGNED_WITH", "kind", "friend", "is not one of speaker, advisory"),
    ("ATTENDED", "role", "guest", "is not one of speaker, participant, organizer"),
]


@pytest.mark.parametrize(("rel_type", "prop", "value", "phrase"), REL_ENUM_CASES,
                         ids=[f"{c[0]}.{c[1]}" for c in REL_ENUM_CASES])
def test_bad_relationship_enum(rel_type: str, prop: str, value: str, phrase: str) -> None:
    rel_problem(tie(rel_type, **{prop: value}), prop, f"{value!r} {phrase}")


def test_enum_is_case_sensitive_and_not_a_number() -> None:
    node_problem(person(stance="Champion"), "stance", "'Champion' is not one of")
    node_problem(person(category=1), "category", "1 is not one of")


# -- numbers --------------------------------------------------------------------------------

RANGE_CASES = [
    (tie(weight=1.5), "weight", "weight 1.5 is outside 0..1"),
    (tie(weight=-0.01), "weight", "weight -0.01 is outside 0..1"),
    (tie("KNOWS", weight=2), "weight", "weight 2 is outside 0..1"),
    (tie("ALIGNED_WITH", to="o-rival", strength=-0.1), "strength",
     "strength -0.1 is outside 0..1"),
    ({"type": "RELATES_TO", "from": "am-1", "to": "s-ivanova", "strength": 1.01}, "strength",
     "strength 1.01 is outside 0..1"),
    ({"type": "FOR_PRODUCT", "from": "t-1", "to": "p-1", "volume": -5}, "volume",
     "volume -5 is outside 0 and above"),
]


@pytest.mark.parametrize(("raw", "field", "phrase"), RANGE_CASES,
                         ids=["weight-1.5", "weight-negative", "knows-2", "aligned-strength",
                              "relates-strength", "volume"])
def test_relationship_number_out_of_range(raw: dict[str, Any], field: str, phrase: str) -> None:
    rel_problem(raw, field, phrase)


@pytest.mark.parametrize(("raw", "field", "phrase"), [
    (person(tier=0), "tier", "tier 0 is outside 1..3"),
    (person(tier=4), "tier", "tier 4 is outside 1..3"),
    (node_of("Organization", beds=-1), "beds", "beds -1 is outside 0 and above"),
    (node_of("Organization", annual_budget=-0.5), "annual_budget",
     "annual_budget -0.5 is outside 0 and above"),
    (node_of("Tender", value=-1), "value", "value -1 is outside 0 and above"),
    (node_of("Plan", budget=-100), "budget", "budget -100 is outside 0 and above"),
], ids=["tier-0", "tier-4", "beds", "annual_budget", "tender-value", "plan-budget"])
def test_node_number_out_of_range(raw: dict[str, Any], field: str, phrase: str) -> None:
    node_problem(raw, field, phrase)


@pytest.mark.parametrize(("tier", "weight"), [(1, 0), (3, 1), (2, 0.5), (3, 1.0)])
def test_range_bounds_are_inclusive(tier: int, weight: float) -> None:
    assert accepted_node(person(tier=tier)).props == {"tier": tier}
    assert accepted_rel(tie(weight=weight)).props == {"weight": weight}


@pytest.mark.parametrize("value", ["0.8", "high", [0.8], {"v": 1}, float("nan"), float("inf")],
                         ids=["numeric-text", "word", "list", "object", "nan", "inf"])
def test_not_a_number_in_json(value: Any) -> None:
    rel_problem(tie(weight=value), "weight", f"{value!r} is not a number")


@pytest.mark.parametrize("value", ["high", "0,8x", "nan", "inf", "1e999", "--1", "1,2.3,4"])
def test_not_a_number_in_csv_text(value: str) -> None:
    rel_problem(tie(weight=value), "weight", f"{value!r} is not a number", from_text=True)


@pytest.mark.parametrize(("text", "number"), [
    ("0,8", 0.8), ("0.8", 0.8), (" 0,75 ", 0.75), ("1 234,5", 1234.5), ("1\u00a0234,5", 1234.5),
    ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("1,234,567", 1234567), ("+2,5", 2.5),
    ("12 000", 12000), ("1.234", 1.234)])
def test_numbers_as_spreadsheets_write_them_in_csv_text(text: str, number: float) -> None:
    """Decimal commas and grouped thousands, as Excel writes them in most locales (JSON keeps
    numbers strict)."""
    assert accepted_node(node_of("Tender", value=text), from_text=True).props["value"] == number
    assert accepted_node(node_of("Organization", beds="1 200"), from_text=True).props["beds"] == 1200
    node_problem(node_of("Tender", value="0,8"), "value", "'0,8' is not a number")  # JSON


@pytest.mark.parametrize(("text", "day"), [("31.12.2026", "2026-12-31"), ("1.2.2027", "2027-02-01"),
                                           (" 05.03.2026 ", "2026-03-05")])
def test_dates_as_day_month_year_in_csv_text(text: str, day: str) -> None:
    assert accepted_node(node_of("Tender", deadline=text), from_text=True).props["deadline"] == day


@pytest.mark.parametrize("value", ["two", "2.5", "1e0"])
def test_not_a_whole_number_in_csv_text(value: str) -> None:
    node_problem(person(tier=value), "tier", f"{value!r} is not a whole number", from_text=True)


def test_int_field_given_a_fraction() -> None:
    node_problem(person(tier=2.5), "tier", "2.5 is not a whole number")
    node_problem(node_of("Organization", beds=120.5), "beds", "120.5 is not a whole number")


def test_int_field_given_a_whole_float_keeps_an_int() -> None:
    tier = accepted_node(person(tier=2.0)).props["tier"]
    assert (tier, type(tier)) == (2, int)


@pytest.mark.parametrize("value", [True, False])
def test_bool_is_not_a_number(value: bool) -> None:
    node_problem(person(tier=value), "tier", f"{value!r} is not a whole number")
    rel_problem(tie(weight=value), "weight", f"{value!r} is not a number")


def test_huge_integer_is_a_problem_not_a_crash() -> None:
    rel_problem(tie(weight=10**400), "weight", "is outside 0..1")


# -- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2026-13-01", "2026-02-30", "31.12.2026", "yesterday",
                                   "2026-1-1", "20260101", "2026-W01-1", 20260101],
                         ids=["month-13", "feb-30", "dotted", "word", "short", "basic-form",
                              "week-date", "number"])
def test_bad_date(value: Any) -> None:
    """(JSON: a CSV file may write 31.12.2026, see below.)"""
    node_problem(node_of("Tender", deadline=value), "deadline",
                 f"{value!r} is not an ISO 8601 date such as 2026-03-31")


@pytest.mark.parametrize("value", ["2026-03-31", "2026-03-31T09:30:00", "2026-03-31T09:30:00+03:00"])
def test_good_dates_are_kept_as_written(value: str) -> None:
    assert accepted_node(node_of("Event", date=value)).props == {"date": value}


def test_until_before_since() -> None:
    rel_problem(tie("WORKS_AT", to="o-rch", since="2026-05-01", until="2025-05-01"), "until",
                "until 2025-05-01 is before since 2026-05-01")


def test_until_on_since_is_fine() -> None:
    rel = accepted_rel(tie("COVERS", since="2026-05-01", until="2026-05-01"))
    assert rel.props == {"since": "2026-05-01", "until": "2026-05-01"}


def test_quiet_until_before_quiet_from() -> None:
    node_problem(node_of("Tender", quiet_from="2026-06-01", quiet_until="2026-05-31"),
                 "quiet_until", "quiet_until 2026-05-31 is before quiet_from 2026-06-01")


# -- text and lists -------------------------------------------------------------------------

def test_text_field_given_a_number() -> None:
    node_problem(person(title=12), "title", "must be text, not 12")


def test_string_and_text_length_limits() -> None:
    node_problem(person(title="x" * 2001), "title", "is longer than 2000 characters")
    node_problem(person(notes="x" * 20_001), "notes", "is longer than 20000 characters")
    assert accepted_node(person(notes="x" * 20_000)).props["notes"] == "x" * 20_000


@pytest.mark.parametrize("value", ["oncology", [1, 2], [["a"]]],
                         ids=["text", "numbers", "nested"])
def test_list_field_that_is_not_a_list_of_text(value: Any) -> None:
    node_problem(person(tags=value), "tags", "must be a list of text")


def test_list_item_with_the_separator() -> None:
    node_problem(person(tags=["oncology", "a;b"]), "tags", "list items may not contain ';'")
    node_problem(node_of("Plan", steps=["meet; agree"]), "steps", "list items may not contain ';'")


# -- custom properties ----------------------------------------------------------------------

def test_custom_property_with_identifier_name_is_kept() -> None:
    node = accepted_node(person(crm_id="CRM-77", visits_2025=4, key_person=True,
                                languages=["ru", "en"], score_=0.5))
    assert node.props == {"crm_id": "CRM-77", "visits_2025": 4, "key_person": True,
                          "languages": ["ru", "en"], "score_": 0.5}
    assert accepted_rel(tie(since_event="ASCO")).props == {"since_event": "ASCO"}


@pytest.mark.parametrize("name", ["crm-id", "2nd_phone", "first name", "имя", "a.b", "x" * 65,
                                  "_internal"])
def test_custom_property_with_non_identifier_name(name: str) -> None:
    node_problem(person(**{name: "v"}), name, "is not a property name: use letters, digits and _")


@pytest.mark.parametrize("value", [{"city": "Kazan"}, [1, 2], ["a", {"b": 1}], float("nan")],
                         ids=["object", "list-of-numbers", "mixed-list", "nan"])
def test_custom_value_that_kamgraph_does_not_keep(value: Any) -> None:
    node_problem(person(address=value), "address", "is not a value kamgraph keeps")


def test_custom_list_obeys_the_list_rules() -> None:
    node_problem(person(languages=["ru;en"]), "languages", "list items may not contain ';'")


# -- absent values --------------------------------------------------------------------------

def test_none_and_empty_values_are_absent() -> None:
    node = accepted_node(person(category=None, tier="", stance=None, tags=None, title="",
                                crm_id=None, note_2=""))
    assert node.props == {}
    rel = accepted_rel(tie(weight=None, kind="", since=None))
    assert rel.props == {}


def test_absent_values_skip_validation_and_date_order() -> None:
    rel = accepted_rel(tie("WORKS_AT", to="o-rch", since="2026-05-01", until=""))
    assert rel.props == {"since": "2026-05-01"}


# -- CSV text conversion --------------------------------------------------------------------

def test_csv_text_is_converted() -> None:
    node = accepted_node({"label": "Stakeholder", "id": "s-1", "name": "  Dr. Ivanova ",
                          "category": " kol ", "tier": " 2 ", "tags": "a; b ;; c ",
                          "title": " Head of oncology ", "crm_id": " 77 "}, from_text=True)
    assert node.name == "Dr. Ivanova"
    assert node.props == {"category": "kol", "tier": 2, "tags": ["a", "b", "c"],
                          "title": "Head of oncology", "crm_id": "77"}
    assert type(node.props["tier"]) is int


def test_csv_numbers_are_converted() -> None:
    rel = accepted_rel(tie(weight="0.8", source=" congress "), from_text=True)
    assert rel.props == {"weight": 0.8, "source": "congress"}
    assert type(rel.props["weight"]) is float


def test_csv_whole_number_in_a_float_field_stays_whole() -> None:
    # JSON 1 → CSV "1" → 1 again, so JSON → CSV → JSON keeps the value as written.
    rel = accepted_rel(tie(weight="1"), from_text=True)
    assert (rel.props["weight"], type(rel.props["weight"])) == (1, int)
    tender = accepted_node(node_of("Tender", value="1500000", currency="RUB"), from_text=True)
    assert tender.props == {"value": 1500000, "currency": "RUB"}
    assert accepted_node(node_of("Tender", value="1e+20"), from_text=True).props == {"value": 1e20}


def test_empty_csv_cells_are_absent() -> None:
    node = accepted_node({"label": "Stakeholder", "id": "s-1", "name": "A", "tier": "",
                          "tags": "  ", "stance": ""}, from_text=True)
    assert node.props == {}


def test_csv_list_of_only_separators_is_an_empty_list() -> None:
    assert accepted_node(person(tags=" ; "), from_text=True).props == {"tags": []}


def test_json_values_are_not_trimmed_nor_parsed() -> None:
    node = accepted_node(person(title=" Head "))
    assert node.props == {"title": " Head "}
    node_problem(person(tier="2"), "tier", "'2' is not a whole number")


# -- several problems -----------------------------------------------------------------------

def test_every_problem_of_a_node_is_reported() -> None:
    raw = {"label": "Stakeholder", "id": " s-1", "category": "boss", "tier": 9,
           "tags": "oncology", "bad-name": 1}
    node, problems = parse_node(raw, WHERE)
    assert node is None
    assert [(p.file, p.location, p.field) for p in problems] == [
        ("import.json", "nodes[3]", "id"),
        ("import.json", "nodes[3]", "name"),
        ("import.json", "nodes[3]", "category"),
        ("import.json", "nodes[3]", "tier"),
        ("import.json", "nodes[3]", "tags"),
        ("import.json", "nodes[3]", "bad-name"),
    ]


def test_every_problem_of_a_relationship_is_reported() -> None:
    raw = {"type": "WORKS_AT", "from": "s-1", "seniority": "boss", "position": 3,
           "since": "2026-01-01", "until": "2025-01-01"}
    rel, problems = parse_relationship(raw, REL_WHERE)
    assert rel is None
    assert [p.field for p in problems] == ["to", "seniority", "position", "until"]
    assert {p.location for p in problems} == {"relationships[5]"}


def test_unknown_label_still_reports_the_other_problems() -> None:
    node, problems = parse_node({"label": "Doctor", "id": "", "name": "A", "x-y": 1}, WHERE)
    assert node is None
    assert [p.field for p in problems] == ["label", "id", "x-y"]


def test_unknown_type_still_reports_missing_ends() -> None:
    rel, problems = parse_relationship({"type": "LIKES", "to": "s-1"}, REL_WHERE)
    assert rel is None
    assert [p.field for p in problems] == ["type", "from"]


def test_role_in_with_a_bad_role_is_reported_once() -> None:
    rel_problem({"type": "ROLE_IN", "from": "s-1", "to": "t-1", "role": "judge"}, "role",
                "'judge' is not one of")


# -- endpoints ------------------------------------------------------------------------------

S, ORG, AM = "Stakeholder", "Organization", "AccountManager"
# The relationship table of DOMAIN.md, written out by hand.
DOMAIN_ENDPOINTS = {
    "WORKS_AT": {(S, ORG)},
    "REPORTS_TO": {(S, S), (AM, AM)},
    "INFLUENCES": {(S, S)},
    "KNOWS": {(S, S)},
    "ROLE_IN": {(S, "Tender")},
    "ISSUED_BY": {("Tender", ORG)},
    "FOR_PRODUCT": {("Tender", "Product")},
    "AWARDED_TO": {("Tender", ORG)},
    "MADE_BY": {("Product", ORG)},
    "LOCATED_IN": {(ORG, "Territory")},
    "PART_OF": {("Territory", "Territory"), (ORG, ORG)},
    "COVERS": {(AM, "Territory")},
    "RELATES_TO": {(AM, S)},
    "ALIGNED_WITH": {(S, ORG)},
    "ATTENDED": {(S, "Event"), (AM, "Event")},
    "HAD": {(AM, "Interaction")},
    "WITH": {("Interaction", S)},
    "PLANS": {(AM, "Plan")},
    "TARGETS": {("Plan", S)},
}
ALLOWED = [(t, a, b) for t, pairs in DOMAIN_ENDPOINTS.items() for a, b in sorted(pairs)]


def test_relationship_types_match_the_domain() -> None:
    assert {t: set(spec.endpoints) for t, spec in REL_TYPES.items()} == DOMAIN_ENDPOINTS
    assert {label for _, a, b in ALLOWED for label in (a, b)} == set(LABELS)


@pytest.mark.parametrize(("rel_type", "start", "end"), ALLOWED,
                         ids=[f"{t}:{a}-{b}" for t, a, b in ALLOWED])
def test_every_allowed_pair_passes(rel_type: str, start: str, end: str) -> None:
    assert endpoint_problem(rel_type, start, end) is None


@pytest.mark.parametrize(("rel_type", "start", "end"), ALLOWED,
                         ids=[f"{t}:{a}-{b}" for t, a, b in ALLOWED])
def test_every_other_pair_fails(rel_type: str, start: str, end: str) -> None:
    allowed = DOMAIN_ENDPOINTS[rel_type]
    symmetric = REL_TYPES[rel_type].symmetric
    for other in LABELS:
        for pair in ((start, other), (other, end)):
            ok = pair in allowed or (symmetric and pair[::-1] in allowed)
            assert (endpoint_problem(rel_type, *pair) is None) == ok, pair


def test_wrong_pair_is_explained() -> None:
    assert endpoint_problem("WORKS_AT", "Stakeholder", "Tender") == (
        "WORKS_AT cannot go from Stakeholder to Tender; it goes Stakeholder → Organization")
    assert endpoint_problem("REPORTS_TO", "Stakeholder", "AccountManager") == (
        "REPORTS_TO cannot go from Stakeholder to AccountManager; it goes "
        "AccountManager → AccountManager, Stakeholder → Stakeholder")


def test_reversed_pair_of_a_directed_type_is_wrong() -> None:
    assert endpoint_problem("WORKS_AT", "Organization", "Stakeholder") is not None
    assert endpoint_problem("ROLE_IN", "Tender", "Stakeholder") is not None


@pytest.mark.parametrize("rel_type", sorted(REL_TYPES))
def test_every_type_refuses_some_pair(rel_type: str) -> None:
    reason = endpoint_problem(rel_type, "Product", "Plan")
    assert reason is not None
    assert reason.startswith(f"{rel_type} cannot go from Product to Plan; it goes ")


def test_unknown_end_label() -> None:
    assert endpoint_problem("KNOWS", None, "Stakeholder") == (
        "KNOWS cannot go from None to Stakeholder; it goes Stakeholder → Stakeholder")


@pytest.mark.parametrize(("raw", "field"), [
    (node_of("Organization", beds=2**63), "beds"),
    (person(badge=-(2**63) - 1), "badge"),
    (node_of("Tender", value=10**30), "value"),
    (person(badge=2**64), "badge"),
])
def test_whole_numbers_beyond_64_bits_are_refused(raw: dict[str, Any], field: str) -> None:
    node_problem(raw, field, "outside -9223372036854775808..9223372036854775807")


def test_the_64_bit_limits_themselves_are_kept() -> None:
    assert accepted_node(node_of("Organization", beds=2**63 - 1)).props["beds"] == 2**63 - 1
    assert accepted_node(person(badge=-(2**63))).props["badge"] == -(2**63)
    assert accepted_node(node_of("Tender", value=1.5e30)).props["value"] == 1.5e30
