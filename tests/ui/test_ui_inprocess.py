"""The UI's foundation in-process (TestClient, no browser): sessions, CSRF, roles, the order of
the overview, the live snapshot's numbers and the server-sent event stream's content."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from ui_support import PASSWORDS, UI_MODEL

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.storage.users import UserStore
from bizmap.web.app import create_app
from bizmap.web.live_updates import by_impact, overview_snapshot
from bizmap.web.sessions import check_csrf
from bizmap.web.ui.render import safe_next

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
T0 = 1_795_000_000.0  # a fixed "now" (2026-11-18T...Z): the clock of these tests


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(tmp_path: Path, clock: Clock) -> Iterator[tuple[TestClient, dict[str, str]]]:
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    model = tmp_path / "model.yaml"
    model.write_text(UI_MODEL)
    migrate(db)
    with Store(db) as store:
        tokens = {r: store.create_token(f"t-{r}", r) for r in ("read", "ingest", "operate", "admin")}
        for role, password in PASSWORDS.items():
            UserStore(store.engine).add_user(f"{role}-user", role, password)
    app = create_app(Settings(model=str(model), db=db), clock=clock)
    with TestClient(app) as test_client:
        yield test_client, tokens


def login(client: TestClient, role: str = "operate") -> str:
    """Log in with a password; the CSRF token of the new session."""
    form = client.get("/login")
    token = CSRF.search(form.text)
    assert token is not None
    answer = client.post(
        "/login",
        data={"csrf_token": token.group(1), "name": f"{role}-user", "password": PASSWORDS[role]},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get("/ui/overview")
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)


def post_event(client: TestClient, tokens: dict[str, str], node: str, state: str, at: float) -> None:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
    answer = client.post(
        "/api/v1/events",
        json={"node": node, "state": state, "time": stamp},
        headers={"Authorization": f"Bearer {tokens['ingest']}"},
    )
    assert answer.status_code == 202, answer.text


def test_every_ui_page_needs_a_session_and_sends_the_browser_to_login(client: Any) -> None:
    test_client, _ = client
    for path in ("/ui/overview", "/ui/services/billing", "/ui/incidents", "/ui/incidents/x"):
        answer = test_client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=" + path
    assert test_client.get("/ui/stream").status_code == 401
    assert test_client.get("/status").status_code == 200  # public


def test_the_session_cookie_is_httponly_strict_and_not_the_stored_value(client: Any) -> None:
    test_client, _ = client
    form = test_client.get("/login")
    token = CSRF.search(form.text)
    assert token is not None
    answer = test_client.post(
        "/login",
        data={"csrf_token": token.group(1), "name": "read-user", "password": PASSWORDS["read"]},
        follow_redirects=False,
    )
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("bizmap_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain http here; https sets it


def test_a_login_post_without_its_csrf_token_is_refused(client: Any) -> None:
    test_client, _ = client
    test_client.get("/login")  # sets the login cookie, but the form field is missing
    answer = test_client.post("/login", data={"name": "read-user", "password": PASSWORDS["read"]})
    assert answer.status_code == 403
    assert test_client.get("/ui/overview", follow_redirects=False).status_code == 303


def test_a_post_without_the_sessions_csrf_token_is_refused_and_changes_nothing(client: Any) -> None:
    test_client, tokens = client
    csrf = login(test_client, "operate")
    post_event(test_client, tokens, "db", "down", T0 - 60)
    incident = test_client.get(
        "/api/v1/incidents", headers={"Authorization": f"Bearer {tokens['read']}"}
    ).json()["incidents"][0]["id"]

    refused = test_client.post(f"/ui/incidents/{incident}/ack", data={}, follow_redirects=False)
    assert refused.status_code == 403
    wrong = test_client.post(f"/ui/incidents/{incident}/ack", data={"csrf_token": "0" * 64})
    assert wrong.status_code == 403
    note = test_client.post(f"/ui/incidents/{incident}/notes", data={"text": "hello"})
    assert note.status_code == 403
    stored = test_client.get(
        f"/api/v1/incidents/{incident}", headers={"Authorization": f"Bearer {tokens['read']}"}
    ).json()
    assert stored["acknowledged"] is False
    assert stored["notes"] == []

    done = test_client.post(
        f"/ui/incidents/{incident}/ack", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    by_header = test_client.post(
        f"/ui/incidents/{incident}/notes", data={"text": "on it"}, headers={"X-CSRF-Token": csrf}
    )
    assert by_header.status_code == 200
    stored = test_client.get(
        f"/api/v1/incidents/{incident}", headers={"Authorization": f"Bearer {tokens['read']}"}
    ).json()
    assert stored["acknowledged_by"] == "operate-user"
    assert [n["text"] for n in stored["notes"]] == ["on it"]


def test_logout_needs_the_csrf_token_too(client: Any) -> None:
    test_client, _ = client
    csrf = login(test_client)
    assert test_client.post("/logout", data={}).status_code == 403
    assert test_client.get("/ui/overview", follow_redirects=False).status_code == 200
    assert test_client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert test_client.get("/ui/overview", follow_redirects=False).status_code == 303


def test_every_page_post_route_checks_csrf(client: Any) -> None:
    """Part 2's pages too: every non-API POST route depends on check_csrf (login checks its own)."""
    test_client, _ = client
    posts = [
        route
        for route in test_client.app.routes
        if isinstance(route, APIRoute) and "POST" in route.methods and not route.path.startswith("/api/")
    ]
    assert {r.path for r in posts} >= {"/logout", "/ui/incidents/{incident_id}/ack"}
    for route in posts:
        if route.path == "/login":
            continue
        calls = [d.call for d in route.dependant.dependencies]
        assert check_csrf in calls, f"POST {route.path} does not check the CSRF token"


