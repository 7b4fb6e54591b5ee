"""Incidents (issue 3): a truth table of the tracker, its feed from the engine's histories,
and the cost of an incident worked out by hand on the §9 model."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmap.domain.calendar import CalendarWindow
from bizmap.domain.cost import WorkaroundAllowance
from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.engine.incidents import IncidentTracker, StatusChange, TrackedIncident, incident_id
from bizmap.engine.live_engine import LiveEngine, _cost_within, _episode_start_at
from helpers import SECTION_9_MODEL, graph_from_yaml, utc

DOWN, DEGRADED, OK = int(State.DOWN), int(State.DEGRADED), int(State.OK)


def change(time: float, service: str, state: int, *roots: str, planned: bool = False) -> StatusChange:
    return StatusChange(time, service, state, planned, frozenset(roots))


def tracker(*changes: StatusChange) -> IncidentTracker:
    found = IncidentTracker([])
    found.update(changes)
    return found


def summary(found: IncidentTracker) -> list[tuple[str, float, float | None, list[str], list[str]]]:
    return [
        (i.id, i.opened_at, i.closed_at, i.services, sorted(i.root_causes))
        for i in sorted(found.incidents.values(), key=lambda i: i.opened_at)
    ]


def test_an_unplanned_failure_opens_an_incident_and_recovery_closes_it() -> None:
    found = tracker(change(100, "s1", DOWN, "db"))
    assert summary(found) == [("INC-19700101T000140Z-s1", 100, None, ["s1"], ["db"])]
    found.update([change(200, "s1", OK)])
    assert summary(found) == [("INC-19700101T000140Z-s1", 100, 200, ["s1"], ["db"])]


def test_a_planned_outage_opens_none() -> None:
    assert tracker(change(100, "s1", DOWN, "db", planned=True), change(200, "s1", OK)).incidents == {}


def test_an_outage_that_becomes_planned_closes_its_incident() -> None:
    found = tracker(change(100, "s1", DOWN, "db"), change(150, "s1", DOWN, "db", planned=True))
    assert summary(found)[0][2] == 150


def test_services_whose_root_causes_overlap_join_the_same_incident() -> None:
    found = tracker(change(100, "s1", DOWN, "db"), change(110, "s2", DEGRADED, "db", "web"))
    [(_, opened, closed, services, roots)] = summary(found)
    assert (opened, closed, services, roots) == (100, None, ["s1", "s2"], ["db", "web"])


def test_disjoint_root_causes_make_two_incidents() -> None:
    found = tracker(change(100, "s1", DOWN, "db"), change(110, "s2", DOWN, "web"))
    assert [(s[3], s[4]) for s in summary(found)] == [(["s1"], ["db"]), (["s2"], ["web"])]


def test_a_service_overlapping_two_open_incidents_merges_them_into_the_older() -> None:
    found = tracker(
        change(100, "s1", DOWN, "db"),
        change(110, "s2", DOWN, "web"),
        change(120, "s3", DOWN, "db", "web"),
    )
    older, younger = sorted(found.incidents.values(), key=lambda i: i.opened_at)
    assert older.services == ["s1", "s2", "s3"]
    assert older.root_causes == {"db", "web"} and older.is_open
    assert younger.merged_into == older.id and younger.closed_at == 120 and younger.memberships == []
    # The merged incident closes only when all three services are ok again.
    found.update([change(130, "s1", OK), change(140, "s2", OK)])
    assert older.is_open
    found.update([change(150, "s3", OK)])
    assert older.closed_at == 150
    assert [(c.time, c.service) for c in older.timeline] == [
        (100, "s1"),
        (110, "s2"),
        (120, "s3"),
        (130, "s1"),
        (140, "s2"),
        (150, "s3"),
    ]


def test_a_service_whose_causes_grow_into_another_incident_merges_them() -> None:
    found = tracker(
        change(100, "s1", DOWN, "db"), change(110, "s2", DOWN, "web"), change(120, "s1", DOWN, "db", "web")
    )
    assert len(found.open_incidents()) == 1
    assert found.open_incidents()[0].services == ["s1", "s2"]


def test_the_incident_stays_open_while_one_service_is_still_down() -> None:
    found = tracker(change(100, "s1", DOWN, "db"), change(110, "s2", DOWN, "db"), change(120, "s1", OK))
    [incident] = found.incidents.values()
    assert incident.is_open
    assert [(m.service, m.start, m.end) for m in incident.memberships] == [
        ("s1", 100, 120),
        ("s2", 110, None),
    ]


def test_a_failure_after_recovery_opens_a_new_incident() -> None:
    found = tracker(change(100, "s1", DOWN, "db"), change(200, "s1", OK), change(300, "s1", DOWN, "db"))
    assert [(s[1], s[2]) for s in summary(found)] == [(100, 200), (300, None)]
    assert len({s[0] for s in summary(found)}) == 2


def test_an_incident_that_closed_does_not_attract_new_failures() -> None:
    found = tracker(change(100, "s1", DOWN, "db"), change(200, "s1", OK), change(300, "s2", DOWN, "db"))
    assert [s[3] for s in summary(found)] == [["s1"], ["s2"]]


def test_a_change_of_state_inside_an_incident_is_on_its_timeline() -> None:
    found = tracker(change(100, "s1", DOWN, "db"), change(110, "s1", DEGRADED, "db"), change(120, "s1", OK))
    [incident] = found.incidents.values()
    assert [(c.time, c.state) for c in incident.timeline] == [(100, DOWN), (110, DEGRADED), (120, OK)]


def test_ids_are_deterministic() -> None:
    assert incident_id(utc("2026-03-09T09:00:00Z"), "orders") == "INC-20260309T090000Z-orders"
    # to the second: a fraction is cut, never rounded up into the next second
    assert incident_id(utc("2026-03-09T09:00:00.25Z"), "orders") == "INC-20260309T090000Z-orders"
    assert incident_id(utc("2026-03-09T09:00:00.999999Z"), "orders") == "INC-20260309T090000Z-orders"
    changes = [change(100, "s1", DOWN, "db"), change(110, "s2", DOWN, "web"), change(120, "s3", DOWN, "db")]
    assert summary(tracker(*changes)) == summary(tracker(*changes))


def test_incidents_of_one_service_in_the_same_second_get_distinct_ids_in_opening_order() -> None:
    changes = [
        change(100.2, "s1", DOWN, "db"),
        change(100.5, "s1", OK),
        change(100.8, "s1", DOWN, "db"),
        change(100.9, "s1", OK),
        change(100.95, "s1", DOWN, "web"),
    ]
    expected = ["INC-19700101T000140Z-s1", "INC-19700101T000140Z-s1-2", "INC-19700101T000140Z-s1-3"]
    assert list(tracker(*changes).incidents) == expected
    assert list(tracker(*changes).incidents) == expected  # a restart replays the same history


# --- fed by the live engine ---------------------------------------------------------------

SHARED_MODEL = """\
services:
  - {id: s1, impact: {users: 10}, depends_on: [db, x]}
  - {id: s2, impact: {users: 20}, depends_on: [db, y]}
  - {id: s3, impact: {users: 40}, depends_on: [z]}
