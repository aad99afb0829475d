"""Settings read from the environment; only the CLI and the API read them."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_DB", "Settings"]

DEFAULT_DB = "sqlite:///kamgraph.db"


class Settings(BaseSettings):
    """Every setting, with its environment variable ``KAMGRAPH_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="KAMGRAPH_", extra="ignore")

    db: str = DEFAULT_DB
    """Store URL: ``sqlite:///path/to/file.db`` or ``neo4j://host:7687``."""
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    secure_cookies: bool = False
    """Mark the sign-in cookies ``Secure`` always, not only when the app sees https itself:
    behind a proxy that ends TLS on another host the app sees plain http."""
