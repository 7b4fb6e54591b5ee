"""Business services now: state, cost, people and SLA (``service_json``, also the web UI's
live-update document)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response

from bizmap.domain.calendar import format_time
from bizmap.domain.states import State
from bizmap.engine.live_engine import ServiceNow
from bizmap.text import whole_seconds
from bizmap.web.common import ORJSONResponse, ReadToken, live


def service_json(service: ServiceNow, currency: str) -> dict[str, Any]:
    episode = service.current_episode
    sla = service.sla
    return {
        "id": service.id,
        "name": service.name,
        "state": service.state.label,
        "planned": service.planned,
        "root_causes": list(service.root_causes),
        "currency": currency,
        "cost_per_hour": round(service.cost_per_hour, 2),
        "cost_today": round(service.cost_today, 2),
        "cost_this_period": round(service.cost_this_period, 2),
        "users_affected": service.users_affected,
        "safety_critical": service.safety_critical,
        "episode": None
        if episode is None
        else {
            "start": format_time(episode.start),
            "worst_state": State(episode.worst_state).label,
            "counted_seconds": int(episode.counted_seconds),
            "cost": round(episode.cost, 2),
        },
        "sla": None
        if sla is None
        else {
            "period_start": format_time(sla.period_start),  # clipped: where measurement began
            "partial": service.sla_partial,  # the period began before the server's first event
            "no_data": service.measurement_start is None,  # no event yet: nothing measured
            "measured_seconds": int(sla.measured_seconds),
            "down_seconds": int(sla.down_seconds),
            "sli": None if service.measurement_start is None else round(sla.sli, 4),
            "target": sla.target,
            "budget_seconds": whole_seconds(service.sla_budget_seconds or 0),
            "budget_remaining_seconds": whole_seconds(service.sla_budget_remaining_seconds or 0),
        },
    }


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""

    @app.get("/api/v1/services", summary="Every business service now: state, cost, people, SLA")
    async def list_services(request: Request, _: ReadToken) -> Response:
        server = live(request)
        now = server.clock()
        services = [service_json(s, server.graph.currency) for s in server.engine.services_now(now)]
        services.sort(key=lambda s: (-s["cost_per_hour"], s["id"]))
        return ORJSONResponse({"at": format_time(now), "services": services})

    @app.get("/api/v1/services/{service_id}", summary="One business service now, with its dependencies")
    async def get_service(service_id: str, request: Request, _: ReadToken) -> Response:
        server = live(request)
        index = server.graph.index.get(service_id)
        if index is None or not server.graph.is_service[index]:
            raise HTTPException(404, f"no business service {service_id!r}")
        facts = server.graph.service_of[index]
        body = service_json(server.engine.service_now(facts, server.clock()), server.graph.currency)
        body["depends_on"] = [server.graph.ids[c] for c, _, _ in server.graph.children[index]]
        return ORJSONResponse(body)
