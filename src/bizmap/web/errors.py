"""How the web shell answers errors: one handler for every ``BizmapError``, one for HTTP errors.

A ``BizmapError`` that reaches the web shell is a refusal the user can act on, never a 500: its
status comes from ``STATUS`` (the nearest class in its hierarchy, ``bizmap.errors``), its body is
JSON (``{"error": ...}``) on the API and the error page under ``/ui/``. ``LoginRequired``
sends a browser to the login page instead. HTTP errors keep FastAPI's JSON on the API and get
the error page under ``/ui/``. A client that hangs up mid-body is let go quietly.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from bizmap.decisions.availability.dial import DialError
from bizmap.decisions.bia.files import BiaInvalid
from bizmap.decisions.case.checks import CaseInvalid
from bizmap.decisions.case.files import CaseFileInvalid
from bizmap.domain.states import UnknownStateError
from bizmap.domain.validate import ModelInvalid
from bizmap.errors import BizmapError, EventError, EventLineError, UsageError
from bizmap.reports.incident import UnknownIncidentId
from bizmap.reports.schedule import ScheduleConfigError
from bizmap.slo.files import SloFileError
from bizmap.storage.store import TokenNameInUse, UnknownIncident
from bizmap.storage.unavailable import StorageUnavailable
from bizmap.storage.users import UserError
from bizmap.web.common import ORJSONResponse
from bizmap.web.sessions import LoginRequired, PageForbidden, current_viewer
from bizmap.web.ui.render import page_headers, redirect, render, templates

log = logging.getLogger("bizmap.web")

# The answer to each kind of refusal; a subclass not listed takes its nearest listed base.
STATUS: dict[type[BizmapError], int] = {
    BizmapError: 400,
    EventError: 400,
    EventLineError: 400,
    UnknownStateError: 400,
    UsageError: 400,
    UserError: 400,
    PageForbidden: 403,
    UnknownIncident: 404,
    UnknownIncidentId: 404,
    TokenNameInUse: 409,
    ModelInvalid: 422,
    CaseInvalid: 422,
    CaseFileInvalid: 422,
    DialError: 422,
    BiaInvalid: 422,
    SloFileError: 422,
    ScheduleConfigError: 422,
    StorageUnavailable: 503,
}

TITLES = {403: "Not allowed", 404: "Not found"}


def status_of(error: BizmapError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


def register(app: FastAPI) -> None:
    """Install the handlers on ``app``."""
    app.add_exception_handler(BizmapError, bizmap_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(ClientDisconnect, client_gone)


def _with_retry_after(
    handler: Callable[[Request, BizmapError], Awaitable[Response]],
) -> Callable[[Request, BizmapError], Awaitable[Response]]:
    """A refusal for now (an error with ``retry_after_seconds``, such as a full database) tells
    the client when to come back: ``Retry-After``, on the API and on pages alike."""

    @functools.wraps(handler)
    async def answer(request: Request, error: BizmapError) -> Response:
        response = await handler(request, error)
        retry_after = getattr(error, "retry_after_seconds", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    return answer


@_with_retry_after
async def bizmap_error(request: Request, error: BizmapError) -> Response:
    if isinstance(error, LoginRequired):
        return _to_login(request)
    status = status_of(error)
    if not request.url.path.startswith("/ui/"):
        body: dict[str, object] = {"error": str(error)}
        if isinstance(error, EventError):
            body = {"error": error.message, "field": error.field}
        elif isinstance(error, ModelInvalid):
            body["problems"] = [str(p) for p in error.problems]
        return ORJSONResponse(body, status_code=status)
    viewer = await current_viewer(request)
    title = TITLES.get(status, "Refused")
    return render(request, "error.html", viewer, title=title, message=str(error), status_code=status)


async def http_error(request: Request, error: StarletteHTTPException) -> Response:
    if not request.url.path.startswith("/ui/"):  # the API keeps its JSON errors
        return await http_exception_handler(request, error)
    viewer = await current_viewer(request)
    title = "Not found" if error.status_code == 404 else "Refused"
    return render(
        request, "error.html", viewer, title=title, message=str(error.detail), status_code=error.status_code
    )


async def client_gone(request: Request, error: Exception) -> Response:
    """A client hung up before its request body was whole: nothing was taken, and the answer
    goes nowhere (uvicorn drops it); no traceback in the log for what is not an error here."""
    log.info("%s %s: the client hung up before its body was whole", request.method, request.url.path)
    return Response(status_code=400)


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method == "GET" and request.headers.get("sec-fetch-site") == "cross-site":
        # A link from another site (chat, e-mail) does not carry a SameSite=Strict
        # cookie; one hop from this site's own page does, so ask the browser to come back.
        return HTMLResponse(
            templates.get_template("rehop.html").render(target=target), headers=page_headers()
        )
    return redirect("/login?next=" + quote(target, safe="/"))
