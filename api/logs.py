"""Keep secrets out of the server's logs."""

from __future__ import annotations

import logging
import re

__all__ = ["RedactTokens", "redact", "redact_access_log"]

# The sign-in link carries the token in its query (`/signin?token=...`).
TOKEN_IN_QUERY = re.compile(r"(token=)[^&\s\"]+", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every ``token=VALUE`` replaced by ``token=[redacted]``."""
    return TOKEN_IN_QUERY.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """Rewrites a log record's message arguments so no token reaches the handlers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        record.msg = redact(record.msg) if isinstance(record.msg, str) else record.msg
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's loggers (call before the server starts)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
