"""The web UI: server-rendered pages (Jinja2), live over server-sent events; the foundation.

This module owns what every page shares: the template environment and the ``render``
helper, the navigation and the static assets (login and logout are ``login``; the handlers
that turn "not logged in" into a redirect and "wrong role" into a 403 page are
``bizmap.web.errors``). Each group of pages lives in its own module of ``bizmap.web.ui`` with
a ``register(app)`` function, listed in ``bizmap.web.app.AREAS`` (``analysis``: what-if and
single points of failure; ``operations``: events, model/catalog, maintenance).

How to add a page (say ``/ui/spof`` in ``ui/analysis.py``)::

    from fastapi import FastAPI, Request
    from fastapi.responses import Response
    from bizmap.web.common import live
    from bizmap.web.ui.render import render
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
- CSV: mark a table ``<table data-csv="name">`` and put ``{{ csv_link("name", "what it lists") }}``
  by it: the page's address with ``csv=name`` answers that table as a file
  (``bizmap.web.ui.csv_tables``: ``data-csv`` on a cell for its raw figure, ``data-csv-skip``
  on a row or column heading to leave it out).
- Filters: ``money(currency)``, ``duration``, ``time`` (POSIX seconds or RFC 3339 text -> "3 Dec
  2026 08:33:02 GMT" in the viewer's zone, ``bizmap.web.time_zones``), ``iso_time`` (-> UTC
  ``...Z``, for ``<time datetime>``), ``state_word`` (ok -> "Working", ...); globals: ``static(path)``.
- Static files: ``web/static/`` at ``/static/``; vendored htmx 2 and Cytoscape.js in
  ``static/vendor/`` (see the LICENSE files there); ``static/app.css`` styles every page.
- Browser tests: ``tests/ui/conftest.py`` gives ``browser`` (Debian's Chromium, headless),
  ``server`` (a real ``bizmap serve`` on a free port with SQLite, tokens of every role and a
  user per role; ``server.post_events([...])``) and ``logged_in_page`` (a Playwright page
  logged in as an operator); ``shoot(page, "name")`` saves a screenshot under
  ``tests/ui/artifacts/``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from bizmap.domain.calendar import format_time
from bizmap.text import duration_text, money_text, zoned_time
from bizmap.web.sessions import (
    Viewer,
)
from bizmap.web.time_zones import CHOICES, viewer_time_zone

HERE = Path(__file__).resolve().parent.parent  # bizmap/web
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


def _seconds(value: float | str) -> float:
    """POSIX seconds from seconds or RFC 3339 text (the API's documents carry text)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return value


@pass_context
def _time_on_page(context: Context, value: float | str) -> str:
    """The time in the viewer's zone, to the second, the zone named: 3 Dec 2026 08:33:02 GMT."""
    choice = context.get("time_zone")
    return zoned_time(_seconds(value), choice.zone if choice is not None else "UTC")


def _id_list(ids: Iterable[str]) -> Markup:
    """Ids separated by commas, each kept whole on a line (``.id-list .id`` in app.css)."""
    return Markup(", ").join(Markup('<span class="id">{}</span>').format(item) for item in ids)


@pass_context
def _csv_link(context: Context, name: str, what: str) -> Markup:
    """The link to this page's table ``name`` as a CSV file (``bizmap.web.ui.csv_tables``)."""
    request: Request = context["request"]
    query = [(key, value) for key, value in request.query_params.multi_items() if key != "csv"]
    href = f"{request.url.path}?{urlencode([*query, ('csv', name)])}"
    return Markup('<a class="csv-link" href="{}" download>CSV<span class="sr-only"> of {}</span></a>').format(
        href, what
    )


templates.filters["ids"] = _id_list
templates.globals["csv_link"] = _csv_link
templates.filters["time"] = _time_on_page
templates.filters["iso_time"] = lambda value: format_time(math.floor(_seconds(value)))  # <time datetime>
templates.filters["state_word"] = lambda state: STATE_WORDS.get(state, state)
templates.globals["static"] = lambda path: f"/static/{path}"
templates.globals["navigation"] = NAVIGATION
templates.globals["time_zone_choices"] = CHOICES


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
        time_zone=viewer_time_zone(request),
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
