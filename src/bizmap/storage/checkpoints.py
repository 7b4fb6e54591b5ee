"""Checkpoints of the engine's state in the database (SQLite or PostgreSQL).

The bytes are the engine's (``bizmap.engine.checkpoint``); the store keeps them with the seq of
the last event they include and their sha256, and hands back the newest whose bytes still
match it. Only the newest ``KEEP`` are kept: a checkpoint replaces the history before it.

    checkpoints = CheckpointStore(store.engine)
    checkpoints.save(taken_at=time.time(), applied_seq=1234, format=1, body=b"...")
    saved = checkpoints.latest()   # SavedCheckpoint(...), or None
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bizmap.storage.engine import write_transaction
from bizmap.storage.schema import checkpoints

KEEP = 2  # the newest and the one before it, should the newest be damaged


@dataclass(frozen=True, slots=True)
class SavedCheckpoint:
    id: int
    taken_at: float
    applied_seq: int
    format: int
    body: bytes
    intact: bool  # its bytes match the sha256 stored with them


@dataclass(frozen=True, slots=True)
class CheckpointSummary:
    count: int
    newest_taken_at: float | None
    newest_applied_seq: int | None
    newest_bytes: int | None


class CheckpointStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, *, taken_at: float, applied_seq: int, format: int, body: bytes) -> int:
        """Store a checkpoint and drop all but the newest ``KEEP``; its id."""
        digest = hashlib.sha256(body).hexdigest()
        with write_transaction(self.engine) as connection:
            inserted = connection.execute(
                checkpoints.insert()
                .values(taken_at=taken_at, applied_seq=applied_seq, format=format, sha256=digest, body=body)
                .returning(checkpoints.c.id)
            ).scalar_one()
            kept = sa.select(checkpoints.c.id).order_by(checkpoints.c.id.desc()).limit(KEEP).scalar_subquery()
            connection.execute(checkpoints.delete().where(checkpoints.c.id.not_in(kept)))
        return int(inserted)

    def newest_first(self) -> list[SavedCheckpoint]:
        """The checkpoints kept, newest first, each checked against its sha256."""
        query = sa.select(checkpoints).order_by(checkpoints.c.id.desc())
        with self.engine.connect() as connection:
            rows = list(connection.execute(query))
        return [
            SavedCheckpoint(
                row.id,
                row.taken_at,
                row.applied_seq,
                row.format,
                bytes(row.body),
                hashlib.sha256(bytes(row.body)).hexdigest() == row.sha256,
            )
            for row in rows
        ]

    def summary(self) -> CheckpointSummary:
        query = sa.select(
            checkpoints.c.taken_at, checkpoints.c.applied_seq, sa.func.length(checkpoints.c.body)
        ).order_by(checkpoints.c.id.desc())
        with self.engine.connect() as connection:
            rows = list(connection.execute(query))
        if not rows:
            return CheckpointSummary(0, None, None, None)
        taken_at, applied_seq, size = rows[0]
        return CheckpointSummary(len(rows), taken_at, applied_seq, size)

    def forget(self) -> int:
        """Delete every checkpoint (the next start replays every event); how many there were."""
        with write_transaction(self.engine) as connection:
            return connection.execute(checkpoints.delete()).rowcount
