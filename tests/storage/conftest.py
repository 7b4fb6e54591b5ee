"""Every storage test runs on both databases: SQLite (a new file under tmp_path) and PostgreSQL (a
new database per test, dropped after it, so that no test sees another's rows).
The PostgreSQL fixtures are in the root conftest.

PostgreSQL is taken from BIZMAP_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
the test databases are created through the ``postgres`` database of that server. When the server
cannot be reached the PostgreSQL cases skip, saying why, except when CI=true: then they fail.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from storage_support import FakeClock

from bizmap.storage import Store, migrate


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty database of each kind; the SQLite file's directory does not exist yet."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'var' / 'bizmap.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(url: str, clock: FakeClock) -> Iterator[Store]:
    """A migrated store whose clock the test sets."""
    migrate(url)
    with Store(url, clock=clock) as opened:
        yield opened
