"""Checkpoints (``bizmap.engine.checkpoint``): an engine saved and resumed, then fed the rest of
the events, must be exactly the engine that took every event without stopping: the same
histories, signals, clock, incidents and figures (what a restart from a checkpoint relies on).
A damaged checkpoint is refused, never half read; under a changed model the histories so far
stay and the new model applies from the checkpoint's clock."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmap.domain.event import Event
from bizmap.domain.propagate import OK
from bizmap.domain.states import State
from bizmap.engine.checkpoint import capture, resume
from bizmap.engine.live_engine import LiveEngine
from bizmap.errors import CheckpointUnusable
from helpers import graph_from_yaml

T0 = 1_790_000_000.0  # Mon 2026-09-21 14:13:20 UTC: in the office hours of the calendar below
MODEL = """\
calendars:
  office: {timezone: Europe/London, hours: {mon-fri: "08:00-18:00"}}
services:
  - id: orders
    impact: {revenue_per_hour: 100, users: 40}
    workaround: {impact_factor: 0.5, max_hours: 0.01}
    sla: {target: 99.5, period: month}
    depends_on: [app, db]
  - {id: shop, impact: {revenue_per_hour: 50, users: 10}, calendar: office, depends_on: [web, db]}
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
START = T0 - 100

step_strategy = st.one_of(
    st.tuples(
        st.just("event"),
        st.sampled_from(["a", "b", "c", "w", "db", "app", "orders", "rack", "host-b", "nowhere"]),
        st.sampled_from(list(State)),
        st.sampled_from(["default", "disk"]),
        st.one_of(st.none(), st.sampled_from([T0 - 50, T0, T0 + 10, T0 + 40, T0 + 80, T0 + 400])),
        st.integers(min_value=0, max_value=30),  # seconds the receipt moves on before this event
    ),
    st.tuples(
        st.just("window"), st.sampled_from(["a", "db", "web"]), st.integers(-20, 60), st.integers(1, 90)
    ),
    st.tuples(st.just("end-window")),
    st.tuples(st.just("checkpoint")),
    st.tuples(st.just("advance"), st.integers(0, 120)),
)


def event(target: str, state: State, key: str, time: float | None) -> Event:
    if target == "rack":
        return Event(state=state, time=time, labels={"job": "node", "rack": "r1"}, key=key)
    if target == "host-b":
        return Event(state=state, time=time, labels={"job": "node", "host": "b"}, key=key)
    return Event(state=state, time=time, node=target, key=key)


def drive(engine: LiveEngine, steps: list[tuple], *, checkpoints: bool) -> LiveEngine:
    """Feed ``steps`` to ``engine`` as the server does (the incidents follow after each step);
    with ``checkpoints``, the engine is captured and resumed at every checkpoint step."""
    received = T0
    windows = 0
    for step in steps:
        kind = step[0]
        if kind == "event":
            _, target, state, key, time, wait = step
            received += wait
            e = event(target, state, key, time)
            engine.apply_routed([(e, received, engine.router.nodes_for(e.node, e.labels))])
            engine.applied_seq += 1
        elif kind == "window":
            _, node, offset, length = step
            windows += 1
            begin = engine.now + offset
            engine.add_maintenance(f"w{windows}", [node], begin, begin + length)
        elif kind == "end-window":
            if windows:
                engine.end_maintenance(f"w{windows}")
        elif kind == "advance":
            engine.advance(engine.now + step[1])
        elif kind == "checkpoint" and checkpoints:
            engine.after_apply()
            engine = resume(GRAPH, capture(engine))
        engine.after_apply()
    return engine


