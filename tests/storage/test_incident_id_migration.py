"""Migration 0004: incidents stored under ids with a fraction of a second
(``INC-20261203T083302.470675Z-shop``, what bizmap made before) are renamed to the ids the
engine now makes (``INC-20261203T083302Z-shop``), keeping their acknowledgement and notes; a
server restarted on such a database tells the same incident under its new id."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from storage_support import arrived, event

from bizmap.settings import Settings
from bizmap.storage import Store, migrate
from bizmap.storage.migrate import alembic_config, current_revision
from bizmap.web.app import create_app

AT = 1_796_286_782.0  # 2026-12-03T08:33:02Z
OLD_ROWS = [  # (id, opened_at) as bizmap stored them before 0004
    ("INC-20261203T083302.470675Z-shop", AT + 0.470675),
    ("INC-20261203T083302.9Z-shop", AT + 0.9),  # the same service again in that second
    ("INC-20261203T083302Z-desk", AT),  # a whole second: already the new form
    ("INC-20261203T083302.5Z-desk", AT + 0.5),  # opened after it: gets -2
    ("INC-20261203T090000Z-shop", AT + 1618),  # untouched
]


def _old_database(url: str, rows: list[tuple[str, float]]) -> None:
    command.upgrade(alembic_config(url), "0002")
    with Store(url) as store, store.engine.begin() as connection:
        for incident_id, opened_at in rows:
            connection.execute(
                sa.text(
                    "INSERT INTO incidents (id, opened_at, closed_at, services, root_causes, acknowledged_at,"
                    " acknowledged_by, cost, users) VALUES (:id, :opened, NULL, '[\"shop\"]', '[\"db\"]',"
                    " :acked, :by, 12.5, 3)"
                ),
                {
                    "id": incident_id,
                    "opened": opened_at,
                    "acked": opened_at + 60 if "470675" in incident_id else None,
                    "by": "olivia" if "470675" in incident_id else None,
                },
            )
        connection.execute(
            sa.text(
                "INSERT INTO incident_notes (incident_id, at, author, text)"
                " VALUES (:id, :at, 'olivia', 'on it')"
            ),
            {"id": "INC-20261203T083302.470675Z-shop", "at": AT + 90},
        )


def test_old_ids_are_renamed_to_the_second_keeping_acknowledgement_and_notes(url: str) -> None:
    _old_database(url, OLD_ROWS)

    migrate(url)

    with Store(url) as store:
        with store.engine.connect() as connection:
            assert current_revision(connection) == "0004"
        stored = {i.id: i for i in store.list_incidents()}
        assert sorted(stored) == [
            "INC-20261203T083302Z-desk",
            "INC-20261203T083302Z-desk-2",
            "INC-20261203T083302Z-shop",
            "INC-20261203T083302Z-shop-2",
            "INC-20261203T090000Z-shop",
        ]
        first = stored["INC-20261203T083302Z-shop"]
        assert (first.opened_at, first.acknowledged_by, first.acknowledged_at) == (
            AT + 0.470675,
            "olivia",
            AT + 60.470675,
        )
        assert (first.cost, first.users, first.services, first.root_causes) == (12.5, 3, ("shop",), ("db",))
        assert stored["INC-20261203T083302Z-shop-2"].opened_at == AT + 0.9
        assert stored["INC-20261203T083302Z-desk"].opened_at == AT  # kept its id
        assert stored["INC-20261203T083302Z-desk-2"].opened_at == AT + 0.5
        assert [(n.author, n.text) for n in store.incident_notes("INC-20261203T083302Z-shop")] == [
            ("olivia", "on it")
        ]


MODEL = """\
services:
  - {id: shop, impact: {revenue_per_hour: 100, users: 3}, depends_on: [db]}
components:
  - {id: db}
"""


def test_a_restarted_server_keeps_the_acknowledgement_of_an_incident_stored_under_its_old_id(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'bizmap.db'}"
    opened = AT + 0.470675  # the failure as the old server saw it: INC-...083302.470675Z-shop
    _old_database(url, [("INC-20261203T083302.470675Z-shop", opened)])
    with Store(url) as store:
        store.append_events(arrived(event(node="db", time=opened, id="db-down"), at=opened + 1))
        token = store.create_token("t-read", "read")
    (tmp_path / "model.yaml").write_text(MODEL)
    app = create_app(Settings(model=str(tmp_path / "model.yaml"), db=url), clock=lambda: AT + 600)

    with TestClient(app) as client:
        found = client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"}).json()[
            "incidents"
        ]
        assert [(i["id"], i["acknowledged_by"]) for i in found] == [("INC-20261203T083302Z-shop", "olivia")]
        one = client.get(
            "/api/v1/incidents/INC-20261203T083302Z-shop", headers={"Authorization": f"Bearer {token}"}
        )
        assert [n["text"] for n in one.json()["notes"]] == ["on it"]
