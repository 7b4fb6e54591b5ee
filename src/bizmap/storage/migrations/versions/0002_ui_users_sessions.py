"""The web UI's people and sessions: users (scrypt password hashes) and ui_sessions (hashed ids).

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-02

Written out in full (not imported from ``schema.py``), like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
        sa.CheckConstraint("role IN ('read', 'operate', 'admin')", name="ck_users_role"),
    )
    op.create_table(
        "ui_sessions",
        sa.Column("id_hash", sa.Text, primary_key=True),
        sa.Column("principal", sa.Text, nullable=False),
        sa.Column("via", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_ui_sessions"),
        sa.CheckConstraint("via IN ('password', 'token')", name="ck_ui_sessions_via"),
    )
    op.create_index("ix_ui_sessions_expires_at", "ui_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("ui_sessions")
    op.drop_table("users")
