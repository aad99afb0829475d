"""The pages in a real headless Chromium against the real app served on loopback.

Signing in and out, every page's heading and tables (row counts and contents worked out from
the same store file, read beside the server), the maps in their iframes (drawn, clickable,
filterable), the two forms a KAM uses after a meeting, and a KAM kept out of another
territory. The ``site`` fixture fails any test whose pages asked for a host other than the
app's ``127.0.0.1:PORT``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from kamgraph import profile, services
from kamgraph.activity import quiet_warnings
from kamgraph.analysis.config import DEFAULT
from kamgraph.analysis.graphs import is_active
from kamgraph.store.sqlite import SqliteStore
from tests.api.conftest import KAM
from tests.browser.live import OUTSIDE, Browsing, LiveApp, wait_until
from tests.browser.test_maps_browser import DRAWN, POINT_AT, SETTLED, VISIBLE
from tests.test_maps import page_data

TERRITORY = "tr-000003"  # Verkhnedolsk, a city am-000002 covers
TENDER = "t-000005"  # in evaluation, a quiet period: the demo's tender of docs/analyses.md
STAKEHOLDER = "s-000002"  # Spiridonov, decision maker of t-000005, trusted by am-000002
SEARCH = "Hospital"
WAIT_MS = 15_000


@pytest.fixture
def store(live_app: LiveApp) -> Iterator[SqliteStore]:
    """The live app's store file, opened beside the server to work out what pages must show."""
    with SqliteStore(live_app.db) as opened:
        yield opened


def rows(page: Any, table_id: str) -> Any:
    return page.locator(f"table#{table_id} > tbody > tr")


def column(page: Any, table_id: str, index: int = 0) -> list[str]:
    """The texts of one column of a table, top to bottom."""
    return [text.strip() for text in
            rows(page, table_id).locator(f"td:nth-child({index + 1})").all_inner_texts()]


def cells(row: Any) -> list[str]:
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def heading(page: Any) -> str:
    return str(page.locator("main h1").inner_text())


# -- the guard ---------------------------------------------------------------------------------


def test_requests_to_other_hosts_are_refused_and_recorded(chromium: Any, live_app: LiveApp) -> None:
    browsing = Browsing(chromium, live_app.url, live_app.tokens)
    try:
        page = browsing.new_page("admin")
        # The app's pages forbid such a fetch themselves (connect-src 'self'); a blank page
        # has no policy, so the request reaches the recorder, which must refuse it.
        page.goto("about:blank")
        outcome = page.evaluate("""() => fetch("http://example.com/beacon").then(
            () => "reached", error => error.name)""")
        assert outcome == "TypeError"  # aborted inside the browser: it never left
        assert browsing.refused == ["http://example.com/beacon"]
        assert browsing.foreign == ["http://example.com/beacon"]
        assert f"{live_app.url}/" in browsing.requests
    finally:
        browsing.close()


# -- signing in and out ------------------------------------------------------------------------


def test_sign_in_with_the_form(site: Browsing) -> None:
    page = site.new_page()
    response = page.goto("/")
    assert page.url == f"{site.base_url}/signin?next=%2F"
    assert response is not None and response.status == 200
    assert heading(page) == "Sign in"
    assert page.locator(".user-name").count() == 0

    page.fill("form#signin input[name=token]", "not-a-token")
    with page.expect_response(f"{site.base_url}/signin") as refused:
        page.click("form#signin button[type=submit]")
    assert refused.value.status == 401
    assert page.locator("p.error").inner_text() == ("That token is not valid, or it was revoked. "
                                                    "Check it and try again.")
    assert page.locator(".user-name").count() == 0

    page.fill("form#signin input[name=token]", site.tokens["admin"])
    page.click("form#signin button[type=submit]")
    page.wait_for_url(f"{site.base_url}/")
    assert heading(page) == "Overview"
    assert page.locator("header .user-name").inner_text() == "admin"
    assert page.locator("header .user-role").inner_text() == "admin"


