"""The reports' decision sections: the service review's predicted availability and the executive
summary's "Decisions on the table" (``--case``, ``--dial``). Their figures are those of
``bizmap availability --json``, ``bizmap case --json`` and ``bizmap availability --dial --json``
for the same inputs, and are worked by hand on a small model; the PDFs carry them as text; the
executive summary stays one page."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bizmap.reports.periods import parse_period
from bizmap.reports.review import gather_review
from bizmap.reports.sources import replay_source
from bizmap.text import money
from helpers import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HOSPITAL = EXAMPLES / "hospital"

# orders: 24x7, base 1,000/h, needs app = any(a, b), each up 99/(99+1) = 0.99: A = 1 - 0.01^2
#   = 0.9999; 2026 has 8,760 h: down 0.876 h a year, cost 876.00 EUR; SLA 99.9: met.
# payroll: mon-fri 09:00-17:00 UTC; 2026 has 261 weekdays (52 weeks + Thursday 1 January):
#   2,088 h; needs db, up 999/1000: down 2.088 h, 4 x 100 = 400/h: 835.20 EUR; SLA 99.95: below.
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
    sla: {target: 99.95}
    depends_on: [db]
components:
  - id: app
    depends_on: {rule: any, children: [a, b]}
  - {id: a, mtbf_hours: 99, mttr_hours: 1}
  - {id: b, mtbf_hours: 99, mttr_hours: 1}
  - {id: db, mtbf_hours: 999, mttr_hours: 1}
"""
EVENTS = (
    '{"node": "db", "state": "down", "time": "2026-03-02T10:00:00Z"}\n'
    '{"node": "db", "state": "ok", "time": "2026-03-02T11:00:00Z"}\n'
)
# payroll with a second db under an `any` pair: 1 - 0.001^2 = 0.999999, down 0.002088 h,
# 0.8352 EUR a year; avoided 835.20 - 0.8352 = 834.3648; net 834.3648 - 500 = 334.36.
DIAL = """\
name: A second database
yearly_cost: 500
changes:
  - remove_single_point: {node: db, replica: db-2}
"""
# At 10 %: NPV = -1,000 + 600/1.1 + 600/1.21 = 41.32; IRR: x = 1/(1+r) solves
# 600x^2 + 600x - 1,000 = 0, x = 0.884437, r = 13.07 % -> "13.1%"; payback 1 + 400/600 = 1.67 years;
# discounted: -1,000 + 545.45 = -454.55 after year 1, year 2 brings 495.87: 1 + 454.55/495.87 = 1.92.
CASE = """\
name: A small server
currency: EUR
horizon_years: 2
discount_rate: 0.1
costs:
  - {name: Server, once: 1000}
benefits:
  - {name: Hours saved, per_year: 600}
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    (tmp_path / "model.yaml").write_text(MODEL)
    (tmp_path / "events.jsonl").write_text(EVENTS)
    (tmp_path / "dial.yaml").write_text(DIAL)
    (tmp_path / "case.yaml").write_text(CASE)
    return tmp_path


def pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout
    return " ".join(text.decode().split())


def pdf_pages(path: Path) -> int:
    assert shutil.which("pdfinfo"), "poppler-utils (pdfinfo) is needed"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_review_predicts_availability_worked_by_hand(small: Path) -> None:
    review = gather_review(
        replay_source(small / "model.yaml", small / "events.jsonl"), parse_period("2026-03")
    )
    assert review.predicted_year == 2026
    orders, payroll = review.predicted
    assert (orders.id, payroll.id) == ("orders", "payroll")
    assert orders.availability == pytest.approx(0.9999, abs=1e-12)
    assert orders.down_hours == pytest.approx(0.876, abs=1e-9)
    assert round(orders.cost, 2) == 876.00
    assert not orders.below_target
    assert payroll.calendar_hours == 2088
    assert round(payroll.cost, 2) == 835.20
    assert payroll.below_target  # 99.9 % predicted against 99.95 %
    result = run_cli(
        "report", "review", "--period", "2026-03", "--model", small / "model.yaml",
        "--replay", small / "events.jsonl", "--format", "md", "-o", "-",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "| Payroll | 99.9% | 99.95% (**below**) | office (2,088 h) | 2.09 | €835.20 |" in result.stdout
    assert "| Order taking | 99.99% | 99.9% | 24x7 (8,760 h) | 0.88 | €876.00 |" in result.stdout
    assert "**€1,711.20**" in result.stdout  # 876.00 + 835.20
    assert f"`bizmap availability {small / 'model.yaml'} --year 2026 --json`" in result.stdout


def test_review_predictions_equal_the_availability_json_and_are_in_the_pdf(tmp_path: Path) -> None:
    cli = run_cli("availability", HOSPITAL, "--year", "2026", "--json")
    document = json.loads(cli.stdout)
    review = gather_review(replay_source(HOSPITAL, HOSPITAL / "events.jsonl"), parse_period("2026-10"))
    assert [p.id for p in review.predicted] == [s["id"] for s in document["services"]]
    for line, expected in zip(review.predicted, document["services"], strict=True):
        assert line.availability == expected["availability"]
        assert line.down_hours == expected["expected_down_hours_per_year"]
        assert round(line.cost, 2) == expected["expected_cost_per_year"]
    pdf = tmp_path / "review.pdf"
    result = run_cli(
        "report", "review", "--period", "2026-10", "--model", HOSPITAL,
        "--replay", HOSPITAL / "events.jsonl", "-o", pdf,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = pdf_text(pdf)
    assert "Predicted availability and what it is worth" in text
    for expected in document["services"]:
        assert money(expected["expected_cost_per_year"], "GBP") in text
    assert money(document["expected_cost_per_year"], "GBP") in text


def test_executive_decisions_on_the_table_worked_by_hand(small: Path) -> None:
    result = run_cli(
        "report", "executive", "--period", "2026-03", "--model", small / "model.yaml",
        "--replay", small / "events.jsonl", "--case", small / "case.yaml", "--dial", small / "dial.yaml",
        "--format", "md", "-o", "-",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "## Decisions on the table" in text
    assert "- NPV: **€41.32** in today's money" in text
    assert "- IRR: 13.1% a year" in text
    assert "- Payback: 1.67 years (1.92 discounted)" in text
    assert "**A second database** (€500.00 a year):" in text
    assert "- Availability: payroll 99.9% → 99.9999%" in text  # orders does not move: left out
    assert "- Downtime cost avoided €834.36 a year; net value **€334.36 a year**" in text


def test_executive_figures_equal_the_cli_json_and_stay_on_one_page(tmp_path: Path) -> None:
    case_file = EXAMPLES / "decisions/online-hours.yaml"
    dial_file = EXAMPLES / "decisions/hospital-dial.yaml"
    case = json.loads(run_cli("case", case_file, "--json").stdout)
    dial = json.loads(
        run_cli("availability", HOSPITAL, "--dial", dial_file, "--year", "2026", "--json").stdout
    )
    pdf = tmp_path / "executive.pdf"
    result = run_cli(
        "report", "executive", "--period", "2026-10", "--model", HOSPITAL,
        "--replay", HOSPITAL / "events.jsonl", "--case", case_file, "--dial", dial_file, "-o", pdf,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert pdf_pages(pdf) == 1
    text = pdf_text(pdf)
    assert "Decisions on the table" in text
    assert money(case["npv"], "EUR") in text
    assert f"{100 * case['irr']:.1f}% a year" in text
    assert f"{case['payback_years']:.2f} years ({case['discounted_payback_years']:.2f} discounted)" in text
    # a EUR case in a GBP summary is said to be so, never silently mixed (issue 12, defect 6)
    assert "EUR, not converted to GBP" in text
    assert money(dial["net_value_per_year"], "GBP") in text
    assert money(dial["downtime_cost_avoided_per_year"], "GBP") in text
    for service in dial["services"]:
        before, after = service["before"]["availability"], service["after"]["availability"]
        if before != after:
            assert f"{service['id']} {100 * before:.4f}".rstrip("0") in text


def test_executive_without_proposals_has_no_such_section(small: Path) -> None:
    result = run_cli(
        "report", "executive", "--period", "2026-03", "--model", small / "model.yaml",
        "--replay", small / "events.jsonl", "--format", "md", "-o", "-",
    )  # fmt: skip
    assert result.exit_code == 0
    assert "Decisions on the table" not in result.stdout


def test_bad_case_or_dial_files_exit_1_naming_file_and_line(small: Path) -> None:
    (small / "bad-case.yaml").write_text(CASE.replace("discount_rate: 0.1", "discount_rate: 10%"))
    (small / "bad-dial.yaml").write_text(DIAL.replace("node: db,", "node: ghost,"))
    common = ["report", "executive", "--period", "2026-03", "--model", small / "model.yaml",
              "--replay", small / "events.jsonl", "--format", "md", "-o", "-"]  # fmt: skip
    result = run_cli(*common, "--case", small / "bad-case.yaml")
    assert result.exit_code == 1
    assert f"{small / 'bad-case.yaml'}:4: error: discount_rate: write the rate as a fraction" in result.stderr
    result = run_cli(*common, "--dial", small / "bad-dial.yaml")
    assert result.exit_code == 1
    assert f"{small / 'bad-dial.yaml'}:4: error: change 1 (remove_single_point)" in result.stderr
    assert "ghost" in result.stderr
    result = run_cli(*common, "--case", small / "missing.yaml")
    assert result.exit_code == 1
    assert "missing.yaml: error: no such file" in result.stderr
