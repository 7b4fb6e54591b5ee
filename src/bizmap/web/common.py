"""What every part of the HTTP API shares: the running server (``live``), tokens and roles,
body limits and JSON responses."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from bizmap.live.runtime import Live
from bizmap.storage.store import TokenInfo

READ = frozenset({"read", "operate", "admin"})
INGEST = frozenset({"ingest", "admin"})
OPERATE = frozenset({"operate", "admin"})
ADMIN = frozenset({"admin"})
_TOKEN_CACHE_SECONDS = 10.0


class ORJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def live(request: Request) -> Live:
    state: Live = request.app.state.live
    return state


async def authorize(request: Request, roles: frozenset[str]) -> TokenInfo:
    """The bearer token's holder, if it has one of ``roles``; else 401 or 403."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            401, "missing token: send Authorization: Bearer TOKEN", headers={"WWW-Authenticate": "Bearer"}
        )
    server = live(request)
    cached = server.token_cache.get(token)
    if cached is not None and cached[0] > time.monotonic():
        info = cached[1]
    else:
        info = await asyncio.to_thread(server.store.verify_token, token.strip())
        server.token_cache[token] = (time.monotonic() + _TOKEN_CACHE_SECONDS, info)
    if info is None:
        raise HTTPException(401, "invalid or revoked token", headers={"WWW-Authenticate": "Bearer"})
    if info.role not in roles:
        raise HTTPException(
            403,
            f"{'an' if info.role[:1] in 'aeiou' else 'a'} {info.role} token may not do this; "
            f"it needs one of: {', '.join(sorted(roles))}",
        )
    return info


def require(roles: frozenset[str]) -> Callable[..., Any]:
    """A dependency that admits a bearer token with one of ``roles``."""

    async def check(request: Request) -> TokenInfo:
        return await authorize(request, roles)

    return check


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"body of {declared} bytes is larger than the limit of {limit}")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"body is larger than the limit of {limit} bytes")
    return body


ReadToken = Annotated[TokenInfo, Depends(require(READ))]
IngestToken = Annotated[TokenInfo, Depends(require(INGEST))]
OperateToken = Annotated[TokenInfo, Depends(require(OPERATE))]
AdminToken = Annotated[TokenInfo, Depends(require(ADMIN))]
