"""An acknowledged event survives: SQLite in WAL mode with synchronous=FULL, PostgreSQL with fsync and
synchronous commits; an event appended by a process that dies at once is read back after it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bizmap.storage import Store

SQLITE_SETTINGS = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 30_000}


def _setting(store: Store, name: str) -> object:
    statement = f"PRAGMA {name}" if store.engine.dialect.name == "sqlite" else f"SHOW {name}"
    with store.engine.connect() as connection:
        return connection.exec_driver_sql(statement).scalar_one()


def test_the_database_commits_to_disk(store: Store) -> None:
    if store.engine.dialect.name == "sqlite":
        assert {name: _setting(store, name) for name in SQLITE_SETTINGS} == SQLITE_SETTINGS
        database = make_url(str(store.url)).database
        assert database is not None
        with sqlite3.connect(database) as raw:  # WAL is a property of the file itself
            assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    else:
        assert (_setting(store, "fsync"), _setting(store, "synchronous_commit")) == ("on", "on")


def test_foreign_keys_are_enforced(store: Store) -> None:
    orphan = sa.text(
        "INSERT INTO incident_notes (incident_id, at, author, text) VALUES ('none', 0, 'a', 'b')"
    )
    with store.engine.connect() as connection, pytest.raises(sa.exc.IntegrityError):
        connection.execute(orphan)


def test_an_acknowledged_event_survives_the_death_of_its_process(url: str, store: Store) -> None:
    script = textwrap.dedent(
        f"""
        import os
        from bizmap.domain.states import State
        from bizmap.domain.event import Event
        from bizmap.storage import Store

        store = Store({url!r})
        counts = store.append_events([(Event(State.DOWN, 1.0, node="db-1", id="acked"), 2.0, True)])
        print(counts, flush=True)
        os._exit(0)  # no close, no checkpoint: as if killed right after acknowledging
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)

    assert (result.returncode, result.stdout.strip()) == (0, "(1, 0)"), result.stderr
    with Store(url) as fresh:
        assert [(e.event_id, e.node, e.time, e.received_at) for e in fresh.events()] == [
            ("acked", "db-1", 1.0, 2.0)
        ]