def test_a_reader_sees_no_operator_forms_and_may_not_post_them(client: Any) -> None:
    test_client, tokens = client
    csrf = login(test_client, "read")
    post_event(test_client, tokens, "db", "down", T0 - 60)
    incident = test_client.get(
        "/api/v1/incidents", headers={"Authorization": f"Bearer {tokens['read']}"}
    ).json()["incidents"][0]["id"]
    page = test_client.get(f"/ui/incidents/{incident}")
    assert page.status_code == 200
    assert "Acknowledge</button>" not in page.text
    assert 'name="text"' not in page.text
    answer = test_client.post(f"/ui/incidents/{incident}/ack", data={"csrf_token": csrf})
    assert answer.status_code == 403
    assert "needs one of: admin, operate" in answer.text


@pytest.mark.parametrize(
    ("asked", "went"),
    [
        ("/ui/incidents?open=true", "/ui/incidents?open=true"),
        ("", "/ui/overview"),
        ("https://evil.example/", "/ui/overview"),
        ("//evil.example/x", "/ui/overview"),
        ("/\\evil.example", "/ui/overview"),
        ("javascript:alert(1)", "/ui/overview"),
    ],
)
def test_after_login_the_browser_goes_back_only_to_this_server(asked: str, went: str) -> None:
    assert safe_next(asked) == went


def _service(id: str, state: str, rate: float, users: int = 0, safety: bool = False) -> dict[str, Any]:
    return {
        "id": id,
        "state": state,
        "cost_per_hour": rate,
        "users_affected": users,
        "safety_critical": safety,
        "cost_today": 0.0,
    }


def test_tiles_are_ordered_by_cost_then_state_then_safety_then_people() -> None:
    services = [
        _service("a-ok", "ok", 0),
        _service("b-down-free", "down", 0, users=5),  # down outside its hours: costs nothing now
        _service("c-degraded", "degraded", 100),
        _service("d-down", "down", 900),
        _service("e-down-safety", "down", 0, users=1, safety=True),
        _service("f-unknown", "unknown", 0),
    ]
    order = [s["id"] for s in sorted(services, key=by_impact)]
    assert order == ["d-down", "c-degraded", "e-down-safety", "b-down-free", "f-unknown", "a-ok"]


def test_the_snapshot_prices_the_open_incidents_as_the_engine_does(client: Any, clock: Clock) -> None:
    test_client, tokens = client
    # db down since T0 - 1800 s: ward-care (700/h x workaround 0.5 = 350/h, no max_hours) and
    # billing (1,200/h) both down, in one incident (shared root cause db); canteen unaffected.
    post_event(test_client, tokens, "db", "down", T0 - 1800)
    snapshot = overview_snapshot(test_client.app.state.live)
    assert snapshot["incidents"] == {
        "open": 1,
        "cost": 775.0,  # half an hour at 350 + 1,200 = 1,550 per hour
        "cost_per_hour": 1550.0,
        "users": 25,  # 20 + 5
    }
    assert [s["id"] for s in snapshot["services"]] == ["billing", "ward-care", "canteen"]
    api = test_client.get("/api/v1/services", headers={"Authorization": f"Bearer {tokens['read']}"}).json()[
        "services"
    ]
    assert {s["id"]: s for s in api} == {s["id"]: s for s in snapshot["services"]}

    page = test_client.get("/ui/overview", follow_redirects=False)
    assert page.status_code == 303  # not logged in
    login(test_client)
    html = test_client.get("/ui/overview").text
    assert 'data-amount="775.0" data-rate="1550.0"' in html
    assert (
        html.index('id="tile-billing"') < html.index('id="tile-ward-care"') < html.index('id="tile-canteen"')
    )