def assert_same_engine(resumed: LiveEngine, straight: LiveEngine) -> None:
    assert resumed.timeline.history == straight.timeline.history
    assert resumed.timeline.signals == straight.timeline.signals
    assert resumed.timeline.propagation.own == straight.timeline.propagation.own
    assert resumed.timeline.propagation.state == straight.timeline.propagation.state
    assert [resumed.timeline.maintenance_depth(n) for n in range(len(GRAPH))] == [
        straight.timeline.maintenance_depth(n) for n in range(len(GRAPH))
    ]
    assert resumed.next_timer() == straight.next_timer()
    assert resumed.now == straight.now
    assert resumed.measurement_start == straight.measurement_start
    assert resumed.last_times == straight.last_times
    assert resumed.applied_seq == straight.applied_seq
    assert resumed.window_ops == straight.window_ops
    assert resumed.running_windows() == straight.running_windows()
    assert resumed.incidents.all() == straight.incidents.all()
    assert [i.id for i in resumed.incidents.open_incidents()] == [
        i.id for i in straight.incidents.open_incidents()
    ]
    for at in (straight.now, straight.now + 3600):
        assert resumed.services_now(at) == straight.services_now(at)
        for incident in straight.incidents.all():
            assert resumed.incident_cost(resumed.incidents.incidents[incident.id], at) == pytest.approx(
                straight.incident_cost(incident, at), abs=1e-9
            )
            assert resumed.incident_people(resumed.incidents.incidents[incident.id], at) == (
                straight.incident_people(incident, at)
            )


@settings(max_examples=200, deadline=None)
@given(st.lists(step_strategy, max_size=45))
def test_checkpoint_and_tail_equal_the_engine_that_never_stopped(steps: list[tuple]) -> None:
    straight = drive(LiveEngine(GRAPH, START), steps, checkpoints=False)
    resumed = drive(LiveEngine(GRAPH, START), steps, checkpoints=True)
    assert_same_engine(resumed, straight)


def test_a_worked_stream_resumed_in_the_middle_of_an_incident_and_a_window() -> None:
    steps: list[tuple] = [
        ("event", "db", State.DOWN, "default", T0, 0),  # orders and shop down: one incident
        ("window", "a", 5, 100),  # a window on a, counting from T0 + 5
        ("event", "a", State.DOWN, "default", T0 + 10, 10),
        ("checkpoint",),
        ("event", "w", State.DEGRADED, "default", T0 + 40, 30),
        ("end-window",),
        ("event", "db", State.OK, "default", T0 + 80, 40),
    ]
    straight = drive(LiveEngine(GRAPH, START), steps, checkpoints=False)
    resumed = drive(LiveEngine(GRAPH, START), steps, checkpoints=True)
    assert_same_engine(resumed, straight)
    incidents = resumed.incidents.all()
    assert [i.id for i in incidents][-1].startswith("INC-")
    assert resumed.incidents.open_incidents()  # a (no longer planned) keeps web and shop down


