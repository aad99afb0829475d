"""The seeded demo market: deterministic, complete, consistent with DOMAIN.md, and scalable."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kamgraph.demo import DEFAULT_SCALE, MIN_SCALE, demo_records

TODAY = date(2025, 6, 1)

LABELS = {"Stakeholder", "Organization", "Tender", "Product", "Territory", "AccountManager",
          "Event", "Interaction", "Plan"}
# type -> allowed (from label, to label) pairs, as DOMAIN.md states them
ENDPOINTS = {
    "WORKS_AT": {("Stakeholder", "Organization")},
    "REPORTS_TO": {("Stakeholder", "Stakeholder"), ("AccountManager", "AccountManager")},
    "INFLUENCES": {("Stakeholder", "Stakeholder")},
    "KNOWS": {("Stakeholder", "Stakeholder")},
    "ROLE_IN": {("Stakeholder", "Tender")},
    "ISSUED_BY": {("Tender", "Organization")},
    "FOR_PRODUCT": {("Tender", "Product")},
    "AWARDED_TO": {("Tender", "Organization")},
    "MADE_BY": {("Product", "Organization")},
    "LOCATED_IN": {("Organization", "Territory")},
    "PART_OF": {("Territory", "Territory"), ("Organization", "Organization")},
    "COVERS": {("AccountManager", "Territory")},
    "RELATES_TO": {("AccountManager", "Stakeholder")},
    "ALIGNED_WITH": {("Stakeholder", "Organization")},
    "ATTENDED": {("Stakeholder", "Event"), ("AccountManager", "Event")},
    "HAD": {("AccountManager", "Interaction")},
    "WITH": {("Interaction", "Stakeholder")},
    "PLANS": {("AccountManager", "Plan")},
    "TARGETS": {("Plan", "Stakeholder")},
}
TENDER_STATUSES = {"planned", "spec_drafting", "published", "evaluation", "awarded", "cancelled"}
STAGES = {"unknown", "acquainted", "engaged", "trusted", "advocate"}
STANCES = {"champion", "supporter", "neutral", "skeptic", "opponent", "unknown"}
CATEGORIES = {"vip", "kol", "hcp", "official", "procurement", "pharmacist", "other"}
ROLES_IN_TENDER = {"requester", "spec_author", "evaluator", "decision_maker", "approver",
                   "budget_holder", "formulary_member"}
PLAN_STATUSES = {"draft", "agreed", "active", "done", "dropped"}
CHANNELS = {"visit", "call", "event", "email", "video", "other"}
SENIORITIES = {"executive", "head", "senior", "staff"}
DATE_FIELDS = {"since", "until", "last_contact", "announced", "deadline", "awarded_on",
               "quiet_from", "quiet_until", "date", "due"}
UNIT_FIELDS = {"weight", "strength"}


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return list(demo_records(today=TODAY))


@pytest.fixture(scope="module")
def nodes(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if "label" in r]


@pytest.fixture(scope="module")
def relationships(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if "label" not in r]


def _of(nodes: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    return [n for n in nodes if n["label"] == label]


def _digest(records: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(records, sort_keys=True).encode()).hexdigest()


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_and_today_give_identical_records(records: list[dict[str, Any]]) -> None:
    assert list(demo_records(DEFAULT_SCALE, seed=42, today=TODAY)) == records


def test_other_seed_gives_other_records(records: list[dict[str, Any]]) -> None:
    assert list(demo_records(seed=7, today=TODAY)) != records


def test_records_do_not_depend_on_string_hashing() -> None:
    """Two interpreters with different hash seeds produce the same demo."""
    code = ("import hashlib, json; from datetime import date; "
            "from kamgraph.demo import demo_records; "
            "rs = list(demo_records(300, today=date(2025, 6, 1))); "
            "print(hashlib.sha256(json.dumps(rs, sort_keys=True).encode()).hexdigest())")
    root = Path(__file__).resolve().parents[1]
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)}
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                text=True, check=True)
        digests.add(result.stdout.strip())
    assert digests == {_digest(list(demo_records(300, today=TODAY)))}


def test_dates_move_with_today(records: list[dict[str, Any]]) -> None:
    later = list(demo_records(today=date(2026, 1, 15)))
    assert [r.get("id") for r in later] == [r.get("id") for r in records]
    tenders = [r for r in later if r.get("label") == "Tender"]
    assert any(t.get("quiet_from", "9999") <= "2026-01-15" <= t.get("quiet_until", "")
               for t in tenders)


def test_too_small_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        demo_records(MIN_SCALE - 1)


# --- shape ----------------------------------------------------------------------------------


def test_all_nodes_come_before_all_relationships(records: list[dict[str, Any]]) -> None:
    kinds = ["label" in r for r in records]
    first_relationship = kinds.index(False)
    assert all(kinds[:first_relationship]) and not any(kinds[first_relationship:])


def test_ids_are_unique_across_the_graph_and_prefixed(nodes: list[dict[str, Any]]) -> None:
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids))
    prefixes = {"Stakeholder": "s-", "Organization": "o-", "Tender": "t-", "Product": "p-",
                "Territory": "tr-", "AccountManager": "am-", "Event": "ev-",
                "Interaction": "i-", "Plan": "pl-"}
    assert all(n["id"].startswith(prefixes[n["label"]]) and n["name"] for n in nodes)


def test_values_are_present_typed_and_in_range(records: list[dict[str, Any]]) -> None:
    for record in records:
        for key, value in record.items():
            assert value is not None and value != [], (record, key)
            if key in DATE_FIELDS:
                assert date.fromisoformat(value).isoformat() == value
            if key in UNIT_FIELDS:
                assert isinstance(value, float) and 0.0 <= value <= 1.0
                assert round(value, 2) == value
            if key in ("tags", "steps"):
                assert all(isinstance(item, str) for item in value)


def test_date_windows_are_ordered(records: list[dict[str, Any]]) -> None:
    pairs = (("since", "until"), ("quiet_from", "quiet_until"), ("announced", "deadline"),
             ("deadline", "awarded_on"))
    for record in records:
        for start, end in pairs:
            if start in record and end in record:
                assert record[start] <= record[end], record


def test_enums_are_domain_values(nodes: list[dict[str, Any]],
                                 relationships: list[dict[str, Any]]) -> None:
    for n in _of(nodes, "Stakeholder"):
        assert n["category"] in CATEGORIES and n["stance"] in STANCES and n["tier"] in (1, 2, 3)
    for n in _of(nodes, "Interaction"):
        assert n["channel"] in CHANNELS
    for n in _of(nodes, "Plan"):
        assert n["status"] in PLAN_STATUSES and n["goal_stage"] in STAGES
    for r in relationships:
        if r["type"] == "WORKS_AT":
            assert r["seniority"] in SENIORITIES
        if r["type"] == "ROLE_IN":
            assert r["role"] in ROLES_IN_TENDER
        if r["type"] == "ATTENDED":
            assert r["role"] in {"speaker", "participant", "organizer"}


# --- structure ------------------------------------------------------------------------------


def test_every_label_type_and_enum_value_is_present(
    nodes: list[dict[str, Any]], relationships: list[dict[str, Any]]
) -> None:
    assert {n["label"] for n in nodes} == LABELS
    assert {r["type"] for r in relationships} == set(ENDPOINTS)
    assert {n["status"] for n in _of(nodes, "Tender")} == TENDER_STATUSES
    assert {r["stage"] for r in relationships if r["type"] == "RELATES_TO"} == STAGES
    assert {n["stance"] for n in _of(nodes, "Stakeholder")} == STANCES
    assert {n["category"] for n in _of(nodes, "Stakeholder")} == CATEGORIES
    assert {n["tier"] for n in _of(nodes, "Stakeholder")} == {1, 2, 3}
    assert {n["status"] for n in _of(nodes, "Plan")} == PLAN_STATUSES
    assert {r["role"] for r in relationships if r["type"] == "ROLE_IN"} == ROLES_IN_TENDER
    assert {r["seniority"] for r in relationships if r["type"] == "WORKS_AT"} == SENIORITIES
    assert {n["kind"] for n in _of(nodes, "Event")} == {"congress", "round table", "symposium"}
    assert {n["level"] for n in _of(nodes, "Territory")} == {"region", "district", "city"}


def test_default_market_proportions(nodes: list[dict[str, Any]]) -> None:
    assert len(_of(nodes, "Stakeholder")) == DEFAULT_SCALE
    types = Counter(n["type"] for n in _of(nodes, "Organization"))
    assert 25 <= types["hospital"] + types["clinic"] <= 35
    assert types["health_authority"] == 1 and types["own_company"] == 1
    assert 3 <= types["competitor"] <= 4
    assert 20 <= len(_of(nodes, "Tender")) <= 30
    roles = Counter(n["role"] for n in _of(nodes, "AccountManager"))
    assert roles == {"kam": 3, "regional_manager": 1}


def test_endpoints_exist_with_allowed_labels(
    nodes: list[dict[str, Any]], relationships: list[dict[str, Any]]
) -> None:
    label_of = {n["id"]: n["label"] for n in nodes}
    for r in relationships:
        assert r["from"] != r["to"], r
        pair = (label_of[r["from"]], label_of[r["to"]])
        assert pair in ENDPOINTS[r["type"]], r


def test_no_duplicate_relationship_identities(relationships: list[dict[str, Any]]) -> None:
    keys = [(r["type"], r["from"], r["to"], r["role"] if r["type"] == "ROLE_IN" else None)
            for r in relationships]
    assert len(keys) == len(set(keys))
    knows = [(r["from"], r["to"]) for r in relationships if r["type"] == "KNOWS"]
    assert all(a < b for a, b in knows)
    assert len({frozenset(pair) for pair in knows}) == len(knows)


def test_quiet_periods_are_current(nodes: list[dict[str, Any]]) -> None:
    today = TODAY.isoformat()
    tenders = _of(nodes, "Tender")
    quiet = [t for t in tenders if t["status"] == "evaluation"
             or t.get("quiet_from", "9999") <= today <= t.get("quiet_until", "")]
    assert len(quiet) >= 2
    assert any(t["status"] == "evaluation" for t in quiet)


def test_tenders_have_issuer_products_committee_and_awards(
    nodes: list[dict[str, Any]], relationships: list[dict[str, Any]]
) -> None:
    by_type: dict[str, Counter[str]] = {}
    for r in relationships:
        by_type.setdefault(r["type"], Counter())[r["from"]] += 1
    for tender in _of(nodes, "Tender"):
        assert by_type["ISSUED_BY"][tender["id"]] == 1
        assert by_type["FOR_PRODUCT"][tender["id"]] >= 1
        assert by_type["AWARDED_TO"][tender["id"]] == (tender["status"] == "awarded")
        assert tender["currency"] == "RUB" and tender["value"] > 0
    committees = Counter(r["to"] for r in relationships if r["type"] == "ROLE_IN")
    assert all(committees[t["id"]] >= 2 for t in _of(nodes, "Tender"))


def test_territories_nest_child_to_parent(
    nodes: list[dict[str, Any]], relationships: list[dict[str, Any]]
) -> None:
    level = {n["id"]: n["level"] for n in _of(nodes, "Territory")}
    parent_level = {"district": "region", "city": "district"}
    for r in relationships:
        if r["type"] == "PART_OF" and r["from"] in level:
            assert level[r["to"]] == parent_level[level[r["from"]]]


def test_team_structure(nodes: list[dict[str, Any]], relationships: list[dict[str, Any]]) -> None:
    role = {n["id"]: n["role"] for n in _of(nodes, "AccountManager")}
    reports = [r for r in relationships if r["type"] == "REPORTS_TO" and r["from"] in role]
    assert sorted((role[r["from"]], role[r["to"]]) for r in reports) == [
        ("kam", "regional_manager")] * 3
    assert {r["from"] for r in relationships if r["type"] == "COVERS"} == set(role)


def test_time_windows_matter(relationships: list[dict[str, Any]]) -> None:
    today = TODAY.isoformat()
    ended = {r["type"] for r in relationships if r.get("until", "9999") < today}
    upcoming = {r["type"] for r in relationships if r.get("since", "") > today}
    assert {"WORKS_AT", "REPORTS_TO", "COVERS"} <= ended
    assert {"WORKS_AT", "REPORTS_TO", "COVERS"} <= upcoming
    contacts = [r["last_contact"] for r in relationships if "last_contact" in r]
    stale = [c for c in contacts if (TODAY - date.fromisoformat(c)).days > 90]
    assert 0 < len(stale) < len(contacts)


def test_interactions_and_plans_are_wired(
    nodes: list[dict[str, Any]], relationships: list[dict[str, Any]]
) -> None:
    had = Counter(r["to"] for r in relationships if r["type"] == "HAD")
    with_ = Counter(r["from"] for r in relationships if r["type"] == "WITH")
    for interaction in _of(nodes, "Interaction"):
        assert had[interaction["id"]] == 1 and with_[interaction["id"]] >= 1
    plans = Counter(r["to"] for r in relationships if r["type"] == "PLANS")
    targets = Counter(r["from"] for r in relationships if r["type"] == "TARGETS")
    for plan in _of(nodes, "Plan"):
        assert plans[plan["id"]] == 1 and targets[plan["id"]] == 1 and plan["steps"]


def test_competitors_and_our_company_have_aligned_stakeholders(
    nodes: list[dict[str, Any]], relationships: list[dict[str, Any]]
) -> None:
    kind = {n["id"]: n["type"] for n in _of(nodes, "Organization")}
    aligned = Counter(kind[r["to"]] for r in relationships if r["type"] == "ALIGNED_WITH")
    assert aligned["competitor"] >= 3 and aligned["own_company"] >= 1
    makers = Counter(kind[r["to"]] for r in relationships if r["type"] == "MADE_BY")
    assert makers["competitor"] > 0 and makers["own_company"] > 0


# --- scale ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_scale_keeps_proportions() -> None:
    labels: Counter[str] = Counter()
    relationships = 0
    for record in demo_records(2000, today=TODAY):
        if "label" in record:
            labels[record["label"]] += 1
        else:
            relationships += 1
    assert labels["Stakeholder"] == 2000
    assert 8 <= relationships / labels["Stakeholder"] <= 12
    assert 80 <= labels["Tender"] <= 120
    assert 150 <= labels["Organization"] <= 250


@pytest.mark.slow
def test_national_scale_has_several_regions() -> None:
    levels: Counter[str] = Counter()
    managers = 0
    for record in demo_records(12000, today=TODAY):
        if record.get("label") == "Territory":
            levels[record["level"]] += 1
        elif record.get("label") == "AccountManager":
            managers += record["role"] == "regional_manager"
    assert levels["country"] == 1 and levels["region"] >= 2
    assert managers == levels["region"]
