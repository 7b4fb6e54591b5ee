"""Group commit: every acknowledged event is on disk, and one commit serves many requests.

Requests put their events on a queue and wait. One writer task takes everything queued,
drops retries (ids seen before), stores the rest in one transaction, then applies them to
the live engine in arrival order and answers each request with its own counts. An answer
is given only after the commit: what was acknowledged survives a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bizmap.engine import LiveEngine
from bizmap.events import Event
from bizmap.storage.store import Store

log = logging.getLogger("bizmap.ingest")


@dataclass(frozen=True)
class IngestCounts:
    accepted: int
    duplicates: int
    unmatched: int


@dataclass
class _Request:
    events: Sequence[Event]
    received_at: float
    answer: asyncio.Future[IngestCounts]


class IngestWriter:
    """The single writer of events: storage first, then the engine."""

    def __init__(self, store: Store, engine: LiveEngine) -> None:
        # Run in order after each batch is applied to the engine (the incidents area, notifications).
        self.after_apply_hooks: list[Callable[[], Awaitable[None]]] = []
        self.store = store
        self.engine = engine
        self._queue: asyncio.Queue[_Request] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.lock = asyncio.Lock()
        self.stored = 0
        self.duplicates = 0
        self.unmatched = 0
        self.last_commit_seconds = 0.0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="bizmap-ingest-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def submit(self, events: Sequence[Event], received_at: float | None = None) -> IngestCounts:
        """Store and apply ``events``; return once they are durable."""
        answer: asyncio.Future[IngestCounts] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Request(events, received_at or time.time(), answer))
        return await answer

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                async with self.lock:  # a model reload swaps the engine only between batches
                    await self._commit(batch)
            except Exception as error:  # the server must go on; each request learns it failed
                log.exception("storing a batch of events failed")
                for request in batch:
                    if not request.answer.done():
                        request.answer.set_exception(error)

    async def _commit(self, batch: list[_Request]) -> None:
        # One insert tells which events are new: retries (ids stored before, or repeated in
        # this batch) come back refused, so no read is needed first.
        rows: list[tuple[Event, float, bool]] = []
        owners: list[int] = []
        router = self.engine.router
        for owner, request in enumerate(batch):
            for event in request.events:
                rows.append((event, request.received_at, bool(router.nodes_for(event.node, event.labels))))
                owners.append(owner)
        started = time.perf_counter()
        fresh = await asyncio.to_thread(self.store.append_events_each, rows) if rows else []
        self.last_commit_seconds = time.perf_counter() - started
        tallies = [[0, 0, 0] for _ in batch]  # accepted, duplicates, unmatched
        for (event, received_at, matched), owner, new in zip(rows, owners, fresh, strict=True):
            tally = tallies[owner]
            if not new:
                tally[1] += 1
                continue
            tally[0] += 1
            if matched:
                self.engine.apply(event, received_at)
            else:
                tally[2] += 1
        counts = [IngestCounts(*tally) for tally in tallies]
        # answer first: the events are durable and applied; the hooks (incidents,
        # notifications) follow before the next batch is taken
        for request, count in zip(batch, counts, strict=True):
            self.stored += count.accepted
            self.duplicates += count.duplicates
            self.unmatched += count.unmatched
            if not request.answer.done():
                request.answer.set_result(count)
        for hook in self.after_apply_hooks:
            await hook()
