"""Group commit: every acknowledged event is on disk, and one commit serves many requests.

Requests put their events on a queue and wait. One writer task takes everything queued as a
group, stores it in one transaction (the insert itself tells which ids were seen before), then
applies the new events to the live engine in arrival order and answers each request with its
own counts. An answer is given only after its group's commit: what was acknowledged survives
a crash.

The writer is pipelined: as soon as one group's commit returns, the next group's commit starts
(in a thread: the disk flush releases the interpreter) while the first group is applied and
answered on the event loop. Commits stay in order, and a group is applied only after every
earlier group, so the engine sees events exactly in arrival order.

A group the database refuses for lack of room (``StorageUnavailable``: disk full) stored
nothing: every request in it gets the refusal (HTTP 503 with ``Retry-After``), none is
acknowledged, and the writer goes on with the next group. The log says so once, when the
refusals begin, and once more when a group is stored again.

A group is received at one instant: the receipt time of its last request, which is what is
stored as every event's ``received_at`` and what an event without a time takes as its time
(semantics §6). Requests that reach the writer together, milliseconds apart, are one moment
for the business view; the engine then propagates the whole group at once, instead of once per
request (in a broken estate each propagation revisits most of the graph), and the services'
histories gain one point per group, not one per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bizmap.domain.event import Event
from bizmap.engine.live_engine import LiveEngine
from bizmap.storage.store import Store
from bizmap.storage.unavailable import StorageUnavailable

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
    advance_to: float | None = None  # a timer's request: move the engine's clock to this instant


@dataclass
class _Group:
    """Requests stored in one transaction."""

    requests: list[_Request]
    routed: list[tuple[Event, float, tuple[int, ...]]]  # each event, when received, its nodes
    owners: list[int]  # the request each event came from
    commit: asyncio.Future[tuple[list[bool], int | None]]  # for each row: new; the newest seq
    started: float


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
        self._pause_requests = 0
        self.stored = 0
        self.duplicates = 0
        self.unmatched = 0
        self.last_commit_seconds = 0.0
        self.refused_requests = 0  # refused since the database last refused a group (0: it takes them)

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

    async def advance(self, at: float) -> None:
        """Move the engine's clock to ``at`` in turn with the event groups (the maintenance timer).

        The steps after each group (incidents, notifications, live updates) follow, as after events.
        """
        answer: asyncio.Future[IngestCounts] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Request((), at, answer, advance_to=at))
        await answer

    @asynccontextmanager
    async def paused(self) -> AsyncIterator[None]:
        """Hold ingestion between groups (a model reload swaps the engine in here)."""
        self._pause_requests += 1
        try:
            async with self.lock:
                yield
        finally:
            self._pause_requests -= 1

    def _take(self, first: _Request | None = None) -> list[_Request]:
        requests = [] if first is None else [first]
        while not self._queue.empty():
            requests.append(self._queue.get_nowait())
        return requests

    def _start(self, requests: list[_Request]) -> _Group:
        """Route the group's events and start storing them."""
        routed: list[tuple[Event, float, tuple[int, ...]]] = []
        owners: list[int] = []
        nodes_for = self.engine.router.nodes_for
        received_at = max(request.received_at for request in requests)  # one instant: see above
        for owner, request in enumerate(requests):
            for event in request.events:
                routed.append((event, received_at, nodes_for(event.node, event.labels)))
                owners.append(owner)
        rows = [(event, received_at, bool(nodes)) for event, _, nodes in routed]
        started = time.perf_counter()
        commit: asyncio.Future[tuple[list[bool], int | None]]
        if rows:
            commit = asyncio.ensure_future(asyncio.to_thread(self.store.append_events_numbered, rows))
        else:  # only timers: nothing to store
            commit = asyncio.get_running_loop().create_future()
            commit.set_result(([], None))
        return _Group(requests, routed, owners, commit, started)

    async def _run(self) -> None:
        while True:
            first = await self._queue.get()
            async with self.lock:  # a model reload swaps the engine only between groups
                group: _Group | None = self._start(self._take(first))
                while group is not None:
                    try:
                        fresh, newest = await group.commit
                    except StorageUnavailable as refusal:  # no room: every request of the group is told
                        self._refused(group, refusal)
                        break
                    except Exception as error:  # the server must go on; each request learns it failed
                        log.exception("storing a group of events failed")
                        for request in group.requests:
                            if not request.answer.done():
                                request.answer.set_exception(error)
                        break
                    self._stored_again()
                    self.last_commit_seconds = time.perf_counter() - group.started
                    following = None
                    if not self._queue.empty() and not self._pause_requests:
                        following = self._start(self._take())  # stored while this group is applied
                    try:
                        self._apply_and_answer(group, fresh, newest)
                    except Exception as error:  # stored, but the engine refused: say so, go on
                        log.exception("applying a group of events failed")
                        for request in group.requests:
                            if not request.answer.done():
                                request.answer.set_exception(error)
                    for hook in self.after_apply_hooks:
                        await hook()
                    group = following

    def _refused(self, group: _Group, refusal: StorageUnavailable) -> None:
        """Nothing of the group was stored: refuse every request in it, and say so in the log once."""
        if not self.refused_requests:
            log.warning(
                "%s: refusing events until %s; nothing acknowledged was lost", refusal.reason, refusal.until
            )
        self.refused_requests += len(group.requests)
        for request in group.requests:
            if not request.answer.done():
                request.answer.set_exception(refusal)

    def _stored_again(self) -> None:
        if self.refused_requests:
            log.info(
                "the database accepts writes again: ingestion goes on (%d requests were refused, "
                "each told to retry)",
                self.refused_requests,
            )
            self.refused_requests = 0

    def _apply_and_answer(self, group: _Group, fresh: list[bool], newest: int | None) -> None:
        tallies = [[0, 0, 0] for _ in group.requests]  # accepted, duplicates, unmatched
        accepted = []
        for row, owner, new in zip(group.routed, group.owners, fresh, strict=True):
            tally = tallies[owner]
            if not new:
                tally[1] += 1
                continue
            tally[0] += 1
            accepted.append(row)  # one that matched nothing still begins measurement
            if not row[2]:
                tally[2] += 1
        self.engine.apply_routed(accepted)
        if newest is not None:
            self.engine.applied_seq = max(self.engine.applied_seq, newest)
        timers = [request.advance_to for request in group.requests if request.advance_to is not None]
        if timers:
            self.engine.advance(max(timers))
        # answer first: the events are durable and applied; the hooks (incidents,
        # notifications) follow before the next group is applied
        for request, tally in zip(group.requests, tallies, strict=True):
            count = IngestCounts(*tally)
            self.stored += count.accepted
            self.duplicates += count.duplicates
            self.unmatched += count.unmatched
            if not request.answer.done():
                request.answer.set_result(count)
