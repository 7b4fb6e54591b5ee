"""The group commit's one instant: requests stored together share their receipt time.

Events without a time take the receipt time (semantics §6). The writer stamps a group with the
receipt time of its last request, stores that, and applies the group in one propagation; the
state is then exactly what a replay of the stored events gives.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.engine.live_engine import LiveEngine
from bizmap.live.writer import IngestWriter
from bizmap.storage.store import Store, migrate
from helpers import SECTION_9_MODEL, graph_from_yaml, utc

T0 = utc("2026-03-09T09:00:00Z")  # a Monday, in office hours


def test_requests_taken_together_share_the_last_receipt_time(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bizmap.db'}"
    migrate(url)
    graph = graph_from_yaml(SECTION_9_MODEL)
    requests = [  # three requests, received 1 ms apart, queued before the writer runs
        ([Event(State.DOWN, None, node="a", id="r1")], T0),
        (
            [Event(State.DOWN, None, node="app", id="r2"), Event(State.OK, None, node="a", id="r3")],
            T0 + 0.001,
        ),
        ([Event(State.OK, None, node="app", id="r4")], T0 + 0.002),
    ]

    async def run() -> tuple[list[tuple[int, int, int]], LiveEngine]:
        with Store(url) as store:
            engine = LiveEngine(graph, T0 - 60)
            writer = IngestWriter(store, engine)
            pending = [asyncio.ensure_future(writer.submit(events, at)) for events, at in requests]
            await asyncio.sleep(0)  # all three are queued
            writer.start()
            counts = await asyncio.gather(*pending)
            await writer.stop()
            return [(c.accepted, c.duplicates, c.unmatched) for c in counts], engine

    counts, engine = asyncio.run(run())
    assert counts == [(1, 0, 0), (2, 0, 0), (1, 0, 0)]
    with Store(url) as store:
        stored = store.events()
    assert [(s.event_id, s.received_at, s.time) for s in stored] == [
        (name, T0 + 0.002, T0 + 0.002) for name in ("r1", "r2", "r3", "r4")
    ]
    # one instant: orders went down and came back within it, so its history has no point there
    orders = graph.index["orders"]
    assert [(p.time, p.state) for p in engine.timeline.history[orders]] == [(T0 - 60, 0)]
    replayed = LiveEngine(graph, T0 - 60)
    for item in stored:
        replayed.apply(item.event, item.received_at)
    assert replayed.timeline.history == engine.timeline.history
