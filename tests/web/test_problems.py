"""Every refusal of the API is a problem document (RFC 9457), and the OpenAPI document says so."""

from __future__ import annotations

from typing import Any

import pytest
from conftest_web import Server

from bizmap.ingest.schemas import ALERTMANAGER, CLOUDEVENTS, ICINGA, NATIVE_EVENTS

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_KEYS and body["status"] == status and body["type"] == "about:blank"
    return body


def test_refusals_of_every_kind_share_one_shape(server: Server) -> None:
    read, ingest = server.headers("read"), server.headers("ingest")
    client = server.client
    _problem(client.get("/api/v1/services"), 401)  # no token: Starlette's HTTPException
    assert "Bearer" in client.get("/api/v1/services").headers["www-authenticate"]
    _problem(client.post("/api/v1/events", json={"node": "a", "state": "down"}, headers=read), 403)
    _problem(client.get("/api/v1/services/nope", headers=read), 404)
    bad_json = _problem(client.post("/api/v1/ingest/alertmanager", content=b"{", headers=ingest), 400)
    assert bad_json["field"] == "body"
    bad_state = _problem(client.post("/api/v1/events", json={"node": "a", "state": "x"}, headers=ingest), 400)
    assert bad_state["field"] == "state"
    too_many = _problem(client.get("/api/v1/events?limit=0", headers=read), 422)  # FastAPI validation
    assert too_many["field"] == "limit" and too_many["detail"].startswith("limit: ")
    assert [error["field"] for error in too_many["errors"]] == ["limit"]


def test_a_refused_batch_lists_each_refused_event(server: Server) -> None:
    events = [
        {"node": "a", "state": "down", "time": "2020-01-01T00:00:00Z"},
        {"node": "a", "state": "ok"},
    ]
    body = _problem(server.client.post("/api/v1/events", json=events, headers=server.headers("ingest")), 422)
    assert body["field"] == "0.time"
    assert "1 of 2 events refused" in body["detail"] and "none of this request was stored" in body["detail"]
    assert [(item["index"], item["field"]) for item in body["refused"]] == [(0, "time")]
    assert "older than the limit" in body["refused"][0]["detail"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/events?since=99999999999999999999999", "since"),  # past SQLite's integers
        ("/api/v1/events?since=-1", "since"),
        ("/api/v1/availability?seed=-6745&simulate=3", "seed"),
        ("/api/v1/reports/review?period=", "period"),
    ],
)
def test_out_of_range_queries_are_refused_not_500(server: Server, path: str, field: str) -> None:
    response = server.client.get(path, headers=server.headers("read"))
    body = _problem(response, 422)
    if field != "period":
        assert body["field"] == field
    assert field in body["detail"]
    assert server.client.get("/api/v1/services", headers=server.headers("read")).status_code == 200


def test_a_body_over_the_limit_is_413_on_every_route(server: Server) -> None:
    """The fixture's limit is 10,000 bytes; FastAPI-decoded bodies (BIA, cases) are held to it
    as well as the routes that read their own."""
    big = {"service": "x" * 20_000}
    for path in ("/api/v1/bia/assess", "/api/v1/cases/evaluate", "/api/v1/whatif", "/api/v1/events"):
        headers = server.headers("admin")
        body = _problem(server.client.post(path, json=big, headers=headers), 413)
        assert "10000" in body["detail"], path

    def chunks() -> Any:  # no Content-Length: the stream is counted as it comes
        for _ in range(30):
            yield b" " * 1000

    streamed = server.client.post("/api/v1/bia/assess", content=chunks(), headers=server.headers("read"))
    _problem(streamed, 413)


def test_405_names_every_method_of_the_path(server: Server) -> None:
    read = server.headers("read")
    events = server.client.options("/api/v1/events", headers=read)
    _problem(events, 405)
    assert events.headers["allow"] == "GET, POST"
    maintenance = server.client.request("TRACE", "/api/v1/maintenance", headers=read)
    assert maintenance.status_code == 405 and maintenance.headers["allow"] == "GET, POST"
    page = server.client.request("TRACE", "/ui/overview")
    assert page.status_code == 405 and page.headers["allow"] == "GET"


def test_the_openapi_document_declares_the_problems_and_only_the_api(server: Server) -> None:
    document = server.client.get("/openapi.json", headers=server.headers("read")).json()
    assert all(path.startswith("/api/v1/") or path == "/metrics" for path in document["paths"])
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["Problem"]["required"]) == {"title", "status", "detail"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"400", "401", "403", "404", "422"} <= declared, (method, path)
            if method == "post":
                assert {"413", "503"} <= declared, (method, path)
            content = operation["responses"]["422"]["content"]
            problem_schema = {"schema": {"$ref": "#/components/schemas/Problem"}}
            assert content == {"application/problem+json": problem_schema}
    metrics = document["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert list(metrics) == ["text/plain"]


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("/api/v1/events", NATIVE_EVENTS),
        ("/api/v1/ingest/alertmanager", ALERTMANAGER),
        ("/api/v1/ingest/cloudevents", CLOUDEVENTS),
        ("/api/v1/ingest/icinga", ICINGA),
    ],
)
def test_every_ingestion_route_declares_the_body_its_decoder_takes(
    server: Server, path: str, schema: dict[str, Any]
) -> None:
    """A client (or schemathesis) that sends a body valid against it has its events taken."""
    document = server.client.get("/openapi.json", headers=server.headers("read")).json()
    body = document["paths"][path]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == schema


def test_pages_get_the_error_page_and_the_api_a_problem(server: Server) -> None:
    page = server.client.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "There is no page at /no-such-page" in page.text
    _problem(server.client.get("/api/v1/no-such-thing", headers=server.headers("read")), 404)
