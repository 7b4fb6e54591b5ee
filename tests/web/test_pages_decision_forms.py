"""The dial and business-case pages' forms: the same inputs as the YAML, the same results.

A form is the default way in; the pasted YAML stays as the advanced option. Both must give
identical results, the form's errors name its rows and labels, and each side shows the other's
version of the same document (the YAML of what was typed, the fields of what was pasted).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from test_pages_decisions import DIAL, MODEL, Site

from bizmap.decisions.availability.dial import DialSpec, dial_document, turn_dial
from bizmap.decisions.case.appraisal import evaluate
from bizmap.decisions.case.checks import parse_case
from bizmap.decisions.case.document import case_document
from bizmap.decisions.case.simulation import simulate
from bizmap.domain.compile import compile_model
from bizmap.model.loading import load_model
from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.storage.users import UserStore
from bizmap.web.app import create_app
from bizmap.web.ui.decision_inputs import case_data, case_values, dial_data, dial_values

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_CASE = REPO / "examples/decisions/online-hours.yaml"

# DIAL (test_pages_decisions) as a person fills the form: a second db paired with the first
DIAL_FORM = {
    "name": "A second database",
    "yearly_cost": "500",
    "change.0.kind": "remove_single_point",
    "change.0.node": "db",
    "change.0.new_id": "db-2",
    "change.1.kind": "",  # an empty row: left out
}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """test_pages_decisions' model served in-process, a reader logged in with ``login()``."""
    model = tmp_path / "model.yaml"
    model.write_text(MODEL)
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    migrate(db)
    with Store(db) as store:
        people = UserStore(store.engine)
        people.add_user("read-user", "read", "read-password-123")
        sessions = {"read": people.create_session("read-user", "password")}
    with TestClient(create_app(Settings(model=str(model), db=db)), follow_redirects=False) as client:
        yield Site(client, model, sessions)


def result_figures(page: str, section: str) -> list[str]:
    """Every machine-readable figure of the result section, in page order."""
    match = re.search(rf'<section[^>]*id="{section}"(.*?)</section>', page, re.S) or re.search(
        rf'aria-labelledby="{section}"(.*?)</section>', page, re.S
    )
    assert match is not None, f"no section {section}"
    return re.findall(r'<data value="([^"]+)"', match.group(1))


def test_the_dial_form_gives_the_change_file_of_the_yaml() -> None:
    assert dial_data(DIAL_FORM) == yaml.safe_load(DIAL)
    assert dial_data(dial_values(yaml.safe_load(DIAL))) == yaml.safe_load(DIAL)


def test_the_dial_form_and_the_yaml_give_identical_json(tmp_path: Path) -> None:
    model_file = tmp_path / "model.yaml"
    model_file.write_text(MODEL)
    graph = compile_model(load_model(model_file))
    from_form = turn_dial(graph, DialSpec.model_validate(dial_data(DIAL_FORM)), 2026)
    from_yaml = turn_dial(graph, DialSpec.model_validate(yaml.safe_load(DIAL)), 2026)
    assert dial_document(from_form) == dial_document(from_yaml)
    # worked in test_pages_decisions: 834.36 avoided, 334.36 net
    assert dial_document(from_form)["net_value_per_year"] == 334.36


def test_the_dial_page_gives_the_same_figures_from_the_form_and_the_yaml(site: Site) -> None:
    csrf = site.login()
    by_yaml = site.client.post(
        "/ui/decisions/availability", data={"csrf_token": csrf, "year": "2026", "changes": DIAL}
    )
    by_form = site.client.post(
        "/ui/decisions/availability", data={"csrf_token": csrf, "year": "2026", "mode": "form", **DIAL_FORM}
    )
    assert by_form.status_code == by_yaml.status_code == 200
    assert result_figures(by_form.text, "dial-result-heading") == result_figures(
        by_yaml.text, "dial-result-heading"
    )
    assert result_figures(by_form.text, "dial-result-heading")  # the rows carry figures
    net = re.compile(r'id="dial-net"[^>]*>([^<]+)<')
    assert net.findall(by_form.text) == net.findall(by_yaml.text) == ["€334"]
    # each side shows the other's version of the same change file
    shown_yaml = html.unescape(
        re.search(r'<textarea id="changes"[^>]*>(.*?)</textarea>', by_form.text, re.S)[1]
    )
    assert yaml.safe_load(shown_yaml) == yaml.safe_load(DIAL)
    assert 'name="change.0.new_id" value="db-2"' in by_yaml.text
    assert '<option value="remove_single_point" selected>' in by_yaml.text


def test_the_dial_form_names_the_row_and_the_field_of_an_error(site: Site) -> None:
    csrf = site.login()
    base = {"csrf_token": csrf, "year": "2026", "mode": "form"}
    ghost = {**DIAL_FORM, "change.0.kind": "set", "change.0.node": "ghost", "change.0.new_id": ""}
    ghost["change.0.mttr_hours"] = "1"
    page = site.client.post("/ui/decisions/availability", data={**base, **ghost})
    assert page.status_code == 422
    errors = html.unescape(page.text.split('id="dial-form-errors"', 1)[1].split("</div>", 1)[0])
    assert (
        "Change 1 (set mtbf / mttr), Node (for a replica: the any/quorum group): unknown node 'ghost'"
        in errors
    )
    no_cost = {**DIAL_FORM, "yearly_cost": ""}
    page = site.client.post("/ui/decisions/availability", data={**base, **no_cost})
    assert page.status_code == 422
    assert "Yearly cost of the change: please fill it in" in page.text
    wrong_field = {**DIAL_FORM, "change.0.mtbf_hours": "lots"}
    page = site.client.post("/ui/decisions/availability", data={**base, **wrong_field})
    assert page.status_code == 422
    assert "Change 1 (remove a single point of failure), MTBF hours: does not apply" in page.text


