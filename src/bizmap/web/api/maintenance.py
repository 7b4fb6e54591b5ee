"""Maintenance windows through the API: list, add, end early. Windows in the model are
listed too, but changed only by editing the model."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bizmap.domain.calendar import format_time
from bizmap.live.runtime import Live
from bizmap.web.common import OperateToken, ORJSONResponse, ReadToken, live


class NewWindow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nodes: list[str] = Field(min_length=1, description="Every node the work touches.")
    start: AwareDatetime
    end: AwareDatetime
    reason: str = Field(min_length=1)
    id: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9._-]*$")


def _window(id: str, nodes: Any, start: float, end: float, reason: str | None, source: str) -> dict[str, Any]:
    return {
        "id": id,
        "nodes": list(nodes),
        "start": format_time(start),
        "end": format_time(end),
        "reason": reason,
        "source": source,
    }


def register(app: FastAPI) -> None:
    @app.get("/api/v1/maintenance", summary="Maintenance windows, from the model and added through the API")
    async def list_windows(request: Request, _: ReadToken) -> Response:
        return ORJSONResponse({"windows": await list_maintenance_windows(live(request))})

    @app.post("/api/v1/maintenance", status_code=201, summary="Add a maintenance window (planned work)")
    async def add_window(body: NewWindow, request: Request, token: OperateToken) -> Response:
        window = await add_maintenance_window(live(request), body, token.name)
        return ORJSONResponse(window, status_code=201)

    @app.delete("/api/v1/maintenance/{window_id}", summary="End a maintenance window now (or cancel it)")
    async def end_window(window_id: str, request: Request, token: OperateToken) -> Response:
        await end_maintenance_window(live(request), window_id, token.name)
        return ORJSONResponse({"ended": window_id})


async def list_maintenance_windows(server: Live) -> list[dict[str, Any]]:
    """Every window, from the model and added through the API or the web UI, by start."""
    stored = await asyncio.to_thread(server.store.list_maintenance)
    windows = [
        _window(
            w.id,
            [server.graph.ids[n] for n in w.nodes],
            w.start.timestamp(),
            w.end.timestamp(),
            w.reason,
            "model",
        )
        for w in server.graph.maintenance
    ] + [_window(w.id, w.nodes, w.start, w.end, w.reason, "api") for w in stored]
    windows.sort(key=lambda w: (w["start"], w["id"]))
    return windows


async def add_maintenance_window(server: Live, body: NewWindow, actor: str) -> dict[str, Any]:
    """Store a window, put it into the engine and the audit log (the API and the web UI).

    Refusals are ``HTTPException``s whose detail names the field.
    """
    unknown = [node for node in body.nodes if node not in server.graph.index]
    if unknown:
        raise HTTPException(422, f"nodes: unknown node(s) {', '.join(map(repr, unknown))}")
    start, end = body.start.timestamp(), body.end.timestamp()
    if end <= start:
        raise HTTPException(422, "end: must be after start")
    if body.id is not None and any(w.id == body.id for w in server.graph.maintenance):
        raise HTTPException(409, f"id: {body.id!r} is a window of the model")
    async with server.writer.paused():  # stored at its place among the events, for a restart
        engine = server.engine
        try:
            window = await asyncio.to_thread(
                functools.partial(
                    server.store.add_maintenance,
                    body.nodes,
                    start,
                    end,
                    body.reason,
                    actor,
                    body.id,
                    after_seq=engine.applied_seq,
                    at_clock=engine.now,
                )
            )
        except ValueError as error:
            raise HTTPException(409, f"id: {error}") from None
        engine.add_maintenance(window.id, window.nodes, start, end)
    server.windows_changed()  # a window that starts later, or now, begins on time
    await asyncio.to_thread(
        server.store.audit,
        actor,
        "maintenance.add",
        {"id": window.id, "nodes": list(window.nodes), "reason": body.reason},
    )
    return _window(window.id, window.nodes, start, end, window.reason, "api")


async def end_maintenance_window(server: Live, window_id: str, actor: str) -> None:
    """End a window now: out of the store and the engine, into the audit log."""
    if any(w.id == window_id for w in server.graph.maintenance):
        raise HTTPException(409, f"{window_id!r} is a window of the model: edit the model to change it")
    async with server.writer.paused():  # stored at its place among the events, for a restart
        engine = server.engine
        ended = await asyncio.to_thread(
            functools.partial(
                server.store.end_maintenance, window_id, after_seq=engine.applied_seq, at_clock=engine.now
            )
        )
        if not ended:
            raise HTTPException(404, f"no maintenance window {window_id!r}")
        engine.end_maintenance(window_id)
    server.windows_changed()
    await asyncio.to_thread(server.store.audit, actor, "maintenance.end", {"id": window_id})
