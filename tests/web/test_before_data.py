"""Time before data (semantics §10): a live server knows nothing before its first stored event.

The public status page, the service page's SLA periods and the API's SLA figures show "no data"
for time before it (never "working normally" or "100 % met"), an SLA period that began before
it is partial from the time measurement began, and the status headline says what the services'
states are (none available, planned maintenance, no data yet).

The clock stands at Wednesday 2026-11-18 10:00 UTC. The server's history may reach 7 days back
(the oldest an event may be: 2026-11-11 10:00Z), but measurement begins with the first event.
`booking` (SLA 99 % a week, 24x7 UTC) depends on `web`; `records` (99.5 % a day) on `db`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_web import Server, make_tokens
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.web.app import create_app
from helpers import utc

NOW = utc("2026-11-18T10:00:00Z")
MODEL = """\
services:
  - id: booking
    name: Online booking
    public_status: true
    impact: {revenue_per_hour: 100}
    sla: {target: 99.0, period: week}
    depends_on: [web]
  - id: records
    name: Patient records
    public_status: true
    impact: {revenue_per_hour: 100}
    sla: {target: 99.5, period: day}
    depends_on: [db]
  - id: intranet
    depends_on: [web]
components:
  - {id: web}
  - {id: db}
"""
DAY = re.compile(r'<li class="day (\w+)" title="(\d{4}-\d\d-\d\d): ([^"]*)"')
HEADLINE = re.compile(r'<p class="big-status"><span class="badge badge-(\w+)">([^<]*)</span>')


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'bizmap.db'}"


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def serve(database: str, tmp_path: Path, clock: Clock) -> TestClient:
    model = tmp_path / "model.yaml"
    model.write_text(MODEL)
    return TestClient(create_app(Settings(model=str(model), db=database), clock=clock))


@pytest.fixture
def server(database: str, tmp_path: Path, clock: Clock) -> Iterator[Server]:
    tokens = make_tokens(database)
    with serve(database, tmp_path, clock) as client:
        yield Server(client, database, tokens)


def post(server: Server, body: object) -> None:
    answer = server.client.post("/api/v1/events", json=body, headers=server.headers("ingest"))
    assert answer.status_code == 202, answer.text


def days(html: str, service: str) -> list[tuple[str, str, str]]:
    """(state, date, title text) of each day bar of one service on the status page."""
    item = html.split(f'id="status-{service}"', 1)[1].split('class="status-item"', 1)[0]
    return DAY.findall(item)


def headline(html: str) -> tuple[str, str]:
    found = HEADLINE.search(html)
    assert found is not None, html
    return found.group(1), found.group(2)


def now_of(html: str, service: str) -> str:
    item = html.split(f'id="status-{service}"', 1)[1]
    found = re.search(r'<p class="now"><span class="badge [^"]*">([^<]*)</span>', item)
    assert found is not None
    return found.group(1)


# -- the public status page ------------------------------------------------------------------


def test_days_before_the_first_event_show_no_data_not_working_normally(server: Server) -> None:
    post(server, {"node": "web", "state": "down", "time": "2026-11-18T09:00:00Z"})
    html = server.client.get("/status").text
    booking = days(html, "booking")
    assert len(booking) == 90
    # 90 days ending today: 2026-08-21 .. 2026-11-18. The first event came today at 09:00Z,
    # so the 89 days before are unknown (before the fix, 2026-11-11 .. 2026-11-17 read
    # "Working normally": the 7 days the server's history may reach back).
    assert booking[0][1] == "2026-08-21" and booking[-1][1] == "2026-11-18"
    assert [state for state, _, _ in booking[:-1]] == ["nodata"] * 89
    assert booking[-2] == ("nodata", "2026-11-17", "No data")
    # today is measured from 09:00Z: down since then
    assert booking[-1] == ("down", "2026-11-18", "Not available (measured from 09:00 UTC), 0.00 % up")
    records = days(html, "records")
    assert [state for state, _, _ in records] == ["nodata"] * 89 + ["ok"]
    # the summary under the bars counts only days with data
    assert "no problems in the last 90 days" not in html
    assert "an outage on the one day with data" in html
    assert "no problems on the one day with data" in html


def test_with_no_event_yet_every_day_and_the_present_are_no_data(server: Server) -> None:
    html = server.client.get("/status").text
    assert [state for state, _, _ in days(html, "booking")] == ["nodata"] * 90
    assert now_of(html, "booking") == "No data"
    assert now_of(html, "records") == "No data"
    assert headline(html) == ("nodata", "No data yet: nothing has been reported")


def test_an_unmatched_event_begins_measurement_too(server: Server) -> None:
    # a stored event that names no node of the model: the server is hearing its monitoring
    post(server, {"node": "printer", "state": "down", "time": "2026-11-18T08:30:00Z"})
    html = server.client.get("/status").text
    today = ("ok", "2026-11-18", "Working normally (measured from 08:30 UTC), 100.00 % up")
    assert days(html, "booking")[-1] == today
    assert headline(html) == ("ok", "All services are working normally")


def test_a_day_fully_measured_says_no_time(server: Server, clock: Clock) -> None:
    post(server, {"node": "web", "state": "degraded", "time": "2026-11-17T00:00:00Z"})
    html = server.client.get("/status").text
    booking = days(html, "booking")
    assert booking[-3:] == [
        ("nodata", "2026-11-16", "No data"),
        ("degraded", "2026-11-17", "Working, with some problems, 100.00 % up"),  # degraded is up
        ("degraded", "2026-11-18", "Working, with some problems, 100.00 % up"),
    ]
    assert "problems on 2 of the 2 days with data (0 with an outage)" in html
    assert "no problems on the 2 days with data" in html


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([], ("nodata", "No data yet: nothing has been reported")),
        ([("db", "ok")], ("ok", "All services are working normally")),
        # every public service not available: say so (it used to say "Some services have problems")
        ([("web", "down"), ("db", "down")], ("down", "No service is available")),
        ([("web", "down")], ("down", "Some services are not available")),
        ([("web", "degraded")], ("degraded", "Some services have problems")),
        ([("web", "unknown")], ("unknown", "The state of some services is not known")),
        ([("web", "down"), ("db", "degraded")], ("down", "Some services are not available")),
    ],
)
def test_the_headline_says_what_the_states_are(
    server: Server, events: list[tuple[str, str]], expected: tuple[str, str]
) -> None:
    for node, state in events:
        post(server, {"node": node, "state": state, "time": "2026-11-18T09:00:00Z"})
    assert headline(server.client.get("/status").text) == expected


def maintenance(server: Server, nodes: list[str]) -> None:
    window = {
        "id": "mw-patch",
        "nodes": nodes,
        "start": "2026-11-18T09:30:00Z",
        "end": "2026-11-18T11:00:00Z",
        "reason": "patching",
    }
    answer = server.client.post("/api/v1/maintenance", json=window, headers=server.headers("operate"))
    assert answer.status_code == 201, answer.text


def test_planned_maintenance_is_said_not_all_working(server: Server) -> None:
    post(server, {"node": "db", "state": "ok", "time": "2026-11-18T09:00:00Z"})
    maintenance(server, ["web"])
    post(server, {"node": "web", "state": "down", "time": "2026-11-18T09:45:00Z"})
    html = server.client.get("/status").text
    assert now_of(html, "booking") == "Planned maintenance"
    assert headline(html) == ("planned", "Planned maintenance; the other services are working normally")


def test_an_unplanned_outage_beside_maintenance_comes_first(server: Server) -> None:
    maintenance(server, ["web"])
    post(server, [{"node": "web", "state": "down", "time": "2026-11-18T09:45:00Z"}])
    post(server, [{"node": "db", "state": "down", "time": "2026-11-18T09:50:00Z"}])
    html = server.client.get("/status").text
    assert headline(html) == ("down", "Some services are not available; planned maintenance on others")


def test_planned_maintenance_on_every_public_service(server: Server) -> None:
    maintenance(server, ["web", "db"])
    post(server, [{"node": "web", "state": "down", "time": "2026-11-18T09:45:00Z"}])
    post(server, [{"node": "db", "state": "down", "time": "2026-11-18T09:45:00Z"}])
    html = server.client.get("/status").text
    assert headline(html) == ("planned", "Planned maintenance")
    measured = "Planned maintenance (measured from 09:45 UTC)"
    assert days(html, "records")[-1] == ("planned", "2026-11-18", measured)


def test_the_status_page_has_a_json_form_with_the_same_words(server: Server) -> None:
    post(server, {"node": "web", "state": "down", "time": "2026-11-18T09:00:00Z"})
    answer = server.client.get("/status?format=json")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    document = answer.json()
    assert document["at"] == "2026-11-18T10:00:00Z"
    assert document["measured_from"] == "2026-11-18T09:00:00Z"
    assert document["overall"] == "down"
    assert document["headline"] == "Some services are not available"
    booking, records = document["services"]
    assert (booking["id"], booking["state"], booking["name"]) == ("booking", "down", "Online booking")
    assert records["state"] == "ok"
    assert [d["state"] for d in booking["days"]] == ["nodata"] * 89 + ["down"]
    today = {"date": "2026-11-18", "state": "down", "measured_from": "2026-11-18T09:00:00Z"}
    today.update(measured_seconds=3600.0, down_seconds=3600.0, uptime=0.0)  # down the one hour measured
    assert booking["days"][-1] == today
    first = {"date": "2026-08-21", "state": "nodata", "measured_from": None, "uptime": None}
    assert booking["days"][0] == {**first, "measured_seconds": 0.0, "down_seconds": 0.0}
    assert booking["uptime"] == 0.0 and records["uptime"] == 1.0
    assert (booking["days_with_data"], booking["bad_days"], booking["down_days"]) == (1, 1, 1)
    assert "web" not in answer.text  # no components in public, as on the page
    again = server.client.get("/status?format=json")
    assert again.json() == document  # cached like the page


def test_the_json_form_with_no_event_yet(server: Server) -> None:
    document = server.client.get("/status?format=json").json()
    assert document["measured_from"] is None
    assert document["overall"] == "nodata"
    assert [s["state"] for s in document["services"]] == ["nodata", "nodata"]


def test_measurement_begins_at_the_first_stored_event_after_a_restart(
    database: str, tmp_path: Path, clock: Clock
) -> None:
    tokens = make_tokens(database)
    with serve(database, tmp_path, clock) as client:
        first = {"node": "web", "state": "down", "time": "2026-11-18T09:00:00Z"}
        post(Server(client, database, tokens), first)
    clock.now = utc("2026-11-20T10:00:00Z")  # two days later: the history may reach back to 11-13
    with serve(database, tmp_path, clock) as client:
        document = client.get("/status?format=json").json()
    assert document["measured_from"] == "2026-11-18T09:00:00Z"
    assert [d["state"] for d in document["services"][0]["days"][-4:]] == ["nodata", "down", "down", "down"]


# -- the service page's SLA periods and the API ------------------------------------------------

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ROW = re.compile(r'<tr[^>]*><th scope="row">(previous|current)</th>(.*?)</tr>', re.S)


def log_in(server: Server) -> None:
    form = server.client.get("/login")
    found = CSRF.search(form.text)
    assert found is not None
    answer = server.client.post(
        "/login",
        data={"csrf_token": found.group(1), "token": server.tokens["read"]},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def sla_rows(html: str) -> dict[str, str]:
    """The SLA table's rows as plain text, by period."""
    return {label: " ".join(re.sub(r"<[^>]+>", " ", cells).split()) for label, cells in ROW.findall(html)}


