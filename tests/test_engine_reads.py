"""Reading the live engine at the instant of its last event sees that event."""

from __future__ import annotations

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.engine.live_engine import LiveEngine
from helpers import SECTION_9_MODEL, graph_from_yaml, utc


def test_a_read_at_the_time_of_the_last_event_sees_it() -> None:
    graph = graph_from_yaml(SECTION_9_MODEL)
    engine = LiveEngine(graph, utc("2026-03-09T00:00:00Z"))
    at = utc("2026-03-09T09:00:00Z")
    engine.apply(Event(state=State.DOWN, time=at, node="app"), at)
    orders = engine.service_now(graph.services[0], at)
    assert orders.state == State.DOWN and orders.root_causes == ("app",)
    later = engine.service_now(graph.services[0], at + 60)
    assert later.state == State.DOWN


def test_measurement_begins_with_the_first_event_matched_or_not() -> None:
    graph = graph_from_yaml(SECTION_9_MODEL)
    start = utc("2026-03-02T09:00:00Z")  # the oldest an event may be: history, not knowledge
    at = utc("2026-03-09T09:00:00Z")
    engine = LiveEngine(graph, start)
    assert engine.measurement_start is None and engine.known_from == float("inf")
    engine.apply(Event(state=State.DOWN, time=at - 3600, node="nobody"), at)
    engine.apply(Event(state=State.DOWN, time=at - 7200, node="app"), at)  # late: changes only now
    assert engine.measurement_start == at - 3600
    grouped = LiveEngine(graph, start)
    grouped.apply_routed([(Event(state=State.DOWN, time=None, node="nobody"), at, ())])  # at receipt
    assert grouped.measurement_start == at


def test_the_sla_so_far_is_measured_from_the_first_event_and_partial() -> None:
    graph = graph_from_yaml(SECTION_9_MODEL)
    at = utc("2026-03-09T09:00:00Z")
    engine = LiveEngine(graph, utc("2026-03-02T09:00:00Z"))
    before = engine.service_now(graph.services[0], at)
    # no event yet: nothing measured (not a month "100 % met" from the history's start)
    assert before.measurement_start is None and before.sla is not None
    assert before.sla.measured_seconds == 0 and not before.sla_partial
    engine.apply(Event(state=State.DOWN, time=at - 3600, node="app"), at)
    orders = engine.service_now(graph.services[0], at)
    assert orders.sla_partial  # March began on the 1st; measurement at 08:00Z on the 9th
    assert orders.sla is not None and orders.sla.period_start == at - 3600
    assert (orders.sla.measured_seconds, orders.sla.down_seconds) == (3600, 3600)
