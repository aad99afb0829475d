"""Dependencies the routes declare: the store opened at start-up and the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kamgraph import users
from kamgraph.store import GraphStore

# auto_error=False: a missing header is our 401 with WWW-Authenticate, not FastAPI's own.
bearer = HTTPBearer(auto_error=False, description="An API token from `kamgraph user add`.")


def get_store(request: Request) -> GraphStore:
    return request.app.state.store  # type: ignore[no-any-return]


StoreDep = Annotated[GraphStore, Depends(get_store)]


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