components:
  - {id: db}
  - {id: x}
  - {id: y}
  - {id: z}
maintenance:
  - {id: mw, nodes: [z], start: 2026-03-09T10:00:00Z, end: 2026-03-09T11:00:00Z, reason: patching}
"""
T0 = utc("2026-03-09T08:00:00Z")


def event(node: str, state: str, at: str) -> Event:
    return Event(state=State[state.upper()], time=utc(at), node=node)


def test_the_engine_feeds_the_tracker_from_its_histories() -> None:
    engine = LiveEngine(graph_from_yaml(SHARED_MODEL), T0)
    engine.apply(event("db", "down", "2026-03-09T08:10:00Z"), T0)
    engine.apply(event("z", "down", "2026-03-09T08:20:00Z"), T0)
    changed = engine.after_apply()
    assert [(i.id, i.services, sorted(i.root_causes)) for i in changed] == [
        ("INC-20260309T081000Z-s1", ["s1", "s2"], ["db"]),
        ("INC-20260309T082000Z-s3", ["s3"], ["z"]),
    ]
    assert engine.after_apply() == []  # nothing new
    # z's maintenance starts at 10:00: s3 is then planned, and its incident closes.
    engine.advance(utc("2026-03-09T10:30:00Z"))
    [closed] = engine.after_apply()
    assert closed.id == "INC-20260309T082000Z-s3" and closed.closed_at == utc("2026-03-09T10:00:00Z")
    engine.apply(event("db", "ok", "2026-03-09T10:40:00Z"), T0)
    [recovered] = engine.after_apply()
    assert recovered.closed_at == utc("2026-03-09T10:40:00Z")
    # People are the engine's (semantics §3): s1 (10) and s2 (20), no population, both down
    # together 08:10-10:40, 24x7: 10 + 20 = 30 at once. (s3, 40, was in the other incident.)
    assert engine.incident_people(recovered, utc("2026-03-09T11:00:00Z")) == 30
    # z's incident: s3 counted 08:20-10:00 (then planned, and it left): 40.
    assert engine.incident_people(closed, utc("2026-03-09T11:00:00Z")) == 40


def test_a_point_rewritten_at_the_same_instant_is_taken_again() -> None:
    engine = LiveEngine(graph_from_yaml(SHARED_MODEL), T0)
    engine.apply(event("db", "down", "2026-03-09T08:10:00Z"), T0)
    [opened] = engine.after_apply()
    engine.apply(event("db", "ok", "2026-03-09T08:10:00Z"), T0)  # same instant: the point is undone
    [closed] = engine.after_apply()
    assert closed is opened and closed.closed_at == utc("2026-03-09T08:10:00Z")


def test_rebuilding_gives_the_same_incidents() -> None:
    events = [
        event("db", "down", "2026-03-09T08:10:00Z"),
        event("z", "down", "2026-03-09T08:15:00Z"),
        event("db", "ok", "2026-03-09T08:30:00Z"),
        event("db", "down", "2026-03-09T08:40:00Z"),
    ]
    live = LiveEngine(graph_from_yaml(SHARED_MODEL), T0)
    for item in events:
        live.apply(item, T0)
        live.after_apply()
    rebuilt = LiveEngine(graph_from_yaml(SHARED_MODEL), T0)
    for item in events:
        rebuilt.apply(item, T0)
    rebuilt.after_apply()

    def shape(engine: LiveEngine) -> list[tuple[str, float | None, list[str]]]:
        return [(i.id, i.closed_at, i.services) for i in engine.incidents.all()]

    assert shape(live) == shape(rebuilt)
    assert len(shape(live)) == 3


# --- cost on the §9 model ----------------------------------------------------------------


def test_cost_of_the_section_9_outage_is_worked_out_by_hand() -> None:
    # app down from Friday 16:00 Paris to Monday 10:00: counted 7,200 s, 1.5 h at 750 + 0.5 h at
    # 1,500 = 1,875 (semantics §9).
    engine = LiveEngine(graph_from_yaml(SECTION_9_MODEL), utc("2026-03-06T00:00:00Z"))
    engine.apply(event("app", "down", "2026-03-06T15:00:00Z"), 0)
    [incident] = engine.after_apply()
    assert incident.services == ["orders"] and incident.root_causes == {"app"}
    # So far, at Friday 16:30 Paris: half an hour under the workaround = 375.
    assert engine.incident_cost(incident, utc("2026-03-06T15:30:00Z")) == pytest.approx(375.0)
    # Over the weekend nothing more is counted.
    assert engine.incident_cost(incident, utc("2026-03-08T12:00:00Z")) == pytest.approx(750.0)
    engine.apply(event("app", "ok", "2026-03-09T09:00:00Z"), 0)
    [closed] = engine.after_apply()
    assert closed.closed_at == utc("2026-03-09T09:00:00Z")
    assert engine.incident_cost(closed, utc("2026-03-10T12:00:00Z")) == pytest.approx(1875.0)


def test_a_service_joining_late_counts_from_when_it_joined_with_its_own_workaround() -> None:
    model = SECTION_9_MODEL.replace("  - id: orders\n", "  - id: orders\n").replace(
        "services:\n", "services:\n  - {id: shop, impact: {revenue_per_hour: 600}, depends_on: [a]}\n"
    )
    engine = LiveEngine(graph_from_yaml(model), utc("2026-03-09T00:00:00Z"))
    # Monday 10:00 Paris: a (weight 2) down; app still has b, c (2 of need 2): ok. shop is down.
    engine.apply(event("a", "down", "2026-03-09T09:00:00Z"), 0)
    # 11:00 Paris: b down too: app is down (W_up = 1 < 2), and orders joins shop's incident via a.
    engine.apply(event("b", "down", "2026-03-09T10:00:00Z"), 0)
    engine.apply(event("a", "ok", "2026-03-09T12:00:00Z"), 0)
    engine.apply(event("b", "ok", "2026-03-09T12:00:00Z"), 0)
    [incident] = engine.after_apply()
    assert sorted(incident.services) == ["orders", "shop"]
    assert incident.closed_at == utc("2026-03-09T12:00:00Z")
    # shop (24x7, no workaround): 3 h at 600 = 1,800. orders: 2 h in office hours, 1.5 h at 750
    # and 0.5 h at 1,500 = 1,875.
    assert engine.incident_cost(incident, utc("2026-03-09T13:00:00Z")) == pytest.approx(1800 + 1875)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["s1", "s2", "s3"]),
            st.sampled_from([OK, DEGRADED, DOWN]),
            st.frozensets(st.sampled_from(["db", "net", "dns"]), max_size=2),
            st.booleans(),
        ),
        max_size=40,
    )
)
def test_the_open_incidents_are_exactly_those_not_closed(
    steps: list[tuple[str, int, frozenset[str], bool]],
) -> None:
    """The tracker keeps its open incidents and their running memberships in indexes
    (scanning the whole history after each batch grew with it): they must equal the scans."""
    found = IncidentTracker([])
    for time, (service, state, roots, planned) in enumerate(steps):
        found.update([StatusChange(float(time), service, state, planned, roots)])
        scanned = [i for i in found.incidents.values() if i.closed_at is None]
        assert found.open_incidents() == scanned
        for incident in found.incidents.values():  # the running memberships, indexed likewise
            running = [m for m in incident.memberships if m.end is None]
            assert sorted(incident.active(), key=id) == sorted(running, key=id)


def priced_from_scratch(engine: LiveEngine, incident: TrackedIncident, end: float) -> float:
    """An incident's cost by the definition, with no kept state: for each membership, the whole
    episode open when it began is read, and the workaround counted from the episode's start."""
    total = 0.0
    for membership in incident.memberships:
        index = engine.graph.index[membership.service]
        facts = engine.graph.service_of[index]
        until = min(membership.end if membership.end is not None else end, end)
        if until <= membership.start:
            continue
        segments = engine.timeline.segments(index, end, since=membership.start)
        begin = _episode_start_at(segments, membership.start)
        window = CalendarWindow(engine.calendar(facts.calendar), begin, end)
        allowance = WorkaroundAllowance(facts)
        total += _cost_within(segments, facts, window, begin, membership.start, until, allowance)
    return total


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "app"]),
            st.sampled_from(["ok", "degraded", "down"]),
            st.integers(min_value=1, max_value=7 * 3600),  # seconds after the previous event
            st.sampled_from([None, 0, 60, 3 * 3600]),  # ask for the costs this long after it
        ),
        max_size=30,
    ),
    st.lists(  # maintenance windows of orders: (start after the first hour, length), seconds
        st.tuples(
            st.integers(min_value=0, max_value=48 * 3600), st.integers(min_value=60, max_value=6 * 3600)
        ),
        max_size=3,
    ),
)
def test_incident_costs_asked_along_the_way_equal_costs_worked_out_once_at_the_end(
    steps: list[tuple[str, str, int, int | None]], windows: list[tuple[int, int]]
) -> None:
    """The cost of a membership that ended before the clock is kept once known, that of a
    running one up to the clock, and each service's workaround tallied as far as asked (a long
    incident's cost must not be recomputed from its whole history every second): asking often,
    at the clock or after it, must give what the definition gives, worked out once at the end.
    Maintenance makes services leave and rejoin incidents in the middle of an episode."""
    graph = graph_from_yaml(SECTION_9_MODEL)
    start = utc("2026-03-06T00:00:00Z")
    asked, fresh = LiveEngine(graph, start), LiveEngine(graph, start)
    for number, (offset, length) in enumerate(windows):
        for engine in (asked, fresh):
            begin = start + 3600 + offset
            engine.add_maintenance(f"w{number}", ["orders"], begin, begin + length)
    at = start
    for node, state, gap, ask in steps:
        at += gap
        when = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for engine in (asked, fresh):
            engine.apply(event(node, state, when), 0)
        asked.after_apply()
        if ask is not None:
            for incident in asked.incidents.incidents.values():
                asked.incident_cost(incident, at + ask)
    fresh.after_apply()
    end = at + 3600
    got = {i.id: asked.incident_cost(i, end) for i in asked.incidents.incidents.values()}
    expected = {i.id: priced_from_scratch(fresh, i, end) for i in fresh.incidents.incidents.values()}
    assert got.keys() == expected.keys()
    for name, cost in expected.items():
        assert got[name] == pytest.approx(cost, abs=1e-6), name


