"""The HTTP API on SQLite and PostgreSQL: ingestion, live cost and SLA, tokens, bad input.

The clock stands at Monday 2026-03-09 09:00 UTC (10:00 in Paris) and the model is the §9
example: `orders` (office hours Mon-Fri 09:00-17:00 Paris, base 1,500/h, workaround x0.5
for 1.5 h, SLA 99.9 % a month on 24x7) depends on `app`, a quorum of a (weight 2), b, c.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_web import Server, make_tokens
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.web.app import create_app
from helpers import utc

NOW = utc("2026-03-09T09:00:00Z")


@pytest.fixture
def server(database: str, model_path: Path) -> Iterator[Server]:
    tokens = make_tokens(database)
    app = create_app(Settings(model=str(model_path), db=database, max_body_bytes=10_000), clock=lambda: NOW)
    with TestClient(app) as client:
        yield Server(client, database, tokens)


def post(server: Server, body: object, role: str = "ingest", path: str = "/api/v1/events") -> dict:
    response = server.client.post(path, json=body, headers=server.headers(role))
    return {"status": response.status_code, **response.json()}


def test_an_outage_costs_what_the_calendar_and_workaround_say(server: Server) -> None:
    answer = post(server, {"node": "app", "state": "down", "time": "2026-03-06T15:00:00Z", "id": "e1"})
    assert answer == {"status": 202, "accepted": 1, "duplicates": 0, "unmatched": 0}
    orders = server.client.get("/api/v1/services/orders", headers=server.headers("read")).json()
    assert orders["state"] == "down" and orders["root_causes"] == ["app"]
    # Counted so far: Friday 16:00-17:00 and Monday 09:00-10:00 Paris, 2 h. The workaround's
    # 1.5 h are spent, so it now costs the full 1,500 per hour.
    assert orders["cost_per_hour"] == 1500.0
    # This month: 1.5 h at 750 + 0.5 h at 1,500 = 1,875; today (Monday): the last 0.5 h of the
    # workaround (375) and 0.5 h at full rate (750) = 1,125.
    assert orders["cost_this_period"] == 1875.0
    assert orders["cost_today"] == 1125.0
    assert orders["episode"]["counted_seconds"] == 7200
    # SLA on 24x7 March: measured from the server's first event, Friday 15:00Z (semantics §10;
    # not from 2026-03-02 09:00Z, the oldest an event may be, which invented 4 days up), so the
    # period is partial: 66 h = 237,600 s measured, all of it down. Budget of the time measured
    # so far (semantics §4, §10: never the rest of the month): 0.1 % of 237,600 = 237.6 s;
    # remaining 237.6 - 237,600 = -237,362.4, floored (§5).
    assert orders["sla"]["period_start"] == "2026-03-06T15:00:00Z"
    assert orders["sla"]["partial"] is True
    assert orders["sla"]["measured_seconds"] == 237600
    assert orders["sla"]["down_seconds"] == 237600
    assert orders["sla"]["sli"] == 0.0
    assert orders["sla"]["budget_seconds"] == 237
    assert orders["sla"]["budget_remaining_seconds"] == -237363
    assert orders["users_affected"] == 10


def test_a_retry_is_a_duplicate_and_an_unknown_node_is_kept_as_unmatched(server: Server) -> None:
    first = post(server, [{"node": "a", "state": "down", "id": "x1"}, {"node": "ghost", "state": "down"}])
    assert first == {"status": 202, "accepted": 2, "duplicates": 0, "unmatched": 1}
    again = post(server, [{"node": "a", "state": "down", "id": "x1"}])
    assert again == {"status": 202, "accepted": 0, "duplicates": 1, "unmatched": 0}
    listed = server.client.get("/api/v1/events?unmatched=true", headers=server.headers("read")).json()
    assert [e["node"] for e in listed["events"]] == ["ghost"]
    every = server.client.get("/api/v1/events", headers=server.headers("read")).json()
    assert len(every["events"]) == 2


def test_a_late_event_is_stored_but_changes_nothing(server: Server) -> None:
    post(server, {"node": "app", "state": "down", "time": "2026-03-09T08:00:00Z"})
    post(server, {"node": "app", "state": "ok", "time": "2026-03-09T07:00:00Z"})  # older: late
    orders = server.client.get("/api/v1/services/orders", headers=server.headers("read")).json()
    assert orders["state"] == "down"
    assert len(server.client.get("/api/v1/events", headers=server.headers("read")).json()["events"]) == 2


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"{not json", 400, "json"),
        (b'{"node": "a", "state": "sideways"}', 400, "state"),
        (b'{"node": 5, "state": "down"}', 400, "node"),
        (b'[{"node": "a", "state": "down"}, {"node": "a"}]', 400, "[1].state"),
        (b'{"node": "a", "state": "down", "time": "2026-01-01T00:00:00Z"}', 422, "time"),
        (b'{"node": "a", "state": "down", "time": "2026-03-09T10:00:00Z"}', 422, "time"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    server: Server, body: bytes, status: int, field: str
) -> None:
    response = server.client.post("/api/v1/events", content=body, headers=server.headers("ingest"))
    assert response.status_code == status, response.text
    text = response.text
    assert field in text
    assert server.client.get("/api/v1/events", headers=server.headers("read")).json()["events"] == []
    orders = server.client.get("/api/v1/services/orders", headers=server.headers("read")).json()
    assert orders["state"] == "ok"


def test_an_oversize_body_gets_413(server: Server) -> None:
    body = b"[" + b",".join([b'{"node": "a", "state": "down"}'] * 1000) + b"]"
    response = server.client.post("/api/v1/events", content=body, headers=server.headers("ingest"))
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("post", "/api/v1/events", {"ingest", "admin"}),
        ("get", "/api/v1/services", {"read", "operate", "admin"}),
        ("get", "/api/v1/events", {"read", "operate", "admin"}),
        ("get", "/openapi.json", {"read", "operate", "admin"}),
    ],
)
def test_every_call_needs_a_token_with_the_right_role(
    server: Server, method: str, path: str, allowed: set[str]
) -> None:
    kwargs = {"json": {"node": "b", "state": "ok"}} if method == "post" else {}
    assert getattr(server.client, method)(path, **kwargs).status_code == 401
    bad = {"Authorization": "Bearer bzm_not-a-token"}
    assert getattr(server.client, method)(path, headers=bad, **kwargs).status_code == 401
    for role in ("read", "ingest", "operate", "admin"):
        status = getattr(server.client, method)(path, headers=server.headers(role), **kwargs).status_code
        assert (status < 400) == (role in allowed), (role, status)


def test_healthz_needs_no_token(server: Server) -> None:
    assert server.client.get("/healthz").json() == {"status": "ok"}


def test_alertmanager_webhook_fires_and_resolves(server: Server) -> None:
    alert = {
        "status": "firing",
        "labels": {"alertname": "Down", "bizmap_node": "app", "severity": "critical"},
        "annotations": {"summary": "app down"},
        "startsAt": "2026-03-09T08:30:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus/graph",
        "fingerprint": "c0ffee0000000001",
    }
    payload = {
        "version": "4",
        "groupKey": "{}:{}",
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "bizmap",
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://am",
        "alerts": [alert],
    }
    assert post(server, payload, path="/api/v1/ingest/alertmanager")["accepted"] == 1
    read = server.headers("read")
    assert server.client.get("/api/v1/services/orders", headers=read).json()["state"] == "down"
    resolved = {**alert, "status": "resolved", "endsAt": "2026-03-09T08:45:00Z"}
    assert (
        post(
            server,
            {**payload, "status": "resolved", "alerts": [resolved]},
            path="/api/v1/ingest/alertmanager",
        )["accepted"]
        == 1
    )
    assert server.client.get("/api/v1/services/orders", headers=read).json()["state"] == "ok"


def test_restart_rebuilds_the_same_live_state(database: str, model_path: Path) -> None:
    tokens = make_tokens(database)
    settings = Settings(model=str(model_path), db=database)
    events = [
        {"node": "a", "state": "down", "time": "2026-03-06T15:00:00Z", "id": "r1"},
        {"node": "c", "state": "degraded", "time": "2026-03-06T16:00:00Z", "id": "r2"},
        {"node": "b", "state": "down", "time": "2026-03-09T08:00:00Z", "id": "r3"},
    ]
    auth = {"Authorization": f"Bearer {tokens['admin']}"}
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        assert client.post("/api/v1/events", json=events, headers=auth).status_code == 202
        before = client.get("/api/v1/services", headers=auth).json()
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        after = client.get("/api/v1/services", headers=auth).json()
        assert client.post("/api/v1/events", json=events[:1], headers=auth).json()["duplicates"] == 1
    assert after == before
    assert before["services"][0]["state"] == "down"


def test_reading_does_not_change_what_a_late_event_does(database: str, model_path: Path) -> None:
    # Reading the services must not move the engine's clock: otherwise an event that arrives
    # later with an earlier time would start its episode at the read, and a restart (which
    # replays the events without the reads) would tell a different story.
    tokens = make_tokens(database)
    auth = {"Authorization": f"Bearer {tokens['admin']}"}
    settings = Settings(model=str(model_path), db=database)
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        client.get("/api/v1/services/orders", headers=auth)
        client.get("/api/v1/incidents", headers=auth)
        client.post(
            "/api/v1/events",
            json={"node": "app", "state": "down", "time": "2026-03-09T08:00:00Z"},
            headers=auth,
        )
        live_view = client.get("/api/v1/services/orders", headers=auth).json()
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        rebuilt = client.get("/api/v1/services/orders", headers=auth).json()
    assert live_view["episode"]["start"] == "2026-03-09T08:00:00Z"
    assert live_view == rebuilt
