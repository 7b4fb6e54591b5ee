"""The BIA form as a service owner meets it: prefilled from the model, sent back unchanged.

The form must take its own prefill on the first "Assess" (issue 20: a safety-critical service
failed with the internal name ``safety.after_hours``), prefill the service's time zone and
"needed at 3 am" from its calendar, and name its own questions in every error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.storage.users import UserStore
from bizmap.web.app import create_app
from bizmap.web.sessions import SESSION_COOKIE, csrf_for

# records: 24x7 (no calendar of its own), its SLA counted on UK days; lives at stake; paper
#   notes are safe for 4 h. ward-round: the same without a limit on the paper notes.
# clinic: office hours in Europe/Paris, nobody there at 3 am.
MODEL = """\
currency: GBP
calendars:
  uk-days: {timezone: Europe/London}
  clinic-hours:
    timezone: Europe/Paris
    hours: {mon-fri: "08:00-18:00"}
services:
  - id: records
    name: Patient records
    impact: {revenue_per_hour: 20000, users: 1800, cost_per_user_hour: 30, safety_critical: true}
    workaround: {description: Paper notes, impact_factor: 0.35, max_hours: 4}
    sla: {target: 99.9, calendar: uk-days}
    depends_on: [app]
  - id: ward-round
    name: Ward round
    impact: {users: 40, cost_per_user_hour: 30, safety_critical: true}
    workaround: {description: Paper notes, impact_factor: 0.5}
    depends_on: [app]
  - id: clinic
    name: Outpatient clinic
    calendar: clinic-hours
    impact: {revenue_per_hour: 4000}
    depends_on: [app]
components:
  - id: app
"""


class FormValues(HTMLParser):
    """What a browser would send for the questionnaire form: inputs, checked radios, textareas."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method") == "post":
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and (a.get("type") != "radio" or "checked" in a):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(page: str) -> dict[str, str]:
    parser = FormValues()
    parser.feed(page)
    return parser.values


@dataclass
class Site:
    client: TestClient

    def prefilled(self, service: str) -> dict[str, str]:
        page = self.client.get("/ui/decisions/bia", params={"service": service})
        assert page.status_code == 200
        return form_values(page.text)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    model = tmp_path / "model.yaml"
    model.write_text(MODEL)
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    migrate(db)
    with Store(db) as store:
        people = UserStore(store.engine)
        people.add_user("reader", "read", "read-password-123")
        session = people.create_session("reader", "password")
    app = create_app(Settings(model=str(model), db=db))
    with TestClient(app, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, session)
        assert csrf_for(session)
        yield Site(client)


def test_a_safety_critical_24x7_service_is_prefilled_from_its_calendars(site: Site) -> None:
    values = site.prefilled("records")
    assert values["safety.threatened"] == "yes"
    assert values["usage.timezone"] == "Europe/London"  # the SLA calendar's zone, not UTC
    assert values["usage.used"] == "24x7"
    assert values["usage.needed_at_3am"] == "yes"  # used round the clock: someone is there at 3 am
    assert values["safety.after_hours"] == "4"  # the paper notes are safe for 4 h


def test_office_hours_are_not_needed_at_3am_and_keep_their_zone(site: Site) -> None:
    values = site.prefilled("clinic")
    assert values["usage.timezone"] == "Europe/Paris"
    assert values["usage.used"] == "mon-fri 08:00-18:00"
    assert values["usage.needed_at_3am"] == "no"
    assert values["safety.after_hours"] == ""


def test_the_prefilled_form_assesses_on_the_first_click(site: Site) -> None:
    values = site.prefilled("records")
    page = site.client.post("/ui/decisions/bia", data=values)
    assert page.status_code == 200, page.text[-3000:]
    assert 'id="bia-tier">Tier 0 (safety-critical)' in page.text
    # 24x7 in UK time; safety at risk after 4 h caps tier 0's MTPD of 4 h at 4 h
    assert "Service hours (Europe/London)" in page.text
    assert "Someone truly needs it at 3 am" in page.text


def test_a_missing_answer_is_named_by_its_question_next_to_its_field(site: Site) -> None:
    values = site.prefilled("ward-round")  # the workaround has no limit: after how long is unknown
    assert values["safety.after_hours"] == ""
    page = site.client.post("/ui/decisions/bia", data=values)
    assert page.status_code == 422
    errors = re.findall(r'<span class="field-error"[^>]*>([^<]*)</span>', page.text)
    assert errors and not any("safety.after_hours" in e for e in errors)
    assert 'id="f-safety-after-hours-error-1">' in page.text
    error = page.text.split('id="f-safety-after-hours-error-1">', 1)[1].split("</span>", 1)[0]
    assert error.startswith("“After how many hours down (with the workaround in use)?” is required")
    values["safety.after_hours"] = "1"
    assert site.client.post("/ui/decisions/bia", data=values).status_code == 200


def test_the_organisation_s_size_scales_the_bands_in_the_form(site: Site) -> None:
    # clinic: 4,000 an hour, used mon-fri 08:00-18:00 (50 h a week). As written, 4,000 is the
    # business-operational cost band (>= 500): tier 3, 99 %. For an organisation taking
    # 20,000,000 a year the cost bands are x 20/876: 4,000 >= 1,141.55: tier 1, and 99.9 %
    # pays (100,000 a year against 1.9 % x 50 x 365/7 h x 4,000 = 198,143 avoided).
    values = site.prefilled("clinic")
    absolute = site.client.post("/ui/decisions/bia", data=values)
    assert 'id="bia-tier">Tier 3 (business-operational)' in absolute.text
    values["organisation.annual_revenue"] = "20,000,000"
    scaled = site.client.post("/ui/decisions/bia", data=values)
    assert 'id="bia-tier">Tier 1 (mission-critical)' in scaled.text
    assert "<dd>99.9 %</dd>" in scaled.text
    assert "the cost bands scale to 1,141.55 / 114.16 / 11.42 GBP an hour" in scaled.text
    values["organisation.staff"] = "none"
    refused = site.client.post("/ui/decisions/bia", data=values)
    assert refused.status_code == 422 and 'id="f-organisation-staff-error-1"' in refused.text