def test_a_change_at_the_instant_of_an_asking_counts_in_the_cost() -> None:
    """The cost of a running membership is kept up to the clock, not past it: a change that
    arrives at the clock's very instant (the timeline rewrites its newest point) still counts."""
    graph = graph_from_yaml(SECTION_9_MODEL)
    start = utc("2026-03-09T08:00:00Z")  # a Monday, in office hours from 09:00 Paris
    asked, fresh = LiveEngine(graph, start), LiveEngine(graph, start)
    for engine in (asked, fresh):
        engine.apply(event("a", "down", "2026-03-09T09:00:00Z"), 0)
        engine.apply(event("b", "degraded", "2026-03-09T10:00:00Z"), 0)
    asked.after_apply()
    (incident,) = asked.incidents.incidents.values()
    asked.incident_cost(incident, utc("2026-03-09T10:30:00Z"))  # half an hour past the clock
    for engine in (asked, fresh):
        engine.apply(event("b", "down", "2026-03-09T10:00:00Z"), 0)  # the same instant
        engine.after_apply()
    end = utc("2026-03-09T11:30:00Z")
    (fresh_incident,) = fresh.incidents.incidents.values()
    assert asked.incident_cost(incident, end) == pytest.approx(fresh.incident_cost(fresh_incident, end))
    assert fresh.service_now(graph.service_of[graph.index["orders"]], end).state == State.DOWN


