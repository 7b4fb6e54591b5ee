"""The public status page (``/status``, no login): the business services the model marks
``public_status: true``, in plain language, now and over the last 90 days.

It says nothing about components, causes, costs or people: only what a patient, customer or
member of staff needs. A day's bar shows the worst state the service was in that day (UTC),
from the engine's history (rebuilt from the stored events); planned work shows as such, and
days before the first stored event show as "no data". The page is cached for a few seconds,
since anyone may load it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from bizmap.domain.propagate import OK
from bizmap.domain.states import STATE_LABELS
from bizmap.live.runtime import Live
from bizmap.web.common import live
from bizmap.web.sessions import current_viewer
from bizmap.web.ui.render import render

DAYS = 90
CACHE_SECONDS = 10.0
PLAIN = {
    "ok": "Working normally",
    "degraded": "Working, with some problems",
    "unknown": "Status not known",
    "down": "Not available",
    "planned": "Planned maintenance",
    "nodata": "No data",
}


def day_bars(server: Live, service_index: int, now: float) -> list[dict[str, Any]]:
    """The last ``DAYS`` UTC days, oldest first: each day's worst state (or planned, or no data)."""
    engine = server.engine
    today = datetime.fromtimestamp(now, UTC).date()
    first = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(days=DAYS - 1)
    start = first.timestamp()
    end = max(now, engine.timeline.now, engine.start + 1e-6)
    segments = engine.timeline.segments(service_index, end, since=max(start, engine.start))
    days = []
    for offset in range(DAYS):
        day_start = start + offset * 86400
        day_end = day_start + 86400
        if day_end <= engine.start:
            days.append({"date": (first + timedelta(days=offset)).date().isoformat(), "state": "nodata"})
            continue
        worst, planned = OK, False
        for segment in segments:
            if segment.end <= day_start or segment.start >= min(day_end, end) or segment.state == OK:
                continue
            if segment.planned:
                planned = True
            else:
                worst = max(worst, segment.state)
        state = STATE_LABELS[worst] if worst != OK or not planned else "planned"
        days.append({"date": (first + timedelta(days=offset)).date().isoformat(), "state": state})
    return days


def status_document(server: Live) -> dict[str, Any]:
    now = server.clock()
    graph = server.graph
    services = []
    for facts in graph.services:
        if not facts.spec.public_status:
            continue
        current = server.engine.service_now(facts, now)
        state = "planned" if current.planned and current.state != OK else current.state.label
        days = day_bars(server, facts.index, now)
        services.append(
            {
                "id": graph.ids[facts.index],
                "name": graph.names[facts.index] or graph.ids[facts.index],
                "description": facts.spec.description,
                "state": state,
                "days": days,
                "bad_days": sum(1 for d in days if d["state"] in ("degraded", "down")),
                "down_days": sum(1 for d in days if d["state"] == "down"),
            }
        )
    worst = max((STATE_LABELS.index(s["state"]) for s in services if s["state"] in STATE_LABELS), default=0)
    return {"at": now, "services": services, "overall": STATE_LABELS[worst]}


def register(app: FastAPI) -> None:
    """Add the public status page to ``app``."""
    cache: dict[str, Any] = {}

    @app.get("/status", include_in_schema=False)
    async def status(request: Request) -> Response:
        server = live(request)
        fresh = cache.get("graph") is server.graph and cache.get("until", 0.0) > time.monotonic()
        if not fresh:
            cache.update(
                graph=server.graph,
                until=time.monotonic() + CACHE_SECONDS,
                document=status_document(server),
            )
        viewer = await current_viewer(request)
        return render(
            request,
            "status.html",
            viewer,
            title="Service status",
            active="status",
            plain=PLAIN,
            days=DAYS,
            **cache["document"],
        )
