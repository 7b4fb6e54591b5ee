"""The public status page's uptime per service over 90 days, and its Atom feed of incidents.

The clock stands at Wednesday 2026-11-18 10:00 UTC (test_before_data's model: `booking`
depends on `web`, `records` on `db`, `intranet` on `web` and is not public). Worked by hand:

- 11-16 10:00 web down (the first event: measurement begins), 12:00 web ok: booking down 2 h.
- 11-17 00:00 web degraded, 06:00 ok: degraded counts as up.
- maintenance on web 11-18 09:30-11:00; web down at 09:45: planned, not measured (15 min).
- 11-18 09:00 db down, still at 10:00: records down 1 h.

booking: measured 48 h - 0.25 h = 47.75 h (171,900 s), down 7,200 s: 1 - 7,200/171,900 =
  95.8115 % -> "95.81 %". Its days: 11-16 from 10:00, 14 h, 2 h down: 85.7142 % -> "85.71 %";
  11-17 24 h, 0 down: "100.00 %"; 11-18 10 h - 0.25 h planned = 9.75 h, 0 down: "100.00 %".
records: measured 48 h, down 1 h: 1 - 1/48 = 97.9166 % -> "97.91 %" (cut, never rounded up);
  its 11-18: 10 h, 1 h down: "90.00 %".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest_web import Server, make_tokens
from fastapi.testclient import TestClient
from test_before_data import MODEL, NOW, Clock, maintenance, post

from bizmap.settings import Settings
from bizmap.web.app import create_app
from bizmap.web.ui.status import uptime_text

ATOM = "{http://www.w3.org/2005/Atom}"
HOURS = 3600


@pytest.fixture
def history(tmp_path: Path) -> Iterator[Server]:
    database = f"sqlite:///{tmp_path / 'bizmap.db'}"
    tokens = make_tokens(database)
    model = tmp_path / "model.yaml"
    model.write_text(MODEL.replace("name: Online booking", 'name: "Online <booking> & co"'))
    app = create_app(Settings(model=str(model), db=database), clock=Clock(NOW))
    with TestClient(app) as client:
        server = Server(client, database, tokens)
        for node, state, time in (
            ("web", "down", "2026-11-16T10:00:00Z"),
            ("web", "ok", "2026-11-16T12:00:00Z"),
            ("web", "degraded", "2026-11-17T00:00:00Z"),
            ("web", "ok", "2026-11-17T06:00:00Z"),
            ("db", "down", "2026-11-18T09:00:00Z"),
        ):
            post(server, {"node": node, "state": state, "time": time})
        maintenance(server, ["web"])  # 09:30-11:00, announced before it begins
        post(server, {"node": "web", "state": "down", "time": "2026-11-18T09:45:00Z"})
        yield server


def test_uptime_over_90_days_and_per_day_worked_by_hand(history: Server) -> None:
    document = history.client.get("/status?format=json").json()
    booking, records = document["services"]
    assert booking["uptime"] == pytest.approx(1 - 7_200 / 171_900, abs=1e-12)
    assert records["uptime"] == pytest.approx(1 - 1 / 48, abs=1e-12)
    days = {d["date"]: d for d in booking["days"]}
    assert days["2026-11-15"]["uptime"] is None  # before measurement: no data, no uptime
    assert (days["2026-11-16"]["measured_seconds"], days["2026-11-16"]["down_seconds"]) == (
        14 * HOURS,
        2 * HOURS,
    )
    assert (days["2026-11-17"]["measured_seconds"], days["2026-11-17"]["down_seconds"]) == (24 * HOURS, 0)
    assert days["2026-11-17"]["state"] == "degraded" and days["2026-11-17"]["uptime"] == 1
    assert days["2026-11-18"]["measured_seconds"] == 9.75 * HOURS
    assert days["2026-11-18"]["state"] == "planned"
    page = history.client.get("/status").text
    assert re.search(r'id="uptime-booking">95.81 % uptime<', page)
    assert re.search(r'id="uptime-records">97.91 % uptime<', page)
    assert 'title="2026-11-16: Not available (measured from 10:00 UTC), 85.71 % up"' in page
    assert 'title="2026-11-18: Not available, 90.00 % up"' in page  # records' last day
    assert 'title="2026-11-15: No data"' in page


@pytest.mark.parametrize(
    ("share", "text"),
    [(None, "no data"), (1.0, "100.00 %"), (0.99999, "99.99 %"), (0.979166, "97.91 %"), (0.0, "0.00 %")],
)
def test_uptime_is_cut_to_two_decimals_never_rounded_up(share: float | None, text: str) -> None:
    assert uptime_text(share) == text


def test_the_atom_feed_lists_public_incidents_in_plain_words(history: Server) -> None:
    answer = history.client.get("/status/feed.atom")  # no login, like the page
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    body = answer.content
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    feed = ET.fromstring(body)  # well-formed XML, or this raises
    assert feed.tag == f"{ATOM}feed"
    # RFC 4287 4.1.1: a feed has exactly one id, title and updated, and an author (or each entry has)
    for required in ("id", "title", "updated", "author"):
        assert len(feed.findall(f"{ATOM}{required}")) == 1, required
    assert feed.findtext(f"{ATOM}author/{ATOM}name")
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/status/feed.atom"
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:  # 4.1.2: each entry one id, title, updated
        for required in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{required}")) == 1, required
        assert entry.findtext(f"{ATOM}id").startswith("urn:uuid:")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.findtext(f"{ATOM}updated"))
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    # newest first: records (db, 11-18 09:00) still open; booking's degraded spell of 11-17 and
    # its outage of 11-16, both resolved; web's planned outage of 11-18 opened none
    assert titles == [
        "Patient records: not available",
        "Online <booking> & co: resolved",
        "Online <booking> & co: resolved",
    ]
    summaries = " ".join(e.findtext(f"{ATOM}summary") for e in entries)
    assert "Since 2026-11-18 09:00:00 UTC" in summaries
    assert (
        "Online <booking> & co: not available. From 2026-11-16 10:00:00 UTC to 2026-11-16 12:00:00 UTC"
        in summaries
    )
    assert "co: working, with some problems. From 2026-11-17 00:00:00 UTC" in summaries
    # escaped in the XML; no component, cause, private service or incident id in public
    assert b"&lt;booking&gt; &amp; co" in body
    for private in (b"web", b"db", b"intranet", b"INC-"):
        assert private not in body.replace(b"http://www.w3.org", b""), private


def test_the_status_page_links_its_feed(history: Server) -> None:
    page = history.client.get("/status").text
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/status/feed.atom"' in page
