"""POST /api/v1/cases/evaluate: the document of ``bizmap case --json`` for a case sent as JSON;
422 naming the field for a bad case. The endpoint touches no database beyond the token, so
SQLite alone is enough here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest_web import Server, make_tokens
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.web.app import create_app

URL = "/api/v1/cases/evaluate"

# invest 1,000 now, receive 500, 400, 300 at the ends of years 1-3, at 10 %
TEXTBOOK: dict[str, Any] = {
    "name": "Textbook",
    "horizon_years": 3,
    "discount_rate": 0.1,
    "costs": [{"name": "Investment", "once": 1000}],
    "benefits": [{"name": "Savings", "per_year": 500, "ramp": [1, 0.8, 0.6]}],
}


@pytest.fixture
def server(tmp_path: Path, model_path: Path) -> Iterator[Server]:
    database = f"sqlite:///{tmp_path / 'bizmap.db'}"
    tokens = make_tokens(database)
    with TestClient(create_app(Settings(model=str(model_path), db=database))) as client:
        yield Server(client, database, tokens)


def test_evaluate_answers_the_cli_document(server: Server) -> None:
    response = server.client.post(URL, json=TEXTBOOK, headers=server.headers("read"))
    assert response.status_code == 200, response.text
    # -1,000 + 454.545455 + 330.578512 + 225.394440 = 10.52; ROI 200 / 1,000; paybacks 2 + 1/3
    # and 2 + 286/300 (see tests/analytics/test_business_case.py)
    assert response.json() == {
        "npv": 10.52,
        "irr": pytest.approx(0.106517, abs=1e-6),
        "roi": 0.2,
        "payback_years": 2.333333,
        "discounted_payback_years": 2.953333,
    }


def test_evaluate_with_simulation_and_tornado(server: Server) -> None:
    body = dict(TEXTBOOK, uncertainty={"Savings": {"low": 1, "mode": 1, "high": 1}})
    params = {"simulate": 500, "seed": 4, "tornado": "true"}
    response = server.client.post(URL, json=body, params=params, headers=server.headers("read"))
    assert response.status_code == 200, response.text
    document = response.json()
    # a zero-width range: every run is the textbook NPV, positive
    assert document["npv_p10"] == document["npv_p50"] == document["npv_p90"] == 10.52
    assert document["probability_npv_positive"] == 1.0
    assert [i["name"] for i in document["tornado"]["inputs"]] == ["Savings"]


def test_evaluate_needs_a_read_token(server: Server) -> None:
    assert server.client.post(URL, json=TEXTBOOK).status_code == 401
    assert server.client.post(URL, json=TEXTBOOK, headers=server.headers("ingest")).status_code == 403


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"horizon_years": -1}, "horizon_years", "greater than or equal to 1"),
        ({"benefits": [{"name": "Savings", "per_year": 500, "ramp": [1]}]}, "benefits[0].ramp", "ramp has 1"),
        ({"uncertainty": {"Ghost": {"low": 1, "mode": 1, "high": 1}}}, "uncertainty.Ghost", "'Ghost'"),
        ({"colour": "red"}, "colour", "unknown key 'colour'"),
        (
            {"benefits": [{"name": "Dial", "per_year_from": "dial.json"}]},
            "benefits[0].per_year_from",
            "no files",
        ),
    ],
)
def test_bad_case_is_422_naming_the_field(
    server: Server, change: dict[str, Any], field: str, words: str
) -> None:
    response = server.client.post(URL, json=dict(TEXTBOOK, **change), headers=server.headers("read"))
    assert response.status_code == 422
    details = {d["field"]: d["detail"] for d in response.json()["errors"]}
    assert field in details, details
    assert words in details[field]


@pytest.mark.parametrize("params", [{"simulate": 0}, {"simulate": 10**7}, {"seed": 3}])
def test_bad_query_is_422(server: Server, params: dict[str, int]) -> None:
    response = server.client.post(URL, json=TEXTBOOK, params=params, headers=server.headers("read"))
    assert response.status_code == 422
    assert next(iter(params)) in response.text
