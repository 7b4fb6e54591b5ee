"""The incident pages: the list, and one page per incident (timeline, services, people, root
causes, cost so far) where operators acknowledge it and add notes.

They use the incidents API's own pieces (``IncidentDesk``, ``incident_json``), so a page
and ``GET /api/v1/incidents/{id}`` always tell the same story; the forms carry the CSRF
token and need the operate role, and every action is audited like its API twin.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response

from bizmap.domain.states import STATE_LABELS
from bizmap.storage.store import UnknownIncident
from bizmap.web.api.incidents import desk, incident_json, note_json, timeline_of
from bizmap.web.common import live
from bizmap.web.sessions import CsrfChecked, OperateViewer, ReadViewer
from bizmap.web.ui.render import redirect, render
from bizmap.web.ui.text_filter import LONGEST, filter_words, kept

NOTE_LIMIT = 10_000  # characters
OLD_ID = re.compile(r"^(INC-\d{8}T\d{6})\.\d+(Z-.+)$")  # INC-20261203T083302.470675Z-shop


def register(app: FastAPI) -> None:
    """Add this area's pages to ``app``."""

    @app.get("/ui/incidents", include_in_schema=False)
    async def incident_list(
        request: Request, viewer: ReadViewer, open: bool = False, q: str = ""
    ) -> Response:
        server = live(request)
        await desk(request).refresh()
        records = await asyncio.to_thread(server.store.list_incidents, open, 200)
        tracker = server.engine.incidents
        names = _names(request)
        words = filter_words(q)
        rows = [
            row
            for row in (incident_json(r, tracker.get(r.id), server) for r in records)
            if kept(words, _searchable(row, names))
        ]
        return render(
            request,
            "incidents.html",
            viewer,
            title="Incidents",
            active="incidents",
            incidents=rows,
            only_open=open,
            query=q.strip()[:LONGEST],
            names=names,
        )

    @app.get("/ui/incidents/{incident_id}", include_in_schema=False)
    async def incident_page(incident_id: str, request: Request, viewer: ReadViewer) -> Response:
        server = live(request)
        await desk(request).refresh()
        record = await asyncio.to_thread(server.store.get_incident, incident_id)
        if record is None:
            renamed = OLD_ID.sub(r"\1\2", incident_id)  # ids had fractions of a second before migration 0004
            if (
                renamed != incident_id
                and await asyncio.to_thread(server.store.get_incident, renamed) is not None
            ):
                return redirect(f"/ui/incidents/{quote(renamed)}")
            raise HTTPException(404, f"no incident {incident_id!r}")
        tracked = server.engine.incidents.get(incident_id)
        body = incident_json(record, tracked, server)
        timeline = [
            {
                "time": time,
                "service": service,
                "state": STATE_LABELS[state],
                "planned": planned,
                "root_causes": list(roots),
            }
            for time, service, state, planned, roots in timeline_of(record, tracked)
        ]
        notes = [note_json(n) for n in await asyncio.to_thread(server.store.incident_notes, incident_id)]
        people = server.engine.incident_service_people(tracked, server.clock()) if tracked is not None else {}
        return render(
            request,
            "incident.html",
            viewer,
            title=f"Incident {incident_id}",
            active="incidents",
            incident=body,
            opened_at=record.opened_at,
            closed_at=record.closed_at,
            timeline=timeline,
            notes=notes,
            people=people,
            names=_names(request),
            note_limit=NOTE_LIMIT,
            error=request.query_params.get("error", ""),
        )

    @app.post("/ui/incidents/{incident_id}/ack", include_in_schema=False, dependencies=[CsrfChecked])
    async def acknowledge(incident_id: str, request: Request, viewer: OperateViewer) -> Response:
        server = live(request)
        try:
            await desk(request).acknowledge(incident_id, viewer.name)
        except UnknownIncident:
            raise HTTPException(404, f"no incident {incident_id!r}") from None
        await asyncio.to_thread(
            server.store.audit, viewer.name, "incident.acknowledge", {"incident": incident_id, "via": "ui"}
        )
        return redirect(f"/ui/incidents/{incident_id}")

    @app.post("/ui/incidents/{incident_id}/notes", include_in_schema=False, dependencies=[CsrfChecked])
    async def add_note(incident_id: str, request: Request, viewer: OperateViewer) -> Response:
        server = live(request)
        form = await request.form()
        text = form.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > NOTE_LIMIT:
            why = "a note needs some text" if not isinstance(text, str) or not text.strip() else "too long"
            return redirect(f"/ui/incidents/{incident_id}?error={why.replace(' ', '+')}")
        try:
            note = await asyncio.to_thread(
                server.store.add_incident_note, incident_id, viewer.name, text.strip(), server.clock()
            )
        except UnknownIncident:
            raise HTTPException(404, f"no incident {incident_id!r}") from None
        await asyncio.to_thread(
            server.store.audit, viewer.name, "incident.note", {"incident": incident_id, "note": note.id}
        )
        return redirect(f"/ui/incidents/{incident_id}#notes")


def _searchable(incident: dict[str, Any], names: dict[str, Any]) -> list[object]:
    """What the incidents filter looks in: id, status, services (ids and names), causes, who acknowledged."""
    services = incident["services"]
    return [
        incident["id"],
        incident["status"],
        incident.get("acknowledged_by"),
        *services,
        *(names.get(s) for s in services),
        *incident["root_causes"],
    ]


def _names(request: Request) -> dict[str, Any]:
    graph = live(request).graph
    return {graph.ids[s.index]: graph.names[s.index] or graph.ids[s.index] for s in graph.services}
