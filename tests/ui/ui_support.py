"""What the browser tests share: a real ``bizmap serve`` in a subprocess, and a small model.

``UiServer`` starts the server on a free port with a new SQLite file, after creating a token
of every role and a user of each UI role (password ``PASSWORDS[role]``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bizmap.storage.store import Store, migrate
from bizmap.storage.users import UserStore
from helpers import free_port

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORDS = {"read": "reader-password", "operate": "operator-password", "admin": "admin-password"}

# Two business services on one shared database; `billing` is on the public status page.
# base rates: ward-care 500 + 20 x 10 = 700 per hour; billing 1,000 + 5 x 40 = 1,200 per hour
UI_MODEL = """\
currency: EUR
services:
  - id: ward-care
    name: Ward care
    owner: nursing
    description: Patient records on the wards
    impact: {revenue_per_hour: 500, users: 20, cost_per_user_hour: 10, safety_critical: true}
    workaround: {description: Paper notes, impact_factor: 0.5}
    sla: {target: 99.5, period: month}
    public_status: true
    depends_on: [records-app]
  - id: billing
    name: Patient billing
    owner: finance
    impact: {revenue_per_hour: 1000, users: 5, cost_per_user_hour: 40}
    sla: {target: 99.0, period: week}
    public_status: true
    depends_on: [billing-app]
  - id: canteen
    name: Canteen tills
    impact: {revenue_per_hour: 50}
    depends_on: [network]
components:
  - {id: records-app, type: application, depends_on: [db, network]}
  - {id: billing-app, type: application, depends_on: [db]}
  - {id: db, type: database, match: [{job: postgres}]}
  - {id: network, type: network}
"""


@dataclass
class UiServer:
    """A running ``bizmap serve``: its URL, a token per role, and a way to send events."""

    url: str
    db: str
    tokens: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    users: dict[str, str] = field(default_factory=lambda: dict(PASSWORDS))

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def post_events(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/api/v1/events", json=events, headers=self.headers("ingest"))
        assert response.status_code == 202, response.text
        body: dict[str, Any] = response.json()
        return body

    def api(self, path: str, role: str = "read") -> Any:
        response = httpx.get(self.url + path, headers=self.headers(role))
        assert response.status_code == 200, response.text
        return response.json()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(model: Path, workdir: Path) -> UiServer:
    db = f"sqlite:///{workdir / 'bizmap.db'}"
    migrate(db)
    with Store(db) as store:
        tokens = {
            role: store.create_token(f"ui-{role}", role) for role in ("read", "ingest", "operate", "admin")
        }
        people = UserStore(store.engine)
        for role, password in PASSWORDS.items():
            people.add_user(f"{role}-user", role, password)
    port = free_port()
    log = workdir / "server.log"
    bizmap = Path(sys.executable).with_name("bizmap")
    command = [str(bizmap), "serve", str(model), "--db", db, "--port", str(port)]
    process = subprocess.Popen(
        command, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=os.environ.copy()
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"bizmap serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return UiServer(url, db, tokens, process, log)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"bizmap serve did not answer within 30 s:\n{log.read_text()}")


def now_text(offset: float = 0.0) -> str:
    """An RFC 3339 time ``offset`` seconds from now (the server refuses old or future events)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset))


def login(page: Any, server: UiServer, role: str = "operate") -> None:
    """Log ``page`` in as the ``ROLE-user`` with its password; lands on the overview."""
    page.goto(server.url + "/login")
    page.get_by_label("Name", exact=True).fill(f"{role}-user")
    page.get_by_label("Password", exact=True).fill(PASSWORDS[role])
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url("**/ui/overview")


def shoot(page: Any, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
