"""Live read API beyond services and events: nodes, what-if and single points of failure over
the live state, the audit log, and /metrics.

Every handler reads the engine on the event loop, where the ingest writer also applies
events, so a response never sees half an update. What-if works on a copy of the live own
states and never touches the engine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from pydantic import BaseModel, ConfigDict, ValidationError

from bizmap.analytics.spof import spof_document as cli_spof_document
from bizmap.analytics.whatif import impact_of, whatif_document
from bizmap.domain.calendar import format_time
from bizmap.domain.compile import EFFECT_NAMES, RULE_NAMES, CompiledGraph
from bizmap.domain.cost import cost_per_hour
from bizmap.domain.propagate import OK, Propagation, root_causes
from bizmap.domain.states import STATE_LABELS, State
from bizmap.errors import BizmapError
from bizmap.live.runtime import Live
from bizmap.web.common import AdminToken, ORJSONResponse, ReadToken, live, read_body
from bizmap.web.problems import body_problem, json_body, problem

METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
StateName = Literal["ok", "degraded", "unknown", "down"]


class WhatIfBody(BaseModel):
    """Hypothetical own states, set on top of the live ones."""

    model_config = ConfigDict(extra="forbid", strict=True)

    down: list[str] = []
    degraded: list[str] = []
    unknown: list[str] = []


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_LiveCollector(app))
    spof_cache: dict[str, Any] = {}

    @app.get("/api/v1/nodes", summary="Every node now: state, own state, signals, root causes")
    async def list_nodes(
        request: Request,
        _: ReadToken,
        state: Annotated[StateName | None, Query(description="Only nodes in this state.")] = None,
    ) -> Response:
        server = live(request)
        wanted = None if state is None else STATE_LABELS.index(state)
        current = server.engine.timeline.propagation.state
        nodes = [
            node_json(server, index)
            for index in range(len(server.graph))
            if wanted is None or current[index] == wanted
        ]
        return ORJSONResponse({"at": format_time(server.clock()), "nodes": nodes})

    @app.get("/api/v1/nodes/{node_id}", summary="One node now, with its children and parents")
    async def get_node(node_id: str, request: Request, _: ReadToken) -> Response:
        server = live(request)
        graph = server.graph
        index = graph.index.get(node_id)
        if index is None:
            raise HTTPException(404, f"no node {node_id!r}")
        body = node_json(server, index)
        body["rule"] = RULE_NAMES[graph.rule[index]]
        body["children"] = [
            _edge(graph, child, weight, effect) for child, weight, effect in graph.children[index]
        ]
        body["ignored_children"] = [graph.ids[child] for child in graph.ignored_children[index]]
        body["parents"] = [
            _edge(graph, parent, weight, effect) for parent, weight, effect in graph.parents[index]
        ]
        return ORJSONResponse(body)

    @app.post(
        "/api/v1/whatif",
        summary="What if these nodes failed now, on top of the live state?",
        openapi_extra=json_body(
            WhatIfBody, "The nodes to fail, by the state to give them (none: the live state).", required=False
        ),
    )
    async def post_whatif(request: Request, _: ReadToken) -> Response:
        server = live(request)
        raw = await read_body(request, server.settings.max_body_bytes)
        try:
            body = WhatIfBody.model_validate_json(raw or b"{}")
        except ValidationError as error:
            return body_problem(error)
        try:
            chosen = _hypothesis(server.graph, body)
        except _BadNode as error:
            return problem(422, error.message, field=error.field)
        propagation = live_copy(server)
        propagation.set_own(chosen)
        document = whatif_document(impact_of(server.graph, propagation))
        return ORJSONResponse({"currency": server.graph.currency, **document})

    @app.get("/api/v1/spof", summary="Single points of failure of the model, with what each costs")
    async def get_spof(request: Request, _: ReadToken) -> Response:
        graph = live(request).graph
        if spof_cache.get("graph") is not graph:  # the model is fixed while the server runs
            spof_cache["document"] = await asyncio.to_thread(spof_document, graph)
            spof_cache["graph"] = graph
        return ORJSONResponse(spof_cache["document"])

    @app.get("/api/v1/audit", summary="The audit log, newest first")
    async def get_audit(
        request: Request,
        _: AdminToken,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> Response:
        entries = await asyncio.to_thread(live(request).store.audit_log, limit)
        return ORJSONResponse(
            {
                "entries": [
                    {
                        "id": e.id,
                        "at": format_time(e.at),
                        "actor": e.actor,
                        "action": e.action,
                        "detail": e.detail,
                    }
                    for e in entries
                ]
            }
        )

    @app.get(
        "/metrics",
        summary="Prometheus metrics (text format 0.0.4)",
        response_class=Response,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    async def metrics(_: ReadToken) -> Response:
        return Response(generate_latest(registry), media_type=METRICS_CONTENT_TYPE)


def node_json(server: Live, index: int) -> dict[str, Any]:
    graph = server.graph
    timeline = server.engine.timeline
    propagation = timeline.propagation
    state = propagation.state[index]
    roots = root_causes(graph, propagation, index) if state != OK else []
    return {
        "id": graph.ids[index],
        "name": graph.names[index],
        "kind": "service" if graph.is_service[index] else "component",
        "state": STATE_LABELS[state],
        "own_state": STATE_LABELS[propagation.own[index]],
        "in_maintenance": timeline.in_maintenance(index),
        "signals": {
            key: STATE_LABELS[state] for key, state in sorted(timeline.signals.get(index, {}).items())
        },
        "root_causes": sorted(graph.ids[r] for r in roots),
    }


def live_copy(server: Live) -> Propagation:
    """A fresh propagation with the engine's current own states; the engine is not touched."""
    propagation = Propagation(server.graph)
    own = server.engine.timeline.propagation.own
    propagation.set_own({node: state for node, state in enumerate(own) if state != OK})
    return propagation


