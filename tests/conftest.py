"""Root conftest: its directory goes on sys.path, so tests can ``import helpers``.

It also provides PostgreSQL for the tests that run on both databases: BIZMAP_TEST_POSTGRES_URL
(default postgresql://postgres@127.0.0.1:5432/test); each test gets a new database, created
through the server's ``postgres`` database and dropped after it. When the server cannot be
reached those tests skip, saying why, except when CI=true: then they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

# pytest-xdist's workers get COLUMNS=80 and LINES=24 from execnet; a plain run has none. The
# command line's consoles read COLUMNS (README, "The commands"), so the tests run without it,
# as a user's piped run does; tests that want a width set it themselves.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

POSTGRES_URL = make_url(
    os.environ.get("BIZMAP_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
)
ADMIN_URL = POSTGRES_URL.set(drivername="postgresql", database="postgres").render_as_string(
    hide_password=False
)


@pytest.fixture(scope="session")
def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used (checked once), or None."""
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        return f"PostgreSQL is not reachable at {ADMIN_URL}: {' '.join(str(error).split())}"


@pytest.fixture
def postgres_url(postgres_problem: str | None) -> Iterator[str]:
    """The URL of a new, empty database, dropped after the test."""
    if postgres_problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{postgres_problem} (CI=true: the PostgreSQL tests must run, not skip)")
        pytest.skip(postgres_problem)
    name = f"bizmap_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    try:
        yield POSTGRES_URL.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
