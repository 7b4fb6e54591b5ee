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
from bizmap.web.ui.render import render


async def _snapshot(request: Request) -> dict[str, Any]:
    desk = getattr(request.app.state, "incident_desk", None)
    if desk is not None:
        await desk.refresh()  # as the incidents API does: the stored incidents follow the engine
    return overview_snapshot(live(request))


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
