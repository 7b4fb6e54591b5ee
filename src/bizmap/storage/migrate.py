"""Versioned migrations (Alembic), configured in code: no ``alembic.ini``.

``migrate(url)`` brings a database to the newest revision; the server runs it at start, so a new
SQLite file is created and migrated on first start. Running it again does nothing.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection

from bizmap.storage.engine import database_url

MIGRATIONS = Path(__file__).resolve().with_name("migrations")


def alembic_config(url: str | URL | None = None, connection: Connection | None = None) -> Config:
    """Alembic's configuration for bizmap's migrations, on a URL or on an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        text = database_url(url).render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", text.replace("%", "%%"))  # ConfigParser interpolates %
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(url: str | URL) -> None:
    """Upgrade the database at ``url`` to the newest revision (creating a SQLite file if need be)."""
    command.upgrade(alembic_config(url), "head")


def migrate_connection(connection: Connection) -> None:
    """Upgrade through an open connection (an in-memory SQLite database has no other way in)."""
    command.upgrade(alembic_config(connection=connection), "head")


def head_revision() -> str | None:
    """The newest revision the migrations know."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The revision a database is at (None: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()