def test_the_previous_period_before_data_is_no_data_and_the_current_one_partial(server: Server) -> None:
    post(server, {"node": "web", "state": "down", "time": "2026-11-18T09:00:00Z"})
    log_in(server)
    html = server.client.get("/ui/services/booking").text
    rows = sla_rows(html)
    # The previous week (Mon 11-09 .. Mon 11-16) is before the first event: no data (before the
    # fix: "100.0000 % met" from 2026-11-11T10:00:00Z, the oldest an event may be).
    assert (
        rows["previous"] == "9 Nov 2026 00:00:00 UTC no data: measurement began at 18 Nov 2026 09:00:00 UTC"
    )
    # This week began Monday 11-16 00:00Z; measured from 09:00Z today: 1 h, all of it down, so
    # SLI 0 %. Budget of the time measured so far (semantics §10, as every surface gives it):
    # 1 % of 3,600 s = 36 s (0m); left 36 - 3,600 = -3,564 s: overspent by 59m 24s.
    assert rows["current"] == "18 Nov 2026 09:00:00 UTC partial 0.0000% 99.0% no 1h 00m 36s overspent by 59m"
    assert "Partial: measurement began at 18 Nov 2026 09:00:00 UTC, after this period began" in html
    # the chart draws the current period only, from where measurement began: 2 days 9 h into the
    # week, 205,200 / 604,800 = 0.3393 of it: x = 56 + 0.3393 x 572 = 250.1
    lines = re.findall(r'<polyline [^>]*points="([^"]*)"', html)
    assert len(lines) == 1 and lines[0].startswith("250.1,224.0 ")


