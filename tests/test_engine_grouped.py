"""The live writer applies a group of events with ``LiveEngine.apply_routed``, which sends the
updates of one instant through one propagation. It must leave the engine exactly as applying
the events one by one does (the restart and the replay apply them one by one)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.engine.live_engine import LiveEngine
from helpers import graph_from_yaml

T0 = 1_790_000_000.0
MODEL = """\
services:
  - {id: orders, impact: {revenue_per_hour: 100}, depends_on: [app, db]}
  - {id: shop, impact: {revenue_per_hour: 50}, depends_on: [web, db]}
components:
  - id: app
    depends_on: {rule: quorum, need: 2, children: [a, b, {id: c, effect: soft}]}
  - {id: web, depends_on: {rule: any, children: [a, {id: w, effect: escalate}]}}
  - {id: a, match: [{job: node, rack: r1}]}
  - {id: b, match: [{job: node, rack: r1}, {job: node, host: b}]}
  - {id: c}
  - {id: w}
  - {id: db}
maintenance:
  - {id: mw, nodes: [db], start: 1790000030, end: 1790000070}
"""
GRAPH = graph_from_yaml(MODEL)

event_strategy = st.tuples(
    st.sampled_from(["a", "b", "c", "w", "db", "app", "orders", "rack", "host-b"]),
    st.sampled_from(list(State)),
    st.sampled_from(["default", "disk"]),
    st.one_of(st.none(), st.sampled_from([T0 - 50, T0, T0 + 10, T0 + 10, T0 + 40, T0 + 80])),
    st.integers(min_value=0, max_value=2),  # seconds the receipt moves on before this event
)


def event(target: str, state: State, key: str, time: float | None) -> Event:
    if target == "rack":
        return Event(state=state, time=time, labels={"job": "node", "rack": "r1"}, key=key)
    if target == "host-b":
        return Event(state=state, time=time, labels={"job": "node", "host": "b"}, key=key)
    return Event(state=state, time=time, node=target, key=key)


@settings(max_examples=300, deadline=None)
@given(st.lists(event_strategy, max_size=40), st.lists(st.integers(min_value=1, max_value=8), max_size=40))
def test_a_group_applied_at_once_leaves_the_engine_as_one_by_one(
    steps: list[tuple[str, State, str, float | None, int]], sizes: list[int]
) -> None:
    one_by_one, grouped = LiveEngine(GRAPH, T0 - 100), LiveEngine(GRAPH, T0 - 100)
    received = T0
    items = []
    for target, state, key, time, wait in steps:
        received += wait
        items.append((event(target, state, key, time), received))
    for item in items:
        one_by_one.apply(*item)
    position = 0
    for size in [*sizes, len(items)]:  # groups of the sizes drawn, then the rest
        chunk = items[position : position + size]
        grouped.apply_routed((e, at, grouped.router.nodes_for(e.node, e.labels)) for e, at in chunk)
        position += size
    assert grouped.timeline.history == one_by_one.timeline.history
    assert grouped.timeline.propagation.state == one_by_one.timeline.propagation.state
    assert grouped.timeline.propagation.own == one_by_one.timeline.propagation.own
    assert grouped.now == one_by_one.now
    assert grouped.after_apply() == one_by_one.after_apply()  # the same incidents
