"""Logging in and out of the web UI: a token or a name and password, a session cookie, and a
throttle on failed attempts."""

from __future__ import annotations

import asyncio
import math

from fastapi import FastAPI, Request
from fastapi.responses import Response

from bizmap.storage.users import SESSION_SECONDS
from bizmap.web.common import READ, live
from bizmap.web.sessions import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfChecked,
    LoginThrottle,
    check_login_csrf,
    current_viewer,
    new_login_csrf,
    people,
    set_cookie,
)
from bizmap.web.ui.render import redirect, render, safe_next


def register(app: FastAPI) -> None:
    """Add the login, logout and root routes to ``app``."""

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
        # the peer, or the client a trusted proxy names (``bizmap serve --trusted-proxy``)
        address = request.client.host if request.client else "?"
        name = None if fields["token"].strip() else fields["name"].strip()  # None: a token login
        attempted = {"name": fields["name"][:100], "address": address}  # never the secret
        wait = throttle.wait_seconds(address, name, now)
        if wait > 0:
            minutes = max(1, math.ceil(wait / 60))
            await asyncio.to_thread(live(request).store.audit, "anonymous", "ui.login.throttled", attempted)
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
            throttle.failed(address, name, now)
            refused = {"via": "password" if name is not None else "token", **attempted}
            await asyncio.to_thread(live(request).store.audit, "anonymous", "ui.login.refused", refused)
            return _login_page(
                request,
                fields["next"],
                error="That did not work: check the token, or the name and password. "
                "Ingest tokens cannot log in.",
                status_code=401,
            )
        throttle.succeeded(address, name)
        session_id = await asyncio.to_thread(user_store.create_session, principal, via)
        response = redirect(safe_next(fields["next"]))
        set_cookie(response, request, SESSION_COOKIE, session_id, int(SESSION_SECONDS))
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        await asyncio.to_thread(
            live(request).store.audit, principal, "ui.login", {"via": via, "address": address}
        )
        return response

    @app.post("/logout", include_in_schema=False, dependencies=[CsrfChecked])
    async def logout(request: Request) -> Response:
        session_id = request.cookies.get(SESSION_COOKIE, "")
        await asyncio.to_thread(people(request).end_session, session_id)
        response = redirect("/login")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


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
