"""Maintenance windows through the API, on SQLite and PostgreSQL.

§9 model, clock at Monday 2026-03-09 09:00 UTC (10:00 in Paris, inside office hours).
`app` goes down at 08:00 UTC: one counted hour so far, inside the 1.5 h workaround, so
`orders` costs 1,500 x 0.5 = 750 per hour now; planned work costs nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_web import Server, make_tokens
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.web.app import create_app
from helpers import utc

NOW = utc("2026-03-09T09:00:00Z")
WINDOW = {
    "nodes": ["app"],
    "start": "2026-03-09T08:30:00Z",
    "end": "2026-03-09T10:00:00Z",
    "reason": "Emergency patching",
    "id": "mw-patch",
}


def start_server(database: str, model_path: Path, tokens: dict[str, str]) -> TestClient:
    return TestClient(create_app(Settings(model=str(model_path), db=database), clock=lambda: NOW))


@pytest.fixture
def server(database: str, model_path: Path) -> Iterator[Server]:
    tokens = make_tokens(database)
    with start_server(database, model_path, tokens) as client:
        yield Server(client, database, tokens)


def orders(server: Server) -> dict:
    response = server.client.get("/api/v1/services/orders", headers=server.headers("read"))
    return dict(response.json())


def test_a_window_makes_the_outage_planned_and_ending_it_makes_it_cost_again(server: Server) -> None:
    posted = server.client.post(
        "/api/v1/events",
        json={"node": "app", "state": "down", "time": "2026-03-09T08:00:00Z"},
        headers=server.headers("ingest"),
    )
    assert posted.status_code == 202
    assert orders(server)["cost_per_hour"] == 750.0 and orders(server)["planned"] is False

    added = server.client.post("/api/v1/maintenance", json=WINDOW, headers=server.headers("operate"))
    assert added.status_code == 201, added.text
    assert orders(server)["planned"] is True
    assert orders(server)["cost_per_hour"] == 0.0
    listed = server.client.get("/api/v1/maintenance", headers=server.headers("read")).json()["windows"]
    assert [(w["id"], w["source"], w["nodes"]) for w in listed] == [("mw-patch", "api", ["app"])]

    ended = server.client.delete("/api/v1/maintenance/mw-patch", headers=server.headers("operate"))
    assert ended.status_code == 200
    assert orders(server)["planned"] is False
    assert orders(server)["cost_per_hour"] == 750.0
    assert server.client.get("/api/v1/maintenance", headers=server.headers("read")).json()["windows"] == []


def test_a_window_survives_a_restart(database: str, model_path: Path) -> None:
    tokens = make_tokens(database)
    auth = {"Authorization": f"Bearer {tokens['admin']}"}
    with start_server(database, model_path, tokens) as client:
        client.post(
            "/api/v1/events",
            json={"node": "app", "state": "down", "time": "2026-03-09T08:00:00Z"},
            headers=auth,
        )
        assert client.post("/api/v1/maintenance", json=WINDOW, headers=auth).status_code == 201
    with start_server(database, model_path, tokens) as client:
        service = client.get("/api/v1/services/orders", headers=auth).json()
        assert service["planned"] is True and service["cost_per_hour"] == 0.0


@pytest.mark.parametrize(
    ("change", "status", "named"),
    [
        ({"nodes": ["ghost"]}, 422, "ghost"),
        ({"end": "2026-03-09T08:00:00Z"}, 422, "end"),
        ({"start": "2026-03-09T08:30:00"}, 422, "start"),
        ({"reason": ""}, 422, "reason"),
        ({"colour": "red"}, 422, "colour"),
    ],
)
def test_bad_windows_are_refused_naming_the_field(
    server: Server, change: dict, status: int, named: str
) -> None:
    response = server.client.post(
        "/api/v1/maintenance", json={**WINDOW, **change}, headers=server.headers("operate")
    )
    assert response.status_code == status
    assert named in response.text
    assert server.client.get("/api/v1/maintenance", headers=server.headers("read")).json()["windows"] == []


def test_only_operators_change_windows(server: Server) -> None:
    for role in ("read", "ingest"):
        response = server.client.post("/api/v1/maintenance", json=WINDOW, headers=server.headers(role))
        assert response.status_code == 403
    assert (
        server.client.delete("/api/v1/maintenance/nope", headers=server.headers("operate")).status_code == 404
    )


def test_a_window_begins_and_ends_on_time_on_a_quiet_server(database: str, model_path: Path) -> None:
    """No event after the window is added: the timer moves the engine's clock to its start, then
    to its end, once the server's clock has passed them (issue 13, timers)."""
    now = [NOW]
    tokens = make_tokens(database)
    app = create_app(Settings(model=str(model_path), db=database), clock=lambda: now[0])
    with TestClient(app) as client:
        server = Server(client, database, tokens)
        client.post(
            "/api/v1/events",
            json={"node": "app", "state": "down", "time": "2026-03-09T08:00:00Z"},
            headers=server.headers("ingest"),
        )
        later = {**WINDOW, "start": "2026-03-09T09:30:00Z", "end": "2026-03-09T09:45:00Z"}
        assert (
            client.post("/api/v1/maintenance", json=later, headers=server.headers("operate")).status_code
            == 201
        )

        def in_maintenance() -> bool:
            return bool(
                client.get("/api/v1/nodes/app", headers=server.headers("read")).json()["in_maintenance"]
            )

        def engine_clock() -> float:
            return float(app.state.live.engine.timeline.now)

        def settled(expected: bool) -> bool:
            deadline = time.monotonic() + 5  # the timer looks at least once a second
            while in_maintenance() != expected and time.monotonic() < deadline:
                time.sleep(0.05)
            return in_maintenance() == expected

        time.sleep(1.5)  # the server's clock is still at 09:00: nothing moves
        assert not in_maintenance() and engine_clock() == utc("2026-03-09T08:00:00Z")

        now[0] = utc("2026-03-09T09:31:00Z")
        assert settled(True)
        assert engine_clock() == utc("2026-03-09T09:30:00Z")  # the window's start, not the timer's moment
        assert orders(server)["planned"] is True and orders(server)["cost_per_hour"] == 0.0

        now[0] = utc("2026-03-09T10:00:00Z")
        assert settled(False)
        assert engine_clock() == utc("2026-03-09T09:45:00Z")
        assert orders(server)["planned"] is False and orders(server)["cost_per_hour"] > 0


