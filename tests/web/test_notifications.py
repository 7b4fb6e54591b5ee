"""Notifications against real receivers: an HTTP server and an SMTP server on 127.0.0.1.

The model is the §9 example (see test_api): `orders` (office hours Mon-Fri 09:00-17:00 Paris,
1,500/h, workaround x0.5 for the first 1.5 h) depends on `app`. The clock starts at Monday
2026-03-09 09:00 UTC (10:00 in Paris, office hours) and the tests move it. SQLite only.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from conftest_web import Server, make_tokens
from fastapi.testclient import TestClient

from bizmap.live.notifications import Notifier, NotifyConfig, NotifyConfigError, load_config
from bizmap.settings import Settings
from bizmap.web.app import create_app
from helpers import utc

NOW = utc("2026-03-09T09:00:00Z")


class Receiver:
    """An HTTP server in a thread recording the JSON bodies posted to it."""

    def __init__(self, fail_first: int = 0, delay: float = 0.0) -> None:
        self.posts: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.attempts = 0
        self.fail_first = fail_first
        self.delay = delay
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.attempts += 1
                if receiver.delay:
                    time.sleep(receiver.delay)
                if receiver.attempts <= receiver.fail_first:
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.posts.append(json.loads(body))
                receiver.headers.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [p for p in self.posts if p["type"] == kind]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def start(tmp_path: Path, model_path: Path, config: str, clock: Clock) -> tuple[TestClient, Server]:
    database = f"sqlite:///{tmp_path / 'bizmap.db'}"
    tokens = make_tokens(database)
    notify = tmp_path / "notify.yaml"
    notify.write_text(config)
    app = create_app(Settings(model=str(model_path), db=database, notify=str(notify)), clock=clock)
    client = TestClient(app)
    return client, Server(client, database, tokens)


def post(server: Server, body: object) -> None:
    response = server.client.post("/api/v1/events", json=body, headers=server.headers("ingest"))
    assert response.status_code == 202, response.text


FAST_RETRY = "retry: {attempts: 5, first_delay_seconds: 0.05, max_delay_seconds: 0.2}\n"


def test_a_state_change_is_posted_as_json_with_the_headers(
    tmp_path: Path, model_path: Path, receiver: Receiver
) -> None:
    config = f"webhooks:\n  - url: {receiver.url}\n    headers: {{X-Team: ops}}\n{FAST_RETRY}"
    client, server = start(tmp_path, model_path, config, Clock(NOW))
    with client:
        post(server, {"node": "app", "state": "down", "time": "2026-03-09T08:30:00Z"})
        wait_for(lambda: len(receiver.posts) == 1)
        post(server, {"node": "app", "state": "ok"})
        notifier = client.app.state.notifier  # type: ignore[attr-defined]
        wait_for(lambda: notifier.sent == 2)  # counted once the receiver has answered
        assert (notifier.sent, notifier.failed, notifier.retried) == (2, 0, 0)
    down, up = receiver.posts
    # Down since 09:30 Paris, 30 min before the clock: the workaround halves the 1,500/h.
    assert down == {
        "type": "service.state",
        "service": "orders",
        "name": None,
        "from": "ok",
        "to": "down",
        "at": "2026-03-09T08:30:00Z",
        "root_causes": ["app"],
        "cost_per_hour": 750.0,
        "users_affected": 10,
        "safety_critical": False,
        "currency": "EUR",
    }
    assert (up["from"], up["to"], up["at"], up["cost_per_hour"]) == ("down", "ok", "2026-03-09T09:00:00Z", 0)
    assert receiver.headers[0]["x-team"] == "ops"
    assert receiver.headers[0]["content-type"] == "application/json"


def test_a_failing_receiver_gets_it_after_retries(tmp_path: Path, model_path: Path) -> None:
    receiver = Receiver(fail_first=2)
    try:
        config = f"webhooks: [{{url: {receiver.url}}}]\n{FAST_RETRY}"
        client, server = start(tmp_path, model_path, config, Clock(NOW))
        with client:
            post(server, {"node": "app", "state": "down"})
            notifier = client.app.state.notifier  # type: ignore[attr-defined]
            wait_for(lambda: notifier.sent == 1)
            assert (receiver.attempts, notifier.sent, notifier.retried, notifier.failed) == (3, 1, 2, 0)
        assert receiver.posts[0]["to"] == "down"
    finally:
        receiver.close()


def test_a_receiver_that_never_answers_well_is_given_up_after_the_attempts(
    tmp_path: Path, model_path: Path
) -> None:
    receiver = Receiver(fail_first=1000)
    try:
        config = f"webhooks: [{{url: {receiver.url}}}]\nretry: {{attempts: 3, first_delay_seconds: 0.01}}\n"
        client, server = start(tmp_path, model_path, config, Clock(NOW))
        with client:
            post(server, {"node": "app", "state": "down"})
            notifier = client.app.state.notifier  # type: ignore[attr-defined]
            wait_for(lambda: notifier.failed == 1)
            assert (receiver.attempts, notifier.sent, notifier.retried) == (3, 0, 2)
    finally:
        receiver.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


def test_an_email_reaches_a_real_smtp_server(tmp_path: Path, model_path: Path) -> None:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = (
            f"email:\n  host: 127.0.0.1\n  port: {port}\n  from: bizmap@example.org\n"
            f"  to: [ops@example.org, boss@example.org]\n{FAST_RETRY}"
        )
        client, server = start(tmp_path, model_path, config, Clock(NOW))
        with client:
            post(server, {"node": "app", "state": "down", "time": "2026-03-09T08:30:00Z"})
            wait_for(lambda: len(mailbox.messages) == 1)
    finally:
        controller.stop()
    message = message_from_bytes(mailbox.messages[0])
    assert message["Subject"] == "[bizmap] orders is DOWN"
    assert message["From"] == "bizmap@example.org"
    assert message["To"] == "ops@example.org, boss@example.org"
    text = cast(str, message.get_payload(decode=True).decode())  # type: ignore[union-attr]
    assert "went from ok to down at 2026-03-09T08:30:00Z" in text
    assert "What broke: app" in text
    assert "Cost now: 750.00 EUR per hour" in text
    assert "People affected: 10" in text


def test_the_cost_threshold_fires_exactly_once(tmp_path: Path, model_path: Path, receiver: Receiver) -> None:
    clock = Clock(NOW)
    config = f"webhooks: [{{url: {receiver.url}}}]\ncost_thresholds: {{orders: 500}}\n{FAST_RETRY}"
    client, server = start(tmp_path, model_path, config, clock)
    with client:
        post(server, {"node": "app", "state": "down"})  # 10:00 Paris: the incident opens
        # Each batch looks again. 30 min at the workaround's 750/h = 375: under 500.
        clock.now = NOW + 1800
        post(server, {"node": "b", "state": "ok"})
        # 1 h at 750/h = 750: past 500.
        clock.now = NOW + 3600
        post(server, {"node": "b", "state": "ok"})
        # 1.5 h = 1,125: still past, but already told.
        clock.now = NOW + 5400
        post(server, {"node": "b", "state": "ok"})
        wait_for(lambda: len(receiver.of_type("incident.cost")) == 1)
        time.sleep(0.3)
    assert len(receiver.of_type("service.state")) == 1
    assert receiver.of_type("incident.cost") == [
        {
            "type": "incident.cost",
            "incident": "INC-20260309T090000Z-orders",
            "services": ["orders"],
            "cost": 750.0,
            "threshold": 500.0,
            "currency": "EUR",
            "at": "2026-03-09T10:00:00Z",
        }
    ]


def test_a_restart_does_not_tell_again(tmp_path: Path, model_path: Path, receiver: Receiver) -> None:
    clock = Clock(NOW)
    config = f"webhooks: [{{url: {receiver.url}}}]\ncost_thresholds: {{orders: 500}}\n{FAST_RETRY}"
    client, server = start(tmp_path, model_path, config, clock)
    with client:
        post(server, {"node": "app", "state": "down"})
        clock.now = NOW + 3600
        post(server, {"node": "b", "state": "ok"})
        wait_for(lambda: len(receiver.posts) == 2)
    with client:  # the same database: the rebuilt state is the baseline
        clock.now = NOW + 5400
        post(server, {"node": "b", "state": "ok"})
        time.sleep(0.3)
    assert len(receiver.posts) == 2


def test_ingestion_does_not_wait_for_a_slow_receiver(tmp_path: Path, model_path: Path) -> None:
    receiver = Receiver(delay=3.0)
    try:
        client, server = start(tmp_path, model_path, f"webhooks: [{{url: {receiver.url}}}]\n", Clock(NOW))
        with client:
            post(server, {"node": "app", "state": "down"})
            wait_for(lambda: receiver.attempts == 1)  # the receiver is busy with it now
            started = time.monotonic()
            post(server, {"node": "app", "state": "ok"})
            post(server, {"node": "app", "state": "down"})
            assert time.monotonic() - started < 1.0
    finally:
        receiver.close()


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ("webhooks: [{url: 'http://127.0.0.1:9/x', header: {a: b}}]\n", "webhooks[0].header"),
        ("webhooks: [{url: 'ftp://example.org'}]\n", "webhooks[0].url"),
        ("email: {host: mail, to: [a@example.org]}\n", "email.from"),
        ("email: {host: mail, from: b@x.org, to: [a@x.org], password: hunter2}\n", "email.password"),
        ("retry: {attempts: 0}\n", "retry.attempts"),
        ("cost_thresholds: {nowhere: 100}\n", "cost_thresholds.nowhere"),
        ("cost_thresholds: {app: 100}\n", "cost_thresholds.app"),  # a component, not a service
        ("hooks: []\n", "hooks"),
        (
            "email: {host: mail, from: b@example.org, to: [a@example.org], password_env: BIZMAP_TEST_NOPE}\n",
            "email.password_env",
        ),
    ],
)
def test_an_invalid_config_is_refused_at_start_naming_the_key(
    tmp_path: Path, model_path: Path, config: str, key: str
) -> None:
    client, _ = start(tmp_path, model_path, config, Clock(NOW))
    with pytest.raises(NotifyConfigError) as refused, client:
        pass
    assert str(tmp_path / "notify.yaml") in refused.value.message
    assert f": {key}:" in refused.value.message


def test_a_config_by_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "notify.yaml"
    path.write_text(
        """\
webhooks:
  - url: https://chat.example.org/hooks/bizmap
    headers: {Authorization: Bearer abc}
email:
  host: smtp.example.org
  port: 587
  starttls: true
  username: bizmap
  password_env: BIZMAP_SMTP_PASSWORD
  from: bizmap@example.org
  to: [ops@example.org]
cost_thresholds:
  orders: 5000
"""
    )
    config = load_config(path)
    assert config.email is not None and config.email.sender == "bizmap@example.org"
    assert config.retry.attempts == 5
    assert [config.retry.delay(n) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_a_full_queue_drops_the_oldest() -> None:
    async def run() -> Notifier:
        notifier = Notifier(NotifyConfig(), cast(Any, None), queue_size=2)
        for n in range(3):
            notifier.enqueue({"type": "service.state", "n": n})
        return notifier

    notifier = asyncio.run(run())
    assert notifier.dropped == 1
    assert [notifier.queue.get_nowait()["n"] for _ in range(2)] == [1, 2]
