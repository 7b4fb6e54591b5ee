"""The live server in-process, on SQLite and on PostgreSQL, with a token of every role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.web.app import create_app
from helpers import SECTION_9_MODEL


@dataclass
class Server:
    client: TestClient
    url: str
    tokens: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bizmap.db'}"
    return str(request.getfixturevalue("postgres_url"))


def make_tokens(url: str) -> dict[str, str]:
    migrate(url)
    with Store(url) as store:
        return {
            role: store.create_token(f"test-{role}", role) for role in ("read", "ingest", "operate", "admin")
        }


@pytest.fixture
def model_path(tmp_path: Path) -> Path:
    path = tmp_path / "model.yaml"
    path.write_text(SECTION_9_MODEL)
    return path


@pytest.fixture
def server(database: str, model_path: Path) -> Iterator[Server]:
    tokens = make_tokens(database)
    app = create_app(Settings(model=str(model_path), db=database, max_body_bytes=10_000))
    with TestClient(app) as client:
        yield Server(client, database, tokens)