def test_with_no_event_yet_the_service_page_has_no_sla_figures(server: Server) -> None:
    log_in(server)
    html = server.client.get("/ui/services/booking").text
    rows = sla_rows(html)
    assert rows["previous"] == "9 Nov 2026 00:00:00 UTC no data: nothing has been reported yet"
    assert rows["current"] == "16 Nov 2026 00:00:00 UTC no data: nothing has been reported yet"
    assert "<polyline" not in html and "100.0000%" not in html


def test_the_api_marks_a_partial_period_with_the_time_measurement_began(server: Server) -> None:
    post(server, {"node": "web", "state": "down", "time": "2026-11-18T09:00:00Z"})
    booking = server.client.get("/api/v1/services/booking", headers=server.headers("read")).json()
    # the same figures as the service page's current row
    assert booking["sla"] == {
        "period_start": "2026-11-18T09:00:00Z",
        "partial": True,
        "no_data": False,
        "measured_seconds": 3600,
        "down_seconds": 3600,
        "sli": 0.0,
        "target": 99.0,
        "budget_seconds": 36,  # 1 % of the 3,600 s measured so far
        "budget_remaining_seconds": -3564,  # 36 - 3,600
    }
    # records: a daily SLA, this day began at 00:00Z, measured from 09:00Z: 1 h up
    records = server.client.get("/api/v1/services/records", headers=server.headers("read")).json()
    assert records["sla"]["partial"] is True and records["sla"]["measured_seconds"] == 3600
    assert records["sla"]["sli"] == 100.0


