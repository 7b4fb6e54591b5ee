"""The store: events (appended durably, idempotent on their id), tokens, audit log, maintenance
windows, incidents and their notes, and a few key/value settings; SQLite or PostgreSQL.

Every write is one transaction, committed (on disk) when the method returns: the HTTP layer
acknowledges events only after ``append_events`` has returned. A write the database refuses for
lack of room (disk full) raises ``StorageUnavailable`` and stores nothing of its transaction.
All SQL is SQLAlchemy Core.
"""

from __future__ import annotations

import hashlib
import secrets
import time as _time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import cached_property, lru_cache
from types import TracebackType
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Row
from sqlalchemy.exc import IntegrityError

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.errors import BizmapError
from bizmap.storage.engine import create_engine, database_url, write_transaction
from bizmap.storage.migrate import migrate, migrate_connection
from bizmap.storage.records import (
    AuditEntry,
    Incident,
    IncidentNote,
    MaintenanceWindow,
    StoredEvent,
    TokenInfo,
)
from bizmap.storage.schema import (
    ROLES,
    audit_log,
    events,
    incident_notes,
    incidents,
    maintenance_windows,
    meta,
    tokens,
)
from bizmap.storage.unavailable import StorageUnavailable

__all__ = [  # records and migrate too, for callers that import everything from here
    "AuditEntry",
    "Incident",
    "IncidentNote",
    "MaintenanceWindow",
    "Store",
    "StoredEvent",
    "TokenInfo",
    "TokenNameInUse",
    "UnknownIncident",
    "hash_token",
    "migrate",
]

TOKEN_PREFIX = "bzm_"
LAST_USED_RESOLUTION = 60.0  # seconds: verify_token writes last_used_at at most this often per token
_APPEND_LOCK = 0x62697A6D6170  # "bizmap": PostgreSQL advisory lock serializing appends
_IN_CHUNK = 1000  # ids per IN (...) query
_NEWEST_SEQ = sa.select(sa.func.coalesce(sa.func.max(events.c.seq), 0))
_Insert = postgresql.Insert | sqlite.Insert


class TokenNameInUse(BizmapError, ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"a live token named {name!r} exists; revoke it first")


class UnknownIncident(BizmapError, LookupError):
    def __init__(self, incident_id: str) -> None:
        super().__init__(f"no incident {incident_id!r}")


