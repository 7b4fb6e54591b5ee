"""Availability modelling over the HTTP API (semantics §7): the live model's predicted
availability, optionally simulated, and the availability dial on a change document."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from bizmap.decisions.availability.dial import DialError, DialSpec, dial_document, turn_dial
from bizmap.decisions.availability.predict import availability_document, service_availability
from bizmap.domain.compile import CompiledGraph
from bizmap.web.common import ORJSONResponse, ReadToken, live, read_body
from bizmap.web.problems import body_problem, json_body, problem

YearQuery = Annotated[
    int | None,
    Query(ge=1900, le=9998, description="Calendar year whose service hours count (default: this year)."),
]


def _availability(graph: CompiledGraph, year: int, years: int | None, seed: int) -> dict[str, object]:
    document = availability_document(graph, year, service_availability(graph, year))
    if years is not None:
        from bizmap.decisions.availability.simulation import add_simulation, simulate  # numpy: on demand

        document = add_simulation(document, simulate(graph, years, seed, year), years, seed)
    return document


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""

    @app.get("/api/v1/availability", summary="Predicted availability and yearly downtime cost per service")
    async def get_availability(
        request: Request,
        _: ReadToken,
        year: YearQuery = None,
        simulate_years: Annotated[
            int | None, Query(alias="simulate", ge=1, le=10_000, description="Also simulate this many years.")
        ] = None,
        seed: Annotated[int, Query(ge=0, le=2**32 - 1, description="Random seed of the simulation.")] = 1,
    ) -> Response:
        graph = live(request).graph
        chosen = year if year is not None else datetime.now(UTC).year
        document = await asyncio.to_thread(_availability, graph, chosen, simulate_years, seed)
        return ORJSONResponse(document)

    @app.post(
        "/api/v1/availability/dial",
        summary="Availability and downtime cost before and after changes",
        openapi_extra=json_body(DialSpec, "A change document, as in a dial file (docs/availability.md)."),
    )
    async def post_dial(request: Request, _: ReadToken, year: YearQuery = None) -> Response:
        server = live(request)
        raw = await read_body(request, server.settings.max_body_bytes)
        try:
            dial = DialSpec.model_validate_json(raw or b"{}")
        except ValidationError as error:
            return body_problem(error)
        chosen = year if year is not None else datetime.now(UTC).year
        try:
            result = await asyncio.to_thread(turn_dial, server.graph, dial, chosen, "request body")
        except DialError as error:
            if error.index is None:
                field = ".".join(error.key) or "changes"
            else:
                field = ".".join(["changes", str(error.index), *error.key])
            return problem(422, error.message, field=field)
        return ORJSONResponse(dial_document(result))
