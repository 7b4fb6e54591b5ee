"""Every refusal of the API in one shape: problem details (RFC 9457).

A refused request is answered with ``application/problem+json``::

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "state: 'broken' is not a state; use one of ok, degraded, down, unknown",
     "field": "state"}

``title`` is the status's name, ``detail`` what was wrong and what to do, ``field`` (when one
field is to blame) its dotted path, ``body`` for the request body as a whole. Some refusals add
one list: ``problems`` (an invalid model's problems, each with file and line), ``refused`` (the
events of a batch that were refused, each with its ``index``, ``field`` and ``detail``) or
``errors`` (every field that failed validation, each with ``field`` and ``detail``).

``describe_problems`` writes the same into the OpenAPI document, so that what the document
promises is what the server answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bizmap.web.common import ORJSONResponse

PROBLEM_JSON = "application/problem+json"
COMPONENTS = "#/components/schemas/"


class Problem(BaseModel):
    """Why the request was refused (RFC 9457 problem details)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field("about:blank", description="Always about:blank: the status says the kind.")
    title: str = Field(description="The name of the HTTP status, such as 'Not Found'.")
    status: int = Field(description="The HTTP status code, as in the response's status line.")
    detail: str = Field(description="What was wrong, naming the value, and what to do about it.")
    field: str | None = Field(None, description="The offending field's dotted path, or 'body'.")


class ProblemResponse(ORJSONResponse):
    media_type = PROBLEM_JSON


def problem(
    status: int,
    detail: str,
    *,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> ProblemResponse:
    """The answer to a refused request: ``status`` with ``detail`` (and the field to blame)."""
    body: dict[str, Any] = {"type": "about:blank", "title": title_of(status), "status": status}
    body["detail"] = detail
    if field is not None:
        body["field"] = field
    body.update(extensions)
    return ProblemResponse(body, status_code=status, headers=dict(headers) if headers else None)


def title_of(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def field_path(location: Sequence[int | str], skip: Sequence[str] = ()) -> str:
    """``("body", "changes", 0, "mtbf")`` as ``changes.0.mtbf`` (leading parts in ``skip`` dropped)."""
    parts = [str(part) for part in location]
    while parts and parts[0] in skip:
        parts.pop(0)
    return ".".join(parts) or "body"


def validation_problem(
    errors: Sequence[Mapping[str, Any]], status: int = 422, skip: Sequence[str] = ()
) -> ProblemResponse:
    """A pydantic or FastAPI validation failure: the first error as the detail, all as ``errors``."""
    listed = [{"field": field_path(error["loc"], skip), "detail": _message(error)} for error in errors]
    first = listed[0] if listed else {"field": "body", "detail": "the request is not valid"}
    return problem(status, f"{first['field']}: {first['detail']}", field=first["field"], errors=listed)


def body_problem(error: ValidationError) -> ProblemResponse:
    """A request body that did not fit its model (the body was read by the route itself)."""
    return validation_problem(error.errors(include_url=False))


def _message(error: Mapping[str, Any]) -> str:
    context = error.get("ctx") or {}
    if "error" in context:  # a validator's own message says more than "Value error, ..."
        return str(context["error"])
    return str(error.get("msg", "is not valid"))


# What the OpenAPI document says each refusal means.
REFUSALS = {
    400: "The request could not be read: bad JSON, or a value that is not what the field takes.",
    401: "No token, or a token that is invalid or revoked.",
    403: "The token's role may not do this.",
    404: "Nothing with that id (in the path, or a query parameter such as service).",
    409: "It conflicts with what exists.",
    413: "The body, or the number of events in it, is over the server's limit.",
    422: "The request was read but refused: a field fails its rules (see field and errors).",
    503: "The server cannot store this now (the database is full or unreachable): retry later.",
}


def json_body(
    schema: dict[str, Any] | type[BaseModel], description: str, required: bool = True
) -> dict[str, Any]:
    """The ``openapi_extra`` of a route that reads its JSON body itself: what the body must be."""
    if isinstance(schema, type):
        schema = schema.model_json_schema(ref_template=f"{COMPONENTS}{{model}}")
    media = {"application/json": {"schema": schema}}
    return {"requestBody": {"required": required, "description": description, "content": media}}


def describe_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Declare the problem answers on every API operation of an OpenAPI ``document``.

    Every operation may answer 400, 401, 403, 404 (an id in the path or the query that names
    nothing) and 422; one with a body also 413; one that writes (POST, DELETE) also 409 and 503. FastAPI's own
    validation error schema is replaced by ``Problem``, which is what the server sends. The
    definitions inside bodies declared with ``json_body`` move to the document's components.
    """
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                schemas.update(media.get("schema", {}).pop("$defs", {}))
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = Problem.model_json_schema(ref_template=f"{COMPONENTS}{{model}}")
    content = {PROBLEM_JSON: {"schema": {"$ref": f"{COMPONENTS}Problem"}}}
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            statuses = [400, 401, 403, 404, 422]
            if method in {"post", "put", "patch"}:
                statuses.append(413)
            if method in {"post", "put", "patch", "delete"}:
                statuses += [409, 503]
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                responses[str(status)] = {"description": REFUSALS[status], "content": content}
    return document
