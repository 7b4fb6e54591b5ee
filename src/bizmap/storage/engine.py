"""Database URLs and engines: SQLite set up for durability, PostgreSQL through psycopg 3.

SQLite: every connection runs in WAL mode with ``synchronous=FULL`` (a committed transaction is
on disk before ``commit`` returns, so an acknowledged event survives a crash or power cut), a busy
timeout, and foreign keys on. Transactions are emitted by SQLAlchemy rather than by the ``sqlite3``
module (whose legacy mode begins them only before DML and never around DDL): reads run in a
deferred ``BEGIN`` (a consistent snapshot; WAL lets them run beside a writer), writes in
``BEGIN IMMEDIATE``, which takes the write lock up front and so waits for another writer (busy
timeout) instead of failing when it upgrades from reading to writing.

Every write goes through ``write_transaction``: a database full or out of resources there is
``StorageUnavailable`` (``bizmap.storage.unavailable``), not a bare driver error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url

from bizmap.storage.unavailable import refused_for_room

BUSY_TIMEOUT_MS = 30_000
_WRITE = "bizmap_write"  # execution option: this connection's next transaction writes


def database_url(url: str | URL) -> URL:
    """The URL with its driver: ``postgresql://`` (or ``postgres://``) goes through psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database {parsed.drivername!r}: use sqlite:/// or postgresql://")
    return parsed


def create_engine(url: str | URL) -> Engine:
    """An engine for a bizmap database; a SQLite file's directory is created if missing."""
    parsed = database_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed)
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that writes: committed on exit, rolled back on error.

    Raises ``StorageUnavailable`` when the database refuses the write for lack of room.
    """
    with refused_for_room(), engine.connect() as connection, writing(connection).begin():
        yield connection


def writing(connection: Connection) -> Connection:
    """Mark the connection's coming transactions as writing (SQLite: ``BEGIN IMMEDIATE``)."""
    return connection.execution_options(**{_WRITE: True})


def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.isolation_level = None  # the sqlite3 module emits no BEGIN: _sqlite_begin does
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    writes = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
