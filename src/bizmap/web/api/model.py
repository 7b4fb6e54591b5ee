"""The model over HTTP: reload it without a restart (also on SIGHUP)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from bizmap.live.runtime import reload_model
from bizmap.web.common import AdminToken, ORJSONResponse, live
from bizmap.web.problems import problem


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""

    @app.post("/api/v1/model/reload", summary="Load the model again without a restart (also on SIGHUP)")
    async def post_reload(request: Request, token: AdminToken) -> Response:
        server = live(request)
        problems = await reload_model(server, token.name)
        if problems:
            return problem(
                422,
                f"the model is invalid ({len(problems)} problem{'s' if len(problems) != 1 else ''}, "
                f"the first: {problems[0]}); the previous model stays in force",
                problems=problems,
            )
        services = sum(server.graph.is_service)
        return ORJSONResponse({"reloaded": True, "nodes": len(server.graph), "services": services})
