"""Web pages for operations: events with the near misses of unmatched ones (``/ui/events``),
the model and its catalog of business services (``/ui/model``) and maintenance windows
(``/ui/maintenance``).

Each page reads what the JSON API reads and changes what it changes through the same
functions: ``Store.events`` with the events endpoint's filters, ``reload_problems`` kept by
``reload_model``, and the maintenance functions of ``bizmap.web.api.maintenance`` (so a
window added here is stored, applied to the engine and audited exactly like one added
through the API).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError

from bizmap.domain.compile import EFFECT_NAMES, RULE_NAMES, CompiledGraph
from bizmap.domain.model import CalendarSpec, ServiceSpec
from bizmap.domain.near_miss import NearMiss, NearMissFinder, closest_node_ids
from bizmap.domain.states import STATE_LABELS, State
from bizmap.domain.summary import model_summary
from bizmap.live.runtime import Live
from bizmap.storage.records import StoredEvent
from bizmap.web.api.maintenance import (
    NewWindow,
    add_maintenance_window,
    end_maintenance_window,
    list_maintenance_windows,
)
from bizmap.web.common import live
from bizmap.web.sessions import CsrfChecked, OperateViewer, ReadViewer, Viewer
from bizmap.web.time_zones import viewer_time_zone
from bizmap.web.ui.render import redirect, render

EVENTS_PAGE = 50  # events per page
SEARCH_CHUNK = 500  # events read at a time while searching text
SEARCH_LIMIT = 5000  # events looked at per page while searching; the next page goes on from there
SUGGEST_LIMIT = 5000  # nodes: a bigger model gets no suggestions list (the page would be megabytes)
LARGEST_SEQ = 2**63 - 1  # an event's sequence number is a signed 64-bit integer in the database
_DAY_WORDS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# --- events ----------------------------------------------------------------------------------


@dataclass
class EventFilters:
    """The events page's query: the events endpoint's filters plus a text search and a start time."""

    node: str = ""
    source: str = ""
    state: str = ""
    unmatched: bool = False
    q: str = ""
    since: int = 0  # only events after this sequence number
    before: int | None = None  # the page begins below this one (the pager's cursor: newest first)
    time_from: str = ""  # "YYYY-MM-DD HH:MM[:SS]" in ``zone`` (or with its own offset)
    zone: str = "UTC"  # the zone the viewer reads times in (``bizmap.web.time_zones``)
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, request: Request) -> EventFilters:
        params = request.query_params
        found = cls(
            node=params.get("node", "").strip(),
            source=params.get("source", "").strip(),
            state=params.get("state", "").strip().lower(),
            unmatched=params.get("unmatched", "") in ("1", "true", "on"),
            q=params.get("q", "").strip(),
            time_from=params.get("from", "").strip(),
            zone=viewer_time_zone(request).zone,
        )
        since = params.get("since", "0").strip() or "0"
        found.since = _sequence_number("since", since, found.errors) or 0
        before = params.get("before", "").strip()
        found.before = _sequence_number("before", before, found.errors) if before else None
        if found.state and found.state not in STATE_LABELS:
            found.errors.append(f"state: {found.state!r} is not one of {', '.join(STATE_LABELS)}")
            found.state = ""
        if found.time_from and found.from_seconds() is None:
            found.errors.append(
                f"from: {found.time_from[:40]!r} is not a time like 2026-11-27 10:00 ({found.zone}): "
                "write the date as year-month-day, then the time on a 24-hour clock"
            )
            found.time_from = ""
        return found

    def from_seconds(self) -> float | None:
        try:
            value = datetime.fromisoformat(self.time_from.replace("Z", "+00:00"))
        except ValueError:
            return None
        return (value if value.tzinfo else value.replace(tzinfo=ZoneInfo(self.zone))).timestamp()

    def query(self, **changes: Any) -> str:
        """This query string with some values changed (the links of the pager)."""
        values = {
            "node": self.node,
            "source": self.source,
            "state": self.state,
            "unmatched": "1" if self.unmatched else "",
            "q": self.q,
            "from": self.time_from,
            "since": str(self.since) if self.since else "",
            "before": "" if self.before is None else str(self.before),
        }
        values.update({key: str(value) for key, value in changes.items()})
        return urlencode([(key, value) for key, value in values.items() if value])


def _sequence_number(name: str, text: str, errors: list[str]) -> int | None:
    """A sequence number from the address, or None with the refusal added to ``errors``."""
    # ASCII digits only ("²".isdigit() is true), no more than the database holds, and short
    # enough for int() (it refuses more than 4,300 digits, leading zeros included)
    number = text.lstrip("0") or "0"
    digits = text.isascii() and text.isdigit() and len(number) <= len(str(LARGEST_SEQ))
    if digits and int(number) <= LARGEST_SEQ:
        return int(number)
    errors.append(f"{name}: {text[:40]!r} is not a sequence number (a whole number from 0 to {LARGEST_SEQ})")
    return None


def text_fits(item: StoredEvent, needle: str) -> bool:
    """Whether the search text appears (case-insensitive) in the event's id, node, summary,
    source, key, or one of its label names or values."""
    needle = needle.casefold()
    fields = [item.event_id, item.node, item.summary, item.source, item.key]
    for key, value in (item.labels or {}).items():
        fields += [key, value]
    return any(needle in text.casefold() for text in fields if text)


@dataclass(frozen=True)
class EventPage:
    rows: list[StoredEvent]
    older_before: int | None  # the next (older) page begins below this number; None on the last page
    scanned_to: int | None  # a search stopped at this event without filling the page


def find_events(server: Live, filters: EventFilters) -> EventPage:
    """One page of stored events matching ``filters``, newest first."""
    query: dict[str, Any] = {
        "node": filters.node or None,
        "source": filters.source or None,
        "state": State[filters.state.upper()] if filters.state else None,
        "matched": False if filters.unmatched else None,
        "time_from": filters.from_seconds() if filters.time_from else None,
        "since_seq": filters.since,
        "newest_first": True,
    }
    if not filters.q:
        rows = server.store.events(before_seq=filters.before, limit=EVENTS_PAGE + 1, **query)
        more = len(rows) > EVENTS_PAGE
        rows = rows[:EVENTS_PAGE]
        return EventPage(rows, rows[-1].seq if more else None, None)
    found: list[StoredEvent] = []
    cursor, looked = filters.before, 0
    while looked < SEARCH_LIMIT:
        chunk = server.store.events(before_seq=cursor, limit=SEARCH_CHUNK, **query)
        for item in chunk:
            cursor, looked = item.seq, looked + 1
            if text_fits(item, filters.q):
                found.append(item)
                if len(found) > EVENTS_PAGE:
                    return EventPage(found[:EVENTS_PAGE], found[EVENTS_PAGE - 1].seq, None)
        if len(chunk) < SEARCH_CHUNK:
            return EventPage(found, None, None)
    return EventPage(found, cursor, cursor)


@dataclass(frozen=True)
class Explanation:
    """Why an unmatched event fitted no node, for people."""

    unknown_node: str | None = None
    similar_ids: tuple[str, ...] = ()
    near_misses: tuple[NearMiss, ...] = ()
    fits_now: tuple[str, ...] = ()  # selectors of the current model that fit (the model changed)


def explain(graph: CompiledGraph, finder: NearMissFinder, item: StoredEvent) -> Explanation:
    if item.node is not None:
        if item.node in graph.index:  # the node was added by a reload since the event came
            return Explanation(fits_now=(item.node,))
        return Explanation(unknown_node=item.node, similar_ids=tuple(closest_node_ids(item.node, graph.ids)))
    closest = finder.closest(item.labels or {}, limit=3)
    fitting = tuple(dict.fromkeys(m.node for m in closest if not m.mismatches))
    return Explanation(near_misses=tuple(closest), fits_now=fitting)


def _minutes(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


def calendar_in_words(spec: CalendarSpec | None) -> str:
    """A calendar for people: "Mon-Fri 09:00-17:00; Sat 09:00-12:00 (Europe/Paris), except 2 holidays".

    Days in a row with the same hours are written as one range; days without hours are left out.
    """
    if spec is None:  # the built-in 24x7
        return "around the clock, every day"
    weekly = spec.weekly_minutes()
    if weekly is None:
        hours = "all day, every day"
    else:
        groups: list[tuple[int, int, list[tuple[int, int]]]] = []  # first day, last day, ranges
        for day, ranges in enumerate(weekly):
            if groups and groups[-1][2] == ranges and groups[-1][1] == day - 1:
                groups[-1] = (groups[-1][0], day, ranges)
            else:
                groups.append((day, day, ranges))
        parts = []
        for first, last, ranges in groups:
            if not ranges:
                continue
            days = _DAY_WORDS[first] if first == last else f"{_DAY_WORDS[first]}-{_DAY_WORDS[last]}"
            times = ", ".join(f"{_minutes(a)}-{_minutes(b)}" for a, b in ranges)
            parts.append(f"{days} {times}")
        hours = "; ".join(parts) if parts else "never"
    text = f"{hours} ({spec.timezone})"
    holidays = spec.holidays
    dates = len(holidays.dates)
    if holidays.country:
        region = f"{holidays.country}-{holidays.subdivision}" if holidays.subdivision else holidays.country
        text += f", except public holidays in {region}"
        if dates:
            text += f" and {dates} more date{'s' if dates != 1 else ''}"
    elif dates:
        text += f", except {dates} holiday{'s' if dates != 1 else ''}"
    return text


@dataclass(frozen=True)
class ServiceCard:
    id: str
    name: str
    owner: str | None
    description: str | None
    calendar: str
    hours: str
    spec: ServiceSpec
    base_rate: float
    rule: str
    need: int
    depends_on: list[dict[str, Any]]  # id, name, weight, effect (ignored ones too)


def service_cards(graph: CompiledGraph) -> list[ServiceCard]:
    """Every business service with what the catalog shows, by id."""
    cards = []
    for facts in graph.services:
        index = facts.index
        spec = facts.spec
        name = graph.names[index]
        children = [
            {"id": graph.ids[c], "name": graph.names[c], "weight": w, "effect": EFFECT_NAMES[e]}
            for c, w, e in graph.children[index]
        ] + [
            {"id": graph.ids[c], "name": graph.names[c], "weight": None, "effect": "ignore"}
            for c in graph.ignored_children[index]
        ]
        cards.append(
            ServiceCard(
                id=spec.id,
                name=name or spec.id,
                owner=spec.owner,
                description=spec.description,
                calendar=facts.calendar,
                hours=calendar_in_words(graph.calendars.get(facts.calendar)),
                spec=spec,
                base_rate=facts.base_rate,
                rule=RULE_NAMES[graph.rule[index]],
                need=graph.need[index],
                depends_on=sorted(children, key=lambda c: c["id"]),
            )
        )
    cards.sort(key=lambda c: c.id)
    return cards


# --- maintenance -------------------------------------------------------------------------------


def window_status(window: dict[str, Any], now: float) -> str:
    start = datetime.fromisoformat(window["start"].replace("Z", "+00:00")).timestamp()
    end = datetime.fromisoformat(window["end"].replace("Z", "+00:00")).timestamp()
    if now < start:
        return "upcoming"
    return "active" if now < end else "over"


def form_minute(seconds: float, zone: str) -> str:
    """A time field's value in the viewer's zone: 2026-11-27 10:00."""
    return datetime.fromtimestamp(seconds, ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def new_window_from_form(form: dict[str, str], zone: str) -> NewWindow:
    """The API's request body from the form's fields; times without an offset are in ``zone``."""
    nodes = [part for part in re.split(r"[\s,]+", form.get("nodes", "")) if part]

    def utc(text: str) -> str:
        text = text.strip()
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text  # the API's model says what is wrong with it
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo(zone))
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")

    return NewWindow.model_validate(
        {
            "nodes": nodes,
            "start": utc(form.get("start", "")),
            "end": utc(form.get("end", "")),
            "reason": form.get("reason", "").strip(),
            "id": form.get("id", "").strip() or None,
        }
    )


def validation_messages(error: ValidationError) -> list[str]:
    names = {"nodes": "Nodes", "start": "Start", "end": "End", "reason": "Reason", "id": "Id"}
    messages = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        messages.append(f"{names.get(where.split('.')[0], where)}: {problem['msg']}")
    return messages


# --- the routes ----------------------------------------------------------------------------------


def register(app: FastAPI) -> None:
    """Add the events, model and maintenance pages to ``app``."""

    finders: dict[str, Any] = {}

    def finder_for(graph: CompiledGraph) -> NearMissFinder:
        if finders.get("graph") is not graph:  # built once per model
            finders["finder"] = NearMissFinder(graph.selectors, graph.ids)
            finders["graph"] = graph
        found: NearMissFinder = finders["finder"]
        return found

    @app.get("/ui/events", include_in_schema=False)
    async def events_page(request: Request, viewer: ReadViewer) -> Response:
        server = live(request)
        filters = EventFilters.from_query(request)
        page = await asyncio.to_thread(find_events, server, filters)
        graph = server.graph
        finder = finder_for(graph)
        explanations = {item.seq: explain(graph, finder, item) for item in page.rows if not item.matched}
        return render(
            request,
            "events.html",
            viewer,
            title="Events",
            active="events",
            filters=filters,
            page=page,
            explanations=explanations,
            node_ids=graph.ids if len(graph) <= SUGGEST_LIMIT else (),
            states=STATE_LABELS,
            status_code=422 if filters.errors else 200,
        )

    @app.get("/ui/model", include_in_schema=False)
    async def model_page(request: Request, viewer: ReadViewer) -> Response:
        server = live(request)
        graph = server.graph
        return render(
            request,
            "model.html",
            viewer,
            title="Model",
            active="model",
            model_path=str(server.settings.model),
            summary=model_summary(graph),
            cards=service_cards(graph),
            currency=graph.currency,
            refused=list(server.reload_problems),
        )

    async def maintenance_page(
        request: Request,
        viewer: Viewer,
        *,
        errors: list[str] | None = None,
        form: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        server = live(request)
        now = server.clock()
        zone = viewer_time_zone(request).zone
        windows = await list_maintenance_windows(server)
        for window in windows:
            window["status"] = window_status(window, now)
        defaults = {
            "nodes": "",
            "start": form_minute(now, zone),
            "end": form_minute(now + 3600, zone),
            "reason": "",
            "id": "",
        }
        return render(
            request,
            "maintenance.html",
            viewer,
            title="Maintenance windows",
            active="maintenance",
            windows=windows,
            errors=errors or [],
            form=defaults | (form or {}),
            node_ids=server.graph.ids if len(server.graph) <= SUGGEST_LIMIT else (),
            zone=zone,
            added=request.query_params.get("added", ""),
            ended=request.query_params.get("ended", ""),
            status_code=status_code,
        )

    @app.get("/ui/maintenance", include_in_schema=False)
    async def maintenance_list(request: Request, viewer: ReadViewer) -> Response:
        return await maintenance_page(request, viewer)

    @app.post("/ui/maintenance", include_in_schema=False, dependencies=[CsrfChecked])
    async def maintenance_add(request: Request, viewer: OperateViewer) -> Response:
        posted = await request.form()
        form = {key: str(posted.get(key) or "") for key in ("nodes", "start", "end", "reason", "id")}
        try:
            body = new_window_from_form(form, viewer_time_zone(request).zone)
            window = await add_maintenance_window(live(request), body, viewer.name)
        except ValidationError as error:
            return await maintenance_page(
                request, viewer, errors=validation_messages(error), form=form, status_code=422
            )
        except HTTPException as error:
            return await maintenance_page(
                request, viewer, errors=[str(error.detail)], form=form, status_code=error.status_code
            )
        return redirect("/ui/maintenance?" + urlencode({"added": window["id"]}))

    @app.post("/ui/maintenance/{window_id}/end", include_in_schema=False, dependencies=[CsrfChecked])
    async def maintenance_end(window_id: str, request: Request, viewer: OperateViewer) -> Response:
        try:
            await end_maintenance_window(live(request), window_id, viewer.name)
        except HTTPException as error:
            return await maintenance_page(
                request, viewer, errors=[str(error.detail)], status_code=error.status_code
            )
        return redirect("/ui/maintenance?" + urlencode({"ended": window_id}))
