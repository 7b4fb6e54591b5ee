"""Audit log, maintenance windows, incidents and their notes, meta."""

from __future__ import annotations

import pytest
from storage_support import T0, FakeClock

from bizmap.storage import AuditEntry, Incident, IncidentNote, MaintenanceWindow, Store, UnknownIncident


def test_audit_log_newest_first(store: Store, clock: FakeClock) -> None:
    store.audit("ops", "token.create", {"name": "ci", "role": "ingest", "nested": {"n": [1, 2]}})
    clock.advance(1)
    store.audit("ci", "maintenance.add")

    entries = store.audit_log()

    assert [(e.at, e.actor, e.action, e.detail) for e in entries] == [
        (T0 + 1, "ci", "maintenance.add", None),
        (T0, "ops", "token.create", {"name": "ci", "role": "ingest", "nested": {"n": [1, 2]}}),
    ]
    assert all(isinstance(e, AuditEntry) for e in entries)
    assert [e.action for e in store.audit_log(limit=1)] == ["maintenance.add"]


def test_maintenance_windows_are_added_listed_and_ended(store: Store) -> None:
    late = store.add_maintenance(["db-1", "db-2"], T0 + 100, T0 + 200, "patching", "ops")
    early = store.add_maintenance(["web-1"], T0, T0 + 50, "", "ci", id="mw-1")

    assert early == MaintenanceWindow("mw-1", ("web-1",), T0, T0 + 50, "", "ci", T0)
    assert store.list_maintenance() == [early, late]
    assert store.list_maintenance(active_at=T0 + 100) == [late]
    assert store.list_maintenance(active_at=T0 + 50) == []  # the end is excluded

    assert store.end_maintenance("mw-1", after_seq=7, at_clock=T0 + 20) is True
    assert store.end_maintenance("mw-1", after_seq=8, at_clock=T0 + 30) is False  # ended once
    assert store.list_maintenance() == [late]
    # kept, with where it ended among the events: a restart ends it there again
    (ended, _) = store.list_maintenance(include_ended=True)
    assert (ended.id, ended.ended_after_seq, ended.ended_at_clock, ended.effective_end) == (
        "mw-1",
        7,
        T0 + 20,
        T0 + 20,
    )
    placed = store.add_maintenance(["web-1"], T0, T0 + 50, "", "ci", after_seq=3, at_clock=T0 - 5)
    assert (placed.added_after_seq, placed.added_at_clock) == (3, T0 - 5)
    assert [w for w in store.list_maintenance(include_ended=True) if w.id == placed.id] == [placed]


def test_a_maintenance_window_must_cover_nodes_for_some_time(store: Store) -> None:
    with pytest.raises(ValueError, match="end after"):
        store.add_maintenance(["db-1"], T0, T0, "", "ops")
    with pytest.raises(ValueError, match="node"):
        store.add_maintenance([], T0, T0 + 1, "", "ops")
    store.add_maintenance(["db-1"], T0, T0 + 1, "", "ops", id="same")
    with pytest.raises(ValueError, match="exists"):
        store.add_maintenance(["db-1"], T0, T0 + 1, "", "ops", id="same")
    assert [w.id for w in store.list_maintenance()] == ["same"]


def test_incidents_are_saved_then_updated(store: Store) -> None:
    first = Incident("inc-1", T0, services=("billing",), root_causes=("db-1",), cost=120.5, users=40)
    second = Incident("inc-2", T0 + 60, services=("email", "billing"), root_causes=("dns",))
    store.save_incident(first)
    store.save_incident(second)

    assert store.list_incidents() == [second, first]
    assert store.get_incident("inc-1") == first
    assert store.get_incident("nope") is None

    closed = Incident(
        "inc-1", T0, T0 + 600, ("billing",), ("db-1", "san"), T0 + 30, "ops", cost=900.0, users=41
    )
    store.save_incident(closed)

    assert store.get_incident("inc-1") == closed
    assert store.list_incidents(open_only=True) == [second]
    assert store.list_incidents(limit=1) == [second]
    assert [i.is_open for i in store.list_incidents()] == [True, False]


def test_incident_notes_oldest_first(store: Store, clock: FakeClock) -> None:
    store.save_incident(Incident("inc-1", T0))
    store.save_incident(Incident("inc-2", T0))
    later = store.add_incident_note("inc-1", "ops", "restarted the database", at=T0 + 90)
    clock.advance(10)
    sooner = store.add_incident_note("inc-1", "dba", "replica lagging")
    store.add_incident_note("inc-2", "ops", "elsewhere")

    assert sooner == IncidentNote(sooner.id, "inc-1", T0 + 10, "dba", "replica lagging")
    assert store.incident_notes("inc-1") == [sooner, later]
    assert store.incident_notes("nope") == []


def test_a_note_needs_its_incident(store: Store) -> None:
    with pytest.raises(UnknownIncident, match="inc-9"):
        store.add_incident_note("inc-9", "ops", "lost")
    assert store.incident_notes("inc-9") == []


def test_meta(store: Store) -> None:
    assert store.get_meta("checkpoint") is None

    store.set_meta("checkpoint", '{"seq": 10}')
    store.set_meta("model", "abc")
    store.set_meta("checkpoint", '{"seq": 20}')

    assert store.get_meta("checkpoint") == '{"seq": 20}'
    assert store.get_meta("model") == "abc"
