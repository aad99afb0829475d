"""Schemathesis reads the app's OpenAPI document and throws generated requests at every
operation, signed in as the admin (every route reachable) and as a KAM (scoping paths):
no request may give a server error, and every response must match the documented status
codes, content types and schemas.

The run is bounded: ``EXAMPLES`` generated cases per operation and role, on a private copy of
the demo store (fuzzed writes land there and nowhere else).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import checks

from api.main import create_app
from kamgraph.settings import Settings

EXAMPLES = 20
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance]


# The schema is read when the module is collected (one test per operation), so the app exists
# then; its store is a copy of the demo that the fixture below puts in place before start-up.
FUZZ_DIR = Path(tempfile.mkdtemp(prefix="kamgraph-fuzz-"))
APP = create_app(Settings(db=f"sqlite:///{FUZZ_DIR / 'demo.db'}"))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def tokens(demo_db: tuple[Path, dict[str, str]]) -> Iterator[dict[str, str]]:
    """The app started on a private copy of the demo; the users' tokens."""
    source, found = demo_db
    shutil.copy(source, FUZZ_DIR / "demo.db")
    try:
        with TestClient(APP):  # runs the lifespan: the store is open for schemathesis' calls
            yield found
    finally:
        shutil.rmtree(FUZZ_DIR, ignore_errors=True)


@schema.parametrize()
@FUZZ
def test_as_admin_no_server_error_and_responses_as_documented(
        case: schemathesis.Case, tokens: dict[str, str]) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {tokens['admin']}"}, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_as_kam_no_server_error_and_responses_as_documented(
        case: schemathesis.Case, tokens: dict[str, str]) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {tokens['kam']}"}, checks=CHECKS)