def test_the_api_says_no_data_before_the_first_event(server: Server) -> None:
    booking = server.client.get("/api/v1/services/booking", headers=server.headers("read")).json()
    assert booking["sla"]["no_data"] is True
    assert booking["sla"]["sli"] is None  # never "100 % met" for time nobody measured
    assert booking["sla"]["measured_seconds"] == 0
    log_in(server)
    tiles = server.client.get("/ui/overview").text
    budget = tiles.split('id="tile-booking"', 1)[1].split('class="budget"', 1)[1].split("</dd>", 1)[0]
    assert " ".join(budget.replace(">", " ").split()) == "no data yet"


def test_a_period_wholly_measured_is_not_partial(server: Server, clock: Clock) -> None:
    post(server, {"node": "web", "state": "ok", "time": "2026-11-16T00:00:00Z"})
    post(server, {"node": "web", "state": "down", "time": "2026-11-18T09:00:00Z"})
    booking = server.client.get("/api/v1/services/booking", headers=server.headers("read")).json()
    # measured from Monday 00:00Z: 58 h = 208,800 s, 1 h down: SLI 100 x 205,200 / 208,800
    assert booking["sla"]["partial"] is False
    assert booking["sla"]["period_start"] == "2026-11-16T00:00:00Z"
    assert booking["sla"]["measured_seconds"] == 208800
    assert booking["sla"]["sli"] == 98.2759
