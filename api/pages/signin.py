"""Signing in and out of the pages with the session cookie.

The cookie holds the user's token itself (HTTP-only, ``SameSite=Lax``, ``Secure`` over https,
for the browser session): the store keeps only token hashes, so there is no server-side
session to create or expire, and revoking a user (``kamgraph user revoke``) signs them out at
once. ``next`` is followed only when it is a path on this site.

Wrong tokens are limited per client address (``api.security.SignInLimiter``: 429 with
``Retry-After``). A sign-in form posted from another site (its ``Origin`` is not this app)
is refused, so no site can sign a visitor in under someone else's name.

The link ``kamgraph serve`` prints (``/signin?token=...``) does not sign in by itself: anyone
can send a link, and one carrying *their* token would sign the visitor in as them (login
CSRF: what the visitor then writes lands in the sender's account). The link keeps the token
in a short-lived pending cookie (HTTP-only, ``SameSite=Lax``, path ``/signin``, ten minutes),
takes it out of the address bar, and shows whom it signs in as; only the visitor's click on
"Sign in as ..." (a same-site form) sets the session.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Cookie, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import SESSION_COOKIE, CsrfToken, StoreDep
from api.pages.render import PageRoute, page
from kamgraph import users

router = APIRouter(route_class=PageRoute)

PENDING_COOKIE = "kamgraph_pending"
PENDING_SECONDS = 600
BAD_TOKEN = "That token is not valid, or it was revoked. Check it and try again."
TOO_MANY = "Too many wrong tokens from your address: try again in {seconds} s."


@router.get("/signin")
def signin_form(request: Request, store: StoreDep, token: str | None = None,
                next: str = "/") -> Response:
    """The sign-in form; with ``?token=`` (the link `kamgraph serve` prints) the confirmation
    of whom the link signs in as (module doc)."""
    if token is not None:
        return _sign_in(request, store, token, next, confirm=True)
    return page(request, None, "signin.html", title="Sign in", next=local_path(next), error=None)


@router.post("/signin")
def signin(request: Request, store: StoreDep, token: Annotated[str, Form()] = "",
           next: Annotated[str, Form()] = "/") -> Response:
    """Check the token; on success set the session cookie and go on to ``next``."""
    _same_site_only(request)
    return _sign_in(request, store, token, next)


@router.get("/signin/confirm")
def confirm_form(request: Request, store: StoreDep, next: str = "/",
                 pending: Annotated[str | None, Cookie(alias=PENDING_COOKIE)] = None) -> Response:
    """Whom the link signs in as, and who is signed in now, with the button that confirms."""
    user = users.authenticate(store, pending) if pending else None
    if user is None:  # expired, revoked, or no link followed
        return RedirectResponse(f"/signin?next={quote(local_path(next), safe='')}", status_code=303)
    session = request.cookies.get(SESSION_COOKIE)
    current = users.authenticate(store, session) if session else None
    return page(request, None, "signin_confirm.html", title="Sign in", next=local_path(next),
                pending_user=user, current=current)


@router.post("/signin/confirm")
def confirm(request: Request, store: StoreDep, next: Annotated[str, Form()] = "/",
            pending: Annotated[str | None, Cookie(alias=PENDING_COOKIE)] = None) -> Response:
    """The visitor confirmed: the pending token becomes the session."""
    _same_site_only(request)
    if not pending or users.authenticate(store, pending) is None:
        return RedirectResponse(f"/signin?next={quote(local_path(next), safe='')}", status_code=303)
    response = _signed_in(request, pending, next)
    response.delete_cookie(PENDING_COOKIE, path="/signin", httponly=True, samesite="lax")
    return response


@router.post("/signout")
def signout(_csrf: CsrfToken) -> Response:
    """Forget the session cookie and go back to the sign-in form."""
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


def _same_site_only(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(403, "sign-in forms are accepted from this site only")


def _sign_in(request: Request, store: StoreDep, token: str, next_url: str, *,
             confirm: bool = False) -> Response:
    limiter = request.app.state.sign_in_limiter
    client = request.client.host if request.client else "unknown"
    if wait := limiter.retry_after(client):
        response = page(request, None, "signin.html", title="Sign in", next=local_path(next_url),
                        error=TOO_MANY.format(seconds=wait), status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    if users.authenticate(store, token.strip()) is None:
        limiter.failed(client)
        return page(request, None, "signin.html", title="Sign in", next=local_path(next_url),
                    error=BAD_TOKEN, status_code=401)
    if confirm:  # 303: the browser follows with a GET, so the token leaves the address bar
        response = RedirectResponse(f"/signin/confirm?next={quote(local_path(next_url), safe='')}",
                                    status_code=303)
        response.set_cookie(PENDING_COOKIE, token.strip(), max_age=PENDING_SECONDS, httponly=True,
                            samesite="lax", path="/signin", secure=secure_cookies(request))
        return response
    return _signed_in(request, token.strip(), next_url)


def _signed_in(request: Request, token: str, next_url: str) -> Response:
    # 303: the browser follows with a GET, so the token leaves the address bar and the history.
    response = RedirectResponse(local_path(next_url), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                        secure=secure_cookies(request))
    return response


def secure_cookies(request: Request) -> bool:
    """Whether cookies are ``Secure``: over https, or always with ``KAMGRAPH_SECURE_COOKIES``."""
    return request.url.scheme == "https" or request.app.state.settings.secure_cookies


def local_path(target: str | None) -> str:
    """``target`` when it is a path on this site, else ``/``: never another host (``//host``,
    ``/\\host`` and ``https://host`` are refused), never back to the sign-in page."""
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in target) or target.startswith("/signin")):
        return "/"
    return target
