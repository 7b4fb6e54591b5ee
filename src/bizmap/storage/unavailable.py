"""A database that cannot take writes for lack of room: ``StorageUnavailable``, for a while.

SQLite says "database or disk is full" (SQLITE_FULL) when the disk or the file's size limit is
reached; PostgreSQL answers SQLSTATE class 53, insufficient resources (53100 disk_full,
53200 out_of_memory, 53300 too_many_connections, 53400 configuration_limit_exceeded). Either
way the transaction is rolled back whole and nothing committed before is touched, so the
answer is "not now, retry later" (HTTP 503 with ``Retry-After``), never an internal error.
``refused_for_room`` translates those errors, and only those, where writes are made.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, OperationalError

from bizmap.errors import BizmapError

RETRY_AFTER_SECONDS = 30  # what a sender is asked to wait before it tries again

# SQLSTATE class 53 (insufficient resources): why, and what ends it
_POSTGRES_REASONS = {
    "53100": ("the database is full (disk or quota)", "space is freed"),
    "53200": ("the database server is out of memory", "it has memory again"),
    "53300": ("the database server has too many connections", "connections are free again"),
}
_OUT_OF_RESOURCES = ("the database server is out of resources", "it has them again")
_SQLITE_FULL = ("the database is full (disk or quota)", "space is freed")


class StorageUnavailable(BizmapError):
    """The database refused a write for lack of room or resources: nothing of it was stored.

    ``reason`` says what is wrong, ``until`` what ends it; a sender should come back after
    ``retry_after_seconds``.
    """

    retry_after_seconds = RETRY_AFTER_SECONDS

    def __init__(self, reason: str, until: str) -> None:
        self.reason, self.until = reason, until
        super().__init__(
            f"{reason}: nothing of this request was stored, and writes are refused until {until}; "
            f"retry in {self.retry_after_seconds} s (what was acknowledged before is kept)"
        )


def refusal_for(error: DBAPIError) -> StorageUnavailable | None:
    """The ``StorageUnavailable`` that a database error means, or None for any other error."""
    if not isinstance(error, OperationalError):
        return None
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        code = getattr(original, "sqlite_errorcode", None)
        if code is not None and code & 0xFF == sqlite3.SQLITE_FULL:  # primary code of an extended one
            return StorageUnavailable(*_SQLITE_FULL)
        return None
    sqlstate = getattr(original, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate.startswith("53"):
        return StorageUnavailable(*_POSTGRES_REASONS.get(sqlstate, _OUT_OF_RESOURCES))
    return None


@contextmanager
def refused_for_room() -> Iterator[None]:
    """Raise ``StorageUnavailable`` for a database error that means no room; others pass."""
    try:
        yield
    except OperationalError as error:
        refusal = refusal_for(error)
        if refusal is None:
            raise
        raise refusal from error
