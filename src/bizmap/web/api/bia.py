"""Business impact analysis over the HTTP API: answers in, assessment out (docs/bia.md).

The body is the questionnaire as JSON, the same keys as the YAML file, with an optional
``thresholds`` object (the keys of a thresholds file; the defaults for the rest). The
assessment is in the running model's currency.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, FastAPI, Request
from fastapi.responses import Response
from pydantic import ValidationError

from bizmap.decisions.bia.assess import assess_answers, assessment_document
from bizmap.decisions.bia.questionnaire import Questionnaire
from bizmap.decisions.bia.thresholds import Thresholds
from bizmap.web.common import ORJSONResponse, ReadToken, live
from bizmap.web.problems import COMPONENTS, body_problem, json_body, problem, validation_problem


def _answers_schema() -> dict[str, Any]:
    """The questionnaire (docs/bia.md) with the optional ``thresholds`` object beside it."""
    schema = Questionnaire.model_json_schema(ref_template=f"{COMPONENTS}{{model}}")
    thresholds = Thresholds.model_json_schema(ref_template=f"{COMPONENTS}{{model}}")
    schema.setdefault("$defs", {}).update(thresholds.pop("$defs", {}))
    schema["$defs"]["Thresholds"] = thresholds
    schema["properties"]["thresholds"] = {"$ref": f"{COMPONENTS}Thresholds"}
    return schema


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""

    @app.post(
        "/api/v1/bia/assess",
        summary="Business impact analysis: answers to tier and recommendations",
        openapi_extra=json_body(_answers_schema(), "The answers, and thresholds if not the defaults."),
    )
    async def assess(request: Request, _: ReadToken, answers: Annotated[dict[str, Any], Body()]) -> Response:
        graph = live(request).graph
        answers = dict(answers)
        try:
            thresholds = Thresholds.model_validate(answers.pop("thresholds", None) or {})
        except ValidationError as error:
            return validation_problem([{**e, "loc": ("thresholds", *e["loc"])} for e in error.errors()])
        try:
            assessment = assess_answers(answers, thresholds, currency=graph.currency)
        except ValidationError as error:
            return body_problem(error)
        services = {graph.ids[facts.index] for facts in graph.services}
        if assessment.service not in services:
            return problem(
                422, f"{assessment.service!r} is no business service of the model", field="service"
            )
        if assessment.currency != graph.currency:
            return problem(
                422,
                f"{assessment.currency}: the model counts in {graph.currency}; give money in it",
                field="currency",
            )
        return ORJSONResponse(assessment_document(assessment))
