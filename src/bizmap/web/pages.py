"""The web UI: server-rendered pages (Jinja2), live over server-sent events; the foundation.

This module owns what every page shares: the template environment and the ``render``
helper, the navigation, the static assets, login and logout, and the handlers that turn
"not logged in" into a redirect and "wrong role" into a 403 page. Each group of pages lives
in its own ``pages_*.py`` module with a ``register(app)`` function that ``register`` below
calls (``pages_analysis``: what-if and single points of failure; ``pages_operations``:
events, model/catalog, maintenance).

How to add a page (say ``/ui/spof`` in ``pages_analysis.py``)::

    from fastapi import FastAPI, Request
    from fastapi.responses import Response
    from bizmap.web.common import live
    from bizmap.web.pages import render
    from bizmap.web.sessions import CsrfChecked, OperateViewer, ReadViewer

    def register(app: FastAPI) -> None:
        @app.get("/ui/spof")
        async def spof_page(request: Request, viewer: ReadViewer) -> Response:
            server = live(request)            # engine, graph, store: read on the event loop
            return render(request, "spof.html", viewer, title="Single points of failure",
                          active="spof", rows=...)

        @app.post("/ui/maintenance", dependencies=[CsrfChecked])   # EVERY page POST has it
        async def add_window(request: Request, viewer: OperateViewer) -> Response:
            form = await request.form()
            ...
            return redirect("/ui/maintenance")  # 303: post/redirect/get

- The current user: a route parameter typed ``ReadViewer``, ``OperateViewer`` or
  ``AdminViewer`` (``bizmap.web.sessions``) both requires the role and gives the
  ``Viewer`` (``name``, ``role``, ``via``, ``csrf_token``, ``may(roles)``, ``may_operate``).
  Without a session the browser is sent to ``/login?next=<the page>``; with too small a role
  it gets a 403 page naming the roles that may. Templates see it as ``viewer``.
- Templates go in ``web/templates/``: start with ``{% extends "base.html" %}`` and fill
  ``{% block content %}`` (and ``{% block scripts %}`` for page scripts, as
  ``<script src="{{ static('page.js') }}" defer></script>``: the Content-Security-Policy
  allows scripts from /static only, no inline script; pass data to scripts with
  ``<script type="application/json" id="x">{{ data|tojson }}</script>``).
  ``active`` names the navigation entry to highlight (the keys of ``NAVIGATION``).
  Autoescape is on: never use ``|safe`` on anything from events or the model.
- Forms: every ``<form method="post">`` carries
  ``<input type="hidden" name="csrf_token" value="{{ csrf_token }}">``; htmx requests send
  the header ``X-CSRF-Token`` (``base.html`` sets ``hx-headers`` on ``<body>``). A page POST
  without it is refused with 403 by ``CsrfChecked``; a test checks every non-API POST route
  depends on it.
- Filters: ``money(currency)``, ``duration``, ``time`` (POSIX seconds -> UTC ``...Z``, whole
  seconds), ``state_word`` (ok -> "Working", ...); globals: ``static(path)``.
- Static files: ``web/static/`` at ``/static/``; vendored htmx 2 and Cytoscape.js in
  ``static/vendor/`` (see the LICENSE files there); ``static/app.css`` styles every page.
- Browser tests: ``tests/ui/conftest.py`` gives ``browser`` (Debian's Chromium, headless),
  ``server`` (a real ``bizmap serve`` on a free port with SQLite, tokens of every role and a
  user per role; ``server.post_events([...])``) and ``logged_in_page`` (a Playwright page
  logged in as an operator); ``shoot(page, "name")`` saves a screenshot under
  ``tests/ui/artifacts/``.
"""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from bizmap.cli_common import duration_text, money_text
from bizmap.domain.calendar import format_time
from bizmap.storage.users import SESSION_SECONDS
from bizmap.web.common import READ, live
from bizmap.web.sessions import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfChecked,
    LoginRequired,
    LoginThrottle,
    PageForbidden,
    Viewer,
    check_login_csrf,
    current_viewer,
    new_login_csrf,
    people,
    set_cookie,
)

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

# (key, URL, label): the navigation on every page, in this order
NAVIGATION = (
    ("overview", "/ui/overview", "Overview"),
    ("incidents", "/ui/incidents", "Incidents"),
    ("whatif", "/ui/whatif", "What-if"),
    ("spof", "/ui/spof", "Single points of failure"),
    ("events", "/ui/events", "Events"),
    ("model", "/ui/model", "Model"),
    ("maintenance", "/ui/maintenance", "Maintenance"),
    ("reports", "/ui/reports", "Reports"),
    ("decisions", "/ui/decisions", "Decisions"),
    ("status", "/status", "Status page"),
)
STATE_WORDS = {"ok": "Working", "degraded": "Degraded", "unknown": "Unknown", "down": "Down"}

# Scripts only from this server (no inline script, no CDN); inline styles for SVG charts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

templates = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,  # a misspelt name is an error, not an empty string
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters["money"] = money_text
templates.filters["duration"] = duration_text
templates.filters["time"] = lambda seconds: format_time(math.floor(seconds))  # to the second
templates.filters["state_word"] = lambda state: STATE_WORDS.get(state, state)
templates.globals["static"] = lambda path: f"/static/{path}"
templates.globals["navigation"] = NAVIGATION


