"""Settings read from the environment; only the CLI and the API read them."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from kamgraph.limits import DEFAULT, MAX_ID, MAX_STRING, MAX_TEXT, MIB, Limits
from kamgraph.store.sqlite import BUSY_TIMEOUT_MS

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
    sqlite_busy_seconds: float = Field(BUSY_TIMEOUT_MS / 1000, ge=0)
    """How long a write to the embedded store waits for another process's write to end."""
    secure_cookies: bool = False
    """Mark the sign-in cookies ``Secure`` always, not only when the app sees https itself:
    behind a proxy that ends TLS on another host the app sees plain http."""

    # Limits (kamgraph.limits): text lengths may be lowered, not raised above the format's.
    max_id_chars: int = Field(MAX_ID, ge=1, le=MAX_ID)
    max_string_chars: int = Field(MAX_STRING, ge=1, le=MAX_STRING)
    max_text_chars: int = Field(MAX_TEXT, ge=1, le=MAX_TEXT)
    max_upload_mib: float = Field(DEFAULT.upload_bytes / MIB, gt=0)
    max_unpacked_mib: float = Field(DEFAULT.unpacked_bytes / MIB, gt=0)
    max_zip_entries: int = Field(DEFAULT.zip_entries, ge=1)
    max_upload_records: int = Field(DEFAULT.upload_records, ge=1)
    max_batch_records: int = Field(DEFAULT.batch_records, ge=1)
    max_batch_mib: float = Field(DEFAULT.batch_bytes / MIB, gt=0)
    max_body_kib: float = Field(DEFAULT.body_bytes / 1024, gt=0)
    request_seconds: float = Field(DEFAULT.request_seconds, gt=0)

    def limits(self) -> Limits:
        """The limits these settings put in force."""
        return Limits(
            id_chars=self.max_id_chars, string_chars=self.max_string_chars,
            text_chars=self.max_text_chars, upload_bytes=round(self.max_upload_mib * MIB),
            unpacked_bytes=round(self.max_unpacked_mib * MIB), zip_entries=self.max_zip_entries,
            upload_records=self.max_upload_records, batch_records=self.max_batch_records,
            batch_bytes=round(self.max_batch_mib * MIB), body_bytes=round(self.max_body_kib * 1024),
            request_seconds=self.request_seconds)