def hash_token(token: str) -> str:
    """sha256 hex: tokens are 32 random bytes, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


class Store:
    """A bizmap database at a URL: ``sqlite:///path.db`` or ``postgresql://user@host/db``.

    The schema must exist: run ``bizmap.storage.migrate(url)`` (or ``Store.migrate``) first.
    """

    def __init__(self, url: str | URL, *, clock: Callable[[], float] = _time.time) -> None:
        self.url = database_url(url)
        self.engine = create_engine(self.url)
        self._clock = clock
        self._postgres = self.engine.dialect.name == "postgresql"

    def migrate(self) -> None:
        """Upgrade this database to the newest revision."""
        with self.engine.connect() as connection:
            migrate_connection(connection)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # --- events --------------------------------------------------------------------------------

    def append_events(self, items: Sequence[tuple[Event, float, bool]]) -> tuple[int, int]:
        """Append (event, received_at, matched) in one transaction: (accepted, duplicates).

        An event whose id was seen before, stored or earlier in the batch, is a duplicate.
        """
        accepted = sum(self.append_events_each(items))
        return accepted, len(items) - accepted

    def append_events_each(self, items: Sequence[tuple[Event, float, bool]]) -> list[bool]:
        """As ``append_events``, telling for each item whether it was accepted (not a duplicate)."""
        return self.append_events_numbered(items)[0]

    def append_events_numbered(self, items: Sequence[tuple[Event, float, bool]]) -> tuple[list[bool], int]:
        """As ``append_events_each``, and the seq of the newest stored event after the append."""
        firsts = _first_occurrences([event.id for event, _, _ in items])
        candidates = [item for item, first in zip(items, firsts, strict=True) if first]
        if not candidates:
            stored: set[str | None] = set()
            newest = self.last_seq()
        elif self._postgres:
            stored, newest = self._insert_events([_event_row(*item) for item in candidates])
        else:
            stored, newest = self._insert_events_sqlite(candidates)
        accepted = [
            first and (event.id is None or event.id in stored)
            for (event, _, _), first in zip(items, firsts, strict=True)
        ]
        return accepted, newest

    def _insert_events(self, rows: list[dict[str, Any]]) -> tuple[set[str | None], int]:
        """Insert, skipping ids already stored; the ids inserted and the newest seq."""
        with write_transaction(self.engine) as connection:
            if self._postgres:  # seq order = commit order, so that readers of events(since_seq) miss none
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_APPEND_LOCK)))
            inserted = set(connection.execute(self._event_insert, rows).scalars())
            return inserted, connection.execute(_NEWEST_SEQ).scalar_one()

    def _insert_events_sqlite(
        self, items: Sequence[tuple[Event, float, bool]]
    ) -> tuple[set[str | None], int]:
        """``_insert_events`` on SQLite through its driver: the hot path of ingestion.

        SQLAlchemy's bulk insert with RETURNING cost several times the insert itself. In one
        ``BEGIN IMMEDIATE`` transaction (SQLite has one writer at a time) the ids already stored
        are read first, then the rest are inserted through the driver, many rows a statement. The row
        is the one ``_event_row`` gives, encoded as ``JSONText`` and ``Boolean`` encode it.
        """
        ids = [event.id for event, _, _ in items if event.id is not None]
        with write_transaction(self.engine) as connection:
            known: set[str] = set()
            for start in range(0, len(ids), _SQLITE_IDS_PER_QUERY):
                chunk = tuple(ids[start : start + _SQLITE_IDS_PER_QUERY])
                marks = ",".join("?" * len(chunk))
                query = f"SELECT event_id FROM events WHERE event_id IN ({marks})"
                known.update(connection.exec_driver_sql(query, chunk).scalars())
            fresh = [item for item in items if item[0].id is None or item[0].id not in known]
            for start in range(0, len(fresh), _SQLITE_ROWS_PER_INSERT):
                rows = fresh[start : start + _SQLITE_ROWS_PER_INSERT]
                parameters = tuple(value for item in rows for value in _sqlite_event_row(*item))
                connection.exec_driver_sql(_sqlite_insert_events(len(rows)), parameters)
            newest = connection.execute(_NEWEST_SEQ).scalar_one()
        return {event.id for event, _, _ in fresh}, newest

    @cached_property
    def _event_insert(self) -> Any:
        return (
            self._insert(events)
            .on_conflict_do_nothing(index_elements=[events.c.event_id])
            .returning(events.c.event_id)
        )

    def events(
        self,
        since_seq: int = 0,
        limit: int | None = None,
        node: str | None = None,
        source: str | None = None,
        state: State | int | None = None,
        matched: bool | None = None,
        time_from: float | None = None,
        time_to: float | None = None,
        *,
        before_seq: int | None = None,
        newest_first: bool = False,
    ) -> list[StoredEvent]:
        """Events after ``since_seq`` (and before ``before_seq``) in arrival order, or newest
        first; times: ``time_from <= time < time_to``."""
        order = events.c.seq.desc() if newest_first else events.c.seq
        query = sa.select(events).where(events.c.seq > since_seq).order_by(order).limit(limit)
        if before_seq is not None:
            query = query.where(events.c.seq < before_seq)
        equal: dict[str, object] = {"node": node, "source": source, "matched": matched}
        equal["state"] = None if state is None else int(state)  # a plain int for every driver
        query = query.where(*(events.c[name] == value for name, value in equal.items() if value is not None))
        if time_from is not None:
            query = query.where(events.c.time >= time_from)
        if time_to is not None:
            query = query.where(events.c.time < time_to)
        with self.engine.connect() as connection:
            return [_stored_event(row) for row in connection.execute(query)]

    def iter_all_events(self, chunk_size: int = 10_000, since_seq: int = 0) -> Iterator[StoredEvent]:
        """Every event (after ``since_seq``) in arrival order, read ``chunk_size`` at a time."""
        since = since_seq
        while chunk := self.events(since_seq=since, limit=chunk_size):
            yield from chunk
            since = chunk[-1].seq

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` that stored events carry."""
        wanted, found = list(dict.fromkeys(ids)), set[str]()
        for start in range(0, len(wanted), _IN_CHUNK):
            query = sa.select(events.c.event_id).where(
                events.c.event_id.in_(wanted[start : start + _IN_CHUNK])
            )
            found.update(row.event_id for row in self._rows(query))
        return found

    def count_events(self) -> int:
        return self._scalar(sa.select(sa.func.count()).select_from(events))

    def last_seq(self) -> int:
        """The seq of the newest event (0: none)."""
        return self._scalar(sa.select(sa.func.coalesce(sa.func.max(events.c.seq), 0)))

    # --- tokens --------------------------------------------------------------------------------

    def create_token(self, name: str, role: str) -> str:
        """A new token for ``name``, returned once: only its hash is stored."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        if not name:
            raise ValueError("a token needs a name")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = {"name": name, "role": role, "secret_hash": hash_token(token), "created_at": self._clock()}
        try:
            self._write(tokens.insert().values(row))
        except IntegrityError:
            raise TokenNameInUse(name) from None
        return token

    def verify_token(self, token: str) -> TokenInfo | None:
        """The live token's record, or None (unknown or revoked); notes when it was last used."""
        query = sa.select(tokens).where(
            tokens.c.secret_hash == hash_token(token), tokens.c.revoked_at.is_(None)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        info, now = _token_info(row), self._clock()
        if info.last_used_at is None or now - info.last_used_at >= LAST_USED_RESOLUTION:
            try:
                self._write(tokens.update().where(tokens.c.id == info.id).values(last_used_at=now))
            except StorageUnavailable:  # bookkeeping: a full database must not lock readers out
                return info
            info = replace(info, last_used_at=now)
        return info

    def list_tokens(self, include_revoked: bool = False) -> list[TokenInfo]:
        query = sa.select(tokens).order_by(tokens.c.id)
        if not include_revoked:
            query = query.where(tokens.c.revoked_at.is_(None))
        return [_token_info(row) for row in self._rows(query)]

    def revoke_token(self, name: str) -> bool:
        """Revoke the live token named ``name``; False if there is none."""
        live = (tokens.c.name == name) & tokens.c.revoked_at.is_(None)
        return self._write(tokens.update().where(live).values(revoked_at=self._clock())) > 0

    # --- audit log -----------------------------------------------------------------------------

    def audit(self, actor: str, action: str, detail: Mapping[str, Any] | None = None) -> None:
        row = {"at": self._clock(), "actor": actor, "action": action, "detail": detail}
        self._write(audit_log.insert().values(row))

    def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        """The newest entries first."""
        query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        return [AuditEntry(row.id, row.at, row.actor, row.action, row.detail) for row in self._rows(query)]

    # --- maintenance windows -------------------------------------------------------------------

    def add_maintenance(
        self,
        nodes: Sequence[str],
        start: float,
        end: float,
        reason: str,
        created_by: str,
        id: str | None = None,
        *,
        after_seq: int | None = None,
        at_clock: float | None = None,
    ) -> MaintenanceWindow:
        """Store a window; ``after_seq`` and ``at_clock``: where it comes among the events (the seq
        of the last event the engine had applied, and its clock)."""
        if not nodes:
            raise ValueError("a maintenance window needs at least one node")
        if end <= start:
            raise ValueError(f"a maintenance window must end after it starts ({start} >= {end})")
        window = MaintenanceWindow(
            id or uuid.uuid4().hex,
            tuple(nodes),
            start,
            end,
            reason,
            created_by,
            self._clock(),
            added_after_seq=after_seq,
            added_at_clock=at_clock,
        )
        try:
            self._write(maintenance_windows.insert().values(_maintenance_row(window)))
        except IntegrityError:
            raise ValueError(f"maintenance window {window.id!r} exists") from None
        return window

    def list_maintenance(
        self, active_at: float | None = None, *, include_ended: bool = False
    ) -> list[MaintenanceWindow]:
        """The windows not ended early (or all), or those covering ``active_at``, by start."""
        table = maintenance_windows
        query = sa.select(table).order_by(table.c.start, table.c.id)
        if not include_ended:
            query = query.where(table.c.ended_after_seq.is_(None))
        if active_at is not None:
            query = query.where(table.c.start <= active_at, table.c.end > active_at)
        return [_maintenance(row) for row in self._rows(query)]

    def end_maintenance(self, id: str, *, after_seq: int, at_clock: float) -> bool:
        """Mark a window ended early, where it came among the events; False: none running by that id.

        The row stays: a restart ends it again at the same place, and reports still see the time
        it was in force.
        """
        table = maintenance_windows
        statement = (
            table.update()
            .where(table.c.id == id, table.c.ended_after_seq.is_(None))
            .values(ended_after_seq=after_seq, ended_at_clock=at_clock)
        )
        return self._write(statement) > 0

    # --- incidents -----------------------------------------------------------------------------

    def save_incident(self, incident: Incident) -> None:
        """Insert the incident, or update it if its id is stored."""
        self.save_incidents([incident])

    def save_incidents(self, records: Sequence[Incident]) -> None:
        """Insert or update several incidents in one transaction (one disk flush)."""
        if not records:
            return
        rows = [_incident_row(incident) for incident in records]
        with write_transaction(self.engine) as connection:
            connection.execute(self._incident_upsert, rows)

    @cached_property
    def _incident_upsert(self) -> Any:
        """One statement for every save (building it is slower than running it)."""
        statement = self._insert(incidents)
        names = [column.name for column in incidents.c if column.name != "id"]
        changes = {name: statement.excluded[name] for name in names}
        return statement.on_conflict_do_update(index_elements=[incidents.c.id], set_=changes)

    def get_incident(self, incident_id: str) -> Incident | None:
        rows = self._rows(sa.select(incidents).where(incidents.c.id == incident_id))
        return _incident(rows[0]) if rows else None

    def list_incidents(self, open_only: bool = False, limit: int | None = None) -> list[Incident]:
        """The newest (by opening time) first."""
        query = (
            sa.select(incidents).order_by(incidents.c.opened_at.desc(), incidents.c.id.desc()).limit(limit)
        )
        if open_only:
            query = query.where(incidents.c.closed_at.is_(None))
        return [_incident(row) for row in self._rows(query)]

    def add_incident_note(
        self, incident_id: str, author: str, text: str, at: float | None = None
    ) -> IncidentNote:
        at = self._clock() if at is None else at
        row = {"incident_id": incident_id, "at": at, "author": author, "text": text}
        try:
            with write_transaction(self.engine) as connection:
                note_id = connection.execute(
                    incident_notes.insert().values(row).returning(incident_notes.c.id)
                )
                return IncidentNote(note_id.scalar_one(), incident_id, at, author, text)
        except IntegrityError:  # the foreign key: no such incident
            raise UnknownIncident(incident_id) from None

    def incident_notes(self, incident_id: str) -> list[IncidentNote]:
        """Oldest first."""
        table = incident_notes
        query = sa.select(table).where(table.c.incident_id == incident_id).order_by(table.c.at, table.c.id)
        return [
            IncidentNote(row.id, row.incident_id, row.at, row.author, row.text) for row in self._rows(query)
        ]

    # --- meta ----------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        rows = self._rows(sa.select(meta.c.value).where(meta.c.key == key))
        return str(rows[0].value) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        statement = self._insert(meta).values(key=key, value=value)
        self._write(statement.on_conflict_do_update(index_elements=[meta.c.key], set_={"value": value}))

    # --- helpers -------------------------------------------------------------------------------

    def _insert(self, table: sa.Table) -> _Insert:
        """The dialect's INSERT, which has ON CONFLICT."""
        return postgresql.insert(table) if self._postgres else sqlite.insert(table)

    def _write(self, statement: sa.Executable) -> int:
        """Run one statement in its own committed transaction; the rows it changed."""
        with write_transaction(self.engine) as connection:
            return connection.execute(statement).rowcount

    def _rows(self, query: sa.Select[Any]) -> list[Row[Any]]:
        with self.engine.connect() as connection:
            return list(connection.execute(query))

    def _scalar(self, query: sa.Select[Any]) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())


