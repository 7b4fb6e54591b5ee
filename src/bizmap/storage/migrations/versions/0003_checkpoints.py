"""Checkpoints of the engine's state, and when each maintenance window was added and ended
(in the order of the events), so that a restart carries on from a checkpoint and replays the
windows at their place among the events; incidents keep their timeline (the engine forgets old
ones).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

Written out in full (not imported from ``schema.py``), like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "checkpoints",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("taken_at", sa.Float, nullable=False),
        sa.Column("applied_seq", sa.BigInteger, nullable=False),
        sa.Column("format", sa.Integer, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_checkpoints"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("maintenance_windows") as batch:
        batch.add_column(sa.Column("added_after_seq", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("added_at_clock", sa.Float, nullable=True))
        batch.add_column(sa.Column("ended_after_seq", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("ended_at_clock", sa.Float, nullable=True))
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("timeline", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("timeline")
    with op.batch_alter_table("maintenance_windows") as batch:
        batch.drop_column("ended_at_clock")
        batch.drop_column("ended_after_seq")
        batch.drop_column("added_at_clock")
        batch.drop_column("added_after_seq")
    op.drop_table("checkpoints")
