"""A database that cannot take writes for lack of room says so with ``StorageUnavailable``.

SQLite: "database or disk is full" (SQLITE_FULL), from a full disk or, the same error, from
``PRAGMA max_page_count`` (``helpers.PageLimit``), which the SQLite cases here use for real.
PostgreSQL: SQLSTATE class 53, insufficient resources (53100 disk_full, 53200 out_of_memory,
53300 too_many_connections), checked on the mapping itself, and once for real where the test
may mount a tiny filesystem for a tablespace. Any other database error stays what it is.
A refused write stores nothing of its transaction; once there is room it succeeds.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg.errors
import pytest
from psycopg import sql
from sqlalchemy.exc import IntegrityError, OperationalError
from storage_support import T0, FakeClock, arrived, event

from bizmap.errors import BizmapError
from bizmap.storage import Incident, Store, migrate
from bizmap.storage.unavailable import StorageUnavailable, refusal_for
from bizmap.storage.users import UserStore
from helpers import PageLimit

BIG = "x" * 20_000  # a value that needs pages of its own


@pytest.fixture
def full(tmp_path: Path) -> Iterator[tuple[Store, PageLimit]]:
    """A SQLite store and the limit that fills it."""
    url = f"sqlite:///{tmp_path / 'bizmap.db'}"
    migrate(url)
    with Store(url, clock=FakeClock()) as store:
        yield store, PageLimit(store.engine)


def incident(number: int) -> Incident:
    return Incident(f"inc-{number}", T0, None, ("orders",) * 2_000, ("db",), None, None, 0.0, 0)


WRITES: dict[str, Callable[[Store], object]] = {
    "events": lambda store: store.append_events(arrived(*[event(id=f"e{n}", summary=BIG) for n in range(3)])),
    "incidents": lambda store: store.save_incidents([incident(1), incident(2)]),
    "incident note": lambda store: store.add_incident_note("inc-0", "ada", BIG),
    "token": lambda store: store.create_token(BIG, "read"),
    "maintenance": lambda store: store.add_maintenance(["db"], T0, T0 + 60, BIG, "ada"),
    "audit": lambda store: store.audit("ada", "something", {"text": BIG}),
    "meta": lambda store: store.set_meta("key", BIG),
    "user": lambda store: UserStore(store.engine).add_user(BIG[:5_000], "read", "a long password"),
}


@pytest.mark.parametrize("what", WRITES)
def test_every_write_refused_for_room_raises_storage_unavailable(
    full: tuple[Store, PageLimit], what: str
) -> None:
    store, limit = full
    store.save_incident(incident(0))
    limit.full_after(0)
    with pytest.raises(StorageUnavailable) as refused:
        WRITES[what](store)
    assert isinstance(refused.value, BizmapError)
    assert "full" in str(refused.value) and refused.value.retry_after_seconds > 0
    limit.lift()
    WRITES[what](store)  # room again: the same write goes through


def test_a_refused_batch_of_events_stores_none_of_them(full: tuple[Store, PageLimit]) -> None:
    store, limit = full
    store.append_events(arrived(event(id="before")))
    limit.full_after(3)  # room for some of the batch, not for all of it
    batch = arrived(*[event(id=f"e{n}", summary="y" * 1_000) for n in range(40)])
    with pytest.raises(StorageUnavailable):
        store.append_events(batch)
    assert [e.event_id for e in store.events()] == ["before"]
    limit.lift()
    assert store.append_events(batch) == (40, 0)  # nothing of it was stored: no duplicates


def test_reading_a_token_works_when_its_last_use_cannot_be_written(
    full: tuple[Store, PageLimit], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last use is bookkeeping: a full database must not lock readers out. (A real full
    disk refuses even this small update; a page limit does not, so the refusal is simulated.)"""
    store, _ = full
    token = store.create_token("reader", "read")

    def refuse(statement: Any) -> int:
        raise refusal_for(_sqlite_full())  # type: ignore[misc]

    monkeypatch.setattr(store, "_write", refuse)
    info = store.verify_token(token)
    assert info is not None and info.name == "reader" and info.last_used_at is None


