"""The overview page: every business service as a tile, by impact, and the open incidents'
cost ticking up live. The numbers are ``live_updates.overview_snapshot``: the same documents
as ``GET /api/v1/services``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from bizmap.web.common import live
from bizmap.web.live_updates import overview_snapshot
from bizmap.web.sessions import ReadViewer
from bizmap.web.ui.render import STATE_WORDS, render
from bizmap.web.ui.text_filter import LONGEST, filter_words, kept


async def _snapshot(request: Request) -> dict[str, Any]:
    """The snapshot, its services narrowed to those the filter (``?q=``) names."""
    desk = getattr(request.app.state, "incident_desk", None)
    if desk is not None:
        await desk.refresh()  # as the incidents API does: the stored incidents follow the engine
    snapshot = overview_snapshot(live(request))
    query = request.query_params.get("q", "").strip()[:LONGEST]
    words = filter_words(query)
    every = snapshot["services"]
    snapshot["services"] = [s for s in every if kept(words, _searchable(s))]
    return snapshot | {"query": query, "service_count": len(every)}


def _searchable(service: dict[str, Any]) -> list[object]:
    state = STATE_WORDS.get(service["state"], service["state"])
    return [service["id"], service["name"], state, *service["root_causes"]]


def register(app: FastAPI) -> None:
    """Add this area's pages to ``app``."""

    @app.get("/ui/overview", include_in_schema=False)
    async def overview(request: Request, viewer: ReadViewer) -> Response:
        snapshot = await _snapshot(request)
        return render(request, "overview.html", viewer, title="Overview", active="overview", **snapshot)

    @app.get("/ui/overview/tiles", include_in_schema=False)
    async def overview_tiles(request: Request, viewer: ReadViewer) -> Response:
        """The tiles alone: the page swaps them in when the stream says something changed."""
        snapshot = await _snapshot(request)
        return render(request, "overview_tiles.html", viewer, title="Overview", **snapshot)
