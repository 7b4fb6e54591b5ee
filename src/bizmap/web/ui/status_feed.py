"""The public status page's Atom feed (``/status/feed.atom``, no login, RFC 4287).

One entry per incident of the last 90 days that touched a public service (``public_status:
true``), newest first, in the status page's plain words: which public services, how bad at
worst ("Not available", "Working, with some problems"), from when to when. Like the page it
names no component, cause, cost, person or private service: an entry's id is a UUID derived
from the incident's id (which begins with a service id that may not be public). The XML is
written by ElementTree, so every text is escaped.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from fastapi import FastAPI, Request
from fastapi.responses import Response

from bizmap.domain.calendar import format_time
from bizmap.domain.propagate import OK
from bizmap.domain.states import STATE_LABELS
from bizmap.live.runtime import Live
from bizmap.storage.records import Incident
from bizmap.web.api.incidents import desk
from bizmap.web.common import live
from bizmap.web.ui.status import DAYS, PLAIN

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
MAX_ENTRIES = 50
FEED_NAMESPACE = uuid.UUID("6f1d2b0e-3c1a-4f53-9a55-5a1b1f0e9b21")  # bizmap's status feeds


@dataclass(frozen=True)
class PublicIncident:
    key: str  # an opaque, stable id
    opened_at: float
    closed_at: float | None
    services: tuple[tuple[str, str], ...]  # (public name, worst plain state) of each public service

    @property
    def updated(self) -> float:
        return self.closed_at if self.closed_at is not None else self.opened_at

    @property
    def title(self) -> str:
        worst = "Not available" if any(s == PLAIN["down"] for _, s in self.services) else None
        words = (worst or self.services[0][1]).lower()
        names = _and([name for name, _ in self.services])
        return f"{names}: {'resolved' if self.closed_at is not None else words}"

    @property
    def summary(self) -> str:
        said = "; ".join(f"{name}: {state.lower()}" for name, state in self.services)
        opened = _when(self.opened_at)
        if self.closed_at is None:
            return f"{said}. Since {opened}; we are working on it."
        return f"{said}. From {opened} to {_when(self.closed_at)}; resolved."


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _when(instant: float) -> str:
    return format_time(int(instant)).replace("T", " ").replace("Z", " UTC")


def _worst(server: Live, index: int, opened: float, closed: float | None) -> str:
    """The worst unplanned state a service was in during an incident, in the page's words."""
    engine = server.engine
    end = closed if closed is not None else max(server.clock(), engine.timeline.now)
    end = max(end, opened + 1e-6)
    worst = OK
    for segment in engine.timeline.segments(index, end, since=max(opened, engine.start)):
        if segment.end > opened and segment.start < end and not segment.planned:
            worst = max(worst, segment.state)
    if worst == OK:  # impaired only while planned: the incident was about another service
        return PLAIN["planned"]
    return PLAIN[STATE_LABELS[worst]]


def public_incidents(server: Live, records: list[Incident]) -> list[PublicIncident]:
    """The incidents of the last ``DAYS`` days that touched a public service, newest first."""
    graph = server.graph
    public = {
        graph.ids[f.index]: (f.index, graph.names[f.index] or graph.ids[f.index])
        for f in graph.services
        if f.spec.public_status
    }
    since = server.clock() - DAYS * 86400
    found = []
    for record in records:
        if record.closed_at is not None and record.closed_at < since:
            continue
        shown = [public[s] for s in record.services if s in public]
        if not shown:
            continue
        services = tuple(
            (name, _worst(server, index, record.opened_at, record.closed_at)) for index, name in shown
        )
        key = str(uuid.uuid5(FEED_NAMESPACE, record.id))
        found.append(PublicIncident(key, record.opened_at, record.closed_at, services))
    found.sort(key=lambda i: (i.opened_at, i.key), reverse=True)
    return found[:MAX_ENTRIES]


def atom_feed(incidents: list[PublicIncident], base_url: str, now: float) -> bytes:
    """The Atom document (RFC 4287): feed id, title, updated, author, links; entries."""
    ET.register_namespace("", ATOM)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    add(feed, "id", f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, base_url)}")
    add(feed, "title", "Service status: incidents")
    add(feed, "subtitle", f"Incidents of the public services over the last {DAYS} days")
    updated = max([i.updated for i in incidents], default=now)
    add(feed, "updated", format_time(int(updated)))
    author = add(feed, "author")
    add(author, "name", "bizmap status page")
    add(feed, "link", rel="self", type="application/atom+xml", href=f"{base_url}status/feed.atom")
    add(feed, "link", rel="alternate", type="text/html", href=f"{base_url}status")
    for incident in incidents:
        entry = add(feed, "entry")
        add(entry, "id", f"urn:uuid:{incident.key}")
        add(entry, "title", incident.title)
        add(entry, "published", format_time(int(incident.opened_at)))
        add(entry, "updated", format_time(int(incident.updated)))
        add(entry, "link", rel="alternate", type="text/html", href=f"{base_url}status")
        add(entry, "summary", incident.summary, type="text")
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def register(app: FastAPI) -> None:
    """Add the status page's Atom feed to ``app``."""

    @app.get("/status/feed.atom", include_in_schema=False)
    async def status_feed(request: Request) -> Response:
        server = live(request)
        await desk(request).refresh()
        records = await asyncio.to_thread(server.store.list_incidents, False, 1000)
        body = atom_feed(public_incidents(server, records), str(request.base_url), server.clock())
        return Response(body, media_type=MEDIA_TYPE, headers={"Cache-Control": "max-age=10"})
