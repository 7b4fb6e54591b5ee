"""Backing a database up while the server runs, restoring it, and what it holds.

SQLite: ``backup`` copies the live database page by page with SQLite's online backup API,
in steps, so that the server's writer waits at most one step; the copy is one consistent
moment of the database (what was committed when the last step ran), whatever the server
writes meanwhile. ``restore`` checks a copy (SQLite's integrity check, a bizmap schema) and
writes it in place of a database that no server has open. PostgreSQL has its own tools:
``pg_dump`` and ``pg_restore`` (docs/operations.md).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bizmap.errors import UsageError
from bizmap.storage.checkpoints import CheckpointStore
from bizmap.storage.engine import database_url

PAGES_PER_STEP = 1024  # 4 MiB with SQLite's default page size: the writer waits at most one step


@dataclass(frozen=True)
class DatabaseCopy:
    path: Path
    size_bytes: int
    events: int


@dataclass(frozen=True)
class DatabaseStats:
    url: str  # without a password
    backend: str
    size_bytes: int | None  # SQLite: the file and its write-ahead log
    events: int
    unmatched_events: int
    oldest_event: float | None  # receipt times
    newest_event: float | None
    incidents: int
    open_incidents: int
    maintenance_windows: int
    tokens: int
    users: int
    schema_revision: str | None
    checkpoints: int = 0
    newest_checkpoint_at: float | None = None  # the server's clock when it was taken
    newest_checkpoint_event: int | None = None  # the seq of the last event it includes
    newest_checkpoint_bytes: int | None = None


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///`` URL; a UsageError for PostgreSQL or an in-memory database."""
    parsed = database_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise UsageError(
            "backup and restore copy SQLite files; for PostgreSQL use pg_dump and pg_restore "
            "(docs/operations.md, 'Backup and restore')"
        )
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
        raise UsageError(f"{url}: not a database file; give --db sqlite:///PATH")
    return Path(parsed.database)


def _count_events(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])


def _check_bizmap_database(connection: sqlite3.Connection, where: Path) -> None:
    problems = connection.execute("PRAGMA integrity_check").fetchall()
    if [tuple(row) for row in problems] != [("ok",)]:
        raise UsageError(f"{where}: damaged ({problems[0][0]}); nothing was changed")
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"alembic_version", "events", "incidents"} <= tables:
        raise UsageError(f"{where}: not a bizmap database (no events, incidents or schema version table)")


def backup(url: str, target: Path, *, overwrite: bool = False) -> DatabaseCopy:
    """Copy the SQLite database at ``url`` to ``target`` while it may be in use."""
    source_path = sqlite_path(url)
    if not source_path.exists():
        raise UsageError(f"{source_path}: no such database file")
    if target.exists() and not overwrite:
        raise UsageError(f"{target}: exists; choose another file or give --force to replace it")
    if target.resolve() == source_path.resolve():
        raise UsageError(f"{target}: is the database itself; choose another file")
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(f"file:{source_path}?mode=rw", uri=True)  # read only; WAL needs -shm
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy, pages=PAGES_PER_STEP)
            _check_bizmap_database(copy, source_path)
            events = _count_events(copy)
        finally:
            copy.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    partial.replace(target)  # a backup file is whole or absent
    return DatabaseCopy(target, target.stat().st_size, events)


def restore(copy_path: Path, url: str, *, overwrite: bool = False) -> DatabaseCopy:
    """Write a backup in place of the SQLite database at ``url`` (no server may have it open)."""
    target = sqlite_path(url)
    if not copy_path.exists():
        raise UsageError(f"{copy_path}: no such backup file")
    if target.exists() and not overwrite:
        raise UsageError(f"{target}: exists; stop the server that uses it and give --force to replace it")
    source = sqlite3.connect(f"file:{copy_path}?mode=ro", uri=True)
    try:
        try:
            _check_bizmap_database(source, copy_path)
        except sqlite3.DatabaseError as error:
            raise UsageError(f"{copy_path}: not a SQLite database ({error})") from None
        target.parent.mkdir(parents=True, exist_ok=True)
        for stale in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            stale.unlink(missing_ok=True)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination, pages=PAGES_PER_STEP)
            events = _count_events(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return DatabaseCopy(target, target.stat().st_size, events)


def database_stats(engine: sa.Engine, url: str) -> DatabaseStats:
    """Counts and sizes of a migrated bizmap database (SQLite or PostgreSQL)."""
    parsed = database_url(url)
    size = None
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        size = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    saved = CheckpointStore(engine).summary()
    with engine.connect() as connection:

        def scalar(sql: str) -> Any:
            return connection.execute(sa.text(sql)).scalar()

        events = int(scalar("SELECT count(*) FROM events") or 0)
        oldest, newest = connection.execute(
            sa.text("SELECT min(received_at), max(received_at) FROM events")
        ).one()
        return DatabaseStats(
            url=parsed.render_as_string(hide_password=True),
            backend=parsed.get_backend_name(),
            size_bytes=size,
            events=events,
            unmatched_events=int(scalar("SELECT count(*) FROM events WHERE NOT matched") or 0),
            oldest_event=None if oldest is None else float(oldest),
            newest_event=None if newest is None else float(newest),
            incidents=int(scalar("SELECT count(*) FROM incidents") or 0),
            open_incidents=int(scalar("SELECT count(*) FROM incidents WHERE closed_at IS NULL") or 0),
            maintenance_windows=int(scalar("SELECT count(*) FROM maintenance_windows") or 0),
            tokens=int(scalar("SELECT count(*) FROM tokens WHERE revoked_at IS NULL") or 0),
            users=int(scalar("SELECT count(*) FROM users") or 0),
            schema_revision=str(scalar("SELECT version_num FROM alembic_version") or "") or None,
            checkpoints=saved.count,
            newest_checkpoint_at=saved.newest_taken_at,
            newest_checkpoint_event=saved.newest_applied_seq,
            newest_checkpoint_bytes=saved.newest_bytes,
        )
