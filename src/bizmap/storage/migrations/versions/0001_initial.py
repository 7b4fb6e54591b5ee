"""The initial schema: events, tokens, audit log, maintenance windows, incidents and notes, meta.

Revision ID: 0001
Revises:
Create Date: 2026-01-01

Written out in full (not imported from ``schema.py``), so that it keeps creating this revision's
schema when ``schema.py`` moves on. JSON values are text.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite: INTEGER PRIMARY KEY is the rowid
TABLES = ("events", "tokens", "audit_log", "maintenance_windows", "incidents", "incident_notes", "meta")
LIVE = sa.text("revoked_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("seq", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Text, nullable=True),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("time", sa.Float, nullable=False),
        sa.Column("node", sa.Text, nullable=True),
        sa.Column("labels", sa.Text, nullable=True),
        sa.Column("state", sa.SmallInteger, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("source", sa.Text, nullable=True),
        sa.Column("matched", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_events"),
        sa.UniqueConstraint("event_id", name="uq_events_event_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_events_time", "events", ["time"])
    op.create_index("ix_events_node", "events", ["node"])

    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("secret_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("revoked_at", sa.Float, nullable=True),
        sa.Column("last_used_at", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tokens"),
        sa.UniqueConstraint("secret_hash", name="uq_tokens_secret_hash"),
        sa.CheckConstraint("role IN ('read', 'ingest', 'operate', 'admin')", name="ck_tokens_role"),
    )
    op.create_index(
        "ux_tokens_live_name", "tokens", ["name"], unique=True, sqlite_where=LIVE, postgresql_where=LIVE
    )

    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )

    op.create_table(
        "maintenance_windows",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("nodes", sa.Text, nullable=False),
        sa.Column("start", sa.Float, nullable=False),
        sa.Column("end", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_maintenance_windows"),
    )

    op.create_table(
        "incidents",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("opened_at", sa.Float, nullable=False),
        sa.Column("closed_at", sa.Float, nullable=True),
        sa.Column("services", sa.Text, nullable=False),
        sa.Column("root_causes", sa.Text, nullable=False),
        sa.Column("acknowledged_at", sa.Float, nullable=True),
        sa.Column("acknowledged_by", sa.Text, nullable=True),
        sa.Column("cost", sa.Float, nullable=False),
        sa.Column("users", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
    )

    op.create_table(
        "incident_notes",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incident_notes"),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name="fk_incident_notes_incident_id_incidents",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_incident_notes_incident_id", "incident_notes", ["incident_id"])

    op.create_table(
        "meta",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
