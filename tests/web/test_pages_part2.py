"""The what-if, single points of failure, events, model and maintenance pages, in-process.

The model below is small enough to work every number out by hand (see MODEL's comments).
Pages are read through a logged-in session (a session cookie made in the user store, as
``/login`` makes it); forms post with and without the session's CSRF token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bizmap.domain.model import CalendarSpec
from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.storage.users import UserStore
from bizmap.web.app import create_app
from bizmap.web.sessions import SESSION_COOKIE, csrf_for
from bizmap.web.ui import analysis as pages_analysis
from bizmap.web.ui import operations as pages_operations
from bizmap.web.ui.operations import calendar_in_words
from helpers import run_cli

# base rates: orders 1,000 + 10 x 50 = 1,500 per hour; payroll 0 + 4 x 100 = 400 per hour,
# a quarter of it (100) while degraded. app is a quorum of 50 % over a (weight 2), b, c:
# q = 2 of a total weight of 4. payroll sees app through a soft edge (at most degraded).
MODEL = """\
currency: EUR
calendars:
  office:
    timezone: Europe/Paris
    hours: {mon-fri: "09:00-17:00", sat: "09:00-12:00"}
    holidays: [2026-12-25]
services:
  - id: orders
    name: Order taking
    owner: sales-ops
    calendar: office
    impact: {revenue_per_hour: 1000, users: 10, cost_per_user_hour: 50}
    workaround: {description: Orders by phone, impact_factor: 0.5, max_hours: 1.5}
    sla: {target: 99.9, period: month, calendar: 24x7}
    depends_on: [app, network]
  - id: payroll
    name: Payroll
    owner: hr
    impact: {users: 4, cost_per_user_hour: 100, degraded_factor: 0.25}
    depends_on: [{id: app, effect: soft}, db]
components:
  - id: app
    depends_on:
      rule: quorum
      need: "50%"
      children: [{id: a, weight: 2}, b, c]
  - {id: a, match: [{job: node, instance: "a:9100"}]}
  - {id: b, match: [{job: node, instance: "b:9100"}]}
  - {id: c}
  - {id: db, match: [{job: postgres, env: prod}]}
  - {id: network}
