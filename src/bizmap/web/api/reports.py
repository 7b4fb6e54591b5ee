"""Reports over the HTTP API: the same documents as ``bizmap report``, from the live database.

Each request reads the stored events and replays them (in a worker thread), so the figures are
those of ``bizmap replay --json`` over the same events, not the engine's running totals.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import Response

from bizmap.errors import UsageError
from bizmap.live.runtime import Live
from bizmap.reports.executive import gather_executive
from bizmap.reports.incident import UnknownIncidentId, gather_incident
from bizmap.reports.periods import ReportPeriod, parse_period
from bizmap.reports.render import MEDIA_TYPES, Report, render
from bizmap.reports.review import UnknownServiceId, gather_review
from bizmap.reports.sources import EventSource, database_source
from bizmap.web.common import ReadToken, live

Format = Annotated[
    Literal["md", "html", "pdf", "json"], Query(description="md, html, pdf or json (every figure, as data).")
]
PeriodQuery = Annotated[
    str,
    Query(
        description="A month (2026-11) or a quarter (2026-Q4), UTC.",
        # documented for clients; checked by parse_period, whose refusal says what to write
        json_schema_extra={"pattern": r"^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2]|Q[1-4])$"},
    ),
]


# What a report answers, by its format.
DOCUMENTS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report in the format asked for.",
        "content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()},
    }
}

# An HTML report is a static document: its stylesheet is inline, its charts are inline SVG
# (with style attributes), and it references nothing outside itself. So it may load nothing
# and run nothing; ``sandbox`` also gives it an origin of its own, away from the API and the
# session cookie. Not sent with a PDF: browsers show PDFs with a viewer plugin, which a
# sandboxed document may not use.
REPORT_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"
)


def _document(server: Live, gather: Callable[[EventSource], Report], form: str, name: str) -> Response:
    source = database_source(server.graph, server.store, server.settings.model, server.clock())
    body = render(gather(source), form)
    headers = {
        "Content-Disposition": f'inline; filename="{name}.{form}"',
        "X-Content-Type-Options": "nosniff",
    }
    if form == "html":
        headers["Content-Security-Policy"] = REPORT_CONTENT_SECURITY_POLICY
    return Response(body, media_type=MEDIA_TYPES[form], headers=headers)


async def serve_document(
    server: Live, gather: Callable[[EventSource], Report], form: str, name: str
) -> Response:
    try:
        return await asyncio.to_thread(_document, server, gather, form, name)
    except (UnknownIncidentId, UnknownServiceId) as error:
        raise HTTPException(404, str(error)) from None
    except UsageError as error:
        raise HTTPException(422, str(error)) from None


def parse_or_422(text: str) -> ReportPeriod:
    try:
        return parse_period(text)
    except UsageError as error:
        raise HTTPException(422, str(error)) from None


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""

    @app.get(
        "/api/v1/reports/incidents/{incident_id}",
        summary="Business Impact Statement of an incident",
        response_class=Response,
        responses=DOCUMENTS,
    )
    async def incident_report(
        incident_id: str, request: Request, _: ReadToken, format: Format = "pdf"
    ) -> Response:
        return await serve_document(
            live(request), lambda s: gather_incident(s, incident_id), format, incident_id
        )

    @app.get(
        "/api/v1/reports/review",
        summary="Service review of a month or a quarter",
        response_class=Response,
        responses=DOCUMENTS,
    )
    async def review_report(
        request: Request,
        _: ReadToken,
        period: PeriodQuery,
        service: Annotated[str | None, Query(description="One business service (default: all).")] = None,
        format: Format = "pdf",
    ) -> Response:
        chosen = parse_or_422(period)
        name = f"review-{chosen.code}" + (f"-{service}" if service else "")
        return await serve_document(live(request), lambda s: gather_review(s, chosen, service), format, name)

    @app.get(
        "/api/v1/reports/executive",
        summary="One-page executive summary of a month or a quarter",
        response_class=Response,
        responses=DOCUMENTS,
    )
    async def executive_report(
        request: Request, _: ReadToken, period: PeriodQuery, format: Format = "pdf"
    ) -> Response:
        chosen = parse_or_422(period)
        return await serve_document(
            live(request), lambda s: gather_executive(s, chosen), format, f"executive-{chosen.code}"
        )
