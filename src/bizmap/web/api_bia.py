"""Business impact analysis over the HTTP API: answers in, assessment out (docs/bia.md).

The body is the questionnaire as JSON, the same keys as the YAML file; the assessment uses
the default thresholds and the running model's currency.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, FastAPI, HTTPException, Request
from pydantic import ValidationError

from bizmap.analytics.bia import assess_answers, assessment_document
from bizmap.web.common import ReadToken, live


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""

    @app.post("/api/v1/bia/assess", summary="Business impact analysis: answers to tier and recommendations")
    async def assess(
        request: Request, _: ReadToken, answers: Annotated[dict[str, Any], Body()]
    ) -> dict[str, Any]:
        graph = live(request).graph
        try:
            assessment = assess_answers(answers, currency=graph.currency)
        except ValidationError as error:
            problems = [
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in error.errors()
            ]
            raise HTTPException(422, {"message": "the answers are not valid", "problems": problems}) from None
        services = {graph.ids[facts.index] for facts in graph.services}
        if assessment.service not in services:
            raise HTTPException(422, f"service {assessment.service!r}: no such business service in the model")
        if assessment.currency != graph.currency:
            raise HTTPException(
                422, f"currency {assessment.currency}: the model counts in {graph.currency}; give money in it"
            )
        return assessment_document(assessment)
