"""Times on the pages: in the organisation's zone (``--timezone``, else the zone of the model's
calendars), in UTC or in the browser's zone as the viewer chose, to the second, the zone named;
the API keeps RFC 3339 UTC. Typed times (the events filter, maintenance windows) are read in
the zone the viewer sees."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bizmap.domain.calendar import organisation_zone
from bizmap.domain.model import CalendarSpec
from bizmap.model.loading import load_graph
from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.storage.users import UserStore
from bizmap.text import zoned_time
from bizmap.web.app import create_app
from bizmap.web.sessions import SESSION_COOKIE, csrf_for
from bizmap.web.time_zones import COOKIE
from helpers import SECTION_9_MODEL, run_cli, write_text

# Two calendars in London, one in Paris: the organisation lives in London.
MODEL = """\
currency: GBP
calendars:
  clinics: {timezone: Europe/London, hours: {mon-fri: "08:00-18:00"}}
  office: {timezone: Europe/London}
  paris: {timezone: Europe/Paris}
services:
  - id: shop
    calendar: clinics
    impact: {revenue_per_hour: 100}
    depends_on: [db]
components:
  - {id: db}
"""
NOON_UTC = 1_790_856_000.0  # 2026-10-01T12:00:00Z, a Thursday: British Summer Time (+01:00)


def test_a_time_reads_to_the_second_in_a_named_zone() -> None:
    at = 1_796_286_782.470675  # 2026-12-03T08:33:02.470675Z: winter, London is on GMT (+00:00)
    assert zoned_time(at, "Europe/London") == "3 Dec 2026 08:33:02 GMT"
    assert zoned_time(at, "UTC") == "3 Dec 2026 08:33:02 UTC"
    assert zoned_time(at, "Asia/Tokyo") == "3 Dec 2026 17:33:02 JST"  # +09:00
    assert zoned_time(NOON_UTC, "Europe/London") == "1 Oct 2026 13:00:00 BST"
    assert zoned_time(NOON_UTC - 0.001, "UTC") == "1 Oct 2026 11:59:59 UTC"  # cut, never rounded up


def test_the_hospital_example_lives_in_london() -> None:
    hospital = load_graph(Path(__file__).resolve().parents[2] / "examples" / "hospital")
    assert organisation_zone(hospital.calendars.values()) == "Europe/London"


def test_the_organisation_zone_is_the_one_most_calendars_name() -> None:
    london, paris = CalendarSpec(timezone="Europe/London"), CalendarSpec(timezone="Europe/Paris")
    assert organisation_zone([paris, london, london]) == "Europe/London"
    assert organisation_zone([paris, london]) == "Europe/Paris"  # a tie: the first named
    assert organisation_zone([]) == "UTC"


@dataclass
class Site:
    client: TestClient
    ingest: dict[str, str]
    operate: dict[str, str]
    csrf: str


def site_for(tmp_path: Path, **settings: str) -> Iterator[Site]:
    model = write_text(tmp_path / "model.yaml", MODEL)
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    migrate(db)
    with Store(db) as store:
        ingest = store.create_token("t-ingest", "ingest")
        operate = store.create_token("t-operate", "operate")
        people = UserStore(store.engine)
        people.add_user("olivia", "operate", "operate-password-123")
        session = people.create_session("olivia", "password")
    app = create_app(Settings(model=str(model), db=db, **settings), clock=lambda: NOON_UTC + 600)
    with TestClient(app, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, session)
        yield Site(
            client,
            {"Authorization": f"Bearer {ingest}"},
            {"Authorization": f"Bearer {operate}"},
            csrf_for(session),
        )


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_for(tmp_path)


def post_db_down(site: Site) -> None:
    event = {"node": "db", "state": "down", "time": "2026-10-01T12:00:00.25Z", "summary": "db down"}
    assert site.client.post("/api/v1/events", json=[event], headers=site.ingest).status_code == 202


def shown_times(html: str) -> list[tuple[str, str]]:
    """(machine time, what the reader sees) of every <time> on the page."""
    return re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', html)


def test_pages_show_times_in_the_organisation_zone_and_the_api_in_utc(site: Site) -> None:
    post_db_down(site)
    events = site.client.get("/ui/events").text
    assert ("2026-10-01T12:00:00Z", "1 Oct 2026 13:00:00 BST") in shown_times(events)
    assert "Europe/London (organisation)" in events  # the select names the zone
    [incident] = site.client.get("/api/v1/incidents", headers=site.operate).json()["incidents"]
    assert incident["opened_at"].startswith("2026-10-01T12:00:00")  # the contract: UTC
    assert incident["opened_at"].endswith("Z")
    listing = site.client.get("/ui/incidents").text
    assert ("2026-10-01T12:00:00Z", "1 Oct 2026 13:00:00 BST") in shown_times(listing)
    page = site.client.get(f"/ui/incidents/{incident['id']}").text
    assert (
        shown_times(page).count(("2026-10-01T12:00:00Z", "1 Oct 2026 13:00:00 BST")) == 2
    )  # opened, timeline
    note = site.client.post(
        f"/ui/incidents/{incident['id']}/notes", data={"text": "on it", "csrf_token": site.csrf}
    )
    assert note.status_code == 303
    page = site.client.get(f"/ui/incidents/{incident['id']}").text
    assert "olivia at <time" in page  # the note's time: the server's clock, 12:10:00 UTC
    assert ("2026-10-01T12:10:00Z", "1 Oct 2026 13:10:00 BST") in shown_times(page)
    assert ".25" not in re.sub(r'datetime="[^"]+"', "", page)  # no fraction of a second shown
    # a bookmark of the id the incident had before ids were to the second still finds it
    old = site.client.get("/ui/incidents/INC-20261001T120000.25Z-shop")
    assert old.status_code == 303 and old.headers["location"] == f"/ui/incidents/{incident['id']}"
    assert site.client.get("/ui/incidents/INC-20261001T120000.25Z-desk").status_code == 404


@pytest.mark.parametrize(
    ("form", "shown"),
    [
        ({"zone": "utc"}, "1 Oct 2026 12:00:00 UTC"),
        ({"zone": "browser", "browser_zone": "America/New_York"}, "1 Oct 2026 08:00:00 EDT"),
        ({"zone": "organisation"}, "1 Oct 2026 13:00:00 BST"),
    ],
)
def test_a_viewer_chooses_the_zone_and_the_choice_stays(site: Site, form: dict[str, str], shown: str) -> None:
    post_db_down(site)
    chosen = site.client.post(
        "/ui/time-zone", data={**form, "next": "/ui/events?state=down", "csrf_token": site.csrf}
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/ui/events?state=down"
    assert f"{COOKIE}=" in chosen.headers["set-cookie"] and "HttpOnly" in chosen.headers["set-cookie"]
    site.client.cookies.set(COOKIE, chosen.cookies[COOKIE])
    assert ("2026-10-01T12:00:00Z", shown) in shown_times(site.client.get("/ui/events").text)
    assert ("2026-10-01T12:00:00Z", shown) in shown_times(site.client.get("/ui/incidents").text)


def test_a_wrong_zone_choice_is_refused_by_name_and_needs_the_csrf_token(site: Site) -> None:
    wrong = site.client.post(
        "/ui/time-zone", data={"zone": "browser", "browser_zone": "Mars/Olympus", "csrf_token": site.csrf}
    )
    assert wrong.status_code == 400
    assert "browser_zone: &#39;Mars/Olympus&#39; is not a time zone" in wrong.text
    odd = site.client.post("/ui/time-zone", data={"zone": "moon", "csrf_token": site.csrf})
    assert (
        odd.status_code == 400 and "zone: &#39;moon&#39; is not one of organisation, utc, browser" in odd.text
    )
    assert site.client.post("/ui/time-zone", data={"zone": "utc"}).status_code == 403
    # a forged cookie naming no zone falls back on the organisation's
    site.client.cookies.set(COOKIE, "browser:Nowhere/City")
    assert "Europe/London (organisation)" in site.client.get("/ui/events").text


def test_the_timezone_setting_overrides_the_calendars(tmp_path: Path) -> None:
    for site in site_for(tmp_path, timezone="Asia/Tokyo"):
        post_db_down(site)
        assert ("2026-10-01T12:00:00Z", "1 Oct 2026 21:00:00 JST") in shown_times(
            site.client.get("/ui/events").text
        )


def test_the_events_filter_reads_an_iso_time_in_the_viewers_zone(site: Site) -> None:
    post_db_down(site)
    page = site.client.get("/ui/events").text
    assert 'type="datetime-local"' not in page  # a US-style picker in an en-US browser
    assert '<label for="ev-from">From (Europe/London)</label>' in page
    # the event is at 13:00:00.25 BST: from 13:00 shows it, from 13:00:01 does not
    assert "event-1" in site.client.get("/ui/events", params={"from": "2026-10-01 13:00"}).text
    assert "event-1" not in site.client.get("/ui/events", params={"from": "2026-10-01 13:00:01"}).text
    assert (
        "event-1" in site.client.get("/ui/events", params={"from": "2026-10-01T12:00Z"}).text
    )  # an offset wins
    wrong = site.client.get("/ui/events", params={"from": "10/01/2026 1:00 PM"})
    assert wrong.status_code == 422
    assert (
        "from: &#39;10/01/2026 1:00 PM&#39; is not a time like 2026-11-27 10:00 (Europe/London)" in wrong.text
    )


def test_a_maintenance_window_typed_in_local_time_is_stored_in_utc(site: Site) -> None:
    page = site.client.get("/ui/maintenance").text
    assert '<label for="mw-start">Start (Europe/London)</label>' in page
    assert 'value="2026-10-01 13:10"' in page  # the form starts at the server's minute, local
    form = {"nodes": "db", "start": "2026-10-01 14:00", "end": "2026-10-01 15:30", "reason": "Patch"}
    added = site.client.post("/ui/maintenance", data={**form, "id": "mw-1", "csrf_token": site.csrf})
    assert added.status_code == 303
    [window] = site.client.get("/api/v1/maintenance", headers=site.operate).json()["windows"]
    assert (window["start"], window["end"]) == ("2026-10-01T13:00:00Z", "2026-10-01T14:30:00Z")
    listing = site.client.get("/ui/maintenance").text
    assert ("2026-10-01T13:00:00Z", "1 Oct 2026 14:00:00 BST") in shown_times(listing)


def test_serve_refuses_an_unknown_timezone(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", SECTION_9_MODEL)
    result = run_cli("serve", model, "--db", f"sqlite:///{tmp_path / 'b.db'}", "--timezone", "Europe/Londn")
    assert result.exit_code == 2
    assert (
        "--timezone: 'Europe/Londn' is not a time zone; use an IANA name such as Europe/London"
        in result.stderr
    )