def test_sign_in_with_the_link_asks_first_and_leaves_no_token_in_the_address_bar(site: Browsing) -> None:
    page = site.new_page()
    token = site.tokens["kam"]
    page.goto(f"/signin?token={token}")
    page.wait_for_url(f"{site.base_url}/signin/confirm?next=%2F")
    assert "This link signs you in as kam" in page.locator("form#signin-confirm").inner_text()
    assert page.context.cookies() and "kamgraph_session" not in {c["name"] for c in page.context.cookies()}
    page.click("form#signin-confirm button[type=submit]")
    page.wait_for_url(f"{site.base_url}/")
    assert token not in page.url
    assert page.locator("header .user-name").inner_text() == "kam"
    assert page.locator("header .user-role").inner_text() == "KAM"
    assert heading(page) == "Overview"
    # the redirects replaced the link: no page of the history shows the token
    page.go_back()
    assert token not in page.url
    page.go_back()
    assert page.url == "about:blank"
    page.go_forward()
    assert token not in page.url and page.url.startswith(site.base_url)


def test_signing_out_ends_the_session(site: Browsing) -> None:
    page = site.new_page("rm")
    assert page.locator("header .user-name").inner_text() == "rm"
    page.click("form#signout button[type=submit]")
    page.wait_for_url(f"{site.base_url}/signin")
    assert heading(page) == "Sign in"
    assert page.context.cookies() == []

    page.goto("/")
    assert page.url == f"{site.base_url}/signin?next=%2F"
    page.goto(f"/territories/{TERRITORY}")
    assert page.url == f"{site.base_url}/signin?next={quote(f'/territories/{TERRITORY}', safe='')}"
    # signing in again goes on to the page that was asked for
    page.fill("form#signin input[name=token]", site.tokens["rm"])
    page.click("form#signin button[type=submit]")
    page.wait_for_url(f"{site.base_url}/territories/{TERRITORY}")
    assert page.locator("header .user-name").inner_text() == "rm"


# -- every page, as the admin ------------------------------------------------------------------


def test_home_page(site: Browsing, store: SqliteStore) -> None:
    today = date.today()
    top_level = sorted((t for t in store.iter_nodes("Territory") if not any(
        r.start == t.id for r in store.relationships_of(t.id, rel_type="PART_OF"))), key=lambda t: t.id)
    assert [t.id for t in top_level] == ["tr-000001", OUTSIDE["territory"]]
    at_risk = services.plan_status(store, at_risk_only=True, as_of=today)["items"]
    last = (today + timedelta(days=profile.CLOSING_DAYS)).isoformat()
    closing = sorted((t for t in store.iter_nodes("Tender")
                      if t.props.get("status") not in DEFAULT.closed_tender_statuses
                      and t.props.get("deadline") and str(t.props["deadline"])[:10] <= last),
                     key=lambda t: (str(t.props["deadline"])[:10], t.id))

    page = site.new_page("admin")
    assert heading(page) == "Overview"
    assert column(page, "my-territories") == [t.name for t in top_level]
    assert column(page, "plans-at-risk") == [item["name"] for item in at_risk]
    assert len(at_risk) > 0
    assert column(page, "tenders-closing") == [t.name for t in closing]
    assert OUTSIDE["tender_name"] in column(page, "tenders-closing")
    assert column(page, "tenders-closing", 2) == [str(t.props["deadline"])[:10] for t in closing]


def test_territory_page(site: Browsing, store: SqliteStore) -> None:
    report = services.coverage_report(store, TERRITORY, as_of=date.today())
    page = site.new_page("admin")
    page.goto(f"/territories/{TERRITORY}")
    assert heading(page) == store.get_node(TERRITORY).name == "Verkhnedolsk"
    assert column(page, "gaps") == [gap["name"] for gap in report["gaps"]]
    assert len(report["gaps"]) > 0
    assert column(page, "per-kam") == [row["name"] for row in report["by_account_manager"]]
    assert column(page, "per-kam", 1) == [str(row["covered"]) for row in report["by_account_manager"]]
    assert page.locator("#people").inner_text() == f"{report['people']:,}"


def test_tender_page(site: Browsing, store: SqliteStore) -> None:
    today = date.today()
    ranking = services.tender_influence(store, TENDER, as_of=today)["items"]
    best = services.next_best(store, TENDER, as_of=today)["items"]
    page = site.new_page("admin")
    page.goto(f"/tenders/{TENDER}")
    assert heading(page) == store.get_node(TENDER).name
    assert len(ranking) > 25
    assert column(page, "ranking") == [item["name"] for item in ranking[:25]]
    assert column(page, "next-best") == [item["name"] for item in best]
    assert len(best) == 5
    assert page.locator("#status").inner_text() == "evaluation"