def render(
    request: Request,
    template: str,
    viewer: Viewer | None,
    *,
    title: str,
    active: str = "",
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page: ``template`` rendered inside the layout, with the viewer and CSRF token."""
    html = templates.get_template(template).render(
        request=request,
        viewer=viewer,
        csrf_token=viewer.csrf_token if viewer is not None else "",
        title=title,
        active=active,
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=page_headers())


def page_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


def redirect(url: str) -> RedirectResponse:
    """Post/redirect/get: a 303 to ``url``."""
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None) -> str:
    """Where to go after login: a path on this server only (never another site)."""
    if not url:
        return "/ui/overview"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/ui/overview"
    return url


def register(app: FastAPI) -> None:
    """Add the UI's routes to ``app``: the foundation, then every page module."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method == "GET" and request.headers.get("sec-fetch-site") == "cross-site":
            # A link from another site (chat, e-mail) does not carry a SameSite=Strict
            # cookie; one hop from this site's own page does, so ask the browser to come back.
            return HTMLResponse(
                templates.get_template("rehop.html").render(target=target), headers=page_headers()
            )
        return redirect("/login?next=" + quote(target, safe="/"))

    @app.exception_handler(PageForbidden)
    async def forbidden(request: Request, error: PageForbidden) -> Response:
        viewer = await current_viewer(request)
        return render(request, "error.html", viewer, title="Not allowed", message=str(error), status_code=403)

    @app.exception_handler(StarletteHTTPException)
    async def page_errors(request: Request, error: StarletteHTTPException) -> Response:
        if not request.url.path.startswith("/ui/"):  # the API keeps its JSON errors
            return await http_exception_handler(request, error)
        viewer = await current_viewer(request)
        title = "Not found" if error.status_code == 404 else "Refused"
        return render(
            request,
            "error.html",
            viewer,
            title=title,
            message=str(error.detail),
            status_code=error.status_code,
        )

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        return redirect("/ui/overview")

    @app.get("/ui", include_in_schema=False)
    async def ui_root() -> Response:
        return redirect("/ui/overview")

    @app.get("/login", include_in_schema=False)
    async def login_form(request: Request, next: str = "") -> Response:
        viewer = await current_viewer(request)
        if viewer is not None:
            return redirect(safe_next(next))
        return _login_page(request, next, error="")

    throttle = LoginThrottle()

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        await check_login_csrf(request)
        form = await request.form()
        fields = {key: str(form.get(key) or "") for key in ("token", "name", "password", "next")}
        user_store = people(request)
        now = live(request).clock()
        keys = [f"address:{request.client.host if request.client else '?'}"]
        if not fields["token"].strip() and fields["name"].strip():
            keys.append(f"name:{fields['name'].strip()[:100]}")
        wait = throttle.wait_seconds(keys, now)
        if wait > 0:
            minutes = max(1, math.ceil(wait / 60))
            await asyncio.to_thread(
                live(request).store.audit, "anonymous", "ui.login.throttled", {"name": fields["name"][:100]}
            )
            page = _login_page(
                request,
                fields["next"],
                error=f"Too many failed logins: try again in {minutes} minute{'s' if minutes > 1 else ''}.",
                status_code=429,
            )
            page.headers["Retry-After"] = str(math.ceil(wait))
            return page
        principal = via = None
        if fields["token"].strip():
            info = await asyncio.to_thread(live(request).store.verify_token, fields["token"].strip())
            if info is not None and info.role in READ:
                principal, via = info.name, "token"
        elif fields["name"].strip() and fields["password"]:
            user = await asyncio.to_thread(
                user_store.check_password, fields["name"].strip(), fields["password"]
            )
            if user is not None:
                principal, via = user.name, "password"
        if principal is None or via is None:
            throttle.failed(keys, now)
            how = "token" if fields["token"].strip() else "password"
            attempted = {"via": how, "name": fields["name"][:100]}  # never the secret
            await asyncio.to_thread(live(request).store.audit, "anonymous", "ui.login.refused", attempted)
            return _login_page(
                request,
                fields["next"],
                error="That did not work: check the token, or the name and password. "
                "Ingest tokens cannot log in.",
                status_code=401,
            )
        throttle.succeeded(keys)
        session_id = await asyncio.to_thread(user_store.create_session, principal, via)
        response = redirect(safe_next(fields["next"]))
        set_cookie(response, request, SESSION_COOKIE, session_id, int(SESSION_SECONDS))
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        await asyncio.to_thread(live(request).store.audit, principal, "ui.login", {"via": via})
        return response

    @app.post("/logout", include_in_schema=False, dependencies=[CsrfChecked])
    async def logout(request: Request) -> Response:
        session_id = request.cookies.get(SESSION_COOKIE, "")
        await asyncio.to_thread(people(request).end_session, session_id)
        response = redirect("/login")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # imported here: the page modules import ``render`` from this module
    from bizmap.web import (
        live_updates,
        pages_analysis,
        pages_decisions,
        pages_incidents,
        pages_operations,
        pages_overview,
        pages_reports,
        pages_services,
        pages_status,
    )

    for area in (
        pages_overview,
        pages_services,
        pages_incidents,
        pages_status,
        pages_analysis,
        pages_operations,
        pages_decisions,
        pages_reports,
        live_updates,
    ):
        area.register(app)


def _login_page(request: Request, next_url: str, error: str, status_code: int = 200) -> Response:
    token = new_login_csrf()
    response = render(
        request,
        "login.html",
        None,
        title="Log in",
        next_url=safe_next(next_url),
        error=error,
        login_csrf=token,
        status_code=status_code,
    )
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token, 3600)
    return response