def _first_occurrences(ids: Sequence[str | None]) -> list[bool]:
    """False for an id that appeared earlier in the sequence (None: never a repeat)."""
    seen: set[str] = set()
    firsts = []
    for event_id in ids:
        firsts.append(event_id is None or event_id not in seen)
        if event_id is not None:
            seen.add(event_id)
    return firsts


_SQLITE_IDS_PER_QUERY = 500  # well under SQLite's limit on host parameters
# Many rows a statement: the driver lets other threads run during each step of a statement,
# and with ``executemany`` (one step a row) the server's threads fought for the interpreter
# lock a hundred times a request. 10 parameters a row: 2,000 parameters a statement at most.
_SQLITE_ROWS_PER_INSERT = 200


@lru_cache(maxsize=_SQLITE_ROWS_PER_INSERT)
def _sqlite_insert_events(rows: int) -> str:
    return (
        "INSERT INTO events (event_id, received_at, time, node, labels, state, key, summary, source, matched)"
        " VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * rows)
    )


def _sqlite_event_row(event: Event, received_at: float, matched: bool) -> tuple[Any, ...]:
    labels = (
        None if event.labels is None else orjson.dumps(event.labels, option=orjson.OPT_SORT_KEYS).decode()
    )
    return (
        event.id,
        received_at,
        received_at if event.time is None else event.time,
        event.node,
        labels,
        int(event.state),
        event.key,
        event.summary,
        event.source,
        1 if matched else 0,
    )


