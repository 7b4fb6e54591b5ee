"""Taking events in over HTTP: the checks every ingestion endpoint shares, and the hot path.

``POST /api/v1/events`` is the busiest endpoint by far. ``NativeEventsFastPath`` answers it
before the framework's per-request machinery (routing, dependency injection, exception
middleware), with the same checks and the same answers as the documented route, which calls
the same ``ingest_native`` and stays for the OpenAPI document.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import Response
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from bizmap.domain.calendar import format_time
from bizmap.domain.event import Event
from bizmap.errors import EventError
from bizmap.ingest.native import decode_events
from bizmap.live.runtime import Live
from bizmap.settings import Settings
from bizmap.storage.unavailable import StorageUnavailable
from bizmap.web.common import INGEST, ORJSONResponse, authorize, live, read_body
from bizmap.web.errors import bizmap_error
from bizmap.web.problems import problem

NATIVE_EVENTS_PATH = "/api/v1/events"
log = logging.getLogger("bizmap.ingest")


class NativeEventsFastPath:
    """ASGI middleware: ``POST /api/v1/events`` straight to ``ingest_native``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != NATIVE_EVENTS_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            await authorize(request, INGEST)
            response = await ingest_native(request)
        except ClientDisconnect:  # hung up before its body was whole: nothing stored, nobody to answer
            log.info("a client hung up before its events were whole; nothing was stored")
            return
        except HTTPException as error:  # as the app's own handler answers it
            response = problem(error.status_code, str(error.detail), headers=error.headers)
        except StorageUnavailable as error:  # the database is full: 503, as the app's handler answers it
            response = await bizmap_error(request, error)
        await response(scope, receive, send)


async def ingest_native(request: Request) -> Response:
    """One native event or a JSON array of them (the caller has checked the token)."""
    server = live(request)
    body = await read_body(request, server.settings.max_body_bytes)
    try:
        events = decode_events(body, require_time=False)
    except EventError as error:
        return problem(400, error.message, field=error.field)
    return await ingest(server, events)


def check_times(events: Sequence[Event], now: float, settings: Settings) -> list[dict[str, Any]]:
    """The events whose time is too far in the past or the future, each naming its index."""
    refused = []
    for index, event in enumerate(events):
        if event.time is None:
            continue
        if event.time < now - settings.max_event_age_seconds:
            refused.append(
                {
                    "index": index,
                    "field": "time",
                    "detail": f"{format_time(event.time)} is older than the limit of "
                    f"{settings.max_event_age_seconds:.0f} s",
                }
            )
        elif event.time > now + settings.max_event_lead_seconds:
            refused.append(
                {
                    "index": index,
                    "field": "time",
                    "detail": f"{format_time(event.time)} is in the future by more than "
                    f"{settings.max_event_lead_seconds:.0f} s: check the sender's clock",
                }
            )
    return refused


async def ingest(server: Live, events: Sequence[Event]) -> Response:
    """Check, store and apply a request's events: 202 with its counts, or why none were taken."""
    settings = server.settings
    if len(events) > settings.max_batch_events:
        return problem(
            413, f"{len(events)} events in one request; the limit is {settings.max_batch_events}: split it"
        )
    now = server.clock()
    refused = check_times(events, now, settings)
    if refused:
        first = refused[0]
        return problem(
            422,
            f"{len(refused)} of {len(events)} events refused, none of this request was stored; "
            f"the first, event {first['index']}: {first['field']}: {first['detail']}",
            field=f"{first['index']}.{first['field']}",
            refused=refused,
        )
    counts = await server.writer.submit(events, now)
    return ORJSONResponse(
        {"accepted": counts.accepted, "duplicates": counts.duplicates, "unmatched": counts.unmatched},
        status_code=202,
    )
