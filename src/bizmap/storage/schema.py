"""The one schema of both databases (SQLite, PostgreSQL), in SQLAlchemy Core.

Times are POSIX seconds (floats); structured values are JSON text (``JSONText``), so that the two
databases store exactly the same thing. The migrations in ``migrations/versions`` create this
schema; a test checks that they agree with it (Alembic's ``compare_metadata``).
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Dialect

ROLES = ("read", "ingest", "operate", "admin")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class JSONText(sa.TypeDecorator[Any]):
    """A JSON value stored as text (keys sorted): the same bytes in both databases."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else orjson.loads(value)


# SQLite makes only INTEGER PRIMARY KEY an alias of its rowid (autoincrementing); PostgreSQL gets BIGINT.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

events = sa.Table(
    "events",
    metadata,
    sa.Column("seq", BigId, primary_key=True, autoincrement=True),  # arrival order
    sa.Column("event_id", sa.Text, nullable=True, unique=True),  # the native id: idempotent retries
    sa.Column("received_at", sa.Float, nullable=False),
    sa.Column("time", sa.Float, nullable=False),  # the event's time, received_at when it had none
    sa.Column("node", sa.Text, nullable=True),
    sa.Column("labels", JSONText, nullable=True),
    sa.Column("state", sa.SmallInteger, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=True),
    sa.Column("source", sa.Text, nullable=True),
    sa.Column("matched", sa.Boolean, nullable=False),  # False: kept, but it fitted no node
    sa.Index(None, "time"),
    sa.Index(None, "node"),
    sqlite_autoincrement=True,  # a seq is never reused, even after old events are purged
)

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("secret_hash", sa.Text, nullable=False, unique=True),  # sha256 hex; never the token
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("revoked_at", sa.Float, nullable=True),
    sa.Column("last_used_at", sa.Float, nullable=True),
    sa.CheckConstraint(sa.column("role").in_(ROLES), name="role"),
    # One live token per name; a revoked name can be given a new token.
    sa.Index(
        "ux_tokens_live_name",
        "name",
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    ),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),  # a token's name
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("detail", JSONText, nullable=True),
)

maintenance_windows = sa.Table(
    "maintenance_windows",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("nodes", JSONText, nullable=False),  # a list of node ids
    sa.Column("start", sa.Float, nullable=False),
    sa.Column("end", sa.Float, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    # where it came among the events (the seq of the last event applied before) and the engine's
    # clock then; null for windows of an older bizmap: they count from the first event
    sa.Column("added_after_seq", sa.BigInteger, nullable=True),
    sa.Column("added_at_clock", sa.Float, nullable=True),
    sa.Column("ended_after_seq", sa.BigInteger, nullable=True),  # null: not ended early
    sa.Column("ended_at_clock", sa.Float, nullable=True),
)

# The engine's state saved now and then (``bizmap.engine.checkpoint``): a start-up carries on
# from the newest and replays only the events after ``applied_seq``.
checkpoints = sa.Table(
    "checkpoints",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("taken_at", sa.Float, nullable=False),  # the server's clock
    sa.Column("applied_seq", sa.BigInteger, nullable=False),
    sa.Column("format", sa.Integer, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),  # of body: a damaged one is never read
    sa.Column("body", sa.LargeBinary, nullable=False),
    sqlite_autoincrement=True,
)

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),  # given by the engine
    sa.Column("opened_at", sa.Float, nullable=False),
    sa.Column("closed_at", sa.Float, nullable=True),
    sa.Column("services", JSONText, nullable=False),  # a list of service ids
    sa.Column("root_causes", JSONText, nullable=False),  # a list of node ids
    sa.Column("acknowledged_at", sa.Float, nullable=True),
    sa.Column("acknowledged_by", sa.Text, nullable=True),
    sa.Column("cost", sa.Float, nullable=False),
    sa.Column("users", sa.Integer, nullable=False),
    # its status changes, [time, service, state, planned, [root causes]]: the incident page once
    # the engine no longer holds it (null: saved by a bizmap before this)
    sa.Column("timeline", JSONText, nullable=True),
)

incident_notes = sa.Table(
    "incident_notes",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "incident_id",
        sa.Text,
        sa.ForeignKey("incidents.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# --- the web UI's people and their sessions (bizmap.storage.users) ---------------------------

USER_ROLES = ("read", "operate", "admin")  # no "ingest": people look and act, machines send events

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),  # scrypt$N$r$p$salt$hash; never the password
    sa.Column("created_at", sa.Float, nullable=False),
    sa.CheckConstraint(sa.column("role").in_(USER_ROLES), name="role"),
)

ui_sessions = sa.Table(
    "ui_sessions",
    metadata,
    sa.Column("id_hash", sa.Text, primary_key=True),  # sha256 hex of the cookie's value; never the value
    sa.Column("principal", sa.Text, nullable=False),  # a user's name, or a token's name
    sa.Column("via", sa.Text, nullable=False),  # password | token: where the role is looked up
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
    sa.CheckConstraint(sa.column("via").in_(("password", "token")), name="via"),
)
