"""``simulator.play``: a stretch of the demo's simulated time computed at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.engine.live_engine import LiveEngine
from bizmap.live.simulator import Simulator, play
from bizmap.model.loading import load_graph

HOSPITAL = Path(__file__).resolve().parents[1] / "examples" / "hospital"
START = 1_793_000_000.0  # 2026-10-26T08:53:20Z


def test_play_gives_the_batches_the_running_demo_would_submit() -> None:
    graph = load_graph(HOSPITAL)
    batches = play(graph, seed=3, start=START, seconds=600)
    # run_simulator steps at each pace (1 s) from the start: 601 instants, START .. START + 600,
    # and on stopping reports what is still failed as recovered.
    simulator = Simulator(graph, 3, START)
    expected: list[tuple[float, list[Event]]] = []
    for second in range(601):
        events = simulator.step(START + second)
        if events:
            expected.append((START + second, events))
    final = simulator.recover_all(START + 600)
    if final:
        expected.append((START + 600, final))
    assert batches == expected
    assert play(graph, seed=3, start=START, seconds=600) == batches  # deterministic
    times = [at for at, _ in batches]
    assert times == sorted(times) and times[0] >= START and times[-1] <= START + 600
    assert all(event.time == at for at, events in batches for event in events)
    # Ten minutes of the demo: business services break, and all are ok again at the end.
    engine = LiveEngine(graph, START)
    broken = set()
    for at, events in batches:
        for event in events:
            engine.apply(event, at)
        broken |= {s.id for s in engine.services_now(at + 0.5) if s.state != State.OK}
    assert broken
    assert all(s.state == State.OK for s in engine.services_now(START + 601))


def test_play_refuses_a_stretch_of_no_time() -> None:
    graph = load_graph(HOSPITAL)
    with pytest.raises(ValueError, match="more than 0"):
        play(graph, seed=1, start=START, seconds=0)
