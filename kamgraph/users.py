"""Users of the web app and their API tokens, kept in the store beside the graph.

A user has a ``name``, a ``role`` (admin, regional_manager, kam) and, for a KAM or a
regional manager, the ``AccountManager`` node they are in the graph. Users are not graph
nodes: they never appear in exports, counts, search or subgraphs.

A token is shown once, when the user is created; the store keeps only its SHA-256 hash and
its first characters (to tell tokens apart in a listing, not to find them).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kamgraph.errors import NotFound, Problem, ValidationFailed

if TYPE_CHECKING:
    from kamgraph.store.base import GraphStore

__all__ = ["ROLES", "User", "authenticate", "create_user", "list_users", "revoke", "token_hash"]

ROLES = ("admin", "regional_manager", "kam")
# Roles that act for one member of the team, so they must name their AccountManager node.
NEEDS_ACCOUNT_MANAGER = frozenset({"regional_manager", "kam"})
PREFIX_LENGTH = 6
NAME_MAX = 100


@dataclass(frozen=True, slots=True)
class User:
    """A person who signs in: ``created`` is an ISO 8601 UTC time; no token is held here."""

    name: str
    role: str
    account_manager: str | None
    token_prefix: str
    created: str
    revoked: bool = False

    def record(self) -> dict[str, str | bool | None]:
        """The listing shape (``token_prefix`` only; the token itself is never stored)."""
        return {"name": self.name, "role": self.role, "account_manager": self.account_manager,
                "token_prefix": self.token_prefix, "created": self.created,
                "revoked": self.revoked}


def token_hash(token: str) -> str:
    """The stored form of a token.

    Plain SHA-256 is enough here (no salt, no slow hash): tokens are 256 random bits from
    ``secrets``, so there is nothing to guess or precompute, unlike a password.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(store: GraphStore, name: str, role: str,
                account_manager: str | None = None) -> str:
    """Add a user and return their new token (the only time it can be seen).

    Raises ``ValidationFailed`` for an unknown role, a bad or taken name, or a KAM or
    regional manager without an account manager; ``NotFound`` when ``account_manager``
    is not the id of an ``AccountManager`` node.
    """
    _check(name, role, account_manager)
    if account_manager is not None and (
            store.node_labels([account_manager]).get(account_manager) != "AccountManager"):
        raise NotFound(f"no account manager with id {account_manager}")
    token = secrets.token_urlsafe(32)
    user = User(name, role, account_manager, token[:PREFIX_LENGTH],
                datetime.now(UTC).isoformat(timespec="seconds"))
    store.add_user(user, token_hash(token))
    return token


def _check(name: str, role: str, account_manager: str | None) -> None:
    problems = []
    if not name or name != name.strip() or len(name) > NAME_MAX:
        problems.append(Problem(None, "user", "name", f"a user name is 1 to {NAME_MAX} "
                                "characters without spaces at either end"))
    if role not in ROLES:
        problems.append(Problem(None, f"user {name}", "role",
                                f"unknown role {role!r}; known: {', '.join(ROLES)}"))
    if role in NEEDS_ACCOUNT_MANAGER and not account_manager:
        problems.append(Problem(None, f"user {name}", "account_manager",
                                f"a {role} user needs the id of their AccountManager node"))
    if problems:
        raise ValidationFailed(problems)


def authenticate(store: GraphStore, token: str) -> User | None:
    """The user this token belongs to, or ``None`` (unknown token, or the user is revoked)."""
    if not token:
        return None
    # Looking up by hash, not comparing tokens, gives a timing attacker nothing to learn.
    return store.user_by_token_hash(token_hash(token))


def list_users(store: GraphStore) -> list[User]:
    """Every user, revoked ones too, ordered by name."""
    return store.list_users()


def revoke(store: GraphStore, name: str) -> None:
    """Revoke a user's token at once; ``NotFound`` when there is no such user."""
    if not store.revoke_user(name):
        raise NotFound(f"no user named {name!r}")
