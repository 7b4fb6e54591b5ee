"""The viewer's preferences kept by the browser: the zone the pages show times in
(``POST /ui/time-zone``, the select in the top bar; ``bizmap.web.time_zones`` reads it)."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response

from bizmap.web.sessions import CsrfChecked, ReadViewer, set_cookie
from bizmap.web.time_zones import CHOICES, COOKIE, cookie_value
from bizmap.web.ui.render import redirect, safe_next

YEAR = 365 * 86400


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""

    @app.post("/ui/time-zone", include_in_schema=False, dependencies=[CsrfChecked])
    async def choose_time_zone(request: Request, viewer: ReadViewer) -> Response:
        form = await request.form()
        choice, browser_zone, back = (str(form.get(name) or "") for name in ("zone", "browser_zone", "next"))
        kept = cookie_value(choice, browser_zone.strip())
        if kept is None:
            if choice == "browser":
                why = f"{browser_zone[:64]!r} is not a time zone (an IANA name such as Europe/London)"
                raise HTTPException(400, f"browser_zone: {why}")
            raise HTTPException(400, f"zone: {choice[:40]!r} is not one of {', '.join(CHOICES)}")
        response = redirect(safe_next(back))
        set_cookie(response, request, COOKIE, kept, YEAR)
        return response
