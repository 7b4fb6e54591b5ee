"""Availability over the HTTP API: the live model's figures and the dial on a JSON body."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest_web import Server

# app = any [app-1, app-2] at 0.99 each: 0.9999; dns 0.999; s = all: 0.9989001.
# 24x7 in 2026: (1 - 0.9989001) x 8,760 = 9.635124 h; at 1,000/h: 9,635.12 a year.
MODEL = """\
currency: EUR
services:
  - id: s
    impact: {revenue_per_hour: 1000}
    depends_on: [app, dns]
components:
  - {id: app, depends_on: {rule: any, children: [app-1, app-2]}}
  - {id: app-1, mtbf_hours: 99, mttr_hours: 1}
  - {id: app-2, mtbf_hours: 99, mttr_hours: 1}
  - {id: dns, mtbf_hours: 999, mttr_hours: 1}
"""


@pytest.fixture
def model_path(tmp_path: Path) -> Path:
    path = tmp_path / "model.yaml"
    path.write_text(MODEL)
    return path


def test_availability_of_the_live_model(server: Server) -> None:
    response = server.client.get("/api/v1/availability?year=2026", headers=server.headers("read"))
    assert response.status_code == 200, response.text
    [service] = response.json()["services"]
    assert service["availability"] == pytest.approx(0.9989001, abs=1e-12)
    assert service["expected_cost_per_year"] == 9635.12
    assert server.client.get("/api/v1/availability").status_code == 401


def test_simulation_over_the_api(server: Server) -> None:
    response = server.client.get(
        "/api/v1/availability?year=2026&simulate=50&seed=2", headers=server.headers("read")
    )
    assert response.status_code == 200, response.text
    low, high = response.json()["services"][0]["simulated"]["confidence_interval"]
    assert low <= 0.9989001 <= high


def test_dial_on_a_json_body(server: Server) -> None:
    # after: app 1 - 0.01^3 and dns pair 1 - 0.001^2, both 0.999999: 0.999998000001, 17.52 a
    # year; avoided 9,635.124 - 17.519991 = 9,617.60; net of 5,000: 4,617.60
    body = {
        "currency": "EUR",
        "yearly_cost": 5000,
        "changes": [
            {"add_replica": {"to": "app", "id": "app-3", "copy_of": "app-1"}},
            {"remove_single_point": {"node": "dns", "replica": "dns-2"}},
        ],
    }
    response = server.client.post(
        "/api/v1/availability/dial?year=2026", json=body, headers=server.headers("read")
    )
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["downtime_cost_avoided_per_year"] == 9617.6
    assert document["net_value_per_year"] == 4617.6


def test_bad_dial_names_the_change_and_field(server: Server) -> None:
    body = {
        "yearly_cost": 1,
        "changes": [{"set": {"node": "dns", "mttr_hours": 2}}, {"set": {"node": "nope", "mttr_hours": 1}}],
    }
    response = server.client.post("/api/v1/availability/dial", json=body, headers=server.headers("read"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "unknown node 'nope'",
        "field": "changes.1.set.node",
    }
    response = server.client.post(
        "/api/v1/availability/dial", json={"changes": []}, headers=server.headers("read")
    )
    assert response.status_code == 422
    assert response.json()["field"] in ("yearly_cost", "changes")