def test_the_stream_sends_a_snapshot_at_once_and_after_each_batch(client: Any) -> None:
    test_client, _ = client
    updates = test_client.app.state.live_updates

    async def first_messages() -> list[bytes]:
        stream = updates.stream(refresh=60, keepalive=60)
        messages = [await anext(stream), await anext(stream)]
        # a batch of events arrives: the writer's hook hands the stream a new snapshot
        test_client.app.state.live.engine.apply(Event(state=State.DOWN, time=T0 - 3600, node="network"), T0)
        await updates.after_batch()
        messages.append(await anext(stream))
        await stream.aclose()
        return messages

    # on the app's own event loop, where the server reads the engine
    retry, first, second = test_client.portal.call(first_messages)
    assert retry == b"retry: 2000\n\n"
    for message in (first, second):
        assert message.startswith(b"event: overview\ndata: ")
        assert message.endswith(b"\n\n")
    before = orjson.loads(first.split(b"data: ", 1)[1])
    after = orjson.loads(second.split(b"data: ", 1)[1])
    assert {s["id"]: s["state"] for s in before["services"]} == {
        "ward-care": "ok",
        "billing": "ok",
        "canteen": "ok",
    }
    # network down for an hour: canteen (50/h) and ward-care (records-app needs network) are down
    states = {s["id"]: s["state"] for s in after["services"]}
    assert states == {"ward-care": "down", "billing": "ok", "canteen": "down"}
    assert not updates.streams  # a closed stream is forgotten


def test_pages_forbid_scripts_from_anywhere_but_this_server(client: Any) -> None:
    test_client, _ = client
    login(test_client)
    for path in ("/ui/overview", "/ui/services/billing", "/ui/incidents", "/status", "/login"):
        policy = test_client.get(path).headers["content-security-policy"]
        assert "script-src 'self';" in policy, path
        assert "frame-ancestors 'none'" in policy, path


def test_a_link_from_another_site_hops_once_so_the_strict_cookie_is_sent(client: Any) -> None:
    test_client, _ = client
    answer = test_client.get(
        "/ui/incidents?open=true", headers={"sec-fetch-site": "cross-site"}, follow_redirects=False
    )
    assert answer.status_code == 200
    assert '<meta http-equiv="refresh" content="0;url=/ui/incidents?open=true">' in answer.text
    same_site = test_client.get(
        "/ui/incidents", headers={"sec-fetch-site": "same-origin"}, follow_redirects=False
    )
    assert same_site.status_code == 303


def test_an_unknown_service_or_incident_is_an_html_404_page(client: Any) -> None:
    test_client, tokens = client
    login(test_client)
    for path in ("/ui/services/nope", "/ui/services/db", "/ui/incidents/INC-nope"):
        answer = test_client.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"].startswith("text/html")
    api = test_client.get("/api/v1/services/nope", headers={"Authorization": f"Bearer {tokens['read']}"})
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"  # the API answers problem details


def _cells(html: str, row_header: str) -> list[str]:
    """The cells of the table row whose header cell reads ``row_header`` (tags stripped)."""
    row = re.search(r"<tr><th scope=\"row\">" + re.escape(row_header) + r"</th>(.*?)</tr>", html, re.S)
    assert row is not None, row_header
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]


def test_the_service_page_shows_the_sla_budget_and_episode_worked_out_by_hand(client: Any) -> None:
    test_client, tokens = client
    # T0 = 1,795,000,000 = 2026-11-18T11:06:40Z is a Wednesday (day 20,775 since Thursday
    # 1970-01-01: 20,775 mod 7 = 6); billing's SLA week began Monday 00:00 UTC = 1,794,787,200.
    # db down from T0 - 1,800, the server's first event: measurement begins there (semantics
    # §10), not 7 days before T0 where the live history may reach.
    post_event(test_client, tokens, "db", "down", T0 - 1800)
    login(test_client)
    html = test_client.get("/ui/services/billing").text
    # current week, partial: measured 1,800 s, all down: SLI 0 %; the budget of the time measured
    # so far (semantics §10: never the rest of the week) = 1 % of 1,800 s = 18 s; left
    # 18 - 1,800 = -1,782 s: overspent by 29m 42s, shown in whole minutes
    assert _cells(html, "current") == [
        "18 Nov 2026 10:36:40 UTC partial",
        "0.0000%",
        "99.0%",
        "no",
        "30m",
        "18s",
        "overspent by 29m",
    ]
    # previous week: before the first event, so no data (it used to read "100.0000 %, yes",
    # measured from 2026-11-11T11:06:40Z with no event at all)
    assert _cells(html, "previous") == [
        "9 Nov 2026 00:00:00 UTC",
        "no data: measurement began at 18 Nov 2026 10:36:40 UTC",
    ]
    # the open episode: 30 counted minutes at 1,200 per hour = 600
    assert "<td>still open</td>" in html
    assert ">€600<" in html
    assert '<li class="path">billing → billing-app → db</li>' in html
    tiles = test_client.get("/ui/overview/tiles").text
    tile = tiles[tiles.index('id="tile-billing"') :]
    start = tile.index('class="budget"')
    budget = " ".join(tile[start : tile.index("</dd>", start)].split())
    assert budget.endswith("overspent by 29m")  # no "-9900 %" of a budget of 18 s


