"""The body limit every request is held to, whatever route reads it.

Routes that read their body themselves (``read_body``) check the limit as they read; routes
whose body FastAPI decodes (a JSON parameter, a form) would read any size. ``BodyLimit`` wraps
every request's ``receive`` so that no route can read past ``max_body_bytes``: a declared
``Content-Length`` over the limit, or a stream that grows past it, ends in 413 (a problem on the
API, the error page under ``/ui/``) before the excess is held in memory.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """ASGI middleware: refuse with 413 a request body over the server's ``max_body_bytes``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        server = getattr(scope["app"].state, "live", None)
        if server is None:  # not started: nothing to read bodies into yet
            await self.app(scope, receive, send)
            return
        limit: int = server.settings.max_body_bytes
        declared = _content_length(scope)
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            if declared is not None and declared > limit:
                raise HTTPException(413, f"body of {declared} bytes is larger than the limit of {limit}")
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, f"body is larger than the limit of {limit} bytes")
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
