"""Alembic's environment for bizmap's migrations (run by ``bizmap.storage.migrate``).

The caller hands over a connection (``config.attributes["connection"]``) or a URL
(``sqlalchemy.url``); either way the engine is bizmap's own (SQLite pragmas, psycopg 3). On
SQLite the DDL runs in one transaction (bizmap's engine emits the ``BEGIN``), so a migration that
fails half-way leaves nothing behind.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bizmap.storage.engine import create_engine, writing
from bizmap.storage.schema import metadata


def run_offline() -> None:
    """``alembic upgrade --sql``: the DDL as text."""
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if isinstance(connection, Connection):
        run_on(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("bizmap migrations need a connection or sqlalchemy.url")
    engine = create_engine(url)
    try:
        with engine.connect() as new:
            run_on(new)
    finally:
        engine.dispose()


def run_on(connection: Connection) -> None:
    context.configure(
        connection=writing(connection),
        target_metadata=metadata,
        transactional_ddl=True,
        render_as_batch=connection.dialect.name == "sqlite",  # for ALTERs that SQLite lacks
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
