"""CSV files of the tables the pages show (``?csv=<table>``, ``bizmap.web.ui.csv_tables``) and
the text filters of the overview and the incidents (``?q=``), in-process.

Hand figures: shop costs 100 + 3 x 20 = 160 an hour while down; its database fails at NOON
and the server's clock reads NOON + 10 minutes, so its incident has cost 160 / 6 = 26.67.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.storage.users import UserStore
from bizmap.web.app import create_app
from bizmap.web.sessions import SESSION_COOKIE
from bizmap.web.ui.csv_tables import neutralised, table_csv
from helpers import write_text

MODEL = """\
currency: GBP
services:
  - id: shop
    name: Web shop
    impact: {revenue_per_hour: 100, users: 3, cost_per_user_hour: 20}
    depends_on: [db]
  - {id: desk, name: Service desk, impact: {users: 2, cost_per_user_hour: 30}, depends_on: [phones]}
components:
  - {id: db, match: [{job: postgres}]}
  - {id: phones}
maintenance:  # the day after: changes nothing today
  - {id: mw-phones, nodes: [phones], start: 2026-10-02T20:00:00Z, end: 2026-10-02T22:00:00Z, reason: "=1+1"}
"""
NOON = 1_790_856_000.0  # 2026-10-01T12:00:00Z
FORMULA = '=HYPERLINK("http://evil.example","click")'


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_text_a_spreadsheet_would_run_is_neutralised() -> None:
    assert neutralised("=SUM(A1:A9)") == "'=SUM(A1:A9)"
    assert neutralised("+44 20 7946 0000") == "'+44 20 7946 0000"
    assert neutralised("-1+2") == "'-1+2"
    assert neutralised("@cmd") == "'@cmd"
    assert neutralised("\tx") == "'\tx"
    assert neutralised("-26.67") == "-26.67"  # a plain number stays a number
    assert neutralised("db down") == "db down"


def test_a_marked_table_reads_as_the_viewer_sees_it_with_raw_figures() -> None:
    html = """<p>before</p><table data-csv="t"><caption>ignored</caption>
      <thead><tr><th>Name</th><th>Cost</th><th>When</th><th data-csv-skip>Action</th></tr></thead>
      <tbody>
        <tr><th scope="row"><a href="/x">Web  shop</a> <small>(down)</small></th>
          <td data-csv="1234.5">£1,235</td>
          <td><time datetime="2026-10-01T12:00:00Z">1 Oct 2026 13:00:00 BST</time></td>
          <td><button>End</button></td></tr>
        <tr data-csv-skip><td colspan="4">why it matched nothing</td></tr>
        <tr><th>=1+1</th><td data-csv="-3.00">-£3</td><td>still open</td><td></td></tr>
      </tbody></table>
      <ul data-csv="cards">
        <li data-csv-row><h3 data-csv-col="Name">A</h3><dd data-csv-col="Cost" data-csv="5">£5</dd></li>
        <li data-csv-row><h3 data-csv-col="Name">B</h3></li></ul>"""
    assert rows_of(table_csv(html, "t") or "") == [
        ["Name", "Cost", "When"],
        ["Web shop (down)", "1234.5", "2026-10-01T12:00:00Z"],
        ["'=1+1", "-3.00", "still open"],
    ]
    assert rows_of(table_csv(html, "cards") or "") == [["Name", "Cost"], ["A", "5"], ["B", ""]]
    assert table_csv(html, "other") is None


@dataclass
class Site:
    client: TestClient
    session: str


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    model = write_text(tmp_path / "model.yaml", MODEL)
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    migrate(db)
    with Store(db) as store:
        ingest = store.create_token("t-ingest", "ingest")
        people = UserStore(store.engine)
        people.add_user("rita", "read", "read-password-123")
        session = people.create_session("rita", "password")
    app = create_app(Settings(model=str(model), db=db, timezone="UTC"), clock=lambda: NOON + 600)
    with TestClient(app, follow_redirects=False) as client:
        events = [
            {"node": "db", "state": "down", "time": "2026-10-01T12:00:00Z", "summary": FORMULA},
            {
                "labels": {"job": "mysql", "instance": "@evil"},
                "state": "down",
                "time": "2026-10-01T12:05:00Z",
            },
        ]
        posted = client.post("/api/v1/events", json=events, headers={"Authorization": f"Bearer {ingest}"})
        assert posted.status_code == 202, posted.text
        client.cookies.set(SESSION_COOKIE, session)
        yield Site(client, session)


def csv_of(site: Site, path: str, **params: str) -> tuple[list[list[str]], str]:
    response = site.client.get(path, params=params or None)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    return rows_of(response.text), response.headers["content-disposition"]


def test_the_incidents_as_csv_with_the_raw_cost_and_utc_times(site: Site) -> None:
    rows, disposition = csv_of(site, "/ui/incidents", csv="incidents")
    assert disposition.startswith('attachment; filename="bizmap-incidents-') and disposition.endswith('.csv"')
    assert rows == [
        [
            "Incident",
            "Status",
            "Opened",
            "Business services",
            "Root causes",
            "People",
            "Cost",
            "Acknowledged",
        ],
        ["INC-20261001T120000Z-shop", "open", "2026-10-01T12:00:00Z", "Web shop", "db", "3", "26.67", "no"],
    ]
    page = site.client.get("/ui/incidents").text
    assert 'href="/ui/incidents?csv=incidents" download>CSV<span class="sr-only"> of these incidents' in page


def test_the_events_as_csv_neutralise_formulas_and_leave_out_the_near_miss_rows(site: Site) -> None:
    rows, _ = csv_of(site, "/ui/events", csv="events", state="down")
    assert rows[0] == ["#", "Time", "Node or labels", "State", "Summary", "Source", "Fitted"]
    assert [row[:2] for row in rows[1:]] == [["2", "2026-10-01T12:05:00Z"], ["1", "2026-10-01T12:00:00Z"]]
    assert rows[1][2] == "instance=@evil job=mysql"
    assert rows[2][4] == "'" + FORMULA  # the summary a spreadsheet would have run
    assert [row[6] for row in rows[1:]] == ["no", "yes"]  # the unmatched one has no extra row


def test_the_overview_services_as_csv(site: Site) -> None:
    rows, _ = csv_of(site, "/ui/overview", csv="services")
    assert rows == [
        [
            "Id",
            "Service",
            "State",
            "Cost per hour now",
            "Cost today",
            "Cost this SLA period",
            "People affected",
            "SLA error budget left",
            "Root causes",
        ],
        ["shop", "Web shop", "Down", "160.00", "26.67", "26.67", "3", "no SLA", "db"],
        ["desk", "Service desk", "Working", "0.00", "0.00", "0.00", "0", "no SLA", ""],
    ]


def test_an_unknown_table_is_refused_by_name_and_a_stranger_gets_no_csv(site: Site) -> None:
    unknown = site.client.get("/ui/incidents", params={"csv": "payroll"})
    assert unknown.status_code == 404
    assert unknown.text == "csv: this page has no table 'payroll' (its tables: incidents)\n"
    site.client.cookies.clear()
    stranger = site.client.get("/ui/incidents", params={"csv": "incidents"})
    assert stranger.status_code in (302, 303, 307) and "/login" in stranger.headers["location"]
    assert "text/csv" not in stranger.headers.get("content-type", "")


def test_the_overview_filter_keeps_the_services_that_match(site: Site) -> None:
    def tiles(**params: str) -> list[str]:
        html = site.client.get("/ui/overview", params=params).text
        return [part.split('"')[0] for part in html.split('data-service="')[1:]]

    assert tiles() == ["shop", "desk"]
    assert tiles(q="desk") == ["desk"]
    assert tiles(q="DOWN") == ["shop"]  # the state as shown
    assert tiles(q="db") == ["shop"]  # its root cause
    assert tiles(q="web shop") == ["shop"]  # every word, anywhere
    assert tiles(q="payroll") == []
    assert (
        "No business service matches “payroll” (2 in all)." in site.client.get("/ui/overview?q=payroll").text
    )
    fragment = site.client.get("/ui/overview/tiles", params={"q": "desk"}).text  # the live refresh
    assert 'data-service="desk"' in fragment and 'data-service="shop"' not in fragment
    rows, _ = csv_of(site, "/ui/overview", q="desk", csv="services")
    assert [row[0] for row in rows[1:]] == ["desk"]  # the file holds what the page shows


def test_the_incidents_filter(site: Site) -> None:
    assert "INC-20261001T120000Z-shop" in site.client.get("/ui/incidents", params={"q": "web"}).text
    assert "INC-20261001T120000Z-shop" in site.client.get("/ui/incidents", params={"q": "db open"}).text
    nothing = site.client.get("/ui/incidents", params={"q": "phones", "open": "true"}).text
    assert "INC-" not in nothing and "No incidents open match “phones”." in nothing
    assert 'value="phones"' in nothing and '<input type="hidden" name="open" value="true">' in nothing
    assert "csv=incidents" not in nothing  # no table, no file to offer
    assert site.client.get("/ui/incidents", params={"q": "phones", "csv": "incidents"}).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/ui/overview",
        "/ui/incidents",
        "/ui/incidents/INC-20261001T120000Z-shop",
        "/ui/events",
        "/ui/whatif?down=db",
        "/ui/spof",
        "/ui/maintenance",
        "/ui/services/shop",
        "/ui/decisions/availability",
    ],
)
def test_every_table_a_page_shows_has_its_csv_link_and_file(site: Site, path: str) -> None:
    html = site.client.get(path).text
    names = re.findall(r'<(?:table|ul)[^>]* data-csv="([^"]+)"', html)
    assert names, f"{path}: no table marked for CSV"
    assert html.count("<table") == len([n for n in names if n != "services"]), f"{path}: a table without CSV"
    for name in names:
        [href] = re.findall(rf'href="([^"]*csv={re.escape(name)})" download>CSV', html)
        rows, disposition = csv_of(site, unescape(href))
        assert f"bizmap-{name}-" in disposition
        assert len(rows) >= 2 and all(rows[0]), f"{path} {name}: {rows[:2]}"


def test_the_maintenance_windows_as_csv_without_the_action_column(site: Site) -> None:
    rows, _ = csv_of(site, "/ui/maintenance", csv="maintenance")
    assert rows == [
        ["Id", "Nodes", "Start", "End", "Reason", "Now", "From"],
        [
            "mw-phones",
            "phones",
            "2026-10-02T20:00:00Z",
            "2026-10-02T22:00:00Z",
            "'=1+1",
            "upcoming",
            "the model",
        ],
    ]
