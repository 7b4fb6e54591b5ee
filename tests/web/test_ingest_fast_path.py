"""``POST /api/v1/events`` is answered by ``NativeEventsFastPath`` before routing; the
documented route behind it must give exactly the same answers (it is what /docs shows)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from conftest_web import make_tokens
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.web.app import create_app
from bizmap.web.ingesting import NativeEventsFastPath

NOW = "2026-11-30T10:00:00Z"
CASES = [  # (name, role or None, body)
    ("no token", None, b'{"node": "a", "state": "down"}'),
    ("read token", "read", b'{"node": "a", "state": "down"}'),
    ("not JSON", "ingest", b'{"node": '),
    ("unknown state", "ingest", b'{"node": "a", "state": "on fire"}'),
    ("wrong type", "ingest", b'{"node": "a", "state": "down", "key": 3}'),
    ("too big", "ingest", b"[" + b",".join([b'{"node": "a", "state": "down"}'] * 400) + b"]"),
    ("far past", "ingest", b'{"node": "a", "state": "down", "time": "2000-01-01T00:00:00Z"}'),
    ("one event", "ingest", b'{"node": "a", "state": "down", "id": "e1"}'),
    ("the same again", "ingest", b'{"node": "a", "state": "down", "id": "e1"}'),
    ("unmatched", "admin", b'{"labels": {"job": "nothing"}, "state": "down", "id": "e2"}'),
]


def answers(app: FastAPI, tokens: dict[str, str]) -> list[tuple[int, object]]:
    found = []
    with TestClient(app) as client:
        for _, role, body in CASES:
            headers = {"Content-Type": "application/json"}
            if role is not None:
                headers["Authorization"] = f"Bearer {tokens[role]}"
            response = client.post("/api/v1/events", content=body, headers=headers)
            found.append((response.status_code, orjson.loads(response.content)))
    return found


@pytest.fixture
def two_apps(tmp_path: Path, model_path: Path) -> Iterator[tuple[FastAPI, FastAPI, dict[str, str], str]]:
    fast_db, slow_db = f"sqlite:///{tmp_path / 'fast.db'}", f"sqlite:///{tmp_path / 'slow.db'}"
    tokens = make_tokens(fast_db)
    # the same token secrets in the second database: copy the file before any event
    Path(tmp_path / "slow.db").write_bytes(Path(tmp_path / "fast.db").read_bytes())
    clock = lambda: 1_796_032_800.0  # noqa: E731 (2026-11-30T10:00:00Z)
    fast = create_app(Settings(model=str(model_path), db=fast_db, max_body_bytes=10_000), clock)
    slow = create_app(Settings(model=str(model_path), db=slow_db, max_body_bytes=10_000), clock)
    slow.user_middleware = [m for m in slow.user_middleware if m.cls is not NativeEventsFastPath]
    yield fast, slow, tokens, NOW


def test_the_fast_path_answers_as_the_documented_route(
    two_apps: tuple[FastAPI, FastAPI, dict[str, str], str],
) -> None:
    fast, slow, tokens, _ = two_apps
    assert any(m.cls is NativeEventsFastPath for m in fast.user_middleware)
    fast_answers, slow_answers = answers(fast, tokens), answers(slow, tokens)
    for (name, _, _), got, expected in zip(CASES, fast_answers, slow_answers, strict=True):
        assert got == expected, name
    statuses = dict(zip([c[0] for c in CASES], [a[0] for a in fast_answers], strict=True))
    assert statuses == {
        "no token": 401,
        "read token": 403,
        "not JSON": 400,
        "unknown state": 400,
        "wrong type": 400,
        "too big": 413,
        "far past": 422,
        "one event": 202,
        "the same again": 202,
        "unmatched": 202,
    }
    assert fast_answers[-2][1] == {"accepted": 0, "duplicates": 1, "unmatched": 0}
    assert fast_answers[-1][1] == {"accepted": 1, "duplicates": 0, "unmatched": 1}


def test_the_documented_route_is_in_the_openapi_document(
    two_apps: tuple[FastAPI, FastAPI, dict[str, str], str],
) -> None:
    fast, _, tokens, _ = two_apps
    with TestClient(fast) as client:
        document = client.get("/openapi.json", headers={"Authorization": f"Bearer {tokens['read']}"}).json()
    assert "post" in document["paths"]["/api/v1/events"]


@pytest.mark.parametrize("path", ["/api/v1/events", "/api/v1/ingest/alertmanager"])
def test_a_client_that_hangs_up_mid_body_is_let_go_quietly(
    tmp_path: Path, model_path: Path, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Load generators and impatient senders close connections with a request half sent: nothing
    is stored, nothing raises (it used to end as a traceback in the log, once a request)."""
    caplog.set_level("INFO")
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    tokens = make_tokens(db)
    app = create_app(Settings(model=str(model_path), db=db))
    messages = [
        {"type": "http.request", "body": b'[{"node": "a", "state": "down", "id": "half"', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"authorization", f"Bearer {tokens['ingest']}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", b"4000"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    with TestClient(app) as client:
        client.portal.call(app, scope, receive, send)  # raises nothing
        stored = client.get("/api/v1/events", headers={"Authorization": f"Bearer {tokens['read']}"})
    assert stored.json()["events"] == []
    assert "Traceback" not in caplog.text
    assert "hung up" in caplog.text