def test_the_example_case_round_trips_through_the_form() -> None:
    data = yaml.safe_load(EXAMPLE_CASE.read_text())
    assert parse_case(case_data(case_values(data))) == parse_case(data)
    values = case_values(data)
    assert values["discount_rate"] == "8"  # the form asks for percent: 0.08 is 8 %
    assert values["cost.5.years"] == "1, 2" and values["benefit.0.ramp"] == "0.5, 0.9, 1, 1, 1"
    assert (values["cost.1.low"], values["cost.1.mode"], values["cost.1.high"]) == ("0.9", "1", "1.8")


def test_the_case_form_and_the_yaml_give_identical_json() -> None:
    data = yaml.safe_load(EXAMPLE_CASE.read_text())
    from_yaml, from_form = parse_case(data), parse_case(case_data(case_values(data)))
    documents = [case_document(evaluate(s), simulate(s, 2000, 7)) for s in (from_yaml, from_form)]
    assert documents[0] == documents[1]


SMALL_CASE_FORM = {  # SMALL_CASE of test_pages_decisions: NPV 41.32 at 10 %, worked by hand there
    "name": "A small server",
    "currency": "EUR",
    "horizon_years": "2",
    "discount_rate": "10",
    "cost.0.name": "Server",
    "cost.0.timing": "once",
    "cost.0.amount": "1,000",
    "benefit.0.name": "Hours saved",
    "benefit.0.amount": "600",
    "cost.1.name": "",  # an empty row: left out
}


def test_the_case_page_gives_the_same_figures_from_the_form_and_the_yaml(site: Site) -> None:
    csrf = site.login()
    text = EXAMPLE_CASE.read_text()
    by_yaml = site.client.post(
        "/ui/decisions/case", data={"csrf_token": csrf, "case": text, "runs": "2000", "seed": "7"}
    )
    form = {
        "csrf_token": csrf,
        "mode": "form",
        "runs": "2000",
        "seed": "7",
        **case_values(yaml.safe_load(text)),
    }
    by_form = site.client.post("/ui/decisions/case", data=form)
    assert by_form.status_code == by_yaml.status_code == 200
    figures = result_figures(by_form.text, "case-result")
    assert len(figures) == 7 and figures == result_figures(by_yaml.text, "case-result")  # NPV..P(NPV > 0)
    # the small case typed into the form: -1,000 + 600/1.1 + 600/1.21 = 41.32
    small = site.client.post(
        "/ui/decisions/case", data={"csrf_token": csrf, "mode": "form", **SMALL_CASE_FORM}
    )
    assert small.status_code == 200
    assert re.search(r'id="case-npv"><data value="41.32"', small.text)
    shown_yaml = html.unescape(
        re.search(r'<textarea id="case-text"[^>]*>(.*?)</textarea>', small.text, re.S)[1]
    )
    assert yaml.safe_load(shown_yaml)["discount_rate"] == 0.1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"horizon_years": "five"}, "Horizon, years: "),
        ({"cost.0.amount": ""}, "Cost 1 (Server): give exactly one of an amount and when it is paid"),
        ({"benefit.0.ramp": "0.5, 1, 1"}, "Benefit 1 (Hours saved), Ramp per year (e.g. 0.5, 1, 1): "),
        (
            {"cost.0.low": "2", "cost.0.mode": "1", "cost.0.high": "1.5"},
            "Range of Server: need low ≤ mode ≤ high",
        ),
    ],
)
def test_the_case_form_names_the_row_and_the_field_of_an_error(
    site: Site, change: dict[str, str], message: str
) -> None:
    csrf = site.login()
    page = site.client.post(
        "/ui/decisions/case", data={"csrf_token": csrf, "mode": "form", **SMALL_CASE_FORM, **change}
    )
    assert page.status_code == 422
    errors = html.unescape(page.text.split('id="case-form-errors"', 1)[1].split("</div>", 1)[0])
    assert message in errors, errors
    assert 'id="case-npv"' not in page.text


def test_form_values_are_escaped(site: Site) -> None:
    csrf = site.login()
    evil = '"><script>alert(1)</script>'
    page = site.client.post(
        "/ui/decisions/case",
        data={"csrf_token": csrf, "mode": "form", **SMALL_CASE_FORM, "cost.0.name": evil},
    )
    assert "<script>alert(1)" not in page.text
    page = site.client.post(
        "/ui/decisions/availability",
        data={"csrf_token": csrf, "mode": "form", **DIAL_FORM, "change.0.node": evil},
    )
    assert page.status_code == 422 and "<script>alert(1)" not in page.text


def test_the_forms_without_csrf_are_refused(site: Site) -> None:
    site.login()
    assert site.client.post("/ui/decisions/case", data={"mode": "form", **SMALL_CASE_FORM}).status_code == 403
    assert (
        site.client.post("/ui/decisions/availability", data={"mode": "form", **DIAL_FORM}).status_code == 403
    )
