"""The public status page (``/status``, no login): the business services the model marks
``public_status: true``, in plain language, now and over the last 90 days.

It says nothing about components, causes, costs or people: only what a patient, customer or
member of staff needs. A day's bar shows the worst state the service was in that day (UTC),
from the engine's history (rebuilt from the stored events); planned work shows as such. Each
day and the 90 days together carry an uptime: the share of the measured time (not unknown, not
planned work that took the service out; 24x7 UTC, as the bars) the service was not down, as an
SLA counts it (semantics §4) with degraded as up. The
server knows nothing before its start of measurement (its first stored event, semantics §10):
days before it show as "no data", the day it falls in says from when, and before any event the
services themselves show "No data". The headline names the worst of the services' states
(none available, some not available, planned maintenance, no data yet). ``?format=json`` gives
the same document as JSON. The page is cached for a few seconds, since anyone may load it.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import Response

from bizmap.domain.calendar import format_time
from bizmap.domain.propagate import DOWN, OK, UNKNOWN
from bizmap.domain.states import STATE_LABELS
from bizmap.live.runtime import Live
from bizmap.web.common import ORJSONResponse, live
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
    """The last ``DAYS`` UTC days, oldest first: each day's worst state (or planned, or no data).

    A day is measured from the server's start of measurement (its first stored event): days
    wholly before it have no data; the day it falls in carries the time (``measured_from``).
    """
    engine = server.engine
    known = engine.known_from
    today = datetime.fromtimestamp(now, UTC).date()
    first = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(days=DAYS - 1)
    start = first.timestamp()
    end = max(now, engine.timeline.now, engine.start + 1e-6)
    segments = engine.timeline.segments(service_index, end, since=max(start, engine.start, min(known, end)))
    days: list[dict[str, Any]] = []
    for offset in range(DAYS):
        day_start = start + offset * 86400
        day_end = day_start + 86400
        date = (first + timedelta(days=offset)).date().isoformat()
        if day_end <= known or day_start >= end:
            days.append(
                {
                    "date": date,
                    "state": "nodata",
                    "measured_from": None,
                    "measured_seconds": 0.0,
                    "down_seconds": 0.0,
                    "uptime": None,
                }
            )
            continue
        worst, planned = OK, False
        measured = down = 0.0
        low, high = max(day_start, known), min(day_end, end)
        for segment in segments:
            if segment.end <= low or segment.start >= high:
                continue
            seconds = min(segment.end, high) - max(segment.start, low)
            if segment.state == UNKNOWN or (segment.planned and segment.state != OK):
                planned = planned or segment.planned
                worst = worst if segment.planned else max(worst, segment.state)
                continue  # not measured, as for an SLA (semantics §4)
            measured += seconds
            if segment.state == DOWN:
                down += seconds
            worst = max(worst, segment.state)
        state = STATE_LABELS[worst] if worst != OK or not planned else "planned"
        days.append(
            {
                "date": date,
                "state": state,
                "measured_from": known if known > day_start else None,
                "measured_seconds": measured,
                "down_seconds": down,
                "uptime": uptime(measured, down),
            }
        )
    return days


def uptime(measured_seconds: float, down_seconds: float) -> float | None:
    """The share of the measured time a service was up (degraded counts as up); None unmeasured."""
    if measured_seconds <= 0:
        return None
    return 1 - down_seconds / measured_seconds


def uptime_text(share: float | None) -> str:
    """``99.95 %``: cut (never rounded up) to 2 decimals, so any outage shows below 100 %."""
    if share is None:
        return "no data"
    return f"{math.floor(share * 10_000 + 1e-9) / 100:.2f} %"


def headline(states: list[str]) -> tuple[str, str]:
    """The page's one sentence over the public services' states, and its badge."""
    if not states:
        return "ok", "No services are published here yet"
    if all(state == "nodata" for state in states):
        return "nodata", "No data yet: nothing has been reported"
    planned = "planned" in states
    if all(state == "down" for state in states):
        return "down", "No service is available"
    for state, words in (
        ("down", "Some services are not available"),
        ("unknown", "The state of some services is not known"),
        ("degraded", "Some services have problems"),
    ):
        if state in states:
            return state, words + ("; planned maintenance on others" if planned else "")
    if all(state == "planned" for state in states):
        return "planned", "Planned maintenance"
    if planned:
        return "planned", "Planned maintenance; the other services are working normally"
    return "ok", "All services are working normally"


def days_summary(days: list[dict[str, Any]]) -> str:
    """The line under a service's bars: problems counted over the days with data only."""
    measured = [d for d in days if d["state"] != "nodata"]
    bad = sum(1 for d in measured if d["state"] in ("degraded", "down"))
    down = sum(1 for d in measured if d["state"] == "down")
    if not measured:
        return "no data yet"
    if len(measured) == 1:  # the first day of data: today
        said = "an outage" if down else "problems" if bad else "no problems"
        return f"{said} on the one day with data"
    if len(measured) < len(days):
        span = f"the {len(measured)} days with data"
        return f"problems on {bad} of {span} ({down} with an outage)" if bad else f"no problems on {span}"
    if bad:
        return f"problems on {bad} of the last {DAYS} days ({down} with an outage)"
    return f"no problems in the last {DAYS} days"


def status_document(server: Live) -> dict[str, Any]:
    """What the page shows, as data (also its JSON form): no component, cause, cost or person."""
    now = server.clock()
    graph = server.graph
    measuring = server.engine.measurement_start is not None
    services: list[dict[str, Any]] = []
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
                "state": state if measuring else "nodata",
                "days": days,
                "days_with_data": sum(1 for d in days if d["state"] != "nodata"),
                "bad_days": sum(1 for d in days if d["state"] in ("degraded", "down")),
                "down_days": sum(1 for d in days if d["state"] == "down"),
                "summary": days_summary(days),
                "uptime": uptime(
                    sum(d["measured_seconds"] for d in days), sum(d["down_seconds"] for d in days)
                ),
            }
        )
    overall, words = headline([s["state"] for s in services])
    return {
        "at": now,
        "measured_from": server.engine.measurement_start,
        "services": services,
        "overall": overall,
        "headline": words,
    }


def status_json(document: dict[str, Any]) -> dict[str, Any]:
    """The JSON form: the page's document with its times as RFC 3339."""

    def stamp(value: float | None) -> str | None:
        return None if value is None else format_time(math.floor(value))

    return {
        "at": stamp(document["at"]),
        "measured_from": stamp(document["measured_from"]),
        "overall": document["overall"],
        "headline": document["headline"],
        "services": [
            {
                **{k: v for k, v in service.items() if k != "days"},
                "days": [{**day, "measured_from": stamp(day["measured_from"])} for day in service["days"]],
            }
            for service in document["services"]
        ],
    }


def register(app: FastAPI) -> None:
    """Add the public status page to ``app``."""
    cache: dict[str, Any] = {}

    @app.get("/status", include_in_schema=False)
    async def status(request: Request, format: Literal["html", "json"] = "html") -> Response:
        server = live(request)
        fresh = cache.get("graph") is server.graph and cache.get("until", 0.0) > time.monotonic()
        if not fresh:
            cache.update(
                graph=server.graph,
                until=time.monotonic() + CACHE_SECONDS,
                document=status_document(server),
            )
        if format == "json":
            return ORJSONResponse(status_json(cache["document"]))
        viewer = await current_viewer(request)
        return render(
            request,
            "status.html",
            viewer,
            title="Service status",
            active="status",
            plain=PLAIN,
            days=DAYS,
            uptime_text=uptime_text,
            **cache["document"],
        )
