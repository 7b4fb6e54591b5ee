"""The incident desk: keeps the stored incidents in step with the engine's.

The engine's ``IncidentTracker`` (``bizmap.engine.incidents``) decides what an incident is; the
desk keeps the store in step with it. After every batch of events the writer calls
``IncidentDesk.sync``, which only notes the incidents that changed; they are written at most
``SAVE_INTERVAL`` seconds later by a background task, and at once before any read of the
incidents, so readers never see the store behind the engine while ingestion never waits for a
second transaction (incidents are derived from the stored events: a crash loses nothing that
a restart does not rebuild). At start-up every incident of the rebuilt history is saved again,
keeping the acknowledgements stored before. Saves are serialized and each one takes the newest
in-memory state, so an acknowledgement is never overwritten by an older copy. Costs are live:
read from the engine when asked.

When the database is full (``StorageUnavailable``) the changed incidents wait in memory and
are written once there is room; reads go on with what is stored, and the log says so once. An
acknowledgement that cannot be written is refused (503) and not taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from bizmap.engine.incidents import TrackedIncident
from bizmap.engine.live_engine import LiveEngine
from bizmap.storage.store import Incident, UnknownIncident
from bizmap.storage.unavailable import StorageUnavailable

if TYPE_CHECKING:
    from bizmap.live.runtime import Live

log = logging.getLogger("bizmap.incidents")
SAVE_INTERVAL = 1.0  # seconds an incident change may wait before it is written


class IncidentDesk:
    """Keeps the stored incidents in step with the engine's, and takes operators' actions."""

    def __init__(self, server: Live) -> None:
        self.server = server
        self.lock = asyncio.Lock()
        self._adopted: int | None = None  # the serial of the engine adopted (not the engine: it must go)
        self._unsaved: dict[str, TrackedIncident] = {}
        self._saver: asyncio.Task[None] | None = None
        self._waiting_for_room = False  # the last write was refused for lack of room

    @property
    def engine(self) -> LiveEngine:
        return self.server.engine

    async def sync(self) -> None:
        """Note the incidents changed since the last call (the writer calls this after each batch)."""
        try:
            engine = self.engine
            if self._adopted != engine.serial and engine.carried_from == self._adopted is not None:
                self._adopted = engine.serial  # carried over from the one adopted: the same incidents
            if self._adopted != engine.serial:  # a new engine (start-up): save them all
                self._unsaved.clear()
                await self._adopt()
                return
            for incident in self.engine.after_apply():
                self._unsaved[incident.id] = incident
        except StorageUnavailable:  # said once by flush; the incidents wait for room
            pass
        except Exception:  # the events are stored already: never fail their request for this
            log.exception("following incidents failed")

    async def refresh(self) -> None:
        """Bring the store up to date before a read. Reading never moves the engine's clock:
        only events do, so that a restart, which replays the events alone, tells the same story."""
        await self.sync()
        with contextlib.suppress(StorageUnavailable):  # read what is stored; the rest waits for room
            await self.flush()

    async def flush(self) -> None:
        """Write the incidents noted since the last write."""
        if not self._unsaved:
            return
        pending = list(self._unsaved.values())
        self._unsaved.clear()
        try:
            await self.save(pending)
        except Exception as error:
            for incident in pending:  # try again with the next flush
                self._unsaved.setdefault(incident.id, incident)
            if isinstance(error, StorageUnavailable) and not self._waiting_for_room:
                self._waiting_for_room = True
                log.warning("%s: incidents are kept in memory and saved when %s", error.reason, error.until)
            raise
        if self._waiting_for_room:
            self._waiting_for_room = False
            log.info("the database accepts writes again: the incidents kept in memory are saved")

    def start(self) -> None:
        self._saver = asyncio.get_running_loop().create_task(self._save_often(), name="bizmap-incidents")

    async def stop(self) -> None:
        if self._saver is not None:
            self._saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saver
        with contextlib.suppress(StorageUnavailable):  # the next start rebuilds them from the events
            await self.flush()

    async def _save_often(self) -> None:
        while True:
            await asyncio.sleep(SAVE_INTERVAL)
            try:
                await self.flush()
            except StorageUnavailable:  # said once by flush
                pass
            except Exception:
                log.exception("saving incidents failed")

    async def _adopt(self) -> None:
        engine = self.engine
        self._adopted = engine.serial
        engine.after_apply()
        stored = {i.id: i for i in await asyncio.to_thread(self.server.store.list_incidents)}
        tracker = engine.incidents
        for incident in tracker.incidents.values():
            known = stored.get(incident.id)
            if known is not None and known.acknowledged_at is not None:
                incident.acknowledged_at = known.acknowledged_at
                incident.acknowledged_by = known.acknowledged_by
        self._unsaved.update(tracker.incidents)  # all of them, kept until written
        await self.flush()

    async def save(self, incidents: Iterable[TrackedIncident]) -> None:
        async with self.lock:  # the copy is taken inside the lock: later saves carry newer state
            records = [self.record(incident) for incident in incidents]
            await asyncio.to_thread(_save_all, self.server, records)

    def record(self, incident: TrackedIncident) -> Incident:
        engine = self.engine
        return Incident(
            id=incident.id,
            opened_at=incident.opened_at,
            closed_at=incident.closed_at,
            services=tuple(incident.services),
            root_causes=tuple(sorted(incident.root_causes)),
            acknowledged_at=incident.acknowledged_at,
            acknowledged_by=incident.acknowledged_by,
            cost=engine.incident_cost(incident, self.server.clock()),
            users=engine.incident_people(incident, self.server.clock()),
            timeline=tuple(
                (c.time, c.service, c.state, c.planned, tuple(sorted(c.roots))) for c in incident.timeline
            ),
        )

    def unsaved(self) -> set[str]:
        """The incidents changed and not written yet (the engine must not forget them)."""
        return set(self._unsaved)

    async def acknowledge(self, incident_id: str, by: str) -> Incident:
        """Acknowledge once: a second acknowledgement keeps the first."""
        now = self.server.clock()
        tracked = self.engine.incidents.get(incident_id)
        if tracked is not None:
            if tracked.acknowledged_at is None:
                self.engine.incidents.acknowledge(incident_id, now, by)
                try:
                    await self.save([tracked])
                except Exception:  # not written: not taken (a retry tries again)
                    tracked.acknowledged_at = tracked.acknowledged_by = None
                    raise
            return self.record(tracked)
        async with self.lock:  # stored only (say, from before a model change)
            stored = await asyncio.to_thread(self.server.store.get_incident, incident_id)
            if stored is None:
                raise UnknownIncident(incident_id)
            if stored.acknowledged_at is None:
                stored = replace(stored, acknowledged_at=now, acknowledged_by=by)
                await asyncio.to_thread(self.server.store.save_incident, stored)
            return stored


def _save_all(server: Live, records: list[Incident]) -> None:
    server.store.save_incidents(records)
