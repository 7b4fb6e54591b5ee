"""People affected where time is known (semantics §3): the live engine, incidents, replay's
episodes and the Business Impact Statement count only services in calendar and unplanned at
the instant, a population once, and an incident's people is the peak of that count, never a
sum over time. What-if is timeless and counts every non-ok service. Figures worked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from bizmap.analytics.whatif import what_if
from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.engine.live_engine import LiveEngine
from bizmap.engine.replay import replay
from bizmap.reports.incident import gather_incident
from bizmap.reports.render import render_markdown
from bizmap.reports.sources import replay_source
from helpers import graph_from_yaml, utc, write_events, write_text

# The Friday night: every service depends on dns. Clinicians use the records and
# prescribing (one population: the 900 who prescribe are among the 1,800); radiology has its
# own staff; e-mail counts only in office hours (07:30-18:30 UK time, Monday to Friday).
NIGHT_MODEL = """\
calendars:
  office:
    timezone: Europe/London
    hours: {mon-fri: "07:30-18:30"}
services:
  - id: records
    impact: {revenue_per_hour: 1000, users: 1800, cost_per_user_hour: 30, population: clinicians}
    depends_on: [dns]
  - id: prescribing
    impact: {users: 900, cost_per_user_hour: 30, population: clinicians}
    depends_on: [dns]
  - id: imaging
    impact: {users: 250, cost_per_user_hour: 40}
    depends_on: [dns, pacs-db]
  - id: email
    calendar: office
    impact: {users: 6500, cost_per_user_hour: 4}
    depends_on: [dns]
components:
  - id: dns
  - id: pacs-db
maintenance:
  - id: mw-pacs
    nodes: [pacs-db]
    start: 2026-10-16T20:00:00Z
    end: 2026-10-16T22:00:00Z
"""

# Friday 16 October 2026 is in BST (UTC+1): 22:40Z is 23:40 local, outside e-mail's hours.
NIGHT, NIGHT_END = "2026-10-16T22:40:00Z", "2026-10-16T23:25:30Z"
INCIDENT = "INC-20261016T224000Z-records"
START = utc("2026-10-16T00:00:00Z")


def event(node: str, state: str, at: str) -> Event:
    return Event(state=State[state.upper()], time=utc(at), node=node)


def engine_after(*events: Event) -> LiveEngine:
    engine = LiveEngine(graph_from_yaml(NIGHT_MODEL), START)
    for item in events:
        engine.apply(item, START)
    engine.after_apply()
    return engine


def test_what_if_is_timeless_and_counts_a_population_once() -> None:
    graph = graph_from_yaml(NIGHT_MODEL)
    result = what_if(graph, {graph.index["dns"]: State.DOWN})
    assert {s.id: s.users for s in result.services} == {
        "records": 1800,
        "prescribing": 900,
        "imaging": 250,
        "email": 6500,
    }
    # every non-ok service, whatever the hour: clinicians max(1,800, 900) + 250 + 6,500 = 8,550
    # (the old sum, 1,800 + 900 + 250 + 6,500 = 9,450, counted the prescribers twice)
    assert result.users_affected == 8550


def test_at_night_an_office_hours_service_keeps_nobody_from_work() -> None:
    engine = engine_after(event("dns", "down", NIGHT))
    at = utc("2026-10-16T23:00:00Z")
    now = {s.id: s for s in engine.services_now(at)}
    assert now["email"].state == State.DOWN and now["email"].cost_per_hour == 0.0
    assert now["email"].users_affected == 0  # outside 07:30-18:30: nobody uses it at this hour
    assert now["records"].users_affected == 1800
    # clinicians max(1,800, 900) = 1,800, + imaging 250; e-mail 0 = 2,050 (the 9,510 was
    # 1,800 + 900 + 250 + 6,500 + 60 booking clerks, also out of hours, with prescribers twice)
    assert engine.people_now(at) == 2050
    [incident] = engine.incidents.open_incidents()
    assert engine.incident_people(incident, at) == 2050


def test_in_office_hours_the_same_outage_counts_e_mail() -> None:
    engine = engine_after(event("dns", "down", "2026-10-16T10:00:00Z"))  # 11:00 BST
    at = utc("2026-10-16T10:30:00Z")
    # 1,800 (clinicians) + 250 + 6,500 = 8,550
    assert engine.people_now(at) == 8550
    [incident] = engine.incidents.open_incidents()
    assert engine.incident_people(incident, at) == 8550


def test_a_planned_outage_keeps_nobody_from_work() -> None:
    # pacs-db down at 21:00Z inside its window (20:00-22:00Z): imaging is down, planned.
    engine = engine_after(event("pacs-db", "down", "2026-10-16T21:00:00Z"))
    at = utc("2026-10-16T21:30:00Z")
    imaging = next(s for s in engine.services_now(at) if s.id == "imaging")
    assert imaging.state == State.DOWN and imaging.planned
    assert imaging.users_affected == 0
    assert engine.people_now(at) == 0


def test_an_incident_outside_hours_that_runs_into_them_peaks_when_e_mail_counts() -> None:
    # dns down Monday 19 Oct 06:00Z (07:00 BST) to 07:00Z (08:00 BST): e-mail counts from 07:30
    # BST = 06:30Z. So far at 06:15Z: 1,800 + 250 = 2,050; over the whole incident the peak
    # is from 06:30Z on: 1,800 + 250 + 6,500 = 8,550.
    engine = engine_after(event("dns", "down", "2026-10-19T06:00:00Z"))
    [incident] = engine.incidents.open_incidents()
    assert engine.incident_people(incident, utc("2026-10-19T06:15:00Z")) == 2050
    engine.apply(event("dns", "ok", "2026-10-19T07:00:00Z"), START)
    engine.after_apply()
    assert incident.closed_at == utc("2026-10-19T07:00:00Z")
    assert engine.incident_people(incident, utc("2026-10-19T08:00:00Z")) == 8550


# --- peak, not a sum ----------------------------------------------------------------------------

# c needs r; a and b need r or their own k (rule any): a is down only while r and ka are both
# down, and its root causes {r, ka} overlap c's {r}, so a, b and c share one incident.
PEAK_MODEL = """\
services:
  - id: a
    impact: {users: 300}
    depends_on: {rule: any, children: [r, ka]}
  - id: b
    impact: {users: 200}
    depends_on: {rule: any, children: [r, kb]}
  - id: c
    impact: {users: 10}
    depends_on: [r]
