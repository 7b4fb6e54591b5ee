"""The web shell: the FastAPI app factory, where every route area is registered, in one list.

Routes are thin: they check the token's role or the session, decode the request, and call the
engine, the writer or the store of the running server (``bizmap.live.runtime``), which the
app's lifespan starts and stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from bizmap.live.runtime import Live, running
from bizmap.live.simulator import run_simulator
from bizmap.reports import schedule as report_schedule
from bizmap.settings import Settings
from bizmap.web import errors, live_updates
from bizmap.web.api import (
    availability,
    bia,
    cases,
    events,
    incidents,
    maintenance,
    model,
    reports,
    services,
    slo,
)
from bizmap.web.api import live as api_live
from bizmap.web.common import READ, ORJSONResponse, authorize
from bizmap.web.ingesting import NativeEventsFastPath
from bizmap.web.limits import BodyLimit
from bizmap.web.live_updates import LiveUpdates, close_on_exit_signals
from bizmap.web.problems import describe_problems
from bizmap.web.sessions import current_viewer
from bizmap.web.ui import analysis, decisions, login, operations, overview, preferences, status, status_feed
from bizmap.web.ui import incidents as incident_pages
from bizmap.web.ui import reports as report_pages
from bizmap.web.ui import services as service_pages
from bizmap.web.ui.csv_tables import CsvTables
from bizmap.web.ui.render import STATIC

# Every area of routes, each a module with ``register(app)``: the API, then the web UI.
AREAS = (
    events,
    model,
    services,
    api_live,
    incidents,
    maintenance,
    availability,
    cases,
    bia,
    reports,
    slo,
    login,
    overview,
    service_pages,
    incident_pages,
    status,
    status_feed,
    analysis,
    operations,
    decisions,
    report_pages,
    preferences,
    live_updates,
)


def create_app(
    settings: Settings, clock: Callable[[], float] = time.time, manage_heap: bool = False
) -> FastAPI:
    """The ASGI app; the model and database are opened at start-up, not at import.

    ``clock`` gives the time in POSIX seconds (tests pass a fixed one). ``manage_heap``, for
    a process that runs this app alone (``bizmap serve``, ``bizmap demo``), tunes the garbage
    collector for it (``bizmap.live.heap``).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        def updates_for(server: Live) -> LiveUpdates:
            updates = app.state.live_updates = LiveUpdates(server)
            return updates

        async with running(settings, clock, manage_heap=manage_heap, live_updates=updates_for) as server:
            app.state.live = server
            app.state.incident_desk = server.incident_desk
            app.state.burn_alerts = server.burn_alerts
            app.state.notifier = server.notifier
            undo = close_on_exit_signals(app.state.live_updates)
            try:
                async with report_schedule.running(server) as scheduler:  # with --reports
                    app.state.report_scheduler = scheduler
                    yield
            finally:
                undo()

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
    app.add_middleware(CsvTables)  # ?csv=<table> on a page: that table as a CSV file
    app.add_middleware(NativeEventsFastPath)
    app.add_middleware(BodyLimit)  # outermost: no route reads past the limit
    errors.register(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _describe(app)
    for area in AREAS:
        area.register(app)
    return app


def with_simulator(app: FastAPI, seed: int, pace_seconds: float = 1.0) -> FastAPI:
    """Wrap ``app``'s lifespan (from ``create_app``) so the demo's simulator runs while it serves."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            server = app_.state.live
            task = asyncio.get_running_loop().create_task(
                run_simulator(server.writer, server.graph, server.clock, seed, pace_seconds),
                name="bizmap-simulator",
            )
            try:
                yield state
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app.router.lifespan_context = lifespan
    return app


def _describe(app: FastAPI) -> None:
    """Health, and the API's description (behind a read token), with every refusal declared."""
    generated = app.openapi
    described: dict[str, Any] = {}

    def document() -> dict[str, Any]:
        if not described:
            described.update(describe_problems(generated()))
        return described

    app.openapi = document  # type: ignore[method-assign]

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    async def token_or_session(request: Request) -> None:
        """A read token, or a person logged in to the web UI (every role may read)."""
        if "authorization" not in request.headers and await current_viewer(request) is not None:
            return
        await authorize(request, READ)

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(token_or_session)])
    async def openapi() -> Response:
        return ORJSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(token_or_session)])
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
