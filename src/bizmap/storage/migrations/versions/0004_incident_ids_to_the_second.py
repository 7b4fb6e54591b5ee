"""Incident ids to the second: ``INC-20261203T083302.470675Z-shop`` becomes
``INC-20261203T083302Z-shop``, as the engine now makes them (``bizmap.engine.incidents``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

Ids are derived from history, so a restarted server makes the new id for an incident stored
under its old one; renaming the stored rows (and their notes) keeps its acknowledgement and
notes. Incidents of one service that opened in the same second are told apart as the engine
does: the first to open keeps the plain id, the next ones get ``-2``, ``-3``... An id already
taken is never reused. Written out in full (not importing the engine), like 0001.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WITH_FRACTION = re.compile(r"^(INC-\d{8}T\d{6})\.\d+(Z-.*)$")


def renamed_ids(incidents: Iterable[tuple[str, float]]) -> dict[str, str]:
    """Old id -> new id for each (id, opened_at) whose id carries a fraction of a second."""
    rows = list(incidents)
    taken = {incident_id for incident_id, _ in rows if not _WITH_FRACTION.match(incident_id)}
    renames: dict[str, str] = {}
    for old, _ in sorted(rows, key=lambda row: (row[1], row[0])):  # in the order they opened
        match = _WITH_FRACTION.match(old)
        if match is None:
            continue
        base = match.group(1) + match.group(2)
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name)
        renames[old] = name
    return renames


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, opened_at FROM incidents")).all()
    columns = "opened_at, closed_at, services, root_causes, acknowledged_at, acknowledged_by, cost, users"
    for old, new in renamed_ids((row[0], row[1]) for row in rows).items():
        # a new row first, then the notes, then the old row: the notes' foreign key holds throughout
        connection.execute(
            sa.text(
                f"INSERT INTO incidents (id, {columns}) SELECT :new, {columns} FROM incidents WHERE id = :old"
            ),
            {"new": new, "old": old},
        )
        connection.execute(
            sa.text("UPDATE incident_notes SET incident_id = :new WHERE incident_id = :old"),
            {"new": new, "old": old},
        )
        connection.execute(sa.text("DELETE FROM incidents WHERE id = :old"), {"old": old})


def downgrade() -> None:
    """The old ids are not kept; the new ones stay (an older bizmap then makes new rows)."""
