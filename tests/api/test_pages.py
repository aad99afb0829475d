"""The pages: sign-in by cookie, what each page shows (checked against the services for the same
scoped store), 404 outside a user's scope, the forms with CSRF, CSV export, nothing fetched
from other hosts.

Pages are read back with a small HTML parser (tables by id: header, cell texts, cell links).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.deps import SESSION_COOKIE, csrf_token
from api.pages.signin import PENDING_COOKIE
from api.pages.tables import number, percent, signed
from kamgraph import activity, profile, services
from kamgraph.analysis.graphs import is_active
from kamgraph.model import Node, Relationship
from kamgraph.scope import ScopedStore, scope_of
from tests.api.conftest import KAM, DemoApp

TENDER = "t-000005"          # evaluation, quiet period; in every demo user's scope
TERRITORY = "tr-000003"      # Verkhnedolsk city, covered by the KAM
PERSON = "s-000002"          # Spiridonov: decision maker of t-000005 (quiet period)
ORGANIZATION = "o-000006"    # the regional ministry of health, issuer of t-000005
# Added by the admin where no KAM works: a territory, a hospital there, a doctor and a tender.
OUTSIDE = {"territory": "tr-far", "organization": "o-far", "stakeholder": "s-far", "tender": "t-far"}
CYRILLIC = "Мария Ивановна Петрова"
ARABIC = "د. فاطمة الزهراء"
HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="alert(1)">'
FORMULA = '=HYPERLINK("http://evil.example","click")'

# What a browser would fetch or send by itself to another host: src, href, action, CSS url().
OTHER_HOST = re.compile(r"""(?:\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*|url\(\s*["']?|"""
                        r"""@import\s+["']?)((?:https?:)?//[^"')\s>]*)""", re.IGNORECASE)


# --- reading pages back -------------------------------------------------------------------


@dataclass
class HtmlTable:
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    links: list[list[list[str]]] = field(default_factory=list)   # per row, per cell: hrefs
    csv_href: str | None = None


class PageReader(HTMLParser):
    """Tables by id, elements by id (their text and attributes), and class="warning"/"flash"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, HtmlTable] = {}
        self.ids: dict[str, dict[str, str | None]] = {}
        self.texts: dict[str, str] = {}
        self.boxes: dict[str, list[str]] = {"warning": [], "flash": []}
        self._table: HtmlTable | None = None
        self._cell: list[str] | None = None
        self._in_caption = self._in_head = False
        self._open: list[tuple[str, str, int]] = []   # (tag, id or box class, depth) collecting text
        self._depth = 0
        self._buffers: dict[int, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self._depth += 1
        key = found.get("id") or ("main" if tag == "main" else None) or next(
            (c for c in (found.get("class") or "").split() if c in self.boxes), None)
        if key:
            if found.get("id"):
                self.ids[key] = found
            self._open.append((tag, key, self._depth))
            self._buffers[self._depth] = []
        if tag == "table":
            self._table = self.tables.setdefault(found.get("id") or "", HtmlTable())
        elif tag == "caption":
            self._in_caption = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "a" and self._in_caption and self._table is not None:
            self._table.csv_href = found.get("href")
        elif tag == "tr" and self._table is not None and not self._in_head:
            self._table.rows.append([])
            self._table.links.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
            if tag == "td":
                self._table.links[-1].append([])
        elif tag == "a" and self._cell is not None and self._table is not None and found.get("href"):
            self._table.links[-1][-1].append(str(found["href"]))
        if tag in ("input", "img", "link", "meta", "br"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            text = "".join(self._cell).strip()
            (self._table.columns if tag == "th" else self._table.rows[-1]).append(text)
            self._cell = None
        elif tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag == "table":
            self._table = None
        if self._open and self._open[-1][2] == self._depth:
            _, key, depth = self._open.pop()
            text = " ".join("".join(self._buffers.pop(depth)).split())
            if key in self.boxes and key not in self.ids:
                self.boxes[key].append(text)
            else:
                self.texts[key] = text
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        for buffer in self._buffers.values():
            buffer.append(data)


def read(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    return reader


def link(label_path: str, node_id: str) -> str:
    return f"/{label_path}/{quote(node_id, safe='')}"


# --- signing in ---------------------------------------------------------------------------


def signed_in(app: DemoApp, user: str) -> TestClient:
    app.client.cookies.set(SESSION_COOKIE, app.tokens[user])
    return app.client


def scoped(app: DemoApp, user: str) -> ScopedStore:
    found = {u.name: u for u in app.store.list_users()}[user]
    return ScopedStore(app.store, scope_of(app.store, found))


def csrf(app: DemoApp, user: str) -> str:
    return csrf_token(app.tokens[user])


def test_signin_form(demo_app: DemoApp) -> None:
    response = demo_app.client.get("/signin", params={"next": f"/tenders/{TENDER}"})
    page = read(response.text)
    assert response.status_code == 200
    assert page.ids["signin"]["method"] == "post" and page.ids["signin"]["action"] == "/signin"
    assert page.ids["token"]["name"] == "token" and page.ids["token"]["type"] == "password"
    assert re.search(r'<input type="hidden" name="next" value="/tenders/t-000005">', response.text)
    assert "search" not in page.ids and "signout" not in page.ids    # no header controls signed out


def test_posting_a_good_token_sets_the_session_cookie_and_goes_on(demo_app: DemoApp) -> None:
    client = demo_app.client
    response = client.post("/signin", data={"token": demo_app.tokens["kam"], "next": f"/tenders/{TENDER}"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/tenders/{TENDER}"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}={demo_app.tokens['kam']};")
    assert {"HttpOnly", "Path=/", "SameSite=lax"} <= {part.strip() for part in cookie.split(";")}
    assert "secure" not in cookie.lower()                    # plain http: the browser would drop it
    page = client.get(f"/tenders/{TENDER}")
    assert page.status_code == 200 and read(page.text).texts["status"] == "evaluation"


def test_the_cookie_is_secure_over_https(demo_app: DemoApp) -> None:
    response = demo_app.client.post("https://testserver/signin", data={"token": demo_app.tokens["kam"]},
                                    follow_redirects=False)
    assert response.status_code == 303 and "Secure" in response.headers["set-cookie"]


def test_the_cookies_are_secure_behind_a_tls_proxy_when_set(demo_app: DemoApp) -> None:
    """The proxy ends TLS on another host: the app sees http, KAMGRAPH_SECURE_COOKIES says."""
    demo_app.client.app.state.settings = demo_app.client.app.state.settings.model_copy(  # type: ignore[attr-defined]
        update={"secure_cookies": True})
    posted = demo_app.client.post("/signin", data={"token": demo_app.tokens["kam"]}, follow_redirects=False)
    linked = follow_link(demo_app, demo_app.tokens["kam"], "/")
    assert "Secure" in posted.headers["set-cookie"] and "Secure" in linked.headers["set-cookie"]


def test_a_bad_token_shows_the_form_again_with_401(demo_app: DemoApp) -> None:
    response = demo_app.client.post("/signin", data={"token": "not-a-token", "next": "/"},
                                    follow_redirects=False)
    assert response.status_code == 401 and "set-cookie" not in response.headers
    assert "signin" in read(response.text).ids and "That token is not valid" in response.text
    assert demo_app.client.get("/signin", params={"token": "nope"}).status_code == 401


def follow_link(demo_app: DemoApp, token: str, next_url: str) -> Response:
    """Open the printed link: its answer (a redirect to the confirmation)."""
    return demo_app.client.get("/signin", params={"token": token, "next": next_url},
                               follow_redirects=False)


def test_the_printed_link_asks_whom_to_sign_in_as_then_signs_in(demo_app: DemoApp) -> None:
    target = f"/territories/{TERRITORY}"
    linked = follow_link(demo_app, demo_app.tokens["admin"], target)
    assert linked.status_code == 303
    assert linked.headers["location"] == f"/signin/confirm?next={quote(target, safe='')}"
    cookie = linked.headers["set-cookie"]
    assert cookie.startswith(f"{PENDING_COOKIE}={demo_app.tokens['admin']};")
    assert all(part in cookie for part in ("HttpOnly", "Max-Age=600", "Path=/signin", "SameSite=lax"))
    assert SESSION_COOKIE not in demo_app.client.cookies  # not signed in by the link alone
    asked = demo_app.client.get(linked.headers["location"])
    assert asked.status_code == 200 and read(asked.text).ids["signin-confirm"]["action"] == "/signin/confirm"
    assert "This link signs you in as" in asked.text and "admin" in asked.text
    assert demo_app.client.get(target, follow_redirects=False).status_code == 303  # still signed out
    confirmed = demo_app.client.post("/signin/confirm", data={"next": target}, follow_redirects=False)
    assert confirmed.status_code == 303 and confirmed.headers["location"] == target
    assert f"{SESSION_COOKIE}={demo_app.tokens['admin']};" in confirmed.headers["set-cookie"]
    assert demo_app.client.get(target).status_code == 200
    assert PENDING_COOKIE not in demo_app.client.cookies  # used once


def test_a_crafted_link_cannot_sign_a_visitor_in_unasked(demo_app: DemoApp) -> None:
    """Login CSRF: a link with someone else's token only shows whom it would sign in as; a
    confirmation posted from another site is refused; without the pending cookie nothing
    happens."""
    client = demo_app.client
    client.post("/signin", data={"token": demo_app.tokens["kam"]})
    follow_link(demo_app, demo_app.tokens["admin"], "/")
    asked = client.get("/signin/confirm")
    assert "You are signed in as" in asked.text and "kam" in asked.text
    assert client.cookies[SESSION_COOKIE] == demo_app.tokens["kam"]  # unchanged until confirmed
    refused = client.post("/signin/confirm", headers={"Origin": "https://evil.example"},
                          follow_redirects=False)
    assert refused.status_code == 403 and client.cookies[SESSION_COOKIE] == demo_app.tokens["kam"]
    client.cookies.delete(PENDING_COOKIE, path="/signin")
    nothing = client.post("/signin/confirm", data={"next": "/"}, follow_redirects=False)
    assert nothing.headers["location"] == "/signin?next=%2F"
    assert client.get("/signin/confirm", follow_redirects=False).headers["location"] == "/signin?next=%2F"
    assert follow_link(demo_app, "not-a-token", "/").status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", "evil", "", "/signin?next=/x"])
def test_next_never_leads_off_the_site(demo_app: DemoApp, target: str) -> None:
    posted = demo_app.client.post("/signin", data={"token": demo_app.tokens["kam"], "next": target},
                                  follow_redirects=False)
    linked = follow_link(demo_app, demo_app.tokens["kam"], target)
    confirmed = demo_app.client.post("/signin/confirm", data={"next": target}, follow_redirects=False)
    assert posted.headers["location"] == confirmed.headers["location"] == "/"
    assert linked.headers["location"] == "/signin/confirm?next=%2F"


def test_sign_out_needs_the_csrf_token_and_forgets_the_cookie(demo_app: DemoApp) -> None:
    client = demo_app.client
    client.post("/signin", data={"token": demo_app.tokens["kam"]})
    assert client.get("/", follow_redirects=False).status_code == 200
    refused = client.post("/signout", follow_redirects=False)
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert "reload the page and try again" in read(refused.text).texts["main"]
    response = client.post("/signout", data={"csrf_token": csrf(demo_app, "kam")}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/signin"
    assert re.search(rf'{SESSION_COOKIE}=""; .*Max-Age=0', response.headers["set-cookie"])
    assert client.get("/", follow_redirects=False).headers["location"] == "/signin?next=%2F"


ROLES = {"admin": "admin", "rm": "regional manager", "kam": "KAM"}
PAGES = ["/", f"/territories/{TERRITORY}", f"/tenders/{TENDER}", f"/stakeholders/{PERSON}",
         f"/organizations/{ORGANIZATION}", "/search?q=Spir", f"/maps/{TENDER}"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_redirects_to_sign_in_without_a_session(demo_app: DemoApp, url: str) -> None:
    response = demo_app.client.get(url, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/signin?next={quote(url, safe='')}"
    demo_app.client.cookies.set(SESSION_COOKIE, "revoked-or-made-up")
    assert demo_app.client.get(url, follow_redirects=False).status_code == 303


# --- every page, for the admin and for a KAM ---------------------------------------------


@pytest.mark.parametrize("user", ["admin", "rm", "kam"])
@pytest.mark.parametrize("url", PAGES)
def test_every_page_shows_for_every_role_and_fetches_nothing_elsewhere(
        demo_app: DemoApp, user: str, url: str) -> None:
    response = signed_in(demo_app, user).get(url)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert OTHER_HOST.findall(response.text) == []
    if not url.startswith("/maps/"):
        page = read(response.text)
        assert response.headers["cache-control"] == "no-store"
        assert page.texts["search"].endswith("Search") and page.ids["search"]["action"] == "/search"
        assert page.texts["signout"] == "Sign out" and f'value="{csrf(demo_app, user)}"' in response.text
        assert f'<span class="user-name">{user}</span>' in response.text
        assert f'<span class="user-role">{ROLES[user]}</span>' in response.text


def test_home_for_a_kam(demo_app: DemoApp) -> None:
    store, today = scoped(demo_app, "kam"), date.today()
    page = read(signed_in(demo_app, "kam").get("/").text)
    # The territories the KAM covers today (tr-000010 ended on 2026-05-14).
    territories = page.tables["my-territories"]
    assert [row[0] for row in territories.rows] == ["Verkhnedolsk", "Zlatoozersk District", "Svetlogorsk"]
    for row, territory in zip(territories.rows, ["tr-000003", "tr-000007", "tr-000011"], strict=True):
        report = services.coverage_report(store, territory, as_of=today)
        assert row[1:] == [percent(report["coverage_weighted"]), percent(report["coverage_headcount"]),
                           number(report["people"]), number(len(report["gaps"]))]
    assert territories.links[0][0] == ["/territories/tr-000003"]
    plans = services.plan_status(store, at_risk_only=True, as_of=today)["items"]
    assert [row[0] for row in page.tables["plans-at-risk"].rows] == [p["name"] for p in plans] and plans
    closing = page.tables["tenders-closing"]
    tenders = {t.id: t for t in store.iter_nodes("Tender")}
    expected = sorted((t.props["deadline"], t.id) for t in tenders.values()
                      if t.props.get("status") not in ("awarded", "cancelled")
                      and t.props.get("deadline", "9999") <= (today + timedelta(days=60)).isoformat())
    assert [links[0][0] for links in closing.links] == [f"/tenders/{tid}" for _, tid in expected]
    assert "/tenders/t-000011" not in str(closing.links)       # Belolugsk: outside the KAM's scope


def test_home_for_an_admin_and_a_regional_manager(demo_app: DemoApp) -> None:
    admin = read(signed_in(demo_app, "admin").get("/").text)
    assert [row[0] for row in admin.tables["my-territories"].rows] == ["Verkhnedolsk Region"]
    assert "/tenders/t-000011" in str(admin.tables["tenders-closing"].links)
    manager = read(signed_in(demo_app, "rm").get("/").text)
    team = {"am-000001", "am-000002", "am-000003", "am-000004"}
    covered = sorted({r.end for am in team for r in demo_app.store.relationships_of(am, rel_type="COVERS")
                      if r.start == am and is_active(r.props, date.today())})
    assert [links[0][0] for links in manager.tables["my-territories"].links] == [
        f"/territories/{t}" for t in covered]


@pytest.mark.parametrize("user", ["admin", "kam"])
def test_territory_page_equals_the_coverage_report(demo_app: DemoApp, user: str) -> None:
    store, today = scoped(demo_app, user), date.today()
    then = today - timedelta(days=90)
    report = services.coverage_report(store, TERRITORY, compare=then, as_of=today)
    page = read(signed_in(demo_app, user).get(f"/territories/{TERRITORY}").text)
    assert page.texts["coverage-weighted"] == percent(report["coverage_weighted"])
    assert page.texts["coverage-headcount"] == percent(report["coverage_headcount"])
    assert page.texts["people"] == number(report["people"])
    assert page.texts["trend"].startswith(f"Since {then.isoformat()}: weighted "
                                          f"{signed(report['compare']['delta_weighted'] * 100)} points")
    gaps = page.tables["gaps"]
    assert len(gaps.rows) == len(report["gaps"]) > 0
    assert gaps.rows[0][:2] == [report["gaps"][0]["name"], number(report["gaps"][0]["importance"])]
    assert gaps.links[0][0] == [link("stakeholders", report["gaps"][0]["id"])]
    assert [row[0] for row in page.tables["per-kam"].rows] == [
        r["name"] for r in report["by_account_manager"]]
    assert [row[0] for row in page.tables["per-organization"].rows] == [
        r["name"] for r in report["by_organization"]]
    assert page.tables["per-organization"].links[0][0] == [
        link("organizations", report["by_organization"][0]["id"])]
    assert [row[:2] for row in page.tables["entrenched"].rows] == [
        [r["name"], r["competitor"]] for r in report["competitor_entrenched"]]
    assert page.ids["map"]["src"] == f"/maps/{TERRITORY}"


def test_territory_compare_date_and_a_bad_one(demo_app: DemoApp) -> None:
    client = signed_in(demo_app, "kam")
    then = date.today() - timedelta(days=200)
    page = read(client.get(f"/territories/{TERRITORY}", params={"compare": then.isoformat()}).text)
    assert page.texts["trend"].startswith(f"Since {then.isoformat()}:")
    assert page.tables["gaps"].csv_href == f"/territories/{TERRITORY}?compare={then.isoformat()}&csv=gaps"
    bad = client.get(f"/territories/{TERRITORY}", params={"compare": "yesterday"})
    assert bad.status_code == 422 and "text/html" in bad.headers["content-type"]
    assert "compare: Input should be a valid date" in read(bad.text).texts["main"]


@pytest.mark.parametrize("user", ["admin", "kam"])
def test_tender_page_equals_tender_influence_and_next_best(demo_app: DemoApp, user: str) -> None:
    store, today = scoped(demo_app, user), date.today()
    result = services.tender_influence(store, TENDER, as_of=today)
    best = services.next_best(store, TENDER, as_of=today)
    page = read(signed_in(demo_app, user).get(f"/tenders/{TENDER}").text)
    assert page.texts["status"] == "evaluation" and page.texts["quiet-period"].startswith("yes")
    assert page.texts["issuer"] == "Ministry of Health of Verkhnedolsk Region"
    assert page.texts["support-balance"] == signed(result["support_balance"])
    assert page.texts["tender-coverage"] == percent(result["coverage"])
    assert page.texts["competitor-exposure"] == percent(result["competitor_exposure"])
    ranking = page.tables["ranking"]
    assert ranking.columns[:5] == ["Person", "Roles", "Stance", "Our relationship", "Influence"]
    assert len(ranking.rows) == min(25, len(result["items"]))
    first, ours = result["items"][0], result["items"][0]["relationship"]
    manager = store.get_node(ours["account_manager"]) if ours else None
    assert ranking.rows[0][:5] == [first["name"], ", ".join(first["role"]), first["stance"],
                                   f"{manager.name} ({ours['stage']})" if manager else "",
                                   percent(first["score"])]
    assert ranking.links[0][0] == [link("stakeholders", first["id"])]
    assert [row[0] for row in ranking.rows] == [item["name"] for item in result["items"][:25]]
    nexts = page.tables["next-best"]
    assert [row[0] for row in nexts.rows] == [item["name"] for item in best["items"]] and best["items"]
    path = best["items"][0]["path"]["nodes"]
    # The path's people are links; the account manager who opens it has no page.
    assert nexts.links[0][2] == [link("stakeholders", node) for node in path[1:]]
    assert nexts.rows[0][2] == " → ".join(store.get_node(node).name for node in path)
    assert any("Quiet period" in w and "10 role holders" in w for w in page.boxes["warning"])
    conflicts = [item for item in result["items"] if "conflict_of_interest" in item["flags"]]
    assert len([w for w in page.boxes["warning"] if w.startswith("Conflict of interest")]) == len(conflicts)
    assert page.ids["map"]["src"] == f"/maps/{TENDER}"


def test_tender_warnings_name_every_conflict_of_interest(demo_app: DemoApp) -> None:
    tender = "t-000018"     # in evaluation; two role holders are aligned elsewhere
    result = services.tender_influence(demo_app.store, tender, as_of=date.today())
    conflicts = [item for item in result["items"] if "conflict_of_interest" in item["flags"]]
    page = read(signed_in(demo_app, "admin").get(f"/tenders/{tender}").text)
    assert len(conflicts) == 2
    assert page.boxes["warning"][1:] == [
        f"Conflict of interest: {item['name']} ({', '.join(item['role'])}) is aligned with "
        f"{item['competitor'] or 'our own company'}. Disclose it." for item in conflicts]
    assert page.boxes["warning"][0].startswith(f"Quiet period on {date.today().isoformat()} (status "
                                               "evaluation")
    flagged = {row[0]: row[6] for row in page.tables["ranking"].rows}
    assert [flagged[item["name"]] for item in conflicts] == ["quiet period, conflict of interest"] * 2


def test_stakeholder_page_for_a_kam(demo_app: DemoApp) -> None:
    store, today = scoped(demo_app, "kam"), date.today()
    found = profile.stakeholder_profile(store, PERSON, as_of=today)
    paths = services.warm_paths(store, PERSON, as_of=today)
    response = signed_in(demo_app, "kam").get(f"/stakeholders/{PERSON}")
    page = read(response.text)
    assert page.texts["main"].startswith("Kirill Andreyevich Spiridonov")
    assert "First Deputy Minister of Health" in page.texts["profile"]
    assert "k.spiridonov@mohovr.verkhnedolsk.example" in page.texts["personal"]
    assert [row[:3] for row in page.tables["team-relationships"].rows] == [
        [r["account_manager"]["name"], r["stage"], number(r["strength"])] for r in found["team"]]
    assert [row[:2] for row in page.tables["influencers"].rows] == [
        [r["person"]["name"], number(r["weight"])] for r in found["influencers"]]
    assert [row[0] for row in page.tables["influenced"].rows] == [
        r["person"]["name"] for r in found["influenced"]]
    assert len(page.tables["relationships"].rows) == len(found["relationships"])
    assert [row[0] for row in page.tables["warm-paths"].rows] == [
        " → ".join(store.get_node(n).name for n in p["nodes"]) for p in paths["paths"]]
    assert [row[0] for row in page.tables["interactions"].rows] == [
        (i["date"] or "")[:10] for i in found["interactions"]]
    assert page.ids["log-interaction"]["action"] == f"/stakeholders/{PERSON}/interactions"
    assert page.ids["change-stage"]["action"] == f"/stakeholders/{PERSON}/stage"
    assert page.ids["ix-date"]["value"] == today.isoformat()
    assert "account_manager" not in response.text                  # a KAM records their own work
    assert page.ids["map"]["src"] == f"/maps/{PERSON}"
    assert page.ids["warm-path-map"]["href"] == f"/maps/{PERSON}?warm_paths=1"
    assert page.boxes["warning"] == activity.quiet_warnings(store, PERSON, today) != []


def test_organization_page(demo_app: DemoApp) -> None:
    store, today = scoped(demo_app, "kam"), date.today()
    found = profile.organization_profile(store, ORGANIZATION, as_of=today)
    page = read(signed_in(demo_app, "kam").get(f"/organizations/{ORGANIZATION}").text)
    assert page.texts["territory"] == "Verkhnedolsk"
    staff = page.tables["staff"]
    assert [row[0] for row in staff.rows] == [s["person"]["name"] for s in found["staff"]]
    assert len(staff.rows) == len([r for r in store.relationships_of(ORGANIZATION, rel_type="WORKS_AT")
                                   if r.end == ORGANIZATION and is_active(r.props, today)]) > 10
    assert [row[5] for row in staff.rows] == ["yes" if s["covered"] else "" for s in found["staff"]]
    assert f"/tenders/{TENDER}" in str(page.tables["tenders"].links)


def test_search_is_scoped_and_links_by_label(demo_app: DemoApp) -> None:
    page = read(signed_in(demo_app, "kam").get("/search", params={"q": "Spiridonov"}).text)
    results = page.tables["results"]
    assert results.rows[0] == ["Kirill Andreyevich Spiridonov", "stakeholder",
                               "Ministry of Health of Verkhnedolsk Region"]
    assert results.links[0] == [[link("stakeholders", PERSON)], [], [link("organizations", ORGANIZATION)]]
    far = outside(demo_app)
    assert read(signed_in(demo_app, "kam").get("/search?q=Farfield").text).tables["results"].rows == []
    admin = read(signed_in(demo_app, "admin").get("/search?q=Farfield").text)
    assert admin.tables["results"].links[0][0] == [link("stakeholders", far["stakeholder"])]


def test_maps_are_served_for_the_iframes(demo_app: DemoApp) -> None:
    client = signed_in(demo_app, "kam")
    for url in (f"/maps/{TENDER}", f"/maps/{TERRITORY}", f"/maps/{PERSON}", f"/maps/{PERSON}?warm_paths=1"):
        response = client.get(url)
        assert response.status_code == 200 and "kamgraphMap" in response.text
        assert OTHER_HOST.findall(response.text) == []
    wrong = client.get(f"/maps/{ORGANIZATION}")
    assert wrong.status_code == 404
    assert "No tender, territory or stakeholder" in read(wrong.text).texts["main"]


# --- scope: outside it, nothing exists ---------------------------------------------------


def outside(app: DemoApp) -> dict[str, str]:
    """A territory, hospital, doctor and tender no KAM covers (written with the admin store)."""
    app.store.upsert([Node("Territory", "tr-far", "Farfield Region", {"level": "region"}),
                      Node("Organization", "o-far", "Farfield Hospital", {"type": "hospital"}),
                      Node("Stakeholder", "s-far", "Dr. Farfield", {"email": "far@example.org"}),
                      Node("Tender", "t-far", "Farfield Tender", {"status": "published",
                                                                  "deadline": date.today().isoformat()})],
                     [Relationship("LOCATED_IN", "o-far", "tr-far"),
                      Relationship("WORKS_AT", "s-far", "o-far"), Relationship("ISSUED_BY", "t-far", "o-far"),
                      Relationship("ROLE_IN", "s-far", "t-far", {"role": "approver"})])
    return OUTSIDE


@pytest.mark.parametrize("kind, path", [("territory", "territories"), ("organization", "organizations"),
                                        ("stakeholder", "stakeholders"), ("tender", "tenders"),
                                        ("stakeholder", "maps"), ("tender", "maps")])
def test_outside_the_scope_every_page_is_a_friendly_404(demo_app: DemoApp, kind: str, path: str) -> None:
    url = f"/{path}/{outside(demo_app)[kind]}"
    response = signed_in(demo_app, "kam").get(url)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    page = read(response.text)
    assert page.texts["main"].startswith("Not found") and "Traceback" not in response.text
    assert page.ids["search"] is not None                         # the layout, signed in
    assert "Farfield" not in response.text
    assert signed_in(demo_app, "kam").get(url, params={"csv": "staff"}).status_code == 404
    assert signed_in(demo_app, "admin").get(url).status_code == 200


def test_unknown_ids_and_tables_are_404_pages(demo_app: DemoApp) -> None:
    client = signed_in(demo_app, "admin")
    for url in ("/tenders/t-nobody", f"/tenders/{PERSON}", "/stakeholders/s-nobody",
                f"/tenders/{TENDER}?csv=x"):
        response = client.get(url)
        assert response.status_code == 404 and "text/html" in response.headers["content-type"]
    assert "(it is a stakeholder)" in client.get(f"/tenders/{PERSON}").text
    assert client.get("/api/v1/nodes/t-nobody", headers=demo_app.auth("admin")).headers[
        "content-type"].startswith("application/json")


# --- the forms ----------------------------------------------------------------------------


def interactions_with(app: DemoApp, person: str) -> list[dict[str, Any]]:
    return activity.interaction_history(app.store, person)["items"]


def quiet_free_person(app: DemoApp, user: str) -> str:
    """A person in the user's scope without any quiet period today."""
    store = scoped(app, user)
    for node in store.list_nodes("Stakeholder", limit=40):
        if not activity.quiet_warnings(store, node.id, date.today()):
            return node.id
    raise AssertionError("every person is in a quiet period")


def test_logging_an_interaction_needs_the_csrf_token(demo_app: DemoApp) -> None:
    before = interactions_with(demo_app, PERSON)
    response = signed_in(demo_app, "kam").post(f"/stakeholders/{PERSON}/interactions",
                                               data={"channel": "visit", "summary": "no token"},
                                               follow_redirects=False)
    assert response.status_code == 403 and "text/html" in response.headers["content-type"]
    wrong = signed_in(demo_app, "kam").post(f"/stakeholders/{PERSON}/stage",
                                            data={"stage": "advocate", "csrf_token": csrf(demo_app, "kam2")})
    assert wrong.status_code == 403
    assert interactions_with(demo_app, PERSON) == before


def test_a_logged_interaction_is_stored_and_shown_newest_first(demo_app: DemoApp) -> None:
    person, today = quiet_free_person(demo_app, "kam"), date.today()
    client = signed_in(demo_app, "kam")
    response = client.post(f"/stakeholders/{person}/interactions", follow_redirects=False, data={
        "csrf_token": csrf(demo_app, "kam"), "date": today.isoformat(), "channel": "call",
        "summary": f"Discussed the formulary with {CYRILLIC}", "outcome": "Send the dossier"})
    assert response.status_code == 303 and response.headers["location"] == f"/stakeholders/{person}?logged=1"
    newest = interactions_with(demo_app, person)[0]
    assert (newest["date"], newest["channel"], newest["account_manager"]["id"]) == (today.isoformat(), "call",
                                                                                     KAM)
    page = read(client.get(response.headers["location"]).text)
    assert page.boxes["flash"] == ["Interaction logged."] and page.boxes["warning"] == []
    assert page.tables["interactions"].rows[0] == [
        today.isoformat(), "call", "Ksenia Andreyevna Zakharova", f"Discussed the formulary with {CYRILLIC}",
        "Send the dossier"]
    team = {row[0]: row for row in page.tables["team-relationships"].rows}
    assert team["Ksenia Andreyevna Zakharova"][4] == today.isoformat()       # last contact moved on


def test_logging_with_a_quiet_period_role_holder_warns(demo_app: DemoApp) -> None:
    client = signed_in(demo_app, "kam")
    day = date.today() - timedelta(days=1)
    response = client.post(f"/stakeholders/{PERSON}/interactions", follow_redirects=False, data={
        "csrf_token": csrf(demo_app, "kam"), "date": day.isoformat(), "channel": "visit"})
    assert response.headers["location"] == f"/stakeholders/{PERSON}?logged=1&day={day.isoformat()}"
    page = read(client.get(response.headers["location"]).text)
    expected = activity.quiet_warnings(scoped(demo_app, "kam"), PERSON, day)
    assert page.boxes["flash"] == ["Interaction logged."]
    assert expected and all(warning in page.boxes["warning"] for warning in expected)
    assert all("quiet period" in warning for warning in page.boxes["warning"])


def test_changing_the_stage(demo_app: DemoApp) -> None:
    person = quiet_free_person(demo_app, "kam")
    client = signed_in(demo_app, "kam")
    response = client.post(f"/stakeholders/{person}/stage", follow_redirects=False,
                           data={"csrf_token": csrf(demo_app, "kam"), "stage": "advocate"})
    assert response.status_code == 303 and response.headers["location"] == f"/stakeholders/{person}?staged=1"
    [relates] = [r for r in demo_app.store.relationships_of(person, rel_type="RELATES_TO") if r.start == KAM]
    assert relates.props["stage"] == "advocate"
    page = read(client.get(response.headers["location"]).text)
    assert page.boxes["flash"] == ["Stage changed."]
    assert ["Ksenia Andreyevna Zakharova", "advocate"] in [row[:2] for row in
                                                           page.tables["team-relationships"].rows]
    assert 'value="advocate" selected' in client.get(f"/stakeholders/{person}").text


def test_forms_refuse_what_the_user_may_not_do(demo_app: DemoApp) -> None:
    far = outside(demo_app)["stakeholder"]
    client, token = signed_in(demo_app, "kam"), csrf(demo_app, "kam")
    response = client.post(f"/stakeholders/{far}/interactions",
                           data={"csrf_token": token, "channel": "visit"})
    assert response.status_code == 403 and "outside your territories" in response.text
    assert interactions_with(demo_app, far) == []
    other = client.post(f"/stakeholders/{PERSON}/stage", data={"csrf_token": token, "stage": "advocate",
                                                               "account_manager": "am-000003"})
    assert other.status_code == 403 and "your own work" in other.text
    bad = client.post(f"/stakeholders/{PERSON}/interactions", data={"csrf_token": token, "channel": "fax"})
    assert bad.status_code == 422 and "&#39;fax&#39; is not one of visit" in bad.text
    stage = client.post(f"/stakeholders/{PERSON}/stage", data={"csrf_token": token, "stage": "best friend"})
    assert stage.status_code == 422


def test_an_admin_names_the_account_manager(demo_app: DemoApp) -> None:
    person = quiet_free_person(demo_app, "admin")
    client, token = signed_in(demo_app, "admin"), csrf(demo_app, "admin")
    page = read(client.get(f"/stakeholders/{person}").text)
    assert page.ids["ix-am"]["name"] == "account_manager" and page.ids["st-am"]["name"] == "account_manager"
    missing = client.post(f"/stakeholders/{person}/interactions",
                          data={"csrf_token": token, "channel": "visit"})
    assert missing.status_code == 422 and "name the account manager" in missing.text
    done = client.post(f"/stakeholders/{person}/interactions", follow_redirects=False,
                       data={"csrf_token": token, "channel": "email", "account_manager": "am-000003"})
    assert done.status_code == 303
    assert interactions_with(demo_app, person)[0]["account_manager"]["id"] == "am-000003"


# --- CSV export ---------------------------------------------------------------------------


def csv_rows(response: Any) -> list[list[str]]:
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("url", ["/", f"/territories/{TERRITORY}", f"/tenders/{TENDER}",
                                 f"/stakeholders/{PERSON}", f"/organizations/{ORGANIZATION}",
                                 "/search?q=Verkh"])
def test_csv_of_every_table_equals_its_html_rows(demo_app: DemoApp, url: str) -> None:
    client = signed_in(demo_app, "kam")
    page = read(client.get(url).text)
    assert page.tables
    for table_id, table in page.tables.items():
        assert table.csv_href is not None and table.csv_href.endswith(f"csv={table_id}")
        response = client.get(table.csv_href)
        disposition = response.headers["content-disposition"]
        assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+\.csv"', disposition), disposition
        assert table_id in disposition
        assert csv_rows(response) == [table.columns, *table.rows], table_id


def test_csv_keeps_the_other_query_parameters(demo_app: DemoApp) -> None:
    client = signed_in(demo_app, "kam")
    page = read(client.get(f"/tenders/{TENDER}", params={"top": 5}).text)
    assert page.tables["ranking"].csv_href == f"/tenders/{TENDER}?top=5&csv=ranking"
    rows = csv_rows(client.get(page.tables["ranking"].csv_href))
    assert len(rows) == 1 + 5 and rows[1:] == page.tables["ranking"].rows


# --- names in any script, hostile names, formulas ----------------------------------------


def test_names_in_any_script_render_unchanged_and_hostile_ones_stay_inert(demo_app: DemoApp) -> None:
    people = {"s-cyr": CYRILLIC, "s-ar": ARABIC, "s-bad": HOSTILE, "s-formula": FORMULA}
    demo_app.store.upsert([Node("Stakeholder", pid, name, {"title": name}) for pid, name in people.items()],
                          [Relationship("WORKS_AT", pid, ORGANIZATION, {"position": name})
                           for pid, name in people.items()])
    client = signed_in(demo_app, "kam")
    for pid, name in people.items():
        response = client.get(f"/stakeholders/{pid}")
        assert response.status_code == 200
        assert read(response.text).texts["main"].startswith(name)
        assert "<script>window.__pwned" not in response.text and "<img src=x" not in response.text
    staff = read(client.get(f"/organizations/{ORGANIZATION}").text).tables["staff"]
    assert {CYRILLIC, ARABIC, HOSTILE, FORMULA} <= {row[0] for row in staff.rows}
    exported = csv_rows(client.get(f"/organizations/{ORGANIZATION}?csv=staff"))
    names = {row[0] for row in exported}
    assert {CYRILLIC, ARABIC, HOSTILE, "'" + FORMULA} <= names and FORMULA not in names