def spof_document(graph: CompiledGraph) -> dict[str, Any]:
    """``bizmap spof --json`` (semantics §5), plus the currency and, for each single point of a
    service, what that service alone loses an hour (its cost in the resulting state)."""
    facts = {graph.ids[s.index]: s for s in graph.services}
    document = cli_spof_document(graph)
    for service in document["services"]:
        for point in service["single_points"]:
            state = State[point["effect"].upper()]
            point["cost_per_hour"] = round(cost_per_hour(facts[service["id"]], int(state)), 2)
    return {"currency": graph.currency, **document}


class _BadNode(BizmapError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _hypothesis(graph: CompiledGraph, body: WhatIfBody) -> dict[int, int]:
    chosen: dict[int, State] = {}
    for state, names in (
        (State.DOWN, body.down),
        (State.DEGRADED, body.degraded),
        (State.UNKNOWN, body.unknown),
    ):
        for position, node_id in enumerate(names):
            field = f"{state.label}[{position}]"
            index = graph.index.get(node_id)
            if index is None:
                raise _BadNode(field, f"unknown node {node_id!r}")
            if chosen.get(index, state) != state:
                raise _BadNode(field, f"node {node_id!r} is given two states ({chosen[index]} and {state})")
            chosen[index] = state
    return {node: int(state) for node, state in chosen.items()}


def _edge(graph: CompiledGraph, node: int, weight: int, effect: int) -> dict[str, Any]:
    return {"id": graph.ids[node], "weight": weight, "effect": EFFECT_NAMES[effect]}


class _LiveCollector:
    """Reads the writer's counters and the engine's services at scrape time."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app

    def collect(self) -> Iterator[Metric]:
        server: Live | None = getattr(self._app.state, "live", None)
        if server is None:  # not started yet
            return
        writer = server.writer
        yield _counter("bizmap_events_ingested", "Events stored (matched or not).", writer.stored)
        yield _counter(
            "bizmap_events_duplicate", "Events refused as retries of stored ids.", writer.duplicates
        )
        yield _counter("bizmap_events_unmatched", "Events stored that fitted no node.", writer.unmatched)
        state = GaugeMetricFamily(
            "bizmap_service_state",
            "Business service state: 0 ok, 1 degraded, 2 unknown, 3 down.",
            labels=["service"],
        )
        cost = GaugeMetricFamily(
            "bizmap_service_cost_per_hour",
            "What the business service's current state costs per hour.",
            labels=["service", "currency"],
        )
        people = GaugeMetricFamily(
            "bizmap_service_users_affected",
            "People who cannot work normally because of the service now (semantics §3).",
            labels=["service"],
        )
        period_cost = GaugeMetricFamily(
            "bizmap_service_cost_this_period",
            "Downtime cost since the start of the current SLA period (the month without an SLA).",
            labels=["service", "currency"],
        )
        sli = GaugeMetricFamily(
            "bizmap_service_sli_percent",
            "Availability of the current SLA period so far, in percent (services with an SLA).",
            labels=["service"],
        )
        budget = GaugeMetricFamily(
            "bizmap_service_error_budget_remaining_seconds",
            "Error budget left of the time measured so far this SLA period (negative: overspent).",
            labels=["service"],
        )
        currency = server.graph.currency
        for service in server.engine.services_now(server.clock()):
            state.add_metric([service.id], int(service.state))
            cost.add_metric([service.id, currency], round(service.cost_per_hour, 2))
            people.add_metric([service.id], service.users_affected)
            period_cost.add_metric([service.id, currency], round(service.cost_this_period, 2))
            if service.sla is not None and service.sla_budget_remaining_seconds is not None:
                sli.add_metric([service.id], service.sla.sli)
                budget.add_metric([service.id], service.sla_budget_remaining_seconds)
        yield from (state, cost, people, period_cost, sli, budget)
        yield GaugeMetricFamily(
            "bizmap_open_incidents",
            "Incidents open now (business services non-ok, unplanned).",
            value=len(server.engine.incidents.open_incidents()),
        )
        yield GaugeMetricFamily(
            "bizmap_last_commit_seconds",
            "How long the last commit of ingested events took.",
            value=writer.last_commit_seconds,
        )


def _counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, value=value)