components:
  - id: r
  - id: ka
  - id: kb
"""

PEAK_EVENTS = [
    ("r", "down", "2026-03-09T10:00:00Z"),
    ("ka", "down", "2026-03-09T10:00:00Z"),
    ("ka", "ok", "2026-03-09T10:20:00Z"),
    ("kb", "down", "2026-03-09T10:30:00Z"),
    ("r", "ok", "2026-03-09T11:00:00Z"),
]


def test_an_incidents_people_is_the_peak_not_a_sum_over_time() -> None:
    engine = LiveEngine(graph_from_yaml(PEAK_MODEL), utc("2026-03-09T00:00:00Z"))
    for node, state, at in PEAK_EVENTS:
        engine.apply(event(node, state, at), 0)
    engine.after_apply()
    [incident] = engine.incidents.all()
    assert sorted(incident.services) == ["a", "b", "c"]
    # 10:00-10:20 a + c = 310; 10:30-11:00 b + c = 210; peak 310 (the old sum: 300 + 200 + 10 = 510)
    assert engine.incident_people(incident, utc("2026-03-09T12:00:00Z")) == 310


def test_the_statement_of_that_incident_says_the_peak(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model" / "model.yaml", PEAK_MODEL).parent
    log = write_events(
        tmp_path / "events.jsonl", [{"node": n, "state": s, "time": t} for n, s, t in PEAK_EVENTS]
    )
    statement = gather_incident(replay_source(model, log), "INC-20260309T100000Z-a")
    assert statement.users == 310
    assert {s.id: s.users for s in statement.services} == {"a": 300, "b": 200, "c": 10}


# --- replay's episodes ----------------------------------------------------------------------------


def test_an_episodes_people_count_only_in_calendar_and_unplanned() -> None:
    graph = graph_from_yaml(NIGHT_MODEL)
    events = [
        (1, event("dns", "down", "2026-10-16T10:00:00Z")),  # Friday 11:00 BST
        (2, event("dns", "ok", "2026-10-16T10:30:00Z")),
        (3, event("dns", "down", NIGHT)),  # Friday 23:40 BST
        (4, event("dns", "ok", NIGHT_END)),
        (5, event("pacs-db", "down", "2026-10-16T21:00:00Z")),  # in its window: planned
        (6, event("pacs-db", "ok", "2026-10-16T21:30:00Z")),
    ]
    result = replay(graph, events, START, utc("2026-10-17T00:00:00Z"))
    people = {s.id: [e.people for e in s.episodes] for s in result.services}
    assert people["email"] == [6500, 0]  # by day all of them; at night nobody (cost 0 too)
    assert people["records"] == [1800, 1800]  # 24x7
    assert people["imaging"] == [250, 0, 250]  # the planned pacs-db outage keeps nobody from work


# --- the Business Impact Statement --------------------------------------------------------------


@pytest.fixture
def night_source(tmp_path: Path):  # type: ignore[no-untyped-def]
    model = write_text(tmp_path / "model" / "model.yaml", NIGHT_MODEL).parent
    log = write_events(
        tmp_path / "events.jsonl",
        [{"node": "dns", "state": "down", "time": NIGHT}, {"node": "dns", "state": "ok", "time": NIGHT_END}],
    )
    return replay_source(model, log)


def test_the_statement_of_a_night_time_incident_counts_only_who_was_working(night_source) -> None:  # type: ignore[no-untyped-def]
    statement = gather_incident(night_source, INCIDENT)
    lines = {s.id: s for s in statement.services}
    assert lines["email"].cost == 0.0 and lines["email"].users == 0  # outside its hours
    assert lines["records"].users == 1800 and lines["prescribing"].users == 900
    # clinicians max(1,800, 900) + imaging 250 = 2,050 (not 1,800 + 900 + 250 + 6,500 = 9,450)
    assert statement.users == 2050
    assert "2,050 people could not work normally" in statement.summary
    assert "9,450" not in render_markdown(statement)
