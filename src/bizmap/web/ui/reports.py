"""The reports in the browser: the same documents as ``GET /api/v1/reports/...`` and
``bizmap report``, for a logged-in viewer (the API routes want a bearer token, which a
browser session does not carry), and a page that lists what can be produced."""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from bizmap.reports.executive import gather_executive
from bizmap.reports.incident import gather_incident
from bizmap.reports.review import gather_review
from bizmap.web.api.reports import parse_or_422, serve_document
from bizmap.web.common import live
from bizmap.web.sessions import ReadViewer
from bizmap.web.ui.render import page_headers, render

Format = Annotated[Literal["html", "pdf", "md", "json"], Query()]


def _months(now: float) -> list[str]:
    """This month and the one before, as report periods (UTC)."""
    year, month = time.gmtime(now)[:2]
    before = (year, month - 1) if month > 1 else (year - 1, 12)
    return [f"{year}-{month:02d}", f"{before[0]}-{before[1]:02d}"]


def _secured(response: Response) -> Response:
    """The pages' headers, except that an HTML report keeps its own, stricter policy."""
    for name, value in page_headers().items():
        response.headers.setdefault(name, value)
    return response


def register(app: FastAPI) -> None:
    """Add this area's pages to ``app``."""

    @app.get("/ui/reports", include_in_schema=False)
    async def reports_page(request: Request, viewer: ReadViewer) -> Response:
        server = live(request)
        services = [
            (server.graph.ids[f.index], f.spec.name or server.graph.ids[f.index])
            for f in server.graph.services
        ]
        return render(
            request,
            "reports.html",
            viewer,
            title="Reports",
            active="reports",
            months=_months(server.clock()),
            services=services,
        )

    @app.get("/ui/reports/incidents/{incident_id}", include_in_schema=False)
    async def incident_report(
        incident_id: str, request: Request, viewer: ReadViewer, format: Format = "html"
    ) -> Response:
        document = await serve_document(
            live(request), lambda s: gather_incident(s, incident_id), format, incident_id
        )
        return _secured(document)

    @app.get("/ui/reports/review", include_in_schema=False)
    async def review_report(
        request: Request, viewer: ReadViewer, period: str, service: str | None = None, format: Format = "html"
    ) -> Response:
        chosen = parse_or_422(period)
        name = f"review-{chosen.code}" + (f"-{service}" if service else "")
        document = await serve_document(
            live(request), lambda s: gather_review(s, chosen, service or None), format, name
        )
        return _secured(document)

    @app.get("/ui/reports/executive", include_in_schema=False)
    async def executive_report(
        request: Request, viewer: ReadViewer, period: str, format: Format = "html"
    ) -> Response:
        chosen = parse_or_422(period)
        document = await serve_document(
            live(request), lambda s: gather_executive(s, chosen), format, f"executive-{chosen.code}"
        )
        return _secured(document)
