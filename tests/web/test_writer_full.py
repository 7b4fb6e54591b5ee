"""The group commit on a full database: a group that cannot be stored is refused whole, to
every request in it; none is acknowledged, the writer goes on, and once there is room again
ingestion resumes. Whatever the order of requests, refusals and recoveries, the stored events
are exactly those of the acknowledged requests."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.engine.live_engine import LiveEngine
from bizmap.live.writer import IngestCounts, IngestWriter
from bizmap.storage.store import Store, migrate
from bizmap.storage.unavailable import StorageUnavailable
from helpers import SECTION_9_MODEL, PageLimit, graph_from_yaml, utc

T0 = utc("2026-03-09T09:00:00Z")
GRAPH = graph_from_yaml(SECTION_9_MODEL)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database, copied for each run (migrating takes longer than a run)."""
    path = tmp_path_factory.mktemp("template") / "bizmap.db"
    migrate(f"sqlite:///{path}")
    return path


def events(name: str, count: int, size: int = 600) -> list[Event]:
    return [
        Event(
            State.DOWN if k % 2 else State.OK, None, node="abc"[k % 3], id=f"{name}-{k}", summary="s" * size
        )
        for k in range(count)
    ]


def test_a_group_refused_for_room_fails_every_request_in_it_and_the_writer_recovers(
    template: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    shutil.copy(template, tmp_path / "bizmap.db")
    url = f"sqlite:///{tmp_path / 'bizmap.db'}"
    requests = [events(f"r{n}", 5, size=3_000) for n in range(3)]

    async def run() -> tuple[list[object], list[IngestCounts]]:
        with Store(url) as store:
            limit = PageLimit(store.engine)
            writer = IngestWriter(store, LiveEngine(GRAPH, T0 - 60))
            limit.full_after(0)
            pending = [asyncio.ensure_future(writer.submit(r, T0)) for r in requests]
            await asyncio.sleep(0)  # all three are queued: one group
            writer.start()
            refused = await asyncio.gather(*pending, return_exceptions=True)
            limit.lift()
            taken = [await writer.submit(r, T0 + 1) for r in requests]
            await writer.stop()
            return refused, taken

    refused, taken = asyncio.run(run())
    assert all(isinstance(answer, StorageUnavailable) for answer in refused), refused
    assert [(c.accepted, c.duplicates) for c in taken] == [(5, 0)] * 3  # nothing was stored before
    with Store(url) as store:
        assert store.count_events() == 15
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "full" in warnings[0].getMessage() and not warnings[0].exc_info


@dataclass
class Outcome:
    acknowledged: list[tuple[list[str], IngestCounts]] = field(default_factory=list)
    refused: list[list[Event]] = field(default_factory=list)  # not yet retried
    refusals: int = 0


# A run: the database has room for so many pages, then steps: requests sent together (their
# sizes and how many ms apart), the database filling up again (room for so many pages), room
# again, or the senders retrying what was refused.
REQUESTS = st.lists(st.tuples(st.integers(1, 12), st.integers(0, 3)), min_size=1, max_size=5)
ROOM = st.integers(0, 6)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("send"), REQUESTS),
        st.tuples(st.just("send"), REQUESTS),
        st.tuples(st.just("fill"), ROOM),
        st.tuples(st.just("room"), st.just(0)),
        st.tuples(st.just("retry"), st.just(0)),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(room=ROOM, steps=STEPS)
def test_the_stored_events_are_exactly_those_acknowledged(
    template: Path, room: int, steps: list[tuple[str, object]]
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        shutil.copy(template, Path(directory) / "bizmap.db")
        url = f"sqlite:///{Path(directory) / 'bizmap.db'}"
        outcome = asyncio.run(_play(url, room, steps))
        with Store(url) as store:
            stored = [e.event_id for e in store.iter_all_events()]
    acknowledged_ids = [i for ids, _ in outcome.acknowledged for i in ids]
    assert sorted(stored) == sorted(set(acknowledged_ids))
    seen: set[str] = set()
    for ids, counts in outcome.acknowledged:  # in the order answered: a retry of a refused request is new
        assert counts.accepted == len(set(ids) - seen) and counts.duplicates == len(set(ids) & seen)
        seen.update(ids)


async def _play(url: str, room: int, steps: list[tuple[str, object]]) -> Outcome:
    outcome = Outcome()
    with Store(url) as store:
        limit = PageLimit(store.engine)
        limit.full_after(room)
        writer = IngestWriter(store, LiveEngine(GRAPH, T0 - 60))
        writer.start()
        sent = 0

        async def send(batch: list[Event], delay_ms: int) -> None:
            await asyncio.sleep(delay_ms / 1000)
            try:
                counts = await writer.submit(batch, T0 + sent)
            except StorageUnavailable:
                outcome.refused.append(batch)
                outcome.refusals += 1
            else:
                outcome.acknowledged.append(([e.id or "" for e in batch], counts))

        for kind, argument in steps:
            if kind == "send":
                assert isinstance(argument, list)
                batches = [(events(f"s{sent}-{n}", size), delay) for n, (size, delay) in enumerate(argument)]
                sent += 1
                await asyncio.gather(*(send(batch, delay) for batch, delay in batches))
            elif kind == "fill":
                assert isinstance(argument, int)
                limit.full_after(argument)
            elif kind == "room":
                limit.lift()
            else:  # the senders retry what was refused
                retried, outcome.refused = outcome.refused, []
                await asyncio.gather(*(send(batch, 0) for batch in retried))
        limit.lift()
        last = await writer.submit(events("last", 1), T0 + sent)  # the writer is still there
        assert last.accepted == 1
        outcome.acknowledged.append((["last-0"], last))
        await writer.stop()
    return outcome
