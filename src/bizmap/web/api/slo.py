"""SLOs over the HTTP API: ``GET /api/v1/slo`` (burn rates and alerts per business service)
and the live burn-rate alerts (``bizmap.live.burn_alerts``) started with the server."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from bizmap.domain.calendar import format_time
from bizmap.domain.compile import ServiceFacts
from bizmap.live.burn_alerts import all_burns
from bizmap.live.runtime import Live
from bizmap.slo.burn_rate import BurnReport
from bizmap.web.common import ORJSONResponse, ReadToken, live


def slo_json(server: Live, facts: ServiceFacts, report: BurnReport) -> dict[str, Any]:
    sla = facts.sla
    assert sla is not None
    return {
        "id": server.graph.ids[facts.index],
        "name": server.graph.names[facts.index],
        "sla": {
            "target": sla.target,
            "period": sla.period,
            "calendar": facts.sla_calendar,
            "degraded_counts_as": sla.degraded_counts_as,
        },
        "period_start": format_time(report.period_start),
        "period_end": format_time(report.period_end),
        "period_counted_seconds": int(report.period_counted_seconds),
        "windows": [
            {
                "name": w.name,
                "counted_seconds": int(w.counted_seconds),
                "start": format_time(w.start),
                "measured_seconds": int(w.measured_seconds),
                "down_seconds": int(w.down_seconds),
                "burn_rate": round(w.burn_rate, 4),
            }
            for w in report.windows
        ],
        "alerts": [
            {
                "name": a.policy.name,
                "severity": a.policy.severity,
                "threshold": a.policy.threshold,
                "long_window": a.long.name,
                "short_window": a.short.name,
                "firing": a.firing,
            }
            for a in report.alerts
        ],
        "firing": [a.policy.name for a in report.firing],
    }


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""

    @app.get("/api/v1/slo", summary="Per business service with an SLA: burn rates per window, alerts firing")
    async def list_slo(request: Request, _: ReadToken) -> Response:
        server = live(request)
        now = server.clock()
        services = [slo_json(server, facts, report) for facts, report in all_burns(server, now)]
        services.sort(key=lambda s: s["id"])
        return ORJSONResponse({"at": format_time(max(now, server.engine.now)), "services": services})