"""


@dataclass
class Site:
    client: TestClient
    tokens: dict[str, str]
    model: Path
    sessions: dict[str, str]  # role -> session id

    def login(self, role: str) -> str:
        """Carry ``role``'s session cookie from now on; returns its CSRF token."""
        self.client.cookies.set(SESSION_COOKIE, self.sessions[role])
        return csrf_for(self.sessions[role])

    def api(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    model = tmp_path / "model.yaml"
    model.write_text(MODEL)
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    migrate(db)
    with Store(db) as store:
        tokens = {role: store.create_token(f"t-{role}", role) for role in ("ingest", "operate", "admin")}
        people = UserStore(store.engine)
        sessions = {}
        for role in ("read", "operate"):
            people.add_user(f"{role}-user", role, f"{role}-password-123")
            sessions[role] = people.create_session(f"{role}-user", "password")
    app = create_app(Settings(model=str(model), db=db))
    with TestClient(app, follow_redirects=False) as client:
        yield Site(client, tokens, model, sessions)


def text_of(html: str) -> str:
    """The page's text without tags, spaces collapsed (what a reader sees)."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
    return re.sub(r" ([,.;:?)])", r"\1", text)


# --- what-if -----------------------------------------------------------------------------------


def test_whatif_app_down_takes_orders_down_and_degrades_payroll(site: Site) -> None:
    site.login("read")
    page = site.client.get("/ui/whatif", params={"down": "app"})
    assert page.status_code == 200
    text = text_of(page.text)
    # orders: app down -> down, 1,500/h; payroll: app seen through soft -> degraded, 0.25 x 400 = 100/h
    # total 1,600/h; people 10 + 4 = 14
    assert "2 business services hit, €1,600 per hour, 14 people affected" in text
    assert re.search(r"orders .*Down €1,500 10 no app", text)
    assert re.search(r"payroll .*Degraded €100 4 no app", text)


def test_whatif_section_9_hypothesis_through_the_search_box(site: Site) -> None:
    site.login("read")
    # a down then c degraded, as the form adds them one by one (the panel htmx swaps in)
    first = site.client.get("/ui/whatif/panel", params={"add": "a", "add_state": "down"})
    assert "No business service would be hit" in text_of(first.text)  # W_ok = 2 (b, c) >= q = 2
    assert first.headers["HX-Push-Url"] == "/ui/whatif?down=a"
    second = site.client.get("/ui/whatif/panel", params={"down": "a", "add": "c", "add_state": "degraded"})
    text = text_of(second.text)
    # W_ok = 1 (b), W_up = 2 (b, c) >= 2: app degraded; orders degraded 0.5 x 1,500 = 750/h,
    # payroll degraded 100/h: 850/h in all, 14 people; root causes a and c
    assert "2 business services hit, €850 per hour, 14 people affected" in text
    assert re.search(r"orders .*Degraded €750 10 no a, c", text)


def test_whatif_unknown_node_is_refused_with_its_name(site: Site) -> None:
    site.login("read")
    page = site.client.get("/ui/whatif", params={"down": "ghost"})
    assert "down[0]: unknown node &#39;ghost&#39;" in page.text
    assert "business services hit" not in page.text


def test_whatif_is_on_top_of_the_live_state(site: Site) -> None:
    response = site.client.post(
        "/api/v1/events", json={"node": "db", "state": "down"}, headers=site.api("ingest")
    )
    assert response.status_code == 202
    site.login("read")
    text = text_of(site.client.get("/ui/whatif", params={"down": "network"}).text)
    # network down: orders down (1,500); db down live: payroll down (400) already: 1,900/h
    assert "2 business services hit, €1,900 per hour, 14 people affected" in text
    assert re.search(r"payroll \(already not working now\)", text)


def test_whatif_page_carries_the_graph_and_its_text_equivalent(site: Site) -> None:
    site.login("read")
    page = site.client.get("/ui/whatif").text
    assert 'id="whatif-elements"' in page and '"source": "orders", "target": "app"' in page
    assert "app (component) needs a weight of 2 of: a ×2, b, c" in text_of(page)
    assert '<option value="network">' in page


# --- single points of failure ---------------------------------------------------------------


def test_spof_ranked_by_cost_per_hour(site: Site) -> None:
    site.login("read")
    text = text_of(site.client.get("/ui/spof").text)
    # network: orders down 1,500, 10 people; db: payroll down 400, 4 people. app is a group (a
    # quorum, no match of its own): never listed; a, b or c alone leave the quorum met
    # (W_ok >= 2), so they are not single points either.
    rows = re.findall(r"(\d) (app|network|db|a|b|c) (€[\d,]+) (\d+)", text)
    assert rows == [("1", "network", "€1,500", "10"), ("2", "db", "€400", "4")]
    assert "€1,500 10 orders Down" in text and "€400 4 payroll Down" in text


def test_spof_api_ranks_as_the_cli_json_does(site: Site) -> None:
    response = site.client.get("/api/v1/spof", headers=site.api("operate"))  # any token may read
    assert response.status_code == 200, response.text
    api = response.json()
    cli = json.loads(run_cli("spof", site.model, "--json").stdout)
    # the same ranked list as `bizmap spof --json`, worked out by hand in the test above
    assert (
        api["ranked"]
        == cli["ranked"]
        == [
            {"node": "network", "cost_per_hour": 1500.0, "users_affected": 10, "services": ["orders"]},
            {"node": "db", "cost_per_hour": 400.0, "users_affected": 4, "services": ["payroll"]},
        ]
    )
    # the API adds what each service alone loses an hour to each of its single points
    without = [
        {"id": s["id"], "single_points": [{k: p[k] for k in ("node", "effect")} for p in s["single_points"]]}
        for s in api["services"]
    ]
    assert without == cli["services"]


# --- events and near misses ------------------------------------------------------------------


def post_events(site: Site, events: list[dict[str, object]]) -> None:
    response = site.client.post("/api/v1/events", json=events, headers=site.api("ingest"))
    assert response.status_code == 202, response.text


def test_unmatched_event_shows_the_closest_selectors_label_by_label(site: Site) -> None:
    post_events(
        site, [{"labels": {"job": "node", "instance": "d:9100"}, "state": "down", "summary": "node down"}]
    )
    site.login("read")
    page = site.client.get("/ui/events", params={"unmatched": "1"})
    text = text_of(page.text)
    # a and b share job=node and differ on instance; db shares the key job only (and lacks env)
    assert re.search(
        r"a wants instance=a:9100, job=node: fits: job differs: instance expected a:9100, got d:9100", text
    )
    assert text.index("b wants") < text.index("db wants")
    assert "missing: env (expected prod)" in text


def test_unknown_node_names_the_closest_ids(site: Site) -> None:
    post_events(site, [{"node": "netwrk", "state": "down"}])
    site.login("read")
    text = text_of(site.client.get("/ui/events").text)
    assert "It names node netwrk, which is not in the model. Did the sender mean network?" in text


def test_events_filter_by_node_source_state_and_text(site: Site) -> None:
    post_events(
        site,
        [
            {"node": "a", "state": "down", "source": "nagios", "summary": "disk full"},
            {"node": "b", "state": "degraded", "source": "nagios", "summary": "slow"},
            {"node": "a", "state": "ok", "source": "prometheus", "summary": "recovered"},
        ],
    )
    site.login("read")

    def summaries(**params: str) -> list[str]:
        page = site.client.get("/ui/events", params=params).text
        return re.findall(r"<td>(disk full|slow|recovered)</td>", page)

    assert summaries() == ["recovered", "slow", "disk full"]  # newest first
    assert summaries(node="a") == ["recovered", "disk full"]
    assert summaries(source="nagios") == ["slow", "disk full"]
    assert summaries(state="degraded") == ["slow"]
    assert summaries(q="DISK") == ["disk full"]
    assert summaries(node="a", source="prometheus") == ["recovered"]
    bad = site.client.get("/ui/events", params={"state": "broken"})
    assert bad.status_code == 422 and "state: &#39;broken&#39; is not one of" in bad.text


def test_events_are_paged_50_at_a_time_newest_first(site: Site) -> None:
    post_events(site, [{"node": "c", "state": "down", "key": f"k{i}", "summary": f"e{i}"} for i in range(51)])
    site.login("read")
    first = site.client.get("/ui/events").text
    shown = re.findall(r"<td>(e\d+)</td>", first)
    assert shown == [f"e{i}" for i in range(50, 0, -1)]  # e50 (number 51) down to e1 (number 2)
    link = re.search(r'href="/ui/events\?before=(\d+)" rel="next"', first)
    assert link is not None and link.group(1) == "2"  # the oldest event shown: e1, number 2
    assert "Newest events" not in first
    second = site.client.get("/ui/events", params={"before": link.group(1)}).text
    assert re.findall(r"<td>(e\d+)</td>", second) == ["e0"]
    assert 'rel="next"' not in second and ">Newest events</a>" in second


def test_event_text_is_escaped(site: Site) -> None:
    post_events(site, [{"labels": {"job": "<script>x</script>"}, "state": "down", "summary": "<b>bold</b>"}])
    site.login("read")
    page = site.client.get("/ui/events").text
    assert "<script>x</script>" not in page and "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


# --- model and catalog ------------------------------------------------------------------------


def test_model_page_shows_the_catalog_and_validation(site: Site) -> None:
    site.login("read")
    text = text_of(site.client.get("/ui/model").text)
    # 2 services, 6 components; edges: orders 2 + payroll 2 + app 3 = 7; 1 calendar; no windows
    assert (
        "is valid: 2 business services, 6 components, 7 dependencies, 1 calendar, 0 maintenance windows"
        in text
    )
    assert "Owner sales-ops" in text
    assert "Hours Mon-Fri 09:00-17:00; Sat 09:00-12:00 (Europe/Paris), except 1 holiday" in text
    assert "SLA 99.9% a month, on calendar 24x7" in text
    assert "€1,500 an hour when down (€1,000 revenue + 10 people × €50); 50% of it when degraded" in text
    assert "Orders by phone: impact × 0.5 for the first 1.5 h" in text
    assert "Depends on all of app network" in text
    # payroll: 24x7, soft edge to app
    assert "Hours around the clock, every day" in text
    assert "app (soft) db" in text
    assert "No reload has been refused" in text


def test_model_page_shows_the_errors_of_a_refused_reload(site: Site) -> None:
    site.model.write_text(MODEL.replace("depends_on: [app, network]", "depends_on: [app, ghost]"))
    refused = site.client.post("/api/v1/model/reload", headers=site.api("admin"))
    assert refused.status_code == 422
    site.login("read")
    text = text_of(site.client.get("/ui/model").text)
    assert "The last reload was refused" in text
    assert "'orders' depends on unknown node 'ghost'" in text.replace("&#39;", "'")
    assert "is valid: 2 business services" in text  # the old model stays in force


# --- maintenance ------------------------------------------------------------------------------


def test_maintenance_add_and_end_early_like_the_api(site: Site) -> None:
    csrf = site.login("operate")
    form = {
        "nodes": "a, b",
        "start": "2026-01-01 10:00",  # in the organisation's zone: the model's calendar, Europe/Paris
        "end": "2099-01-01T12:00",
        "reason": "Patching",
        "id": "mw-patch",
        "csrf_token": csrf,
    }
    added = site.client.post("/ui/maintenance", data=form)
    assert added.status_code == 303 and added.headers["location"] == "/ui/maintenance?added=mw-patch"
    windows = site.client.get("/api/v1/maintenance", headers=site.api("operate")).json()["windows"]
    assert windows == [
        {
            "id": "mw-patch",
            "nodes": ["a", "b"],
            "start": "2026-01-01T09:00:00Z",  # 10:00 in Paris is 09:00 UTC in winter (CET, +01:00)
            "end": "2099-01-01T11:00:00Z",
            "reason": "Patching",
            "source": "api",
        }
    ]
    node = site.client.get("/api/v1/nodes/a", headers=site.api("operate")).json()
    assert node["in_maintenance"] is True
    page = text_of(site.client.get("/ui/maintenance?added=mw-patch").text)
    assert "Window mw-patch added." in page and "active" in page
    ended = site.client.post("/ui/maintenance/mw-patch/end", data={"csrf_token": csrf})
    assert ended.status_code == 303
    assert site.client.get("/api/v1/maintenance", headers=site.api("operate")).json()["windows"] == []
    audit = site.client.get("/api/v1/audit", headers=site.api("admin")).json()["entries"]
    assert [(e["actor"], e["action"], e["detail"].get("id")) for e in audit[:2]] == [
        ("operate-user", "maintenance.end", "mw-patch"),
        ("operate-user", "maintenance.add", "mw-patch"),
    ]


def test_maintenance_form_without_csrf_is_refused(site: Site) -> None:
    site.login("operate")
    form = {"nodes": "a", "start": "2026-01-01T10:00", "end": "2099-01-01T12:00", "reason": "x"}
    assert site.client.post("/ui/maintenance", data=form).status_code == 403
    assert site.client.post("/ui/maintenance", data={**form, "csrf_token": "forged"}).status_code == 403
    assert site.client.get("/api/v1/maintenance", headers=site.api("operate")).json()["windows"] == []


def test_maintenance_needs_the_operate_role(site: Site) -> None:
    csrf = site.login("read")
    page = site.client.get("/ui/maintenance").text
    assert "Add window" not in page and "needs the operate role" in page
    form = {"nodes": "a", "start": "2026-01-01T10:00", "end": "2099-01-01T12:00", "reason": "x"}
    assert site.client.post("/ui/maintenance", data={**form, "csrf_token": csrf}).status_code == 403


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nodes": "a, ghost"}, "nodes: unknown node(s) &#39;ghost&#39;"),
        ({"end": "2026-01-01T09:00"}, "end: must be after start"),
        ({"reason": ""}, "Reason: String should have at least 1 character"),
        ({"start": "tomorrow"}, "Start: Input should be a valid datetime"),
    ],
)
def test_maintenance_form_errors_name_the_field_and_keep_the_input(
    site: Site, change: dict[str, str], message: str
) -> None:
    csrf = site.login("operate")
    form = {"nodes": "a", "start": "2026-01-01T10:00", "end": "2099-01-01T12:00", "reason": "Patching"}
    page = site.client.post("/ui/maintenance", data={**form, **change, "csrf_token": csrf})
    assert page.status_code == 422
    assert message in page.text
    assert 'value="' + (change.get("nodes") or "a") + '"' in page.text  # what was typed is kept


def test_a_model_window_cannot_be_ended_here(site: Site) -> None:
    csrf = site.login("operate")
    response = site.client.post("/ui/maintenance/no-such-window/end", data={"csrf_token": csrf})
    assert response.status_code == 404 and "no maintenance window &#39;no-such-window&#39;" in response.text


def test_pages_need_a_login(site: Site) -> None:
    for path in ("/ui/whatif", "/ui/spof", "/ui/events", "/ui/model", "/ui/maintenance"):
        response = site.client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("calendar", "words"),
    [
        (None, "around the clock, every day"),
        ({"timezone": "UTC"}, "all day, every day (UTC)"),
        # Tuesday has no hours, so Monday and Wednesday are not one range
        ({"hours": {"mon": "09:00-17:00", "wed": "09:00-17:00"}}, "Mon 09:00-17:00; Wed 09:00-17:00 (UTC)"),
        ({"hours": {"sat-sun": "00:00-24:00"}}, "Sat-Sun 00:00-24:00 (UTC)"),
        (
            {
                "timezone": "Europe/London",
                "hours": {"mon-fri": "08:00-12:00,13:00-17:00"},
                "holidays": {"country": "GB", "subdivision": "ENG", "dates": ["2026-12-24", "2026-12-31"]},
            },
            "Mon-Fri 08:00-12:00, 13:00-17:00 (Europe/London), "
            "except public holidays in GB-ENG and 2 more dates",
        ),
    ],
)
def test_calendar_in_words(calendar: dict[str, object] | None, words: str) -> None:
    spec = None if calendar is None else CalendarSpec.model_validate(calendar)
    assert calendar_in_words(spec) == words


def test_a_text_search_looks_at_a_bounded_number_of_events_per_page(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages_operations, "SEARCH_CHUNK", 2)
    monkeypatch.setattr(pages_operations, "SEARCH_LIMIT", 4)
    post_events(site, [{"node": "c", "state": "down", "key": f"k{i}", "summary": f"e{i}"} for i in range(5)])
    post_events(site, [{"node": "c", "state": "down", "summary": "needle"}])
    site.login("read")
    post_events(
        site, [{"node": "c", "state": "down", "key": f"k{i}", "summary": f"e{i}"} for i in range(5, 9)]
    )
    # newest first: events 10-7 are looked at (two chunks of two) and none has the text; the
    # page says where it stopped and the older page goes on from there, finding event 6
    first = site.client.get("/ui/events", params={"q": "needle"}).text
    assert "No events match these filters" in first
    assert "The search looked at events down to number 7." in text_of(first)
    assert 'href="/ui/events?q=needle&amp;before=7" rel="next"' in first
    second = site.client.get("/ui/events", params={"q": "needle", "before": "7"}).text
    assert re.findall(r"<td>(needle|e\d)</td>", second) == ["needle"]


def test_a_model_too_big_to_draw_still_has_the_search_box(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages_analysis, "GRAPH_LIMIT", 7)  # the model has 8 nodes
    site.login("read")
    page = site.client.get("/ui/whatif", params={"down": "app"}).text
    assert "The model has 8 nodes: too many to draw here." in page
    assert 'id="whatif-cy"' not in page
    assert "2 business services hit" in text_of(page)  # the answer does not depend on the drawing


# --- incidents (issue 12, defect 6: a closed incident said "Cost so far") ----------------------


def test_an_open_incident_says_cost_so_far_and_a_closed_one_says_cost(site: Site) -> None:
    site.login("read")
    ingest = site.api("ingest")
    posted = site.client.post("/api/v1/events", json=[{"node": "db", "state": "down"}], headers=ingest)
    assert posted.status_code == 202, posted.text
    incidents = site.client.get("/api/v1/incidents", headers=site.api("operate")).json()["incidents"]
    [incident] = [i["id"] for i in incidents]
    open_page = text_of(site.client.get(f"/ui/incidents/{incident}").text)
    assert "Cost so far" in open_page
    site.client.post("/api/v1/events", json=[{"node": "db", "state": "ok"}], headers=site.api("ingest"))
    closed_page = text_of(site.client.get(f"/ui/incidents/{incident}").text)
    assert "Status closed" in closed_page
    assert "Cost so far" not in closed_page and "Cost €" in closed_page


def test_the_api_description_opens_for_a_logged_in_person(site: Site) -> None:
    """A person logged in to the web UI reads /docs and /openapi.json in the browser (issue 20);
    without a session or a token they stay closed, and a bad token is still refused."""
    assert site.client.get("/docs").status_code == 401
    assert site.client.get("/openapi.json").status_code == 401
    site.login("read")
    docs = site.client.get("/docs")
    assert docs.status_code == 200 and "/api/v1/events" in docs.text
    assert site.client.get("/openapi.json").json()["info"]["title"]
    refused = site.client.get("/openapi.json", headers={"Authorization": "Bearer not-a-token"})
    assert refused.status_code == 401  # a token, when given, is what counts
