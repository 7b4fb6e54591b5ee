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
