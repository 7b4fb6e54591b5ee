"""A restart carries on from the newest checkpoint and replays only the events after it, on SQLite
and PostgreSQL; a damaged checkpoint falls back to the one before, or to every event, with a
warning; whichever way, the server answers exactly as before it stopped (issue 13).

§9 model (orders needs half the weight of a(2), b, c), clock fixed at Monday 2026-03-09 09:00 UTC.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest_web import make_tokens
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.storage.checkpoints import CheckpointStore
from bizmap.storage.schema import checkpoints
from bizmap.storage.store import Store
from bizmap.web.app import create_app
from helpers import run_cli, utc

NOW = utc("2026-03-09T09:00:00Z")


def start(database: str, model_path: Path) -> TestClient:
    return TestClient(create_app(Settings(model=str(model_path), db=database), clock=lambda: NOW))


def answers(client: TestClient, auth: dict[str, str]) -> dict[str, Any]:
    """What people read: every service, every incident with its timeline, the windows."""
    incidents = client.get("/api/v1/incidents", headers=auth).json()["incidents"]
    return {
        "services": client.get("/api/v1/services", headers=auth).json(),
        "incidents": [client.get(f"/api/v1/incidents/{i['id']}", headers=auth).json() for i in incidents],
        "windows": client.get("/api/v1/maintenance", headers=auth).json(),
    }


def post(client: TestClient, auth: dict[str, str], node: str, state: str, at: str) -> None:
    response = client.post("/api/v1/events", json={"node": node, "state": state, "time": at}, headers=auth)
    assert response.status_code == 202, response.text


def story(client: TestClient, auth: dict[str, str]) -> None:
    """a (weight 2) and b down: orders down; a window on both, ended early; acknowledged; more events."""
    post(client, auth, "a", "down", "2026-03-09T08:00:00Z")
    post(client, auth, "b", "down", "2026-03-09T08:05:00Z")
    window = {
        "nodes": ["a", "b"],
        "start": "2026-03-09T08:10:00Z",
        "end": "2026-03-09T12:00:00Z",
        "reason": "fix",
    }
    window_id = client.post("/api/v1/maintenance", json=window, headers=auth).json()["id"]
    post(client, auth, "c", "degraded", "2026-03-09T08:20:00Z")
    assert client.delete(f"/api/v1/maintenance/{window_id}", headers=auth).status_code == 200
    post(client, auth, "c", "ok", "2026-03-09T08:30:00Z")
    incident = client.get("/api/v1/incidents", headers=auth).json()["incidents"][0]["id"]
    assert client.post(f"/api/v1/incidents/{incident}/ack", headers=auth).status_code == 200
    post(client, auth, "b", "ok", "2026-03-09T08:40:00Z")
    post(client, auth, "a", "degraded", "2026-03-09T08:45:00Z")


def test_a_restart_resumes_the_checkpoint_taken_at_shutdown(database: str, model_path: Path) -> None:
    auth = {"Authorization": f"Bearer {make_tokens(database)['admin']}"}
    with start(database, model_path) as client:
        story(client, auth)
        before = answers(client, auth)
        assert client.app.state.live.restored.startswith(
            "resumed from the first stored event: 0 events replayed"
        )
    assert [(i["opened_at"], i["closed_at"]) for i in before["incidents"]] == [
        ("2026-03-09T08:20:00Z", "2026-03-09T08:40:00Z"),  # the window ended early at the clock: 08:20
        ("2026-03-09T08:05:00Z", "2026-03-09T08:10:00Z"),  # planned from the window's start
    ]

    stats = json.loads(run_cli("db", "stats", "--db", database, "--json").stdout)
    assert (stats["checkpoints"], stats["newest_checkpoint_event"]) == (1, 6)  # taken at shutdown
    assert stats["newest_checkpoint_at"] == "2026-03-09T09:00:00Z"  # the server's clock, to the second

    with start(database, model_path) as client:
        restored = client.app.state.live.restored
        assert restored.startswith("resumed from the checkpoint at event 6: 0 events replayed"), restored
        assert answers(client, auth) == before

    with Store(database) as store:  # no checkpoint: every event again, the windows at their place
        assert CheckpointStore(store.engine).forget() == 2  # the newest two are kept
    with start(database, model_path) as client:
        assert client.app.state.live.restored.startswith("resumed from the first stored event: 6 events")
        assert answers(client, auth) == before


def test_a_damaged_checkpoint_falls_back_with_a_warning(
    database: str, model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    auth = {"Authorization": f"Bearer {make_tokens(database)['admin']}"}
    with start(database, model_path) as client:
        post(client, auth, "a", "down", "2026-03-09T08:00:00Z")
    with start(database, model_path) as client:  # a checkpoint at event 1 (and another at shutdown)
        story(client, auth)
        before = answers(client, auth)
    with Store(database) as store, store.engine.begin() as connection:
        newest = connection.execute(sa.select(sa.func.max(checkpoints.c.id))).scalar_one()
        connection.execute(checkpoints.update().where(checkpoints.c.id == newest).values(body=b"\x93\x01"))

    with caplog.at_level(logging.WARNING, logger="bizmap.checkpoints"), start(database, model_path) as client:
        assert client.app.state.live.restored.startswith("resumed from the checkpoint at event 1: 6 events")
        assert answers(client, auth) == before
    assert f"checkpoint {newest} (event 7) is damaged: not used" in caplog.text

    with Store(database) as store, store.engine.begin() as connection:  # every one damaged
        connection.execute(checkpoints.update().values(sha256="0" * 64))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bizmap.checkpoints"), start(database, model_path) as client:
        assert client.app.state.live.restored.startswith("resumed from the first stored event: 7 events")
        assert answers(client, auth) == before
    assert caplog.text.count("is damaged: not used") == 2


def test_an_incident_the_engine_forgot_keeps_its_figures_and_timeline(
    database: str, model_path: Path
) -> None:
    """120 days after an incident closed, a checkpoint makes the engine forget it (issue 13,
    bounded memory); its page and API answer from what was stored: the same cost and timeline."""
    now = [NOW]
    token = make_tokens(database)["admin"]
    auth = {"Authorization": f"Bearer {token}"}
    app = create_app(Settings(model=str(model_path), db=database), clock=lambda: now[0])
    with TestClient(app) as client:
        post(client, auth, "a", "down", "2026-03-09T08:00:00Z")
        post(client, auth, "b", "down", "2026-03-09T08:05:00Z")
        post(client, auth, "b", "ok", "2026-03-09T08:35:00Z")
        (incident,) = client.get("/api/v1/incidents", headers=auth).json()["incidents"]
        before = client.get(f"/api/v1/incidents/{incident['id']}", headers=auth).json()
        assert [(t["time"], t["state"]) for t in before["timeline"]] == [
            ("2026-03-09T08:05:00Z", "down"),
            ("2026-03-09T08:35:00Z", "ok"),
        ]
        now[0] = NOW + 120 * 86400
        post(client, auth, "c", "degraded", "2026-07-07T09:00:00Z")
        live = client.app.state.live
        assert live.engine.incidents.get(incident["id"]) is not None
        assert client.portal.call(live.checkpointer.take) is True
        assert live.engine.incidents.get(incident["id"]) is None  # forgotten by the engine

        after = client.get(f"/api/v1/incidents/{incident['id']}", headers=auth).json()
        assert after == before
        form = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert form is not None
        client.post("/login", data={"csrf_token": form.group(1), "token": token})
        page = client.get(f"/ui/incidents/{incident['id']}")
        assert page.status_code == 200 and page.url.path == f"/ui/incidents/{incident['id']}"
        assert "Timeline" in page.text and "No timeline is kept" not in page.text
        assert page.text.count("badge badge-") >= 2  # its two status changes