def test_a_damaged_checkpoint_is_refused_whole() -> None:
    engine = drive(
        LiveEngine(GRAPH, START), [("event", "db", State.DOWN, "default", T0, 0)], checkpoints=False
    )
    body = capture(engine)
    for damaged in (body[: len(body) // 2], b"", b"\x00" * 40, body[:-1] + b"\xc1"):
        with pytest.raises(CheckpointUnusable):
            resume(GRAPH, damaged)


def test_a_checkpoint_of_another_format_is_refused() -> None:
    import msgspec

    engine = LiveEngine(GRAPH, START)
    saved = msgspec.msgpack.decode(capture(engine))
    saved["format"] = 999
    with pytest.raises(CheckpointUnusable, match="format 999"):
        resume(GRAPH, msgspec.msgpack.encode(saved))


def test_under_a_changed_model_history_stays_and_the_new_model_applies_from_the_checkpoint() -> None:
    engine = drive(
        LiveEngine(GRAPH, START),
        [("event", "c", State.DOWN, "default", T0, 0), ("event", "w", State.DOWN, "default", T0 + 20, 20)],
        checkpoints=False,
    )
    engine.advance(T0 + 50)
    assert engine.timeline.status(GRAPH.index["orders"])[0] == OK  # w is not under orders
    # the new model: orders depends on w too; c is gone (its signal with it)
    changed = graph_from_yaml(
        MODEL.replace("depends_on: [app, db]", "depends_on: [app, db, w]")
        .replace("[a, b, {id: c, effect: soft}]", "[a, b]")
        .replace("  - {id: c}\n", "")
    )
    before = [(p.time, p.state) for p in engine.timeline.history[GRAPH.index["orders"]]]
    resumed = resume(changed, capture(engine))
    orders = changed.index["orders"]
    # what was recorded stays; the new model's answer counts from the checkpoint's clock
    assert [(p.time, p.state) for p in resumed.timeline.history[orders]] == [*before, (T0 + 50, State.DOWN)]
    assert resumed.timeline.status(orders) == (State.DOWN, False, frozenset({changed.index["w"]}))
    assert resumed.timeline.signals == {changed.index["w"]: {"default": State.DOWN}}
    assert resumed.now == T0 + 50
    # the incidents follow: orders opens one at the checkpoint's clock
    (incident,) = resumed.after_apply()
    assert (incident.id, incident.services, incident.opened_at) == (
        "INC-20260921T141410Z-orders",
        ["orders"],
        T0 + 50,
    )


def test_events_that_matched_nothing_become_signals_under_a_model_that_matches_them() -> None:
    engine = LiveEngine(GRAPH, START)
    for e, at in (
        (Event(state=State.DOWN, time=T0, node="billing-db"), T0),
        (Event(state=State.DEGRADED, time=T0 + 5, labels={"job": "pay"}, key="latency"), T0 + 5),
        (Event(state=State.OK, time=T0 + 9, labels={"job": "pay"}, key="latency"), T0 + 9),  # recovered
        (Event(state=State.DOWN, time=T0 + 7, labels={"job": "pay"}, key="latency"), T0 + 10),  # older
        (Event(state=State.DOWN, time=T0 + 10, node="nowhere"), T0 + 10),
    ):
        engine.apply_routed([(e, at, engine.router.nodes_for(e.node, e.labels))])
    assert engine.timeline.signals == {}
    changed = graph_from_yaml(
        MODEL.replace("depends_on: [app, db]", "depends_on: [app, db, billing-db, pay]").replace(
            "maintenance:", "  - {id: billing-db}\n  - {id: pay, match: [{job: pay}]}\nmaintenance:"
        )
    )
    resumed = resume(changed, capture(engine))
    # billing-db is down from the checkpoint's clock; pay's newest event said ok: no signal
    assert resumed.timeline.signals == {changed.index["billing-db"]: {"default": State.DOWN}}
    assert resumed.timeline.status(changed.index["orders"])[0] == State.DOWN
    assert resumed.last_times[(changed.index["pay"], "latency")] == T0 + 9
    assert list(resumed.unmatched) == [("nowhere", (), "default")]  # still matching nothing


SAME_NODES = graph_from_yaml(MODEL.replace("[a, b, {id: c, effect: soft}]", "[a, b, c]"))  # c now hard


@settings(max_examples=100, deadline=None)
@given(st.lists(step_strategy, max_size=40))
def test_a_reload_with_the_same_nodes_hands_over_what_a_checkpoint_would(steps: list[tuple]) -> None:
    """``carried_over`` skips the bytes when only rules changed: the same engine as resuming a
    checkpoint under the new model."""
    from bizmap.engine.checkpoint import carried_over

    engine = drive(LiveEngine(GRAPH, START), steps, checkpoints=False)
    engine.after_apply()
    through_bytes = resume(SAME_NODES, capture(engine))
    handed = carried_over(engine, SAME_NODES)
    for resumed in (through_bytes, handed):
        resumed.after_apply()
    assert handed.timeline.history == through_bytes.timeline.history
    assert handed.timeline.signals == through_bytes.timeline.signals
    assert handed.timeline.propagation.state == through_bytes.timeline.propagation.state
    assert handed.last_times == through_bytes.last_times
    assert handed.running_windows() == through_bytes.running_windows()
    assert handed.incidents.all() == through_bytes.incidents.all()
    assert handed.services_now(handed.now + 60) == through_bytes.services_now(handed.now + 60)
