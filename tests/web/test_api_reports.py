"""The reports API over the live server (SQLite and PostgreSQL), on the §9 model: `orders`
(office hours Mon-Fri 09:00-17:00 Paris, 1,500/h, workaround x0.5 for the first 1.5 h)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_web import Server, make_tokens
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.web.app import create_app
from helpers import utc

NOW = utc("2026-03-09T12:00:00Z")
INCIDENT = "INC-20260306T150000Z-orders"


@pytest.fixture
def server(database: str, model_path: Path) -> Iterator[Server]:
    tokens = make_tokens(database)
    app = create_app(Settings(model=str(model_path), db=database), clock=lambda: NOW)
    with TestClient(app) as client:
        served = Server(client, database, tokens)
        events = [
            {"node": "app", "state": "down", "time": "2026-03-06T15:00:00Z"},
            {"node": "app", "state": "ok", "time": "2026-03-09T09:00:00Z"},
        ]
        response = client.post("/api/v1/events", json=events, headers=served.headers("ingest"))
        assert response.status_code == 202, response.text
        yield served


def test_the_impact_statement_of_the_section_9_outage(server: Server) -> None:
    # Friday 16-17 and Monday 09-10 Paris: 1.5 h at 750 + 0.5 h at 1,500 = 1,875 (semantics §9);
    # revenue is 1,000 of the 1,500 base: 1,250, staff time 625.
    response = server.client.get(
        f"/api/v1/reports/incidents/{INCIDENT}?format=md", headers=server.headers("read")
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/markdown")
    text = response.text
    assert "€1,875.00" in text and "€1,250.00" in text and "€625.00" in text
    assert "2 h 00 min" in text  # the business hours it cost


def test_review_and_executive_as_html_and_pdf(server: Server) -> None:
    # March 2026 has not ended at the server's now (9 March 12:00Z): the review covers 1 March to
    # now (semantics §10), 8 days 12 h = 204 h. 24x7 SLA of 99.9 %, down 6 Mar 15:00 to 9 Mar 09:00
    # = 66 h: sli = 100 x (204 - 66) / 204 = 67.6471 %, missed (semantics §9's outage).
    review = server.client.get(
        "/api/v1/reports/review?period=2026-03&format=html", headers=server.headers("read")
    )
    assert review.status_code == 200 and review.headers["content-type"].startswith("text/html")
    assert "67.6471%" in review.text and "missed" in review.text and "<svg" in review.text
    assert "so far, as of Mon 9 Mar 2026, 12:00 UTC" in review.text
    pdf = server.client.get("/api/v1/reports/executive?period=2026-03", headers=server.headers("read"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_errors_and_roles(server: Server) -> None:
    read = server.headers("read")
    unknown = server.client.get("/api/v1/reports/incidents/INC-nope?format=md", headers=read)
    assert unknown.status_code == 404 and "no incident 'INC-nope'" in unknown.json()["detail"]
    bad = server.client.get("/api/v1/reports/review?period=2026-13", headers=read)
    assert bad.status_code == 422 and "YYYY-MM" in bad.json()["detail"] and bad.json()["status"] == 422
    form = server.client.get("/api/v1/reports/executive?period=2026-03&format=docx", headers=read)
    assert form.status_code == 422
    assert server.client.get("/api/v1/reports/executive?period=2026-03").status_code == 401
    ingest_only = server.client.get(
        "/api/v1/reports/executive?period=2026-03", headers=server.headers("ingest")
    )
    assert ingest_only.status_code == 403


def test_every_report_as_json_over_the_api(server: Server) -> None:
    read = server.headers("read")
    review = server.client.get("/api/v1/reports/review?period=2026-03&format=json", headers=read)
    assert review.status_code == 200 and review.headers["content-type"].startswith("application/json")
    document = review.json()
    # March has not ended at the server's now: the review covers 1 March to now (semantics §10)
    assert (document["from"], document["to"], document["as_of"]) == (
        "2026-03-01T00:00:00Z",
        "2026-03-09T12:00:00Z",
        "2026-03-09T12:00:00Z",
    )
    assert document["running"] is True
    [sla] = document["services"][0]["sla"]
    assert sla["sli"] == 67.6471  # 100 x (204 h - 66 h) / 204 h, as the HTML review says
    statement = server.client.get(f"/api/v1/reports/incidents/{INCIDENT}?format=json", headers=read)
    assert statement.status_code == 200
    assert statement.json()["total_cost"] == 1875.0  # semantics §9, as the Markdown says
    executive = server.client.get("/api/v1/reports/executive?period=2026-03&format=json", headers=read)
    assert executive.json()["total_cost"] == document["total_cost"]
