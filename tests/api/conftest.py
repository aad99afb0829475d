"""The demo territory behind a test client, with one signed-in user per role.

The demo (seed 42, default scale) is generated once per session into a SQLite file; each
test gets its own copy, so writes never leak between tests. Demo team: ``am-000001`` is the
regional manager, ``am-000002``..``am-000004`` are KAMs reporting to them.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kamgraph import demo, users
from kamgraph.settings import Settings
from kamgraph.store.sqlite import SqliteStore

REGIONAL_MANAGER = "am-000001"
KAM = "am-000002"
OTHER_KAM = "am-000004"
USERS = {"admin": ("admin", None), "rm": ("regional_manager", REGIONAL_MANAGER),
         "kam": ("kam", KAM), "kam2": ("kam", OTHER_KAM)}


@dataclass
class DemoApp:
    """A test client on a private copy of the demo, and a token per user name."""

    client: TestClient
    tokens: dict[str, str]
    db: Path

    def auth(self, user: str) -> dict[str, str]:
        """Headers that sign ``user`` in to the JSON API."""
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    @property
    def store(self) -> SqliteStore:
        return self.client.app.state.store  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The demo in a SQLite file with the users above; built once per session."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with SqliteStore(path) as store:
        demo.load_demo(store)
        tokens = {name: users.create_user(store, name, role, am)
                  for name, (role, am) in USERS.items()}
    return path, tokens


@pytest.fixture
def demo_app(demo_db: tuple[Path, dict[str, str]], tmp_path: Path) -> Iterator[DemoApp]:
    """A running app on a fresh copy of the demo store."""
    source, tokens = demo_db
    copy = tmp_path / "demo.db"
    shutil.copy(source, copy)
    with TestClient(create_app(Settings(db=f"sqlite:///{copy}"))) as client:
        yield DemoApp(client, tokens, copy)


@pytest.fixture
def demo_app_with(demo_db: tuple[Path, dict[str, str]],
                  tmp_path: Path) -> Iterator[Callable[..., DemoApp]]:
    """Start apps on fresh copies of the demo with other settings, such as lower limits:
    ``demo_app_with(max_upload_mib=0.01)``."""
    source, tokens = demo_db
    copies = itertools.count()
    with ExitStack() as running:
        def start(**settings: object) -> DemoApp:
            copy = tmp_path / f"demo-{next(copies)}.db"
            shutil.copy(source, copy)
            app = create_app(Settings(db=f"sqlite:///{copy}", **settings))  # type: ignore[arg-type]
            return DemoApp(running.enter_context(TestClient(app)), tokens, copy)

        yield start
