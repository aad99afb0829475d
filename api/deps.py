"""Dependencies the routes declare: the store, the signed-in user and what they may see.

Two ways to sign in, kept apart so that neither can be used for the other's job:

- the JSON API (``/api/v1``) takes ``Authorization: Bearer TOKEN`` only; a browser's
  cookie does not work there, so no other site can make a signed-in browser call it;
- the pages take the HTTP-only ``SameSite=Lax`` session cookie set by ``/signin``, and
  every form they post carries a CSRF token derived from the session (checked by
  :func:`check_csrf`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kamgraph import audit, users
from kamgraph.cache import AnalysisCache
from kamgraph.scope import Scope, ScopedStore, scope_of, team_of
from kamgraph.store import GraphStore

__all__ = ["CSRF_FIELD", "SESSION_COOKIE", "CacheDep", "CsrfToken", "CurrentUser", "PageStore",
           "PageUser", "ScopedStoreDep", "SignInNeeded", "StoreDep", "csrf_token", "get_cache"]

SESSION_COOKIE = "kamgraph_session"
CSRF_FIELD = "csrf_token"
SCOPE_CACHE_SIZE = 256

# auto_error=False: a missing header is our 401 with WWW-Authenticate, not FastAPI's own.
bearer = HTTPBearer(auto_error=False, description="An API token from `kamgraph user add`.")


class SignInNeeded(Exception):
    """A page was asked for without a valid session: the app redirects to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def get_store(request: Request) -> GraphStore:
    return request.app.state.store  # type: ignore[no-any-return]


StoreDep = Annotated[GraphStore, Depends(get_store)]


def get_cache(request: Request) -> AnalysisCache | None:
    """The app's analysis cache (``kamgraph.cache``); ``None`` in an app without one."""
    return getattr(request.app.state, "cache", None)


CacheDep = Annotated[AnalysisCache | None, Depends(get_cache)]


def get_current_user(
    store: StoreDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> users.User:
    """The user whose token is in ``Authorization: Bearer``; 401 when missing, wrong or revoked."""
    user = users.authenticate(store, credentials.credentials) if credentials else None
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a valid API token is needed",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


CurrentUser = Annotated[users.User, Depends(get_current_user)]


def get_page_user(request: Request, store: StoreDep) -> users.User:
    """The user of the session cookie; without one, the page redirects to sign-in."""
    token = request.cookies.get(SESSION_COOKIE, "")
    user = users.authenticate(store, token)
    if user is None:
        raise SignInNeeded(str(request.url.path) + (f"?{request.url.query}" if request.url.query
                                                    else ""))
    return user


PageUser = Annotated[users.User, Depends(get_page_user)]


@dataclass(slots=True)
class _KnownScope:
    """A computed scope, the ids it was derived from and the graph version read before."""

    scope: Scope
    ids: frozenset[str]
    version: int


def user_scope(request: Request, store: GraphStore, user: users.User) -> Scope:
    """The user's scope, cached per day until a write touches it (``kamgraph.cache`` argues why
    that is exact: the scope is walked from the user's team along relationships, so a write
    that changes it touches the team or one of the scope's ids)."""
    cache: dict[tuple[str, str, str | None, date], _KnownScope] = request.app.state.scopes
    key = (user.name, user.role, user.account_manager, date.today())
    known = cache.get(key)
    now = store.graph_version()
    if known is not None and (known.version == now or not store.changed_since(known.ids,
                                                                              known.version)):
        known.version = now
        return known.scope
    if len(cache) >= SCOPE_CACHE_SIZE:
        cache.clear()
    scope = scope_of(store, user)
    team = team_of(store, user, key[3]) if not scope.everything else set()
    cache[key] = _KnownScope(scope, scope.ids | team, now)
    return scope


async def get_scoped_store(request: Request, store: StoreDep, user: CurrentUser) -> ScopedStore:
    """The store as the API caller may see it (see ``kamgraph.scope``)."""
    return await _acting_store(request, store, user)


async def get_page_store(request: Request, store: StoreDep, user: PageUser) -> ScopedStore:
    """The store as the signed-in browser user may see it."""
    return await _acting_store(request, store, user)


async def _acting_store(request: Request, store: GraphStore, user: users.User) -> ScopedStore:
    """The user's view, and the user named as the one acting for the rest of the request.

    Async so that the name is set in the request's own context: the route, which FastAPI runs
    in a worker thread afterwards, gets a copy of it, so whatever it writes (through the view
    or the store behind it) is logged under the user (``kamgraph.audit``)."""
    scope = await run_in_threadpool(user_scope, request, store, user)
    audit.set_actor(user.name)
    return ScopedStore(store, scope, actor=user.name)


ScopedStoreDep = Annotated[ScopedStore, Depends(get_scoped_store)]
PageStore = Annotated[ScopedStore, Depends(get_page_store)]


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: an HMAC of a fixed text keyed by the session token.

    Another site can make the browser send the cookie but cannot read it, so it cannot
    compute this value; nothing needs to be stored on the server.
    """
    return hmac.new(session_token.encode(), b"kamgraph-csrf", hashlib.sha256).hexdigest()


def check_csrf(request: Request, token: Annotated[str, Form(alias=CSRF_FIELD)] = "") -> None:
    """403 unless the posted form carries this session's CSRF token."""
    session = request.cookies.get(SESSION_COOKIE, "")
    if not session or not hmac.compare_digest(token, csrf_token(session)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the form is stale or not from this site; "
                            "reload the page and try again")


CsrfToken = Annotated[None, Depends(check_csrf)]
