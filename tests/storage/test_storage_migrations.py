"""Migrations: an empty database gets the whole schema; running them again changes nothing."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from storage_support import arrived, event

from bizmap.storage import Store, migrate
from bizmap.storage.migrate import alembic_config, current_revision, head_revision
from bizmap.storage.schema import metadata

TABLES = {
    "events",
    "tokens",
    "audit_log",
    "maintenance_windows",
    "incidents",
    "incident_notes",
    "meta",
    "users",  # 0002: people who log in to the web UI, and their sessions
    "ui_sessions",
    "checkpoints",  # 0003: the engine's state, saved now and then
}


def _tables(url: str) -> set[str]:
    with Store(url) as store:
        return set(sa.inspect(store.engine).get_table_names())


def _revision(url: str) -> str | None:
    with Store(url) as store, store.engine.connect() as connection:
        return current_revision(connection)


def test_migrate_creates_every_table_on_an_empty_database(url: str) -> None:
    assert _tables(url) == set()
    assert _revision(url) is None

    migrate(url)

    assert _tables(url) == TABLES | {"alembic_version"}
    assert _revision(url) == head_revision() == "0004"


def test_a_database_of_the_first_release_is_upgraded_and_keeps_its_events(url: str) -> None:
    command.upgrade(alembic_config(url), "0001")
    with Store(url) as store:
        store.append_events(arrived(event(id="kept")))
    assert _tables(url) == TABLES - {"users", "ui_sessions", "checkpoints"} | {"alembic_version"}

    migrate(url)

    assert _revision(url) == "0004"
    assert _tables(url) == TABLES | {"alembic_version"}
    with Store(url) as store:
        assert [e.event_id for e in store.events()] == ["kept"]


def test_maintenance_windows_of_0002_keep_counting_from_the_first_event(url: str) -> None:
    command.upgrade(alembic_config(url), "0002")
    with Store(url) as store, store.engine.begin() as connection:
        connection.execute(
            sa.text(
                'INSERT INTO maintenance_windows (id, nodes, start, "end", reason, created_by, created_at) '
                "VALUES ('old', '[\"db\"]', 10, 20, 'patch', 'ops', 5)"
            )
        )

    migrate(url)

    with Store(url) as store:
        (window,) = store.list_maintenance()
    assert (window.id, window.nodes, window.start, window.end) == ("old", ("db",), 10.0, 20.0)
    assert (window.added_after_seq, window.ended_after_seq, window.effective_end) == (None, None, 20.0)


def test_migrate_twice_changes_nothing(url: str) -> None:
    migrate(url)
    with Store(url) as store:
        store.append_events(arrived(event(id="a")))
        store.set_meta("checkpoint", "1")

    migrate(url)

    assert _tables(url) == TABLES | {"alembic_version"}
    assert _revision(url) == head_revision()
    with Store(url) as store:
        assert [e.event_id for e in store.events()] == ["a"]
        assert store.get_meta("checkpoint") == "1"


def test_the_migrations_create_exactly_the_schema_the_code_uses(url: str) -> None:
    migrate(url)
    with Store(url) as store, store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def test_a_store_migrates_through_its_own_connection(url: str) -> None:
    with Store(url) as store:
        store.migrate()
        store.migrate()
        assert store.append_events(arrived(event(id="a"))) == (1, 0)
    assert _revision(url) == head_revision()


def test_an_in_memory_sqlite_store_migrates_itself() -> None:
    with Store("sqlite://") as store:
        store.migrate()
        assert store.append_events(arrived(event(), event())) == (2, 0)
        assert store.count_events() == 2
