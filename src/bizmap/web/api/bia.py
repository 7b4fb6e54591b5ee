"""Business impact analysis over the HTTP API: answers in, assessment out (docs/bia.md).

The body is the questionnaire as JSON, the same keys as the YAML file, with an optional
``thresholds`` object (the keys of a thresholds file; the defaults for the rest). The
assessment is in the running model's currency.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, FastAPI, HTTPException, Request
from pydantic import ValidationError

from bizmap.decisions.bia.assess import assess_answers, assessment_document
from bizmap.decisions.bia.thresholds import Thresholds
from bizmap.web.common import ReadToken, live


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""

    @app.post("/api/v1/bia/assess", summary="Business impact analysis: answers to tier and recommendations")
    async def assess(
        request: Request, _: ReadToken, answers: Annotated[dict[str, Any], Body()]
    ) -> dict[str, Any]:
        graph = live(request).graph
        answers = dict(answers)
        try:
            thresholds = Thresholds.model_validate(answers.pop("thresholds", None) or {})
        except ValidationError as error:
            raise HTTPException(
                422, {"message": "the thresholds are not valid", "problems": _problems(error, "thresholds.")}
            ) from None
        try:
            assessment = assess_answers(answers, thresholds, currency=graph.currency)
        except ValidationError as error:
            raise HTTPException(
                422, {"message": "the answers are not valid", "problems": _problems(error)}
            ) from None
        services = {graph.ids[facts.index] for facts in graph.services}
        if assessment.service not in services:
            raise HTTPException(422, f"service {assessment.service!r}: no such business service in the model")
        if assessment.currency != graph.currency:
            raise HTTPException(
                422, f"currency {assessment.currency}: the model counts in {graph.currency}; give money in it"
            )
        return assessment_document(assessment)


def _problems(error: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    return [
        {"field": prefix + ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in error.errors()
    ]
