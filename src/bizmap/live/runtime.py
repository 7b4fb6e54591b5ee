"""The running server, apart from HTTP: start-up, model reload, and the steps after each batch.

Start-up migrates the database, loads the model, resumes the newest checkpoint and replays the
events stored after it (every stored event when there is none: ``bizmap.live.checkpoints``), so
the live state after a restart equals a replay of what was acknowledged. ``running``
then starts the writer (``bizmap.live.writer``) and the steps it runs after each stored batch,
in this order (incidents first: the others read them):

1. ``IncidentDesk.sync``: the incidents brought up to date (``bizmap.live.incident_desk``);
2. ``BurnAlerts.after_batch``: error-budget burn-rate alerts (``bizmap.live.burn_alerts``);
3. live updates for the web UI, given by the web shell (``bizmap.web.live_updates``);
4. ``Notifier.after_batch``: webhooks and e-mail, with ``--notify`` (``bizmap.live.notifications``).

They stop in the reverse order, then the writer, then the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from bizmap.domain.compile import CompiledGraph
from bizmap.domain.validate import ModelInvalid
from bizmap.engine.checkpoint import carried_over
from bizmap.engine.live_engine import LiveEngine
from bizmap.live.burn_alerts import BurnAlerts
from bizmap.live.checkpoints import Checkpointer, checkpoint_now, restore_engine
from bizmap.live.heap import settle_heap
from bizmap.live.incident_desk import IncidentDesk
from bizmap.live.notifications import Notifier, start_notifier
from bizmap.live.timers import MaintenanceTimer
from bizmap.live.writer import IngestWriter
from bizmap.model.loading import load_graph
from bizmap.settings import Settings
from bizmap.storage.store import Store, TokenInfo, migrate

AfterBatch = Callable[[], Awaitable[None]]
log = logging.getLogger("bizmap.server")


class LiveUpdatesStep(Protocol):
    """What the web shell plugs in as the third step: a snapshot after each batch, closed at the end."""

    async def after_batch(self) -> None: ...

    def close(self) -> None: ...


@dataclass
class Live:
    """What the running server holds."""

    settings: Settings
    store: Store
    graph: CompiledGraph
    engine: LiveEngine
    writer: IngestWriter
    clock: Callable[[], float]
    token_cache: dict[str, tuple[float, TokenInfo | None]]
    reload_problems: list[str] = field(default_factory=list)  # of the last refused reload
    settle_heap: Callable[[bool], None] = lambda collect: None  # after a model is loaded (bizmap.live.heap)
    incident_desk: IncidentDesk | None = None
    burn_alerts: BurnAlerts | None = None
    notifier: Notifier | None = None  # with --notify
    maintenance_timer: MaintenanceTimer | None = None
    checkpointer: Checkpointer | None = None
    restored: str = ""  # how the engine was brought back at start-up (for the log and the tests)

    def windows_changed(self) -> None:
        """A maintenance window was added or ended, or the model reloaded: the timer looks again."""
        if self.maintenance_timer is not None:
            self.maintenance_timer.windows_changed()


async def reload_model(server: Live, actor: str) -> list[str]:
    """Load the model again; on success carry the engine on under it (semantics §11).

    The new model is loaded and checked while events are still taken; then, between two groups of
    events, the engine's state is carried over to it: the histories recorded so far stay, the
    current signals go through the new model, which applies from the engine's clock on.
    Returns the problems of an invalid model (which is refused: the old one stays in force).
    """
    try:
        graph = await load_graph_apart(server.settings.model)
    except ModelInvalid as invalid:
        server.reload_problems = [str(p) for p in invalid.problems]
        await asyncio.to_thread(
            server.store.audit, actor, "model.reload.refused", {"problems": server.reload_problems}
        )
        return server.reload_problems
    async with server.writer.paused():
        if server.incident_desk is not None:
            await server.incident_desk.sync()  # the incidents follow the histories first
        engine = await asyncio.to_thread(carried_over, server.engine, graph)
        server.graph, server.engine, server.writer.engine = graph, engine, engine
        server.settle_heap(False)  # the new model's objects are frozen (no full collection: no pause)
    server.reload_problems = []
    server.windows_changed()
    await asyncio.to_thread(server.store.audit, actor, "model.reload", {"nodes": len(graph)})
    return []


async def load_graph_apart(path: str) -> CompiledGraph:
    """``load_graph`` in a process of its own, while this one goes on taking events.

    In a thread of this process, loading and checking a large model would hold the interpreter
    lock for most of a second at a time, and every request would wait its turn (measured: an
    event answered in 0.5 s while a 10,000-node model loaded). The graph comes back pickled
    (0.1 s for 10,000 nodes); errors (``ModelInvalid``) come back as they were raised.
    """
    loop = asyncio.get_running_loop()
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return await loop.run_in_executor(pool, load_graph, path)
    finally:
        pool.shutdown(wait=False)


async def start(settings: Settings, clock: Callable[[], float]) -> Live:
    """Migrate, load the model, bring the engine back (the newest checkpoint and the events after it).

    (A function of its own: a reload must leave no reference to the first engine in a frame.)
    """
    await asyncio.to_thread(migrate, settings.db)
    store = Store(settings.db)
    graph = await asyncio.to_thread(load_graph, settings.model)
    earliest = clock() - settings.max_event_age_seconds
    restored = await asyncio.to_thread(restore_engine, graph, store, earliest)
    log.info("%s", restored.describe())
    engine = restored.engine
    server = Live(settings, store, graph, engine, IngestWriter(store, engine), clock, {})
    server.restored = restored.describe()
    return server


@asynccontextmanager
async def running(
    settings: Settings,
    clock: Callable[[], float] = time.time,
    *,
    manage_heap: bool = False,
    live_updates: Callable[[Live], LiveUpdatesStep] | None = None,
) -> AsyncIterator[Live]:
    """The server from start-up to shutdown: the writer and the after-batch steps, in order.

    ``manage_heap``, for a process that runs this server alone, tunes the garbage collector for
    it (``bizmap.live.heap``). SIGHUP reloads the model (where signals can be handled).
    """
    server = await start(settings, clock)
    if manage_heap:
        server.settle_heap = settle_heap
        settle_heap()
    server.writer.start()
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(_stop, server)  # last: the writer, then the store

        timer = server.maintenance_timer = MaintenanceTimer(lambda: server.engine, server.writer, clock)
        timer.start()
        stack.push_async_callback(timer.stop)

        desk = server.incident_desk = IncidentDesk(server)
        await desk.sync()
        desk.start()
        stack.push_async_callback(desk.stop)

        checkpointer = server.checkpointer = Checkpointer(server, settings.checkpoint_seconds, clock)
        checkpointer.start()
        stack.push_async_callback(checkpointer.stop)

        alerts = server.burn_alerts = BurnAlerts(server)
        alerts.start()
        stack.push_async_callback(alerts.stop)

        updates = live_updates(server) if live_updates is not None else None
        if updates is not None:
            stack.callback(updates.close)

        notifier = server.notifier = await start_notifier(server)
        if notifier is not None:
            stack.push_async_callback(notifier.stop)

        steps: list[AfterBatch | None] = [
            desk.sync,
            alerts.after_batch,
            updates.after_batch if updates is not None else None,
            notifier.after_batch if notifier is not None else None,
        ]
        server.writer.after_apply_hooks.extend(step for step in steps if step is not None)

        with contextlib.suppress(RuntimeError, ValueError, NotImplementedError):  # main thread only
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: asyncio.ensure_future(reload_model(server, "SIGHUP"))
            )
        yield server


async def _stop(server: Live) -> None:
    await server.writer.stop()
    try:  # the next start replays only what comes after this
        await asyncio.to_thread(checkpoint_now, server.engine, server.store, server.clock())
    except Exception:
        log.exception("no checkpoint at shutdown: the next start replays more events")
    server.store.close()
