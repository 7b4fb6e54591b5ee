"""Events over HTTP: ingest (native, Alertmanager, CloudEvents, Icinga) and the stored events.

Native events are served by ``bizmap.web.ingesting.NativeEventsFastPath``; the route here
describes them in the OpenAPI document. Every adapter decodes the JSON body, maps it to native
events (``bizmap.ingest``) and hands them to the writer; nothing of a refused body is applied.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from bizmap.domain.calendar import format_time
from bizmap.domain.event import Event
from bizmap.errors import EventError
from bizmap.ingest.alertmanager import events_from_alertmanager
from bizmap.ingest.cloudevents import events_from_cloudevent, events_from_cloudevents_batch
from bizmap.ingest.icinga import event_from_icinga
from bizmap.ingest.schemas import ALERTMANAGER, CLOUDEVENTS, ICINGA, NATIVE_EVENTS
from bizmap.web.common import IngestToken, ORJSONResponse, ReadToken, live, read_body
from bizmap.web.ingesting import ingest, ingest_native
from bizmap.web.problems import json_body, problem


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""

    @app.post(
        "/api/v1/events",
        status_code=202,
        summary="Ingest native events (one object or an array)",
        openapi_extra=json_body(NATIVE_EVENTS, "One native event or an array of them (semantics §6)."),
    )
    async def post_events(request: Request, _: IngestToken) -> Response:
        return await ingest_native(request)  # served by NativeEventsFastPath; here for /docs

    @app.post(
        "/api/v1/ingest/alertmanager",
        status_code=202,
        summary="Prometheus Alertmanager webhook (v4)",
        openapi_extra=json_body(
            ALERTMANAGER, "An Alertmanager webhook payload, version 4: one event per alert."
        ),
    )
    async def post_alertmanager(request: Request, _: IngestToken) -> Response:
        return await _adapter(request, events_from_alertmanager)

    @app.post(
        "/api/v1/ingest/cloudevents",
        status_code=202,
        summary="CloudEvents 1.0, structured or batch",
        openapi_extra=json_body(
            CLOUDEVENTS, "One CloudEvent or a batch (an array), each a native event in data."
        ),
    )
    async def post_cloudevents(request: Request, _: IngestToken) -> Response:
        def convert(payload: Any) -> list[Event]:
            if isinstance(payload, list):
                return events_from_cloudevents_batch(payload)
            return [events_from_cloudevent(payload)]

        return await _adapter(request, convert)

    @app.post(
        "/api/v1/ingest/icinga",
        status_code=202,
        summary="Icinga 2 process-check-result body",
        openapi_extra=json_body(ICINGA, "The body of an Icinga 2 process-check-result action: one event."),
    )
    async def post_icinga(request: Request, _: IngestToken) -> Response:
        received = live(request).clock()
        return await _adapter(request, lambda payload: [event_from_icinga(payload, received)])

    @app.get("/api/v1/events", summary="Stored events, newest last; filter and page with since/limit")
    async def list_events(
        request: Request,
        _: ReadToken,
        since: Annotated[
            int, Query(ge=0, le=2**63 - 1, description="Only events after this sequence number.")
        ] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        node: str | None = None,
        source: str | None = None,
        unmatched: Annotated[bool, Query(description="Only events that fitted no node.")] = False,
    ) -> Response:
        server = live(request)
        found = await asyncio.to_thread(
            server.store.events,
            since_seq=since,
            limit=limit,
            node=node,
            source=source,
            matched=False if unmatched else None,
        )
        return ORJSONResponse(
            {
                "events": [
                    {
                        "seq": item.seq,
                        "id": item.event.id,
                        "time": format_time(item.time),
                        "received_at": format_time(item.received_at),
                        "node": item.event.node,
                        "labels": item.event.labels,
                        "state": item.event.state.label,
                        "key": item.event.key,
                        "summary": item.event.summary,
                        "source": item.event.source,
                        "matched": item.matched,
                    }
                    for item in found
                ],
                "next_since": found[-1].seq if found else since,
            }
        )


async def _adapter(request: Request, convert: Callable[[Any], list[Event]]) -> Response:
    """Decode a JSON body, map it to native events with ``convert``, and ingest them."""
    server = live(request)
    body = await read_body(request, server.settings.max_body_bytes)
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        return problem(400, f"not valid JSON: {error}", field="body")
    try:
        events = convert(payload)
    except EventError as error:
        return problem(400, error.message, field=error.field)
    return await ingest(server, events)
