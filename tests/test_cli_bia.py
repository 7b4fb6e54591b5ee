"""``bizmap bia``: template, assess, portfolio and apply on the hospital example and on bad files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from bizmap.model.loading import load_model
from helpers import run_cli, write_text

ROOT = Path(__file__).resolve().parents[1]
HOSPITAL = ROOT / "examples" / "hospital"
QUESTIONNAIRES = ROOT / "examples" / "decisions" / "bia"

GOOD = """\
service: orders
safety: {threatened: false}
money: {lost_per_hour: 2000}
people: {cannot_work: 0}
workaround: {exists: false}
usage:
  used: {mon-fri: "09:00-17:00"}
  needed_at_3am: false
"""
MODEL = """\
services:
  - id: orders
    depends_on: [app]   # the order application
components:
  - id: app
"""


def test_assess_the_hospital_examples_as_json() -> None:
    result = run_cli("bia", "assess", QUESTIONNAIRES, "--model", HOSPITAL, "--json")
    assert result.exit_code == 0, result.stderr
    services = {s["service"]: s for s in json.loads(result.stdout)["services"]}
    assert list(services) == sorted(services)

    epr = services["patient-records"]
    # 20,000 + 1,800 x 30 = 74,000 an hour; safety at stake: tier 0 with 99.95 %; the 4 h paper
    # workaround and safety at risk after 4 h give an MTPD of 4 h; RTO = min(1, 4 / 2) = 1 h
    assert (epr["tier"], epr["cost_per_hour"], epr["currency"]) == (0, 74000.0, "GBP")
    assert epr["recommended"]["availability_target"] == 99.95
    assert (epr["recommended"]["mtpd_hours"], epr["recommended"]["rto_hours"]) == (4, 1)
    assert epr["recommended"]["rpo_hours"] == 0.25

    email = services["staff-email"]
    # 6,500 people: mission-critical people band (tier 1); an unlimited workaround relieves one tier
    assert email["tier"] == 2
    assert email["recommended"]["calendar"]["hours"] == {"mon-fri": "07:30-18:30"}
    # 24x7 asked, 5 x 11 = 55 h a week used: 113 h a week never used
    assert [m["kind"] for m in email["mismatches"]] == ["asked_beyond_use"]
    assert "113 h a week" in email["mismatches"][0]["message"]

    booking = services["outpatient-booking"]
    # 7,320 an hour, 57 h a week = 2,972.14 h a year: 99.99 % (750,000 a year) avoids
    # 1.99 % x 2,972.14 x 7,320 = 432,946: a Rolls-Royce target
    assert [m["kind"] for m in booking["mismatches"]] == ["rolls_royce"]


def test_assess_prints_reasons_and_mismatches_for_people() -> None:
    result = run_cli("bia", "assess", QUESTIONNAIRES / "staff-email.yaml")
    assert result.exit_code == 0, result.stderr
    assert "tier 2 (business-critical)" in result.stdout
    assert "because the business can run on its workaround indefinitely" in result.stdout
    assert "MISMATCH asked_beyond_use" in result.stdout


def test_portfolio_ranks_the_hospital_services() -> None:
    result = run_cli("bia", "portfolio", QUESTIONNAIRES, "--json")
    assert result.exit_code == 0, result.stderr
    ranked = [s["service"] for s in json.loads(result.stdout)["services"]]
    # tier 0: EPR 74,000/h before ePMA 5,000 + 900 x 30 = 32,000/h; tier 2: e-mail 26,000/h
    # before imaging 9,000 + 250 x 40 = 19,000/h; tier 3: booking
    assert ranked == ["patient-records", "e-prescribing", "staff-email", "imaging", "outpatient-booking"]
    table = run_cli("bia", "portfolio", QUESTIONNAIRES)
    assert table.exit_code == 0 and "patient-records" in table.stdout


def test_thresholds_file_overrides_the_defaults(tmp_path: Path) -> None:
    questionnaire = write_text(tmp_path / "orders.yaml", GOOD)
    default = json.loads(run_cli("bia", "assess", questionnaire, "--json").stdout)["services"][0]
    assert default["tier"] == 3  # 2,000 an hour: at least 500, under 5,000
    thresholds = write_text(
        tmp_path / "t.yaml",
        """\
        cost_per_hour_bands: {mission_critical: 1000, business_critical: 100, business_operational: 10}
        """,
    )
    result = run_cli("bia", "assess", questionnaire, "--thresholds", thresholds, "--json")
    assert json.loads(result.stdout)["services"][0]["tier"] == 1


def test_bad_thresholds_name_file_and_line(tmp_path: Path) -> None:
    questionnaire = write_text(tmp_path / "orders.yaml", GOOD)
    thresholds = write_text(tmp_path / "t.yaml", "workaround_relief_hours: 8\nrto_share: 0.5\n")
    result = run_cli("bia", "assess", questionnaire, "--thresholds", thresholds)
    assert result.exit_code == 1
    assert f"{thresholds}:2: error: thresholds: unknown key 'rto_share'" in result.stderr
    assert "did you mean 'rto_share_of_mtpd'?" in result.stderr


def test_bad_questionnaires_name_file_and_line(tmp_path: Path) -> None:
    typo = write_text(tmp_path / "typo.yaml", GOOD.replace("lost_per_hour", "lost_per_hr"))
    missing = write_text(tmp_path / "missing.yaml", GOOD.replace("  needed_at_3am: false\n", ""))
    hours = write_text(tmp_path / "hours.yaml", GOOD.replace('"09:00-17:00"', '"17:00-09:00"'))
    broken = write_text(tmp_path / "broken.yaml", "service: orders\nsafety: [\n")
    result = run_cli("bia", "assess", typo, missing, hours, broken)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert f"{typo}:3: error: questionnaire 'orders': unknown key 'lost_per_hr' in money" in result.stderr
    assert (
        f"{missing}:6: error: questionnaire 'orders': missing answer 'usage.needed_at_3am'" in result.stderr
    )
    assert f"{hours}:7: error: questionnaire 'orders': usage.used.mon-fri:" in result.stderr
    assert "does not run forward" in result.stderr
    assert f"{broken}:3: error: YAML syntax error" in result.stderr


def test_a_questionnaire_for_an_unknown_service_is_refused(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", MODEL)
    questionnaire = write_text(tmp_path / "q.yaml", GOOD.replace("service: orders", "service: ordres"))
    result = run_cli("bia", "assess", questionnaire, "--model", model)
    assert result.exit_code == 1
    assert (
        f"{questionnaire}:1: error: questionnaire 'ordres': no such business service; did you mean 'orders'?"
        in (result.stderr)
    )


def test_template_is_prefilled_from_the_model_and_assesses_as_is(tmp_path: Path) -> None:
    result = run_cli("bia", "template", "outpatient-booking", "--model", HOSPITAL)
    assert result.exit_code == 0, result.stderr
    answers = yaml.safe_load(result.stdout)
    # straight from examples/hospital/services.yaml and calendars.yaml
    assert answers["money"]["lost_per_hour"] == 6000
    assert answers["people"] == {"cannot_work": 60, "cost_per_hour": 22}
    assert answers["workaround"]["impact_factor"] == 0.4 and answers["workaround"]["max_hours"] == 8
    assert answers["usage"]["used"] == {"mon-fri": "08:00-18:00", "sat": "09:00-12:00,13:00-17:00"}
    assert answers["usage"]["timezone"] == "Europe/London"
    assert answers["service_level"]["asked_for"] == 99.5
    filled = write_text(tmp_path / "booking.yaml", result.stdout)
    assert run_cli("bia", "assess", filled, "--model", HOSPITAL).exit_code == 0


def test_the_safety_critical_epr_template_assesses_as_is(tmp_path: Path) -> None:
    # patient-records: 24x7 (no calendar of its own) with its SLA on uk-24x7 (Europe/London);
    # lives at stake; the paper procedures last 4 h; its workaround's description holds ": "
    result = run_cli("bia", "template", "patient-records", "--model", HOSPITAL)
    answers = yaml.safe_load(result.stdout)
    assert answers["usage"]["timezone"] == "Europe/London"
    assert answers["usage"]["used"] == "24x7" and answers["usage"]["needed_at_3am"] is True
    assert answers["safety"] == {"threatened": True, "after_hours": 4, "how": None}
    assert answers["workaround"]["description"].startswith("Paper downtime procedures: printed")
    filled = write_text(tmp_path / "epr.yaml", result.stdout)
    assessed = run_cli("bia", "assess", filled, "--model", HOSPITAL, "--json")
    assert assessed.exit_code == 0, assessed.stderr
    (epr,) = json.loads(assessed.stdout)["services"]
    assert epr["tier"] == 0 and epr["recommended"]["calendar"]["timezone"] == "Europe/London"
    assert epr["recommended"]["weekly_hours"] == 168


def test_template_for_an_unknown_service_is_a_usage_error() -> None:
    result = run_cli("bia", "template", "nope", "--model", HOSPITAL)
    assert result.exit_code == 2
    assert "no business service 'nope'" in result.stderr


def test_apply_writes_the_answers_and_keeps_the_rest(tmp_path: Path) -> None:
    model = tmp_path / "hospital"
    shutil.copytree(HOSPITAL, model)
    before = {p.relative_to(model): p.read_text() for p in model.rglob("*.yaml")}

    dry = run_cli("bia", "apply", QUESTIONNAIRES, "--model", model, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "~ staff-email: calendar: 'office-hours' -> 'bia-staff-email'" in dry.stdout
    assert "~ patient-records: sla.target: 99.9 -> 99.95" in dry.stdout
    assert "nothing written" in dry.stdout
    assert {p.relative_to(model): p.read_text() for p in model.rglob("*.yaml")} == before

    # outpatient-booking is assessed at tier 3, 99 %: below the 99.5 % the model promises
    refused = run_cli("bia", "apply", QUESTIONNAIRES, "--model", model)
    assert refused.exit_code == 1
    assert (
        "outpatient-booking: the assessment (tier 3, business-operational) recommends 99 %, "
        "below the 99.5 % the model promises" in " ".join(refused.stderr.split())
    )
    assert "--force" in refused.stderr and "nothing was written" in refused.stderr
    assert {p.relative_to(model): p.read_text() for p in model.rglob("*.yaml")} == before
    assert "outpatient-booking: the assessment" in dry.stderr  # the dry run warns as well

    applied = run_cli("bia", "apply", QUESTIONNAIRES, "--model", model, "--force")
    assert applied.exit_code == 0, applied.stderr
    assert run_cli("validate", model).exit_code == 0

    written = load_model(model)
    services = {s.id: s for s in written.services}
    email = services["staff-email"]
    assert email.calendar == "bia-staff-email"
    calendar = written.calendars["bia-staff-email"]
    assert (calendar.timezone, calendar.hours) == ("Europe/London", {"mon-fri": "07:30-18:30"})
    assert email.sla is not None and (email.sla.target, email.sla.period) == (99.5, "week")  # period kept
    booking = services["outpatient-booking"]
    assert booking.sla is not None and booking.sla.target == 99.0
    assert booking.workaround is not None and booking.workaround.max_hours == 8
    epr = services["patient-records"]
    assert epr.impact is not None and epr.impact.safety_critical and epr.impact.degraded_factor == 0.4

    after = {p.relative_to(model): p.read_text() for p in model.rglob("*.yaml")}
    changed = {path for path in before if before[path] != after[path]}
    assert changed == {Path("services.yaml"), Path("calendars.yaml")}  # components untouched
    services_text = after[Path("services.yaml")]
    # comments and untouched keys survive, word for word
    assert (
        "      - {id: gp-wan, effect: soft}             # GPs cut off: the wards still work" in services_text
    )
    assert (
        "      degraded_counts_as: down    # a half-working prescribing system is not safe to use"
        in services_text
    )
    assert after[Path("calendars.yaml")].startswith(before[Path("calendars.yaml")])

    again = run_cli("bia", "apply", QUESTIONNAIRES, "--model", model)
    assert "nothing to change" in again.stdout


def test_apply_to_a_service_without_impact_or_sla(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model" / "model.yaml", MODEL)
    questionnaire = write_text(tmp_path / "q.yaml", GOOD)
    result = run_cli("bia", "apply", questionnaire, "--model", model)
    assert result.exit_code == 0, result.stderr
    written = load_model(model)
    orders = written.services[0]
    # 2,000 an hour, no workaround: tier 3, 99 % (costs 10,000, avoids 1 % x 40 x 365/7 x 2,000 = 41,714)
    assert orders.impact is not None and orders.impact.revenue_per_hour == 2000
    assert orders.sla is not None and (orders.sla.target, orders.sla.period) == (99.0, "month")
    assert written.calendars["bia-orders"].hours == {"mon-fri": "09:00-17:00"}
    assert "    depends_on: [app]   # the order application" in model.read_text()


def test_apply_refuses_bad_questionnaires(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", MODEL)
    questionnaire = write_text(tmp_path / "q.yaml", GOOD.replace("cannot_work: 0", "cannot_work: -3"))
    result = run_cli("bia", "apply", questionnaire, "--model", model)
    assert result.exit_code == 1
    assert f"{questionnaire}:4: error:" in result.stderr
    assert model.read_text() == MODEL


def test_template_without_a_model_is_blank_and_a_bad_id_is_a_usage_error() -> None:
    blank = yaml.safe_load(run_cli("bia", "template", "orders").stdout)
    assert blank["service"] == "orders" and blank["money"]["lost_per_hour"] == 0
    bad = run_cli("bia", "template", "Bad ID")
    assert bad.exit_code == 2 and "is not a service id" in bad.stderr
