"""The maintenance timer: windows start and end on time on a quiet server.

The engine's clock moves with events. A maintenance window that begins or ends while no event
arrives would otherwise take effect only at the next event: a node would not show as in
maintenance, and the incident it causes would not close, until something else happened.

The timer waits for the engine's next maintenance boundary and, once the server's clock has
passed it, moves the engine's clock to that boundary (not to now: an event that arrives a
moment later, carrying an earlier time, still counts as close to its own time as before). It
goes through the writer, in turn with the event groups, so incidents, notifications and the
live pages follow as after an event. A window added, ended or reloaded wakes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from bizmap.engine.live_engine import LiveEngine
from bizmap.live.writer import IngestWriter

log = logging.getLogger("bizmap.timers")
IDLE_CHECK_SECONDS = 1.0  # look again at least this often: the clock may jump (NTP, a suspended host)
RETRY_SECONDS = 5.0  # after a failure (the database refusing the group the timer joined)


class MaintenanceTimer:
    """Moves the engine's clock to each maintenance boundary once it has passed."""

    def __init__(
        self,
        engine: Callable[[], LiveEngine],
        writer: IngestWriter,
        clock: Callable[[], float],
    ) -> None:
        self._engine = engine  # read each time: a reload swaps the engine
        self._writer = writer
        self._clock = clock
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="bizmap-maintenance-timer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def windows_changed(self) -> None:
        """A window was added or ended, or the model reloaded: look at the next boundary again."""
        self._changed.set()

    def seconds_to_wait(self) -> float | None:
        """None when the next boundary is due now; else how long to sleep before looking again."""
        due = self._engine().next_timer()
        if due is None:
            return IDLE_CHECK_SECONDS
        late = self._clock() - due
        if late >= 0:
            return None
        return min(-late, IDLE_CHECK_SECONDS)

    async def _run(self) -> None:
        while True:
            try:
                wait = self.seconds_to_wait()
                if wait is None:
                    due = self._engine().next_timer()
                    if due is not None:
                        await self._writer.advance(due)
                        if self._engine().next_timer() == due:  # not consumed: never spin on it
                            raise RuntimeError(f"the engine's clock did not pass a boundary at {due}")
                    continue
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), wait)
            except asyncio.CancelledError:
                raise
            except Exception:  # the server goes on; the next event still moves the clock
                log.exception("the maintenance timer failed; it tries again in %.0f s", RETRY_SECONDS)
                await asyncio.sleep(RETRY_SECONDS)
