"""The decision pages in-process: BIA form, availability and the dial, business cases.

MODEL is small enough to work every figure out by hand (see its comments); the pages must
also show exactly what ``bizmap availability --json`` and ``bizmap case --json`` print for
the same inputs.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.storage.users import UserStore
from bizmap.text import money_text
from bizmap.web.app import create_app
from bizmap.web.sessions import SESSION_COOKIE, csrf_for
from bizmap.web.ui.decisions import CASE_EXAMPLE, safe_inline_svg
from bizmap.web.ui.decisions_forms import parse_hours_text
from helpers import run_cli

REPO = Path(__file__).resolve().parents[2]

# orders: 24x7, base 1,000/h, needs app = any(a, b), each of a and b up 99/(99+1) = 0.99 of the
#   time: A = 1 - 0.01^2 = 0.9999 (4 nines); 2026 has 8,760 h: down 0.876 h, cost 876.00 EUR.
# payroll: office = mon-fri 09:00-17:00 UTC; 2026 starts on a Thursday: 52 weeks + 1 weekday
#   = 261 weekdays x 8 h = 2,088 h; needs db, up 999/1000 = 0.999: down 2.088 h a year,
#   base 4 x 100 = 400/h: cost 835.20 EUR; its SLA asks 99.95 %: predicted below target.
MODEL = """\
currency: EUR
calendars:
  office:
    timezone: UTC
    hours: {mon-fri: "09:00-17:00"}
services:
  - id: orders
    name: Order taking
    impact: {revenue_per_hour: 1000}
    sla: {target: 99.9}
    depends_on: [app]
  - id: payroll
    name: Payroll
    calendar: office
    impact: {users: 4, cost_per_user_hour: 100}
    workaround: {description: Paper slips, impact_factor: 0.5, max_hours: 4}
    sla: {target: 99.95}
    depends_on: [db]
components:
  - id: app
    depends_on: {rule: any, children: [a, b]}
  - {id: a, mtbf_hours: 99, mttr_hours: 1}
  - {id: b, mtbf_hours: 99, mttr_hours: 1}
  - {id: db, mtbf_hours: 999, mttr_hours: 1}
"""

# A second db beside the first under an `any` pair: payroll up 1 - 0.001^2 = 0.999999, down
# 0.000001 x 2,088 = 0.002088 h, cost 0.8352 EUR; avoided 835.20 - 0.8352 = 834.3648 -> 834.36;
# net 834.3648 - 500 = 334.3648 -> 334.36. orders is untouched: 0 avoided.
DIAL = """\
name: A second database
yearly_cost: 500
changes:
  - remove_single_point: {node: db, replica: db-2}
"""

# Worked by hand at 10 %: NPV = -1,000 + 600/1.1 + 600/1.21 = -1,000 + 545.4545 + 495.8678
# = 41.32. IRR: with x = 1/(1+r), 600x^2 + 600x - 1,000 = 0, x = (-1 + sqrt(1 + 20/3))/2
# = 0.884437, r = 13.07 %. ROI = (1,200 - 1,000)/1,000 = 20.0 %. Payback: cumulative -1,000,
# -400, +200: 1 + 400/600 = 1.67 years (about 20 months).
SMALL_CASE = """\
name: A small server
currency: EUR
horizon_years: 2
discount_rate: 0.1
costs:
  - {name: Server, once: 1000}
benefits:
  - {name: Hours saved, per_year: 600}
