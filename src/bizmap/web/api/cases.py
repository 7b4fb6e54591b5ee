"""Business cases over the HTTP API: ``POST /api/v1/cases/evaluate`` answers the document of
``bizmap case --json`` (semantics §8) for a case sent as the JSON body."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Body, FastAPI, Query
from fastapi.responses import Response

from bizmap.decisions.case.checks import CaseInvalid, CaseIssue, parse_case, render_path
from bizmap.web.common import ORJSONResponse, ReadToken
from bizmap.web.problems import problem

MAX_API_RUNS = 100_000  # a request must not hold a core for long


def _refused(issues: list[CaseIssue]) -> Response:
    listed = [{"field": render_path(i.path) or "body", "detail": i.message} for i in issues]
    first = listed[0]
    return problem(
        422,
        f"the case is invalid, nothing was computed: {first['field']}: {first['detail']}",
        field=first["field"],
        errors=listed,
    )


def register(app: FastAPI) -> None:
    @app.post(
        "/api/v1/cases/evaluate",
        summary="A business case: NPV, IRR, ROI, payback; Monte Carlo and tornado on request",
    )
    async def evaluate_case(
        _: ReadToken,
        case: Annotated[
            dict[str, Any],
            Body(description="The case as in a case file (semantics §8); per_year instead of per_year_from."),
        ],
        simulate_runs: Annotated[
            int | None, Query(alias="simulate", ge=1, le=MAX_API_RUNS, description="Monte Carlo runs.")
        ] = None,
        seed: Annotated[int | None, Query(ge=0, description="Monte Carlo seed (default 0).")] = None,
        with_tornado: Annotated[bool, Query(alias="tornado", description="Add the tornado.")] = False,
        cash_flows: Annotated[
            bool, Query(description="Add the currency and the cash flows by year.")
        ] = False,
    ) -> Response:
        if seed is not None and simulate_runs is None:
            return problem(422, "seed applies to the Monte Carlo: give simulate=N as well", field="seed")
        try:
            spec = parse_case(case)
        except CaseInvalid as invalid:
            return _refused(invalid.issues)
        unresolved = [
            CaseIssue(
                ("benefits", i, "per_year_from"),
                "the API reads no files on the server: send per_year with the dial's "
                "downtime_cost_avoided_per_year instead",
            )
            for i, b in enumerate(spec.benefits)
            if b.per_year_from is not None
        ]
        if seed is not None and simulate_runs is None:
            unresolved.append(
                CaseIssue(("seed",), "seed applies to the Monte Carlo: give simulate=N as well")
            )
        if unresolved:
            return _refused(unresolved)

        def compute() -> dict[str, Any]:
            # numpy and scipy load with the first case, not with the server
            from bizmap.decisions.case.appraisal import evaluate
            from bizmap.decisions.case.document import case_document
            from bizmap.decisions.case.sensitivity import tornado
            from bizmap.decisions.case.simulation import simulate

            result = evaluate(spec)
            simulation = simulate(spec, simulate_runs, seed or 0) if simulate_runs is not None else None
            chart = tornado(spec) if with_tornado else None
            return case_document(result, simulation, chart, cash_flows)

        return ORJSONResponse(await asyncio.to_thread(compute))