def _event_row(event: Event, received_at: float, matched: bool) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "received_at": received_at,
        "time": received_at if event.time is None else event.time,
        "node": event.node,
        "labels": event.labels,
        "state": int(event.state),
        "key": event.key,
        "summary": event.summary,
        "source": event.source,
        "matched": matched,
    }


def _stored_event(row: Row[Any]) -> StoredEvent:
    return StoredEvent(
        seq=row.seq,
        event_id=row.event_id,
        received_at=row.received_at,
        time=row.time,
        node=row.node,
        labels=row.labels,
        state=State(row.state),
        key=row.key,
        summary=row.summary,
        source=row.source,
        matched=bool(row.matched),
    )


def _token_info(row: Row[Any]) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.role, row.created_at, row.revoked_at, row.last_used_at)


def _maintenance_row(window: MaintenanceWindow) -> dict[str, Any]:
    return {
        "id": window.id,
        "nodes": list(window.nodes),
        "start": window.start,
        "end": window.end,
        "reason": window.reason,
        "created_by": window.created_by,
        "created_at": window.created_at,
        "added_after_seq": window.added_after_seq,
        "added_at_clock": window.added_at_clock,
        "ended_after_seq": window.ended_after_seq,
        "ended_at_clock": window.ended_at_clock,
    }


def _maintenance(row: Row[Any]) -> MaintenanceWindow:
    return MaintenanceWindow(
        row.id,
        tuple(row.nodes),
        row.start,
        row.end,
        row.reason,
        row.created_by,
        row.created_at,
        row.added_after_seq,
        row.added_at_clock,
        row.ended_after_seq,
        row.ended_at_clock,
    )


def _incident_row(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "opened_at": incident.opened_at,
        "closed_at": incident.closed_at,
        "services": list(incident.services),
        "root_causes": list(incident.root_causes),
        "acknowledged_at": incident.acknowledged_at,
        "acknowledged_by": incident.acknowledged_by,
        "cost": incident.cost,
        "users": incident.users,
        "timeline": None if incident.timeline is None else [list(entry) for entry in incident.timeline],
    }


def _incident(row: Row[Any]) -> Incident:
    return Incident(
        id=row.id,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        services=tuple(row.services),
        root_causes=tuple(row.root_causes),
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        cost=row.cost,
        users=row.users,
        timeline=None
        if row.timeline is None
        else tuple(
            (time, service, state, planned, tuple(roots))
            for time, service, state, planned, roots in row.timeline
        ),
    )
