"""Live updates for the web UI: a server-sent event stream fed by the engine's after-batch hook.

After each batch of events is stored and applied (and the incidents brought up to date),
``LiveUpdates.after_batch`` takes a snapshot of the business view and hands it to every open
stream. A stream sends the snapshot as an ``overview`` event (JSON), and a fresh one every
``REFRESH_SECONDS`` without events, since costs move with the clock and calendars too. A
stream only ever keeps the newest snapshot: a slow browser skips states, it never lags.

The snapshot carries money as an amount at an instant plus a rate per hour; the page
extrapolates between updates, so the total ticks without a message a second. Its
``services`` are the same ``service_json`` documents as ``GET /api/v1/services``, in the
overview's order (``by_impact``).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse

from bizmap.domain.calendar import format_time
from bizmap.live.runtime import Live
from bizmap.web.api.services import service_json
from bizmap.web.sessions import current_viewer

REFRESH_SECONDS = 20.0
KEEPALIVE_SECONDS = 15.0
_SEVERITY = {"ok": 0, "degraded": 1, "unknown": 2, "down": 3}


def by_impact(service: dict[str, Any]) -> tuple[Any, ...]:
    """The overview's order: cost per hour now, then the worse state, safety at stake, more
    people affected, more spent today; then the id. (Down outside business hours costs
    nothing per hour, yet comes before every working service.)"""
    return (
        -service["cost_per_hour"],
        -_SEVERITY[service["state"]],
        not (service["safety_critical"] and service["state"] != "ok"),
        -service["users_affected"],
        -service["cost_today"],
        service["id"],
    )


def overview_snapshot(server: Live) -> dict[str, Any]:
    """Every business service now, by impact, and the open incidents' cost (amount and rate)."""

    now = server.clock()
    engine = server.engine
    currency = server.graph.currency
    services_now = engine.services_now(now)
    rate_of = {s.id: s.cost_per_hour for s in services_now}
    services = sorted((service_json(s, currency) for s in services_now), key=by_impact)
    open_incidents = engine.incidents.open_incidents()
    amount = sum(engine.incident_cost(incident, now) for incident in open_incidents)
    in_incidents = {m.service for incident in open_incidents for m in incident.active()}
    return {
        "at": format_time(now),
        "at_seconds": now,
        "currency": currency,
        "services": services,
        "incidents": {
            "open": len(open_incidents),
            "cost": round(amount, 2),
            "cost_per_hour": round(sum(rate_of.get(s, 0.0) for s in in_incidents), 2),
            "users": engine.people_of(s for s in services_now if s.id in in_incidents),
        },
    }


def sse_message(event: str, data: Any) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


class LiveUpdates:
    """The open streams, each holding at most the newest snapshot."""

    def __init__(self, server: Live) -> None:
        self.server = server
        self.streams: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self.closing = False

    def close(self) -> None:
        """End every stream now (the server is stopping): each gets ``None`` and returns."""
        self.closing = True
        for queue in self.streams:
            offer(queue, None)

    async def after_batch(self) -> None:
        if not self.streams:
            return
        snapshot = overview_snapshot(self.server)
        for queue in self.streams:
            offer(queue, snapshot)

    async def stream(
        self, refresh: float = REFRESH_SECONDS, keepalive: float = KEEPALIVE_SECONDS
    ) -> AsyncIterator[bytes]:
        """The messages of one stream: a snapshot at once, then on every change, until closing."""
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(maxsize=1)
        self.streams.add(queue)
        try:
            yield b"retry: 2000\n\n"
            yield sse_message("overview", overview_snapshot(self.server))
            idle = 0.0
            while not self.closing:
                step = min(keepalive, refresh - idle)
                try:
                    snapshot = await asyncio.wait_for(queue.get(), timeout=step)
                except TimeoutError:
                    idle += step
                    if idle >= refresh:
                        idle = 0.0
                        yield sse_message("overview", overview_snapshot(self.server))
                    else:
                        yield b": keepalive\n\n"
                    continue
                if snapshot is None:  # closing
                    return
                idle = 0.0
                yield sse_message("overview", snapshot)
        finally:
            self.streams.discard(queue)


def offer(queue: asyncio.Queue[dict[str, Any] | None], snapshot: dict[str, Any] | None) -> None:
    """Put ``snapshot`` on a one-slot queue, replacing an older one not yet sent."""
    with contextlib.suppress(asyncio.QueueEmpty):
        queue.get_nowait()
    queue.put_nowait(snapshot)


def close_on_exit_signals(updates: LiveUpdates) -> Callable[[], None]:
    """Streams never end by themselves, and uvicorn waits for open responses before it shuts
    down: chain its SIGINT/SIGTERM handlers so that a stop signal closes every stream first."""
    loop = asyncio.get_running_loop()
    restore: dict[int, Any] = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        try:
            previous = signal.getsignal(number)
        except ValueError:
            continue

        def handler(sig: int, frame: Any, previous: Any = previous) -> None:
            loop.call_soon_threadsafe(updates.close)
            if callable(previous):
                previous(sig, frame)

        try:
            signal.signal(number, handler)
        except ValueError:  # not the main thread (in-process tests): nothing to chain
            continue
        restore[number] = previous

    def undo() -> None:
        for number, previous in restore.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(number, previous)

    return undo


def updates_of(request: Request) -> LiveUpdates:
    found: LiveUpdates = request.app.state.live_updates
    return found


def register(app: FastAPI) -> None:
    """Serve ``/ui/stream`` (the runtime runs ``LiveUpdates.after_batch``: ``bizmap.web.app``)."""

    @app.get("/ui/stream", include_in_schema=False)
    async def stream(request: Request) -> Response:
        viewer = await current_viewer(request)
        if viewer is None:
            return Response("log in first", status_code=401, media_type="text/plain")
        return StreamingResponse(
            updates_of(request).stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