def _sqlite_full() -> OperationalError:
    original = sqlite3.OperationalError("database or disk is full")
    original.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
    original.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
    return OperationalError("INSERT ...", None, original)


def _postgres(error: Exception) -> OperationalError:
    return OperationalError("INSERT ...", None, error)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (_postgres(psycopg.errors.DiskFull("could not extend file")), "full"),
        (_postgres(psycopg.errors.OutOfMemory("out of memory")), "memory"),
        (_postgres(psycopg.errors.TooManyConnections("too many clients")), "connections"),
        (_postgres(psycopg.errors.ConfigurationLimitExceeded("no")), "resources"),
    ],
)
def test_postgresql_insufficient_resources_is_storage_unavailable(
    error: OperationalError, words: str
) -> None:
    refusal = refusal_for(error)
    assert refusal is not None and words in str(refusal) and refusal.retry_after_seconds > 0


def test_sqlite_full_is_storage_unavailable() -> None:
    refusal = refusal_for(_sqlite_full())
    assert refusal is not None and "full" in str(refusal)


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("SELECT ...", None, sqlite3.OperationalError("database is locked")),
        OperationalError("SELECT ...", None, sqlite3.OperationalError("no such table: events")),
        _postgres(psycopg.errors.AdminShutdown("terminating connection")),
        _postgres(psycopg.errors.SerializationFailure("could not serialize")),
        _postgres(psycopg.OperationalError("connection refused")),
        IntegrityError("INSERT ...", None, psycopg.errors.UniqueViolation("duplicate key")),
    ],
)
def test_other_database_errors_are_not(error: Exception) -> None:
    assert refusal_for(error) is None  # type: ignore[arg-type]


@pytest.fixture
def postgres_on_a_tiny_disk(postgres_url: str) -> Iterator[tuple[str, Path]]:
    """A PostgreSQL database whose events live on a 1 MB tmpfs (a tablespace): a disk that
    really fills up. Needs root (to mount) and the server on this machine (it writes there);
    skips otherwise, saying why (the mapping tests above run everywhere)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs for a tablespace needs root and mount(8)")
    directory = Path(tempfile.mkdtemp(prefix="bizmap-pg-tiny-"))  # under /tmp: the server can reach it
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(directory)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        directory.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    tablespace = sql.Identifier(f"bizmap_tiny_{uuid.uuid4().hex[:12]}")
    try:
        try:
            shutil.chown(directory, "postgres", "postgres")
            with psycopg.connect(postgres_url, autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE TABLESPACE {} LOCATION {}").format(tablespace, str(directory)))
        except (LookupError, psycopg.Error) as error:
            pytest.skip(f"the PostgreSQL server cannot keep a tablespace in {directory}: {error}")
        migrate(postgres_url)
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(sql.SQL("ALTER TABLE events SET TABLESPACE {}").format(tablespace))
        try:
            yield postgres_url, directory
        finally:
            with psycopg.connect(postgres_url, autocommit=True) as admin:
                admin.execute("ALTER TABLE events SET TABLESPACE pg_default")
                admin.execute(sql.SQL("DROP TABLESPACE {}").format(tablespace))
    finally:
        subprocess.run(["umount", str(directory)], check=True)
        directory.rmdir()


def test_a_really_full_disk_under_postgresql_is_storage_unavailable(
    postgres_on_a_tiny_disk: tuple[str, Path],
) -> None:
    url, directory = postgres_on_a_tiny_disk
    with Store(url) as store:
        stored = 0
        for number in range(1_000):
            batch = arrived(*[event(id=f"b{number}-{k}", summary=os.urandom(500).hex()) for k in range(50)])
            try:
                stored += store.append_events(batch)[0]
            except StorageUnavailable as refused:
                assert "full" in str(refused) and isinstance(refused.__cause__, OperationalError)
                assert getattr(refused.__cause__.orig, "sqlstate", None) == "53100"  # disk_full
                break
        else:
            pytest.fail("the tablespace never filled")
        assert store.count_events() == stored  # nothing of the refused batch
        assert len(store.events(limit=10)) == 10  # reads go on
        subprocess.run(["mount", "-o", "remount,size=8m", str(directory)], check=True)  # space freed
        assert store.append_events(batch) == (50, 0)
