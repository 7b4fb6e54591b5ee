"""What the consistency suite shares: the model, the stored events, the fixed clock, an in-process
server on a real port, and the readers of each surface.

The server is ``create_app(settings, clock=...)`` served by uvicorn in a thread, so that the
API, the web pages (read in Chromium) and the PDFs all come from one app whose "now" is fixed:
money is then exact to the cent. The command line is run in-process (``run_cli``) on the same
database with its clock set to the same instant.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.storage.users import UserStore
from bizmap.web.app import create_app
from helpers import free_port, utc

PASSWORD = "consistency-password"

# The model, and its figures worked out by hand.
#
# shop: 24x7; base 3,600 + 50 x 36 = 5,400 an hour = 1.50 a second; SLA 99.5 % a month (24x7).
# desk: office hours (Europe/London, mon-fri 09:00-17:00; GMT in November, BST in October, so the
#   UTC times below are 1 h earlier than London's in October); base 1,000 + 80 x 25 = 3,000 an
#   hour; a workaround at 0.5 for the first counted hour of each episode; SLA 99 % a month on
#   the office calendar.
# Both name the population `staff`: while both are down in hours, 80 people (the larger), not 130.
MODEL = """\
currency: EUR
calendars:
  office:
    timezone: Europe/London
    hours:
      mon-fri: "09:00-17:00"
services:
  - id: shop
    name: Web shop
    impact: {revenue_per_hour: 3600, users: 50, cost_per_user_hour: 36, population: staff}
    sla: {target: 99.5, period: month}
    depends_on: [db]
  - id: desk
    name: Service desk
    calendar: office
    impact: {revenue_per_hour: 1000, users: 80, cost_per_user_hour: 25, population: staff}
    workaround: {description: Phone and paper, impact_factor: 0.5, max_hours: 1}
    sla: {target: 99.0, period: month}
    depends_on: [db, crm]
components:
  - {id: db, type: database}
  - {id: crm, type: application}
"""

NOW_TEXT = "2026-11-18T15:30:07Z"  # a Wednesday, 15:30:07 in London: the fixed "now"
# The stored events, in arrival order. The first one is where the data begins (semantics §10).
EVENTS: list[dict[str, Any]] = [
    # data from 1 October, 00:00: nothing is down
    {"id": "e0", "node": "db", "state": "ok", "time": "2026-10-01T00:00:00Z"},
    # October (closed): db down Tue 13 Oct 10:00-12:00 UTC (11:00-13:00 in London: in hours)
    {"id": "e1", "node": "db", "state": "down", "time": "2026-10-13T10:00:00Z"},
    {"id": "e2", "node": "db", "state": "ok", "time": "2026-10-13T12:00:00Z"},
    # November (running): crm down Mon 16 Nov 16:00 to Tue 17 Nov 10:00 (desk only)
    {"id": "e3", "node": "crm", "state": "down", "time": "2026-11-16T16:00:00Z"},
    {"id": "e4", "node": "crm", "state": "ok", "time": "2026-11-17T10:00:00Z"},
    # the open incident: db down since Wed 18 Nov 14:00, still down at now (15:30:07)
    {"id": "e5", "node": "db", "state": "down", "time": "2026-11-18T14:00:00Z"},
]


NOW = utc(NOW_TEXT)


@dataclass
class Served:
    """The in-process server on a real port, with its tokens, database and model."""

    url: str
    db: str
    model: Path
    tokens: dict[str, str]
    user: str

    def headers(self, role: str = "read") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def api(self, path: str) -> Any:
        answer = httpx.get(self.url + path, headers=self.headers(), timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def api_bytes(self, path: str) -> bytes:
        answer = httpx.get(self.url + path, headers=self.headers(), timeout=60)
        assert answer.status_code == 200, answer.text
        return answer.content


def serve(workdir: Path) -> tuple[Served, uvicorn.Server, threading.Thread]:
    """Start the app with the fixed clock on a free port, and store ``EVENTS`` through the API."""
    model = workdir / "model.yaml"
    model.write_text(MODEL)
    db = f"sqlite:///{workdir / 'bizmap.db'}"
    migrate(db)
    with Store(db) as store:
        tokens = {role: store.create_token(f"c-{role}", role) for role in ("read", "ingest")}
        UserStore(store.engine).add_user("reader", "read", PASSWORD)
    # events from October are older than the default 7 days: accept up to 90 days
    settings = Settings(model=str(model), db=db, max_event_age_seconds=90 * 86400.0)
    app = create_app(settings, clock=lambda: NOW)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the in-process server did not start")
        time.sleep(0.05)
    served = Served(url, db, model, tokens, "reader")
    answer = httpx.post(f"{url}/api/v1/events", json=EVENTS, headers=served.headers("ingest"), timeout=30)
    assert answer.status_code == 202, answer.text
    return served, server, thread


def pdf_text(document: bytes, workdir: Path, name: str) -> str:
    """The text of a PDF as pdftotext reads it (layout kept), one space for each run of spaces."""
    path = workdir / f"{name}.pdf"
    path.write_bytes(document)
    assert document.startswith(b"%PDF"), document[:100]
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


def money_of(text: str) -> float:
    """€10,800.00 -> 10800.0; -€1,200 -> -1200.0 (the figure as printed)."""
    sign = -1.0 if text.strip().startswith("-") else 1.0
    return sign * float(text.strip().lstrip("-").lstrip("€").replace(",", ""))


def seconds_of(text: str) -> int:
    """A document's duration: 1 h 43 min 12 s, -14 min 24 s, 2 h 00 min -> seconds."""
    sign = -1 if text.strip().startswith("-") else 1
    total = 0
    for amount, unit in re.findall(r"(\d+) (h|min|s)\b", text):
        total += int(amount) * {"h": 3600, "min": 60, "s": 1}[unit]
    return sign * total


def minutes_of(text: str) -> int:
    """A table's duration in whole minutes: 2h 05m, 45m, overspent by 1h 49m (negative)."""
    found = re.fullmatch(r"(overspent by )?(?:(\d+)h )?(\d+)m", text.strip())
    assert found is not None, text
    minutes = int(found.group(2) or 0) * 60 + int(found.group(3))
    return -minutes if found.group(1) else minutes


def whole_minutes(seconds: int) -> int:
    """How a table in whole minutes shows a JSON's seconds (towards zero, the sign kept)."""
    return -(abs(seconds) // 60) if seconds < 0 else seconds // 60


def whole_units(amount: float) -> int:
    """How a page in whole units shows a JSON's amount: the cents rounded half away from zero."""
    cents = round(abs(amount) * 100)
    whole = (cents + 50) // 100
    return -whole if amount < 0 else whole
