"""One handler answers every BizmapError: the status from its class, JSON on the API, the error
page in the UI, the login page for a page without a session."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bizmap.domain.validate import ModelInvalid, Problem
from bizmap.errors import BizmapError, EventError, UsageError
from bizmap.storage.store import TokenNameInUse, UnknownIncident
from bizmap.web import errors
from bizmap.web.sessions import LoginRequired


class _Unlisted(UnknownIncident):
    """A subclass nobody listed: it takes its nearest listed base's status."""


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (BizmapError("x"), 400),
        (UsageError("x"), 400),
        (EventError("state", "x"), 400),
        (UnknownIncident("INC-1"), 404),
        (_Unlisted("INC-1"), 404),
        (TokenNameInUse("x"), 409),
        (ModelInvalid([]), 422),
    ],
)
def test_each_error_class_has_its_status(error: BizmapError, status: int) -> None:
    assert errors.status_of(error) == status


def _app(error: Exception) -> TestClient:
    app = FastAPI()
    errors.register(app)

    @app.get("/api/v1/thing")
    async def api() -> None:
        raise error

    @app.get("/ui/thing")
    async def page() -> None:
        raise error

    return TestClient(app, raise_server_exceptions=False)


def test_the_api_answers_json_with_the_message() -> None:
    response = _app(UnknownIncident("INC-9")).get("/api/v1/thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404 and response.json()["title"] == "Not Found"
    assert "INC-9" in response.json()["detail"]


def test_an_event_error_names_its_field() -> None:
    response = _app(EventError("state", "must be one of ok, down")).get("/api/v1/thing")
    assert response.status_code == 400
    assert response.json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "must be one of ok, down",
        "field": "state",
    }


def test_an_invalid_model_lists_its_problems() -> None:
    problem = Problem("model.yaml", 3, "services[0].id: missing")
    response = _app(ModelInvalid([problem])).get("/api/v1/thing")
    assert response.status_code == 422
    assert response.json()["problems"] == [str(problem)]


def test_a_page_gets_the_error_page_not_json() -> None:
    response = _app(UnknownIncident("INC-9")).get("/ui/thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "INC-9" in response.text
    assert "Content-Security-Policy" in response.headers


def test_a_page_without_a_session_goes_to_the_login_page() -> None:
    response = _app(LoginRequired()).get("/ui/thing?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/ui/thing%3Fx%3D1"


def test_a_bug_is_a_500_problem_and_an_error_page_not_a_bare_text() -> None:
    client = _app(ZeroDivisionError("division by zero"))
    api = client.get("/api/v1/thing")
    assert api.status_code == 500 and api.headers["content-type"] == "application/problem+json"
    assert api.json()["title"] == "Internal Server Error" and "report it" in api.json()["detail"]
    assert "division" not in api.text  # the log has the traceback; the client gets no internals
    page = client.get("/ui/thing")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in page.text
