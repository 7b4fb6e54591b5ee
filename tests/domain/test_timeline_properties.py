"""The timeline's fast single-update path records exactly what the general path records.

Replay sends most events through ``Timeline.apply_one``; the live engine may batch them
through ``Timeline.apply``. Both must give every business service the same history of
states, planned status and root causes, and that history must match the status computed
from scratch after each step.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from test_propagate_properties import PROPERTY_SETTINGS, RandomModel, random_models

from bizmap.domain.timeline import Timeline
from helpers import graph_from_data

KEYS = ("default", "disk", "cpu")


@PROPERTY_SETTINGS
@given(
    model=random_models(max_nodes=25),
    steps=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(KEYS), st.integers(0, 3)), max_size=40),
)
def test_apply_one_records_the_same_history_as_apply(
    model: RandomModel, steps: list[tuple[int, str, int]]
) -> None:
    graph = graph_from_data(model.data)
    fast, general = Timeline(graph, 0.0), Timeline(graph, 0.0)
    for time, (pick, key, state) in enumerate(steps, start=1):
        node = pick % len(graph)
        fast.apply_one(float(time), node, key, state)
        general.apply(float(time), [(node, key, state)])
        assert fast.propagation.state == general.propagation.state
        for service in graph.services:
            last = fast.history[service.index][-1]
            assert (last.state, last.planned, last.roots) == fast.status(service.index)
    assert fast.history == general.history


@PROPERTY_SETTINGS
@given(
    model=random_models(max_nodes=15),
    steps=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(KEYS), st.integers(0, 3)), max_size=30),
    since=st.integers(0, 35),
)
def test_segments_since_are_the_tail_of_the_whole_history(
    model: RandomModel, steps: list[tuple[int, str, int]], since: int
) -> None:
    # Bounded reads give the same segments as the whole history from the last ok point
    # before `since` on: the episode open at `since` is whole.
    graph = graph_from_data(model.data)
    timeline = Timeline(graph, 0.0)
    for time, (pick, key, state) in enumerate(steps, start=1):
        timeline.apply_one(float(time), pick % len(graph), key, state)
    end = float(len(steps) + 2)
    for service in graph.services:
        whole = timeline.segments(service.index, end)
        tail = timeline.segments(service.index, end, since=float(since))
        assert tail == whole[len(whole) - len(tail) :]
        covering = [s for s in whole if s.start <= since < s.end]
        if covering:
            first_ok_before = max(
                (i for i, s in enumerate(whole) if s.start <= covering[0].start and s.state == 0), default=0
            )
            assert len(tail) >= len(whole) - first_ok_before


def test_points_and_segments_are_values() -> None:
    """Histories are compared (live against replay, one-by-one against grouped): points and
    segments compare, hash and print by their fields, as the dataclasses they replaced did."""
    from bizmap.domain.timeline import Segment, ServicePoint

    point = ServicePoint(1.0, 3, False, frozenset({2}))
    assert point == ServicePoint(1.0, 3, False, frozenset({2}))
    assert hash(point) == hash(ServicePoint(1.0, 3, False, frozenset({2})))
    for other in (
        ServicePoint(2.0, 3, False, frozenset({2})),
        ServicePoint(1.0, 1, False, frozenset({2})),
        ServicePoint(1.0, 3, True, frozenset({2})),
        ServicePoint(1.0, 3, False, frozenset()),
    ):
        assert point != other
    assert point != (1.0, 3, False, frozenset({2}))
    assert repr(point) == "ServicePoint(time=1.0, state=3, planned=False, roots=frozenset({2}))"
    segment = Segment(0.0, 1.0, 3, True, frozenset())
    assert segment == Segment(0.0, 1.0, 3, True, frozenset())
    assert segment != Segment(0.0, 2.0, 3, True, frozenset())
    assert len({segment, Segment(0.0, 1.0, 3, True, frozenset())}) == 1
    assert repr(segment) == "Segment(start=0.0, end=1.0, state=3, planned=True, roots=frozenset())"
