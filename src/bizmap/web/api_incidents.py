"""Incidents: list, detail, acknowledge, notes.

The engine's ``IncidentTracker`` (``bizmap.incidents``) decides what an incident is; this area
keeps the store in step with it. After every batch of events the writer calls
``IncidentDesk.sync``, which only notes the incidents that changed; they are written at most
``SAVE_INTERVAL`` seconds later by a background task, and at once before any read of the
incidents, so readers never see the store behind the engine while ingestion never waits for a
second transaction (incidents are derived from the stored events: a crash loses nothing that
a restart does not rebuild). At start-up every incident of the rebuilt history is saved again,
keeping the acknowledgements stored before. Saves are serialized and each one takes the newest
in-memory state, so an acknowledgement is never overwritten by an older copy. Costs are live:
read from the engine when asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import Response

from bizmap.domain.calendar import format_time
from bizmap.engine import LiveEngine
from bizmap.incidents import TrackedIncident
from bizmap.storage.store import Incident, IncidentNote, UnknownIncident
from bizmap.web.common import Live, OperateToken, ORJSONResponse, ReadToken, live, read_body

log = logging.getLogger("bizmap.incidents")
SAVE_INTERVAL = 1.0  # seconds an incident change may wait before it is written
_STATES = ("ok", "degraded", "unknown", "down")


class IncidentDesk:
    """Keeps the stored incidents in step with the engine's, and takes operators' actions."""

    def __init__(self, server: Live) -> None:
        self.server = server
        self.lock = asyncio.Lock()
        self._adopted: int | None = None  # the serial of the engine adopted (not the engine: it must go)
        self._unsaved: dict[str, TrackedIncident] = {}
        self._saver: asyncio.Task[None] | None = None

    @property
    def engine(self) -> LiveEngine:
        return self.server.engine

    async def sync(self) -> None:
        """Note the incidents changed since the last call (the writer calls this after each batch)."""
        try:
            if self._adopted != self.engine.serial:  # a new engine (start-up, model reload): save them all
                self._unsaved.clear()
                await self._adopt()
                return
            for incident in self.engine.after_apply():
                self._unsaved[incident.id] = incident
        except Exception:  # the events are stored already: never fail their request for this
            log.exception("following incidents failed")

    async def refresh(self) -> None:
        """Bring the store up to date before a read. Reading never moves the engine's clock:
        only events do, so that a restart, which replays the events alone, tells the same story."""
        await self.sync()
        await self.flush()

    async def flush(self) -> None:
        """Write the incidents noted since the last write."""
        if not self._unsaved:
            return
        pending = list(self._unsaved.values())
        self._unsaved.clear()
        try:
            await self.save(pending)
        except Exception:
            for incident in pending:  # try again with the next flush
                self._unsaved.setdefault(incident.id, incident)
            raise

    def start(self) -> None:
        self._saver = asyncio.get_running_loop().create_task(self._save_often(), name="bizmap-incidents")

    async def stop(self) -> None:
        if self._saver is not None:
            self._saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saver
        await self.flush()

    async def _save_often(self) -> None:
        while True:
            await asyncio.sleep(SAVE_INTERVAL)
            try:
                await self.flush()
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
        await self.save(tracker.incidents.values())

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
            users=incident.users(engine.incidents.users_of),
        )

    async def acknowledge(self, incident_id: str, by: str) -> Incident:
        """Acknowledge once: a second acknowledgement keeps the first."""
        now = self.server.clock()
        tracked = self.engine.incidents.get(incident_id)
        if tracked is not None:
            if tracked.acknowledged_at is None:
                self.engine.incidents.acknowledge(incident_id, now, by)
                await self.save([tracked])
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


def desk(request: Request) -> IncidentDesk:
    found: IncidentDesk = request.app.state.incident_desk
    return found


def incident_json(record: Incident, tracked: TrackedIncident | None, server: Live) -> dict[str, Any]:
    cost = record.cost
    if tracked is not None:
        cost = server.engine.incident_cost(tracked, server.clock())
    return {
        "id": record.id,
        "status": "open" if record.closed_at is None else "closed",
        "opened_at": format_time(record.opened_at),
        "closed_at": None if record.closed_at is None else format_time(record.closed_at),
        "services": list(record.services),
        "root_causes": list(record.root_causes),
        "users": record.users,
        "currency": server.graph.currency,
        "cost": round(cost, 2),
        "acknowledged": record.acknowledged_at is not None,
        "acknowledged_at": None if record.acknowledged_at is None else format_time(record.acknowledged_at),
        "acknowledged_by": record.acknowledged_by,
        "merged_into": tracked.merged_into if tracked is not None else None,
    }


def note_json(note: IncidentNote) -> dict[str, Any]:
    return {"id": note.id, "at": format_time(note.at), "author": note.author, "text": note.text}


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``, and hook the incident desk into its start-up."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            server: Live = app_.state.live
            incident_desk = IncidentDesk(server)
            app_.state.incident_desk = incident_desk
            await incident_desk.sync()
            server.writer.after_apply_hooks.append(incident_desk.sync)
            incident_desk.start()
            try:
                yield state
            finally:
                await incident_desk.stop()

    app.router.lifespan_context = lifespan

    @app.get("/api/v1/incidents", summary="Incidents, newest first; ?open=true for the open ones")
    async def list_incidents(
        request: Request,
        _: ReadToken,
        open: Annotated[bool, Query(description="Only incidents still open.")] = False,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> Response:
        server, incidents = live(request), desk(request)
        await incidents.refresh()
        records = await asyncio.to_thread(server.store.list_incidents, open, limit)
        tracker = server.engine.incidents
        return ORJSONResponse(
            {
                "at": format_time(server.clock()),
                "incidents": [incident_json(r, tracker.get(r.id), server) for r in records],
            }
        )

    @app.get(
        "/api/v1/incidents/{incident_id}", summary="One incident: services, causes, cost, timeline, notes"
    )
    async def get_incident(incident_id: str, request: Request, _: ReadToken) -> Response:
        server, incidents = live(request), desk(request)
        await incidents.refresh()
        record = await asyncio.to_thread(server.store.get_incident, incident_id)
        if record is None:
            raise HTTPException(404, f"no incident {incident_id!r}")
        tracked = server.engine.incidents.get(incident_id)
        body = incident_json(record, tracked, server)
        body["timeline"] = [
            {
                "time": format_time(change.time),
                "service": change.service,
                "state": _STATES[change.state],
                "planned": change.planned,
                "root_causes": sorted(change.roots),
            }
            for change in (tracked.timeline if tracked is not None else [])
        ]
        notes = await asyncio.to_thread(server.store.incident_notes, incident_id)
        body["notes"] = [note_json(note) for note in notes]
        return ORJSONResponse(body)

    @app.post("/api/v1/incidents/{incident_id}/ack", summary="Acknowledge an incident")
    async def acknowledge(incident_id: str, request: Request, token: OperateToken) -> Response:
        server = live(request)
        try:
            record = await desk(request).acknowledge(incident_id, token.name)
        except UnknownIncident:
            raise HTTPException(404, f"no incident {incident_id!r}") from None
        await asyncio.to_thread(
            server.store.audit, token.name, "incident.acknowledge", {"incident": incident_id}
        )
        return ORJSONResponse(incident_json(record, server.engine.incidents.get(incident_id), server))

    @app.post("/api/v1/incidents/{incident_id}/notes", status_code=201, summary="Add a note to an incident")
    async def add_note(incident_id: str, request: Request, token: OperateToken) -> Response:
        server = live(request)
        body = await read_body(request, server.settings.max_body_bytes)
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            return ORJSONResponse({"error": f"not valid JSON: {error}", "field": "body"}, status_code=400)
        text = payload.get("text") if isinstance(payload, dict) else None
        if not isinstance(text, str) or not text.strip():
            return ORJSONResponse(
                {"error": "a note needs a non-empty text", "field": "text"}, status_code=422
            )
        await desk(request).refresh()  # the incident may be newer than the last write
        try:
            note = await asyncio.to_thread(
                server.store.add_incident_note, incident_id, token.name, text, server.clock()
            )
        except UnknownIncident:
            raise HTTPException(404, f"no incident {incident_id!r}") from None
        await asyncio.to_thread(
            server.store.audit, token.name, "incident.note", {"incident": incident_id, "note": note.id}
        )
        return ORJSONResponse(note_json(note), status_code=201)