def test_a_refused_login_is_audited_without_the_password(client: Any) -> None:
    test_client, tokens = client
    form = CSRF.search(test_client.get("/login").text)
    assert form is not None
    answer = test_client.post(
        "/login", data={"csrf_token": form.group(1), "name": "ada", "password": "guessing-1234"}
    )
    assert answer.status_code == 401
    entries = test_client.get("/api/v1/audit", headers={"Authorization": f"Bearer {tokens['admin']}"}).json()
    refused = [e for e in entries["entries"] if e["action"] == "ui.login.refused"]
    # with the address it came from (TestClient's), for whoever reads the log after an attack
    assert [e["detail"] for e in refused] == [{"via": "password", "name": "ada", "address": "testclient"}]
    assert "guessing-1234" not in str(entries)


def test_reports_open_in_the_browser_with_a_session_not_only_with_a_token(client: Any) -> None:
    """The incident page's Business Impact Statement link must work for a logged-in reader:
    the API's report routes want a bearer token, which a browser session does not carry."""
    test_client, tokens = client
    # db down from T0 - 1800 to T0 - 600 (20 minutes): billing 1,200/h -> 400.00; ward-care
    # 700/h under its workaround (x 0.5, no limit) = 350/h -> 116.67; together 516.67.
    post_event(test_client, tokens, "db", "down", T0 - 1800)
    post_event(test_client, tokens, "db", "ok", T0 - 600)
    read = {"Authorization": f"Bearer {tokens['read']}"}
    [incident] = test_client.get("/api/v1/incidents", headers=read).json()["incidents"]
    path = f"/ui/reports/incidents/{incident['id']}"
    assert test_client.get(path, follow_redirects=False).status_code == 303  # no session yet

    login(test_client, "read")
    page = test_client.get(f"/ui/incidents/{incident['id']}").text
    assert f'href="{path}?format=html"' in page and f'href="{path}?format=pdf"' in page
    html = test_client.get(f"{path}?format=html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "€516.67" in html.text
    api = test_client.get(f"/api/v1/reports/incidents/{incident['id']}?format=html", headers=read)
    charts = re.compile(r"<svg.*?</svg>", re.DOTALL)  # matplotlib stamps a date and random ids
    assert charts.sub("", html.text) == charts.sub("", api.text)  # the same document as the API's
    # the report's own policy, stricter than the pages' (no script at all; tests/web/test_report_headers.py)
    assert "default-src 'none'" in html.headers["content-security-policy"]
    pdf = test_client.get(f"{path}?format=pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert test_client.get("/ui/reports/incidents/INC-nope").status_code == 404


def test_the_reports_page_links_this_and_last_months_documents(client: Any) -> None:
    test_client, _ = client
    login(test_client, "read")
    page = test_client.get("/ui/reports").text  # T0 is in November 2026
    for month in ("2026-11", "2026-10"):
        assert f'href="/ui/reports/executive?period={month}&amp;format=pdf"' in page
    assert '<option value="billing">Patient billing</option>' in page
    executive = test_client.get("/ui/reports/executive?period=2026-11&format=html")
    assert executive.status_code == 200 and "Executive summary" in executive.text
    review = test_client.get("/ui/reports/review?period=2026-11&service=billing&format=md")
    assert review.status_code == 200 and "Patient billing" in review.text
    assert test_client.get("/ui/reports/review?period=November").status_code == 422


def try_login(client: TestClient, name: str, password: str) -> Any:
    form = client.get("/login")
    token = CSRF.search(form.text)
    assert token is not None
    return client.post(
        "/login",
        data={"csrf_token": token.group(1), "name": name, "password": password},
        follow_redirects=False,
    )


def test_failed_logins_make_the_next_tries_wait(client: Any, clock: Clock) -> None:
    """Five failures within five minutes lock that name at that address for five minutes: even
    the right password waits, with 429 and Retry-After; then it works. (The throttle's other
    rules: tests/web/test_login_throttle.py.)"""
    test_client, _ = client
    for _ in range(5):
        assert try_login(test_client, "read-user", "wrong").status_code == 401
    locked = try_login(test_client, "read-user", PASSWORDS["read"])
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "300"
    assert "Too many failed logins: try again in 5 minutes." in locked.text
    clock.now += 299
    assert try_login(test_client, "read-user", PASSWORDS["read"]).status_code == 429
    clock.now += 1
    assert try_login(test_client, "read-user", PASSWORDS["read"]).status_code == 303
