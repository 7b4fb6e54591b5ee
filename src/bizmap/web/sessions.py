"""Who is looking at a web page: login sessions, roles and CSRF protection for the UI.

A session is made at ``/login`` (an API token of role read, operate or admin, or a user's
name and password; ``bizmap.storage.users``) and carried by the ``bizmap_session`` cookie:
HttpOnly, SameSite=Strict, Secure when the page came over https. Its CSRF token is derived
from the session id (a keyed hash: nothing more to store) and must come back with every
POST, as the form field ``csrf_token`` or the header ``X-CSRF-Token``; the login form itself
uses a double-submit cookie. The API (``/api/...``) keeps its bearer tokens and needs none
of this: a browser never sends those by itself.

Page routes use the dependencies below:

    @app.get("/ui/thing")
    async def thing(request: Request, viewer: ReadViewer) -> Response: ...

    @app.post("/ui/thing", dependencies=[CsrfChecked])
    async def change(request: Request, viewer: OperateViewer) -> Response: ...
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response

from bizmap.errors import BizmapError
from bizmap.storage.users import SessionInfo, UserStore
from bizmap.web.common import ADMIN, OPERATE, READ, live

SESSION_COOKIE = "bizmap_session"
LOGIN_CSRF_COOKIE = "bizmap_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Viewer:
    """The person behind a page request."""

    name: str  # a user's name, or the name of the token they logged in with
    role: str  # read | operate | admin
    via: str  # password | token
    csrf_token: str  # put it in every form (``csrf_field`` in templates does)

    def may(self, roles: frozenset[str]) -> bool:
        return self.role in roles

    @property
    def may_operate(self) -> bool:
        return self.role in OPERATE


class LoginRequired(BizmapError):
    """No live session: the page answers with a redirect to ``/login?next=...``."""


class PageForbidden(BizmapError):
    """Logged in, but the role may not do this: the page answers 403 saying which roles may."""

    def __init__(self, viewer: Viewer, roles: frozenset[str]) -> None:
        super().__init__(
            f"{viewer.name} has the role {viewer.role}; this needs one of: {', '.join(sorted(roles))}"
        )


def csrf_for(session_id: str) -> str:
    """The CSRF token of a session: a keyed hash of its id (unguessable without the cookie)."""
    return hmac.new(session_id.encode(), b"bizmap-csrf", hashlib.sha256).hexdigest()


def people(request: Request) -> UserStore:
    """The users and sessions of the running server's database."""
    server = live(request)
    found: UserStore | None = getattr(request.app.state, "user_store", None)
    if found is None or found.engine is not server.store.engine:
        found = UserStore(server.store.engine, clock=server.clock)
        request.app.state.user_store = found
    return found


async def current_viewer(request: Request) -> Viewer | None:
    """The viewer of this request, or None without a live session (looked up once per request)."""
    if hasattr(request.state, "viewer"):
        cached: Viewer | None = request.state.viewer
        return cached
    viewer = None
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        info: SessionInfo | None = await asyncio.to_thread(people(request).session, session_id)
        if info is not None:
            viewer = Viewer(info.principal, info.role, info.via, csrf_for(session_id))
    request.state.viewer = viewer
    return viewer


def require_viewer(roles: frozenset[str]) -> Any:
    """A dependency: the viewer, who must be logged in with one of ``roles``."""

    async def check(request: Request) -> Viewer:
        viewer = await current_viewer(request)
        if viewer is None:
            raise LoginRequired()
        if not viewer.may(roles):
            raise PageForbidden(viewer, roles)
        return viewer

    return check


async def check_csrf(request: Request) -> None:
    """Refuse (403) a POST whose CSRF token is missing or wrong; use on every page POST."""
    viewer = await current_viewer(request)
    if viewer is None:
        raise LoginRequired()
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()  # Starlette keeps it: the route reads the same form
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, viewer.csrf_token):
        raise HTTPException(403, "this form is missing its CSRF token or it is stale: reload the page")


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


async def check_login_csrf(request: Request) -> None:
    """The login form's double-submit check: the form field equals the cookie set with the form."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not isinstance(sent, str) or not cookie or not hmac.compare_digest(sent, cookie):
        raise HTTPException(403, "the login form is missing its CSRF token or it is stale: reload the page")


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    """HttpOnly, SameSite=Strict, and Secure when served over https."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


ReadViewer = Annotated[Viewer, Depends(require_viewer(READ))]
OperateViewer = Annotated[Viewer, Depends(require_viewer(OPERATE))]
AdminViewer = Annotated[Viewer, Depends(require_viewer(ADMIN))]
CsrfChecked: Any = Depends(check_csrf)


class LoginThrottle:
    """Failed logins, counted so that passwords and tokens cannot be guessed at the server's
    speed, and so that nobody can lock somebody else out.

    - A name and password count per (name, address) pair: after ``max_failures`` within
      ``window_seconds``, that name must wait ``lockout_seconds`` at that address. Colleagues
      behind the same address (an office's NAT), and the same person from elsewhere, go on.
    - A token (no name) counts per address, ``max_failures`` likewise; it holds token logins
      from that address only.
    - Every failure also counts towards its address's ceiling, ``max_failures_per_address``:
      a guesser spraying many names from one address is held for every name and token.

    There is no count per name alone: it would let anyone lock a user out from anywhere.
    A success clears its own pair (or its address's token count), never the address's
    ceiling, so logging in to an account of one's own between guesses gains nothing. Kept in
    memory: a restart forgets it, which costs a guesser a restart's worth of tries at most.
    """

    def __init__(
        self,
        max_failures: int = 5,
        max_failures_per_address: int = 50,
        window_seconds: float = 300.0,
        lockout_seconds: float = 300.0,
    ) -> None:
        self.max_failures = max_failures
        self.max_failures_per_address = max_failures_per_address
        self.window_seconds = window_seconds
        self.lockout_seconds = lockout_seconds
        self._failures: dict[tuple[str, ...], list[float]] = {}  # key -> times of its recent failures
        self._locked_until: dict[tuple[str, ...], float] = {}

    def wait_seconds(self, address: str, name: str | None, now: float) -> float:
        """How long a login as ``name`` (None: with a token) from ``address`` must wait (0: go ahead)."""
        waits = [self._locked_until.get(key, now) - now for key, _ in self._counted(address, name)]
        return max(0.0, *waits)

    def failed(self, address: str, name: str | None, now: float) -> None:
        if len(self._failures) > 10_000:  # a flood of addresses or names: keep only what is recent
            self._forget_before(now - self.window_seconds)
        for key, limit in self._counted(address, name):
            recent = [t for t in self._failures.get(key, []) if t > now - self.window_seconds]
            recent.append(now)
            self._failures[key] = recent
            if len(recent) >= limit:
                self._locked_until[key] = now + self.lockout_seconds
                self._failures[key] = []

    def succeeded(self, address: str, name: str | None) -> None:
        own, _ = self._counted(address, name)[0]
        self._failures.pop(own, None)
        self._locked_until.pop(own, None)

    def _counted(self, address: str, name: str | None) -> list[tuple[tuple[str, ...], int]]:
        """The keys a login counts under, each with its limit: its own first, then the address."""
        own = ("token", address) if name is None else ("name", name[:256], address)
        return [(own, self.max_failures), (("address", address), self.max_failures_per_address)]

    def _forget_before(self, instant: float) -> None:
        self._failures = {k: v for k, v in self._failures.items() if v and v[-1] > instant}
        self._locked_until = {k: t for k, t in self._locked_until.items() if t > instant}
