"""GET /api/v1/slo and the live burn-rate alerts feeding the notifications (SQLite).

The model is the §9 example: `orders` has a 99.9 % monthly SLA on the 24x7 calendar (budget
share 0.001) and depends on `app`. The clock stands at Monday 2026-03-09 09:00 UTC. March has
31 days, so every window is the workbook's x 31/30: "5m" = 310 s, "30m" = 1,860 s,
"1h" = 3,720 s, "6h" = 22,320 s, "3d" = 267,840 s. The history begins 7 days before the clock
(the default oldest event age), so every window has its whole length.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest_web import Server, make_tokens
from fastapi.testclient import TestClient

from bizmap.live.notifications import email_text
from bizmap.settings import Settings
from bizmap.web.app import create_app
from helpers import SECTION_9_MODEL, utc

NOW = utc("2026-03-09T09:00:00Z")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Receiver:
    """An HTTP server in a thread keeping the JSON bodies posted to it."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        posts = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                posts.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def burn(self) -> list[tuple[str, str]]:
        return sorted((p["alert"], p["state"]) for p in self.posts if p["type"] == "slo.burn_rate")


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.httpd.shutdown()
    found.httpd.server_close()


def start(tmp_path: Path, clock: Clock, notify: str = "") -> tuple[TestClient, Server]:
    model = tmp_path / "model.yaml"
    model.write_text(SECTION_9_MODEL)
    database = f"sqlite:///{tmp_path / 'bizmap.db'}"
    tokens = {} if (tmp_path / "bizmap.db").exists() else make_tokens(database)
    notify_path = ""
    if notify:
        (tmp_path / "notify.yaml").write_text(notify)
        notify_path = str(tmp_path / "notify.yaml")
    app = create_app(Settings(model=str(model), db=database, notify=notify_path), clock=clock)
    client = TestClient(app)
    return client, Server(client, database, tokens)


def post(server: Server, body: object) -> None:
    response = server.client.post("/api/v1/events", json=body, headers=server.headers("ingest"))
    assert response.status_code == 202, response.text


def test_burn_rates_and_alerts_per_service(tmp_path: Path) -> None:
    client, server = start(tmp_path, Clock(NOW))
    with client:
        post(server, {"node": "app", "state": "down", "time": "2026-03-09T08:55:00Z"})
        response = client.get("/api/v1/slo", headers=server.headers("read"))
        assert client.get("/api/v1/slo").status_code == 401
    assert response.status_code == 200
    (orders,) = response.json()["services"]
    assert orders["sla"] == {
        "target": 99.9,
        "period": "month",
        "calendar": "24x7",
        "degraded_counts_as": "up",
    }
    assert orders["period_counted_seconds"] == 31 * 86400
    windows = {w["name"]: w for w in orders["windows"]}
    # 300 s down (08:55-09:00) in each window: burn = 300 / length / 0.001
    assert windows["5m"]["counted_seconds"] == 310
    assert windows["5m"]["start"] == "2026-03-09T08:54:50Z"
    assert windows["5m"]["burn_rate"] == pytest.approx(967.7419, abs=1e-4)  # 300 / 310 / 0.001
    assert windows["1h"]["burn_rate"] == pytest.approx(80.6452, abs=1e-4)  # 300 / 3,720 / 0.001
    assert windows["6h"]["burn_rate"] == pytest.approx(13.4409, abs=1e-4)  # 300 / 22,320 / 0.001
    assert windows["3d"]["burn_rate"] == pytest.approx(1.1201, abs=1e-4)  # 300 / 267,840 / 0.001
    # page-1h: 80.6 and 967.7 >= 14.4; page-6h: 13.4 and 161.3 >= 6; ticket-3d: 1.12 and 13.4 >= 1
    assert orders["firing"] == ["page-1h", "page-6h", "ticket-3d"]


def test_alerts_that_start_and_stop_are_notified(tmp_path: Path, receiver: Receiver) -> None:
    clock = Clock(NOW)
    config = f"webhooks:\n  - url: {receiver.url}\nretry: {{attempts: 2, first_delay_seconds: 0.05}}\n"
    client, server = start(tmp_path, clock, config)
    with client:
        client.app.state.burn_alerts.min_interval_seconds = 0  # type: ignore[attr-defined]
        post(server, {"node": "app", "state": "down", "time": "2026-03-09T08:55:00Z"})
        wait_for(lambda: len(receiver.burn()) == 3)
        assert receiver.burn() == [("page-1h", "firing"), ("page-6h", "firing"), ("ticket-3d", "firing")]
        post(server, {"node": "app", "state": "ok"})  # up again at 09:00
        # 09:20: the 5m window (09:14:50-09:20) is clean, so page-1h stops; the 30m window
        # (08:49-09:20) still holds the 300 s: 300 / 1,860 / 0.001 = 161 >= 6, page-6h goes on
        clock.now = NOW + 20 * 60
        post(server, {"node": "b", "state": "ok"})  # any batch makes it look
        wait_for(lambda: len(receiver.burn()) == 4)
    assert receiver.burn()[1] == ("page-1h", "resolved")
    firing = next(p for p in receiver.posts if p["type"] == "slo.burn_rate" and p["alert"] == "page-1h")
    assert firing["severity"] == "page"
    assert firing["long_window"] == {"name": "1h", "burn_rate": pytest.approx(80.6452, abs=1e-4)}
    subject, text = email_text(firing)
    assert subject == "[bizmap] PAGE: orders is burning its error budget too fast"
    assert "Burn rate over 1h: 80.6; over 5m: 967.7" in text


def test_a_restart_does_not_page_again(tmp_path: Path, receiver: Receiver) -> None:
    config = f"webhooks:\n  - url: {receiver.url}\n"
    client, server = start(tmp_path, Clock(NOW))
    with client:
        post(server, {"node": "app", "state": "down", "time": "2026-03-09T08:55:00Z"})
    client, server = start(tmp_path, Clock(NOW + 1), config)
    with client:
        alerts = client.app.state.burn_alerts  # type: ignore[attr-defined]
        assert alerts.firing["orders"] == {"page-1h", "page-6h", "ticket-3d"}  # the baseline
        assert alerts.check() == []
    assert receiver.burn() == []
