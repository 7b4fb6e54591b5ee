"""POST /api/v1/bia/assess: the questionnaire as JSON in, the assessment out (read token)."""

from __future__ import annotations

from typing import Any

from conftest_web import Server

# `orders` of the semantics §9 model (EUR); 1,000 an hour + 10 people x 50 = 1,500 an hour
ANSWERS: dict[str, Any] = {
    "service": "orders",
    "safety": {"threatened": False},
    "money": {"lost_per_hour": 1000},
    "people": {"cannot_work": 10, "cost_per_hour": 50},
    "workaround": {"exists": True, "impact_factor": 0.5, "max_hours": 1.5},
    "usage": {
        "timezone": "Europe/Paris",
        "used": {"mon-fri": "09:00-17:00"},
        "asked_for": "24x7",
        "needed_at_3am": False,
    },
}


def test_assess_answers_with_a_read_token(server: Server) -> None:
    response = server.client.post("/api/v1/bia/assess", json=ANSWERS, headers=server.headers("read"))
    assert response.status_code == 200, response.text
    body = response.json()
    # 1,500 an hour: business-operational band (500-5,000); the 1.5 h workaround is too short to
    # relieve a tier: tier 3; hours follow use, 5 x 8 = 40 h a week; 24x7 asked: 128 h never used
    assert (body["tier"], body["currency"], body["cost_per_hour"]) == (3, "EUR", 1500.0)
    assert body["recommended"]["calendar"] == {
        "timezone": "Europe/Paris",
        "hours": {"mon-fri": "09:00-17:00"},
    }
    assert [m["kind"] for m in body["mismatches"]] == ["asked_beyond_use"]
    assert "128 h a week" in body["mismatches"][0]["message"]
    assert body["because"]["tier"]


def test_bad_answers_name_the_field(server: Server) -> None:
    bad = {**ANSWERS, "safety": {"threatened": True}}
    response = server.client.post("/api/v1/bia/assess", json=bad, headers=server.headers("read"))
    assert response.status_code == 422
    problems = response.json()["errors"]
    assert problems[0]["field"] == "safety"
    assert "after_hours is required" in problems[0]["detail"]
    assert response.json()["field"] == "safety"


def test_unknown_service_and_foreign_currency_are_refused(server: Server) -> None:
    unknown = server.client.post(
        "/api/v1/bia/assess", json={**ANSWERS, "service": "a"}, headers=server.headers("read")
    )
    assert unknown.status_code == 422 and "no business service" in unknown.text  # `a` is a component
    assert unknown.json()["field"] == "service"
    foreign = server.client.post(
        "/api/v1/bia/assess", json={**ANSWERS, "currency": "GBP"}, headers=server.headers("read")
    )
    assert foreign.status_code == 422 and "counts in EUR" in foreign.text


def test_assess_needs_a_token(server: Server) -> None:
    assert server.client.post("/api/v1/bia/assess", json=ANSWERS).status_code == 401
    ingest = server.client.post("/api/v1/bia/assess", json=ANSWERS, headers=server.headers("ingest"))
    assert ingest.status_code == 403


def test_thresholds_in_the_body_change_the_derivation(server: Server) -> None:
    """1,500 an hour is business-operational with the default bands (500-5,000), tier 3; with
    business-critical from 1,000 an hour it is tier 2. Bands not given keep their defaults."""
    bands = {"mission_critical": 50_000, "business_critical": 1_000, "business_operational": 500}
    body = {**ANSWERS, "thresholds": {"cost_per_hour_bands": bands}}
    response = server.client.post("/api/v1/bia/assess", json=body, headers=server.headers("read"))
    assert response.status_code == 200, response.text
    assert response.json()["tier"] == 2
    plain = server.client.post("/api/v1/bia/assess", json=ANSWERS, headers=server.headers("read"))
    assert plain.json()["tier"] == 3


def test_bad_thresholds_name_their_field(server: Server) -> None:
    body = {**ANSWERS, "thresholds": {"mtpd_cap_hours": 0, "no_such_key": 1}}
    response = server.client.post("/api/v1/bia/assess", json=body, headers=server.headers("read"))
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"].startswith("thresholds.")
    assert sorted(p["field"] for p in problem["errors"]) == [
        "thresholds.mtpd_cap_hours",
        "thresholds.no_such_key",
    ]
