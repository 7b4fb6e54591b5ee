"""The reports the API serves as HTML are static documents: a Content-Security-Policy lets them
load nothing and run nothing (inline styles and the inline SVG charts only), and
``X-Content-Type-Options: nosniff`` keeps every format what its type says."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.storage.users import UserStore
from bizmap.web.app import create_app
from bizmap.web.sessions import SESSION_COOKIE
from helpers import SECTION_9_MODEL, utc

NOW = utc("2026-03-09T12:00:00Z")
INCIDENT = "INC-20260306T150000Z-orders"
REPORTS = (
    f"/api/v1/reports/incidents/{INCIDENT}",
    "/api/v1/reports/review?period=2026-03",
    "/api/v1/reports/executive?period=2026-03",
)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    model = tmp_path / "model.yaml"
    model.write_text(SECTION_9_MODEL)
    migrate(db)
    with Store(db) as store:
        tokens = {role: store.create_token(role, role) for role in ("read", "ingest")}
    with TestClient(create_app(Settings(model=str(model), db=db), clock=lambda: NOW)) as client:
        events = [
            {"node": "app", "state": "down", "time": "2026-03-06T15:00:00Z"},
            {"node": "app", "state": "ok", "time": "2026-03-09T09:00:00Z"},
        ]
        posted = client.post(
            "/api/v1/events", json=events, headers={"Authorization": f"Bearer {tokens['ingest']}"}
        )
        assert posted.status_code == 202, posted.text
        yield client, {"Authorization": f"Bearer {tokens['read']}"}


def with_format(path: str, form: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}format={form}"


def directives(policy: str) -> dict[str, str]:
    found = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        found[name] = value.strip()
    return found


@pytest.mark.parametrize("path", REPORTS)
def test_an_html_report_may_load_nothing_and_run_nothing(
    api: tuple[TestClient, dict[str, str]], path: str
) -> None:
    client, read = api
    answer = client.get(with_format(path, "html"), headers=read)
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-content-type-options"] == "nosniff"
    policy = directives(answer.headers["content-security-policy"])
    assert policy["default-src"] == "'none'"  # no script, frame, font, fetch or object of any origin
    assert policy["style-src"] == "'unsafe-inline'"  # the <style> block and the SVG's style attributes
    assert policy["img-src"] == "data:"
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "sandbox" in policy  # a unique origin: even injected markup could not reach the API
    # and the document needs nothing the policy forbids: every reference is inside it
    text = answer.text
    assert "<script" not in text and "@import" not in text
    for reference in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', text):
        assert reference.startswith("#"), reference
    for reference in re.findall(r"url\(([^)]*)\)", text):
        assert reference.startswith("#"), reference


@pytest.mark.parametrize("form", ["md", "json", "pdf"])
def test_every_report_format_says_nosniff(api: tuple[TestClient, dict[str, str]], form: str) -> None:
    client, read = api
    answer = client.get(with_format(REPORTS[2], form), headers=read)
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-content-type-options"] == "nosniff"
    # no sandboxing policy on a PDF: the browser's PDF viewer is a plugin, which sandboxing forbids
    assert "content-security-policy" not in answer.headers


def test_a_report_opened_in_the_ui_keeps_the_reports_policy(
    api: tuple[TestClient, dict[str, str]], tmp_path: Path
) -> None:
    client, _ = api
    with Store(f"sqlite:///{tmp_path / 'bizmap.db'}") as store:
        people = UserStore(store.engine)
        people.add_user("read-user", "read", "reader-password")
        client.cookies.set(SESSION_COOKIE, people.create_session("read-user", "password"))
    answer = client.get("/ui/reports/review?period=2026-03&format=html")
    assert answer.status_code == 200, answer.text
    assert directives(answer.headers["content-security-policy"])["default-src"] == "'none'"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"  # and the pages' other headers