def test_stakeholder_page(site: Browsing, store: SqliteStore) -> None:
    today = date.today()
    interactions = [r.start for r in store.relationships_of(STAKEHOLDER, rel_type="WITH")
                    if r.end == STAKEHOLDER]
    team = {r.start for r in store.relationships_of(STAKEHOLDER, rel_type="RELATES_TO")
            if r.end == STAKEHOLDER and is_active(r.props, today)}
    page = site.new_page("admin")
    page.goto(f"/stakeholders/{STAKEHOLDER}")
    assert heading(page) == store.get_node(STAKEHOLDER).name
    assert rows(page, "interactions").count() == len(interactions) > 0
    newest = max(str(store.get_node(i).props["date"]) for i in interactions)
    assert column(page, "interactions")[0] == newest[:10]
    assert sorted(column(page, "team-relationships")) == sorted(store.get_node(am).name for am in team)
    assert len(team) > 0


def test_organization_page(site: Browsing, store: SqliteStore) -> None:
    today = date.today()
    issuer = next(r.end for r in store.relationships_of(TENDER, rel_type="ISSUED_BY"))
    staff = {r.start for r in store.relationships_of(issuer, rel_type="WORKS_AT")
             if r.end == issuer and is_active(r.props, today)}
    page = site.new_page("admin")
    page.goto(f"/organizations/{issuer}")
    assert heading(page) == store.get_node(issuer).name
    assert sorted(column(page, "staff")) == sorted(store.get_node(p).name for p in staff)
    assert len(staff) > 1


def test_search_page(site: Browsing, store: SqliteStore) -> None:
    hits = profile.search_results(store, SEARCH, as_of=date.today(), limit=50)
    matching = {node.name for node in store.iter_nodes() if node.label in profile.SEARCHED_LABELS
                and SEARCH.casefold() in node.name.casefold()}
    page = site.new_page("admin")
    page.fill("form#search input[name=q]", SEARCH)
    page.click("form#search button[type=submit]")
    page.wait_for_url(f"{site.base_url}/search?q={SEARCH}")
    assert heading(page) == "Search"
    assert column(page, "results") == [hit["node"]["name"] for hit in hits]
    assert set(column(page, "results")) == matching and 1 < len(matching) < 50
    assert column(page, "results", 1) == [hit["node"]["label"].lower() for hit in hits]


# -- the maps in their iframes -----------------------------------------------------------------


def open_map(page: Any, base_url: str, path: str, node_id: str) -> Any:
    """Open a page, bring its map iframe into view (it loads lazily) and wait until it settles."""
    page.goto(path)
    frame_element = page.locator("iframe#map")
    assert frame_element.get_attribute("src") == f"/maps/{node_id}"
    frame_element.scroll_into_view_if_needed()
    frame = frame_element.element_handle().content_frame()
    wait_until(frame, SETTLED, WAIT_MS)
    assert frame.url == f"{base_url}/maps/{node_id}"
    return frame


@pytest.mark.parametrize(("path", "node_id"), [
    (f"/territories/{TERRITORY}", TERRITORY),
    (f"/tenders/{TENDER}", TENDER),
    (f"/stakeholders/{STAKEHOLDER}", STAKEHOLDER),
])
def test_each_map_draws_every_node_of_its_graph(site: Browsing, store: SqliteStore, path: str,
                                               node_id: str) -> None:
    nodes, edges, _ = page_data(services.map_page(store, node_id, as_of=date.today()))
    page = site.new_page("admin")
    frame = open_map(page, site.base_url, path, node_id)
    drawn = frame.evaluate(DRAWN)
    assert (drawn["nodes"], drawn["drawnNodes"]) == (len(nodes), len(nodes))
    assert (drawn["edges"], drawn["drawnEdges"]) == (len(edges), len(edges))
    assert sorted(frame.evaluate("() => window.kamgraphMap.nodes.getIds()")) == sorted(n["id"] for n in nodes)
    assert frame.evaluate("() => window.kamgraphMap.focus") == node_id
    assert node_id in {n["id"] for n in nodes} and len(nodes) > 10


