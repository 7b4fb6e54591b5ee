"""The live server: FastAPI app factory, start-up (migrate, load, rebuild) and the HTTP API.

Routes are thin: they check the token's role, decode the body, and call the engine, the
writer or the store. Start-up replays every stored event through a fresh engine, so the
live state after a restart equals a replay of what was acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import signal
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.requests import ClientDisconnect

from bizmap import notifications
from bizmap.domain.calendar import format_time
from bizmap.domain.compile import CompiledGraph
from bizmap.domain.validate import ModelInvalid
from bizmap.engine import LiveEngine, ServiceNow
from bizmap.errors import EventError
from bizmap.events import Event
from bizmap.ingest.alertmanager import events_from_alertmanager
from bizmap.ingest.cloudevents import events_from_cloudevent, events_from_cloudevents_batch
from bizmap.ingest.icinga import event_from_icinga
from bizmap.loading import load_graph
from bizmap.reports import schedule as report_schedule
from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.web import (
    api_availability,
    api_bia,
    api_cases,
    api_incidents,
    api_live,
    api_maintenance,
    api_reports,
    api_slo,
    pages,
)
from bizmap.web.common import (
    READ,
    AdminToken,
    IngestToken,
    Live,
    ORJSONResponse,
    ReadToken,
    live,
    read_body,
    require,
)
from bizmap.web.heap import settle_heap
from bizmap.web.ingesting import NativeEventsFastPath, ingest, ingest_native
from bizmap.web.writer import IngestWriter

log = logging.getLogger("bizmap.web")


def rebuild_engine(graph: CompiledGraph, store: Store, start: float) -> LiveEngine:
    """A fresh engine fed every stored event in arrival order (a new model may match more).

    Its history begins at ``start`` (the oldest time an event may carry) or at the first
    stored event, whichever is earlier.
    """
    stored = list(store.iter_all_events())
    start = min([start, *(s.time for s in stored[:1])])
    engine = LiveEngine(graph, start)
    for window in store.list_maintenance():  # windows added through the API
        if all(node in graph.index for node in window.nodes):
            engine.add_maintenance(window.id, window.nodes, window.start, window.end)
    for item in stored:
        engine.apply(item.event, item.received_at)
    return engine


async def reload_model(server: Live, actor: str) -> list[str]:
    """Load the model again; on success swap in an engine rebuilt from the stored events.

    Returns the problems of an invalid model (which is refused: the old one stays in force).
    """
    try:
        graph = await asyncio.to_thread(load_graph, server.settings.model)
    except ModelInvalid as invalid:
        server.reload_problems = [str(p) for p in invalid.problems]
        await asyncio.to_thread(
            server.store.audit, actor, "model.reload.refused", {"problems": server.reload_problems}
        )
        return server.reload_problems
    async with server.writer.paused():
        engine = await asyncio.to_thread(rebuild_engine, graph, server.store, server.engine.start)
        server.graph, server.engine, server.writer.engine = graph, engine, engine
        server.settle_heap()  # the old model's objects go, the new one's are frozen
    server.reload_problems = []
    await asyncio.to_thread(server.store.audit, actor, "model.reload", {"nodes": len(graph)})
    return []


async def client_gone(request: Request, error: Exception) -> Response:
    """A client hung up before its request body was whole: nothing was taken, and the answer
    goes nowhere (uvicorn drops it); no traceback in the log for what is not an error here."""
    log.info("%s %s: the client hung up before its body was whole", request.method, request.url.path)
    return Response(status_code=400)


def create_app(
    settings: Settings, clock: Callable[[], float] = time.time, manage_heap: bool = False
) -> FastAPI:
    """The ASGI app; the model and database are opened at start-up, not at import.

    ``clock`` gives the time in POSIX seconds (tests pass a fixed one). ``manage_heap``, for
    a process that runs this app alone (``bizmap serve``, ``bizmap demo``), tunes the garbage
    collector for it (``bizmap.web.heap``).
    """

    async def start() -> Live:  # (its own frame: a reload must leave no reference to the first engine)
        await asyncio.to_thread(migrate, settings.db)
        store = Store(settings.db)
        graph = await asyncio.to_thread(load_graph, settings.model)
        earliest = clock() - settings.max_event_age_seconds
        engine = await asyncio.to_thread(rebuild_engine, graph, store, earliest)
        return Live(settings, store, graph, engine, IngestWriter(store, engine), clock, {})

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        server = app.state.live = await start()
        store, writer = server.store, server.writer
        if manage_heap:
            server.settle_heap = settle_heap
            settle_heap()
        writer.start()
        with contextlib.suppress(RuntimeError, ValueError, NotImplementedError):  # main thread only
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: asyncio.ensure_future(reload_model(server, "SIGHUP"))
            )
        try:
            yield
        finally:
            await writer.stop()
            store.close()

    app = FastAPI(
        title="bizmap",
        version="1",
        description="Business service management: what IT failures cost the business.",
        lifespan=lifespan,
        docs_url=None,
        openapi_url=None,  # served below, behind a token
        redoc_url=None,
        default_response_class=ORJSONResponse,
    )
    app.add_middleware(NativeEventsFastPath)
    app.add_exception_handler(ClientDisconnect, client_gone)
    _routes(app)
    areas = (
        api_live,
        api_incidents,
        api_maintenance,
        api_availability,
        api_cases,
        api_bia,
        api_reports,
        api_slo,
    )
    for area in areas:  # each area registers its own routes
        area.register(app)
    pages.register(app)  # the web UI
    notifications.register(app)  # last: its hook runs after the incidents are brought up to date
    report_schedule.register(app)  # with --reports: scheduled report e-mails from this database
    return app


def service_json(service: ServiceNow, currency: str) -> dict[str, Any]:
    episode = service.current_episode
    sla = service.sla
    return {
        "id": service.id,
        "name": service.name,
        "state": service.state.label,
        "planned": service.planned,
        "root_causes": list(service.root_causes),
        "currency": currency,
        "cost_per_hour": round(service.cost_per_hour, 2),
        "cost_today": round(service.cost_today, 2),
        "cost_this_period": round(service.cost_this_period, 2),
        "users_affected": service.users_affected,
        "safety_critical": service.safety_critical,
        "episode": None
        if episode is None
        else {
            "start": format_time(episode.start),
            "worst_state": ("ok", "degraded", "unknown", "down")[episode.worst_state],
            "counted_seconds": int(episode.counted_seconds),
            "cost": round(episode.cost, 2),
        },
        "sla": None
        if sla is None
        else {
            "period_start": format_time(sla.period_start),
            "measured_seconds": int(sla.measured_seconds),
            "down_seconds": int(sla.down_seconds),
            "sli": round(sla.sli, 4),
            "target": sla.target,
            "budget_seconds": int(service.sla_budget_seconds or 0),
            "budget_remaining_seconds": int(service.sla_budget_remaining_seconds or 0),
        },
    }


def _routes(app: FastAPI) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(require(READ))])
    async def openapi() -> Response:
        return ORJSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(require(READ))])
    async def docs() -> HTMLResponse:
        spec = app.openapi()
        rows = "".join(
            f"<tr><td>{html.escape(method.upper())}</td><td><code>{html.escape(path)}</code></td>"
            f"<td>{html.escape(str(op.get('summary', '')))}</td></tr>"
            for path, methods in spec["paths"].items()
            for method, op in methods.items()
        )
        return HTMLResponse(
            "<!doctype html><html lang=en><meta charset=utf-8><title>bizmap API</title>"
            "<h1>bizmap API</h1><p>The OpenAPI document is at <a href=/openapi.json>/openapi.json</a>."
            f"<table><tr><th>method<th>path<th>what</tr>{rows}</table></html>"
        )

    @app.post("/api/v1/events", status_code=202, summary="Ingest native events (one object or an array)")
    async def post_events(request: Request, _: IngestToken) -> Response:
        return await ingest_native(request)  # served by NativeEventsFastPath; here for /docs

    @app.post("/api/v1/ingest/alertmanager", status_code=202, summary="Prometheus Alertmanager webhook (v4)")
    async def post_alertmanager(request: Request, _: IngestToken) -> Response:
        return await _adapter(request, events_from_alertmanager)

    @app.post("/api/v1/ingest/cloudevents", status_code=202, summary="CloudEvents 1.0, structured or batch")
    async def post_cloudevents(request: Request, _: IngestToken) -> Response:
        def convert(payload: Any) -> list[Event]:
            if isinstance(payload, list):
                return events_from_cloudevents_batch(payload)
            return [events_from_cloudevent(payload)]

        return await _adapter(request, convert)

    @app.post("/api/v1/ingest/icinga", status_code=202, summary="Icinga 2 process-check-result body")
    async def post_icinga(request: Request, _: IngestToken) -> Response:
        received = live(request).clock()
        return await _adapter(request, lambda payload: [event_from_icinga(payload, received)])

    @app.post("/api/v1/model/reload", summary="Load the model again without a restart (also on SIGHUP)")
    async def post_reload(request: Request, token: AdminToken) -> Response:
        server = live(request)
        problems = await reload_model(server, token.name)
        if problems:
            return ORJSONResponse(
                {"error": "the model is invalid; the previous model stays in force", "problems": problems},
                status_code=422,
            )
        services = sum(server.graph.is_service)
        return ORJSONResponse({"reloaded": True, "nodes": len(server.graph), "services": services})

    @app.get("/api/v1/services", summary="Every business service now: state, cost, people, SLA")
    async def list_services(request: Request, _: ReadToken) -> Response:
        server = live(request)
        now = server.clock()
        services = [service_json(s, server.graph.currency) for s in server.engine.services_now(now)]
        services.sort(key=lambda s: (-s["cost_per_hour"], s["id"]))
        return ORJSONResponse({"at": format_time(now), "services": services})

    @app.get("/api/v1/services/{service_id}", summary="One business service now, with its dependencies")
    async def get_service(service_id: str, request: Request, _: ReadToken) -> Response:
        server = live(request)
        index = server.graph.index.get(service_id)
        if index is None or not server.graph.is_service[index]:
            raise HTTPException(404, f"no business service {service_id!r}")
        facts = server.graph.service_of[index]
        body = service_json(server.engine.service_now(facts, server.clock()), server.graph.currency)
        body["depends_on"] = [server.graph.ids[c] for c, _, _ in server.graph.children[index]]
        return ORJSONResponse(body)

    @app.get("/api/v1/events", summary="Stored events, newest last; filter and page with since/limit")
    async def list_events(
        request: Request,
        _: ReadToken,
        since: Annotated[int, Query(ge=0, description="Only events after this sequence number.")] = 0,
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
        return ORJSONResponse({"error": f"not valid JSON: {error}", "field": "body"}, status_code=400)
    try:
        events = convert(payload)
    except EventError as error:
        return ORJSONResponse({"error": error.message, "field": error.field}, status_code=400)
    return await ingest(server, events)
