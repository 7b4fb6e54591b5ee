"""How the web shell answers errors: one handler for every ``BizmapError``, one for HTTP errors.

A ``BizmapError`` that reaches the web shell is a refusal the user can act on, never a 500: its
status comes from ``STATUS`` (the nearest class in its hierarchy, ``bizmap.errors``). On the API
every refusal, ours, FastAPI's validation and Starlette's HTTP errors alike, is a problem
document (``bizmap.web.problems``, RFC 9457); for a page (``/ui/``, ``/login``, anything not
the API's) it is the error page.
``LoginRequired`` sends a browser to the login page instead. A 405 names every method the path
takes in ``Allow``. A client that hangs up mid-body is let go quietly.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Route

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
from bizmap.web.problems import problem, validation_problem
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

API_PREFIXES = ("/api/",)
API_PATHS = frozenset({"/metrics", "/openapi.json", "/docs", "/healthz"})
TITLES = {403: "Not allowed", 404: "Not found", 503: "Try again later"}


def status_of(error: BizmapError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


def register(app: FastAPI) -> None:
    """Install the handlers on ``app``."""
    app.add_exception_handler(BizmapError, bizmap_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, request_invalid)  # type: ignore[arg-type]
    app.add_exception_handler(ClientDisconnect, client_gone)
    app.add_exception_handler(Exception, internal_error)


async def bizmap_error(request: Request, error: BizmapError) -> Response:
    response = await _refusal(request, error)
    retry_after = getattr(error, "retry_after_seconds", None)
    if retry_after is not None:  # a refusal for now (a full database): when to come back
        response.headers["Retry-After"] = str(retry_after)
    return response


async def _refusal(request: Request, error: BizmapError) -> Response:
    if isinstance(error, LoginRequired):
        return _to_login(request)
    status = status_of(error)
    if for_programs(request):
        if isinstance(error, EventError):
            return problem(status, error.message, field=error.field)
        if isinstance(error, ModelInvalid):
            return problem(status, str(error), problems=[str(p) for p in error.problems])
        return problem(status, str(error))
    viewer = await current_viewer(request)
    title = TITLES.get(status, "Refused")
    return render(request, "error.html", viewer, title=title, message=str(error), status_code=status)


async def http_error(request: Request, error: StarletteHTTPException) -> Response:
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    if for_programs(request):
        return problem(error.status_code, str(error.detail), headers=headers)
    viewer = await current_viewer(request)
    title = "Not found" if error.status_code == 404 else "Refused"
    message = str(error.detail)
    if message == "Not Found":  # no route at all: say which address
        message = f"There is no page at {request.url.path}: check the address, or start from the overview."
    page = render(request, "error.html", viewer, title=title, message=message, status_code=error.status_code)
    page.headers.update(headers)
    return page


async def request_invalid(request: Request, error: RequestValidationError) -> Response:
    """A parameter or body that FastAPI refused before the route ran."""
    if not for_programs(request):
        viewer = await current_viewer(request)
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "not valid"}
        where = ".".join(str(part) for part in first["loc"][1:]) or "the form"
        message = f"{where}: {first['msg']}"
        return render(request, "error.html", viewer, title="Refused", message=message, status_code=400)
    return validation_problem(error.errors(), skip=("body", "query", "path", "header", "cookie"))


def for_programs(request: Request) -> bool:
    """Whether the path is the API's (problem documents) rather than a page's (the error page)."""
    path = request.url.path
    return path.startswith(API_PREFIXES) or path in API_PATHS


def allowed_methods(request: Request) -> list[str]:
    """Every method some route takes on this request's path."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.path_regex.match(request.url.path):
            methods |= route.methods
    return sorted(methods)


async def internal_error(request: Request, error: Exception) -> Response:
    """A fault of bizmap's own (a bug): the same shape as every refusal, and the traceback in the
    log (the server re-raises it there); the request changed nothing that was not committed."""
    detail = "bizmap failed on this request (a bug, logged with its traceback); please report it"
    if for_programs(request):
        return problem(500, detail)
    return render(request, "error.html", None, title="Something went wrong", message=detail, status_code=500)


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