def test_clicking_a_map_node_shows_its_details(site: Browsing, store: SqliteStore) -> None:
    nodes, _, _ = page_data(services.map_page(store, TENDER, as_of=date.today()))
    top = max((node for node in nodes if node["node_label"] == "Stakeholder"), key=lambda n: n["score"])
    page = site.new_page("admin")
    frame = open_map(page, site.base_url, f"/tenders/{TENDER}", TENDER)
    point = frame.evaluate(POINT_AT, top["id"])
    assert point["hit"] == top["id"]
    box = page.locator("iframe#map").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    details = frame.locator("#kg-details")
    assert details.get_attribute("data-selected") == top["id"]
    assert details.locator("h2").inner_text() == top["name"]
    shown = details.locator("dl").inner_text()
    for name, value in top["details"]:
        assert name in shown and value in shown


def shown_after_filters(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], focus: str, *,
                        min_score: float = 0.0, hide_covered: bool = False) -> int:
    """How many nodes the map's filters leave, by the rules ``kamgraph.maps`` documents: a
    subject person shows when it passes the filters, other subjects always, the focus always,
    and a context node while some shown subject or context decided to show is tied to it."""
    def decide(node: dict[str, Any]) -> bool | None:
        if node["id"] == focus:
            return True
        if not node["subject"]:
            return None
        return node["node_label"] != "Stakeholder" or (
            node["score"] >= min_score and not (hide_covered and node["covered"]))

    decided = {node["id"]: decide(node) for node in nodes}
    ties: dict[str, set[str]] = {node["id"]: set() for node in nodes}
    for edge in edges:
        ties[edge["from"]].add(edge["to"])
        ties[edge["to"]].add(edge["from"])

    def shown(node_id: str) -> bool:
        verdict = decided[node_id]
        if verdict is not None:
            return verdict
        return any(decided[other] is True and other != focus for other in ties[node_id])

    return sum(shown(node_id) for node_id in decided)


def test_map_filters_hide_the_expected_nodes(site: Browsing, store: SqliteStore) -> None:
    nodes, edges, _ = page_data(services.map_page(store, TENDER, as_of=date.today()))
    page = site.new_page("admin")
    frame = open_map(page, site.base_url, f"/tenders/{TENDER}", TENDER)
    assert len(frame.evaluate(VISIBLE)["ids"]) == len(nodes)

    frame.locator("#kg-hide-covered").check()
    expected = shown_after_filters(nodes, edges, TENDER, hide_covered=True)
    after = frame.evaluate(VISIBLE)
    assert len(after["ids"]) == expected < len(nodes)
    assert after["note"] == f"{expected} of {len(nodes)} nodes shown"
    assert not any(node["covered"] for node in nodes if node["id"] in set(after["ids"]))
    frame.locator("#kg-hide-covered").uncheck()
    assert len(frame.evaluate(VISIBLE)["ids"]) == len(nodes)

    top_score = max(node["score"] for node in nodes)
    frame.evaluate("""value => {
      const input = document.getElementById("kg-min-score");
      input.value = value;
      input.dispatchEvent(new Event("input"));
    }""", top_score / 4)
    minimum = float(frame.input_value("#kg-min-score"))
    expected = shown_after_filters(nodes, edges, TENDER, min_score=minimum)
    after = frame.evaluate(VISIBLE)
    assert len(after["ids"]) == expected < len(nodes)
    assert after["looseEdges"] == 0


# -- the forms after a meeting -----------------------------------------------------------------


def acquaintance_to_log(store: SqliteStore, today: date) -> str:
    """A person am-000002 is only acquainted with, whose logged contacts are all before today
    (so that today's interaction comes first) and who is in no quiet period today."""
    for rel in store.relationships_of(KAM, rel_type="RELATES_TO"):
        person = rel.end
        if rel.start != KAM or rel.props.get("stage") != "acquainted" or not is_active(rel.props, today):
            continue
        dates = [str(store.get_node(r.start).props.get("date", ""))[:10]
                 for r in store.relationships_of(person, rel_type="WITH") if r.end == person]
        if all(day < today.isoformat() for day in dates) and not quiet_warnings(store, person, today):
            return person
    raise AssertionError("the demo has no acquaintance of am-000002 to log an interaction with")


