"""A refused request changes nothing: every ingestion endpoint, on SQLite and PostgreSQL.

Each body below was refused, or answered 500 with a traceback, before the decoders were
hardened: JSON nested 1,000 deep (RecursionError while explaining the refusal), numbers out of
range (msgspec's error escaped), times past the year 9999 or before it began (formatting the
refusal overflowed), NUL characters (PostgreSQL cannot store them). Each must now be a 4xx that
says what is wrong, and leave the stored events and every node's state as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest_web import Server, make_tokens
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.web.app import create_app
from helpers import utc

NOW = utc("2026-03-09T09:00:00Z")
BEFORE = "2026-03-09T08:59:00Z"

NATIVE = "/api/v1/events"
ALERTMANAGER = "/api/v1/ingest/alertmanager"
CLOUDEVENTS = "/api/v1/ingest/cloudevents"
ICINGA = "/api/v1/ingest/icinga"


def deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def alertmanager(**alert: Any) -> dict[str, Any]:
    labels = {"alertname": "Down", "bizmap_node": "b", "severity": "critical"}
    return {
        "version": "4",
        "alerts": [{"status": "firing", "labels": labels, "startsAt": BEFORE, **alert}],
    }


def cloudevent(**changes: Any) -> dict[str, Any]:
    data = {"node": "c", "state": "down", "time": BEFORE}
    return {"specversion": "1.0", "type": "t", "source": "/s", "id": "1", "data": data, **changes}


def icinga(**changes: Any) -> dict[str, Any]:
    return {"host": "db-1", "exit_status": 1, "plugin_output": "PING CRITICAL", **changes}


GOOD: list[tuple[str, object]] = [
    (NATIVE, {"node": "a", "state": "down", "time": BEFORE, "id": "e1"}),
    (ALERTMANAGER, alertmanager()),
    (CLOUDEVENTS, cloudevent()),
    (ICINGA, icinga(execution_end=NOW - 60)),
]

# (endpoint, body: JSON text or a value to encode, a word the answer must contain)
REFUSED: list[tuple[str, bytes | object, str]] = [
    (NATIVE, {"node": "a", "state": "on fire"}, "on fire"),
    (NATIVE, deep(1000), "nested too deep"),
    (NATIVE, b'{"node": "a", "state": ' + deep(1000) + b"}", "nested too deep"),
    (NATIVE, b'{"node": "a", "state": 1e400}', "out of range"),
    (NATIVE, b'{"node": "a", "state": "ok", "time": 1e400}', "out of range"),
    (NATIVE, {"node": "a", "state": "ok", "time": "9999-12-31T23:59:59-05:00"}, "after 9999"),
    (NATIVE, {"node": "a", "state": "ok", "time": "0001-01-01T00:00:00+05:00"}, "before 1970"),
    (NATIVE, {"node": "a\x00", "state": "down"}, "U+0000"),
    (NATIVE, {"node": "a", "state": "down", "summary": "disk\x00full"}, "U+0000"),
    (
        NATIVE,
        [{"node": "a", "state": "ok", "id": "e9"}, {"node": "b", "state": "ok", "key": "\x00"}],
        "U+0000",
    ),
    (ALERTMANAGER, b'{"version": ' + deep(1000) + b"}", "version"),
    (ALERTMANAGER, alertmanager(startsAt="9999-12-31T23:59:59-05:00"), "after 9999"),
    (ALERTMANAGER, alertmanager(labels={"bizmap_node": "b\x00"}), "U+0000"),
    (ALERTMANAGER, b'{"version": "4", "alerts": [], "x": 1e400}', "JSON"),
    (CLOUDEVENTS, b'{"specversion": ' + deep(1000) + b"}", "specversion"),
    (CLOUDEVENTS, cloudevent(time="1969-12-31T23:59:59Z", data={"node": "c", "state": 2}), "before 1970"),
    (
        CLOUDEVENTS,
        [cloudevent(), cloudevent(id="2", data={"node": "c", "state": 2, "summary": "\x00"})],
        "U+0000",
    ),
    (ICINGA, orjson.dumps(icinga())[:-1] + b', "type": ' + deep(1000) + b"}", "type"),
    (ICINGA, icinga(execution_end=1e15), "after 9999"),
    (ICINGA, icinga(host="db-1\x00"), "U+0000"),
    (ICINGA, icinga(plugin_output="PING\x00"), "U+0000"),
]


@pytest.fixture
def server(database: str, model_path: Path) -> Iterator[Server]:
    tokens = make_tokens(database)
    settings = Settings(model=str(model_path), db=database, max_body_bytes=10_000)
    app = create_app(settings, clock=lambda: NOW)
    with TestClient(app, raise_server_exceptions=False) as client:  # a 500 is an answer to check
        yield Server(client, database, tokens)


def post(server: Server, path: str, body: bytes | object) -> Any:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    headers = {**server.headers("ingest"), "Content-Type": "application/json"}
    return server.client.post(path, content=content, headers=headers)


def snapshot(server: Server) -> dict[str, Any]:
    """The stored events and every node's state, as the API shows them."""
    read = server.headers("read")
    events = server.client.get("/api/v1/events", params={"limit": 1000}, headers=read)
    nodes = server.client.get("/api/v1/nodes", headers=read)
    assert events.status_code == nodes.status_code == 200
    return {"events": events.json()["events"], "nodes": nodes.json()["nodes"]}


def test_a_refused_request_changes_no_state(server: Server) -> None:
    for path, body in GOOD:
        assert post(server, path, body).status_code == 202, (path, body)
    before = snapshot(server)
    assert len(before["events"]) == 4  # Icinga's is stored unmatched
    states = {node["id"]: node["state"] for node in before["nodes"]}
    assert (states["a"], states["b"], states["c"], states["app"]) == ("down", "down", "down", "down")
    wrong = []
    for path, body, gist in REFUSED:
        answer = post(server, path, body)
        if not 400 <= answer.status_code < 500 or gist not in answer.text:
            wrong.append((path, repr(body)[:80], answer.status_code, answer.text[:200]))
    assert wrong == []
    assert snapshot(server) == before
