"""The README's quick start as a new user meets it: `kamgraph serve` on an empty store prints a
link; opened in Chromium, it lands on the home page, signed in, with nothing fetched from any
host but the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.test_serve import LINK, serving


def test_the_printed_link_opens_the_home_page_signed_in(chromium: Any, tmp_path: Path) -> None:
    with serving(tmp_path / "kamgraph.db", tmp_path) as server:
        link = LINK.search(server.output())
        assert link is not None, server.output()
        app_host = urlsplit(server.base).netloc
        context = chromium.new_context()
        foreign: list[str] = []

        def only_the_app(route: Any) -> None:
            if urlsplit(route.request.url).netloc == app_host:
                route.continue_()
            else:
                foreign.append(route.request.url)
                route.abort()

        context.route("**/*", only_the_app)
        page = context.new_page()
        page.goto(link.group(0))
        page.wait_for_url("**/signin/confirm*")  # the link asks before it signs in
        confirming = page.locator("form#signin-confirm").inner_text()
        page.click("form#signin-confirm button[type=submit]")
        page.wait_for_url(f"{urlsplit(link.group(0)).scheme}://{app_host}/")
        page.wait_for_load_state("load")
        url = urlsplit(page.url)
        heading = page.locator("h1").first.inner_text()
        header = page.locator("header").first.inner_text()
        cookies = {c["name"]: c for c in context.cookies()}
        context.close()
    assert "signs you in as admin" in confirming
    assert (url.path, url.query) == ("/", ""), "the token leaves the address bar"
    assert heading.strip() != "" and "sign in" not in heading.lower()
    assert "admin" in header
    session = cookies["kamgraph_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert foreign == []