def test_a_refused_role_is_named_in_plain_english(server: Server) -> None:
    refused = server.client.post("/api/v1/maintenance", json=WINDOW, headers=server.headers("ingest"))
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("an ingest token may not do this; it needs one of: ")
    refused = server.client.post("/api/v1/maintenance", json=WINDOW, headers=server.headers("read"))
    assert refused.json()["detail"].startswith("a read token may not do this")


def test_an_sla_period_ends_on_time_on_a_quiet_server(database: str, model_path: Path) -> None:
    """No event after March's last: at 01:00 on 1 April the SLA period is April's, with the hour
    since midnight down, without waiting for an event (issue 13, timers). §9: orders' SLA is
    monthly on 24x7 (UTC), target 99.9 %; app goes down at 22:00 on 31 March and stays down."""
    now = [utc("2026-03-31T23:30:00Z")]
    tokens = make_tokens(database)
    app = create_app(Settings(model=str(model_path), db=database), clock=lambda: now[0])
    with TestClient(app) as client:
        server = Server(client, database, tokens)
        posted = client.post(
            "/api/v1/events",
            json={"node": "app", "state": "down", "time": "2026-03-31T22:00:00Z"},
            headers=server.headers("ingest"),
        )
        assert posted.status_code == 202
        march = orders(server)["sla"]
        # measured from the first event: 22:00 to 23:30, all of it down
        assert (march["period_start"], march["partial"]) == ("2026-03-31T22:00:00Z", True)
        assert (march["measured_seconds"], march["down_seconds"]) == (5400, 5400)

        now[0] = utc("2026-04-01T01:00:00Z")
        april = orders(server)["sla"]
        assert (april["period_start"], april["partial"]) == ("2026-04-01T00:00:00Z", False)
        assert (april["measured_seconds"], april["down_seconds"]) == (3600, 3600)
        # 0.1 % of the hour measured: 3.6 s of budget, all spent and 3,596.4 s more (floored)
        assert (april["budget_seconds"], april["budget_remaining_seconds"]) == (3, -3597)
