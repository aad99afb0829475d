"""The limits that keep hostile or mistaken input out, and the ones in force now.

Text lengths are checked by :mod:`kamgraph.model` on every write — CLI, API and import alike;
request sizes, record counts and time by the API (``api/limits.py``). Each limit is a setting
(``KAMGRAPH_MAX_…``, see :class:`kamgraph.settings.Settings` and ``docs/limits.md``). Text
lengths may be lowered but not raised above the defaults, the file format's maxima: a file
one installation exports must import into any other.

The limits in force live in a context variable rather than in an object passed to every
check — a deliberate exception: the checks sit deep in the model, under every write path.
The variable lets one process serve apps with different settings (tests do), and the API's
worker threads (anyio's, which copy the context) see their request's limits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["DEFAULT", "MAX_ID", "MAX_STRING", "MAX_TEXT", "Limits", "active", "use"]

MAX_ID = 200
"""The longest id, in characters (the format's maximum)."""
MAX_STRING = 2_000
"""The longest name, short text property or list item, in characters (the format's maximum)."""
MAX_TEXT = 20_000
"""The longest long-text property (``notes``) or custom value, in characters (the maximum)."""

MIB = 2**20


@dataclass(frozen=True)
class Limits:
    """Every limit, with its default."""

    id_chars: int = MAX_ID
    string_chars: int = MAX_STRING
    text_chars: int = MAX_TEXT
    upload_bytes: int = 256 * MIB
    """The largest file ``POST /import`` takes."""
    unpacked_bytes: int = 1024 * MIB
    """The most an uploaded zip may unpack to, counted while unpacking."""
    zip_entries: int = 64
    """The most entries (files and folders) an uploaded zip may hold."""
    upload_records: int = 1_000_000
    """The most records one uploaded file may hold."""
    batch_records: int = 50_000
    """The most records one ``POST /records`` takes."""
    batch_bytes: int = 64 * MIB
    """The largest ``POST /records`` body."""
    body_bytes: int = 1 * MIB
    """The largest body of any other request (a node, a form)."""
    request_seconds: float = 30.0
    """The longest a read may take before it is answered 503, and the longest a write's body
    may take to arrive (408); a write is never cut off once its body is in, as its outcome
    would then be unknown."""


DEFAULT = Limits()

_ACTIVE: ContextVar[Limits] = ContextVar("kamgraph_limits", default=DEFAULT)


def active() -> Limits:
    """The limits in force here (the defaults unless a caller chose others with :func:`use`)."""
    return _ACTIVE.get()


@contextmanager
def use(limits: Limits) -> Iterator[Limits]:
    """Put ``limits`` in force inside the block (and in asyncio tasks and anyio worker threads
    started from it, which copy the context; a plain ``threading.Thread`` does not)."""
    token = _ACTIVE.set(limits)
    try:
        yield limits
    finally:
        _ACTIVE.reset(token)
