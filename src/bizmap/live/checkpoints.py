"""Start-up from a checkpoint, the events after it, and checkpoints taken while running.

At start-up the newest intact checkpoint (``bizmap.storage.checkpoints``) is resumed under the
model (``bizmap.engine.checkpoint``) and only the events stored after it are replayed; with none,
or none that can be read (the log says why), every stored event is replayed, as before
checkpoints existed. Maintenance windows added or ended through the API are replayed at their
place among the events (``added_after_seq``/``ended_after_seq``) with the engine's clock of
that moment, so a replay gives the engine that ran.

While running, the ``Checkpointer`` takes a checkpoint every ``checkpoint_seconds`` when
something changed, between two groups of events (the writer paused only while the state is
copied to bytes; the bytes are written after), and the server takes one when it stops. Each
time, the engine first forgets the history and incidents no reader needs any more
(``LiveEngine.forget_old_history``): memory and checkpoints stay bounded however long it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bizmap.domain.compile import CompiledGraph
from bizmap.engine.checkpoint import FORMAT, capture, resume
from bizmap.engine.live_engine import LiveEngine
from bizmap.errors import CheckpointUnusable
from bizmap.storage.checkpoints import CheckpointStore
from bizmap.storage.records import MaintenanceWindow
from bizmap.storage.store import Store
from bizmap.storage.unavailable import StorageUnavailable

if TYPE_CHECKING:
    from bizmap.live.runtime import Live

log = logging.getLogger("bizmap.checkpoints")
RETRY_SECONDS = 30.0  # after a checkpoint could not be written


@dataclass(frozen=True)
class Restored:
    """How the engine was brought back: from a checkpoint (its seq) or from the first event."""

    engine: LiveEngine
    from_seq: int  # the checkpoint's last event (0: every event was replayed)
    replayed: int  # events replayed after it
    seconds: float

    def describe(self) -> str:
        source = f"the checkpoint at event {self.from_seq}" if self.from_seq else "the first stored event"
        return f"resumed from {source}: {self.replayed} events replayed in {self.seconds:.2f} s"


@dataclass(frozen=True, order=True)
class _WindowOp:
    after_seq: int  # applied once the events up to this seq are
    clock: float  # the engine's clock then (-inf: none recorded)
    ending: bool  # added before ended, at the same place
    created_at: float
    window: MaintenanceWindow = field(compare=False)


def restore_engine(
    graph: CompiledGraph, store: Store, start: float, *, use_checkpoints: bool = True
) -> Restored:
    """The engine as it was when the server stopped: a checkpoint and the events after it.

    A fresh engine's history begins at ``start`` (the oldest time an event may carry) or at the
    first stored event, whichever is earlier.
    """
    began = time.perf_counter()
    engine = _from_checkpoint(graph, store) if use_checkpoints else None
    if engine is None:
        first = store.events(limit=1)
        engine = LiveEngine(graph, min([start, *(e.time for e in first)]))
    from_seq = engine.applied_seq
    replayed = catch_up(engine, store)
    return Restored(engine, from_seq, replayed, time.perf_counter() - began)


def _from_checkpoint(graph: CompiledGraph, store: Store) -> LiveEngine | None:
    for saved in CheckpointStore(store.engine).newest_first():
        if not saved.intact:
            log.warning("checkpoint %d (event %d) is damaged: not used", saved.id, saved.applied_seq)
            continue
        try:
            return resume(graph, saved.body)
        except CheckpointUnusable as unusable:
            log.warning("checkpoint %d (event %d) is not used: %s", saved.id, saved.applied_seq, unusable)
    return None


def catch_up(engine: LiveEngine, store: Store) -> int:
    """Apply the events stored after ``engine.applied_seq``, and the maintenance operations
    the engine has not seen at their place among them; how many events."""
    ops = sorted(_pending_ops(engine, store.list_maintenance(include_ended=True)))
    next_op = 0
    count = 0
    for item in store.iter_all_events(since_seq=engine.applied_seq):
        while next_op < len(ops) and ops[next_op].after_seq < item.seq:
            _apply_op(engine, ops[next_op])
            next_op += 1
        engine.apply(item.event, item.received_at)
        engine.applied_seq = item.seq
        count += 1
    for op in ops[next_op:]:
        _apply_op(engine, op)
    return count


def _pending_ops(engine: LiveEngine, windows: list[MaintenanceWindow]) -> list[_WindowOp]:
    ops = []
    for window in windows:
        if f"+{window.id}" not in engine.window_ops:
            after = window.added_after_seq if window.added_after_seq is not None else -1
            clock = window.added_at_clock if window.added_at_clock is not None else float("-inf")
            ops.append(_WindowOp(after, clock, False, window.created_at, window))
        if window.ended_after_seq is not None and f"-{window.id}" not in engine.window_ops:
            clock = window.ended_at_clock if window.ended_at_clock is not None else float("-inf")
            ops.append(_WindowOp(window.ended_after_seq, clock, True, window.created_at, window))
    return ops


def _apply_op(engine: LiveEngine, op: _WindowOp) -> None:
    window = op.window
    if not all(node in engine.graph.index for node in window.nodes):
        return  # a node no longer in the model
    engine.advance(op.clock)
    if op.ending:
        engine.end_maintenance(window.id)
    else:
        engine.add_maintenance(window.id, window.nodes, window.start, window.end)


def checkpoint_now(engine: LiveEngine, store: Store, taken_at: float) -> int:
    """Write a checkpoint of ``engine`` (quiet: not applying events); its id. For the shutdown
    and the tests; the running server uses the ``Checkpointer``."""
    engine.after_apply()
    engine.forget_old_history()
    return CheckpointStore(store.engine).save(
        taken_at=taken_at, applied_seq=engine.applied_seq, format=FORMAT, body=capture(engine)
    )


class Checkpointer:
    """Takes a checkpoint every ``interval`` seconds when the engine has moved since the last."""

    def __init__(self, server: Live, interval: float, clock: Callable[[], float]) -> None:
        self.server = server
        self.interval = interval
        self.clock = clock
        self.taken = 0
        self._last: tuple[int, int, float] | None = None  # (engine serial, seq, clock) of the last
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="bizmap-checkpoints")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _mark(self) -> tuple[int, int, float]:
        engine = self.server.engine
        return engine.serial, engine.applied_seq, engine.now

    async def take(self) -> bool:
        """A checkpoint now, unless nothing changed since the last; whether one was written."""
        server = self.server
        if self._mark() == self._last:
            return False
        async with server.writer.paused():
            desk = server.incident_desk
            if desk is not None:
                await desk.sync()  # the incidents follow the histories first
            else:
                server.engine.after_apply()
            mark, engine = self._mark(), server.engine
            # what no reader needs goes first (incidents not yet written stay)
            engine.forget_old_history(keep_incidents=desk.unsaved() if desk is not None else ())
            body = await asyncio.to_thread(capture, engine)
        await asyncio.to_thread(
            CheckpointStore(server.store.engine).save,
            taken_at=self.clock(),
            applied_seq=mark[1],
            format=FORMAT,
            body=body,
        )
        self._last = mark
        self.taken += 1
        log.debug("checkpoint at event %d (%d bytes)", mark[1], len(body))
        return True

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.take()
            except asyncio.CancelledError:
                raise
            except StorageUnavailable as refusal:
                log.warning("no checkpoint: %s; trying again in %.0f s", refusal.reason, RETRY_SECONDS)
                await asyncio.sleep(RETRY_SECONDS)
            except Exception:  # the server goes on: a restart then replays more events
                log.exception("taking a checkpoint failed; trying again in %.0f s", RETRY_SECONDS)
                await asyncio.sleep(RETRY_SECONDS)
