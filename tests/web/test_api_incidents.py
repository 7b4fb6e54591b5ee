"""The incidents API on SQLite and PostgreSQL, on the §9 model with the clock at Monday
2026-03-09 09:00 UTC (10:00 in Paris)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest_web import Server, make_tokens
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.storage.store import Store
from bizmap.web.app import create_app
from helpers import utc

NOW = utc("2026-03-09T09:00:00Z")
INCIDENT = "INC-20260306T150000Z-orders"


def start(database: str, model_path: Path) -> TestClient:
    app = create_app(Settings(model=str(model_path), db=database, max_body_bytes=10_000), clock=lambda: NOW)
    return TestClient(app)


@pytest.fixture
def server(database: str, model_path: Path) -> Iterator[Server]:
    tokens = make_tokens(database)
    with start(database, model_path) as client:
        yield Server(client, database, tokens)


def ingest(server: Server, *events: dict[str, str]) -> None:
    response = server.client.post("/api/v1/events", json=list(events), headers=server.headers("ingest"))
    assert response.status_code == 202, response.text


def get(server: Server, path: str, role: str = "read") -> dict[str, Any]:
    response = server.client.get(path, headers=server.headers(role))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_outage_opens_an_incident_with_its_live_cost(server: Server) -> None:
    # (No read before the event: reading moves the engine's clock to now, and an event older
    # than the clock takes effect now.)
    ingest(server, {"node": "app", "state": "down", "time": "2026-03-06T15:00:00Z"})
    [listed] = get(server, "/api/v1/incidents?open=true")["incidents"]
    assert listed["id"] == INCIDENT
    detail = get(server, f"/api/v1/incidents/{INCIDENT}")
    assert detail["status"] == "open" and detail["closed_at"] is None
    assert detail["services"] == ["orders"] and detail["root_causes"] == ["app"]
    assert detail["users"] == 10 and detail["currency"] == "EUR"
    # Friday 16-17 and Monday 09-10 Paris: 1.5 h at 750 + 0.5 h at 1,500 (semantics §9).
    assert detail["cost"] == 1875.0
    assert detail["timeline"] == [
        {
            "time": "2026-03-06T15:00:00Z",
            "service": "orders",
            "state": "down",
            "planned": False,
            "root_causes": ["app"],
        }
    ]
    assert detail["notes"] == [] and detail["acknowledged"] is False
    with Store(server.url) as store:  # saved as it opened
        stored = store.get_incident(INCIDENT)
    assert stored is not None and stored.services == ("orders",) and stored.users == 10


def test_recovery_closes_it_with_its_final_cost(server: Server) -> None:
    ingest(
        server,
        {"node": "app", "state": "down", "time": "2026-03-06T15:00:00Z"},
        {"node": "app", "state": "ok", "time": "2026-03-06T15:30:00Z"},
    )
    assert get(server, "/api/v1/incidents?open=true")["incidents"] == []
    [closed] = get(server, "/api/v1/incidents")["incidents"]
    assert closed["status"] == "closed" and closed["closed_at"] == "2026-03-06T15:30:00Z"
    assert closed["cost"] == 375.0  # half an hour under the workaround
    with Store(server.url) as store:
        stored = store.get_incident(closed["id"])
    assert stored is not None and stored.cost == pytest.approx(375.0)


def test_a_planned_outage_opens_no_incident(server: Server, database: str, model_path: Path) -> None:
    model_path.write_text(
        model_path.read_text()
        + "maintenance:\n  - {id: mw, nodes: [app], start: 2026-03-09T08:00:00Z, end: 2026-03-09T10:00:00Z, "
        "reason: patch}\n"
    )
    with start(database, model_path) as client:
        response = client.post(
            "/api/v1/events",
            json={"node": "app", "state": "down", "time": "2026-03-09T08:30:00Z"},
            headers=server.headers("ingest"),
        )
        assert response.status_code == 202
        assert client.get("/api/v1/incidents", headers=server.headers("read")).json()["incidents"] == []


def test_acknowledge_and_notes_are_stored_audited_and_survive_a_restart(
    server: Server, database: str, model_path: Path
) -> None:
    ingest(server, {"node": "app", "state": "down", "time": "2026-03-06T15:00:00Z"})
    path = f"/api/v1/incidents/{INCIDENT}"
    acked = server.client.post(f"{path}/ack", headers=server.headers("operate"))
    assert acked.status_code == 200, acked.text
    assert acked.json()["acknowledged"] is True
    assert acked.json()["acknowledged_by"] == "test-operate"
    assert acked.json()["acknowledged_at"] == "2026-03-09T09:00:00Z"
    text = "<b>DBA</b> paged & on it"
    note = server.client.post(f"{path}/notes", json={"text": text}, headers=server.headers("admin"))
    assert note.status_code == 201, note.text
    assert note.json()["text"] == text and note.json()["author"] == "test-admin"
    for empty in ({"text": ""}, {"text": "   "}, {}, {"text": 5}):
        refused = server.client.post(f"{path}/notes", json=empty, headers=server.headers("operate"))
        assert refused.status_code == 422 and refused.json()["field"] == "text"
    assert (
        server.client.post("/api/v1/incidents/INC-nope/ack", headers=server.headers("operate")).status_code
        == 404
    )
    missing = server.client.post(
        "/api/v1/incidents/INC-nope/notes", json={"text": "x"}, headers=server.headers("operate")
    )
    assert missing.status_code == 404
    with Store(server.url) as store:
        actions = [(e.actor, e.action, e.detail) for e in store.audit_log()]
    assert ("test-operate", "incident.acknowledge", {"incident": INCIDENT}) in actions
    assert any(
        action == "incident.note" and (detail or {}).get("incident") == INCIDENT
        for _, action, detail in actions
    )
    # After a restart the incident is rebuilt from the events, with the same id, and keeps
    # its acknowledgement and notes.
    server.client.__exit__(None, None, None)
    with start(database, model_path) as client:
        detail = client.get(path, headers=server.headers("read")).json()
        assert detail["acknowledged_by"] == "test-operate" and detail["cost"] == 1875.0
        assert [n["text"] for n in detail["notes"]] == [text]


def test_unknown_incident_is_404(server: Server) -> None:
    assert server.client.get("/api/v1/incidents/INC-nope", headers=server.headers("read")).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("get", "/api/v1/incidents", {"read", "operate", "admin"}),
        ("get", f"/api/v1/incidents/{INCIDENT}", {"read", "operate", "admin"}),
        ("post", f"/api/v1/incidents/{INCIDENT}/ack", {"operate", "admin"}),
        ("post", f"/api/v1/incidents/{INCIDENT}/notes", {"operate", "admin"}),
    ],
)
def test_every_call_needs_a_token_with_the_right_role(
    server: Server, method: str, path: str, allowed: set[str]
) -> None:
    ingest(server, {"node": "app", "state": "down", "time": "2026-03-06T15:00:00Z"})
    kwargs = {"json": {"text": "looking"}} if method == "post" else {}
    assert getattr(server.client, method)(path, **kwargs).status_code == 401
    for role in ("read", "ingest", "operate", "admin"):
        status = getattr(server.client, method)(path, headers=server.headers(role), **kwargs).status_code
        assert (status < 400) == (role in allowed), (role, status)
