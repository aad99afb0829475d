"""Signing in and out of the pages with the session cookie.

The cookie holds the user's token itself (HTTP-only, ``SameSite=Lax``, ``Secure`` over https,
for the browser session): the store keeps only token hashes, so there is no server-side
session to create or expire, and revoking a user (``kamgraph user revoke``) signs them out at
once. ``next`` is followed only when it is a path on this site.

Wrong tokens are limited per client address (``api.security.SignInLimiter``: 429 with
``Retry-After``). A sign-in form posted from another site (its ``Origin`` is not this app)
is refused, so no site can sign a visitor in under someone else's name.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import SESSION_COOKIE, CsrfToken, StoreDep
from api.pages.render import PageRoute, page
from kamgraph import users

router = APIRouter(route_class=PageRoute)

BAD_TOKEN = "That token is not valid, or it was revoked. Check it and try again."
TOO_MANY = "Too many wrong tokens from your address: try again in {seconds} s."


@router.get("/signin")
def signin_form(request: Request, store: StoreDep, token: str | None = None,
                next: str = "/") -> Response:
    """The sign-in form; with ``?token=`` (the link `kamgraph serve` prints) it signs in at once."""
    if token is not None:
        return _sign_in(request, store, token, next)
    return page(request, None, "signin.html", title="Sign in", next=local_path(next), error=None)


@router.post("/signin")
def signin(request: Request, store: StoreDep, token: Annotated[str, Form()] = "",
           next: Annotated[str, Form()] = "/") -> Response:
    """Check the token; on success set the session cookie and go on to ``next``."""
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(403, "sign-in forms are accepted from this site only")
    return _sign_in(request, store, token, next)


@router.post("/signout")
def signout(_csrf: CsrfToken) -> Response:
    """Forget the session cookie and go back to the sign-in form."""
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


def _sign_in(request: Request, store: StoreDep, token: str, next_url: str) -> Response:
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
    # 303: the browser follows with a GET, so the token leaves the address bar and the history.
    response = RedirectResponse(local_path(next_url), status_code=303)
    response.set_cookie(SESSION_COOKIE, token.strip(), httponly=True, samesite="lax", path="/",
                        secure=request.url.scheme == "https")
    return response


def local_path(target: str | None) -> str:
    """``target`` when it is a path on this site, else ``/``: never another host (``//host``,
    ``/\\host`` and ``https://host`` are refused), never back to the sign-in page."""
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in target) or target.startswith("/signin")):
        return "/"
    return target