def test_a_kam_logs_an_interaction_and_changes_the_stage(site: Browsing, store: SqliteStore) -> None:
    today = date.today()
    person = acquaintance_to_log(store, today)
    kam_name = store.get_node(KAM).name
    summary = "Discussed the apixaban formulary listing; asked for the 2027 budget plan"
    page = site.new_page("kam")
    page.goto(f"/stakeholders/{person}")
    before = rows(page, "interactions").count()
    assert page.locator("form#log-interaction [name=date]").input_value() == today.isoformat()
    mine = rows(page, "team-relationships").filter(has_text=kam_name)
    assert cells(mine)[1:2] == ["acquainted"]

    form = page.locator("form#log-interaction")
    form.locator("[name=channel]").select_option("call")
    form.locator("[name=summary]").fill(summary)
    form.locator("[name=outcome]").fill("Agreed to meet after the holidays")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{site.base_url}/stakeholders/{person}?logged=1")
    assert page.locator(".flash").inner_text() == "Interaction logged."
    assert page.locator(".warning").count() == 0
    assert rows(page, "interactions").count() == before + 1
    assert cells(rows(page, "interactions").first) == [
        today.isoformat(), "call", kam_name, summary, "Agreed to meet after the holidays"]
    logged = [store.get_node(r.start) for r in store.relationships_of(person, rel_type="WITH")]
    assert [n.props["summary"] for n in logged if n.props.get("summary") == summary] == [summary]

    form = page.locator("form#change-stage")
    form.locator("[name=stage]").select_option("engaged")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{site.base_url}/stakeholders/{person}?staged=1")
    assert page.locator(".flash").inner_text() == "Stage changed."
    mine = rows(page, "team-relationships").filter(has_text=kam_name)
    assert cells(mine)[1] == "engaged"
    assert cells(mine)[4:] == [today.isoformat(), "yes"]  # last contact today; engaged covers
    stored = [r for r in store.relationships_of(person, rel_type="RELATES_TO") if r.start == KAM]
    assert [r.props["stage"] for r in stored] == ["engaged"]


# -- a KAM and another territory ---------------------------------------------------------------


def tenders_of_kam_territories(store: SqliteStore, today: date) -> set[str]:
    """The tenders issued by organisations in the territories am-000002 covers today (with
    their sub-territories and sub-organisations), from COVERS, PART_OF, LOCATED_IN, ISSUED_BY."""
    covered = {r.end for r in store.relationships_of(KAM, rel_type="COVERS")
               if r.start == KAM and is_active(r.props, today)}
    territories = store.closure(covered, "PART_OF")
    organizations = store.closure(store.neighbours(territories, ("LOCATED_IN",), "in"), "PART_OF")
    return store.neighbours(organizations, ("ISSUED_BY",), "in")


def test_a_kam_cannot_reach_a_tender_of_another_territory(site: Browsing, store: SqliteStore) -> None:
    today = date.today()
    seen = tenders_of_kam_territories(store, today)
    tenders = sorted(t.id for t in store.iter_nodes("Tender"))
    unseen = [t for t in tenders if t not in seen]
    assert OUTSIDE["tender"] in unseen and len(seen) > 0
    demo_unseen = next(t for t in unseen if t != OUTSIDE["tender"])
    own = min(seen)

    page = site.new_page("kam")
    response = page.goto(f"/tenders/{own}")
    assert response is not None and response.status == 200
    assert heading(page) == store.get_node(own).name

    for tender in (OUTSIDE["tender"], demo_unseen):
        name = store.get_node(tender).name
        response = page.goto(f"/tenders/{tender}")
        assert response is not None and response.status == 404
        assert heading(page) == "Not found"
        assert name not in page.content()
        response = page.goto(f"/maps/{tender}")
        assert response is not None and response.status == 404
        assert name not in page.content()
        page.goto(f"/search?q={quote(name)}")
        assert rows(page, "results").count() == 0
        assert page.locator("p.empty").inner_text() == "Nothing found."
    page.goto("/")
    assert OUTSIDE["tender_name"] not in column(page, "tenders-closing")

    admin = site.new_page("admin")  # the same searches find them for the admin
    for tender in (OUTSIDE["tender"], demo_unseen):
        name = store.get_node(tender).name
        admin.goto(f"/search?q={quote(name)}")
        assert column(admin, "results") == [name]
