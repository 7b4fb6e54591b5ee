"""Incidents over HTTP: list, detail, acknowledge, notes (``bizmap.live.incident_desk`` keeps
them in step with the engine)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import Response

from bizmap.domain.calendar import format_time
from bizmap.domain.states import STATE_LABELS
from bizmap.engine.incidents import TrackedIncident
from bizmap.live.incident_desk import IncidentDesk
from bizmap.live.runtime import Live
from bizmap.storage.records import TimelineEntry
from bizmap.storage.store import Incident, IncidentNote, UnknownIncident
from bizmap.web.common import OperateToken, ORJSONResponse, ReadToken, live, read_body
from bizmap.web.problems import json_body, problem

NOTE = {
    "type": "object",
    "properties": {"text": {"type": "string", "pattern": r"\S", "description": "What to note."}},
    "required": ["text"],
}


def desk(request: Request) -> IncidentDesk:
    found = live(request).incident_desk
    assert found is not None, "the incident desk starts with the server"
    return found


def incident_json(record: Incident, tracked: TrackedIncident | None, server: Live) -> dict[str, Any]:
    cost, users = record.cost, record.users
    if tracked is not None:
        now = server.clock()
        cost, users = server.engine.incident_cost(tracked, now), server.engine.incident_people(tracked, now)
    return {
        "id": record.id,
        "status": "open" if record.closed_at is None else "closed",
        "opened_at": format_time(record.opened_at),
        "closed_at": None if record.closed_at is None else format_time(record.closed_at),
        "services": list(record.services),
        "root_causes": list(record.root_causes),
        "users": users,
        "currency": server.graph.currency,
        "cost": round(cost, 2),
        "acknowledged": record.acknowledged_at is not None,
        "acknowledged_at": None if record.acknowledged_at is None else format_time(record.acknowledged_at),
        "acknowledged_by": record.acknowledged_by,
        "merged_into": tracked.merged_into if tracked is not None else None,
    }


def timeline_of(record: Incident, tracked: TrackedIncident | None) -> list[TimelineEntry]:
    """The incident's status changes: the engine's, or those stored once it forgot the incident."""
    if tracked is not None:
        return [(c.time, c.service, c.state, c.planned, tuple(sorted(c.roots))) for c in tracked.timeline]
    return list(record.timeline or ())


def note_json(note: IncidentNote) -> dict[str, Any]:
    return {"id": note.id, "at": format_time(note.at), "author": note.author, "text": note.text}


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""

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
                "time": format_time(time),
                "service": service,
                "state": STATE_LABELS[state],
                "planned": planned,
                "root_causes": list(roots),
            }
            for time, service, state, planned, roots in timeline_of(record, tracked)
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

    @app.post(
        "/api/v1/incidents/{incident_id}/notes",
        status_code=201,
        summary="Add a note to an incident",
        openapi_extra=json_body(NOTE, "The note."),
    )
    async def add_note(incident_id: str, request: Request, token: OperateToken) -> Response:
        server = live(request)
        body = await read_body(request, server.settings.max_body_bytes)
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            return problem(400, f"not valid JSON: {error}", field="body")
        text = payload.get("text") if isinstance(payload, dict) else None
        if not isinstance(text, str) or not text.strip():
            return problem(422, 'a note needs a non-empty text: send {"text": "..."}', field="text")
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
