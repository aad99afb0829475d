"""Security headers on pages, maps and the API; sign-in limited and accepted from this site only."""

from __future__ import annotations

import base64
import hashlib
import re

from api.security import PAGE_POLICY, SignInLimiter, map_policy
from tests.api.conftest import DemoApp


def sign_in(demo: DemoApp, user: str) -> None:
    demo.client.cookies.set("kamgraph_session", demo.tokens[user])


def test_pages_forbid_inline_scripts_framing_and_other_hosts(demo_app: DemoApp) -> None:
    sign_in(demo_app, "kam")
    for path in ("/", "/signin", "/search?q=a", "/no-such-page"):
        headers = demo_app.client.get(path, follow_redirects=False).headers
        assert headers["content-security-policy"] == PAGE_POLICY, path
        assert "'unsafe-inline'" not in PAGE_POLICY and "frame-ancestors 'none'" in PAGE_POLICY
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_a_map_runs_exactly_its_own_inline_scripts(demo_app: DemoApp) -> None:
    sign_in(demo_app, "admin")
    for response in (demo_app.client.get("/maps/t-000005"),
                     demo_app.client.get("/api/v1/maps/t-000005", headers=demo_app.auth("admin"))):
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        scripts = re.findall(r"<script[^>]*>(.*?)</script>", response.text, re.S)
        expected = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
                    for s in scripts}
        allowed = set(re.search(r"script-src ([^;]*)", policy).group(1).split())
        assert allowed == expected and len(expected) >= 2  # vis-network and the map's own code
        assert "frame-ancestors 'self'" in policy and "default-src 'none'" in policy
        assert response.headers["x-frame-options"] == "SAMEORIGIN"


def test_map_policy_hashes_inline_scripts_only() -> None:
    policy = map_policy('<script src="x.js"></script><script>alert(1)</script>')
    digest = base64.b64encode(hashlib.sha256(b"alert(1)").digest()).decode()
    assert f"script-src 'sha256-{digest}';" in policy


def test_the_api_answers_carry_the_headers_too(demo_app: DemoApp) -> None:
    headers = demo_app.client.get("/api/v1/me", headers=demo_app.auth("kam")).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"] == PAGE_POLICY


def test_wrong_tokens_are_limited_per_address_and_a_right_one_then_waits_too(demo_app: DemoApp) -> None:
    for _ in range(10):
        assert demo_app.client.post("/signin", data={"token": "wrong"}).status_code == 401
    refused = demo_app.client.post("/signin", data={"token": demo_app.tokens["admin"]},
                                   follow_redirects=False)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 61
    assert "kamgraph_session" not in refused.cookies
    link = demo_app.client.get("/signin", params={"token": demo_app.tokens["admin"]},
                               follow_redirects=False)
    assert link.status_code == 429


def test_the_limit_forgets_failures_once_the_window_has_passed() -> None:
    now = [1000.0]
    limiter = SignInLimiter(failures=3, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        limiter.failed("10.0.0.1")
    assert limiter.retry_after("10.0.0.1") == 61
    assert limiter.retry_after("10.0.0.2") == 0
    now[0] += 30
    assert limiter.retry_after("10.0.0.1") == 31
    now[0] += 31
    assert limiter.retry_after("10.0.0.1") == 0


def test_a_sign_in_form_posted_from_another_site_is_refused(demo_app: DemoApp) -> None:
    foreign = demo_app.client.post("/signin", data={"token": demo_app.tokens["admin"]},
                                   headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert foreign.status_code == 403 and "kamgraph_session" not in foreign.cookies
    own = demo_app.client.post("/signin", data={"token": demo_app.tokens["admin"]},
                               headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert own.status_code == 303 and "kamgraph_session" in own.cookies


def test_a_revoked_token_stops_working_at_once(demo_app: DemoApp) -> None:
    from kamgraph import users

    headers = demo_app.auth("kam2")
    assert demo_app.client.get("/api/v1/me", headers=headers).status_code == 200
    users.revoke(demo_app.store, "kam2")
    assert demo_app.client.get("/api/v1/me", headers=headers).status_code == 401
    sign_in(demo_app, "kam2")
    assert demo_app.client.get("/", follow_redirects=False).status_code == 303