"""


@dataclass
class Site:
    client: TestClient
    model: Path
    sessions: dict[str, str]

    def login(self, role: str = "read") -> str:
        self.client.cookies.set(SESSION_COOKIE, self.sessions[role])
        return csrf_for(self.sessions[role])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    model = tmp_path / "model.yaml"
    model.write_text(MODEL)
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    migrate(db)
    with Store(db) as store:
        people = UserStore(store.engine)
        sessions = {}
        for role in ("read", "operate"):
            people.add_user(f"{role}-user", role, f"{role}-password-123")
            sessions[role] = people.create_session(f"{role}-user", "password")
    app = create_app(Settings(model=str(model), db=db))
    with TestClient(app, follow_redirects=False) as client:
        yield Site(client, model, sessions)


def text_of(page: str) -> str:
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()
    return re.sub(r" ([,.;:?)])", r"\1", text)


def data_values(page: str, row_id: str) -> list[float]:
    """The machine-readable <data value> figures of one table row."""
    row = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', page, re.S)
    assert row is not None, f"no row {row_id}"
    return [float(v) for v in re.findall(r'<data value="([^"]+)"', row.group(1))]


# --- availability ------------------------------------------------------------------------------


def test_availability_page_shows_the_hand_worked_figures(site: Site) -> None:
    site.login()
    page = site.client.get("/ui/decisions/availability", params={"year": "2026"})
    assert page.status_code == 200
    orders = data_values(page.text, "availability-orders")
    assert orders[0] == pytest.approx(0.9999, abs=1e-12)
    assert orders[1] == pytest.approx(0.876, abs=1e-9)
    assert orders[2] == 876.00
    assert orders[3] == 788.40  # a nine more: a tenth of the downtime, 876.00 - 87.60
    payroll = data_values(page.text, "availability-payroll")
    assert payroll[0] == pytest.approx(0.999, abs=1e-12)
    assert payroll[1] == pytest.approx(2.088, abs=1e-9)
    assert payroll[2] == 835.20
    assert payroll[3] == 751.68  # 835.20 - 83.52
    text = text_of(page.text)
    assert "Order taking orders 99.9900 % 4.00 99.9 % 24x7 (8,760 h) 0.88 €876 €788 exact" in text
    assert "Payroll payroll 99.90 % 3.00 99.95 % (predicted below) office (2,088 h) 2.09 €835 €752" in text
    assert "all services: €1,711" in text  # 876.00 + 835.20, predictions in whole euros
    assert "Assumptions" in text and "independently" in text


def test_availability_page_equals_the_cli_json(site: Site) -> None:
    site.login()
    page = site.client.get("/ui/decisions/availability", params={"year": "2026"}).text
    cli = run_cli("availability", site.model, "--year", "2026", "--json")
    assert cli.exit_code == 0
    for service in json.loads(cli.stdout)["services"]:
        availability, down_hours, cost, saving = data_values(page, f"availability-{service['id']}")
        assert availability == service["availability"]
        assert down_hours == service["expected_down_hours_per_year"]
        assert cost == service["expected_cost_per_year"]
        assert saving == service["extra_nine"]["saving_per_year"]


def test_a_bad_year_is_said_and_this_year_shown(site: Site) -> None:
    site.login()
    page = site.client.get("/ui/decisions/availability", params={"year": "twenty"})
    assert page.status_code == 200
    assert "year &#39;twenty&#39;: give a year from 1900 to 9998" in page.text


def test_the_dial_before_after_avoided_and_net_value(site: Site) -> None:
    csrf = site.login()
    page = site.client.post(
        "/ui/decisions/availability", data={"csrf_token": csrf, "year": "2026", "changes": DIAL}
    )
    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert "Downtime cost avoided a year €834" in text
    assert "Yearly cost of the change €500" in text
    assert "Net value a year €334" in text
    before, after = data_values(page.text, "dial-payroll")
    assert before == pytest.approx(0.999, abs=1e-12)
    assert after == pytest.approx(0.999999, abs=1e-12)
    assert "Order taking orders 99.9900 % 99.9900 % €876 €876 €0" in text


def test_the_dial_page_equals_the_cli_json_and_takes_an_uploaded_file(site: Site, tmp_path: Path) -> None:
    dial_file = tmp_path / "dial.yaml"
    dial_file.write_text(DIAL)
    cli = json.loads(
        run_cli("availability", site.model, "--dial", dial_file, "--year", "2026", "--json").stdout
    )
    csrf = site.login()
    page = site.client.post(
        "/ui/decisions/availability",
        data={"csrf_token": csrf, "year": "2026", "changes": ""},
        files={"changes_file": ("dial.yaml", DIAL.encode(), "text/yaml")},
    )
    assert page.status_code == 200, page.text
    net = re.search(r'id="dial-net"[^>]*>([^<]+)<', page.text)
    assert net is not None
    assert net.group(1) == money_text(cli["net_value_per_year"], "EUR")  # whole euros, as the CLI prints
    assert money_text(cli["downtime_cost_avoided_per_year"], "EUR") in page.text
    for service in cli["services"]:
        before, after = data_values(page.text, f"dial-{service['id']}")
        assert before == service["before"]["availability"]
        assert after == service["after"]["availability"]


def test_a_bad_change_file_names_its_line_and_changes_nothing(site: Site) -> None:
    csrf = site.login()
    bad = "yearly_cost: 500\nchanges:\n  - set: {node: ghost, mttr_hours: 1}\n"
    page = site.client.post("/ui/decisions/availability", data={"csrf_token": csrf, "changes": bad})
    assert page.status_code == 422
    assert re.search(r"change file:3: error: change 1 \(set\): .*ghost", html.unescape(page.text))
    assert 'aria-invalid="true"' in page.text
    typo = "yearly_cost: 500\nchanges:\n  - sett: {node: db}\n"
    page = site.client.post("/ui/decisions/availability", data={"csrf_token": csrf, "changes": typo})
    assert page.status_code == 422
    assert "change file:3: error:" in page.text and "sett" in page.text


def test_the_dial_without_its_csrf_token_is_refused(site: Site) -> None:
    site.login()
    page = site.client.post("/ui/decisions/availability", data={"changes": DIAL})
    assert page.status_code == 403


# --- business impact analysis ------------------------------------------------------------------


def bia_form(csrf: str, **changes: str) -> dict[str, str]:
    # orders' answers: 1,000 lost + 10 people x 50 = 1,500 an hour: the business-operational
    # cost band (>= 500) and people band (>= 10): tier 3; no workaround relieves it.
    form = {
        "csrf_token": csrf,
        "service": "orders",
        "safety.threatened": "no",
        "money.lost_per_hour": "1,000",
        "people.cannot_work": "10",
        "people.cost_per_hour": "50",
        "workaround.exists": "no",
        "usage.timezone": "Europe/Paris",
        "usage.used": "mon-fri 09:00-17:00",
        "usage.asked_for": "24x7",
        "usage.needed_at_3am": "no",
    }
    form.update(changes)
    return form


def test_the_bia_form_is_prefilled_from_the_model(site: Site) -> None:
    site.login()
    page = site.client.get("/ui/decisions/bia", params={"service": "payroll"})
    assert page.status_code == 200
    # payroll: no revenue, 4 people at 100, workaround 0.5 for 4 h, office hours, SLA 99.95
    assert 'name="money.lost_per_hour" value="0"' in page.text
    assert 'name="people.cannot_work" value="4"' in page.text
    assert 'name="people.cost_per_hour" value="100"' in page.text
    assert 'id="f-workaround-exists-yes" name="workaround.exists" value="yes" checked' in page.text
    assert 'name="workaround.impact_factor" value="0.5"' in page.text
    assert ">mon-fri 09:00-17:00</textarea>" in page.text
    assert 'name="service_level.asked_for" value="99.95"' in page.text


def test_a_reader_assesses_and_sees_tier_reasons_and_the_mismatch(site: Site) -> None:
    csrf = site.login("read")
    page = site.client.post("/ui/decisions/bia", data=bia_form(csrf))
    assert page.status_code == 200, text_of(page.text)[:2000]
    text = text_of(page.text)
    assert "Tier 3 (business-operational)" in text
    assert "An hour down costs €1,500" in text
    # 24x7 asked (168 h a week) against 40 h used: 128 h a week would be paid for and never used
    assert "Mismatch (asked beyond use)" in text and "128 h a week would be paid for" in text
    assert 'class="mismatch"' in page.text
    # tier 3 without a workaround: MTPD 120 h, RTO 24 h (half of 120 is not shorter), RPO 24 h
    assert "Maximum tolerable disruption 120 h" in text
    assert "Recovery time objective 24 h" in text
    index = text_of(site.client.get("/ui/decisions").text)
    assert re.search(r"1 Order taking orders 3 \(business-operational\) €1,500 10", index)


def test_safety_makes_tier_0_whatever_the_money(site: Site) -> None:
    csrf = site.login()
    form = bia_form(
        csrf, **{"safety.threatened": "yes", "safety.after_hours": "2", "money.lost_per_hour": "0"}
    )
    text = text_of(site.client.post("/ui/decisions/bia", data=form).text)
    assert "Tier 0 (safety-critical)" in text
    # tier 0 tolerates 4 h, safety is at risk after 2 h: MTPD 2 h; RTO min(1 h, 50 % of 2 h) = 1 h
    assert "Maximum tolerable disruption 2 h" in text
    assert "Mismatch (safety without workaround)" in text


def test_bad_answers_reshow_the_form_with_the_error_next_to_the_field(site: Site) -> None:
    csrf = site.login()
    form = bia_form(csrf, **{"money.lost_per_hour": "lots", "usage.used": "weekdays"})
    del form["usage.needed_at_3am"]
    page = site.client.post("/ui/decisions/bia", data=form)
    assert page.status_code == 422
    assert "Tier" not in text_of(page.text).split("The questionnaire")[0]
    for field_id, message in (
        ("f-money-lost-per-hour", "valid number"),
        ("f-usage-used", "cannot read &#39;weekdays&#39;"),
        ("f-usage-needed-at-3am", "please answer this question"),
    ):
        error = re.search(rf'<span class="field-error" id="{field_id}-error-1">([^<]*)</span>', page.text)
        assert error is not None, field_id
        assert message in error.group(1)
    assert 'name="money.lost_per_hour" value="lots" inputmode="decimal" aria-describedby=' in page.text
    # a threatened safety without "after how long": the error names the question, next to it
    form = bia_form(csrf, **{"safety.threatened": "yes"})
    page = site.client.post("/ui/decisions/bia", data=form)
    assert page.status_code == 422
    error = re.search(r'id="f-safety-after-hours-error-1">([^<]*)<', page.text)
    assert error is not None
    assert error.group(1).startswith("“After how many hours down (with the workaround in use)?” is required")


def test_a_service_not_in_the_model_is_refused(site: Site) -> None:
    csrf = site.login()
    page = site.client.post("/ui/decisions/bia", data=bia_form(csrf, service="ghost"))
    assert page.status_code == 422
    assert "no business service &#39;ghost&#39; in the model" in page.text


def test_bia_answers_are_escaped(site: Site) -> None:
    csrf = site.login()
    evil = "<script>alert(1)</script>"
    page = site.client.post("/ui/decisions/bia", data=bia_form(csrf, name=evil, why_important=evil))
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_the_bia_post_without_csrf_is_refused_and_nothing_is_kept(site: Site) -> None:
    csrf = site.login()
    form = bia_form(csrf)
    del form["csrf_token"]
    assert site.client.post("/ui/decisions/bia", data=form).status_code == 403
    assert "No questionnaire has been answered" in site.client.get("/ui/decisions").text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24x7", "24x7"),
        ("mon-fri 08:00-18:00", {"mon-fri": "08:00-18:00"}),
        (
            'mon-fri: "08:00-12:00, 13:00-17:00"\nsat 09:00-12:00',
            {"mon-fri": "08:00-12:00,13:00-17:00", "sat": "09:00-12:00"},
        ),
        ("mon 08:00-10:00; mon 12:00-14:00", {"mon": "08:00-10:00,12:00-14:00"}),
    ],
)
def test_hours_as_typed(text: str, expected: object) -> None:
    assert parse_hours_text(text) == expected


# --- business cases ----------------------------------------------------------------------------


def test_the_case_form_is_prefilled_with_the_online_hours_example(site: Site) -> None:
    site.login()
    page = site.client.get("/ui/decisions/case")
    assert "name: Extend online hours by 3.5 hours a day" in page.text
    assert CASE_EXAMPLE.read_text() == (REPO / "examples/decisions/online-hours.yaml").read_text()


def test_a_small_case_worked_by_hand(site: Site) -> None:
    csrf = site.login()
    page = site.client.post(
        "/ui/decisions/case", data={"csrf_token": csrf, "case": SMALL_CASE, "runs": "100", "seed": "1"}
    )
    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert "Net present value (NPV) at 10.0 % €41.32" in text
    assert "Internal rate of return (IRR) 13.1 % a year" in text
    assert "Return on investment (ROI), undiscounted 20.0 %" in text
    assert "Payback 1.67 years (about 20 months)" in text
    # without ranges every run is the same: P10 = P50 = P90 = NPV; NPV > 0 in every run
    assert "NPV P10 (9 runs in 10 do better) €41.32" in text
    assert "Probability that NPV > 0 100.0 %" in text
    assert "1 −€1,000.00 €600.00" not in text  # year 1 has no cost
    assert re.search(r"0 €0.00 -€1,000.00 -€1,000.00 -€1,000.00 -€1,000.00 -€1,000.00", text)


def test_the_case_page_equals_the_cli_json_for_the_example(site: Site) -> None:
    example = REPO / "examples/decisions/online-hours.yaml"
    cli = json.loads(run_cli("case", example, "--simulate", "2000", "--seed", "7", "--json").stdout)
    csrf = site.login()
    page = site.client.post(
        "/ui/decisions/case",
        data={"csrf_token": csrf, "case": example.read_text(), "runs": "2000", "seed": "7"},
    ).text
    for key, element in (
        ("npv", "case-npv"),
        ("npv_p10", "case-p10"),
        ("npv_p50", "case-p50"),
        ("npv_p90", "case-p90"),
    ):
        value = re.search(rf'id="{element}"><data value="([^"]+)"', page)
        assert value is not None
        assert float(value.group(1)) == cli[key]
    for key, element in (
        ("irr", "case-irr"),
        ("roi", "case-roi"),
        ("probability_npv_positive", "case-probability"),
    ):
        value = re.search(rf'id="{element}"><data value="([^"]+)"', page)
        assert value is not None
        assert float(value.group(1)) == cli[key]
    assert f"{cli['payback_years']:.2f} years" in page
    assert page.count("<svg") == 2  # the tornado and the cumulative cash flow, inlined
    assert "<?xml" not in page


def test_case_names_are_escaped_in_the_page_and_in_the_charts(site: Site) -> None:
    csrf = site.login()
    evil = SMALL_CASE.replace("name: A small server", "name: <script>alert(1)</script>").replace(
        "Server", '"</text><script>alert(2)</script> $x$"'
    )
    page = site.client.post("/ui/decisions/case", data={"csrf_token": csrf, "case": evil, "runs": "10"})
    assert page.status_code == 200, page.text
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    svg = page.text[page.text.index("<svg") :]
    assert "&lt;/text&gt;&lt;script&gt;alert(2)&lt;/script&gt; $x$" in svg  # plain text, not maths


def test_safe_inline_svg_refuses_anything_that_could_run() -> None:
    assert safe_inline_svg('<?xml version="1.0"?>\n<svg><text>a</text></svg>') == "<svg><text>a</text></svg>"
    assert safe_inline_svg("<svg><script>x</script></svg>") == ""
    assert safe_inline_svg('<svg onload="x()"></svg>') == ""


def test_a_bad_case_names_the_line_and_key(site: Site) -> None:
    csrf = site.login()
    bad = SMALL_CASE.replace("discount_rate: 0.1", "discount_rate: 8%")
    page = site.client.post("/ui/decisions/case", data={"csrf_token": csrf, "case": bad})
    assert page.status_code == 422
    assert "case:4: error: discount_rate: write the rate as a fraction" in html.unescape(page.text)
    dial_benefit = SMALL_CASE.replace("per_year: 600", "per_year_from: dial.json")
    page = site.client.post("/ui/decisions/case", data={"csrf_token": csrf, "case": dial_benefit})
    assert page.status_code == 422
    assert "reads no files on the server" in page.text
    page = site.client.post("/ui/decisions/case", data={"csrf_token": csrf, "case": SMALL_CASE, "runs": "0"})
    assert page.status_code == 422
    assert "Monte Carlo runs: a whole number from 1 to 100,000" in page.text


def test_the_case_post_without_csrf_is_refused(site: Site) -> None:
    site.login()
    assert site.client.post("/ui/decisions/case", data={"case": SMALL_CASE}).status_code == 403


def test_decision_pages_need_a_session(site: Site) -> None:
    for path in ("/ui/decisions", "/ui/decisions/bia", "/ui/decisions/availability", "/ui/decisions/case"):
        answer = site.client.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=" + path


def test_the_index_shows_availability_and_links(site: Site) -> None:
    site.login()
    page = site.client.get("/ui/decisions")
    assert page.status_code == 200
    assert 'href="/ui/decisions/bia"' in page.text and 'href="/ui/decisions/case"' in page.text
    assert 'aria-current="page">Decisions<' in page.text
    assert data_values(page.text, "availability-orders")[0] == pytest.approx(0.9999, abs=1e-12)


def test_the_simulated_years_equal_the_cli_json(site: Site) -> None:
    site.login()
    page = site.client.get(
        "/ui/decisions/availability", params={"year": "2026", "simulate": "300", "seed": "7"}
    ).text
    cli = run_cli("availability", site.model, "--year", "2026", "--simulate", "300", "--seed", "7", "--json")
    assert cli.exit_code == 0
    document = json.loads(cli.stdout)
    for service in document["services"]:
        simulated = service["simulated"]
        values = data_values(page, f"simulated-{service['id']}")
        expected = [simulated["failures_per_year"]]
        if simulated["mean_outage_hours"] is not None:
            expected.append(simulated["mean_outage_hours"])
        expected += [
            simulated["calendar_down_hours_per_year"],
            simulated["cost_per_year"],
            simulated["availability"],
        ]
        assert values == expected
    assert "300 simulated years of 2026's calendars, seed 7" in text_of(page)
    assert "--simulate 300 --seed 7" in page


def test_a_bad_number_of_years_is_said_and_nothing_simulated(site: Site) -> None:
    site.login()
    page = site.client.get("/ui/decisions/availability", params={"simulate": "1000000"}).text
    assert "simulated years: a whole number from 1 to 2,000" in text_of(page)
    assert 'id="simulated-' not in page