def test_the_workaround_counts_from_the_episode_not_from_when_the_service_rejoined() -> None:
    """A service under maintenance leaves its incident; when the window ends while it is still
    down, it joins a new incident, but its episode (and so its workaround) began before.

    orders costs 1,000/h revenue + 10 users x 50 = 1,500/h down, half that under the workaround
    for 1.5 counted hours. Monday 2026-03-09, office hours 09:00-17:00 Paris (08:00-16:00Z):
    - app down at 08:00Z: the first incident. 08:00-09:00 under the workaround: 750.
    - maintenance 09:00-09:30Z: planned, not counted; the first incident closes.
    - from 09:30Z a second incident. 1 counted hour of workaround is used: 0.5 h left.
      09:30-10:00 at half: 375; 10:00-11:30 in full: 2,250; until 11:30Z: 2,625.
    """
    graph = graph_from_yaml(SECTION_9_MODEL)
    engine = LiveEngine(graph, utc("2026-03-09T07:00:00Z"))
    engine.add_maintenance("w", ["orders"], utc("2026-03-09T09:00:00Z"), utc("2026-03-09T09:30:00Z"))
    engine.apply(event("app", "down", "2026-03-09T08:00:00Z"), 0)
    engine.after_apply()
    engine.apply(event("c", "degraded", "2026-03-09T09:45:00Z"), 0)  # moves the clock on
    engine.after_apply()
    first, second = sorted(engine.incidents.incidents.values(), key=lambda i: i.opened_at)
    assert (first.closed_at, second.opened_at) == (utc("2026-03-09T09:00:00Z"), utc("2026-03-09T09:30:00Z"))
    end = utc("2026-03-09T11:30:00Z")
    assert engine.incident_cost(first, end) == pytest.approx(750.0)
    assert engine.incident_cost(second, utc("2026-03-09T09:45:00Z")) == pytest.approx(
        187.5
    )  # asked on the way
    assert engine.incident_cost(second, end) == pytest.approx(2625.0)


def test_a_new_episode_gets_the_whole_workaround_again() -> None:
    """orders (1,500/h down, workaround at half for 1.5 counted hours), Monday 2026-03-09 in
    office hours: down 08:00-09:00Z, ok, down again from 10:00Z. The second episode's workaround
    starts afresh: 10:00-11:30 at half (1,125), 11:30-12:00 in full (750): 1,875 until 12:00Z."""
    graph = graph_from_yaml(SECTION_9_MODEL)
    engine = LiveEngine(graph, utc("2026-03-09T07:00:00Z"))
    for node, state, at in [("app", "down", "08:00"), ("app", "ok", "09:00"), ("app", "down", "10:00")]:
        engine.apply(event(node, state, f"2026-03-09T{at}:00Z"), 0)
        engine.after_apply()
    first, second = sorted(engine.incidents.incidents.values(), key=lambda i: i.opened_at)
    end = utc("2026-03-09T12:00:00Z")
    assert engine.incident_cost(first, end) == pytest.approx(750.0)  # one hour at half
    assert engine.incident_cost(second, end) == pytest.approx(1875.0)
